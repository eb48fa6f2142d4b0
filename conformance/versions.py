"""API versions: one type that parses and orders every version the release notes name.

The XML API changed its numbering in 39.1.0: before it a server reported
``apiVersion`` ("WebEx XML API V11.0.0") plus ``release`` ("SP10"); from 39.1.0 on it
reports ``apiVer`` ("39.1.0").  An 11.0 service pack therefore has to sort below 39.1.0,
which plain string or tuple comparison of the printed forms would get wrong.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from functools import cache

__all__ = [
    "Version",
    "VersionError",
    "VersionRange",
    "ALL_VERSIONS",
    "LATEST",
    "parse_version",
    "documented",
    "from_server_report",
]


class VersionError(ValueError):
    """A version string that is malformed, or well-formed but not one we know."""


@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int = 0
    sp: int | None = None  # service pack of an 11.0-style release, e.g. 10 for SP10
    # the sort key, made once: versions are compared thousands of times a run
    key: tuple[int, int, int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (self.major, self.minor, self.patch, -1 if self.sp is None else self.sp))

    def __lt__(self, other: object) -> bool:
        return self.key < other.key if isinstance(other, Version) else NotImplemented

    def __le__(self, other: object) -> bool:
        return self.key <= other.key if isinstance(other, Version) else NotImplemented

    def __gt__(self, other: object) -> bool:
        return self.key > other.key if isinstance(other, Version) else NotImplemented

    def __ge__(self, other: object) -> bool:
        return self.key >= other.key if isinstance(other, Version) else NotImplemented

    def __str__(self) -> str:
        base = f"{self.major}.{self.minor}.{self.patch}"
        return f"{base} SP{self.sp}" if self.sp is not None else base

    @property
    def slug(self) -> str:
        """A form without spaces, for directory names and test ids ("11.0.0-SP10")."""
        return str(self).replace(" ", "-")

    @property
    def uses_api_ver(self) -> bool:
        """Whether GetAPIVersion answers with ``apiVer`` (39.1.0 and later)."""
        return self >= Version(39, 1, 0)


_NUMERIC = re.compile(r"^\s*[vV]?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?\s*$")
_WITH_SP = re.compile(r"^\s*[vV]?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?[\s_-]*SP(\d{1,3})\s*$", re.I)
_SP_ONLY = re.compile(r"^\s*SP(\d{1,3})\s*$", re.I)
_API_VERSION_TEXT = re.compile(r"V?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?\s*$", re.I)


def parse_version(text: str) -> Version:
    """Parse "39.2.0", "39.2", "11.0.0 SP10", "11.0 SP10", "11.0.0-SP10" or "SP10".

    A bare "SPnn" means an 11.0.0 service pack, the way the release notes' headings
    shorten them.  Anything else raises VersionError naming the text.
    """
    if not isinstance(text, str):
        raise VersionError(f"a version must be a string like '39.2.0' or '11.0.0 SP10', not {type(text).__name__}")
    m = _WITH_SP.match(text)
    if m:
        return Version(int(m[1]), int(m[2]), int(m[3] or 0), int(m[4]))
    m = _SP_ONLY.match(text)
    if m:
        return Version(11, 0, 0, int(m[1]))
    m = _NUMERIC.match(text)
    if m:
        return Version(int(m[1]), int(m[2]), int(m[3] or 0))
    raise VersionError(
        f"malformed version {text!r}: expected forms like '39.2.0', '42.6.0' or '11.0.0 SP10'"
    )


ALL_VERSIONS: tuple[Version, ...] = tuple(
    parse_version(v)
    for v in (
        "11.0.0 SP10", "11.0.0 SP11", "11.0.0 SP12", "11.0.0 SP13", "11.0.0 SP14",
        "11.0.0 SP15", "11.0.0 SP16", "11.0.0 SP17", "11.0.0 SP18", "11.0.0 SP20",
        "11.0.0 SP21", "11.0.0 SP22", "39.1.0", "39.2.0", "39.3.0", "39.5.0", "39.8.0",
        "39.9.0", "39.10.0", "39.11.0", "42.1.0", "42.2.0", "42.3.0", "42.4.0", "42.5.0",
        "42.6.0",
    )
)
LATEST = ALL_VERSIONS[-1]


def documented(text: str | Version) -> Version:
    """Parse and insist on one of the 26 versions the release notes document."""
    v = text if isinstance(text, Version) else parse_version(text)
    if v not in ALL_VERSIONS:
        known = ", ".join(str(x) for x in ALL_VERSIONS)
        raise VersionError(f"unknown version {str(v)!r}: the release notes document {known}")
    return v


@cache
def documented_at_or_below(v: Version) -> Version:
    """The newest documented version not newer than ``v`` (what a newer server is judged as)."""
    candidates = [x for x in ALL_VERSIONS if x <= v]
    if not candidates:
        raise VersionError(f"version {v} is older than the oldest documented version {ALL_VERSIONS[0]}")
    return candidates[-1]


def from_server_report(api_version: str | None = None, release: str | None = None,
                       api_ver: str | None = None) -> Version:
    """The version a GetAPIVersion answer reports.

    From 39.1.0 ``apiVer`` is authoritative.  Before it, ``apiVersion`` carries the
    product version ("WebEx XML API V11.0.0") and ``release`` the service pack ("SP10");
    a release that is not an SP (e.g. "EP1") leaves the service pack unknown.
    """
    if api_ver and api_ver.strip():
        return parse_version(api_ver)
    if not api_version or not api_version.strip():
        raise VersionError("the GetAPIVersion answer has neither apiVer nor apiVersion")
    m = _API_VERSION_TEXT.search(api_version.strip())
    if not m:
        raise VersionError(f"cannot read a version from apiVersion {api_version!r}")
    major, minor, patch = int(m[1]), int(m[2]), int(m[3] or 0)
    sp = None
    if release and release.strip():
        r = _SP_ONLY.match(release)
        if r:
            sp = int(r[1])
    return Version(major, minor, patch, sp)


_COMPARE = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq}
_RANGE_TERM = re.compile(r"^\s*(>=|<=|==|>|<|=)?\s*(.+?)\s*$")


@dataclass(frozen=True)
class VersionRange:
    """A set of versions written like ">= 39.2.0", "< 39.8.0", ">= 39.3.0, < 39.8.0" or "all"."""

    text: str
    terms: tuple[tuple[str, Version], ...]

    @classmethod
    def parse(cls, text: str) -> "VersionRange":
        if not isinstance(text, str) or not text.strip():
            raise VersionError("a version range must be a non-empty string such as '>= 39.2.0' or 'all'")
        if text.strip().lower() == "all":
            return cls(text, ())
        terms = []
        for part in text.split(","):
            m = _RANGE_TERM.match(part)
            if not m or not m[2]:
                raise VersionError(f"malformed version range {text!r}")
            op = m[1] or "=="
            if op == "=":
                op = "=="
            terms.append((op, documented(m[2])))
        return cls(text, tuple(terms))

    def __contains__(self, v: Version) -> bool:
        return all(_COMPARE[op](v, bound) for op, bound in self.terms)

    def __str__(self) -> str:
        return self.text
