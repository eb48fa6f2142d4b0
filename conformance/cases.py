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

from .casefields import CaseFileError, Field, load_each
from .checks import CHECKS, FILE_KEYS, MailExpectation
from .namespaces import SERVICES
from .versions import Version, VersionError, VersionRange, documented, ALL_VERSIONS

__all__ = [
    "Case", "Step", "Expectation", "MailExpectation", "CaseFileError", "LoadReport",
    "load_cases", "load_case_file", "KINDS", "ROLES", "SITES", "FIXTURES", "ROLE_USER",
    "EXPECT_KEYS", "STEP_KEYS", "CASE_KEYS",
]

KINDS = ("element", "behaviour", "limit", "deprecation", "new-api", "no-schema-change")
ROLES = ("site-admin", "host", "attendee", "anonymous", "access-token")
# The fixture user a role signs in as: placeholders say ${users.admin.webExID} where
# roles say "site-admin".  Targets (config, the embedded server) read the same map.
ROLE_USER = {"site-admin": "admin", "host": "host", "attendee": "attendee"}
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
    "deletable-recording": "two recordings of the host that the suite may delete "
                           "(recordings.deletable, recordings.deletable2)",
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
RUNNER_VALUES = ("target.version", "run.unique", "run.number")
SITE_FIXTURES = {"suspended": "suspended-site", "control-hub": "control-hub-site",
                 "auto-record": "auto-record-site"}

_ID = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")


@dataclass(frozen=True)
class Expectation:
    """What one step must show at the versions of ``versions``: the values of the check
    kinds the file sets (plus the kinds' defaults), in ``checks.CHECKS`` order."""

    versions: VersionRange
    checks: tuple[tuple[str, Any], ...] = ()       # (check kind key, parsed value)
    not_applicable: str | None = None              # reason: the case does not apply here

    @classmethod
    def of(cls, versions: VersionRange, **values: Any) -> "Expectation":
        """An expectation from parsed values by check kind key, the kinds' defaults filled in."""
        unknown = set(values) - {k.key for k in CHECKS}
        if unknown:
            raise TypeError(f"unknown check kind(s): {', '.join(sorted(unknown))}")
        checks = []
        for kind in CHECKS:
            v = values.get(kind.key, kind.default)
            if v is not None:
                checks.append((kind.key, v))
        return cls(versions, tuple(checks))

    def get(self, key: str, default: Any = None) -> Any:
        for k, v in self.checks:
            if k == key:
                return v
        return default

    @property
    def schema_valid(self) -> bool:
        return bool(self.get("schema_valid", False))

    @property
    def reads_mail(self) -> bool:
        keys = {k for k, _ in self.checks}
        return any(kind.reads_mail for kind in CHECKS if kind.key in keys)

    def placeholders(self) -> list[tuple[str, str]]:
        """(field under this expectation, text) of every templated value of its checks."""
        out: list[tuple[str, str]] = []
        values = dict(self.checks)
        for kind in CHECKS:
            if kind.key in values:
                out += kind.placeholders(values[kind.key])
        return out


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
    requires: tuple[str, ...] = ()                 # fixtures needed only where this step runs

    def runs_at(self, version: Version) -> bool:
        """Setup always runs; a judged step runs where it has an applicable expectation."""
        if not self.judged:
            return True
        e = self.expectation_for(version)
        return e is not None and e.not_applicable is None

    def templated_fields(self) -> list[tuple[str, str]]:
        """(field, text) of every field whose ${...} placeholders are filled at run time."""
        fields = [("body", self.body)] + [(f"security.{k}", v) for k, v in self.security]
        fields += [(f"templates.{k}", v) for k, v in self.templates]
        for i, e in enumerate(self.expect):
            fields += [(f"expect[{i}].{name}", text) for name, text in e.placeholders()]
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
    # (fixture, versions): needed only at those versions ({ fixture, versions } in requires)
    requires_when: tuple[tuple[str, VersionRange], ...] = ()

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

    def steps_at(self, version: Version) -> tuple[Step, ...]:
        """The steps that run at ``version`` (setup and applicable judged steps), in order."""
        return tuple(s for s in self.steps if s.runs_at(version))

    def requires_at(self, version: Version) -> tuple[str, ...]:
        """The fixtures a target must provide to run this case at ``version``.

        ``requires`` lists every fixture named anywhere (for markers and ``list``); a
        fixture given with a version range, or by a step, is needed only where it applies,
        so a fixture that exists only from some version does not skip the older ones.
        """
        conditional = {name for name, _ in self.requires_when} | {r for s in self.steps for r in s.requires}
        names = [r for r in self.requires if r not in conditional]
        names += [name for name, vr in self.requires_when if version in vr]
        names += [r for s in self.steps_at(version) for r in s.requires]
        return tuple(dict.fromkeys(names))

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


EXPECT_KEYS = ("versions", "not_applicable", *FILE_KEYS)
STEP_KEYS = ("name", "api", "role", "site", "body", "idempotent", "security", "capture",
             "templates", "expect", "write", "requires")
CASE_KEYS = ("id", "title", "introduced", "source", "apis", "kind", "requires", "description",
             "note", "not_observable", "embedded_only", "step")
WRITE_KINDS = ("read", "create", "change", "delete")   # step.write (conformance.write_guard)


def _expectation(d: Any, at: Field) -> Expectation:
    at.typed(d, dict)
    at.only(d, EXPECT_KEYS)
    try:
        vr = VersionRange.parse(at.required(d, "versions", str))
    except VersionError as exc:
        raise at.child("versions").error(str(exc)) from None
    if "not_applicable" in d:
        na = at.child("not_applicable").typed(d["not_applicable"], str)
        return Expectation(versions=vr, not_applicable=na or "not applicable")
    values = {kind.key: kind.parse(d[kind.key], at.child(kind.key))
              for kind in CHECKS if kind.key in d and kind.parse is not None}
    return Expectation.of(vr, **values)


def _step(d: Any, index: int, path: Path) -> Step:
    at = Field(str(path), f"step[{index}]")
    at.typed(d, dict)
    at.only(d, STEP_KEYS)
    api_full = at.required(d, "api", str)
    if api_full.count(".") != 1:
        raise at.child("api").error(f"must be service.Api, e.g. user.LstsummaryUser, not {api_full!r}")
    service, api = api_full.split(".")
    if service not in SERVICES:
        raise at.child("api").error(f"unknown service {service!r} (known: {', '.join(SERVICES)})")
    role = at.required(d, "role", str)
    if role not in ROLES:
        raise at.child("role").error(f"unknown role {role!r} (known: {', '.join(ROLES)})")
    site = at.optional(d, "site", str, "main")
    if site not in SITES:
        raise at.child("site").error(f"unknown site {site!r} (known: {', '.join(SITES)})")
    body = at.optional(d, "body", str, "")
    default_idem = api.startswith(("Get", "Lst", "get", "lst"))
    idem = at.optional(d, "idempotent", bool, default_idem)
    tables = {}
    for key in ("security", "capture", "templates"):
        t = at.optional(d, key, dict, {})
        for k, v in t.items():
            at.child(key).child(k).typed(v, str)
            if key == "capture":
                at.child(key).child(k).xpath(v)
        tables[key] = tuple(t.items())
    expects = at.optional(d, "expect", list, [])
    parsed = tuple(_expectation(e, at.child("expect").child(i)) for i, e in enumerate(expects))
    _check_overlap(parsed, f"step[{index}].expect", path)
    write = d.get("write")
    if write is not None and write not in WRITE_KINDS:
        raise at.child("write").error(f"must be one of {', '.join(WRITE_KINDS)}, not {write!r}")
    requires = _fixture_names(at.child("requires"), at.optional(d, "requires", list, []))
    return Step(index, at.optional(d, "name", str, api), service, api, role,
                site, body, idem, tables["security"], tables["capture"], tables["templates"], parsed, write,
                requires)


def _fixture(at: Field, name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise at.error("must be a fixture name or a { fixture, versions } table")
    if name not in FIXTURES:
        raise at.error(f"unknown fixture {name!r} (known: {', '.join(FIXTURES)})")
    return name


def _fixture_names(at: Field, value: list) -> tuple[str, ...]:
    return tuple(_fixture(at.child(i), r) for i, r in enumerate(at.typed(value, list)))


def _requires(at: Field, value: Any) -> tuple[tuple[str, ...], tuple[tuple[str, VersionRange], ...]]:
    """``requires``: fixture names, or tables ``{ fixture = "captcha", versions = ">= 39.10.0" }``
    for a fixture needed only at some versions; returns (plain names, (name, range) pairs)."""
    at.typed(value, list)
    plain: list[str] = []
    when: list[tuple[str, VersionRange]] = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            where = at.child(i)
            where.only(item, ("fixture", "versions"))
            name = _fixture(where.child("fixture"), where.required(item, "fixture", str))
            try:
                when.append((name, VersionRange.parse(where.required(item, "versions", str))))
            except VersionError as exc:
                raise where.child("versions").error(str(exc)) from None
        else:
            plain.append(_fixture(at.child(i), item))
    return tuple(plain), tuple(when)


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
    at = Field(str(path))
    at.only(data, CASE_KEYS)
    cid = at.required(data, "id", str)
    if not _ID.match(cid):
        raise at.child("id").error(f"must be lower-case letters, digits, dots and dashes, not {cid!r}")
    title = at.required(data, "title", str)
    try:
        introduced = documented(at.required(data, "introduced", str))
    except VersionError as exc:
        raise at.child("introduced").error(str(exc)) from None
    source = at.required(data, "source", str)
    apis = at.child("apis").str_list(at.required(data, "apis", list))
    if not apis:
        raise at.child("apis").error("must name at least one API")
    kind = at.required(data, "kind", str)
    if kind not in KINDS:
        raise at.child("kind").error(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    plain, requires_when = _requires(at.child("requires"), data.get("requires", []))
    not_observable = data.get("not_observable")
    if not_observable is not None:
        at.child("not_observable").typed(not_observable, str)
    steps_raw = at.optional(data, "step", list, [])
    if not steps_raw and not_observable is None:
        raise at.child("step").error("a case needs at least one [[step]] (or not_observable with a reason)")
    steps = tuple(_step(s, i, path) for i, s in enumerate(steps_raw))
    _check_placeholders(steps, path)
    if steps and not any(s.judged for s in steps):
        raise at.child("step").error("no step has an [[step.expect]]: the case would check nothing")
    embedded_only = data.get("embedded_only")
    if embedded_only is not None and (not isinstance(embedded_only, str) or not embedded_only.strip()):
        raise at.child("embedded_only").error("must be the reason, as a non-empty string")
    every = tuple(dict.fromkeys((*plain, *(n for n, _ in requires_when), *(r for s in steps for r in s.requires))))
    case = Case(cid, title, introduced, source, apis, kind, steps, str(path), every,
                at.optional(data, "description", str, ""), at.optional(data, "note", str, ""), not_observable,
                embedded_only, requires_when)
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
    paths = [p for p in sorted(directory.rglob("*.toml"))
             if not p.name.startswith("_") and p.name != "headings.toml"]
    cases, errs = load_each(paths, load_case_file)
    report.cases.extend(cases)
    report.errors.extend(errs)
    report.cases.sort(key=lambda c: (c.introduced, c.id))
    return report
