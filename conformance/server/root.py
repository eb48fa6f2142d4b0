"""The composition root: the full reference server's catalog, from every handler module."""
from __future__ import annotations

from functools import cache

from .catalog import Catalog
from .defects import Defect
from .handlers import ALL_MODULES

__all__ = ["full_catalog", "all_defects"]


@cache
def full_catalog() -> Catalog:
    """Built once per process: the handlers' modules do not change while it runs, and a
    run's 26 versions each asked for it twice (seeding, then the application), 4 ms a time."""
    return Catalog.from_modules(ALL_MODULES)


def all_defects() -> dict[str, Defect]:
    """Every seeded defect, by name (what `webex-conformance defects` lists)."""
    return dict(full_catalog().defects)
