"""The reference server's history reports, over HTTP.

Covers conformance/server/handlers/history.py: LsttrainingattendeeHistory (39.8.0
attentiveness), the SP14 Meeting Center preliminary reports, LstTrainingPollResultsHistory
(SP11) and the seeded fixture data they report on.
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

import pytest

from conformance.cases import load_cases
from conformance.server.handlers import history
from refclient import assert_pages, assert_valid, outcome, xp

REPO = Path(__file__).resolve().parents[1]
DATE = r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$"


@pytest.fixture(scope="module")
def servers(ref_servers):
    """The history service of a pooled reference server, called as the site admin unless told."""
    return ref_servers.bind("history", role="admin")


def scope(start_days: float, end_days: float, wrapped: bool = True) -> str:
    now = _dt.datetime.now()
    lo = (now + _dt.timedelta(days=start_days)).strftime("%m/%d/%Y %H:%M:%S")
    hi = (now + _dt.timedelta(days=end_days)).strftime("%m/%d/%Y %H:%M:%S")
    inner = f"<sessionStartTimeStart>{lo}</sessionStartTimeStart><sessionStartTimeEnd>{hi}</sessionStartTimeEnd>"
    return f"<startTimeScope>{inner}</startTimeScope>" if wrapped else inner


# -- LsttrainingattendeeHistory -------------------------------------------------------------

@pytest.mark.parametrize("version, attentive", [("11.0.0 SP10", False), ("39.5.0", False),
                                                ("39.8.0", True), ("42.6.0", True)])
def test_attentiveness_from_39_8(servers, version, attentive):
    root = servers(version).call("LsttrainingattendeeHistory", scope(-28, 0))
    assert outcome(root) == ("SUCCESS", None)
    records = xp(root, "//history:trainingAttendeeHistory")
    assert len(records) == 3
    for name in ("attentionToDurationPercentage", "attentionToAttendancePercentage"):
        assert len(xp(root, f"//history:trainingAttendeeHistory/history:{name}")) == (3 if attentive else 0)
    assert all(re.match(DATE, t) for t in xp(root, "//history:endTime/text()"))
    assert_valid(root, version)


def test_training_attendee_paging_and_matching_records(servers):
    root = servers("42.6.0").call("LsttrainingattendeeHistory",
                                  "<listControl><startFrom>2</startFrom><maximumNum>1</maximumNum></listControl>")
    assert len(xp(root, "//history:trainingAttendeeHistory")) == 1
    assert [xp(root, f"string(//history:matchingRecords/serv:{n})") for n in ("total", "returned", "startFrom")] \
        == ["3", "1", "2"]


def test_a_scope_without_history_is_no_record_found(servers):
    root = servers("42.6.0").call("LsttrainingattendeeHistory", scope(1, 30))
    assert outcome(root) == ("FAILURE", "000015")
    assert xp(root, "string(//serv:reason)") == "Sorry, no record found"


def test_a_host_sees_own_history_and_an_attendee_account_none(servers):
    s = servers("42.6.0")
    assert len(xp(s.call("LsttrainingattendeeHistory", role="host"), "//history:trainingAttendeeHistory")) == 3
    assert outcome(s.call("LsttrainingattendeeHistory", role="attendee")) == ("FAILURE", "000015")


@pytest.mark.parametrize("body, words", [
    ("<startTimeScope><sessionStartTimeStart>yesterday</sessionStartTimeStart></startTimeScope>", "date format"),
    ("<listControl><maximumNum>many</maximumNum></listControl>", "listControl"),
    ("<listControl><startFrom>0</startFrom></listControl>", "listControl/startFrom"),
    ("<listControl><maximumNum>501</maximumNum></listControl>", "listControl/maximumNum"),
    ("<listControl><maximumNum>99999999999999999999</maximumNum></listControl>", "listControl/maximumNum"),
    ("<sessionKey>abc</sessionKey>", "sessionKey"),
    ("<sessionKey>99999999999999999999</sessionKey>", "sessionKey"),
    ("<sessionKey>\u00b2</sessionKey>", "sessionKey"),
])
def test_bad_input_is_a_one_line_999999(servers, body, words):
    root = servers("42.6.0").call("LsttrainingattendeeHistory", body)
    assert outcome(root) == ("FAILURE", "999999")
    text = xp(root, "string(//serv:reason)")
    assert words in text and "\n" not in text


# -- preliminary Meeting Center reports (SP14) ------------------------------------------------

@pytest.mark.parametrize("api", ["LstmeetingusagePreliminaryHistory", "LstmeetingattendeePreliminaryHistory"])
def test_preliminary_reports_are_unknown_before_sp14(servers, api):
    assert outcome(servers("11.0.0 SP13").call(api, scope(-28, 0))) == ("FAILURE", "000000")


@pytest.mark.parametrize("version", ["11.0.0 SP14", "42.6.0"])
def test_preliminary_usage_lists_the_meetings_held(servers, version):
    root = servers(version).call("LstmeetingusagePreliminaryHistory", scope(-28, 0))
    assert outcome(root) == ("SUCCESS", None)
    opens = xp(root, "//history:meetingUsageHistory/history:openTime/text()")
    assert len(opens) == 2 and all(re.match(DATE, t) for t in opens)
    assert xp(root, "count(//history:meetingUsageHistory/history:timeZoneWithDST)") == 2
    assert_valid(root, version)


def test_preliminary_usage_accepts_the_scope_without_its_wrapper(servers):
    s = servers("42.6.0")
    assert len(xp(s.call("LstmeetingusagePreliminaryHistory", scope(-5, 0, wrapped=False)),
                  "//history:meetingUsageHistory")) == 1
    assert outcome(s.call("LstmeetingusagePreliminaryHistory", scope(-2, 0, wrapped=False))) == ("FAILURE", "000015")


def test_preliminary_attendees_have_name_join_time_and_an_address(servers):
    root = servers("42.6.0").call("LstmeetingattendeePreliminaryHistory", scope(-28, 0))
    assert xp(root, "count(//history:meetingAttendeeHistory)") == 6
    assert xp(root, "count(//history:meetingAttendeeHistory[history:name and history:joinTime])") == 6
    assert xp(root, "string(//history:address1)") == "12 Sample Road"
    assert_valid(root, "42.6.0")


def test_preliminary_attendees_filter_by_meeting_key(servers):
    s = servers("42.6.0")
    assert xp(s.call("LstmeetingattendeePreliminaryHistory", "<meetingKey>880000002</meetingKey>"),
              "count(//history:meetingAttendeeHistory)") == 6
    assert outcome(s.call("LstmeetingattendeePreliminaryHistory", "<meetingKey>1</meetingKey>")) \
        == ("FAILURE", "000015")


@pytest.mark.parametrize("api", ["LstmeetingusagePreliminaryHistory", "LstmeetingattendeePreliminaryHistory"])
def test_preliminary_reports_refuse_a_key_sqlite_cannot_hold(servers, api):
    root = servers("42.6.0").call(api, "<meetingKey>99999999999999999999</meetingKey>")
    assert outcome(root) == ("FAILURE", "999999")
    assert "meetingKey" in xp(root, "string(//serv:reason)")


# -- LstTrainingPollResultsHistory (SP11) -----------------------------------------------------

POLL = "<sessionKey>660000001</sessionKey>"


@pytest.mark.parametrize("role", ["host", "admin"])
def test_poll_results_for_owner_and_admin(servers, role):
    root = servers("11.0.0 SP11").call("LstTrainingPollResultsHistory", POLL, role=role)
    assert outcome(root) == ("SUCCESS", None)
    assert xp(root, "string(//history:confName)") == "TC poll test"
    assert xp(root, "string(//history:host)") == "Hana Host"
    assert xp(root, "count(//history:poll)") == 2
    assert xp(root, "count(//history:questionDesc)") == 4
    assert xp(root, "//history:answerChoice[@correct='true']/text()") == ["HTTPS POST", "startDate", "joinTime"]
    assert "No Answer" in xp(root, "//history:pollResponse/text()")
    assert all(re.match(DATE, t) for t in xp(root, "//history:poll/*[self::history:startTime or "
                                                               "self::history:endTime]/text()"))
    assert_valid(root, "11.0.0 SP11")


@pytest.mark.parametrize("body, role", [
    (POLL, "attendee"),                                  # not the owner, not an admin
    ("<sessionKey>1</sessionKey>", "host"),              # no such session
    ("<sessionKey>880000002</sessionKey>", "host"),      # a meeting, not a training session
    ("<sessionKey>550000001</sessionKey>", "admin"),     # a support session
    ("<sessionKey>x</sessionKey>", "admin"),
    ("<sessionKey>99999999999999999999</sessionKey>", "admin"),   # beyond what SQLite holds
    ("<sessionKey>\u00b2</sessionKey>", "admin"),
    ("", "admin"),
])
def test_poll_results_no_record(servers, body, role):
    root = servers("42.6.0").call("LstTrainingPollResultsHistory", body, role=role)
    assert outcome(root) == ("FAILURE", "000015")
    assert xp(root, "string(//serv:reason)") == "Sorry, no record found"


def test_poll_results_unknown_before_sp11(servers):
    assert outcome(servers("11.0.0 SP10").call("LstTrainingPollResultsHistory", POLL)) == ("FAILURE", "000000")


# -- defects -------------------------------------------------------------------------------------

def test_each_defect_names_existing_cases():
    ids = {c.id for c in load_cases(REPO / "cases").cases}
    for d in history.DEFECTS:
        assert (d.cases or d.tests) and set(d.cases) <= ids, d.name


def test_leak_defect_shows_polls_to_a_non_owner(servers):
    root = servers("42.6.0", ("poll-results-leak-to-non-owner",)).call("LstTrainingPollResultsHistory", POLL,
                                                                      role="attendee")
    assert outcome(root) == ("SUCCESS", None)


def test_history_reports_page_edges(servers):
    s = servers("42.6.0")
    for api, item in (("LsttrainingattendeeHistory", "trainingAttendeeHistory"),
                      ("LstmeetingattendeeHistory", "meetingAttendeeHistory"),
                      ("LsteventattendeeHistory", "eventAttendeeHistory")):
        root = s.call(api, "")
        if len(xp(root, f"//history:{item}")) < 2:
            continue  # too few seeded rows to show paging
        assert_pages(lambda body: s.call(api, body), f"//history:{item}", "//history:matchingRecords")
