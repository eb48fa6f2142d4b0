import datetime as dt

from conformance.expectations import parse_expectations
from conformance.gate_decision import decide, refusal, reproduce_command
from conformance.results import ResultsDoc, merge

from resultfiles import rec, run_info

TODAY = dt.date(2026, 12, 1)


def doc(records, **info):
    return ResultsDoc(runs=[run_info(**info)], results=records)


def accepted(*items):
    text = ""
    for case, expires, extra in items:
        text += (f'[[accepted]]\ncase = "{case}"\nreason = "known"\nlink = "https://t/1"\nowner = "qa"\n'
                 f'expires = {expires}\n{extra}\n')
    return parse_expectations(text, "exp.toml")


BASE = doc([rec("a"), rec("b"), rec("c", "fail"), rec("d")])


def test_a_regression_fails_the_gate_and_says_how_to_reproduce():
    d = decide(doc([rec("a", "fail"), rec("b"), rec("c", "fail"), rec("d")], defects=("apiver-wrong",)), BASE, [], TODAY)
    assert not d.passed
    assert [(f.case_id, f.baseline, f.now) for f in d.regressions] == [("a", "pass", "fail")]
    f = d.regressions[0]
    assert f.source == "Heading of a"
    assert f.reproduce == "webex-conformance replay a --api-version 42.6.0 --server-defect apiver-wrong"
    assert [x.case_id for x in d.failing_before] == ["c"]  # failed in the baseline too: not a regression
    text = "\n".join(d.text_lines())
    assert "REGRESSION a on ref at 42.6.0: pass -> fail" in text and "release note: Heading of a" in text


def test_a_known_failure_never_fails_the_gate():
    d = decide(doc([rec("a", "fail"), rec("b"), rec("c", "fail"), rec("d")]), BASE,
               accepted(("a", "2026-12-01", "")), TODAY)
    assert d.passed and [f.case_id for f in d.accepted] == ["a"]
    assert d.accepted[0].accepted_by == ("exp.toml: accepted[0] (a)",)


def test_skipped_or_missing_where_the_baseline_passed_is_a_regression():
    d = decide(doc([rec("a", "skip"), rec("c", "fail"), rec("d")]), BASE, [], TODAY)
    assert [(f.case_id, f.now) for f in d.regressions] == [("a", "skip"), ("b", None)]
    assert d.regressions[1].to_dict()["now"] == "not run"


def test_an_expired_entry_fails_the_gate_and_accepts_nothing():
    d = decide(doc([rec("a", "fail"), rec("b"), rec("c", "fail"), rec("d")]), BASE,
               accepted(("a", "2026-11-30", "")), TODAY)
    assert not d.passed and [e.case for e in d.expired] == ["a"]
    assert [f.case_id for f in d.regressions] == ["a"]
    assert "EXPIRED exp.toml: accepted[0] (a): expired on 2026-11-30" in "\n".join(d.text_lines())


def test_a_stale_entry_fails_the_gate_an_unused_one_does_not():
    d = decide(doc([rec("a"), rec("b"), rec("c", "fail"), rec("d"), rec("e", "skip")]), BASE,
               accepted(("a", "2027-01-01", ""), ("c", "2027-01-01", ""), ("e", "2027-01-01", ""),
                        ("z", "2027-01-01", "")), TODAY)
    assert [e.case for e in d.stale] == ["a"] and not d.passed
    assert [e.case for e in d.unused] == ["e", "z"]
    assert [f.case_id for f in d.accepted] == ["c"]


def test_an_entry_for_one_check_accepts_only_that_check():
    now = doc([rec("a", "fail", check="schema"), rec("b", "fail", check="result"), rec("c", "fail"), rec("d")])
    d = decide(now, BASE, accepted(("a", "2027-01-01", 'check = "schema"'), ("b", "2027-01-01", 'check = "schema"')),
               TODAY)
    assert [f.case_id for f in d.accepted] == ["a"] and [f.case_id for f in d.regressions] == ["b"]
    assert [e.case for e in d.stale] == ["b"]  # b fails, but not on the check its entry accepts


def test_an_entry_for_a_version_range_accepts_only_those_versions():
    base = doc([rec("a", version="42.5.0"), rec("a", version="42.6.0")])
    now = doc([rec("a", "fail", version="42.5.0"), rec("a", "fail", version="42.6.0")])
    d = decide(now, base, accepted(("a", "2027-01-01", 'versions = "< 42.6.0"')), TODAY)
    assert [f.version for f in d.accepted] == ["42.5.0"] and [f.version for f in d.regressions] == ["42.6.0"]


def test_a_conflict_in_merged_shards_counts_as_its_worst_record():
    shard1 = ResultsDoc([run_info()], [rec("a"), rec("b"), rec("c", "fail"), rec("d")], path="s1.json")
    shard2 = ResultsDoc([run_info()], [rec("a", "error")], path="s2.json")
    d = decide(merge([shard1, shard2]), BASE, [], TODAY)
    assert [(f.case_id, f.now) for f in d.regressions] == [("a", "error")]
    assert any("conflict: a on ref at 42.6.0: pass (s1.json), error (s2.json)" in n for n in d.notes)


def test_an_interrupted_run_is_noted():
    d = decide(doc([rec("a"), rec("b"), rec("c", "fail"), rec("d")], status="interrupted"), BASE, [], TODAY)
    assert d.passed and "interrupted" in d.notes[0]


def test_a_baseline_of_another_suite_version_is_refused():
    assert refusal(doc([]), doc([]), "r.json", "b.json") is None
    why = refusal(doc([]), doc([], suite_version="0.0.1"), "r.json", "b.json")
    assert why == "b.json is not a baseline for r.json: suite version differs: b.json 0.0.1, r.json 0.1.0"


def test_reproduce_for_a_real_endpoint_names_it():
    r = rec("a", version="11.0.0 SP10")
    r.endpoint, r.target = "https://site.example/WBXService/XMLService", "staging"
    assert reproduce_command(r, [{"targets": [{"name": "staging", "embedded": False}]}]) == (
        "webex-conformance replay a --api-version 11.0.0-SP10 --endpoint https://site.example/WBXService/XMLService")


def test_an_entry_may_name_a_check_by_its_kind():
    base = doc([rec("a"), rec("b")])
    now = doc([rec("a", "fail", check="equals://ep:apiVer"), rec("b", "fail", check="equalsX")])
    d = decide(now, base, accepted(("a", "2027-01-01", 'check = "equals"'), ("b", "2027-01-01", 'check = "equals"')),
               TODAY)
    assert [f.case_id for f in d.accepted] == ["a"] and [f.case_id for f in d.regressions] == ["b"]


def test_results_that_judged_nothing_never_pass():
    d = decide(doc([rec("a", "skip")]), doc([rec("a", "skip")]), [], TODAY)
    assert not d.passed and d.judged == 0 and d.notes == [
        "nothing was judged: the results hold no pass, fail or error record"]
    assert d.headline().startswith("gate: FAIL")
