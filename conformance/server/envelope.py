"""Read a request envelope the way real Webex servers do: leniently, but never a guess.

Real clients send roots that use ``serv:`` without declaring it, bind ``xmlns:serv`` to
another URI, or have no prefix at all (real-traffic 026, 043, 066, 073); real servers
answer them.  So the envelope is read by local names (message/header/securityContext,
body/bodyContent), an undeclared prefix is bound before parsing (the well-known ones to
their namespaces, any other to a placeholder URI), and securityContext names are matched
case-insensitively (``siteId`` in real-traffic 003).  What stays refused: bytes that
are not well-formed XML, a DTD, a root that is not a message, no bodyContent, a body type
that names no API, and an ``xsi`` prefix nobody declared: the one envelope a real site is
seen refusing (real-traffic 062, "Fail to forward request:null", to a client whose
messages lacked ``xmlns:xsi``; the client's fix was to declare it, and every other real
request declares it), so a client with that bug fails here as it fails in production.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from ..namespaces import NS
from ..xmlsafe import XMLRefused, parse_untrusted
from .failures import ApiFailure, invalid_request

__all__ = ["Envelope", "read_envelope", "MAX_PREFIX_REPAIRS", "XSI_UNDECLARED"]

# java:com.webex.service.binding.<service>.<API>; a service may have two parts (meeting.auo)
_BODY_TYPE = re.compile(r"^java:com\.webex\.service\.binding\.([A-Za-z]+(?:\.[A-Za-z]+)?)\.([A-Za-z0-9_]+)$")
_UNBOUND = re.compile(r"Namespace prefix ([A-Za-z_][\w.-]*) (?:for [\w.-]+ )?on [\w.-]+ is not defined")
# the root start tag, after an optional BOM, declaration, comments and processing instructions
_ROOT_TAG = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*<([A-Za-z_][\w.:-]*)", re.S)
MAX_PREFIX_REPAIRS = 8
# what a real site answers when xsi is undeclared (real-traffic 062)
XSI_UNDECLARED = ("000000", "Fail to forward request:null")
# securityContext element names as the documentation spells them, by lower-case name
_SECURITY_NAMES = {n.lower(): n for n in ("webExID", "password", "siteID", "siteName", "partnerID", "email",
                                          "sessionTicket", "accessToken", "clientID", "clientSecret")}


@dataclass(frozen=True)
class Envelope:
    service: str                  # user, meeting, meeting.auo ...
    api: str
    body_type: str                # the xsi:type as sent (stripped)
    security: dict[str, str]      # securityContext children by their documented names
    content: etree._Element       # bodyContent


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _child(el, name: str):
    if el is None:
        return None
    for c in el:
        if _local(c) == name:
            return c
    return None


def _bind(data: bytes, prefix: str) -> bytes | None:
    """``data`` with ``xmlns:prefix`` declared on its root, or None if the root cannot be found."""
    m = _ROOT_TAG.match(data)
    if m is None:
        return None
    uri = NS.get(prefix, f"urn:x-webex-conformance:undeclared:{prefix}")
    return data[:m.end()] + f' xmlns:{prefix}="{uri}"'.encode() + data[m.end():]


def parse_lenient(data: bytes, max_bytes: int) -> etree._Element:
    """The root of ``data``; undeclared prefixes are bound on the root, nothing else is forgiven."""
    for _ in range(MAX_PREFIX_REPAIRS + 1):
        try:
            return parse_untrusted(data, max_bytes=max_bytes + 4096)
        except XMLRefused as exc:
            m = _UNBOUND.search(str(exc))
            if m and m[1] == "xsi":
                raise ApiFailure(*XSI_UNDECLARED) from None
            repaired = _bind(data, m[1]) if m else None
            if repaired is None:
                raise ApiFailure("000000", f"Invalid XML request: {exc}") from None
            data = repaired
    raise ApiFailure("000000", f"Invalid XML request: more than {MAX_PREFIX_REPAIRS} undeclared namespace prefixes")


def _type_attribute(content: etree._Element) -> str:
    """bodyContent's xsi:type; a ``type`` attribute in another namespace counts too (a misbound xsi)."""
    value = content.get(f"{{{NS['xsi']}}}type")
    if value is None:
        value = next((v for k, v in content.attrib.items() if etree.QName(k).localname == "type"), "")
    return " ".join(value.split())


def read_envelope(data: bytes, max_bytes: int) -> Envelope:
    root = parse_lenient(data, max_bytes)
    if _local(root) != "message":
        raise invalid_request(f"root element must be serv:message, not {_local(root)}")
    header = _child(root, "header")
    security = _child(header, "securityContext")
    content = _child(_child(root, "body"), "bodyContent")
    if content is None:
        raise invalid_request("no body/bodyContent")
    btype = _type_attribute(content)
    m = _BODY_TYPE.match(btype)
    if not m:
        raise ApiFailure("000000", f"Unknown request type {btype[:120]!r}: expected "
                                   f"java:com.webex.service.binding.<service>.<API>")
    if security is None:
        raise invalid_request("missing header/securityContext")
    sec: dict[str, str] = {}
    for c in security:
        name = _local(c)
        if name:
            sec.setdefault(_SECURITY_NAMES.get(name.lower(), name), (c.text or "").strip())
    return Envelope(m[1], m[2], btype, sec, content)
