"""Wrap a case's body fragment in the request envelope real clients send.

The shape follows the release notes' request examples: a ``serv:message`` whose
``header``, ``securityContext``, ``body`` and ``bodyContent`` are unqualified, the
credential first, then the site, and ``bodyContent xsi:type="java:com.webex.service.
binding.<service>.<Api>"``.  The body is checked for well-formedness here so that a
broken case file is reported as such, not as a server failure.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from .config import Credential
from .namespaces import SERV, XSI, body_type
from .templating import xml_escape
from .xmlsafe import XMLRefused, parse_untrusted

__all__ = ["build_envelope", "EnvelopeError"]

# securityContext children we write ourselves, in the order we write them.
_SERVICE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
_API = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
# Characters XML 1.0 cannot carry at all, escaped or not.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class EnvelopeError(ValueError):
    """A request that cannot be built; the message is one line."""


def _text(name: str, value: str) -> str:
    if not isinstance(value, str):
        raise EnvelopeError(f"securityContext {name} must be text, not {type(value).__name__}")
    if _NOT_XML.search(value):
        raise EnvelopeError(f"securityContext {name} contains a control character XML cannot carry")
    return f"<{name}>{xml_escape(value, quotes=False)}</{name}>"


_POSITION = re.compile(r"line (\d+), column (\d+)")


_OPENING = f'<bodyContent xmlns:serv="{SERV}" xmlns:xsi="{XSI}">'


def _parse_body(body: str) -> None:
    parse_untrusted(f"{_OPENING}{body}</bodyContent>".encode("utf-8"))


# Remembered when it parses: a run sends each case's body once per version, the same text
# each time.  Only short bodies are kept (an upload's megabytes are parsed each time).
_remembered_well_formed = lru_cache(maxsize=2048)(_parse_body)
_REMEMBERED_CHARS = 16384


def _well_formed(body: str) -> None:
    """Parse ``body`` in its wrapper; raises XMLRefused."""
    (_remembered_well_formed if len(body) <= _REMEMBERED_CHARS else _parse_body)(body)


def _check_body(body: str, service: str, api: str) -> None:
    try:
        _well_formed(body)
    except XMLRefused as exc:
        reason = " ".join(str(exc).split())

        def body_position(m: re.Match) -> str:  # positions in the body, not our wrapper
            line, col = int(m.group(1)), int(m.group(2))
            if line == 1:
                col = max(1, col - len(_OPENING.encode("utf-8")))
            return f"body line {line}, column {col}"

        reason = _POSITION.sub(body_position, reason)
        raise EnvelopeError(f"request body of {service}.{api} is not usable: {reason}") from None
    except UnicodeEncodeError:
        raise EnvelopeError(f"request body of {service}.{api} is not encodable as UTF-8") from None


def build_envelope(service: str, api: str, body: str, credential: Credential | None,
                   site_name: str | None, site_id: str | None = None,
                   partner_id: str | None = None,
                   extra_security: Sequence[tuple[str, str]] = ()) -> bytes:
    """The UTF-8 request bytes for one API call; ``credential=None`` means anonymous.

    An ``extra_security`` child with the name of one we write (e.g. ``siteID``) replaces
    ours in place, so a case can override a value without sending the element twice.
    """
    if not isinstance(service, str) or not _SERVICE.match(service):
        raise EnvelopeError(f"service must be a lower-case name like 'user' or 'ep', not {service!r}")
    if not isinstance(api, str) or not _API.match(api):
        raise EnvelopeError(f"API must be a name like 'LstsummaryUser', not {api!r}")
    if body is None:
        body = ""
    if not isinstance(body, str):
        raise EnvelopeError(f"request body of {service}.{api} must be text, not {type(body).__name__}")
    body = body.strip()
    _check_body(body, service, api)

    children: list[tuple[str, str]] = []
    if credential is not None:
        if credential.webex_id:
            children.append(("webExID", credential.webex_id))
        if credential.password:
            children.append(("password", credential.password))
        elif credential.session_ticket:
            children.append(("sessionTicket", credential.session_ticket))
        elif credential.access_token:
            children.append(("accessToken", credential.access_token))
    if site_name:
        children.append(("siteName", site_name))
    if site_id:
        children.append(("siteID", str(site_id)))
    if partner_id:
        children.append(("partnerID", partner_id))
    for item in extra_security:
        try:
            name, value = item
        except (TypeError, ValueError):
            raise EnvelopeError(f"extra securityContext entries are (name, value) pairs, not {item!r}") from None
        if not isinstance(name, str) or not _NCNAME.match(name):
            raise EnvelopeError(f"extra securityContext element name {name!r} is not an XML name")
        at = next((i for i, (n, _) in enumerate(children) if n == name), None)
        if at is None:
            children.append((name, value))
        else:
            children[at] = (name, value)
    security = "".join(_text(n, v) for n, v in children)

    text = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<serv:message xmlns:xsi="{XSI}" xmlns:serv="{SERV}">'
        f"<header><securityContext>{security}</securityContext></header>"
        f'<body><bodyContent xsi:type="{body_type(service, api)}">{body}</bodyContent></body>'
        "</serv:message>"
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise EnvelopeError(f"request for {service}.{api} is not encodable as UTF-8 (lone surrogate?)") from None
