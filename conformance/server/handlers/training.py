"""Training Center sessions: CreateTrainingSession, SetTrainingSession, GetTrainingSession.

Training sessions live in the core ``sessions`` table (kind ``training``) with what only
they have in its JSON ``data``.  The documented changes this module carries:

- SP11: the ``attendeeSendVideo`` option (accepted by Create/Set, returned by Get);
- 39.1.0: ``HQvideo``/``HDvideo`` in Create/Set are ignored (the site decides); Get
  still returns both;
- 39.3.0: a description over 1024 characters is refused with 060067; 39.8.0 raises the
  limit to 2500 (the notes give no code for it: we keep 060067 with the new number);
- 42.5.0: nothing may be scheduled or edited on a suspended site (010107).
"""
from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from ..defects import Defect
from ..registry import ApiFailure, Call, fmt_date, handler, parse_date
from .meeting import session_row

__all__ = ["DEFECTS", "TABLES", "KEY_COUNTER", "seed", "refuse_if_suspended", "require_scheduler",
           "description_limit", "check_description",
           "site_video_levels", "create_training_session", "set_training_session",
           "get_training_session", "del_training_session"]

TABLES = ""  # training sessions use the core ``sessions`` table

KEY_COUNTER = ("session_key", 661000000)
CONF_NAME_MAX = 128
_CREATE_CASES = ("trainingsession-create-description-1024", "trainingsession-set-description-1024")
_LIMIT_2500_CASES = ("trainingsession-create-description-2500", "trainingsession-set-description-2500")

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
           ("trainingsession-attendeesendvideo-create", "trainingsession-attendeesendvideo-set",
            "trainingsession-create-hqhd-ignored", "trainingsession-set-hqhd-ignored"),
           version="11.0.0 SP10"),
]


# -- rules shared with support.py -------------------------------------------------------

def refuse_if_suspended(call: Call, allow_defect: str) -> None:
    """42.5.0: a suspended site only supports free Webex Meetings; refuse with 010107."""
    if not call.site.suspended or not call.since("42.5.0") or call.defect(allow_defect):
        return
    if call.defect("suspended-training-wrong-code") and call.service == "training":
        raise ApiFailure("000001", "Access denied, additional privileges are required")
    raise ApiFailure("010107", "The site is suspended")


def require_scheduler(call: Call):
    """Hosts and administrators schedule sessions; an attendee account cannot."""
    account = call.require_user()
    if account.role == "attendee":
        raise ApiFailure("000001", "Access denied, additional privileges are required")
    return account


def description_limit(call: Call) -> int | None:
    """The description limit in display characters at this version (None: no limit)."""
    if call.since("39.8.0") and not call.defect("training-description-limit-not-raised"):
        return None if call.defect("training-description-unlimited") else 2500
    if call.since("39.3.0"):
        return 1024
    return None


def check_description(call: Call, text: str | None) -> None:
    limit = description_limit(call)
    if text is None or limit is None:
        return
    too_long = len(text) >= limit if (limit == 2500 and call.defect("training-description-limit-off-by-one")) \
        else len(text) > limit
    if too_long:
        code = "999999" if call.defect("training-description-wrong-code") else "060067"
        raise ApiFailure(code, "Illegal input description. The description can't exceed the maximum "
                               f"display characters's length {limit}.")


def site_video_levels(call: Call) -> dict[str, bool]:
    """HQ/HD video as the site decides it from 39.1.0 (site facts, default on)."""
    facts = call.db.site_facts(call.site)
    return {"HQvideo": bool(facts.get("HQvideo", True)), "HDvideo": bool(facts.get("HDvideo", True))}


# -- reading a request ---------------------------------------------------------------------

def _option(call: Call, name: str) -> bool | None:
    """An enableOptions flag (also accepted directly in bodyContent)."""
    value = call.flag(f"enableOptions/{name}")
    return call.flag(name) if value is None else value


def _int(call: Call, path: str, default: int) -> int:
    text = call.text(path)
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ApiFailure("999999", f"Invalid {path.rsplit('/', 1)[-1]}: {text!r} is not a whole number") from None


def _conf_name(call: Call, required: bool) -> str | None:
    name = call.text("metaData/confName")
    if name is None and not required:
        return None
    if not name or (call.since("11.0.0 SP11") and len(name) > CONF_NAME_MAX):
        raise ApiFailure("060065", "Illegal input conference name. The conference name can't be empty or "
                                   f"exceed the maximum display character length {CONF_NAME_MAX}.")
    return name


def _apply_video_options(call: Call, data: dict[str, Any], creating: bool) -> None:
    ignore = call.since("39.1.0") and not call.defect(
        "training-hqhd-create-not-ignored" if creating else "training-hqhd-set-not-ignored")
    for name in ("HQvideo", "HDvideo"):
        value = _option(call, name)
        if ignore:
            data.pop(name, None)      # from 39.1.0 the site decides
        elif value is not None:
            data[name] = value
    if call.since("11.0.0 SP11"):
        send = _option(call, "attendeeSendVideo")
        skip = "attendeesendvideo-create-ignored" if creating else "attendeesendvideo-set-ignored"
        if send is not None and not call.defect(skip):
            data["attendeeSendVideo"] = send
        elif creating:
            data["attendeeSendVideo"] = False


# -- handlers -------------------------------------------------------------------------------

@handler("training", "CreateTrainingSession")
def create_training_session(call: Call) -> list:
    refuse_if_suspended(call, "suspended-training-create-allowed")
    account = require_scheduler(call)
    name = _conf_name(call, required=True)
    description = call.text("metaData/description", "")
    check_description(call, description)
    start = parse_date(call.text("schedule/startDate")) or (call.now + _dt.timedelta(days=1)).replace(microsecond=0)
    data: dict[str, Any] = {"listing": call.text("accessControl/listing") or "PUBLIC"}
    if not call.since("39.1.0"):
        data.update(site_video_levels(call))  # the user's defaults, before a request overrides them
    _apply_video_options(call, data, creating=True)
    now = call.now.replace(microsecond=0).isoformat()
    with call.db.transaction() as db:
        key = db.next_id(*KEY_COUNTER)
        db.execute(
            "INSERT INTO sessions(session_key, site, kind, host, conf_name, start_date, duration, time_zone_id, "
            "password, description, host_key, data, created, modified) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (key, call.site.name, "training", account.webex_id, name, start.isoformat(),
             _int(call, "schedule/duration", 60), _int(call, "schedule/timeZoneID", 4),
             call.text("accessControl/sessionPassword", ""), description, f"{(key * 7) % 1000000:06d}",
             json.dumps(data), now, now))
    return [call.E("train").sessionkey(str(key))]


@handler("training", "SetTrainingSession")
def set_training_session(call: Call) -> list:
    refuse_if_suspended(call, "suspended-training-set-allowed")
    require_scheduler(call)
    row = session_row(call, call.text("sessionKey"), ("training",))
    name = _conf_name(call, required=False)
    description = call.text("metaData/description")
    check_description(call, description)
    start = parse_date(call.text("schedule/startDate"))
    data = json.loads(row["data"])
    if call.text("accessControl/listing"):
        data["listing"] = call.text("accessControl/listing")
    _apply_video_options(call, data, creating=False)
    call.db.execute(
        "UPDATE sessions SET conf_name=?, description=?, start_date=?, duration=?, time_zone_id=?, data=?, "
        "modified=? WHERE session_key=?",
        (name or row["conf_name"], row["description"] if description is None else description,
         start.isoformat() if start else row["start_date"], _int(call, "schedule/duration", row["duration"]),
         _int(call, "schedule/timeZoneID", row["time_zone_id"]), json.dumps(data),
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
            options.append(getattr(T, name)(_bool(value)))
    if (call.since("11.0.0 SP11") and not call.defect("attendeesendvideo-not-returned")) \
            or call.defect("attendeesendvideo-returned-early"):
        options.append(T.attendeeSendVideo(_bool(data.get("attendeeSendVideo", False))))
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


def _bool(value: Any) -> str:
    return "true" if value else "false"


def seed(state, now: _dt.datetime) -> dict[str, str]:
    """A training session scheduled on the suspended site before it was suspended.

    The 42.5.0 SetTrainingSession case edits it: a host cannot schedule one there any more.
    """
    site = state.site_by_key("suspended")
    key = state.next_id(*KEY_COUNTER)
    start = (now + _dt.timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    state.execute(
        "INSERT INTO sessions(session_key, site, kind, host, conf_name, start_date, password, host_key, data, "
        "created, modified) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (key, site.name, "training", "host1", "Training before suspension", start.isoformat(), "Pw4711x",
         f"{(key * 7) % 1000000:06d}", json.dumps({"attendeeSendVideo": False}),
         (now - _dt.timedelta(days=30)).isoformat(), (now - _dt.timedelta(days=30)).isoformat()))
    return {"sessions.suspended_training": str(key)}
