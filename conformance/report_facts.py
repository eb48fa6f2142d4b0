"""What every report says about the runs behind it: provenance, and the release-note headings.

Results files come from runs of different suite versions, merged shards and plain pytest;
which provenance keys a run carries varies (suite, selection, status, items, ...), so every
key is optional here and an absent one is said to be absent, never invented.
"""
from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Sequence

from .resources import cases_dir

__all__ = ["load_headings", "provenance", "run_details"]


def load_headings(path: Path | str | None = None) -> list[dict[str, Any]]:
    """cases/headings.toml's headings (version, text, file, ...); none if it is absent or unreadable.

    Without ``path``, the suite's own file (in the checkout or the installed package).
    """
    if path is None:
        try:
            path = cases_dir() / "headings.toml"
        except (RuntimeError, OSError):  # the headings only add file names: a report renders without them
            return []
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    return [h for h in data.get("heading", []) if isinstance(h, dict) and isinstance(h.get("text"), str)]


# ------------------------------------------------------------------------- provenance

def _short(commit: Any) -> str:
    return commit[:12] if isinstance(commit, str) else ""


def provenance(runs: Sequence[Any]) -> dict[str, Any]:
    """What the runs say about themselves, from whatever keys they carry (all optional)."""
    suites, statuses, selections, notes, commands = [], [], [], [], []
    started = finished = None
    for run in runs:
        if not isinstance(run, dict):
            continue
        suite = run.get("suite")
        if isinstance(suite, dict):
            text = f"{suite.get('name') or 'webex-conformance'} {suite.get('version') or '?'}"
            if suite.get("commit"):
                text += f" at commit {_short(suite['commit'])}"
                if suite.get("dirty"):
                    text += " with local changes"
            elif suite.get("source"):
                text += f" ({suite['source']})"
            suites.append(text)
        elif run.get("suite_version") or run.get("commit"):
            suites.append(f"webex-conformance {run.get('suite_version') or '?'}"
                          + (f" at commit {_short(run.get('commit'))}" if run.get("commit") else ""))
        status = run.get("status")
        if isinstance(status, str):
            statuses.append(status)
            if status != "completed":
                notes.append(f"a run ended {status}: some selected cases never ran")
        elif run.get("interrupted") is True:
            statuses.append("interrupted")
            notes.append("a run was interrupted: some selected cases never ran")
        items = run.get("items")
        if isinstance(items, dict) and isinstance(items.get("selected"), int) and isinstance(items.get("ran"), int) \
                and items["ran"] < items["selected"]:
            notes.append(f"{items['ran']} of {items['selected']} selected items ran")
        sel = run.get("selection")
        if isinstance(sel, dict):
            parts = [f"-k {sel['keyword']}" if sel.get("keyword") else "",
                     f"-m {sel['markers']}" if sel.get("markers") else ""]
            text = " ".join(p for p in parts if p)
            selections.append(text or "all cases")
            if sel.get("filtered") or text:
                notes.append(f"filtered run ({text}): not every case was selected")
        elif isinstance(sel, str) and sel:
            selections.append(sel)
        errors = run.get("load_errors")
        if isinstance(errors, list) and errors:
            notes.append(f"{len(errors)} case file(s) did not load")
        left = [lo for lo in (run.get("leftovers") or []) if isinstance(lo, dict)]
        if left:
            shown = ", ".join(f"{lo.get('what') or 'object'} {lo.get('key') or '(key unknown)'}" for lo in left[:5])
            more = f" and {len(left) - 5} more" if len(left) > 5 else ""
            notes.append(f"{len(left)} thing(s) the run wrote on the target could not be undone ({shown}{more}): "
                         f"{left[0].get('command') or 'see run.leftovers in results.json'}")
        if isinstance(run.get("started_at"), str):
            started = min(started or run["started_at"], run["started_at"])
        if isinstance(run.get("finished_at"), str):
            finished = max(finished or run["finished_at"], run["finished_at"])
        if isinstance(run.get("command"), str):
            commands.append(run["command"])
    return {"suites": sorted(set(suites)), "statuses": statuses, "selections": sorted(set(selections)),
            "notes": notes, "started": started, "finished": finished, "commands": commands,
            "runs": len([r for r in runs if isinstance(r, dict)])}


def run_details(runs: Sequence[Any]) -> list[list[tuple[str, str]]]:
    """Each run's own keys, flattened to text, for the Run tab (nothing is left out)."""
    out = []
    for run in runs:
        if not isinstance(run, dict):
            continue
        rows = []
        for k, v in run.items():
            if k == "targets" and isinstance(v, list):
                how = sorted({f"{t.get('name', '?')}: {t.get('how', '')}" for t in v if isinstance(t, dict)})
                rows.append(("targets", f"{len(v)} target version(s); " + "; ".join(how)))
            elif v not in (None, "", [], {}):
                rows.append((str(k), v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)))
        out.append(rows)
    return out
