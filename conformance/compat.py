"""What a set of results says about compatibility: the verdicts people quote.

The matrix and the vendor report both state these, so they are computed once, here, from
records only (pure: no I/O, no rendering).  A column is one (target, API version) pair.
A target "conforms to" the highest documented version up to which every applicable case
passes; a skip (a fixture the site does not provide) neither proves nor breaks that and
is counted beside it; an error (the check could not be judged) breaks it, because nobody
can quote a conformance that was not shown.  There is deliberately no score across
targets: two sites answer different questions.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from .results import CaseResult, version_key
from .run_diff import worst_by_key
from .versions import ALL_VERSIONS, VersionError, parse_version

__all__ = [
    "Column", "CODES", "CODE_OUTCOME", "columns_of", "cell_code", "service_of", "case_services",
    "HeadingVerdict", "heading_verdict", "Level", "conformance_level",
    "ServiceSummary", "service_summaries", "compare_outcomes",
]

# One letter per cell state, as the page's script and the tests read them.
CODES = {
    "p": "pass", "o": "old rule (pass)", "f": "fail", "q": "old rule (fail)", "e": "error",
    "s": "skip", "n": "not applicable", "x": "not run",
}
CODE_OUTCOME = {"p": "pass", "o": "pass", "f": "fail", "q": "fail", "e": "error", "s": "skip",
                "n": "not-applicable", "x": "not-run"}


@dataclass(frozen=True)
class Column:
    target: str
    version: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.target, self.version)


def columns_of(results: Iterable[CaseResult]) -> list[Column]:
    """Columns grouped by target (in the order targets first appear), versions ascending."""
    order: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    for r in results:
        order.setdefault(r.target, len(order))
        seen.add((r.target, r.version))
    return [Column(t, v) for t, v in sorted(seen, key=lambda c: (order[c[0]], version_key(c[1])))]


def before_change(r: CaseResult) -> bool:
    """A version older than the change: the case checks the rule that held then."""
    return version_key(r.version) < version_key(r.introduced)


def cell_code(r: CaseResult | None) -> str:
    if r is None:
        return "x"
    if r.outcome == "pass":
        return "o" if before_change(r) else "p"
    if r.outcome == "fail":
        return "q" if before_change(r) else "f"
    return {"error": "e", "skip": "s", "not-applicable": "n"}[r.outcome]


def service_of(records: Sequence[CaseResult], known: dict[str, str] | None = None) -> str:
    """The service of a case: the namespace of the step that calls its first named API.

    A case with no step anywhere (not applicable at every version run) takes the service
    another case's step showed for the same API (``known``: lower-case API -> service).
    """
    apis = [a.lower() for a in (records[0].apis if records else [])]
    first = ""
    for r in records:
        for s in r.steps:
            service, _, api = s.api.partition(".")
            if apis and api.lower() == apis[0]:
                return service
            first = first or service
    if first:
        return first
    if apis and known and apis[0] in known:
        return known[apis[0]]
    return "boundary" if records and records[0].kind == "boundary" else "unknown"


def case_services(by_case: dict[str, list[CaseResult]]) -> dict[str, str]:
    """case id -> service, for every case of a results set."""
    known: dict[str, str] = {}
    for rs in by_case.values():
        for r in rs:
            for s in r.steps:
                service, _, api = s.api.partition(".")
                known.setdefault(api.lower(), service)
    return {cid: service_of(rs, known) for cid, rs in by_case.items()}


# ------------------------------------------------------------------ release-note headings

@dataclass(frozen=True)
class HeadingVerdict:
    state: str              # pass | partial | fail | untested | n/a
    counts: dict[str, int]  # outcome -> number of cases


def heading_verdict(cells: Iterable[CaseResult | None]) -> HeadingVerdict:
    """One heading at one column: all its cases pass, partially, or fail."""
    counts = Counter(r.outcome if r is not None else "not-run" for r in cells)
    good = counts.get("pass", 0)
    bad = counts.get("fail", 0) + counts.get("error", 0)
    unknown = counts.get("skip", 0) + counts.get("not-run", 0)
    if bad and not good:
        state = "fail"
    elif bad or (good and unknown):
        state = "partial"
    elif good:
        state = "pass"
    elif unknown:
        state = "untested"
    else:
        state = "n/a"
    return HeadingVerdict(state, {k: v for k, v in counts.items() if v})


# -------------------------------------------------------------------- conformance levels

@dataclass
class Level:
    """The highest version a target (or one of its services) is shown to conform to."""
    version: str | None            # None: not shown at any version
    at: str | None = None          # the column (API version) that showed it
    deviations: list[CaseResult] = field(default_factory=list)  # fail/error records, all columns
    skipped: int = 0               # skipped cases in the column that showed it
    checked: int = 0               # cases that passed in that column

    def sentence(self) -> str:
        if self.version is None:
            if self.deviations:
                first = min((r.introduced for r in self.deviations), key=version_key)
                return f"conforms to no documented version (a change of {first} already deviates)"
            if self.skipped:
                return f"conformance not shown: every applicable case was skipped ({self.skipped})"
            return "not applicable at the versions run"
        text = f"conforms to {self.version}"
        if self.skipped:
            text += f" ({self.skipped} case(s) skipped: fixtures not provided)"
        return text


def _documented_upto(version: str) -> list[str]:
    try:
        v = parse_version(version)
    except VersionError:
        return []
    return [str(x) for x in ALL_VERSIONS if x <= v]


def _column_level(records: Sequence[CaseResult]) -> str | None:
    """Up to which version this column's cases pass: every change introduced up to it passes."""
    version = records[0].version
    bad = [r for r in records if r.outcome in ("fail", "error")]
    if not any(r.outcome == "pass" for r in records):
        return None
    if not bad:
        return version
    first_bad = min(version_key(r.introduced) for r in bad)
    below = [v for v in _documented_upto(version) if version_key(v) < first_bad]
    return below[-1] if below else None


def conformance_level(records: Iterable[CaseResult]) -> Level:
    """The records of one target (all its columns): the level it is shown to conform to."""
    by_version: dict[str, list[CaseResult]] = {}
    for r in records:
        by_version.setdefault(r.version, []).append(r)
    deviations = [r for rs in by_version.values() for r in rs if r.outcome in ("fail", "error")]
    best: Level = Level(None, skipped=len({r.case_id for rs in by_version.values() for r in rs if r.outcome == "skip"}))
    for version in sorted(by_version, key=version_key):
        rs = by_version[version]
        level = _column_level(rs)
        if level is not None and (best.version is None or version_key(level) > version_key(best.version)):
            best = Level(level, version, skipped=sum(r.outcome == "skip" for r in rs),
                         checked=sum(r.outcome == "pass" for r in rs))
    best.deviations = deviations
    return best


@dataclass
class ServiceSummary:
    service: str
    level: Level
    cases: int

    def sentence(self) -> str:
        devs = len({r.case_id for r in self.level.deviations})
        text = f"{self.service}: {self.level.sentence()}"
        if devs:
            text += f"; {devs} deviation(s)"
        return text


def service_summaries(records: Iterable[CaseResult], service: dict[str, str]) -> list[ServiceSummary]:
    """Per service (``service`` maps case id -> service) of one target."""
    groups: dict[str, list[CaseResult]] = {}
    for r in records:
        groups.setdefault(service.get(r.case_id, "unknown"), []).append(r)
    return [ServiceSummary(s, conformance_level(rs), len({r.case_id for r in rs}))
            for s, rs in sorted(groups.items())]


# ------------------------------------------------------------------------------ baseline

def compare_outcomes(baseline: Iterable[CaseResult], current: Iterable[CaseResult]
                     ) -> dict[tuple[str, str, str], tuple[str | None, str]]:
    """(case, target, version) -> (baseline outcome or None if new, current outcome), changed only.

    Keys are reduced as ``diff`` reduces them (the worst record of a merged key), so the
    matrix's "changed since" marks and ``webex-conformance diff`` never disagree.
    """
    old, new = worst_by_key(baseline), worst_by_key(current)
    return {k: (old[k].outcome if k in old else None, r.outcome)
            for k, r in new.items() if k not in old or old[k].outcome != r.outcome}
