from __future__ import annotations

import base64
import gzip
import json

import lxml.html
import pytest

from conformance import report_html
from conformance.report_html import render_matrix, write_html
from conformance.results import CaseResult, StepRecord
from conformance.verdicts import Verdict

SECRET = "Zz-secret-4711"


def result(case_id, version, outcome="pass", introduced="39.2.0", target="ref", title="A title",
           source="New element lastLoginTime returned in LstSummaryUser response", reason="",
           verdicts=None, bundle=None, **kw) -> CaseResult:
    if verdicts is None:
        verdicts = [Verdict("result", "pass" if outcome == "pass" else "fail", "SUCCESS",
                            "SUCCESS" if outcome == "pass" else "FAILURE")]
    step = StepRecord("list users", "user.LstsummaryUser", "host", "main", "<req><a>1</a></req>", "<resp/>",
                      200, 5.0, 1, verdicts)
    return CaseResult(case_id, title, introduced, source, ["LstSummaryUser"], kw.pop("kind", "element"), target,
                      f"https://{target}.example.com/WBXService/XMLService", version, outcome, reason,
                      [step], 5.0, bundle or f"webex-{version}", [], "2024-05-01T10:00:00Z", **kw)


def doc(results, **kw):
    return lxml.html.document_fromstring(render_matrix(results, **kw))


def data(root) -> dict:
    return json.loads(root.xpath('string(//script[@id="matrix-data"])'))


def evidence(root, case_id) -> dict:
    d = data(root)
    [i] = [i for i, r in enumerate(d["rows"]) if r["id"] == case_id]
    return json.loads(gzip.decompress(base64.b64decode(d["ev"][i])))


def header_texts(root):
    return [th.text_content().strip() for th in root.xpath('//table[@id="matrix-head"]//tr[@class="versions"]/th')]


def row(root, case_id):
    [tr] = root.xpath(f'//*[@id="matrix"]//tr[contains(@class,"row")][th/a[@class="id"]="{case_id}"]')
    return tr


def cells(root, case_id):
    return row(root, case_id).xpath("td")


def test_columns_are_grouped_by_target_in_version_order_and_labelled_by_name_not_port():
    root = doc([result("a", "39.10.0"), result("a", "11.0.0 SP10"), result("a", "39.2.0", target="acme"),
                result("a", "39.9.0")])
    assert header_texts(root) == ["11.0.0 SP10", "39.9.0", "39.10.0", "39.2.0"]
    targets = [(th.text, th.get("colspan")) for th in root.xpath('//tr[@class="targets"]/th[@class="tgt"]')]
    assert targets == [("ref", "3"), ("acme", "1")]
    assert "example.com" not in " ".join(root.xpath('//table[@id="matrix-head"]/thead//text()'))
    keys = [c["k"] for c in data(root)["cols"]]
    assert keys == ["11.0.0-SP10", "39.9.0", "39.10.0", "39.2.0"]


def test_same_version_on_two_targets_gets_distinct_permalinks():
    root = doc([result("a", "39.2.0", target="ref"), result("a", "39.2.0", target="Acme Site")])
    assert [c["k"] for c in data(root)["cols"]] == ["39.2.0/ref", "39.2.0/acme-site"]


def test_rows_grouped_by_introduced_version_oldest_first():
    root = doc([result("late", "42.6.0", introduced="39.10.0"), result("mid", "42.6.0", introduced="39.9.0"),
                result("early", "42.6.0", introduced="11.0.0 SP17")])
    groups = [th.text_content().split(" · ")[0] for th in root.xpath('//tr[@class="group"]/th')]
    assert groups == ["Introduced in 11.0.0 SP17", "Introduced in 39.9.0", "Introduced in 39.10.0"]
    assert [r.xpath("string(th/a)") for r in root.xpath('//tr[contains(@class,"row")]')] == ["early", "mid", "late"]


def test_cells_have_a_symbol_a_class_and_a_reason():
    root = doc([
        result("a", "39.2.0", "pass"),
        result("a", "39.3.0", "fail", reason="absent://ep:hostKey: found 1 node"),
        result("a", "39.5.0", "error", reason="envelope: HTML page"),
        result("a", "39.8.0", "skip", reason="requires mail-sink"),
        result("a", "11.0.0 SP10", "not-applicable", reason="not before 39.2.0"),
        result("a", "39.1.0", "pass"),
        result("b", "39.9.0"),
    ])
    tds = cells(root, "a")
    assert [td.get("class") for td in tds] == ["n", "o", "p", "f", "e", "s", "x"]
    assert [td.text for td in tds] == ["–", "(✓)", "✓", "✗", "!", "⊘", "·"]
    assert tds[3].get("title") == "fail: absent://ep:hostKey: found 1 node"
    assert tds[5].get("title") == "skip: requires mail-sink"
    assert tds[1].get("title") == "old rule (pass): before 39.2.0"
    assert tds[6].get("title") == "not run"
    assert tds[2].get("title") is None  # a pass needs no tooltip
    assert data(root)["rows"][0]["o"] == "nopfesx"


def test_header_counts_and_highlighted_failures():
    root = doc([result("a", "39.2.0"), result("b", "39.2.0", "fail"), result("c", "39.2.0", "not-applicable"),
                result("a", "39.3.0")])
    first, second = root.xpath('//tr[@class="counts"]/th')
    assert first.get("class") == "cnt bad" and first.get("data-fail") == "1" and first.get("data-pass") == "1"
    assert first.get("title") == "ref 39.2.0: 1 pass, 1 fail, 1 n/a"
    assert first.xpath('string(span[@class="nbad"])') == "1✗"
    assert second.get("class") == "cnt" and second.get("data-not-run") == "2"


def test_evidence_is_packed_per_row_with_verdicts_exchange_and_reproduce_command():
    fail = [Verdict("schema", "fail", "valid", "element 'x' not expected", path="/serv:message/x", line=3)]
    root = doc([result("a", "39.2.0"), result("a", "39.3.0", "fail", verdicts=fail, bundle="vendor-39.3")],
               runs=[{"targets": [{"name": "ref", "version": "39.3.0", "embedded": True}], "server_defects": ["d1"]}])
    ev = evidence(root, "a")
    assert set(ev) == {"0", "1"}
    cell = ev["1"]
    assert cell["bundle"] == "vendor-39.3"
    assert cell["steps"][0]["verdicts"][0]["line"] == 3
    assert cell["steps"][0]["request"] == "<req><a>1</a></req>"
    assert cell["reproduce"] == "webex-conformance replay a --api-version 39.3.0 --server-defect d1"
    assert ev["0"]["reproduce"].endswith("--endpoint https://ref.example.com/WBXService/XMLService")


def test_boundary_records_are_rows_with_their_scenario_and_shrunk_input():
    b = {"limit": "confname-length", "scenario": "create", "phase": "search", "unit": "characters", "bound": 128,
         "inclusive": True, "input_size": 129, "example": "x" * 129, "reading": None, "seed": 42}
    root = doc([result("boundary/confname-length", "42.6.0", "fail", kind="boundary", boundary=b)])
    tr = row(root, "boundary/confname-length")
    assert "bnd" in tr.get("class")
    ev = evidence(root, "boundary/confname-length")["0"]
    assert ev["boundary"] == b
    assert ev["reproduce"] == ("webex-conformance run -k 'confname-length and 42.6.0' "
                               "--endpoint https://ref.example.com/WBXService/XMLService --hypothesis-seed 42")


def test_error_records_show_as_error_rows():
    root = doc([result("cases/broken.toml", "42.6.0", "error", reason="line 3: bad field", error_kind="case-file")])
    tr = row(root, "cases/broken.toml")
    assert "err" in tr.get("class")
    assert tr.xpath('string(th/b[@class="tag"])') == "ERROR case-file"
    assert tr.xpath("td/@class") == ["e"]


def test_heading_verdict_rows_link_to_the_heading_and_its_cases():
    root = doc([result("a", "39.2.0"), result("b", "39.2.0", "fail"), result("a", "39.3.0"), result("b", "39.3.0"),
                result("c", "39.3.0", introduced="39.3.0", source="Another heading & more")],
               headings=[{"version": "39.2.0", "text": "New element lastLoginTime returned in LstSummaryUser response",
                          "file": "notes.txt"}, {"version": "39.3.0", "text": "Uncovered heading"}])
    rows = root.xpath('//table[@id="headings"]//tr[@class="heading"]')
    assert [r.xpath('string(.//q)') for r in rows] == ["New element lastLoginTime returned in LstSummaryUser response",
                                                       "Another heading & more"]
    assert rows[0].xpath("td/@class") == ["hv-partial", "hv-pass"]
    assert rows[1].xpath("td/@class") == ["hv-untested", "hv-pass"]  # not run at 39.2.0
    assert "(notes.txt)" in rows[0].text_content()
    assert rows[0].xpath(".//a/@href") == ["#a", "#b"]
    link = row(root, "a").xpath("th/a/@title")[0]
    assert link == "New element lastLoginTime returned in LstSummaryUser response"
    assert data(root)["rows"][0]["h"] == rows[0].get("id")
    assert "Uncovered heading" in root.xpath('string(//ul[@class="uncovered"])')


def test_conformance_sentences_per_target_and_service():
    root = doc([result("a", v) for v in ("39.2.0", "42.5.0", "42.6.0")]
               + [result("b", "42.6.0", "fail", introduced="42.6.0"), result("a", "42.6.0", target="acme")])
    verdicts = [li.text_content().split("(")[0].strip() for li in root.xpath('//ul[@id="target-verdicts"]/li')]
    assert verdicts == ["ref: conforms to 42.5.0", "acme: conforms to 42.6.0"]
    assert "user: conforms to 42.5.0" not in root.text_content()  # the table states it in cells
    [svc] = root.xpath('//section[@id="tab-conformance"]/table[1]/tbody/tr')
    assert svc.xpath("string(th)") == "user" and svc.xpath("string(td[1])") == "conforms to 42.5.0"
    assert svc.xpath("td[3]/a/@href") == ["#b/42.6.0/ref"]


def test_provenance_and_partial_runs_are_stated():
    runs = [{"suite": {"name": "webex-conformance", "version": "0.2.0", "commit": "0123456789abcdef0123"},
             "status": "interrupted", "selection": {"keyword": "user", "markers": None, "filtered": True},
             "items": {"selected": 10, "ran": 4}}]
    root = doc([result("a", "39.2.0")], runs=runs)
    prov = root.xpath('string(//p[@id="provenance"])')
    assert "webex-conformance 0.2.0 at commit 0123456789ab" in prov and "selection: -k user" in prov
    partial = root.xpath('string(//p[@id="partial"])')
    assert "interrupted" in partial and "4 of 10 selected items ran" in partial and "filtered run" in partial


def test_absent_provenance_is_said_not_invented():
    root = doc([result("a", "39.2.0"), result("b", "39.3.0")], runs=[{}])
    assert "Suite version and commit not recorded" in root.xpath('string(//p[@id="provenance"])')
    assert "2 cell(s) not run" in root.xpath('string(//p[@id="partial"])')


def test_baseline_marks_changed_cells():
    root = doc([result("a", "39.2.0"), result("b", "39.2.0")], baseline=[result("a", "39.2.0", "fail")])
    assert cells(root, "a")[0].get("class") == "p chg"
    assert cells(root, "b")[0].get("class") == "p chg"  # new versus the baseline
    assert [r["c"] for r in data(root)["rows"]] == [{"0": "fail"}, {"0": None}]
    assert root.xpath('//input[@id="f-chg"]/@disabled') == []


def test_everything_is_escaped():
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    r = result("a", "39.2.0", title=evil, source=evil, reason=evil, outcome="fail",
               verdicts=[Verdict("result", "fail", evil, evil)])
    r.steps[0].response = "</script><script>alert(2)</script>"
    text = render_matrix([r], title=evil, runs=[{evil: evil}])
    root = lxml.html.document_fromstring(text)
    assert len(root.xpath("//script")) == 3  # our class switch, data and code, nothing else
    assert not root.xpath("//img") and not root.xpath("//@onerror")
    assert root.xpath('string(//th[@class="case"]/span[@class="ti"])') == evil
    assert root.xpath("string(//h1)") == evil
    assert data(root)["rows"][0]["ti"] == evil


def test_run_info_and_title_masked_self_contained_and_offline(tmp_path):
    """Records come masked from the executor; what a caller holds raw (run info, title) is masked here."""
    r = result("a", "39.2.0", outcome="fail", reason="token ***")
    path = tmp_path / "out" / "matrix.html"
    write_html(path, [r], title=f"run {SECRET}", runs=[{"endpoint": f"https://h/?password={SECRET}"}], secrets=[SECRET])
    text = path.read_text(encoding="utf-8")
    root = lxml.html.document_fromstring(text)
    assert SECRET not in text
    assert not root.xpath("//link | //script[@src] | //img | //iframe | //object")
    assert all(h.startswith("#") for h in root.xpath("//a/@href"))
    assert "<style>" in text and "http://" not in text.split("matrix-data")[0]


def test_a_failed_render_leaves_the_old_report_in_place(tmp_path, monkeypatch):
    path = tmp_path / "matrix.html"
    path.write_text("old", encoding="utf-8")

    def boom(*a, **k):
        raise RuntimeError("render failed")
    monkeypatch.setattr(report_html, "render_pieces", boom)
    with pytest.raises(RuntimeError):
        write_html(path, [result("a", "39.2.0")])
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["matrix.html"]


def test_empty_results_render():
    root = doc([])
    assert root.xpath('//*[@id="matrix"]') and not root.xpath('//tr[contains(@class,"row")]')
    assert "No results" in root.text_content()


def test_records_a_merge_repeated_alike_are_no_conflict():
    root = doc([result("a", "39.2.0"), result("a", "39.2.0")])
    (cell,) = cells(root, "a")
    assert cell.get("class") == "p" and cell.text == "✓" and cell.get("title") is None


def test_records_repeated_by_a_merge_show_the_worst_once():
    root = doc([result("a", "39.2.0"), result("a", "39.2.0", "fail"), result("a", "39.2.0")])
    assert [td.get("class") for td in cells(root, "a")] == ["f cf"]          # the worst, marked as a conflict
    (cell,) = cells(root, "a")
    assert cell.text == "✗/✓" and "conflict: the merged runs disagree (fail vs pass)" in cell.get("title")
    assert root.xpath('//tr[@class="counts"]/th/@data-fail') == ["1"]
    assert "2 record(s) repeated" in root.xpath('string(//p[@id="partial"])')
