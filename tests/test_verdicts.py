from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree

from conformance.cases import Expectation, MailExpectation
from conformance.namespaces import NS
from conformance.verdicts import Verdict, drift_of, judge, judge_error, judge_mail, outcome_of
from conformance.versions import VersionRange
from conformance.xmlsafe import parse_untrusted

ALL = VersionRange.parse("all")

# A reply in the style real servers send: one line, their own prefixes (ns1 for the site
# namespace, "u" for user) rather than ours.
REPLY = (
    '<?xml version="1.0" encoding="ISO-8859-1"?>'
    '<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
    'xmlns:u="http://www.webex.com/schemas/2002/06/service/user" '
    'xmlns:x="http://www.webex.com/schemas/2002/06/service/ep">'
    "<serv:header><serv:response><serv:result>SUCCESS</serv:result>"
    "<serv:gsbStatus>PRIMARY</serv:gsbStatus></serv:response></serv:header>"
    "<serv:body><serv:bodyContent>"
    "<u:user><u:webExId>alice</u:webExId><u:lastLoginTime>05/01/2024 10:00:00</u:lastLoginTime></u:user>\n"
    "<u:user><u:webExId>bob</u:webExId><u:lastLoginTime>2024-05-01</u:lastLoginTime></u:user>\n"
    "<x:hostKey>954462</x:hostKey><x:apiVer>39.2.0</x:apiVer>"
    "</serv:bodyContent></serv:body></serv:message>"
)


@dataclass
class FakeParsed:
    """Stand-in for conformance.response.ParsedResponse (same field names)."""
    root: Any
    result: str | None = "SUCCESS"
    reason: str | None = None
    exception_id: str | None = None
    value: str | None = None
    gsb_status: str | None = "PRIMARY"
    sub_errors: list = field(default_factory=list)
    body_contents: list = field(default_factory=list)
    body_type: str | None = None
    declared_encoding: str | None = "ISO-8859-1"


@dataclass
class Issue:
    message: str
    path: str
    line: int | None


class FakeBundle:
    name = "webex-39.2.0"

    def __init__(self, issues=(), undocumented=()):
        self.issues = list(issues)
        self.drift = list(undocumented)
        self.validated = 0

    def validate(self, root):
        self.validated += 1
        return self.issues

    def undocumented(self, root):
        return self.drift


def parsed(**kw) -> FakeParsed:
    return FakeParsed(root=etree.fromstring(REPLY.encode("iso-8859-1")), **kw)


def expect(**kw) -> Expectation:
    return Expectation.of(ALL, **kw)


def only(verdicts: list[Verdict], check: str) -> Verdict:
    hits = [v for v in verdicts if v.check == check]
    assert len(hits) == 1, verdicts
    return hits[0]


def test_result_mismatch_reads_as_one_line():
    v = only(judge(expect(result="FAILURE"), parsed(), None, {}), "result")
    assert (v.outcome, v.expected, v.actual) == ("fail", "FAILURE", "SUCCESS")
    assert v.describe() == "FAIL result: expected FAILURE, actual SUCCESS"


def test_result_failure_detail_names_exception_and_reason():
    v = only(judge(expect(result="SUCCESS"), parsed(result="FAILURE", exception_id="030002",
                                                    reason="Incorrect user or password"), None, {}), "result")
    assert v.outcome == "fail"
    assert "030002" in v.detail and "Incorrect user" in v.detail


def test_exception_id_is_exact_not_numeric():
    p = parsed(result="FAILURE", exception_id="000015", reason="Sorry, no record found")
    assert only(judge(expect(exception_id="000015"), p, None, {}), "exceptionID").outcome == "pass"
    v = only(judge(expect(exception_id="00015"), p, None, {}), "exceptionID")
    assert (v.outcome, v.expected, v.actual) == ("fail", "00015", "000015")


def test_missing_header_field_is_shown_as_none():
    v = only(judge(expect(exception_id="010107"), parsed(), None, {}), "exceptionID")
    assert v.outcome == "fail" and v.actual == "(none)"


def test_reason_is_a_regex_search():
    p = parsed(result="FAILURE", reason="The site is suspended now")
    assert only(judge(expect(reason="site is suspended"), p, None, {}), "reason").outcome == "pass"
    v = only(judge(expect(reason="^site"), p, None, {}), "reason")
    assert v.outcome == "fail" and v.expected == "matches /^site/"


def test_bad_reason_regex_is_an_error_verdict():
    v = only(judge(expect(reason="(unclosed"), parsed(reason="x"), None, {}), "reason")
    assert v.outcome == "error" and "regular expression" in v.detail


def test_value_exact():
    assert only(judge(expect(value="50"), parsed(value="50"), None, {}), "value").outcome == "pass"
    v = only(judge(expect(value="50"), parsed(value="50 "), None, {}), "value")
    assert v.outcome == "fail" and v.actual == "'50 '"


def test_present_matches_by_namespace_uri_not_prefix():
    v = only(judge(expect(present=("//use:user/use:lastLoginTime",)), parsed(), None, {}),
             "present://use:user/use:lastLoginTime")
    assert v.outcome == "pass"
    assert v.actual.startswith("found 2 nodes: <use:lastLoginTime>05/01/2024")


def test_present_fails_when_nothing_selected():
    v = only(judge(expect(present=("//use:lastModifiedTime",)), parsed(), None, {}), "present://use:lastModifiedTime")
    assert (v.outcome, v.actual) == ("fail", "no node found")


def test_absent_failure_shows_what_was_found_and_where():
    v = only(judge(expect(absent=("//ep:hostKey",)), parsed(), None, {}), "absent://ep:hostKey")
    assert v.outcome == "fail"
    assert v.expected == "no node"
    assert v.actual == "found 1 node: <ep:hostKey>954462"
    assert v.path == "/serv:message/serv:body/serv:bodyContent/ep:hostKey"
    assert v.line == 3  # after the two users, each followed by a line break


def test_absent_passes():
    v = only(judge(expect(absent=("//use:lastModifiedTime",)), parsed(), None, {}), "absent://use:lastModifiedTime")
    assert v.outcome == "pass"


def test_equals_renders_placeholders():
    e = expect(equals=(("//ep:apiVer", "${target.version}"),))
    assert only(judge(e, parsed(), None, {"target.version": "39.2.0"}), "equals://ep:apiVer").outcome == "pass"
    v = only(judge(e, parsed(), None, {"target.version": "39.3.0"}), "equals://ep:apiVer")
    assert v.outcome == "fail"
    assert v.expected == "'39.3.0'" and "'39.2.0'" in v.actual


def test_equals_checks_every_node_and_names_the_odd_one():
    v = only(judge(expect(equals=(("//use:webExId", "alice"),)), parsed(), None, {}), "equals://use:webExId")
    assert v.outcome == "fail"
    assert v.actual.startswith("node 2 of 2: <use:webExId>bob")


def test_equals_unknown_placeholder_is_error_not_exception():
    v = only(judge(expect(equals=(("//ep:apiVer", "${nope.never}"),)), parsed(), None, {}), "equals://ep:apiVer")
    assert v.outcome == "error"


def test_equals_on_scalar_xpath_and_missing_node():
    vs = judge(expect(equals=(("count(//use:user)", "2"), ("//use:missing", "x"))), parsed(), None, {})
    assert only(vs, "equals:count(//use:user)").outcome == "pass"
    missing = only(vs, "equals://use:missing")
    assert (missing.outcome, missing.actual) == ("fail", "no node found")


def test_matches_every_node():
    e = expect(matches=(("//use:lastLoginTime", r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$"),))
    v = only(judge(e, parsed(), None, {}), "matches://use:lastLoginTime")
    assert v.outcome == "fail"
    assert v.actual == "1 of 2 do not: <use:lastLoginTime>2024-05-01"
    ok = expect(matches=(("//use:webExId", "^[a-z]+$"),))
    assert only(judge(ok, parsed(), None, {}), "matches://use:webExId").outcome == "pass"


def test_matches_with_no_node_fails_rather_than_passing_vacuously():
    v = only(judge(expect(matches=(("//use:nothing", "x"),)), parsed(), None, {}), "matches://use:nothing")
    assert v.outcome == "fail"


def test_count():
    assert only(judge(expect(count=(("//use:user", 2),)), parsed(), None, {}), "count://use:user").outcome == "pass"
    v = only(judge(expect(count=(("//use:user", 3),)), parsed(), None, {}), "count://use:user")
    assert (v.outcome, v.expected) == ("fail", "3 nodes")
    assert v.actual.startswith("found 2 nodes")


@pytest.mark.parametrize("xpath", ["//nope:user", "//use:user[", "count(//use:user)"])
def test_unusable_xpath_at_runtime_is_an_error_verdict(xpath):
    v = only(judge(expect(present=(xpath,)), parsed(), None, {}), f"present:{xpath}")
    assert v.outcome == "error"
    assert v.detail


def test_no_document_is_an_error_verdict():
    v = only(judge(expect(present=("//use:user",)), FakeParsed(root=None), None, {}), "present://use:user")
    assert v.outcome == "error"


def test_schema_issues_become_fail_verdicts_with_location():
    bundle = FakeBundle([Issue("unexpected child 'foo'", "/serv:message/serv:body", 1),
                         Issue("missing bodyContent", "/serv:message/serv:body", None)])
    vs = [v for v in judge(expect(result="SUCCESS"), parsed(), bundle, {}) if v.check == "schema"]
    assert [v.outcome for v in vs] == ["fail", "fail"]
    assert vs[0].expected == "valid against webex-39.2.0"
    assert (vs[0].actual, vs[0].path, vs[0].line) == ("unexpected child 'foo'", "/serv:message/serv:body", 1)


def test_schema_pass_and_skip_when_not_required():
    bundle = FakeBundle()
    assert only(judge(expect(), parsed(), bundle, {}), "schema").outcome == "pass"
    bundle = FakeBundle([Issue("bad", "/", 1)])
    vs = judge(expect(schema_valid=False), parsed(), bundle, {})
    assert not [v for v in vs if v.check == "schema"]
    assert bundle.validated == 0
    assert not [v for v in judge(expect(), parsed(), None, {}) if v.check == "schema"]


def test_crashing_bundle_is_an_error_verdict():
    class Broken(FakeBundle):
        def validate(self, root):
            raise RuntimeError("xsd exploded")
    v = only(judge(expect(), parsed(), Broken(), {}), "schema")
    assert v.outcome == "error" and "xsd exploded" in v.detail


def test_drift_is_info_and_never_a_failure():
    bundle = FakeBundle(undocumented=["/serv:message/serv:body/serv:bodyContent/use:newThing"])
    vs = judge(expect(result="SUCCESS"), parsed(), bundle, {})
    d = only(vs, "drift")
    assert d.outcome == "info"
    assert "use:newThing" in d.actual
    assert outcome_of(vs) == "pass"
    assert drift_of(vs) == ["/serv:message/serv:body/serv:bodyContent/use:newThing"]


def test_not_applicable_expectation_judges_nothing():
    assert judge(Expectation(versions=ALL, not_applicable="API not there yet"), parsed(), FakeBundle(), {}) == []


def test_outcome_of():
    p = Verdict("a", "pass", "", "")
    f = Verdict("b", "fail", "", "")
    e = Verdict("c", "error", "", "")
    i = Verdict("d", "info", "", "")
    assert outcome_of([p, i]) == "pass"
    assert outcome_of([p, f, i]) == "fail"
    assert outcome_of([f, e]) == "error"
    assert outcome_of([]) == "pass"


def test_judge_error():
    [v] = judge_error("an HTML page, not an XML API message\n(at line 1)")
    assert (v.check, v.outcome) == ("envelope", "error")
    assert "\n" not in v.actual and "HTML page" in v.actual
    assert judge_error("x", check="setup")[0].check == "setup"


def test_verdict_round_trip_and_bad_records():
    v = Verdict("absent://ep:hostKey", "fail", "no node", "found 1 node", "d", "/a/b", 3)
    assert Verdict.from_dict(v.to_dict()) == v
    with pytest.raises(ValueError, match="outcome"):
        Verdict("x", "maybe", "", "")
    with pytest.raises(ValueError, match="missing field 'actual'"):
        Verdict.from_dict({"check": "x", "outcome": "pass", "expected": ""})
    with pytest.raises(ValueError, match="line"):
        Verdict.from_dict({**v.to_dict(), "line": "3"})


MAILS = [
    {"to": "Host One <host@example.com>", "subject": "Meeting deleted: Review", "body": "Your meeting was deleted"},
    {"to": ["att@example.com", "x@example.com"], "subject": "Invitation", "body": "Join"},
]


def test_mail_found():
    m = MailExpectation(to="${users.host.email}", subject="deleted")
    [v] = judge_mail(m, MAILS, {"users.host.email": "HOST@example.com"})
    assert v.outcome == "pass"
    [v] = judge_mail(MailExpectation(to="x@example.com", subject="^Invitation$", body="Join"), MAILS, {})
    assert v.outcome == "pass"


def test_mail_wrong_subject_and_no_mail():
    [v] = judge_mail(MailExpectation(to="host@example.com", subject="cancelled"), MAILS, {})
    assert v.outcome == "fail" and "Meeting deleted: Review" in v.actual
    [v] = judge_mail(MailExpectation(to="nobody@example.com"), MAILS, {})
    assert v.outcome == "fail" and v.actual.startswith("no mail to nobody@example.com (2 sent")
    [v] = judge_mail(MailExpectation(to="nobody@example.com"), [], {})
    assert v.actual == "no mail to nobody@example.com (no mail sent)"


def test_a_wrong_subject_is_shown_to_its_end_when_it_fits_a_line():
    """The words that differ are often at a subject's end ("... was moved to the trash")."""
    subject = 'Your recording "Second scratch recording (deletable)" was moved to the trash'
    [v] = judge_mail(MailExpectation(to="h@x.example", subject="permanently"),
                     [{"to": "h@x.example", "subject": subject, "body": ""}], {})
    assert v.outcome == "fail" and subject in v.actual


def test_mail_bad_regex_or_input_is_error():
    [v] = judge_mail(MailExpectation(to="a@b", subject="("), MAILS, {})
    assert v.outcome == "error"
    [v] = judge_mail(MailExpectation(to="a@b"), "not a list", {})  # type: ignore[arg-type]
    assert v.outcome == "error"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_xpath_text_yields_verdicts_never_exceptions(xpath):
    e = expect(present=(xpath,), absent=(xpath,), matches=((xpath, "."),), count=((xpath, 1),),
               equals=((xpath, "a"),))
    vs = judge(e, parsed(), None, {})
    assert len(vs) == 5
    for v in vs:
        assert v.outcome in ("pass", "fail", "error")
        assert "\n" not in v.expected and "\n" not in v.actual


# --- real replies (read from ../shared, never copied into the project) -------------------

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "real-traffic"


def _real_responses():
    index = SHARED / "INDEX.tsv"
    if not index.is_file():
        return []
    rows = []
    for line in index.read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) > 4 and cols[1] == "response" and "NOT well-formed" not in line:
            rows.append((cols[0], cols[3], cols[4]))
    return rows


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/real-traffic is not available")
@pytest.mark.parametrize("name, result, exception_id", _real_responses())
def test_real_replies_judge_by_namespace_whatever_their_prefixes(name, result, exception_id):
    root = parse_untrusted((SHARED / name).read_bytes())

    def header(local: str) -> str:
        return root.xpath(f"string(/serv:message/serv:header/serv:response/serv:{local})", namespaces=NS)

    p = FakeParsed(root=root, result=header("result") or None, exception_id=header("exceptionID") or None,
                   reason=header("reason") or None)
    e = expect(result=result, exception_id=exception_id or None,
               present=("/serv:message/serv:header/serv:response/serv:result",),
               count=(("/serv:message/serv:body", 1),), absent=("//serv:password[normalize-space() != '']",))
    vs = judge(e, p, None, {})
    assert outcome_of(vs) == "pass", [v.describe() for v in vs if v.outcome != "pass"]


@pytest.mark.skipif(not (SHARED / "022-GetSite-response.xml").is_file(), reason="real GetSite reply not available")
def test_real_getsite_uses_ns1_but_site_prefix_matches():
    root = parse_untrusted((SHARED / "022-GetSite-response.xml").read_bytes())
    vs = judge(expect(present=("//site:siteInstance/site:metaData/site:serviceType",),
                      absent=("//ns1:siteInstance/ns1:noSuchElement",)), FakeParsed(root=root), None, {})
    assert [v.outcome for v in vs] == ["pass", "pass"]
    assert vs[0].actual.startswith("found ") and "<site:serviceType>" in vs[0].actual


def test_mail_expected_not_sent():
    from conformance.cases import MailExpectation
    from conformance.verdicts import judge_mail
    none = MailExpectation(to="host@x.example", sent=False)
    assert judge_mail(none, [], {})[0].outcome == "pass"
    assert judge_mail(none, [{"to": "other@x.example", "subject": "s", "body": ""}], {})[0].outcome == "pass"
    v = judge_mail(none, [{"to": "host@x.example", "subject": "Recording deleted", "body": ""}], {})[0]
    assert v.outcome == "fail" and "Recording deleted" in v.actual
