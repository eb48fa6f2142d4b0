from conformance.results import ResultsDoc
from conformance.run_diff import comparability, diff_runs, worst_by_key

from resultfiles import rec, run_info


def doc(records, **info):
    return ResultsDoc(runs=[run_info(**info)], results=records)


def test_every_key_lands_in_one_category():
    old = doc([rec("a"), rec("b", "fail"), rec("c"), rec("d"), rec("e", "fail", reason="r1"), rec("f"),
               rec("g", "skip"), rec("h", "fail", reason="same")])
    new = doc([rec("a", "fail"), rec("b"), rec("n"), rec("e", "fail", reason="r2"), rec("f", "skip"),
               rec("g"), rec("h", "fail", reason="same"), rec("c", "error")])
    d = diff_runs(old, new)
    assert d.comparable
    got = {c: [(x.case_id, x.old, x.new) for x in d.changes[c]] for c in d.changes}
    assert got == {
        "newly_failing": [("a", "pass", "fail"), ("c", "pass", "error")],
        "no_longer_judged": [("f", "pass", "skip")],
        "newly_passing": [("b", "fail", "pass")],
        "added": [("n", None, "pass")],
        "removed": [("d", "pass", None)],
        "changed_reason": [("e", "fail", "fail"), ("g", "skip", "pass")],
    }
    assert d.unchanged == 1  # h: same failure, same reason
    assert [x.case_id for x in d.regressions] == ["a", "c", "f"]
    assert d.to_dict()["regressed"] is True
    text = "\n".join(d.text_lines())
    assert "a on ref at 42.6.0: pass -> fail (result: expected x, got y)  [Heading of a]" in text
    assert "e on ref at 42.6.0: fail (r1) -> fail (r2)" in text
    assert text.endswith("2 changed reason, 1 unchanged")


def test_same_case_at_other_versions_and_targets_are_separate_keys():
    old = doc([rec("a", version="42.5.0"), rec("a", target="site2")])
    new = doc([rec("a", version="42.5.0", outcome="fail"), rec("a", target="site2")])
    d = diff_runs(old, new)
    assert [(x.version, x.target) for x in d.changes["newly_failing"]] == [("42.5.0", "ref")]


def test_a_conflict_counts_as_its_worst_record():
    merged = doc([rec("a"), rec("a", "fail"), rec("b", "skip"), rec("b")])
    worst = worst_by_key(merged.results)
    assert worst[("a", "ref", "42.6.0")].outcome == "fail" and worst[("b", "ref", "42.6.0")].outcome == "skip"
    assert [x.case_id for x in diff_runs(doc([rec("a")]), merged).changes["newly_failing"]] == ["a"]


def test_runs_of_another_suite_version_or_case_set_do_not_compare():
    assert comparability(doc([]), doc([])) == []
    assert comparability(doc([], suite_version="0.0.9"), doc([]), "old.json", "new.json") == [
        "suite version differs: old.json 0.0.9, new.json 0.1.0"]
    notes = comparability(doc([], cases_sha="1" * 64), doc([], cases_sha="2" * 64))
    assert notes == ["case files differ: OLD 111111111111, NEW 222222222222"]
    no_provenance = ResultsDoc(runs=[{"tool": "webex-conformance"}], results=[])
    assert "written without provenance" in comparability(no_provenance, doc([]))[0]
    mixed = ResultsDoc(runs=[run_info(), run_info(suite_version="0.2.0")], results=[])
    assert comparability(mixed, mixed)[0] == "OLD: its runs disagree on the suite version: 0.1.0 + 0.2.0"
