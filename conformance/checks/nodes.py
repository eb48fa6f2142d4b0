"""Evaluating a case's XPaths on a response, and describing what they found in one line.

Shared by the XPath check kinds (present, absent, equals, matches, count).  A case
mistake met at run time (an XPath that cannot be evaluated, a template that cannot be
filled) is a ``CheckError``, which the kind turns into an ``error`` verdict.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from lxml import etree

from ..errors import one_line
from ..namespaces import NS, PREFIX_OF
from ..nodepath import node_path
from ..templating import render as render_template
from ..verdict import Verdict

MAX_SHOWN = 3
MAX_TEXT = 60


class CheckError(Exception):
    """A case mistake met at run time (bad XPath, wrong result type): an error verdict."""


def evaluate(xpath: str, root: Any) -> Any:
    if root is None:
        raise CheckError("the response has no XML document to search")
    try:
        return root.xpath(xpath, namespaces=NS)
    except (etree.XPathError, ValueError) as exc:  # ValueError: control characters in the text
        raise CheckError(f"cannot evaluate XPath {xpath!r}: {one_line(exc)}") from None


def node_list(result: Any, xpath: str) -> list[Any]:
    if isinstance(result, list):
        return result
    raise CheckError(f"XPath {xpath!r} returns a {result_kind(result)} ({scalar(result)}), not a node-set")


def xpath_check(kind: str, xpath: str, root: Any, rule: Callable[..., Verdict]) -> Verdict:
    """Evaluate ``xpath`` and let ``rule(result, check=..., xpath=...)`` judge it."""
    check = f"{kind}:{xpath}"
    try:
        return rule(evaluate(xpath, root), check=check, xpath=xpath)
    except CheckError as exc:
        return Verdict(check, "error", f"a usable check ({kind})", "check could not run", str(exc))


def render(text: str, variables: Mapping[str, str]) -> str:
    try:
        return render_template(text, variables)
    except Exception as exc:  # TemplateError, or anything odd in a variable: an error verdict
        raise CheckError(f"cannot fill in {text!r}: {one_line(exc)}") from None


def clip(text: str, limit: int = MAX_TEXT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shown(value: str | None) -> str:
    return "(none)" if value is None else (clip(value) if value != "" else "(empty)")


def shown_repr(value: str | None) -> str:
    if value is None:
        return "(none)"
    return repr(value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 3] + "...")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def result_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, float):
        return "number"
    return "string"


def scalar(value: Any) -> str:
    """The XPath string value of a non-node result (3.0 -> '3', True -> 'true')."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def string_value(node: Any) -> str:
    if isinstance(node, etree._Element):
        return node.xpath("string()")
    return str(node)


def _qname(el: Any) -> str:
    if not isinstance(el.tag, str):
        return "comment" if isinstance(el, etree._Comment) else "node"
    q = etree.QName(el)
    prefix = PREFIX_OF.get(q.namespace or "")
    return f"{prefix}:{q.localname}" if prefix else q.localname


def describe(node: Any) -> str:
    if isinstance(node, etree._Element):
        if not isinstance(node.tag, str):
            return f"<!--{clip(node.text or '', 30)}-->"
        return f"<{_qname(node)}>{clip(node.xpath('string()'), 30)}"
    if getattr(node, "is_attribute", False):
        return f"@{getattr(node, 'attrname', '')}={clip(str(node), 30)!r}"
    return repr(clip(str(node), 30))


def found(nodes: list[Any]) -> str:
    listed = ", ".join(describe(n) for n in nodes[:MAX_SHOWN])
    more = ", ..." if len(nodes) > MAX_SHOWN else ""
    return f"found {plural(len(nodes), 'node')}: {listed}{more}"


def where(node: Any) -> tuple[str | None, int | None]:
    """Path (with our prefixes) and source line of a node in the response, for the report."""
    if isinstance(node, etree._Element):
        el, suffix = node, ""
    else:  # a smart string from text() or @attr: locate its parent element
        getparent = getattr(node, "getparent", None)
        el = getparent() if getparent else None
        suffix = f"/@{node.attrname}" if getattr(node, "is_attribute", False) else ""
    if el is None or not isinstance(el.tag, str):
        return None, None
    return node_path(el) + suffix, el.sourceline
