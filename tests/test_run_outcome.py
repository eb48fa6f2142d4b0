"""The one mapping from what a run did to its exit code."""
from conformance.errors import ConfigError, UsageError, Unreachable
from conformance.results import CaseResult, StepRecord
from conformance.run_outcome import checks_judged, decide
from conformance.verdicts import Verdict


def rec(case_id="c", outcome="pass", reason="", error_kind=None, verdicts=("pass",)) -> CaseResult:
    step = StepRecord("s", "ep.GetAPIVersion", "site-admin", "main", "", "",
                      verdicts=[Verdict("result", v, "SUCCESS", "SUCCESS") for v in verdicts])
    return CaseResult(case_id, "t", "42.6.0", "src", ["GetAPIVersion"], "element", "site", "https://x", "42.6.0",
                      outcome, reason, steps=[step] if verdicts else [], error_kind=error_kind)


def test_a_judged_pass_is_0():
    assert decide([rec()]) == (0, "")


def test_failures_are_1_and_say_how_many():
    code, reason = decide([rec(), rec("d", "fail", verdicts=("fail",)), rec("e", "error", "boom", verdicts=())])
    assert (code, reason) == (1, "1 failed, 1 error(s)")


def test_an_unreachable_record_wins_over_failures():
    code, reason = decide([rec("d", "fail", verdicts=("fail",)),
                           rec("e", "error", "endpoint unreachable: refused", error_kind="unreachable", verdicts=())])
    assert code == 3 and "endpoint unreachable: refused" in reason


def test_an_error_reason_that_merely_mentions_unreachable_is_not_exit_3():
    assert decide([rec("e", "error", "endpoint unreachable (text only)", verdicts=())])[0] == 1


def test_a_case_file_error_is_2_even_with_passes():
    code, reason = decide([rec(), rec("broken", "error", "case file error: x.toml: kind: bad",
                                      error_kind="case-file", verdicts=())])
    assert code == 2 and reason.startswith("1 case file(s) did not load: case file error: x.toml")


def test_nothing_judged_is_2_naming_what_was_missing():
    skips = [rec(f"c{i}", "skip", "requires a site-admin credential on the main site, which target 's' does "
                 "not provide", verdicts=()) for i in range(3)]
    skips.append(rec("f", "skip", "requires fixture 'mail-sink', which target 's' does not provide", verdicts=()))
    skips.append(rec("n", "not-applicable", "introduced later", verdicts=()))
    code, reason = decide(skips)
    assert code == 2
    assert reason.startswith("no check was judged (at least 1 required): 3 skipped for missing credentials")
    assert "1 skipped for missing fixtures" in reason and "1 not applicable" in reason
    assert "\n" not in reason


def test_no_case_selected_is_2():
    code, reason = decide([], pytest_status=5)
    assert code == 2 and "no case was selected" in reason


def test_min_checks_counts_pass_and_fail_verdicts_only():
    results = [rec(verdicts=("pass", "pass", "info", "error"))]
    assert checks_judged(results) == 2
    assert decide(results, min_checks=2)[0] == 0
    code, reason = decide(results, min_checks=3)
    assert code == 2 and reason.startswith("only 2 check(s) judged (at least 3 required)")
    assert decide([], min_checks=0)[0] == 0


def test_fail_on_skip_turns_a_skip_into_1():
    results = [rec(), rec("s", "skip", "requires fixture 'mail-sink'", verdicts=())]
    assert decide(results)[0] == 0
    code, reason = decide(results, fail_on_skip=True)
    assert code == 1 and "--fail-on-skip" in reason and "s: requires fixture 'mail-sink'" in reason


def test_a_run_that_could_not_start_takes_its_errors_code():
    assert decide([], error=ConfigError("x.toml: target: bad")) == (2, "x.toml: target: bad")
    assert decide([], error=UsageError("--cases-dir 'x' is not a directory"))[0] == 2
    assert decide([], error=Unreachable("target 'a': endpoint unreachable"))[0] == 3


def test_interrupted_is_130_and_another_failing_test_is_1():
    assert decide([rec()], pytest_status=2)[0] == 130
    assert decide([rec()], pytest_status=1)[0] == 1
    assert decide([rec()], pytest_status=3)[0] == 2


def test_a_run_stopped_by_an_unreachable_site_is_3_not_130():
    # pytest reports a run the plugin stopped itself (session.shouldstop) as interrupted
    gone = rec("e", "error", "endpoint unreachable: refused", error_kind="unreachable", verdicts=())
    assert decide([rec(), gone], pytest_status=2)[0] == 3
