"""Per-case undo against a live reference server, the ledger, the sweep, leftovers and cleanup."""
from __future__ import annotations

import dataclasses
import json

import pytest

from conformance.cases import load_case_file
from conformance.case_undo import send_call, sweep
from conformance.config import load_config
from conformance.cli import main
from conformance.embedded import target_for_server
from conformance.execute import RunContext, run_case
from conformance.ledger import Ledger, leftover_record, read_open
from conformance.server.serve import ReferenceServer
from conformance.transport import Transport
from conformance.versions import parse_version
from conformance.write_guard import decide

from safety_site import CREATE, FAILING_SETUP, JUDGED, SETSITE, ServeProcess, _emptied

HEAD = '''id = "{id}"
title = "t"
introduced = "39.1.0"
source = "s"
apis = ["CreateMeeting"]
kind = "behaviour"
'''

@pytest.fixture(scope="module")
def server():
    with ReferenceServer("42.6.0", test_paths=True) as s:
        yield s


def _ctx(server, transport, embedded=True, ledger=None):
    target = target_for_server(server)
    if not embedded:
        target = dataclasses.replace(target, embedded=False)
    ctx = RunContext(target, parse_version("42.6.0"), transport)
    ctx.writes = decide(target, allow_writes=True)
    ctx.ledger = ledger or Ledger()
    return ctx


def _case(tmp_path, text, cid="u"):
    p = tmp_path / f"{cid}.toml"
    p.write_text(HEAD.format(id=cid) + text, encoding="utf-8")
    return load_case_file(p)


def _meetings(server, unique):
    return server.state.query("SELECT session_key FROM sessions WHERE conf_name LIKE ?", (f"%{unique}%",))


def _facts(server):
    return server.state.query("SELECT facts FROM sites WHERE key='main'")[0]["facts"]


def test_a_passing_case_deletes_what_it_created(server, tmp_path):
    with Transport(target_for_server(server).transport) as t:
        ctx = _ctx(server, t)
        r = run_case(_case(tmp_path, CREATE + JUDGED), ctx)
    assert r.outcome == "pass", r.reason
    entries = ctx.ledger.entries()
    assert [e["op"] for e in entries] == ["pending", "created", "undone"]
    assert entries[1]["key"] and entries[1]["undo"]["api"] == "meeting.DelMeeting"
    assert _meetings(server, ctx.unique) == []


def test_a_case_that_errors_after_writing_still_undoes_everything(server, tmp_path):
    facts = _facts(server)
    with Transport(target_for_server(server).transport) as t:
        ctx = _ctx(server, t)
        r = run_case(_case(tmp_path, CREATE + SETSITE + FAILING_SETUP + JUDGED), ctx)
    assert r.outcome == "error" and "setup step 'fails'" in r.reason
    assert _meetings(server, ctx.unique) == []
    assert "u-" not in _facts(server)
    assert _emptied(json.loads(_facts(server))) == _emptied(json.loads(facts))   # restored (emptied = absent)
    ops = {e["id"]: e["op"] for e in ctx.ledger.entries()}
    assert set(ops.values()) == {"undone"}


class _Hooked:
    """A transport that calls ``hook(n, send)`` for its n-th request (1-based) instead of sending it."""

    def __init__(self, inner, hook):
        self.inner, self.hook, self.calls = inner, hook, 0
        self.settings = inner.settings

    def send(self, url, data, idempotent):
        self.calls += 1
        return self.hook(self.calls, lambda: self.inner.send(url, data, idempotent))


def test_an_interrupt_during_a_step_still_undoes(server, tmp_path):
    def interrupting(n, send):
        if n == 2:   # the judged GetMeeting, after the create
            raise KeyboardInterrupt
        return send()

    with Transport(target_for_server(server).transport) as t:
        ctx = _ctx(server, _Hooked(t, interrupting))
        with pytest.raises(KeyboardInterrupt):
            run_case(_case(tmp_path, CREATE + JUDGED), ctx)
    assert _meetings(server, ctx.unique) == []
    assert [e["op"] for e in ctx.ledger.entries()][-1] == "undone"


def test_ledger_files_sweep_and_leftovers(server, tmp_path):
    a, b = Ledger(tmp_path, "gw0"), Ledger(tmp_path, "gw1")
    target = target_for_server(server)
    base = {"case": "c", "step": "s", "target": target.name, "endpoint": target.endpoint, "version": "42.6.0",
            "site": "main", "role": "host", "tag": "t1"}
    good = a.open("created", kind="create", what="meeting", key="999001",
                  undo={"api": "meeting.DelMeeting", "role": "host", "site": "main",
                        "body": "<meetingKey>999001</meetingKey>"}, **base)
    closed = a.open("created", kind="create", what="meeting", key="1", undo={"api": "x.Y"}, **base)
    a.update(closed, "undone")
    b.open("pending", kind="create", what="event", **base)
    a.close(), b.close()
    (tmp_path / "ledger-gw1.jsonl").open("a").write('{"id": "cut sho')   # a killed process
    still = read_open(tmp_path)
    assert sorted(e["op"] for e in still) == ["created", "pending"]
    with Transport(target.transport) as t:
        ctx = _ctx(server, t)
        left = sweep(still, {f"{target.endpoint}|42.6.0": ctx}, Ledger(tmp_path, "controller"))
    # the meeting does not exist: its delete fails and it stays listed; the pending one has no key
    assert len(left) == 2
    records = [leftover_record(e, "reports/results.json") for e in left]
    by_op = {r["what"]: r for r in records}
    assert by_op["meeting"]["command"] == "webex-conformance cleanup reports/results.json"
    assert "answered FAILURE" in by_op["meeting"]["reason"]
    assert by_op["event"]["undo"] is None and "remove it by hand" in by_op["event"]["command"]
    assert good in {r["id"] for r in records}


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A ``serve`` process, its target from the config file, and the WEBEX_* variables set."""
    site = ServeProcess(tmp_path)
    try:
        for k, v in site.env.items():
            monkeypatch.setenv(k, v)
        yield site, load_config(site.config)[0]
    finally:
        site.close()


def test_cleanup_command_retries_leftovers(served, tmp_path, capsys):
    site, t = served
    with Transport(t.transport) as tr:
        key = _schedule(RunContext(t, parse_version("42.6.0"), tr), "leftover")
    lo = {"id": "a", "what": "meeting", "key": key, "action": "delete", "target": "refserve",
          "endpoint": t.endpoint, "version": "42.6.0",
          "undo": {"api": "meeting.DelMeeting", "role": "host", "site": "main",
                   "body": f"<meetingKey>{key}</meetingKey>"}}
    bad = {**lo, "id": "b", "key": "999999999", "undo": {**lo["undo"], "body": "<meetingKey>999999999</meetingKey>"}}
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"format": "webex-conformance-results/1", "run": {"leftovers": [lo, bad]},
                                   "results": []}))
    assert main(["cleanup", str(results)]) == 2                     # which target?
    assert main(["cleanup", str(results), "--config", str(site.config)]) == 1
    left = json.loads(results.read_text())["run"]["leftovers"]
    assert [x["id"] for x in left] == ["b"] and "FAILURE" in left[0]["reason"]
    sessions = json.dumps(site.get("/_test/objects")["sessions"])
    assert "leftover" not in sessions
    out = capsys.readouterr().out
    assert "1 undone, 1 left" in out


USER_CREATE = '''
[[step]]
name = "create a user"
api = "user.CreateUser"
role = "site-admin"
body = """<firstName>Lost</firstName><lastName>Answer</lastName><webExId>lost${run.unique}</webExId>
<email>lost${run.unique}@example.com</email><password>Cf-${run.unique}-9x</password>
<privilege><host>true</host></privilege>"""
[[step.expect]]
versions = "all"
result = "SUCCESS"
'''


def _loses_the_answer(deliver: bool):
    """The first request is sent (or not) and then its answer is lost, as when a worker dies mid-call."""
    def hook(n, send):
        from conformance.transport import TransportError
        if n == 1:
            if deliver:
                send()
            raise TransportError("read timed out after 30 s")
        return send()
    return hook


def _users(server, unique):
    return server.state.query("SELECT webex_id FROM users WHERE webex_id LIKE ?", (f"lost{unique}",))


@pytest.mark.parametrize("delivered", [True, False], ids=["created", "never-arrived"])
def test_a_user_create_whose_answer_is_lost_is_still_undone(server, tmp_path, delivered):
    with Transport(target_for_server(server).transport) as t:
        ctx = _ctx(server, _Hooked(t, _loses_the_answer(delivered)))
        run_case(_case(tmp_path, USER_CREATE), ctx)
    assert _users(server, ctx.unique) == []
    entries = ctx.ledger.entries()
    assert entries[0]["op"] == "pending" and entries[0]["undo"]["body"] == f"<webExId>lost{ctx.unique}</webExId>"
    assert entries[-1]["op"] == "undone", entries     # deleted, or "no such user": nothing is left
    assert read_open(None, entries) == []


def test_sweep_closes_a_pending_user_that_was_never_created_and_deletes_one_that_was(server, tmp_path):
    target = target_for_server(server)
    base = {"case": "c", "step": "s", "target": target.name, "endpoint": target.endpoint, "version": "42.6.0",
            "site": "main", "role": "site-admin", "tag": "t2"}
    led = Ledger(tmp_path, "gw0")
    for who in ("lostnever", "lostthere"):
        led.open("pending", kind="create", what="user", key=who,
                 undo={"api": "user.DelUser", "role": "site-admin", "site": "main",
                       "body": f"<webExId>{who}</webExId>"}, **base)
    led.close()
    with Transport(target.transport) as t:
        ctx = _ctx(server, t)
        _root, why = send_call(ctx, "user.CreateUser", "site-admin", "main",
                               "<firstName>A</firstName><lastName>B</lastName><webExId>lostthere</webExId>"
                               "<email>lostthere@example.com</email><password>Cf-there-9x</password>"
                               "<privilege><host>true</host></privilege>")
        assert why is None
        left = sweep(read_open(tmp_path), {f"{target.endpoint}|42.6.0": ctx}, Ledger(tmp_path, "controller"))
    assert left == []
    assert server.state.query("SELECT webex_id FROM users WHERE webex_id='lostthere'") == []
    assert read_open(tmp_path) == []


def _schedule(ctx, name):
    root, why = send_call(ctx, "meeting.CreateMeeting", "host", "main",
                          f"<metaData><confName>{name}</confName></metaData>"
                          "<schedule><startDate>01/01/2030 10:00:00</startDate></schedule>")
    assert why is None, why
    return root.xpath("//*[local-name()='meetingkey']/text()")[0]


def test_a_keyless_meeting_is_found_by_its_tag_at_the_sweep_and_nothing_untagged_is_touched(server, tmp_path):
    target = target_for_server(server)
    base = {"case": "c", "step": "s", "target": target.name, "endpoint": target.endpoint, "version": "42.6.0",
            "site": "main", "role": "host", "tag": "f00dcafe"}
    led = Ledger(tmp_path, "gw0")
    led.open("pending", kind="create", what="meeting", tagged=True, **base)              # the answer was lost
    led.open("pending", kind="create", what="event", tagged=True, **base)                # never reached the site
    led.open("pending", kind="create", what="meeting", **{**base, "tag": "0ddba11"})    # its name had no tag
    led.close()
    with Transport(target.transport) as t:
        ctx = _ctx(server, t)
        lost = _schedule(ctx, "sweep f00dcafe lost")
        other = _schedule(ctx, "someone else's meeting")
        untagged = _schedule(ctx, "0ddba11 but not marked as tagged")
        left = sweep(read_open(tmp_path), {f"{target.endpoint}|42.6.0": ctx}, Ledger(tmp_path, "controller"))
    keys = {str(r["session_key"]) for r in server.state.query("SELECT session_key FROM sessions")}
    assert lost not in keys and other in keys and untagged in keys
    assert [e["tag"] for e in left] == ["0ddba11"]         # the one nothing can find stays listed
    record = leftover_record(left[0], "r.json")
    assert record["tagged"] is False and "remove it by hand" in record["command"]


def test_cleanup_finds_a_tagged_leftover_without_a_key(served, tmp_path, capsys):
    site, t = served
    with Transport(t.transport) as tr:
        ctx = RunContext(t, parse_version("42.6.0"), tr)
        key = _schedule(ctx, "cleanup beefbeef lost")
    pending = {"id": "p", "op": "pending", "what": "meeting", "tag": "beefbeef", "tagged": True,
               "target": "refserve", "endpoint": t.endpoint, "version": "42.6.0", "site": "main", "role": "host"}
    lo = leftover_record(pending, str(tmp_path / "results.json"))
    assert lo["command"].startswith("webex-conformance cleanup")
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"format": "webex-conformance-results/1", "run": {"leftovers": [lo]},
                                   "results": []}))
    assert key in json.dumps(site.get("/_test/objects")["sessions"])
    assert main(["cleanup", str(results), "--config", str(site.config), "--dry-run"]) == 1
    assert "look for 'beefbeef'" in capsys.readouterr().out
    assert main(["cleanup", str(results), "--config", str(site.config)]) == 0
    assert json.loads(results.read_text())["run"]["leftovers"] == []
    assert key not in json.dumps(site.get("/_test/objects")["sessions"])


def test_signals_during_a_create_wait_until_its_key_is_recorded_however_many_arrive(server, tmp_path):
    """xdist's controller signals a worker again while shutting down: the create in flight
    still gets its key recorded, then the interrupt stops the case and its cleanup runs."""
    import signal
    from conformance.interrupts import DeferredInterrupt

    def signalled_mid_create(n, send):
        if n == 1:
            signal.raise_signal(signal.SIGINT)   # Ctrl-C, then the controller's own
            signal.raise_signal(signal.SIGINT)
        return send()

    interrupts = DeferredInterrupt().install()
    try:
        with Transport(target_for_server(server).transport) as t:
            ctx = _ctx(server, _Hooked(t, signalled_mid_create))
            ctx.interrupts = interrupts
            with pytest.raises(KeyboardInterrupt):
                run_case(_case(tmp_path, CREATE + JUDGED), ctx)
    finally:
        interrupts.uninstall()
    ops = [e["op"] for e in ctx.ledger.entries()]
    assert ops == ["pending", "created", "undone"], ops
    assert _meetings(server, ctx.unique) == []


def test_cleanup_reads_a_hand_edited_leftover_without_a_traceback(served, tmp_path, capsys):
    site, t = served
    broken = [{"id": "x", "what": "meeting", "action": "delete", "target": "refserve", "undo": "DelMeeting 1"},
              {"id": "y", "what": "meeting", "action": "delete", "target": "refserve", "tag": 123, "tagged": True}]
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"format": "webex-conformance-results/1", "run": {"leftovers": broken},
                                   "results": []}))
    assert main(["cleanup", str(results), "--config", str(site.config)]) == 1
    out = capsys.readouterr().out
    assert out.count("its key is unknown: remove it by hand") == 2 and "0 undone, 2 left" in out
