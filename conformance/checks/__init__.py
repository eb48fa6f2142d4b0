"""The check kinds of ``[[step.expect]]``, in the order their verdicts are reported.

Adding a kind: write ``checks/<kind>.py`` exposing ``KIND = CheckKind(...)`` and add it
to ``CHECKS`` here; the loader, the judge, the placeholder check and docs/CASES.md (a
test compares them) follow from this list.
"""
from __future__ import annotations

from . import absent, count, drift, equals, exception_id, mail, matches, present, reason, result, schema_valid, value
from .kind import CheckKind, Observed
from .mail import MailExpectation

__all__ = ["CHECKS", "FILE_KEYS", "CheckKind", "Observed", "MailExpectation", "kind_of"]

CHECKS: tuple[CheckKind, ...] = (
    result.KIND,
    exception_id.KIND,
    reason.KIND,
    value.KIND,
    present.KIND,
    absent.KIND,
    equals.KIND,
    matches.KIND,
    count.KIND,
    schema_valid.KIND,
    drift.KIND,
    mail.KIND,
)

# The keys a case file may set (drift is made on every validated answer, never set).
FILE_KEYS: tuple[str, ...] = tuple(k.key for k in CHECKS if k.parse is not None)



def kind_of(key: str) -> CheckKind:
    """The registered kind with this key (KeyError if none)."""
    for k in CHECKS:
        if k.key == key:
            return k
    raise KeyError(key)
