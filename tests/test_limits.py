"""The limit files load, and every mistake in one names file, field and reason."""
from pathlib import Path

import pytest

from conformance.errors import CaseFileError
from conformance.limits import LimitFileError, load_limit_file, load_limits
from conformance.server.root import all_defects
from conformance.versions import ALL_VERSIONS, documented

ROOT = Path(__file__).resolve().parents[1]

GOOD = '''
id = "x-limit"
title = "t"
source = "Change ConfName size limit maximum to 128 display characters"
unit = "display-characters"
min = 1
max = 128
inclusive = true

[[rule]]
versions = ">= 11.0.0 SP11"
result = "FAILURE"
exception_id = "060065"

[[rule]]
versions = "< 11.0.0 SP11"
not_applicable = "before"

[[api]]
api = "meeting.CreateMeeting"
role = "host"
body = "<metaData><confName>${value}</confName></metaData>"
created = "//meet:meetingkey"
delete = { api = "meeting.DelMeeting", body = "<meetingKey>${created}</meetingKey>" }
'''


def write(tmp_path, text, name="x-limit.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_the_projects_limits_load_and_cover_the_documented_limits():
    report = load_limits(ROOT / "limits")
    assert report.errors == []
    ids = {lim.id for lim in report.limits}
    assert ids >= {"confname-128", "description", "attendees-per-call-50", "modified-date-range-90-days",
                   "recording-scope-28-days", "pmr-image-5mb"}
    by_id = {lim.id: lim for lim in report.limits}
    assert by_id["description"].rule_for(documented("39.5.0")).max == 1024
    assert by_id["description"].rule_for(documented("39.8.0")).max == 2500
    assert by_id["description"].rule_for(documented("39.8.0")).exception_id is None   # undocumented code
    assert by_id["description"].rule_for(documented("39.2.0")).no_limit
    assert by_id["attendees-per-call-50"].rule_for(documented("42.1.0")).value == "50"
    assert {a.name for a in by_id["confname-128"].apis} == {"CreateMeeting", "SetMeeting", "CreateTrainingSession",
                                                           "SetTrainingSession"}
    for lim in report.limits:
        for v in ALL_VERSIONS:
            assert lim.rule_for(v) is not None


def test_catches_name_declared_defects():
    known = all_defects()
    for lim in load_limits(ROOT / "limits").limits:
        assert set(lim.catches) <= set(known), lim.id


def test_a_good_file_loads(tmp_path):
    lim = load_limit_file(write(tmp_path, GOOD))
    assert lim.test_id == "boundary/x-limit" and lim.writes and lim.bounds() == (128,)
    assert lim.rule_for(documented("11.0.0 SP10")).not_applicable == "before"


@pytest.mark.parametrize("change, field, words", [
    (('unit = "display-characters"', 'unit = "furlongs"'), "unit", "unknown unit"),
    (("max = 128", 'max = "128"'), "max", "whole number"),
    (("inclusive = true\n", "inclusive = true\ncolour = 1\n"), "colour", "unknown field"),
    (('versions = "< 11.0.0 SP11"', 'versions = "< 11.0.0 SP12"'), "rule", "covered by 2 rules"),
    (('versions = "< 11.0.0 SP11"', 'versions = "< 11.0.0 SP10"'), "rule", "covered by 0 rules"),
    (('exception_id = "060065"', 'exception_id = "60065x"'), "rule[0].exception_id", "5- or 6-digit"),
    (('result = "FAILURE"', 'result = "SUCCESS"'), "rule[0].result", "FAILURE"),
    (("${value}</confName>", "x</confName>"), "api[0].body", "must place ${value}"),
    (("${value}</confName>", "${valeu}</confName>"), "api[0].body", "unknown placeholder ${valeu}"),
    (('created = "//meet:meetingkey"\n', ""), "api[0].created", "go together"),
    (('created = "//meet:meetingkey"\ndelete = { api = "meeting.DelMeeting", body = "<meetingKey>${created}</meetingKey>" }\n',
      ""), "api[0].delete", "needs created + delete"),
    (('created = "//meet:meetingkey"', 'created = "//nope:meetingkey"'), "api[0].created", "not a valid XPath"),
    (('api = "meeting.CreateMeeting"', 'api = "meeting"'), "api[0].api", "service.Api"),
    (('role = "host"', 'role = "boss"'), "api[0].role", "unknown role"),
])
def test_each_mistake_names_its_field(tmp_path, change, field, words):
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(LimitFileError) as info:
        load_limit_file(path)
    err = info.value
    assert isinstance(err, CaseFileError) and err.kind == "case-file" and err.exit_code == 2
    assert err.field == field and words in err.reason and str(path) in str(err)


def test_setup_needs_teardown(tmp_path):
    text = GOOD.replace('created = "//meet:meetingkey"\ndelete = { api = "meeting.DelMeeting", body = "<meetingKey>${created}</meetingKey>" }\n',
                        'setup = { api = "meeting.CreateMeeting", capture = "//meet:meetingkey", body = "" }\n')
    with pytest.raises(LimitFileError, match="teardown"):
        load_limit_file(write(tmp_path, text))


def test_bad_files_are_reported_and_do_not_stop_the_others(tmp_path):
    write(tmp_path, GOOD)
    write(tmp_path, "id = [", "broken.toml")
    write(tmp_path, GOOD, "again.toml")
    report = load_limits(tmp_path)
    assert [lim.id for lim in report.limits] == ["x-limit"]
    reasons = sorted(e.reason for e in report.errors)
    assert any("not valid TOML" in r for r in reasons) and any("duplicate id" in r for r in reasons)
    assert load_limits(tmp_path / "missing").limits == []
