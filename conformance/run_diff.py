"""What changed between two runs, per (case, target, version): the pure comparison.

A release engineer asks "what did this build break, and what did it fix?".  The answer is
only meaningful between runs judged by the same suite with the same case files, so the
comparison first says whether the runs compare at all (from their provenance), then sorts
every key into newly failing, newly passing, no longer judged, added, removed and changed
reason.  No file is read here; the ``diff`` and ``gate`` commands do the I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .results import CaseResult, ResultsDoc, version_key

__all__ = ["FAILING", "JUDGED_NOT", "Change", "RunDiff", "mixtures", "comparability", "worst_by_key", "diff_runs", "OUTCOME_RANK",
           "CATEGORIES"]

FAILING = ("fail", "error")
JUDGED_NOT = ("skip", "not-applicable")
# When a merge kept several records for one key, the worst stands for it: a shard that
# failed is never hidden by a shard that passed, and "did not run" is never a pass.
OUTCOME_RANK = {"error": 4, "fail": 3, "skip": 2, "not-applicable": 1, "pass": 0}

CATEGORIES = ("newly_failing", "no_longer_judged", "newly_passing", "added", "removed", "changed_reason")
_TITLES = {"newly_failing": "newly failing", "no_longer_judged": "no longer judged (passed before)",
           "newly_passing": "newly passing", "added": "added", "removed": "removed",
           "changed_reason": "changed reason (or outcome)"}


@dataclass(frozen=True)
class Change:
    case_id: str
    target: str
    version: str
    old: str | None                 # outcome, None when absent
    new: str | None
    old_reason: str = ""
    new_reason: str = ""
    source: str = ""                # the release-note heading
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "target": self.target, "version": self.version,
                "old": self.old, "new": self.new, "old_reason": self.old_reason,
                "new_reason": self.new_reason, "source": self.source, "title": self.title}

    def describe(self) -> str:
        was = f"{self.old or 'absent'}" + (f" ({self.old_reason})" if self.old_reason and self.old != "pass" else "")
        now = f"{self.new or 'absent'}" + (f" ({self.new_reason})" if self.new_reason and self.new != "pass" else "")
        return f"{self.case_id} on {self.target} at {self.version}: {was} -> {now}"


@dataclass
class RunDiff:
    notes: list[str] = field(default_factory=list)      # why the runs do not compare (empty: they do)
    changes: dict[str, list[Change]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})
    unchanged: int = 0

    @property
    def comparable(self) -> bool:
        return not self.notes

    @property
    def regressions(self) -> list[Change]:
        return self.changes["newly_failing"] + self.changes["no_longer_judged"]

    def to_dict(self) -> dict[str, Any]:
        return {"comparable": self.comparable, "notes": list(self.notes), "regressed": bool(self.regressions),
                "unchanged": self.unchanged,
                **{c: [x.to_dict() for x in self.changes[c]] for c in CATEGORIES}}

    def text_lines(self) -> list[str]:
        lines = []
        for c in CATEGORIES:
            items = self.changes[c]
            if not items:
                continue
            lines.append(f"{_TITLES[c]} ({len(items)}):")
            for x in items:
                heading = f"  [{x.source}]" if x.source and c in ("newly_failing", "no_longer_judged") else ""
                lines.append(f"  {x.describe()}{heading}")
        counts = ", ".join(f"{len(self.changes[c])} {_TITLES[c].split(' (')[0]}" for c in CATEGORIES)
        lines.append(f"{counts}, {self.unchanged} unchanged")
        return lines


def _facts(doc: ResultsDoc, what: str) -> set[str | None]:
    out: set[str | None] = set()
    for run in doc.runs:
        try:
            if what == "suite":
                out.add(run["suite"]["version"])
            else:
                out.add(run["inputs"][what]["sha256"])
        except (KeyError, TypeError):
            out.add(None)
    return out or {None}


def _show(values: set[str | None], digest: bool) -> str:
    shown = sorted(("unknown" if v is None else (v[:12] if digest else v)) for v in values)
    return " + ".join(shown)


_FACTS = (("suite", "suite version", False, "differs"), ("cases", "case files", True, "differ"),
          ("limits", "limit files", True, "differ"))


def mixtures(doc: ResultsDoc, name: str) -> list[str]:
    """Where the runs of one (merged) document were judged by different suites or case files."""
    notes = []
    for what, label, digest, _ in _FACTS:
        values = _facts(doc, what)
        if len(values) > 1:
            notes.append(f"{name}: its runs disagree on the {label}: {_show(values, digest)}")
    return notes


def comparability(old: ResultsDoc, new: ResultsDoc, old_name: str = "OLD", new_name: str = "NEW") -> list[str]:
    """Why two runs do not compare (suite version, case files, limit files); empty when they do.

    A run without provenance (written before it was recorded) never compares: "unknown"
    must not pass for "same".
    """
    notes = mixtures(old, old_name) + mixtures(new, new_name)
    for what, label, digest, verb in _FACTS:
        a, b = _facts(old, what), _facts(new, what)
        if None in a | b and what == "suite":
            notes.append(f"{label} unknown ({old_name} {_show(a, digest)}, {new_name} {_show(b, digest)}): "
                         f"written without provenance")
        elif a != b and len(a) == len(b) == 1:
            notes.append(f"{label} {verb}: {old_name} {_show(a, digest)}, {new_name} {_show(b, digest)}")
    return notes


def worst_by_key(results: Iterable[CaseResult]) -> dict[tuple[str, str, str], CaseResult]:
    """One record per (case, target, version): the worst when a merge kept several."""
    out: dict[tuple[str, str, str], CaseResult] = {}
    for r in results:
        seen = out.get(r.key)
        if seen is None or OUTCOME_RANK[r.outcome] > OUTCOME_RANK[seen.outcome]:
            out[r.key] = r
    return out


def _change(key: tuple[str, str, str], a: CaseResult | None, b: CaseResult | None) -> Change:
    ref = b or a
    assert ref is not None
    return Change(*key, old=a.outcome if a else None, new=b.outcome if b else None,
                  old_reason=a.reason if a else "", new_reason=b.reason if b else "",
                  source=ref.source, title=ref.title)


def _category(a: CaseResult | None, b: CaseResult | None) -> str | None:
    if a is None:
        return "added"
    if b is None:
        return "removed"
    if a.outcome == "pass" and b.outcome in FAILING:
        return "newly_failing"
    if a.outcome == "pass" and b.outcome in JUDGED_NOT:
        return "no_longer_judged"
    if a.outcome in FAILING and b.outcome == "pass":
        return "newly_passing"
    if a.outcome != b.outcome or (a.outcome != "pass" and a.reason != b.reason):
        return "changed_reason"
    return None


def diff_runs(old: ResultsDoc, new: ResultsDoc, old_name: str = "OLD", new_name: str = "NEW") -> RunDiff:
    """Sort every (case, target, version) of either run into one category (or unchanged)."""
    out = RunDiff(notes=comparability(old, new, old_name, new_name))
    a_map, b_map = worst_by_key(old.results), worst_by_key(new.results)
    keys = sorted(set(a_map) | set(b_map), key=lambda k: (k[1], version_key(k[2]), k[0]))
    for key in keys:
        a, b = a_map.get(key), b_map.get(key)
        cat = _category(a, b)
        if cat is None:
            out.unchanged += 1
        else:
            out.changes[cat].append(_change(key, a, b))
    return out
