"""Write classification, the loader's undo rules and the one write decision."""
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.cases import CaseFileError, load_case_file, load_cases
from conformance.write_guard import (RESTORES, body_tree, blocked, classify, decide, problems,
                                     writes_of)

ROOT = Path(__file__).resolve().parents[1]

HEAD = '''id = "w"
title = "t"
introduced = "39.1.0"
source = "s"
apis = ["X"]
kind = "behaviour"
{extra}
'''
STEP = '''
[[step]]
api = "{api}"
role = "host"
body = """{body}"""
{more}
'''
JUDGED = '''
[[step]]
api = "ep.GetAPIVersion"
role = "host"
[[step.expect]]
versions = "all"
result = "SUCCESS"
'''


def case_file(tmp_path: Path, steps: list[tuple[str, str, str]], extra: str = "") -> Path:
    text = HEAD.format(extra=extra) + "".join(STEP.format(api=a, body=b, more=m) for a, b, m in steps) + JUDGED
    p = tmp_path / "w.toml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("api, kind", [
    ("meeting.CreateMeeting", "create"), ("RegisterMeetingAttendee", "create"), ("SetSite", "change"),
    ("UploadPMRImage", "change"), ("DelRecording", "delete"), ("LstsummaryUser", "read"),
    ("GetSiteFT", "read"), ("AddSomethingNew", "create"), ("FrobnicateSite", "change"),
    ("lstNewThing", "read"), ("DelFuture", "delete")])
def test_classify(api, kind):
    assert classify(api) == kind


def test_a_create_with_its_own_delete_loads(tmp_path):
    p = case_file(tmp_path, [
        ("meeting.CreateMeeting", "<metaData><confName>c ${run.unique}</confName></metaData>",
         'capture = { key = "//meet:meetingkey" }'),
        ("meeting.SetMeeting", "<meetingkey>${key}</meetingkey><metaData><confName>x</confName></metaData>", ""),
        ("meeting.DelMeeting", "<meetingKey>${key}</meetingKey>", ""),
    ])
    case = load_case_file(p)
    assert [k for _s, k in writes_of(case)] == ["create", "change", "delete"]


def test_a_delete_of_a_fixture_object_is_refused_with_file_step_and_reason(tmp_path):
    p = case_file(tmp_path, [("ep.DelRecording", "<recordingID>${recordings.deletable}</recordingID>", "")])
    with pytest.raises(CaseFileError) as err:
        load_case_file(p)
    assert err.value.path == str(p) and err.value.field == "step[0]"
    assert "deletes an object the case did not create" in err.value.reason


def test_a_delete_of_a_literal_key_is_refused(tmp_path):
    p = case_file(tmp_path, [("meeting.DelMeeting", "<meetingKey>123456</meetingKey>", "")])
    with pytest.raises(CaseFileError, match="did not create"):
        load_case_file(p)


def test_an_attendee_of_a_meeting_the_case_did_not_create_is_refused(tmp_path):
    p = case_file(tmp_path, [("attendee.CreateMeetingAttendee",
                              "<person><name>a</name></person><sessionKey>${sessions.meeting}</sessionKey>", "")])
    with pytest.raises(CaseFileError, match="adds to an object the case did not create"):
        load_case_file(p)


def test_a_create_nothing_removes_is_refused_unless_embedded_only(tmp_path):
    steps = [("support.CreateSupportSession", "<metaData><confName>x</confName></metaData>", "")]
    with pytest.raises(CaseFileError, match="no API removes what CreateSupportSession creates"):
        load_case_file(case_file(tmp_path, steps))
    case = load_case_file(case_file(tmp_path, steps, extra='embedded_only = "no DelSupportSession"'))
    assert case.embedded_only == "no DelSupportSession"


def test_a_change_of_existing_state_needs_a_restore_plan(tmp_path):
    ok = load_case_file(case_file(tmp_path, [("user.SetUser", "<webExId>${users.host.webExID}</webExId><title>t</title>", "")]))
    assert writes_of(ok)[0][1] == "change"
    with pytest.raises(CaseFileError, match="UploadPMRImage changes state"):
        load_case_file(case_file(tmp_path, [("user.UploadPMRImage", "<imageData>AAAA</imageData>", "")]))


def test_write_override_and_its_check(tmp_path):
    p = case_file(tmp_path, [("ep.LstsummarySession", "", 'write = "delete"')])
    with pytest.raises(CaseFileError, match="deletes an object"):
        load_case_file(p)
    p = case_file(tmp_path, [("ep.LstsummarySession", "", 'write = "destroy"')])
    with pytest.raises(CaseFileError, match="must be one of read, create, change, delete"):
        load_case_file(p)


def test_the_projects_cases_declare_every_write():
    report = load_cases(ROOT / "cases")
    assert not report.errors
    writing = [c for c in report.cases if writes_of(c)]
    assert len(writing) >= 60
    assert all(not problems(c) for c in report.cases)
    assert {c.id for c in report.cases if c.embedded_only} == {
        "uploadpmrimage-over-5mb-rejected", "uploadpmrimage-under-5mb-accepted",
        "delrecording-notifies-host", "suspended-site-createsupportsession"}


@dataclass
class _Safety:
    allow_writes: bool | None = None
    production: bool = False


@dataclass
class _Target:
    name: str = "staging"
    embedded: bool = False
    safety: _Safety = None


def test_decide():
    assert decide(_Target(embedded=True)).allowed
    assert not decide(_Target(safety=_Safety())).allowed
    assert "--allow-writes" in decide(_Target(safety=_Safety())).reason
    assert decide(_Target(safety=_Safety()), allow_writes=True).allowed
    assert decide(_Target(safety=_Safety(allow_writes=True))).allowed
    assert not decide(_Target(safety=_Safety(allow_writes=False)), allow_writes=True).allowed
    prod = _Target(safety=_Safety(production=True))
    assert not decide(prod, allow_writes=True).allowed
    assert "--i-know-this-is-production" in decide(prod, allow_writes=True).reason
    assert decide(prod, allow_writes=True, i_know_this_is_production=True).allowed


def test_blocked_skips_writing_cases_only():
    report = load_cases(ROOT / "cases")
    by_id = report.by_id()
    staging = _Target(safety=_Safety())
    assert blocked(by_id["lstsummaryuser-lastlogintime"], staging, None) is None
    assert "--allow-writes" in blocked(by_id["setsite-videomeshinterclusters"], staging, None)
    allowed = decide(staging, allow_writes=True)
    assert blocked(by_id["setsite-videomeshinterclusters"], staging, allowed) is None
    assert "embedded reference server only" in blocked(by_id["delrecording-notifies-host"], staging, allowed)


def test_restore_bodies_mirror_the_change():
    change = body_tree("<webExId>host1</webExId><title>new</title><phones><phone>1</phone></phones>")
    answer = body_tree("<use:user xmlns:use='u'><use:webExId>host1</use:webExId><use:title>Old &amp; wise</use:title></use:user>")
    plan = RESTORES["user.SetUser"]
    assert plan.read_body(change) == "<webExId>host1</webExId>"
    assert plan.rebuild(change, answer) == "<webExId>host1</webExId><title>Old &amp; wise</title><phones><phone></phone></phones>"



def test_a_toggle_setsiteft_added_is_written_back_empty():
    """A toggle that did not exist is restored with an empty value (which removes it in our shape)."""
    change = body_tree("<featureToggle><name>Old</name><value>x</value></featureToggle>"
                       "<featureToggle><name>New</name><value>y</value></featureToggle>")
    answer = body_tree("<n:featureToggle xmlns:n='s'><n:name>Old</n:name><n:value>was</n:value></n:featureToggle>")
    plan = RESTORES["site.SetSiteFT"]
    assert plan.read_body(change) == "<name>Old</name><name>New</name>"
    assert plan.rebuild(change, answer) == ("<featureToggle><name>Old</name><value>was</value></featureToggle>"
                                            "<featureToggle><name>New</name><value></value></featureToggle>")

def test_a_create_with_no_delete_api_at_that_version_is_skipped_off_the_embedded_server():
    from conformance.versions import parse_version
    case = load_cases(ROOT / "cases").by_id()["setcontact-updates-contact"]
    staging = _Target(safety=_Safety())
    allowed = decide(staging, allow_writes=True)
    why = blocked(case, staging, allowed, parse_version("11.0.0 SP11"))
    assert why and "before 11.0.0 SP12 (DelContacts is new there)" in why
    assert blocked(case, staging, allowed, parse_version("11.0.0 SP12")) is None


def test_every_object_a_case_names_carries_the_runs_tag_in_its_name():
    """What makes a lost answer's object findable (case_undo's search by tag) and the
    README's "names carry the run's tag" true; an empty name (a refusal asked for) is exempt."""
    from conformance.write_guard import CREATES, step_write
    untagged, checked = [], 0
    for case in load_cases(ROOT / "cases").cases:
        if getattr(case, "embedded_only", None):
            continue
        for step in case.steps:
            plan = CREATES.get(f"{step.service}.{step.api}")
            if plan is None or step_write(step) != "create" or plan.key_from == "request":
                continue
            names = [el.text or "" for el in body_tree(step.body).iter() if isinstance(el.tag, str)
                     and el.tag.split("}")[-1] == plan.mark]
            checked += 1
            if any(n.strip() and "${run.unique}" not in n for n in names) or not names:
                untagged.append(f"{case.id}: {step.name}")
    assert checked >= 50 and untagged == [], untagged
