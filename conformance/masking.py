"""Hide credentials in anything the suite writes: reports, logs, error messages.

Every writer goes through ``mask`` because a request envelope carries the password (or
token) in clear, servers sometimes echo it back, and a URL may carry it in the query
string.  Masking is by shape (the ``password``/``sessionTicket``/``accessToken`` elements,
``password=`` parameters, bearer tokens) *and* by value (every configured secret,
wherever it appears), so a secret leaks neither through a known slot nor an unexpected
one.  It must never raise: a writer that crashes while masking would lose the report.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable
from urllib.parse import quote, quote_plus

__all__ = ["mask", "mask_bytes", "masker", "Masker", "MASK", "SECRET_ELEMENTS"]

MASK = "***"
SECRET_ELEMENTS = ("password", "sessionTicket", "accessToken")
_MIN_SECRET_LEN = 3

_NAMES = "|".join(SECRET_ELEMENTS)
# <password>text</password>, <serv:password attr="x">text, CDATA included; the text runs
# to the next tag (XML text cannot hold a raw "<").  A self-closing <password/> has no
# text and is left alone.
_ELEMENT = re.compile(
    r"(<(?:[A-Za-z_][\w.-]*:)?(?:" + _NAMES + r")(?:\s[^<>]*?)?(?<!/)>)"
    r"((?:<!\[CDATA\[.*?\]\]>|[^<])+)",
    re.IGNORECASE | re.DOTALL,
)
# The same, XML-escaped once (an envelope shown inside an HTML report or an error text).
_ESCAPED_ELEMENT = re.compile(
    r"(&lt;(?:[A-Za-z_][\w.-]*:)?(?:" + _NAMES + r")(?:\s(?:(?!&gt;)[^<>])*?)?(?<!/)&gt;)"
    r"((?:(?!&lt;)[^<])+)",
    re.IGNORECASE | re.DOTALL,
)
# password=... in URLs, query strings and form bodies (PW= and TK= are the URL API's).
_QUERY = re.compile(
    r"((?:^|(?<=[?&;\s\"'(]))(?:password|passwd|pwd|pw|accessToken|access_token|"
    r"sessionTicket|session_ticket|ticket|tk|token)=)([^&;\s\"'<>#]+)",
    re.IGNORECASE,
)
# "password": "..." in JSON.
_JSON = re.compile(
    r"(\"(?:password|accessToken|access_token|sessionTicket|session_ticket)\"\s*:\s*\")"
    r"((?:[^\"\\]|\\.)*)(\")",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(\bBearer\s+)([A-Za-z0-9._~+/=-]{3,})", re.IGNORECASE)


def _element_sub(m: re.Match) -> str:
    return m.group(1) + MASK if m.group(2).strip() else m.group(0)


def _variants(secret: str) -> set[str]:
    """The forms a secret takes in the places we write: raw, XML-escaped, URL-encoded."""
    forms = {secret}
    xml = secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    forms.add(xml)
    forms.add(xml.replace('"', "&quot;").replace("'", "&apos;"))
    forms.add(xml.replace('"', "&quot;").replace("'", "&#39;"))
    forms.add(quote(secret, safe=""))
    forms.add(quote_plus(secret, safe=""))
    forms.add(secret.replace("\\", "\\\\").replace('"', '\\"'))  # inside a JSON string
    return {f for f in forms if len(f) >= _MIN_SECRET_LEN}


class _SecretForms:
    """Every form of a secret set, and one pattern replacing them all."""

    __slots__ = ("forms", "pattern")

    def __init__(self, forms: list[str]):
        self.forms = tuple(forms)
        self.pattern = re.compile("|".join(re.escape(f) for f in forms))

    def sub(self, text: str) -> str:
        # A substring test per form is far cheaper than the alternation's scan of a long
        # text (sre tries every alternative at every position), and most texts hold none.
        for form in self.forms:
            if form in text:
                return self.pattern.sub(MASK, text)
        return text


@lru_cache(maxsize=64)
def _secret_forms(secrets: tuple[str, ...]) -> _SecretForms | None:
    forms: set[str] = set()
    for s in secrets:
        if isinstance(s, str) and len(s) >= _MIN_SECRET_LEN:
            forms |= _variants(s)
    if not forms:
        return None
    # Longest first, so that a secret containing another is masked whole.
    return _SecretForms(sorted(forms, key=lambda f: (-len(f), f)))


_SHORT, _SHORT_KEPT = 200, 4096


class Masker:
    """``mask`` bound to one secret set: the set is normalised and compiled once.

    A record is masked string by string; doing the set's sorting and pattern lookup once
    per set instead of once per string is what keeps masking off the run's profile.
    """

    __slots__ = ("_forms", "_short")

    def __init__(self, secrets: Iterable[str] = ()):
        try:
            key = tuple(sorted({s for s in secrets if isinstance(s, str)}))
        except TypeError:
            key = ()
        self._forms = _secret_forms(key)
        # Short strings a record repeats (field values such as APIs, roles, checks'
        # expectations): masked once each. Bounded: emptied when full.
        self._short: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        """``text`` with every credential replaced by ``***``; never raises."""
        return _mask_with(self._forms, text)

    def strings(self, data: Any, keys: bool = True) -> Any:
        """A copy of JSON-like data with every string masked; dict keys too unless
        ``keys`` is false (a record's keys are its field names, never a server's text)."""
        if isinstance(data, str):
            if len(data) > _SHORT:
                return _mask_with(self._forms, data)
            short = self._short
            done = short.get(data)
            if done is None:
                if len(short) >= _SHORT_KEPT:
                    short.clear()
                done = short[data] = _mask_with(self._forms, data)
            return done
        if isinstance(data, dict):
            if keys:
                return {(self.strings(k) if isinstance(k, str) else k): self.strings(v) for k, v in data.items()}
            return {k: self.strings(v, False) for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.strings(v, keys) for v in data]
        return data


@lru_cache(maxsize=256)
def _masker_cached(secrets: tuple) -> Masker:
    return Masker(secrets)


def masker(secrets: Iterable[str] = ()) -> Masker:
    """The (cached) ``Masker`` of a secret set."""
    key = secrets if isinstance(secrets, tuple) else tuple(secrets)
    try:
        return _masker_cached(key)
    except TypeError:  # unhashable items: compile without the cache
        return Masker(key)


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every credential replaced by ``***``; never raises."""
    try:
        forms = masker(secrets)._forms
    except Exception:  # noqa: BLE001
        return "[text withheld: masking failed]"
    return _mask_with(forms, text)


_ELEMENT_HINTS = tuple(n.casefold() for n in SECRET_ELEMENTS)
_QUERY_HINTS = ("password=", "passwd=", "pwd=", "pw=", "accesstoken=", "access_token=", "sessionticket=",
                "session_ticket=", "ticket=", "tk=", "token=")
_JSON_HINTS = ("password", "accesstoken", "access_token", "sessionticket", "session_ticket")


def _mask_with(forms: _SecretForms | None, text: str) -> str:
    try:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        if forms is not None:
            text = forms.sub(text)
        # Each shape's regex runs only where its names occur: a case-insensitive regex scan
        # costs ~100x a substring test, and most strings of a record name no credential.
        low = text.casefold()
        if any(h in low for h in _ELEMENT_HINTS):
            if "<" in text:
                text = _ELEMENT.sub(_element_sub, text)
            if "&lt;" in text:
                text = _ESCAPED_ELEMENT.sub(_element_sub, text)
        if "=" in text and any(h in low for h in _QUERY_HINTS):
            text = _QUERY.sub(lambda m: m.group(1) + MASK, text)
        if '"' in text and any(h in low for h in _JSON_HINTS):
            text = _JSON.sub(lambda m: m.group(1) + MASK + m.group(3), text)
        if "bearer" in low:
            text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
        return text
    except Exception:  # noqa: BLE001 - a writer must never crash (or leak) while masking
        return "[text withheld: masking failed]"


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Servers often declare ISO-8859-1; latin-1 decodes any byte, so nothing is lost.
        return data.decode("latin-1")


def mask_bytes(data: bytes, secrets: Iterable[str] = ()) -> str:
    """Decode ``data`` leniently (UTF-8, else Latin-1) and mask it; never raises."""
    try:
        if isinstance(data, str):
            return mask(data, secrets)
        if data is None:
            return ""
        return mask(_decode(bytes(data)), secrets)
    except Exception:  # noqa: BLE001
        return "[text withheld: masking failed]"
