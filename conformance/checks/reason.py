"""``reason``: a regular expression searched in serv:reason."""
from __future__ import annotations

import re
from typing import Any

from ..casefields import Field
from ..verdict import Verdict
from .kind import CheckKind, Observed
from .nodes import shown


def parse(raw: Any, field: Field) -> str:
    return field.regex(field.typed(raw, str))


def judge(pattern: str, seen: Observed) -> list[Verdict]:
    actual = getattr(seen.parsed, "reason", None)
    try:
        hit = re.search(pattern, actual or "") is not None
    except re.error as exc:
        return [Verdict("reason", "error", f"matches /{pattern}/", shown(actual), f"bad regular expression: {exc}")]
    return [Verdict("reason", "pass" if hit else "fail", f"matches /{pattern}/", shown(actual))]


KIND = CheckKind("reason", "regex, searched in serv:reason", 'reason = "site is suspended"', parse, judge)
