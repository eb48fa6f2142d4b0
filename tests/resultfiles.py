"""Results records and run info for the tests of diff, gate and merge (no server needed)."""
from __future__ import annotations

from pathlib import Path

from conformance import __version__
from conformance.results import CaseResult, StepRecord, write_results
from conformance.verdicts import Verdict


def rec(case_id: str, outcome: str = "pass", version: str = "42.6.0", target: str = "ref",
        reason: str = "", check: str = "result") -> CaseResult:
    """A record whose one verdict (``check``) passes or fails with the outcome."""
    verdict_outcome = outcome if outcome in ("pass", "fail", "error") else "pass"
    steps = [] if outcome in ("skip", "not-applicable") else [StepRecord(
        name="s", api="ep.GetAPIVersion", role="site-admin", site="main", request="<r/>", response="<a/>",
        status=200, verdicts=[Verdict(check, verdict_outcome, "x", "x" if verdict_outcome == "pass" else "y")])]
    if outcome != "pass" and not reason:
        reason = f"{check}: expected x, got y" if outcome in ("fail", "error") else "needs mail-sink"
    return CaseResult(case_id=case_id, title=f"title of {case_id}", introduced="39.1.0",
                      source=f"Heading of {case_id}", apis=["GetAPIVersion"], kind="element", target=target,
                      endpoint="http://127.0.0.1:9/WBXService/XMLService", version=version, outcome=outcome,
                      reason=reason, steps=steps)


def run_info(suite_version: str = __version__, cases_sha: str = "c" * 64, status: str = "completed",
             defects: tuple[str, ...] = ()) -> dict:
    return {"tool": "webex-conformance",
            "targets": [{"name": "ref", "endpoint": "http://127.0.0.1:9/WBXService/XMLService", "version": "42.6.0",
                         "how": "embedded", "embedded": True}],
            "server_defects": list(defects),
            "suite": {"name": "webex-conformance", "version": suite_version, "source": "git", "commit": "a" * 40,
                      "dirty": False},
            "inputs": {"cases": {"path": None, "files": 3, "sha256": cases_sha},
                       "limits": {"path": None, "files": 0, "sha256": None}},
            "selection": {"keyword": None, "markers": None, "versions": [], "targets": [], "filtered": False},
            "status": status, "items": {"selected": 3, "ran": 3}}


def results_file(path: Path, records: list[CaseResult], **info) -> Path:
    write_results(path, records, run_info(**info))
    return path
