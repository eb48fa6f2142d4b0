"""`webex-conformance report`: merging shards and sites without losing a record."""
import json

import pytest

from conformance.cli import main
from conformance.results import read_results

from resultfiles import rec, results_file


@pytest.fixture()
def shards(tmp_path):
    a = results_file(tmp_path / "a.json", [rec("x"), rec("y", "fail")])
    b = results_file(tmp_path / "b.json", [rec("x", "error"), rec("z", "skip")])
    return tmp_path, a, b


def test_two_records_of_one_key_are_kept_and_shown_as_a_conflict(shards, capsys):
    tmp, a, b = shards
    out = tmp / "merged"
    assert main(["report", str(a), str(b), "--output", str(out)]) == 0
    text = capsys.readouterr().out
    assert "merged 2 results file(s), 4 records" in text and "1 conflict(s), 1 of them disagreeing" in text
    assert f"conflict: x on ref at 42.6.0: pass ({a}), error ({b})  (they disagree)" in text
    doc = read_results(out / "results.json")
    assert sorted((r.case_id, r.outcome) for r in doc.results) == [("x", "error"), ("x", "pass"), ("y", "fail"),
                                                                   ("z", "skip")]
    raw = json.loads((out / "results.json").read_text())
    assert raw["run"]["conflicts"][0]["outcomes"] == ["pass", "error"] and len(raw["run"]["merged_from"]) == 2
    assert (out / "junit.xml").is_file() and (out / "matrix.html").is_file()


@pytest.mark.parametrize("fail_on, code", [("fail,error", 1), ("error", 1), ("not-applicable", 0),
                                           ("skip", 1), ("conflict", 1)])
def test_fail_on_names_outcomes_that_fail_the_merge(shards, capsys, fail_on, code):
    tmp, a, b = shards
    assert main(["report", str(a), str(b), "--output", str(tmp / "m"), "--fail-on", fail_on]) == code


def test_fail_on_fail_passes_a_clean_merge_and_rejects_unknown_names(tmp_path, capsys):
    a = results_file(tmp_path / "a.json", [rec("x")])
    b = results_file(tmp_path / "b.json", [rec("x", version="42.5.0")])
    assert main(["report", str(a), str(b), "--output", str(tmp_path / "m"), "--fail-on", "fail,error,conflict"]) == 0
    assert "0 conflict(s)" in capsys.readouterr().out


def test_agreeing_conflicts_are_counted_and_many_disagreeing_ones_cut_short(tmp_path, capsys):
    a = results_file(tmp_path / "a.json", [rec(f"c{i}") for i in range(30)])
    b = results_file(tmp_path / "b.json", [rec(f"c{i}", "fail" if i < 25 else "pass") for i in range(30)])
    assert main(["report", str(a), str(b), "--output", str(tmp_path / "m")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "60 records (35 pass, 25 fail), 30 conflict(s), 25 of them disagreeing" in lines[0]
    assert len(lines) == 22 and lines[-1].startswith("... and 5 more disagreeing conflict(s)")
    assert main(["report", str(a), "--output", str(tmp_path / "m"), "--fail-on", "fail,red"]) == 2
    assert "red: expected a comma-separated list" in capsys.readouterr().err


def test_a_bad_file_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "webex-conformance-results/1", "run": {}, "results": [{"case_id": 3}]}')
    assert main(["report", str(bad), "--output", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err.strip()
    assert "bad.json: does not match webex-conformance-results/1: results[0]" in err and len(err.splitlines()) == 1


def test_merging_runs_of_different_case_files_says_so(tmp_path, capsys):
    a = results_file(tmp_path / "a.json", [rec("x")])
    b = results_file(tmp_path / "b.json", [rec("y")], cases_sha="e" * 64)
    assert main(["report", str(a), str(b), "--output", str(tmp_path / "m")]) == 0
    assert "note: the merge: its runs disagree on the case files: cccccccccccc + eeeeeeeeeeee" in capsys.readouterr().out
