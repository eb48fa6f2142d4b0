"""``exception_id``: serv:exceptionID, compared as the exact string (000015 is not 00015)."""
from __future__ import annotations

import re
from typing import Any

from ..casefields import Field
from ..verdict import Verdict
from .kind import CheckKind, Observed
from .nodes import shown

_XCODE = re.compile(r"^\d{5,6}$")


def parse(raw: Any, field: Field) -> str:
    field.typed(raw, str)
    if not _XCODE.match(raw):
        raise field.error(f"must be a 5- or 6-digit string, not {raw!r}")
    return raw


def judge(expected: str, seen: Observed) -> list[Verdict]:
    actual = getattr(seen.parsed, "exception_id", None)
    detail = "" if actual == expected else f"reason {shown(getattr(seen.parsed, 'reason', None))}"
    return [Verdict("exceptionID", "pass" if actual == expected else "fail", expected, shown(actual), detail)]


KIND = CheckKind("exception_id", "exact string of 5 or 6 digits", 'exception_id = "010107"', parse, judge)
