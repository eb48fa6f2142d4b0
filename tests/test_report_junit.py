from __future__ import annotations

from lxml import etree

from conformance.report_junit import write_junit
from conformance.results import CaseResult, StepRecord, mask_strings
from conformance.verdicts import Verdict

SECRET = "s3cr3t-Token-99"


def result(case_id="lstsummaryuser-lastlogintime", version="39.2.0", outcome="pass", reason="",
           target="ref", introduced="39.2.0", verdicts=None, response="<serv:message/>",
           duration_ms=1500.0) -> CaseResult:
    step = StepRecord("list users", "user.LstsummaryUser", "site-admin", "main",
                      "<serv:message><password>***</password></serv:message>", response, 200, 12.0, 1,
                      verdicts if verdicts is not None else [Verdict("result", "pass", "SUCCESS", "SUCCESS")])
    return CaseResult(case_id, "title", introduced, "A heading", ["LstSummaryUser"], "element", target,
                      "http://127.0.0.1:9/WBXService/XMLService", version, outcome, reason, [step],
                      duration_ms, "webex-" + version, [], "2024-05-01T10:00:00+00:00")


def write(tmp_path, results, **kw) -> etree._Element:
    path = tmp_path / "reports" / "junit.xml"
    write_junit(path, results, **kw)
    return etree.parse(str(path)).getroot()  # parses: the file is well-formed


def test_one_suite_per_target_and_version_in_version_order(tmp_path):
    root = write(tmp_path, [result(version="39.10.0"), result(version="11.0.0 SP10"),
                            result(version="39.2.0"), result(version="39.2.0", target="acme")])
    names = [s.get("name") for s in root.iter("testsuite")]
    assert names == ["acme 39.2.0", "ref 11.0.0 SP10", "ref 39.2.0", "ref 39.10.0"]
    assert root.get("tests") == "4"


def test_testcase_attributes(tmp_path):
    root = write(tmp_path, [result(introduced="11.0.0 SP17", duration_ms=1500.0)])
    [case] = root.iter("testcase")
    assert case.get("classname") == "11.0.0 SP17"
    assert case.get("name") == "lstsummaryuser-lastlogintime"
    assert case.get("time") == "1.500"
    assert len(case) == 0  # a pass has no child


def test_failure_error_and_skips(tmp_path):
    fail_verdicts = [Verdict("result", "pass", "SUCCESS", "SUCCESS"),
                     Verdict("absent://ep:hostKey", "fail", "no node", "found 1 node: <ep:hostKey>954462")]
    root = write(tmp_path, [
        result("a", outcome="fail", reason="absent://ep:hostKey: found 1 node", verdicts=fail_verdicts),
        result("b", outcome="error", reason="envelope: an HTML page",
               verdicts=[Verdict("envelope", "error", "a well-formed XML API response", "an HTML page")]),
        result("c", outcome="skip", reason="requires fixture mail-sink"),
        result("d", outcome="not-applicable", reason="the API does not exist before 39.2.0"),
    ])
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("4", "1", "1", "2")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    failure = cases["a"].find("failure")
    assert failure.get("message") == "absent://ep:hostKey: found 1 node"
    assert "FAIL absent://ep:hostKey: expected no node, actual found 1 node: <ep:hostKey>954462" in failure.text
    assert "PASS result" not in failure.text  # only what went wrong
    assert cases["b"].find("error").get("message") == "envelope: an HTML page"
    assert cases["c"].find("skipped").get("message") == "requires fixture mail-sink"
    assert "the API does not exist before 39.2.0" in cases["d"].find("skipped").get("message")
    assert cases["a"].find("system-out") is not None and "<serv:message/>" in cases["a"].find("system-out").text


def test_escaping_control_characters_of_masked_records(tmp_path):
    nasty = f'<x a="1">&amp; ]]> \x00\x1b {SECRET}'
    r = result("a", outcome="fail", reason=nasty, response=nasty,
               verdicts=[Verdict("equals://x", "fail", repr("a"), nasty)])
    r = CaseResult.from_dict(mask_strings(r.to_dict(), [SECRET]))  # as the executor hands it over
    root = write(tmp_path, [r], secrets=[SECRET])
    text = (tmp_path / "reports" / "junit.xml").read_text(encoding="utf-8")
    assert SECRET not in text
    failure = root.find(".//failure")
    assert failure.get("message").startswith('<x a="1">&amp; ]]>')  # round-trips as text
    assert "\x00" not in failure.get("message")


def test_records_are_not_masked_again(tmp_path):
    # Masking is the executor's, once per record: the writer keeps a record's text as is.
    r = result("a", outcome="fail", reason="x", response="<password>***</password> password=***",
               verdicts=[Verdict("result", "fail", "SUCCESS", "FAILURE")])
    root = write(tmp_path, [r])
    assert "<password>***</password> password=***" in root.find(".//system-out").text


def test_empty_results_give_an_empty_but_valid_document(tmp_path):
    root = write(tmp_path, [])
    assert root.tag == "testsuites" and root.get("tests") == "0" and len(root) == 0
