"""A ``Verdict``: what one check found, as one-line texts a person reads in a report.

Its own module so that every check kind (``checks``) and the records (``results``) can
share it without importing the judge.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .errors import one_line

__all__ = ["Verdict", "OUTCOMES", "outcome_of", "drift_of"]

OUTCOMES = ("pass", "fail", "error", "info")


@dataclass(frozen=True)
class Verdict:
    check: str
    outcome: str
    expected: str
    actual: str
    detail: str = ""
    path: str | None = None
    line: int | None = None
    # Structured findings behind the texts (drift: the undocumented paths).  Kept in
    # memory for the record being made; results.json keeps the texts above.
    items: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"verdict outcome must be one of {', '.join(OUTCOMES)}, not {self.outcome!r}")

    def describe(self) -> str:
        """One line for reports: 'FAIL result: expected FAILURE, actual SUCCESS'."""
        text = f"{self.outcome.upper()} {self.check}: expected {self.expected}, actual {self.actual}"
        if self.detail and self.check != "drift":  # drift's detail repeats its actual, one per line
            text += f" ({one_line(self.detail)})"
        if self.path:
            text += f" at {self.path}"
        if self.line is not None:
            text += f" line {self.line}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "outcome": self.outcome, "expected": self.expected,
                "actual": self.actual, "detail": self.detail, "path": self.path, "line": self.line}

    @classmethod
    def from_dict(cls, data: Any) -> "Verdict":
        """Rebuild a verdict from results.json; a malformed record is a one-line ValueError."""
        if not isinstance(data, dict):
            raise ValueError(f"a verdict must be an object, not {type(data).__name__}")
        for key in ("check", "outcome", "expected", "actual"):
            if key not in data:
                raise ValueError(f"verdict is missing field {key!r}")
            if not isinstance(data[key], str):
                raise ValueError(f"verdict field {key!r} must be a string")
        detail = data.get("detail", "")
        path = data.get("path")
        line = data.get("line")
        if not isinstance(detail, str):
            raise ValueError("verdict field 'detail' must be a string")
        if path is not None and not isinstance(path, str):
            raise ValueError("verdict field 'path' must be a string or null")
        if line is not None and (not isinstance(line, int) or isinstance(line, bool)):
            raise ValueError("verdict field 'line' must be an integer or null")
        return cls(data["check"], data["outcome"], data["expected"], data["actual"], detail, path, line)


def outcome_of(verdicts: Iterable[Verdict]) -> str:
    """'error' beats 'fail' beats 'pass'; info verdicts (drift) never change the outcome."""
    outcomes = {v.outcome for v in verdicts}
    if "error" in outcomes:
        return "error"
    if "fail" in outcomes:
        return "fail"
    return "pass"


def drift_of(verdicts: Iterable[Verdict]) -> list[str]:
    """The undocumented items the drift verdicts listed (for CaseResult.drift)."""
    return [item for v in verdicts if v.check == "drift" for item in v.items]
