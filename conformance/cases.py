"""Cases are data: load ``cases/**/*.toml`` into typed, validated ``Case`` objects.

A bad file never stops the others from loading: ``load_cases`` returns the good cases
and, for each bad file, an error naming the file, the field and the reason.  The format
is documented in ``docs/CASES.md``.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .namespaces import RESULTS, SERVICES
from .versions import Version, VersionError, VersionRange, documented, ALL_VERSIONS

__all__ = [
    "Case", "Step", "Expectation", "MailExpectation", "CaseFileError", "LoadReport",
    "load_cases", "load_case_file", "KINDS", "ROLES", "SITES", "FIXTURES",
]

KINDS = ("element", "behaviour", "limit", "deprecation", "new-api", "no-schema-change")
ROLES = ("site-admin", "host", "attendee", "anonymous", "access-token")
SITES = ("main", "suspended", "control-hub", "auto-record")

# Fixtures a site may provide.  A case that requires one the target does not provide is
# skipped with its name, never silently passed.  Keep in step with docs/CASES.md.
FIXTURES: dict[str, str] = {
    "suspended-site": "credentials of a site admin and a host on a suspended site",
    "control-hub-site": "credentials of a site admin on a Control Hub managed site",
    "auto-record-site": "credentials of a host on a site that records every session (NBR)",
    "anonymous-session": "the session key of a host's Personal Room, for anonymous GetSessionInfo",
    "access-token": "a machine-account access token (GetSiteFT/SetSiteFT)",
    "recording": "an NBR recording ID and a service recording ID owned by the host, created in the last 28 days",
    "deletable-recording": "a recording of the host that the suite may delete",
    "shared-recording": "a recording another user shared to the host",
    "mail-sink": "a URL listing the mails the service sent (JSON)",
    "cet-event": "the session key of an event that supports Webex Video (CMR 4.0)",
    "training-poll": "the session key of a training session with stored poll results, including a quiz "
                     "question with a correct answer",
    "history": "usage history (training attendee, meeting usage) within the last 28 days",
    "webex-video": "the host has Webex Video (CET) privileges and a video-enabled Personal Room",
    "profile-fields-toggle": "the main site has EnableCustomizeProfileFields on (42.2.0 allowChange* elements)",
    "cet-for-all-users": "the main site has EnableCETForAllUsers on (SP18 EnableCloudTelepresence)",
    "webinar": "the session key of a webinar whose attendees are view-only (sessions.webinar)",
    "captcha": "a CAPTCHA ID and word the site accepts (test sites only), for anonymous calls from 39.10.0",
}

# Placeholder values a target supplies (docs/CASES.md); anything else a case uses must be
# captured by an earlier step or filled in by the runner.
VALUE_PREFIXES = ("site.", "sites.", "users.", "sessions.", "recordings.", "mail.", "captcha.", "history.")
RUNNER_VALUES = ("target.version", "run.unique")
SITE_FIXTURES = {"suspended": "suspended-site", "control-hub": "control-hub-site",
                 "auto-record": "auto-record-site"}

_ID = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")
_XCODE = re.compile(r"^\d{5,6}$")


class CaseFileError(Exception):
    """One mistake in one case file: which file, which field, why."""

    def __init__(self, path: Path | str, fieldname: str, reason: str):
        self.path = str(path)
        self.field = fieldname
        self.reason = reason
        super().__init__(f"{self.path}: {fieldname}: {reason}" if fieldname else f"{self.path}: {reason}")


@dataclass(frozen=True)
class MailExpectation:
    to: str                      # template, e.g. "${users.host.email}"
    subject: str = ""            # regex
    body: str = ""               # regex
    sent: bool = True            # false: the step must NOT send such a mail


@dataclass(frozen=True)
class Expectation:
    versions: VersionRange
    result: str | None = None
    exception_id: str | None = None
    reason: str | None = None                      # regex, searched
    value: str | None = None                       # exact
    present: tuple[str, ...] = ()                  # XPaths (prefixes from namespaces.NS)
    absent: tuple[str, ...] = ()
    equals: tuple[tuple[str, str], ...] = ()       # (xpath, template text)
    matches: tuple[tuple[str, str], ...] = ()      # (xpath, regex) for every match
    count: tuple[tuple[str, int], ...] = ()        # (xpath, number of nodes)
    schema_valid: bool = True
    mail: MailExpectation | None = None
    not_applicable: str | None = None              # reason: the case does not apply here


@dataclass(frozen=True)
class Step:
    index: int
    name: str
    service: str
    api: str
    role: str
    site: str
    body: str
    idempotent: bool
    security: tuple[tuple[str, str], ...] = ()     # extra securityContext children
    capture: tuple[tuple[str, str], ...] = ()      # (variable, xpath)
    templates: tuple[tuple[str, str], ...] = ()    # (name, xml) for ${repeat:N:name}
    expect: tuple[Expectation, ...] = ()
    write: str | None = None                       # override of write_guard.classify(api)

    def templated_fields(self) -> list[tuple[str, str]]:
        """(field, text) of every field whose ${...} placeholders are filled at run time."""
        fields = [("body", self.body)] + [(f"security.{k}", v) for k, v in self.security]
        fields += [(f"templates.{k}", v) for k, v in self.templates]
        for i, e in enumerate(self.expect):
            fields += [(f"expect[{i}].equals.{xp}", v) for xp, v in e.equals]
            if e.mail is not None:
                fields.append((f"expect[{i}].mail.to", e.mail.to))
        return fields

    @property
    def judged(self) -> bool:
        """A step with expectations is judged; one without is setup and must succeed."""
        return bool(self.expect)

    def expectation_for(self, version: Version) -> Expectation | None:
        for e in self.expect:
            if version in e.versions:
                return e
        return None


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    introduced: Version
    source: str
    apis: tuple[str, ...]
    kind: str
    steps: tuple[Step, ...]
    path: str
    requires: tuple[str, ...] = ()
    description: str = ""
    note: str = ""
    not_observable: str | None = None
    embedded_only: str | None = None               # reason: its writes cannot be undone on a real site

    @property
    def test_id(self) -> str:
        return f"{self.introduced.slug}/{self.id}"

    def applies_to(self, version: Version) -> bool:
        """Whether any judged step has an expectation (other than not-applicable) here."""
        for s in self.steps:
            e = s.expectation_for(version)
            if e is not None and e.not_applicable is None:
                return True
        return False

    def not_applicable_reason(self, version: Version) -> str:
        for s in self.steps:
            e = s.expectation_for(version)
            if e is not None and e.not_applicable:
                return e.not_applicable
        return f"no expectation covers version {version}"


@dataclass
class LoadReport:
    cases: list[Case] = field(default_factory=list)
    errors: list[CaseFileError] = field(default_factory=list)

    def by_id(self) -> dict[str, Case]:
        return {c.id: c for c in self.cases}


def _req(d: dict, key: str, typ: type | tuple, where: str, path: Path) -> Any:
    if key not in d:
        raise CaseFileError(path, f"{where}{key}", "missing required field")
    return _typed(d[key], typ, f"{where}{key}", path)


def _typed(value: Any, typ: type | tuple, name: str, path: Path) -> Any:
    if typ is str and not isinstance(value, str):
        raise CaseFileError(path, name, f"must be a string, not {type(value).__name__}")
    if typ is bool and not isinstance(value, bool):
        raise CaseFileError(path, name, f"must be true or false, not {type(value).__name__}")
    if typ is list and not isinstance(value, list):
        raise CaseFileError(path, name, f"must be a list, not {type(value).__name__}")
    if typ is dict and not isinstance(value, dict):
        raise CaseFileError(path, name, f"must be a table, not {type(value).__name__}")
    return value


def _str_list(value: Any, name: str, path: Path) -> tuple[str, ...]:
    _typed(value, list, name, path)
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise CaseFileError(path, f"{name}[{i}]", "must be a non-empty string")
    return tuple(value)


def _check_regex(pattern: str, name: str, path: Path) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise CaseFileError(path, name, f"not a valid regular expression: {exc}") from None


def _check_xpath(xpath: str, name: str, path: Path) -> None:
    from lxml import etree
    from .namespaces import NS
    try:
        # evaluated once on an empty element: compiling alone misses an undefined prefix
        etree.XPath(xpath, namespaces=NS)(etree.Element("probe"))
    except etree.XPathError as exc:
        raise CaseFileError(path, name, f"not a valid XPath ({exc}; prefixes: "
                                        f"{', '.join(sorted(NS))}): {xpath!r}") from None


_EXPECT_KEYS = {"versions", "result", "exception_id", "reason", "value", "present", "absent",
                "equals", "matches", "count", "schema_valid", "mail", "not_applicable"}
_STEP_KEYS = {"name", "api", "role", "site", "body", "idempotent", "security", "capture",
              "templates", "expect", "write"}
_CASE_KEYS = {"id", "title", "introduced", "source", "apis", "kind", "requires", "description",
              "note", "not_observable", "embedded_only", "step"}
WRITE_KINDS = ("read", "create", "change", "delete")   # step.write (conformance.write_guard)


def _unknown(d: dict, allowed: set, where: str, path: Path) -> None:
    for k in d:
        if k not in allowed:
            raise CaseFileError(path, f"{where}{k}", f"unknown field (allowed: {', '.join(sorted(allowed))})")


def _expectation(d: Any, where: str, path: Path) -> Expectation:
    _typed(d, dict, where.rstrip("."), path)
    _unknown(d, _EXPECT_KEYS, where, path)
    try:
        vr = VersionRange.parse(_req(d, "versions", str, where, path))
    except VersionError as exc:
        raise CaseFileError(path, f"{where}versions", str(exc)) from None
    if "not_applicable" in d:
        na = _typed(d["not_applicable"], str, f"{where}not_applicable", path)
        return Expectation(versions=vr, not_applicable=na or "not applicable", schema_valid=False)
    result = d.get("result")
    if result is not None and result not in RESULTS:
        raise CaseFileError(path, f"{where}result", f"must be SUCCESS or FAILURE, not {result!r}")
    xid = d.get("exception_id")
    if xid is not None:
        _typed(xid, str, f"{where}exception_id", path)
        if not _XCODE.match(xid):
            raise CaseFileError(path, f"{where}exception_id", f"must be a 5- or 6-digit string, not {xid!r}")
    reason = d.get("reason")
    if reason is not None:
        _typed(reason, str, f"{where}reason", path)
        _check_regex(reason, f"{where}reason", path)
    value = d.get("value")
    if value is not None:
        _typed(value, str, f"{where}value", path)
    present = _str_list(d.get("present", []), f"{where}present", path)
    absent = _str_list(d.get("absent", []), f"{where}absent", path)
    for i, xp in enumerate(present):
        _check_xpath(xp, f"{where}present[{i}]", path)
    for i, xp in enumerate(absent):
        _check_xpath(xp, f"{where}absent[{i}]", path)
    pairs = {}
    for key in ("equals", "matches", "count"):
        table = _typed(d.get(key, {}), dict, f"{where}{key}", path)
        for xp, v in table.items():
            _check_xpath(xp, f"{where}{key}.{xp}", path)
            if key == "count":
                if not isinstance(v, int) or isinstance(v, bool):
                    raise CaseFileError(path, f"{where}{key}.{xp}", "must be an integer")
            else:
                _typed(v, str, f"{where}{key}.{xp}", path)
                if key == "matches":
                    _check_regex(v, f"{where}{key}.{xp}", path)
        pairs[key] = tuple(table.items())
    mail = None
    if "mail" in d:
        m = _typed(d["mail"], dict, f"{where}mail", path)
        _unknown(m, {"to", "subject", "body", "sent"}, f"{where}mail.", path)
        mail = MailExpectation(
            to=_req(m, "to", str, f"{where}mail.", path),
            subject=_typed(m.get("subject", ""), str, f"{where}mail.subject", path),
            body=_typed(m.get("body", ""), str, f"{where}mail.body", path),
            sent=_typed(m.get("sent", True), bool, f"{where}mail.sent", path),
        )
    sv = _typed(d.get("schema_valid", True), bool, f"{where}schema_valid", path)
    return Expectation(vr, result, xid, reason, value, present, absent, pairs["equals"],
                       pairs["matches"], pairs["count"], sv, mail)


def _step(d: Any, index: int, path: Path) -> Step:
    where = f"step[{index}]."
    _typed(d, dict, f"step[{index}]", path)
    _unknown(d, _STEP_KEYS, where, path)
    api_full = _req(d, "api", str, where, path)
    if api_full.count(".") != 1:
        raise CaseFileError(path, f"{where}api", f"must be service.Api, e.g. user.LstsummaryUser, not {api_full!r}")
    service, api = api_full.split(".")
    if service not in SERVICES:
        raise CaseFileError(path, f"{where}api", f"unknown service {service!r} (known: {', '.join(SERVICES)})")
    role = _req(d, "role", str, where, path)
    if role not in ROLES:
        raise CaseFileError(path, f"{where}role", f"unknown role {role!r} (known: {', '.join(ROLES)})")
    site = _typed(d.get("site", "main"), str, f"{where}site", path)
    if site not in SITES:
        raise CaseFileError(path, f"{where}site", f"unknown site {site!r} (known: {', '.join(SITES)})")
    body = _typed(d.get("body", ""), str, f"{where}body", path)
    default_idem = api.startswith(("Get", "Lst", "get", "lst"))
    idem = _typed(d.get("idempotent", default_idem), bool, f"{where}idempotent", path)
    tables = {}
    for key in ("security", "capture", "templates"):
        t = _typed(d.get(key, {}), dict, f"{where}{key}", path)
        for k, v in t.items():
            _typed(v, str, f"{where}{key}.{k}", path)
            if key == "capture":
                _check_xpath(v, f"{where}{key}.{k}", path)
        tables[key] = tuple(t.items())
    expects = d.get("expect", [])
    _typed(expects, list, f"{where}expect", path)
    parsed = tuple(_expectation(e, f"{where}expect[{i}].", path) for i, e in enumerate(expects))
    _check_overlap(parsed, f"{where}expect", path)
    write = d.get("write")
    if write is not None and write not in WRITE_KINDS:
        raise CaseFileError(path, f"{where}write", f"must be one of {', '.join(WRITE_KINDS)}, not {write!r}")
    return Step(index, _typed(d.get("name", api), str, f"{where}name", path), service, api, role,
                site, body, idem, tables["security"], tables["capture"], tables["templates"], parsed, write)


def _check_overlap(expects: tuple[Expectation, ...], where: str, path: Path) -> None:
    for v in ALL_VERSIONS:
        hits = [i for i, e in enumerate(expects) if v in e.versions]
        if len(hits) > 1:
            raise CaseFileError(path, where, f"expectations {hits} both cover version {v}: ranges must not overlap")


def _check_placeholders(steps: tuple[Step, ...], path: Path) -> None:
    """Every ${name} is a fixture value, a runner value, or captured by an earlier step:
    a typo fails at load time instead of quietly skipping the case on every site."""
    from .templating import placeholder_names

    captured: set[str] = set()
    for step in steps:
        where = f"step[{step.index}]."
        for fieldname, text in step.templated_fields():
            for name in placeholder_names(text):
                if (name in captured or name in RUNNER_VALUES or name.startswith(VALUE_PREFIXES)
                        or (name == "n" and fieldname.startswith("templates."))):
                    continue
                raise CaseFileError(path, where + fieldname,
                                    f"unknown placeholder ${{{name}}}: not a fixture value "
                                    f"({', '.join(p + '*' for p in VALUE_PREFIXES)}), not "
                                    f"{' or '.join(RUNNER_VALUES)}, and not captured by an earlier step")
        captured.update(var for var, _ in step.capture)


def load_case_file(path: Path) -> Case:
    """Load one case file or raise CaseFileError naming the field at fault."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CaseFileError(path, "", f"not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError(path, "", f"cannot read: {exc}") from None
    _unknown(data, _CASE_KEYS, "", path)
    cid = _req(data, "id", str, "", path)
    if not _ID.match(cid):
        raise CaseFileError(path, "id", f"must be lower-case letters, digits, dots and dashes, not {cid!r}")
    title = _req(data, "title", str, "", path)
    try:
        introduced = documented(_req(data, "introduced", str, "", path))
    except VersionError as exc:
        raise CaseFileError(path, "introduced", str(exc)) from None
    source = _req(data, "source", str, "", path)
    apis = _str_list(_req(data, "apis", list, "", path), "apis", path)
    if not apis:
        raise CaseFileError(path, "apis", "must name at least one API")
    kind = _req(data, "kind", str, "", path)
    if kind not in KINDS:
        raise CaseFileError(path, "kind", f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    requires = _str_list(data.get("requires", []), "requires", path)
    for i, r in enumerate(requires):
        if r not in FIXTURES:
            raise CaseFileError(path, f"requires[{i}]", f"unknown fixture {r!r} (known: {', '.join(FIXTURES)})")
    not_observable = data.get("not_observable")
    if not_observable is not None:
        _typed(not_observable, str, "not_observable", path)
    steps_raw = data.get("step", [])
    _typed(steps_raw, list, "step", path)
    if not steps_raw and not_observable is None:
        raise CaseFileError(path, "step", "a case needs at least one [[step]] (or not_observable with a reason)")
    steps = tuple(_step(s, i, path) for i, s in enumerate(steps_raw))
    _check_placeholders(steps, path)
    if steps and not any(s.judged for s in steps):
        raise CaseFileError(path, "step", "no step has an [[step.expect]]: the case would check nothing")
    embedded_only = data.get("embedded_only")
    if embedded_only is not None and (not isinstance(embedded_only, str) or not embedded_only.strip()):
        raise CaseFileError(path, "embedded_only", "must be the reason, as a non-empty string")
    case = Case(cid, title, introduced, source, apis, kind, steps, str(path), requires,
                _typed(data.get("description", ""), str, "description", path),
                _typed(data.get("note", ""), str, "note", path), not_observable, embedded_only)
    _check_writes(case, path)
    return case


def _check_writes(case: Case, path: Path) -> None:
    """Every write is undone by the case or by the cleanup (conformance.write_guard)."""
    from .write_guard import problems

    for index, reason in problems(case):
        raise CaseFileError(path, f"step[{index}]", f"{reason} (or mark the case embedded_only = \"why\")")


def load_cases(directory: Path | str) -> LoadReport:
    """Load every ``*.toml`` under ``directory`` (except ``headings.toml``)."""
    report = LoadReport()
    directory = Path(directory)
    if not directory.is_dir():
        report.errors.append(CaseFileError(directory, "", "not a directory of case files"))
        return report
    seen: dict[str, str] = {}
    for path in sorted(directory.rglob("*.toml")):
        if path.name.startswith("_") or path.name == "headings.toml":
            continue
        try:
            case = load_case_file(path)
        except CaseFileError as err:
            report.errors.append(err)
            continue
        if case.id in seen:
            report.errors.append(CaseFileError(path, "id", f"duplicate id {case.id!r}, also used by {seen[case.id]}"))
            continue
        seen[case.id] = str(path)
        report.cases.append(case)
    report.cases.sort(key=lambda c: (c.introduced, c.id))
    return report
