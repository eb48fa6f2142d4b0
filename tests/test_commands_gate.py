"""`webex-conformance gate` and `diff` through the command line: output and exit codes."""
import json

import pytest
from lxml import etree

from conformance.cli import main
from conformance.commands.gate import BREAK_GLASS

from resultfiles import rec, results_file


@pytest.fixture()
def files(tmp_path):
    base = results_file(tmp_path / "base.json", [rec("a"), rec("b"), rec("c", "fail")])
    regressed = results_file(tmp_path / "new.json", [rec("a", "fail"), rec("b"), rec("c", "fail")],
                             defects=("apiver-wrong",))
    same = results_file(tmp_path / "same.json", [rec("a"), rec("b"), rec("c", "fail")])
    return tmp_path, base, regressed, same


def expectations(tmp_path, case="a", expires="2099-12-31", name="exp.toml"):
    p = tmp_path / name
    p.write_text(f'[[accepted]]\ncase = "{case}"\nreason = "known"\nlink = "https://t/1"\nowner = "qa"\n'
                 f'expires = {expires}\n', encoding="utf-8")
    return p


def gate(*args):
    return main(["gate", *map(str, args)])


def test_regression_exits_1_with_heading_and_reproduce_command(files, capsys):
    tmp, base, new, _ = files
    junit = tmp / "out" / "gate.xml"
    assert gate(new, "--baseline", base, "--junit", junit) == 1
    out = capsys.readouterr().out
    assert out.startswith("gate: FAIL: 1 regression(s)")
    assert "REGRESSION a on ref at 42.6.0: pass -> fail" in out and "release note: Heading of a" in out
    assert "reproduce: webex-conformance replay a --api-version 42.6.0 --server-defect apiver-wrong" in out
    tree = etree.parse(str(junit))
    assert tree.getroot().get("failures") == "2"  # the regression and the gate itself
    assert tree.find(".//testcase[@classname='regression']").get("name") == "a [ref 42.6.0]"


def test_no_regression_exits_0(files, capsys):
    tmp, base, _, same = files
    assert gate(same, "--baseline", base) == 0
    assert capsys.readouterr().out.startswith("gate: PASS")


def test_known_failure_exits_0_and_json_says_why(files, capsys):
    tmp, base, new, _ = files
    assert gate(new, "--baseline", base, "--expectations", expectations(tmp), "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "webex-conformance-gate/1" and doc["decision"] == "pass" and doc["exit_code"] == 0
    assert [f["case_id"] for f in doc["accepted"]] == ["a"] and doc["regressions"] == []


def test_expired_and_stale_entries_exit_1(files, capsys):
    tmp, base, new, same = files
    assert gate(new, "--baseline", base, "--expectations", expectations(tmp, expires="2020-01-01")) == 1
    assert "EXPIRED " + str(tmp / "exp.toml") + ": accepted[0] (a): expired on 2020-01-01" in capsys.readouterr().out
    assert gate(same, "--baseline", base, "--expectations", expectations(tmp, name="stale.toml")) == 1
    assert "STALE " + str(tmp / "stale.toml") + ": accepted[0] (a)" in capsys.readouterr().out


def test_dry_run_and_break_glass_print_the_decision_and_exit_0(files, capsys, monkeypatch):
    tmp, base, new, _ = files
    assert gate(new, "--baseline", base, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "gate: FAIL" in out and "dry run: the gate would fail (exit 1); exiting 0" in out
    monkeypatch.setenv(BREAK_GLASS, "hotfix REL-9, approved by jo")
    assert gate(new, "--baseline", base) == 0
    assert f"break-glass ({BREAK_GLASS}: hotfix REL-9, approved by jo)" in capsys.readouterr().out


@pytest.mark.parametrize("make, message", [
    (lambda t: t.joinpath("other.json").write_text('{"format": "junit/1", "results": []}') and t / "other.json",
     "other.json: format 'junit/1' is not 'webex-conformance-results/1'"),
    (lambda t: t.joinpath("cut.json").write_text(t.joinpath("new.json").read_text()[:300]) and t / "cut.json",
     "cut.json: not valid JSON (the file looks truncated)"),
])
def test_unreadable_results_exit_2_with_one_line(files, capsys, make, message):
    tmp, base, _, _ = files
    assert gate(make(tmp), "--baseline", base) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_a_baseline_of_another_suite_version_exits_2(files, capsys):
    tmp, _, new, _ = files
    old = results_file(tmp / "old-suite.json", [rec("a")], suite_version="0.0.1")
    assert gate(new, "--baseline", old) == 2
    assert "old-suite.json is not a baseline for" in capsys.readouterr().err
    assert gate(new, "--baseline", old, "--dry-run") == 2  # a bad input is not a decision to override


@pytest.mark.parametrize("case, expires, message", [
    ("a", '"2026-02-30"', "accepted[0] (a): expires '2026-02-30' is not a date"),
    ("no-such-case", "2099-01-01", "accepted[0] (no-such-case): unknown case id 'no-such-case'"),
])
def test_bad_expectations_entries_exit_2_naming_file_and_entry(files, capsys, case, expires, message):
    tmp, base, new, _ = files
    exp = expectations(tmp, case=case, expires=expires)
    assert gate(new, "--baseline", base, "--expectations", exp, "--cases-dir", tmp) == 2
    err = capsys.readouterr().err.strip()
    assert f"{exp}: {message}" in err and len(err.splitlines()) == 1


def test_expectations_may_name_a_case_of_the_suite_that_this_run_did_not_judge(files, capsys):
    tmp, base, _, same = files
    exp = expectations(tmp, case="getapiversion-apiver")  # a real case of cases/, not in these results
    assert gate(same, "--baseline", base, "--expectations", exp) == 0
    assert "unused " in capsys.readouterr().out


def test_diff_lists_changes_and_exits_1_on_a_regression(files, capsys):
    tmp, base, new, same = files
    assert main(["diff", str(base), str(same)]) == 0
    assert main(["diff", str(base), str(new)]) == 1
    out = capsys.readouterr().out
    assert "newly failing (1):\n  a on ref at 42.6.0: pass -> fail" in out
    assert main(["diff", str(base), str(new), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["regressed"] is True and [c["case_id"] for c in doc["newly_failing"]] == ["a"]


def test_diff_refuses_runs_that_do_not_compare_unless_forced(files, capsys):
    tmp, base, _, _ = files
    other = results_file(tmp / "other-cases.json", [rec("a")], cases_sha="9" * 64)
    assert main(["diff", str(base), str(other)]) == 2
    err = capsys.readouterr().err
    assert "are not comparable runs: case files differ" in err and len(err.strip().splitlines()) == 1
    assert main(["diff", str(base), str(other), "--force"]) == 0
    assert "NOT COMPARABLE: case files differ" in capsys.readouterr().out
