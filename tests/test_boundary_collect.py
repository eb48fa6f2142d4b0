"""conformance.boundary_collect: the heap frozen for Hypothesis's first test, thawed after the loop
(by the session's loop wrapper, which thaws its own freeze too)."""
import gc
from types import SimpleNamespace

import pytest

from conformance import boundary_collect
from conformance.plugin import session as plugin_session
from conformance.plugin.state import _KEY as STATE_KEY, RunState
from conformance.run_outcome import RunOutcome


def _item():
    """A boundary item as ``setup`` sees it: its config's run state, nothing frozen yet."""
    return SimpleNamespace(config=SimpleNamespace(stash={STATE_KEY: SimpleNamespace(heap_frozen=False)}))


@pytest.fixture
def thawed():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_the_loop_thaws_what_the_first_boundary_item_froze(thawed):
    config = SimpleNamespace(stash=pytest.Stash(), pluginmanager=None)
    config.stash[STATE_KEY] = RunState(config, RunOutcome(), active=True)
    loop = plugin_session.pytest_runtestloop(SimpleNamespace(config=config))
    next(loop)
    boundary_collect.BoundaryItem.setup(_item())
    frozen = gc.get_freeze_count()
    assert frozen > 0
    with pytest.raises(StopIteration):
        loop.send(None)
    assert gc.get_freeze_count() == 0


def test_the_heap_is_frozen_once_not_at_every_boundary_item(thawed):
    item = _item()
    boundary_collect.BoundaryItem.setup(item)
    frozen = gc.get_freeze_count()
    later = [object() for _ in range(1000)]   # made by the cases between two boundary items
    boundary_collect.BoundaryItem.setup(item)
    assert gc.get_freeze_count() == frozen and later
