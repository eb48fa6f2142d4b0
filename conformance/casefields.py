"""Reading typed fields out of a case file's tables, each mistake naming file and field.

The loader (``cases``) and every check kind (``checks``) read their part of a case file
with these, so a wrong type, a bad regular expression or an XPath with an unknown prefix
reads the same whichever field it is in: ``cases/x.toml: step[0].expect[1].count.//a: must
be an integer``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from . import errors

__all__ = ["CaseFileError", "Field"]


class CaseFileError(errors.CaseFileError):
    """One mistake in one case file: which file, which field, why."""

    def __init__(self, path: Path | str, fieldname: str, reason: str):
        self.path = str(path)
        self.field = fieldname
        self.reason = reason
        super().__init__(f"{self.path}: {fieldname}: {reason}" if fieldname else f"{self.path}: {reason}")


_TYPE_WORDS = {str: "a string", bool: "true or false", list: "a list", dict: "a table"}


@dataclass(frozen=True)
class Field:
    """Where a value sits in a case file: the file and the dotted field name."""

    path: str
    name: str = ""

    def child(self, key: str | int) -> "Field":
        """``step[0].`` + ``expect`` -> ``step[0].expect``; an int is an index: ``present[2]``."""
        if isinstance(key, int):
            return Field(self.path, f"{self.name}[{key}]")
        return Field(self.path, f"{self.name}.{key}" if self.name else key)

    def error(self, reason: str) -> CaseFileError:
        return CaseFileError(self.path, self.name, reason)

    def typed(self, value: Any, typ: type) -> Any:
        """``value`` if it has TOML type ``typ`` (str, bool, list, dict), else a file error."""
        if not isinstance(value, typ):
            raise self.error(f"must be {_TYPE_WORDS[typ]}, not {type(value).__name__}")
        return value

    def required(self, table: dict, key: str, typ: type) -> Any:
        if key not in table:
            raise self.child(key).error("missing required field")
        return self.child(key).typed(table[key], typ)

    def optional(self, table: dict, key: str, typ: type, default: Any) -> Any:
        return self.child(key).typed(table.get(key, default), typ)

    def only(self, table: dict, allowed: "set[str] | tuple[str, ...]") -> None:
        """Reject a key the format does not know (a typo must not be silently ignored)."""
        for k in table:
            if k not in allowed:
                raise self.child(k).error(f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def str_list(self, value: Any) -> tuple[str, ...]:
        self.typed(value, list)
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.child(i).error("must be a non-empty string")
        return tuple(value)

    def regex(self, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise self.error(f"not a valid regular expression: {exc}") from None
        return pattern

    def xpath(self, xpath: str) -> str:
        from lxml import etree

        from .namespaces import NS
        try:
            # evaluated once on an empty element: compiling alone misses an undefined prefix
            etree.XPath(xpath, namespaces=NS)(etree.Element("probe"))
        except etree.XPathError as exc:
            raise self.error(f"not a valid XPath ({exc}; prefixes: {', '.join(sorted(NS))}): {xpath!r}") from None
        return xpath


T = TypeVar("T")


def load_each(paths: Iterable[Path], load: Callable[[Path], T],
              error: Callable[[Path, str, str], errors.CaseFileError] = CaseFileError,
              ) -> tuple[list[T], list[errors.CaseFileError]]:
    """Load every file with ``load``; a bad file (or a second use of an ``id``) becomes one
    error and never stops the others, so one typo costs one item, not the run."""
    loaded: list[T] = []
    errs: list[errors.CaseFileError] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            item = load(path)
        except errors.CaseFileError as err:
            errs.append(err)
            continue
        ident = getattr(item, "id")
        if ident in seen:
            errs.append(error(path, "id", f"duplicate id {ident!r}, also used by {seen[ident]}"))
            continue
        seen[ident] = str(path)
        loaded.append(item)
    return loaded, errs
