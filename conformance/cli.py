"""``webex-conformance``: run the suite, list cases, judge a saved response, replay a case,
serve the reference server, list its seeded defects, merge reports.

Exit codes: 0 every required check passed; 1 conformance failures; 2 usage or
configuration error; 3 the endpoint could not be reached.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Sequence

from . import __version__

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASES = PROJECT_ROOT / "cases"


class UsageProblem(Exception):
    """A usage or configuration error: printed as one line, exit code 2."""


def _err(msg: str) -> None:
    print(f"webex-conformance: error: {msg}", file=sys.stderr)


# ----------------------------------------------------------------------------- run

def cmd_run(args: argparse.Namespace) -> int:
    import pytest
    from . import plugin
    from .execute import UNREACHABLE

    cases_dir = Path(args.cases_dir) if args.cases_dir else DEFAULT_CASES
    if not cases_dir.is_dir():
        raise UsageProblem(f"cases directory {str(cases_dir)!r} does not exist")
    output = _output_dir(args.output)
    pargs = [str(cases_dir), "--cases-dir", str(cases_dir), "--rootdir", str(cases_dir.parent),
             "-q", "--no-header", "-p", "no:cacheprovider", "--conformance-progress",
             "--conformance-output", str(output),
             "-o", "console_output_style=classic"]
    if args.endpoint:
        pargs += ["--endpoint", args.endpoint]
    elif not args.config and not args.api_version:
        pargs += ["--all-versions"]
    for v in args.api_version:
        pargs += ["--api-version", v]
    for d in args.server_defect:
        pargs += ["--server-defect", d]
    for t in args.target:
        pargs += ["--target", t]
    if args.config:
        pargs += ["--conformance-config", args.config]
    if args.schema_dir:
        pargs += ["--schema-dir", args.schema_dir]
    if args.site_name:
        pargs += ["--site-name", args.site_name]
    if args.k:
        pargs += ["-k", args.k]
    if args.m:
        pargs += ["-m", args.m]
    if args.n:
        pargs += ["-n", str(args.n)]
    if args.exitfirst:
        pargs += ["-x"]
    pargs += ["--allow-writes"] * bool(args.allow_writes)
    pargs += ["--i-know-this-is-production"] * bool(args.i_know_this_is_production)
    pargs += ["--max-writes", str(args.max_writes)] if args.max_writes is not None else []
    code = pytest.main(pargs)
    facts = plugin.LAST_RUN
    if "unreachable" in facts:
        return EXIT_UNREACHABLE
    if code == pytest.ExitCode.USAGE_ERROR:
        return EXIT_USAGE
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        _err("no case was selected (check -k/-m and the cases directory)")
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


def _output_dir(text: str) -> Path:
    """Check before a long run, not after it, that the reports can be written there."""
    out = Path(text)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageProblem(f"--output {text!r}: cannot create the directory: {exc.strerror or exc}") from None
    if not out.is_dir():
        raise UsageProblem(f"--output {text!r} is not a directory")
    return out


# ---------------------------------------------------------------------------- list

def _load(cases_dir: str | None):
    from .cases import load_cases
    report = load_cases(Path(cases_dir) if cases_dir else DEFAULT_CASES)
    for e in report.errors:
        print(f"case file error: {e}", file=sys.stderr)
    return report


def cmd_list(args: argparse.Namespace) -> int:
    from .write_guard import write_summary
    report = _load(args.cases_dir)
    if args.json:
        print(json.dumps([{"id": c.id, "introduced": str(c.introduced), "kind": c.kind, "apis": list(c.apis),
                           "requires": list(c.requires), "title": c.title, "source": c.source,
                           "path": c.path, **write_summary(c)} for c in report.cases], indent=1))
    else:
        for c in report.cases:
            req = f"  requires {', '.join(c.requires)}" if c.requires else ""
            w = write_summary(c)
            writes = f"  writes {', '.join(f'{s}:{k}' for s, k in w['writes'])}" if w["writes"] else ""
            only = "  embedded only" if c.embedded_only else ""
            print(f"{str(c.introduced):12} {c.kind:17} {c.id:55} {', '.join(c.apis)}{req}{writes}{only}")
        print(f"{len(report.cases)} cases, {len(report.errors)} case file errors")
    return EXIT_USAGE if report.errors else EXIT_OK


# ------------------------------------------------------------------------ validate

def cmd_validate(args: argparse.Namespace) -> int:
    from .response import ResponseError, parse_message
    from .schemas import SchemaLoadError, bundle_for
    from .verdicts import Verdict, judge, judge_drift, judge_schema, outcome_of
    from .versions import VersionError, parse_version

    try:
        version = parse_version(args.api_version)
    except VersionError as exc:
        raise UsageProblem(f"--api-version: {exc}") from None
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageProblem(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        bundle = bundle_for(version, args.schema_dir)
    except SchemaLoadError as exc:
        raise UsageProblem(str(exc)) from None
    try:
        parsed = parse_message(data)
    except ResponseError as exc:
        print(f"ERROR envelope: {exc.reason}")
        return EXIT_FAIL
    verdicts: list[Verdict] = []
    if args.case:
        report = _load(args.cases_dir)
        case = report.by_id().get(args.case)
        if case is None:
            raise UsageProblem(f"no case with id {args.case!r}")
        steps = [s for s in case.steps if s.judged]
        if not 0 <= args.step < len(steps):
            raise UsageProblem(f"--step {args.step}: case {case.id} has {len(steps)} judged step(s), "
                               f"numbered from 0")
        step = steps[args.step]
        exp = step.expectation_for(version) if step else None
        if exp is None or exp.not_applicable:
            raise UsageProblem(f"case {case.id} has no expectation for API {version}")
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


# -------------------------------------------------------------------------- replay

def cmd_replay(args: argparse.Namespace) -> int:
    from .config import ConfigError
    from .detect import DetectError
    from .embedded import EmbeddedServers
    from .execute import UNREACHABLE, context_for, run_case
    from .masking import mask
    from .targets import Unreachable, resolve
    from .write_guard import decide_from_options

    report = _load(args.cases_dir)
    case = report.by_id().get(args.case)
    if case is None:
        raise UsageProblem(f"no case with id {args.case!r} (see `webex-conformance list`)")
    servers = None if (args.endpoint or args.config) else EmbeddedServers(args.server_defect)
    try:
        runs = resolve(endpoint=args.endpoint, versions=args.api_version, config_path=Path(args.config) if args.config else None,
                       target_names=args.target, schema_dir=Path(args.schema_dir) if args.schema_dir else None,
                       servers=servers, site_name=args.site_name)
    except Unreachable as exc:
        _err(str(exc))
        return EXIT_UNREACHABLE
    except (ConfigError, DetectError) as exc:
        raise UsageProblem(str(exc)) from None
    worst = EXIT_OK
    try:
        for run in runs:
            ctx = context_for(run.target, run.version)
            ctx.writes = decide_from_options(run.target, args)
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


# --------------------------------------------------------------------------- serve

def cmd_serve(args: argparse.Namespace) -> int:
    import sqlite3

    from .server.defects import UnknownDefect
    from .server.serve import ReferenceServer
    from .versions import VersionError

    try:
        server = ReferenceServer(args.api_version, defects=args.defect, db=args.db, host=args.host,
                                 port=args.port, test_paths=args.test_paths,
                                 site_overrides=_site_overrides(args.set))
    except (VersionError, UnknownDefect) as exc:
        raise UsageProblem(str(exc)) from None
    except sqlite3.Error as exc:
        raise UsageProblem(f"--db {args.db}: not a usable SQLite database: {exc}") from None
    try:
        server.start()
    except (OSError, OverflowError) as exc:
        raise UsageProblem(f"cannot listen on {args.host}:{args.port}: {getattr(exc, 'strerror', None) or exc}") from None
    print(json.dumps(server.info), flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        server.stop()
    return EXIT_OK


_FLAG_FACTS = ("suspended", "control_hub", "auto_record")


def _site_overrides(items: list[str]) -> dict:
    """``main.suspended=true`` -> {"main": {"suspended": True}}; facts.X values stay strings or numbers."""
    from .server.state import SEED_SITES
    out: dict = {}
    for item in items:
        key, sep, value = item.partition("=")
        parts = key.strip().split(".")
        if not sep or len(parts) < 2 or parts[0] not in SEED_SITES:
            raise UsageProblem(f"--set {item!r}: expected SITE.FACT=VALUE with SITE one of {', '.join(SEED_SITES)}")
        site = out.setdefault(parts[0], {})
        if parts[1] in _FLAG_FACTS and len(parts) == 2:
            if value.lower() not in ("true", "false"):
                raise UsageProblem(f"--set {item!r}: {parts[1]} is true or false")
            site[parts[1]] = value.lower() == "true"
        elif parts[1] == "facts" and len(parts) == 3:
            site.setdefault("facts", {})[parts[2]] = int(value) if value.isdigit() else value
        else:
            raise UsageProblem(f"--set {item!r}: unknown fact (known: {', '.join(_FLAG_FACTS)}, facts.NAME)")
    return out


# ------------------------------------------------------------------------- defects

def cmd_defects(args: argparse.Namespace) -> int:
    from .server.defects import all_defects
    defects = all_defects()
    for d in defects.values():
        if args.json:
            continue
        print(f"{d.name}  [{d.version}]  caught by: {', '.join(d.cases)}  -- {d.description}")
    if args.json:
        print(json.dumps([{"name": d.name, "version": d.version, "cases": list(d.cases),
                           "description": d.description} for d in defects.values()], indent=1))
    return EXIT_OK


# -------------------------------------------------------------------------- report

def cmd_report(args: argparse.Namespace) -> int:
    from .report_html import write_html
    from .report_junit import write_junit
    from .results import ResultsFileError, merge, read_results, write_results

    try:
        docs = [read_results(p) for p in args.results]
    except ResultsFileError as exc:
        raise UsageProblem(str(exc)) from None
    merged = merge(docs)
    out = _output_dir(args.output)
    write_results(out / "results.json", merged.results, {"merged_from": merged.runs})
    write_junit(out / "junit.xml", merged.results)
    write_html(out / "matrix.html", merged.results, runs=merged.runs)
    print(f"merged {len(docs)} results file(s), {len(merged.results)} records -> {out}")
    return EXIT_OK


# ---------------------------------------------------------------------------- main

def _safety_opts(p: argparse.ArgumentParser, run: bool = True) -> None:
    """Write safety (conformance.write_guard); moves to conformance/options.py when it lands."""
    p.add_argument("--allow-writes", action="store_true",
                   help="let cases that create, change or delete run against a non-embedded endpoint")
    p.add_argument("--i-know-this-is-production", action="store_true",
                   help="with --allow-writes: also write to a target marked production")
    if run:
        p.add_argument("--max-writes", type=int, metavar="N", help="cap on the writes the run's cases may make")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="webex-conformance", description=__doc__.splitlines()[0])
    ap.add_argument("--version", action="version", version=f"webex-conformance {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    def target_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--endpoint", metavar="URL", help="XML API endpoint (default: the embedded reference server)")
        p.add_argument("--api-version", action="append", default=[], metavar="V", help="version (repeatable)")
        p.add_argument("--config", metavar="FILE", help="webex-conformance.toml with targets")
        p.add_argument("--target", action="append", default=[], metavar="NAME", help="target of the config file")
        p.add_argument("--schema-dir", metavar="DIR", help="judge with this XSD bundle")
        p.add_argument("--site-name", metavar="NAME", help="site name for --endpoint (default $WEBEX_SITE_NAME)")
        p.add_argument("--cases-dir", metavar="DIR", help="case files (default: the project's cases/)")
        p.add_argument("--server-defect", action="append", default=[], metavar="NAME",
                       help="embedded server only: start it with this seeded defect (repeatable)")

    p = sub.add_parser("run", help="run the suite and write results.json, junit.xml and matrix.html")
    target_opts(p)
    p.add_argument("-k", metavar="EXPR", help="select cases (pytest -k expression)")
    p.add_argument("-m", metavar="MARKEXPR", help="select cases by marker (kind_limit, api_GetSite, ...)")
    p.add_argument("-n", type=int, metavar="N", help="parallel workers (pytest-xdist)")
    p.add_argument("-x", "--exitfirst", action="store_true", help="stop at the first failure")
    p.add_argument("--output", default="reports", metavar="DIR", help="output directory (default: reports)")
    _safety_opts(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("list", help="list the cases with version, kind and APIs")
    p.add_argument("--cases-dir", metavar="DIR")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("validate", help="judge a saved response without a server")
    p.add_argument("file")
    p.add_argument("--api-version", required=True, metavar="V")
    p.add_argument("--schema-dir", metavar="DIR")
    p.add_argument("--case", metavar="ID", help="also judge it against this case's expectation")
    p.add_argument("--step", type=int, default=0, metavar="N", help="which judged step of the case (default 0)")
    p.add_argument("--cases-dir", metavar="DIR")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("replay", help="re-send one case's requests and print the exchange (secrets masked)")
    p.add_argument("case", metavar="CASE_ID")
    target_opts(p)
    _safety_opts(p, run=False)
    p.set_defaults(func=cmd_replay)

    # -- write safety: the cleanup command (conformance/commands/cleanup.py) --
    from .commands.cleanup import COMMAND as cleanup
    p = sub.add_parser(cleanup.name, help=cleanup.help, description=cleanup.description)
    cleanup.add_arguments(p)
    p.set_defaults(func=cleanup.run)

    p = sub.add_parser("serve", help="start the reference server; prints one JSON line, then serves")
    p.add_argument("--api-version", default="42.6.0", metavar="V")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--db", metavar="PATH", help="SQLite file: state survives a restart")
    p.add_argument("--defect", action="append", default=[], metavar="NAME", help="seeded defect (repeatable)")
    p.add_argument("--test-paths", action="store_true",
                   help="enable the test-only GET /_test/outbox (mails sent) and /_test/requests (requests received)")
    p.add_argument("--set", action="append", default=[], metavar="SITE.FACT=VALUE",
                   help="a site fact of the seeded site, e.g. main.suspended=true, main.control_hub=true, "
                        "main.auto_record=true, main.facts.MCActiveUserCount=12 (repeatable; new databases only)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("defects", help="list the reference server's seeded defects and the cases that catch them")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_defects)

    p = sub.add_parser("report", help="merge results.json files and render the reports")
    p.add_argument("results", nargs="+", metavar="RESULTS_JSON")
    p.add_argument("--output", default="reports/merged", metavar="DIR")
    p.set_defaults(func=cmd_report)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage error
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    try:
        return args.func(args)
    except UsageProblem as exc:
        _err(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `webex-conformance list | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
