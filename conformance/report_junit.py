"""JUnit XML from results: what CI servers understand without knowing this project.

One <testsuite> per (target, version), so a CI dashboard shows each API version the way
the matrix does.  Built with lxml (escaping by construction) from masked records, with
characters XML 1.0 cannot carry replaced, so the file is always well-formed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from lxml import etree

from .results import CaseResult, version_key

__all__ = ["write_junit", "junit_tree", "run_properties"]

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text: object) -> str:
    return _NOT_XML.sub("\ufffd", "" if text is None else str(text))


def _seconds(ms: float | None) -> str:
    return f"{(ms or 0.0) / 1000.0:.3f}"


def _verdict_lines(r: CaseResult, outcomes: tuple[str, ...]) -> str:
    lines = []
    for s in r.steps:
        for v in s.verdicts:
            if v.outcome in outcomes:
                lines.append(f"[{s.name}] {v.describe()}")
    return "\n".join(lines)


def _exchange(r: CaseResult) -> str:
    parts = []
    for s in r.steps:
        status = "" if s.status is None else f" HTTP {s.status}"
        parts.append(f"--- step {s.name!r} ({s.api}, {s.role}@{s.site}){status}, {s.attempts} attempt(s)\n"
                     f">>> request\n{s.request}\n<<< response\n{s.response}")
    return "\n".join(parts)


def run_properties(runs: Iterable[dict]) -> list[tuple[str, str]]:
    """Provenance of the run(s) as JUnit properties, so a CI page shows what judged and
    whether the run was whole (several values, comma-separated, for a merge)."""
    runs = [r for r in runs if isinstance(r, dict)]

    def values(get) -> str:
        seen: list[str] = []
        for r in runs:
            try:
                v = get(r)
            except (KeyError, TypeError, AttributeError):
                continue
            text = "" if v is None else str(v)
            if text and text not in seen:
                seen.append(text)
        return ", ".join(seen)

    def selection(r: dict) -> str:
        sel = r["selection"]
        parts = [f"-k {sel['keyword']}" if sel.get("keyword") else "",
                 f"-m {sel['markers']}" if sel.get("markers") else "",
                 f"versions {' '.join(sel['versions'])}" if sel.get("versions") else "",
                 f"targets {' '.join(sel['targets'])}" if sel.get("targets") else ""]
        return " ".join(p for p in parts if p) or "everything"

    props = [("suite_version", values(lambda r: r["suite"]["version"])),
             ("suite_commit", values(lambda r: r["suite"]["commit"] or r["suite"]["source"])),
             ("cases_sha256", values(lambda r: r["inputs"]["cases"]["sha256"])),
             ("limits_sha256", values(lambda r: r["inputs"]["limits"]["sha256"])),
             ("run_status", values(lambda r: r["status"])),
             ("selection", values(selection))]
    return [(k, v) for k, v in props if v]


@dataclass
class _Member:
    """One record's <testcase>, with what its suite's attributes need."""
    order: tuple
    case: etree._Element
    counted: str            # the suite count it adds to ("" for a pass)
    duration_ms: float | None
    started_at: str
    schema_bundle: str | None
    endpoint: str


def _member(r: CaseResult) -> _Member:
    case = etree.Element("testcase", classname=_x(r.introduced), name=_x(r.case_id), time=_seconds(r.duration_ms))
    counted = ""
    if r.outcome == "fail":
        counted = "failures"
        el = etree.SubElement(case, "failure", message=_x(r.reason or "failed"), type="fail")
        el.text = _x(_verdict_lines(r, ("fail", "error")) or r.reason)
    elif r.outcome == "error":
        counted = "errors"
        el = etree.SubElement(case, "error", message=_x(r.reason or "error"), type="error")
        el.text = _x(_verdict_lines(r, ("error", "fail")) or r.reason)
    elif r.outcome in ("skip", "not-applicable"):
        counted = "skipped"
        label = "not applicable: " if r.outcome == "not-applicable" else ""
        etree.SubElement(case, "skipped", message=_x(label + (r.reason or r.outcome)))
    if r.outcome in ("fail", "error") and r.steps:
        out = etree.SubElement(case, "system-out")
        out.text = _x(f"{r.title}\n{r.source}\n" + _exchange(r))
    return _Member((version_key(r.introduced), r.case_id), case, counted, r.duration_ms, r.started_at,
                   r.schema_bundle, r.endpoint)


def junit_tree(results: Iterable[CaseResult], secrets: Iterable[str] = (),
               runs: Iterable[dict] = ()) -> etree._ElementTree:
    """The JUnit document for ``results``; ``runs``' provenance becomes properties of every suite.

    Records arrive masked (the executor masks each once); ``secrets`` is accepted for
    compatibility and not used, since masking every string again cost more than the run.
    """
    provenance = run_properties(runs)
    # One pass, each record made into its <testcase> as it comes (a run's records are read
    # from disk one at a time); what a suite's attributes need is kept beside it.
    groups: dict[tuple[str, str], list[_Member]] = {}
    for r in results:
        groups.setdefault((r.target, r.version), []).append(_member(r))
    root = etree.Element("testsuites", name="webex-conformance")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
    for (target, version) in sorted(groups, key=lambda k: (k[0], version_key(k[1]))):
        members = sorted(groups[(target, version)], key=lambda m: m.order)
        suite = etree.SubElement(root, "testsuite", name=_x(f"{target} {version}"))
        counts = {"tests": len(members), "failures": 0, "errors": 0, "skipped": 0}
        time = sum((m.duration_ms or 0.0) for m in members)
        props = etree.SubElement(suite, "properties")
        for name, value in (("target", target), ("version", version),
                            ("endpoint", members[0].endpoint),
                            ("schema_bundle", ", ".join(sorted({m.schema_bundle for m in members if m.schema_bundle}))),
                            *provenance):
            etree.SubElement(props, "property", name=name, value=_x(value))
        for m in members:
            suite.append(m.case)
            if m.counted:
                counts[m.counted] += 1
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
        suite.set("time", _seconds(time))
        totals["time"] += time
        suite.set("timestamp", _x(min((m.started_at for m in members if m.started_at), default="")))
        if not suite.get("timestamp"):
            del suite.attrib["timestamp"]
    for k in ("tests", "failures", "errors", "skipped"):
        root.set(k, str(totals[k]))
    root.set("time", _seconds(totals["time"]))
    return etree.ElementTree(root)


def write_junit(path: Path | str, results: Iterable[CaseResult], secrets: Iterable[str] = (),
                runs: Iterable[dict] = ()) -> None:
    """Write JUnit XML for ``results`` to ``path`` (parent directories created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = junit_tree(results, secrets, runs)
    path.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True))
