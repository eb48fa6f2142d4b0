"""Meeting service: CreateMeeting, SetMeeting, GetMeeting, LstMeeting, LstsummaryMeeting, DelMeeting.

Meetings (and webinars and Personal Rooms) live in the core ``sessions`` table; what
only one meeting has goes in its JSON ``data``.  The documented changes carried here:

- SP11: confName empty or over 128 display characters -> 060065 (before SP11 the
  reference server accepts any name, empty included: the notes document no older rule,
  so no case judges it);
- SP14: GetMeeting returns isCETMeeting and meetingLink, and sipURL for CET meetings only;
- SP21: autoRecord in Create/Set/Get/LstMeeting; on a site that records every meeting the
  request value is ignored and Get/LstMeeting show ``true`` (what the site forces);
- 39.1.0: HQvideo/HDvideo in Create/SetMeeting are ignored (the site decides); GetMeeting
  still returns both.  Before 39.1.0 the requested values are stored and returned;
- 39.3.0: GetMeeting returns displayMeetingUrl (<meeting number>@webex.com) beside the
  sipURL it keeps, i.e. for CET meetings (the same choice GetSessionInfo makes);
- 39.9.0: a Personal Room's displayMeetingUrl is its short SIP URL (<room>.<site>@webex.com;
  before, <number>@webex.com like every meeting).  GetMeeting and GetSessionInfo build
  every URL of a session with the same functions (common.py);
  scheduled meetings are video-device-enabled by default unless their audio
  (telephonySupport) is NONE or OTHER.  Our representation: a video-device-enabled
  meeting is a CET meeting (isCETMeeting true, with a sipURL); before 39.9.0 a scheduled
  meeting is not one (the notes document no old default, so no case judges it);
- 42.5.0: on a suspended site, webinars can't be scheduled or edited (010107); free
  meetings still can.  A request marks a webinar with
  ``<enableOptions><enableEvent>true</enableEvent></enableOptions>`` (the element the
  42.1.0 notes use to say "this meeting is a webinar"); a stored webinar stays one.
"""
from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from typing import Any, Callable

from lxml import etree
from ..element_maker import Maker

from ..defects import Defect
from ..call import Call
from ..failures import ACCESS_DENIED, MEETING_NOT_FOUND, ApiFailure
from ..routes import handler
from ..wire import fmt_date, parse_date, xsd_bool
from .addresses import display_meeting_url, meeting_link, sip_url, token
from .limits import CONF_NAME_MAX, CONF_NAME_REASON, check_conf_name, ConfNameDefects
from .listing import matching_records, page_sql
from .shapes import read_shape, section_values
from .numbers import parse_key, read_int
from .options import option, site_video_levels, time_zone_name
from .sessions import new_session, refuse_on_suspended_site, seed_on_suspended_site

__all__ = [
    "DEFECTS", "TABLES", "seed", "KEY_COUNTER", "CONF_NAME_MAX", "CONF_NAME_REASON", "TELEPHONY_VALUES",
    "video_device_enabled", "read_telephony", "session_row", "meeting_key_text",
    "create_meeting", "set_meeting", "get_meeting", "lst_meeting", "lstsummary_meeting", "del_meeting",
]

TABLES = ""  # meetings use the core ``sessions`` table

KEY_COUNTER = ("session_key", 881000000)   # meetings and events (event.py) share it
TELEPHONY_VALUES = ("NONE", "CALLIN", "CALLBACK", "OTHER")
MEETING_KINDS = ("meeting", "pmr", "webinar")
PAGE_SIZE = 10      # LstMeeting/LstsummaryMeeting/LstMeetingAttendee without maximumNum

_AUTOREC = ("createmeeting-autorecord", "setmeeting-autorecord", "lstmeeting-autorecord",
            "autorecord-site-forces-recording")
_CONFNAME = ("createmeeting-confname-128", "setmeeting-confname-128")
_CONF_NAME_DEFECTS = ConfNameDefects(limit_129="confname-limit-129", empty_accepted="confname-empty-accepted",
                                     counts_bytes="confname-counts-bytes", wrong_code="confname-wrong-code",
                                     late="confname-limit-from-sp12")

DEFECTS: list[Defect] = [
    Defect("setmeeting-options-not-stored",
           "SetMeeting answers SUCCESS but GetMeeting still returns the old enableOptions/participants/schedule "
           "values (chat, poll, maxUserNumber...)", (), tests=("setmeeting_options_then_getmeeting",)),
    Defect("confname-limit-129", "SP11: a confName of 129 display characters is accepted (limit checked as 129)",
           _CONFNAME),
    Defect("confname-empty-accepted", "SP11: an empty confName is accepted instead of 060065", _CONFNAME),
    Defect("confname-counts-bytes",
           "SP11: the 128 limit counts UTF-8 bytes, not display characters (a 128-character name of 120 accented letters refused)",
           ("createmeeting-confname-128",)),
    Defect("confname-wrong-code", "SP11: an illegal confName is refused with 999999 instead of 060065", _CONFNAME),
    Defect("confname-limit-from-sp12", "SP11: the confName rule of SP11 is applied one version late (from SP12)",
           _CONFNAME, version="11.0.0 SP11", boundary=("boundary/confname-128",)),
    Defect("autorecord-not-returned", "SP21: GetMeeting and LstMeeting do not return autoRecord", _AUTOREC),
    Defect("autorecord-not-stored", "SP21: CreateMeeting and SetMeeting ignore the autoRecord request element",
           ("createmeeting-autorecord", "setmeeting-autorecord", "lstmeeting-autorecord",
            "getsessioninfo-isautorecord")),
    # Every GetMeeting answer then breaks the older schema: all GetMeeting cases catch it.
    Defect("autorecord-returned-early", "GetMeeting and LstMeeting return autoRecord before SP21 introduced it",
           _AUTOREC + ("createmeeting-video-device-default", "getmeeting-cet-elements", "getmeeting-displaymeetingurl",
                       "getmeeting-pmr-short-sip-url", "getmeeting-sipurl-for-cet-meeting",
                       "meeting-audio-none-or-other-not-video-device", "setmeeting-confname-128", "suspended-site-free-meeting"), version="11.0.0 SP20"),
    Defect("autorecord-site-not-forced",
           "SP21: on a site that records every meeting, GetMeeting shows the requested autoRecord, not true",
           ("autorecord-site-forces-recording",)),
    Defect("hqhd-not-ignored", "39.1.0: Create/SetMeeting still store the requested HQvideo/HDvideo",
           ("meeting-hq-hd-ignored",)),
    Defect("hqhd-missing-getmeeting", "39.1.0: GetMeeting stops returning HQvideo and HDvideo",
           ("meeting-hq-hd-ignored",)),
    Defect("getmeeting-cet-elements-missing", "SP14: GetMeeting returns neither isCETMeeting, meetingLink nor sipURL",
           ("getmeeting-cet-elements", "getmeeting-sipurl-for-cet-meeting", "getmeeting-displaymeetingurl",
            "createmeeting-video-device-default", "meeting-audio-none-or-other-not-video-device")),
    Defect("getmeeting-sipurl-non-cet", "SP14: GetMeeting returns a sipURL for meetings that are not CET meetings",
           ("getmeeting-cet-elements", "meeting-audio-none-or-other-not-video-device")),
    Defect("displaymeetingurl-missing-getmeeting", "39.3.0: GetMeeting does not return displayMeetingUrl",
           ("getmeeting-displaymeetingurl", "getmeeting-pmr-short-sip-url")),
    Defect("displaymeetingurl-keeps-site-domain",
           "39.3.0: GetMeeting's displayMeetingUrl keeps the site name (<number>@<site>.webex.com)",
           ("getmeeting-displaymeetingurl",), version="39.5.0"),
    Defect("displaymeetingurl-returned-early", "GetMeeting returns displayMeetingUrl before 39.3.0 introduced it",
           ("getmeeting-displaymeetingurl", "getmeeting-pmr-short-sip-url", "getmeeting-sipurl-for-cet-meeting"),
           version="39.2.0"),
    Defect("displaymeetingurl-drops-sipurl", "39.3.0: GetMeeting returns displayMeetingUrl instead of sipURL",
           ("getmeeting-displaymeetingurl", "getmeeting-sipurl-for-cet-meeting",
            "createmeeting-video-device-default")),
    Defect("getmeeting-pmr-short-sip-missing",
           "39.9.0: GetMeeting gives a Personal Room the site-qualified displayMeetingUrl, not its short SIP URL",
           ("getmeeting-pmr-short-sip-url", "getmeeting-displaymeetingurl")),
    Defect("video-device-default-off",
           "39.9.0: scheduled meetings and events are not video-device-enabled by default",
           ("createmeeting-video-device-default", "createevent-video-device-default")),
    Defect("video-device-audio-none-ignored",
           "39.9.0: meetings and events whose audio is NONE or OTHER are still video-device-enabled",
           ("meeting-audio-none-or-other-not-video-device", "event-audio-none-or-other-not-video-device",
            "getevent-no-cet-elements-without-video", "getsessioninfo-sipurl-skypeurl",
            "getsessioninfo-panelistnumericpassword")),
    Defect("suspended-webinar-allowed",
           "42.5.0: CreateMeeting/SetMeeting schedule or edit a webinar on a suspended site",
           ("suspended-site-createmeeting-webinar", "suspended-site-setmeeting-webinar")),
    Defect("suspended-blocks-free-meetings",
           "42.5.0: a suspended site refuses free Webex Meetings too (010107 for every CreateMeeting/SetMeeting)",
           ("suspended-site-free-meeting",)),
]


# -- rules shared with event.py and attendee.py --------------------------------------------

def video_device_enabled(call: Call, telephony: str) -> bool:
    """39.9.0: scheduled sessions are video-device-enabled unless their audio is NONE or OTHER."""
    if not call.since("39.9.0") or call.defect("video-device-default-off"):
        return False
    if telephony in ("NONE", "OTHER") and not call.defect("video-device-audio-none-ignored"):
        return False
    return True


def read_telephony(call: Call, default: str | None) -> str | None:
    """The request's telephony/telephonySupport, upper-cased and checked."""
    text = call.text("telephony/telephonySupport")
    if not text:
        return default
    value = text.upper()
    if value not in TELEPHONY_VALUES:
        raise ApiFailure("999999", f"Invalid telephonySupport {text!r}: expected one of {', '.join(TELEPHONY_VALUES)}")
    return value


def session_row(call: Call, key_text: str | None, kinds: tuple[str, ...]) -> sqlite3.Row:
    """The caller's session of one of ``kinds`` on this site: 060001 if none, 000001 if not theirs."""
    key = parse_key(key_text)
    if key is None:
        raise ApiFailure(*MEETING_NOT_FOUND)
    marks = ",".join("?" * len(kinds))
    row = call.db.one(f"SELECT * FROM sessions WHERE session_key=? AND site=? AND kind IN ({marks})",
                      (key, call.site.name, *kinds))
    if row is None:
        raise ApiFailure(*MEETING_NOT_FOUND)
    account = call.require_user()
    if row["host"].lower() != account.webex_id.lower() and not account.is_admin:
        raise ApiFailure(*ACCESS_DENIED)
    return row


# -- reading a request ---------------------------------------------------------------------

def meeting_key_text(call: Call) -> str | None:
    """Real clients send meetingkey (lower-case) as often as the documented meetingKey."""
    for name in ("meetingKey", "meetingkey", "sessionKey"):
        text = call.text(name)
        if text:
            return text
    return None


def _refuse_webinar_on_suspended_site(call: Call, webinar: bool) -> None:
    if call.defect("suspended-blocks-free-meetings"):
        refuse_on_suspended_site(call, "")
    if webinar:
        refuse_on_suspended_site(call, "suspended-webinar-allowed")


def _auto_record(call: Call, requested: bool | None, stored: bool) -> bool:
    """SP21: the requested autoRecord, unless the site records every meeting anyway."""
    if call.site.auto_record and not call.defect("autorecord-site-not-forced"):
        return True
    if requested is None or not call.since("11.0.0 SP21") or call.defect("autorecord-not-stored"):
        return stored
    return requested


def _apply_hq_hd(call: Call, data: dict[str, Any]) -> None:
    """Before 39.1.0 the request's HQvideo/HDvideo are the meeting's; from 39.1.0 they are ignored."""
    if call.since("39.1.0") and not call.defect("hqhd-not-ignored"):
        return
    for name in ("HQvideo", "HDvideo"):
        value = option(call, name)
        if value is not None:
            data[name] = value


def _start(call: Call, default: _dt.datetime) -> _dt.datetime:
    return parse_date(call.text("schedule/startDate")) or default


def _calendar(call: Call, key: int) -> Any:
    S, site = call.E("serv"), call.site.name
    return call.E("meet").iCalendarURL(
        S.host(f"https://{site}.webex.com/{site}/j.php?MTID=m{token(key, 'ical-host')}"),
        S.attendee(f"https://{site}.webex.com/{site}/j.php?MTID=m{token(key, 'ical-attendee')}"))


# -- handlers ---------------------------------------------------------------------------------

@handler("meeting", "CreateMeeting")
def create_meeting(call: Call) -> list:
    account = call.require_user()
    webinar = bool(option(call, "enableEvent"))
    _refuse_webinar_on_suspended_site(call, webinar)
    if account.role == "attendee":
        raise ApiFailure(*ACCESS_DENIED)
    name = call.text("metaData/confName")
    check_conf_name(call, name, _CONF_NAME_DEFECTS)
    telephony = read_telephony(call, "CALLIN")
    start = _start(call, (call.now + _dt.timedelta(days=1)).replace(microsecond=0))
    data: dict[str, Any] = {"meetingType": read_int(call, "metaData/meetingType", 3), "shape": read_shape(call, {})}
    if webinar:
        data.update(enableEvent=True, enableWebniar=bool(option(call, "enableWebniar")))
    if not call.since("39.1.0"):
        data.update(site_video_levels(call))  # the user's defaults before a request overrides them
    _apply_hq_hd(call, data)
    video = video_device_enabled(call, telephony)
    auto_record = _auto_record(call, option(call, "autoRecord"), False)
    password = call.text("accessControl/meetingPassword")
    key = new_session(
        call.db, KEY_COUNTER, call.now.replace(microsecond=0).isoformat(), site=call.site.name,
        kind="webinar" if webinar else "meeting", host=account.webex_id, conf_name=name or "",
        start_date=start.isoformat(), duration=read_int(call, "schedule/duration", 60),
        time_zone_id=read_int(call, "schedule/timeZoneID", 4),
        password=password or (lambda k: f"Pw{k % 10000:04d}x"), description=call.text("metaData/agenda", ""),
        telephony=telephony, auto_record=int(auto_record), is_cet=int(video), data=json.dumps(data))
    _invite(call, key)
    M = call.E("meet")
    out = [M.meetingkey(str(key))]
    if call.since("39.1.0"):   # newer real replies carry both (real-traffic 044), 2016 ones do not (031, 063)
        row = call.db.one("SELECT password FROM sessions WHERE session_key=?", (key,))
        out += [M.meetingUUID(token(key, "uuid")), M.meetingPassword(row["password"])]
    return [*out, _calendar(call, key), M.guestToken(token(key, "guest"))]


@handler("meeting", "SetMeeting")
def set_meeting(call: Call) -> list:
    call.require_user()
    row = session_row(call, meeting_key_text(call), MEETING_KINDS)
    webinar = row["kind"] == "webinar" or bool(option(call, "enableEvent"))
    _refuse_webinar_on_suspended_site(call, webinar)
    name = call.text("metaData/confName")
    if name is not None:
        check_conf_name(call, name, _CONF_NAME_DEFECTS)
    data = json.loads(row["data"])
    _apply_hq_hd(call, data)
    if not call.defect("setmeeting-options-not-stored"):
        data["shape"] = read_shape(call, data.get("shape", {}))
    if call.text("metaData/meetingType"):
        data["meetingType"] = read_int(call, "metaData/meetingType", data.get("meetingType", 3))
    kind = row["kind"]
    if kind == "meeting" and option(call, "enableEvent"):
        kind = "webinar"
        data.update(enableEvent=True, enableWebniar=bool(option(call, "enableWebniar")))
    telephony = read_telephony(call, row["telephony"])
    video = bool(row["is_cet"])
    if call.since("39.9.0") and kind != "pmr":
        video = video_device_enabled(call, telephony)
    auto_record = _auto_record(call, option(call, "autoRecord"), bool(row["auto_record"]))
    start = _start(call, _dt.datetime.fromisoformat(row["start_date"]))
    call.db.execute(
        "UPDATE sessions SET kind=?, conf_name=?, start_date=?, duration=?, time_zone_id=?, password=?, "
        "description=?, telephony=?, auto_record=?, is_cet=?, data=?, modified=? WHERE session_key=?",
        (kind, row["conf_name"] if name is None else name, start.isoformat(),
         read_int(call, "schedule/duration", row["duration"]),
         read_int(call, "schedule/timeZoneID", row["time_zone_id"]),
         call.text("accessControl/meetingPassword") or row["password"],
         row["description"] if call.text("metaData/agenda") is None else call.text("metaData/agenda"),
         telephony, int(auto_record), int(video), json.dumps(data),
         call.now.replace(microsecond=0).isoformat(), row["session_key"]))
    return [_calendar(call, row["session_key"])]


def _invite(call: Call, key: int) -> None:
    """participants/attendees/attendee of a CreateMeeting become the meeting's attendees (as sent)."""
    people = [a for a in call.body.iter() if isinstance(a.tag, str) and etree.QName(a).localname == "attendee"
              and call.find("person/email", a) is not None]
    if not people:
        return
    now = call.now.replace(microsecond=0).isoformat()
    try:
        for a in people:
            email = call.text("person/email", root=a)
            call.db.execute(
                "INSERT INTO meeting_attendees(site, session_key, name, email, role, join_status, created) "
                "VALUES (?,?,?,?,?,?,?)", (call.site.name, key, call.text("person/name", root=a) or email, email,
                                           (call.text("role", root=a) or "ATTENDEE").upper(), "INVITE", now))
    except sqlite3.OperationalError:
        pass  # the attendee table is attendee.py's; absent if that module is not loaded


def _enable_options(call: Call, row: sqlite3.Row) -> Any:
    M = call.E("meet")
    data = json.loads(row["data"])
    children = [getattr(M, name)(text) for name, text in section_values(data.get("shape", {}), "enableOptions")]
    if not (call.since("39.1.0") and call.defect("hqhd-missing-getmeeting")):
        levels = site_video_levels(call)
        if not call.since("39.1.0") or call.defect("hqhd-not-ignored"):
            levels.update({k: data[k] for k in ("HQvideo", "HDvideo") if k in data})
        children += [M.HQvideo(xsd_bool(levels["HQvideo"])), M.HDvideo(xsd_bool(levels["HDvideo"]))]
        children.append(M.viewVideoThumbs(xsd_bool(data.get("shape", {}).get("enableOptions", {}).get(
            "viewVideoThumbs", "true") == "true")))
    if (call.since("11.0.0 SP21") and not call.defect("autorecord-not-returned")) \
            or call.defect("autorecord-returned-early"):
        children.append(M.autoRecord(xsd_bool(row["auto_record"])))
    return M.enableOptions(*children)


def _schedule(call: Call, row: sqlite3.Row, full: bool = False) -> Any:
    M = call.E("meet")
    zone = row["time_zone_id"]
    core = {"startDate": fmt_date(_dt.datetime.fromisoformat(row["start_date"])), "timeZoneID": str(zone),
            "timeZone": time_zone_name(zone), "duration": str(row["duration"]), "hostWebExID": row["host"]}
    if not full:
        return M.schedule(*(getattr(M, name)(value) for name, value in core.items()))
    shape = json.loads(row["data"]).get("shape", {})
    return M.schedule(*(getattr(M, name)(core[name] if text is None else text)
                        for name, text in section_values(shape, "schedule")))


def _section(call: Call, row: sqlite3.Row, section: str, core: dict[str, str], *extra: Any) -> Any:
    M = call.E("meet")
    shape = json.loads(row["data"]).get("shape", {})
    children = [getattr(M, name)(core[name] if text is None else text) for name, text in section_values(shape, section)]
    return getattr(M, section)(*children, *extra)


def _attendees(call: Call, row: sqlite3.Row) -> Any:
    """participants/attendees as real GetMeeting replies list them (real-traffic 064)."""
    M, A, C = call.E("meet"), call.E("att"), call.E("com")
    try:
        rows = call.db.query("SELECT * FROM meeting_attendees WHERE site=? AND session_key=? ORDER BY attendee_id",
                             (call.site.name, row["session_key"]))
    except sqlite3.OperationalError:
        rows = []
    return M.attendees(*(M.attendee(
        A.person(C.name(r["name"]), C.firstName(r["name"].split(" ")[0]), C.address(C.addressType("PERSONAL")),
                 C.phones(), C.email(r["email"]), C.type("VISITOR")),
        A.contactID(str(r["attendee_id"])), A.joinStatus(r["join_status"]), A.meetingKey(str(r["session_key"])),
        A.language("ENGLISH"), A.role(r["role"]), A.languageID("1")) for r in rows))


@handler("meeting", "GetMeeting")
def get_meeting(call: Call) -> list:
    row = session_row(call, meeting_key_text(call), MEETING_KINDS)
    M = call.E("meet")
    data = json.loads(row["data"])
    meeting_type = str(data.get("meetingType", 3))
    out = [
        _section(call, row, "accessControl", {"meetingPassword": row["password"]}),
        _section(call, row, "metaData", {"confName": row["conf_name"], "meetingType": meeting_type,
                                         "agenda": row["description"]}),
        _section(call, row, "participants", {}, _attendees(call, row)),
        _enable_options(call, row),
        _schedule(call, row, full=True),
        _section(call, row, "telephony", {"telephonySupport": row["telephony"], "callInNum": ""}),
        M.tracking(), M.repeat(M.repeatType("NO_REPEAT")), M.remind(),
        _section(call, row, "attendeeOptions", {}),
        M.meetingkey(str(row["session_key"])),
        M.status("NOT_INPROGRESS"), M.hostJoined("false"), M.participantsJoined("false"), M.telePresence("false"),
        M.hostKey(row["host_key"]), M.eventID(str(row["session_key"] + 1000000000)),
        M.guestToken(token(row["session_key"], "guest")), M.hostType("1019001"),
    ]
    cet = bool(row["is_cet"])
    if call.since("11.0.0 SP14") and not call.defect("getmeeting-cet-elements-missing"):
        out += [M.isCETMeeting(xsd_bool(cet)), M.meetingLink(meeting_link(call.site.name, row))]
    show_sip = call.since("11.0.0 SP14") and not call.defect("getmeeting-cet-elements-missing") \
        and (cet or call.defect("getmeeting-sipurl-non-cet"))
    show_display = cet and (call.since("39.3.0") or call.defect("displaymeetingurl-returned-early")) \
        and not call.defect("displaymeetingurl-missing-getmeeting")
    if show_sip and not (show_display and call.defect("displaymeetingurl-drops-sipurl")):
        out.append(M.sipURL(sip_url(call.site.name, row)))
    if show_display:
        out.append(M.displayMeetingUrl(_display_meeting_url(call, row)))
    return out


def _display_meeting_url(call: Call, row: sqlite3.Row) -> str:
    """The shared form; the defect gives a Personal Room its site-qualified address instead of the short one."""
    if row["kind"] == "pmr" and call.since("39.9.0") and call.defect("getmeeting-pmr-short-sip-missing"):
        return sip_url(call.site.name, row)
    if call.defect("displaymeetingurl-keeps-site-domain"):
        return f"{row['session_key']}@{call.site.name}.webex.com"
    return display_meeting_url(call.site.name, row, short_pmr=call.since("39.9.0"))


def _own_meetings(call: Call, kinds: tuple[str, ...]) -> tuple[str, tuple]:
    """The SELECT (and its parameters) of the caller's meetings of ``kinds``, unordered."""
    account = call.require_user()
    marks = ",".join("?" * len(kinds))
    sql = f"SELECT * FROM sessions WHERE site=? AND kind IN ({marks})"
    params: list[Any] = [call.site.name, *kinds]
    key = meeting_key_text(call)
    if key:
        number = parse_key(key)
        if number is None:
            raise ApiFailure("999999", f"meetingKey must be a meeting number, not {key[:40]!r}")
        params.append(number)
        sql += " AND session_key=?"
    host = call.text("hostWebExID")
    if not account.is_admin:
        host = account.webex_id
    if host:
        sql += " AND lower(host)=lower(?)"
        params.append(host)
    return sql, tuple(params)


def _meeting_list(call: Call, item: Callable[[Maker, sqlite3.Row, str], Any]) -> list:
    """One page of the caller's meetings, ``item(M, row, meetingType)`` each, then matchingRecords."""
    sql, params = _own_meetings(call, ("meeting", "webinar"))
    chosen, total, start = page_sql(call, sql, params, "ORDER BY start_date, session_key", PAGE_SIZE)
    M = call.E("meet")
    items = [item(M, row, str(json.loads(row["data"]).get("meetingType", 3))) for row in chosen]
    return [*items, matching_records(M, total, len(chosen), start)]


@handler("meeting", "LstMeeting")
def lst_meeting(call: Call) -> list:
    return _meeting_list(call, lambda M, row, meeting_type: M.meeting(
        M.metaData(M.confName(row["conf_name"]), M.meetingType(meeting_type)),
        _enable_options(call, row), _schedule(call, row),
        M.telephony(M.telephonySupport(row["telephony"])),
        M.meetingkey(str(row["session_key"])), M.status("NOT_INPROGRESS")))


@handler("meeting", "LstsummaryMeeting")
def lstsummary_meeting(call: Call) -> list:
    return _meeting_list(call, lambda M, row, meeting_type: M.meeting(
        M.meetingKey(str(row["session_key"])), M.confName(row["conf_name"]), M.meetingType(meeting_type),
        M.hostWebExID(row["host"]), M.timeZoneID(str(row["time_zone_id"])), M.status("NOT_INPROGRESS"),
        M.startDate(fmt_date(_dt.datetime.fromisoformat(row["start_date"]))),
        M.duration(str(row["duration"])), M.listStatus("PUBLIC")))


# DelMeeting deletes teleconference-only sessions too: the vendor's schema for them
# (meeting/teleconferenceonly.xsd) has Create/Get/Set and no delete of their own, and a
# public meetings client deletes them with DelMeeting.
DELETABLE_KINDS = ("meeting", "webinar", "teleconference")


@handler("meeting", "DelMeeting")
def del_meeting(call: Call) -> list:
    row = session_row(call, meeting_key_text(call), DELETABLE_KINDS)
    with call.db.transaction() as db:
        db.execute("DELETE FROM sessions WHERE session_key=?", (row["session_key"],))
        try:
            db.execute("DELETE FROM meeting_attendees WHERE session_key=?", (row["session_key"],))
        except sqlite3.OperationalError:
            pass  # the attendee table is attendee.py's; absent if that module is not loaded
    return [_calendar(call, row["session_key"])]


def seed(state, now: _dt.datetime) -> dict[str, str]:
    """A webinar scheduled on the suspended site before it was suspended.

    The 42.5.0 SetMeeting case edits it: nobody can schedule a webinar there any more.
    """
    key = seed_on_suspended_site(
        state, now, KEY_COUNTER, 6, kind="webinar", conf_name="Webinar before suspension", password="Pw4712x",
        telephony="CALLIN", data=json.dumps({"enableEvent": True, "enableWebniar": False, "meetingType": 3}))
    return {"sessions.suspended_webinar": key}
