"""Support Center sessions: CreateSupportSession.

Support sessions live in the core ``sessions`` table (kind ``support``), with keys from
their own counter (from 551000000).  The documented changes carried here:

- SP11: the confName rule CreateMeeting follows (empty or over 128 display characters ->
  060065).  A request without confName still gets the host's default name: only a name
  the request gives is checked;
- 42.5.0: a suspended site cannot schedule them (010107).
"""
from __future__ import annotations

import json

from ..defects import Defect
from ..call import Call
from ..routes import handler
from .limits import check_conf_name
from .sessions import new_session, refuse_on_suspended_site
from .training import require_scheduler

__all__ = ["DEFECTS", "KEY_COUNTER", "create_support_session"]

KEY_COUNTER = ("support_session_key", 551000000)

DEFECTS: list[Defect] = [
    Defect("suspended-support-create-allowed",
           "42.5.0: CreateSupportSession schedules a session on a suspended site instead of 010107",
           ("suspended-site-createsupportsession",)),
]


@handler("support", "CreateSupportSession")
def create_support_session(call: Call) -> list:
    refuse_on_suspended_site(call, "suspended-support-create-allowed")
    account = require_scheduler(call)
    name = call.text("metaData/confName")
    if name is not None:
        check_conf_name(call, name)
    name = name or f"{account.first_name} {account.last_name}'s support session"
    now = call.now.replace(microsecond=0).isoformat()
    key = new_session(call.db, KEY_COUNTER, now, site=call.site.name, kind="support", host=account.webex_id,
                      conf_name=name, start_date=now,
                      data=json.dumps({"sessionType": call.text("metaData/sessionType") or "-1"}))
    return [call.E("sc").sessionKey(str(key))]
