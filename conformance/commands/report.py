"""``webex-conformance report``: merge results.json files and render the reports."""
from __future__ import annotations

import argparse

from ..command import Command
from ..errors import EXIT_FAIL, EXIT_OK, UsageError
from ..report_dir import writable_dir
from ..results import OUTCOMES

FAIL_ON = (*OUTCOMES, "conflict")  # "conflict": two merged records of one key disagree
_SHOWN = 20                        # disagreeing conflicts listed in the output; all are in results.json


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
    # matrix (issue 11): the vendor report and the baseline comparison
    p.add_argument("--vendor", metavar="NAME", help="also write vendor-NAME.html and .json: the report for one target")
    p.add_argument("--baseline", metavar="OLD_RESULTS_JSON",
                   help="mark the matrix cells whose outcome changed versus this earlier results.json")


def run(args: argparse.Namespace) -> int:
    from ..report_html import write_html
    from ..report_vendor import check_target, write_vendor_report
    from ..report_writers import WRITERS, write_reports
    from ..results import merge, read_results, summary
    from ..run_diff import mixtures

    docs = [read_results(p) for p in args.results]
    merged = merge(docs)
    baseline = _baseline(args.baseline, merged)
    if args.vendor is not None:
        check_target(merged, args.vendor)  # before anything is written
    out = writable_dir(args.output)
    if baseline is None:
        write_reports(out, merged)
    else:  # the matrix marks what changed versus the baseline
        write_reports(out, merged, [w for w in WRITERS if w.name != "matrix"])
        write_html(out / "matrix.html", merged.results, runs=merged.runs, baseline=baseline)
    if args.vendor is not None:
        paths = write_vendor_report(out, merged, args.vendor)
        print(f"vendor report for {args.vendor}: {', '.join(str(p) for p in paths)}")
    counts = summary(merged.results)
    shown = ", ".join(f"{n} {k}" for k, n in counts.items() if n and k != "total") or "no records"
    for note in mixtures(merged, "the merge"):  # shards of one pipeline should never differ
        print(f"note: {note}")
    disagree = [c for c in merged.conflicts if not c.agree]
    print(f"merged {len(docs)} results file(s), {len(merged.results)} records ({shown}), "
          f"{len(merged.conflicts)} conflict(s), {len(disagree)} of them disagreeing -> {out}")
    for c in disagree[:_SHOWN]:
        print(c.describe() + "  (they disagree)")
    if len(disagree) > _SHOWN:
        print(f"... and {len(disagree) - _SHOWN} more disagreeing conflict(s): see run.conflicts in results.json")
    tripped = {r.outcome for r in merged.results} & args.fail_on
    if "conflict" in args.fail_on and any(not c.agree for c in merged.conflicts):
        tripped.add("conflict")
    if tripped:
        print(f"--fail-on: the merged results hold {', '.join(sorted(tripped))}")
        return EXIT_FAIL
    return EXIT_OK


def _baseline(path: str | None, merged):
    from ..results import ResultsFileError, read_results
    if path is None:
        return None
    try:
        old = read_results(path)
    except ResultsFileError as exc:
        raise UsageError(f"--baseline: {exc}") from None
    keys = {r.key for r in merged.results}
    if merged.results and not any(r.key in keys for r in old.results):
        raise UsageError(f"--baseline {path}: shares no (case, target, version) with the results: not comparable")
    return old.results


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
