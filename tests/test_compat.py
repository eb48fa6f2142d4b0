from __future__ import annotations

from conformance.compat import (case_services, cell_code, columns_of, compare_outcomes, conformance_level,
                                heading_verdict, service_of, service_summaries)
from conformance.results import CaseResult, StepRecord


def rec(case_id="a", version="42.6.0", outcome="pass", introduced="39.2.0", target="ref", api="user.LstsummaryUser",
        apis=("LstSummaryUser",)) -> CaseResult:
    steps = [StepRecord("s", api, "host", "main", "<q/>", "<r/>", 200, 1.0, 1, [])] if api else []
    return CaseResult(case_id, "t", introduced, "heading", list(apis), "element", target, "e", version, outcome,
                      steps=steps)


def test_columns_group_targets_in_first_seen_order_and_sort_versions():
    cols = columns_of([rec(version="39.10.0", target="zed"), rec(version="11.0.0 SP10", target="acme"),
                       rec(version="39.9.0", target="zed"), rec(version="11.0.0 SP20", target="acme")])
    assert [(c.target, c.version) for c in cols] == [("zed", "39.9.0"), ("zed", "39.10.0"),
                                                     ("acme", "11.0.0 SP10"), ("acme", "11.0.0 SP20")]


def test_cell_codes_mark_the_old_rule_and_missing_cells():
    assert cell_code(None) == "x"
    assert cell_code(rec(version="39.1.0")) == "o"
    assert cell_code(rec(version="39.1.0", outcome="fail")) == "q"
    assert [cell_code(rec(outcome=o)) for o in ("pass", "fail", "error", "skip", "not-applicable")] == \
        ["p", "f", "e", "s", "n"]


def test_service_is_the_namespace_of_the_first_named_api():
    a = rec(api="meeting.CreateMeeting", apis=("LstSummaryUser",))
    b = rec(api="user.LstsummaryUser", apis=("LstSummaryUser",))
    assert service_of([a, b]) == "user"
    assert service_of([a]) == "meeting"
    assert service_of([rec(api="")]) == "unknown"
    assert case_services({"a": [rec(api="site.GetSite", apis=("GetSite",))], "b": [rec(api="", apis=("GetSite",))]}) == \
        {"a": "site", "b": "site"}


def test_heading_verdicts():
    assert heading_verdict([rec(), rec()]).state == "pass"
    assert heading_verdict([rec(), rec(outcome="fail")]).state == "partial"
    assert heading_verdict([rec(), rec(outcome="skip")]).state == "partial"
    assert heading_verdict([rec(outcome="error"), rec(outcome="fail")]).state == "fail"
    assert heading_verdict([rec(outcome="skip"), None]).state == "untested"
    assert heading_verdict([rec(outcome="not-applicable")]).state == "n/a"


def test_level_is_the_highest_version_whose_cases_all_pass():
    recs = [rec("a", v, introduced="39.2.0") for v in ("39.1.0", "39.2.0", "42.5.0", "42.6.0")]
    recs.append(rec("b", "42.6.0", outcome="fail", introduced="42.6.0"))
    level = conformance_level(recs)
    assert (level.version, level.at) == ("42.5.0", "42.5.0")
    assert [r.case_id for r in level.deviations] == ["b"]
    assert level.sentence() == "conforms to 42.5.0"


def test_level_of_a_single_column_stops_below_the_first_failing_change():
    recs = [rec("a", "42.6.0", introduced="39.1.0"), rec("b", "42.6.0", outcome="fail", introduced="39.3.0"),
            rec("c", "42.6.0", introduced="42.1.0"), rec("d", "42.6.0", outcome="skip", introduced="11.0.0 SP10")]
    level = conformance_level(recs)
    assert level.version == "39.2.0" and level.at == "42.6.0" and level.skipped == 1


def test_errors_break_conformance_and_nothing_passing_is_no_level():
    assert conformance_level([rec(outcome="error", introduced="11.0.0 SP10")]).version is None
    assert conformance_level([rec(outcome="skip")]).version is None
    assert conformance_level([rec(outcome="skip")]).sentence() == \
        "conformance not shown: every applicable case was skipped (1)"
    assert conformance_level([rec(outcome="not-applicable")]).sentence() == "not applicable at the versions run"


def test_service_summaries_per_service():
    recs = [rec("a", api="user.LstsummaryUser"), rec("b", api="meeting.GetMeeting", apis=("GetMeeting",), outcome="fail",
                                                     introduced="11.0.0 SP10")]
    out = {s.service: s for s in service_summaries(recs, {"a": "user", "b": "meeting"})}
    assert out["user"].level.version == "42.6.0"
    assert out["meeting"].sentence() == "meeting: conforms to no documented version (a change of 11.0.0 SP10 already deviates); 1 deviation(s)"


def test_compare_outcomes_lists_changed_and_new_keys_only():
    old = [rec("a"), rec("b", outcome="fail")]
    new = [rec("a"), rec("b"), rec("c")]
    assert compare_outcomes(old, new) == {("b", "ref", "42.6.0"): ("fail", "pass"), ("c", "ref", "42.6.0"): (None, "pass")}


def test_compare_outcomes_reduces_a_merged_key_to_its_worst_record_as_diff_does():
    old = [rec("a"), rec("a", outcome="fail")]          # a merge kept both records of one key
    new = [rec("a", outcome="pass"), rec("b", outcome="fail"), rec("b", outcome="pass")]
    assert compare_outcomes(old, new) == {("a", "ref", "42.6.0"): ("fail", "pass"), ("b", "ref", "42.6.0"): (None, "fail")}
