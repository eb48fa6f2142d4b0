"""The URLs of a meeting: GethosturlMeeting (start it) and GetjoinurlMeeting (join, invite).

Not in the release notes; public clients use both (real-traffic 008, 009, 038, 039, 076).
The host URL starts the meeting, so only its host or a site administrator gets it; any
signed-in user of the site may ask for the join URL (a client sends it to attendees).
``attendeeName``/``attendeeEmail`` are carried into the join URL as real ones carry them.
"""
from __future__ import annotations

from urllib.parse import quote

from ..call import Call
from ..defects import Defect
from ..failures import MEETING_NOT_FOUND, ApiFailure
from ..routes import handler
from .addresses import token
from .meeting import MEETING_KINDS, meeting_key_text, session_row
from .numbers import parse_key

__all__ = ["DEFECTS", "gethosturl_meeting", "getjoinurl_meeting"]

DEFECTS: list[Defect] = [
    Defect("hosturl-for-anyone",
           "GethosturlMeeting gives the start URL of a meeting to a user who neither hosts it nor administers the site",
           (), tests=("gethosturlmeeting_host_only",)),
    Defect("joinurl-wrong-meeting",
           "GetjoinurlMeeting answers a join URL that names another meeting than the one asked for",
           (), tests=("getjoinurlmeeting_names_the_meeting",)),
]


def _base(call: Call) -> str:
    return f"https://{call.site.name}.webex.com/{call.site.name}"


@handler("meeting", "GethosturlMeeting")
def gethosturl_meeting(call: Call) -> list:
    if call.defect("hosturl-for-anyone"):
        row = _any_session(call)
    else:
        row = session_row(call, meeting_key_text(call), MEETING_KINDS)
    key = row["session_key"]
    return [call.E("meet").hostMeetingURL(f"{_base(call)}/p.php?AT=LI&WID={row['host']}&TK={token(key, 'host')}"
                                          f"&MU={quote(_base(call) + '/m.php?AT=HM&MK=' + str(key), safe='')}")]


def _any_session(call: Call):
    call.require_user()
    key = parse_key(meeting_key_text(call))
    row = call.db.one(f"SELECT * FROM sessions WHERE session_key=? AND site=? AND kind IN "
                      f"({','.join('?' * len(MEETING_KINDS))})", (key or 0, call.site.name, *MEETING_KINDS))
    if row is None:
        raise ApiFailure(*MEETING_NOT_FOUND)
    return row


@handler("meeting", "GetjoinurlMeeting")
def getjoinurl_meeting(call: Call) -> list:
    row = _any_session(call)
    key = row["session_key"] + (1 if call.defect("joinurl-wrong-meeting") else 0)
    name, email = call.text("attendeeName", ""), call.text("attendeeEmail", "")
    M = call.E("meet")
    join = f"{_base(call)}/m.php?AT=JM&MK={key}&AN={quote(name)}&AE={quote(email)}"
    out = [M.joinMeetingURL(join), M.inviteMeetingURL(f"{_base(call)}/j.php?MTID=m{token(key, 'join')}")]
    if row["kind"] == "webinar":
        out.append(M.registerMeetingURL(f"{_base(call)}/k2/j.php?MTID=r{token(key, 'register')}"))
    return out
