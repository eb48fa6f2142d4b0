"""The XML API's wire formats for values: dates and booleans, read and written one way."""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from .failures import ApiFailure

__all__ = ["DATE_FMT", "YEARS", "fmt_date", "parse_date", "xsd_bool", "read_bool"]

DATE_FMT = "%m/%d/%Y %H:%M:%S"
# Dates a request may carry: wide enough for any schedule or report, narrow enough that
# date arithmetic (+/- 90 days, 28 days) can never overflow.
YEARS = (1900, 2100)
_DATE = re.compile(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}( [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2})?")


def fmt_date(d: _dt.datetime) -> str:
    """The XML API's date-time form, MM/DD/YYYY HH:MM:SS."""
    return d.strftime(DATE_FMT)


def parse_date(text: str | None) -> _dt.datetime | None:
    """Parse MM/DD/YYYY HH:MM:SS leniently (the notes show 4/23/2018 00:00:00 and 8:0:0)."""
    if not text:
        return None
    text = text.strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        date_part, _, time_part = text.partition(" ")
        m, d, y = (int(x) for x in date_part.split("/"))
        hh, mm, ss = (int(x) for x in (time_part or "0:0:0").split(":"))
        if not YEARS[0] <= y <= YEARS[1]:
            raise ValueError(text)
        return _dt.datetime(y, m, d, hh, mm, ss)
    except (ValueError, TypeError, OverflowError):
        raise ApiFailure("999999", f"Invalid date format: {text[:40]!r}, expected MM/DD/YYYY HH:MM:SS "
                                   f"with a year from {YEARS[0]} to {YEARS[1]}") from None


def xsd_bool(value: Any) -> str:
    """A boolean as replies write it."""
    return "true" if value else "false"


def read_bool(text: str, name: str) -> bool:
    """xsd:boolean's four spellings, case-insensitively: real clients send ``TRUE`` (real-traffic 061)."""
    value = text.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ApiFailure("999999", f"Invalid {name}: {text[:40]!r} is not true or false")


_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


def base64_size(text: str) -> int | None:
    """The decoded length of base64 text (white space ignored), or None when it is not
    base64 as RFC 4648 writes it (only its alphabet; padding exactly completes the last
    quantum).

    Counted, not decoded: UploadPMRImage only needs an image's size, and decoding 5 MB
    just to measure it was half the cost of the boundary tests' largest requests.
    """
    if any(c in text for c in " \t\r\n"):
        text = "".join(text.split())
    if not text.isascii():
        return None
    raw = text.encode("ascii")
    # the padding counted from the end, not stripped off: a 5 MB image's copy saved
    tail = raw[-3:]
    pad = len(tail) - len(tail.rstrip(b"="))
    size = len(raw) - pad
    if raw.translate(None, _BASE64_ALPHABET) or pad > 2 or raw.find(b"=", 0, size) != -1:
        return None
    rest = size % 4      # padding completes a last, partial quantum, no more
    if rest == 1 or pad != (4 - rest) % 4:
        return None
    return size // 4 * 3 + (rest - 1 if rest else 0)
