"""``value``: serv:value, exact."""
from __future__ import annotations

from typing import Any

from ..casefields import Field
from ..verdict import Verdict
from .kind import CheckKind, Observed
from .nodes import shown_repr


def parse(raw: Any, field: Field) -> str:
    return field.typed(raw, str)


def judge(expected: str, seen: Observed) -> list[Verdict]:
    actual = getattr(seen.parsed, "value", None)
    return [Verdict("value", "pass" if actual == expected else "fail", repr(expected), shown_repr(actual))]


KIND = CheckKind("value", "exact serv:value", 'value = "50"', parse, judge)
