"""The case loader: good files load, each bad file is reported by file, field and reason."""
from pathlib import Path

import pytest

from conformance.cases import CaseFileError, load_case_file, load_cases
from conformance.versions import parse_version

GOOD = '''
id = "lstsummaryuser-lastlogintime"
title = "LstSummaryUser returns lastLoginTime"
introduced = "39.2.0"
source = "New element lastLoginTime returned in LstSummaryUser response"
apis = ["LstSummaryUser"]
kind = "element"

[[step]]
api = "user.LstsummaryUser"
role = "site-admin"
body = "<listControl><maximumNum>5</maximumNum></listControl>"

[[step.expect]]
versions = ">= 39.2.0"
result = "SUCCESS"
present = ["//use:user/use:lastLoginTime"]
matches = { "//use:lastLoginTime" = '^\\d{2}/\\d{2}/\\d{4}' }

[[step.expect]]
versions = "< 39.2.0"
result = "SUCCESS"
absent = ["//use:lastLoginTime"]
'''


def write(tmp_path: Path, text: str, name: str = "case.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_good_case_loads(tmp_path):
    case = load_case_file(write(tmp_path, GOOD))
    assert case.id == "lstsummaryuser-lastlogintime"
    assert case.introduced == parse_version("39.2.0")
    assert case.test_id == "39.2.0/lstsummaryuser-lastlogintime"
    step = case.steps[0]
    assert (step.service, step.api, step.idempotent) == ("user", "LstsummaryUser", True)
    assert step.expectation_for(parse_version("42.6.0")).get("present") == ("//use:user/use:lastLoginTime",)
    assert step.expectation_for(parse_version("11.0.0 SP10")).get("absent") == ("//use:lastLoginTime",)
    assert case.applies_to(parse_version("11.0.0 SP10"))


@pytest.mark.parametrize("edit,field,reason", [
    (lambda t: t.replace('id = "lstsummaryuser-lastlogintime"\n', ""), "id", "missing required field"),
    (lambda t: t.replace('title = "LstSummaryUser returns lastLoginTime"', "title = 3"), "title", "must be a string"),
    (lambda t: t.replace('introduced = "39.2.0"', 'introduced = "39.4.0"'), "introduced", "unknown version '39.4.0'"),
    (lambda t: t.replace('introduced = "39.2.0"', 'introduced = "thirty-nine"'), "introduced", "malformed version"),
    (lambda t: t.replace('kind = "element"', 'kind = "feature"'), "kind", "unknown kind"),
    (lambda t: t.replace('apis = ["LstSummaryUser"]', "apis = []"), "apis", "at least one API"),
    (lambda t: t.replace('api = "user.LstsummaryUser"', 'api = "LstsummaryUser"'), "step[0].api", "service.Api"),
    (lambda t: t.replace('api = "user.LstsummaryUser"', 'api = "usr.LstsummaryUser"'), "step[0].api", "unknown service"),
    (lambda t: t.replace('role = "site-admin"', 'role = "root"'), "step[0].role", "unknown role"),
    (lambda t: t.replace('versions = "< 39.2.0"', 'versions = "<= 39.2.0"'), "step[0].expect", "overlap"),
    (lambda t: t.replace('result = "SUCCESS"\npresent', 'result = "OK"\npresent'), "step[0].expect[0].result", "SUCCESS or FAILURE"),
    (lambda t: t.replace('present = ["//use:user/use:lastLoginTime"]', 'present = ["//use:user[["]'), "step[0].expect[0].present[0]", "not a valid XPath"),
    (lambda t: t.replace("= '^", "= '(["), "step[0].expect[0].matches.//use:lastLoginTime", "regular expression"),
    (lambda t: t.replace('kind = "element"', 'kind = "element"\nrequires = ["a-unicorn"]'), "requires[0]", "unknown fixture"),
    (lambda t: t.replace('absent = ["//use:lastLoginTime"]', 'absent = ["//zz:lastLoginTime"]'), "step[0].expect[1].absent[0]", "not a valid XPath"),
    (lambda t: t.replace('kind = "element"', 'kind = "element"\nrequires = [{ fixture = "captcha" }]'),
     "requires[0].versions", "missing required field"),
    (lambda t: t.replace('kind = "element"', 'kind = "element"\nrequires = [{ fixture = "captcha", versions = "> 1" }]'),
     "requires[0].versions", ""),
    (lambda t: t.replace('kind = "element"', 'kind = "element"\nrequires = [{ fixture = "unicorn", versions = "all" }]'),
     "requires[0].fixture", "unknown fixture"),
    (lambda t: t.replace('kind = "element"', 'kind = "element"\nrequires = [3]'), "requires[0]", "fixture name"),
    (lambda t: t.replace('role = "site-admin"', 'role = "site-admin"\nrequires = ["a-unicorn"]'),
     "step[0].requires[0]", "unknown fixture"),
    (lambda t: t.replace('<maximumNum>5</maximumNum>', '<maximumNum>${sesions.pmr}</maximumNum>'), "step[0].body", "unknown placeholder ${sesions.pmr}"),
    (lambda t: t.replace('kind = "element"', 'kind = "element"\ncolour = "red"'), "colour", "unknown field"),
    (lambda t: t + '\n[[step]]\napi = "user.GetUser"\nrole = "host"\n[[step.expect]]\nversions = "all"\nexception_id = "15"\n',
     "step[1].expect[0].exception_id", "5- or 6-digit"),
    (lambda t: t.replace("[[step.expect]]", "[[step.nope]]"), "step[0].nope", "unknown field"),
    (lambda t: t.replace('id = "lstsummaryuser-lastlogintime"', 'id = "Has Spaces"'), "id", "lower-case"),
    (lambda t: t + "\n[oops", "", "not valid TOML"),
])
def test_bad_case_files_name_field_and_reason(tmp_path, edit, field, reason):
    path = write(tmp_path, edit(GOOD))
    with pytest.raises(CaseFileError) as exc:
        load_case_file(path)
    err = exc.value
    assert err.path == str(path)
    assert err.field == field
    assert reason in err.reason
    assert str(path) in str(err) and "\n" not in err.reason.strip()


def test_a_bad_file_does_not_stop_the_others(tmp_path):
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, GOOD.replace("lstsummaryuser-lastlogintime", "second-case"), "b.toml")
    write(tmp_path, GOOD.replace('title = "LstSummaryUser returns lastLoginTime"\n', ""), "c.toml")
    write(tmp_path, GOOD, "d.toml")  # duplicate id
    (tmp_path / "headings.toml").write_text("not a case")
    report = load_cases(tmp_path)
    assert sorted(c.id for c in report.cases) == ["lstsummaryuser-lastlogintime", "second-case"]
    assert [(Path(e.path).name, e.field) for e in report.errors] == [("c.toml", "title"), ("d.toml", "id")]
    assert "duplicate id" in report.errors[1].reason


def test_missing_directory_is_an_error_not_a_crash(tmp_path):
    report = load_cases(tmp_path / "nope")
    assert report.cases == [] and "not a directory" in str(report.errors[0])


def test_setup_only_case_is_rejected(tmp_path):
    text = GOOD.split("[[step.expect]]")[0]
    with pytest.raises(CaseFileError, match="would check nothing"):
        load_case_file(write(tmp_path, text))


def test_not_applicable_ranges(tmp_path):
    text = GOOD.replace('versions = "< 39.2.0"\nresult = "SUCCESS"\nabsent = ["//use:lastLoginTime"]',
                        'versions = "< 39.2.0"\nnot_applicable = "no such element before 39.2.0"')
    case = load_case_file(write(tmp_path, text))
    assert not case.applies_to(parse_version("39.1.0"))
    assert case.not_applicable_reason(parse_version("39.1.0")) == "no such element before 39.2.0"


def test_the_projects_cases_load_clean():
    root = Path(__file__).resolve().parents[1] / "cases"
    report = load_cases(root)
    assert [str(e) for e in report.errors] == []
    files = [p for p in root.rglob("*.toml") if p.name != "headings.toml" and not p.name.startswith("_")]
    assert sorted(c.path for c in report.cases) == sorted(str(p) for p in files)  # every file is one case


def test_requires_per_version_range_and_per_step(tmp_path):
    """A fixture that exists only from some version must not skip the case at older ones."""
    text = GOOD.replace('kind = "element"', 'kind = "element"\nrequires = ["history", '
                        '{ fixture = "captcha", versions = ">= 39.10.0" }]')
    text = text.replace('versions = "< 39.2.0"', 'versions = "< 39.2.0"\nnot_applicable = "new"')
    text = text.replace('result = "SUCCESS"\nabsent = ["//use:lastLoginTime"]\n', "")
    text += ('\n[[step]]\napi = "user.GetUser"\nrole = "host"\nrequires = ["mail-sink"]\n'
             '[[step.expect]]\nversions = ">= 42.1.0"\nresult = "SUCCESS"\n')
    case = load_case_file(write(tmp_path, text))
    assert case.requires == ("history", "captcha", "mail-sink")   # every name, for markers and list
    assert case.requires_at(parse_version("39.9.0")) == ("history",)
    assert case.requires_at(parse_version("39.10.0")) == ("history", "captcha")
    assert case.requires_at(parse_version("42.6.0")) == ("history", "captcha", "mail-sink")
    assert [s.api for s in case.steps_at(parse_version("39.10.0"))] == ["LstsummaryUser"]
