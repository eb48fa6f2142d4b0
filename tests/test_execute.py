"""run_case against a live reference server: every outcome, and every way a run can go wrong."""
import dataclasses
from pathlib import Path

import pytest

from conformance.cases import load_case_file
from conformance.embedded import target_for_server
from conformance.execute import RunContext, run_case
from conformance.schemas import bundle_for
from conformance.server.serve import ReferenceServer
from conformance.transport import Transport
from conformance.versions import parse_version

HEAD = '''id = "{id}"
title = "t"
introduced = "39.1.0"
source = "New element apiVer added to GetAPIVersion API"
apis = ["GetAPIVersion"]
kind = "element"
{extra}
'''
STEP = '''
[[step]]
name = "{name}"
api = "{api}"
role = "{role}"
site = "{site}"
body = """{body}"""
{more}
'''


def case(tmp_path: Path, steps: list[tuple[dict, list[str]]], extra: str = "", cid: str = "c"):
    text = HEAD.format(id=cid, extra=extra)
    for i, (s, expects) in enumerate(steps):
        fields = {"name": f"s{i}", "api": "ep.GetAPIVersion", "role": "site-admin", "site": "main", "body": "", "more": ""}
        fields.update(s)
        text += STEP.format(**fields)
        for e in expects:
            text += "\n[[step.expect]]\n" + e + "\n"
    p = tmp_path / f"{cid}.toml"
    p.write_text(text)
    return load_case_file(p)


@pytest.fixture(scope="module")
def server():
    with ReferenceServer("42.6.0") as s:
        yield s


@pytest.fixture()
def ctx(server):
    target = target_for_server(server)
    with Transport(target.transport) as t:
        yield RunContext(target, parse_version("42.6.0"), t, bundle_loader=lambda: bundle_for("42.6.0"))


def test_pass_with_equals_on_target_version(tmp_path, ctx):
    c = case(tmp_path, [({}, ['versions = "all"\nresult = "SUCCESS"\nequals = { "//ep:apiVer" = "${target.version}" }'])])
    r = run_case(c, ctx)
    assert r.outcome == "pass", r.reason
    assert r.schema_bundle == "webex-conformance schemas 42.6.0"
    step = r.steps[0]
    assert step.status == 200 and step.attempts == 1 and step.elapsed_ms > 0
    assert "<password>***</password>" in step.request
    assert ctx.target.sites["main"].credentials["site-admin"].password not in step.request
    checks = {v.check: v.outcome for v in step.verdicts}
    assert checks["result"] == "pass" and checks["schema"] == "pass" and checks["equals://ep:apiVer"] == "pass"


def test_fail_names_the_check_expected_and_actual(tmp_path, ctx):
    c = case(tmp_path, [({}, ['versions = "all"\nresult = "FAILURE"\nexception_id = "010107"'])])
    r = run_case(c, ctx)
    assert r.outcome == "fail"
    assert r.reason == "result: expected FAILURE, got SUCCESS"


def test_wrong_password_is_a_clear_failure(tmp_path, server):
    target = target_for_server(server)
    main = target.sites["main"]
    bad = dataclasses.replace(main.credentials["site-admin"], password="not-the-password")
    target = dataclasses.replace(target, sites={**target.sites, "main": dataclasses.replace(
        main, credentials={**main.credentials, "site-admin": bad})})
    c = case(tmp_path, [({}, ['versions = "all"\nresult = "SUCCESS"'])])
    with Transport(target.transport) as t:
        r = run_case(c, RunContext(target, parse_version("42.6.0"), t))
    assert r.outcome == "fail"
    verdicts = {v.check: v for v in r.steps[0].verdicts}
    assert verdicts["result"].actual == "FAILURE"
    assert "030002" in r.steps[0].response and "not-the-password" not in r.steps[0].request


def test_not_applicable_and_skipped_steps(tmp_path, ctx):
    c = case(tmp_path, [({}, ['versions = ">= 42.1.0"\nnot_applicable = "only for old servers"',
                              'versions = "< 42.1.0"\nresult = "SUCCESS"'])])
    r = run_case(c, ctx)
    assert (r.outcome, r.reason) == ("not-applicable", "only for old servers")
    c = case(tmp_path, [({}, ['versions = "< 39.1.0"\nresult = "FAILURE"']),
                        ({"name": "later"}, ['versions = ">= 39.1.0"\nresult = "SUCCESS"'])], cid="two")
    r = run_case(c, ctx)
    assert r.outcome == "pass" and [s.name for s in r.steps] == ["later"]


def test_missing_fixture_skips_with_its_name_on_a_real_site(tmp_path, ctx):
    c = case(tmp_path, [({}, ['versions = "all"\nresult = "SUCCESS"'])], extra='requires = ["mail-sink"]')
    ctx.target = dataclasses.replace(ctx.target, provides=frozenset(), embedded=False)
    r = run_case(c, ctx)
    assert r.outcome == "skip" and "'mail-sink'" in r.reason
    c = case(tmp_path, [({"site": "suspended"}, ['versions = "all"\nresult = "SUCCESS"'])], cid="susp")
    ctx.target = dataclasses.replace(ctx.target, sites={"main": ctx.target.sites["main"]})
    r = run_case(c, ctx)
    assert r.outcome == "skip" and "'suspended-site'" in r.reason
    main = ctx.target.sites["main"]
    ctx.target = dataclasses.replace(ctx.target, sites={"main": dataclasses.replace(main, credentials={})})
    c = case(tmp_path, [({}, ['versions = "all"\nresult = "SUCCESS"'])], cid="nocred")
    r = run_case(c, ctx)
    assert r.outcome == "skip" and "requires a site-admin credential on the main site" in r.reason


def test_a_fixture_needed_only_at_some_versions_skips_only_there(tmp_path, ctx):
    """``requires`` with a version range or on a step: a site without the fixture still runs
    the versions that do not need it (39.10.0's CAPTCHA must not skip 39.3.0's promise)."""
    ctx.target = dataclasses.replace(ctx.target, provides=frozenset(), embedded=False)
    ranged = case(tmp_path, [({}, ['versions = "all"\nresult = "SUCCESS"'])], cid="ranged",
                  extra='requires = [{ fixture = "mail-sink", versions = ">= 42.6.0" }]')
    stepped = case(tmp_path, [({}, ['versions = "all"\nresult = "SUCCESS"']),
                              ({"more": 'requires = ["mail-sink"]', "body": "<x>${captcha.id}</x>"},
                               ['versions = ">= 42.6.0"\nresult = "SUCCESS"', 'versions = "< 42.6.0"\nnot_applicable = "new"'])],
                   cid="stepped")
    for c in (ranged, stepped):
        r = run_case(c, ctx)
        assert r.outcome == "skip" and "'mail-sink'" in r.reason, c.id
        ctx.version = parse_version("42.5.0")
        assert run_case(c, ctx).outcome == "pass", c.id
        ctx.version = parse_version("42.6.0")


def test_a_gap_in_the_embedded_server_is_an_error_not_a_skip(tmp_path, ctx):
    c = case(tmp_path, [({}, ['versions = "all"\nresult = "SUCCESS"'])], extra='requires = ["mail-sink"]')
    ctx.target = dataclasses.replace(ctx.target, provides=frozenset())
    r = run_case(c, ctx)
    assert r.outcome == "error" and "'mail-sink'" in r.reason


def test_setup_step_failure_and_capture(tmp_path, ctx):
    c = case(tmp_path, [({"api": "ep.NoSuchApi", "more": 'write = "read"'}, []), ({}, ['versions = "all"\nresult = "SUCCESS"'])])
    r = run_case(c, ctx)
    assert r.outcome == "error" and "setup step 's0' answered FAILURE: 000000" in r.reason
    c = case(tmp_path, [({"more": 'capture = { v = "//ep:apiVer" }'}, []),
                        ({}, ['versions = "all"\nequals = { "//ep:apiVer" = "${v}" }'])], cid="cap")
    assert run_case(c, ctx).outcome == "pass"


def test_a_value_the_target_lacks_skips_with_its_name(tmp_path, ctx):
    c = case(tmp_path, [({"body": "<x>${sessions.nothing}</x>"}, ['versions = "all"\nresult = "SUCCESS"'])])
    ctx.target = dataclasses.replace(ctx.target, embedded=False)
    r = run_case(c, ctx)
    assert r.outcome == "skip" and "needs the value 'sessions.nothing'" in r.reason


def test_values_are_xml_escaped_in_bodies(tmp_path, ctx):
    c = case(tmp_path, [({"body": "<returnTrainReleaseVersion>${sessions.odd}</returnTrainReleaseVersion>"},
                         ['versions = "all"\nresult = "SUCCESS"'])])
    ctx.target = dataclasses.replace(ctx.target, values={**ctx.target.values, "sessions.odd": "a&b<c"})
    r = run_case(c, ctx)
    assert "a&amp;b&lt;c" in r.steps[0].request


def test_unreachable_endpoint_is_not_retried_for_every_case(tmp_path, server):
    target = dataclasses.replace(target_for_server(server), endpoint="http://127.0.0.1:1/WBXService/XMLService")
    c = case(tmp_path, [({}, ['versions = "all"\nresult = "SUCCESS"'])])
    with Transport(dataclasses.replace(target.transport, retries=0)) as t:
        ctx = RunContext(target, parse_version("42.6.0"), t)
        first, second = run_case(c, ctx), run_case(c, ctx)
    assert first.steps and not second.steps
    assert second.reason.startswith("endpoint unreachable (not tried again)")


def test_secrets_echoed_by_a_server_are_masked_in_every_verdict(tmp_path, ctx):
    password = ctx.target.sites["main"].credentials["site-admin"].password
    c = case(tmp_path, [({}, [f'versions = "all"\nresult = "SUCCESS"\nequals = {{ "//ep:apiVer" = "{password}" }}'])])
    r = run_case(c, ctx)
    import json
    assert r.outcome == "fail" and password not in json.dumps(r.to_dict())


def test_a_bad_placeholder_is_an_error_not_a_crash(tmp_path, ctx):
    c = case(tmp_path, [({"body": "<x>${chars:lots}</x>"}, ['versions = "all"\nresult = "SUCCESS"'])])
    r = run_case(c, ctx)
    assert r.outcome == "error" and "chars:lots" in r.reason


def test_unreachable_endpoint(tmp_path, server):
    target = dataclasses.replace(target_for_server(server), endpoint="http://127.0.0.1:1/WBXService/XMLService")
    c = case(tmp_path, [({}, ['versions = "all"\nresult = "SUCCESS"'])])
    with Transport(dataclasses.replace(target.transport, retries=0)) as t:
        r = run_case(c, RunContext(target, parse_version("42.6.0"), t))
    assert r.outcome == "error"
    assert r.reason.startswith("endpoint unreachable: ") and "connection refused" in r.reason


def test_newer_server_is_judged_by_the_newest_rules(tmp_path, server):
    target = target_for_server(server)
    c = case(tmp_path, [({}, ['versions = ">= 42.6.0"\nresult = "SUCCESS"', 'versions = "< 42.6.0"\nresult = "FAILURE"'])])
    with Transport(target.transport) as t:
        r = run_case(c, RunContext(target, parse_version("42.11.1"), t))
    assert r.outcome == "pass" and r.version == "42.11.1"


def test_broken_schema_bundle_is_reported_on_the_case(tmp_path, ctx):
    def broken():
        raise RuntimeError("bundle exploded")
    ctx.bundle_loader = broken
    c = case(tmp_path, [({}, ['versions = "all"\nresult = "SUCCESS"'])])
    r = run_case(c, ctx)
    assert r.outcome == "error" and "bundle exploded" in r.reason


def test_large_exchanges_are_elided_in_the_record(tmp_path, ctx):
    c = case(tmp_path, [({"body": "<x>${chars:200000}</x>"}, ['versions = "all"\nresult = "SUCCESS"'])])
    r = run_case(c, ctx)
    assert r.outcome == "pass"
    assert len(r.steps[0].request) < 60_000 and "bytes elided" in r.steps[0].request
    assert "<password>***</password>" in r.steps[0].request


def test_runner_values_give_every_run_its_own_unknown_key():
    """${run.number} stands for a session key no site has: a fixed one would carry an earlier
    run's failed lookups (the 39.10.0 CAPTCHA counts them per key)."""
    from conformance.cases import RUNNER_VALUES
    ctx = lambda unique: RunContext(None, parse_version("42.6.0"), None, unique=unique)  # noqa: E731
    values = ctx("a1b2c3d4").runner_values()
    assert set(values) == set(RUNNER_VALUES)
    assert values["run.unique"] == "a1b2c3d4" and values["target.version"] == "42.6.0"
    numbers = {ctx(f"{i:08x}").runner_values()["run.number"] for i in range(200)}
    assert len(numbers) == 200
    assert all(len(n) == 9 and n.isdigit() and n.startswith("9") for n in numbers)
    assert ctx("a1b2c3d4").runner_values() == values
