"""The core ``sessions`` table as handler modules write it, and the 42.5.0 suspended-site rule."""
from __future__ import annotations

import datetime as _dt
from typing import Any

from ..call import Call
from ..failures import ACCESS_DENIED, SITE_SUSPENDED, ApiFailure

__all__ = ["new_session", "seed_on_suspended_site", "refuse_on_suspended_site"]


def refuse_on_suspended_site(call: Call, allow_defect: str, wrong_code_defect: str = "") -> None:
    """42.5.0: a suspended site only supports free Webex Meetings; anything else gets 010107.

    ``allow_defect`` lets the call through; ``wrong_code_defect`` answers 000001 instead.
    """
    if not call.site.suspended or not call.since("42.5.0") or call.defect(allow_defect):
        return
    if call.defect(wrong_code_defect):
        raise ApiFailure(*ACCESS_DENIED)
    raise ApiFailure(*SITE_SUSPENDED)


def new_session(db: Any, counter: tuple[str, int], when: str, **columns: Any) -> int:
    """Insert a session under the next key of ``counter`` (name, first value) and return the key.

    A column given as a function is computed from the key (a default password, data that
    carries the key); the host key is derived from the key; columns not given keep the
    table's defaults.
    """
    with db.transaction():
        key = db.next_id(*counter)
        values = {"session_key": key, "host_key": f"{(key * 7) % 1000000:06d}", "created": when, "modified": when}
        values.update((name, value(key) if callable(value) else value) for name, value in columns.items())
        db.execute(f"INSERT INTO sessions({', '.join(values)}) VALUES ({','.join('?' * len(values))})",
                   tuple(values.values()))
    return key


def seed_on_suspended_site(state: Any, now: _dt.datetime, counter: tuple[str, int], days_ahead: int,
                           **columns: Any) -> str:
    """host1's session on the suspended site, scheduled before the site was suspended (30 days ago).

    The 42.5.0 Set* cases edit such a session: nothing but a free meeting may change there.
    """
    start = (now + _dt.timedelta(days=days_ahead)).replace(minute=0, second=0, microsecond=0)
    then = (now - _dt.timedelta(days=30)).isoformat()
    key = new_session(state, counter, then, site=state.site_by_key("suspended").name, host="host1",
                      start_date=start.isoformat(), **columns)
    return str(key)
