"""Test-only views of the reference server (behind ``--test-paths``): what it holds, what it was asked.

``GET /_test/objects`` is a snapshot of every object the server holds, table by table
(users, sessions of every kind, contacts, recordings, attendees, site settings...), so a
test can compare the site before and after a run.  ``GET /_test/calls`` lists every call
the service received since it started (service, API and the body, passwords masked, cut
at 4 KB), unlike ``/_test/requests`` which keeps the last 500 only.
"""
from __future__ import annotations

import json
import re
import threading
from typing import Any

__all__ = ["OBJECTS_PATH", "CALLS_PATH", "CallLog", "snapshot"]

OBJECTS_PATH = "/_test/objects"
CALLS_PATH = "/_test/calls"
_BODY = 4096
_SECRETS = re.compile(r"(<(?:\w+:)?(?:password|accessToken|sessionTicket|meetingPassword|sessionPassword)>)[^<]*(</)")
_SKIP_TABLES = {"sqlite_sequence"}


def snapshot(state: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as JSON-ready dicts, in a stable order."""
    with state.lock:
        names = [r["name"] for r in state.query("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        out = {}
        for name in names:
            if name in _SKIP_TABLES:
                continue
            rows = [dict(r) for r in state.query(f'SELECT * FROM "{name}"')]
            out[name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return out


class CallLog:
    """Every call's service, API and (masked, cut) body, in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[dict[str, str]] = []

    def add(self, service: str, api: str, body: str) -> None:
        with self._lock:
            self._calls.append({"service": service, "api": api, "body": _SECRETS.sub(r"\1***\2", body[:_BODY])})

    def all(self) -> list[dict[str, str]]:
        with self._lock:
            return list(self._calls)
