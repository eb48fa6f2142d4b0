"""Safe on a real site, proven: the whole suite against a non-embedded ``serve`` process.

One server (with seeded defects, so some writing cases fail) is judged without
--allow-writes (no write request may reach it), with --allow-writes plus a case that
errors after it wrote, stopped by ``-x``, and interrupted at a random moment after the
first create (SIGINT to the process group of an xdist run, SIGTERM to its controller,
SIGTERM to a plain run).  After each, the site must hold exactly
what it held before (after ``webex-conformance cleanup`` for whatever the run listed as
left over), and no delete may have touched an object the run did not create.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance.safety_run import WRITE_SKIPS
from conformance.write_guard import OWNER_KEYS, body_tree, classify, key_texts

from safety_site import CREATE, FAILING_SETUP, JUDGED, SETSITE, ServeProcess, key_values

ROOT = Path(__file__).resolve().parents[1]
DEFECTS = ("confname-limit-129", "attendee-limit-not-enforced", "event-description-2500-not-enforced")
ERROR_CASE = """id = "safety-error-after-writes"
title = "A case whose setup step fails after it created a meeting and changed the site"
introduced = "42.6.0"
source = "seeded failure of the write-safety end-to-end test"
apis = ["CreateMeeting", "SetSite", "GetMeeting"]
kind = "behaviour"
""" + CREATE + SETSITE + FAILING_SETUP + JUDGED


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("safety")
    s = ServeProcess(tmp, "42.6.0", DEFECTS)
    s.tmp = tmp
    s.before = s.objects()
    s.own_keys = key_values(s.before)
    yield s
    s.close()


def _run(site, out: str, *extra: str, cases: Path | None = None, config: Path | None = None, timeout: float = 400):
    args = [sys.executable, "-m", "conformance.cli", "run", "--config", str(config or site.config),
            "--output", str(site.tmp / out), *extra]
    if cases is not None:
        args += ["--cases-dir", str(cases)]
    return subprocess.run(args, env=site.run_env(), capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def _results(site, out: str) -> dict:
    return json.loads((site.tmp / out / "results.json").read_text(encoding="utf-8"))


def _deleted_keys(calls: list[dict]) -> list[tuple[str, str]]:
    out = []
    for c in calls:
        api = f"{c['service']}.{c['api']}"
        if classify(api) == "delete":
            out += [(api, k) for k in key_texts(body_tree(_inner(c["body"])), OWNER_KEYS.get(api, ()))]
    return out


def _inner(body: str) -> str:
    """The bodyContent children of a logged call (the element itself is the wrapper)."""
    return body.split(">", 1)[1].rsplit("</", 1)[0] if ">" in body else body


def _assert_site_unchanged(site, why: str) -> None:
    after = site.objects()
    diff = {t: (sorted(set(site.before.get(t, [])) - set(rows))[:2], sorted(set(rows) - set(site.before.get(t, [])))[:2])
            for t, rows in after.items() if rows != site.before.get(t, [])}
    assert after == site.before, f"{why}: the site changed (table: (gone, new)): {diff}"


def _assert_no_foreign_delete(site, calls: list[dict]) -> None:
    foreign = [(api, k) for api, k in _deleted_keys(calls) if k.strip().lower() in site.own_keys]
    assert not foreign, f"deletes of objects the run did not create: {foreign}"


def test_without_allow_writes_no_write_is_sent(site):
    start = len(site.calls())
    r = _run(site, "no-writes", "-n", "2")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    calls = site.calls()[start:]
    assert calls, "the run sent nothing at all"
    writes = [c["api"] for c in calls if classify(c["api"]) != "read"]
    assert writes == [], f"write requests sent without --allow-writes: {writes}"
    doc = _results(site, "no-writes")
    skipped = [x for x in doc["results"] if x["outcome"] == "skip" and "writes to the site" in x["reason"]]
    assert len(skipped) >= 55
    not_run = [x for x in doc["results"] if x["outcome"] == "skip" and x["reason"].startswith(WRITE_SKIPS)]
    assert f"{len(not_run)} writing case result(s) skipped: " in r.stdout      # boundary tests included
    assert re.search(r"; 4 because they run against the embedded reference server only", r.stdout)
    assert re.search(r"\b(5[5-9]|6\d) because writes to 'refserve' need --allow-writes", r.stdout), r.stdout[-1500:]
    assert doc["run"]["leftovers"] == []
    _assert_site_unchanged(site, "a run without --allow-writes")


def test_a_writing_run_with_failures_leaves_the_site_as_it_was(site):
    cases = site.tmp / "cases"
    shutil.copytree(ROOT / "cases", cases)
    (cases / "42.6.0" / "safety-error-after-writes.toml").write_text(ERROR_CASE, encoding="utf-8")
    start = len(site.calls())
    r = _run(site, "writes", "-n", "2", "--allow-writes", cases=cases)
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr[-2000:]   # the seeded defects are caught
    doc = _results(site, "writes")
    by_id = {x["case_id"]: x for x in doc["results"]}
    assert by_id["safety-error-after-writes"]["outcome"] == "error"
    assert by_id["createmeeting-confname-128"]["outcome"] == "fail"      # a 129-character meeting was created
    assert by_id["setsite-videomeshinterclusters"]["outcome"] == "pass"
    calls = site.calls()[start:]
    apis = [c["api"] for c in calls]
    assert apis.count("CreateMeeting") >= 20 and "DelTrainingSession" in apis and "DelUser" in apis
    assert doc["run"]["leftovers"] == [], doc["run"]["leftovers"]
    _assert_no_foreign_delete(site, calls)
    _assert_site_unchanged(site, "a writing run with failing cases")


def test_a_run_stopped_by_exitfirst_leaves_the_site_as_it_was(site):
    start = len(site.calls())
    r = _run(site, "exitfirst", "-n", "2", "-x", "--allow-writes", "-k", "confname or attendee or description")
    # pytest-xdist reports a -x stop as an interruption (the CLI's 130), plain pytest as failures (1)
    assert r.returncode in (1, 130), r.stdout[-3000:] + r.stderr[-2000:]
    assert "stopping after 1 failures" in r.stdout
    assert _results(site, "exitfirst")["run"]["leftovers"] == []
    _assert_no_foreign_delete(site, site.calls()[start:])
    _assert_site_unchanged(site, "a run stopped by -x")


@pytest.mark.parametrize("how", ["sigint-xdist", "sigterm-xdist", "sigterm"])
def test_an_interrupted_run_leaves_nothing_behind(site, how):
    seed = int(os.environ.get("SAFETY_E2E_SEED", random.randrange(1 << 30)))
    delay = random.Random(f"{seed}-{how}").uniform(0.0, 3.0)
    out = site.tmp / f"interrupted-{how}"
    args = [sys.executable, "-m", "conformance.cli", "run", "--config", str(site.config), "--output", str(out),
            "--allow-writes", "-k", "meeting or event or training or user or contact or site"]
    if how.endswith("xdist"):
        args += ["-n", "2"]
    start = len(site.calls())
    proc = subprocess.Popen(args, env=site.run_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 90
    while not any(classify(c["api"]) == "create" for c in site.calls()[start:]):  # writing has begun
        assert proc.poll() is None and time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.2)
    time.sleep(delay)
    if how == "sigint-xdist":
        os.killpg(proc.pid, signal.SIGINT)     # Ctrl-C reaches the whole process group
    else:
        proc.send_signal(signal.SIGTERM)       # a CI job cancelled: the controller only
    output, _ = proc.communicate(timeout=120)
    context = (f"(seed {seed}: interrupted {delay:.1f} s after the first create, exit {proc.returncode})\n"
               f"{output[-2500:]}")
    calls = site.calls()[start:]
    assert any(classify(c["api"]) == "create" for c in calls), f"nothing was written before the interrupt {context}"
    if proc.returncode == 0:
        pytest.fail(f"the run finished before the interrupt {context}")
    assert (out / "results.json").is_file(), f"no results after the interrupt {context}"
    leftovers = _results(site, out.name)["run"]["leftovers"]
    if leftovers:
        c = subprocess.run([sys.executable, "-m", "conformance.cli", "cleanup", str(out / "results.json"),
                            "--config", str(site.config)], env=site.run_env(), capture_output=True, text=True,
                           timeout=120, cwd=ROOT)
        assert c.returncode == 0, f"cleanup could not undo {leftovers}: {c.stdout} {context}"
        assert _results(site, out.name)["run"]["leftovers"] == []
    _assert_no_foreign_delete(site, site.calls()[start:])
    _assert_site_unchanged(site, f"an interrupted run {context}")


def test_production_needs_both_flags_and_max_writes_caps_the_run(site):
    prod = site.tmp / "production.toml"
    prod.write_text(site.config.read_text(encoding="utf-8").replace(
        'retries = 0\n', 'retries = 0\nproduction = true\n', 1), encoding="utf-8")
    selection = ["-k", "setsite-videomeshinterclusters or setmeeting-confname-128 or lstsummaryuser-lastlogintime"]
    start = len(site.calls())
    r = _run(site, "prod-refused", "--allow-writes", *selection, config=prod)
    assert r.returncode == 0, r.stdout[-3000:]
    assert [c["api"] for c in site.calls()[start:] if classify(c["api"]) != "read"] == []
    reasons = {x["case_id"]: x["reason"] for x in _results(site, "prod-refused")["results"]}
    assert "--i-know-this-is-production" in reasons["setsite-videomeshinterclusters"]
    assert reasons["lstsummaryuser-lastlogintime"] == ""
    r = _run(site, "prod-capped", "--allow-writes", "--i-know-this-is-production", "--max-writes", "2",
             *selection, config=prod)
    assert r.returncode == 0, r.stdout[-3000:]
    by_id = {x["case_id"]: x for x in _results(site, "prod-capped")["results"]}
    outcomes = sorted((by_id[c]["outcome"], by_id[c]["reason"][:30]) for c in
                      ("setsite-videomeshinterclusters", "setmeeting-confname-128"))
    assert outcomes == [("pass", ""), ("skip", "the run's cap on writes is rea")], outcomes
    _assert_site_unchanged(site, "a production run")
