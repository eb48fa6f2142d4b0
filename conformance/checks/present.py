"""``present``: XPaths that must select something (or be true)."""
from __future__ import annotations

from typing import Any

from ..verdict import Verdict
from .kind import CheckKind, Observed
from .nodes import found, node_list, xpath_check
from .xpaths import parse_xpaths


def _rule(result: Any, check: str, xpath: str) -> Verdict:
    if isinstance(result, bool):
        return Verdict(check, "pass" if result else "fail", "true", "true" if result else "false")
    nodes = node_list(result, xpath)
    if nodes:
        return Verdict(check, "pass", "at least 1 node", found(nodes))
    return Verdict(check, "fail", "at least 1 node", "no node found")


def judge(xpaths: tuple[str, ...], seen: Observed) -> list[Verdict]:
    return [xpath_check("present", xp, seen.root, _rule) for xp in xpaths]


KIND = CheckKind("present", "XPaths that must select something", 'present = ["//use:user/use:lastLoginTime"]',
                 parse_xpaths, judge)
