import base64
import gzip
import json
import re

from conformance.evidence import pack, pack_texts
from conformance.record_spool import RecordSpool, carry, summarize, uncarry
from conformance.report_writers import write_reports
from conformance.results import ResultsDoc, read_results
from conformance.run_outcome import checks_judged, decide
from resultfiles import rec, run_info


def _records():
    out = []
    for v in ("42.5.0", "42.6.0"):
        a = rec("apiver-good", version=v)
        a.drift = ["/serv:message/ep:extra"]
        a.steps[0].response = "<a>Zürich ✓ \u2028</a>"      # non-ASCII and a JSON-escaped separator
        out += [a, rec("apiver-bad", "fail", version=v), rec("needs-mail", "skip", version=v),
                rec("broken", "error", version=v), rec("old", "not-applicable", version=v)]
    return out


def _spool(tmp_path, records):
    sp = RecordSpool(tmp_path / "run" / ".records.jsonl")
    for r in records:
        sp.add(carry(r))
    return sp


def test_a_spool_gives_back_every_record_as_it_was_added(tmp_path):
    records = _records()
    sp = _spool(tmp_path, records)
    assert [r.to_dict() for r in sp] == [r.to_dict() for r in records]
    assert [r.to_dict() for r in sp] == [r.to_dict() for r in records]   # read again: same
    assert len(sp) == len(records) and sp.summaries == [summarize(r) for r in records]


def test_a_small_spool_keeps_its_records_for_the_next_reading_only(tmp_path):
    records = _records()
    sp = _spool(tmp_path, records)
    first = list(sp)
    text = sp.path.read_text(encoding="utf-8")
    sp.path.write_text("", encoding="utf-8")   # the reports' second reading does not go to disk
    assert [r.to_dict() for r in sp] == [r.to_dict() for r in first] == [r.to_dict() for r in records]
    assert list(sp) == []   # handed over: a third reading goes to disk again (emptied here)
    sp.path.write_text(text, encoding="utf-8")
    list(sp)
    extra = rec("late", version="42.6.0")
    sp.add(carry(extra))   # a record added later is not missed: the kept copy is dropped
    with sp.path.open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in [*records, extra])
    assert [r.case_id for r in sp] == [r.case_id for r in records] + ["late"]


def test_a_half_read_spool_keeps_nothing(tmp_path):
    sp = _spool(tmp_path, _records())
    next(iter(sp))
    sp.path.write_text("", encoding="utf-8")
    assert list(sp) == []


def test_a_spool_over_its_size_reads_the_disk_each_time(tmp_path):
    records = _records()
    sp = RecordSpool(tmp_path / ".records.jsonl", keep_bytes=100)
    for r in records:
        sp.add(carry(r))
    assert len(list(sp)) == len(records)
    sp.path.write_text("", encoding="utf-8")
    assert list(sp) == []


def test_a_summary_judges_as_its_record(tmp_path):
    records = _records()
    sp = _spool(tmp_path, records)
    assert checks_judged(sp.summaries) == checks_judged(records) > 0
    for min_checks in (1, 99):
        assert decide(sp.summaries, min_checks=min_checks) == decide(records, min_checks=min_checks)


def test_a_carried_record_is_its_record_and_its_summary(tmp_path):
    for r in _records():
        text = carry(r)
        assert uncarry(text).to_dict() == r.to_dict()
        sp = RecordSpool(tmp_path / f"{r.case_id}-{r.version}.jsonl")
        assert sp.add(text) == summarize(r)
        assert list(sp.lines()) == [json.dumps(r.to_dict(), ensure_ascii=False)]   # results.json's line


def test_a_text_that_is_not_a_carried_record_is_refused(tmp_path):
    import pytest
    sp = RecordSpool(tmp_path / ".records.jsonl")
    for text in ("", json.dumps({"case_id": "x"}), "[1]\nnot json"):
        with pytest.raises(ValueError):
            sp.add(text)
    assert not sp and not sp.path.exists()


def test_an_empty_spool_leaves_no_file(tmp_path):
    sp = RecordSpool(tmp_path / ".records.jsonl")
    assert list(sp) == [] and not sp and not sp.path.exists()
    sp.remove()


def test_remove_deletes_the_file(tmp_path):
    sp = _spool(tmp_path, _records())
    assert sp.path.is_file()
    sp.remove()
    assert not sp.path.exists()


def _without_time(html: str) -> str:
    return re.sub(r"generated [^<]*UTC", "", html)


def test_reports_from_a_spool_are_the_reports_from_a_list(tmp_path):
    records = _records()
    runs = [run_info()]
    a, b = tmp_path / "list", tmp_path / "spool"
    write_reports(a, ResultsDoc(runs=runs, results=records))
    write_reports(b, ResultsDoc(runs=runs, results=_spool(tmp_path, records)))
    for name in ("results.json", "junit.xml"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert _without_time((a / "matrix.html").read_text()) == _without_time((b / "matrix.html").read_text())
    assert [r.to_dict() for r in read_results(b / "results.json").results] == [r.to_dict() for r in records]


def test_pack_texts_is_pack():
    row = [(0, {"a": "Zürich ✓", "n": 1.5}), (3, {"steps": [{"x": None}]})]
    data = json.dumps({str(i): ev for i, ev in row}, ensure_ascii=False, separators=(",", ":"))
    want = base64.b64encode(gzip.compress(data.encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")
    assert pack(row) == want
    assert pack_texts([(i, json.dumps(ev, ensure_ascii=False, separators=(",", ":"))) for i, ev in row]) == want
