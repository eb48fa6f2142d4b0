"""``webex-conformance replay``: re-send one case's requests and print the exchange.

The same plan as a run (targets, versions, embedded servers) and the same ``run_case``;
only the output differs: every request, response and verdict, masked.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .. import options
from ..command import Command
from ..errors import UsageError
from .case_source import DEFAULT_CASES, load_reported


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", metavar="CASE_ID", help="the case to replay (see `webex-conformance list`), "
                   "or boundary/<limit> with --request")
    options.add_to_argparse(p, "replay")
    p.add_argument("--request", metavar="FILE", help="boundary/<limit>: a saved failing request to re-send "
                   "(docs/BOUNDARIES.md)")


def run(args: argparse.Namespace) -> int:
    from ..execute import run_case
    from ..masking import mask
    from ..run_outcome import decide
    from ..run_plan import plan
    from ..write_guard import decide_from_options

    if args.case.startswith("boundary/"):
        from ..boundary_replay import replay_boundary
        return replay_boundary(args)
    report = load_reported(args.cases_dir)
    case = report.by_id().get(args.case)
    if case is None:
        raise UsageError(f"no case with id {args.case!r} (see `webex-conformance list`)")
    the_plan = plan(args, root=Path(args.cases_dir).resolve().parent if args.cases_dir else DEFAULT_CASES.parent,
                    root_config=False)
    results = []
    try:
        for run in the_plan.runs:
            ctx = the_plan.context(run)
            ctx.writes = decide_from_options(run.target, args)   # --allow-writes, production guard
            try:
                result = run_case(case, ctx)
            finally:
                ctx.transport.close()
            secrets = run.target.secrets()
            print(mask(f"# {case.id} on {run.target.name} judged as API {run.version}: {result.outcome.upper()}"
                       f"{' - ' + result.reason if result.reason else ''}", secrets))
            for s in result.steps:
                print(f"## step {s.name} ({s.api} as {s.role} on {s.site}): HTTP {s.status}, "
                      f"{s.elapsed_ms} ms, {s.attempts} attempt(s)")
                print(">>> request\n" + mask(s.request, secrets))
                print("<<< response\n" + mask(s.response, secrets))
                for v in s.verdicts:
                    print("  " + mask(v.describe(), secrets))
            results.append(result)
    finally:
        the_plan.close()
    return decide(results, min_checks=0)[0]   # the run's own mapping: 0, 1, or 3


COMMAND = Command(
    name="replay",
    help="re-send one case's requests and print the exchange (secrets masked)",
    description="Run one case against the same targets a run would judge and print every request, "
                "response and verdict, with credentials masked: the command each failure's "
                "'Reproduce with' line gives. Exits 0 if it passed, 1 if it failed, 3 if the endpoint "
                "could not be reached.",
    add_arguments=add_arguments,
    run=run,
)
