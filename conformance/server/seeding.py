"""Create a database's tables and seed the documented fixture site.

The tables and seeders come from the catalog (``catalog.py``), so a server built from a
few handler modules gets only their tables.  A database that was seeded before keeps its
accounts: its stored ``Seed`` is returned, so ``--db PATH`` survives a restart.
"""
from __future__ import annotations

import datetime as _dt
import json
import secrets
from typing import Any

from .catalog import Catalog
from .fixtures import SEED_ACCOUNTS, SEED_SESSIONS, SEED_SITES, email_for
from .models import Login, Seed, SiteIds
from .state import CORE_DDL, State

__all__ = ["create_and_seed"]


def create_and_seed(state: State, catalog: Catalog, passwords: dict[str, str] | None = None,
                    site_overrides: dict[str, dict[str, Any]] | None = None) -> Seed:
    """The credentials and fixture values of ``state``'s site, seeding it first if it is new."""
    with state.lock:
        state.conn.executescript(CORE_DDL)
        for ddl in catalog.tables:
            state.conn.executescript(ddl)
        seeded = state.one("SELECT value FROM meta WHERE key='seed'")
        if seeded:
            return Seed.from_json(json.loads(seeded["value"]))
        passwords = dict(passwords or {})
        for role in SEED_ACCOUNTS:
            passwords.setdefault(role, "Ref-" + secrets.token_urlsafe(9))
        token = "tok-" + secrets.token_urlsafe(18)
        now = _dt.datetime.now().replace(microsecond=0)
        sites: dict[str, SiteIds] = {}
        values: dict[str, str] = {}
        state.conn.execute("BEGIN")
        for key, (name, sid, pid, susp, hub, rec) in SEED_SITES.items():
            over = (site_overrides or {}).get(key, {})
            state.conn.execute(
                "INSERT INTO sites(key, name, site_id, partner_id, suspended, control_hub, auto_record, facts) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (key, name, sid, pid, int(over.get("suspended", susp)), int(over.get("control_hub", hub)),
                 int(over.get("auto_record", rec)), json.dumps(over.get("facts", {}))))
            sites[key] = SiteIds(name, sid, pid)
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
        values.update(_seed_sessions(state, now))
        cid, word = "captcha-" + secrets.token_hex(4), secrets.token_hex(3)
        state.conn.execute("INSERT INTO captchas(captcha_id, word) VALUES (?, ?)", (cid, word))
        values.update({"captcha.id": cid, "captcha.word": word})
        accounts = {role: Login(wid, passwords[role]) for role, (wid, _r, _f, _l) in SEED_ACCOUNTS.items()}
        state.conn.execute("COMMIT")
        for seeder in catalog.seeders:
            values.update({k: str(v) for k, v in (seeder(state, now) or {}).items()})
        seed = Seed(accounts=accounts, sites=sites, token=token, values=values)
        state.execute("INSERT INTO meta(key, value) VALUES ('seed', ?)", (json.dumps(seed.to_json()),))
        return seed


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
