from __future__ import annotations

import lxml.html

from conformance.report_html import render_matrix, write_html
from conformance.results import CaseResult, StepRecord, mask_strings
from conformance.verdicts import Verdict

SECRET = "Zz-secret-4711"


def result(case_id, version, outcome="pass", introduced="39.2.0", target="ref", title="A title",
           source="New element lastLoginTime returned in LstSummaryUser response", reason="",
           verdicts=None, bundle=None) -> CaseResult:
    if verdicts is None:
        verdicts = [Verdict("result", "pass" if outcome == "pass" else "fail", "SUCCESS",
                            "SUCCESS" if outcome == "pass" else "FAILURE")]
    step = StepRecord("list users", "user.LstsummaryUser", "host", "main", "<req/>", "<resp/>",
                      200, 5.0, 1, verdicts)
    return CaseResult(case_id, title, introduced, source, ["LstSummaryUser"], "element", target,
                      f"https://{target}.example.com/WBXService/XMLService", version, outcome, reason,
                      [step], 5.0, bundle or f"webex-{version}", [], "2024-05-01T10:00:00Z")


def doc(results, **kw):
    return lxml.html.document_fromstring(render_matrix(results, **kw))


def header_texts(root):
    return [" ".join(th.itertext()).strip() for th in root.xpath('//table[@id="matrix"]/thead/tr/th')[1:]]


def cell(root, case_id, column_index):
    row = root.xpath(f'//table[@id="matrix"]//tr[@class="case-row"][th/a[normalize-space()="{case_id}"]]')
    assert len(row) == 1, case_id
    return row[0].xpath("td")[column_index]


def test_columns_are_in_version_order_not_string_order():
    root = doc([result("a", "39.10.0"), result("a", "11.0.0 SP10"), result("a", "39.2.0"), result("a", "39.9.0")])
    assert header_texts(root) == ["11.0.0 SP10", "39.2.0", "39.9.0", "39.10.0"]


def test_several_targets_give_one_column_per_target_and_version():
    root = doc([result("a", "39.2.0", target="ref"), result("a", "39.2.0", target="acme"),
                result("a", "11.0.0 SP20", target="ref")])
    assert header_texts(root) == ["ref 11.0.0 SP20", "acme 39.2.0", "ref 39.2.0"]


def test_rows_grouped_by_introduced_version_oldest_first():
    root = doc([result("late", "42.6.0", introduced="39.10.0"), result("mid", "42.6.0", introduced="39.9.0"),
                result("early", "42.6.0", introduced="11.0.0 SP17")])
    groups = [" ".join(th.itertext()) for th in root.xpath('//tr[@class="group"]/th')]
    assert [g.split(" (")[0] for g in groups] == ["Introduced in 11.0.0 SP17", "Introduced in 39.9.0",
                                                   "Introduced in 39.10.0"]
    rows = [r.xpath("string(th/a)") for r in root.xpath('//tr[@class="case-row"]')]
    assert rows == ["early", "mid", "late"]


def test_cells_have_a_text_label_class_and_verdict_details():
    fail = [Verdict("absent://ep:hostKey", "fail", "no node", "found 1 node: <ep:hostKey>954462")]
    root = doc([
        result("a", "39.2.0", "pass"),
        result("a", "39.3.0", "fail", reason="absent://ep:hostKey: found 1 node", verdicts=fail),
        result("a", "39.5.0", "error", reason="envelope: HTML page"),
        result("a", "39.8.0", "skip", reason="requires mail-sink"),
        result("a", "11.0.0 SP10", "not-applicable", reason="not before 39.2.0"),
    ])
    labels = {i: cell(root, "a", i) for i in range(5)}
    assert [labels[i].xpath("string(.//span[@class='label'])") for i in range(5)] == \
        ["N/A", "PASS", "FAIL", "ERROR", "SKIP"]
    assert "o-fail" in labels[2].get("class")
    assert labels[2].get("title") == "FAIL: absent://ep:hostKey: found 1 node"
    details = labels[2].xpath("string(.//details)")
    assert "FAIL absent://ep:hostKey: expected no node, actual found 1 node: <ep:hostKey>954462" in details


def test_missing_cell_says_not_run():
    root = doc([result("a", "39.2.0"), result("b", "39.3.0")])
    c = cell(root, "a", 1)
    assert "NOT RUN" in c.text_content() and "o-none" in c.get("class")


def test_rows_link_to_release_notes_section():
    root = doc([result("a", "39.2.0"), result("b", "39.2.0"),
                result("c", "39.2.0", introduced="39.3.0", source="Another heading & more")])
    for case_id in ("a", "b", "c"):
        [link] = root.xpath(f'//tr[@class="case-row"]/th/a[normalize-space()="{case_id}"]')
        href = link.get("href")
        assert href.startswith("#h-")
        [target] = root.xpath(f'//section[@id="release-notes"]//li[@id="{href[1:]}"]')
        assert case_id in [a.text for a in target.xpath(".//a")]
    [heading] = root.xpath('//section[@id="release-notes"]//li[.//a[.="c"]]')
    assert heading.xpath("string(q)") == "Another heading & more"
    assert heading.xpath("string(span[@class='version'])") == "39.3.0"
    # one entry per heading: a and b share theirs
    assert len(root.xpath('//section[@id="release-notes"]//li')) == 2


def test_everything_is_escaped():
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    root = doc([result("a", "39.2.0", title=evil, source=evil, reason=evil, outcome="fail",
                       verdicts=[Verdict("result", "fail", evil, evil)])], title=evil, runs=[{evil: evil}])
    assert len(root.xpath("//script")) == 1  # only our own filter script
    assert not root.xpath("//img") and not root.xpath("//@onerror")
    assert root.xpath('string(//th[@class="case"]/div[@class="title"])') == evil
    assert root.xpath("string(//h1)") == evil


def test_masked_and_self_contained(tmp_path):
    r = result("a", "39.2.0", outcome="fail", reason=f"token {SECRET}",
               verdicts=[Verdict("value", "fail", repr(SECRET), "x")])
    r.steps[0].response = f"<password>{SECRET}</password>"
    r = CaseResult.from_dict(mask_strings(r.to_dict(), [SECRET]))  # masked once, by the executor
    path = tmp_path / "out" / "matrix.html"
    write_html(path, [r], runs=[{"endpoint": f"https://h/?password={SECRET}"}], secrets=[SECRET])
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text
    root = lxml.html.document_fromstring(text)
    assert not root.xpath("//link | //script[@src] | //img | //iframe | //object")
    assert all(h.startswith("#") for h in root.xpath("//a/@href"))
    assert "<style>" in text


def test_summary_counts_and_bundles_per_column():
    root = doc([result("a", "39.2.0", "pass", bundle="vendor-39.2"), result("b", "39.2.0", "fail"),
                result("c", "39.3.0", "skip", bundle="vendor-39.3")], runs=[{"run_id": "r-17"}])
    counts = {td.get("data-outcome"): td.text for td in root.xpath('//section[@id="summary"]//table[@class="counts"]//td')}
    assert counts == {"pass": "1", "fail": "1", "error": "0", "skip": "1", "not-applicable": "0", "total": "3"}
    bundles = [td.text for td in root.xpath('//table[@id="columns"]//td[@class="bundle"]')]
    assert bundles == ["vendor-39.2, webex-39.2.0", "vendor-39.3"]
    assert "r-17" in root.xpath('string(//section[@id="summary"])')


def test_failing_rows_are_marked_for_the_filter():
    root = doc([result("a", "39.2.0", "pass"), result("b", "39.2.0", "error")])
    marks = {r.xpath("string(th/a)"): r.get("data-bad") for r in root.xpath('//tr[@class="case-row"]')}
    assert marks == {"a": "0", "b": "1"}


def test_empty_results_render():
    root = doc([])
    assert root.xpath('//table[@id="matrix"]') and not root.xpath('//tr[@class="case-row"]')


def test_versions_before_a_change_are_marked_old_rule():
    from lxml import html as lhtml
    from conformance.report_html import render_matrix
    from conformance.results import CaseResult
    rows = [CaseResult(case_id="c", title="t", introduced="39.2.0", source="s", apis=["A"], kind="element",
                       target="x", endpoint="e", version=v, outcome="pass") for v in ("39.1.0", "39.2.0")]
    doc = lhtml.fromstring(render_matrix(rows))
    cells = doc.xpath('//table[@id="matrix"]//td[contains(@class,"cell")]')
    assert ["before" in c.get("class") for c in cells] == [True, False]
    assert cells[0].xpath('.//span[@class="era"]/text()') == ["old rule"]
