"""A cell's evidence, packed small enough to travel inside the page that shows it.

The full request and response of every step is what makes a verdict checkable, and it is
most of a run's bytes (27 MB as JSON for 26 versions).  Within one case the versions'
exchanges are nearly identical, so a row's evidence compresses to a few percent: the page
carries one gzip+base64 blob per row and unpacks it (DecompressionStream) only when a
cell of that row is opened.  Records are already masked; nothing here re-masks.
"""
from __future__ import annotations

import base64
import gzip
import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from .results import CaseResult

__all__ = ["RunFacts", "run_facts", "reproduce_command", "cell_evidence", "evidence_text", "pack", "pack_texts", "pretty_xml"]


@dataclass
class RunFacts:
    """What the runs say about each column: embedded or not, with which seeded defects."""
    embedded: dict[tuple[str, str], bool] = field(default_factory=dict)
    defects: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def run_facts(runs: Iterable[Any]) -> RunFacts:
    facts = RunFacts()
    for run in runs:
        if not isinstance(run, dict):
            continue
        defects = [d for d in run.get("server_defects") or [] if isinstance(d, str)]
        for t in run.get("targets") or []:
            if isinstance(t, dict) and isinstance(t.get("name"), str):
                key = (t["name"], str(t.get("version", "")))
                facts.embedded[key] = bool(t.get("embedded"))
                facts.defects[key] = defects
    return facts


def reproduce_command(r: CaseResult, facts: RunFacts) -> str:
    """The command that re-sends this case to this target at this version."""
    key = (r.target, r.version)
    q = shlex.quote
    if r.boundary is not None:  # the boundary test's own wording (boundary_collect's "Reproduce with")
        seed = r.boundary.get("seed")
        limit = str(r.boundary.get("limit") or r.case_id.partition("/")[2] or r.case_id)
        cmd = f"webex-conformance run -k {q(f'{limit} and {r.version}')}"
        if not facts.embedded.get(key, False):
            cmd += f" --endpoint {q(r.endpoint)}"
        return cmd + (f" --hypothesis-seed {q(str(seed))}" if seed is not None else "")
    cmd = f"webex-conformance replay {q(r.case_id)} --api-version {q(r.version)}"
    if facts.embedded.get(key, False):
        for d in facts.defects.get(key, []):
            cmd += f" --server-defect {q(d)}"
    elif r.endpoint:
        cmd += f" --endpoint {q(r.endpoint)}"
    return cmd


def cell_evidence(r: CaseResult, facts: RunFacts) -> dict[str, Any]:
    """Everything the side panel shows for one cell (plain JSON data)."""
    return {
        "outcome": r.outcome, "reason": r.reason, "error_kind": r.error_kind,
        "target": r.target, "version": r.version, "endpoint": r.endpoint,
        "bundle": r.schema_bundle, "duration_ms": r.duration_ms, "started_at": r.started_at,
        "drift": list(r.drift), "boundary": r.boundary, "reproduce": reproduce_command(r, facts),
        "steps": [{"name": s.name, "api": s.api, "role": s.role, "site": s.site, "status": s.status,
                   "elapsed_ms": s.elapsed_ms, "attempts": s.attempts, "request": s.request,
                   "response": s.response, "verdicts": [v.to_dict() for v in s.verdicts]}
                  for s in r.steps],
    }


def evidence_text(ev: dict[str, Any]) -> str:
    """One cell's evidence as the JSON text ``pack`` puts in its row."""
    return json.dumps(ev, ensure_ascii=False, separators=(",", ":"))


def pack(row: Sequence[tuple[int, dict[str, Any]]]) -> str:
    """One row's evidence ({column index: evidence}) as gzip+base64 text."""
    return pack_texts([(i, evidence_text(ev)) for i, ev in row])


def pack_texts(row: Sequence[tuple[int, str]]) -> str:
    """``pack`` from each cell's ``evidence_text`` (made as the records streamed past)."""
    data = "{" + ",".join(f'"{i}":{text}' for i, text in row) + "}"
    return base64.b64encode(gzip.compress(data.encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")


_TOKEN = re.compile(r"<[^>]*>|[^<]+")


def pretty_xml(text: str) -> str:
    """Indented XML for people to read; tolerant of anything (it is only re-spaced, never parsed).

    Mirrors the page script's pretty-printer so the vendor report and the matrix panel
    show an exchange the same way.
    """
    toks = _TOKEN.findall(text or "")
    out: list[str] = []
    depth, i = 0, 0
    while i < len(toks):
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        after = toks[i + 2] if i + 2 < len(toks) else None
        pad = "  " * depth
        if not t.startswith("<"):
            if t.strip():
                out.append(pad + t.strip())
        elif t.startswith("</"):
            depth = max(0, depth - 1)
            out.append("  " * depth + t)
        elif t[1:2] in ("?", "!") or t.endswith("/>"):
            out.append(pad + t)
        elif nxt is not None and not nxt.startswith("<") and after is not None and after.startswith("</"):
            out.append(pad + t + nxt + after)
            i += 2
        elif nxt is not None and nxt.startswith("</"):
            out.append(pad + t + nxt)
            i += 1
        else:
            out.append(pad + t)
            depth += 1
        i += 1
    return "\n".join(out)
