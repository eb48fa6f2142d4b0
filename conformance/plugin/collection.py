"""Case files become items: one per (case, target version), marked for -k and -m.

A case file that does not load becomes one item too, whose records (one per target
version, outcome "error", error_kind "case-file") reach results.json, junit.xml and the
matrix like any other; the run then ends with exit code 2.
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

import pytest

from .. import errors
from ..cases import Case, CaseFileError, load_case_file
from ..execute import run_case
from ..masking import mask
from ..record_spool import carry
from ..results import CaseResult
from ..targets import TargetRun
from ..versions import VersionError, parse_version
from .state import LOAD_ERROR_KEY, RESULT_KEY, state


def mark_name(prefix: str, value: str) -> str:
    return prefix + "_" + re.sub(r"[^A-Za-z0-9]+", "_", value).strip("_")


_MARKERS = pytest.StashKey[set]()


def register_marker(config: pytest.Config, name: str, what: str) -> None:
    known = config.stash.setdefault(_MARKERS, set())
    if name not in known:
        known.add(name)
        config.addinivalue_line("markers", f"{name}: {what}")


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    st = state(parent.config)
    if not st.active or file_path.suffix != ".toml" or st.cases_dir is None:
        return None
    if file_path.name == "headings.toml" or file_path.name.startswith("_"):
        return None
    if st.cases_dir not in file_path.resolve().parents:
        return None
    return CaseFile.from_parent(parent, path=file_path)


class CaseFailed(Exception):
    def __init__(self, result: CaseResult):
        super().__init__(result.reason)
        self.result = result


class CaseFile(pytest.File):
    def collect(self):
        st = state(self.config)
        try:
            case = load_case_file(self.path)
        except CaseFileError as err:
            yield CaseLoadError.from_parent(self, name="load-error", error=str(err))
            return
        marks = case_marks(self.config, case)   # the same for every version: made once
        for run in st.runs:
            name = case.test_id if len(st.runs) == 1 else f"{case.test_id}[{run.label}]"
            yield CaseItem.from_parent(self, name=name, case=case, run=run, marks=marks)


def case_marks(config: pytest.Config, case: Case) -> list[pytest.MarkDecorator]:
    """A case's markers for -m: webex_case, its kind, the version that introduced it, each
    API it calls and each fixture it needs (registered, so --strict-markers accepts them)."""
    names = ["webex_case", mark_name("kind", case.kind), mark_name("introduced", case.introduced.slug)]
    for name, what in [*((mark_name("api", a), f"cases touching {a}") for a in case.apis),
                       *((mark_name("requires", f), f"cases needing the {f} fixture") for f in case.requires)]:
        register_marker(config, name, what)
        names.append(name)
    return [getattr(pytest.mark, name) for name in names]


def load_error_record(path: Path, error: str, run: TargetRun) -> CaseResult:
    """The record of a case file that does not load: named by its file, for one column
    (its version from the directory it sits in, ``cases/<version>/``, when that is one)."""
    try:
        introduced = str(parse_version(path.parent.name.replace("-", " ")))
    except VersionError:
        introduced = ""
    return CaseResult(
        case_id=path.stem, title=f"case file {path.name} does not load", introduced=introduced,
        source="", apis=[], kind="", target=run.target.name, endpoint=run.target.endpoint,
        version=str(run.version), outcome="error", reason=f"case file error: {error}",
        started_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        error_kind=CaseFileError.kind)


class CaseLoadError(pytest.Item):
    def __init__(self, *, error: str, **kw: Any):
        super().__init__(**kw)
        self.error = error

    def runtest(self) -> None:
        self.user_properties.append((LOAD_ERROR_KEY, self.error))
        for run in state(self.config).runs:
            record = load_error_record(self.path, self.error, run)
            self.user_properties.append((RESULT_KEY, carry(record)))
        raise errors.CaseFileError(self.error)

    def repr_failure(self, excinfo, style=None) -> str:  # noqa: ARG002
        return f"case file error: {self.error}"

    def reportinfo(self):
        return self.path, None, f"{self.path.name}: load error"


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, run: TargetRun, marks: list[pytest.MarkDecorator], **kw: Any):
        super().__init__(**kw)
        self.case = case
        self.run = run
        for mark in marks:   # case_marks(case), made once per case file
            self.add_marker(mark)
        self.extra_keyword_matches.update([*case.apis, case.kind, str(case.introduced), str(run.version)])

    def runtest(self) -> None:
        st = state(self.config)
        result = run_case(self.case, st.context(self.run))
        self.user_properties.append((RESULT_KEY, carry(result)))
        if result.error_kind == "unreachable":
            self.session.shouldstop = f"webex-conformance: {result.reason}"
        if result.outcome == "skip" and st.fail_on_skip:
            raise CaseFailed(result)
        if result.outcome in ("skip", "not-applicable"):
            pytest.skip(f"{result.outcome}: {result.reason}")
        if result.outcome in ("fail", "error"):
            raise CaseFailed(result)

    def repr_failure(self, excinfo, style=None):  # noqa: ARG002
        if not isinstance(excinfo.value, CaseFailed):
            return super().repr_failure(excinfo)
        r = excinfo.value.result
        secrets = self.run.target.secrets()
        head = "SKIP (a failure under --fail-on-skip)" if r.outcome == "skip" else r.outcome.upper()
        lines = [f"{head}: {self.case.title} [{self.case.source}]",
                 f"target {r.target} ({r.endpoint}) judged as API {r.version}"]
        if r.reason:
            lines.append(f"reason: {r.reason}")
        for s in r.steps:
            for v in s.verdicts:
                if v.outcome in ("fail", "error"):
                    lines.append(f"  {s.name}: {v.describe()}")
        lines.append("Reproduce with: " + reproduce(self.case, self.run, self.config))
        return mask("\n".join(lines), secrets)

    def reportinfo(self):
        return self.path, None, self.name


def reproduce(case: Case, run: TargetRun, config: pytest.Config) -> str:
    cmd = f"webex-conformance replay {case.id} --api-version {run.version.slug}"
    if run.config_path:
        cmd += f" --config {run.config_path} --target {run.target.name}"
    if not run.target.embedded and (not run.config_path or config.option.endpoint):
        cmd += f" --endpoint {run.target.endpoint}"
    return cmd


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:  # noqa: ARG001
    """Once the call's report has the record (it copies the item's properties), the record
    leaves the item: the teardown report would copy it again, and every report stays in the
    terminal's stats (the controller's too, over xdist) for the whole run, so a copy per
    item made a run's memory grow with every case."""
    if any(k == RESULT_KEY for k, _ in item.user_properties):
        item.user_properties[:] = [(k, v) for k, v in item.user_properties if k != RESULT_KEY]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_logreport(report: pytest.TestReport):
    """Once every plugin has had the call's report (the controller's Collector spools the
    record, an xdist worker's interactor sends it to the controller), the report keeps the
    key (our teststatus) but not the record: every process's terminal keeps every report
    in its stats for the whole run, an xdist worker's too, where a record per item made
    the worker's memory grow by ~13 KB with every case."""
    try:
        return (yield)
    finally:
        if report.when == "call" and any(k == RESULT_KEY and v for k, v in report.user_properties):
            report.user_properties = [(k, "" if k == RESULT_KEY else v) for k, v in report.user_properties]


class Collector:
    """Per-run hook of the controller: gather results as reports arrive (from xdist workers
    too), once, here."""

    def __init__(self, config: pytest.Config):
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        st = state(self.config)
        fresh = []
        for key, value in report.user_properties:
            if key == RESULT_KEY:
                fresh.append(st.records().add(value))
            elif key == LOAD_ERROR_KEY:
                st.load_errors.append(value)
        st.fresh = fresh   # for the progress lines (Reporter, trylast), then dropped
