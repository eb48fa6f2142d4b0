"""What a server is made of: handlers, defects, tables and seeders, read from modules.

``Catalog.from_modules(modules)`` looks at each module's ``@handler``-marked functions,
``DEFECTS``, ``TABLES`` (SQLite DDL) and ``seed(state, now) -> dict`` (fixture values).
Nothing registers itself on import: a test can build a server from two modules, and
``root.py`` builds the full one.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from types import MappingProxyType, ModuleType
from typing import Any, Callable, Iterable, Mapping

from ..versions import documented
from .defects import Defect, UnknownDefect
from .routes import Handler, Route

__all__ = ["Entry", "Catalog"]

Seeder = Callable[[Any, Any], "dict[str, str] | None"]


@dataclass(frozen=True)
class Entry:
    fn: Handler
    route: Route
    module: str


@dataclass(frozen=True)
class Catalog:
    handlers: Mapping[tuple[str, str], Entry]
    defects: Mapping[str, Defect]
    tables: tuple[str, ...]
    seeders: tuple[Seeder, ...]

    @classmethod
    def from_modules(cls, modules: Iterable[ModuleType]) -> "Catalog":
        handlers: dict[tuple[str, str], Entry] = {}
        defects: dict[str, Defect] = {}
        where: dict[str, str] = {}
        tables: list[str] = []
        seeders: list[Seeder] = []
        for mod in modules:
            for fn in vars(mod).values():
                route = getattr(fn, "route", None)
                # a function imported from another module belongs to that module's entry
                if not isinstance(route, Route) or not inspect.isfunction(fn) or fn.__module__ != mod.__name__:
                    continue
                key = (route.service, route.api)
                if key in handlers:
                    raise ValueError(f"two handlers for {route.service}.{route.api}: "
                                     f"{handlers[key].module} and {mod.__name__}")
                if route.since is not None:
                    documented(route.since)
                handlers[key] = Entry(fn, route, mod.__name__)
            for d in [*getattr(mod, "DEFECTS", ()), *getattr(mod, "BOUNDARY_DEFECTS", ())]:
                if defects.get(d.name) == d:
                    continue   # one module re-exporting another's list (ep's of ep_recordings')
                if d.name in defects:
                    raise ValueError(f"defect {d.name!r} is defined twice: in {where[d.name]} and {mod.__name__}")
                documented(d.version)
                defects[d.name] = d
                where[d.name] = mod.__name__
            if getattr(mod, "TABLES", ""):
                tables.append(mod.TABLES)
            if callable(getattr(mod, "seed", None)):
                seeders.append(mod.seed)
        return cls(MappingProxyType(handlers), MappingProxyType(dict(sorted(defects.items()))),
                   tuple(tables), tuple(seeders))

    @property
    def defect_names(self) -> frozenset[str]:
        return frozenset(self.defects)

    def check_defects(self, names: Iterable[str]) -> frozenset[str]:
        """``names`` as a set, or UnknownDefect naming the first one no module declares."""
        chosen = frozenset(names)
        for n in sorted(chosen):
            if n not in self.defects:
                raise UnknownDefect(f"unknown defect {n!r}; `webex-conformance defects` lists the "
                                    f"{len(self.defects)} known ones")
        return chosen

    def apis(self) -> list[tuple[str, str, str | None]]:
        """(service, API, introduced version or None) of every emulated API, sorted."""
        return sorted((e.route.service, e.route.api, e.route.since) for e in self.handlers.values())
