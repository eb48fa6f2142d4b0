"""Event service (Webex Events classic): CreateEvent, SetEvent, GetEvent, DelEvent.

Events live in the core ``sessions`` table (kind ``event``).  The documented changes
carried here:

- SP20: GetEvent returns isCETMeeting, sipURL, standaloneDialingIPAddress and
  panelistNumericPassword only for an event that supports Webex Video (CMR 4.0);
- 39.3.0: a description over 1024 display characters -> 060067; GetEvent returns
  displayMeetingUrl (<event number>@webex.com) beside the sipURL of a Webex Video event
  (the same choice GetSessionInfo makes: the short SIP URI accompanies the long one);
- 39.8.0: the limit becomes 2500.  The notes give no code for it; the reference server
  keeps 060067 with 2500 in the reason (cases only check FAILURE).  No limit before 39.3.0;
- 39.9.0: scheduled events are video-device-enabled unless their audio is NONE or OTHER
  (our representation: such an event supports Webex Video, so GetEvent shows the SP20
  elements for it);
- SP21: autoRecord applies to Webex Meetings only, so GetEvent never returns it;
- 42.5.0: no event can be scheduled or edited on a suspended site (010107).
"""
from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from ..defects import Defect
from ..call import Call
from ..failures import ACCESS_DENIED, ApiFailure
from ..routes import handler
from ..wire import fmt_date, parse_date
from .addresses import display_meeting_url, sip_url
from .listing import matching_records, page_sql
from .limits import DESCRIPTION_REASON, check_description, DescriptionDefects
from .numbers import read_int
from .sessions import new_session, refuse_on_suspended_site, seed_on_suspended_site
from .meeting import KEY_COUNTER, read_telephony, session_row, video_device_enabled

__all__ = ["DEFECTS", "TABLES", "DESCRIPTION_REASON", "seed", "create_event", "set_event", "get_event", "del_event"]

TABLES = ""  # events use the core ``sessions`` table
STANDALONE_IP = "192.0.2.10"   # TEST-NET-1: the address video systems dial (documentation range)

_D1024 = ("createevent-description-1024", "setevent-description-1024")
_D2500 = ("createevent-description-2500", "setevent-description-2500")

DEFECTS: list[Defect] = [
    Defect("event-description-limit-off-by-one",
           "39.8.0: an event description of exactly 2500 characters is refused (limit checked with >=)", _D2500),
    Defect("event-description-2500-not-enforced", "39.8.0: event descriptions over 2500 characters are accepted",
           _D2500),
    Defect("event-description-1024-not-enforced",
           "39.3.0: event descriptions over 1024 characters are accepted before 39.8.0", _D1024 + _D2500,
           version="39.3.0"),
    Defect("event-description-limit-not-raised", "39.8.0: the 1024 event description limit of 39.3.0 still applies",
           _D2500 + _D1024),
    Defect("event-description-wrong-code",
           "39.3.0: an event description over 1024 characters is refused with 999999 instead of 060067",
           _D1024 + _D2500, version="39.5.0"),
    Defect("event-description-2500-from-39-9",
           "39.8.0: the 2500 event description limit is applied one version late (39.9.0): 39.8.0 keeps 1024",
           _D2500 + _D1024, version="39.8.0", boundary=("boundary/description",)),
    Defect("getevent-cet-elements-missing",
           "SP20: GetEvent never returns isCETMeeting, sipURL, standaloneDialingIPAddress, panelistNumericPassword",
           ("getevent-cet-elements", "createevent-video-device-default", "getevent-displaymeetingurl")),
    Defect("getevent-cet-elements-for-all",
           "SP20: GetEvent returns the Webex Video elements for events without Webex Video too",
           ("getevent-no-cet-elements-without-video", "event-audio-none-or-other-not-video-device")),
    Defect("displaymeetingurl-missing-getevent", "39.3.0: GetEvent does not return displayMeetingUrl",
           ("getevent-displaymeetingurl",)),
    Defect("suspended-event-create-allowed", "42.5.0: CreateEvent schedules an event on a suspended site",
           ("suspended-site-createevent",)),
    Defect("suspended-event-set-allowed", "42.5.0: SetEvent edits an event on a suspended site",
           ("suspended-site-setevent",)),
    Defect("lstsummaryevent-other-hosts-listed",
           "LstsummaryEvent lists other hosts' events to a host who is not a site administrator",
           (), tests=("lstsummaryevent_own_events",)),
    Defect("event-autorecord-returned", "SP21: GetEvent returns autoRecord, which applies to Webex Meetings only",
           ("getevent-no-autorecord",)),
]


_DESCRIPTION_DEFECTS = DescriptionDefects(
    not_raised="event-description-limit-not-raised", unlimited="event-description-2500-not-enforced",
    off_by_one="event-description-limit-off-by-one", wrong_code="event-description-wrong-code",
    no_1024="event-description-1024-not-enforced", counts_bytes="event-description-counts-bytes",
    late_2500="event-description-2500-from-39-9")


def _numeric_password(key: int) -> str:
    return f"{(key * 7919) % 100000000:08d}"


def _event_data(key: int) -> str:
    """What only an event has (JSON): the SP20 Webex Video dial-in details."""
    return json.dumps({"panelistNumericPassword": _numeric_password(key), "standaloneDialingIPAddress": STANDALONE_IP})


@handler("event", "CreateEvent")
def create_event(call: Call) -> list:
    refuse_on_suspended_site(call, "suspended-event-create-allowed")
    account = call.require_user()
    if account.role == "attendee":
        raise ApiFailure(*ACCESS_DENIED)
    name = call.text("metaData/sessionName")
    if not name:
        raise ApiFailure("999999", "metaData/sessionName is required: an event needs a name")
    description = call.text("metaData/description", "")
    check_description(call, description, _DESCRIPTION_DEFECTS)
    telephony = read_telephony(call, "CALLIN")
    start = parse_date(call.text("schedule/startDate")) or (call.now + _dt.timedelta(days=1)).replace(microsecond=0)
    video = video_device_enabled(call, telephony)
    password = call.text("accessControl/sessionPassword")
    key = new_session(
        call.db, KEY_COUNTER, call.now.replace(microsecond=0).isoformat(), site=call.site.name, kind="event",
        host=account.webex_id, conf_name=name, start_date=start.isoformat(),
        duration=read_int(call, "schedule/duration", 60), time_zone_id=read_int(call, "schedule/timeZoneID", 4),
        password=password or (lambda k: f"Ev{k % 10000:04d}x"), description=description, telephony=telephony,
        is_cet=int(video), data=_event_data)
    E = call.E("event")
    return [E.sessionKey(str(key)), E.guestToken(f"{(key * 104729) % 10 ** 12:012d}")]


@handler("event", "SetEvent")
def set_event(call: Call) -> list:
    call.require_user()
    row = session_row(call, call.text("sessionKey"), ("event",))
    refuse_on_suspended_site(call, "suspended-event-set-allowed")
    name = call.text("metaData/sessionName")
    if name is not None and not name:
        raise ApiFailure("999999", "metaData/sessionName must not be empty")
    description = call.text("metaData/description")
    check_description(call, description, _DESCRIPTION_DEFECTS)
    telephony = read_telephony(call, row["telephony"])
    video = video_device_enabled(call, telephony) if call.since("39.9.0") else bool(row["is_cet"])
    start = parse_date(call.text("schedule/startDate"))
    call.db.execute(
        "UPDATE sessions SET conf_name=?, description=?, telephony=?, is_cet=?, start_date=?, "
        "duration=?, time_zone_id=?, modified=? WHERE session_key=?",
        (name or row["conf_name"], row["description"] if description is None else description, telephony,
         int(video), start.isoformat() if start else row["start_date"],
         read_int(call, "schedule/duration", row["duration"]),
         read_int(call, "schedule/timeZoneID", row["time_zone_id"]),
         call.now.replace(microsecond=0).isoformat(), row["session_key"]))
    return []


def _video_elements(call: Call, row: Any, data: dict[str, Any]) -> list:
    """SP20: the Webex Video elements, only for an event that supports Webex Video."""
    if not call.since("11.0.0 SP20") or call.defect("getevent-cet-elements-missing"):
        return []
    cet = bool(row["is_cet"])
    if not cet and not call.defect("getevent-cet-elements-for-all"):
        return []
    E = call.E("event")
    return [E.isCETMeeting("true" if cet else "false"), E.sipURL(sip_url(call.site.name, row)),
            E.standaloneDialingIPAddress(data.get("standaloneDialingIPAddress", STANDALONE_IP)),
            E.panelistNumericPassword(data.get("panelistNumericPassword", _numeric_password(row["session_key"])))]


@handler("event", "GetEvent")
def get_event(call: Call) -> list:
    row = session_row(call, call.text("sessionKey"), ("event",))
    data = json.loads(row["data"])
    E = call.E("event")
    out = [
        E.accessControl(E.listing("PUBLIC"), E.sessionPassword(row["password"])),
        E.metaData(E.sessionName(row["conf_name"]), E.sessionType("9"), E.description(row["description"])),
        E.schedule(E.startDate(fmt_date(_dt.datetime.fromisoformat(row["start_date"]))),
                   E.timeZoneID(str(row["time_zone_id"])), E.duration(str(row["duration"])),
                   E.hostWebExID(row["host"])),
        E.telephony(E.telephonySupport(row["telephony"])),
        E.sessionKey(str(row["session_key"])),
        E.status("NOT_INPROGRESS"),
        E.hostKey(row["host_key"]),
    ]
    out += _video_elements(call, row, data)
    if row["is_cet"] and call.since("39.3.0") and not call.defect("displaymeetingurl-missing-getevent"):
        out.append(E.displayMeetingUrl(display_meeting_url(call.site.name, row, short_pmr=False)))
    if call.since("11.0.0 SP21") and call.defect("event-autorecord-returned"):
        out.append(E.autoRecord("false"))
    return out


@handler("event", "DelEvent")
def del_event(call: Call) -> list:
    """Lets a suite clean up the events it scheduled."""
    row = session_row(call, call.text("sessionKey"), ("event",))
    call.db.execute("DELETE FROM sessions WHERE session_key=?", (row["session_key"],))
    return []


@handler("event", "LstsummaryEvent")
def lstsummary_event(call: Call) -> list:
    """The site's events, as a public client lists them (real-traffic 046-048).

    A site administrator sees every event; anyone else the events they host.  Filters:
    ``dateScope/startDateStart``/``startDateEnd`` and ``hostWebExID`` (admins).  None
    found is 000015, which real clients treat as an empty list (048).
    """
    account = call.require_user()
    lo = parse_date(call.text("dateScope/startDateStart"))
    hi = parse_date(call.text("dateScope/startDateEnd"))
    host = call.text("hostWebExID") if account.is_admin else account.webex_id
    sql, params = "SELECT * FROM sessions WHERE site=? AND kind='event'", [call.site.name]
    if host and not call.defect("lstsummaryevent-other-hosts-listed"):
        sql, params = sql + " AND lower(host)=lower(?)", params + [host]
    if lo is not None:  # isoformat() text sorts as the dates do
        sql, params = sql + " AND start_date >= ?", params + [lo.isoformat()]
    if hi is not None:
        sql, params = sql + " AND start_date <= ?", params + [hi.isoformat()]
    chosen, total, start = page_sql(call, sql, params, "ORDER BY start_date, session_key", 10)
    E = call.E("event")
    out = [matching_records(E, total, len(chosen), start)]
    for r in chosen:
        begin = _dt.datetime.fromisoformat(r["start_date"])
        out.append(E.event(
            E.sessionKey(str(r["session_key"])), E.sessionName(r["conf_name"]), E.sessionType("9"),
            E.hostWebExID(r["host"]), E.startDate(fmt_date(begin)),
            E.endDate(fmt_date(begin + _dt.timedelta(minutes=r["duration"]))), E.timeZoneID(str(r["time_zone_id"])),
            E.duration(str(r["duration"])), E.description(r["description"]), E.status("NOT_INPROGRESS"),
            E.panelists(""), E.listStatus(json.loads(r["data"]).get("listing", "PUBLIC"))))
    return out


def seed(state, now: _dt.datetime) -> dict[str, str]:
    """An event scheduled on the suspended site before it was suspended (for the 42.5.0 SetEvent case)."""
    key = seed_on_suspended_site(state, now, KEY_COUNTER, 7, kind="event", conf_name="Event before suspension",
                                 password="Ev4713x", telephony="CALLIN", data=_event_data)
    return {"sessions.suspended_event": key}


# Defects only the boundary tests catch: no case sends the input that shows them.
BOUNDARY_DEFECTS: list[Defect] = [
    Defect("event-description-counts-bytes",
           "39.8.0: Create/SetEvent count the description's UTF-8 bytes, not its characters (2500 CJK refused)",
           (), boundary=("boundary/description",)),
]
