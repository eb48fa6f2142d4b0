"""The site's meeting types: LstMeetingType (the ``meetingtype`` service, ``mtgtype:``).

Not in the release notes; a real client reads it to offer meeting types (real-traffic
024), and GetUser's meetingTypes and GetSite's metaData/meetingTypes name the same IDs.
Each type has limits and options in the order real replies give them; ours are seeded
per site (``meeting_types`` table).
"""
from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from ..call import Call
from ..defects import Defect
from ..routes import handler
from ..wire import xsd_bool
from .listing import matching_records, page_sql

__all__ = ["DEFECTS", "TABLES", "seed", "SEED_TYPES", "lst_meeting_type"]

TABLES = """
CREATE TABLE IF NOT EXISTS meeting_types (
    site TEXT NOT NULL, type_id INTEGER NOT NULL, prefix TEXT NOT NULL, name TEXT NOT NULL,
    service TEXT NOT NULL, max_users INTEGER NOT NULL, options TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (site, type_id)
);
"""

# type_id -> (product code prefix, name, service, max users, options switched off)
SEED_TYPES = {
    3: ("PRO", "Pro Meeting", "MeetingCenter", 1000, ("supportFileShare", "supportSSL", "supportE2E", "supportPKI")),
    13: ("ONS", "Event Center", "EventCenter", 3000, ("supportChat", "supportE2E", "supportPKI")),
    11: ("TRS", "Training Center", "TrainingCenter", 1000, ("supportE2E",)),
}
_LIMITS = ("maxAppShareDuration", "maxAppShareUser", "maxDesktopShareDuration", "maxDesktopShareUser",
           "maxFileTransferUser", "maxMeetingDuration", "maxMeetingUser", "maxRecordUser", "maxVideoDuration",
           "maxVideoUser", "maxWebTourDuration", "maxWebTourUser")
_OPTIONS = ("supportAppShare supportAppShareRemote supportAttendeeRegistration supportRemoteWebTour supportWebTour "
            "supportFileShare supportChat supportCobrowseSite supportCorporateOfficesSite supportDesktopShare "
            "supportDesktopShareRemote supportFileTransfer supportInternationalCallOut supportJavaClient "
            "supportMacClient supportMeetingCenterSite supportMeetingRecord supportMultipleMeeting supportOnCallSite "
            "supportOnStageSite supportPartnerOfficesSite supportPoll supportPresentation supportSolarisClient "
            "supportSSL supportE2E supportPKI supportTeleconfCallIn supportTeleconfCallOut supportTollFreeCallIn "
            "supportVideo supportVoIP supportWebExComSite supportWindowsClient supportQuickStartAttendees "
            "supportQuickStartHost").split()
MEETING_DURATION_MINUTES = 1440

DEFECTS: list[Defect] = [
    Defect("lstmeetingtype-limits-missing", "LstMeetingType leaves out each meeting type's limits",
           (), tests=("lstmeetingtype_shape",)),
]


def seed(state: Any, now: _dt.datetime) -> dict[str, str]:
    for site in state.query("SELECT name FROM sites ORDER BY key"):
        for type_id, (prefix, name, service, users, off) in SEED_TYPES.items():
            state.execute("INSERT OR IGNORE INTO meeting_types(site, type_id, prefix, name, service, max_users, options)"
                          " VALUES (?,?,?,?,?,?,?)", (site["name"], type_id, prefix, name, service, users,
                                                      json.dumps({o: False for o in off})))
    return {"meetingtypes.pro": "3"}


@handler("meetingtype", "LstMeetingType")
def lst_meeting_type(call: Call) -> list:
    call.require_user()
    wanted = [(el.text or "").strip() for el in call.findall("meetingTypeID")]
    sql = "SELECT * FROM meeting_types WHERE site=?"
    if wanted:  # compared as text, as sent: "03" names no type
        sql += f" AND CAST(type_id AS TEXT) IN ({','.join('?' * len(wanted))})"
    chosen, total, start = page_sql(call, sql, (call.site.name, *wanted), "ORDER BY type_id", 50)
    T = call.E("mtgtype")
    out = [matching_records(T, total, len(chosen), start)]
    for r in chosen:
        off = json.loads(r["options"])
        users = str(r["max_users"])
        limits = [getattr(T, n)(str(MEETING_DURATION_MINUTES) if n.endswith("Duration") else users) for n in _LIMITS]
        children = [T.productCodePrefix(r["prefix"]), T.active("ACTIVATED"), T.name(r["name"]),
                    T.displayName(r["name"])]
        if not call.defect("lstmeetingtype-limits-missing"):
            children.append(T.limits(*limits))
        children += [T.options(*(getattr(T, n)(xsd_bool(off.get(n, True))) for n in _OPTIONS),
                               T.hideInScheduler("false")),
                     T.phoneNumbers(T.primaryTollCallInNumber("1-408-555-0100"),
                                    T.primaryTollFreeCallInNumber("1-877-555-0100")),
                     T.meetingTypeID(str(r["type_id"])), T.serviceTypes(T.serviceType(r["service"]))]
        out.append(T.meetingType(*children))
    return out
