"""``schema_valid``: the answer validates against the version's schema bundle (default on)."""
from __future__ import annotations

from functools import cache
from typing import Any

from ..casefields import Field
from ..errors import one_line
from ..verdict import Verdict
from .kind import CheckKind, Observed


@cache   # one per bundle name, and a process loads few bundles: no bound to keep in order
def _valid(name: str) -> Verdict:
    """The pass verdict for a bundle (immutable, so one per bundle name serves every answer)."""
    return Verdict("schema", "pass", f"valid against {name}", "valid")


def judge_schema(bundle: Any, root: Any) -> list[Verdict]:
    """One fail verdict per schema issue (path and line), or one pass."""
    name = getattr(bundle, "name", "the schema")
    try:
        issues = bundle.validate(root)
        if issues.__class__ is not list:   # a bundle may give any iterable; ours gives a list
            issues = list(issues)
    except Exception as exc:  # a broken bundle must not stop the other checks
        return [Verdict("schema", "error", f"valid against {name}", "validation could not run",
                        one_line(f"{type(exc).__name__}: {exc}"))]
    if not issues:
        return [_valid(name)]
    expected = f"valid against {name}"
    return [Verdict("schema", "fail", expected, one_line(i.message) or "invalid",
                    path=getattr(i, "path", None) or None, line=getattr(i, "line", None))
            for i in issues]


def parse(raw: Any, field: Field) -> bool:
    return field.typed(raw, bool)


def judge(wanted: bool, seen: Observed) -> list[Verdict]:
    if not wanted or seen.bundle is None or seen.root is None:
        return []
    return judge_schema(seen.bundle, seen.root)


KIND = CheckKind("schema_valid", "default true: the response must validate",
                 "schema_valid = true", parse, judge, default=True)
