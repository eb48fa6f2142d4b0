"""What a conformant server must answer to one boundary input: pure code, no I/O.

A limit file says what the notes say (the bound, the answer beyond it, per version);
this module turns that into a prediction for one concrete input.  Where the notes leave
the unit open, an input is measured under every reasonable *reading* of it:

- display characters: code points or grapheme clusters (an accented letter written as
  ``e`` + U+0301 is two code points and one display character), each with the text as
  sent or trimmed of surrounding white space (is a name of spaces "empty"?);
- bytes: 5 MB as 5,000,000 (decimal) or 5,242,880 (binary) bytes;
- date ranges: wall-clock seconds between the two dates, or elapsed seconds in the
  site's time zone (US Pacific, timeZoneID 4) across a change of daylight saving time;
- items per call: entries, or distinct attendees (two entries with one email).

When every reading predicts the same answer, that answer is required; when they differ,
either is conformant and the observed answer says which readings the endpoint follows
(``ReadingTracker``: one reading must explain every answer of a run).  docs/BOUNDARIES.md
says why each reading is reasonable.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from .limits import Limit, Rule
from .verdicts import Verdict
from .versions import Version

__all__ = ["Prediction", "READINGS", "measure", "predict", "grapheme_count", "pacific_elapsed",
           "classify", "judge_example", "ReadingTracker", "ACCEPT", "REFUSE", "EITHER", "NOT_APPLICABLE"]

ACCEPT, REFUSE, EITHER, NOT_APPLICABLE = "accept", "refuse", "either", "not-applicable"

# unit -> the readings of it; the first is the notes' literal word and names an input's size
READINGS: dict[str, tuple[str, ...]] = {
    "display-characters": ("grapheme-clusters", "code-points", "grapheme-clusters+trimmed", "code-points+trimmed"),
    "bytes": ("decimal", "binary"),
    "range-seconds": ("wall-clock", "elapsed"),
    "items-per-call": ("entries", "distinct"),
}
_UNIT_WORDS = {"display-characters": "display characters", "bytes": "bytes", "range-seconds": "seconds",
               "items-per-call": "items"}


# --- measuring ----------------------------------------------------------------------------

def _extends(ch: str) -> bool:
    """Whether ``ch`` continues the grapheme cluster before it (UAX #29 Extend/SpacingMark,
    ZWJ, variation selectors, emoji modifiers): enough for every character our generators
    draw, which is what the oracle is asked about."""
    cp = ord(ch)
    return (unicodedata.category(ch) in ("Mn", "Me", "Mc") or cp == 0x200D
            or 0xFE00 <= cp <= 0xFE0F or 0x1F3FB <= cp <= 0x1F3FF)


def grapheme_count(text: str) -> int:
    """Grapheme clusters (user-perceived characters) of ``text``."""
    if text.isascii():          # no mark, joiner or modifier: one cluster per character
        return len(text)
    distinct = set(text)
    if "\u200d" not in distinct and not any(0x1F1E6 <= ord(c) <= 0x1F1FF for c in distinct):
        # no joiner, no flag: every character starts a cluster but the extending ones after
        # the first; counted per distinct character (the boundary texts repeat a few
        # thousand times a handful of clusters, and this is most of the oracle's cost)
        extending = [c for c in distinct if _extends(c)]
        return len(text) - sum(text.count(c) for c in extending) + (text[0] in extending)
    return _grapheme_walk(text)


def _grapheme_walk(text: str) -> int:
    """The cluster count character by character (joiners and flag pairs need the state)."""
    count = 0
    prev_zwj = False
    regional_open = False
    for ch in text:
        cp = ord(ch)
        if count and (_extends(ch) or prev_zwj):
            prev_zwj = cp == 0x200D
            continue
        if 0x1F1E6 <= cp <= 0x1F1FF:          # flags: regional indicators pair up
            if regional_open:
                regional_open = False
                continue
            regional_open = True
        else:
            regional_open = False
        prev_zwj = cp == 0x200D
        count += 1
    return count


def _nth_sunday(year: int, month: int, n: int) -> _dt.date:
    d = _dt.date(year, month, 1)
    first = d + _dt.timedelta(days=(6 - d.weekday()) % 7)
    return first + _dt.timedelta(weeks=n - 1)


def _pacific_offset_hours(t: _dt.datetime) -> int:
    """UTC offset of US Pacific local time ``t`` (the US rule since 2007, used for every year)."""
    start = _dt.datetime.combine(_nth_sunday(t.year, 3, 2), _dt.time(2))
    end = _dt.datetime.combine(_nth_sunday(t.year, 11, 1), _dt.time(1))   # 01:00 standard = 02:00 daylight
    return -7 if start <= t < end else -8


def pacific_elapsed(start: _dt.datetime, end: _dt.datetime) -> int:
    """Seconds that really pass between two US Pacific wall-clock times."""
    utc = lambda t: t - _dt.timedelta(hours=_pacific_offset_hours(t))  # noqa: E731
    return int((utc(end) - utc(start)).total_seconds())


def measure(unit: str, value: Any) -> dict[str, int]:
    """The input's size under each reading of ``unit``."""
    if unit == "display-characters":
        text = str(value)
        trimmed = text.strip()
        clusters = grapheme_count(text)
        return {"grapheme-clusters": clusters, "code-points": len(text),
                "grapheme-clusters+trimmed": clusters if trimmed == text else grapheme_count(trimmed),
                "code-points+trimmed": len(trimmed)}
    if unit == "bytes":
        return {"decimal": int(value), "binary": int(value)}
    if unit == "range-seconds":
        start, end = value
        return {"wall-clock": int((end - start).total_seconds()), "elapsed": pacific_elapsed(start, end)}
    if unit == "items-per-call":
        ids = tuple(value)
        return {"entries": len(ids), "distinct": len(set(ids))}
    raise ValueError(f"unknown unit {unit!r}")


# --- predicting -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Prediction:
    """What a conformant server answers to one input at one version."""
    outcome: str                                   # accept | refuse | either | not-applicable
    rule: Rule
    unit: str = ""
    sizes: dict[str, int] = field(default_factory=dict)
    readings: dict[str, str] = field(default_factory=dict)   # reading -> accept | refuse
    bound: int | None = None

    @property
    def size(self) -> int | None:
        """The input's size under the first (strictest documented) reading."""
        return next(iter(self.sizes.values()), None)

    def refusal_text(self) -> str:
        r = self.rule
        parts = [r.result or "FAILURE"]
        if r.exception_id:
            parts.append(r.exception_id)
        if r.reason:
            parts.append(f"/{r.reason}/")
        if r.value is not None:
            parts.append(f"value {r.value!r}")
        return " ".join(parts)

    def expected_text(self) -> str:
        if self.outcome == ACCEPT:
            return "accepted"
        if self.outcome == REFUSE:
            return f"refused: {self.refusal_text()}"
        if self.outcome == EITHER:
            how = ", ".join(f"{k} {v}" for k, v in self.readings.items())
            return f"accepted or refused ({self.refusal_text()}), by reading: {how}"
        return "not applicable"


def _within(limit: Limit, size: int, bound: int) -> bool:
    if limit.min is not None and size < limit.min:
        return False
    return size <= bound if limit.inclusive else size < bound


def predict(limit: Limit, version: Version, value: Any) -> Prediction:
    """The answer the notes require at ``version`` for ``value`` (see the module doc)."""
    rule = limit.rule_for(version)
    if rule is None:
        raise ValueError(f"limit {limit.id} has no rule for {version}")
    if rule.not_applicable:
        return Prediction(NOT_APPLICABLE, rule, limit.unit)
    sizes = measure(limit.unit, value)
    if rule.no_limit:
        return Prediction(ACCEPT, rule, limit.unit, sizes, {k: ACCEPT for k in sizes})
    readings = {}
    for name, size in sizes.items():
        bound = limit.band_max if (name == "binary" and limit.band_max) else rule.max
        readings[name] = ACCEPT if _within(limit, size, bound) else REFUSE
    answers = set(readings.values())
    outcome = answers.pop() if len(answers) == 1 else EITHER
    return Prediction(outcome, rule, limit.unit, sizes, readings, rule.max)


# --- judging ------------------------------------------------------------------------------

def _matches_refusal(rule: Rule, parsed: Any) -> list[Verdict]:
    """The header verdicts of the documented refusal (result, exceptionID, reason, value)."""
    out = [Verdict("result", "pass" if parsed.result == "FAILURE" else "fail", "FAILURE", str(parsed.result))]
    if rule.exception_id is not None:
        got = parsed.exception_id
        out.append(Verdict("exceptionID", "pass" if got == rule.exception_id else "fail", rule.exception_id,
                           got or "(none)"))
    if rule.reason is not None:
        hit = re.search(rule.reason, parsed.reason or "") is not None
        out.append(Verdict("reason", "pass" if hit else "fail", f"matches /{rule.reason}/", _clip(parsed.reason)))
    if rule.value is not None:
        out.append(Verdict("value", "pass" if parsed.value == rule.value else "fail", repr(rule.value),
                           repr(parsed.value) if parsed.value is not None else "(none)"))
    return out


def _clip(text: str | None, n: int = 80) -> str:
    if text is None:
        return "(none)"
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def classify(parsed: Any, rule: Rule, accept_codes: Iterable[str] = ()) -> str:
    """accept (SUCCESS, or a FAILURE that only says "nothing found"), refuse (the documented
    refusal, every part of it), or other (any other answer)."""
    if parsed.result == "SUCCESS" or (parsed.result == "FAILURE" and parsed.exception_id in set(accept_codes)):
        return ACCEPT
    if rule.result and all(v.outcome == "pass" for v in _matches_refusal(rule, parsed)):
        return REFUSE
    return "other"


def _observed(parsed: Any) -> str:
    parts = [str(parsed.result)]
    if parsed.exception_id:
        parts.append(parsed.exception_id)
    if parsed.reason:
        parts.append(_clip(parsed.reason, 60))
    return " ".join(parts)


def judge_example(prediction: Prediction, parsed: Any, label: str, accept_codes: Iterable[str] = ()
                  ) -> tuple[list[Verdict], str]:
    """Verdicts for one example and what the endpoint did (accept | refuse | other)."""
    seen = classify(parsed, prediction.rule, accept_codes)
    check = f"boundary:{label}"
    size = f"{prediction.size} {_UNIT_WORDS.get(prediction.unit, '')}".strip()
    expected = prediction.expected_text()
    ok = (seen == prediction.outcome) if prediction.outcome in (ACCEPT, REFUSE) else seen in (ACCEPT, REFUSE)
    detail = f"input size {size} (bound {prediction.bound})"
    verdicts = [Verdict(check, "pass" if ok else "fail", expected, _observed(parsed), detail)]
    if not ok and prediction.outcome in (REFUSE, EITHER) and parsed.result == "FAILURE":
        verdicts += [v for v in _matches_refusal(prediction.rule, parsed) if v.outcome == "fail"]
    return verdicts, seen


@dataclass
class ReadingTracker:
    """Which readings of an ambiguous unit explain every answer seen so far."""
    unit: str
    consistent: set[str] = field(default_factory=set)
    decided_by: list[str] = field(default_factory=list)   # labels of the examples that narrowed it

    def __post_init__(self) -> None:
        if not self.consistent:
            self.consistent = set(READINGS.get(self.unit, ()))

    def observe(self, prediction: Prediction, seen: str, label: str) -> bool:
        """Narrow the readings by one answer; False when no reading is left to explain them."""
        if prediction.outcome != EITHER or seen not in (ACCEPT, REFUSE):
            return True
        keep = {r for r, answer in prediction.readings.items() if answer == seen}
        if not self.consistent <= keep:
            self.decided_by.append(label)
        self.consistent &= keep
        return bool(self.consistent)

    def reading(self) -> str | None:
        """The readings the endpoint follows (in READINGS order), or None if nothing told them apart."""
        if not self.decided_by:
            return None
        names = [r for r in READINGS.get(self.unit, ()) if r in self.consistent]
        return ", ".join(names) if names else "none (the answers contradict every reading)"
