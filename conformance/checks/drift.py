"""Drift: elements the schema bundle does not declare.  Informational, never a failure,
and made on every validated answer, so it is a check no case file sets (``parse`` None)."""
from __future__ import annotations

from typing import Any

from ..errors import one_line
from ..verdict import Verdict
from .kind import CheckKind, Observed
from .nodes import MAX_SHOWN


def _plain(text: str) -> bool:
    """Already what one_line makes of it (a path: short, no whitespace), so skip the regex."""
    return len(text) <= 300 and " " not in text and text.isprintable()


def judge_drift(bundle: Any, root: Any) -> Verdict | None:
    """An info verdict listing the undocumented elements, or None when there are none."""
    try:
        items = [str(x) for x in bundle.undocumented(root)]
    except Exception as exc:
        return Verdict("drift", "info", "only documented elements",
                       one_line(f"drift check could not run: {type(exc).__name__}: {exc}"))
    if not items:
        return None
    listed = ", ".join(items[:MAX_SHOWN]) + (" ..." if len(items) > MAX_SHOWN else "")
    found = tuple(x if _plain(x) else one_line(x) for x in items)
    return Verdict("drift", "info", "only documented elements", f"{len(items)} undocumented: {listed}",
                   "\n".join(found), items=found)


def judge(_on: bool, seen: Observed) -> list[Verdict]:
    if seen.bundle is None or seen.root is None:
        return []
    drift = judge_drift(seen.bundle, seen.root)
    return [] if drift is None else [drift]


KIND = CheckKind("drift", "undocumented elements, listed as information (not set in case files)",
                 "", None, judge, default=True)
