"""The reference server's ep service, over HTTP: GetAPIVersion, sessions, recordings, contacts.

Covers the documented changes of conformance/server/handlers/ep*.py version by version,
the error paths (each a clear FAILURE, never a crash), that every SUCCESS answer is valid
against its version's generated schema, and that the seeded defects name real cases.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree

from conformance.cases import load_cases
from conformance.namespaces import NS
from conformance.schemas import bundle_for
from conformance.server.handlers import captcha, ep, ep_contacts, ep_recordings, ep_sessions
from conformance.server.handlers.captcha import CAPTCHA_AFTER
from conformance.versions import from_server_report, parse_version
from refclient import ServiceClient, assert_pages, exception_id, result, texts, xp

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATE = "%m/%d/%Y %H:%M:%S"


class Reply:
    """One parsed answer: result, exceptionID, reason and the bodyContent."""

    def __init__(self, root: etree._Element):
        self.root = root
        self.result = result(root)
        self.exception_id = exception_id(root)
        self.reason = root.findtext(".//serv:reason", namespaces=NS)
        self.value = root.findtext(".//serv:value", namespaces=NS)
        self.body = root.find(".//serv:bodyContent", namespaces=NS)

    def texts(self, xpath: str) -> list[str]:
        return texts(self.root, xpath)

    def text(self, xpath: str) -> str | None:
        found = self.texts(xpath)
        return found[0] if found else None

    def children(self) -> list[str]:
        return [etree.QName(c).localname for c in self.body]


def session_info(s: ServiceClient, placeholder: str, role: str | None = "host", captcha: bool = False) -> Reply:
    body = f"<sessionKey>{s.values[placeholder]}</sessionKey>"
    if captcha:
        body += (f"<CAPTCHAID>{s.values['captcha.id']}</CAPTCHAID>"
                 f"<CAPTCHAWord>{s.values['captcha.word']}</CAPTCHAWord>")
    return s.call("GetSessionInfo", body, role)


@pytest.fixture(scope="module")
def servers(ref_servers):
    """Read-only servers, one per (version, defects); tests that change state use ``fresh``.

    Every SUCCESS answer is checked against its version's schema on the way in.
    """
    return ref_servers.bind("ep", validate=True, wrap=Reply, test_paths=True)


@pytest.fixture
def fresh(ref_fresh):
    return ref_fresh.bind("ep", validate=True, wrap=Reply, test_paths=True)


# ----------------------------------------------------------------- GetAPIVersion

@pytest.mark.parametrize("version", ["11.0.0 SP10", "11.0.0 SP22"])
def test_getapiversion_before_39_1_reports_apiversion_and_sp_release(servers, version):
    r = servers(version).call("GetAPIVersion", role=None)
    assert r.result == "SUCCESS"
    assert r.text("//ep:apiVersion") == "WebEx XML API V11.0.0"
    assert r.text("//ep:release") == version.split()[1]
    assert r.text("//ep:apiVer") is None
    assert r.text("//ep:trainReleaseVersion") is None  # only when asked
    assert from_server_report(r.text("//ep:apiVersion"), r.text("//ep:release")) == parse_version(version)


@pytest.mark.parametrize("version", ["39.1.0", "42.6.0"])
def test_getapiversion_from_39_1_reports_apiver_and_keeps_deprecated_apiversion(servers, version):
    r = servers(version).call("GetAPIVersion", "<returnTrainReleaseVersion>true</returnTrainReleaseVersion>")
    assert r.text("//ep:apiVer") == version
    assert r.text("//ep:release") == version
    assert r.text("//ep:apiVersion") == "WebEx XML API V11.0.0"
    assert r.text("//ep:trainReleaseVersion")
    assert r.body.get(f"{{{NS['xsi']}}}type") == "ep:getAPIVersionResponse"


def test_getapiversion_needs_a_known_site(servers):
    s = servers("42.6.0")
    xml = (f'<serv:message xmlns:serv="{NS["serv"]}" xmlns:xsi="{NS["xsi"]}"><header><securityContext>'
           '<siteName>no-such-site</siteName></securityContext></header><body><bodyContent '
           'xsi:type="java:com.webex.service.binding.ep.GetAPIVersion"/></body></serv:message>')
    r = Reply(s.post(xml.encode()))
    assert r.result == "FAILURE" and "no-such-site" in r.reason


def test_getapiversion_defects(servers):
    assert servers("42.6.0", ("apiver-wrong",)).call("GetAPIVersion").text("//ep:apiVer") == "42.6"
    # apiVer before 39.1.0 is what the SP22 schema rejects, so read the raw answer
    early = servers("11.0.0 SP22", ("apiver-too-early",))
    raw = Reply(early.post(early.envelope("GetAPIVersion")))
    assert raw.text("//ep:apiVer") == "11.0.0"
    assert bundle_for("11.0.0 SP22").validate(raw.root)


@pytest.mark.skipif(not (SHARED / "real-traffic").is_dir(), reason="../shared/real-traffic is not beside the repo")
def test_real_getapiversion_answers_fit_our_schema_and_shape(servers):
    """Real pre-39.1 answers validate against our SP10 schema, and ours uses their names."""
    bundle = bundle_for("11.0.0 SP10")
    real_names: set[str] = set()
    for name in ("012-GetAPIVersion-response.xml", "013-GetAPIVersion-response.xml",
                 "015-GetAPIVersion-response.xml"):
        root = etree.fromstring((SHARED / "real-traffic" / name).read_bytes())
        assert bundle.validate(root) == [], name
        body = root.find(".//serv:bodyContent", namespaces=NS)
        real_names |= {etree.QName(c).localname for c in body}
    ours = servers("11.0.0 SP10").call("GetAPIVersion", "<returnTrainReleaseVersion>true</returnTrainReleaseVersion>")
    assert set(ours.children()) <= real_names


# ----------------------------------------------------------------- GetSessionInfo

def test_getsessioninfo_unknown_or_malformed_key_is_meeting_not_found(servers):
    s = servers("42.6.0")
    for key in ("123", "abc", "9" * 30):
        r = s.call("GetSessionInfo", f"<sessionKey>{key}</sessionKey>")
        assert (r.result, r.exception_id, r.reason) == ("FAILURE", "060001", "Corresponding Meeting not found")
    r = s.call("GetSessionInfo", "")
    assert r.exception_id == "999999" and "sessionKey is required" in r.reason


@pytest.mark.parametrize("version,sip,skype,link,panelist,autorec,display", [
    ("11.0.0 SP10", False, False, False, False, False, False),
    ("11.0.0 SP14", True, True, False, False, False, False),
    ("11.0.0 SP15", True, True, True, False, False, False),
    ("11.0.0 SP20", True, True, True, True, False, False),
    ("11.0.0 SP21", True, True, True, True, True, False),
    ("39.3.0", True, True, True, True, True, True),
])
def test_getsessioninfo_elements_appear_in_their_versions(servers, version, sip, skype, link, panelist,
                                                          autorec, display):
    s = servers(version)
    pmr = session_info(s, "sessions.pmr")
    cet = session_info(s, "sessions.cet_event")
    assert (pmr.text("//ep:sipURL") is not None) == sip
    assert (pmr.text("//ep:skypeURL") is not None) == skype
    assert (pmr.text("//ep:meetingLink") is not None) == link
    assert (cet.text("//ep:panelistNumericPassword") is not None) == panelist
    assert (pmr.text("//ep:isAutoRecord") is not None) == autorec
    assert (cet.text("//ep:displayMeetingUrl") is not None) == display


def test_sipurl_only_for_cisco_video_sessions_and_skypeurl_always(servers):
    s = servers("11.0.0 SP14")
    assert session_info(s, "sessions.pmr").text("//ep:sipURL") == "host1@refsite.webex.com"
    meeting = session_info(s, "sessions.meeting")
    assert meeting.text("//ep:sipURL") is None and meeting.text("//ep:skypeURL")
    # CET events get their CET elements only from SP20
    assert session_info(s, "sessions.cet_event").text("//ep:sipURL") is None
    event = session_info(servers("11.0.0 SP20"), "sessions.cet_event")
    assert event.text("//ep:isCETMeeting") == "true" and event.text("//ep:standaloneDialingIPAddress")
    assert event.text("//ep:panelistNumericPassword") == "4711"
    assert session_info(servers("11.0.0 SP20"), "sessions.event").text("//ep:panelistNumericPassword") is None


def test_displaymeetingurl_forms_and_sipurl_kept(servers):
    key = servers("39.3.0").values["sessions.cet_event"]
    for version in ("39.3.0", "42.6.0"):
        cet = session_info(servers(version), "sessions.cet_event")
        assert cet.text("//ep:displayMeetingUrl") == f"{key}@webex.com"
        assert cet.text("//ep:sipURL") == f"{key}@refsite.webex.com"
    pmr_key = servers("39.8.0").values["sessions.pmr"]
    assert session_info(servers("39.8.0"), "sessions.pmr").text("//ep:displayMeetingUrl") == f"{pmr_key}@webex.com"
    pmr = session_info(servers("39.9.0"), "sessions.pmr")
    assert pmr.text("//ep:displayMeetingUrl") == "host1.refsite@webex.com"
    assert pmr.text("//ep:sipURL") == "host1@refsite.webex.com"


PMR_TRIMMED = {"accessControl", "telephony", "isAlternateHost", "isCreator", "hostKey", "supportE2E"}


def test_anonymous_pmr_is_trimmed_from_39_3(servers):
    before = session_info(servers("39.2.0"), "sessions.pmr", role=None)
    assert PMR_TRIMMED <= set(before.children())
    after = session_info(servers("39.3.0"), "sessions.pmr", role=None)
    assert not PMR_TRIMMED & set(after.children())
    assert after.text("//ep:metaData/ep:confName") and after.text("//ep:sessionPassword") is None
    # a meeting that is not a Personal Room keeps its full anonymous answer until 39.9.0,
    # except the host key, which an anonymous caller gets no more than a signed-in attendee
    meeting = session_info(servers("39.3.0"), "sessions.meeting", role=None).children()
    assert "telephony" in meeting and "host" in meeting and "hostKey" not in meeting
    assert "hostKey" not in session_info(servers("39.3.0"), "sessions.meeting", role="attendee").children()
    assert "hostKey" in session_info(servers("39.3.0"), "sessions.meeting").children()
    # the signed-in host still gets everything
    assert PMR_TRIMMED <= set(session_info(servers("39.3.0"), "sessions.pmr").children())


def test_anonymous_answer_is_only_the_necessary_elements_from_39_9(servers):
    r = session_info(servers("39.9.0"), "sessions.meeting", role=None)
    assert set(r.children()) <= set(ep_sessions.NECESSARY)
    assert {"sessionkey", "metaData", "schedule", "skypeURL", "meetingLink"} <= set(r.children())
    assert [etree.QName(c).localname for c in r.body.find("ep:schedule", NS)] == ["startDate", "timeZone"]
    assert [etree.QName(c).localname for c in r.body.find("ep:metaData", NS)] == ["confName"]
    assert "host" in session_info(servers("39.8.0"), "sessions.meeting", role=None).children()


def test_signed_in_attendee_never_sees_the_host_key(servers):
    r = session_info(servers("42.6.0"), "sessions.meeting", role="attendee")
    assert r.result == "SUCCESS" and "hostKey" not in r.children()
    assert r.text("//ep:isCreator") == "false"


def test_captcha_only_after_failed_anonymous_lookups_from_39_10(servers):
    """The notes' CAPTCHA examples are both "not found" failures: a valid anonymous lookup
    is answered without a CAPTCHA; an unknown meeting is "not found" first, and only
    repeated failures carry a CAPTCHA ID and then ask for the CAPTCHA."""
    s = servers("39.10.0")
    assert session_info(s, "sessions.pmr", role=None).result == "SUCCESS"

    def unknown(extra: str = ""):
        return s.call("GetSessionInfo", f"<sessionKey>999999999</sessionKey>{extra}", None)

    first = unknown()
    assert (first.result, first.reason, first.value) == ("FAILURE", "Corresponding Meeting not found", None)
    for _ in range(CAPTCHA_AFTER - 2):
        assert unknown().value is None
    asked = unknown()
    assert (asked.reason, asked.value) == ("Corresponding Meeting not found", s.values["captcha.id"])
    refused = unknown()
    assert (refused.reason, refused.value) == ("CAPTCHA ID and word are invalid or missing", s.values["captcha.id"])
    good = f"<CAPTCHAID>{s.values['captcha.id']}</CAPTCHAID><CAPTCHAWord>{s.values['captcha.word']}</CAPTCHAWord>"
    assert unknown(good).reason == "Corresponding Meeting not found"
    assert session_info(s, "sessions.pmr", role=None).result == "SUCCESS"   # other subjects never asked
    wrong = s.call("GetSessionInfo", f"<sessionKey>{s.values['sessions.pmr']}</sessionKey>"
                   f"<CAPTCHAID>{s.values['captcha.id']}</CAPTCHAID><CAPTCHAWord>nope</CAPTCHAWord>", None)
    assert wrong.reason == "CAPTCHA ID and word are invalid or missing"
    assert session_info(s, "sessions.pmr", role=None, captcha=True).result == "SUCCESS"
    old = servers("39.9.0")
    for _ in range(CAPTCHA_AFTER + 1):
        assert old.call("GetSessionInfo", "<sessionKey>999999999</sessionKey>", None).value is None
    refusing = servers("39.10.0", ("captcha-before-lookup",))
    assert session_info(refusing, "sessions.pmr", role=None).reason == "CAPTCHA ID and word are invalid or missing"


def test_enable_event_meaning_changes_in_42_1(servers):
    def flags(version: str, placeholder: str) -> tuple[str | None, str | None]:
        r = session_info(servers(version), placeholder)
        return r.text("//ep:enableEvent"), r.text("//ep:enableWebniar")

    assert flags("42.1.0", "sessions.webinar") == ("true", "true")
    assert flags("42.1.0", "sessions.event") == ("false", "false")
    assert flags("42.1.0", "sessions.meeting") == ("false", "false")
    assert flags("39.11.0", "sessions.event") == ("true", "false")
    assert flags("39.11.0", "sessions.webinar") == ("true", "true")


def test_enablewebniar_false_for_a_webinar_without_view_only_attendees(fresh):
    """42.1.0: false means the webinar's attendees are not limited to view-only."""
    body = ("<metaData><confName>open webinar</confName></metaData>"
            "<enableOptions><enableEvent>true</enableEvent><enableWebniar>false</enableWebniar></enableOptions>")
    for defects, expected in (((), "false"), (("enablewebniar-always-true",), "true")):
        s = fresh("42.1.0", defects)
        key = s.client.call("meeting", "CreateMeeting", body, "host").findtext(".//meet:meetingkey", namespaces=NS)
        r = s.call("GetSessionInfo", f"<sessionKey>{key}</sessionKey>")
        assert (r.text("//ep:enableEvent"), r.text("//ep:enableWebniar")) == ("true", expected)
        listed = s.call("LstsummarySession", f"<sessionKey>{key}</sessionKey>")
        assert listed.text("//ep:session/ep:enableWebniar") == expected
        # the fixture webinar has view-only attendees either way
        assert session_info(s, "sessions.webinar").text("//ep:enableWebniar") == "true"


def test_isautorecord_follows_the_site_that_records_everything(fresh):
    s = fresh("11.0.0 SP21")
    state = s.srv.state
    now = _dt.datetime.now().isoformat()
    state.execute("INSERT INTO sessions(session_key, site, kind, host, conf_name, start_date, created, modified) "
                  "VALUES (?,?,?,?,?,?,?,?)", (880000099, "refsite-autorec", "meeting", "host1", "Rec", now, now, now))
    r = s.call("GetSessionInfo", "<sessionKey>880000099</sessionKey>", site="auto-record")
    assert r.text("//ep:isAutoRecord") == "true"
    assert session_info(s, "sessions.meeting").text("//ep:isAutoRecord") == "false"


# ----------------------------------------------------------------- LstsummarySession

def test_lstsummarysession_filters_and_flags(servers):
    s = servers("42.6.0")
    one = s.call("LstsummarySession", f"<sessionKey>{s.values['sessions.webinar']}</sessionKey>")
    assert one.texts("//ep:session/ep:sessionKey") == [s.values["sessions.webinar"]]
    assert one.text("//ep:session/ep:enableEvent") == "true"
    assert one.text("//ep:matchingRecords/serv:total") == "1"
    assert s.call("LstsummarySession", "<sessionKey>1</sessionKey>").exception_id == "000015"
    denied = s.call("LstsummarySession", "<hostWebExID>host1</hostWebExID>", role="host2")
    assert denied.exception_id == "000001"
    assert len(s.call("LstsummarySession", "", role="admin").texts("//ep:session")) >= 7
    bad = s.call("LstsummarySession", "<listControl><maximumNum>-1</maximumNum></listControl>")
    assert bad.exception_id == "999999" and "maximumNum" in bad.reason
    centers = s.call("LstsummarySession", "<serviceTypes><serviceType>EventCenter</serviceType></serviceTypes>")
    assert set(centers.texts("//ep:session/ep:serviceType")) == {"EventCenter"}


# ----------------------------------------------------------------- LstRecording

def _scope(start: _dt.datetime, end: _dt.datetime) -> str:
    return (f"<createTimeScope><createTimeStart>{start.strftime(DATE)}</createTimeStart>"
            f"<createTimeEnd>{end.strftime(DATE)}</createTimeEnd></createTimeScope>")


def test_lstrecording_28_day_scope_and_messages(servers):
    now = _dt.datetime.now().replace(microsecond=0)
    for version, reason in (("11.0.0 SP11", ep_recordings.REASON_SCOPE),
                            ("11.0.0 SP10", ep_recordings.REASON_SCOPE_BEFORE_SP11)):
        s = servers(version)
        over = s.call("LstRecording", _scope(now - _dt.timedelta(days=28, seconds=1), now))
        assert (over.exception_id, over.reason) == ("999999", reason)
        assert s.call("LstRecording", _scope(now - _dt.timedelta(days=28), now)).result == "SUCCESS"
    s = servers("42.6.0")
    backwards = s.call("LstRecording", _scope(now, now - _dt.timedelta(days=1)))
    assert backwards.exception_id == "999999" and "earlier" in backwards.reason
    garbled = s.call("LstRecording", "<createTimeScope><createTimeStart>yesterday</createTimeStart></createTimeScope>")
    assert garbled.exception_id == "999999" and "yesterday" in garbled.reason


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seconds=st.integers(min_value=0, max_value=60 * 86400))
def test_lstrecording_scope_limit_is_exactly_28_days(servers, seconds):
    end = _dt.datetime(2030, 1, 31, 12, 0, 0)
    r = servers("42.6.0").call("LstRecording", _scope(end - _dt.timedelta(seconds=seconds), end))
    over = seconds > 28 * 86400
    # inside the limit the (future) window holds no recording: "no record found", not a scope error
    assert (r.reason == ep_recordings.REASON_SCOPE) == over


HOST1_RECORDINGS = sum(1 for row in ep_recordings.SEED.values() if row[1] == "host1")


def test_lstrecording_by_recording_id(servers):
    s = servers("11.0.0 SP15")
    v = s.values
    mc = "<serviceTypes><serviceType>MeetingCenter</serviceType></serviceTypes>"
    assert s.call("LstRecording", f"<recordingID>{v['recordings.nbr']}</recordingID>").texts(
        "//ep:recordingID") == [v["recordings.nbr"]]
    assert s.call("LstRecording", f"<recordingID>{v['recordings.nbr']}</recordingID>{mc}").exception_id == "000015"
    assert s.call("LstRecording", f"<recordingID>{v['recordings.service']}</recordingID>{mc}").texts(
        "//ep:recordingID") == [v["recordings.service"]]
    assert s.call("LstRecording", f"<recordingID>{v['recordings.service']}</recordingID>").exception_id == "000015"
    old = servers("11.0.0 SP14").call("LstRecording", f"<recordingID>{v['recordings.nbr']}</recordingID>")
    assert len(old.texts("//ep:recording")) == HOST1_RECORDINGS  # ignored before SP15: all of host1's


def test_hoststreamurl_for_owned_recordings_and_sharetome(servers):
    body = "<returnShareToMeRecording>true</returnShareToMeRecording>"
    r = servers("11.0.0 SP20").call("LstRecording", body)
    shared = r.root.xpath("//ep:recording[ep:shareToMe='true']", namespaces=NS)
    assert [x.findtext("ep:recordingID", namespaces=NS) for x in shared] == [r_id(servers, "recordings.shared")]
    assert shared[0].find("ep:hostStreamURL", NS) is None
    owned = r.root.xpath("//ep:recording[ep:shareToMe='false']", namespaces=NS)
    assert len(owned) == HOST1_RECORDINGS and all(x.find("ep:hostStreamURL", NS) is not None for x in owned)
    without = servers("11.0.0 SP20").call("LstRecording", "")
    assert set(without.texts("//ep:recording/ep:hostWebExID")) == {"host1"}
    sp18 = servers("11.0.0 SP18").call("LstRecording", body)
    assert set(sp18.texts("//ep:recording/ep:hostWebExID")) == {"host1"} and sp18.text("//ep:shareToMe") is None
    assert servers("11.0.0 SP15").call("LstRecording", "").text("//ep:hostStreamURL") is None


def r_id(servers, placeholder: str) -> str:
    return servers("42.6.0").values[placeholder]


def test_lstrecording_permissions(servers):
    s = servers("42.6.0")
    assert s.call("LstRecording", "<hostWebExID>host1</hostWebExID>", role="host2").exception_id == "000001"
    assert len(s.call("LstRecording", "<hostWebExID>host1</hostWebExID>", role="admin").texts("//ep:recording")) == HOST1_RECORDINGS
    assert s.call("LstRecording", "", role="attendee").exception_id == "000015"


# ----------------------------------------------------------------- DelRecording

def test_delrecording_by_admin_mails_the_host_from_42_3(fresh):
    s = fresh("42.3.0")
    rid = s.values["recordings.deletable"]
    body = f"<recordingID>{rid}</recordingID><isServiceRecording>false</isServiceRecording>"
    r = s.call("DelRecording", body + "<deletePermanently>false</deletePermanently>", role="admin")
    assert r.text("//ep:recordingID") == rid
    assert rid not in s.call("LstRecording", "").texts("//ep:recordingID")
    s.call("DelRecording", body + "<deletePermanently>true</deletePermanently>", role="admin")
    mails = s.mails()
    assert [m["to"] for m in mails] == ["host1@refsite.example.com"] * 2
    assert "moved to the trash" in mails[0]["subject"] and "permanently deleted" in mails[1]["subject"]
    again = s.call("DelRecording", body + "<deletePermanently>true</deletePermanently>", role="admin")
    assert again.exception_id == "000015"


def test_delrecording_sends_no_mail_before_42_3_or_to_self(fresh):
    old = fresh("42.2.0")
    body = f"<recordingID>{old.values['recordings.deletable']}</recordingID>"
    assert old.call("DelRecording", body, role="admin").result == "SUCCESS"
    assert old.mails() == []
    new = fresh("42.6.0")
    assert new.call("DelRecording", f"<recordingID>{new.values['recordings.deletable']}</recordingID>").result == "SUCCESS"
    assert new.mails() == []


def test_delrecording_errors(fresh):
    s = fresh("42.6.0")
    rid = s.values["recordings.nbr"]
    assert s.call("DelRecording", f"<recordingID>{rid}</recordingID>", role="host2").exception_id == "000001"
    assert s.call("DelRecording", f"<recordingID>{rid}</recordingID><isServiceRecording>true</isServiceRecording>"
                  ).exception_id == "000015"
    assert s.call("DelRecording", "<recordingID>x</recordingID>").exception_id == "000015"
    missing = s.call("DelRecording", "")
    assert missing.exception_id == "999999" and "recordingID" in missing.reason


# ----------------------------------------------------------------- contacts

def _contact(name: str, email: str) -> str:
    return f"<contact><name>{name}</name><email>{email}</email></contact>"


def test_contacts_lifecycle(fresh):
    s = fresh("11.0.0 SP12")
    made = s.call("CreateContacts", _contact("A", "a@example.com") + _contact("B", "b@example.com"))
    ids = made.texts("//ep:contactID")
    assert len(ids) == 2 and ids[0] != ids[1]
    for api in ("LstContact", "LstContacts"):
        assert s.call(api).texts("//ep:contact/ep:email") == ["a@example.com", "b@example.com"]
    assert s.call("LstContact", role="host2").exception_id == "000015"  # contacts are per user
    ok = s.call("SetContact", "<contactEmail>A@example.com</contactEmail><name>Ann</name><language>french</language>")
    assert ok.result == "SUCCESS" and ok.children() == []
    assert s.call("LstContact").text("//ep:contact[ep:email='a@example.com']/ep:name") == "Ann"
    errors = {
        "<contactEmail>zz@example.com</contactEmail>": ("140004", "Contact not found"),
        "<contactEmail>a@example.com</contactEmail><language>KLINGON</language>": ("030060", "Not a valid language"),
        "<contactEmail>a@example.com</contactEmail><email>b@example.com</email>":
            ("140001", "Email is used by another contact"),
    }
    for body, expected in errors.items():
        r = s.call("SetContact", body)
        assert (r.exception_id, r.reason) == expected, body
    deleted = s.call("DelContacts", "<email>a@example.com</email><email>nobody@example.com</email>")
    assert deleted.texts("//ep:contactID") == [ids[0]]
    none = s.call("DelContacts", "<email>a@example.com</email>")
    assert (none.exception_id, none.reason) == ("000015", "Sorry, no record found")
    assert s.call("CreateContacts", _contact("B2", "B@example.com")).exception_id == "140001"
    assert s.call("CreateContacts", "<contact><name>x</name></contact>").exception_id == "999999"
    assert s.call("SetContact", "").exception_id == "999999"


def test_setcontact_and_delcontacts_do_not_exist_before_sp12(servers):
    s = servers("11.0.0 SP11")
    for api in ("SetContact", "DelContacts"):
        r = s.call(api, "<contactEmail>a@example.com</contactEmail>")
        assert r.result == "FAILURE" and "Unknown request type" in r.reason


def test_delcontacts_defect_sends_the_five_digit_code(fresh):
    r = fresh("42.6.0", ("delcontacts-code-00015",)).call("DelContacts", "<email>x@example.com</email>")
    assert r.exception_id == "00015"


# ----------------------------------------------------------------- defects and cases

def test_every_ep_defect_names_existing_cases_and_starts():
    known = {c.id for c in load_cases(REPO / "cases").cases}
    defects = [d for m in (ep, ep_sessions, ep_recordings, ep_contacts, captcha) for d in m.DEFECTS]
    names = [d.name for d in defects]
    assert len(names) == len(set(names))
    for d in defects:
        assert d.cases or d.tests, d.name
        own = [c for c in d.cases if not c.startswith("getusercard-")]  # GetUserCard's are user.py's
        assert set(own) <= known, (d.name, set(own) - known)
        parse_version(d.version)


def test_seeded_recordings_are_the_documented_placeholders(servers):
    values = servers("42.6.0").values
    assert {k for k in values if k.startswith("recordings.")} == set(ep_recordings.SEED)


# ----------------------------------------------------------------- bad keys and the listed owner

def test_admin_listing_a_host_sees_that_hosts_recordings_as_owned(servers):
    """hostStreamURL and shareToMe describe the listed user's recordings, not the caller's."""
    r = servers("42.6.0").call("LstRecording", "<hostWebExID>host1</hostWebExID>", role="admin")
    recordings = r.root.xpath("//ep:recording", namespaces=NS)
    assert len(recordings) == HOST1_RECORDINGS
    assert r.texts("//ep:recording/ep:shareToMe") == ["false"] * HOST1_RECORDINGS
    assert all(x.find("ep:hostStreamURL", NS) is not None for x in recordings)


@pytest.mark.parametrize("text", ["\u00b2", "1\u00b2", "\u0663", "99999999999999999999", "0", "-5"])
def test_a_key_that_is_no_number_is_not_found_never_an_internal_error(servers, text):
    s = servers("42.6.0")
    info = s.call("GetSessionInfo", f"<sessionKey>{text}</sessionKey>")
    assert (info.exception_id, info.reason) == ("060001", "Corresponding Meeting not found")
    assert s.call("LstsummarySession", f"<sessionKey>{text}</sessionKey>").exception_id == "000015"
    assert s.call("LstRecording", f"<recordingID>{text}</recordingID>").exception_id == "000015"
    assert s.call("DelRecording", f"<recordingID>{text}</recordingID>").exception_id == "000015"


@pytest.mark.parametrize("text", ["\u00b2", "0", "501", "99999999999999999999"])
def test_a_list_window_out_of_range_is_a_one_line_999999(servers, text):
    s = servers("42.6.0")
    for api in ("LstsummarySession", "LstRecording"):
        r = s.call(api, f"<listControl><maximumNum>{text}</maximumNum></listControl>")
        assert (r.result, r.exception_id) == ("FAILURE", "999999"), api
        assert "maximumNum" in r.reason and "\n" not in r.reason
    assert s.call("LstsummarySession", "<listControl><maximumNum>500</maximumNum></listControl>").result == "SUCCESS"


# ----------------------------------------------------------------- paging in SQL

def test_lstsummarysession_pages_edges_with_and_without_a_service_filter(ref_servers):
    s = ref_servers.bind("ep", role="admin")("42.6.0")
    n = assert_pages(lambda body: s.call("LstsummarySession", body), "//ep:session", "//ep:matchingRecords")
    services = xp(s.call("LstsummarySession", "<listControl><maximumNum>500</maximumNum></listControl>"),
                  "//ep:session/ep:serviceType/text()")
    assert len(services) == n
    for service in sorted(set(services)):
        root = s.call("LstsummarySession", f"<serviceType>{service}</serviceType>"
                                           "<listControl><maximumNum>500</maximumNum></listControl>")
        assert set(xp(root, "//ep:session/ep:serviceType/text()")) == {service}
        assert xp(root, "number(//ep:matchingRecords/serv:total)") == services.count(service)
