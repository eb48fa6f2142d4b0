"""Attendee service: CreateMeetingAttendee, RegisterMeetingAttendee, LstMeetingAttendee.

The documented change carried here (42.1.0): one CreateMeetingAttendee or
RegisterMeetingAttendee call may register at most 50 attendees; more is refused with
040015 "Register attendee number over limit in one API call: 50" and ``serv:value`` 50.
Exactly 50 is accepted; before 42.1.0 there is no such limit.

CreateMeetingAttendee counts the attendee written directly in bodyContent (``person`` +
``sessionKey``, as in the notes' example) plus every ``attendees`` element;
RegisterMeetingAttendee counts its ``attendees`` elements.
"""
from __future__ import annotations

import datetime as _dt
import sqlite3
from typing import Any

from lxml import etree

from ..defects import Defect
from ..call import Call
from ..fixtures import SEED_SESSIONS, email_for
from ..failures import NO_RECORD, ApiFailure
from ..routes import handler
from .listing import matching_records, page_sql
from .numbers import parse_key
from .meeting import PAGE_SIZE, session_row

__all__ = ["DEFECTS", "TABLES", "seed", "MAX_PER_CALL", "create_meeting_attendee", "register_meeting_attendee",
           "lst_meeting_attendee", "del_meeting_attendee"]

MAX_PER_CALL = 50
JOIN_STATUSES = ("REGISTER", "INVITE", "REJECT", "ACCEPT")
ATTENDEE_KINDS = ("meeting", "webinar", "pmr", "event")

TABLES = """
CREATE TABLE IF NOT EXISTS meeting_attendees (
    attendee_id INTEGER PRIMARY KEY, site TEXT NOT NULL, session_key INTEGER NOT NULL,
    name TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL DEFAULT 'ATTENDEE',
    join_status TEXT NOT NULL DEFAULT 'INVITE', register_id INTEGER, created TEXT NOT NULL
);
"""

_OVER = ("createmeetingattendee-over-50-rejected", "registermeetingattendee-over-50-rejected")
_AT = ("createmeetingattendee-50-accepted", "registermeetingattendee-50-accepted")

DEFECTS: list[Defect] = [
    Defect("attendee-limit-not-enforced", "42.1.0: 51 attendees in one call are accepted", _OVER),
    Defect("attendee-limit-off-by-one", "42.1.0: exactly 50 attendees in one call are refused", _AT),
    Defect("attendee-limit-wrong-code", "42.1.0: over 50 attendees are refused with 999999 instead of 040015", _OVER),
    Defect("attendee-limit-no-value", "42.1.0: the 040015 reply carries no serv:value 50", _OVER),
    Defect("attendee-joinstatus-not-stored",
           "CreateMeetingAttendee ignores the joinStatus sent: LstMeetingAttendee answers INVITE",
           (), tests=("lstmeetingattendee_as_sent",)),
    Defect("delmeetingattendee-not-deleted",
           "DelMeetingAttendee answers SUCCESS but the attendee is still listed",
           (), tests=("delmeetingattendee_removes",)),
    Defect("attendee-limit-register-only",
           "42.1.0: only RegisterMeetingAttendee applies the 50 limit; CreateMeetingAttendee accepts 51",
           ("createmeetingattendee-over-50-rejected",)),
    Defect("attendee-limit-from-39-11",
           "42.1.0: the 50-attendee limit is applied one version early (from 39.11.0)", _OVER,
           version="39.11.0", boundary=("boundary/attendees-per-call-50",)),
]


def seed(state: Any, now: _dt.datetime) -> dict[str, str]:
    """One invited attendee of sessions.meeting, who accepted (LstMeetingAttendee has something to list)."""
    key = SEED_SESSIONS["sessions.meeting"][0]
    site = state.site_by_key("main").name
    state.execute("INSERT INTO meeting_attendees(site, session_key, name, email, role, join_status, created) "
                  "VALUES (?,?,?,?,?,?,?)", (site, key, "Ada Attendee", email_for("attendee1", site), "ATTENDEE",
                                             "ACCEPT", now.isoformat()))
    return {}


def _check_count(call: Call, count: int) -> None:
    """42.1.0: more than 50 attendees in one call -> 040015 with value 50."""
    since = "39.11.0" if call.defect("attendee-limit-from-39-11") else "42.1.0"
    if not call.since(since) or call.defect("attendee-limit-not-enforced"):
        return
    if call.api == "CreateMeetingAttendee" and call.defect("attendee-limit-register-only"):
        return
    over = count >= MAX_PER_CALL if call.defect("attendee-limit-off-by-one") else count > MAX_PER_CALL
    if over:
        code = "999999" if call.defect("attendee-limit-wrong-code") else "040015"
        value = None if call.defect("attendee-limit-no-value") else str(MAX_PER_CALL)
        raise ApiFailure(code, f"Register attendee number over limit in one API call: {MAX_PER_CALL}", value)


def _entries(call: Call, include_top: bool) -> list[etree._Element]:
    """The elements that each describe one attendee (bodyContent itself for the top one)."""
    found = [call.body] if include_top and call.find("person") is not None else []
    return found + call.findall("attendees")


def _key_of(call: Call, entry: etree._Element, fallback: str | None) -> str | None:
    for name in ("sessionKey", "meetingKey", "meetingkey"):
        text = call.text(name, root=entry)
        if text:
            return text
    return fallback


def _register(call: Call, entries: list[etree._Element], registering: bool) -> list[tuple[int, int | None]]:
    if not entries:
        raise ApiFailure("999999", "No attendee in the request: expected person or attendees elements")
    _check_count(call, len(entries))
    top_key = call.text("sessionKey") or call.text("meetingKey") or call.text("meetingkey")
    planned = []
    sessions: dict[str | None, Any] = {}   # 50 attendees of one meeting: one lookup, not 50
    for i, entry in enumerate(entries, 1):
        email = call.text("person/email", root=entry)
        if not email:
            raise ApiFailure("999999", f"Attendee {i}: person/email is required")
        key = _key_of(call, entry, top_key)
        row = sessions.get(key)
        if row is None:
            row = sessions[key] = session_row(call, key, ATTENDEE_KINDS)
        name = call.text("person/name", root=entry) or email
        role = (call.text("role", root=entry) or "ATTENDEE").upper()
        status = (call.text("joinStatus", root=entry) or ("REGISTER" if registering else "INVITE")).upper()
        if status not in JOIN_STATUSES:
            raise ApiFailure("999999", f"Attendee {i}: invalid joinStatus {status[:40]!r}: expected one of "
                                       f"{', '.join(JOIN_STATUSES)}")
        if call.defect("attendee-joinstatus-not-stored"):
            status = "REGISTER" if registering else "INVITE"
        planned.append((row["session_key"], name, email, role, status))
    now = call.now.replace(microsecond=0).isoformat()
    out: list[tuple[int, int | None]] = []
    with call.db.transaction() as db:
        for key, name, email, role, status in planned:
            reg = db.next_id("attendee_register_id", 50000001) if registering else None
            cur = db.execute(
                "INSERT INTO meeting_attendees(site, session_key, name, email, role, join_status, register_id, "
                "created) VALUES (?,?,?,?,?,?,?,?)",
                (call.site.name, key, name, email, role, status, reg, now))
            out.append((cur.lastrowid, reg))
    return out


@handler("attendee", "CreateMeetingAttendee")
def create_meeting_attendee(call: Call) -> list:
    call.require_user()
    made = _register(call, _entries(call, include_top=True), registering=False)
    A = call.E("att")
    return [A.attendeeId(str(aid)) for aid, _reg in made]


@handler("attendee", "RegisterMeetingAttendee")
def register_meeting_attendee(call: Call) -> list:
    call.require_user()
    made = _register(call, _entries(call, include_top=False), registering=True)
    A = call.E("att")
    return [A.register(A.attendeeID(str(aid)), A.registerID(str(reg))) for aid, reg in made]


def _attendee(call: Call, row: sqlite3.Row) -> Any:
    A, C = call.E("att"), call.E("com")
    children = [A.person(C.name(row["name"]), C.email(row["email"]), C.type("VISITOR")),
                A.contactID(str(row["attendee_id"])), A.joinStatus(row["join_status"]),
                A.meetingKey(str(row["session_key"])), A.language("ENGLISH"), A.role(row["role"]), A.languageID("1"),
                A.attendeeId(str(row["attendee_id"]))]
    if row["register_id"] is not None:
        children.append(A.registerID(str(row["register_id"])))
    return A.attendee(*children)


@handler("attendee", "LstMeetingAttendee")
def lst_meeting_attendee(call: Call) -> list:
    key = call.text("meetingKey") or call.text("meetingkey") or call.text("sessionKey")
    row = session_row(call, key, ATTENDEE_KINDS)
    chosen, total, start = page_sql(call, "SELECT * FROM meeting_attendees WHERE session_key=? AND site=?",
                                    (row["session_key"], call.site.name), "ORDER BY attendee_id", PAGE_SIZE)
    A = call.E("att")
    return [matching_records(A, total, len(chosen), start), *(_attendee(call, r) for r in chosen)]


@handler("attendee", "DelMeetingAttendee")
def del_meeting_attendee(call: Call) -> list:
    """Remove attendees by attendeeID, or by attendeeEmail (email + sessionKey); the session's host or an admin."""
    call.require_user()
    targets: list[sqlite3.Row] = []
    for el in call.findall("attendeeID"):
        row = call.db.one("SELECT * FROM meeting_attendees WHERE attendee_id=? AND site=?",
                          (parse_key(el.text) or 0, call.site.name))
        if row is None:
            raise ApiFailure(*NO_RECORD)
        targets.append(row)
    for el in call.findall("attendeeEmail"):
        session = session_row(call, call.text("sessionKey", root=el), ATTENDEE_KINDS)
        rows = call.db.query("SELECT * FROM meeting_attendees WHERE site=? AND session_key=? AND lower(email)=lower(?)",
                             (call.site.name, session["session_key"], call.text("email", "", el)))
        if not rows:
            raise ApiFailure(*NO_RECORD)
        targets += rows
    if not targets:
        raise ApiFailure("999999", "Missing required element: attendeeID or attendeeEmail")
    for row in targets:
        session_row(call, str(row["session_key"]), ATTENDEE_KINDS)   # the host's or an admin's to remove
    if not call.defect("delmeetingattendee-not-deleted"):
        with call.db.transaction() as db:
            for row in targets:
                db.execute("DELETE FROM meeting_attendees WHERE attendee_id=?", (row["attendee_id"],))
    return []
