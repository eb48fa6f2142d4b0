"""History reports: training attendees, Meeting Center preliminary reports, training polls.

Reports read their own tables (seeded with sessions held in the last 28 days), not the
``sessions`` table: a report describes what happened, not what is scheduled.  The
documented changes this module carries:

- SP11: new API LstTrainingPollResultsHistory (owner or site admin; anything else is
  "Sorry, no record found", 000015);
- SP14: new APIs LstmeetingusagePreliminaryHistory and LstmeetingattendeePreliminaryHistory,
  shaped like the final reports (LstmeetingusageHistory, LstmeetingattendeeHistory);
- 39.8.0: LsttrainingattendeeHistory returns attentionToDurationPercentage and
  attentionToAttendancePercentage.

An empty report is a FAILURE 000015, as real servers answer (real-traffic 059).
"""
from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Callable

from ..defects import Defect
from ..call import Call
from ..failures import MEETING_NOT_FOUND, NO_RECORD, ApiFailure, unknown_api
from ..fixtures import SEED_SESSIONS, email_for
from ..routes import handler
from ..wire import fmt_date, parse_date
from .listing import matching_records, page, page_sql
from .numbers import parse_key

__all__ = ["DEFECTS", "TABLES", "seed", "lst_training_attendee_history", "lst_meeting_attendee_history",
           "lst_event_attendee_history", "lst_event_session_history", "lst_meeting_usage_preliminary_history",
           "lst_meeting_attendee_preliminary_history", "lst_training_poll_results_history"]

PAGE_SIZE = 50
TIME_ZONE_WITH_DST = "San Jose (Pacific Standard Time, GMT-08:00)"

TABLES = """
CREATE TABLE IF NOT EXISTS training_attendee_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, session_key INTEGER NOT NULL,
    conf_name TEXT NOT NULL, host TEXT NOT NULL, attendee_name TEXT NOT NULL, attendee_email TEXT NOT NULL,
    start_time TEXT NOT NULL, end_time TEXT NOT NULL, participant_type TEXT NOT NULL,
    attention_duration TEXT NOT NULL, attention_attendance TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meeting_usage_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, session_key INTEGER NOT NULL,
    conf_name TEXT NOT NULL, host TEXT NOT NULL, open_time TEXT NOT NULL, start_time TEXT NOT NULL,
    end_time TEXT NOT NULL, participants INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meeting_attendee_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, session_key INTEGER NOT NULL,
    conf_name TEXT NOT NULL, host TEXT NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL,
    address1 TEXT NOT NULL DEFAULT '', join_time TEXT NOT NULL, leave_time TEXT NOT NULL,
    participant_type TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS event_attendee_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, session_key INTEGER NOT NULL,
    conf_name TEXT NOT NULL, host TEXT NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL,
    start_time TEXT NOT NULL, end_time TEXT NOT NULL, participant_type TEXT NOT NULL, registered TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS training_poll_results (
    site TEXT NOT NULL, session_key INTEGER NOT NULL, polls TEXT NOT NULL,
    PRIMARY KEY (site, session_key)
);
"""

_ATTENTION = ("lsttrainingattendeehistory-attentiveness",)
_USAGE = ("lstmeetingusagepreliminaryhistory-report",)
_ATTENDEE = ("lstmeetingattendeepreliminaryhistory-report",)
_POLL_OWNER = ("lsttrainingpollresultshistory-owner-and-admin",)
_POLL_DENIED = ("lsttrainingpollresultshistory-no-record",)

DEFECTS: list[Defect] = [
    Defect("meetingattendeehistory-other-hosts-visible",
           "LstmeetingattendeeHistory shows a host the attendees of meetings other hosts held",
           (), tests=("lstmeetingattendeehistory_own_meetings",)),
    Defect("attention-duration-missing",
           "39.8.0: LsttrainingattendeeHistory omits attentionToDurationPercentage", _ATTENTION),
    Defect("attention-attendance-missing",
           "39.8.0: LsttrainingattendeeHistory omits attentionToAttendancePercentage", _ATTENTION),
    Defect("attention-returned-early",
           "LsttrainingattendeeHistory returns the attentiveness elements before 39.8.0", _ATTENTION,
           version="39.5.0"),
    Defect("preliminary-usage-missing",
           "SP14: LstmeetingusagePreliminaryHistory is answered as an unknown API", _USAGE),
    Defect("preliminary-attendee-missing",
           "SP14: LstmeetingattendeePreliminaryHistory is answered as an unknown API", _ATTENDEE),
    Defect("preliminary-opentime-bad-format",
           "SP14: LstmeetingusagePreliminaryHistory writes openTime as ISO 8601, not MM/DD/YYYY HH:MM:SS", _USAGE),
    Defect("preliminary-jointime-missing",
           "SP14: LstmeetingattendeePreliminaryHistory omits joinTime", _ATTENDEE),
    Defect("poll-results-wrong-code",
           "SP11: LstTrainingPollResultsHistory answers 060001 instead of 000015 'Sorry, no record found'",
           _POLL_DENIED),
    Defect("poll-results-leak-to-non-owner",
           "SP11: LstTrainingPollResultsHistory returns a session's polls to a user who neither owns it "
           "nor is a site administrator", _POLL_DENIED),
    Defect("poll-results-admin-denied",
           "SP11: LstTrainingPollResultsHistory refuses a site administrator (000015)", _POLL_OWNER),
    Defect("poll-results-correct-missing",
           "SP11: LstTrainingPollResultsHistory drops correct=\"true\" from the right answer choices", _POLL_OWNER),
]


# -- request helpers -------------------------------------------------------------------------

def _scope(call: Call, wrapper: str, start: str, end: str) -> tuple[_dt.datetime | None, _dt.datetime | None]:
    """A date range from ``<wrapper><start/><end/></wrapper>`` (or the two without the wrapper)."""
    lo = call.text(f"{wrapper}/{start}") or call.text(start)
    hi = call.text(f"{wrapper}/{end}") or call.text(end)
    return parse_date(lo), parse_date(hi)


def _in_range(column: str, lo: _dt.datetime | None, hi: _dt.datetime | None) -> tuple[str, tuple]:
    """SQL (and parameters) keeping rows whose ``column`` lies in [lo, hi]: isoformat() text sorts as dates do."""
    sql, params = "", ()
    if lo is not None:
        sql, params = f" AND {column} >= ?", (lo.isoformat(),)
    if hi is not None:
        sql, params = sql + f" AND {column} <= ?", params + (hi.isoformat(),)
    return sql, params


def _visible(call: Call, table: str, extra_sql: str = "", params: tuple = (),
             everyone: bool = False) -> tuple[str, tuple]:
    """The SELECT of rows of ``table`` the caller may see: all for an administrator (or ``everyone``),
    a host's own otherwise."""
    account = call.require_user()
    sql = f"SELECT * FROM {table} WHERE site=?" + extra_sql
    args: tuple = (call.site.name, *params)
    if not account.is_admin and not everyone:
        sql += " AND lower(host)=lower(?)"
        args += (account.webex_id,)
    return sql, args


def _report(call: Call, query: tuple[str, tuple], item: Callable[[Any], Any]) -> list:
    """One page of items (paged in SQL) followed by matchingRecords; an empty report is 000015."""
    chosen, total, start = page_sql(call, *query, "ORDER BY id", PAGE_SIZE)
    return [*(item(r) for r in chosen), matching_records(call.E("history"), total, len(chosen), start)]


def _date(iso: str) -> str:
    return fmt_date(_dt.datetime.fromisoformat(iso))


def _minutes(start: str, end: str) -> str:
    delta = _dt.datetime.fromisoformat(end) - _dt.datetime.fromisoformat(start)
    return str(max(0, round(delta.total_seconds() / 60)))


def _key_filter(call: Call, *names: str) -> tuple[str, tuple]:
    for name in names:
        text = call.text(name)
        if text:
            key = parse_key(text)
            if key is None:
                raise ApiFailure("999999", f"Invalid {name}: {text[:40]!r} is not a session key")
            return " AND session_key=?", (key,)
    return "", ()


# -- LsttrainingattendeeHistory --------------------------------------------------------------

@handler("history", "LsttrainingattendeeHistory")
def lst_training_attendee_history(call: Call) -> list:
    sql, params = _key_filter(call, "sessionKey")
    lo, hi = _scope(call, "startTimeScope", "sessionStartTimeStart", "sessionStartTimeEnd")
    scope, bounds = _in_range("start_time", lo, hi)
    query = _visible(call, "training_attendee_history", sql + scope, params + bounds)
    H = call.E("history")
    attentive = call.since("39.8.0") or call.defect("attention-returned-early")

    def item(r) -> Any:
        children = [H.sessionKey(str(r["session_key"])), H.confName(r["conf_name"]),
                    H.attendeeName(r["attendee_name"]), H.attendeeEmail(r["attendee_email"]),
                    H.startTime(_date(r["start_time"])), H.endTime(_date(r["end_time"])),
                    H.duration(_minutes(r["start_time"], r["end_time"])),
                    H.participantType(r["participant_type"])]
        if attentive and not call.defect("attention-duration-missing"):
            children.append(H.attentionToDurationPercentage(r["attention_duration"]))
        if attentive and not call.defect("attention-attendance-missing"):
            children.append(H.attentionToAttendancePercentage(r["attention_attendance"]))
        return H.trainingAttendeeHistory(*children)

    return _report(call, query, item)


# -- Meeting Center preliminary reports (SP14) -------------------------------------------

def _preliminary_rows(call: Call, missing_defect: str, table: str, time_column: str) -> tuple[str, tuple]:
    """The rows of one SP14 report the caller may see, filtered by meeting key and start-time scope."""
    if call.defect(missing_defect):
        raise unknown_api(f"java:com.webex.service.binding.{call.service}.{call.api}", call.version)
    sql, params = _key_filter(call, "meetingKey", "sessionKey")
    lo, hi = _scope(call, "startTimeScope", "sessionStartTimeStart", "sessionStartTimeEnd")
    scope, bounds = _in_range(time_column, lo, hi)
    return _visible(call, table, sql + scope, params + bounds)


@handler("history", "LstmeetingusagePreliminaryHistory", since="11.0.0 SP14")
def lst_meeting_usage_preliminary_history(call: Call) -> list:
    query = _preliminary_rows(call, "preliminary-usage-missing", "meeting_usage_history", "start_time")
    H = call.E("history")
    bad_format = call.defect("preliminary-opentime-bad-format")

    def item(r) -> Any:
        host = call.db.account(call.site, r["host"])
        return H.meetingUsageHistory(
            H.sessionKey(str(r["session_key"])), H.confName(r["conf_name"]),
            H.meetingStartTime(_date(r["start_time"])), H.meetingEndTime(_date(r["end_time"])),
            H.duration(_minutes(r["start_time"], r["end_time"])),
            H.hostWebExID(r["host"]),
            H.hostName(f"{host.first_name} {host.last_name}" if host else r["host"]),
            H.totalParticipants(str(r["participants"])),
            H.openTime(r["open_time"] if bad_format else _date(r["open_time"])),
            H.timeZoneWithDST(TIME_ZONE_WITH_DST))

    return _report(call, query, item)


@handler("history", "LstmeetingattendeePreliminaryHistory", since="11.0.0 SP14")
def lst_meeting_attendee_preliminary_history(call: Call) -> list:
    query = _preliminary_rows(call, "preliminary-attendee-missing", "meeting_attendee_history", "join_time")
    H = call.E("history")

    def item(r) -> Any:
        children = [H.meetingKey(str(r["session_key"])), H.confName(r["conf_name"])]
        if r["address1"]:
            children.append(H.address1(r["address1"]))
        children += [H.name(r["name"]), H.email(r["email"])]
        if not call.defect("preliminary-jointime-missing"):
            children.append(H.joinTime(_date(r["join_time"])))
        children += [H.leaveTime(_date(r["leave_time"])), H.duration(_minutes(r["join_time"], r["leave_time"])),
                     H.participantType(r["participant_type"])]
        return H.meetingAttendeeHistory(*children)

    return _report(call, query, item)


# -- final reports real clients read (not in the notes: real-traffic 057-059) -------------------

def _conf_id(key: int) -> str:
    return str(key * 1000 + 7)


def _ip(row_id: int) -> str:
    return f"192.0.2.{row_id % 250 + 1}"


@handler("history", "LstmeetingattendeeHistory")
def lst_meeting_attendee_history(call: Call) -> list:
    """Who attended which meeting: the final report, shaped as real-traffic 058."""
    sql, params = _key_filter(call, "meetingKey", "sessionKey")
    lo, hi = _scope(call, "startTimeScope", "sessionStartTimeStart", "sessionStartTimeEnd")
    scope, bounds = _in_range("join_time", lo, hi)
    query = _visible(call, "meeting_attendee_history", sql + scope, params + bounds,
                    everyone=call.defect("meetingattendeehistory-other-hosts-visible"))
    H = call.E("history")

    def item(r) -> Any:
        minutes = _minutes(r["join_time"], r["leave_time"])
        return H.meetingAttendeeHistory(
            H.meetingKey(str(r["session_key"])), H.confName(r["conf_name"]), H.ipAddress(_ip(r["id"])),
            H.clientAgent("WINDOWS,Chrome"), H.name(r["name"]), H.email(r["email"]),
            H.joinTime(_date(r["join_time"])), H.leaveTime(_date(r["leave_time"])), H.duration(minutes),
            H.participantType(r["participant_type"]), H.voipDuration(minutes), H.confID(_conf_id(r["session_key"])),
            H.externalParticipant("N/A" if r["participant_type"] == "HOST" else "No"))

    return _report(call, query, item)


def _event_rows(call: Call) -> tuple[str, tuple]:
    sql, params = _key_filter(call, "sessionKey")
    lo, hi = _scope(call, "startTimeScope", "sessionStartTimeStart", "sessionStartTimeEnd")
    scope, bounds = _in_range("start_time", lo, hi)
    return _visible(call, "event_attendee_history", sql + scope, params + bounds)


@handler("history", "LsteventattendeeHistory")
def lst_event_attendee_history(call: Call) -> list:
    H = call.E("history")

    def item(r) -> Any:
        minutes = _minutes(r["start_time"], r["end_time"])
        return H.eventAttendeeHistory(
            H.sessionKey(str(r["session_key"])), H.attendeeName(r["name"]), H.attendeeEmail(r["email"]),
            H.startTime(_date(r["start_time"])), H.endTime(_date(r["end_time"])), H.duration(minutes),
            H.registered(r["registered"]), H.invited("No"), H.ipAddress(_ip(r["id"])),
            H.participantType(r["participant_type"]), H.voipDuration(minutes), H.clientAgent("WINDOWS,Chrome"),
            H.confID(_conf_id(r["session_key"])))

    return _report(call, _event_rows(call), item)


@handler("history", "LsteventsessionHistory")
def lst_event_session_history(call: Call) -> list:
    """One item per event held: its attendee rows summed up."""
    by_session: dict[int, list] = {}
    sql, params = _event_rows(call)
    for r in call.db.query(sql + " ORDER BY id", params):
        by_session.setdefault(r["session_key"], []).append(r)
    sessions = list(by_session.values())
    H = call.E("history")

    def item(rows) -> Any:
        first = rows[0]
        start = min(r["start_time"] for r in rows)
        end = max(r["end_time"] for r in rows)
        people = sum(int(_minutes(r["start_time"], r["end_time"])) for r in rows)
        host = call.db.account(call.site, first["host"])
        return H.eventSessionHistory(
            H.confID(_conf_id(first["session_key"])), H.sessionKey(str(first["session_key"])),
            H.confName(first["conf_name"]), H.sessionStartTime(_date(start)), H.sessionEndTime(_date(end)),
            H.duration(_minutes(start, end)), H.timezone("4"), H.meetingType("ONS"),
            H.hostWebExID(first["host"]), H.hostName(f"{host.first_name} {host.last_name}" if host else first["host"]),
            H.hostEmail(host.email if host else ""), H.totalPeopleMinutes(str(people)),
            H.totalParticipants(str(len(rows))), H.peakAttendee(str(len(rows))))

    chosen, start = page(call, sessions, PAGE_SIZE)  # one item per session: grouped in Python
    return [*(item(r) for r in chosen), matching_records(H, len(sessions), len(chosen), start)]


# -- LstTrainingPollResultsHistory (SP11) --------------------------------------------------

@handler("history", "LstTrainingPollResultsHistory", since="11.0.0 SP11")
def lst_training_poll_results_history(call: Call) -> list:
    account = call.require_user()
    denied_code = MEETING_NOT_FOUND if call.defect("poll-results-wrong-code") else NO_RECORD
    key = parse_key(call.text("sessionKey"))
    if key is None:
        raise ApiFailure(*denied_code)
    session = call.db.one("SELECT * FROM sessions WHERE session_key=? AND site=? AND kind='training'",
                          (key, call.site.name))
    results = call.db.one("SELECT polls FROM training_poll_results WHERE site=? AND session_key=?",
                          (call.site.name, key))
    if session is None or results is None:
        raise ApiFailure(*denied_code)
    owner = session["host"].lower() == account.webex_id.lower()
    admin = account.is_admin and not call.defect("poll-results-admin-denied")
    if not (owner or admin or call.defect("poll-results-leak-to-non-owner")):
        raise ApiFailure(*denied_code)
    host = call.db.account(call.site, session["host"])
    H = call.E("history")
    polls = []
    for poll in json.loads(results["polls"]):
        questions = []
        for q in poll["questions"]:
            choices = []
            for text, correct in q["choices"]:
                choice = H.answerChoice(text)
                if correct and not call.defect("poll-results-correct-missing"):
                    choice.set("correct", "true")
                choices.append(choice)
            questions.append(H.question(H.questionDesc(q["desc"]), *choices,
                                        *(H.pollResponse(r) for r in q["responses"])))
        polls.append(H.poll(H.startTime(_date(poll["start"])), H.endTime(_date(poll["end"])), *questions))
    return [H.confName(session["conf_name"]),
            H.host(f"{host.first_name} {host.last_name}" if host else session["host"]), *polls]


# -- fixture data -------------------------------------------------------------------------

def _poll_data(held: _dt.datetime) -> list[dict[str, Any]]:
    """Two polls of one training session: a quiz with right answers, then a survey."""
    def at(minutes: int) -> str:
        return (held + _dt.timedelta(minutes=minutes)).isoformat()
    return [
        {"start": at(12), "end": at(16), "questions": [
            {"desc": "Which transport carries XML API requests? (one answer)",
             "choices": [["FTP", False], ["HTTPS POST", True], ["SMTP", False], ["Telnet", False]],
             "responses": ["HTTPS POST", "SMTP", "No Answer"]},
            {"desc": "Which elements hold a date and time? (several answers)",
             "choices": [["startDate", True], ["duration", False], ["joinTime", True], ["confName", False]],
             "responses": ["startDate,joinTime", "duration,confName", "No Answer"]},
            {"desc": "Which topic should the next session cover? (short answer)",
             "choices": [], "responses": ["Recordings", "No Answer"]},
        ]},
        {"start": at(40), "end": at(43), "questions": [
            {"desc": "How useful was this session? (one answer)",
             "choices": [["Very useful", False], ["Somewhat useful", False], ["Not useful", False]],
             "responses": ["Very useful", "Somewhat useful", "No Answer"]},
        ]},
    ]


def seed(state, now: _dt.datetime) -> dict[str, str]:
    """History of sessions.training_poll and sessions.meeting, held in the last 28 days."""
    site = state.site_by_key("main").name
    training_key, _, training_name, _ = SEED_SESSIONS["sessions.training_poll"]
    meeting_key, _, meeting_name, _ = SEED_SESSIONS["sessions.meeting"]
    day = now.replace(hour=15, minute=0, second=0, microsecond=0)
    held = day - _dt.timedelta(days=5)
    people = [("Hana Host", email_for("host1", site), "HOST", 0, 62, "98.4", "100"),
              ("Ada Attendee", email_for("attendee1", site), "ATTENDEE", 2, 58, "81.5", "93.5"),
              ("Lee Learner", "lee.learner@example.com", "ATTENDEE", 9, 40, "64", "72.3")]
    with state.transaction() as db:
        for name, email, ptype, join, leave, by_duration, by_attendance in people:
            db.execute(
                "INSERT INTO training_attendee_history(site, session_key, conf_name, host, attendee_name, "
                "attendee_email, start_time, end_time, participant_type, attention_duration, attention_attendance) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (site, training_key, training_name, "host1", name, email,
                 (held + _dt.timedelta(minutes=join)).isoformat(), (held + _dt.timedelta(minutes=leave)).isoformat(),
                 ptype, by_duration, by_attendance))
        db.execute("INSERT INTO training_poll_results(site, session_key, polls) VALUES (?,?,?)",
                   (site, training_key, json.dumps(_poll_data(held))))
        for days_ago in (10, 3):
            start = day - _dt.timedelta(days=days_ago)
            db.execute(
                "INSERT INTO meeting_usage_history(site, session_key, conf_name, host, open_time, start_time, "
                "end_time, participants) VALUES (?,?,?,?,?,?,?,?)",
                (site, meeting_key, meeting_name, "host1", (start - _dt.timedelta(minutes=5)).isoformat(),
                 start.isoformat(), (start + _dt.timedelta(minutes=47)).isoformat(), 3))
            for name, email, address, join, leave, ptype in (
                    ("Hana Host", email_for("host1", site), "", 0, 47, "HOST"),
                    ("Ada Attendee", email_for("attendee1", site), "", 1, 45, "ATTENDEE"),
                    ("Ravi Remote", "ravi.remote@example.com", "12 Sample Road", 4, 47, "ATTENDEE")):
                db.execute(
                    "INSERT INTO meeting_attendee_history(site, session_key, conf_name, host, name, email, address1, "
                    "join_time, leave_time, participant_type) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (site, meeting_key, meeting_name, "host1", name, email, address,
                     (start + _dt.timedelta(minutes=join)).isoformat(),
                     (start + _dt.timedelta(minutes=leave)).isoformat(), ptype))
        event_key, _, event_name, _ = SEED_SESSIONS["sessions.event"]
        held = day - _dt.timedelta(days=6)
        for name, email, join, leave, ptype, registered in (
                ("Hana Host", email_for("host1", site), 0, 60, "HOST", "No"),
                ("Ada Attendee", email_for("attendee1", site), 3, 55, "ATTENDEE", "Yes"),
                ("Pat Panelist", "pat.panelist@example.com", 0, 60, "PANELIST", "No")):
            db.execute(
                "INSERT INTO event_attendee_history(site, session_key, conf_name, host, name, email, start_time, "
                "end_time, participant_type, registered) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (site, event_key, event_name, "host1", name, email, (held + _dt.timedelta(minutes=join)).isoformat(),
                 (held + _dt.timedelta(minutes=leave)).isoformat(), ptype, registered))
    return {}
