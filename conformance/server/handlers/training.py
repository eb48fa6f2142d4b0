"""Training Center sessions: CreateTrainingSession, SetTrainingSession, GetTrainingSession.

Training sessions live in the core ``sessions`` table (kind ``training``) with what only
they have in its JSON ``data``.  The documented changes this module carries:

- SP11: the ``attendeeSendVideo`` option (accepted by Create/Set, returned by Get), and
  the confName rule CreateMeeting follows: empty or over 128 display characters -> 060065
  (before SP11 any name is accepted, empty included: the notes give no older rule, and the
  cases do not judge it);
- SP21: autoRecord applies to Webex Meetings only, so GetTrainingSession never returns it;
- 39.1.0: ``HQvideo``/``HDvideo`` in Create/Set are ignored (the site decides); Get
  still returns both;
- 39.3.0: a description over 1024 characters is refused with 060067; 39.8.0 raises the
  limit to 2500 (the notes give no code for it: we keep 060067 with the new number);
- 42.5.0: nothing may be scheduled or edited on a suspended site (010107).

Training keys come from their own counter, from 661000000 (support.py's from 551000000,
meetings' and events' from 881000000), so a key tells what kind of session it names.
"""
from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from ..defects import Defect
from ..call import Call
from ..failures import ACCESS_DENIED, ApiFailure
from ..routes import handler
from ..wire import fmt_date, parse_date, xsd_bool
from .limits import check_conf_name, check_description, ConfNameDefects, DescriptionDefects
from .numbers import read_int
from .options import option, site_video_levels
from .sessions import new_session, refuse_on_suspended_site, seed_on_suspended_site
from .meeting import session_row

__all__ = ["DEFECTS", "TABLES", "KEY_COUNTER", "seed", "require_scheduler",
           "create_training_session", "set_training_session", "get_training_session", "del_training_session"]

TABLES = ""  # training sessions use the core ``sessions`` table

KEY_COUNTER = ("training_session_key", 661000000)
_CREATE_CASES = ("trainingsession-create-description-1024", "trainingsession-set-description-1024")
_LIMIT_2500_CASES = ("trainingsession-create-description-2500", "trainingsession-set-description-2500")
_CONFNAME = ("trainingsession-create-confname-128", "trainingsession-set-confname-128")

DEFECTS: list[Defect] = [
    Defect("suspended-training-create-allowed",
           "42.5.0: CreateTrainingSession schedules a session on a suspended site instead of 010107",
           ("suspended-site-createtrainingsession",)),
    Defect("suspended-training-set-allowed",
           "42.5.0: SetTrainingSession edits a session on a suspended site instead of 010107",
           ("suspended-site-settrainingsession",)),
    Defect("suspended-training-wrong-code",
           "42.5.0: Create/SetTrainingSession on a suspended site answer 000001 instead of 010107",
           ("suspended-site-createtrainingsession", "suspended-site-settrainingsession")),
    Defect("training-description-limit-off-by-one",
           "39.8.0: a description of exactly 2500 characters is refused (limit checked with >=)",
           _LIMIT_2500_CASES),
    Defect("training-description-limit-not-raised",
           "39.8.0: the 1024-character description limit of 39.3.0 is still applied",
           _LIMIT_2500_CASES + _CREATE_CASES),
    Defect("training-description-unlimited",
           "39.8.0: descriptions over 2500 characters are accepted",
           _LIMIT_2500_CASES),
    Defect("training-description-wrong-code",
           "39.3.0: a description over 1024 characters is refused with 999999 instead of 060067",
           _LIMIT_2500_CASES + _CREATE_CASES, version="39.5.0"),
    Defect("training-hqhd-create-not-ignored",
           "39.1.0: CreateTrainingSession still stores the requested HQvideo/HDvideo",
           ("trainingsession-create-hqhd-ignored",)),
    Defect("training-hqhd-set-not-ignored",
           "39.1.0: SetTrainingSession still stores the requested HQvideo/HDvideo",
           ("trainingsession-set-hqhd-ignored",)),
    Defect("training-hqhd-not-returned",
           "39.1.0: GetTrainingSession stops returning HQvideo and HDvideo",
           ("trainingsession-create-hqhd-ignored", "trainingsession-set-hqhd-ignored")),
    Defect("attendeesendvideo-not-returned",
           "SP11: GetTrainingSession does not return attendeeSendVideo",
           ("trainingsession-attendeesendvideo-create", "trainingsession-attendeesendvideo-set")),
    Defect("attendeesendvideo-create-ignored",
           "SP11: CreateTrainingSession ignores attendeeSendVideo (always stores false)",
           ("trainingsession-attendeesendvideo-create",)),
    Defect("attendeesendvideo-set-ignored",
           "SP11: SetTrainingSession ignores attendeeSendVideo",
           ("trainingsession-attendeesendvideo-set",)),
    Defect("attendeesendvideo-returned-early",
           "GetTrainingSession returns attendeeSendVideo before SP11 introduced it (every Get is then "
           "invalid against that version's schema)",
           ("trainingsession-attendeesendvideo-set", "gettrainingsession-no-autorecord"),
           version="11.0.0 SP10"),
    Defect("training-confname-limit-129",
           "SP11: Create/SetTrainingSession accept a confName of 129 display characters", _CONFNAME),
    Defect("training-confname-empty-accepted",
           "SP11: Create/SetTrainingSession accept an empty confName instead of 060065", _CONFNAME),
    Defect("training-description-1024-off-by-one",
           "39.3.0: a description of exactly 1024 characters is refused (limit checked with >=)",
           _CREATE_CASES, version="39.5.0", boundary=("boundary/description",)),
    Defect("training-autorecord-returned",
           "SP21: GetTrainingSession returns autoRecord, which applies to Webex Meetings only",
           ("gettrainingsession-no-autorecord",)),
]


# -- rules shared with support.py -------------------------------------------------------

def require_scheduler(call: Call):
    """Hosts and administrators schedule sessions; an attendee account cannot."""
    account = call.require_user()
    if account.role == "attendee":
        raise ApiFailure(*ACCESS_DENIED)
    return account


_DESCRIPTION_DEFECTS = DescriptionDefects(
    not_raised="training-description-limit-not-raised", unlimited="training-description-unlimited",
    off_by_one="training-description-limit-off-by-one", wrong_code="training-description-wrong-code",
    off_by_one_1024="training-description-1024-off-by-one")
_CONF_NAME_DEFECTS = ConfNameDefects(limit_129="training-confname-limit-129",
                                     empty_accepted="training-confname-empty-accepted",
                                     counts_utf16="training-confname-counts-utf16")


# -- reading a request ---------------------------------------------------------------------

def _apply_video_options(call: Call, data: dict[str, Any], creating: bool) -> None:
    ignore = call.since("39.1.0") and not call.defect(
        "training-hqhd-create-not-ignored" if creating else "training-hqhd-set-not-ignored")
    for name in ("HQvideo", "HDvideo"):
        value = option(call, name)
        if ignore:
            data.pop(name, None)      # from 39.1.0 the site decides
        elif value is not None:
            data[name] = value
    if call.since("11.0.0 SP11"):
        send = option(call, "attendeeSendVideo")
        skip = "attendeesendvideo-create-ignored" if creating else "attendeesendvideo-set-ignored"
        if send is not None and not call.defect(skip):
            data["attendeeSendVideo"] = send
        elif creating:
            data["attendeeSendVideo"] = False


# -- handlers -------------------------------------------------------------------------------

@handler("training", "CreateTrainingSession")
def create_training_session(call: Call) -> list:
    refuse_on_suspended_site(call, "suspended-training-create-allowed", "suspended-training-wrong-code")
    account = require_scheduler(call)
    name = call.text("metaData/confName") or ""
    check_conf_name(call, name, _CONF_NAME_DEFECTS)
    description = call.text("metaData/description", "")
    check_description(call, description, _DESCRIPTION_DEFECTS)
    start = parse_date(call.text("schedule/startDate")) or (call.now + _dt.timedelta(days=1)).replace(microsecond=0)
    data: dict[str, Any] = {"listing": call.text("accessControl/listing") or "PUBLIC"}
    if not call.since("39.1.0"):
        data.update(site_video_levels(call))  # the user's defaults, before a request overrides them
    _apply_video_options(call, data, creating=True)
    key = new_session(
        call.db, KEY_COUNTER, call.now.replace(microsecond=0).isoformat(), site=call.site.name, kind="training",
        host=account.webex_id, conf_name=name, start_date=start.isoformat(),
        duration=read_int(call, "schedule/duration", 60), time_zone_id=read_int(call, "schedule/timeZoneID", 4),
        password=call.text("accessControl/sessionPassword", ""), description=description, data=json.dumps(data))
    return [call.E("train").sessionkey(str(key))]


@handler("training", "SetTrainingSession")
def set_training_session(call: Call) -> list:
    refuse_on_suspended_site(call, "suspended-training-set-allowed", "suspended-training-wrong-code")
    require_scheduler(call)
    row = session_row(call, call.text("sessionKey"), ("training",))
    name = call.text("metaData/confName")
    if name is not None:
        check_conf_name(call, name, _CONF_NAME_DEFECTS)
    description = call.text("metaData/description")
    check_description(call, description, _DESCRIPTION_DEFECTS)
    start = parse_date(call.text("schedule/startDate"))
    data = json.loads(row["data"])
    if call.text("accessControl/listing"):
        data["listing"] = call.text("accessControl/listing")
    _apply_video_options(call, data, creating=False)
    call.db.execute(
        "UPDATE sessions SET conf_name=?, description=?, start_date=?, duration=?, time_zone_id=?, data=?, "
        "modified=? WHERE session_key=?",
        (row["conf_name"] if name is None else name, row["description"] if description is None else description,
         start.isoformat() if start else row["start_date"], read_int(call, "schedule/duration", row["duration"]),
         read_int(call, "schedule/timeZoneID", row["time_zone_id"]), json.dumps(data),
         call.now.replace(microsecond=0).isoformat(), row["session_key"]))
    return []


@handler("training", "GetTrainingSession")
def get_training_session(call: Call) -> list:
    row = session_row(call, call.text("sessionKey"), ("training",))
    data = json.loads(row["data"])
    T, S = call.E("train"), call.E("sess")
    video = site_video_levels(call) if call.since("39.1.0") else {}
    options = []
    if not (call.since("39.1.0") and call.defect("training-hqhd-not-returned")):
        for name in ("HQvideo", "HDvideo"):
            value = data.get(name, video.get(name, True))  # from 39.1.0 Create/Set store none
            options.append(getattr(T, name)(xsd_bool(value)))
    if (call.since("11.0.0 SP11") and not call.defect("attendeesendvideo-not-returned")) \
            or call.defect("attendeesendvideo-returned-early"):
        options.append(T.attendeeSendVideo(xsd_bool(data.get("attendeeSendVideo", False))))
    if call.since("11.0.0 SP21") and call.defect("training-autorecord-returned"):
        options.append(T.autoRecord("false"))
    start = _dt.datetime.fromisoformat(row["start_date"])
    return [
        S.accessControl(S.listing(data.get("listing", "PUBLIC"))),
        S.schedule(S.startDate(fmt_date(start)), S.timeZoneID(str(row["time_zone_id"])),
                   S.duration(str(row["duration"])), S.hostWebExID(row["host"])),
        T.metaData(S.confName(row["conf_name"]), T.description(row["description"])),
        T.enableOptions(*options),
        T.sessionKey(str(row["session_key"])),
        T.hostKey(row["host_key"]),
    ]


@handler("training", "DelTrainingSession")
def del_training_session(call: Call) -> list:
    """Lets a suite clean up the sessions it scheduled."""
    row = session_row(call, call.text("sessionKey"), ("training",))
    call.db.execute("DELETE FROM sessions WHERE session_key=?", (row["session_key"],))
    return []


def seed(state, now: _dt.datetime) -> dict[str, str]:
    """A training session scheduled on the suspended site before it was suspended.

    The 42.5.0 SetTrainingSession case edits it: a host cannot schedule one there any more.
    """
    key = seed_on_suspended_site(state, now, KEY_COUNTER, 5, kind="training",
                                 conf_name="Training before suspension", password="Pw4711x",
                                 data=json.dumps({"attendeeSendVideo": False}))
    return {"sessions.suspended_training": key}


# Defects only the boundary tests catch: no case sends the input that shows them.
BOUNDARY_DEFECTS: list[Defect] = [
    Defect("training-confname-counts-utf16",
           "SP11: Create/SetTrainingSession count confName in UTF-16 code units (128 emoji refused)",
           (), boundary=("boundary/confname-128",)),
]
