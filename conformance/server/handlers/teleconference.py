"""Teleconference-only sessions: Create/Get/Set/DelTeleconferenceSession (``meeting.auo``).

Not in the release notes; real clients call them with the three-part binding type
``java:com.webex.service.binding.meeting.auo.<API>`` (real-traffic 002, 004, 007) and
the answers are in the ``.../service/meeting/auo`` namespace.  Sessions live in the core
``sessions`` table (kind ``teleconference``) with keys from their own counter (from
441000000); the teleconference numbers and access codes are derived from the key.
"""
from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from ..call import Call
from ..defects import Defect
from ..failures import ACCESS_DENIED, ApiFailure
from ..routes import handler
from ..wire import fmt_date, parse_date, xsd_bool
from .limits import check_conf_name
from .meeting import session_row
from .numbers import read_int
from .sessions import new_session, refuse_on_suspended_site

__all__ = ["DEFECTS", "KEY_COUNTER", "seed", "create_teleconference_session", "get_teleconference_session",
           "set_teleconference_session", "del_teleconference_session"]

SERVICE = "meeting.auo"
KEY_COUNTER = ("teleconference_session_key", 441000000)
KINDS = ("teleconference",)
LISTINGS = ("PUBLIC", "PRIVATE")

DEFECTS: list[Defect] = [
    Defect("teleconference-set-not-stored",
           "SetTeleconferenceSession answers SUCCESS but GetTeleconferenceSession still returns the old confName",
           (), tests=("teleconferencesession_set_then_get",)),
    Defect("teleconference-del-keeps-session",
           "DelTeleconferenceSession answers SUCCESS but the session can still be read",
           (), tests=("teleconferencesession_create_get_delete",)),
]


def seed(state: Any, now: _dt.datetime) -> dict[str, str]:
    """host1's teleconference on the main site (``sessions.teleconference``)."""
    start = (now + _dt.timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
    key = new_session(state, KEY_COUNTER, now.isoformat(), site=state.site_by_key("main").name, kind="teleconference",
                      host="host1", conf_name="Weekly dial-in", start_date=start.isoformat(), password="Tc4711",
                      data=json.dumps({"listing": "PUBLIC", "sessionType": "-1", "full": [], "limited": []}))
    return {"sessions.teleconference": str(key)}


def _listing(call: Call, default: str) -> str:
    text = (call.text("accessControl/listing") or default).upper()
    if text not in LISTINGS:
        raise ApiFailure("999999", f"Invalid listing {text[:40]!r}: expected PUBLIC or PRIVATE")
    return text


def _attendees(call: Call, group: str) -> list[dict[str, str]]:
    people = []
    parent = call.find(group)
    for a in call.findall("attendee", parent) if parent is not None else []:
        email = call.text("email", root=a)
        if email:
            people.append({"name": call.text("name", "", a), "email": email})
    return people


@handler(SERVICE, "CreateTeleconferenceSession")
def create_teleconference_session(call: Call) -> list:
    refuse_on_suspended_site(call, "")
    account = call.require_user()
    if account.role == "attendee":
        raise ApiFailure(*ACCESS_DENIED)
    name = call.text("metaData/confName") or ""
    check_conf_name(call, name)
    start = parse_date(call.text("schedule/startDate")) or (call.now + _dt.timedelta(days=1)).replace(microsecond=0)
    data = {"listing": _listing(call, "PUBLIC"), "sessionType": call.text("metaData/sessionType") or "-1",
            "full": _attendees(call, "fullAccessAttendees"), "limited": _attendees(call, "limitedAccessAttendees"),
            "emailInvitations": bool(call.flag("attendeeOptions/emailInvitations", False))}
    key = new_session(call.db, KEY_COUNTER, call.now.replace(microsecond=0).isoformat(), site=call.site.name,
                      kind="teleconference", host=account.webex_id, conf_name=name, start_date=start.isoformat(),
                      duration=read_int(call, "schedule/duration", 60),
                      time_zone_id=read_int(call, "schedule/timeZoneID", 4),
                      password=call.text("accessControl/sessionPassword", ""), data=json.dumps(data))
    return [call.E("auo").sessionKey(str(key))]


@handler(SERVICE, "SetTeleconferenceSession")
def set_teleconference_session(call: Call) -> list:
    refuse_on_suspended_site(call, "")
    row = session_row(call, call.text("sessionKey"), KINDS)
    data = json.loads(row["data"])
    name = call.text("metaData/confName")
    if name is not None:
        check_conf_name(call, name)
    if call.text("accessControl/listing"):
        data["listing"] = _listing(call, data["listing"])
    for group, slot in (("fullAccessAttendees", "full"), ("limitedAccessAttendees", "limited")):
        if call.find(group) is not None:
            data[slot] = _attendees(call, group)
    if call.defect("teleconference-set-not-stored"):
        name = None
    start = parse_date(call.text("schedule/startDate"))
    call.db.execute(
        "UPDATE sessions SET conf_name=?, start_date=?, duration=?, time_zone_id=?, password=?, data=?, modified=? "
        "WHERE session_key=?",
        (row["conf_name"] if name is None else name, start.isoformat() if start else row["start_date"],
         read_int(call, "schedule/duration", row["duration"]), read_int(call, "schedule/timeZoneID", row["time_zone_id"]),
         call.text("accessControl/sessionPassword", row["password"]), json.dumps(data),
         call.now.replace(microsecond=0).isoformat(), row["session_key"]))
    return []


def _numbers(key: int) -> dict[str, str]:
    return {"tollFreeCallInNumber": "1-877-555-0100", "tollCallInNumber": "1-408-555-0100",
            "intlLocalCallInNumber": "", "subscriberAccessCode": f"{key % 100000000:08d}",
            "participantFullAccessCode": f"{(key * 3) % 100000000:08d}",
            "participantLimitedAccessCode": f"{(key * 7) % 100000000:08d}", "scheduleConfID": str(key % 1000000)}


@handler(SERVICE, "GetTeleconferenceSession")
def get_teleconference_session(call: Call) -> list:
    row = session_row(call, call.text("sessionKey"), KINDS)
    data = json.loads(row["data"])
    A = call.E("auo")
    tele = A.teleconference(A.personalConferenceNumber("false"),
                            *(getattr(A, k)(v) for k, v in _numbers(row["session_key"]).items()))

    def people(group: str, slot: str) -> Any:
        return getattr(A, group)(*(A.attendee(A.name(p["name"]), A.email(p["email"])) for p in data.get(slot, [])))

    return [
        A.accessControl(A.listing(data.get("listing", "PUBLIC")), A.sessionPassword(row["password"])),
        A.metaData(A.confName(row["conf_name"]), A.sessionType(str(data.get("sessionType", "-1")))),
        A.schedule(A.startDate(fmt_date(_dt.datetime.fromisoformat(row["start_date"]))),
                   A.timeZoneID(str(row["time_zone_id"])), A.duration(str(row["duration"])),
                   A.hostWebExID(row["host"])),
        tele,
        people("fullAccessAttendees", "full"), people("limitedAccessAttendees", "limited"),
        A.attendeeOptions(A.emailInvitations(xsd_bool(data.get("emailInvitations")))),
    ]


@handler(SERVICE, "DelTeleconferenceSession")
def del_teleconference_session(call: Call) -> list:
    row = session_row(call, call.text("sessionKey"), KINDS)
    if not call.defect("teleconference-del-keeps-session"):
        call.db.execute("DELETE FROM sessions WHERE session_key=?", (row["session_key"],))
    return []
