from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from conformance.results import (
    FORMAT, CaseResult, ResultsDoc, ResultsFileError, StepRecord, merge, read_results,
    mask_strings, summary, version_key, write_results,
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
    write_results(path, rs, {"tool": "webex-conformance", "targets": ["ref"]})
    doc = read_results(path)
    assert doc.results == rs
    assert doc.runs == [{"tool": "webex-conformance", "targets": ["ref"]}]
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
    (json.dumps({"format": FORMAT, "run": {}, "results": {}}), '"results" must be a list'),
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
    for broken, reason in [({**good, "outcome": "green"}, "outcome 'green'"),
                           ({**good, "duration_ms": "3"}, "'duration_ms' must be"),
                           ({**good, "apis": [1]}, "'apis' must be a list of strings"),
                           ({**good, "steps": [{**good["steps"][0], "attempts": True}]}, "steps[0]: field 'attempts'"),
                           ({**good, "steps": [{**good["steps"][0], "verdicts": [{"check": "x"}]}]},
                            "verdicts[0]: verdict is missing")]:
        path = tmp_path / "r.json"
        path.write_text(json.dumps({"format": FORMAT, "run": {}, "results": [broken]}), encoding="utf-8")
        with pytest.raises(ResultsFileError) as err:
            read_results(path)
        assert reason in str(err.value)


def test_case_result_rejects_unknown_outcome():
    with pytest.raises(ValueError, match="outcome"):
        record(outcome="green")


def test_merge_later_wins_and_keeps_runs(tmp_path):
    a = ResultsDoc(runs=[{"shard": 1}], results=[record(case_id="a", outcome="fail"), record(case_id="b")])
    b = ResultsDoc(runs=[{"shard": 2}], results=[record(case_id="c"), record(case_id="a", outcome="pass")])
    c = ResultsDoc(runs=[{"site": "other"}], results=[record(case_id="a", target="other", outcome="error")])
    m = merge([a, b, c])
    assert [(r.case_id, r.target, r.outcome) for r in m.results] == [
        ("a", "ref", "pass"), ("b", "ref", "pass"), ("c", "ref", "pass"), ("a", "other", "error")]
    assert m.runs == [{"shard": 1}, {"shard": 2}, {"site": "other"}]
    # a merged document written and read back keeps its list of runs
    path = tmp_path / "merged.json"
    write_results(path, m.results, {"merged_from": m.runs})
    back = read_results(path)
    assert back.runs == m.runs and back.results == m.results


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
