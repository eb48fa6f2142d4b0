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


def test_every_xdist_worker_is_told_to_exit_before_the_reports():
    gateways = [_Gateway(), _Gateway(fails=True), _Gateway()]
    dsession = SimpleNamespace(nodemanager=SimpleNamespace(group=list(gateways)))
    plugin_session._let_workers_exit(_config({"dsession": dsession}))
    assert [g.exited for g in gateways] == [1, 1, 1]   # one that fails does not stop the others


def test_without_xdist_nothing_is_told():
    plugin_session._let_workers_exit(_config())
    plugin_session._let_workers_exit(_config({"dsession": SimpleNamespace()}))


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
