"""The APIs the release notes never mention but real clients use (shared/real-traffic), and
their seeded defects.

No case judges these APIs (cases follow the notes), so each defect of theirs names, in
``Defect.tests``, the checks below that must catch it.  Every check passes against the
clean server and fails against a server with each defect that names it.
"""
from __future__ import annotations

import re

import pytest
from lxml import etree

from conformance.namespaces import NS
from conformance.server.root import all_defects
from refclient import RefClient, assert_valid, exception_id, result, texts

VERSION = "42.6.0"
DEFECTS = all_defects()


def ok(root: etree._Element) -> etree._Element:
    assert result(root) == "SUCCESS", root.findtext(".//serv:reason", namespaces=NS)
    return root


def _ticket(c: RefClient) -> str:
    return texts(ok(c.call("user", "AuthenticateUser", role="host")), "//use:sessionTicket")[0]


def _ticket_security(c: RefClient, ticket: str) -> str:
    return f"<webExID>host1</webExID><sessionTicket>{ticket}</sessionTicket><siteName>refsite</siteName>"


# -- checks: fn(client) asserts; named by Defect.tests ------------------------------------

def authenticateuser_ticket_signs_in(c: RefClient) -> None:
    ticket = _ticket(c)
    root = c.post(c.envelope("user", "GetUser", "", security=_ticket_security(c, ticket)))
    assert texts(ok(root), "/*/*/*/use:webExId") == ["host1"]
    assert exception_id(c.post(c.envelope("user", "GetUser", "", security=_ticket_security(c, ticket + "x")))) \
        == "030047"


def authenticateuser_unknown_token_refused(c: RefClient) -> None:
    security = "<webExID>host1</webExID><siteName>refsite</siteName>"
    good = c.post(c.envelope("user", "AuthenticateUser", f"<accessToken>{c.srv.info['accessToken']}</accessToken>",
                             security=security))
    assert ok(good) is not None and texts(good, "//use:timeToLive") == ["5400"]
    bad = c.post(c.envelope("user", "AuthenticateUser", "<accessToken>not-ours</accessToken>", security=security))
    assert exception_id(bad) == "030048"


def getloginurluser_own_only(c: RefClient) -> None:
    url = texts(ok(c.call("user", "GetloginurlUser", "<webExID>host1</webExID>", role="host")), "//use:userLoginURL")
    assert len(url) == 1 and "WID=host1" in url[0]
    assert exception_id(c.call("user", "GetloginurlUser", "<webExID>host2</webExID>", role="host")) == "000001"
    assert ok(c.call("user", "GetloginurlUser", "<webExID>host2</webExID>", role="admin")) is not None


def gethosturlmeeting_host_only(c: RefClient) -> None:
    key = c.values["sessions.meeting"]
    urls = texts(ok(c.call("meeting", "GethosturlMeeting", f"<meetingKey>{key}</meetingKey>", role="host")),
                 "//meet:hostMeetingURL")
    assert len(urls) == 1 and key in urls[0]
    assert exception_id(c.call("meeting", "GethosturlMeeting", f"<meetingKey>{key}</meetingKey>", role="host2")) \
        == "000001"


def getjoinurlmeeting_names_the_meeting(c: RefClient) -> None:
    key = c.values["sessions.meeting"]
    root = ok(c.call("meeting", "GetjoinurlMeeting", f"<meetingKey>{key}</meetingKey><attendeeName>Ann Lee"
                                                     f"</attendeeName>", role="host2"))
    join = texts(root, "//meet:joinMeetingURL")[0]
    assert f"MK={key}&" in join and "AN=Ann%20Lee" in join
    assert texts(root, "//meet:inviteMeetingURL")


def _teleconference(c: RefClient, name: str) -> str:
    body = (f"<accessControl><listing>PUBLIC</listing><sessionPassword>Tc1234</sessionPassword></accessControl>"
            f"<metaData><confName>{name}</confName></metaData>"
            f"<schedule><startDate>12/01/2030 10:00:00</startDate><duration>30</duration></schedule>"
            f"<fullAccessAttendees><attendee><name>Ann</name><email>ann@example.com</email></attendee>"
            f"</fullAccessAttendees>")
    return texts(ok(c.call("meeting.auo", "CreateTeleconferenceSession", body)), "//auo:sessionKey")[0]


def teleconferencesession_create_get_delete(c: RefClient) -> None:
    key = _teleconference(c, "dial-in one")
    got = ok(c.call("meeting.auo", "GetTeleconferenceSession", f"<sessionKey>{key}</sessionKey>"))
    assert texts(got, "//auo:confName") == ["dial-in one"]
    assert texts(got, "//auo:fullAccessAttendees/auo:attendee/auo:email") == ["ann@example.com"]
    assert texts(got, "//auo:schedule/auo:duration") == ["30"]
    ok(c.call("meeting.auo", "DelTeleconferenceSession", f"<sessionKey>{key}</sessionKey>"))
    assert exception_id(c.call("meeting.auo", "GetTeleconferenceSession", f"<sessionKey>{key}</sessionKey>")) \
        == "060001"


def teleconferencesession_set_then_get(c: RefClient) -> None:
    key = _teleconference(c, "dial-in two")
    ok(c.call("meeting.auo", "SetTeleconferenceSession",
              f"<sessionKey>{key}</sessionKey><metaData><confName>renamed</confName></metaData>"))
    got = c.call("meeting.auo", "GetTeleconferenceSession", f"<sessionKey>{key}</sessionKey>")
    assert texts(got, "//auo:confName") == ["renamed"]


def lstmeetingtype_shape(c: RefClient) -> None:
    root = ok(c.call("meetingtype", "LstMeetingType", role="host"))
    types = root.findall(".//mtgtype:meetingType", NS)
    assert len(types) == 3 and texts(root, "//mtgtype:matchingRecords/serv:total") == ["3"]
    for t in types:
        names = [etree.QName(e).localname for e in t]
        assert names[:5] == ["productCodePrefix", "active", "name", "displayName", "limits"]
        assert names[-2:] == ["meetingTypeID", "serviceTypes"]
    assert texts(root, "//mtgtype:meetingType/mtgtype:meetingTypeID") == texts(
        ok(c.call("user", "GetUser", role="host")), "//use:meetingTypes/use:meetingType")


def getsiteadminnavurl_by_type(c: RefClient) -> None:
    reports = texts(ok(c.call("site", "GetSiteAdminNavUrl", "<type>Report</type>", role="admin")),
                    "//ns1:siteAdminNavUrl/ns1:type")
    configs = texts(ok(c.call("site", "GetSiteAdminNavUrl", "<type>siteConfig</type>", role="admin")),
                    "//ns1:siteAdminNavUrl/ns1:type")
    assert reports and set(reports) == {"Report"} and configs and set(configs) == {"SiteConfig"}
    assert exception_id(c.call("site", "GetSiteAdminNavUrl", "", role="host")) == "000001"


def setsite_securityoptions(c: RefClient) -> None:
    before = texts(ok(c.call("site", "GetSite", role="admin")), "//ns1:securityOptions/ns1:allMeetingsUnlisted")
    assert before == ["false"]
    ok(c.call("site", "SetSite", "<siteInstance><securityOptions><allMeetingsUnlisted>true</allMeetingsUnlisted>"
                                 "</securityOptions></siteInstance>", role="admin"))
    after = c.call("site", "GetSite", role="admin")
    assert texts(after, "//ns1:securityOptions/ns1:allMeetingsUnlisted") == ["true"]
    assert texts(after, "//ns1:securityOptions/ns1:allMeetingsPassword") == ["true"]   # untouched stays


def setsite_settings(c: RefClient) -> None:
    path = "//ns1:siteInstance/ns1:tools/ns1:recordingEditor"
    assert texts(ok(c.call("site", "GetSite", role="admin")), path) == ["true"]
    ok(c.call("site", "SetSite", "<siteInstance><tools><recordingEditor>false</recordingEditor></tools>"
                                 "<video><maxBandwidth>HIGH</maxBandwidth></video></siteInstance>", role="admin"))
    after = c.call("site", "GetSite", role="admin")
    assert texts(after, path) == ["false"]
    assert texts(after, "//ns1:siteInstance/ns1:video/ns1:maxBandwidth") == ["HIGH"]
    assert texts(after, "//ns1:siteInstance/ns1:tools/ns1:recordingAndPlayback") == ["true"]   # untouched stays


def lstmeetingattendee_as_sent(c: RefClient) -> None:
    key = c.values["sessions.webinar"]
    ok(c.call("attendee", "CreateMeetingAttendee", f"<person><name>Bo Sent</name><email>bo@example.com</email>"
                                                   f"</person><sessionKey>{key}</sessionKey><joinStatus>ACCEPT"
                                                   f"</joinStatus>"))
    root = ok(c.call("attendee", "LstMeetingAttendee", f"<meetingKey>{key}</meetingKey>"))
    mine = [a for a in root.findall(".//att:attendee", NS) if a.findtext("att:person/com:email", namespaces=NS)
            == "bo@example.com"]
    assert len(mine) == 1
    assert mine[0].findtext("att:person/com:name", namespaces=NS) == "Bo Sent"
    assert mine[0].findtext("att:joinStatus", namespaces=NS) == "ACCEPT"


def delmeetingattendee_removes(c: RefClient) -> None:
    key = c.values["sessions.webinar"]
    ok(c.call("attendee", "CreateMeetingAttendee", f"<person><name>Cy Gone</name><email>cy@example.com</email>"
                                                   f"</person><sessionKey>{key}</sessionKey>"))
    ok(c.call("attendee", "DelMeetingAttendee", f"<attendeeEmail><email>cy@example.com</email>"
                                                f"<sessionKey>{key}</sessionKey></attendeeEmail>"))
    root = c.call("attendee", "LstMeetingAttendee", f"<meetingKey>{key}</meetingKey>")
    assert "cy@example.com" not in texts(root, "//att:attendee/att:person/com:email")


def lstsummaryevent_own_events(c: RefClient) -> None:
    mine = texts(ok(c.call("event", "LstsummaryEvent", role="host")), "//event:event/event:hostWebExID")
    assert mine and set(mine) == {"host1"}
    assert exception_id(c.call("event", "LstsummaryEvent", role="host2")) == "000015"


def lstmeetingattendeehistory_own_meetings(c: RefClient) -> None:
    root = ok(c.call("history", "LstmeetingattendeeHistory", role="host"))
    assert len(texts(root, "//history:meetingAttendeeHistory/history:email")) == 6
    assert exception_id(c.call("history", "LstmeetingattendeeHistory", role="host2")) == "000015"


def setmeeting_options_then_getmeeting(c: RefClient) -> None:
    key = c.values["sessions.meeting"]
    before = ok(c.call("meeting", "GetMeeting", f"<meetingKey>{key}</meetingKey>"))
    assert texts(before, "//meet:enableOptions/meet:chat") == ["true"]
    ok(c.call("meeting", "SetMeeting", f"<meetingkey>{key}</meetingkey><enableOptions><chat>FALSE</chat>"
                                       f"<poll>false</poll></enableOptions><participants><maxUserNumber>25"
                                       f"</maxUserNumber></participants>"))
    after = c.call("meeting", "GetMeeting", f"<meetingKey>{key}</meetingKey>")
    assert texts(after, "//meet:enableOptions/meet:chat") == ["false"]
    assert texts(after, "//meet:enableOptions/meet:poll") == ["false"]
    assert texts(after, "//meet:participants/meet:maxUserNumber") == ["25"]
    assert texts(after, "//meet:enableOptions/meet:audioVideo") == ["true"]


def setuser_options_then_getuser(c: RefClient) -> None:
    ok(c.call("user", "SetUser", "<webExId>host1</webExId><options><emailVisible>false</emailVisible></options>"
                                 "<sessionOptions><defaultSessionType>11</defaultSessionType></sessionOptions>"))
    root = c.call("user", "GetUser", "<webExId>host1</webExId>")
    assert texts(root, "//use:options/use:emailVisible") == ["false"]
    assert texts(root, "//use:sessionOptions/use:defaultSessionType") == ["11"]
    assert texts(root, "//use:options/use:titleVisible") == ["true"]


CHECKS = {fn.__name__: fn for fn in (
    authenticateuser_ticket_signs_in, authenticateuser_unknown_token_refused, getloginurluser_own_only,
    gethosturlmeeting_host_only, getjoinurlmeeting_names_the_meeting, teleconferencesession_create_get_delete,
    teleconferencesession_set_then_get, lstmeetingtype_shape, getsiteadminnavurl_by_type, setsite_securityoptions, setsite_settings,
    lstmeetingattendee_as_sent, delmeetingattendee_removes, lstsummaryevent_own_events,
    lstmeetingattendeehistory_own_meetings, setmeeting_options_then_getmeeting, setuser_options_then_getuser)}
BY_TEST = sorted((d.name, t) for d in DEFECTS.values() for t in d.tests)


def test_every_defect_without_cases_names_existing_checks_and_every_check_is_named():
    assert all(d.cases or d.tests or d.boundary for d in DEFECTS.values())
    named = {t for _, t in BY_TEST}
    assert named <= set(CHECKS), sorted(named - set(CHECKS))
    assert set(CHECKS) <= named, sorted(set(CHECKS) - named)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_check_passes_against_the_clean_server(ref_fresh, name):
    CHECKS[name](ref_fresh(VERSION))


@pytest.mark.parametrize("defect,check", BY_TEST)
def test_defect_is_caught_by_its_check(ref_fresh, defect, check):
    c = ref_fresh(DEFECTS[defect].version, (defect,))
    with pytest.raises(AssertionError):
        CHECKS[check](c)


@pytest.mark.parametrize("version", ["11.0.0 SP10", "39.1.0", VERSION])
def test_the_new_apis_answers_are_valid_at_every_era(ref_servers, version):
    c = ref_servers(version)
    key = c.values["sessions.meeting"]
    calls = [("user", "AuthenticateUser", "", "host"), ("user", "GetLoginTicket", "", "host"),
             ("user", "GetloginurlUser", "", "host"), ("meeting", "GethosturlMeeting", f"<meetingKey>{key}</meetingKey>",
                                                        "host"),
             ("meeting", "GetjoinurlMeeting", f"<meetingKey>{key}</meetingKey>", "host"),
             ("meeting.auo", "GetTeleconferenceSession",
              f"<sessionKey>{c.values['sessions.teleconference']}</sessionKey>", "host"),
             ("meetingtype", "LstMeetingType", "", "host"), ("site", "GetSiteAdminNavUrl", "", "admin"),
             ("ep", "FlushWebCache", "", "admin"), ("event", "LstsummaryEvent", "", "host"),
             ("history", "LstmeetingattendeeHistory", "", "host"), ("history", "LsteventattendeeHistory", "", "host"),
             ("history", "LsteventsessionHistory", "", "host"), ("meeting", "GetMeeting", f"<meetingKey>{key}</meetingKey>",
                                                               "host"),
             ("user", "GetUser", "", "host"), ("site", "GetSite", "", "host")]
    for service, api, body, role in calls:
        root = ok(c.call(service, api, body, role=role))
        assert_valid(root, version)
        assert re.fullmatch(r"\w+:\w+Response", root.find(".//serv:bodyContent", NS).get("{%s}type" % NS["xsi"]))


def test_delmeeting_deletes_a_teleconference_only_session(ref_fresh):
    # the vendor schema gives teleconference-only sessions no delete of their own
    c = ref_fresh(VERSION)
    key = _teleconference(c, "dial-in three")
    ok(c.call("meeting", "DelMeeting", f"<meetingKey>{key}</meetingKey>"))
    assert exception_id(c.call("meeting.auo", "GetTeleconferenceSession", f"<sessionKey>{key}</sessionKey>")) \
        == "060001"
    other = _teleconference(c, "dial-in four")
    assert exception_id(c.call("meeting", "DelMeeting", f"<meetingKey>{other}</meetingKey>", role="host2")) \
        == "000001"
