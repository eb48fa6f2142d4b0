"""Boundary tests record what they create in the run's ledger, like cases: a delete that
fails leaves an open entry with the request that undoes it, the run lists it as a
leftover, and ``webex-conformance cleanup`` then removes it from the site."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance import boundary_run
from conformance.boundary_run import BoundaryAbort, SearchSettings, run_limit
from conformance.cli import main
from conformance.config import load_config
from conformance.execute import RunContext
from conformance.ledger import Ledger, leftover_record, read_open
from conformance.limits import load_limits
from conformance.transport import Transport
from conformance.versions import parse_version

from safety_site import ServeProcess

ROOT = Path(__file__).resolve().parents[1]
LIMITS = {lim.id: lim for lim in load_limits(ROOT / "limits").limits}
ONE = SearchSettings(max_examples=1, derandomize=True)


def _run(target, limit_id, ledger, unique="bl0001"):
    with Transport(target.transport) as t:
        ctx = RunContext(target, parse_version("42.6.0"), t, unique=unique)
        ctx.ledger = ledger
        return run_limit(LIMITS[limit_id], ctx, ONE, True)


def _fail_deletes(monkeypatch, api: str):
    real = boundary_run._Session.plain

    def plain(self, call, role, extra):
        if call.api == api:
            raise BoundaryAbort(f"{call.api} answered FAILURE 999999 simulated")
        return real(self, call, role, extra)
    monkeypatch.setattr(boundary_run._Session, "plain", plain)


@pytest.fixture()
def site(tmp_path, monkeypatch):
    s = ServeProcess(tmp_path)
    for k, v in s.env.items():
        monkeypatch.setenv(k, v)
    yield s
    s.close()


def _sessions(site, unique):
    return [x for x in site.get("/_test/objects")["sessions"] if unique in json.dumps(x)]


def test_every_object_closed_in_the_ledger_when_the_deletes_work(site, tmp_path):
    target = load_config(site.config)[0]
    ledger = Ledger(tmp_path / "ledger")
    r = _run(target, "attendees-per-call-50", ledger)
    assert r.outcome == "pass", r.reason
    entries = ledger.entries()
    assert any(e.get("what", "").startswith("meeting") for e in entries)
    assert read_open(tmp_path / "ledger") == []
    r = _run(target, "confname-128", ledger, unique="bl0002")
    assert r.outcome == "pass", r.reason
    assert read_open(tmp_path / "ledger") == [] and _sessions(site, "bl0002") == []
    merged: dict = {}
    for e in ledger.entries():
        merged.setdefault(e["id"], {}).update({k: v for k, v in e.items() if v is not None})
    created = [e for e in merged.values() if e.get("key")]
    assert {"meeting", "training session"} <= {e["what"] for e in created}
    assert all(e["op"] == "undone" and e["undo"]["api"].split(".")[1].startswith("Del") for e in created)


def test_a_failed_delete_leaves_an_entry_that_cleanup_removes(site, tmp_path, monkeypatch):
    target = load_config(site.config)[0]
    _fail_deletes(monkeypatch, "meeting.DelMeeting")
    r = _run(target, "confname-128", Ledger(tmp_path / "ledger"), unique="bl0003")
    assert any(v.check == "cleanup" and v.outcome == "error" for v in r.steps[0].verdicts)
    left = read_open(tmp_path / "ledger")
    assert left and all(e["op"] == "failed" and e["case"] == "boundary/confname-128" for e in left)
    assert {e["what"] for e in left} == {"meeting"}
    assert all(e["undo"]["api"] == "meeting.DelMeeting" and e["key"] in e["undo"]["body"] for e in left)
    keys = [e["key"] for e in left]
    assert all(_sessions(site, k) for k in keys)         # each entry names a meeting still on the site

    monkeypatch.undo()
    for k, v in site.env.items():
        monkeypatch.setenv(k, v)
    results = tmp_path / "results.json"
    leftovers = [leftover_record(e, str(results)) for e in left]
    results.write_text(json.dumps({"format": "webex-conformance-results/1", "run": {"leftovers": leftovers},
                                   "results": []}))
    assert main(["cleanup", str(results), "--config", str(site.config)]) == 0
    assert json.loads(results.read_text())["run"]["leftovers"] == []
    assert not any(_sessions(site, k) for k in keys)


def test_a_create_whose_answer_never_arrives_stays_pending(site, tmp_path, monkeypatch):
    target = load_config(site.config)[0]
    real = boundary_run._Session.send
    calls = {"n": 0}

    def send(self, data, idempotent):
        if b"CreateMeeting" in data[:2000] and b"<confName>conformance" not in data:
            calls["n"] += 1
            if calls["n"] == 2:
                raise BoundaryAbort("endpoint unreachable: simulated")
        return real(self, data, idempotent)
    monkeypatch.setattr(boundary_run._Session, "send", send)
    ledger = Ledger(tmp_path / "ledger")
    r = _run(target, "confname-128", ledger, unique="bl0004")
    assert r.outcome == "error"
    left = read_open(tmp_path / "ledger")
    assert [e["op"] for e in left] == ["pending"] and "bl0004" in left[0]["reason"]
    record = leftover_record(left[0], "results.json")
    assert record["undo"] is None and "by hand" in record["command"]


def test_the_pmr_image_needs_the_write_opt_in_and_is_listed_as_left(site, tmp_path):
    """UploadPMRImage cannot be undone (no API deletes or restores the photo): off the
    embedded server it is never sent without the opt-in, and with it the leftovers say what stays."""
    target = load_config(site.config)[0]
    assert not target.embedded
    sent = []
    with Transport(target.transport) as t:
        real = t.send
        t.send = lambda *a, **kw: sent.append(1) or real(*a, **kw)
        ctx = RunContext(target, parse_version("42.6.0"), t, unique="bl0005")
        ctx.ledger = Ledger(tmp_path / "ledger")
        skipped = run_limit(LIMITS["pmr-image-5mb"], ctx, ONE, False)
        assert skipped.outcome == "skip" and "--allow-writes" in skipped.reason and sent == []
        r = run_limit(LIMITS["pmr-image-5mb"], ctx, ONE, True)
    assert r.outcome == "pass", r.reason
    left = read_open(tmp_path / "ledger")
    assert len(left) == 1 and left[0]["op"] == "changed" and left[0].get("undo") is None
    record = leftover_record(left[0], "results.json")
    assert record["action"] == "restore" and "Personal Room photo" in record["what"] and "by hand" in record["command"]
