"""The session's beginning and end: the run plan, xdist hand-over, the exit status.

The plan is made once, on the controller, at configure time.  An error there does not
become pytest's own usage error (exit 4): it is kept, collection is skipped, and the
session ends with the error's documented code (2 or 3), the same code the CLI returns.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import gc
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from ..allocator import keep_large_buffers
from ..cases import KINDS
from ..config import run_settings
from ..errors import ConformanceError, UsageError, one_line
from ..masking import mask
from ..report_dir import new_run_dir, writable_dir
from ..provenance import stopped_itself
from ..results import summary
from ..run_outcome import decide
from ..run_plan import cases_dir_of, config_path_of, plan
from ..targets import TargetRun, from_json, to_json
from ..versions import ALL_VERSIONS
from . import report_texts
from .collection import Collector, mark_name
from .reporting import Reporter, write_run_reports
from ..safety_run import RunSafety, context_key, with_max_writes
from ..embedded import EmbeddedServers
from .state import (EMBEDDED_KEY, FAIL_ON_SKIP_KEY, RUN_DIR_KEY, SAFETY_KEY, WORKER_KEY, RunState, new_state, run_dir,
                    state)


def share_rate_limit(run: TargetRun, workers: int) -> TargetRun:
    """N xdist workers each send at rate/N, so a site still sees the configured rate."""
    rate = run.target.transport.rate_limit
    if not rate or workers == 1:
        return run
    transport = dataclasses.replace(run.target.transport, rate_limit=rate / workers)
    return dataclasses.replace(run, target=dataclasses.replace(run.target, transport=transport))


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
    st = new_state(config)
    config.addinivalue_line("markers", "webex_case: a Webex XML API conformance case")
    for k in KINDS:
        config.addinivalue_line("markers", f"{mark_name('kind', k)}: cases of kind {k}")
    for v in ALL_VERSIONS:
        config.addinivalue_line("markers", f"{mark_name('introduced', v.slug)}: changes introduced in {v}")
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        st.worker = True
        data = workerinput.get(WORKER_KEY)
        if data:
            st.active = True
            keep_large_buffers()
            st.cases_dir = cases_dir_of(config.option, root)
            # one rate for the whole run: the workers share one schedule (conformance.site_guard)
            st.runs = [from_json(x) for x in data]
            if workerinput.get(EMBEDDED_KEY):   # in-process servers: built on each version's first case
                st.servers = EmbeddedServers.from_worker(workerinput[EMBEDDED_KEY])
            st.safety = RunSafety.from_controller(workerinput[SAFETY_KEY], workerinput.get("workerid", "w"),
                                                  config.option)
            st.safety.install_interrupts()
            st.fail_on_skip = bool(workerinput.get(FAIL_ON_SKIP_KEY))
            st.run_dir = Path(workerinput[RUN_DIR_KEY]) if workerinput.get(RUN_DIR_KEY) else None
            report_texts.register(config)
        return
    try:
        st.cases_dir = cases_dir_of(config.option, root)
    except ConformanceError as exc:
        st.active, st.error = True, exc
        _no_workers(config)
        return
    st.active = _is_conformance_run(config, st.cases_dir)
    if not st.active:
        return
    keep_large_buffers()
    config.pluginmanager.register(Collector(config), "webex_conformance_collector")
    config.pluginmanager.register(Reporter(config), "webex_conformance_reporter")
    report_texts.register(config)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(), "webex_conformance_xdist")
    st.started_at = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    try:
        cfg = config_path_of(config.option, root)
        st.plan = plan(config.option, root=root, cwd=Path(config.invocation_params.dir),
                       run_config=run_settings(cfg) if cfg is not None else None)
        st.runs, st.fail_on_skip, st.servers = st.plan.runs, st.plan.fail_on_skip, st.plan.servers
        if st.plan.output is not None:
            st.run_dir = writable_dir(st.plan.output)
        elif not config.option.collectonly:
            st.run_dir, st.new_dir = new_run_dir(st.plan.reports_base, point=False), True
    except ConformanceError as exc:
        st.error = exc
    except Exception as exc:  # e.g. the embedded server cannot start: say so in one line
        st.error = UsageError(f"cannot start the run: {type(exc).__name__}: {mask(str(exc), [])}")
    if st.error is None and config.option.max_writes is not None and config.option.max_writes < 1:
        st.error = UsageError(f"--max-writes must be 1 or more, not {config.option.max_writes}")
    if st.error is not None:
        _no_workers(config)
        return
    st.runs = with_max_writes(st.runs, config.option.max_writes)
    st.safety = RunSafety.new(st.run_dir or Path(config.rootpath) / "reports", config.option)
    st.safety.install_interrupts()


def _no_workers(config: pytest.Config) -> None:
    """A run that cannot start needs no xdist workers (xdist configures after us)."""
    if hasattr(config.option, "dist"):
        config.option.dist, config.option.tx = "no", []


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> bool | None:
    """A run that could not start collects nothing: its error is the whole story."""
    st = state(session.config)
    return True if st.error is not None else None


class _XdistHooks:
    """Registered only when pytest-xdist is present: hand the resolved runs to the workers,
    so every worker talks to the same embedded server (one consistent site state)."""

    @pytest.hookimpl
    def pytest_configure_node(self, node: Any) -> None:
        st = state(node.config)
        node.workerinput[WORKER_KEY] = [to_json(r) for r in st.runs] if st.active else None
        node.workerinput[FAIL_ON_SKIP_KEY] = st.fail_on_skip
        node.workerinput[RUN_DIR_KEY] = str(st.run_dir) if st.run_dir else None
        node.workerinput[EMBEDDED_KEY] = st.servers.to_worker() if st.active and st.servers is not None else None
        if st.active and st.safety is not None:
            node.workerinput[SAFETY_KEY] = st.safety.to_worker()

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        st = state(session.config)
        if st.active and not st.worker:
            st.workers_ending = end_workers_early(session.config)


def _remove_if_empty(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass


def _enter_ending(st: RunState) -> None:
    """On the controller, from the last item on, a Ctrl-C or SIGTERM waits until the sweep
    and the reports are done (a second one does not wait): a run that judged everything
    must not end without its results.json because the signal came as the last item
    finished, while other plugins' session-finish hooks ran before ours."""
    if not st.ending_entered and st.safety is not None and st.safety.interrupts and st.active and not st.worker:
        st.ending.enter_context(st.safety.interrupts.critical())
        st.ending_entered = True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtestloop(session: pytest.Session):
    """The loop runs with what the process holds by then (its imports, plan, items, the
    embedded servers' seeds) frozen out of the garbage collector's full passes: each of
    those walked all of it again, 0.2 s per process in a main job.  Thawed when the loop
    ends (with what the first boundary item froze besides), so the session's end collects
    as usual."""
    st = state(session.config)
    if st.active:
        gc.freeze()
    try:
        yield
    finally:
        if st.active:
            gc.unfreeze()
    _enter_ending(st)


def end_workers_early(config: pytest.Config) -> threading.Thread | None:
    """After a whole run: xdist's own teardown of its workers (tell each to exit, wait, kill
    one that does not end in time) in a thread started before the other session-finish
    hooks, so the workers' exits (most of a second: pytest's collections at unconfigure,
    the interpreter freeing a run's objects) overlap the reports; the end joins it.

    Only once every worker has finished its session (xdist's loop ran to its end), so every
    record has arrived and no worker writes any more.  After an interrupt nothing starts
    here: xdist's teardown runs in its own session finish, before our sweep, and waits for
    a worker still in a case, as it always did.  Without xdist nothing happens.
    """
    dsession = config.pluginmanager.get_plugin("dsession")
    nodes = getattr(dsession, "nodemanager", None)
    if nodes is None or not getattr(dsession, "session_finished", False):
        return None
    thread = threading.Thread(target=nodes.teardown_nodes, name="webex-conformance-workers-exit")
    thread.start()   # xdist's own teardown then finds every gateway on its way out already
    return thread


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    st = state(session.config)
    try:
        _finish(session, exitstatus, st)
    finally:
        if st.workers_ending is not None:
            st.workers_ending.join()   # the workers' exits, started early (end_workers_early)
            st.workers_ending = None


def _finish(session: pytest.Session, exitstatus: int, st: RunState) -> None:
    _enter_ending(st)
    ending = st.ending
    if st.safety is not None and st.active and not st.worker:
        try:
            # undo what is still open (interrupted cases, lost workers), before the reports
            runs = {context_key(r.target.endpoint, r.version): r for r in st.runs}
            st.safety.finish(runs, st.context, (st.run_dir or run_dir(session.config)) / "results.json")
        except BaseException:
            ending.close()
            raise
    for ctx in st.contexts.values():
        ctx.transport.close()
    if not st.active or st.worker:
        if st.safety is not None:
            st.safety.close()
        return
    try:
        try:
            with ending:   # a deferred Ctrl-C is raised here, once the reports are whole
                if st.results or st.load_errors or (st.safety is not None and st.safety.leftovers):
                    st.output = write_run_reports(st, session, int(exitstatus))
                elif st.new_dir and st.run_dir is not None:
                    _remove_if_empty(st.run_dir)   # nothing ran: no empty directory left behind
        except KeyboardInterrupt:
            exitstatus = pytest.ExitCode.INTERRUPTED
        else:
            if exitstatus == pytest.ExitCode.INTERRUPTED and stopped_itself(session):
                exitstatus = pytest.ExitCode.TESTS_FAILED   # -x under xdist: stopped, not interrupted
        plan_ = st.plan
        if st.error is None and session.config.option.collectonly:
            code, reason = int(exitstatus), ""   # nothing was meant to be judged
        else:
            code, reason = decide(st.results, error=st.error, pytest_status=int(exitstatus),
                                  min_checks=plan_.min_checks if plan_ else 1,
                                  fail_on_skip=st.fail_on_skip)
    except ConformanceError as exc:   # e.g. the reports' directory cannot be written
        code, reason = exc.exit_code, one_line(exc)
    except OSError as exc:   # a disk that fills up or a path that turns read-only mid-run
        err = UsageError(f"cannot write the reports in {st.run_dir}: {exc.strerror or exc} "
                         f"(the records are kept in {st.run_dir}/.records.jsonl)")
        code, reason = err.exit_code, one_line(err)
    finally:
        if st.spool is not None:
            st.spool.close()   # whole on disk (removed already if every report was written)
        if st.safety is not None:
            st.safety.close()
        if st.plan is not None:
            st.plan.close()
    st.outcome.exit_code, st.outcome.reason, st.outcome.output = code, reason, st.output
    st.outcome.counts = summary(st.results)
    if st.error is not None:
        print(f"webex-conformance: error: {mask(reason, st.secrets())}", file=sys.stderr)
    session.exitstatus = code
