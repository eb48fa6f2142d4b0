"""Where a node is in a response, written as an XPath with our prefixes.

Schema issues and failed checks both point at a node; one spelling for both means a
partner can paste either into the same XPath tool.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from lxml import etree

from .namespaces import PREFIX_OF

__all__ = ["node_path", "node_step", "sibling_positions", "step_among", "line_of"]


def _name(elem: etree._Element) -> str:
    return _spelled(elem.tag, elem.prefix)


@lru_cache(maxsize=4096)   # a few hundred names a run, asked for every path written
def _spelled(tag: str, own_prefix: str | None) -> str:
    if tag[:1] != "{":
        return tag
    namespace, local = tag[1:].split("}", 1)
    prefix = PREFIX_OF.get(namespace)
    if prefix is None:
        prefix = own_prefix
    return f"{prefix}:{local}" if prefix else f"*[local-name()='{local}']"


def node_step(elem: etree._Element) -> str:
    """``ep:user[2]`` (the index only when siblings share the name); an unknown namespace
    keeps the response's own prefix, or a local-name() test when it has none."""
    name = _name(elem)
    parent = elem.getparent()
    if parent is not None:
        same = list(parent.iterchildren(elem.tag))  # filtered in C
        if len(same) > 1:
            name += f"[{same.index(elem) + 1}]"
    return name


def sibling_positions(parent: etree._Element) -> dict[etree._Element, int]:
    """For each element child of ``parent`` that shares its name with a sibling, its
    position among them (1-based), counted in one pass: a list's rows asked one by one
    would count their siblings once a row (quadratic)."""
    counts: dict[Any, int] = {}
    kids = [c for c in parent if c.tag.__class__ is str]
    for c in kids:
        counts[c.tag] = counts.get(c.tag, 0) + 1
    seen: dict[Any, int] = {}
    positions = {}
    for c in kids:
        if counts[c.tag] > 1:
            positions[c] = seen[c.tag] = seen.get(c.tag, 0) + 1
    return positions


def step_among(elem: etree._Element, positions: dict[etree._Element, int]) -> str:
    """``node_step(elem)`` with its position read from ``sibling_positions(parent)``."""
    n = positions.get(elem)
    return f"{_name(elem)}[{n}]" if n else _name(elem)


def node_path(elem: etree._Element) -> str:
    """An XPath to the element, written with the prefixes of conformance.namespaces."""
    steps = []
    node: etree._Element | None = elem
    while node is not None and isinstance(node.tag, str):
        steps.append(node_step(node))
        node = node.getparent()
    return "/" + "/".join(reversed(steps))


def line_of(elem: Any) -> int | None:
    line = getattr(elem, "sourceline", None)
    return line if isinstance(line, int) and line > 0 else None
