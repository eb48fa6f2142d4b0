"""The release gate's decision: fail on regressions against a baseline, never on a known failure.

Pure: two results documents, the accepted failures and today's date in; a ``Decision``
out, which the ``gate`` command prints, writes as JSON and as JUnit.  The rules:

- a regression is a (case, target, version) that passed in the baseline and now fails,
  errs, is skipped or was not run at all;
- results in which nothing was judged (no pass, fail or error) fail the gate: never green
  on nothing;
- a failure or error an unexpired expectations entry accepts is a known failure, never a
  regression (a skip is not accepted: a case that no longer runs must be made to run);
- a failure that did not pass in the baseline (failed there too, or is new) is reported,
  not a regression;
- an expired entry fails the gate, and so does a stale one (its case now passes where it
  applies), so the expectations file cannot rot.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Iterable

from .expectations import Accepted
from .results import CaseResult, ResultsDoc, version_key
from .run_diff import FAILING, JUDGED_NOT, comparability, worst_by_key
from .versions import VersionError, parse_version

__all__ = ["Finding", "Decision", "decide", "refusal", "reproduce_command"]


@dataclass(frozen=True)
class Finding:
    """One (case, target, version) the gate has something to say about."""
    case_id: str
    target: str
    version: str
    baseline: str | None          # outcome in the baseline (None: absent)
    now: str | None               # outcome now (None: not run)
    reason: str
    source: str                   # the release-note heading
    reproduce: str
    accepted_by: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "target": self.target, "version": self.version,
                "baseline": self.baseline, "now": self.now or "not run", "reason": self.reason,
                "source": self.source, "reproduce": self.reproduce, "accepted_by": list(self.accepted_by)}


@dataclass
class Decision:
    notes: list[str] = field(default_factory=list)            # facts worth a line (interrupted run ...)
    regressions: list[Finding] = field(default_factory=list)
    accepted: list[Finding] = field(default_factory=list)     # known failures, accepted by an entry
    failing_before: list[Finding] = field(default_factory=list)  # fails, but did not pass in the baseline
    expired: list[Accepted] = field(default_factory=list)
    stale: list[Accepted] = field(default_factory=list)
    unused: list[Accepted] = field(default_factory=list)      # matched nothing this run (not a failure)
    judged: int = 0                                           # records with pass, fail or error

    @property
    def passed(self) -> bool:
        return bool(self.judged) and not (self.regressions or self.expired or self.stale)

    def to_dict(self) -> dict[str, Any]:
        return {"decision": "pass" if self.passed else "fail", "judged": self.judged, "notes": list(self.notes),
                "regressions": [f.to_dict() for f in self.regressions],
                "accepted": [f.to_dict() for f in self.accepted],
                "failing_before": [f.to_dict() for f in self.failing_before],
                "expired": [e.to_dict() for e in self.expired], "stale": [e.to_dict() for e in self.stale],
                "unused": [e.to_dict() for e in self.unused]}

    def headline(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return (f"gate: {verdict}: {len(self.regressions)} regression(s), {len(self.expired)} expired and "
                f"{len(self.stale)} stale expectation(s); {len(self.accepted)} known failure(s) accepted, "
                f"{len(self.failing_before)} failing that did not pass in the baseline either; {self.judged} record(s) judged")

    def text_lines(self) -> list[str]:
        lines = [self.headline(), *(f"note: {n}" for n in self.notes)]
        for f in self.regressions:
            now = f.now or "not run"
            lines.append(f"REGRESSION {f.case_id} on {f.target} at {f.version}: {f.baseline} -> {now}"
                         + (f": {f.reason}" if f.reason else ""))
            lines.append(f"  release note: {f.source}")
            lines.append(f"  reproduce: {f.reproduce}")
        for e in self.expired:
            lines.append(f"EXPIRED {e.where}: expired on {e.expires.isoformat()} (owner {e.owner}, {e.link}): "
                         f"renew it with a new date or fix the failure")
        for e in self.stale:
            lines.append(f"STALE {e.where}: the failure it accepts no longer happens where it applies; "
                         f"remove the entry")
        for f in self.accepted:
            lines.append(f"known failure {f.case_id} on {f.target} at {f.version}: {f.reason} "
                         f"(accepted by {', '.join(f.accepted_by)})")
        for f in self.failing_before:
            lines.append(f"failing (not passing in the baseline either) {f.case_id} on {f.target} at {f.version}: {f.reason}")
        for e in self.unused:
            lines.append(f"unused {e.where}: no record of this run judged it")
        return lines


def reproduce_command(record: CaseResult, runs: Iterable[dict]) -> str:
    """The `replay` command that re-sends a record's case to the same target at the same version."""
    try:
        version = parse_version(record.version).slug
    except VersionError:
        version = f"'{record.version}'"
    cmd = f"webex-conformance replay {record.case_id} --api-version {version}"
    runs = [r for r in runs if isinstance(r, dict)]
    targets = [t for r in runs for t in (r.get("targets") or []) if isinstance(t, dict)
               and t.get("name") == record.target]
    embedded = any(t.get("embedded") for t in targets) if targets else record.endpoint.startswith("http://127.0.0.1")
    if embedded:
        defects = sorted({d for r in runs for d in (r.get("server_defects") or []) if isinstance(d, str)})
        cmd += "".join(f" --server-defect {d}" for d in defects)
    else:
        cmd += f" --endpoint {record.endpoint}"
    return cmd


def _failing_checks(record: CaseResult) -> set[str]:
    return {v.check for v in record.verdicts if v.outcome in FAILING}


def _covers(entry_check: str | None, check: str) -> bool:
    """An entry's check names a verdict check exactly ("equals://ep:apiVer") or its kind ("equals")."""
    return entry_check is None or check == entry_check or check.startswith(entry_check + ":")


def _accepting(record: CaseResult, entries: list[Accepted]) -> list[Accepted]:
    """The entries that together accept this failing record (empty: not accepted)."""
    matching = [e for e in entries if e.matches(record)]
    if any(e.check is None for e in matching):
        return [e for e in matching if e.check is None]
    failing = _failing_checks(record)
    if not failing or not all(any(_covers(e.check, c) for e in matching) for c in failing):
        return []
    return [e for e in matching if any(_covers(e.check, c) for c in failing)]


def _uses(entry: Accepted, record: CaseResult) -> bool:
    """Whether a record of the entry's case still fails in the way the entry accepts."""
    return record.outcome in FAILING and (entry.check is None
                                          or any(_covers(entry.check, c) for c in _failing_checks(record)))


def decide(results: ResultsDoc, baseline: ResultsDoc, entries: Iterable[Accepted],
           today: _dt.date) -> Decision:
    """Judge ``results`` against ``baseline`` and the accepted failures, as of ``today``.

    Raises nothing: comparability is the caller's to refuse (``comparability``), so the
    decision can still be printed in a dry run.
    """
    entries = list(entries)
    out = Decision()
    active = [e for e in entries if not e.expired(today)]
    out.expired = [e for e in entries if e.expired(today)]
    for run in results.runs:
        status = run.get("status") if isinstance(run, dict) else None
        if status and status != "completed":
            out.notes.append(f"a run of the results was {status}: records it did not write count as not run")
    for c in results.conflicts:
        if not c.agree:
            out.notes.append(c.describe() + " (the worst counts)")
    now, before = worst_by_key(results.results), worst_by_key(baseline.results)
    out.judged = sum(1 for r in now.values() if r.outcome not in JUDGED_NOT)
    if not out.judged:
        out.notes.append("nothing was judged: the results hold no pass, fail or error record")
    keys = sorted(set(now) | set(before), key=lambda k: (k[1], version_key(k[2]), k[0]))
    for key in keys:
        r, b = now.get(key), before.get(key)
        ref = r or b
        assert ref is not None
        base_outcome = b.outcome if b else None
        failing_now = r is None or r.outcome in FAILING or (base_outcome == "pass" and r.outcome != "pass")
        if not failing_now:
            continue
        reason = r.reason if r is not None else "no record in the results (not run)"
        finding = Finding(*key, baseline=base_outcome, now=r.outcome if r else None, reason=reason,
                          source=ref.source, reproduce=reproduce_command(ref, results.runs or baseline.runs))
        accepting = _accepting(r, active) if r is not None and r.outcome in FAILING else []
        if accepting:
            out.accepted.append(dataclasses.replace(finding, accepted_by=tuple(e.where for e in accepting)))
        elif base_outcome == "pass":
            out.regressions.append(finding)
        elif r is not None and r.outcome in FAILING:
            out.failing_before.append(finding)
    for e in active:
        matched = [r for r in now.values() if e.matches(r)]
        if any(_uses(e, r) for r in matched):
            continue
        if any(r.outcome not in JUDGED_NOT for r in matched):  # judged, and not failing its way
            out.stale.append(e)
        else:  # nothing of its case ran here, or it was only skipped: no evidence either way
            out.unused.append(e)
    return out


def refusal(results: ResultsDoc, baseline: ResultsDoc, results_name: str, baseline_name: str) -> str | None:
    """Why this results file cannot be gated against this baseline (None: it can)."""
    notes = comparability(baseline, results, baseline_name, results_name)
    if not notes:
        return None
    return f"{baseline_name} is not a baseline for {results_name}: {'; '.join(notes)}"
