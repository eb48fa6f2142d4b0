"""``result``: serv:result must be SUCCESS or FAILURE."""
from __future__ import annotations

from typing import Any

from ..casefields import Field
from ..namespaces import RESULTS
from ..verdict import Verdict
from .kind import CheckKind, Observed
from .nodes import shown


def parse(raw: Any, field: Field) -> str:
    if raw not in RESULTS:
        raise field.error(f"must be SUCCESS or FAILURE, not {raw!r}")
    return raw


def judge(expected: str, seen: Observed) -> list[Verdict]:
    parsed = seen.parsed
    actual = getattr(parsed, "result", None)
    detail = ""
    if actual != expected and actual == "FAILURE":
        detail = f"exceptionID {shown(parsed.exception_id)}, reason {shown(parsed.reason)}"
    return [Verdict("result", "pass" if actual == expected else "fail", expected, shown(actual), detail)]


KIND = CheckKind("result", "SUCCESS | FAILURE", 'result = "SUCCESS"', parse, judge)
