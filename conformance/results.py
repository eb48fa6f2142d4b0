"""results.json: the one record of a run that every report is rendered from.

One ``CaseResult`` per (case, target, version).  Reports never talk to a server; they
read these records, so CI shards and runs against different sites can be merged into
one matrix.  Records are masked once, when the executor makes them (``execute.run_case``
masks every string of a record with its target's secrets); writers do not mask them again.
Only the run's own information (command line, endpoints) is masked here.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

from .errors import ResultsFileError
from .json_check import check_schema, first_error
from .atomic_write import write_atomic
from .masking import masker
from .verdicts import Verdict
from .versions import VersionError, parse_version

__all__ = [
    "FORMAT", "OUTCOMES", "SCHEMA_PATH", "StepRecord", "CaseResult", "ResultsDoc", "ResultsFileError",
    "Conflict", "results_schema", "write_results", "read_text", "read_results", "merge", "merged_run_info",
    "summary", "mask_strings", "version_key",
]

FORMAT = "webex-conformance-results/1"
OUTCOMES = ("pass", "fail", "error", "skip", "not-applicable")
SCHEMA_PATH = Path(__file__).with_name("results.schema.json")  # the published format (docs/RESULTS.md)


@lru_cache(maxsize=1)
def results_schema() -> dict:
    """The published JSON Schema of results.json, checked to use only what we can enforce."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    check_schema(schema)
    return schema


def _need(data: dict, key: str, types: type | tuple, where: str, optional: bool = False) -> Any:
    if key not in data:
        if optional:
            return None
        raise ValueError(f"{where}missing field {key!r}")
    value = data[key]
    if optional and value is None:
        return None
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
        names = " or ".join(t.__name__ for t in _as_tuple(types))
        raise ValueError(f"{where}field {key!r} must be {names}, not {type(value).__name__}")
    return value


def _as_tuple(types: type | tuple) -> tuple:
    return types if isinstance(types, tuple) else (types,)


@dataclass
class StepRecord:
    name: str
    api: str
    role: str
    site: str
    request: str                 # already masked
    response: str                # already masked
    status: int | None = None
    elapsed_ms: float | None = None
    attempts: int = 1
    verdicts: list[Verdict] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "api": self.api, "role": self.role, "site": self.site,
            "request": self.request, "response": self.response, "status": self.status,
            "elapsed_ms": self.elapsed_ms, "attempts": self.attempts,
            "verdicts": [v.to_dict() for v in self.verdicts],
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "") -> "StepRecord":
        if not isinstance(data, dict):
            raise ValueError(f"{where}a step must be an object, not {type(data).__name__}")
        verdicts_raw = _need(data, "verdicts", list, where)
        verdicts = []
        for i, v in enumerate(verdicts_raw):
            try:
                verdicts.append(Verdict.from_dict(v))
            except ValueError as exc:
                raise ValueError(f"{where}verdicts[{i}]: {exc}") from None
        return cls(
            name=_need(data, "name", str, where), api=_need(data, "api", str, where),
            role=_need(data, "role", str, where), site=_need(data, "site", str, where),
            request=_need(data, "request", str, where), response=_need(data, "response", str, where),
            status=_need(data, "status", int, where, optional=True),
            elapsed_ms=_number(_need(data, "elapsed_ms", (int, float), where, optional=True)),
            attempts=_need(data, "attempts", int, where), verdicts=verdicts,
        )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass
class CaseResult:
    case_id: str
    title: str
    introduced: str              # version text, e.g. "39.2.0"
    source: str                  # the release-note heading
    apis: list[str]
    kind: str
    target: str                  # target name
    endpoint: str
    version: str                 # the API version the target reports (or was given); a version newer
                                 # than the notes is judged by the newest documented rules
    outcome: str                 # pass | fail | error | skip | not-applicable
    reason: str = ""             # one line: first failing verdict, skip reason, ...
    steps: list[StepRecord] = field(default_factory=list)
    duration_ms: float | None = None
    schema_bundle: str | None = None
    drift: list[str] = field(default_factory=list)
    started_at: str = ""         # ISO 8601
    error_kind: str | None = None  # for outcome "error": errors.ConformanceError.kind
                                   # ("case-file", "unreachable", "config", ...) or "response"
    boundary: dict[str, Any] | None = None  # boundary-test records only: limit, scenario,
                                   # unit, bound, input_size, example, reading

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"case result outcome must be one of {', '.join(OUTCOMES)}, not {self.outcome!r}")

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes a record unique in a merged results document."""
        return (self.case_id, self.target, self.version)

    @property
    def verdicts(self) -> list[Verdict]:
        return [v for s in self.steps for v in s.verdicts]

    @property
    def judged(self) -> int:
        """Checks that reached a verdict on the target's behaviour (pass or fail)."""
        return sum(1 for s in self.steps for v in s.verdicts if v.outcome in ("pass", "fail"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id, "title": self.title, "introduced": self.introduced,
            "source": self.source, "apis": list(self.apis), "kind": self.kind,
            "target": self.target, "endpoint": self.endpoint, "version": self.version,
            "outcome": self.outcome, "reason": self.reason,
            "steps": [s.to_dict() for s in self.steps], "duration_ms": self.duration_ms,
            "schema_bundle": self.schema_bundle, "drift": list(self.drift),
            "started_at": self.started_at, "error_kind": self.error_kind,
            "boundary": self.boundary,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "") -> "CaseResult":
        if not isinstance(data, dict):
            raise ValueError(f"{where}a result must be an object, not {type(data).__name__}")
        apis = _need(data, "apis", list, where)
        drift = _need(data, "drift", list, where, optional=True) or []
        for name, items in (("apis", apis), ("drift", drift)):
            if not all(isinstance(x, str) for x in items):
                raise ValueError(f"{where}field {name!r} must be a list of strings")
        steps = [StepRecord.from_dict(s, f"{where}steps[{i}]: ")
                 for i, s in enumerate(_need(data, "steps", list, where))]
        outcome = _need(data, "outcome", str, where)
        if outcome not in OUTCOMES:
            raise ValueError(f"{where}outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
        return cls(
            case_id=_need(data, "case_id", str, where), title=_need(data, "title", str, where),
            introduced=_need(data, "introduced", str, where), source=_need(data, "source", str, where),
            apis=list(apis), kind=_need(data, "kind", str, where),
            target=_need(data, "target", str, where), endpoint=_need(data, "endpoint", str, where),
            version=_need(data, "version", str, where), outcome=outcome,
            reason=_need(data, "reason", str, where, optional=True) or "", steps=steps,
            duration_ms=_number(_need(data, "duration_ms", (int, float), where, optional=True)),
            schema_bundle=_need(data, "schema_bundle", str, where, optional=True),
            drift=list(drift), started_at=_need(data, "started_at", str, where, optional=True) or "",
            error_kind=_need(data, "error_kind", str, where, optional=True),
            boundary=_need(data, "boundary", dict, where, optional=True),
        )


@dataclass(frozen=True)
class Conflict:
    """Several records for one (case, target, version) in a merge; every one is kept."""
    case_id: str
    target: str
    version: str
    outcomes: tuple[str, ...]
    sources: tuple[str, ...]     # the file (or run) each record came from, in order

    @property
    def agree(self) -> bool:
        return len(set(self.outcomes)) == 1

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "target": self.target, "version": self.version,
                "outcomes": list(self.outcomes), "sources": list(self.sources), "agree": self.agree}

    def describe(self) -> str:
        seen = ", ".join(f"{o} ({src})" for o, src in zip(self.outcomes, self.sources))
        return f"conflict: {self.case_id} on {self.target} at {self.version}: {seen}"


@dataclass
class ResultsDoc:
    """One or more runs' records; ``runs`` holds each run's info (one per merged file).

    ``path`` is the file it was read from (empty when built in memory); ``conflicts``
    lists the keys that have more than one record (only a merge makes them).
    """
    runs: list[dict] = field(default_factory=list)
    results: list[CaseResult] = field(default_factory=list)
    path: str = ""
    conflicts: list[Conflict] = field(default_factory=list)


def mask_strings(data: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of JSON-like data with every string (keys too) masked (one compiled set)."""
    return masker(tuple(s for s in secrets if s)).strings(data)


def write_results(path: Path | str, results: Iterable[CaseResult], run: dict,
                  secrets: Iterable[str] = ()) -> None:
    """Write results.json atomically; ``results`` are already masked, ``run`` is masked here."""
    path = Path(path)
    write_results_lines(path, (json.dumps(r.to_dict(), ensure_ascii=False) for r in results), run, secrets)


def write_results_lines(path: Path | str, lines: Iterable[str], run: dict, secrets: Iterable[str] = ()) -> None:
    """``write_results`` from each record's JSON text as results.json has it (a spool's lines)."""
    head = {"format": FORMAT, "run": mask_strings(dict(run), secrets)}
    write_atomic(Path(path), _pieces(head, lines))


def read_text(path: Path, what: str, error: type[ResultsFileError] = ResultsFileError) -> str:
    """A UTF-8 file's text, or ``error`` with one line naming the file (``what``: "results file"...)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read: {exc}") from None


def _dumps(doc: dict) -> str:
    """The document as text (``_pieces`` joined)."""
    return "".join(_pieces({k: v for k, v in doc.items() if k != "results"},
                           (json.dumps(r, ensure_ascii=False) for r in doc.get("results", []))))


def _pieces(head: dict, records: Iterable[str]) -> Iterator[str]:
    """The document's text in pieces: the head indented, then one record per line.

    ``json.dump`` with ``indent`` runs the pure-Python encoder (seconds for a 26-version
    run); each record on a line of its own uses the C encoder and still diffs per record.
    One record at a time, so a run's results are never all in memory twice (as dicts, as
    text) while they are written.
    """
    text = json.dumps(head, indent=1, ensure_ascii=False)
    yield (text[:-2] + ",\n " if text != "{}" else "{") + '"results": ['
    first = True
    for r in records:
        yield ("\n" if first else ",\n") + r
        first = False
    yield ("]" if first else "\n]") + ("\n}\n" if text != "{}" else "}\n")


def read_results(path: Path | str) -> ResultsDoc:
    """Load a results file and check it against the published schema.

    Any problem is a one-line ResultsFileError naming the file and the first place that
    does not match, so a truncated upload or another tool's JSON fails clearly.
    """
    path = Path(path)
    text = read_text(path, "results file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        hint = " (the file looks truncated)" if text.strip() and cut else ""
        raise ResultsFileError(f"{path}: not valid JSON{hint} (line {exc.lineno}, column {exc.colno}: "
                               f"{exc.msg})") from None
    if not isinstance(data, dict):
        raise ResultsFileError(f"{path}: not a results file (expected a JSON object with \"format\": \"{FORMAT}\")")
    fmt = data.get("format")
    if fmt != FORMAT:
        raise ResultsFileError(f"{path}: format {fmt!r} is not {FORMAT!r}")
    problem = first_error(data, results_schema())
    if problem is not None:
        raise ResultsFileError(f"{path}: does not match {FORMAT}: {problem}")
    run = data["run"]
    results = []
    for i, r in enumerate(data["results"]):
        try:
            results.append(CaseResult.from_dict(r, f"results[{i}]: "))
        except ValueError as exc:
            raise ResultsFileError(f"{path}: {exc}") from None
    merged = run.get("merged_from")
    runs = list(merged) if isinstance(merged, list) else [run]
    conflicts = [Conflict(c["case_id"], c["target"], c["version"], tuple(c["outcomes"]), tuple(c["sources"]))
                 for c in run.get("conflicts", ())]
    return ResultsDoc(runs=runs, results=results, path=str(path), conflicts=conflicts)


def merge(docs: Iterable[ResultsDoc]) -> ResultsDoc:
    """Combine runs (CI shards, several sites) without losing a record.

    Two records for the same (case, target, version) are both kept, next to each other,
    and listed in ``conflicts`` with where each came from: a merge that silently picks one
    would let a shard that passed hide a shard that failed.  Write the merged document with
    ``write_results(path, doc.results, merged_run_info(doc))``; reading it back restores
    the runs and the conflicts.
    """
    docs = list(docs)
    out = ResultsDoc()
    groups: dict[tuple[str, str, str], list[tuple[CaseResult, str]]] = {}
    for n, doc in enumerate(docs, 1):
        out.runs.extend(doc.runs)
        source = doc.path or f"input {n}"
        for r in doc.results:
            groups.setdefault(r.key, []).append((r, source))
    for key, members in groups.items():
        out.results.extend(r for r, _ in members)
        if len(members) > 1:
            out.conflicts.append(Conflict(*key, tuple(r.outcome for r, _ in members),
                                          tuple(src for _, src in members)))
    return out


def merged_run_info(doc: ResultsDoc) -> dict[str, Any]:
    """The ``run`` object of a merged results.json: every run's info and the conflicts."""
    return {"merged_from": list(doc.runs), "conflicts": [c.to_dict() for c in doc.conflicts]}


def version_key(text: str) -> tuple:
    """Sort key for version texts: API order (11.0.0 SP10 < 39.1.0), unknown texts last."""
    try:
        return (0, parse_version(text).key, text)
    except VersionError:
        return (1, (), text)


def summary(results: Iterable[CaseResult]) -> dict[str, int]:
    """Counts per outcome (every outcome present, zero if none) plus "total"."""
    counts = Counter(r.outcome for r in results)
    out = {o: counts.get(o, 0) for o in OUTCOMES}
    out["total"] = sum(counts.values())
    return out
