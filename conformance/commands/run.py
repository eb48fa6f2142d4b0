"""``webex-conformance run``: run the suite through pytest and write the reports.

The CLI adds nothing to a run that plain ``pytest cases`` lacks: it turns its options back
into pytest arguments (``conformance.options``), adds whatever followed ``--``, and reads
the exit code from the ``RunOutcome`` it hands to ``pytest.main``.
"""
from __future__ import annotations

import argparse

from .. import options
from ..command import Command
from ..errors import EXIT_OK, EXIT_USAGE, UsageError
from ..report_dir import writable_dir
from ..run_outcome import RunOutcome
from .case_source import cases_dir_of


def add_arguments(p: argparse.ArgumentParser) -> None:
    options.add_to_argparse(p, "run")


def pytest_arguments(args: argparse.Namespace) -> list[str]:
    """The pytest command line of a ``run``: cases, our options, then the user's own."""
    cases_dir = cases_dir_of(args.cases_dir)
    if not cases_dir.is_dir():
        raise UsageError(f"cases directory {str(cases_dir)!r} does not exist")
    if args.conformance_output is not None:
        writable_dir(args.conformance_output)
    if not args.endpoint and not args.conformance_config and not args.api_version:
        args.all_versions = True
    args.cases_dir = str(cases_dir)
    return [str(cases_dir), "--rootdir", str(cases_dir.parent), "--no-header", "-p", "no:cacheprovider",
            "-o", "console_output_style=classic", "-o", "verbosity_test_cases=0",
            "-W", "ignore::pytest.PytestAssertRewriteWarning",   # we imported ourselves first
            *options.pytest_args(args, "run"),
            *getattr(args, "pytest_args", [])]


def run(args: argparse.Namespace) -> int:
    import pytest

    outcome = RunOutcome()
    code = pytest.main(pytest_arguments(args), plugins=[outcome])
    if outcome.exit_code is not None:
        return outcome.exit_code
    # pytest stopped before the run began: its own usage error (an unknown option after --)
    # or an internal error; never pytest's 3 or 4, which would read as our "unreachable".
    return EXIT_OK if code == pytest.ExitCode.OK else EXIT_USAGE


COMMAND = Command(
    name="run",
    help="run the suite and write results.json, junit.xml and matrix.html",
    description="Run the suite through pytest: every case against every target and version. Without "
                "--endpoint or --config it judges the embedded reference server at every documented "
                "version. Reports go to a new reports/<UTC time>/ (reports/latest points at the newest) "
                "unless --output names a directory. Arguments after -- go to pytest as they are, e.g. "
                "`webex-conformance run -- -v --html=report.html`. Exit codes: 0 pass, 1 conformance "
                "failure, 2 usage/configuration/case-file error or too few checks judged, 3 endpoint "
                "unreachable.",
    add_arguments=add_arguments,
    run=run,
)
