"""The session's end and loop (conformance/plugin/session.py), with stand-ins for pytest's objects."""
from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest

from conformance.plugin import session as plugin_session
from conformance.plugin.state import _KEY, RunState
from conformance.run_outcome import RunOutcome


class _Gateway:
    def __init__(self, fails: bool = False):
        self.exited = 0
        self.fails = fails

    def exit(self) -> None:
        self.exited += 1
        if self.fails:
            raise OSError("pipe closed")


class _Plugins:
    def __init__(self, plugins: dict):
        self.plugins = plugins

    def get_plugin(self, name: str):
        return self.plugins.get(name)


def _config(plugins: dict | None = None):
    config = SimpleNamespace(stash=pytest.Stash(), pluginmanager=_Plugins(plugins or {}))
    return config


def _dsession(finished: bool, gateways: list, torn: list) -> SimpleNamespace:
    nodes = SimpleNamespace(group=list(gateways), teardown_nodes=lambda: torn.append(1))
    return SimpleNamespace(nodemanager=nodes, session_finished=finished)


def test_after_a_whole_run_every_worker_is_told_to_exit_without_waiting():
    gateways, torn = [_Gateway(), _Gateway(fails=True), _Gateway()], []
    plugin_session._end_workers(_config({"dsession": _dsession(True, gateways, torn)}))
    assert [g.exited for g in gateways] == [1, 1, 1]   # one that fails does not stop the others
    assert torn == []


def test_after_an_interrupt_the_workers_are_waited_for_before_the_sweep():
    """A worker may still be in a case, or about to start one it was sent."""
    gateways, torn = [_Gateway()], []
    plugin_session._end_workers(_config({"dsession": _dsession(False, gateways, torn)}))
    assert torn == [1] and gateways[0].exited == 0   # xdist's teardown: exit and wait


def test_without_xdist_nothing_is_ended():
    plugin_session._end_workers(_config())
    plugin_session._end_workers(_config({"dsession": SimpleNamespace()}))


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

