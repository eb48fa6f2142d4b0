"""Signing in without a password on every call: AuthenticateUser, GetLoginTicket, GetloginurlUser.

None of these is in the release notes; public clients use them (real-traffic 029, 049,
050, 054, 055), so the server emulates what those replies show:

- AuthenticateUser trades an OAuth access token (in the body, real-traffic 054) or a
  password for a ``sessionTicket`` (with ``createTime`` in epoch milliseconds and
  ``timeToLive`` in seconds, as 055).  The ticket then signs calls in place of the
  password (``webExID`` + ``sessionTicket``).  Our reference server accepts its own
  machine token as the OAuth token, on behalf of the ``webExID`` the securityContext
  names; an unknown token is 030048, the code real servers answer (056).
- GetLoginTicket: a one-time ``ticket`` for a browser login, with the ``apiVersion`` text.
- GetloginurlUser: the URL that signs ``webExID`` into the site (admins: any user).
"""
from __future__ import annotations

import secrets

from ..call import Call
from ..defects import Defect
from ..failures import ACCESS_DENIED, USER_NOT_FOUND, ApiFailure
from ..routes import handler

__all__ = ["DEFECTS", "TICKET_TTL_SECONDS", "authenticate_user", "get_login_ticket", "getloginurl_user"]

TICKET_TTL_SECONDS = 5400
API_VERSION_TEXT = "WebEx XML API V11.0.0"   # ep.py's apiVersion text: one server, one version string
TOKEN_REFUSED = ("030048", "Authentication Server can't generate a valid session ticket")

DEFECTS: list[Defect] = [
    Defect("sessionticket-not-accepted",
           "AuthenticateUser issues a sessionTicket that no later call accepts (030047)",
           (), tests=("authenticateuser_ticket_signs_in",)),
    Defect("authenticateuser-any-token",
           "AuthenticateUser issues a sessionTicket for any accessToken, even one it never issued",
           (), tests=("authenticateuser_unknown_token_refused",)),
    Defect("loginurl-other-user-allowed",
           "GetloginurlUser gives a host the login URL of another user",
           (), tests=("getloginurluser_own_only",)),
]


def _issue(call: Call, webex_id: str, kind: str) -> str:
    ticket = f"{kind[0].upper()}T-" + secrets.token_urlsafe(24)
    call.db.execute("INSERT INTO session_tickets(ticket, site, webex_id, kind, created) VALUES (?,?,?,?,?)",
                    (ticket if not (kind == "session" and call.defect("sessionticket-not-accepted")) else "x" + ticket,
                     call.site.name, webex_id, kind, call.now.isoformat()))
    return ticket


@handler("user", "AuthenticateUser", anonymous=True)
def authenticate_user(call: Call) -> list:
    webex_id = call.account.webex_id if call.account is not None and call.account.role != "machine" \
        else call.security.get("webExID", "")
    token = call.text("accessToken")
    if call.account is None or call.account.role == "machine":
        if not webex_id or call.db.user_row(call.site, webex_id) is None:
            raise ApiFailure(*USER_NOT_FOUND)
        valid = bool(token) and call.db.account_for_token(call.site, token) is not None
        if call.account is None and not valid and not call.defect("authenticateuser-any-token"):
            raise ApiFailure(*TOKEN_REFUSED)
    row = call.db.user_row(call.site, webex_id)
    ticket = _issue(call, row["webex_id"], "session")
    u = call.E("use")
    return [u.sessionTicket(ticket), u.createTime(str(int(call.now.timestamp() * 1000))),
            u.timeToLive(str(TICKET_TTL_SECONDS))]


@handler("user", "GetLoginTicket")
def get_login_ticket(call: Call) -> list:
    me = call.require_user()
    u = call.E("use")
    return [u.ticket(_issue(call, me.webex_id, "login")), u.apiVersion(API_VERSION_TEXT)]


@handler("user", "GetloginurlUser")
def getloginurl_user(call: Call) -> list:
    me = call.require_user()
    wanted = call.text("webExID") or call.text("webExId") or me.webex_id
    if wanted.lower() != me.webex_id.lower() and not me.is_admin and not call.defect("loginurl-other-user-allowed"):
        raise ApiFailure(*ACCESS_DENIED)
    row = call.db.user_row(call.site, wanted)
    if row is None:
        raise ApiFailure(*USER_NOT_FOUND)
    ticket = _issue(call, row["webex_id"], "login")
    site = call.site.name
    return [call.E("use").userLoginURL(
        f"https://{site}.webex.com/{site}/p.php?AT=LI&WID={row['webex_id']}&TK={ticket}&MU=https%3A%2F%2F{site}"
        f".webex.com%2F{site}")]
