"""GetSessionInfo and LstsummarySession: one view of every kind of session.

Both read the core ``sessions`` table (meetings, Personal Rooms, webinars, events,
training and support sessions), so the documented changes to what a session looks like
(SIP/Skype URLs, meeting links, CET passwords, auto-record, short SIP URLs, the
anonymous trimming and the 42.1.0 meaning of enableEvent/enableWebniar) live in one
place.

Our documented choices, where the release notes leave room:

* sipURL (SP14) is returned only for sessions on the Cisco video platform (``is_cet``):
  meetings and Personal Rooms from SP14, CET events from SP20 (with isCETMeeting,
  standaloneDialingIPAddress and panelistNumericPassword).  skypeURL (SP14) is returned
  for every session.  meetingLink (SP15) for every session.
* displayMeetingUrl (39.3.0) accompanies sipURL, which keeps the old form
  ``<number>@<site>.webex.com`` (a Personal Room's: ``<webExID>@<site>.webex.com``);
  it carries ``<number>@webex.com``, and for a Personal Room from 39.9.0 the short
  form ``<webExID>.<site>@webex.com`` (short SIP URLs for PMRs).  GetMeeting builds
  them with the same functions (common.py), and the same meetingLink.
* Anonymous access on a Personal Room (39.3.0) drops accessControl (with its
  sessionPassword), telephony, isAlternateHost, isCreator, hostKey and supportE2E.
* Anonymous access from 39.9.0 returns only the NECESSARY elements for any session:
  status, sessionkey, metaData/confName, schedule/startDate, schedule/timeZone,
  isCETMeeting, sipURL, skypeURL, meetingLink and displayMeetingUrl - what a client
  needs to show and join the session, nothing about the host, passwords or telephony.
* enableEvent/enableWebniar before 42.1.0: enableEvent true for Event Center events and
  webinars, enableWebniar true for webinars.  From 42.1.0: enableEvent true iff the
  session is a Webex webinar; enableWebniar is the webinar's view-only-attendees flag,
  and ``false`` when enableEvent is false (the notes give it no meaning there).
"""
from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from lxml import etree

from ..defects import Defect
from ..call import Call
from ..failures import ACCESS_DENIED, MEETING_NOT_FOUND, NO_RECORD, ApiFailure
from ..routes import handler
from ..wire import fmt_date, xsd_bool
from .captcha import guard_anonymous_lookup
from .addresses import display_meeting_url, meeting_link, sip_url, skype_url
from .listing import matching_records, page_sql
from .numbers import parse_key
from .options import time_zone_name

PAGE_SIZE = 50      # the ep list APIs (LstsummarySession, LstRecording) without maximumNum

KIND_SERVICE = {
    "meeting": "MeetingCenter", "pmr": "MeetingCenter", "webinar": "MeetingCenter",
    "event": "EventCenter", "training": "TrainingCenter", "support": "SupportCenter",
}
# Top-level elements an anonymous caller still gets from 39.9.0 (see the docstring).
NECESSARY = ("status", "sessionkey", "metaData", "schedule", "isCETMeeting", "sipURL", "skypeURL",
             "meetingLink", "displayMeetingUrl")
NECESSARY_META = ("confName",)
NECESSARY_SCHEDULE = ("startDate", "timeZone")
# 39.3.0: what anonymous access on a Personal Room no longer returns.
PMR_TRIMMED = ("accessControl", "telephony", "isAlternateHost", "isCreator", "hostKey", "supportE2E")

DEFECTS: list[Defect] = [
    Defect("anonymous-leaks-hostkey",
           "anonymous GetSessionInfo returns the host key",
           ("getsessioninfo-pmr-anonymous-basic-info", "getsessioninfo-anonymous-necessary-elements")),
    Defect("pmr-anonymous-not-trimmed",
           "anonymous GetSessionInfo on a Personal Room returns passwords, telephony and the host key (39.3.0)",
           ("getsessioninfo-pmr-anonymous-basic-info",), version="39.5.0"),
    Defect("anonymous-full-answer",
           "anonymous GetSessionInfo returns every element, not only the necessary ones (39.9.0)",
           ("getsessioninfo-anonymous-necessary-elements",)),
    Defect("sipurl-for-every-meeting",
           "GetSessionInfo returns sipURL for meetings not on the Cisco video platform (SP14)",
           ("getsessioninfo-sipurl-skypeurl",)),
    Defect("skypeurl-missing", "GetSessionInfo never returns skypeURL (SP14)",
           ("getsessioninfo-sipurl-skypeurl", "getsessioninfo-anonymous-necessary-elements")),
    Defect("meetinglink-missing", "GetSessionInfo never returns meetingLink (SP15)",
           ("getsessioninfo-meetinglink", "getsessioninfo-anonymous-necessary-elements")),
    Defect("panelist-password-missing",
           "GetSessionInfo omits panelistNumericPassword for CET events (SP20)",
           ("getsessioninfo-panelistnumericpassword",)),
    Defect("isautorecord-missing", "GetSessionInfo never returns isAutoRecord (SP21)",
           ("getsessioninfo-isautorecord",)),
    Defect("displaymeetingurl-missing", "GetSessionInfo never returns displayMeetingUrl (39.3.0)",
           ("getsessioninfo-displaymeetingurl", "getsessioninfo-pmr-short-sip-url")),
    Defect("displaymeetingurl-replaces-sipurl",
           "GetSessionInfo drops sipURL once it returns displayMeetingUrl (39.3.0 keeps both)",
           ("getsessioninfo-displaymeetingurl", "getsessioninfo-pmr-short-sip-url",
            "getsessioninfo-sipurl-skypeurl", "getsessioninfo-panelistnumericpassword")),
    Defect("sessioninfo-pmr-short-sip-missing",
           "GetSessionInfo returns <number>@webex.com, not the short SIP URL, as a PMR's displayMeetingUrl (39.9.0)",
           ("getsessioninfo-pmr-short-sip-url",)),
    Defect("enableevent-old-logic",
           "GetSessionInfo and LstsummarySession keep the pre-42.1.0 meaning of enableEvent",
           ("getsessioninfo-enableevent-webinar", "lstsummarysession-enableevent-webinar")),
    Defect("enablewebniar-always-true",
           "GetSessionInfo and LstsummarySession say enableWebniar true for every webinar, view-only or not (42.1.0)",
           ("getsessioninfo-enableevent-webinar", "lstsummarysession-enableevent-webinar")),
]


def _data(row: Any) -> dict[str, Any]:
    try:
        data = json.loads(row["data"] or "{}")
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _start(row: Any) -> _dt.datetime:
    try:
        return _dt.datetime.fromisoformat(row["start_date"])
    except (TypeError, ValueError):
        return _dt.datetime(2000, 1, 1)


def session_key(call: Call, path: str = "sessionKey") -> int:
    """The request's session key, or the documented 'not found' for anything else."""
    text = call.text(path)
    if text is None or text == "":
        raise ApiFailure("999999", f"{path} is required: the key of the session to look up")
    key = parse_key(text)
    if key is None:
        raise ApiFailure(*MEETING_NOT_FOUND)
    return key


def find_session(call: Call, key: int) -> Any:
    row = call.db.one("SELECT * FROM sessions WHERE session_key=? AND site=?", (key, call.site.name))
    if row is None:
        raise ApiFailure(*MEETING_NOT_FOUND)
    return row


def enable_flags(call: Call, row: Any) -> tuple[bool, bool]:
    """(enableEvent, enableWebniar) as the emulated version defines them."""
    kind, data = row["kind"], _data(row)
    if call.since("42.1.0") and not call.defect("enableevent-old-logic"):
        is_webinar = kind == "webinar"
        view_only = bool(data.get("enableWebniar", False)) or call.defect("enablewebniar-always-true")
        return is_webinar, is_webinar and view_only
    return kind in ("event", "webinar"), kind == "webinar"


def _video_urls(call: Call, row: Any) -> dict[str, str]:
    """sipURL / displayMeetingUrl / skypeURL / meetingLink of one session."""
    site = call.site.name
    short_pmr = call.since("39.9.0") and not call.defect("sessioninfo-pmr-short-sip-missing")
    return {"sipURL": sip_url(site, row), "displayMeetingUrl": display_meeting_url(site, row, short_pmr),
            "skypeURL": skype_url(site, row), "meetingLink": meeting_link(site, row)}


def _full_answer(call: Call, row: Any) -> list[tuple[str, etree._Element]]:
    """Every element a signed-in caller gets, as (local name, element), in our order."""
    E = call.E("ep")
    kind, data, key = row["kind"], _data(row), row["session_key"]
    host = call.db.user_row(call.site, row["host"])
    caller = call.account
    is_owner = caller is not None and caller.webex_id.lower() == row["host"].lower()
    # Only the host and admins see the host key.  The one exception the notes show: 39.3.0's
    # comparison has it in the old anonymous answer for a Personal Room (trimmed from 39.3.0,
    # see _anonymous_view).  For other sessions an anonymous caller gets no more than a
    # signed-in attendee: the notes never show an anonymous answer with their host key.
    privileged = is_owner or (caller is not None and caller.is_admin) or (caller is None and kind == "pmr")
    is_cet = bool(row["is_cet"])
    is_meeting = kind in ("meeting", "pmr", "webinar")
    urls = _video_urls(call, row)
    out: list[tuple[str, etree._Element]] = []

    def add(name: str, *children: Any) -> None:
        out.append((name, E(name, *children)))

    add("status", "NOT_INPROGRESS")
    add("sessionkey", str(key))
    add("confID", str(key * 10 + 7))
    add("accessControl", E.sessionPassword(row["password"]), E.listStatus("PUBLIC"),
        E.registration("false"), E.passwordReq(xsd_bool(bool(row["password"]))))
    add("metaData", E.confName(row["conf_name"]), E.sessionType("3"),
        E.serviceType(KIND_SERVICE.get(kind, "MeetingCenter")), E.description(row["description"] or ""),
        E.isRecurring("false"))
    add("telephony", E.telephonySupport(row["telephony"] or "NONE"),
        E.globalCallInNumbersURL(f"https://{call.site.name}.webex.com/{call.site.name}/globalcallin.php"),
        E.callInNum(E.tollNum("14085550100")))
    if host is not None:
        add("host", E.firstName(host["first_name"]), E.lastName(host["last_name"]), E.email(host["email"]),
            E.webExId(host["webex_id"]))
    start = _start(row)
    add("schedule", E.startDate(fmt_date(start)), E.duration(str(row["duration"])),
        E.timeZone(time_zone_name(row["time_zone_id"])))
    add("isAlternateHost", "false")
    add("isCreator", xsd_bool(is_owner))
    if privileged:
        add("hostKey", row["host_key"] or "000000")
    add("supportE2E", "false")

    cet_event = kind == "event" and is_cet and call.since("11.0.0 SP20")
    if is_meeting:
        add("isCETMeeting", xsd_bool(is_cet))
    elif cet_event:
        add("isCETMeeting", "true")
    show_sip = (is_meeting and is_cet and call.since("11.0.0 SP14")) or cet_event
    if call.defect("sipurl-for-every-meeting") and is_meeting and call.since("11.0.0 SP14"):
        show_sip = True
    show_display = show_sip and call.since("39.3.0") and not call.defect("displaymeetingurl-missing")
    if show_sip and not (show_display and call.defect("displaymeetingurl-replaces-sipurl")):
        add("sipURL", urls["sipURL"])
    if (is_meeting and is_cet) or cet_event:
        add("standaloneDialingIPAddress", str(data.get("standaloneDialingIPAddress", "192.0.2.20")))
    if cet_event and not call.defect("panelist-password-missing"):
        add("panelistNumericPassword", str(data.get("panelistNumericPassword", f"{key % 100000:05d}")))
    if call.since("11.0.0 SP14") and not call.defect("skypeurl-missing"):
        add("skypeURL", urls["skypeURL"])
    if call.since("11.0.0 SP15") and not call.defect("meetinglink-missing"):
        add("meetingLink", urls["meetingLink"])
    if show_display:
        add("displayMeetingUrl", urls["displayMeetingUrl"])
    if call.since("11.0.0 SP21") and not call.defect("isautorecord-missing"):
        add("isAutoRecord", xsd_bool(bool(row["auto_record"]) or call.site.auto_record))
    enable_event, enable_webinar = enable_flags(call, row)
    add("enableEvent", xsd_bool(enable_event))
    add("enableWebniar", xsd_bool(enable_webinar))
    return out


def _keep_children(el: etree._Element, names: tuple[str, ...]) -> etree._Element:
    for child in list(el):
        if etree.QName(child).localname not in names:
            el.remove(child)
    return el


def _anonymous_view(call: Call, row: Any, items: list[tuple[str, etree._Element]]) -> list[tuple[str, etree._Element]]:
    if call.since("39.9.0") and not call.defect("anonymous-full-answer"):
        kept = []
        for name, el in items:
            if name == "metaData":
                el = _keep_children(el, NECESSARY_META)
            elif name == "schedule":
                el = _keep_children(el, NECESSARY_SCHEDULE)
            if name in NECESSARY:
                kept.append((name, el))
        items = kept
    elif row["kind"] == "pmr" and call.since("39.3.0") and not call.defect("pmr-anonymous-not-trimmed"):
        items = [(n, el) for n, el in items if n not in PMR_TRIMMED]
    if call.defect("anonymous-leaks-hostkey") and not any(n == "hostKey" for n, _ in items):
        items.append(("hostKey", call.E("ep").hostKey(row["host_key"] or "000000")))
    return items


@handler("ep", "GetSessionInfo", anonymous=True)
def get_session_info(call: Call) -> list:
    row = guard_anonymous_lookup(call, call.text("sessionKey") or "", lambda: find_session(call, session_key(call)))
    items = _full_answer(call, row)
    if call.account is None:
        items = _anonymous_view(call, row, items)
    return [el for _name, el in items]


@handler("ep", "LstsummarySession")
def lstsummary_session(call: Call) -> list:
    account = call.require_user()
    E = call.E("ep")
    sql, params = "SELECT * FROM sessions WHERE site=?", [call.site.name]
    host = call.text("hostWebExID")
    if host and not account.is_admin and host.lower() != account.webex_id.lower():
        raise ApiFailure(*ACCESS_DENIED)
    if host:
        sql, params = sql + " AND lower(host)=lower(?)", params + [host]
    elif not account.is_admin:
        sql, params = sql + " AND lower(host)=lower(?)", params + [account.webex_id]
    text = call.text("sessionKey")
    if text:
        key = parse_key(text)
        if key is None:
            raise ApiFailure(*NO_RECORD)
        sql, params = sql + " AND session_key=?", params + [key]
    wanted = [s.text.strip() for s in call.body.iter() if isinstance(s.tag, str)
              and etree.QName(s).localname == "serviceType" and s.text]
    if wanted:  # the kinds whose service was asked for; a kind KIND_SERVICE lacks is MeetingCenter's
        kinds = sorted(k for k, service in KIND_SERVICE.items() if service in wanted)
        known = sorted(KIND_SERVICE)
        clause = f"kind IN ({','.join('?' * len(kinds))})" if kinds else "0"
        if "MeetingCenter" in wanted:
            clause = f"({clause} OR kind NOT IN ({','.join('?' * len(known))}))"
            kinds += known
        sql, params = f"{sql} AND {clause}", params + kinds
    chosen, total, start_from = page_sql(call, sql, params, "ORDER BY start_date, session_key", PAGE_SIZE)
    out = [matching_records(E, total, len(chosen), start_from)]
    for r in chosen:
        enable_event, enable_webinar = enable_flags(call, r)
        out.append(E.session(
            E.sessionKey(str(r["session_key"])), E.confName(r["conf_name"]), E.sessionType("3"),
            E.serviceType(KIND_SERVICE.get(r["kind"], "MeetingCenter")), E.hostWebExID(r["host"]),
            E.timeZoneID(str(r["time_zone_id"])), E.timeZone(time_zone_name(r["time_zone_id"])),
            E.status("NOT_INPROGRESS"), E.startTime(fmt_date(_start(r))), E.duration(str(r["duration"])),
            E.listStatus("PUBLIC"), E.confID(str(r["session_key"] * 10 + 7)), E.isRecurring("false"),
            E.enableEvent(xsd_bool(enable_event)), E.enableWebniar(xsd_bool(enable_webinar))))
    return out

