"""The table of API handlers, and what a handler receives and returns.

A handler is a plain function ``fn(call: Call) -> list[Element]`` registered with
``@handler(service, Api)``.  It returns the children of the response's bodyContent, or
raises ``ApiFailure`` for a FAILURE envelope.  Keeping handlers this small is what lets
one module per service namespace hold the whole behaviour of that service.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Callable

from lxml import etree
from lxml.builder import ElementMaker

from ..namespaces import NS
from ..versions import Version

__all__ = ["handler", "HANDLERS", "Call", "ApiFailure", "Account", "Site", "fmt_date", "parse_date"]


class ApiFailure(Exception):
    """Answer with a FAILURE envelope: ``exceptionID``, ``reason`` and an optional ``value``."""

    def __init__(self, exception_id: str, reason: str, value: str | None = None):
        super().__init__(f"{exception_id} {reason}")
        self.exception_id = exception_id
        self.reason = reason
        self.value = value


@dataclass(frozen=True)
class Site:
    name: str
    site_id: str
    partner_id: str
    suspended: bool
    control_hub: bool
    auto_record: bool
    key: str  # main | suspended | control-hub | auto-record


@dataclass(frozen=True)
class Account:
    webex_id: str
    role: str  # admin | host | attendee | machine
    email: str
    first_name: str
    last_name: str

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", "machine")


@dataclass
class Call:
    """Everything a handler needs about one request, and nothing about HTTP."""

    service: str
    api: str
    version: Version
    defects: frozenset[str]
    db: "object"                   # server.state.State
    site: Site
    account: Account | None        # None: anonymous access
    body: etree._Element           # the request's bodyContent element
    security: dict[str, str] = field(default_factory=dict)
    now: _dt.datetime = field(default_factory=_dt.datetime.now)

    def defect(self, name: str) -> bool:
        return name in self.defects

    def since(self, version: str) -> bool:
        """Whether the emulated version includes a change introduced in ``version``."""
        from ..versions import parse_version
        return self.version >= parse_version(version)

    def E(self, prefix: str) -> ElementMaker:
        return ElementMaker(namespace=NS[prefix], nsmap={prefix: NS[prefix]})

    # Request bodies are unqualified in practice, but some clients qualify them; read
    # children by local name so both work.
    def find(self, path: str, root: etree._Element | None = None) -> etree._Element | None:
        node = self.body if root is None else root
        for part in path.split("/"):
            nxt = None
            for child in node:
                if isinstance(child.tag, str) and etree.QName(child).localname == part:
                    nxt = child
                    break
            if nxt is None:
                return None
            node = nxt
        return node

    def findall(self, name: str, root: etree._Element | None = None) -> list[etree._Element]:
        node = self.body if root is None else root
        return [c for c in node if isinstance(c.tag, str) and etree.QName(c).localname == name]

    def text(self, path: str, default: str | None = None, root: etree._Element | None = None) -> str | None:
        el = self.find(path, root)
        if el is None:
            return default
        return (el.text or "").strip()

    def flag(self, path: str, default: bool | None = None, root: etree._Element | None = None) -> bool | None:
        t = self.text(path, None, root)
        if t is None or t == "":
            return default
        value = t.lower()
        if value in ("true", "1"):      # xsd:boolean's four spellings
            return True
        if value in ("false", "0"):
            return False
        raise ApiFailure("999999", f"Invalid {path.rsplit('/', 1)[-1]}: {t[:40]!r} is not true or false")

    def require_admin(self) -> Account:
        if self.account is None or not self.account.is_admin:
            raise ApiFailure("000001", "Access denied, additional privileges are required")
        return self.account

    def check_captcha(self) -> None:
        """39.10.0: anonymous GetSessionInfo/GetUserCard must carry a valid CAPTCHAID/CAPTCHAWord.

        A missing or wrong pair is answered with the documented reason; ``serv:value``
        carries a CAPTCHA ID to answer next (our choice: the notes do not show where).
        """
        if self.account is not None or not self.since("39.10.0") or self.defect("captcha-not-enforced"):
            return
        cid, word = self.text("CAPTCHAID"), self.text("CAPTCHAWord")
        row = self.db.one("SELECT word FROM captchas WHERE captcha_id=?", (cid or "",))
        if row is None or not word or row["word"] != word:
            first = self.db.one("SELECT captcha_id FROM captchas ORDER BY captcha_id LIMIT 1")
            raise ApiFailure("999999", "CAPTCHA ID and word are invalid or missing",
                             first["captcha_id"] if first else None)

    def require_user(self) -> Account:
        if self.account is None:
            raise ApiFailure("030001", "Corresponding User not found")
        return self.account


Handler = Callable[[Call], list]
# (service, Api) -> (handler, allows_anonymous, introduced version or None)
HANDLERS: dict[tuple[str, str], tuple[Handler, bool, str | None]] = {}


def handler(service: str, api: str, anonymous: bool = False, since: str | None = None):
    """Register ``fn`` for java:com.webex.service.binding.<service>.<api>.

    ``since``: the version that introduced the API; before it the server answers as for
    an unknown API.  ``anonymous``: the API may be called without credentials.
    """
    def register(fn: Handler) -> Handler:
        key = (service, api)
        old = HANDLERS.get(key)
        # A module imported again (e.g. after a test harness reset sys.modules) replaces
        # its own handler; two different functions for one API are a programming error.
        if old is not None and (old[0].__module__, old[0].__qualname__) != (fn.__module__, fn.__qualname__):
            raise RuntimeError(f"two handlers for {service}.{api}: {old[0].__module__} and {fn.__module__}")
        HANDLERS[key] = (fn, anonymous, since)
        return fn
    return register


DATE_FMT = "%m/%d/%Y %H:%M:%S"
# Dates a request may carry: wide enough for any schedule or report, narrow enough that
# date arithmetic (+/- 90 days, 28 days) can never overflow.
YEARS = (1900, 2100)
_DATE = re.compile(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}( [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2})?")


def fmt_date(d: _dt.datetime) -> str:
    """The XML API's date-time form, MM/DD/YYYY HH:MM:SS."""
    return d.strftime(DATE_FMT)


def parse_date(text: str | None) -> _dt.datetime | None:
    """Parse MM/DD/YYYY HH:MM:SS leniently (the notes show 4/23/2018 00:00:00 and 8:0:0)."""
    if not text:
        return None
    text = text.strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        date_part, _, time_part = text.partition(" ")
        m, d, y = (int(x) for x in date_part.split("/"))
        hh, mm, ss = (int(x) for x in (time_part or "0:0:0").split(":"))
        if not YEARS[0] <= y <= YEARS[1]:
            raise ValueError(text)
        return _dt.datetime(y, m, d, hh, mm, ss)
    except (ValueError, TypeError, OverflowError):
        raise ApiFailure("999999", f"Invalid date format: {text[:40]!r}, expected MM/DD/YYYY HH:MM:SS "
                                   f"with a year from {YEARS[0]} to {YEARS[1]}") from None
