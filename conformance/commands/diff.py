"""``webex-conformance diff OLD NEW``: what changed between two runs."""
from __future__ import annotations

import argparse
import json

from ..command import Command
from ..errors import EXIT_FAIL, EXIT_OK, ResultsFileError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", metavar="OLD", help="results.json of the earlier run (e.g. the last release)")
    p.add_argument("new", metavar="NEW", help="results.json of the later run")
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    p.add_argument("--force", action="store_true",
                   help="compare even when the suite version or the case or limit files differ (says so)")


def run(args: argparse.Namespace) -> int:
    from ..results import read_results
    from ..run_diff import diff_runs

    old, new = read_results(args.old), read_results(args.new)
    diff = diff_runs(old, new, args.old, args.new)
    if not diff.comparable and not args.force:
        raise ResultsFileError(f"{args.old} and {args.new} are not comparable runs: {'; '.join(diff.notes)} "
                               f"(--force compares anyway)")
    if args.json:
        print(json.dumps({"format": "webex-conformance-diff/1", "old": args.old, "new": args.new,
                          **diff.to_dict()}, indent=1))
    else:
        print(f"diff {args.old} ({len(old.results)} records) -> {args.new} ({len(new.results)} records)")
        for note in diff.notes:
            print(f"NOT COMPARABLE: {note}")
        for line in diff.text_lines():
            print(line)
    return EXIT_FAIL if diff.regressions else EXIT_OK


COMMAND = Command(
    name="diff",
    help="compare two results.json files: newly failing, newly passing, added, removed, changed",
    description="Compare two runs per (case, target, version): newly failing, no longer judged (passed "
                "before, skipped now), newly passing, added, removed and changed reason. Only runs of the "
                "same suite version with the same case and limit files compare (--force to compare "
                "anyway). Exit codes: 0 nothing regressed, 1 something regressed, 2 a file that cannot "
                "be read or runs that do not compare.",
    add_arguments=add_arguments,
    run=run,
)
