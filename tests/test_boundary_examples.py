"""The boundary example database: failures kept on disk, tried first next run, at a
configurable path; a corrupt file is a one-line error, not a traceback or a silent reset."""
from __future__ import annotations

import datetime as _dt
import types
from pathlib import Path

import pytest

from conformance import boundary_run
from conformance.boundary_collect import _SEED, search_settings
from conformance.boundary_examples import ExampleStore, ExampleStoreError
from conformance.boundary_run import SearchSettings, run_limit
from conformance.embedded import target_for_server
from conformance.execute import context_for
from conformance.limits import load_limits
from conformance.server.serve import ReferenceServer
from conformance.versions import documented

ROOT = Path(__file__).resolve().parents[1]
LIMITS = {lim.id: lim for lim in load_limits(ROOT / "limits").limits}
RANGE = LIMITS["modified-date-range-90-days"]
V = documented("39.11.0")


def test_saved_examples_load_back_newest_first_and_are_forgotten(tmp_path):
    store = ExampleStore(tmp_path / "db")
    a = (_dt.datetime(2025, 6, 2, 9), _dt.datetime(2025, 8, 31, 9, 0, 1))
    b = (_dt.datetime(2024, 1, 1), _dt.datetime(2024, 3, 31))
    assert store.load("k", RANGE) == []                      # nothing saved yet: no file, no error
    store.save("k", RANGE, 0, a)
    store.save("k", RANGE, 0, b)
    store.save("k", RANGE, 0, a)                             # saved again: moves to the front, once
    assert store.load("k", RANGE) == [(0, a), (0, b)]
    assert store.load("other", RANGE) == []                  # one file per key
    store.forget("k", RANGE, 0, a)
    store.forget("k", RANGE, 0, b)
    assert list((tmp_path / "db").iterdir()) == []           # the last one forgotten: the file goes


def test_entries_of_another_shape_are_skipped(tmp_path):
    store = ExampleStore(tmp_path)
    store.save("k", RANGE, 0, (_dt.datetime(2025, 1, 1), _dt.datetime(2025, 1, 2)))
    path = next(tmp_path.iterdir())
    path.write_text('{"examples": [{"api": 7, "value": ["01/01/2025 00:00:00", "01/02/2025 00:00:00"]}, '
                    '{"api": 0, "value": "not a range"}, {"api": 0, "value": '
                    '["01/01/2025 00:00:00", "01/02/2025 00:00:00"]}]}')
    assert store.load("k", RANGE) == [(0, (_dt.datetime(2025, 1, 1), _dt.datetime(2025, 1, 2)))]


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"examples": 3}'])
def test_a_corrupt_file_is_a_one_line_error(tmp_path, text):
    store = ExampleStore(tmp_path)
    store.save("k", RANGE, 0, (_dt.datetime(2025, 1, 1), _dt.datetime(2025, 1, 2)))
    path = next(tmp_path.iterdir())
    path.write_text(text)
    with pytest.raises(ExampleStoreError) as err:
        store.load("k", RANGE)
    message = str(err.value)
    assert "\n" not in message and str(path) in message and "--boundary-database" in message


@pytest.fixture(scope="module")
def server():
    with ReferenceServer(V, defects=("lstsummaryuser-modified-range-off-by-one",)) as s:
        yield s


def _run(server, settings):
    ctx = context_for(target_for_server(server), V)
    try:
        return run_limit(RANGE, ctx, settings, True)
    finally:
        ctx.transport.close()


def test_saved_failures_are_tried_first_by_the_next_run(server, tmp_path, monkeypatch):
    db = tmp_path / "db"
    saved = (_dt.datetime(2024, 5, 5, 5, 5, 5), _dt.datetime(2024, 8, 3, 5, 5, 5))   # exactly 90 days
    key = f"{RANGE.id}|{V}|{target_for_server(server).name}"
    ExampleStore(db).save(key, RANGE, 0, saved)
    sent = []
    real = boundary_run._Session.try_example

    def spy(self, index, ex, prediction=None):
        sent.append((ex.phase, ex.value))
        return real(self, index, ex, prediction)
    monkeypatch.setattr(boundary_run._Session, "try_example", spy)
    r = _run(server, SearchSettings(max_examples=5, seed=1, database=db, edges=False))
    assert sent[0] == ("search", saved)
    assert r.outcome == "fail" and "saved by an earlier run" in r.steps[0].verdicts[0].expected


def test_a_corrupt_database_makes_the_item_an_error_with_the_reason(server, tmp_path):
    db = tmp_path / "db"
    key = f"{RANGE.id}|{V}|{target_for_server(server).name}"
    store = ExampleStore(db)
    store.save(key, RANGE, 0, (_dt.datetime(2025, 1, 1), _dt.datetime(2025, 1, 2)))
    next(db.iterdir()).write_text("{cut sho")
    r = _run(server, SearchSettings(max_examples=1, seed=1, database=db, edges=False))
    assert r.outcome == "error" and "not JSON" in r.reason and "\n" not in r.reason


def _config(tmp_path, database=None):
    options = {"boundary_database": database}
    return types.SimpleNamespace(getoption=lambda name, default=None: options.get(name, default),
                                 rootpath=tmp_path, stash={_SEED: 5})


@pytest.fixture
def profile():
    """Load a boundary profile by name for one test, then put back the one that was loaded
    (Hypothesis itself loads ``ci`` when the CI variable is set, as on the project's CI)."""
    from hypothesis import settings
    from conformance.boundary_collect import register_profiles
    register_profiles()
    before = settings.get_current_profile_name()
    yield settings.load_profile
    settings.load_profile(before)


def test_the_database_path_is_configurable(tmp_path, profile):
    profile("dev")
    assert search_settings(_config(tmp_path)).database == tmp_path / ".hypothesis" / "boundary"
    assert search_settings(_config(tmp_path, str(tmp_path / "elsewhere"))).database == tmp_path / "elsewhere"


def test_the_ci_profile_keeps_no_database_and_draws_the_same_inputs(tmp_path, profile):
    profile("ci")
    s = search_settings(_config(tmp_path, str(tmp_path / "elsewhere")))
    assert s.database is None and s.derandomize and s.max_examples == 5
