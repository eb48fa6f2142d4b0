"""The session's end and loop (conformance/plugin/session.py), with stand-ins for pytest's objects."""
from __future__ import annotations

import gc
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from conformance.plugin import session as plugin_session
from conformance.plugin.state import _KEY, RunState
from conformance.run_outcome import RunOutcome


class _Plugins:
    def __init__(self, plugins: dict):
        self.plugins = plugins

    def get_plugin(self, name: str):
        return self.plugins.get(name)


def _config(plugins: dict | None = None):
    config = SimpleNamespace(stash=pytest.Stash(), pluginmanager=_Plugins(plugins or {}))
    return config


def _present(pid: int) -> bool:
    """Running, or ended but not reaped (a zombie): only a waited-for process is gone."""
    return Path(f"/proc/{pid}").exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_after_a_whole_run_the_workers_are_ended_and_reaped_while_the_reports_are_written():
    """Real execnet gateways, torn down as xdist's NodeManager does (exit, wait, kill)."""
    import execnet
    group = execnet.Group()
    for _ in range(2):
        group.makegateway("popen")
    pids = [gw.remote_exec("import os; channel.send(os.getpid())").receive() for gw in group]
    nodes = SimpleNamespace(group=group, teardown_nodes=lambda: group.terminate(10))
    ending = plugin_session.end_workers_early(
        _config({"dsession": SimpleNamespace(nodemanager=nodes, session_finished=True)}))
    assert isinstance(ending, threading.Thread)
    ending.join(30)
    assert not ending.is_alive() and not any(_present(p) for p in pids)   # exited and reaped
    group.terminate(10)   # xdist's own teardown afterwards: nothing left to do


def test_after_an_interrupt_nothing_starts_early():
    """xdist's teardown runs in its own session finish, before the sweep, and waits."""
    torn = []
    nodes = SimpleNamespace(group=[], teardown_nodes=lambda: torn.append(1))
    assert plugin_session.end_workers_early(
        _config({"dsession": SimpleNamespace(nodemanager=nodes, session_finished=False)})) is None
    assert torn == []


def test_without_xdist_nothing_is_ended():
    assert plugin_session.end_workers_early(_config()) is None
    assert plugin_session.end_workers_early(_config({"dsession": SimpleNamespace()})) is None


@pytest.mark.parametrize("active", [True, False])
def test_the_loop_runs_with_the_heap_frozen_and_thaws_after(active):
    config = _config()
    config.stash[_KEY] = RunState(config, RunOutcome(), active=active)
    loop = plugin_session.pytest_runtestloop(SimpleNamespace(config=config))
    gc.unfreeze()
    next(loop)
    assert (gc.get_freeze_count() > 0) is active
    with pytest.raises(StopIteration):
        loop.send(None)
    assert gc.get_freeze_count() == 0

