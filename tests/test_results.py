from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from conformance.json_check import first_error
from conformance.results import (
    FORMAT, CaseResult, ResultsDoc, ResultsFileError, StepRecord, merge, merged_run_info, read_results,
    mask_strings, results_schema, summary, version_key, write_results,
)
from conformance.verdicts import Verdict

SECRET = "hunter2-Pa55"


def record(case_id="lstsummaryuser-lastlogintime", target="ref", version="39.2.0", outcome="pass",
           reason="", response="<serv:message/>") -> CaseResult:
    step = StepRecord(
        name="list users", api="user.LstsummaryUser", role="site-admin", site="main",
        request="<password>***</password>", response=response, status=200,
        elapsed_ms=1.5, attempts=1,
        verdicts=[Verdict("result", "pass" if outcome == "pass" else "fail", "SUCCESS",
                          "SUCCESS" if outcome == "pass" else "FAILURE"),
                  Verdict("drift", "info", "only documented elements", "1 undocumented: x", "x")],
    )
    return CaseResult(
        case_id=case_id, title="LstSummaryUser returns lastLoginTime", introduced="39.2.0",
        source="New element lastLoginTime returned in LstSummaryUser response",
        apis=["LstSummaryUser"], kind="element", target=target, endpoint="http://127.0.0.1:1/x",
        version=version, outcome=outcome, reason=reason, steps=[step], duration_ms=3.25,
        schema_bundle="webex-39.2.0", drift=["x"], started_at="2024-05-01T10:00:00+00:00",
    )


def test_round_trip(tmp_path):
    rs = [record(), record(case_id="other", outcome="fail", reason="FAIL result: expected SUCCESS")]
    path = tmp_path / "out" / "results.json"
    run = {"tool": "webex-conformance", "targets": [{"name": "ref", "endpoint": "http://x", "version": "39.2.0"}]}
    write_results(path, rs, run)
    doc = read_results(path)
    assert doc.results == rs
    assert doc.runs == [run]
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["format"] == FORMAT
    assert set(raw) == {"format", "run", "results"}
    assert not list(tmp_path.glob("out/.*tmp"))  # no temporary file left behind


def test_records_are_written_as_masked_and_the_run_info_is_masked(tmp_path):
    # Records arrive masked once by the executor (mask_strings stands in for it here);
    # the writer masks only the run's own information.
    leaked = record(response=f"<serv:message><token>{SECRET}</token></serv:message>",
                    reason=f"password {SECRET} refused")
    leaked.steps[0].verdicts.append(Verdict("value", "fail", repr(SECRET), "x", detail=SECRET))
    leaked = CaseResult.from_dict(mask_strings(leaked.to_dict(), [SECRET]))
    path = tmp_path / "results.json"
    write_results(path, [leaked], {"endpoint": f"https://u:{SECRET}@example.com"}, secrets=[SECRET, ""])
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text
    assert json.loads(text)["results"][0] == leaked.to_dict()   # not altered on the way out
    doc = read_results(path)  # still a valid document after masking
    assert doc.results[0].case_id == leaked.case_id


@pytest.mark.parametrize("content, reason", [
    (None, "no such results file"),
    ("{not json", "not valid JSON (line 1"),
    ("[]", "not a results file"),
    ('{"format": "something-else/2", "results": []}', "format 'something-else/2' is not"),
    (json.dumps({"format": FORMAT, "run": {}, "results": {}}), "results: must be a list, not object"),
    (json.dumps({"format": FORMAT, "results": []}), "(top): missing field 'run'"),
    (json.dumps({"format": FORMAT, "run": {}, "results": [{"case_id": "x"}]}), "results[0]: missing field"),
])
def test_bad_files_give_one_line_reasons(tmp_path, content, reason):
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ResultsFileError) as err:
        read_results(path)
    assert reason in str(err.value)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_bad_outcome_and_field_types_are_reported(tmp_path):
    good = record().to_dict()
    for broken, reason in [({**good, "outcome": "green"}, "results[0].outcome: 'green' is not one of pass"),
                           ({**good, "duration_ms": "3"}, "results[0].duration_ms: must be a number or null, not string"),
                           ({**good, "apis": [1]}, "results[0].apis[0]: must be a string, not integer"),
                           ({**good, "steps": [{**good["steps"][0], "attempts": True}]},
                            "results[0].steps[0].attempts: must be an integer, not boolean"),
                           ({**good, "steps": [{**good["steps"][0], "verdicts": [{"check": "x"}]}]},
                            "results[0].steps[0].verdicts[0]: missing field 'outcome'"),
                           ({**good, "colour": "red"}, "results[0]: unknown field 'colour'"),
                           ({**good, "boundary": {"limit": "x", "scenario": "s", "phase": "middle"}},
                            "results[0].boundary.phase: 'middle' is not one of edge, search")]:
        path = tmp_path / "r.json"
        path.write_text(json.dumps({"format": FORMAT, "run": {}, "results": [broken]}), encoding="utf-8")
        with pytest.raises(ResultsFileError) as err:
            read_results(path)
        assert reason in str(err.value)


def test_case_result_rejects_unknown_outcome():
    with pytest.raises(ValueError, match="outcome"):
        record(outcome="green")


def test_merge_keeps_every_record_and_lists_conflicts(tmp_path):
    a = ResultsDoc(runs=[{"shard": 1}], results=[record(case_id="a", outcome="fail"), record(case_id="b")],
                   path="shard1/results.json")
    b = ResultsDoc(runs=[{"shard": 2}], results=[record(case_id="c"), record(case_id="a", outcome="pass")],
                   path="shard2/results.json")
    c = ResultsDoc(runs=[{"site": "other"}], results=[record(case_id="a", target="other", outcome="error")])
    m = merge([a, b, c])
    # both records of ("a", "ref") are kept, next to each other; nothing is dropped
    assert [(r.case_id, r.target, r.outcome) for r in m.results] == [
        ("a", "ref", "fail"), ("a", "ref", "pass"), ("b", "ref", "pass"), ("c", "ref", "pass"),
        ("a", "other", "error")]
    assert m.runs == [{"shard": 1}, {"shard": 2}, {"site": "other"}]
    assert [c.to_dict() for c in m.conflicts] == [{
        "case_id": "a", "target": "ref", "version": "39.2.0", "outcomes": ["fail", "pass"],
        "sources": ["shard1/results.json", "shard2/results.json"], "agree": False}]
    assert m.conflicts[0].describe() == ("conflict: a on ref at 39.2.0: fail (shard1/results.json), "
                                         "pass (shard2/results.json)")
    # a merged document written and read back keeps its runs, records and conflicts
    path = tmp_path / "merged.json"
    write_results(path, m.results, merged_run_info(m))
    back = read_results(path)
    assert back.runs == m.runs and back.results == m.results and back.conflicts == m.conflicts
    # merging the merged file again still keeps all five records
    assert len(merge([back]).results) == 5 and len(merge([back]).conflicts) == 1


def test_same_file_twice_is_an_agreeing_conflict():
    one = ResultsDoc([{}], [record()], path="r.json")
    m = merge([one, one])
    assert len(m.results) == 2 and m.conflicts[0].agree


def test_truncated_file_says_so(tmp_path):
    path = tmp_path / "results.json"
    write_results(path, [record()], {})
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ResultsFileError, match=r"not valid JSON \(the file looks truncated\)"):
        read_results(path)


def test_every_written_record_matches_the_published_schema(tmp_path):
    r = record()
    r.error_kind, r.outcome = "response", "error"
    r.boundary = {"limit": "confname", "scenario": "max", "phase": "edge", "unit": "characters", "bound": 128,
                  "inclusive": True, "input_size": 128, "example": "aaa…", "reading": None, "seed": 1}
    path = tmp_path / "results.json"
    write_results(path, [r, record(case_id="x", outcome="skip", reason="needs mail sink")], {})
    assert first_error(json.loads(path.read_text(encoding="utf-8")), results_schema()) is None
    # and every field a record writes is declared by the schema (nothing slips through as "extra")
    declared = set(results_schema()["$defs"]["result"]["properties"])
    assert set(r.to_dict()) == declared
    assert set(r.steps[0].to_dict()) == set(results_schema()["$defs"]["step"]["properties"])
    assert set(r.steps[0].verdicts[0].to_dict()) == set(results_schema()["$defs"]["verdict"]["properties"])


def test_same_case_other_version_is_not_replaced():
    m = merge([ResultsDoc([{}], [record(version="39.2.0")]), ResultsDoc([{}], [record(version="39.3.0")])])
    assert len(m.results) == 2


def test_summary_counts_every_outcome():
    s = summary([record(), record(outcome="fail"), record(outcome="skip"), record(outcome="skip")])
    assert s == {"pass": 1, "fail": 1, "error": 0, "skip": 2, "not-applicable": 0, "total": 4}


def test_verdicts_property_and_key():
    r = record()
    assert [v.check for v in r.verdicts] == ["result", "drift"]
    assert r.key == ("lstsummaryuser-lastlogintime", "ref", "39.2.0")


def test_version_key_orders_service_packs_below_39():
    texts = ["42.6.0", "39.10.0", "11.0.0 SP9", "39.2.0", "11.0.0 SP10", "weird"]
    assert sorted(texts, key=version_key) == ["11.0.0 SP9", "11.0.0 SP10", "39.2.0", "39.10.0", "42.6.0", "weird"]


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=0, max_size=30), st.text(min_size=0, max_size=30))
def test_arbitrary_text_survives_round_trip(tmp_path_factory, title, response):
    r = record()
    r.title = title
    r.steps[0].response = response
    path = tmp_path_factory.mktemp("rt") / "results.json"
    write_results(path, [r], {"note": title})
    back = read_results(path)
    assert back.results[0].case_id == r.case_id
    assert back.results[0].steps[0].status == 200


def test_run_leftovers_are_typed_by_the_published_schema():
    """What `cleanup` reads back must be checked on read like the rest of run info."""
    from conformance.json_check import first_error
    from conformance.ledger import leftover_record
    from conformance.results import results_schema

    entry = {"id": "e1", "what": "meeting", "key": "123", "kind": "create", "case": "c", "step": "s",
             "undo": {"api": "DelMeeting", "body": "<x/>"}, "tag": "wxc-1"}
    good = {"format": "webex-conformance-results/1", "run": {"leftovers": [leftover_record(entry, "r.json")]},
            "results": []}
    assert first_error(good, results_schema()) is None
    bad = {**good, "run": {"leftovers": [{**good["run"]["leftovers"][0], "action": "explode"}]}}
    assert "action" in (first_error(bad, results_schema()) or "")
