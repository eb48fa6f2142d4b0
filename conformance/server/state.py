"""Site state in SQLite: the sites, their accounts, what the handlers store, the outbox.

One connection, guarded by a lock, so that concurrent clients (the suite under
pytest-xdist) see one consistent site.  In memory by default; a file keeps the state
across restarts (``--db PATH``).
"""
from __future__ import annotations

import datetime as _dt
import json
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

from .models import Account, Site

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
CREATE TABLE IF NOT EXISTS session_tickets (
    ticket TEXT PRIMARY KEY, site TEXT NOT NULL, webex_id TEXT NOT NULL, kind TEXT NOT NULL, created TEXT NOT NULL
);
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
        # failed anonymous lookups per subject (39.10.0 CAPTCHA): kept outside SQLite because
        # the failing call's transaction is rolled back with its FAILURE answer
        self.anonymous_failures: dict[str, int] = {}
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        if path != ":memory:":
            # an emulator's state: WAL with NORMAL sync survives a crash of the server, not
            # of the machine, and spares every committed call an fsync
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")

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
        return account_of(row) if row else None

    def account_for_token(self, site: Site, token: str) -> Account | None:
        row = self.one("SELECT webex_id FROM tokens WHERE token=? AND site=?", (token, site.name))
        if row is None:
            return None
        if row["webex_id"] == "__machine__":
            return Account("machine-account", "machine", "machine@invalid", "Machine", "Account")
        return self.account(site, row["webex_id"])

    def account_for_ticket(self, site: Site, ticket: str, kind: str = "session") -> Account | None:
        """The account a ticket issued by AuthenticateUser (session) or GetLoginTicket (login) names."""
        row = self.one("SELECT webex_id FROM session_tickets WHERE ticket=? AND site=? AND kind=?",
                       (ticket, site.name, kind))
        return self.account(site, row["webex_id"]) if row else None

    def account_by_email(self, site: Site, email: str) -> Account | None:
        row = self.one("SELECT webex_id FROM users WHERE site=? AND lower(email)=lower(?) ORDER BY webex_id",
                       (site.name, email))
        return self.account(site, row["webex_id"]) if row else None

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


def account_of(row: sqlite3.Row) -> Account:
    """The Account a users row describes."""
    return Account(row["webex_id"], row["role"], row["email"], row["first_name"], row["last_name"])
