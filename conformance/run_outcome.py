"""How a run ends: the one mapping from what happened to a documented exit code.

``RunOutcome`` is the object the CLI hands to ``pytest.main(plugins=[...])``; the plugin
fills it in at the end of the session and sets pytest's own exit status to the same code,
so plain ``pytest`` and ``webex-conformance run`` exit alike (README: "Exit codes").
``decide`` is pure: records and a few facts in, (code, one-line reason) out.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .errors import (EXIT_FAIL, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, CaseFileError, Unreachable,
                     exit_code_for, one_line)
from .results import CaseResult

__all__ = ["RunOutcome", "decide", "EXIT_INTERRUPTED", "checks_judged"]

EXIT_INTERRUPTED = 130   # Ctrl-C, as a shell reports it


@dataclass(eq=False)   # a pytest plugin object: hashable by identity
class RunOutcome:
    """Filled in by the plugin when the session ends; read by whoever started pytest."""

    exit_code: int | None = None          # None: pytest stopped before a run began
    reason: str = ""                      # one line, empty on a pass
    output: Path | None = None            # where the reports went, if any were written
    counts: dict[str, int] = field(default_factory=dict)


def checks_judged(results: Iterable[CaseResult]) -> int:
    """Checks that reached a verdict on the target's behaviour (pass or fail)."""
    return sum(r.judged for r in results)   # a CaseResult, or the run's record_spool.RecordSummary


# What a skipped case lacked, by the words execute uses for it.
_MISSING = (("credential", "credentials"), ("fixture", "fixtures"), ("needs the value", "values"))


def _why_nothing(results: list[CaseResult], checks: int, min_checks: int) -> str:
    head = (f"no check was judged" if checks == 0 else f"only {checks} check(s) judged") + \
        f" (at least {min_checks} required)"
    if not results:
        return head + ": no case was selected (check -k/-m and the cases directory)"
    parts: list[str] = []
    missing: Counter = Counter()
    example: dict[str, str] = {}
    for r in results:
        if r.outcome == "skip":
            what = next((name for word, name in _MISSING if word in r.reason), "other")
            missing[what] += 1
            example.setdefault(what, r.reason)
    for what, n in missing.most_common():
        parts.append(f"{n} skipped for missing {what} (e.g. {example[what]})" if what != "other"
                     else f"{n} skipped ({example[what]})")
    na = sum(1 for r in results if r.outcome == "not-applicable")
    if na:
        parts.append(f"{na} not applicable at the version(s) judged")
    return head + ": " + "; ".join(parts or [f"the run holds {len(results)} case result(s)"])


def decide(results: list[CaseResult], *, error: BaseException | None = None, pytest_status: int = 0,
           min_checks: int = 1, fail_on_skip: bool = False) -> tuple[int, str]:
    """The exit code and its reason; the first rule that applies wins.

    3 an unreachable endpoint (later failures may only be its consequence); 2 a run that
    could not start, or a case file that does not load (the run is not the one asked for);
    1 a failure or error; 1 a skip under --fail-on-skip; 2 fewer checks judged than
    --min-checks; 130 interrupted; 0 otherwise.
    """
    if error is not None:
        return exit_code_for(error), one_line(error)
    gone = [r for r in results if r.error_kind == Unreachable.kind]
    if gone:   # before "interrupted": an unreachable site (or the breaker) stops the run itself
        return EXIT_UNREACHABLE, one_line(f"{gone[0].target}: {gone[0].reason}")
    if pytest_status == 2:   # pytest's INTERRUPTED
        return EXIT_INTERRUPTED, "interrupted: the reports hold the cases finished so far"
    broken = [r for r in results if r.error_kind == CaseFileError.kind]
    if broken:
        files = sorted({r.case_id for r in broken})
        return EXIT_USAGE, one_line(f"{len(files)} case file(s) did not load: {broken[0].reason}")
    bad = [r for r in results if r.outcome in ("fail", "error")]
    if bad:
        n = Counter(r.outcome for r in bad)
        return EXIT_FAIL, f"{n['fail']} failed, {n['error']} error(s)"
    skipped = [r for r in results if r.outcome == "skip"]
    if skipped and fail_on_skip:
        return EXIT_FAIL, one_line(f"{len(skipped)} skipped and --fail-on-skip is set "
                                   f"(first: {skipped[0].case_id}: {skipped[0].reason})")
    if pytest_status == 1:   # pytest's TESTS_FAILED without a failing case: another test failed
        return EXIT_FAIL, "a test that is not a case failed"
    checks = checks_judged(results)
    if checks < min_checks:
        return EXIT_USAGE, one_line(_why_nothing(results, checks, min_checks), 600)
    if pytest_status not in (0, 5):   # internal error, usage error inside the session
        return EXIT_USAGE, f"pytest ended with status {pytest_status}"
    return EXIT_OK, ""
