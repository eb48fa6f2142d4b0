"""What several handler modules read or build alike, written once.

The same request element (a session key, a duration, listControl) must be read by the
same rule whichever API carries it, and one session must show the same URLs in
GetMeeting and GetSessionInfo.  Copies of these rules had drifted apart (paging bounds,
key parsing that crashed on '²' or on numbers SQLite cannot hold, two meetingLink
forms), so each lives here once.  Seeded defects stay with the module that owns them:
where a shared rule can be broken, the caller passes its defect names in.

Our choices where the notes are silent:

- listControl: startFrom >= 1 and 1 <= maximumNum <= 500 (the default page size is the
  API's); anything else is 999999 naming the element.
- Whole numbers (duration, timeZoneID, meetingType): 0..2**31-1, and -1 means "the
  default" (the vendor's schemas default timeZoneID and meetingType to -1).
- Keys (session keys, recording IDs): 1..2**63-1, ASCII digits only; anything else is
  "not found" in the caller's own words.
- An unknown time zone ID is named "Time zone <id>".
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from lxml.builder import ElementMaker

from ...namespaces import NS
from ..registry import ApiFailure, Call

__all__ = [
    "MAX_INT", "MAX_KEY", "MAX_PAGE", "NO_RECORD", "CONF_NAME_MAX", "CONF_NAME_REASON", "DESCRIPTION_REASON",
    "TIME_ZONES", "ConfNameDefects", "DescriptionDefects",
    "parse_key", "read_int", "list_window", "page", "matching_records", "option", "site_video_levels",
    "check_conf_name", "description_limit", "check_description", "time_zone_name",
    "token", "sip_url", "display_meeting_url", "meeting_link", "skype_url", "pmr_url", "short_sip_url",
    "new_session", "seed_on_suspended_site",
]

MAX_INT = 2 ** 31 - 1           # durations, time zones, list windows
MAX_KEY = 2 ** 63 - 1           # what an SQLite INTEGER holds
MAX_PAGE = 500
NO_RECORD = ("000015", "Sorry, no record found")
CONF_NAME_MAX = 128
CONF_NAME_REASON = ("Illegal input conference name. The conference name can't be empty or exceed the "
                    "maximum display character length 128.")
DESCRIPTION_REASON = ("Illegal input description. The description can't exceed the maximum display "
                      "characters's length {limit}.")
TIME_ZONES = {4: "GMT-08:00, Pacific (San Jose)", 7: "GMT-07:00, Mountain (Denver)",
              11: "GMT-05:00, Eastern (New York)", 20: "GMT+00:00, Greenwich (London)",
              21: "GMT+01:00, Europe (Amsterdam)", 45: "GMT+08:00, China (Beijing)"}

_DIGITS = re.compile(r"[0-9]+")
_SIGNED = re.compile(r"-?[0-9]+")


# -- numbers and keys ----------------------------------------------------------------------

def _shown(text: str) -> str:
    """The request text as a reason quotes it: short enough to stay one readable line."""
    return repr(text if len(text) <= 40 else text[:40] + "...")


def parse_key(text: str | None) -> int | None:
    """A session key or recording ID SQLite can hold, or None for anything else.

    ASCII digits only: ``str.isdigit`` accepts '²', which ``int`` then refuses.
    """
    text = (text or "").strip()
    if not _DIGITS.fullmatch(text) or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= MAX_KEY else None


def read_int(call: Call, path: str, default: int) -> int:
    """A whole number of the request (duration, timeZoneID...) between 0 and 2**31-1; -1: the default."""
    text = call.text(path)
    if not text:
        return default
    name = path.rsplit("/", 1)[-1]
    if not _SIGNED.fullmatch(text):
        raise ApiFailure("999999", f"Invalid {name}: {_shown(text)} is not a whole number")
    value = int(text) if len(text) <= 12 else MAX_INT + 1
    if value == -1:
        return default
    if not 0 <= value <= MAX_INT:
        raise ApiFailure("999999", f"Invalid {name}: {_shown(text)} must be between 0 and {MAX_INT}")
    return value


# -- lists ---------------------------------------------------------------------------------

def list_window(call: Call, default_max: int) -> tuple[int, int]:
    """listControl's (startFrom, maximumNum): startFrom >= 1, 1 <= maximumNum <= 500."""
    out = []
    for name, default, high in (("startFrom", 1, MAX_INT), ("maximumNum", default_max, MAX_PAGE)):
        text = call.text(f"listControl/{name}")
        if not text:
            out.append(default)
            continue
        value = int(text) if _DIGITS.fullmatch(text) and len(text) <= 12 else 0
        if not 1 <= value <= high:
            raise ApiFailure("999999", f"listControl/{name} must be a whole number from 1 to {high}, "
                                       f"not {_shown(text)}")
        out.append(value)
    return out[0], out[1]


def page(call: Call, rows: list, default_max: int) -> tuple[list, int]:
    """The requested page of ``rows`` and its startFrom; an empty page is 000015."""
    start, maximum = list_window(call, default_max)
    chosen = rows[start - 1:start - 1 + maximum]
    if not chosen:
        raise ApiFailure(*NO_RECORD)
    return chosen, start


def matching_records(E: ElementMaker, total: int, returned: int, start: int) -> Any:
    """The service's matchingRecords element with its serv:total/returned/startFrom."""
    S = ElementMaker(namespace=NS["serv"], nsmap={"serv": NS["serv"]})
    return E.matchingRecords(S.total(str(total)), S.returned(str(returned)), S.startFrom(str(start)))


# -- options and site facts ------------------------------------------------------------------

def option(call: Call, name: str) -> bool | None:
    """An enableOptions flag; also accepted directly in bodyContent (clients differ)."""
    value = call.flag(f"enableOptions/{name}")
    return call.flag(name) if value is None else value


def site_video_levels(call: Call) -> dict[str, bool]:
    """HQ/HD video as the site decides it (site facts; on unless the site says otherwise)."""
    facts = call.db.site_facts(call.site)
    return {"HQvideo": bool(facts.get("HQvideo", True)), "HDvideo": bool(facts.get("HDvideo", True))}


# -- documented input limits -----------------------------------------------------------------

@dataclass(frozen=True)
class ConfNameDefects:
    """The seeded defects that break one module's confName rule ('' where it has none)."""
    limit_129: str = ""
    empty_accepted: str = ""
    counts_bytes: str = ""
    wrong_code: str = ""
    late: str = ""               # applied from SP12, one version late
    counts_utf16: str = ""       # UTF-16 code units (an emoji counts 2)


def check_conf_name(call: Call, name: str | None, defects: ConfNameDefects = ConfNameDefects()) -> None:
    """SP11: 060065 for an empty name or one over 128 display characters (no rule before SP11)."""
    if not call.since("11.0.0 SP12" if call.defect(defects.late) else "11.0.0 SP11"):
        return
    name = name or ""
    size = len(name.encode("utf-8")) if call.defect(defects.counts_bytes) else len(name)
    if call.defect(defects.counts_utf16):
        size = len(name.encode("utf-16-le")) // 2
    limit = CONF_NAME_MAX + 1 if call.defect(defects.limit_129) else CONF_NAME_MAX
    empty = not name.strip() and not call.defect(defects.empty_accepted)
    if empty or size > limit:
        raise ApiFailure("999999" if call.defect(defects.wrong_code) else "060065", CONF_NAME_REASON)


@dataclass(frozen=True)
class DescriptionDefects:
    """The seeded defects that break one module's description limit ('' where it has none)."""
    not_raised: str          # 39.8.0's 2500 not applied: 1024 stays
    unlimited: str           # 39.8.0: no limit at all
    off_by_one: str          # exactly 2500 refused
    wrong_code: str          # 999999 instead of 060067
    no_1024: str = ""        # 39.3.0's 1024 not applied
    counts_bytes: str = ""   # UTF-8 bytes, not characters
    off_by_one_1024: str = ""  # exactly 1024 refused
    late_2500: str = ""      # 39.8.0's 2500 applied from 39.9.0, one version late


def description_limit(call: Call, defects: DescriptionDefects) -> int | None:
    """39.3.0: 1024 display characters; 39.8.0: 2500; None before 39.3.0 (no limit)."""
    raised = "39.9.0" if call.defect(defects.late_2500) else "39.8.0"
    if call.since(raised) and not call.defect(defects.not_raised):
        return None if call.defect(defects.unlimited) else 2500
    if call.since("39.3.0") and not call.defect(defects.no_1024):
        return 1024
    return None


def check_description(call: Call, text: str | None, defects: DescriptionDefects) -> None:
    """060067 for a description over this version's limit (the notes give no code for 2500: we keep it)."""
    limit = description_limit(call, defects)
    if text is None or limit is None:
        return
    size = len(text.encode("utf-8")) if call.defect(defects.counts_bytes) else len(text)
    if (limit == 2500 and call.defect(defects.off_by_one)) or (limit == 1024 and call.defect(defects.off_by_one_1024)):
        too_long = size >= limit
    else:
        too_long = size > limit
    if too_long:
        code = "999999" if call.defect(defects.wrong_code) else "060067"
        raise ApiFailure(code, DESCRIPTION_REASON.format(limit=limit))


def time_zone_name(zone: int) -> str:
    return TIME_ZONES.get(int(zone), f"Time zone {int(zone)}")


# -- a session's addresses -------------------------------------------------------------------
#
# sipURL keeps the site-qualified form <number>@<site>.webex.com (a Personal Room's:
# <webExID>@<site>.webex.com).  39.3.0's displayMeetingUrl is <number>@webex.com, and a
# Personal Room's is its short SIP URL <webExID>.<site>@webex.com from 39.9.0.

def token(key: int, salt: str) -> str:
    """A stable opaque token of one session (join links, guest tokens, calendar links)."""
    return hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()[:32]


def sip_url(site_name: str, row: sqlite3.Row) -> str:
    if row["kind"] == "pmr":
        return f"{row['host']}@{site_name}.webex.com"
    return f"{row['session_key']}@{site_name}.webex.com"


def display_meeting_url(site_name: str, row: sqlite3.Row, short_pmr: bool) -> str:
    """<number>@webex.com; a Personal Room's short SIP URL when ``short_pmr`` (39.9.0)."""
    if row["kind"] == "pmr" and short_pmr:
        return short_sip_url(site_name, row["host"])
    return f"{row['session_key']}@webex.com"


def meeting_link(site_name: str, row: sqlite3.Row) -> str:
    if row["kind"] == "pmr":
        return pmr_url(site_name, row["host"])
    return f"https://{site_name}.webex.com/{site_name}/j.php?MTID=m{token(row['session_key'], 'join')}"


def skype_url(site_name: str, row: sqlite3.Row) -> str:
    return f"{row['session_key']}.{site_name}@lync.webex.com"


def pmr_url(site_name: str, webex_id: str) -> str:
    """The user's Personal Room page (a PMR's meetingLink, 39.10.0 ``personalMeetingRoomURL``)."""
    return f"https://{site_name}.webex.com/meet/{webex_id}"


def short_sip_url(site_name: str, webex_id: str) -> str:
    """The Personal Room's short SIP URL (39.9.0 ``displayMeetingUrl``): no site domain."""
    return f"{webex_id}.{site_name}@webex.com"


# -- the sessions table ----------------------------------------------------------------------

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
