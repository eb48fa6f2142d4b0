"""Boundary tests end to end against the reference server: the clean server agrees with the
oracle at every version, every seeded boundary defect is caught with the failing example at
the bound, objects are cleaned up (also on failure and interruption), writes are guarded,
failures are reproducible, and the run command carries the boundary items."""
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import boundary_run
from conformance.boundary_collect import PROFILES
from conformance.boundary_defects import boundary_tests
from conformance.boundary_repro import save_failure
from conformance.boundary_run import SearchSettings, run_limit
from conformance.cli import main
from conformance.embedded import EmbeddedServers, target_for_server
from conformance.execute import context_for
from conformance.json_check import first_error
from conformance.limits import load_limits
from conformance.results import results_schema
from conformance.server.root import all_defects
from conformance.server.serve import ReferenceServer
from conformance.versions import ALL_VERSIONS, documented

ROOT = Path(__file__).resolve().parents[1]
LIMITS = {lim.test_id: lim for lim in load_limits(ROOT / "limits").limits}
CI = SearchSettings(max_examples=3, derandomize=True)
CI_FULL = SearchSettings(max_examples=3, derandomize=True, full_edges=True)
DEFECTS = all_defects()
CATCHERS = {name: ids for name, ids in boundary_tests(DEFECTS, LIMITS.values()).items() if ids}
V42 = documented("42.6.0")


def run(servers, limit_id, version, settings=CI, may_write=True, target=None, on_failure=None):
    target = target or servers.target(version)
    ctx = context_for(target, version)
    try:
        return run_limit(LIMITS[limit_id], ctx, settings, may_write, on_failure)
    finally:
        ctx.transport.close()


@pytest.fixture(scope="module")
def clean():
    with EmbeddedServers() as servers:
        yield servers


@pytest.mark.parametrize("version", ALL_VERSIONS, ids=lambda v: v.slug)
def test_clean_server_agrees_with_the_oracle_at_every_version(clean, version):
    """Every scenario at every version (the main job samples a range's interior versions;
    here nothing is sampled): a disagreement is a bug in the oracle or the server."""
    for limit_id in LIMITS:
        r = run(clean, limit_id, version, settings=CI_FULL)
        assert r.kind == "boundary" and r.case_id == limit_id
        assert r.outcome in ("pass", "not-applicable"), (limit_id, r.reason, r.boundary["failures"])
        if r.outcome == "pass":
            b = r.boundary
            assert b["edge_set"] == "full" and b["examples"] >= 3 and b["failures"] == [] and b["scenario"] == "ALL", limit_id
            assert set(b) >= {"limit", "scenario", "phase", "unit", "bound", "inclusive", "input_size", "example",
                              "reading", "seed"}
    conf = run(clean, "boundary/confname-128", version, settings=CI_FULL)
    if conf.outcome == "pass":   # the reference server counts code points and trims white space
        assert conf.boundary["reading"] == "code-points+trimmed"


@pytest.mark.parametrize("version", [documented("39.2.0"), documented("11.0.0 SP15")], ids=lambda v: v.slug)
def test_a_version_inside_a_range_gets_a_sample_that_still_agrees(clean, version):
    sampled = []
    for limit_id in LIMITS:
        r = run(clean, limit_id, version)
        assert r.outcome in ("pass", "not-applicable"), (limit_id, r.reason)
        if r.outcome == "pass" and r.boundary["edge_set"] == "sample":
            assert r.boundary["examples"] >= 1 and r.boundary["failures"] == []
            sampled.append(limit_id)
    assert sampled, "no limit is inside a range of versions here: pick another version"


def test_every_boundary_defect_is_declared_with_a_version():
    assert len(CATCHERS) >= 35
    for name in CATCHERS:
        documented(DEFECTS[name].version)
    for name, d in DEFECTS.items():
        if d.boundary:
            assert set(d.boundary) <= set(LIMITS), name


def _caught_at_the_bound(name, settings, phase=None):
    d = DEFECTS[name]
    version = documented(d.version)
    with EmbeddedServers((name,)) as servers:
        for limit_id in CATCHERS[name]:
            r = run(servers, limit_id, version, settings)
            assert r.outcome == "fail", (name, limit_id, r.outcome, r.reason)
            lim = LIMITS[limit_id]
            b = r.boundary
            if b["failures"]:
                lead = b["failures"][0]
                edges = [x for x in (lead["bound"], lim.min, lim.band_max) if x is not None]
                assert min(abs(lead["input_size"] - e) for e in edges) <= 1, (name, lead)
                assert b["scenario"] == lead["scenario"] and b["input_size"] == lead["input_size"]
                if phase:
                    assert lead["phase"] == phase, (name, lead)
            else:   # caught by the readings alone: no single reading explains the answers
                assert phase is None and "no reading explains" in r.reason, (name, r.reason)


@pytest.mark.parametrize("name", sorted(CATCHERS))
def test_each_seeded_defect_is_caught_at_the_bound(name):
    _caught_at_the_bound(name, CI)


SEARCH_ONLY = SearchSettings(max_examples=PROFILES["ci"]["max_examples"], derandomize=True, edges=False)


@pytest.mark.parametrize("name", sorted(CATCHERS))
def test_the_search_alone_catches_each_seeded_defect_at_the_bound(name):
    """With the edge phase off, the ci profile's search budget still finds every seeded
    defect and shrinks it to the bound."""
    _caught_at_the_bound(name, SEARCH_ONLY, phase="search")


class InProcess:
    """One reference server in this process, so a test can count the rows it holds
    (EmbeddedServers run theirs in host processes of their own)."""

    def __init__(self, defects=()):
        self.server = ReferenceServer(V42, defects=defects)

    def __enter__(self):
        self.server.__enter__()
        return self

    def __exit__(self, *exc):
        return self.server.__exit__(*exc)

    def target(self, version):
        assert version == V42
        return target_for_server(self.server)

    def get(self, version):
        assert version == V42
        return self.server


def _objects(servers, version):
    state = servers.get(version).state
    sessions = state.one("SELECT count(*) AS n FROM sessions")["n"]
    attendees = state.one("SELECT count(*) AS n FROM meeting_attendees")["n"]
    return sessions, attendees


@pytest.mark.parametrize("defect", [None, "confname-limit-129", "attendee-limit-off-by-one"])
def test_created_objects_are_deleted_also_when_the_test_fails(defect):
    with InProcess((defect,) if defect else ()) as servers:
        before = _objects(servers, V42)
        for limit_id in ("boundary/confname-128", "boundary/description", "boundary/attendees-per-call-50"):
            r = run(servers, limit_id, V42)
            assert r.outcome == ("pass" if defect is None or limit_id not in CATCHERS[defect] else "fail")
        assert _objects(servers, V42) == before


def test_an_interrupted_test_still_cleans_up(monkeypatch):
    calls = {"n": 0}
    real = boundary_run.judge_example

    def interrupt(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 7:
            raise KeyboardInterrupt
        return real(*a, **kw)
    monkeypatch.setattr(boundary_run, "judge_example", interrupt)
    with InProcess() as servers:
        before = _objects(servers, V42)
        with pytest.raises(KeyboardInterrupt):
            run(servers, "boundary/confname-128", V42)
        assert _objects(servers, V42) == before


def test_writing_limits_need_allow_writes_off_the_embedded_server(clean):
    target = dataclasses.replace(clean.target(V42), embedded=False)
    r = run(clean, "boundary/confname-128", V42, may_write=False, target=target)
    assert r.outcome == "skip" and "--allow-writes" in r.reason and r.boundary["examples"] == 0
    read_only = run(clean, "boundary/recording-scope-28-days", V42, may_write=False, target=target)
    assert read_only.outcome == "pass"


def test_failures_are_saved_and_replayed(tmp_path, capsys):
    lim = LIMITS["boundary/confname-128"]
    with EmbeddedServers(("confname-limit-129",)) as servers:
        target = servers.target(V42)
        password = target.credential("main", "host").password

        def saver(f):
            return save_failure(tmp_path, lim, V42.slug, f, target.endpoint, True, target.secrets(),
                                ("confname-limit-129",))
        r = run(servers, "boundary/confname-128", V42, on_failure=saver)
    assert r.outcome == "fail"
    saved = [f["request_file"] for f in r.boundary["failures"]]
    assert saved and all(saved)
    request = Path(saved[0])
    text = request.read_text()
    assert password not in text and "<password>***</password>" in text
    sh = request.with_suffix(".sh").read_text()
    assert f"webex-conformance replay boundary/confname-128 --request {request}" in sh
    assert f"--data-binary @{request}" in sh and "--defect confname-limit-129" in sh
    capsys.readouterr()
    args = ["replay", "boundary/confname-128", "--request", str(request), "--api-version", "42.6.0"]
    assert main([*args, "--server-defect", "confname-limit-129"]) == 1
    assert "FAIL boundary:" in capsys.readouterr().out
    assert main(args) == 0
    assert main(["replay", "boundary/confname-128", "--api-version", "42.6.0"]) == 2


def test_the_example_database_keeps_failures(tmp_path):
    db = tmp_path / "db"
    with EmbeddedServers(("lstsummaryuser-modified-range-off-by-one",)) as servers:
        r = run(servers, "boundary/modified-date-range-90-days", documented("39.11.0"),
                SearchSettings(max_examples=20, seed=3, database=db))
    assert r.outcome == "fail" and r.boundary["seed"] == 3
    assert any(f["phase"] == "search" and f["scenario"] == "RANGE_EXACT" for f in r.boundary["failures"])
    assert [p.suffix for p in db.iterdir()] == [".json"]
    with EmbeddedServers(("lstsummaryuser-modified-range-off-by-one",)) as servers:   # tried first: found again
        again = run(servers, "boundary/modified-date-range-90-days", documented("39.11.0"),
                    SearchSettings(max_examples=1, seed=99, database=db))
    assert any("saved by an earlier run" in v.expected for v in again.steps[0].verdicts)
    with EmbeddedServers() as servers:                                              # fixed: forgotten
        fixed = run(servers, "boundary/modified-date-range-90-days", documented("39.11.0"),
                    SearchSettings(max_examples=1, seed=99, database=db))
    assert fixed.outcome == "pass" and list(db.iterdir()) == []


def cli(*args):
    return subprocess.run([sys.executable, "-m", "conformance.cli", *args], capture_output=True, text=True,
                          timeout=600, env={**os.environ}, cwd=ROOT)


def test_run_command_carries_boundary_items_with_seed_and_reports(tmp_path):
    out = tmp_path / "out"
    p = cli("run", "--api-version", "42.6.0", "-m", "kind_boundary", "--hypothesis-profile", "ci",
            "--hypothesis-seed", "7", "--output", str(out))
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    assert "hypothesis profile 'ci', seed 7" in p.stdout
    doc = json.loads((out / "results.json").read_text())
    records = [r for r in doc["results"] if r["kind"] == "boundary"]
    assert sorted(r["case_id"] for r in records) == sorted(LIMITS)
    assert len(records) == len(doc["results"])       # -m kind_boundary selected only them
    assert "boundary/confname-128" in (out / "junit.xml").read_text()
    assert first_error(doc, results_schema()) is None     # records of their own kind, in the published format


def test_run_with_a_seeded_defect_fails_and_saves_the_request(tmp_path):
    out = tmp_path / "out"
    p = cli("run", "--api-version", "42.6.0", "-k", "boundary and confname", "--server-defect",
            "training-confname-counts-utf16", "--hypothesis-profile", "ci", "--output", str(out))
    assert p.returncode == 1, p.stdout[-2000:] + p.stderr[-2000:]
    saved = list((out / "boundary" / "confname-128" / "42.6.0").glob("*.xml"))
    assert saved and any("emoji" in s.name for s in saved)
    doc = json.loads((out / "results.json").read_text())
    rec = next(r for r in doc["results"] if r["case_id"] == "boundary/confname-128")
    assert rec["outcome"] == "fail" and rec["boundary"]["input_size"] == 128
