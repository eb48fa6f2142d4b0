"""``webex-conformance run``: run the suite through pytest and write the reports."""
from __future__ import annotations

import argparse
import sys

from .. import options
from ..command import Command
from ..errors import EXIT_FAIL, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, UsageError
from ..report_dir import writable_dir
from .case_source import cases_dir_of


def err(msg: str) -> None:
    print(f"webex-conformance: error: {msg}", file=sys.stderr)


def add_arguments(p: argparse.ArgumentParser) -> None:
    options.add_to_argparse(p, "run")


def run(args: argparse.Namespace) -> int:
    import pytest

    from .. import plugin
    from ..execute import UNREACHABLE

    cases_dir = cases_dir_of(args.cases_dir)
    if not cases_dir.is_dir():
        raise UsageError(f"cases directory {str(cases_dir)!r} does not exist")
    if args.conformance_output is None:
        args.conformance_output = "reports"
    writable_dir(args.conformance_output)
    if not args.endpoint and not args.conformance_config and not args.api_version:
        args.all_versions = True
    args.cases_dir = str(cases_dir)
    pargs = [str(cases_dir), "--rootdir", str(cases_dir.parent),
             "-q", "--no-header", "-p", "no:cacheprovider", "--conformance-progress",
             "-o", "console_output_style=classic", *options.pytest_args(args, "run")]
    code = pytest.main(pargs)
    facts = plugin.LAST_RUN
    if "unreachable" in facts:
        return EXIT_UNREACHABLE
    if code == pytest.ExitCode.USAGE_ERROR:
        return EXIT_USAGE
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        err("no case was selected (check -k/-m and the cases directory)")
        return EXIT_USAGE
    results = facts.get("results") or []
    if any(r.outcome == "error" and r.reason.startswith(UNREACHABLE) for r in results):
        return EXIT_UNREACHABLE
    if code == pytest.ExitCode.OK:
        return EXIT_OK
    if code == pytest.ExitCode.TESTS_FAILED:
        return EXIT_FAIL
    if code == pytest.ExitCode.INTERRUPTED:
        return 130
    return EXIT_USAGE


COMMAND = Command(
    name="run",
    help="run the suite and write results.json, junit.xml and matrix.html",
    description="Run the suite through pytest: every case against every target and version. Without "
                "--endpoint or --config it judges the embedded reference server at every documented "
                "version. Arguments after -- go to pytest as they are (e.g. -- -v --html=report.html).",
    add_arguments=add_arguments,
    run=run,
)
