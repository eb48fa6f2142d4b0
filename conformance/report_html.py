"""The compatibility matrix: one self-contained HTML file partners open and mail around.

A dashboard, not a document: rows are the documented changes (grouped by the version
that introduced them), columns the runs' (target, API version) pairs, one compact cell
each whose symbol reads without colour.  The evidence of a cell (verdicts, masked
exchange, reproduce command) opens in a side panel and is carried compressed per row
(``evidence.pack``), so the whole 26-version run stays one small file.  The page comes
from jinja2 templates with autoescaping (``conformance/templates/``); every string in it
comes from results.json, i.e. from servers and case files we do not control.
"""
from __future__ import annotations

import datetime as _dt
import re
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from . import __version__
from .compat import (CODES, Column, cell_code, columns_of, compare_outcomes, conformance_level,
                     heading_verdict, case_services, service_summaries)
from .evidence import cell_evidence, evidence_text, pack_texts, run_facts
from .atomic_write import write_atomic
from .page import render_pieces
from .report_facts import load_headings, provenance, run_details
from .results import OUTCOMES, CaseResult, StepRecord, mask_strings, version_key
from .run_diff import OUTCOME_RANK, worst_by_key

__all__ = ["render_matrix", "matrix_pieces", "write_html", "DEFAULT_TITLE", "LABELS", "SYMBOLS"]

DEFAULT_TITLE = "Webex Meetings XML API compatibility matrix"
LABELS = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "skip": "SKIP", "not-applicable": "N/A"}
SYMBOLS = {"p": "✓", "o": "(✓)", "f": "✗", "q": "(✗)", "e": "!", "s": "⊘", "n": "–", "x": "·"}
HEADING_SYMBOLS = {"pass": "✓", "partial": "◐", "fail": "✗", "untested": "⊘", "n/a": "–"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "x"


def _version_slug(version: str) -> str:
    return re.sub(r"\s+", "-", version.strip()) or "none"


# ------------------------------------------------------------------------------ model

def _header_counts(cells: Iterable[CaseResult]) -> dict[str, int]:
    c = Counter(r.outcome for r in cells)
    return {o: c.get(o, 0) for o in OUTCOMES}


def _count_text(counts: dict[str, int]) -> str:
    names = {"pass": "pass", "fail": "fail", "error": "error", "skip": "skip", "not-applicable": "n/a"}
    return ", ".join(f"{n} {names[o]}" for o, n in counts.items() if n) or "nothing"


def _cell_title(r: CaseResult | None, code: str) -> str:
    if r is None:
        return "not run"
    text = CODES[code]
    if code in ("o", "q"):
        text += f": before {r.introduced}"
    if r.reason and code != "p":
        text += f": {r.reason[:160]}"
    return text


def _cell(code: str, r: CaseResult | None, changed: bool, disagree: list[str] | None
          ) -> tuple[str, str, str, bool, str]:
    """(code, symbol, title, changed, conflict): a merged key whose records disagree shows the
    worst, and says so with every side, so a shard that passed cannot hide one that failed
    nor the other way round."""
    title = _cell_title(r, code)
    if not disagree or r is None:
        return code, SYMBOLS[code], title, changed, ""
    sides = " vs ".join(disagree)
    symbol = "/".join(SYMBOLS[cell_code(replace(r, outcome=o))] for o in disagree)
    return (code, symbol, f"conflict: the merged runs disagree ({sides}); the cell shows the worst. {title}",
            changed, sides)


def _column_model(cols: list[Column]) -> list[dict[str, Any]]:
    versions = Counter(c.version for c in cols)
    out = []
    for i, c in enumerate(cols):
        key = _version_slug(c.version)
        if versions[c.version] > 1:
            key += "/" + _slug(c.target)
        parts = c.version.split(" ", 1)
        out.append({"i": i, "target": c.target, "version": c.version, "key": key, "lines": parts})
    return out


def _build(results: list[CaseResult], title: str, runs: list[Any], baseline: list[CaseResult] | None,
           headings: list[dict[str, Any]], conflicts: dict[tuple[str, str, str], list[str]] | None = None,
           evidence: Callable[[CaseResult], str] | None = None) -> dict[str, Any]:
    """The page's model; ``evidence`` gives a cell's ``evidence_text`` (default: from the record)."""
    cols = columns_of(results)
    col_index = {c.key: i for i, c in enumerate(cols)}
    by_case: dict[str, list[CaseResult]] = {}
    for r in results:
        by_case.setdefault(r.case_id, []).append(r)
    case_ids = sorted(by_case, key=lambda cid: (version_key(by_case[cid][0].introduced), cid))
    changed = compare_outcomes(baseline, results) if baseline is not None else {}
    facts = run_facts(runs)
    if evidence is None:
        evidence = lambda r: evidence_text(cell_evidence(r, facts))   # noqa: E731
    service = case_services(by_case)

    heading_file = {(str(h.get("version", "")), h["text"]): str(h.get("file", "")) for h in headings}
    heading_ids: dict[tuple[str, str], str] = {}
    used: set[str] = set()

    def heading_id(introduced: str, source: str) -> str:
        key = (introduced, source)
        if key not in heading_ids:
            base = "h-" + _slug(f"{introduced} {source}")
            hid, n = base, 2
            while hid in used:
                hid, n = f"{base}-{n}", n + 1
            used.add(hid)
            heading_ids[key] = hid
        return heading_ids[key]

    rows, data_rows, blobs = [], [], []
    grid: dict[str, list[CaseResult | None]] = {}
    for ri, cid in enumerate(case_ids):
        recs = by_case[cid]
        first = recs[0]
        line: list[CaseResult | None] = [None] * len(cols)
        for r in recs:
            line[col_index[r.key[1:]]] = r
        grid[cid] = line
        codes = "".join(cell_code(r) for r in line)
        chg = {str(i): changed[r.key][0] for i, r in enumerate(line) if r is not None and r.key in changed}
        is_error_row = first.error_kind is not None and all(r is None or r.outcome == "error" for r in line)
        rows.append({
            "i": ri, "id": cid, "title": first.title, "introduced": first.introduced, "source": first.source,
            "apis": first.apis, "kind": first.kind, "service": service[cid],
            "heading": heading_id(first.introduced, first.source), "error_kind": first.error_kind,
            "error_row": is_error_row, "boundary": first.boundary is not None or first.kind == "boundary",
            "cells": [_cell(code, r, str(i) in chg, (conflicts or {}).get(r.key) if r is not None else None)
                      for i, (code, r) in enumerate(zip(codes, line))],
        })
        data_rows.append({"id": cid, "ti": first.title, "in": first.introduced, "svc": service[cid],
                          "api": first.apis, "kind": first.kind, "o": codes, "c": chg,
                          "h": heading_id(first.introduced, first.source), "src": first.source})
        blobs.append(pack_texts([(i, evidence(r)) for i, r in enumerate(line) if r is not None]))

    groups: list[dict[str, Any]] = []
    for row in rows:
        if not groups or groups[-1]["introduced"] != row["introduced"]:
            groups.append({"introduced": row["introduced"], "rows": []})
        groups[-1]["rows"].append(row)

    columns = _column_model(cols)
    for c, col in zip(columns, cols):
        members = [grid[cid][c["i"]] for cid in case_ids]
        counts = _header_counts(r for r in members if r is not None)
        total = sum(counts.values()) or 1
        c["counts"] = counts
        c["not_run"] = sum(r is None for r in members)
        c["bar"] = [(o, round(100 * n / total, 1)) for o, n in counts.items() if n]
        c["text"] = f"{col.target} {col.version}: {_count_text(counts)}" + (
            f", {c['not_run']} not run" if c["not_run"] else "")
        c["bad"] = counts["fail"] + counts["error"]

    targets: list[dict[str, Any]] = []
    for c in columns:
        if not targets or targets[-1]["name"] != c["target"]:
            targets.append({"name": c["target"], "span": 0, "first": c["i"]})
        targets[-1]["span"] += 1
    for t in targets:
        recs = [r for r in results if r.target == t["name"]]
        level = conformance_level(recs)
        t["level"] = level
        t["sentence"] = level.sentence()
        t["counts"] = _header_counts(recs)
        t["count_text"] = _count_text(t["counts"])
        t["how"] = sorted({str(x.get("how", "")) for run in runs if isinstance(run, dict)
                           for x in (run.get("targets") or []) if isinstance(x, dict) and x.get("name") == t["name"]} - {""})
        t["services"] = service_summaries(recs, service)

    heading_rows: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["introduced"], row["source"])
        h = heading_rows.setdefault(key, {"version": row["introduced"], "text": row["source"], "id": row["heading"],
                                          "file": heading_file.get(key, ""), "cases": []})
        h["cases"].append(row["id"])
    heading_list = sorted(heading_rows.values(), key=lambda h: (version_key(h["version"]), h["text"]))
    for h in heading_list:
        h["cells"] = []
        for i in range(len(cols)):
            v = heading_verdict(grid[cid][i] for cid in h["cases"])
            h["cells"].append((v.state, HEADING_SYMBOLS[v.state], f"{v.state}: {_count_text_any(v.counts)}"))
    covered_versions = {c.version for c in cols}
    uncovered = [h for h in headings if (str(h.get("version", "")), h["text"]) not in heading_rows
                 and str(h.get("version", "")) in covered_versions]

    prov = provenance(runs)
    not_run = sum(c["not_run"] for c in columns)
    if not_run:
        prov["notes"].append(f"{not_run} cell(s) not run: some cases did not run at every column")
    counts = _header_counts(results)
    return {
        "title": title, "generated": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "renderer": f"webex-conformance {__version__}", "prov": prov, "runs": run_details(runs),
        "counts": counts, "count_text": _count_text(counts), "total": len(results),
        "columns": columns, "targets": targets, "groups": groups, "ncases": len(case_ids),
        "headings": heading_list, "uncovered": uncovered, "baseline": baseline is not None,
        "changed": len(changed), "links": {(c["target"], c["version"]): c["key"] for c in columns}, "symbols": SYMBOLS, "codes": CODES, "heading_symbols": HEADING_SYMBOLS,
        "services": sorted(set(service.values())), "kinds": sorted({r["kind"] for r in rows}),
        "apis": sorted({a for r in rows for a in r["apis"]}),
        "introduced": sorted({r["introduced"] for r in rows}, key=version_key),
        "data": {"cols": [{"t": c["target"], "v": c["version"], "k": c["key"]} for c in columns],
                 "rows": data_rows, "ev": blobs, "baseline": baseline is not None},
    }


def _count_text_any(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {o}" for o, n in counts.items()) or "no case"


def render_matrix(results: Iterable[CaseResult], title: str = DEFAULT_TITLE, runs: Iterable[dict] = (),
                  secrets: Iterable[str] = (), baseline: Iterable[CaseResult] | None = None,
                  headings: list[dict[str, Any]] | None = None) -> str:
    """The whole HTML document for ``results`` (``matrix_pieces`` joined).

    Records arrive masked (the executor masks each once, when it is made) and are not
    masked again here: that would cost more than the render.  ``secrets`` still masks
    what a caller may hold raw: the title and the runs' info.
    """
    return "".join(matrix_pieces(results, title, runs, secrets, baseline, headings))


def matrix_pieces(results: Iterable[CaseResult], title: str = DEFAULT_TITLE, runs: Iterable[dict] = (),
                  secrets: Iterable[str] = (), baseline: Iterable[CaseResult] | None = None,
                  headings: list[dict[str, Any]] | None = None) -> Iterator[str]:
    """The HTML document for ``results`` in pieces, in order (``write_html`` writes them as
    they come: a 26-version run with many cases makes a page of tens of MB)."""
    secrets = tuple(s for s in secrets if s)
    runs = list(runs)
    if secrets:
        runs = mask_strings(runs, secrets)
        title = mask_strings(title, secrets)
    # One pass over the records (a run's are read from disk one at a time): each becomes a
    # light copy for the model, and its cell's evidence goes to a scratch file until its row
    # is packed (kept in memory it grew by ~2 KB with every record). Written as it is, not
    # compressed: the page cache holds it outside the process, and compressing every cell
    # twice (here and in its row) cost the run's report ~1 s.
    facts = run_facts(runs)
    with tempfile.TemporaryFile(prefix="matrix-evidence-") as scratch:
        where: dict[int, tuple[int, int]] = {}   # id of a light record (kept alive in ``lights``) -> evidence
        lights, shared = [], {}
        for r in results:
            light = _light(r, shared)
            data = evidence_text(cell_evidence(r, facts)).encode("utf-8")
            where[id(light)] = (scratch.tell(), len(data))
            scratch.write(data)
            lights.append(light)
        results = lights

        def evidence(r: CaseResult) -> str:
            offset, size = where[id(r)]
            scratch.seek(offset)
            return scratch.read(size).decode("utf-8")

        cells = list(worst_by_key(results).values())  # a merge may keep several records of one key
        disagree = _disagreements(results)
        model = _build(cells, title, runs, list(worst_by_key(baseline).values()) if baseline is not None else None,
                       headings if headings is not None else [], disagree, evidence)
        if len(cells) < len(results):
            model["prov"]["notes"].append(
                f"{len(results) - len(cells)} record(s) repeated a (case, target, version) of another merged file: "
                "each cell shows the worst" + (f"; {len(disagree)} of those cells are conflicts whose records "
                                               "disagree (drawn with every side, e.g. ✗/✓, and a dashed frame)"
                                               if disagree else ""))
    del lights, shared, results, cells, where   # the model holds what the page shows
    yield from render_pieces("matrix.html.j2", **model)


def _light(r: CaseResult, shared: dict[str, str]) -> CaseResult:
    """The record without what only its evidence shows (exchanges, verdicts, drift), with
    one step per API (the page reads a step's API only: ``compat.service_of``) and its
    texts shared with the records before it (``shared``): a page holds one per record,
    and every version of a case repeats its title, heading, target, reasons..."""
    def one(text: str) -> str:
        return shared.setdefault(text, text)

    steps, apis = [], set()
    for s in r.steps:
        if s.api not in apis:
            apis.add(s.api)
            steps.append(StepRecord(one(s.name), one(s.api), one(s.role), one(s.site), "", "", s.status,
                                    attempts=s.attempts))
    return replace(r, case_id=one(r.case_id), title=one(r.title), introduced=one(r.introduced),
                   source=one(r.source), apis=[one(a) for a in r.apis], kind=one(r.kind), target=one(r.target),
                   endpoint=one(r.endpoint), version=one(r.version), reason=one(r.reason), steps=steps,
                   started_at=one(r.started_at), drift=[])


def _disagreements(results: list[CaseResult]) -> dict[tuple[str, str, str], list[str]]:
    """Keys whose records do not all agree, with each distinct outcome, worst first."""
    seen: dict[tuple[str, str, str], set[str]] = {}
    for r in results:
        seen.setdefault(r.key, set()).add(r.outcome)
    return {k: sorted(v, key=lambda o: -OUTCOME_RANK[o]) for k, v in seen.items() if len(v) > 1}


def write_html(path: Path | str, results: Iterable[CaseResult], title: str = DEFAULT_TITLE,
               runs: Iterable[dict] = (), secrets: Iterable[str] = (),
               baseline: Iterable[CaseResult] | None = None, headings_path: Path | str | None = None) -> None:
    """Write the matrix to ``path`` (atomically: a reader never sees half a page)."""
    write_atomic(path, matrix_pieces(results, title, runs, secrets, baseline, load_headings(headings_path)))

