"""Retry-After, as a site may send it: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
from __future__ import annotations

import email.utils
import time

__all__ = ["retry_after_seconds"]


def retry_after_seconds(value: str | None, now: float | None = None) -> float:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; 0 when absent or bad."""
    if not value:
        return 0.0
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return 0.0
    if when is None:
        return 0.0
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
