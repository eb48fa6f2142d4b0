"""Whole numbers and keys in requests, read by one rule whichever API carries them.

Our choices where the notes are silent:

- Whole numbers (duration, timeZoneID, meetingType): 0..2**31-1, and -1 means "the
  default" (the vendor's schemas default timeZoneID and meetingType to -1).
- Keys (session keys, recording IDs): 1..2**63-1, ASCII digits only; anything else is
  "not found" in the caller's own words.
"""
from __future__ import annotations

import re

from ..call import Call
from ..failures import ApiFailure

__all__ = ["MAX_INT", "MAX_KEY", "parse_key", "read_int", "shown"]

MAX_INT = 2 ** 31 - 1           # durations, time zones, list windows
MAX_KEY = 2 ** 63 - 1           # what an SQLite INTEGER holds

_DIGITS = re.compile(r"[0-9]+")
_SIGNED = re.compile(r"-?[0-9]+")


def shown(text: str) -> str:
    """The request text as a reason quotes it: short enough to stay one readable line."""
    return repr(text if len(text) <= 40 else text[:40] + "...")


def parse_key(text: str | None) -> int | None:
    """A session key or recording ID SQLite can hold, or None for anything else.

    ASCII digits only: ``str.isdigit`` accepts '²', which ``int`` then refuses.
    """
    text = (text or "").strip()
    if not _DIGITS.fullmatch(text) or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= MAX_KEY else None


def read_int(call: Call, path: str, default: int) -> int:
    """A whole number of the request (duration, timeZoneID...) between 0 and 2**31-1; -1: the default."""
    text = call.text(path)
    if not text:
        return default
    name = path.rsplit("/", 1)[-1]
    if not _SIGNED.fullmatch(text):
        raise ApiFailure("999999", f"Invalid {name}: {shown(text)} is not a whole number")
    value = int(text) if len(text) <= 12 else MAX_INT + 1
    if value == -1:
        return default
    if not 0 <= value <= MAX_INT:
        raise ApiFailure("999999", f"Invalid {name}: {shown(text)} must be between 0 and {MAX_INT}")
    return value
