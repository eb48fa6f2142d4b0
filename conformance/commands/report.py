"""``webex-conformance report``: merge results.json files and render the reports."""
from __future__ import annotations

import argparse

from ..command import Command
from ..errors import EXIT_FAIL, EXIT_OK
from ..report_dir import writable_dir
from ..results import OUTCOMES

FAIL_ON = (*OUTCOMES, "conflict")  # "conflict": two merged records of one key disagree


def _fail_on(text: str) -> frozenset[str]:
    names = {t.strip() for t in text.split(",") if t.strip()}
    unknown = sorted(names - set(FAIL_ON))
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"{', '.join(unknown) or repr(text)}: expected a comma-separated list "
                                         f"of {', '.join(FAIL_ON)}")
    return frozenset(names)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", nargs="+", metavar="RESULTS_JSON", help="results.json files of runs or shards")
    p.add_argument("--output", default="reports/merged", metavar="DIR",
                   help="where the merged results.json, junit.xml and matrix.html go (default: reports/merged)")
    p.add_argument("--fail-on", type=_fail_on, default=frozenset(), metavar="OUTCOMES",
                   help=f"exit 1 when a merged record has one of these outcomes (comma-separated: "
                        f"{', '.join(FAIL_ON)}), e.g. --fail-on fail,error")


def run(args: argparse.Namespace) -> int:
    from ..report_writers import write_reports
    from ..results import merge, read_results, summary

    docs = [read_results(p) for p in args.results]
    merged = merge(docs)
    out = writable_dir(args.output)
    write_reports(out, merged)
    counts = summary(merged.results)
    shown = ", ".join(f"{n} {k}" for k, n in counts.items() if n and k != "total") or "no records"
    print(f"merged {len(docs)} results file(s), {len(merged.results)} records ({shown}), "
          f"{len(merged.conflicts)} conflict(s) -> {out}")
    for c in merged.conflicts:
        print(c.describe() + ("" if c.agree else "  (they disagree)"))
    tripped = {r.outcome for r in merged.results} & args.fail_on
    if "conflict" in args.fail_on and any(not c.agree for c in merged.conflicts):
        tripped.add("conflict")
    if tripped:
        print(f"--fail-on: the merged results hold {', '.join(sorted(tripped))}")
        return EXIT_FAIL
    return EXIT_OK


COMMAND = Command(
    name="report",
    help="merge results.json files and render the reports",
    description="Merge the results.json files of several runs (shards, sites, versions) into one "
                "results.json, junit.xml and matrix.html. Two records for the same (case, target, version) "
                "are both kept and listed as a conflict. Exit codes: 0 merged; 1 --fail-on matched; 2 a file "
                "that cannot be read.",
    add_arguments=add_arguments,
    run=run,
)
