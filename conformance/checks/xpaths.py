"""Reading the XPath-keyed fields of ``[[step.expect]]``: lists of XPaths and tables
XPath -> value.  Every XPath is tried once at load time, so an unknown prefix or a typo
is a case-file error naming the field, not a failure on every site."""
from __future__ import annotations

from typing import Any, Callable

from ..casefields import Field


def parse_xpaths(raw: Any, field: Field) -> tuple[str, ...]:
    xpaths = field.str_list(raw)
    for i, xp in enumerate(xpaths):
        field.child(i).xpath(xp)
    return xpaths


def parse_xpath_table(raw: Any, field: Field, value: Callable[[Any, Field], Any]) -> tuple[tuple[str, Any], ...]:
    """(xpath, value) pairs in the file's order; ``value(raw, field)`` reads each value."""
    table = field.typed(raw, dict)
    pairs = []
    for xp, v in table.items():
        at = field.child(xp)
        at.xpath(xp)
        pairs.append((xp, value(v, at)))
    return tuple(pairs)
