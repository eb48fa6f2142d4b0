"""The reference server's meeting and attendee services, over HTTP.

Covers the documented changes of conformance/server/handlers/meeting.py and attendee.py
(SP11 confName, SP14 CET elements, SP21 autoRecord, 39.1.0 HQ/HD, 39.3.0/39.9.0 SIP URLs,
39.9.0 video-device default, 42.1.0 attendee limit, 42.5.0 suspended site), that every
answer is valid against its version's schema, and that the slice's case files pass on the
clean server and catch each seeded defect.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from conformance.cases import load_cases
from conformance.embedded import EmbeddedServers
from conformance.execute import RunContext, run_case
from conformance.namespaces import NS
from conformance.schemas import bundle_for
from conformance.server.handlers import attendee, event, meeting
from conformance.transport import Transport
from conformance.versions import documented
from refclient import RefClient, assert_pages, assert_valid, exception_id, reason, result, xp, assert_suspended_rule

REPO = Path(__file__).resolve().parents[1]
SLICE_MODULES = (meeting, attendee, event)


@pytest.fixture(scope="module")
def servers(ref_servers):
    return ref_servers


def meeting_body(name: str = "unit meeting", options: str = "", telephony: str = "CALLIN", extra: str = "") -> str:
    tel = f"<telephony><telephonySupport>{telephony}</telephonySupport></telephony>" if telephony else ""
    return (f"<accessControl><meetingPassword>Pw1234xy</meetingPassword></accessControl>"
            f"<metaData><confName>{name}</confName></metaData><enableOptions>{options}</enableOptions>"
            f"<schedule><startDate>12/01/2030 10:00:00</startDate><duration>45</duration>"
            f"<timeZoneID>4</timeZoneID></schedule>{tel}{extra}")


def create(server: RefClient, site: str = "main", **kw) -> str:
    root = server.call("meeting", "CreateMeeting", meeting_body(**kw), site=site)
    assert result(root) == "SUCCESS", reason(root)
    return xp(root, "string(//meet:meetingkey)")


def get(server: RefClient, key: str, role: str = "host", site: str = "main"):
    return server.call("meeting", "GetMeeting", f"<meetingKey>{key}</meetingKey>", role=role, site=site)


# -- create / get / set / list / delete ---------------------------------------------------------

def test_create_answers_a_lower_case_meetingkey_and_calendar_links(servers):
    root = servers("42.6.0").call("meeting", "CreateMeeting", meeting_body())
    assert result(root) == "SUCCESS"
    assert xp(root, "string(//meet:meetingkey)").isdigit()
    assert xp(root, "//meet:meetingKey") == []
    assert xp(root, "string(//meet:iCalendarURL/serv:host)").startswith("https://refsite.webex.com/")
    assert xp(root, "string(//serv:bodyContent/@xsi:type)") == "meet:createMeetingResponse"
    assert_valid(root, "42.6.0")


def test_create_then_get_returns_what_was_scheduled(servers):
    s = servers("42.6.0")
    key = create(s, name="round trip")
    root = get(s, key)
    assert result(root) == "SUCCESS"
    assert xp(root, "string(//meet:confName)") == "round trip"
    assert xp(root, "string(//meet:startDate)") == "12/01/2030 10:00:00"
    assert xp(root, "string(//meet:duration)") == "45"
    assert xp(root, "string(//meet:meetingkey)") == key
    assert xp(root, "string(//meet:hostWebExID)") == "host1"
    assert_valid(root, "42.6.0")


def test_set_accepts_lower_and_upper_case_meeting_key(servers):
    s = servers("42.6.0")
    key = create(s)
    for tag, name in (("meetingkey", "lower"), ("meetingKey", "upper")):
        root = s.call("meeting", "SetMeeting", f"<metaData><confName>{name}</confName></metaData><{tag}>{key}</{tag}>")
        assert result(root) == "SUCCESS", reason(root)
        assert_valid(root, "42.6.0")
        assert xp(get(s, key), "string(//meet:confName)") == name


def test_set_without_a_name_keeps_it(servers):
    s = servers("42.6.0")
    key = create(s, name="keep me")
    s.call("meeting", "SetMeeting", f"<schedule><duration>90</duration></schedule><meetingkey>{key}</meetingkey>")
    root = get(s, key)
    assert (xp(root, "string(//meet:confName)"), xp(root, "string(//meet:duration)")) == ("keep me", "90")


def test_delete_then_get_is_060001_and_unknown_delete_too(servers):
    s = servers("42.6.0")
    key = create(s)
    root = s.call("meeting", "DelMeeting", f"<meetingKey>{key}</meetingKey>")
    assert result(root) == "SUCCESS"
    assert_valid(root, "42.6.0")
    for answer in (get(s, key), s.call("meeting", "DelMeeting", "<meetingKey>123</meetingKey>")):
        assert (exception_id(answer), reason(answer)) == ("060001", "Corresponding Meeting not found")


def test_lists_show_only_the_callers_meetings_with_matching_records(servers):
    s = servers("42.6.0")
    mine = {create(s, name=f"list {i}") for i in range(3)}
    for api in ("LstMeeting", "LstsummaryMeeting"):
        root = s.call("meeting", api, "<listControl><startFrom>1</startFrom><maximumNum>500</maximumNum></listControl>")
        assert result(root) == "SUCCESS"
        keys = set(xp(root, "//meet:meeting/meet:meetingkey/text() | //meet:meeting/meet:meetingKey/text()"))
        assert mine <= keys
        assert xp(root, "number(//meet:matchingRecords/serv:total)") == len(keys)
        assert_valid(root, "42.6.0")
        other = s.call("meeting", api, "<listControl><maximumNum>500</maximumNum></listControl>", role="host2")
        assert exception_id(other) == "000015" or not mine & set(xp(other, "//meet:meeting/*[1]/text()"))


def test_list_paging_and_an_empty_page(servers):
    s = servers("42.6.0")
    for _ in range(3):
        create(s)
    root = s.call("meeting", "LstsummaryMeeting", "<listControl><startFrom>2</startFrom><maximumNum>1</maximumNum>"
                                                  "</listControl>")
    assert len(xp(root, "//meet:meeting")) == 1
    assert xp(root, "string(//meet:matchingRecords/serv:startFrom)") == "2"
    empty = s.call("meeting", "LstMeeting", "<listControl><startFrom>9999</startFrom></listControl>")
    assert (exception_id(empty), reason(empty)) == ("000015", "Sorry, no record found")


@pytest.mark.parametrize("api", ["LstMeeting", "LstsummaryMeeting"])
@pytest.mark.parametrize("window, refused", [
    ("<maximumNum>0</maximumNum>", True), ("<maximumNum>501</maximumNum>", True),
    ("<startFrom>0</startFrom>", True), ("<maximumNum>\u00b2</maximumNum>", True),
    ("<startFrom>99999999999999999999</startFrom>", True), ("<maximumNum>500</maximumNum>", False),
])
def test_list_window_is_one_rule_start_from_1_and_1_to_500_per_page(servers, api, window, refused):
    s = servers("42.6.0")
    create(s)
    root = s.call("meeting", api, f"<listControl>{window}</listControl>")
    if refused:
        assert (result(root), exception_id(root)) == ("FAILURE", "999999")
        assert "listControl/" in reason(root) and "\n" not in reason(root)
    else:
        assert result(root) == "SUCCESS", reason(root)


# -- access and bad input ---------------------------------------------------------------------

def test_another_host_cannot_read_a_meeting_but_an_admin_can(servers):
    s = servers("42.6.0")
    key = create(s)
    assert exception_id(get(s, key, role="host2")) == "000001"
    assert result(get(s, key, role="admin")) == "SUCCESS"


def test_an_attendee_account_cannot_schedule(servers):
    root = servers("42.6.0").call("meeting", "CreateMeeting", meeting_body(), role="attendee")
    assert (result(root), exception_id(root)) == ("FAILURE", "000001")


@pytest.mark.parametrize("body, word", [
    (meeting_body(telephony="PIGEON"), "telephonySupport"),
    (meeting_body(extra="").replace("<duration>45</duration>", "<duration>long</duration>"), "duration"),
    (meeting_body().replace("12/01/2030 10:00:00", "tomorrow"), "MM/DD/YYYY"),
])
def test_bad_input_is_a_one_line_failure(servers, body, word):
    root = servers("42.6.0").call("meeting", "CreateMeeting", body)
    assert exception_id(root) == "999999"
    assert word in reason(root) and "\n" not in reason(root)


@pytest.mark.parametrize("key", ["not-a-key", "", "880000002999", "-5", "9" * 30])
def test_unknown_or_malformed_meeting_key_is_060001(servers, key):
    assert exception_id(get(servers("42.6.0"), key)) == "060001"


def test_out_of_range_numbers_are_refused_and_minus_one_means_default(servers):
    s = servers("42.6.0")
    huge = s.call("meeting", "CreateMeeting", meeting_body().replace("<duration>45</duration>",
                                                                     "<duration>" + "9" * 25 + "</duration>"))
    assert exception_id(huge) == "999999" and "duration" in reason(huge)
    root = get(s, create_with_zone(s, "-1"))
    assert xp(root, "string(//meet:timeZoneID)") == "4"


def create_with_zone(s: RefClient, zone: str) -> str:
    root = s.call("meeting", "CreateMeeting", meeting_body().replace("<timeZoneID>4</timeZoneID>",
                                                                     f"<timeZoneID>{zone}</timeZoneID>"))
    assert result(root) == "SUCCESS", reason(root)
    return xp(root, "string(//meet:meetingkey)")


def test_bad_list_control_is_a_one_line_failure(servers):
    root = servers("42.6.0").call("meeting", "LstMeeting", "<listControl><maximumNum>lots</maximumNum></listControl>")
    assert exception_id(root) == "999999" and "maximumNum" in reason(root)


# -- SP11: confName ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, refused_from_sp11", [
    ("", True), ("x" * 128, False), ("x" * 129, True), ("é" * 128, False), ("é" * 129, True),
])
@pytest.mark.parametrize("version", ["11.0.0 SP10", "11.0.0 SP11", "42.6.0"])
def test_confname_limit(servers, version, name, refused_from_sp11):
    root = servers(version).call("meeting", "CreateMeeting", meeting_body(name=name))
    if refused_from_sp11 and version != "11.0.0 SP10":
        assert (result(root), exception_id(root), reason(root)) == ("FAILURE", "060065", meeting.CONF_NAME_REASON)
    else:
        assert result(root) == "SUCCESS", reason(root)


def test_set_confname_limit_and_the_stored_name(servers):
    s = servers("42.6.0")
    key = create(s)
    refused = s.call("meeting", "SetMeeting", f"<metaData><confName>{'y' * 129}</confName></metaData>"
                                              f"<meetingkey>{key}</meetingkey>")
    assert exception_id(refused) == "060065"
    assert xp(get(s, key), "string(//meet:confName)") == "unit meeting"


# -- SP21: autoRecord ------------------------------------------------------------------------------

def auto_record(root) -> str:
    return xp(root, "string(//meet:enableOptions/meet:autoRecord)")


def test_autorecord_round_trips_from_sp21(servers):
    s = servers("11.0.0 SP21")
    key = create(s, options="<autoRecord>true</autoRecord>")
    assert auto_record(get(s, key)) == "true"
    s.call("meeting", "SetMeeting", f"<enableOptions><autoRecord>false</autoRecord></enableOptions>"
                                    f"<meetingkey>{key}</meetingkey>")
    root = get(s, key)
    assert auto_record(root) == "false"
    assert_valid(root, "11.0.0 SP21")
    listed = s.call("meeting", "LstMeeting", f"<meetingKey>{key}</meetingKey>")
    assert auto_record(listed) == "false" and len(xp(listed, "//meet:meeting")) == 1
    assert_valid(listed, "11.0.0 SP21")


def test_autorecord_is_absent_before_sp21(servers):
    s = servers("11.0.0 SP20")
    key = create(s, options="<autoRecord>true</autoRecord>")
    root = get(s, key)
    assert result(root) == "SUCCESS" and xp(root, "//meet:autoRecord") == []
    assert_valid(root, "11.0.0 SP20")


def test_auto_record_site_forces_true(servers):
    s = servers("42.6.0")
    key = create(s, site="auto-record", options="<autoRecord>false</autoRecord>")
    assert auto_record(get(s, key, site="auto-record")) == "true"


def test_autorecord_returned_early_breaks_the_older_schema(servers):
    s = servers("11.0.0 SP20", ("autorecord-returned-early",))
    root = get(s, create(s))
    assert auto_record(root) == "false"
    assert bundle_for("11.0.0 SP20").validate(root)


# -- 39.1.0: HQ/HD ----------------------------------------------------------------------------------

def hqhd(root) -> tuple[str, str]:
    return xp(root, "string(//meet:HQvideo)"), xp(root, "string(//meet:HDvideo)")


def test_before_39_1_hq_hd_requests_are_honoured(servers):
    s = servers("11.0.0 SP22")
    key = create(s, options="<HQvideo>false</HQvideo><HDvideo>true</HDvideo>")
    assert hqhd(get(s, key)) == ("false", "true")
    s.call("meeting", "SetMeeting", f"<enableOptions><HQvideo>true</HQvideo></enableOptions>"
                                    f"<meetingkey>{key}</meetingkey>")
    assert hqhd(get(s, key)) == ("true", "true")


@pytest.mark.parametrize("site_level", [True, False])
def test_from_39_1_the_site_decides_and_get_still_returns_both(servers, site_level):
    s = servers("39.1.0", site_overrides={"main": {"facts": {"HQvideo": site_level, "HDvideo": site_level}}})
    want = "true" if site_level else "false"
    asked = "false" if site_level else "true"
    key = create(s, options=f"<HQvideo>{asked}</HQvideo><HDvideo>{asked}</HDvideo>")
    s.call("meeting", "SetMeeting", f"<enableOptions><HQvideo>{asked}</HQvideo></enableOptions>"
                                    f"<meetingkey>{key}</meetingkey>")
    root = get(s, key)
    assert hqhd(root) == (want, want)
    assert_valid(root, "39.1.0")


# -- SP14 / 39.3.0 / 39.9.0: CET elements and SIP URLs ---------------------------------------------

def test_cet_elements_are_absent_before_sp14(servers):
    root = get(servers("11.0.0 SP13"), "880000001")
    assert result(root) == "SUCCESS"
    assert xp(root, "//meet:isCETMeeting | //meet:meetingLink | //meet:sipURL | //meet:displayMeetingUrl") == []
    assert_valid(root, "11.0.0 SP13")


@pytest.mark.parametrize("version, display", [
    ("11.0.0 SP14", None),
    ("39.3.0", "880000001@webex.com"),
    ("39.8.0", "880000001@webex.com"),
    ("39.9.0", "host1.refsite@webex.com"),
])
def test_personal_room_sip_urls_by_version(servers, version, display):
    root = get(servers(version), "880000001")
    assert xp(root, "string(//meet:isCETMeeting)") == "true"
    assert xp(root, "string(//meet:sipURL)") == "host1@refsite.webex.com"
    assert xp(root, "string(//meet:meetingLink)") == "https://refsite.webex.com/meet/host1"
    assert (xp(root, "string(//meet:displayMeetingUrl)") or None) == display
    assert_valid(root, version)


def test_a_meeting_without_audio_has_a_link_but_no_sip_url(servers):
    s = servers("42.6.0")
    root = get(s, create(s, telephony="NONE"))
    assert xp(root, "string(//meet:isCETMeeting)") == "false"
    assert xp(root, "string(//meet:meetingLink)").startswith("https://refsite.webex.com/refsite/j.php?MTID=")
    assert xp(root, "//meet:sipURL | //meet:displayMeetingUrl") == []


@pytest.mark.parametrize("version, telephony, video", [
    ("39.8.0", "CALLIN", False), ("39.9.0", "CALLIN", True), ("39.9.0", "CALLBACK", True),
    ("39.9.0", "NONE", False), ("42.6.0", "OTHER", False),
])
def test_video_device_default_from_39_9(servers, version, telephony, video):
    s = servers(version)
    key = create(s, telephony=telephony)
    root = get(s, key)
    assert xp(root, "string(//meet:isCETMeeting)") == ("true" if video else "false")
    assert bool(xp(root, "//meet:sipURL")) is video
    if video:
        assert xp(root, "string(//meet:displayMeetingUrl)") == f"{key}@webex.com"
        assert xp(root, "string(//meet:sipURL)") == f"{key}@refsite.webex.com"
    assert_valid(root, version)


def test_set_meeting_audio_switches_video_device_on_and_off(servers):
    s = servers("42.6.0")
    key = create(s, telephony="CALLIN")
    for telephony, want in (("OTHER", "false"), ("CALLIN", "true")):
        s.call("meeting", "SetMeeting", f"<telephony><telephonySupport>{telephony}</telephonySupport></telephony>"
                                        f"<meetingkey>{key}</meetingkey>")
        assert xp(get(s, key), "string(//meet:isCETMeeting)") == want


def session_info(s: RefClient, key: str) -> dict[str, str]:
    root = s.call("ep", "GetSessionInfo", f"<sessionKey>{key}</sessionKey>")
    assert result(root) == "SUCCESS", reason(root)
    return {etree.QName(el).localname: el.text for el in xp(root, "//serv:bodyContent/*")}


@pytest.mark.parametrize("version", ["11.0.0 SP15", "39.3.0", "39.5.0", "39.8.0", "39.9.0", "42.6.0"])
def test_getmeeting_and_getsessioninfo_give_one_session_the_same_urls(servers, version):
    s = servers(version)
    for key in ("880000001", "880000002", create(s)):
        meeting = get(s, key)
        info = session_info(s, key)
        for name in ("meetingLink", "sipURL", "displayMeetingUrl"):
            mine = xp(meeting, f"//meet:{name}/text()")
            assert mine == ([info[name]] if name in info else []), (key, name)


def test_an_unknown_time_zone_has_one_name_in_getmeeting_and_getsessioninfo(servers):
    s = servers("42.6.0")
    key = create_with_zone(s, "99")
    info = s.call("ep", "GetSessionInfo", f"<sessionKey>{key}</sessionKey>")
    assert xp(get(s, key), "string(//meet:timeZone)") == xp(info, "string(//ep:timeZone)") == "Time zone 99"


# -- 42.5.0: suspended site -------------------------------------------------------------------------

WEBINAR = "<enableEvent>true</enableEvent>"


@pytest.mark.parametrize("version, refused", [("42.4.0", False), ("42.5.0", True), ("42.6.0", True)])
def test_suspended_site_refuses_webinars_from_42_5(servers, version, refused):
    s = servers(version)
    webinar = s.srv.values["sessions.suspended_webinar"]
    answers = [
        s.call("meeting", "CreateMeeting", meeting_body(options=WEBINAR), site="suspended"),
        s.call("meeting", "SetMeeting", f"<metaData><confName>x</confName></metaData>"
                                        f"<meetingkey>{webinar}</meetingkey>", site="suspended"),
    ]
    assert_suspended_rule(answers, refused, version)


def test_free_meetings_still_work_on_a_suspended_site_but_cannot_become_webinars(servers):
    s = servers("42.6.0")
    key = create(s, site="suspended")
    ok = s.call("meeting", "SetMeeting", f"<metaData><confName>y</confName></metaData><meetingkey>{key}</meetingkey>",
                site="suspended")
    assert result(ok) == "SUCCESS"
    to_webinar = s.call("meeting", "SetMeeting", f"<enableOptions>{WEBINAR}</enableOptions>"
                                                 f"<meetingkey>{key}</meetingkey>", site="suspended")
    assert exception_id(to_webinar) == "010107"
    assert result(get(s, key, site="suspended")) == "SUCCESS"


def test_the_main_site_schedules_webinars_at_42_6(servers):
    s = servers("42.6.0")
    key = create(s, options=WEBINAR)
    row = s.srv.state.one("SELECT kind FROM sessions WHERE session_key=?", (int(key),))
    assert row["kind"] == "webinar"


# -- 42.1.0: attendees per call ---------------------------------------------------------------------

def person(i: int, key: str) -> str:
    return f"<person><name>p{i}</name><email>p{i}@example.com</email></person><sessionKey>{key}</sessionKey>"


def create_attendees(s: RefClient, key: str, n: int):
    body = person(0, key) + "".join(f"<attendees>{person(i, key)}</attendees>" for i in range(1, n))
    return s.call("attendee", "CreateMeetingAttendee", body)


def register_attendees(s: RefClient, key: str, n: int):
    return s.call("attendee", "RegisterMeetingAttendee",
                  "".join(f"<attendees>{person(i, key)}</attendees>" for i in range(n)))


@pytest.mark.parametrize("call", [create_attendees, register_attendees])
@pytest.mark.parametrize("version", ["42.1.0", "42.6.0"])
def test_more_than_50_attendees_in_one_call_is_040015(servers, version, call):
    s = servers(version)
    key = create(s)
    root = call(s, key, 51)
    assert (result(root), exception_id(root)) == ("FAILURE", "040015")
    assert reason(root) == "Register attendee number over limit in one API call: 50"
    assert root.findtext(f".//{{{NS['serv']}}}value") == "50"
    assert exception_id(s.call("attendee", "LstMeetingAttendee", f"<meetingKey>{key}</meetingKey>")) == "000015"


@pytest.mark.parametrize("call, counted", [(create_attendees, "//att:attendeeId"),
                                           (register_attendees, "//att:register")])
@pytest.mark.parametrize("version, n", [("42.6.0", 50), ("39.11.0", 51)])
def test_50_attendees_or_any_number_before_42_1_are_accepted(servers, version, n, call, counted):
    s = servers(version)
    key = create(s)
    root = call(s, key, n)
    assert result(root) == "SUCCESS", reason(root)
    assert len(xp(root, counted)) == n
    assert_valid(root, version)
    listed = s.call("attendee", "LstMeetingAttendee", f"<listControl><maximumNum>100</maximumNum></listControl>"
                                                      f"<meetingKey>{key}</meetingKey>")
    assert xp(listed, "string(//att:matchingRecords/serv:total)") == str(n)
    assert len(xp(listed, "//att:attendee/att:person/com:email")) == n
    assert_valid(listed, version)


@pytest.mark.parametrize("body, code", [
    ("", "999999"),
    ("<person><name>no mail</name></person><sessionKey>880000002</sessionKey>", "999999"),
    ("<person><name>a</name><email>a@example.com</email></person><sessionKey>42</sessionKey>", "060001"),
])
def test_attendee_bad_input(servers, body, code):
    root = servers("42.6.0").call("attendee", "CreateMeetingAttendee", body)
    assert exception_id(root) == code and "\n" not in reason(root)


def test_deleting_a_meeting_drops_its_attendees(servers):
    s = servers("42.6.0")
    key = create(s)
    assert result(create_attendees(s, key, 2)) == "SUCCESS"
    s.call("meeting", "DelMeeting", f"<meetingKey>{key}</meetingKey>")
    assert s.srv.state.one("SELECT count(*) AS n FROM meeting_attendees WHERE session_key=?", (int(key),))["n"] == 0


# -- the slice's case files and defects --------------------------------------------------------------

def slice_cases() -> dict:
    named = {c for m in SLICE_MODULES for d in m.DEFECTS for c in d.cases}
    return {c.id: c for c in load_cases(REPO / "cases").cases if c.id in named}


def outcomes(defects: tuple[str, ...], version: str, cases) -> dict[str, str]:
    v = documented(version)
    with EmbeddedServers(defects) as servers:
        target = servers.target(v)
        with Transport(target.transport) as transport:
            ctx = RunContext(target, v, transport, bundle_loader=lambda: bundle_for(v))
            return {c.id: run_case(c, ctx).outcome for c in cases}


def test_each_defect_names_cases_that_exist_and_names_are_unique():
    cases = slice_cases()
    names = [d.name for m in SLICE_MODULES for d in m.DEFECTS]
    assert len(names) == len(set(names))
    ids = {c.id for c in load_cases(REPO / "cases").cases}
    for m in SLICE_MODULES:
        for d in m.DEFECTS:
            assert (d.cases or d.tests) and set(d.cases) <= ids, d.name
    assert len(cases) >= 25


@pytest.mark.parametrize("version", ["11.0.0 SP10", "11.0.0 SP21", "39.3.0", "39.9.0", "42.6.0"])
def test_slice_cases_pass_on_the_clean_server(version):
    cases = slice_cases()
    got = outcomes((), version, cases.values())
    # A case may be not applicable only where its own expectations say so (e.g. the SP11
    # confName cases before SP11); anything else must pass.
    expected_na = {k for k, c in cases.items() if not c.applies_to(documented(version))}
    assert {k: v for k, v in got.items() if v != "pass" and k not in expected_na} == {}
    assert {k for k, v in got.items() if v == "not-applicable"} == expected_na


@pytest.mark.parametrize("defect", [d for m in SLICE_MODULES for d in m.DEFECTS if d.cases], ids=lambda d: d.name)
def test_each_defect_fails_its_cases(defect):
    cases = slice_cases()
    got = outcomes((defect.name,), defect.version, [cases[c] for c in defect.cases])
    assert {k: v for k, v in got.items() if v != "fail"} == {}


# -- paging in SQL: every window is the slice of the full list ------------------------------------

def test_meeting_lists_page_edges(servers):
    s = servers("42.6.0")
    for i in range(3):
        create(s, name=f"paged {i}")
    for api in ("LstsummaryMeeting", "LstMeeting"):
        assert assert_pages(lambda body: s.call("meeting", api, body), "//meet:meeting",
                            "//meet:matchingRecords") >= 3


def test_attendee_list_pages_edges(servers):
    s = servers("42.6.0")
    key = create(s, name="paged attendees")
    assert result(create_attendees(s, key, 4)) == "SUCCESS"
    n = assert_pages(lambda body: s.call("attendee", "LstMeetingAttendee", body), "//att:attendee",
                     "//att:matchingRecords", f"<meetingKey>{key}</meetingKey>")
    assert n == 4


def test_meeting_type_list_pages_edges_and_filters_by_id(servers):
    s = servers("42.6.0")
    n = assert_pages(lambda body: s.call("meetingtype", "LstMeetingType", body), "//mtgtype:meetingType",
                     "//mtgtype:matchingRecords")
    ids = xp(s.call("meetingtype", "LstMeetingType", ""), "//mtgtype:meetingTypeID/text()")
    one = s.call("meetingtype", "LstMeetingType", f"<meetingTypeID>{ids[-1]}</meetingTypeID>")
    assert xp(one, "//mtgtype:meetingTypeID/text()") == [ids[-1]] and n >= 2
    assert xp(one, "string(//mtgtype:matchingRecords/serv:total)") == "1"
