"""``webex-conformance gate RESULTS --baseline BASELINE``: the release gate of a CI pipeline."""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
from pathlib import Path

from lxml import etree

from ..command import Command
from ..errors import EXIT_FAIL, EXIT_OK, ResultsFileError
from ..report_junit import _x  # the one replacement of characters XML 1.0 cannot carry

BREAK_GLASS = "WEBEX_CONFORMANCE_GATE_BREAK_GLASS"  # set to a reason: print the decision, exit 0, once


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", metavar="RESULTS", help="results.json of this build's run (merged shards)")
    p.add_argument("--baseline", required=True, metavar="BASELINE",
                   help="results.json of the accepted run to compare with (same suite version and case files)")
    p.add_argument("--expectations", metavar="FILE",
                   help="TOML file of accepted failures, each with reason, link, owner and expiry date")
    p.add_argument("--dry-run", action="store_true", help="print the decision and exit 0 whatever it is")
    p.add_argument("--json", action="store_true", help="print the decision as one JSON object")
    p.add_argument("--junit", metavar="FILE", help="also write the decision as JUnit XML to FILE")
    p.add_argument("--cases-dir", metavar="DIR",
                   help="case files whose ids the expectations may name (default: the cases the run used, "
                        "else the suite's own)")


def _known_cases(args: argparse.Namespace, docs) -> set[str]:
    from ..cases import load_cases
    from ..resources import cases_dir

    known = {r.case_id for d in docs for r in d.results}
    dirs = [Path(args.cases_dir)] if args.cases_dir else []
    if not dirs:
        recorded = [((run.get("inputs") or {}).get("cases") or {}).get("path") for d in docs for run in d.runs
                    if isinstance(run, dict)]
        dirs = [Path(p) for p in recorded if isinstance(p, str) and Path(p).is_dir()][:1] or [cases_dir()]
    for d in dirs:
        if d.is_dir():
            known |= {c.id for c in load_cases(d).cases}
            limits = d.parent / "limits"
            if limits.is_dir():
                known |= {f"boundary/{p.stem}" for p in limits.glob("*.toml")}
    return known


def _junit(decision) -> bytes:
    root = etree.Element("testsuites", name="webex-conformance gate")
    suite = etree.SubElement(root, "testsuite", name="webex-conformance gate")
    counts = {"tests": 0, "failures": 0, "skipped": 0}

    def case(name: str, classname: str, failure: str | None = None, skipped: str | None = None,
             text: str = "") -> None:
        counts["tests"] += 1
        el = etree.SubElement(suite, "testcase", classname=classname, name=_x(name), time="0")
        if failure is not None:
            counts["failures"] += 1
            etree.SubElement(el, "failure", message=_x(failure), type="gate").text = _x(text or failure)
        elif skipped is not None:
            counts["skipped"] += 1
            etree.SubElement(el, "skipped", message=_x(skipped))

    for f in decision.regressions:
        case(f"{f.case_id} [{f.target} {f.version}]", "regression",
             failure=f"{f.baseline} -> {f.now or 'not run'}: {f.reason}",
             text=f"release note: {f.source}\nreproduce: {f.reproduce}")
    for e in decision.expired:
        case(e.where, "expectations", failure=f"expired on {e.expires.isoformat()} (owner {e.owner}, {e.link})")
    for e in decision.stale:
        case(e.where, "expectations", failure="stale: the failure it accepts no longer happens; remove the entry")
    for f in decision.accepted:
        case(f"{f.case_id} [{f.target} {f.version}]", "known-failure",
             skipped=f"known failure, accepted by {', '.join(f.accepted_by)}: {f.reason}")
    case("gate", "gate", failure=None if decision.passed else decision.headline())
    for k, v in counts.items():
        suite.set(k, str(v))
        root.set(k, str(v))
    suite.set("errors", "0")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def run(args: argparse.Namespace) -> int:
    from ..expectations import load_expectations
    from ..gate_decision import decide, refusal
    from ..results import read_results

    results, baseline = read_results(args.results), read_results(args.baseline)
    why_not = refusal(results, baseline, args.results, args.baseline)
    if why_not:
        raise ResultsFileError(why_not)
    entries = []
    if args.expectations:
        entries = load_expectations(args.expectations, _known_cases(args, (results, baseline)))
    decision = decide(results, baseline, entries, _dt.datetime.now(_dt.timezone.utc).date())
    break_glass = os.environ.get(BREAK_GLASS, "").strip()
    override = "dry run" if args.dry_run else (f"break-glass ({BREAK_GLASS}: {break_glass})" if break_glass else "")
    code = EXIT_OK if decision.passed or override else EXIT_FAIL
    if args.junit:
        path = Path(args.junit)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_junit(decision))
    if args.json:
        print(json.dumps({"format": "webex-conformance-gate/1", "results": args.results, "baseline": args.baseline,
                          "expectations": args.expectations, "override": override or None, "exit_code": code,
                          **decision.to_dict()}, indent=1))
    else:
        for line in decision.text_lines():
            print(line)
        if override and not decision.passed:
            print(f"{override}: the gate would fail (exit {EXIT_FAIL}); exiting 0")
    return code


COMMAND = Command(
    name="gate",
    help="fail a release only on regressions against a baseline, never on an accepted known failure",
    description="Compare RESULTS with BASELINE per (case, target, version). Exit 1 when a record that passed "
                "in the baseline is skipped or was not run now, or fails or errs and no unexpired entry of "
                "--expectations accepts it; when an expectations entry has expired or is stale (the failure it "
                "accepts no longer happens); or when nothing was judged. --dry-run, or the environment variable " + BREAK_GLASS + " set to a reason, "
                "prints the decision and exits 0. Exit 2: a file that cannot be read, a baseline of another "
                "suite version or case set, or a bad expectations entry (named).",
    add_arguments=add_arguments,
    run=run,
)
