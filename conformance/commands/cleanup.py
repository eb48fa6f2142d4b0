"""``webex-conformance cleanup RESULTS``: undo, later, what a run could not undo itself.

A run lists in results.json (``run.leftovers``) every object it created and every setting
it changed that it could not delete or restore (the site was down, a worker was killed,
the circuit breaker opened).  Each leftover carries its undo request; this command sends
them again with the credentials of the same target (``--config``/``--target``, or
``--endpoint`` with the WEBEX_* variables) and rewrites the list with what is still left.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..command import Command

__all__ = ["COMMAND", "run_cleanup"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", metavar="RESULTS_JSON", help="results.json of the run that left things behind")
    p.add_argument("--config", metavar="FILE", help="webex-conformance.toml with the run's target")
    p.add_argument("--target", action="append", default=[], metavar="NAME", help="target of the config file")
    p.add_argument("--endpoint", metavar="URL", help="the endpoint, credentials from WEBEX_* variables")
    p.add_argument("--site-name", metavar="NAME", help="site name for --endpoint (default $WEBEX_SITE_NAME)")
    p.add_argument("--dry-run", action="store_true", help="only list what would be undone")


def _targets(args: argparse.Namespace) -> list[Any]:
    from ..config import load_config, target_from_options
    if args.config:
        targets = load_config(args.config)
        return [t for t in targets if not args.target or t.name in args.target]
    if args.endpoint:
        return [target_from_options(args.endpoint, None, args.site_name)]
    return []


def _write(path: Path, doc: dict) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def run_cleanup(args: argparse.Namespace) -> int:
    from ..case_undo import undo_entry
    from ..write_guard import findable
    from ..config import ConfigError
    from ..execute import RunContext
    from ..site_guard import GuardedTransport, SharedState
    from ..transport import Transport
    from ..versions import VersionError, parse_version

    path = Path(args.results)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        runs = [doc["run"]] if isinstance(doc.get("run"), dict) else list(doc.get("runs") or [])
        if not runs:
            raise ValueError("no run information")
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        print(f"webex-conformance: error: {path}: not a readable results file ({exc})", file=sys.stderr)
        return EXIT_USAGE
    leftovers = [lo for run in runs for lo in (run.get("leftovers") or [])]
    if not leftovers:
        print(f"{path}: nothing left to undo")
        return EXIT_OK
    try:
        targets = _targets(args)
    except ConfigError as exc:
        print(f"webex-conformance: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not targets:
        print("webex-conformance: error: cleanup needs the run's target: --config FILE [--target NAME] "
              "or --endpoint URL", file=sys.stderr)
        return EXIT_USAGE
    state = SharedState()
    remaining, done = [], 0
    contexts: dict[str, Any] = {}
    try:
        for lo in leftovers:
            target = next((t for t in targets if t.name == lo.get("target")), None) or \
                next((t for t in targets if t.endpoint == lo.get("endpoint")), None)
            label = f"{lo.get('action')} {lo.get('what')} {lo.get('key') or '(key unknown)'}"
            undo = lo.get("undo") if isinstance(lo.get("undo"), dict) else {}
            if target is None or not (undo.get("api") or findable(lo)):
                why = "no such target given" if target is None else "its key is unknown: remove it by hand"
                print(f"left: {label}: {why}")
                remaining.append(lo)
                continue
            if args.dry_run:
                how = (f"{undo['api']} {undo.get('body', '')}" if undo.get("api")
                       else f"look for {lo.get('tag')!r} in the {lo.get('what')}s' names and delete those")
                print(f"would {label}: {how}")
                remaining.append(lo)
                continue
            ctx = contexts.get(target.name)
            if ctx is None:
                try:
                    version = parse_version(lo.get("version") or "")
                except VersionError:
                    version = target.version
                inner = Transport(target.transport)
                guarded = GuardedTransport(inner, state, target.endpoint, target.transport.rate_limit,
                                           target.safety, writes_allowed=True)
                ctx = contexts[target.name] = RunContext(target, version, guarded)
            why = undo_entry(ctx, lo)
            if why is None:
                done += 1
                print(f"done: {label}")
            else:
                remaining.append({**lo, "reason": why})
                print(f"left: {label}: {why}")
    finally:
        for ctx in contexts.values():
            ctx.transport.close()
    if not args.dry_run:
        for run in runs:
            run["leftovers"] = [lo for lo in remaining if lo in (run.get("leftovers") or []) or
                                any(lo.get("id") == x.get("id") for x in (run.get("leftovers") or []))]
        _write(path, doc)
    print(f"{done} undone, {len(remaining)} left" + (f" (still listed in {path})" if remaining else ""))
    return EXIT_FAIL if remaining else EXIT_OK


COMMAND = Command(
    name="cleanup",
    help="undo what a run could not (the leftovers listed in its results.json)",
    description=__doc__ or "",
    add_arguments=_add_arguments,
    run=run_cleanup,
)
