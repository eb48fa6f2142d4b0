"""Seeded defects: each breaks exactly one documented behaviour of the reference server.

They are how we know the suite works: for every defect, the cases named in ``cases``
must fail against a server started with it, and no unrelated case may.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Defect:
    name: str
    description: str
    cases: tuple[str, ...]          # ids of the cases that must catch it
    version: str = "42.6.0"         # a version at which the defect is observable
    boundary: tuple[str, ...] = ()  # boundary tests (boundary/<limit>) that must catch it


def all_defects() -> dict[str, Defect]:
    """Every defect, by name, gathered from the handler modules' ``DEFECTS`` lists."""
    from .handlers import ALL_MODULES
    from . import app

    found: dict[str, Defect] = {}
    where: dict[str, str] = {}
    for mod in [app, *ALL_MODULES]:
        # BOUNDARY_DEFECTS: defects only boundary tests catch (no case does)
        for d in [*getattr(mod, "DEFECTS", ()), *getattr(mod, "BOUNDARY_DEFECTS", ())]:
            if d.name in found:
                raise RuntimeError(f"defect {d.name!r} is defined twice: in {where[d.name]} and {mod.__name__}")
            found[d.name] = d
            where[d.name] = mod.__name__
    return dict(sorted(found.items()))


class UnknownDefect(ValueError):
    pass


def check_names(names: list[str] | tuple[str, ...]) -> frozenset[str]:
    if not names:
        return frozenset()
    known = all_defects()
    for n in names:
        if n not in known:
            raise UnknownDefect(f"unknown defect {n!r}; `webex-conformance defects` lists the {len(known)} known ones")
    return frozenset(names)
