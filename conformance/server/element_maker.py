"""Build answer elements the way ``lxml.builder.ElementMaker`` does (``E.tag(text, child,
{attr: value})``), at about half its cost per element.

Handlers write an answer as thousands of small elements (GetSite alone has ~600), and
ElementMaker spent most of a GetSite on its general machinery: a ``partial`` per
attribute access, a type map per argument, and a namespace declaration on every
element.  Here each tag's function is made once per maker, arguments are only what
handlers pass (text, elements, attribute dicts), and elements carry no declaration of
their own: appended into the envelope they take the prefix its root declares, and
``render._serialize`` re-roots the declarations, so the bytes are the same.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from lxml import etree

from ..namespaces import NS
from .render import ROOT_NSMAP

__all__ = ["Maker", "maker"]


class Maker:
    """``maker.local(*children, **attributes)`` -> the element ``{namespace}local``."""

    __slots__ = ("_ns", "_tags")

    def __init__(self, namespace: str):
        self._ns = f"{{{namespace}}}"
        self._tags: dict[str, Callable[..., etree._Element]] = {}

    def __getattr__(self, local: str) -> Callable[..., etree._Element]:
        if local.startswith("__"):
            raise AttributeError(local)
        make = self._tags.get(local)
        if make is None:
            make = self._tags[local] = _element_of(self._ns + local)
        return make

    def __call__(self, local: str, *children: Any, **attrib: str) -> etree._Element:
        return getattr(self, local)(*children, **attrib)


def _element_of(tag: str) -> Callable[..., etree._Element]:
    def make(*children: Any, **attrib: str) -> etree._Element:
        el = etree.Element(tag, attrib) if attrib else etree.Element(tag)
        last = None
        for child in children:
            if isinstance(child, str):
                if last is None:
                    el.text = child if el.text is None else el.text + child
                else:
                    last.tail = child if last.tail is None else last.tail + child
            elif isinstance(child, etree._Element):
                el.append(child)
                last = child
            elif isinstance(child, dict):
                for key, value in child.items():
                    el.set(key, value)
            else:
                raise TypeError(f"bad argument type for <{tag}>: {type(child).__name__}")
        return el
    return make


@lru_cache(maxsize=None)   # one per namespace prefix: a handful, made once per process
def maker(prefix: str) -> Maker:
    """The maker of elements in the namespace ``prefix`` names (``conformance.namespaces.NS``).

    Only a namespace every answer's root declares under that prefix: an element without a
    declaration of its own gets its prefix from there (another would come out as ns0).
    """
    uri = NS.get(prefix)
    if uri is None or ROOT_NSMAP.get(prefix) != uri:
        raise ValueError(f"no answer's root declares the prefix {prefix!r}: "
                         f"expected one of {', '.join(sorted(ROOT_NSMAP))}")
    return Maker(uri)
