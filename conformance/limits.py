"""Limits are data: load ``limits/*.toml`` into typed, validated ``Limit`` objects.

A documented limit (a length, a count, a date range, a size) is one file beside the cases:
which APIs carry it, where the value goes in each request, its unit and bound, and per
version range what the notes say a server answers beyond it.  What a conformant server
must answer for one input is code (``conformance.oracles``); this module only reads and
checks the data, in the loader style of ``conformance.cases``: every mistake names file,
field and reason, and one bad file never stops the others.  Format: docs/BOUNDARIES.md.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cases import RUNNER_VALUES, ROLES, VALUE_PREFIXES
from .errors import CaseFileError
from .casefields import load_each
from .namespaces import SERVICES
from .versions import ALL_VERSIONS, Version, VersionError, VersionRange

__all__ = ["Limit", "Rule", "LimitApi", "Call", "LimitLoad", "UNITS", "load_limit_file", "load_limits"]

# unit -> the placeholders a request template of that unit must use
UNITS: dict[str, tuple[str, ...]] = {
    "display-characters": ("value",),
    "items-per-call": ("value",),
    "range-seconds": ("start", "end"),
    "bytes": ("value",),
}
# What the runner fills in besides the fixture values: the input, the object a setup step
# made (${object}), what an accepted request created (${created}), an item's number (${n}).
_RUNNER_NAMES = {"value", "start", "end", "object", "created", "n", *RUNNER_VALUES}

_ID = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")
_XCODE = re.compile(r"^\d{5,6}$")


class LimitFileError(CaseFileError):
    """One mistake in one limit file: which file, which field, why."""

    def __init__(self, path: Path | str, fieldname: str, reason: str):
        self.path, self.field, self.reason = str(path), fieldname, reason
        super().__init__(f"{self.path}: {fieldname}: {reason}" if fieldname else f"{self.path}: {reason}")


@dataclass(frozen=True)
class Rule:
    """What the notes say for one version range: the bound and the answer beyond it."""
    versions: VersionRange
    source: str
    max: int | None = None                 # None with no_limit or not_applicable
    result: str | None = None              # "FAILURE" for a refusal
    exception_id: str | None = None        # None: the notes give no code
    reason: str | None = None              # regex
    value: str | None = None
    no_limit: bool = False                 # documented: no such limit in these versions
    not_applicable: str | None = None      # the notes say nothing we could judge here


class _ServiceApi:
    """``api`` is "service.Api"; these are its two halves."""
    api: str

    @property
    def service(self) -> str:
        return self.api.split(".")[0]

    @property
    def name(self) -> str:
        return self.api.split(".")[1]


@dataclass(frozen=True)
class Call(_ServiceApi):
    """One request a boundary test sends besides the judged ones (setup, teardown, delete)."""
    api: str                               # service.Api
    body: str
    capture: str | None = None             # XPath -> ${object} (setup only)


@dataclass(frozen=True)
class LimitApi(_ServiceApi):
    """One API that carries the limit and the request template that puts a value in it."""
    api: str                               # service.Api
    role: str
    body: str
    item: str | None = None                # items-per-call: one item, ${n} its number
    created: str | None = None             # XPath of what an accepted request made
    delete: Call | None = None             # how to delete it (${created})
    setup: Call | None = None              # made once before the examples (-> ${object})
    teardown: Call | None = None           # undoes setup, also when the test fails
    accept_codes: tuple[str, ...] = ()     # FAILURE codes that still mean "not refused" (000015)
    leaves: str | None = None              # what an accepted request leaves that no API deletes

    @property
    def writes(self) -> bool:
        """Whether sending it changes the site (anything but Get*/Lst*), or setup does."""
        return self.setup is not None or not self.name.lower().startswith(("get", "lst"))


@dataclass(frozen=True)
class Limit:
    id: str
    title: str
    source: str
    unit: str
    max: int
    inclusive: bool
    rules: tuple[Rule, ...]
    apis: tuple[LimitApi, ...]
    path: str
    min: int | None = None
    band_max: int | None = None            # bytes: the upper reading of an ambiguous unit (MiB)
    max_examples: int | None = None        # a lower cap than the profile's (costly requests)
    description: str = ""
    catches: tuple[str, ...] = ()          # seeded defects (declared for cases) this test catches too

    @property
    def test_id(self) -> str:
        return f"boundary/{self.id}"

    @property
    def writes(self) -> bool:
        return any(a.writes for a in self.apis)

    def rule_for(self, version: Version) -> Rule | None:
        for r in self.rules:
            if version in r.versions:
                return r
        return None

    def bounds(self) -> tuple[int, ...]:
        """Every documented bound of the limit, smallest first (a no-limit version is
        probed at each of them: a server must accept there what later versions refuse)."""
        return tuple(sorted({r.max for r in self.rules if r.max is not None}))


@dataclass
class LimitLoad:
    limits: list[Limit] = field(default_factory=list)
    errors: list[LimitFileError] = field(default_factory=list)


def _typed(value: Any, typ: type, name: str, path: Path) -> Any:
    ok = isinstance(value, typ) and not (typ is int and isinstance(value, bool))
    if not ok:
        words = {str: "a string", int: "a whole number", bool: "true or false", dict: "a table", list: "a list"}
        raise LimitFileError(path, name, f"must be {words.get(typ, typ.__name__)}, not {type(value).__name__}")
    return value


def _req(d: dict, key: str, typ: type, where: str, path: Path) -> Any:
    if key not in d:
        raise LimitFileError(path, f"{where}{key}", "missing required field")
    return _typed(d[key], typ, f"{where}{key}", path)


def _opt(d: dict, key: str, typ: type, where: str, path: Path, default: Any = None) -> Any:
    return default if key not in d else _typed(d[key], typ, f"{where}{key}", path)


def _unknown(d: dict, allowed: set[str], where: str, path: Path) -> None:
    for k in d:
        if k not in allowed:
            raise LimitFileError(path, f"{where}{k}", f"unknown field (allowed: {', '.join(sorted(allowed))})")


def _api_name(text: str, name: str, path: Path) -> str:
    if text.count(".") != 1:
        raise LimitFileError(path, name, f"must be service.Api, e.g. meeting.CreateMeeting, not {text!r}")
    service = text.split(".")[0]
    if service not in SERVICES:
        raise LimitFileError(path, name, f"unknown service {service!r} (known: {', '.join(SERVICES)})")
    return text


def _check_xpath(xpath: str, name: str, path: Path) -> None:
    from lxml import etree
    from .namespaces import NS
    try:
        etree.XPath(xpath, namespaces=NS)(etree.Element("probe"))
    except etree.XPathError as exc:
        raise LimitFileError(path, name, f"not a valid XPath ({exc}): {xpath!r}") from None


def _check_names(text: str, allowed: set[str], name: str, path: Path) -> None:
    from .templating import placeholder_names
    for p in placeholder_names(text):
        if p not in allowed and not p.startswith(VALUE_PREFIXES):
            raise LimitFileError(path, name, f"unknown placeholder ${{{p}}} (known here: "
                                             f"{', '.join('${' + a + '}' for a in sorted(allowed))}, fixture values)")


_RULE_KEYS = {"versions", "source", "max", "result", "exception_id", "reason", "value", "no_limit", "not_applicable"}
_CALL_KEYS = {"api", "body", "capture"}
_API_KEYS = {"api", "role", "body", "item", "created", "delete", "setup", "teardown", "accept_codes", "leaves"}
_LIMIT_KEYS = {"id", "title", "source", "unit", "min", "max", "band_max", "inclusive", "max_examples",
               "description", "rule", "api", "catches"}


def _rule(d: Any, i: int, default_source: str, default_max: int, path: Path) -> Rule:
    where = f"rule[{i}]."
    _typed(d, dict, f"rule[{i}]", path)
    _unknown(d, _RULE_KEYS, where, path)
    try:
        versions = VersionRange.parse(_req(d, "versions", str, where, path))
    except VersionError as exc:
        raise LimitFileError(path, f"{where}versions", str(exc)) from None
    source = _opt(d, "source", str, where, path, default_source)
    if "not_applicable" in d:
        return Rule(versions, source, not_applicable=_typed(d["not_applicable"], str, f"{where}not_applicable", path)
                    or "not applicable")
    if _opt(d, "no_limit", bool, where, path, False):
        extra = sorted(set(d) - {"versions", "source", "no_limit"})
        if extra:
            raise LimitFileError(path, f"{where}{extra[0]}", "a no_limit rule has no answer beyond the bound")
        return Rule(versions, source, no_limit=True)
    result = _req(d, "result", str, where, path)
    if result != "FAILURE":
        raise LimitFileError(path, f"{where}result", f"the answer beyond a limit is FAILURE, not {result!r}")
    xid = _opt(d, "exception_id", str, where, path)
    if xid is not None and not _XCODE.match(xid):
        raise LimitFileError(path, f"{where}exception_id", f"must be a 5- or 6-digit string, not {xid!r}")
    reason = _opt(d, "reason", str, where, path)
    if reason is not None:
        try:
            re.compile(reason)
        except re.error as exc:
            raise LimitFileError(path, f"{where}reason", f"not a valid regular expression: {exc}") from None
    bound = _opt(d, "max", int, where, path, default_max)
    if bound < 0:
        raise LimitFileError(path, f"{where}max", "must not be negative")
    return Rule(versions, source, bound, result, xid, reason, _opt(d, "value", str, where, path))


def _call(d: Any, name: str, path: Path, allowed: set[str], capture: bool) -> Call:
    _typed(d, dict, name, path)
    _unknown(d, _CALL_KEYS if capture else _CALL_KEYS - {"capture"}, name + ".", path)
    api = _api_name(_req(d, "api", str, name + ".", path), f"{name}.api", path)
    body = _opt(d, "body", str, name + ".", path, "")
    _check_names(body, allowed, f"{name}.body", path)
    cap = None
    if capture:
        cap = _req(d, "capture", str, name + ".", path)
        _check_xpath(cap, f"{name}.capture", path)
    return Call(api, body, cap)


def _limit_api(d: Any, i: int, unit: str, path: Path) -> LimitApi:
    where = f"api[{i}]."
    _typed(d, dict, f"api[{i}]", path)
    _unknown(d, _API_KEYS, where, path)
    api = _api_name(_req(d, "api", str, where, path), f"{where}api", path)
    role = _req(d, "role", str, where, path)
    if role not in ROLES:
        raise LimitFileError(path, f"{where}role", f"unknown role {role!r} (known: {', '.join(ROLES)})")
    base = set(RUNNER_VALUES)
    setup = _call(d["setup"], f"{where}setup", path, base, capture=True) if "setup" in d else None
    with_object = base | ({"object"} if setup else set())
    teardown = _call(d["teardown"], f"{where}teardown", path, with_object, capture=False) if "teardown" in d else None
    if setup is not None and teardown is None:
        raise LimitFileError(path, f"{where}teardown", "a setup step needs a teardown that undoes it")
    created = _opt(d, "created", str, where, path)
    if created is not None:
        _check_xpath(created, f"{where}created", path)
    delete = None
    if "delete" in d:
        delete = _call(d["delete"], f"{where}delete", path, with_object | {"created"}, capture=False)
    if (created is None) != (delete is None):
        raise LimitFileError(path, f"{where}{'delete' if delete is None else 'created'}",
                             "created (what an accepted request made) and delete (how to remove it) go together")
    leaves = _opt(d, "leaves", str, where, path)
    if not api.split(".")[1].lower().startswith(("get", "lst")) and setup is None and delete is None \
            and not leaves:
        raise LimitFileError(path, f"{where}delete", "an API that writes needs created + delete, a setup + "
                                                     "teardown, or leaves (what it leaves behind, and why)")
    item = _opt(d, "item", str, where, path)
    body = _req(d, "body", str, where, path)
    needed = UNITS[unit]
    if unit == "items-per-call":
        if item is None:
            raise LimitFileError(path, f"{where}item", "an items-per-call limit needs the XML of one item")
        _check_names(item, with_object | {"n"}, f"{where}item", path)
    elif item is not None:
        raise LimitFileError(path, f"{where}item", f"only items-per-call limits have items, not {unit}")
    _check_names(body, with_object | set(needed), f"{where}body", path)
    from .templating import placeholder_names
    missing = [n for n in needed if n not in placeholder_names(body)]
    if missing:
        raise LimitFileError(path, f"{where}body", f"a {unit} template must place ${{{missing[0]}}}")
    codes = tuple(_typed(c, str, f"{where}accept_codes", path) for c in _opt(d, "accept_codes", list, where, path, []))
    for c in codes:
        if not _XCODE.match(c):
            raise LimitFileError(path, f"{where}accept_codes", f"must be 5- or 6-digit strings, not {c!r}")
    return LimitApi(api, role, body, item, created, delete, setup, teardown, codes, leaves)


def load_limit_file(path: Path | str) -> Limit:
    """Load one limit file or raise LimitFileError naming the field at fault."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LimitFileError(path, "", f"not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LimitFileError(path, "", f"cannot read: {exc}") from None
    _unknown(data, _LIMIT_KEYS, "", path)
    lid = _req(data, "id", str, "", path)
    if not _ID.match(lid):
        raise LimitFileError(path, "id", f"must be lower-case letters, digits, dots and dashes, not {lid!r}")
    title = _req(data, "title", str, "", path)
    source = _req(data, "source", str, "", path)
    unit = _req(data, "unit", str, "", path)
    if unit not in UNITS:
        raise LimitFileError(path, "unit", f"unknown unit {unit!r} (known: {', '.join(UNITS)})")
    bound = _req(data, "max", int, "", path)
    low = _opt(data, "min", int, "", path)
    if bound < 1 or (low is not None and not 0 <= low <= bound):
        raise LimitFileError(path, "min" if low is not None and bound >= 1 else "max",
                             "must satisfy 0 <= min <= max and max >= 1")
    band = _opt(data, "band_max", int, "", path)
    if band is not None and band <= bound:
        raise LimitFileError(path, "band_max", f"must be above max ({bound})")
    inclusive = _req(data, "inclusive", bool, "", path)
    cap = _opt(data, "max_examples", int, "", path)
    if cap is not None and cap < 1:
        raise LimitFileError(path, "max_examples", "must be at least 1")
    rules_raw = _req(data, "rule", list, "", path)
    rules = tuple(_rule(r, i, source, bound, path) for i, r in enumerate(rules_raw))
    for v in ALL_VERSIONS:
        hits = [i for i, r in enumerate(rules) if v in r.versions]
        if len(hits) != 1:
            raise LimitFileError(path, "rule", f"version {v} is covered by {len(hits)} rules {hits}: "
                                               "the rules must cover every version exactly once")
    apis_raw = _req(data, "api", list, "", path)
    if not apis_raw:
        raise LimitFileError(path, "api", "must name at least one API")
    apis = tuple(_limit_api(a, i, unit, path) for i, a in enumerate(apis_raw))
    catches = tuple(_typed(c, str, "catches", path) for c in _opt(data, "catches", list, "", path, []))
    return Limit(lid, title, source, unit, bound, inclusive, rules, apis, str(path), low, band, cap,
                 _opt(data, "description", str, "", path, ""), catches)


def load_limits(directory: Path | str) -> LimitLoad:
    """Every ``*.toml`` under ``directory``; a missing directory is no limits, not an error."""
    out = LimitLoad()
    directory = Path(directory)
    if not directory.is_dir():
        return out
    paths = [p for p in sorted(directory.glob("*.toml")) if not p.name.startswith("_")]
    limits, errs = load_each(paths, load_limit_file, LimitFileError)
    out.limits.extend(limits)
    out.errors.extend(errs)
    return out
