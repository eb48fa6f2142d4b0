"""``webex-conformance validate``: judge a saved response without a server."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..command import Command
from ..errors import EXIT_FAIL, EXIT_OK, UsageError
from .case_source import load_reported


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="a saved XML API response (the body only)")
    p.add_argument("--api-version", required=True, metavar="V", help="the version to judge it as")
    p.add_argument("--schema-dir", metavar="DIR", help="judge with this XSD bundle (e.g. the official download)")
    p.add_argument("--case", metavar="ID", help="also judge it against this case's expectation")
    p.add_argument("--step", type=int, default=0, metavar="N", help="which judged step of the case (default 0)")
    p.add_argument("--cases-dir", metavar="DIR", help="case files (default: the project's cases/)")


def run(args: argparse.Namespace) -> int:
    from ..response import ResponseError, parse_message
    from ..schemas import SchemaLoadError, bundle_for
    from ..verdicts import Verdict, judge, judge_drift, judge_schema, outcome_of
    from ..run_plan import version_of

    version = version_of(args.api_version)
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        bundle = bundle_for(version, args.schema_dir)
    except SchemaLoadError as exc:
        raise UsageError(str(exc)) from None
    try:
        parsed = parse_message(data)
    except ResponseError as exc:
        print(f"ERROR envelope: {exc.reason}")
        return EXIT_FAIL
    verdicts: list[Verdict] = []
    if args.case:
        report = load_reported(args.cases_dir)
        case = report.by_id().get(args.case)
        if case is None:
            raise UsageError(f"no case with id {args.case!r}")
        steps = [s for s in case.steps if s.judged]
        if not 0 <= args.step < len(steps):
            raise UsageError(f"--step {args.step}: case {case.id} has {len(steps)} judged step(s), "
                             f"numbered from 0")
        step = steps[args.step]
        exp = step.expectation_for(version) if step else None
        if exp is None or exp.not_applicable:
            raise UsageError(f"case {case.id} has no expectation for API {version}")
        verdicts = judge(exp, parsed, bundle if exp.schema_valid else None, {"target.version": str(version)})
    else:
        verdicts = judge_schema(bundle, parsed.root)
        drift = judge_drift(bundle, parsed.root)
        if drift is not None:
            verdicts.append(drift)
    print(f"{path}: {parsed.result} {parsed.exception_id or ''} {parsed.reason or ''}".rstrip())
    print(f"judged with {bundle.name} as API {version}")
    for v in verdicts:
        print("  " + v.describe())
    return EXIT_FAIL if outcome_of(verdicts) != "pass" else EXIT_OK


COMMAND = Command(
    name="validate",
    help="judge a saved response without a server",
    description="Judge a saved XML API response as a given API version: against the schema bundle of that "
                "version (schema validity and drift), or with --case against that case's expectation. "
                "Exits 0 if every check passed, 1 if one did not, 2 if the file or options cannot be used.",
    add_arguments=add_arguments,
    run=run,
)
