"""`webex-conformance report`'s matrix options: --baseline and --vendor, and bad input files."""
from __future__ import annotations

import lxml.html

from conformance.cli import main
from conformance.results import CaseResult, write_results


def rec(case_id: str, outcome: str = "pass", target: str = "acme") -> CaseResult:
    return CaseResult(case_id, "t", "39.2.0", "h", ["GetSite"], "element", target, "e", "42.6.0", outcome)


def test_baseline_marks_what_changed(tmp_path, capsys):
    write_results(tmp_path / "old.json", [rec("a", "fail"), rec("b")], {})
    write_results(tmp_path / "new.json", [rec("a"), rec("b")], {})
    assert main(["report", str(tmp_path / "new.json"), "--baseline", str(tmp_path / "old.json"),
                 "--output", str(tmp_path / "out")]) == 0
    root = lxml.html.parse(str(tmp_path / "out" / "matrix.html")).getroot()
    assert root.xpath('//td[contains(@class,"chg")]/ancestor::tr/th/a/text()') == ["a"]


def test_vendor_report_beside_the_matrix(tmp_path, capsys):
    write_results(tmp_path / "r.json", [rec("a"), rec("a", target="other")], {})
    assert main(["report", str(tmp_path / "r.json"), "--vendor", "acme", "--output", str(tmp_path / "out")]) == 0
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"results.json", "junit.xml", "matrix.html",
                                                             "vendor-acme.html", "vendor-acme.json"}
    assert "vendor report for acme" in capsys.readouterr().out


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_unknown_vendor_malformed_and_unrelated_files_write_nothing(tmp_path, capsys):
    write_results(tmp_path / "r.json", [rec("a")], {})
    write_results(tmp_path / "other.json", [rec("z", target="elsewhere")], {})
    (tmp_path / "broken.json").write_text('{"format": "webex-conformance-results/1", "results": [{"case_id": 1}]}')
    (tmp_path / "half.json").write_text('{"format": "webex-conformance-results/1", "results": [')
    out = tmp_path / "out"
    assert main(["report", str(tmp_path / "r.json"), "--vendor", "nobody", "--output", str(out)]) == 2
    assert "--vendor 'nobody': no such target in the results (targets: acme)" in one_error_line(capsys)
    assert main(["report", str(tmp_path / "r.json"), "--baseline", str(tmp_path / "other.json"), "--output", str(out)]) == 2
    assert "shares no (case, target, version) with the results" in one_error_line(capsys)
    assert main(["report", str(tmp_path / "broken.json"), "--output", str(out)]) == 2
    assert "broken.json: does not match webex-conformance-results/1" in one_error_line(capsys)
    assert main(["report", str(tmp_path / "r.json"), "--baseline", str(tmp_path / "half.json"), "--output", str(out)]) == 2
    line = one_error_line(capsys)
    assert line.startswith("webex-conformance: error: --baseline:") and "half.json: not valid JSON" in line
    assert not out.exists()
