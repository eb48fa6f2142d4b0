"""``equals``: the string value of every node an XPath selects equals a template text."""
from __future__ import annotations

from typing import Any, Iterable

from ..casefields import Field
from ..verdict import Verdict
from .kind import CheckKind, Observed
from .nodes import CheckError, clip, describe, evaluate, plural, render, scalar, string_value, where
from .xpaths import parse_xpath_table


def _text(raw: Any, field: Field) -> str:
    return field.typed(raw, str)


def parse(raw: Any, field: Field) -> tuple[tuple[str, str], ...]:
    return parse_xpath_table(raw, field, _text)


def placeholders(pairs: tuple[tuple[str, str], ...]) -> Iterable[tuple[str, str]]:
    return [(f"equals.{xp}", text) for xp, text in pairs]


def _one(xpath: str, template: str, seen: Observed) -> Verdict:
    check = f"equals:{xpath}"
    try:
        expected = render(template, seen.values)
    except CheckError as exc:
        return Verdict(check, "error", repr(template), "check could not run", str(exc))
    try:
        result = evaluate(xpath, seen.root)
    except CheckError as exc:
        return Verdict(check, "error", repr(expected), "check could not run", str(exc))
    if not isinstance(result, list):
        actual = scalar(result)
        return Verdict(check, "pass" if actual == expected else "fail", repr(expected), repr(clip(actual)))
    if not result:
        return Verdict(check, "fail", repr(expected), "no node found")
    for i, node in enumerate(result):
        value = string_value(node)
        if value != expected:
            path, line = where(node)
            which = f"node {i + 1} of {len(result)}: " if len(result) > 1 else ""
            return Verdict(check, "fail", repr(expected), f"{which}{describe(node)} is {value!r}"[:200],
                           path=path, line=line)
    return Verdict(check, "pass", repr(expected), f"{plural(len(result), 'node')} equal")


def judge(pairs: tuple[tuple[str, str], ...], seen: Observed) -> list[Verdict]:
    return [_one(xp, template, seen) for xp, template in pairs]


KIND = CheckKind("equals", "string value of each node",
                 'equals = { "//ep:apiVer" = "${target.version}" }', parse, judge, placeholders)
