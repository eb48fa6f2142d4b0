"""Parse untrusted XML (responses, saved files, requests to the reference server) safely.

Untrusted bytes get: no entity expansion, no DTD loading, no network access, libxml2's
own size limits kept on (``huge_tree=False``), and any DOCTYPE refused outright, since
no XML API message carries one and a DOCTYPE is how entity bombs and external-entity
reads arrive.  Every failure is an ``XMLRefused`` with a one-line reason.
"""
from __future__ import annotations

import re
import threading

from lxml import etree

__all__ = ["XMLRefused", "parse_untrusted", "looks_like_html", "MAX_BYTES_DEFAULT", "PAGE_SECOND_BYTES"]

MAX_BYTES_DEFAULT = 8 * 1024 * 1024
# The second byte of "<!doctype html" and "<html": a body starting "<" and anything else is no page.
PAGE_SECOND_BYTES = (b"!", b"h", b"H")


class XMLRefused(ValueError):
    """Bytes that are not an acceptable XML document; the message is one line."""


_SCAN = 65536
_local = threading.local()   # one parser per thread: lxml parsers must not be shared across threads


def _parser() -> etree.XMLParser:
    """This thread's parser (made once: a parser per document cost as much as a small parse)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = _new_parser()
    return parser


def _new_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        recover=False,
    )


def looks_like_html(data: bytes) -> bool:
    """An HTML page (an error page, a login form), not an XML message."""
    if data[:1] == b"<" and data[1:2] not in PAGE_SECOND_BYTES:   # "<?xml", "<serv:": not a page
        return False
    head = data[:2048].lstrip(b"\xef\xbb\xbf").lstrip()
    if head[1:2] not in PAGE_SECOND_BYTES or head[:1] != b"<":
        return False
    return head[:512].lower().startswith((b"<!doctype html", b"<html"))



def _declares_dtd(data: bytes) -> bool:
    """A <!DOCTYPE or <!ENTITY in the first _SCAN bytes.  Scans for "!" (memchr, and
    rare in a message) rather than once per keyword: this runs on every response."""
    at = data.find(b"!", 1, _SCAN)
    while at >= 0:
        start = at - 1
        if data[start] == 0x3C and ((data.startswith(b"<!DOCTYPE", start) and start + 9 <= _SCAN)
                                    or (data.startswith(b"<!ENTITY", start) and start + 8 <= _SCAN)):
            return True
        at = data.find(b"!", at + 1, _SCAN)
    return False


def parse_untrusted(data: bytes, max_bytes: int = MAX_BYTES_DEFAULT,
                    pages_refused: bool = False) -> etree._Element:
    """Return the root element of ``data`` or raise XMLRefused with a one-line reason.

    ``pages_refused``: the caller has already refused HTML pages (with its own reason).
    """
    if not data:   # None or empty
        raise XMLRefused("empty body: expected an XML document")
    if len(data) > max_bytes:
        raise XMLRefused(f"document of {len(data)} bytes exceeds the {max_bytes}-byte limit")
    if not pages_refused and looks_like_html(data):
        raise XMLRefused("an HTML page, not an XML API message")
    if data.find(b"!") >= 0 and _declares_dtd(data):   # most messages have no "!" at all
        raise XMLRefused("document declares a DTD or entities (<!DOCTYPE>/<!ENTITY>): refused, "
                         "XML API messages never carry one")
    try:
        parser = _local.parser
    except AttributeError:   # this thread's first document
        parser = _parser()
    try:
        # Leading whitespace before the XML declaration is not legal XML but is common in
        # hand-assembled replies; we tolerate it rather than fail on it.
        root = etree.fromstring(data if data[0] == 0x3C else data.lstrip(b" \t\r\n"), parser)
    except etree.XMLSyntaxError as exc:
        msg = str(exc).splitlines()[0] if str(exc) else "not well-formed"
        msg = re.sub(r" \(<string>, line \d+\)$", "", msg)
        raise XMLRefused(f"not well-formed XML: {msg}") from None
    except ValueError as exc:  # e.g. unicode strings with an encoding declaration
        raise XMLRefused(f"not parseable XML: {exc}") from None
    if root is None:
        raise XMLRefused("no root element")
    if len(data) > _SCAN:  # shorter documents were scanned whole above
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            raise XMLRefused("document declares a DTD: refused")
    return root
