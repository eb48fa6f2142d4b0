"""Where a run's reports go: a directory of its own, so no run overwrites another's.

Without ``--output`` each run writes to ``reports/<UTC time>/`` and ``reports/latest``
points at the newest (a symbolic link; where links cannot be made, a one-line file
holding the directory's name).  ``--output DIR`` writes to DIR as given.
"""
from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

from .errors import UsageError

__all__ = ["writable_dir", "new_run_dir", "point_latest", "latest", "LATEST"]

LATEST = "latest"


def writable_dir(text: str | Path, option: str = "--output") -> Path:
    """The directory, created if need be; a UsageError if it cannot be."""
    out = Path(text)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{option} {str(text)!r}: cannot create the directory: {exc.strerror or exc}") from None
    if not out.is_dir():
        raise UsageError(f"{option} {str(text)!r} is not a directory")
    return out


def new_run_dir(base: Path, now: _dt.datetime | None = None, point: bool = True) -> Path:
    """A fresh ``base/<YYYYmmddTHHMMSSZ>[-N]/``, with ``base/latest`` pointing at it
    (``point=False``: not yet; ``point_latest`` once the reports are in)."""
    writable_dir(base, "reports directory")
    stamp = (now or _dt.datetime.now(_dt.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    for n in range(1, 1000):
        out = base / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            out.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise UsageError(f"cannot create {out}: {exc.strerror or exc}") from None
        if point:
            point_latest(base, out.name)
        return out
    raise UsageError(f"{base}: too many runs started in the same second")


def point_latest(base: Path, name: str) -> None:
    """``base/latest`` -> ``name``, replaced atomically."""
    link = base / LATEST
    tmp = base / f".{LATEST}.{os.getpid()}"
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(name, target_is_directory=True)
        os.replace(tmp, link)
        return
    except OSError:
        pass
    try:   # no symbolic links here (or `latest` is an old directory): a small file instead
        if not link.is_dir() or link.is_symlink():
            tmp.write_text(name + "\n", encoding="utf-8")
            os.replace(tmp, link)
    except OSError:
        pass


def latest(base: Path) -> Path | None:
    """The newest run's directory, by the link or the file."""
    link = base / LATEST
    if link.is_symlink() or link.is_dir():
        return link.resolve()
    if link.is_file():
        name = link.read_text(encoding="utf-8").strip()
        return base / name if name else None
    return None
