"""Reports are written whole or not at all: a reader (a browser, CI, a mail) never sees half.

Every writer goes through ``write_atomic``: a temporary file in the same directory, then
one rename, so an interrupted or failed render leaves the previous report in place.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

__all__ = ["write_atomic"]


def write_atomic(path: Path | str, text: str | Iterable[str]) -> None:
    """Write ``text`` (UTF-8; or its pieces, in order, so a large report need not be one
    string in memory) to ``path``, creating parent directories; mode 0644 (a report to share)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            if isinstance(text, str):
                fh.write(text)
            else:
                fh.writelines(text)
        os.chmod(tmp, 0o644)  # records are masked before they reach a writer
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
