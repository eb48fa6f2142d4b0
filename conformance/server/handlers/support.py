"""Support Center sessions: CreateSupportSession.

Support sessions live in the core ``sessions`` table (kind ``support``).  The one
documented change: from 42.5.0 a suspended site cannot schedule them (010107).
"""
from __future__ import annotations

import json

from ..defects import Defect
from ..registry import Call, handler
from .training import KEY_COUNTER, refuse_if_suspended, require_scheduler

__all__ = ["DEFECTS", "create_support_session"]

DEFECTS: list[Defect] = [
    Defect("suspended-support-create-allowed",
           "42.5.0: CreateSupportSession schedules a session on a suspended site instead of 010107",
           ("suspended-site-createsupportsession",)),
]


@handler("support", "CreateSupportSession")
def create_support_session(call: Call) -> list:
    refuse_if_suspended(call, "suspended-support-create-allowed")
    account = require_scheduler(call)
    name = call.text("metaData/confName") or f"{account.first_name} {account.last_name}'s support session"
    now = call.now.replace(microsecond=0)
    with call.db.transaction() as db:
        key = db.next_id(*KEY_COUNTER)
        db.execute(
            "INSERT INTO sessions(session_key, site, kind, host, conf_name, start_date, data, created, modified) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            (key, call.site.name, "support", account.webex_id, name, now.isoformat(),
             json.dumps({"sessionType": call.text("metaData/sessionType") or "-1"}),
             now.isoformat(), now.isoformat()))
    return [call.E("sc").sessionKey(str(key))]
