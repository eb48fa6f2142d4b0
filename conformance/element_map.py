"""The element map: which child elements each type of a bundle declares, for the drift walk.

Drift (undocumented elements) is judged by name against the content models of the XSD
1.1 bundle.  Reading that from a compiled xmlschema bundle costs a compile per bundle and
process; the map is the same facts as plain JSON, written once by ``schemagen`` for our
bundles (and built at load time for a vendor bundle), so a run never compiles xmlschema
unless a response is invalid and needs explaining.

Shape: ``{"open": bool, "elements": {global element: type key},
"types": {type key: {"children": {child element: type key}, "sorted": bool}},
"named": [global type names]}``.  Names are in Clark notation; a type key is the type's
name, or ``#<n>`` for an anonymous type.  A type absent from ``types`` declares no child
(simple types, simple content, empty content).  ``sorted`` marks a type whose ``xsd:all``
lets children repeat (XSD 1.1 only): its 1.0 form is a sequence in declaration order.
``open`` says the bundle tolerates undocumented elements (open content), so the walk
sets them aside before the strict check.
"""
from __future__ import annotations

from typing import Any

__all__ = ["build", "child_declarations"]


def child_declarations(xsd_type: Any) -> dict[str, Any]:
    """Element name -> declaration, for the elements an xmlschema type's content model names."""
    content = getattr(xsd_type, "content", None)
    if content is None or not hasattr(content, "iter_elements"):
        return {}
    out: dict[str, Any] = {}
    for item in content.iter_elements():
        name = getattr(item, "name", None)
        if name and hasattr(item, "type") and name not in out:
            out[name] = item
    return out


def _repeating_all(xsd_type: Any) -> bool:
    content = getattr(xsd_type, "content", None)
    if getattr(content, "model", None) != "all":
        return False
    return any(getattr(p, "max_occurs", 1) is None or getattr(p, "max_occurs", 1) > 1 for p in content)


def build(schema: Any, open_content: bool) -> dict[str, Any]:
    """The element map of a compiled ``xmlschema`` schema."""
    anonymous: dict[int, str] = {}
    types: dict[str, dict[str, Any]] = {}

    def key(t: Any) -> str:
        name = getattr(t, "name", None)
        if name:
            return name
        if id(t) not in anonymous:
            anonymous[id(t)] = f"#{len(anonymous)}"
        return anonymous[id(t)]

    todo = [t for _, t in sorted(schema.maps.types.items())]
    elements = {}
    for name, decl in sorted(schema.maps.elements.items()):
        elements[name] = key(decl.type)
        todo.append(decl.type)
    seen: set[int] = set()
    while todo:
        t = todo.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        children = child_declarations(t)
        if not children:
            continue
        types[key(t)] = {"children": {n: key(d.type) for n, d in children.items()},
                         "sorted": _repeating_all(t)}
        todo.extend(d.type for d in children.values())
    named = sorted(n for n in schema.maps.types if n)
    return {"open": open_content, "elements": elements, "types": dict(sorted(types.items())), "named": named}
