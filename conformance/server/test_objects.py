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
from copy import deepcopy
from typing import Any

from lxml import etree

__all__ = ["OBJECTS_PATH", "CALLS_PATH", "CallLog", "snapshot"]

OBJECTS_PATH = "/_test/objects"
CALLS_PATH = "/_test/calls"
_BODY = 4096
_WHOLE = 64 * 1024   # requests up to this size are serialised whole, then cut
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

    def add(self, service: str, api: str, content: etree._Element, size: int) -> None:
        """``size``: the request's bytes. A large one (a 5 MB image) is logged from a copy whose
        texts stop at the cut: serialising all of it only to keep 4 KB cost ~10 ms a call."""
        body = etree.tostring(content if size <= _WHOLE else _clipped(content), encoding="unicode")[:_BODY]
        with self._lock:
            self._calls.append({"service": service, "api": api, "body": _SECRETS.sub(r"\1***\2", body)})

    def all(self) -> list[dict[str, str]]:
        with self._lock:
            return list(self._calls)


def _clipped(element: etree._Element) -> etree._Element:
    out = etree.Element(element.tag, dict(element.attrib), nsmap=element.nsmap)
    out.text = _cut(element.text)
    for child in element:
        copy = _clipped(child) if isinstance(child.tag, str) else deepcopy(child)   # a comment, a PI
        copy.tail = _cut(child.tail)
        out.append(copy)
    return out


def _cut(text: str | None) -> str | None:
    return text if text is None or len(text) <= _BODY else text[:_BODY]
