"""The vendor report: one target's conformance, to send to the people who run it.

A vendor asks "which version do we conform to, and where do we deviate?"  The answer is
one self-contained HTML page (no network, nothing fetched) plus a JSON summary stating the
same verdicts for their tooling, both from one model so they cannot disagree.  Each
deviation carries its evidence (failing verdicts, masked exchange, reproduce command) and
the release-note heading it breaks.  Records arrive masked; ``secrets`` masks once more
for callers holding raw configuration.  EARL is not written: its test/assertor/subject
model would need URIs for cases and sites that we do not have, so JSON it is.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path
from typing import Any, Iterable, Sequence

from . import __version__
from .compat import case_services, columns_of, conformance_level, heading_verdict, service_summaries
from .errors import UsageError
from .evidence import pretty_xml, reproduce_command, run_facts
from .atomic_write import write_atomic
from .page import render_page
from .report_facts import load_headings, provenance
from .results import OUTCOMES, CaseResult, ResultsDoc, mask_strings, version_key
from .run_diff import worst_by_key

__all__ = ["FORMAT", "check_target", "vendor_summary", "write_vendor_report", "UnknownTarget"]

FORMAT = "webex-conformance-vendor-summary/1"


class UnknownTarget(UsageError):
    """--vendor names a target that is not in the results."""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60] or "target"


def _reported(runs: Sequence[Any], name: str, versions: list[str]) -> list[dict[str, str]]:
    seen: dict[str, str] = {}
    for run in runs:
        for t in (run.get("targets") or []) if isinstance(run, dict) else []:
            if isinstance(t, dict) and t.get("name") == name:
                seen.setdefault(str(t.get("version", "")), str(t.get("how", "")))
    for v in versions:
        seen.setdefault(v, "")
    return [{"version": v, "how": seen[v]} for v in sorted(seen, key=version_key)]


def check_target(doc: ResultsDoc, vendor: str) -> list[CaseResult]:
    """The target's records; UnknownTarget (a usage error, one line) if it has none."""
    records = list(worst_by_key(r for r in doc.results if r.target == vendor).values())
    if not records:
        targets = list(dict.fromkeys(r.target for r in doc.results))
        raise UnknownTarget(f"--vendor {vendor!r}: no such target in the results "
                            f"(targets: {', '.join(targets) or 'none'})")
    return records


def vendor_summary(doc: ResultsDoc, vendor: str, headings: list[dict[str, Any]] | None = None,
                   now: _dt.datetime | None = None) -> dict[str, Any]:
    """The verdicts of one target, as plain JSON data (the HTML page renders this too)."""
    records = check_target(doc, vendor)
    facts = run_facts(doc.runs)
    by_case: dict[str, list[CaseResult]] = {}
    for r in records:
        by_case.setdefault(r.case_id, []).append(r)
    service = case_services(by_case)
    versions = [c.version for c in columns_of(records)]
    level = conformance_level(records)
    files = {(str(h.get("version", "")), h["text"]): str(h.get("file", "")) for h in headings or []}

    heads: dict[tuple[str, str], list[CaseResult]] = {}
    for r in records:
        heads.setdefault((r.introduced, r.source), []).append(r)
    heading_rows = []
    for (introduced, text), rs in sorted(heads.items(), key=lambda kv: (version_key(kv[0][0]), kv[0][1])):
        per = {v: heading_verdict([r for r in rs if r.version == v]).state for v in versions}
        heading_rows.append({"version": introduced, "text": text, "file": files.get((introduced, text), ""),
                             "cases": sorted({r.case_id for r in rs}), "verdicts": per})

    deviations = []
    for r in sorted(level.deviations, key=lambda r: (version_key(r.introduced), r.case_id, version_key(r.version))):
        failing = [(s, v) for s in r.steps for v in s.verdicts if v.outcome in ("fail", "error")]
        step = failing[0][0] if failing else (r.steps[-1] if r.steps else None)
        deviations.append({
            "case_id": r.case_id, "title": r.title, "version": r.version, "outcome": r.outcome,
            "reason": r.reason, "error_kind": r.error_kind, "service": service[r.case_id],
            "heading": {"version": r.introduced, "text": r.source, "file": files.get((r.introduced, r.source), "")},
            "verdicts": [v.to_dict() for _, v in failing],
            "step": None if step is None else {"name": step.name, "api": step.api, "status": step.status,
                                               "request": step.request, "response": step.response},
            "boundary": r.boundary, "schema_bundle": r.schema_bundle, "reproduce": reproduce_command(r, facts),
        })
    counts = {o: sum(r.outcome == o for r in records) for o in OUTCOMES}
    prov = provenance(doc.runs)
    now = now or _dt.datetime.now(_dt.timezone.utc)
    return {
        "format": FORMAT, "vendor": vendor, "generated_at": now.isoformat(timespec="seconds"),
        "reported_versions": _reported(doc.runs, vendor, versions),
        "conforms_to": level.version, "conforms_at": level.at, "verdict": level.sentence(),
        "suite": {"renderer": f"webex-conformance {__version__}", "judged_by": prov["suites"],
                  "runs": [r.get("suite") for r in doc.runs if isinstance(r, dict) and isinstance(r.get("suite"), dict)]},
        "partial": prov["notes"], "started": prov["started"], "finished": prov["finished"],
        "cases": len(by_case), "results": len(records), "counts": counts, "skipped": counts["skip"],
        "services": [{"service": s.service, "conforms_to": s.level.version, "verdict": s.level.sentence(),
                      "cases": s.cases, "deviations": sorted({r.case_id for r in s.level.deviations})}
                     for s in service_summaries(records, service)],
        "headings": heading_rows, "deviations": deviations,
    }


def write_vendor_report(out_dir: Path | str, doc: ResultsDoc, vendor: str, secrets: Iterable[str] = (),
                        headings_path: Path | str | None = None) -> list[Path]:
    """vendor-<name>.html and vendor-<name>.json in ``out_dir``; both rendered before either is written."""
    summary = vendor_summary(doc, vendor, load_headings(headings_path))
    secrets = tuple(s for s in secrets if s)
    if secrets:
        summary = mask_strings(summary, secrets)
    for d in summary["deviations"]:
        if d["step"] is not None:
            d["step"]["request_pretty"] = pretty_xml(d["step"]["request"])
            d["step"]["response_pretty"] = pretty_xml(d["step"]["response"])
    html = render_page("vendor.html.j2", s=summary, versions=[v for v in
                       sorted({v for h in summary["headings"] for v in h["verdicts"]}, key=version_key)])
    for d in summary["deviations"]:
        if d["step"] is not None:
            del d["step"]["request_pretty"], d["step"]["response_pretty"]
    out = Path(out_dir)
    base = f"vendor-{_slug(vendor)}"
    paths = [out / f"{base}.html", out / f"{base}.json"]
    write_atomic(paths[0], html)
    write_atomic(paths[1], json.dumps(summary, indent=1, ensure_ascii=False) + "\n")
    return paths
