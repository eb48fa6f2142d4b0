"""A session's addresses: join links, SIP URLs, Personal Room URLs, opaque tokens.

One session must show the same URLs in GetMeeting, GetSessionInfo and the URL APIs.
"""
from __future__ import annotations

import hashlib
import sqlite3

__all__ = ["token", "sip_url", "display_meeting_url", "meeting_link", "skype_url", "pmr_url", "short_sip_url"]

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
