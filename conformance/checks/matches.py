"""``matches``: every node an XPath selects matches a regular expression (and there is one)."""
from __future__ import annotations

import re
from typing import Any

from ..casefields import Field
from ..verdict import Verdict
from .kind import CheckKind, Observed
from .nodes import MAX_SHOWN, CheckError, clip, describe, evaluate, plural, scalar, string_value, where
from .xpaths import parse_xpath_table


def _pattern(raw: Any, field: Field) -> str:
    return field.regex(field.typed(raw, str))


def parse(raw: Any, field: Field) -> tuple[tuple[str, str], ...]:
    return parse_xpath_table(raw, field, _pattern)


def _one(xpath: str, pattern: str, seen: Observed) -> Verdict:
    check = f"matches:{xpath}"
    expected = f"every node matches /{pattern}/"
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        return Verdict(check, "error", expected, "check could not run", f"bad regular expression: {exc}")
    try:
        result = evaluate(xpath, seen.root)
    except CheckError as exc:
        return Verdict(check, "error", expected, "check could not run", str(exc))
    if not isinstance(result, list):
        actual = scalar(result)
        ok = regex.search(actual) is not None
        return Verdict(check, "pass" if ok else "fail", expected, repr(clip(actual)))
    if not result:
        # Vacuous truth would hide a missing element: say so instead.
        return Verdict(check, "fail", expected, "no node found")
    bad = [n for n in result if regex.search(string_value(n)) is None]
    if not bad:
        return Verdict(check, "pass", expected, f"{plural(len(result), 'node')} match")
    path, line = where(bad[0])
    listed = ", ".join(describe(n) for n in bad[:MAX_SHOWN])
    more = f" (first {MAX_SHOWN} shown)" if len(bad) > MAX_SHOWN else ""
    return Verdict(check, "fail", expected, f"{len(bad)} of {len(result)} do not: {listed}{more}",
                   path=path, line=line)


def judge(pairs: tuple[tuple[str, str], ...], seen: Observed) -> list[Verdict]:
    return [_one(xp, pattern, seen) for xp, pattern in pairs]


KIND = CheckKind("matches", "every node (at least one) matches the regex",
                 "matches = { \"//use:lastLoginTime\" = '^\\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}:\\d{2}$' }",
                 parse, judge)
