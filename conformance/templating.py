"""Fill the ``${...}`` placeholders of case files (docs/CASES.md, "Placeholders").

Case authors write XML, so values go in verbatim; callers that insert data into XML
(the runner, for fixture values and captures) escape them first with ``xml_escape``.  Rendering is one pass: an inserted value is never scanned again, so
a server-supplied capture cannot smuggle in a placeholder.  An unknown placeholder is an
error naming it, never an empty string that would quietly change what a case sends.
"""
from __future__ import annotations

import base64
import difflib
import re
import struct
import zlib
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Mapping

__all__ = ["render", "TemplateError", "xml_escape", "placeholder_names", "PNG_SIGNATURE", "MAX_GENERATED"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_GENERATED = 20_000_000     # characters/bytes one placeholder may generate
_MAX_DEPTH = 4                 # ${repeat} templates may nest this deep
_CHARS = "abcdefghijklmnopqrstuvwxyz"
_DATE_FORMAT = "%m/%d/%Y %H:%M:%S"

_PLACEHOLDER = re.compile(r"\$\{([^{}]*)\}")
_NAME = re.compile(r"^[A-Za-z_][\w-]*(\.[\w-]+)*$")


class TemplateError(ValueError):
    """A placeholder that cannot be filled; the message is one line naming it."""


def xml_escape(text: str, quotes: bool = True) -> str:
    """Escape text for XML content (and, with ``quotes``, for attribute values)."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quotes:
        text = text.replace('"', "&quot;").replace("'", "&apos;")
    return text


def _lookup(name: str, variables: Mapping[str, Any]) -> str | None:
    if name in variables:
        v = variables[name]
        return None if v is None else str(v)
    node: Any = variables
    for part in name.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return None
    if node is None or isinstance(node, Mapping):
        return None
    return str(node)


def _count(text: str, what: str, spec: str) -> int:
    try:
        n = int(text.strip())
    except ValueError:
        raise TemplateError(f"${{{spec}}}: {what} must be a whole number, not {text.strip()!r}") from None
    if n < 0 or n > MAX_GENERATED:
        raise TemplateError(f"${{{spec}}}: {what} must be between 0 and {MAX_GENERATED}, not {n}")
    return n


def _chars(n: int) -> str:
    reps, rest = divmod(n, len(_CHARS))
    return _CHARS * reps + _CHARS[:rest]


_FILLER = bytes(range(251))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# A real 1x1 PNG (IHDR, IDAT, IEND): servers that decode uploaded images accept it.
_PNG_HEAD = PNG_SIGNATURE + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) \
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
_PNG_END = _png_chunk(b"IEND", b"")


@lru_cache(maxsize=2)   # the same two sizes at every version: 7 MB of text each, built once
def _image_base64(n: int) -> str:
    """Base64 of exactly ``n`` bytes of a valid PNG image, padded to size with a private
    ancillary chunk (which decoders skip); built by repetition, so 5 MB takes milliseconds:
    the padding repeats every 251 bytes, so its base64 repeats every 3 x 251 bytes (1004
    characters) once aligned on a 3-byte group, and only the two ends are encoded."""
    room = n - len(_PNG_HEAD) - len(_PNG_END)
    if room < 12:  # too small for a padding chunk: the image, then trailing bytes (or cut short)
        data = (_PNG_HEAD + _PNG_END + _FILLER[:max(0, room)])[:n]
        return base64.b64encode(data).decode("ascii")
    size = room - 12
    reps, rest = divmod(size, len(_FILLER))
    pad = _FILLER * reps + _FILLER[:rest]
    head = _PNG_HEAD + struct.pack(">I", size) + b"prVt"
    tail = struct.pack(">I", zlib.crc32(b"prVt" + pad)) + _PNG_END
    period = 3 * len(_FILLER)
    start = -len(head) % 3                      # padding bytes that complete head's last group
    blocks = max(0, (size - start) // period - 1)
    if not blocks:
        return base64.b64encode(head + pad + tail).decode("ascii")
    middle = pad[start:start + period]
    end = start + blocks * period
    return (base64.b64encode(head + pad[:start]).decode("ascii")
            + base64.b64encode(middle).decode("ascii") * blocks
            + base64.b64encode(pad[end:] + tail).decode("ascii"))


def _date(spec: str, arg: str, now: datetime) -> str:
    try:
        days = float(arg.strip())
    except ValueError:
        raise TemplateError(f"${{{spec}}}: days must be a number like 1, -2 or 0.5, not {arg.strip()!r}") from None
    if days != days or abs(days) > 36500:
        raise TemplateError(f"${{{spec}}}: days must be within 100 years of now, not {arg.strip()!r}")
    return (now + timedelta(days=days)).strftime(_DATE_FORMAT)


def _unknown(name: str, variables: Mapping[str, Any]) -> TemplateError:
    close = difflib.get_close_matches(name, [str(k) for k in variables], n=1)
    hint = f" (did you mean ${{{close[0]}}}?)" if close else ""
    return TemplateError(f"unknown placeholder ${{{name}}}: no such variable or fixture value{hint}")


def _render(template: str, variables: Mapping[str, Any], templates: Mapping[str, str],
            now: datetime, depth: int) -> str:
    def fill(m: re.Match) -> str:
        spec = m.group(1)
        head, _, rest = spec.partition(":")
        head = head.strip()
        if rest or spec.endswith(":"):
            if head == "chars":
                return _chars(_count(rest, "N", spec))
            if head == "base64":
                return _image_base64(_count(rest, "N", spec))
            if head == "date":
                return _date(spec, rest, now)
            if head == "repeat":
                count, _, tname = rest.partition(":")
                n = _count(count, "N", spec)
                tname = tname.strip()
                if not tname:
                    raise TemplateError(f"${{{spec}}}: write ${{repeat:N:template-name}}")
                if tname not in templates:
                    known = ", ".join(sorted(templates)) or "none"
                    raise TemplateError(f"${{{spec}}}: unknown template {tname!r} (step templates: {known})")
                if depth >= _MAX_DEPTH:
                    raise TemplateError(f"${{{spec}}}: templates nested more than {_MAX_DEPTH} deep")
                parts = []
                size = 0
                for i in range(1, n + 1):
                    scoped = _Scoped(variables, {"n": str(i)})
                    part = _render(templates[tname], scoped, templates, now, depth + 1)
                    size += len(part)
                    if size > MAX_GENERATED:
                        raise TemplateError(f"${{{spec}}}: output larger than {MAX_GENERATED} characters")
                    parts.append(part)
                return "".join(parts)
            raise TemplateError(f"unknown placeholder ${{{spec}}}: known functions are "
                                f"chars:N, base64:N, date:D and repeat:N:name")
        name = spec.strip()
        if not _NAME.match(name):
            raise TemplateError(f"malformed placeholder ${{{spec}}}: expected a dotted name such as ${{site.name}}")
        value = _lookup(name, variables)
        if value is None:
            raise _unknown(name, variables)
        return value

    # Anything left that starts a placeholder is one that never closes (or nests braces).
    leftover = _PLACEHOLDER.sub("", template)
    if "${" in leftover:
        at = leftover.index("${")
        raise TemplateError(f"unterminated placeholder near {leftover[at:at + 30]!r}: write ${{name}}")
    return _PLACEHOLDER.sub(fill, template)


class _Scoped(Mapping):
    """``variables`` with a few names (``n``) layered on top, without copying."""

    def __init__(self, base: Mapping[str, Any], top: dict[str, str]):
        self._base, self._top = base, top

    def __getitem__(self, key: str) -> Any:
        return self._top[key] if key in self._top else self._base[key]

    def __contains__(self, key: object) -> bool:
        return key in self._top or key in self._base

    def __iter__(self):
        yield from self._top
        yield from (k for k in self._base if k not in self._top)

    def __len__(self) -> int:
        return len(set(self._top) | set(self._base))


class XMLEscaped(Mapping):
    """``variables`` as XML content (``xml_escape`` without quotes), escaped when a
    placeholder reads one: a step's body reads a few of its case's many values."""

    def __init__(self, base: Mapping[str, Any]):
        self._base = base

    def __getitem__(self, key: str) -> str:
        v = self._base[key]
        return xml_escape(v, quotes=False)

    def __contains__(self, key: object) -> bool:
        return key in self._base

    def __iter__(self):
        return iter(self._base)

    def __len__(self) -> int:
        return len(self._base)


def placeholder_names(text: str) -> list[str]:
    """The plain ``${name}`` placeholders of ``text`` (not the ``${chars:N}``-style functions)."""
    out = []
    for spec in _PLACEHOLDER.findall(text or ""):
        name = spec.strip()
        if ":" not in spec and _NAME.match(name):
            out.append(name)
    return out


def render(template: str, variables: Mapping[str, str], templates: Mapping[str, str] | None = None,
           now: datetime | None = None) -> str:
    """``template`` with every placeholder filled, or TemplateError naming the first bad one."""
    if not isinstance(template, str):
        raise TemplateError(f"a template must be text, not {type(template).__name__}")
    return _render(template, variables or {}, templates or {}, now or datetime.now(), 0)
