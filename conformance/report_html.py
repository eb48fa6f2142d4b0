"""The compatibility matrix: one self-contained HTML file partners open and mail around.

It must work offline and survive being attached to a mail, so CSS and the little
JavaScript (a failures-only filter) are inline and nothing is fetched.  Outcome is shown
as text as well as colour, so it reads without colour vision or in print.  Every string
comes from results.json, i.e. from servers and case files we do not control: it is
masked (once, when the executor made the record) and escaped here, always.
"""
from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

from .results import OUTCOMES, CaseResult, mask_strings, version_key

__all__ = ["render_matrix", "write_html", "DEFAULT_TITLE", "LABELS"]

DEFAULT_TITLE = "Webex Meetings XML API compatibility matrix"
LABELS = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "skip": "SKIP", "not-applicable": "N/A"}
_CLASS = {"pass": "o-pass", "fail": "o-fail", "error": "o-error", "skip": "o-skip", "not-applicable": "o-na"}

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:1.5em;color:#1b1b1b;background:#fff}
h1{font-size:1.5em;margin:0 0 .5em}h2{font-size:1.2em;margin:1.5em 0 .5em}h3{font-size:1.05em;margin:1em 0 .3em}
table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:3px 6px;vertical-align:top;text-align:left}
thead th{position:sticky;top:0;background:#f2f2f2;z-index:1;font-size:.85em;white-space:nowrap}
tr.group th{background:#e4e9f2;font-size:.95em}
th.case{font-weight:normal;min-width:18em;max-width:32em}th.case a{font-weight:bold;font-family:ui-monospace,Consolas,monospace}
.title{color:#333}.apis{color:#555;font-size:.85em}
td.cell{min-width:4.5em;font-size:.85em}
.o-pass{background:#d4edda;color:#0b3d17}.o-fail{background:#f8d7da;color:#5c0a12}
.o-error{background:#ffe0b2;color:#5a2d00}.o-skip{background:#e2e3e5;color:#2b2f33}
.o-na{background:#f6f6f6;color:#555}.o-none{background:#fff;color:#777}
.label{font-weight:bold;letter-spacing:.03em}
td.before.o-pass{background:#eef7f0}.era{display:block;font-size:.8em;color:#555}
details summary{cursor:pointer}details ul{margin:.3em 0 0;padding-left:1.1em;max-width:40em}
details li{white-space:pre-wrap;word-break:break-word}
.counts td,.counts th{text-align:center}.muted{color:#555}
dl.run{display:grid;grid-template-columns:max-content auto;gap:0 1em;margin:.3em 0 1em}dl.run dt{font-weight:bold}dl.run dd{margin:0;word-break:break-all}
#release-notes li{margin:.2em 0}:target{outline:3px solid #3b73c4}
@media print{thead th{position:static}.filter{display:none}}
"""

_JS = """
document.getElementById('only-bad').addEventListener('change',function(e){
  var rows=document.querySelectorAll('#matrix tbody tr.case-row');
  for(var i=0;i<rows.length;i++){rows[i].hidden=e.target.checked&&rows[i].getAttribute('data-bad')!=='1';}
});
"""


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "x"


class _Slugs:
    """Unique, stable anchor names."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, text: str) -> str:
        base = _slug(text)
        slug, n = base, 2
        while slug in self.used:
            slug, n = f"{base}-{n}", n + 1
        self.used.add(slug)
        return slug


def _label(outcome: str | None) -> str:
    return LABELS.get(outcome or "", "NOT RUN")


def _cell(r: CaseResult | None) -> str:
    if r is None:
        return '<td class="cell o-none" title="not run for this column"><span class="label">NOT RUN</span></td>'
    lines = [f"[{s.name}] {v.describe()}" for s in r.steps for v in s.verdicts]
    if r.drift and not any(v.check == "drift" for s in r.steps for v in s.verdicts):
        lines.append("drift (undocumented, not a failure): " + ", ".join(r.drift))
    checks = sum(1 for s in r.steps for v in s.verdicts if v.outcome != "info")
    title = f"{_label(r.outcome)}: {r.reason}" if r.reason else f"{_label(r.outcome)}: {checks} check(s)"
    meta = [f"{r.target} {r.version}"]
    if r.schema_bundle:
        meta.append(f"schema: {r.schema_bundle}")
    if r.duration_ms is not None:
        meta.append(f"{r.duration_ms:.0f} ms")
    items = "".join(f"<li>{_e(x)}</li>" for x in lines)
    reason = f"<li><b>{_e(r.reason)}</b></li>" if r.reason else ""
    # Before the version that introduced a change, a pass means "still the old rule":
    # shown apart, so the matrix reads like the release notes (where each change begins).
    before = version_key(r.version) < version_key(r.introduced)
    era = '<span class="era">old rule</span>' if before else ""
    if before:
        title += f" (before {r.introduced}: the rule that held then)"
    return (f'<td class="cell {_CLASS[r.outcome]}{" before" if before else ""}" title="{_e(title)}" '
            f'data-outcome="{_e(r.outcome)}">'
            f'<details><summary><span class="label">{_e(_label(r.outcome))}</span>{era}</summary>'
            f'<ul>{reason}{items}<li class="muted">{_e(" · ".join(meta))}</li></ul></details></td>')


# shown per column in the Columns table already
_RUN_KEYS_SHOWN_ELSEWHERE = {"schema_bundles", "targets"}


def _run_value(v: Any) -> str:
    if isinstance(v, str):
        return _e(v)
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return "<br>".join(_e(x) for x in v)
    return _e(json.dumps(v, ensure_ascii=False, sort_keys=True))


def _run_info(runs: Iterable[dict]) -> str:
    out = []
    for i, run in enumerate(runs):
        if not isinstance(run, dict) or not run:
            continue
        if isinstance(run.get("merged_from"), list):  # a merged document: one block per run
            out.append(_run_info(run["merged_from"]))
            continue
        rows = []
        targets = run.get("targets")
        if isinstance(targets, list) and targets:
            how = sorted({f"{t.get('name', '?')}: {t.get('how', '')}" for t in targets if isinstance(t, dict)})
            rows.append(f"<dt>targets</dt><dd>{len(targets)} target version(s)<br>{'<br>'.join(_e(h) for h in how)}</dd>")
        for k, v in run.items():
            if k in _RUN_KEYS_SHOWN_ELSEWHERE or v in (None, "", [], {}):
                continue
            rows.append(f"<dt>{_e(k)}</dt><dd>{_run_value(v)}</dd>")
        out.append(f'<dl class="run" aria-label="run {i + 1}">{"".join(rows)}</dl>')
    return "".join(out)


def render_matrix(results: Iterable[CaseResult], title: str = DEFAULT_TITLE,
                  runs: Iterable[dict] = (), secrets: Iterable[str] = ()) -> str:
    """The whole HTML document for ``results`` (escaped).

    Records arrive masked (the executor masks each once) and are not masked again; the
    run information and the title are, with ``secrets``.
    """
    secrets = tuple(secrets)
    records = list(results)
    runs = mask_strings(list(runs), secrets)
    title = mask_strings(title, secrets)

    cells: dict[tuple[str, str, str], CaseResult] = {}
    cases: dict[str, CaseResult] = {}
    for r in records:
        cells[(r.case_id, r.target, r.version)] = r
        cases[r.case_id] = r
    columns = sorted({(r.target, r.version) for r in records}, key=lambda c: (version_key(c[1]), c[0]))
    several = len({t for t, _ in columns}) > 1

    # release-note headings: one anchor per (introduced, heading)
    heading_cases: dict[tuple[str, str], list[str]] = {}
    for cid in sorted(cases):
        c = cases[cid]
        heading_cases.setdefault((c.introduced, c.source), []).append(cid)
    heading_keys = sorted(heading_cases, key=lambda k: (version_key(k[0]), k[1]))
    slugs = _Slugs()
    heading_slug = {k: slugs.make(k[1]) for k in heading_keys}
    case_slugs = _Slugs()
    case_anchor = {cid: case_slugs.make(cid) for cid in sorted(cases)}

    parts: list[str] = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
    ]

    # --- summary
    counts = Counter(r.outcome for r in records)
    parts.append('<section id="summary"><h2>Summary</h2><table class="counts"><thead><tr>')
    parts.extend(f'<th scope="col">{_e(_label(o))}</th>' for o in OUTCOMES)
    parts.append('<th scope="col">Total</th></tr></thead><tbody><tr>')
    parts.extend(f'<td class="{_CLASS[o]}" data-outcome="{_e(o)}">{counts.get(o, 0)}</td>' for o in OUTCOMES)
    parts.append(f'<td data-outcome="total">{len(records)}</td></tr></tbody></table>')
    parts.append(f'<p class="muted">{len(cases)} case(s) × {len(columns)} column(s). '
                 'Cell labels: PASS, FAIL, ERROR (the check could not be judged), SKIP (a fixture '
                 'the site does not provide), N/A (the change does not apply to that version), '
                 'NOT RUN. "old rule" marks versions before the change: there the case checks that '
                 'the earlier behaviour holds. Open a cell for its verdicts.</p>')
    run_html = _run_info(runs)
    if run_html:
        parts.append(f"<h3>Runs</h3>{run_html}")
    parts.append('<h3>Columns</h3><table id="columns"><thead><tr><th scope="col">Column</th>'
                 '<th scope="col">Endpoint</th><th scope="col">Schema bundle</th>')
    parts.extend(f'<th scope="col">{_e(_label(o))}</th>' for o in OUTCOMES)
    parts.append("</tr></thead><tbody>")
    for target, version in columns:
        members = [r for r in records if (r.target, r.version) == (target, version)]
        endpoints = ", ".join(sorted({r.endpoint for r in members if r.endpoint}))
        bundles = ", ".join(sorted({r.schema_bundle for r in members if r.schema_bundle})) or "none"
        col_counts = Counter(r.outcome for r in members)
        parts.append(f"<tr><th scope=\"row\">{_e(target)} {_e(version)}</th><td>{_e(endpoints)}</td>"
                     f'<td class="bundle">{_e(bundles)}</td>')
        parts.extend(f"<td>{col_counts.get(o, 0)}</td>" for o in OUTCOMES)
        parts.append("</tr>")
    parts.append("</tbody></table></section>")

    # --- matrix
    parts.append('<section id="matrix-section"><h2>Matrix</h2><p class="filter"><label>'
                 '<input type="checkbox" id="only-bad"> Show only cases with a failure or error</label></p>'
                 '<table id="matrix"><thead><tr><th scope="col">Case (introduced in)</th>')
    for target, version in columns:
        head = f"{_e(target)}<br>{_e(version)}" if several else _e(version)
        parts.append(f'<th scope="col" data-target="{_e(target)}" data-version="{_e(version)}">{head}</th>')
    parts.append("</tr></thead><tbody>")
    by_version: dict[str, list[str]] = {}
    for cid in sorted(cases):
        by_version.setdefault(cases[cid].introduced, []).append(cid)
    for introduced in sorted(by_version, key=version_key):
        ids = by_version[introduced]
        parts.append(f'<tr class="group"><th colspan="{len(columns) + 1}" scope="colgroup" '
                     f'id="v-{_e(_slug(introduced))}">Introduced in {_e(introduced)} ({len(ids)} case(s))</th></tr>')
        for cid in ids:
            c = cases[cid]
            row = [cells.get((cid, t, v)) for t, v in columns]
            bad = any(x is not None and x.outcome in ("fail", "error") for x in row)
            href = heading_slug[(c.introduced, c.source)]
            parts.append(f'<tr class="case-row" id="case-{_e(case_anchor[cid])}" data-bad="{1 if bad else 0}">'
                         f'<th scope="row" class="case"><a href="#h-{_e(href)}" title="{_e(c.source)}">{_e(cid)}</a>'
                         f'<div class="title">{_e(c.title)}</div>'
                         f'<div class="apis">{_e(", ".join(c.apis))} · {_e(c.kind)}</div></th>')
            parts.extend(_cell(x) for x in row)
            parts.append("</tr>")
    parts.append("</tbody></table></section>")

    # --- release notes
    parts.append('<section id="release-notes"><h2>Release notes</h2>'
                 '<p class="muted">Every release-note heading these results cover, with its cases.</p>')
    current = None
    for key in heading_keys:
        introduced, source = key
        if introduced != current:
            if current is not None:
                parts.append("</ul>")
            parts.append(f"<h3>{_e(introduced)}</h3><ul>")
            current = introduced
        links = ", ".join(f'<a href="#case-{_e(case_anchor[cid])}">{_e(cid)}</a>' for cid in heading_cases[key])
        parts.append(f'<li id="h-{_e(heading_slug[key])}"><span class="version">{_e(introduced)}</span>: '
                     f'<q class="heading">{_e(source)}</q> — {links}</li>')
    if current is not None:
        parts.append("</ul>")
    parts.append("</section>")
    parts.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(parts)


def write_html(path: Path | str, results: Iterable[CaseResult], title: str = DEFAULT_TITLE,
               runs: Iterable[dict] = (), secrets: Iterable[str] = ()) -> None:
    """Write the matrix to ``path`` as UTF-8 (parent directories created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_matrix(results, title, runs, secrets), encoding="utf-8")
