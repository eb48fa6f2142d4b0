"""The reference server's training and support sessions, over HTTP.

Covers the documented changes of conformance/server/handlers/training.py and support.py
(SP11 attendeeSendVideo, 39.1.0 HQ/HD, 39.3.0/39.8.0 description limits, 42.5.0
suspended site) and that every answer is valid against its version's schema.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conformance.cases import load_cases
from conformance.server.handlers import support, training
from refclient import RefClient, assert_valid, exception_id, reason, result, xp

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def servers(ref_servers):
    return ref_servers


def create_body(description: str = "short", options: str = "", name: str = "unit test") -> str:
    return (f"<schedule><startDate>12/01/2030 10:00:00</startDate><duration>45</duration></schedule>"
            f"<metaData><confName>{name}</confName><description>{description}</description></metaData>"
            f"<enableOptions>{options}</enableOptions>")


def create(server: RefClient, **kw) -> str:
    root = server.call("training", "CreateTrainingSession", create_body(**kw))
    assert result(root) == "SUCCESS", reason(root)
    return xp(root, "string(//train:sessionkey)")


def get(server: RefClient, key: str, role: str = "host"):
    return server.call("training", "GetTrainingSession", f"<sessionKey>{key}</sessionKey>", role=role)


# -- create / get round trip ------------------------------------------------------------

def test_create_then_get_returns_what_was_scheduled(servers):
    s = servers("42.6.0")
    key = create(s, description="about XML", name="round trip")
    root = get(s, key)
    assert result(root) == "SUCCESS"
    assert xp(root, "string(//sess:confName)") == "round trip"
    assert xp(root, "string(//train:description)") == "about XML"
    assert xp(root, "string(//sess:startDate)") == "12/01/2030 10:00:00"
    assert xp(root, "string(//sess:duration)") == "45"
    assert xp(root, "string(//train:sessionKey)") == key
    assert_valid(root, "42.6.0")


def test_keys_come_from_the_training_counter_and_are_unique(servers):
    s = servers("42.6.0")
    keys = {create(s) for _ in range(3)}
    assert len(keys) == 3
    assert all(training.KEY_COUNTER[1] < int(k) < training.KEY_COUNTER[1] + 1000000 for k in keys)


def test_support_keys_come_from_their_own_counter(servers):
    s = servers("42.6.0")
    root = s.call("support", "CreateSupportSession", "<metaData><confName>counter</confName></metaData>")
    key = int(xp(root, "string(//sc:sessionKey)"))
    assert support.KEY_COUNTER[1] <= key < support.KEY_COUNTER[1] + 1000000
    assert len({training.KEY_COUNTER[0], support.KEY_COUNTER[0], "session_key"}) == 3


def test_suspended_training_value_names_a_training_session_on_the_suspended_site(servers):
    s = servers("42.4.0")
    key = s.srv.values["sessions.suspended_training"]
    root = s.call("training", "GetTrainingSession", f"<sessionKey>{key}</sessionKey>", site="suspended")
    assert result(root) == "SUCCESS"
    assert result(get(s, key)) == "FAILURE"  # not on the main site


# -- access and bad input ----------------------------------------------------------------

def test_an_attendee_account_cannot_schedule(servers):
    root = servers("42.6.0").call("training", "CreateTrainingSession", create_body(), role="attendee")
    assert (result(root), exception_id(root)) == ("FAILURE", "000001")


def test_another_host_cannot_read_the_session_but_an_admin_can(servers):
    s = servers("42.6.0")
    key = create(s)
    assert exception_id(get(s, key, role="host2")) == "000001"
    assert result(get(s, key, role="admin")) == "SUCCESS"


@pytest.mark.parametrize("key", ["999", "not-a-key", ""])
def test_unknown_session_is_060001(servers, key):
    root = get(servers("42.6.0"), key)
    assert (result(root), exception_id(root)) == ("FAILURE", "060001")


def test_a_bad_number_is_a_one_line_failure(servers):
    body = "<metaData><confName>x</confName></metaData><schedule><duration>long</duration></schedule>"
    root = servers("42.6.0").call("training", "CreateTrainingSession", body)
    assert exception_id(root) == "999999"
    assert "duration" in reason(root) and "\n" not in reason(root)


def test_a_bad_date_is_a_one_line_failure(servers):
    body = "<metaData><confName>x</confName></metaData><schedule><startDate>tomorrow</startDate></schedule>"
    root = servers("42.6.0").call("training", "CreateTrainingSession", body)
    assert exception_id(root) == "999999" and "MM/DD/YYYY" in reason(root)


@pytest.mark.parametrize("name", ["", "x" * 129])
@pytest.mark.parametrize("version, refused", [("11.0.0 SP10", False), ("11.0.0 SP11", True), ("42.6.0", True)])
def test_conference_name_empty_or_over_128_is_060065_from_sp11(servers, name, version, refused):
    """The SP11 rule CreateMeeting follows: before SP11 no name rule exists."""
    root = servers(version).call("training", "CreateTrainingSession", create_body(name=name))
    if refused:
        assert (result(root), exception_id(root)) == ("FAILURE", "060065")
        assert reason(root).startswith("Illegal input conference name")
    else:
        assert result(root) == "SUCCESS", reason(root)


@pytest.mark.parametrize("defect, name", [("training-confname-limit-129", "x" * 129),
                                           ("training-confname-empty-accepted", "")])
def test_confname_defects_let_the_illegal_name_through_create_and_set(servers, defect, name):
    s = servers("42.6.0", (defect,))
    root = s.call("training", "CreateTrainingSession", create_body(name=name))
    assert result(root) == "SUCCESS", reason(root)
    key = create(s)
    body = f"<sessionKey>{key}</sessionKey><metaData><confName>{name}</confName></metaData>"
    assert result(s.call("training", "SetTrainingSession", body)) == "SUCCESS"


@pytest.mark.parametrize("version", ["11.0.0 SP20", "11.0.0 SP21", "42.6.0"])
def test_get_training_session_never_carries_autorecord(servers, version):
    """SP21: autoRecord applies to Webex Meetings only."""
    s = servers(version)
    root = get(s, create(s))
    assert result(root) == "SUCCESS"
    assert xp(root, "count(//*[local-name()='autoRecord'])") == 0
    leaky = servers(version, ("training-autorecord-returned",))
    found = xp(get(leaky, create(leaky)), "count(//*[local-name()='autoRecord'])")
    assert found == (1 if version != "11.0.0 SP20" else 0)


@pytest.mark.parametrize("version, refused", [("11.0.0 SP10", False), ("11.0.0 SP11", True), ("42.6.0", True)])
def test_support_session_name_over_128_display_characters_is_060065_from_sp11(servers, version, refused):
    s = servers(version)
    for name, over in (("\u00e9" * 128, False), ("\u00e9" * 129, refused), ("", refused)):
        root = s.call("support", "CreateSupportSession", f"<metaData><confName>{name}</confName></metaData>")
        if over:
            assert (result(root), exception_id(root)) == ("FAILURE", "060065"), (version, len(name))
        else:
            assert result(root) == "SUCCESS", (version, len(name), reason(root))
    unnamed = s.call("support", "CreateSupportSession", "")
    assert result(unnamed) == "SUCCESS"  # no confName at all: the host's default name


@pytest.mark.parametrize("element, value", [
    ("duration", "99999999999999999999"), ("duration", "-5"), ("duration", "\u00b2"),
    ("timeZoneID", "-99"), ("timeZoneID", "99999999999999999999"),
])
def test_out_of_range_numbers_are_a_one_line_999999(servers, element, value):
    s = servers("42.6.0")
    key = create(s)
    schedule = f"<schedule><{element}>{value}</{element}></schedule>"
    for api, body in (("CreateTrainingSession", f"<metaData><confName>x</confName></metaData>{schedule}"),
                      ("SetTrainingSession", f"<sessionKey>{key}</sessionKey>{schedule}")):
        root = s.call("training", api, body)
        assert (result(root), exception_id(root)) == ("FAILURE", "999999"), (api, reason(root))
        assert element in reason(root) and "\n" not in reason(root)


def test_minus_one_means_the_default_time_zone(servers):
    s = servers("42.6.0")
    root = s.call("training", "CreateTrainingSession",
                  "<metaData><confName>x</confName></metaData><schedule><timeZoneID>-1</timeZoneID></schedule>")
    assert xp(get(s, xp(root, "string(//train:sessionkey)")), "string(//sess:timeZoneID)") == "4"


@pytest.mark.parametrize("key", ["99999999999999999999", "\u00b2"])
def test_a_key_sqlite_cannot_hold_is_not_found(servers, key):
    assert exception_id(get(servers("42.6.0"), key)) == "060001"


# -- description limits (39.3.0: 1024, 39.8.0: 2500) ------------------------------------------

@pytest.mark.parametrize("version, length, limit", [
    ("11.0.0 SP22", 5000, None),
    ("39.1.0", 3000, None),
    ("39.3.0", 1024, 1024),
    ("39.5.0", 1024, 1024),
    ("39.8.0", 2500, 2500),
    ("42.6.0", 2500, 2500),
])
def test_description_limit_by_version(servers, version, length, limit):
    s = servers(version)
    key = create(s, description="a" * length)          # at the limit (or with none): accepted
    set_root = s.call("training", "SetTrainingSession",
                      f"<sessionKey>{key}</sessionKey><metaData><description>{'b' * length}</description></metaData>")
    assert result(set_root) == "SUCCESS"
    assert xp(get(s, key), "string-length(//train:description)") == length
    over = "c" * (length + 1)
    for api, body in (("CreateTrainingSession", create_body(description=over)),
                      ("SetTrainingSession", f"<sessionKey>{key}</sessionKey><metaData><description>{over}"
                                             f"</description></metaData>")):
        root = s.call("training", api, body)
        if limit is None:
            assert result(root) == "SUCCESS"
        else:
            assert (result(root), exception_id(root)) == ("FAILURE", "060067")
            assert reason(root).startswith("Illegal input description") and str(limit) in reason(root)


def test_set_without_description_keeps_it(servers):
    s = servers("42.6.0")
    key = create(s, description="keep me")
    s.call("training", "SetTrainingSession", f"<sessionKey>{key}</sessionKey><metaData><confName>renamed</confName>"
                                             "</metaData>")
    root = get(s, key)
    assert xp(root, "string(//train:description)") == "keep me"
    assert xp(root, "string(//sess:confName)") == "renamed"


# -- HQ/HD (39.1.0) ---------------------------------------------------------------------------

def hqhd(root) -> tuple[str, str]:
    return xp(root, "string(//train:HQvideo)"), xp(root, "string(//train:HDvideo)")


def test_before_39_1_hq_hd_requests_are_honoured(servers):
    s = servers("11.0.0 SP22")
    key = create(s, options="<HQvideo>false</HQvideo><HDvideo>true</HDvideo>")
    assert hqhd(get(s, key)) == ("false", "true")
    s.call("training", "SetTrainingSession", f"<sessionKey>{key}</sessionKey>"
                                             "<enableOptions><HQvideo>true</HQvideo></enableOptions>")
    assert hqhd(get(s, key)) == ("true", "true")


@pytest.mark.parametrize("site_level", [True, False])
def test_from_39_1_the_site_decides_and_get_still_returns_both(servers, site_level):
    facts = {"HQvideo": site_level, "HDvideo": site_level}
    s = servers("39.1.0", site_overrides={"main": {"facts": facts}})
    expected = ("true", "true") if site_level else ("false", "false")
    key = create(s, options=f"<HQvideo>{str(not site_level).lower()}</HQvideo>"
                            f"<HDvideo>{str(not site_level).lower()}</HDvideo>")
    assert hqhd(get(s, key)) == expected
    s.call("training", "SetTrainingSession", f"<sessionKey>{key}</sessionKey><enableOptions>"
                                             f"<HQvideo>{str(not site_level).lower()}</HQvideo></enableOptions>")
    root = get(s, key)
    assert hqhd(root) == expected
    assert_valid(root, "39.1.0")


# -- attendeeSendVideo (SP11) -------------------------------------------------------------------

def test_attendee_send_video_round_trips_from_sp11(servers):
    s = servers("11.0.0 SP11")
    key = create(s, options="<attendeeSendVideo>true</attendeeSendVideo>")
    assert xp(get(s, key), "string(//train:attendeeSendVideo)") == "true"
    s.call("training", "SetTrainingSession", f"<sessionKey>{key}</sessionKey>"
                                             "<enableOptions><attendeeSendVideo>false</attendeeSendVideo></enableOptions>")
    root = get(s, key)
    assert xp(root, "string(//train:attendeeSendVideo)") == "false"
    assert_valid(root, "11.0.0 SP11")


def test_attendee_send_video_defaults_to_false_and_is_kept_by_set_without_it(servers):
    s = servers("42.6.0")
    key = create(s)
    assert xp(get(s, key), "string(//train:attendeeSendVideo)") == "false"
    s.call("training", "SetTrainingSession", f"<sessionKey>{key}</sessionKey>"
                                             "<enableOptions><attendeeSendVideo>true</attendeeSendVideo></enableOptions>")
    s.call("training", "SetTrainingSession", f"<sessionKey>{key}</sessionKey><metaData><confName>y</confName></metaData>")
    assert xp(get(s, key), "string(//train:attendeeSendVideo)") == "true"


def test_attendee_send_video_is_absent_before_sp11(servers):
    s = servers("11.0.0 SP10")
    key = create(s, options="<attendeeSendVideo>true</attendeeSendVideo>")
    root = get(s, key)
    assert result(root) == "SUCCESS"
    assert xp(root, "//train:attendeeSendVideo") == []
    assert_valid(root, "11.0.0 SP10")


# -- suspended site (42.5.0) ---------------------------------------------------------------------

@pytest.mark.parametrize("version, refused", [("42.4.0", False), ("42.5.0", True), ("42.6.0", True)])
def test_suspended_site_refuses_training_and_support_from_42_5(servers, version, refused):
    s = servers(version)
    key = s.srv.values["sessions.suspended_training"]
    answers = [
        s.call("training", "CreateTrainingSession", create_body(), site="suspended"),
        s.call("training", "SetTrainingSession", f"<sessionKey>{key}</sessionKey>", site="suspended"),
        s.call("support", "CreateSupportSession", "<metaData><confName>s</confName></metaData>", site="suspended"),
    ]
    for root in answers:
        if refused:
            assert (result(root), exception_id(root), reason(root)) == ("FAILURE", "010107", "The site is suspended")
        else:
            assert result(root) == "SUCCESS"
            assert_valid(root, version)


def test_the_main_site_still_schedules_at_42_6(servers):
    s = servers("42.6.0")
    root = s.call("support", "CreateSupportSession", "<metaData><confName>help</confName></metaData>")
    assert result(root) == "SUCCESS" and xp(root, "string(//sc:sessionKey)").isdigit()
    assert_valid(root, "42.6.0")


def test_del_training_session_removes_it(servers):
    s = servers("42.6.0")
    key = create(s)
    assert result(s.call("training", "DelTrainingSession", f"<sessionKey>{key}</sessionKey>")) == "SUCCESS"
    assert exception_id(get(s, key)) == "060001"


# -- defects ---------------------------------------------------------------------------------------

def test_each_defect_names_cases_that_exist():
    ids = {c.id for c in load_cases(REPO / "cases").cases}
    for d in [*training.DEFECTS, *support.DEFECTS]:
        assert (d.cases or d.tests) and set(d.cases) <= ids, d.name


def test_suspended_defect_lets_creation_through(servers):
    s = servers("42.6.0", ("suspended-training-create-allowed",))
    root = s.call("training", "CreateTrainingSession", create_body(), site="suspended")
    assert result(root) == "SUCCESS"
