"""How a handler module says which API a function answers: ``@handler(service, Api)``.

The decorator only marks the function (``fn.route``); nothing is registered anywhere.
The catalog (``catalog.py``) reads the marks of the modules it is given, so which APIs
a server answers is decided where the server is composed, not by what happens to be
imported.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

__all__ = ["Route", "handler", "Handler"]

Handler = Callable[..., list]


@dataclass(frozen=True)
class Route:
    service: str                 # the binding package: java:com.webex.service.binding.<service>.<api>
    api: str
    anonymous: bool = False      # may be called without credentials
    since: str | None = None     # the version that introduced the API; before it: not emulated


def handler(service: str, api: str, anonymous: bool = False, since: str | None = None):
    """Mark ``fn`` as the handler of ``service.api`` (``meeting.auo`` for a three-part binding)."""
    route = Route(service, api, anonymous, since)

    def mark(fn: Handler) -> Handler:
        fn.route = route  # type: ignore[attr-defined]
        return fn
    return mark
