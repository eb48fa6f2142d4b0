"""The run's ledger of what it wrote: every object created and every state changed, until undone.

An entry is appended *before* the undo is known to be needed (a create about to be sent is
"pending") and closed when the undo succeeded, so whatever happens in between (a failing
case, Ctrl-C, SIGTERM, ``pytest -x``, an xdist worker torn down) the ledger still says
what may be left on the site.  Each process appends to its own JSON-lines file in the
run's directory (no locking needed, nothing lost when a process dies: each line is
flushed); the controller reads them all at the end, undoes what is still open and lists
what could not be undone as the run's ``leftovers``.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import secrets as _secrets
import threading
from pathlib import Path
from typing import Any, Iterable

from .write_guard import findable

__all__ = ["Ledger", "read_open", "OPEN_OPS", "CLOSED_OPS", "leftover_record"]

OPEN_OPS = ("pending", "created", "changed", "failed")
CLOSED_OPS = ("undone", "discarded")


def _now() -> str:
    """Now, in UTC, as results.json writes times."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


class Ledger:
    """Appends entries to ``<directory>/ledger-<process>.jsonl`` (or keeps them in memory)."""

    def __init__(self, directory: Path | str | None = None, process: str = "main"):
        self.directory = Path(directory) if directory else None
        self.process = process
        self._lock = threading.Lock()
        self._memory: list[dict[str, Any]] = []
        self._fh = None

    @property
    def path(self) -> Path | None:
        return self.directory / f"ledger-{self.process}.jsonl" if self.directory else None

    def _write(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._memory.append(entry)
            if self.directory is None:
                return
            if self._fh is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._fh = open(self.path, "a", encoding="utf-8")
            self._fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._fh.flush()

    def open(self, op: str, **fields: Any) -> str:
        """A new entry (``pending``, ``created`` or ``changed``); returns its id."""
        entry_id = _secrets.token_hex(6)
        self._write({"id": entry_id, "op": op, "at": _now(), **fields})
        return entry_id

    def update(self, entry_id: str, op: str, **fields: Any) -> None:
        """A later state of an entry: ``created`` (with its key), ``undone``, ``failed`` or ``discarded``."""
        self._write({"id": entry_id, "op": op, "at": _now(), **fields})

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._memory)

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None


def _merge(lines: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    state: dict[str, dict[str, Any]] = {}
    for line in lines:
        cur = state.setdefault(line["id"], {})
        closed = cur.get("op") in CLOSED_OPS     # final, whichever process's file is read first
        cur.update({k: v for k, v in line.items() if v is not None and not (closed and k == "op")})
    return state


def read_open(directory: Path | str | None, extra: Iterable[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """Every entry of every process's ledger whose last state is not closed, in order."""
    lines: list[dict[str, Any]] = list(extra)
    if directory and Path(directory).is_dir():
        for path in sorted(Path(directory).glob("ledger-*.jsonl")):
            for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    line = json.loads(raw)
                except ValueError:
                    continue  # a line cut short by a killed process
                if isinstance(line, dict) and "id" in line and "op" in line:
                    lines.append(line)
    merged = _merge(lines)
    return [e for e in merged.values() if e.get("op") in OPEN_OPS]


def leftover_record(entry: dict[str, Any], results_path: str) -> dict[str, Any]:
    """What results.json says about one thing the run could not undo, and how to undo it."""
    undo = entry.get("undo") or {}
    by_cleanup = bool(undo.get("api") or findable(entry))
    if entry.get("op") == "pending":
        why = entry.get("reason") or ("the create was sent but its answer never arrived: " +
                                      ("cleanup deletes it if it is there" if by_cleanup else
                                       "the key is unknown; find it by the run's tag in its name"))
    else:
        why = entry.get("reason") or "not undone before the run ended"
    command = (f"webex-conformance cleanup {results_path}" if by_cleanup
               else f"none: remove it by hand (search for {entry.get('tag', '')!r})")
    return {
        "id": entry.get("id"), "what": entry.get("what", ""), "key": entry.get("key"),
        "action": "restore" if entry.get("kind") == "change" else "delete",
        "case": entry.get("case"), "step": entry.get("step"), "target": entry.get("target"),
        "endpoint": entry.get("endpoint"), "version": entry.get("version"), "site": entry.get("site"),
        "role": entry.get("role"), "tag": entry.get("tag"), "created_at": entry.get("created_at"),
        "undo": undo or None, "tagged": bool(entry.get("tagged")), "reason": why, "command": command,
    }


def remove_dir(directory: Path | str | None) -> None:
    """Drop the ledger files once everything in them is closed or listed in results.json."""
    if not directory:
        return
    d = Path(directory)
    for path in d.glob("ledger-*.jsonl"):
        try:
            path.unlink()
        except OSError:
            pass
    for name in ("site-state.json",):
        try:
            (d / name).unlink()
        except OSError:
            pass
    try:
        os.rmdir(d)
    except OSError:
        pass
