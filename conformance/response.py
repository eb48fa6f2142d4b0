"""Turn an exchange (or a saved message) into the facts verdicts judge, or one clear reason.

Servers and proxies answer with many things that are not an XML API message: an HTML
error page, a redirect to a login page, an empty 200, a truncated body.  Each becomes a
``ResponseError`` whose one-line ``reason`` says which, so a report reads "HTTP 502 Bad
Gateway: 'upstream timed out'" instead of an lxml traceback.  Everything is matched by
namespace URI, never by prefix (real servers use several).  No I/O happens here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

from .namespaces import RESULTS, SERV, xsi_type
from .transport import Exchange
from .xmlsafe import MAX_BYTES_DEFAULT, PAGE_SECOND_BYTES, XMLRefused, looks_like_html, parse_untrusted

__all__ = ["ParsedResponse", "ResponseError", "parse_response", "parse_message", "RESULTS"]

_S = f"{{{SERV}}}"
(_MESSAGE, _HEADER, _RESPONSE, _BODY, _BODY_CONTENT, _RESULT, _REASON, _EXCEPTION_ID, _VALUE, _GSB_STATUS,
 _SUB_ERRORS, _SUB_ERROR) = (_S + n for n in (
    "message", "header", "response", "body", "bodyContent", "result", "reason", "exceptionID", "value",
    "gsbStatus", "subErrors", "subError"))
_DECL = re.compile(rb"^(?:\xef\xbb\xbf)?[ \t\r\n]*<\?xml\b([^>]*)\?>")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_XML_TYPES = ("text/xml", "application/xml")
_USUAL_TYPES = frozenset(f"{t}{p}" for t in _XML_TYPES for p in ("", ";charset=UTF-8", "; charset=UTF-8",
                                                                  ";charset=utf-8", "; charset=utf-8"))
_BOM = b"\xef\xbb\xbf"
_BLANKS = b" \t\r\n\xef\xbb\xbf"
_BLANK_START = frozenset(_BLANKS[i:i + 1] for i in range(len(_BLANKS))) | {b""}
# A body's first two bytes when it starts "<" and is not a page ("<!doctype html", "<html").
_PLAIN_STARTS = frozenset(b"<" + bytes([c]) for c in range(256) if bytes([c]) not in PAGE_SECOND_BYTES)


class ResponseError(Exception):
    """An answer that is not a usable XML API message; ``reason`` is one line."""

    def __init__(self, reason: str):
        self.reason = " ".join(str(reason).split())
        super().__init__(self.reason)



def _header_text(tag: str) -> cached_property:
    """A header field of ``serv:response``, read on first use (most answers are judged
    on ``result`` alone)."""
    def read(self: "ParsedResponse") -> str | None:
        return _text_of(self._fields.get(tag))
    return cached_property(read)


@dataclass
class ParsedResponse:
    """The facts of one message.  Parsing finds only what decides whether it is a
    message at all (root, header, response, result); every other fact is found on first
    use, since judging runs on every response of every run and most read few of them."""

    root: etree._Element
    result: str | None
    _response: etree._Element | None = field(default=None, repr=False, compare=False)   # serv:response
    _data: bytes = field(default=b"", repr=False, compare=False)                        # the bytes as parsed

    @property
    def success(self) -> bool:
        return self.result == "SUCCESS"

    @cached_property
    def _fields(self) -> dict:
        return _firsts(self._response) if self._response is not None else {}

    reason = _header_text(_REASON)
    exception_id = _header_text(_EXCEPTION_ID)
    value = _header_text(_VALUE)
    gsb_status = _header_text(_GSB_STATUS)

    @cached_property
    def sub_errors(self) -> list[tuple[str, str]]:
        subs: list[tuple[str, str]] = []
        sub_parent = self._fields.get(_SUB_ERRORS)
        if sub_parent is not None:
            for sub in sub_parent.iter(_SUB_ERROR):
                subs.append((_text(sub, "exceptionID") or "", _text(sub, "reason") or ""))
        return subs

    @cached_property
    def body_contents(self) -> list[etree._Element]:
        body = _first(self.root, _BODY)
        return [el for el in body if el.tag == _BODY_CONTENT] if body is not None else []

    @cached_property
    def _body_type(self) -> tuple[tuple[str, str] | None, str | None]:
        return _resolve_type(self.body_contents[0]) if self.body_contents else (None, None)

    @property
    def body_type(self) -> tuple[str, str] | None:
        """(namespace URI, local name) of the first bodyContent's xsi:type."""
        return self._body_type[0]

    @property
    def body_type_raw(self) -> str | None:
        """That xsi:type's text as sent."""
        return self._body_type[1]

    @cached_property
    def declared_encoding(self) -> str | None:
        return _declared_encoding(self._data)


_new_parsed = object.__new__


def _decode_hint(data: bytes, limit: int = 80) -> str:
    text = data[:4096].decode("utf-8", errors="replace")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def body_hint(data: bytes, limit: int = 80) -> str:
    """A short quote of a non-XML body: an HTML page's title, else its first characters."""
    if not data:
        return "empty body"
    m = _TITLE.search(data[:65536])
    if m:
        title = " ".join(_TAG.sub(" ", m.group(1).decode("utf-8", errors="replace")).split())
        if title:
            return f"HTML page titled {title[:limit]!r}"
    hint = _decode_hint(data, limit)
    return repr(hint) if hint else "blank body"


def _declared_encoding(data: bytes) -> str | None:
    m = _DECL.match(data[:512])
    if not m:
        return None
    e = _ENCODING.search(m.group(1))
    return e.group(1).decode("ascii") if e else None


def _looks_truncated(data: bytes) -> bool:
    """Whether the bytes are a well-formed start whose elements never close (cut off)."""
    parser = etree.XMLPullParser(events=("start", "end"), resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=False)
    depth = 0
    try:
        parser.feed(data.lstrip(b" \t\r\n"))
        for event, _ in parser.read_events():
            depth += 1 if event == "start" else -1
    except etree.XMLSyntaxError:
        return False
    return depth > 0


def _describe(el: etree._Element) -> str:
    q = etree.QName(el)
    return f"<{q.localname}> in namespace {q.namespace}" if q.namespace else f"<{q.localname}> without a namespace"


def _child(parent: etree._Element, local: str) -> etree._Element | None:
    # iterchildren filters in C; find() goes through ElementPath (10x slower per call).
    return next(parent.iterchildren(_S + local), None)


def _first(parent: etree._Element, tag: str) -> etree._Element | None:
    """The first child with ``tag``.  In a message it is nearly always the first child,
    so that one is tried before a loop (cheaper than a C tag matcher for so few)."""
    try:
        el = parent[0]
    except IndexError:
        return None
    if el.tag == tag:
        return el
    for el in parent:
        if el.tag == tag:
            return el
    return None


def _firsts(parent: etree._Element) -> dict:
    """Tag -> first child with it: one pass over serv:response instead of one per field."""
    found: dict = {}
    for el in parent:
        if el.tag not in found:
            found[el.tag] = el
    return found


def _text_of(el: etree._Element | None) -> str | None:
    return None if el is None else (el.text or "").strip()


def _text(parent: etree._Element, local: str) -> str | None:
    return _text_of(_child(parent, local))


def _missing(parent: etree._Element, local: str, path: str) -> ResponseError:
    """Name a missing serv: element, and say so when it is there in the wrong namespace."""
    for el in parent:
        if isinstance(el.tag, str) and etree.QName(el).localname == local:
            return ResponseError(f"no serv:{local} in {path}: found {_describe(el)} instead "
                                 f"(expected namespace {SERV})")
    return ResponseError(f"no serv:{local} in {path}")


def _response_and_result(root: etree._Element) -> tuple[etree._Element, etree._Element]:
    """serv:header/serv:response and its serv:result (the first child of each with its
    name), or the ResponseError naming the one missing."""
    header = _first(root, _HEADER)
    if header is None:
        raise _missing(root, "header", "serv:message")
    response = _first(header, _RESPONSE)
    if response is None:
        raise _missing(header, "response", "serv:header")
    result = _first(response, _RESULT)
    if result is None:
        raise _missing(response, "result", "serv:header/serv:response")
    return response, result


def _resolve_type(el: etree._Element) -> tuple[tuple[str, str] | None, str | None]:
    found = xsi_type(el)
    if found is None:
        return None, None
    uri, local, raw = found
    return ((uri, local) if uri and local else None), raw


def _unusual_start(data: bytes) -> bytes:
    """The body to parse when it does not start "<" and a non-page byte, or the
    ResponseError saying it is blank or a page.  Kept out of ``parse_message``, whose
    every line runs on every answer."""
    if data[:1] in _BLANK_START and not data.strip(_BLANKS):   # a message starts with "<": no copy
        raise ResponseError("empty body: expected an XML API message")
    if data.startswith(_BOM):
        # Whitespace between a byte-order mark and <?xml: tolerated like leading whitespace.
        data = _BOM + data[len(_BOM):].lstrip(b" \t\r\n")
    if looks_like_html(data):
        raise ResponseError(f"an HTML page, not an XML API message ({body_hint(data)})")
    return data


def _refused(exc: XMLRefused, data: bytes) -> ResponseError:
    text = str(exc)
    if text.startswith("not well-formed") and _looks_truncated(data):
        text = f"truncated: {text}"
    return ResponseError(text)


def parse_message(data: bytes, max_bytes: int = MAX_BYTES_DEFAULT) -> ParsedResponse:
    """Parse one saved or received message; raise ResponseError with a one-line reason."""
    if data.__class__ is not bytes:
        if data is None:
            raise ResponseError("empty body: expected an XML API message")
        data = bytes(data)
    # "<?xml" (most answers: no copy of two bytes), "<s": none of the checks below can apply
    if not data.startswith(b"<?") and data[:2] not in _PLAIN_STARTS:
        data = _unusual_start(data)
    try:
        root = parse_untrusted(data, max_bytes, True)   # pages refused above
    except XMLRefused as exc:
        raise _refused(exc, data) from None
    if root.tag != _MESSAGE:
        raise ResponseError(f"root element is {_describe(root)}, not serv:message ({SERV})")
    try:   # serv:header/serv:response/serv:result, nearly always each parent's first child
        header = root[0]
        response = header[0]
        result = response[0]
        if result.tag != _RESULT or response.tag != _RESPONSE or header.tag != _HEADER:
            response, result = _response_and_result(root)
    except IndexError:
        response, result = _response_and_result(root)
    result = (result.text or "").strip()
    if result not in RESULTS:
        raise ResponseError(f"serv:result is {result[:40]!r}, not SUCCESS or FAILURE")
    # The fields set here rather than through the dataclass's __init__: every answer of
    # every run comes this way, and a Python frame less is measurable per answer.
    parsed = _new_parsed(ParsedResponse)
    parsed.root, parsed.result, parsed._response, parsed._data = root, result, response, data
    return parsed


def _content_type_ok(ctype: str) -> bool:
    if ctype in _USUAL_TYPES:
        return True
    media = ctype.split(";", 1)[0].strip().lower()
    return media in _XML_TYPES or media.endswith("+xml")


def _status_error(exchange: Exchange) -> ResponseError:
    status = exchange.status
    reason = (exchange.reason or "").strip()
    status_text = f"HTTP {status} {reason}".rstrip()
    if 300 <= status < 400:
        location = exchange.headers.get("location", "")
        where = f" to {location[:120]}" if location else ""
        return ResponseError(f"{status_text}: redirect{where} (redirects are not followed; "
                             f"point the endpoint at the final XMLService URL)")
    return ResponseError(f"{status_text}: {body_hint(exchange.body)}")


def parse_response(exchange: Exchange, max_bytes: int = MAX_BYTES_DEFAULT) -> ParsedResponse:
    """Judge the HTTP layer of ``exchange``, then parse its body with ``parse_message``."""
    if exchange.status != 200:
        raise _status_error(exchange)
    ctype = exchange.headers.get("content-type")
    if ctype is not None and ctype not in _USUAL_TYPES and ctype.strip() and not _content_type_ok(ctype):
        media = ctype.split(";", 1)[0].strip()
        raise ResponseError(f"Content-Type {media}, not XML: {body_hint(exchange.body)}")
    body = exchange.body
    if len(body) > max_bytes:
        raise ResponseError(f"response of {len(body)} bytes exceeds the {max_bytes}-byte limit")
    return parse_message(body, max_bytes)
