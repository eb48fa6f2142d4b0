"""What a handler receives: one request, its caller and site, and nothing about HTTP.

A handler is ``fn(call: Call) -> list[Element]``: the children of the response's
bodyContent, or it raises ``ApiFailure``.  ``since`` and ``defect`` refuse names nobody
documented or declared, so a typo in a handler fails its first test instead of silently
switching a rule off.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from lxml import etree

from ..namespaces import NS
from .element_maker import Maker, maker
from ..versions import ALL_VERSIONS, Version
from .failures import ACCESS_DENIED, USER_NOT_FOUND, ApiFailure
from .models import Account, Site
from .wire import read_bool

__all__ = ["Call", "UndeclaredName"]

_DOCUMENTED = MappingProxyType({str(v): v for v in ALL_VERSIONS})


class UndeclaredName(LookupError):
    """A handler asked about a version the notes do not document or a defect nobody declared."""


@dataclass
class Call:
    service: str
    api: str
    version: Version
    defects: frozenset[str]        # the defects this server was started with
    db: Any                        # server.state.State
    site: Site
    account: Account | None        # None: anonymous access
    body: etree._Element           # the request's bodyContent element
    security: dict[str, str] = field(default_factory=dict)
    now: _dt.datetime = field(default_factory=_dt.datetime.now)
    declared: frozenset[str] = frozenset()   # every defect the catalog declares

    def defect(self, name: str) -> bool:
        """Whether the server runs with defect ``name`` ('' for "no defect": always False)."""
        if not name:
            return False
        if name not in self.declared:
            raise UndeclaredName(f"defect {name!r} is not declared in any handler module's DEFECTS")
        return name in self.defects

    def since(self, version: str) -> bool:
        """Whether the emulated version includes a change introduced in ``version``."""
        v = _DOCUMENTED.get(version)
        if v is None:
            raise UndeclaredName(f"version {version!r} is not one the release notes document")
        return self.version >= v

    def E(self, prefix: str) -> Maker:
        return maker(prefix)

    # Request bodies are unqualified in practice, but some clients qualify them; read
    # children by local name so both work (matched on the tag string: a handler reads
    # dozens of paths per call, and an etree.QName per child was a third of CreateMeeting).
    def find(self, path: str, root: etree._Element | None = None) -> etree._Element | None:
        node = self.body if root is None else root
        for part in path.split("/"):
            qualified = "}" + part
            nxt = None
            for child in node:
                tag = child.tag  # "{uri}local" or "local"; comments and PIs have no str tag
                if isinstance(tag, str) and (tag == part or tag.endswith(qualified)):
                    nxt = child
                    break
            if nxt is None:
                return None
            node = nxt
        return node

    def findall(self, name: str, root: etree._Element | None = None) -> list[etree._Element]:
        node = self.body if root is None else root
        qualified = "}" + name
        return [c for c in node if isinstance(c.tag, str) and (c.tag == name or c.tag.endswith(qualified))]

    def text(self, path: str, default: str | None = None, root: etree._Element | None = None) -> str | None:
        el = self.find(path, root)
        if el is None:
            return default
        return (el.text or "").strip()

    def flag(self, path: str, default: bool | None = None, root: etree._Element | None = None) -> bool | None:
        t = self.text(path, None, root)
        if t is None or t == "":
            return default
        return read_bool(t, path.rsplit("/", 1)[-1])

    def require_admin(self) -> Account:
        if self.account is None or not self.account.is_admin:
            raise ApiFailure(*ACCESS_DENIED)
        return self.account

    def require_user(self) -> Account:
        if self.account is None:
            raise ApiFailure(*USER_NOT_FOUND)
        return self.account
