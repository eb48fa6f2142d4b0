"""What a run shows and writes: the header, progress as results arrive, the failure text,
pytest-html extras, the three reports in their own directory, and the summary.

Progress follows pytest's verbosity: by default a numbered line at every 5% with the
counts per outcome so far, and each failure as it happens; ``-v`` one numbered line per
case; ``-q`` failures only; ``-qq`` the summary only.
"""
from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path
from typing import Any

import pytest

from ..masking import mask
from .. import provenance
from ..errors import CaseFileError
from ..report_dir import LATEST, point_latest, writable_dir
from ..report_writers import WRITERS, write_reports
from ..record_spool import RecordSummary, uncarry
from ..results import CaseResult, ResultsDoc, mask_strings, summary
from .collection import CaseItem
from .state import RESULT_KEY, RunState, run_dir, state

_STEP_PERCENT = 5
_SHORT = {"pass": "pass", "fail": "fail", "error": "error", "skip": "skip", "not-applicable": "n/a"}


def target_lines(st: RunState) -> list[str]:
    """What is judged, at which version, and how the version is known (one line each;
    the embedded servers of many versions in one)."""
    embedded = [r for r in st.runs if r.target.embedded]
    lines = []
    if len(embedded) > 1:
        lines.append(f"webex-conformance: embedded reference server emulating {len(embedded)} versions "
                     f"({min(r.version for r in embedded)} ... {max(r.version for r in embedded)})")
    for r in st.runs:
        if r.target.embedded and len(embedded) > 1:
            continue
        where = "embedded reference server" if r.target.embedded else r.target.endpoint
        lines.append(f"webex-conformance: {r.target.name} ({where}) judged as API {r.version}: {r.how}")
    defects = st.plan.server_defects if st.plan else ()
    if defects:
        lines.append(f"webex-conformance: the embedded server runs with seeded defect(s): {', '.join(defects)}")
    return lines


def pytest_report_header(config: pytest.Config) -> list[str]:
    st = state(config)
    if not st.active or st.worker:
        return []
    return target_lines(st)


def _name(r: CaseResult | RecordSummary) -> str:
    return f"{r.introduced}/{r.case_id}" if r.introduced else r.case_id


class Reporter:
    """The controller's progress lines, in place of pytest's one letter per item."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.session: pytest.Session | None = None

    @property
    def _tr(self):
        return self.config.pluginmanager.get_plugin("terminalreporter")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session   # its testscollected is the total (xdist sets it too)
        tr = self._tr
        if tr is None:
            return
        if self._ours():
            tr.showfspath = False   # no file names without letters after them
        if self.config.option.no_header and self.config.get_verbosity() >= 0:
            for line in target_lines(state(self.config)):   # the header was hidden, not these
                tr.write_line(line)

    def _ours(self) -> bool:
        """Whether our lines replace pytest's per-item output: always, except under -v
        when pytest prints its own line per item (the CLI asks it not to)."""
        return self.config.get_verbosity(pytest.Config.VERBOSITY_TEST_CASES) <= 0

    def pytest_report_teststatus(self, report: pytest.TestReport, config: pytest.Config):
        if self._ours() and report.when == "call" and any(k == RESULT_KEY for k, _ in report.user_properties):
            return report.outcome, "", ""   # shown by our own lines instead
        return None

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call" or not any(k == RESULT_KEY for k, _ in report.user_properties):
            return
        st = state(self.config)
        try:
            self._progress(st, st.fresh)   # the Collector (tryfirst) has just spooled them
        finally:
            st.fresh = []   # the records are in the spool; collection.pytest_runtest_logreport drops the copy

    def _progress(self, st: RunState, fresh: list[RecordSummary]) -> None:
        st.done += 1
        tr = self._tr
        if tr is None or not self._ours():
            return
        verbosity = self.config.get_verbosity()
        total = max(self._total(), st.done)
        secrets = st.secrets()
        for r in fresh:
            if verbosity >= 1:
                why = f"  {r.reason}" if r.reason and r.outcome != "pass" else ""
                tr.write_line(mask(f"{self._counter(st.done, total)} {_SHORT[r.outcome]:<5} {r.version:<12} "
                                   f"{_name(r)}  ({r.duration_ms or 0:.0f} ms){why}", secrets))
            elif r.outcome in ("fail", "error") and verbosity >= -1:
                tr.write_line(mask(f"{r.outcome.upper():<5} {r.version:<12} {_name(r)}: {r.reason}", secrets))
        if verbosity == 0:
            step = st.done * 100 // (total * _STEP_PERCENT) if total else 0
            if step != st.shown_step or st.done == total:
                st.shown_step = step
                counts = summary(st.results)
                parts = ", ".join(f"{counts[o]} {_SHORT[o]}" for o in _SHORT)
                tr.write_line(f"{self._counter(st.done, total)} {parts}")

    def _total(self) -> int:
        return int(getattr(self.session, "testscollected", 0) or 0)

    @staticmethod
    def _counter(done: int, total: int) -> str:
        width = len(str(total))
        return f"[{done:>{width}}/{total} {done * 100 // max(total, 1):>3}%]"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """With pytest-html (``--html=report.html``), attach each case's verdicts and exchange."""
    outcome = yield
    if not isinstance(item, CaseItem) or call.when != "call" or not item.config.pluginmanager.hasplugin("html") \
            or not item.config.getoption("htmlpath", None):
        return   # without --html, extras would only be carried (to the controller, kept all run)
    from pytest_html import extras as html_extras

    report = outcome.get_result()
    raw = next((v for k, v in item.user_properties if k == RESULT_KEY), None)
    if raw is None:
        return
    result = uncarry(raw)
    secrets = item.run.target.secrets()
    added = [html_extras.text(mask("\n".join(v.describe() for v in result.verdicts) or result.reason, secrets),
                              name="verdicts")]
    for s in result.steps:
        added.append(html_extras.text(mask(f">>> request\n{s.request}\n\n<<< response (HTTP {s.status})\n{s.response}",
                                           secrets), name=f"exchange: {s.name}"))
    report.extras = [*getattr(report, "extras", []), *added]


def write_run_reports(st: RunState, session: pytest.Session, exitstatus: int) -> Path:
    """Every report (report_writers.WRITERS), in --output or the run's reports/<UTC time>/
    (then reports/latest points at it)."""
    plan = st.plan
    out = writable_dir(st.run_dir or run_dir(st.config))
    secrets = st.secrets()
    bundles = {}
    for r in st.results:
        if r.schema_bundle:
            bundles.setdefault(f"{r.target} {r.version}", r.schema_bundle)
    run = {
        "tool": "webex-conformance",
        "started_at": st.started_at,
        "finished_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "targets": [{"name": r.target.name, "endpoint": r.target.endpoint, "version": str(r.version),
                     "how": r.how, "embedded": r.target.embedded} for r in st.runs],
        "schema_bundles": bundles,
        "server_defects": list(plan.server_defects if plan else ()),
        "load_errors": st.load_errors,
        "leftovers": st.safety.leftovers if st.safety is not None else [],   # write safety: issue 10
        "command": mask(" ".join(sys.argv), secrets),
    }
    items_ran = [*(r for r in st.results if r.error_kind != CaseFileError.kind), *st.load_errors]
    run.update(provenance.from_pytest_session(session, exitstatus, st.cases_dir, items_ran))  # gate: issue 9
    spool = st.records()
    write_reports(out, ResultsDoc(runs=[mask_strings(run, secrets)], results=spool))
    spool.remove()   # only once every report is whole: a failed write keeps the records
    if st.new_dir:
        point_latest(out.parent, out.name)
    return out


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    st = state(config)
    if not st.active or st.worker:
        return
    counts = summary(st.results)
    parts = [f"{n} {k}" for k, n in counts.items() if n and k != "total"]
    terminalreporter.section("webex-conformance")
    terminalreporter.write_line(f"{counts.get('total', 0)} case results: {', '.join(parts) or 'none'}")
    for err in st.load_errors:
        terminalreporter.write_line(f"case file error: {err}")
    if st.safety is not None:
        for line in st.safety.summary_lines(st.results):
            terminalreporter.write_line(line)
    if st.output is not None:
        out = st.output
        latest = f" ({out.parent / LATEST} points here)" if st.new_dir else ""
        terminalreporter.write_line("reports: " + ", ".join(str(out / w.filename) for w in WRITERS) + latest)
    code, reason = st.outcome.exit_code, st.outcome.reason
    if code is not None and st.error is None:
        terminalreporter.write_line(f"exit code {code}" + (f": {mask(reason, st.secrets())}" if reason else ""))
