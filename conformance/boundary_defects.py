"""Which boundary tests catch which seeded server defect.

A defect added for the boundary tests names them in its declaration (``Defect.boundary``);
a defect declared for the cases that a boundary test catches too is named by the limit
file (``catches``).  ``webex-conformance defects`` and our tests read the union.
"""
from __future__ import annotations

from typing import Iterable

from .limits import Limit

__all__ = ["boundary_tests"]


def boundary_tests(defects: dict, limits: Iterable[Limit]) -> dict[str, tuple[str, ...]]:
    """defect name -> the boundary test ids (``boundary/<limit>``) that must catch it."""
    out: dict[str, list[str]] = {name: list(getattr(d, "boundary", ()) or ()) for name, d in defects.items()}
    for limit in limits:
        for name in limit.catches:
            if name in out and limit.test_id not in out[name]:
                out[name].append(limit.test_id)
    return {name: tuple(ids) for name, ids in out.items()}
