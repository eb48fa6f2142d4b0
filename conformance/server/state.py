"""Site state in SQLite: the sites, their accounts, what the handlers store, the outbox.

One connection, guarded by a lock, so that concurrent clients (the suite under
pytest-xdist) see one consistent site.  In memory by default; a file keeps the state
across restarts (``--db PATH``).
"""
from __future__ import annotations

import datetime as _dt
import json
import secrets
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

from .registry import Account, Site

CORE_DDL = """
CREATE TABLE IF NOT EXISTS sites (
    key TEXT PRIMARY KEY, name TEXT UNIQUE NOT NULL, site_id TEXT NOT NULL, partner_id TEXT NOT NULL,
    suspended INTEGER NOT NULL DEFAULT 0, control_hub INTEGER NOT NULL DEFAULT 0,
    auto_record INTEGER NOT NULL DEFAULT 0, facts TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS users (
    site TEXT NOT NULL, webex_id TEXT NOT NULL, password TEXT NOT NULL, role TEXT NOT NULL,
    first_name TEXT NOT NULL, last_name TEXT NOT NULL, email TEXT NOT NULL,
    display_name TEXT, registration TEXT NOT NULL, last_login TEXT, last_modified TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1, extra TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (site, webex_id)
);
CREATE TABLE IF NOT EXISTS tokens (token TEXT NOT NULL, site TEXT NOT NULL, webex_id TEXT NOT NULL, PRIMARY KEY (token, site));
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, to_addr TEXT NOT NULL,
    subject TEXT NOT NULL, body TEXT NOT NULL, sent_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    session_key INTEGER PRIMARY KEY, site TEXT NOT NULL, kind TEXT NOT NULL, host TEXT NOT NULL,
    conf_name TEXT NOT NULL, start_date TEXT NOT NULL, duration INTEGER NOT NULL DEFAULT 60,
    time_zone_id INTEGER NOT NULL DEFAULT 4, password TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '', telephony TEXT NOT NULL DEFAULT 'CALLIN',
    auto_record INTEGER NOT NULL DEFAULT 0,
    is_cet INTEGER NOT NULL DEFAULT 0,  -- on the Cisco video platform (video-device-enabled)
    host_key TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}', created TEXT NOT NULL, modified TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS captchas (captcha_id TEXT PRIMARY KEY, word TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# key -> (site name, site id, partner id, suspended, control hub, auto record)
SEED_SITES = {
    "main": ("refsite", "100001", "prt100001", 0, 0, 0),
    "suspended": ("refsite-suspended", "100002", "prt100002", 1, 0, 0),
    "control-hub": ("refsite-hub", "100003", "prt100003", 0, 1, 0),
    "auto-record": ("refsite-autorec", "100004", "prt100004", 0, 0, 1),
}
# role key in accounts -> (webExID, role, first, last)
SEED_ACCOUNTS = {
    "admin": ("siteadmin", "admin", "Sam", "Admin"),
    "host": ("host1", "host", "Hana", "Host"),
    "host2": ("host2", "host", "Hugo", "Second"),
    "attendee": ("attendee1", "attendee", "Ada", "Attendee"),
}


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    site: str


class State:
    def __init__(self, path: str = ":memory:"):
        self.path = path
        self.lock = threading.RLock()
        self._depth = 0  # transaction nesting, touched only while holding the lock
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        if path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")

    # -- queries -------------------------------------------------------------
    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.conn.execute(sql, params)

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        with self.lock:
            return self.conn.execute(sql, params).fetchone()

    @contextmanager
    def transaction(self) -> Iterator["State"]:
        """Hold the lock and one SQLite transaction for a read-modify-write.

        Re-entrant: a handler's own ``transaction()`` inside the one the app opens per
        call joins it (only the outermost commits or rolls back).
        """
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
            finally:
                self._depth = 0

    def next_id(self, name: str, start: int) -> int:
        with self.lock:
            row = self.conn.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()
            value = (row["value"] + 1) if row else start
            self.conn.execute("INSERT OR REPLACE INTO counters(name, value) VALUES (?, ?)", (name, value))
            return value

    # -- sites and accounts --------------------------------------------------
    def site_by_name(self, name: str) -> Site | None:
        row = self.one("SELECT * FROM sites WHERE lower(name)=lower(?)", (name,))
        return _site(row) if row else None

    def site_by_id(self, site_id: str) -> Site | None:
        row = self.one("SELECT * FROM sites WHERE site_id=?", (site_id,))
        return _site(row) if row else None

    def site_by_key(self, key: str) -> Site:
        row = self.one("SELECT * FROM sites WHERE key=?", (key,))
        if row is None:
            raise KeyError(key)
        return _site(row)

    def site_facts(self, site: Site) -> dict[str, Any]:
        row = self.one("SELECT facts FROM sites WHERE key=?", (site.key,))
        return json.loads(row["facts"]) if row else {}

    def set_site_facts(self, site: Site, facts: dict[str, Any]) -> None:
        self.execute("UPDATE sites SET facts=? WHERE key=?", (json.dumps(facts, sort_keys=True), site.key))

    def user_row(self, site: Site, webex_id: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM users WHERE site=? AND lower(webex_id)=lower(?)", (site.name, webex_id))

    def account(self, site: Site, webex_id: str) -> Account | None:
        row = self.user_row(site, webex_id)
        return _account(row) if row else None

    def account_for_token(self, site: Site, token: str) -> Account | None:
        row = self.one("SELECT webex_id FROM tokens WHERE token=? AND site=?", (token, site.name))
        if row is None:
            return None
        if row["webex_id"] == "__machine__":
            return Account("machine-account", "machine", "machine@invalid", "Machine", "Account")
        return self.account(site, row["webex_id"])

    # -- outbox ---------------------------------------------------------------
    def send_mail(self, site: Site, to: str, subject: str, body: str) -> None:
        self.execute("INSERT INTO outbox(site, to_addr, subject, body, sent_at) VALUES (?,?,?,?,?)",
                     (site.name, to, subject, body, _dt.datetime.now().isoformat(timespec="seconds")))

    def mails(self) -> list[dict[str, str]]:
        return [dict(to=r["to_addr"], subject=r["subject"], body=r["body"], site=r["site"], sent_at=r["sent_at"])
                for r in self.query("SELECT * FROM outbox ORDER BY id")]


def _site(row: sqlite3.Row) -> Site:
    return Site(row["name"], row["site_id"], row["partner_id"], bool(row["suspended"]),
                bool(row["control_hub"]), bool(row["auto_record"]), row["key"])


def _account(row: sqlite3.Row) -> Account:
    return Account(row["webex_id"], row["role"], row["email"], row["first_name"], row["last_name"])


def email_for(webex_id: str, site_name: str) -> str:
    return f"{webex_id}@{site_name}.example.com"


def create_and_seed(state: State, passwords: dict[str, str] | None = None,
                    site_overrides: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Create the tables and, on an empty database, the documented fixture site.

    Returns the credentials and fixture values (``serve.ReferenceServer.seed`` and ``.values``).
    A database that was already seeded keeps its accounts: its stored credentials are
    returned instead, so ``--db PATH`` survives a restart.
    """
    from . import handlers  # noqa: F401  (registers handlers and their tables)
    from .handlers import ALL_MODULES

    with state.lock:
        state.conn.executescript(CORE_DDL)
        for mod in ALL_MODULES:
            ddl = getattr(mod, "TABLES", "")
            if ddl:
                state.conn.executescript(ddl)
        seeded = state.one("SELECT value FROM meta WHERE key='seed'")
        if seeded:
            return json.loads(seeded["value"])
        passwords = dict(passwords or {})
        for role in SEED_ACCOUNTS:
            passwords.setdefault(role, "Ref-" + secrets.token_urlsafe(9))
        token = "tok-" + secrets.token_urlsafe(18)
        now = _dt.datetime.now().replace(microsecond=0)
        values: dict[str, Any] = {"accounts": {}, "sites": {}, "token": token, "values": {}}
        state.conn.execute("BEGIN")
        for key, (name, sid, pid, susp, hub, rec) in SEED_SITES.items():
            over = (site_overrides or {}).get(key, {})
            state.conn.execute(
                "INSERT INTO sites(key, name, site_id, partner_id, suspended, control_hub, auto_record, facts) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (key, name, sid, pid, int(over.get("suspended", susp)), int(over.get("control_hub", hub)),
                 int(over.get("auto_record", rec)), json.dumps(over.get("facts", {}))))
            values["sites"][key] = {"siteName": name, "siteID": sid, "partnerID": pid}
            for i, (role, (wid, urole, first, last)) in enumerate(SEED_ACCOUNTS.items()):
                reg = now - _dt.timedelta(days=400 - i)
                last_login = now - _dt.timedelta(days=2 + i, hours=i)
                state.conn.execute(
                    "INSERT INTO users(site, webex_id, password, role, first_name, last_name, email, display_name, "
                    "registration, last_login, last_modified) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (name, wid, passwords[role], urole, first, last, email_for(wid, name), f"{first} {last}",
                     reg.isoformat(), last_login.isoformat(), (now - _dt.timedelta(days=10 + i)).isoformat()))
            state.conn.execute("INSERT INTO tokens(token, site, webex_id) VALUES (?,?,?)",
                               (token, name, "__machine__"))
        values["values"].update(_seed_sessions(state, now))
        cid, word = "captcha-" + secrets.token_hex(4), secrets.token_hex(3)
        state.conn.execute("INSERT INTO captchas(captcha_id, word) VALUES (?, ?)", (cid, word))
        values["values"].update({"captcha.id": cid, "captcha.word": word})
        for role, (wid, _r, _f, _l) in SEED_ACCOUNTS.items():
            values["accounts"][role] = {"webExID": wid, "password": passwords[role]}
        state.conn.execute("COMMIT")
        for mod in ALL_MODULES:
            seed = getattr(mod, "seed", None)
            if seed is not None:
                extra = seed(state, now) or {}
                values["values"].update(extra)
        state.execute("INSERT INTO meta(key, value) VALUES ('seed', ?)", (json.dumps(values),))
        return values


# The sessions every handler module may read (GetSessionInfo and LstsummarySession span
# meetings, events, training and support sessions).  kind: meeting | pmr | webinar |
# event | training | support.  ``data`` holds what only one kind has (JSON).
SEED_SESSIONS = {
    "sessions.pmr": (880000001, "pmr", "Hana Host's Personal Room", {"pmr": True}),
    "sessions.meeting": (880000002, "meeting", "Weekly sync", {"HQvideo": True, "HDvideo": False}),
    "sessions.webinar": (880000003, "webinar", "Quarterly webinar", {"enableEvent": True, "enableWebniar": True}),
    "sessions.cet_event": (770000001, "event", "Video town hall",
                           {"panelistNumericPassword": "4711", "standaloneDialingIPAddress": "192.0.2.10"}),
    "sessions.event": (770000002, "event", "Classic event", {}),
    "sessions.training_poll": (660000001, "training", "TC poll test",
                               {"attendeeSendVideo": True, "HQvideo": True, "HDvideo": True}),
    "sessions.support": (550000001, "support", "Support session", {}),
}


def _seed_sessions(state: State, now: _dt.datetime) -> dict[str, str]:
    out = {}
    site = SEED_SITES["main"][0]
    for i, (placeholder, (key, kind, name, data)) in enumerate(SEED_SESSIONS.items()):
        start = (now + _dt.timedelta(days=3 + i)).replace(minute=0, second=0)
        state.conn.execute(
            "INSERT INTO sessions(session_key, site, kind, host, conf_name, start_date, password, telephony, "
            "is_cet, host_key, data, created, modified) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (key, site, kind, "host1", name, start.isoformat(), f"Pw{key % 10000:04d}x", "CALLIN",
             1 if placeholder == "sessions.cet_event" or kind == "pmr" else 0,
             f"{(key * 7) % 1000000:06d}", json.dumps(data), now.isoformat(), now.isoformat()))
        out[placeholder] = str(key)
    return out
