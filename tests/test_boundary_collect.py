"""conformance.boundary_collect: the heap frozen for Hypothesis's first test, thawed after the loop."""
import gc
from types import SimpleNamespace

import pytest

from conformance import boundary_collect
from conformance.plugin.state import _KEY as STATE_KEY


def _item():
    """A boundary item as ``setup`` sees it: its config's run state, nothing frozen yet."""
    return SimpleNamespace(config=SimpleNamespace(stash={STATE_KEY: SimpleNamespace(heap_frozen=False)}))


@pytest.fixture
def thawed():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_the_loop_thaws_what_the_first_boundary_item_froze(thawed):
    loop = boundary_collect.pytest_runtestloop(None)
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
