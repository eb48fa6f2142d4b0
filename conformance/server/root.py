"""The composition root: the full reference server's catalog, from every handler module."""
from __future__ import annotations

from .catalog import Catalog
from .defects import Defect
from .handlers import ALL_MODULES

__all__ = ["full_catalog", "all_defects"]


def full_catalog() -> Catalog:
    return Catalog.from_modules(ALL_MODULES)


def all_defects() -> dict[str, Defect]:
    """Every seeded defect, by name (what `webex-conformance defects` lists)."""
    return dict(full_catalog().defects)
