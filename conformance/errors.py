"""Every error the suite reports to a person, in one family tree with one exit code each.

A run ends on one of four documented exit codes (README: "Exit codes"); which one depends
only on the kind of error, so the CLI and the pytest plugin ask this module instead of
matching message prefixes.  Messages are kept to one line: they end up in terminals, in
results.json records and in CI logs.
"""
from __future__ import annotations

import re

__all__ = [
    "EXIT_OK", "EXIT_FAIL", "EXIT_USAGE", "EXIT_UNREACHABLE",
    "ConformanceError", "UsageError", "ConfigError", "CaseFileError", "SchemaError",
    "ResultsFileError", "Unreachable", "one_line", "exit_code_for",
]

EXIT_OK = 0           # every required check passed
EXIT_FAIL = 1         # a conformance failure (or a gate regression)
EXIT_USAGE = 2        # usage, configuration, case-file, schema or results-file error
EXIT_UNREACHABLE = 3  # the endpoint could not be reached

_SPACE = re.compile(r"\s+")


def one_line(text: object, limit: int = 300) -> str:
    """Collapse whitespace and cut at ``limit`` characters (with an ellipsis)."""
    s = _SPACE.sub(" ", str(text)).strip()
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


class ConformanceError(Exception):
    """Base of every error meant for a person: one line, a kind for records, an exit code."""

    kind = "error"
    exit_code = EXIT_USAGE

    def __init__(self, message: object = "") -> None:
        super().__init__(one_line(message, 1000))

    @property
    def message(self) -> str:
        return str(self)


class UsageError(ConformanceError):
    """A command line that cannot be run as given."""
    kind = "usage"


class ConfigError(ConformanceError):
    """A configuration file or target that cannot be used."""
    kind = "config"


class CaseFileError(ConformanceError):
    """A case or limit file that does not load (names file, field and reason)."""
    kind = "case-file"


class SchemaError(ConformanceError):
    """A schema bundle that cannot be loaded or compiled."""
    kind = "schema"


class ResultsFileError(ConformanceError):
    """A results, baseline or expectations file that is missing or not in our format."""
    kind = "results-file"


class Unreachable(ConformanceError):
    """The endpoint could not be reached at all (DNS, refused, TLS, timeout)."""
    kind = "unreachable"
    exit_code = EXIT_UNREACHABLE


def exit_code_for(exc: BaseException) -> int:
    """The documented exit code for an error; anything unexpected is a usage-level error."""
    if isinstance(exc, ConformanceError):
        return exc.exit_code
    return EXIT_USAGE
