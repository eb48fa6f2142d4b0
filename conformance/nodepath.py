"""Where a node is in a response, written as an XPath with our prefixes.

Schema issues and failed checks both point at a node; one spelling for both means a
partner can paste either into the same XPath tool.
"""
from __future__ import annotations

from typing import Any

from lxml import etree

from .namespaces import PREFIX_OF

__all__ = ["node_path", "node_step", "line_of"]


def node_step(elem: etree._Element) -> str:
    """``ep:user[2]`` (the index only when siblings share the name); an unknown namespace
    keeps the response's own prefix, or a local-name() test when it has none."""
    qn = etree.QName(elem)
    prefix = PREFIX_OF.get(qn.namespace or "") if qn.namespace else None
    if prefix is None and qn.namespace:
        prefix = elem.prefix
    name = f"{prefix}:{qn.localname}" if prefix else (
        qn.localname if not qn.namespace else f"*[local-name()='{qn.localname}']")
    parent = elem.getparent()
    if parent is not None:
        same = [c for c in parent if c.tag == elem.tag]
        if len(same) > 1:
            name += f"[{same.index(elem) + 1}]"
    return name


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
