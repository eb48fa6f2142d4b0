"""The reference server's event service (Webex Events classic), over HTTP.

Covers the documented changes of conformance/server/handlers/event.py (SP20 Webex Video
elements, 39.3.0 displayMeetingUrl and 1024 description limit, 39.8.0 2500 limit, 39.9.0
video-device default, 42.5.0 suspended site) and that every answer is valid against its
version's schema.
"""
from __future__ import annotations

import pytest

from conformance.server.handlers import event
from refclient import ServiceClient, assert_pages, assert_valid, exception_id, reason, result, xp, assert_suspended_rule

VIDEO = ("isCETMeeting", "sipURL", "standaloneDialingIPAddress", "panelistNumericPassword")


@pytest.fixture(scope="module")
def servers(ref_servers):
    """The event service of a pooled reference server, called as host1 unless told."""
    return ref_servers.bind("event")


def event_body(name: str = "unit event", description: str = "about it", telephony: str = "CALLIN") -> str:
    return (f"<accessControl><listing>PUBLIC</listing><sessionPassword>Ev1234xy</sessionPassword></accessControl>"
            f"<metaData><sessionName>{name}</sessionName><description>{description}</description></metaData>"
            f"<schedule><startDate>12/01/2030 10:00:00</startDate><timeZoneID>4</timeZoneID>"
            f"<duration>90</duration></schedule>"
            f"<telephony><telephonySupport>{telephony}</telephonySupport></telephony>")


def create(server: ServiceClient, site: str = "main", **kw) -> str:
    root = server.call("CreateEvent", event_body(**kw), site=site)
    assert result(root) == "SUCCESS", reason(root)
    return xp(root, "string(//event:sessionKey)")


def get(server: ServiceClient, key: str, role: str = "host", site: str = "main"):
    return server.call("GetEvent", f"<sessionKey>{key}</sessionKey>", role=role, site=site)


def set_event(server: ServiceClient, key: str, inner: str, site: str = "main"):
    return server.call("SetEvent", f"{inner}<sessionKey>{key}</sessionKey>", site=site)


# -- create / get / set / delete ------------------------------------------------------------------

def test_create_then_get_returns_what_was_scheduled(servers):
    s = servers("42.6.0")
    created = s.call("CreateEvent", event_body(name="town hall"))
    assert result(created) == "SUCCESS"
    assert_valid(created, "42.6.0")
    key = xp(created, "string(//event:sessionKey)")
    root = get(s, key)
    assert xp(root, "string(//event:sessionName)") == "town hall"
    assert xp(root, "string(//event:description)") == "about it"
    assert xp(root, "string(//event:startDate)") == "12/01/2030 10:00:00"
    assert xp(root, "string(//event:duration)") == "90"
    assert xp(root, "string(//event:sessionKey)") == key
    assert_valid(root, "42.6.0")


def test_set_changes_only_what_it_names_and_delete_removes(servers):
    s = servers("42.6.0")
    key = create(s, description="keep me")
    root = set_event(s, key, "<metaData><sessionName>renamed</sessionName></metaData>")
    assert result(root) == "SUCCESS"
    assert_valid(root, "42.6.0")
    got = get(s, key)
    assert (xp(got, "string(//event:sessionName)"), xp(got, "string(//event:description)")) == ("renamed", "keep me")
    assert result(s.call("DelEvent", f"<sessionKey>{key}</sessionKey>")) == "SUCCESS"
    assert exception_id(get(s, key)) == "060001"


def test_access_and_bad_input(servers):
    s = servers("42.6.0")
    key = create(s)
    assert exception_id(get(s, key, role="host2")) == "000001"
    assert result(get(s, key, role="admin")) == "SUCCESS"
    assert exception_id(s.call("CreateEvent", event_body(), role="attendee")) == "000001"
    nameless = s.call("CreateEvent", event_body(name=""))
    assert exception_id(nameless) == "999999" and "sessionName" in reason(nameless)
    bad_audio = s.call("CreateEvent", event_body(telephony="SMOKE SIGNALS"))
    assert exception_id(bad_audio) == "999999" and "\n" not in reason(bad_audio)
    for key_text in ("", "abc", "880000002"):  # 880000002 is a meeting, not an event
        assert exception_id(get(s, key_text)) == "060001"


# -- 39.3.0 / 39.8.0: description limits ----------------------------------------------------------

@pytest.mark.parametrize("version, limit", [
    ("11.0.0 SP22", None), ("39.2.0", None), ("39.3.0", 1024), ("39.5.0", 1024), ("39.8.0", 2500), ("42.6.0", 2500),
])
def test_description_limit_by_version(servers, version, limit):
    s = servers(version)
    length = limit or 3000
    key = create(s, description="a" * length)
    assert xp(get(s, key), "string-length(//event:description)") == length
    assert result(set_event(s, key, f"<metaData><description>{'b' * length}</description></metaData>")) == "SUCCESS"
    over = "c" * (length + 1)
    for root in (s.call("CreateEvent", event_body(description=over)),
                 set_event(s, key, f"<metaData><description>{over}</description></metaData>")):
        if limit is None:
            assert result(root) == "SUCCESS"
        else:
            assert (result(root), exception_id(root)) == ("FAILURE", "060067")
            assert reason(root) == event.DESCRIPTION_REASON.format(limit=limit)


def test_the_1024_reason_is_the_documented_text(servers):
    root = servers("39.3.0").call("CreateEvent", event_body(description="d" * 1025))
    assert reason(root) == ("Illegal input description. The description can't exceed the maximum display "
                            "characters's length 1024.")


# -- SP20 / 39.3.0: Webex Video elements and displayMeetingUrl ----------------------------------------

def video_elements(root) -> dict[str, str]:
    return {name: xp(root, f"string(//event:{name})") for name in VIDEO if xp(root, f"//event:{name}")}


@pytest.mark.parametrize("version", ["11.0.0 SP18", "11.0.0 SP20", "39.2.0", "39.3.0", "42.6.0"])
def test_webex_video_event_by_version(servers, version):
    s = servers(version)
    root = get(s, s.srv.values["sessions.cet_event"])
    sp20, v393 = version not in ("11.0.0 SP18",), version in ("39.3.0", "42.6.0")
    if sp20:
        assert video_elements(root) == {"isCETMeeting": "true", "sipURL": "770000001@refsite.webex.com",
                                        "standaloneDialingIPAddress": "192.0.2.10", "panelistNumericPassword": "4711"}
    else:
        assert video_elements(root) == {}
    assert xp(root, "string(//event:displayMeetingUrl)") == ("770000001@webex.com" if v393 else "")
    assert_valid(root, version)


def test_an_event_without_video_has_none_of_the_elements(servers):
    s = servers("42.6.0")
    root = get(s, s.srv.values["sessions.event"])
    assert video_elements(root) == {} and xp(root, "//event:displayMeetingUrl") == []
    assert_valid(root, "42.6.0")


# -- 39.9.0: video-device default ------------------------------------------------------------------

@pytest.mark.parametrize("version, telephony, video", [
    ("39.8.0", "CALLIN", False), ("39.9.0", "CALLIN", True), ("39.9.0", "NONE", False), ("42.6.0", "OTHER", False),
])
def test_video_device_default_from_39_9(servers, version, telephony, video):
    s = servers(version)
    key = create(s, telephony=telephony)
    root = get(s, key)
    found = video_elements(root)
    if video:
        assert found["isCETMeeting"] == "true" and found["sipURL"] == f"{key}@refsite.webex.com"
        assert found["panelistNumericPassword"].isdigit()
        assert xp(root, "string(//event:displayMeetingUrl)") == f"{key}@webex.com"
    else:
        assert found == {}
    assert_valid(root, version)


def test_set_event_audio_switches_video_off_and_on(servers):
    s = servers("42.6.0")
    key = create(s)
    for telephony, video in (("NONE", False), ("CALLBACK", True)):
        set_event(s, key, f"<telephony><telephonySupport>{telephony}</telephonySupport></telephony>")
        assert bool(video_elements(get(s, key))) is video


# -- 42.5.0: suspended site ------------------------------------------------------------------------

@pytest.mark.parametrize("version, refused", [("42.4.0", False), ("42.5.0", True), ("42.6.0", True)])
def test_suspended_site_refuses_events_from_42_5(servers, version, refused):
    s = servers(version)
    seeded = s.srv.values["sessions.suspended_event"]
    assert result(get(s, seeded, site="suspended")) == "SUCCESS"
    answers = [s.call("CreateEvent", event_body(), site="suspended"),
               set_event(s, seeded, "<metaData><sessionName>renamed</sessionName></metaData>", site="suspended")]
    assert_suspended_rule(answers, refused, version)


def test_suspended_defect_lets_an_event_through(servers):
    s = servers("42.6.0", ("suspended-event-create-allowed",))
    assert result(s.call("CreateEvent", event_body(), site="suspended")) == "SUCCESS"


# -- SP21: autoRecord is for Webex Meetings only -------------------------------------------------

@pytest.mark.parametrize("version", ["11.0.0 SP20", "11.0.0 SP21", "42.6.0"])
def test_get_event_never_carries_autorecord_unless_the_defect_leaks_it(servers, version):
    s = servers(version)
    assert xp(get(s, create(s)), "count(//*[local-name()='autoRecord'])") == 0
    leaky = servers(version, ("event-autorecord-returned",))
    found = xp(get(leaky, create(leaky)), "count(//*[local-name()='autoRecord'])")
    assert found == (0 if version == "11.0.0 SP20" else 1)


def test_lstsummaryevent_pages_edges(servers):
    s = servers("42.6.0")
    for i in range(3):
        create(s)
    assert assert_pages(lambda body: s.call("LstsummaryEvent", body), "//event:event", "//event:matchingRecords") >= 3
