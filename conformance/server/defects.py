"""Seeded defects: each breaks exactly one documented behaviour of the reference server.

They are how we know the suite works: for every defect, the cases named in ``cases``
must fail against a server started with it, and no unrelated case may.  A handler module
declares its defects in ``DEFECTS`` (or ``BOUNDARY_DEFECTS``, those only boundary
tests catch) and asks ``call.defect("name")``; the catalog
(``catalog.py``) gathers them.  This module is a leaf: it knows no handler.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Defect", "UnknownDefect"]


@dataclass(frozen=True)
class Defect:
    name: str
    description: str
    cases: tuple[str, ...]          # ids of the cases that must catch it
    version: str = "42.6.0"         # a version at which the defect is observable
    boundary: tuple[str, ...] = ()  # boundary tests (boundary/<limit>) that must catch it
    # For APIs the release notes do not cover (so no case judges them): the checks in
    # tests/test_server_real_apis.py that must catch it.
    tests: tuple[str, ...] = ()


class UnknownDefect(ValueError):
    """A defect name no handler module declares (a typo on the command line or in a handler)."""
