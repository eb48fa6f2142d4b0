"""LstRecording and DelRecording over our own ``recordings`` table.

Two kinds of recording share one ID space on a real site but are queried apart
(SP15): *service* recordings (Webex Meetings/Events/Training, with a serviceType) and
*NBR* recordings (the rest).  Our documented choices:

* A createTimeScope longer than 28 days is refused.  From SP11 the reason is the
  documented "Exceeded maximum querying time scope of 28 days"; before SP11 (the notes
  only say the message changed) it is "The time scope of the query can't exceed 4
  weeks".  Exactly 28 days is allowed.  Both carry exceptionID 999999.
* recordingID is a filter only from SP15; before it the element is ignored.
* hostStreamURL (SP16) is returned for the recordings the listed user owns (the caller,
  or the user a site admin names in hostWebExID).
* returnShareToMeRecording and shareToMe were announced in SP17 and applied in SP20:
  before SP20 the flag is ignored and shareToMe never returned; from SP20 every listed
  recording carries shareToMe (false for the listed user's own).
* DelRecording moves a recording to the trash, or deletes it for good with
  deletePermanently=true (a recording in the trash can still be deleted for good).
  From 42.3.0, when someone other than the owner (a site admin) deletes it, the owner
  gets a mail whose subject says "moved to the trash" or "permanently deleted".
"""
from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from lxml import etree

from ..defects import Defect
from ..call import Call
from ..failures import ACCESS_DENIED, NO_RECORD, ApiFailure
from ..routes import handler
from ..wire import fmt_date, parse_date
from .listing import matching_records, page
from .numbers import parse_key
from .ep_sessions import PAGE_SIZE

TABLES = """
CREATE TABLE IF NOT EXISTS recordings (
    recording_id INTEGER PRIMARY KEY, site TEXT NOT NULL, host TEXT NOT NULL,
    kind TEXT NOT NULL,                 -- nbr | service
    service_type TEXT, name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
    create_time TEXT NOT NULL, time_zone_id INTEGER NOT NULL DEFAULT 4,
    size REAL NOT NULL DEFAULT 1.0, duration INTEGER NOT NULL DEFAULT 600, session_key INTEGER,
    shared_to TEXT NOT NULL DEFAULT '[]', state TEXT NOT NULL DEFAULT 'active'   -- active | trash
);
"""

MAX_SCOPE_DAYS = 28
REASON_SCOPE = "Exceeded maximum querying time scope of 28 days"
REASON_SCOPE_BEFORE_SP11 = "The time scope of the query can't exceed 4 weeks"

DEFECTS: list[Defect] = [
    Defect("recording-scope-29-days", "LstRecording accepts a createTime scope of 29 days (SP11: 28)",
           ("lstrecording-28-day-scope",)),
    Defect("recording-scope-old-message", "LstRecording keeps the pre-SP11 message for a scope over 28 days",
           ("lstrecording-28-day-scope",)),
    Defect("recordingid-kind-ignored",
           "LstRecording by recordingID returns NBR and service recordings alike (SP15)",
           ("lstrecording-by-recordingid",)),
    Defect("hoststreamurl-missing", "LstRecording never returns hostStreamURL (SP16)",
           ("lstrecording-hoststreamurl",)),
    Defect("sharetome-flag-ignored", "LstRecording ignores returnShareToMeRecording (SP20)",
           ("lstrecording-returnsharetomerecording", "lstrecording-sharetome")),
    Defect("sharetome-missing", "LstRecording never returns shareToMe (SP20)",
           ("lstrecording-returnsharetomerecording", "lstrecording-sharetome")),
    Defect("delrecording-no-mail", "DelRecording by a site admin sends the host no mail (42.3.0)",
           ("delrecording-notifies-host",), version="42.3.0"),
    Defect("delrecording-mail-before-42-3", "DelRecording mails the host before 42.3.0 introduced it",
           ("delrecording-notifies-host",), version="42.2.0"),
    Defect("delrecording-mail-always-permanent",
           "DelRecording's notification says 'permanently deleted' even when the recording went to the trash",
           ("delrecording-notifies-host",)),
    Defect("delrecording-mail-always-trash",
           "DelRecording's notification says 'moved to the trash' even when the recording was deleted for good",
           ("delrecording-notifies-host",), version="42.3.0"),
    Defect("delrecording-mails-owner-too",
           "DelRecording mails the host also when the host deleted their own recording (42.3.0)",
           ("delrecording-notifies-host",)),
]

# placeholder -> (id, host, kind, service type, name, days ago, shared to)
SEED = {
    "recordings.nbr": (900000001, "host1", "nbr", None, "Design review (NBR)", 3, []),
    "recordings.service": (900000002, "host1", "service", "MeetingCenter", "Weekly sync recording", 5, []),
    "recordings.deletable": (900000003, "host1", "nbr", None, "Scratch recording (deletable)", 1, []),
    "recordings.deletable2": (900000005, "host1", "nbr", None, "Second scratch recording (deletable)", 1, []),
    "recordings.shared": (900000004, "host2", "nbr", None, "All-hands (shared with host1)", 2, ["host1"]),
}


def seed(state: Any, now: _dt.datetime) -> dict[str, str]:
    site = state.site_by_key("main").name
    out = {}
    with state.transaction():
        for placeholder, (rid, host, kind, stype, name, days, shared) in SEED.items():
            state.execute(
                "INSERT OR IGNORE INTO recordings(recording_id, site, host, kind, service_type, name, description, "
                "create_time, duration, size, shared_to) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (rid, site, host, kind, stype, name, f"{name}, seeded by the reference server",
                 (now - _dt.timedelta(days=days)).isoformat(), 900 + days, 2.5 + days, json.dumps(shared)))
            out[placeholder] = str(rid)
    return out


def _service_types(call: Call) -> list[str]:
    """serviceType values anywhere in the request (serviceTypes/serviceType or serviceType)."""
    return [(el.text or "").strip() for el in call.body.iter()
            if isinstance(el.tag, str) and etree.QName(el).localname == "serviceType"]


def _check_scope(call: Call) -> tuple[_dt.datetime | None, _dt.datetime | None]:
    start = parse_date(call.text("createTimeScope/createTimeStart"))
    end = parse_date(call.text("createTimeScope/createTimeEnd"))
    if start is None and end is None:
        return None, None
    if start is None:
        start = end - _dt.timedelta(days=MAX_SCOPE_DAYS)
    if end is None:
        end = start + _dt.timedelta(days=MAX_SCOPE_DAYS)
    if end < start:
        raise ApiFailure("999999", "createTimeEnd is earlier than createTimeStart")
    limit = MAX_SCOPE_DAYS + (1 if call.defect("recording-scope-29-days") else 0)
    span = end - start
    if call.defect("recording-scope-whole-days"):
        span = _dt.timedelta(days=span.days)
    if span > _dt.timedelta(days=limit):
        old = not call.since("11.0.0 SP11") or call.defect("recording-scope-old-message")
        raise ApiFailure("999999", REASON_SCOPE_BEFORE_SP11 if old else REASON_SCOPE)
    return start, end


def _recording_id(text: str | None, what: str) -> int:
    if text is None or text == "":
        raise ApiFailure("999999", f"{what} is required")
    key = parse_key(text)
    if key is None:
        raise ApiFailure(*NO_RECORD)
    return key


def _shared_to(row: Any) -> list[str]:
    try:
        names = json.loads(row["shared_to"] or "[]")
    except ValueError:
        return []
    return [str(n).lower() for n in names] if isinstance(names, list) else []


def _listed(call: Call, me: str) -> tuple[list[Any], str]:
    """The recordings to list, and whose they are (lower-case webExID)."""
    start, end = _check_scope(call)
    host = call.text("hostWebExID")
    if host and host.lower() != me and not call.account.is_admin:
        raise ApiFailure(*ACCESS_DENIED)
    owner = (host or me).lower()
    share_flag = (call.since("11.0.0 SP20") and not call.defect("sharetome-flag-ignored")
                  and bool(call.flag("returnShareToMeRecording", False)))
    rows = call.db.query("SELECT * FROM recordings WHERE site=? AND state='active' ORDER BY recording_id",
                         (call.site.name,))
    rows = [r for r in rows if r["host"].lower() == owner or (share_flag and owner in _shared_to(r))]
    types = _service_types(call)
    rid_text = call.text("recordingID")
    if rid_text and call.since("11.0.0 SP15"):
        rid = _recording_id(rid_text, "recordingID")
        rows = [r for r in rows if r["recording_id"] == rid]
        if not call.defect("recordingid-kind-ignored"):
            kind = "service" if types else "nbr"
            rows = [r for r in rows if r["kind"] == kind]
    elif types:
        rows = [r for r in rows if r["kind"] == "service" and r["service_type"] in types]
    key = call.text("sessionKey")
    if key:
        rows = [r for r in rows if str(r["session_key"] or "") == key]
    name = call.text("recordName")
    if name:
        rows = [r for r in rows if name.lower() in r["name"].lower()]
    if start is not None:
        rows = [r for r in rows if start <= _dt.datetime.fromisoformat(r["create_time"]) <= end]
    return rows, owner


@handler("ep", "LstRecording")
def lst_recording(call: Call) -> list:
    me = call.require_user().webex_id.lower()
    rows, owner = _listed(call, me)
    chosen, start_from = page(call, rows, PAGE_SIZE)
    E = call.E("ep")
    base = f"https://{call.site.name}.webex.com/{call.site.name}"
    out = [matching_records(E, len(rows), len(chosen), start_from)]
    for r in chosen:
        rid, owned = r["recording_id"], r["host"].lower() == owner
        rec = E.recording(
            E.recordingID(str(rid)), E.hostWebExID(r["host"]), E.name(r["name"]), E.description(r["description"]),
            E.createTime(fmt_date(_dt.datetime.fromisoformat(r["create_time"]))),
            E.timeZoneID(str(r["time_zone_id"])), E.size(f"{r['size']:.2f}"),
            E.streamURL(f"{base}/ldr.php?RCID={rid}"))
        if owned and call.since("11.0.0 SP16") and not call.defect("hoststreamurl-missing"):
            rec.append(E.hostStreamURL(f"{base}/ldr.php?RCID={rid}&hostToken=h{rid:x}"))
        rec.append(E.fileURL(f"{base}/lsr.php?RCID={rid}"))
        rec.append(E.recordingType("0" if r["kind"] == "nbr" else "1"))
        rec.append(E.duration(str(r["duration"])))
        rec.append(E.format("ARF"))
        if r["kind"] == "service" and r["service_type"]:
            rec.append(E.serviceType(r["service_type"]))
        if call.since("11.0.0 SP20") and not call.defect("sharetome-missing"):
            rec.append(E.shareToMe("false" if owned else "true"))
        out.append(rec)
    return out


def _mail(call: Call, row: Any, permanently: bool) -> None:
    owner = call.db.user_row(call.site, row["host"])
    if owner is None:
        return
    if call.defect("delrecording-mail-always-trash"):
        permanently = False
    what = "permanently deleted" if permanently or call.defect("delrecording-mail-always-permanent") \
        else "moved to the trash"
    who = call.account.webex_id if call.account else "someone"
    subject = f"Your recording \"{row['name']}\" was {what}"
    body = (f"Hello {owner['first_name']},\n\nyour recording \"{row['name']}\" (ID {row['recording_id']}) "
            f"was {what} by {who} on {fmt_date(call.now)}.\n")
    call.db.send_mail(call.site, owner["email"], subject, body)


@handler("ep", "DelRecording")
def del_recording(call: Call) -> list:
    me = call.require_user()
    rid = _recording_id(call.text("recordingID"), "recordingID")
    kind = "service" if call.flag("isServiceRecording", False) else "nbr"
    permanently = bool(call.flag("deletePermanently", False))
    with call.db.transaction():
        row = call.db.one("SELECT * FROM recordings WHERE site=? AND recording_id=? AND kind=?",
                          (call.site.name, rid, kind))
        if row is None or (row["state"] == "trash" and not permanently):
            raise ApiFailure(*NO_RECORD)
        if row["host"].lower() != me.webex_id.lower() and not me.is_admin:
            raise ApiFailure(*ACCESS_DENIED)
        if permanently:
            call.db.execute("DELETE FROM recordings WHERE recording_id=?", (rid,))
        else:
            call.db.execute("UPDATE recordings SET state='trash' WHERE recording_id=?", (rid,))
    by_other = row["host"].lower() != me.webex_id.lower() or call.defect("delrecording-mails-owner-too")
    if by_other and (call.since("42.3.0") or call.defect("delrecording-mail-before-42-3")) \
            and not call.defect("delrecording-no-mail"):
        _mail(call, row, permanently)
    return [call.E("ep").recordingID(str(rid))]


# Defects only the boundary tests catch: no case sends the input that shows them.
BOUNDARY_DEFECTS: list[Defect] = [
    Defect("recording-scope-whole-days",
           "LstRecording compares the createTime scope in whole days (28 days + 23 h accepted)",
           (), "11.0.0 SP11", boundary=("boundary/recording-scope-28-days",)),
]
