"""Judge one parsed response against one expectation: pure, tree in, verdicts out.

Keeping this stage free of I/O is what lets the same judgement run on a live exchange,
on a saved response file (replay) and in unit tests without a server.  Every check
yields a ``Verdict`` whose expected/actual are one-line, human-readable texts, because
they end up verbatim in JUnit failures and in the matrix partners read.  A mistake in a
case (a bad XPath or regex met at run time) is an ``error`` verdict, never an exception.
What each key of an expectation checks lives in its own module of ``conformance.checks``;
``judge`` walks that registry in its order.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from .checks import CHECKS, Observed
from .checks.drift import judge_drift
from .checks.mail import judge_mail
from .checks.schema_valid import judge_schema
from .errors import one_line
from .verdict import OUTCOMES, Verdict, drift_of, outcome_of

if TYPE_CHECKING:  # contracts only; judging needs no more than these attributes
    from .cases import Expectation
    from .response import ParsedResponse
    from .schemas import SchemaBundle

__all__ = [
    "Verdict", "OUTCOMES", "judge", "judge_error", "judge_mail", "judge_schema", "judge_drift", "outcome_of",
    "drift_of",
]


def judge_error(reason: str, check: str = "envelope") -> list[Verdict]:
    """The single verdict for a response that could not be parsed (a ResponseError)."""
    return [Verdict(check, "error", "a well-formed XML API response", one_line(reason) or "unreadable response")]


def judge(expectation: Expectation, parsed: ParsedResponse, bundle: SchemaBundle | None,
          variables: Mapping[str, str], mails: list[dict] | None = None,
          mail_error: str | None = None) -> list[Verdict]:
    """All verdicts of one expectation on one parsed response, in the registry's order.

    ``mails``: the messages the mail sink received since the request (None when not
    read, e.g. judging a saved file); ``mail_error``: why the sink could not be read.
    """
    if getattr(expectation, "not_applicable", None):
        return []
    seen = Observed(parsed, bundle, variables, mails, mail_error)
    values = dict(expectation.checks)
    verdicts: list[Verdict] = []
    for kind in CHECKS:
        if kind.key in values:
            verdicts.extend(kind.judge(values[kind.key], seen))
    return verdicts
