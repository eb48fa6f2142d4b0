"""The reference server's user service, over HTTP.

Covers the documented changes of conformance/server/handlers/user.py (SP13 call-in data
validation, SP22 image size limit, 39.2.0 lastLoginTime, 39.9.0 displayMeetingUrl,
39.10.0 personalMeetingRoomURL and GetUserCard CAPTCHA, 39.11.0 modified-date filter,
42.6.0 suspended site), the access rules around them, and that every answer is valid
against its version's schema.
"""
from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree

from conformance.cases import load_cases
from conformance.namespaces import NS
from conformance.schemas import bundle_for
from conformance.server.handlers import user
from conformance.server.handlers.captcha import CAPTCHA_AFTER
from refclient import assert_pages, outcome, texts

REPO = Path(__file__).resolve().parents[1]
DATE = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$")


@pytest.fixture(scope="module")
def server(ref_servers):
    """The user service of a pooled reference server, called as the site admin unless told."""
    return ref_servers.bind("user", role="admin")


def new_user(webex_id: str, extra: str = "") -> str:
    return (f"<firstName>New</firstName><lastName>User</lastName><webExId>{webex_id}</webExId>"
            f"<email>{webex_id}@example.com</email><password>Pw-{webex_id}-1</password>{extra}")


def tsp(field: str, value: str) -> str:
    return f"<tspAccount><tspAccount><{field}>{value}</{field}></tspAccount></tspAccount>"


# --- the SP13 call-in data rule ---------------------------------------------------------

@pytest.mark.parametrize("text", ["", "1,4085551234", "4085551234", "44,20 7946 0000", "1,800-555-1234", "1234"])
def test_call_in_data_accepts_digits_with_optional_country_code(text):
    assert user.call_in_data_ok(text)


@pytest.mark.parametrize("text", ["call-in data", "n/a", "+1 4085551234", "1,", ",4085551234", "123",
                                  "1234,4085551234", "408 555  1234", "4085551234-", "1,408555123456789012345"])
def test_call_in_data_refuses_malformed_strings(text):
    assert not user.call_in_data_ok(text)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1).filter(lambda s: any(c.isalpha() for c in s)))
def test_call_in_data_with_a_letter_is_never_valid(text):
    assert not user.call_in_data_ok(text)


def test_country_code_form_is_refused_only_without_country_codes():
    assert user.call_in_data_ok("1,4085551234", country_code_allowed=True)
    assert not user.call_in_data_ok("1,4085551234", country_code_allowed=False)
    assert user.call_in_data_ok("4085551234", country_code_allowed=False)


# --- CreateUser / SetUser / DelUser ----------------------------------------------------

def test_admin_creates_user_and_gets_an_id(server):
    c = server("42.6.0")
    root = c.call("CreateUser", new_user("cu1"))
    assert outcome(root) == ("SUCCESS", None)
    assert re.fullmatch(r"\d+", texts(root, "//use:userId")[0])
    assert texts(c.call("GetUser", "<webExId>cu1</webExId>"), "/*/*/*/use:email") == ["cu1@example.com"]


def test_createuser_refuses_duplicates_non_admins_and_missing_fields(server):
    c = server("42.6.0")
    assert outcome(c.call("CreateUser", new_user("cu2")))[0] == "SUCCESS"
    assert outcome(c.call("CreateUser", new_user("cu2"))) == ("FAILURE", "030004")
    assert outcome(c.call("CreateUser", new_user("cu3"), role="host")) == ("FAILURE", "000001")
    root = c.call("CreateUser", "<webExId>cu4</webExId>")
    assert outcome(root) == ("FAILURE", "999999")
    assert "email" in root.findtext(".//serv:reason", namespaces=NS)


@pytest.mark.parametrize("field", ["tollCallInData", "tollFreeCallInData"])
def test_call_in_data_validated_from_sp13(server, field):
    root = server("11.0.0 SP13").call("CreateUser", new_user(f"bad{field}", tsp(field, "call me")))
    assert outcome(root) == ("FAILURE", "999999")
    assert field in root.findtext(".//serv:reason", namespaces=NS)
    assert outcome(server("11.0.0 SP12").call("CreateUser", new_user(f"bad{field}", tsp(field, "call me"))))[0] == "SUCCESS"


def test_setuser_validates_call_in_data_and_accepts_the_country_code_form(server):
    c = server("42.6.0")
    assert outcome(c.call("CreateUser", new_user("tc1", tsp("tollCallInData", "1,4085551234"))))[0] == "SUCCESS"
    assert outcome(c.call("SetUser", "<webExId>tc1</webExId>" + tsp("tollFreeCallInData", "n/a")))[0] == "FAILURE"
    assert outcome(c.call("SetUser", "<webExId>tc1</webExId>" + tsp("tollFreeCallInData", "1,8005551234")))[0] == "SUCCESS"


def test_setuser_self_or_admin_only(server):
    c = server("42.6.0")
    assert outcome(c.call("SetUser", "<webExId>host2</webExId><title>x</title>", role="host")) == ("FAILURE", "000001")
    assert outcome(c.call("SetUser", "<webExId>host1</webExId><title>Mine</title>", role="host"))[0] == "SUCCESS"
    assert texts(c.call("GetUser", "<webExId>host1</webExId>", role="host"), "/*/*/*/use:title") == ["Mine"]
    assert outcome(c.call("SetUser", "<webExId>nobody</webExId><title>x</title>")) == ("FAILURE", "030001")


@pytest.mark.parametrize("field", ["password", "email", "webExId"])
def test_setuser_refuses_an_empty_password_email_or_webexid(server, field):
    """As CreateUser does: an empty password would let anyone sign in with none."""
    c = server("42.6.0")
    who = f"empty{field}"
    assert outcome(c.call("CreateUser", new_user(who)))[0] == "SUCCESS"
    body = f"<{field}/>" if field == "webExId" else f"<webExId>{who}</webExId><{field}/>"
    root = c.call("SetUser", body)
    assert outcome(root) == ("FAILURE", "999999")
    assert field in root.findtext(".//serv:reason", namespaces=NS)
    assert texts(c.call("GetUser", f"<webExId>{who}</webExId>"), "/*/*/*/use:email") == [f"{who}@example.com"]
    empty_login = c.call("GetMe", "", security=f"<webExID>{who}</webExID><password></password>"
                                               "<siteName>refsite</siteName>")
    assert outcome(empty_login)[0] == "FAILURE"


def test_setuser_updates_last_modified_time(server):
    c = server("42.6.0")
    before = texts(c.call("LstsummaryUser", "<webExId>host2</webExId>"), "//use:lastModifiedTime")
    assert outcome(c.call("SetUser", "<webExId>host2</webExId><firstName>Hugo2</firstName>"))[0] == "SUCCESS"
    root = c.call("LstsummaryUser", "<webExId>host2</webExId>")
    assert texts(root, "//use:firstName") == ["Hugo2"]
    assert texts(root, "//use:lastModifiedTime") != before


def test_deluser_removes_the_user(server):
    c = server("42.6.0")
    assert outcome(c.call("CreateUser", new_user("gone1")))[0] == "SUCCESS"
    assert outcome(c.call("DelUser", "<webExId>gone1</webExId>"))[0] == "SUCCESS"
    assert outcome(c.call("GetUser", "<webExId>gone1</webExId>")) == ("FAILURE", "030001")
    assert outcome(c.call("DelUser", "<webExId>gone1</webExId>")) == ("FAILURE", "030001")


# --- 42.6.0: suspended site -----------------------------------------------------------

def test_suspended_site_refuses_admin_create_and_set_from_42_6(server):
    c = server("42.6.0")
    root = c.call("CreateUser", new_user("sus1"), site="suspended")
    assert outcome(root) == ("FAILURE", "010107")
    assert root.findtext(".//serv:reason", namespaces=NS) == "The site is suspended"
    assert outcome(c.call("SetUser", "<webExId>host1</webExId><title>t</title>", site="suspended")) == ("FAILURE", "010107")
    # a user editing their own data is not stopped
    assert outcome(c.call("SetUser", "<webExId>host1</webExId><title>self</title>", role="host", site="suspended"))[0] == "SUCCESS"


def test_suspended_site_allowed_admin_changes_before_42_6(server):
    c = server("42.5.0")
    assert outcome(c.call("CreateUser", new_user("sus2"), site="suspended"))[0] == "SUCCESS"
    assert outcome(c.call("SetUser", "<webExId>host1</webExId><title>t</title>", site="suspended"))[0] == "SUCCESS"


def test_suspended_defects(server):
    assert outcome(server("42.6.0", ("suspended-createuser-allowed",)).call(
        "CreateUser", new_user("sus3"), site="suspended"))[0] == "SUCCESS"
    assert outcome(server("42.6.0", ("suspended-user-wrong-code",)).call(
        "CreateUser", new_user("sus4"), site="suspended")) == ("FAILURE", "000001")
    assert outcome(server("42.6.0", ("suspended-self-edit-blocked",)).call(
        "SetUser", "<webExId>host1</webExId><title>x</title>", role="host", site="suspended")) == ("FAILURE", "010107")


# --- GetUser / GetMe: 39.9.0 displayMeetingUrl ----------------------------------------

@pytest.mark.parametrize("api,body", [("GetUser", "<webExId>host1</webExId>"), ("GetMe", "")])
def test_displaymeetingurl_is_the_short_sip_url_from_39_9(server, api, body):
    assert texts(server("39.9.0").call(api, body, role="host"), "//use:displayMeetingUrl") == ["host1.refsite@webex.com"]
    assert texts(server("39.8.0").call(api, body, role="host"), "//use:displayMeetingUrl") == []


def test_getuser_of_another_user_needs_an_admin(server):
    c = server("42.6.0")
    assert outcome(c.call("GetUser", "<webExId>host2</webExId>", role="host")) == ("FAILURE", "000001")
    assert texts(c.call("GetUser", "<webExId>host2</webExId>"), "//use:webExId") == ["host2"]


def test_attendee_without_personal_room_has_no_displaymeetingurl(server):
    root = server("42.6.0").call("GetMe", role="attendee")
    assert outcome(root)[0] == "SUCCESS"
    assert texts(root, "//use:displayMeetingUrl") == []


# --- LstsummaryUser -------------------------------------------------------------------

def test_lastlogintime_from_39_2_in_the_documented_format(server):
    values = texts(server("39.2.0").call("LstsummaryUser"), "//use:user/use:lastLoginTime")
    assert len(values) == 4 and all(DATE.match(v) for v in values)
    assert texts(server("39.1.0").call("LstsummaryUser"), "//use:lastLoginTime") == []


def test_lastlogintime_defects(server):
    assert texts(server("42.6.0", ("lastlogintime-missing",)).call("LstsummaryUser"), "//use:lastLoginTime") == []
    bad = texts(server("42.6.0", ("lastlogintime-bad-format",)).call("LstsummaryUser"), "//use:lastLoginTime")
    assert bad and not any(DATE.match(v) for v in bad)


def test_personalmeetingroomurl_from_39_10_for_users_with_a_room(server):
    root = server("39.10.0").call("LstsummaryUser")
    urls = dict(zip(texts(root, "//use:user[use:personalMeetingRoomURL]/use:webExId"),
                    texts(root, "//use:user/use:personalMeetingRoomURL")))
    assert urls == {"host1": "https://refsite.webex.com/meet/host1", "host2": "https://refsite.webex.com/meet/host2",
                    "siteadmin": "https://refsite.webex.com/meet/siteadmin"}
    assert texts(server("39.9.0").call("LstsummaryUser"), "//use:personalMeetingRoomURL") == []


def test_lastmodifiedtime_from_39_11(server):
    root = server("39.11.0").call("LstsummaryUser")
    values = texts(root, "//use:user/use:lastModifiedTime")
    assert len(values) == len(root.findall(".//use:user", NS)) == 4 and all(DATE.match(v) for v in values)
    assert texts(server("39.10.0").call("LstsummaryUser"), "//use:lastModifiedTime") == []


def _window(start_days: float, end_days: float) -> str:
    import datetime as dt
    now = dt.datetime.now()
    fmt = "%m/%d/%Y %H:%M:%S"
    return (f"<modifiedDateStart>{(now + dt.timedelta(days=start_days)).strftime(fmt)}</modifiedDateStart>"
            f"<modifiedDateEnd>{(now + dt.timedelta(days=end_days)).strftime(fmt)}</modifiedDateEnd>")


def test_modified_date_filter_from_39_11(server):
    c = server("39.11.0")
    # the seeded users were last modified 10 to 13 days ago
    assert sorted(texts(c.call("LstsummaryUser", _window(-12.5, 0)), "//use:webExId")) == ["host1", "host2", "siteadmin"]
    assert outcome(c.call("LstsummaryUser", _window(-60, -30))) == ("FAILURE", "000015")
    # before 39.11.0 the window is not part of the API: ignored
    assert len(server("39.10.0").call("LstsummaryUser", _window(-60, -30)).findall(".//use:user", NS)) == 4


def test_modified_date_range_over_90_days_is_refused(server):
    c = server("39.11.0")
    root = c.call("LstsummaryUser", _window(-91, 0))
    assert outcome(root) == ("FAILURE", "999999")
    assert root.findtext(".//serv:reason", namespaces=NS) == "Maximum date range is 90 days for modified date query"
    assert outcome(c.call("LstsummaryUser", _window(-89, 0)))[0] == "SUCCESS"
    assert outcome(c.call("LstsummaryUser", _window(0, -1))) == ("FAILURE", "999999")
    assert outcome(c.call("LstsummaryUser", "<modifiedDateStart>yesterday</modifiedDateStart>")) == ("FAILURE", "999999")


def test_lstsummaryuser_pages_and_needs_an_admin(server):
    c = server("42.5.0")  # a server whose main site only has the seeded users
    root = c.call("LstsummaryUser", "<listControl><startFrom>2</startFrom><maximumNum>2</maximumNum></listControl>")
    assert texts(root, "//use:user/use:webExId") == ["host1", "host2"]
    assert texts(root, "//use:matchingRecords/serv:returned") == ["2"]
    assert texts(root, "//use:matchingRecords/serv:startFrom") == ["2"]
    assert outcome(c.call("LstsummaryUser", role="host")) == ("FAILURE", "000001")
    assert outcome(c.call("LstsummaryUser", "<listControl><maximumNum>many</maximumNum></listControl>")) == ("FAILURE", "999999")
    for window in ("<maximumNum>501</maximumNum>", "<maximumNum>0</maximumNum>", "<startFrom>\u00b2</startFrom>"):
        assert outcome(c.call("LstsummaryUser", f"<listControl>{window}</listControl>")) == ("FAILURE", "999999")
    assert outcome(c.call("LstsummaryUser", "<listControl><maximumNum>500</maximumNum></listControl>"))[0] == "SUCCESS"


# --- UploadPMRImage: SP22 --------------------------------------------------------------

def _image(n: int) -> str:
    return f"<imageFor>Photo</imageFor><imageData>{base64.b64encode(bytes(n)).decode()}</imageData>"


def test_image_limit_is_5_mib_from_sp22(server):
    c = server("11.0.0 SP22")
    assert outcome(c.call("UploadPMRImage", _image(user.IMAGE_LIMIT_BYTES), role="host"))[0] == "SUCCESS"
    root = c.call("UploadPMRImage", _image(user.IMAGE_LIMIT_BYTES + 1), role="host")
    assert outcome(root) == ("FAILURE", "010100")
    assert root.findtext(".//serv:reason", namespaces=NS) == (
        "Size of the image being uploaded is too big. Try an image smaller than 5MB in size.")
    assert outcome(server("11.0.0 SP21").call("UploadPMRImage", _image(user.IMAGE_LIMIT_BYTES + 1), role="host"))[0] == "SUCCESS"


def test_upload_refuses_bad_input(server):
    c = server("42.6.0")
    assert outcome(c.call("UploadPMRImage", "<imageData>not base64!</imageData>", role="host")) == ("FAILURE", "999999")
    assert outcome(c.call("UploadPMRImage", "<imageFor>Banner</imageFor><imageData>AAAA</imageData>", role="host")) == ("FAILURE", "999999")
    assert outcome(c.call("UploadPMRImage", "<imageFor>Header</imageFor>", role="host")) == ("FAILURE", "999999")
    assert outcome(c.call("UploadPMRImage", "<imageFor>Header</imageFor><imageData>AAAA</imageData>", role="host"))[0] == "SUCCESS"


# --- GetUserCard: 39.10.0 CAPTCHA ------------------------------------------------------

def test_anonymous_getusercard_gets_a_captcha_after_failed_lookups_from_39_10(server):
    c = server("39.10.0")
    assert outcome(c.call("GetUserCard", "<webExId>host1</webExId>", role=None))[0] == "SUCCESS"
    for _ in range(CAPTCHA_AFTER):
        root = c.call("GetUserCard", "<webExId>nobody</webExId>", role=None)
        assert outcome(root) == ("FAILURE", "030001")
    values = c.srv.values
    assert root.findtext(".//serv:value", namespaces=NS) == values["captcha.id"]
    root = c.call("GetUserCard", "<webExId>nobody</webExId>", role=None)
    assert outcome(root) == ("FAILURE", "999999")
    assert "CAPTCHA" in root.findtext(".//serv:reason", namespaces=NS)
    good = f"<CAPTCHAID>{values['captcha.id']}</CAPTCHAID><CAPTCHAWord>{values['captcha.word']}</CAPTCHAWord>"
    root = c.call("GetUserCard", "<webExId>host1</webExId>" + good, role=None)
    assert texts(root, "//use:personalMeetingRoomURL") == ["https://refsite.webex.com/meet/host1"]
    assert texts(root, "//use:email") == []  # a card shown to anyone carries no e-mail address
    assert outcome(c.call("GetUserCard", "<webExId>host1</webExId>", role="host"))[0] == "SUCCESS"
    assert outcome(server("39.9.0").call("GetUserCard", "<webExId>host1</webExId>", role=None))[0] == "SUCCESS"


def test_getusercard_of_unknown_user(server):
    assert outcome(server("39.9.0").call("GetUserCard", "<webExId>nobody</webExId>", role=None)) == ("FAILURE", "030001")


# --- schema validity and defect bookkeeping -------------------------------------------

CALLS = [
    ("LstsummaryUser", "", "admin"), ("GetUser", "<webExId>host1</webExId>", "admin"), ("GetMe", "", "host"),
    ("GetUserCard", "<webExId>host1</webExId>", "host"), ("CreateUser", new_user("sv1"), "admin"),
    ("SetUser", "<webExId>sv1</webExId><title>t</title>", "admin"), ("UploadPMRImage", _image(10), "host"),
    ("DelUser", "<webExId>sv1</webExId>", "admin"),
]


@pytest.mark.parametrize("version", ["11.0.0 SP10", "11.0.0 SP22", "39.1.0", "39.2.0", "39.9.0", "39.10.0",
                                     "39.11.0", "42.6.0"])
def test_every_answer_is_valid_against_its_versions_schema(server, version):
    c = server(version)
    bundle = bundle_for(version)
    for api, body, role in CALLS:
        root = c.call(api, body, role=role)
        assert outcome(root)[0] == "SUCCESS", (api, etree.tostring(root)[:300])
        assert bundle.validate(root) == [], api
        assert bundle.undocumented(root) == [], api


def test_defects_name_existing_cases_and_are_consulted():
    ids = load_cases(REPO / "cases").by_id()
    source = (REPO / "conformance" / "server" / "handlers" / "user.py").read_text()
    for d in user.DEFECTS:
        assert (d.cases or d.tests) and all(c in ids for c in d.cases), d.name
        assert source.count(f'"{d.name}"') >= 2, f"{d.name} is defined but never checked"


# --- paging in SQL ----------------------------------------------------------------------

def test_lstsummaryuser_pages_edges(server):
    c = server("42.6.0")
    assert assert_pages(lambda body: c.call("LstsummaryUser", body), "//use:user", "//use:matchingRecords") >= 2
