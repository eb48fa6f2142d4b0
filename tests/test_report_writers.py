"""The report writers: one list, one signature, every format written from one ResultsDoc."""
from __future__ import annotations

from lxml import etree

from conformance.report_writers import WRITERS, ReportWriter, write_reports
from conformance.results import ResultsDoc, merge, read_results
from test_results import record


def test_every_writer_writes_its_file_from_one_doc(tmp_path):
    doc = ResultsDoc(runs=[{"tool": "webex-conformance", "targets": [{"name": "ref", "endpoint": "http://127.0.0.1:1/", "version": "42.6.0", "how": "given", "embedded": False}]}],
                     results=[record(), record(case_id="other", outcome="fail", reason="x")])
    paths = write_reports(tmp_path / "out", doc)
    assert [p.name for p in paths] == [w.filename for w in WRITERS] == ["results.json", "junit.xml", "matrix.html"]
    back = read_results(paths[0])
    assert back.runs == doc.runs and [r.case_id for r in back.results] == ["lstsummaryuser-lastlogintime", "other"]
    junit = etree.parse(str(paths[1])).getroot()
    assert junit.get("tests") == "2" and junit.get("failures") == "1"
    assert "other" in paths[2].read_text(encoding="utf-8")


def test_a_merge_keeps_every_run_and_reads_back_the_same(tmp_path):
    a = ResultsDoc(runs=[{"tool": "webex-conformance", "shard": 1}], results=[record()])
    b = ResultsDoc(runs=[{"tool": "webex-conformance", "shard": 2}], results=[record(case_id="other")])
    merged = merge([a, b])
    [results_json, *_] = write_reports(tmp_path, merged)
    back = read_results(results_json)
    assert back.runs == [{"tool": "webex-conformance", "shard": 1}, {"tool": "webex-conformance", "shard": 2}]
    assert [r.key for r in back.results] == [r.key for r in merged.results]


def test_a_merge_with_a_conflict_writes_and_reads_back_both_records(tmp_path):
    a = ResultsDoc(runs=[{"shard": 1}], results=[record()], path="a.json")
    b = ResultsDoc(runs=[{"shard": 2}], results=[record(outcome="fail")], path="b.json")
    merged = merge([a, b])
    [results_json, junit_xml, _] = write_reports(tmp_path, merged)
    back = read_results(results_json)
    assert [r.outcome for r in back.results] == ["pass", "fail"] and back.conflicts == merged.conflicts
    assert etree.parse(str(junit_xml)).getroot().get("tests") == "2"


def test_a_new_format_is_one_writer(tmp_path):
    def count(path, doc):
        path.write_text(str(len(doc.results)))
    writer = ReportWriter("count", "count.txt", count)
    [path] = write_reports(tmp_path, ResultsDoc(runs=[{}], results=[record()]), writers=[writer])
    assert path.read_text() == "1"


def test_writer_names_and_files_are_unique():
    assert len({w.name for w in WRITERS}) == len({w.filename for w in WRITERS}) == len(WRITERS)
