"""The pytest plugin: one test item per (case, target version), judged by the engine.

``pytest`` at the repository root (or ``pytest cases``) collects ``cases/**/*.toml``;
with no ``--endpoint`` it starts the embedded reference server on a free loopback port.
The plugin stays inert in runs that do not collect cases (our own ``pytest tests``).
Results travel from xdist workers to the controller in each report's user_properties,
and only the controller writes results.json, junit.xml and matrix.html.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .cases import KINDS, Case, CaseFileError, load_case_file
from .config import ConfigError
from .detect import DetectError
from .embedded import EmbeddedServers
from .execute import UNREACHABLE, RunContext, context_for, run_case
from . import provenance
from .masking import mask
from .options import add_to_pytest
from .results import CaseResult, ResultsDoc, mask_strings, summary
from .report_writers import WRITERS, write_reports
from .targets import TargetRun, Unreachable, from_json, resolve, to_json
from .versions import ALL_VERSIONS

# Boundary tests (limits/*.toml) are collected by their own module: one line here.
pytest_plugins = ["conformance.boundary_collect"]

RESULT_KEY = "webex_conformance_result"
LOAD_ERROR_KEY = "webex_conformance_load_error"
WORKER_KEY = "webex_conformance_runs"

# Facts about the last run in this process, for the CLI's exit code: "unreachable"
# (the endpoint could not be reached) and "results".
LAST_RUN: dict[str, Any] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("webex-conformance", "Webex Meetings XML API conformance")
    add_to_pytest(g)
    g.addoption("--conformance-progress", action="store_true", help="one line per case as it finishes")


class CaseFailed(Exception):
    def __init__(self, result: CaseResult):
        super().__init__(result.reason)
        self.result = result


class CaseFileProblem(Exception):
    pass


@dataclass
class _State:
    config: pytest.Config
    active: bool = False
    worker: bool = False
    cases_dir: Path | None = None
    runs: list[TargetRun] = field(default_factory=list)
    servers: EmbeddedServers | None = None
    results: list[CaseResult] = field(default_factory=list)
    load_errors: list[str] = field(default_factory=list)
    contexts: dict[str, RunContext] = field(default_factory=dict)
    started_at: str = ""
    output: Path | None = None    # where the reports were written

    def context(self, run: TargetRun) -> RunContext:
        ctx = self.contexts.get(run.label)
        if ctx is None:
            ctx = self.contexts[run.label] = context_for(run.target, run.version)
        return ctx

    def secrets(self) -> list[str]:
        out: list[str] = []
        for r in self.runs:
            out += r.target.secrets()
        return out


_KEY = pytest.StashKey[_State]()


def _state(config: pytest.Config) -> _State:
    return config.stash[_KEY]


def _mark_name(prefix: str, value: str) -> str:
    return prefix + "_" + re.sub(r"[^A-Za-z0-9]+", "_", value).strip("_")


def _share_rate_limit(run: TargetRun, workers: int) -> TargetRun:
    """N xdist workers each send at rate/N, so a site still sees the configured rate."""
    rate = run.target.transport.rate_limit
    if not rate or workers == 1:
        return run
    transport = dataclasses.replace(run.target.transport, rate_limit=rate / workers)
    return dataclasses.replace(run, target=dataclasses.replace(run.target, transport=transport))


def _register_marker(config: pytest.Config, name: str, what: str) -> None:
    known = config.stash.setdefault(_MARKERS, set())
    if name not in known:
        known.add(name)
        config.addinivalue_line("markers", f"{name}: {what}")


_MARKERS = pytest.StashKey[set]()


def _is_conformance_run(config: pytest.Config, cases_dir: Path) -> bool:
    opt = config.option
    if not cases_dir.is_dir() and not opt.cases_dir:
        return False
    if opt.endpoint or opt.api_version or opt.server_defect or opt.conformance_config or opt.all_versions:
        return True
    for arg in config.args:
        p = Path(str(arg).split("::")[0])
        p = (p if p.is_absolute() else Path(config.invocation_params.dir) / p).resolve()
        if p == cases_dir or cases_dir in p.parents or p in cases_dir.parents:
            return True
    return False


def pytest_configure(config: pytest.Config) -> None:
    root = Path(config.rootpath)
    st = _State(config)
    config.stash[_KEY] = st
    opt = config.option
    st.cases_dir = Path(opt.cases_dir).resolve() if opt.cases_dir else (root / "cases").resolve()
    if opt.cases_dir and not st.cases_dir.is_dir():
        raise pytest.UsageError(f"--cases-dir {opt.cases_dir!r} is not a directory")
    config.addinivalue_line("markers", "webex_case: a Webex XML API conformance case")
    for k in KINDS:
        config.addinivalue_line("markers", f"{_mark_name('kind', k)}: cases of kind {k}")
    for v in ALL_VERSIONS:
        config.addinivalue_line("markers", f"{_mark_name('introduced', v.slug)}: changes introduced in {v}")
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        st.worker = True
        data = workerinput.get(WORKER_KEY)
        if data:
            st.active = True
            workers = max(1, int(workerinput.get("workercount", 1)))
            st.runs = [_share_rate_limit(from_json(x), workers) for x in data]
        return
    st.active = _is_conformance_run(config, st.cases_dir)
    if not st.active:
        return
    config.pluginmanager.register(_Collector(config), "webex_conformance_collector")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(), "webex_conformance_xdist")
    st.started_at = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    cfg = Path(opt.conformance_config) if opt.conformance_config else None
    # pytest at the root picks up the root's webex-conformance.toml; an explicit request for
    # the embedded server (--all-versions, --server-defect) does not.
    if (cfg is None and not opt.endpoint and not opt.server_defect and not opt.all_versions
            and (root / "webex-conformance.toml").is_file()):
        cfg = root / "webex-conformance.toml"
    LAST_RUN.clear()
    try:
        if not opt.endpoint and cfg is None:
            st.servers = EmbeddedServers(opt.server_defect)
        elif opt.server_defect:
            raise ConfigError("--server-defect applies to the embedded reference server only (no --endpoint)")
        st.runs = resolve(endpoint=opt.endpoint, versions=opt.api_version, config_path=cfg,
                          target_names=opt.target,
                          schema_dir=Path(opt.schema_dir) if opt.schema_dir else None,
                          servers=st.servers, default_all_versions=opt.all_versions, site_name=opt.site_name)
    except Unreachable as exc:
        LAST_RUN["unreachable"] = str(exc)
        raise pytest.UsageError(mask(str(exc), [])) from None
    except (ConfigError, DetectError, ValueError) as exc:
        raise pytest.UsageError(mask(str(exc), [])) from None
    except Exception as exc:  # e.g. the embedded server cannot start: say so in one line
        raise pytest.UsageError(f"cannot start the run: {type(exc).__name__}: {mask(str(exc), [])}") from None


class _XdistHooks:
    """Registered only when pytest-xdist is present: hand the resolved runs to the workers,
    so every worker talks to the same embedded server (one consistent site state)."""

    @pytest.hookimpl
    def pytest_configure_node(self, node: Any) -> None:
        st = _state(node.config)
        node.workerinput[WORKER_KEY] = [to_json(r) for r in st.runs] if st.active else None


def _target_lines(st: _State) -> list[str]:
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
    defects = st.config.option.server_defect
    if defects:
        lines.append(f"webex-conformance: the embedded server runs with seeded defect(s): {', '.join(defects)}")
    return lines


def pytest_report_header(config: pytest.Config) -> list[str]:
    st = _state(config)
    if not st.active or st.worker:
        return []
    return _target_lines(st)


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    st = _state(parent.config)
    if not st.active or file_path.suffix != ".toml" or st.cases_dir is None:
        return None
    if file_path.name == "headings.toml" or file_path.name.startswith("_"):
        return None
    resolved = file_path.resolve()
    if st.cases_dir not in resolved.parents:
        return None
    return CaseFile.from_parent(parent, path=file_path)


class CaseFile(pytest.File):
    def collect(self):
        st = _state(self.config)
        try:
            case = load_case_file(self.path)
        except CaseFileError as err:
            yield CaseLoadError.from_parent(self, name="load-error", error=str(err))
            return
        for run in st.runs:
            name = case.test_id if len(st.runs) == 1 else f"{case.test_id}[{run.label}]"
            yield CaseItem.from_parent(self, name=name, case=case, run=run)


class CaseLoadError(pytest.Item):
    def __init__(self, *, error: str, **kw: Any):
        super().__init__(**kw)
        self.error = error

    def runtest(self) -> None:
        self.user_properties.append((LOAD_ERROR_KEY, self.error))
        raise CaseFileProblem(self.error)

    def repr_failure(self, excinfo, style=None) -> str:  # noqa: ARG002
        return f"case file error: {self.error}"

    def reportinfo(self):
        return self.path, None, f"{self.path.name}: load error"


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, run: TargetRun, **kw: Any):
        super().__init__(**kw)
        self.case = case
        self.run = run
        self.add_marker(pytest.mark.webex_case)
        self.add_marker(_mark_name("kind", case.kind))
        self.add_marker(_mark_name("introduced", case.introduced.slug))
        for name, what in [*((_mark_name("api", a), f"cases touching {a}") for a in case.apis),
                           *((_mark_name("requires", f), f"cases needing the {f} fixture") for f in case.requires)]:
            _register_marker(self.config, name, what)
            self.add_marker(name)
        self.extra_keyword_matches.update([*case.apis, case.kind, str(case.introduced), str(run.version)])

    def runtest(self) -> None:
        st = _state(self.config)
        result = run_case(self.case, st.context(self.run))
        self.user_properties.append((RESULT_KEY, json.dumps(result.to_dict())))
        if result.outcome == "error" and result.reason.startswith(UNREACHABLE):
            self.session.shouldstop = f"webex-conformance: {result.reason}"
        if result.outcome in ("skip", "not-applicable"):
            pytest.skip(f"{result.outcome}: {result.reason}")
        if result.outcome in ("fail", "error"):
            raise CaseFailed(result)

    def repr_failure(self, excinfo, style=None):  # noqa: ARG002
        if not isinstance(excinfo.value, CaseFailed):
            return super().repr_failure(excinfo)
        r = excinfo.value.result
        secrets = self.run.target.secrets()
        lines = [f"{r.outcome.upper()}: {self.case.title} [{self.case.source}]",
                 f"target {r.target} ({r.endpoint}) judged as API {r.version}"]
        if r.reason:
            lines.append(f"reason: {r.reason}")
        for s in r.steps:
            for v in s.verdicts:
                if v.outcome in ("fail", "error"):
                    lines.append(f"  {s.name}: {v.describe()}")
        lines.append("Reproduce with: " + _reproduce(self.case, self.run, self.config))
        return mask("\n".join(lines), secrets)

    def reportinfo(self):
        return self.path, None, self.name


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """With pytest-html (``--html=report.html``), attach each case's verdicts and exchange."""
    outcome = yield
    if not isinstance(item, CaseItem) or call.when != "call" or not item.config.pluginmanager.hasplugin("html"):
        return
    from pytest_html import extras as html_extras

    report = outcome.get_result()
    raw = next((v for k, v in item.user_properties if k == RESULT_KEY), None)
    if raw is None:
        return
    result = CaseResult.from_dict(json.loads(raw))
    secrets = item.run.target.secrets()
    added = [html_extras.text(mask("\n".join(v.describe() for v in result.verdicts) or result.reason, secrets),
                              name="verdicts")]
    for s in result.steps:
        added.append(html_extras.text(mask(f">>> request\n{s.request}\n\n<<< response (HTTP {s.status})\n{s.response}",
                                           secrets), name=f"exchange: {s.name}"))
    report.extras = [*getattr(report, "extras", []), *added]


def _reproduce(case: Case, run: TargetRun, config: pytest.Config) -> str:
    cmd = f"webex-conformance replay {case.id} --api-version {run.version.slug}"
    if run.config_path:
        cmd += f" --config {run.config_path} --target {run.target.name}"
    if not run.target.embedded and (not run.config_path or config.option.endpoint):
        cmd += f" --endpoint {run.target.endpoint}"
    return cmd


class _Collector:
    """Per-run hooks of the controller: gather results as reports arrive, print progress."""

    def __init__(self, config: pytest.Config):
        self.config = config

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if self.config.option.conformance_progress:  # the CLI's compact output hides pytest's header
            tr = self.config.pluginmanager.get_plugin("terminalreporter")
            if tr is not None:
                for line in _target_lines(_state(self.config)):
                    tr.write_line(line)

    def pytest_report_teststatus(self, report: pytest.TestReport, config: pytest.Config):
        if config.option.conformance_progress and report.when == "call" and any(
                k == RESULT_KEY for k, _ in report.user_properties):
            return report.outcome, "", ""
        return None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # Called here for reports from xdist workers too: results are gathered once, here.
        if report.when != "call":
            return
        st = _state(self.config)
        for key, value in report.user_properties:
            if key == RESULT_KEY:
                result = CaseResult.from_dict(json.loads(value))
                st.results.append(result)
                if self.config.option.conformance_progress:
                    self._progress(st, result)
            elif key == LOAD_ERROR_KEY:
                st.load_errors.append(value)

    def _progress(self, st: _State, result: CaseResult) -> None:
        tr = self.config.pluginmanager.get_plugin("terminalreporter")
        why = f"  {result.reason}" if result.reason and result.outcome != "pass" else ""
        line = (f"{result.outcome:>14}  {result.version:<12} {result.introduced}/{result.case_id}"
                f"  ({result.duration_ms or 0:.0f} ms){why}")
        if tr is not None:
            tr.write_line(mask(line, st.secrets()))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    st = _state(session.config)
    for ctx in st.contexts.values():
        ctx.transport.close()
    if not st.active or st.worker:
        return
    try:
        out = _output_dir(session.config)
        if st.results or st.load_errors:
            _write_reports(st, out, session, exitstatus)
            st.output = out
        LAST_RUN["results"] = st.results
    finally:
        if st.servers is not None:
            st.servers.close()


def _output_dir(config: pytest.Config) -> Path:
    opt = config.option.conformance_output
    return Path(opt) if opt else Path(config.rootpath) / "reports"


def _write_reports(st: _State, out: Path, session: pytest.Session, exitstatus: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
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
        "server_defects": list(st.config.option.server_defect or []),
        "load_errors": st.load_errors,
        "command": mask(" ".join(sys.argv), secrets),
    }
    run.update(provenance.from_pytest_session(session, exitstatus, st.cases_dir,
                                              [*st.results, *st.load_errors]))  # gate: issue 9
    write_reports(out, ResultsDoc(runs=[mask_strings(run, secrets)], results=st.results))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    st = _state(config)
    if not st.active or st.worker:
        return
    counts = summary(st.results)
    parts = [f"{n} {k}" for k, n in counts.items() if n and k != "total"]
    terminalreporter.section("webex-conformance")
    terminalreporter.write_line(f"{counts.get('total', 0)} case results: {', '.join(parts) or 'none'}")
    for err in st.load_errors:
        terminalreporter.write_line(f"case file error: {err}")
    if st.output is not None:
        out = st.output
        terminalreporter.write_line("reports: " + ", ".join(str(out / w.filename) for w in WRITERS))
