"""``count``: the number of nodes an XPath selects."""
from __future__ import annotations

from functools import partial
from typing import Any

from ..casefields import Field
from ..verdict import Verdict
from .kind import CheckKind, Observed
from .nodes import found, node_list, plural, xpath_check
from .xpaths import parse_xpath_table


def _number(raw: Any, field: Field) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise field.error("must be an integer")
    return raw


def parse(raw: Any, field: Field) -> tuple[tuple[str, int], ...]:
    return parse_xpath_table(raw, field, _number)


def _rule(result: Any, number: int, check: str, xpath: str) -> Verdict:
    nodes = node_list(result, xpath)
    expected = plural(number, "node")
    if len(nodes) == number:
        return Verdict(check, "pass", expected, plural(len(nodes), "node"))
    return Verdict(check, "fail", expected, found(nodes) if nodes else "no node found")


def judge(pairs: tuple[tuple[str, int], ...], seen: Observed) -> list[Verdict]:
    return [xpath_check("count", xp, seen.root, partial(_rule, number=n)) for xp, n in pairs]


KIND = CheckKind("count", "number of nodes", 'count = { "//use:user" = 3 }', parse, judge)
