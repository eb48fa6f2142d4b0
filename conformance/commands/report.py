"""``webex-conformance report``: merge results.json files and render the reports."""
from __future__ import annotations

import argparse

from ..command import Command
from ..errors import EXIT_OK, UsageError
from ..report_dir import writable_dir


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", nargs="+", metavar="RESULTS_JSON", help="results.json files of runs or shards")
    p.add_argument("--output", default="reports/merged", metavar="DIR",
                   help="where the merged results.json, junit.xml and matrix.html go (default: reports/merged)")


def run(args: argparse.Namespace) -> int:
    from ..report_writers import write_reports
    from ..results import ResultsFileError, merge, read_results

    try:
        docs = [read_results(p) for p in args.results]
    except ResultsFileError as exc:
        raise UsageError(str(exc)) from None
    merged = merge(docs)
    out = writable_dir(args.output)
    write_reports(out, merged)
    print(f"merged {len(docs)} results file(s), {len(merged.results)} records -> {out}")
    return EXIT_OK


COMMAND = Command(
    name="report",
    help="merge results.json files and render the reports",
    description="Merge the results.json files of several runs (shards, sites, versions) into one "
                "results.json, junit.xml and matrix.html.",
    add_arguments=add_arguments,
    run=run,
)
