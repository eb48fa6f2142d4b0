"""results.json: the one record of a run that every report is rendered from.

One ``CaseResult`` per (case, target, version).  Reports never talk to a server; they
read these records, so CI shards and runs against different sites can be merged into
one matrix.  Records are masked once, when the executor makes them (``execute.run_case``
masks every string of a record with its target's secrets); writers do not mask them again.
Only the run's own information (command line, endpoints) is masked here.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .masking import masker
from .verdicts import Verdict
from .versions import VersionError, parse_version

__all__ = [
    "FORMAT", "OUTCOMES", "StepRecord", "CaseResult", "ResultsDoc", "ResultsFileError",
    "write_results", "read_results", "merge", "summary", "mask_strings", "version_key",
]

FORMAT = "webex-conformance-results/1"
OUTCOMES = ("pass", "fail", "error", "skip", "not-applicable")


class ResultsFileError(Exception):
    """A results file that is missing, unreadable or not in our format (one-line message)."""


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


@dataclass
class ResultsDoc:
    """One or more runs' records; ``runs`` holds each run's info (one per merged file)."""
    runs: list[dict] = field(default_factory=list)
    results: list[CaseResult] = field(default_factory=list)


def mask_strings(data: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of JSON-like data with every string (keys too) masked (one compiled set)."""
    return masker(tuple(s for s in secrets if s)).strings(data)


def write_results(path: Path | str, results: Iterable[CaseResult], run: dict,
                  secrets: Iterable[str] = ()) -> None:
    """Write results.json atomically; ``results`` are already masked, ``run`` is masked here."""
    path = Path(path)
    doc = {"format": FORMAT, "run": mask_strings(dict(run), secrets), "results": [r.to_dict() for r in results]}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(_dumps(doc))
        os.chmod(tmp, 0o644)  # a report to share, like junit.xml and matrix.html (secrets are masked)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _dumps(doc: dict) -> str:
    """The document as text: the head indented, then one record per line.

    ``json.dump`` with ``indent`` runs the pure-Python encoder (seconds for a 26-version
    run); each record on a line of its own uses the C encoder and still diffs per record.
    """
    head = json.dumps({k: v for k, v in doc.items() if k != "results"}, indent=1, ensure_ascii=False)
    records = ",\n".join(json.dumps(r, ensure_ascii=False) for r in doc["results"])
    body = f'"results": [\n{records}\n]' if records else '"results": []'
    return head[:-2] + ",\n " + body + "\n}\n" if head != "{}" else "{" + body + "}\n"


def read_results(path: Path | str) -> ResultsDoc:
    """Load and check a results file; any problem is a ResultsFileError naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultsFileError(f"{path}: no such results file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsFileError(f"{path}: cannot read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsFileError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise ResultsFileError(f"{path}: not a results file (expected a JSON object with \"format\": \"{FORMAT}\")")
    fmt = data.get("format")
    if fmt != FORMAT:
        raise ResultsFileError(f"{path}: format {fmt!r} is not {FORMAT!r}")
    run = data.get("run", {})
    if not isinstance(run, dict):
        raise ResultsFileError(f"{path}: \"run\" must be an object")
    raw = data.get("results")
    if not isinstance(raw, list):
        raise ResultsFileError(f"{path}: \"results\" must be a list")
    results = []
    for i, r in enumerate(raw):
        try:
            results.append(CaseResult.from_dict(r, f"results[{i}]: "))
        except ValueError as exc:
            raise ResultsFileError(f"{path}: {exc}") from None
    merged = run.get("merged_from")
    runs = [x for x in merged if isinstance(x, dict)] if isinstance(merged, list) else [run]
    return ResultsDoc(runs=runs, results=results)


def merge(docs: Iterable[ResultsDoc]) -> ResultsDoc:
    """Combine runs; for the same (case, target, version) the later document's record wins.

    A record keeps the position where its key first appeared, so shard order does not
    reshuffle the report.  Write the merged document with
    ``write_results(path, doc.results, {"merged_from": doc.runs})``; reading it back
    restores the list of runs.
    """
    out = ResultsDoc()
    by_key: dict[tuple[str, str, str], int] = {}
    for doc in docs:
        out.runs.extend(doc.runs)
        for r in doc.results:
            if r.key in by_key:
                out.results[by_key[r.key]] = r
            else:
                by_key[r.key] = len(out.results)
                out.results.append(r)
    return out


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
