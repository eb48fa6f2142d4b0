"""Where a run's reports go, checked before a long run rather than after it."""
from __future__ import annotations

from pathlib import Path

from .errors import UsageError

__all__ = ["writable_dir"]


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
