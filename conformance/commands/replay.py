"""``webex-conformance replay``: re-send one case's requests and print the exchange."""
from __future__ import annotations

import argparse
from pathlib import Path

from .. import options
from ..command import Command
from ..errors import EXIT_FAIL, EXIT_OK, EXIT_UNREACHABLE, ConfigError, UsageError
from .case_source import load_reported


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", metavar="CASE_ID", help="the case to replay (see `webex-conformance list`), "
                   "or boundary/<limit> with --request")
    options.add_to_argparse(p, "replay")
    p.add_argument("--request", metavar="FILE", help="boundary/<limit>: a saved failing request to re-send "
                   "(docs/BOUNDARIES.md)")


def run(args: argparse.Namespace) -> int:
    from ..detect import DetectError
    from ..embedded import EmbeddedServers
    from ..execute import UNREACHABLE, context_for, run_case
    from ..masking import mask
    from ..targets import Unreachable, resolve
    from .run import err

    if args.case.startswith("boundary/"):
        from ..boundary_replay import replay_boundary
        return replay_boundary(args)
    report = load_reported(args.cases_dir)
    case = report.by_id().get(args.case)
    if case is None:
        raise UsageError(f"no case with id {args.case!r} (see `webex-conformance list`)")
    servers = None if (args.endpoint or args.conformance_config) else EmbeddedServers(args.server_defect)
    try:
        runs = resolve(endpoint=args.endpoint, versions=args.api_version,
                       config_path=Path(args.conformance_config) if args.conformance_config else None,
                       target_names=args.target, schema_dir=Path(args.schema_dir) if args.schema_dir else None,
                       servers=servers, site_name=args.site_name, default_all_versions=args.all_versions)
    except Unreachable as exc:
        err(str(exc))
        return EXIT_UNREACHABLE
    except DetectError as exc:
        raise ConfigError(str(exc)) from None
    worst = EXIT_OK
    try:
        for run in runs:
            ctx = context_for(run.target, run.version)
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
            if result.outcome in ("fail", "error"):
                worst = EXIT_UNREACHABLE if result.reason.startswith(UNREACHABLE) else EXIT_FAIL
    finally:
        if servers is not None:
            servers.close()
    return worst


COMMAND = Command(
    name="replay",
    help="re-send one case's requests and print the exchange (secrets masked)",
    description="Run one case against the same targets a run would judge and print every request, "
                "response and verdict, with credentials masked: the command each failure's "
                "'Reproduce with' line gives.",
    add_arguments=add_arguments,
    run=run,
)
