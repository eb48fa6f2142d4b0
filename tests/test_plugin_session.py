"""conformance.plugin.session: what the test loop's wrapper restores."""
import gc

import pytest

from conformance.plugin import session


def test_the_loop_thaws_what_boundary_items_froze(monkeypatch):
    monkeypatch.setattr(session, "state", lambda config: None)
    monkeypatch.setattr(session, "_enter_ending", lambda st: None)
    loop = session.pytest_runtestloop(type("Session", (), {"config": None})())
    next(loop)
    gc.freeze()   # what BoundaryItem.setup does
    assert gc.get_freeze_count() > 0
    with pytest.raises(StopIteration):
        loop.send(None)
    assert gc.get_freeze_count() == 0
