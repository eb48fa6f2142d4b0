"""What a check kind is: one key of ``[[step.expect]]``, how it is read and how it judges.

A check kind is data (a ``CheckKind``) built by one module of this package and listed
once in ``checks.CHECKS``; the loader, the judge, the placeholder check and docs/CASES.md
all walk that list, so a new kind is one new module and one line there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

if TYPE_CHECKING:
    from ..casefields import Field
    from ..verdict import Verdict

__all__ = ["CheckKind", "Observed"]


@dataclass(frozen=True)
class Observed:
    """Everything a check may judge for one step: the parsed answer, the schema bundle
    (None when the answer is not to be validated), the run's variables and, for a step
    whose expectation reads mail, the mails sent since the request (or why they could
    not be read)."""

    parsed: Any
    bundle: Any = None
    variables: Mapping[str, str] | None = None
    mails: list[dict] | None = None
    mail_error: str | None = None

    @property
    def root(self) -> Any:
        return getattr(self.parsed, "root", None)

    @property
    def values(self) -> Mapping[str, str]:
        return self.variables or {}


def _no_placeholders(value: Any) -> Iterable[tuple[str, str]]:
    return ()


@dataclass(frozen=True)
class CheckKind:
    """One key of ``[[step.expect]]``.

    ``parse(raw, field)`` turns the TOML value into the kind's value or raises the
    field's ``CaseFileError`` (None: a check no case file sets, made whenever its
    ``default`` says); ``judge(value, observed)`` returns its verdicts (never
    raises, never does I/O); ``placeholders(value)`` gives the (sub-field, text) pairs
    whose ``${...}`` are filled at run time.  ``default`` is the value when the key is
    absent (None: the check is not made).  ``reads_mail``: the runner must read the mail
    sink around the request.  ``summary`` and ``example`` are what docs/CASES.md shows.
    """

    key: str
    summary: str
    example: str
    parse: Callable[[Any, "Field"], Any] | None      # None: not set in case files (drift)
    judge: Callable[[Any, Observed], "list[Verdict]"]
    placeholders: Callable[[Any], Iterable[tuple[str, str]]] = _no_placeholders
    default: Any = None
    reads_mail: bool = False
