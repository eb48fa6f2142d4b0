"""The boundary tests' example database: failing inputs kept on disk and tried first next run.

Hypothesis has its own database, but it is switched off whenever a run is seeded (and
every boundary run is, so that its seed can be printed and replayed).  This one keeps
what matters for an API: the shrunk input and the API it failed on, as JSON, one file per
(limit, version, target).  An input that passes again is forgotten.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .boundary_inputs import value_from_json, value_to_json
from .limits import Limit

__all__ = ["ExampleStore", "ExampleStoreError"]


class ExampleStoreError(ValueError):
    """A database file that is not ours (or was cut short): a one-line reason, never a traceback."""


class ExampleStore:
    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    def _file(self, key: str) -> Path:
        return self.directory / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".json")

    def _read(self, key: str) -> list[dict]:
        path = self._file(key)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise ExampleStoreError(f"boundary example database {path}: unreadable ({type(exc).__name__}); "
                                    "delete the file or pass another --boundary-database") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ExampleStoreError(f"boundary example database {path}: not JSON ({exc.msg} at line {exc.lineno}); "
                                    "delete the file or pass another --boundary-database") from None
        if not isinstance(data, dict) or not isinstance(data.get("examples", []), list):
            raise ExampleStoreError(f"boundary example database {path}: not an example file (no list of "
                                    "examples); delete the file or pass another --boundary-database")
        return [x for x in data.get("examples", []) if isinstance(x, dict)]

    def load(self, key: str, limit: Limit) -> list[tuple[int, Any]]:
        """The saved (api index, value) pairs for ``key``; unreadable entries are skipped."""
        out = []
        for x in self._read(key):
            try:
                index = int(x["api"])
                if 0 <= index < len(limit.apis):
                    out.append((index, value_from_json(limit, x["value"])))
            except (KeyError, TypeError, ValueError):
                continue
        return out

    def _write(self, key: str, examples: list[dict]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._file(key)
        if not examples:
            path.unlink(missing_ok=True)
            return
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"key": key, "examples": examples}, fh, ensure_ascii=False)
        os.replace(tmp, path)

    def save(self, key: str, limit: Limit, index: int, value: Any) -> None:
        entry = {"api": index, "value": value_to_json(limit, value)}
        examples = [x for x in self._read(key) if x != entry]
        self._write(key, [entry, *examples][:20])

    def forget(self, key: str, limit: Limit, index: int, value: Any) -> None:
        entry = {"api": index, "value": value_to_json(limit, value)}
        self._write(key, [x for x in self._read(key) if x != entry])
