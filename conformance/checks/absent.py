"""``absent``: XPaths that must select nothing (or be false)."""
from __future__ import annotations

from typing import Any

from ..verdict import Verdict
from .kind import CheckKind, Observed
from .nodes import found, node_list, where, xpath_check
from .xpaths import parse_xpaths


def _rule(result: Any, check: str, xpath: str) -> Verdict:
    if isinstance(result, bool):
        return Verdict(check, "pass" if not result else "fail", "false", "true" if result else "false")
    nodes = node_list(result, xpath)
    if not nodes:
        return Verdict(check, "pass", "no node", "no node found")
    path, line = where(nodes[0])
    return Verdict(check, "fail", "no node", found(nodes), path=path, line=line)


def judge(xpaths: tuple[str, ...], seen: Observed) -> list[Verdict]:
    return [xpath_check("absent", xp, seen.root, _rule) for xp in xpaths]


KIND = CheckKind("absent", "XPaths that must select nothing", 'absent = ["//use:lastModifiedTime"]',
                 parse_xpaths, judge)
