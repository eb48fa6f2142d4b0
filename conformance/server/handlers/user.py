"""The user service: accounts, their summaries and cards, and Personal Room images.

APIs: CreateUser, SetUser, DelUser, GetUser, GetMe, LstsummaryUser, UploadPMRImage,
GetUserCard.  Users live in the core ``users`` table; what only this module needs
(title, TSP call-in data, uploaded image sizes, userId) sits in its JSON ``extra``.

Documented changes carried here:

- SP13: ``tollCallInData`` / ``tollFreeCallInData`` of CreateUser/SetUser are validated
  (rule below, ``call_in_data_ok``); invalid data is refused with 999999.
- SP22: UploadPMRImage refuses images over 5 MB with 010100.
- 39.2.0: LstsummaryUser returns ``lastLoginTime`` (MM/DD/YYYY HH:MM:SS).
- 39.9.0: GetUser and GetMe return ``displayMeetingUrl`` (the user's PMR short SIP URL).
- 39.10.0: LstsummaryUser returns ``personalMeetingRoomURL``; anonymous GetUserCard needs
  a CAPTCHA (``captcha.guard_anonymous_lookup``).
- 39.11.0: LstsummaryUser filters on ``modifiedDateStart``/``modifiedDateEnd`` (at most
  90 days apart, else 999999) and returns ``lastModifiedTime``.
- 42.6.0: on a suspended site a site administrator's CreateUser/SetUser is refused with
  010107; a user editing their own data still succeeds.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
import sqlite3
from typing import Any

from lxml import etree

from ..defects import Defect
from ..call import Call
from ..failures import ACCESS_DENIED, SITE_SUSPENDED, USER_NOT_FOUND, ApiFailure
from ..models import Account
from ..routes import handler
from ..wire import base64_size, fmt_date, parse_date
from .captcha import guard_anonymous_lookup
from .addresses import pmr_url, short_sip_url
from .listing import matching_records, page_sql
from .shapes import read_shape
from .user_shape import USER_SECTIONS, full_user

__all__ = [
    "DEFECTS", "TABLES", "seed", "call_in_data_ok", "pmr_url", "short_sip_url",
    "IMAGE_LIMIT_BYTES", "MODIFIED_RANGE_DAYS",
    "create_user", "set_user", "del_user", "get_user", "get_me", "lstsummary_user",
    "upload_pmr_image", "get_user_card",
]

TABLES = ""  # users live in the core ``users`` table

# SP22: "Try an image smaller than 5MB".  We read MB as MiB (5 * 1024 * 1024 bytes); the
# cases stay clear of the 5,000,000..5,242,880 gap so that either reading passes them.
IMAGE_LIMIT_BYTES = 5 * 1024 * 1024
MODIFIED_RANGE_DAYS = 90  # 39.11.0: "Maximum date range is 90 days for modified date query"
DEFAULT_PAGE = 50

# Exception codes.  010107, 010100 and 999999 are the notes'; the others are what real
# servers answer for the same conditions (030001, 000001, 000015) or our choice (030004).
SUSPENDED = SITE_SUSPENDED
IMAGE_TOO_BIG = ("010100", "Size of the image being uploaded is too big. Try an image smaller than 5MB in size.")
RANGE_TOO_LONG = ("999999", "Maximum date range is 90 days for modified date query")
# SP13 gives no code or message for invalid call-in data.  We answer 999999, the code
# the 39.11.0 notes use for a refused request value (the modified-date range) and the
# one the reference server answers a bad CAPTCHA with, and a reason naming the element.
# Cases check only the FAILURE result.
CALL_IN_DATA_INVALID = "999999"

# The cases that validate a LstsummaryUser answer listing users who have signed in.
_LSTSUMMARY_CASES = ("lstsummaryuser-lastlogintime", "lstsummaryuser-personalmeetingroomurl",
                     "lstsummaryuser-lastmodifiedtime")

DEFECTS: list[Defect] = [
    Defect("setuser-sections-not-stored",
           "SetUser answers SUCCESS but GetUser still returns the old options/commOptions/sessionOptions values",
           (), tests=("setuser_options_then_getuser",)),
    Defect("suspended-createuser-allowed",
           "42.6.0: a site admin's CreateUser on a suspended site succeeds instead of 010107",
           ("createuser-suspended-site",)),
    Defect("suspended-setuser-allowed",
           "42.6.0: a site admin's SetUser on a suspended site succeeds instead of 010107",
           ("setuser-suspended-site-admin",)),
    Defect("suspended-user-wrong-code",
           "42.6.0: CreateUser/SetUser on a suspended site answer 000001 instead of 010107",
           ("createuser-suspended-site", "setuser-suspended-site-admin")),
    Defect("suspended-self-edit-blocked",
           "42.6.0: a user's SetUser of their own data on a suspended site is refused with 010107",
           ("setuser-suspended-site-self-edit",)),
    Defect("tollcallindata-not-validated",
           "SP13: CreateUser/SetUser accept any tollCallInData/tollFreeCallInData",
           ("user-tollcallindata-validation",), "11.0.0 SP13"),
    Defect("tollcallindata-rejects-country-code",
           "SP13: call-in data with a country code prefix (\"1,4085551234\") is refused as invalid",
           ("user-tollcallindata-validation",), "11.0.0 SP13"),
    Defect("uploadpmrimage-no-size-limit",
           "SP22: UploadPMRImage accepts images over 5 MB",
           ("uploadpmrimage-over-5mb-rejected",), "11.0.0 SP22"),
    Defect("uploadpmrimage-limit-too-small",
           "SP22: UploadPMRImage refuses images over 4 MB (not 5 MB)",
           ("uploadpmrimage-under-5mb-accepted",), "11.0.0 SP22"),
    Defect("uploadpmrimage-wrong-code",
           "SP22: an image over 5 MB is refused with 999999 instead of 010100",
           ("uploadpmrimage-over-5mb-rejected",), "11.0.0 SP22"),
    Defect("uploadpmrimage-counts-base64",
           "SP22: UploadPMRImage compares the base64 text, not the image, with 5 MB (a 4.9 MB image refused)",
           ("uploadpmrimage-under-5mb-accepted",), "11.0.0 SP22", boundary=("boundary/pmr-image-5mb",)),
    Defect("lstsummaryuser-modified-range-wrong-code",
           "39.11.0: a modified-date range over 90 days is refused with 000000 instead of 999999",
           ("lstsummaryuser-modified-date-range-limit",), "39.11.0",
           boundary=("boundary/modified-date-range-90-days",)),
    Defect("lastlogintime-missing",
           "39.2.0: LstsummaryUser does not return lastLoginTime",
           ("lstsummaryuser-lastlogintime",), "39.2.0"),
    Defect("lastlogintime-bad-format",
           "39.2.0: lastLoginTime is written as ISO 8601 (2018-04-12T22:40:01), not MM/DD/YYYY HH:MM:SS",
           _LSTSUMMARY_CASES),
    Defect("lastlogintime-too-early",
           "39.2.0: lastLoginTime is returned before 39.2.0 too",
           _LSTSUMMARY_CASES, "39.1.0"),
    Defect("user-displaymeetingurl-missing-getuser",
           "39.9.0: GetUser does not return displayMeetingUrl",
           ("getuser-displaymeetingurl",), "39.9.0"),
    Defect("user-displaymeetingurl-missing-getme",
           "39.9.0: GetMe does not return displayMeetingUrl",
           ("getme-displaymeetingurl",), "39.9.0"),
    Defect("user-displaymeetingurl-long-form",
           "39.9.0: GetUser/GetMe return the long SIP form <webExID>@<site>.webex.com as displayMeetingUrl",
           ("getuser-displaymeetingurl", "getme-displaymeetingurl"), "39.9.0"),
    Defect("lstsummaryuser-pmrurl-missing",
           "39.10.0: LstsummaryUser does not return personalMeetingRoomURL",
           ("lstsummaryuser-personalmeetingroomurl",), "39.10.0"),
    Defect("getusercard-captcha-not-enforced",
           "39.10.0: anonymous GetUserCard answers without a CAPTCHA",
           ("getusercard-anonymous-captcha", "getusercard-anonymous-with-captcha"), "39.10.0"),
    Defect("lstsummaryuser-lastmodifiedtime-missing",
           "39.11.0: LstsummaryUser does not return lastModifiedTime",
           ("lstsummaryuser-lastmodifiedtime", "lstsummaryuser-modified-date-filter"), "39.11.0"),
    Defect("lstsummaryuser-modified-filter-ignored",
           "39.11.0: LstsummaryUser ignores modifiedDateStart/modifiedDateEnd",
           ("lstsummaryuser-modified-date-filter", "lstsummaryuser-modified-date-range-limit"), "39.11.0"),
    Defect("lstsummaryuser-modified-range-unchecked",
           "39.11.0: a modified-date range of more than 90 days is accepted",
           ("lstsummaryuser-modified-date-range-limit",), "39.11.0"),
]


def seed(state: Any, now: _dt.datetime) -> dict[str, str]:
    """Give every seeded user a userId (the core seeds the rows themselves)."""
    for row in state.query("SELECT site, webex_id, extra FROM users ORDER BY site, webex_id"):
        extra = json.loads(row["extra"] or "{}")
        extra.setdefault("userId", state.next_id("user_id", 500000001))
        state.execute("UPDATE users SET extra=? WHERE site=? AND webex_id=?",
                      (json.dumps(extra, sort_keys=True), row["site"], row["webex_id"]))
    return {}


# --- rules -----------------------------------------------------------------------------

# SP13 promises validation but shows no rule.  Ours: an optional country code of 1-3
# digits followed by a comma, then the number: 4-20 digits, which may be grouped by
# single spaces or dashes ("1,4085551234", "44,20 7946 0000", "4085551234").
# Anything else (letters, "+", other punctuation, a leading/trailing separator) is
# refused.  Empty means "no data" and is accepted.
_CALL_IN_DATA = re.compile(r"^(?:\d{1,3},)?\d(?:[ -]?\d){3,19}$")
_CALL_IN_NO_COUNTRY = re.compile(r"^\d(?:[ -]?\d){3,19}$")
_CALL_IN_FIELDS = ("tollCallInData", "tollFreeCallInData")


def call_in_data_ok(text: str, country_code_allowed: bool = True) -> bool:
    """Whether one tollCallInData/tollFreeCallInData value passes the SP13 validation."""
    if text == "":
        return True
    rule = _CALL_IN_DATA if country_code_allowed else _CALL_IN_NO_COUNTRY
    return rule.match(text) is not None


def _has_pmr(role: str) -> bool:
    return role in ("host", "admin")


def _refuse_if_suspended(call: Call, admin_rule_defect: str) -> None:
    """42.6.0: administrators may not create or modify users on a suspended site."""
    if not call.site.suspended or not call.since("42.6.0"):
        return
    acting_as_admin = call.account is not None and call.account.is_admin
    if acting_as_admin and not call.defect(admin_rule_defect):
        if call.defect("suspended-user-wrong-code"):
            raise ApiFailure(*ACCESS_DENIED)
        raise ApiFailure(*SUSPENDED)
    if not acting_as_admin and call.defect("suspended-self-edit-blocked"):
        raise ApiFailure(*SUSPENDED)


def _call_in_data(call: Call) -> list[dict[str, str]]:
    """The TSP accounts of a CreateUser/SetUser body, validated from SP13 on.

    Read wherever they are (``tspAccount/tspAccount/...`` in the vendor's layout), so
    that a client's slightly different nesting is not silently ignored.
    """
    by_parent: dict[Any, dict[str, str]] = {}
    validate = call.since("11.0.0 SP13") and not call.defect("tollcallindata-not-validated")
    for el in call.body.iter():
        if not isinstance(el.tag, str) or etree.QName(el).localname not in _CALL_IN_FIELDS:
            continue
        value = (el.text or "").strip()
        name = etree.QName(el).localname
        if validate and not call_in_data_ok(value, not call.defect("tollcallindata-rejects-country-code")):
            raise ApiFailure(CALL_IN_DATA_INVALID,
                             f"Invalid {name}: {value[:60]!r} must be digits with an optional "
                             f"country code, e.g. 1,4085551234")
        by_parent.setdefault(el.getparent(), {})[name] = value
    return list(by_parent.values())


def _extra(row: Any) -> dict[str, Any]:
    try:
        return json.loads(row["extra"] or "{}")
    except (TypeError, ValueError):
        return {}


def _iso_to_wire(text: str | None) -> str | None:
    if not text:
        return None
    return fmt_date(_dt.datetime.fromisoformat(text))


def _now(call: Call) -> _dt.datetime:
    return call.now.replace(microsecond=0)


def _target_row(call: Call, webex_id: str | None) -> Any:
    """The user a Get/Set call is about: another user only for administrators."""
    me = call.require_user()
    wanted = webex_id or me.webex_id
    if wanted.lower() != me.webex_id.lower() and not me.is_admin:
        raise ApiFailure(*ACCESS_DENIED)
    row = call.db.user_row(call.site, wanted)
    if row is None:
        raise ApiFailure(*USER_NOT_FOUND)
    return row


# --- CreateUser / SetUser / DelUser ----------------------------------------------------

@handler("user", "CreateUser")
def create_user(call: Call) -> list:
    call.require_admin()
    _refuse_if_suspended(call, "suspended-createuser-allowed")
    webex_id = call.text("webExId") or call.text("webExID") or ""
    email = call.text("email") or ""
    password = call.text("password") or ""
    missing = [n for n, v in (("webExId", webex_id), ("email", email), ("password", password)) if not v]
    if missing:
        raise ApiFailure("999999", f"Missing required element(s): {', '.join(missing)}")
    if len(webex_id) > 64 or any(c.isspace() for c in webex_id):
        raise ApiFailure("999999", "Invalid webExId: at most 64 characters, no spaces")
    tsp = _call_in_data(call)
    now = _now(call)
    role = "attendee" if call.flag("privilege/host") is False else "host"
    first, last = call.text("firstName", ""), call.text("lastName", "")
    extra: dict[str, Any] = {"title": call.text("title", ""), "tspAccounts": tsp}
    with call.db.transaction() as db:
        if db.user_row(call.site, webex_id) is not None:
            raise ApiFailure("030004", f"Duplicate webExId: {webex_id} already exists")
        extra["userId"] = db.next_id("user_id", 500000001)
        db.execute(
            "INSERT INTO users(site, webex_id, password, role, first_name, last_name, email, display_name, "
            "registration, last_login, last_modified, active, extra) VALUES (?,?,?,?,?,?,?,?,?,?,?,1,?)",
            (call.site.name, webex_id, password, role, first, last, email, f"{first} {last}".strip(),
             now.isoformat(), None, now.isoformat(), json.dumps(extra, sort_keys=True)))
    return [call.E("use").userId(str(extra["userId"]))]


_SETTABLE = {"firstName": "first_name", "lastName": "last_name", "email": "email", "password": "password"}
_NOT_EMPTY = ("webExId", "webExID", "email", "password")


def _refuse_empty(call: Call) -> None:
    """What CreateUser requires, SetUser may leave out but not empty: an empty password would
    let anyone sign in with none."""
    empty = [name for name in _NOT_EMPTY if call.text(name) == ""]
    if empty:
        raise ApiFailure("999999", f"Empty element(s): {', '.join(empty)} must not be empty when given")


@handler("user", "SetUser")
def set_user(call: Call) -> list:
    call.require_user()
    _refuse_empty(call)
    row = _target_row(call, call.text("webExId") or call.text("webExID"))
    _refuse_if_suspended(call, "suspended-setuser-allowed")
    tsp = _call_in_data(call)
    updates: dict[str, str] = {}
    for element, column in _SETTABLE.items():
        value = call.text(element)
        if value is not None:
            updates[column] = value
    extra = _extra(row)
    title = call.text("title")
    if title is not None:
        extra["title"] = title
    if tsp:
        extra["tspAccounts"] = tsp
    if not call.defect("setuser-sections-not-stored"):
        extra["shape"] = read_shape(call, extra.get("shape", {}), USER_SECTIONS)
    if "first_name" in updates or "last_name" in updates:
        updates["display_name"] = f"{updates.get('first_name', row['first_name'])} " \
                                  f"{updates.get('last_name', row['last_name'])}".strip()
    updates["extra"] = json.dumps(extra, sort_keys=True)
    updates["last_modified"] = _now(call).isoformat()
    columns = ", ".join(f"{c}=?" for c in updates)
    call.db.execute(f"UPDATE users SET {columns} WHERE site=? AND webex_id=?",
                    (*updates.values(), call.site.name, row["webex_id"]))
    return []


@handler("user", "DelUser")
def del_user(call: Call) -> list:
    call.require_admin()
    ids = [(el.text or "").strip() for el in call.findall("webExId") + call.findall("webExID")]
    ids = [i for i in ids if i]
    if not ids:
        raise ApiFailure("999999", "Missing required element: webExId")
    with call.db.transaction() as db:
        for webex_id in ids:
            if db.user_row(call.site, webex_id) is None:
                raise ApiFailure(*USER_NOT_FOUND)
            db.execute("DELETE FROM users WHERE site=? AND lower(webex_id)=lower(?)", (call.site.name, webex_id))
    return []


# --- GetUser / GetMe / GetUserCard -----------------------------------------------------

def _user_details(call: Call, row: Any, api_defect: str) -> list:
    u = call.E("use")
    extra = _extra(row)
    names = [u.firstName(row["first_name"]), u.lastName(row["last_name"]), u.title(extra.get("title", ""))]
    contact = [u.email(row["email"])]
    if row["display_name"]:
        contact.append(u.displayName(row["display_name"]))
    if call.since("39.9.0") and _has_pmr(row["role"]) and not call.defect(api_defect):
        url = short_sip_url(call.site.name, row["webex_id"])
        if call.defect("user-displaymeetingurl-long-form"):
            url = f"{row['webex_id']}@{call.site.name}.webex.com"
        contact.append(u.displayMeetingUrl(url))
    core = {"names": names, "webExId": [u.webExId(row["webex_id"])], "email": contact,
            "active": [u.active("ACTIVATED" if row["active"] else "DEACTIVATED")],
            "registrationDate": [u.registrationDate(_iso_to_wire(row["registration"]) or "")],
            "userId": [u.userId(str(extra["userId"]))] if "userId" in extra else []}
    try:
        types = [str(r["type_id"]) for r in call.db.query("SELECT type_id FROM meeting_types WHERE site=? "
                                                          "ORDER BY type_id", (call.site.name,))]
    except sqlite3.OperationalError:   # meetingtype.py's table; absent if that module is not loaded
        types = ["3"]
    return full_user(call, row, extra, core, types)


@handler("user", "GetUser")
def get_user(call: Call) -> list:
    row = _target_row(call, call.text("webExId") or call.text("webExID"))
    return _user_details(call, row, "user-displaymeetingurl-missing-getuser")


@handler("user", "GetMe")
def get_me(call: Call) -> list:
    me: Account = call.require_user()
    row = call.db.user_row(call.site, me.webex_id)
    if row is None:  # a machine account has no user row
        raise ApiFailure(*USER_NOT_FOUND)
    return _user_details(call, row, "user-displaymeetingurl-missing-getme")


@handler("user", "GetUserCard", anonymous=True)
def get_user_card(call: Call) -> list:
    """A user's public card (name and Personal Room), readable without credentials.

    Request: ``webExId``; anonymous callers add ``CAPTCHAID``/``CAPTCHAWord`` from 39.10.0.
    """
    webex_id = call.text("webExId") or call.text("webExID")
    if not webex_id:
        if call.account is None:
            raise ApiFailure("999999", "Missing required element: webExId")
        webex_id = call.account.webex_id

    def lookup():
        found = call.db.user_row(call.site, webex_id)
        if found is None or not found["active"]:
            raise ApiFailure(*USER_NOT_FOUND)
        return found
    row = guard_anonymous_lookup(call, webex_id, lookup, "getusercard-captcha-not-enforced")
    u = call.E("use")
    out = [u.webExId(row["webex_id"]), u.firstName(row["first_name"]), u.lastName(row["last_name"])]
    if row["display_name"]:
        out.append(u.displayName(row["display_name"]))
    if _has_pmr(row["role"]):
        out.append(u.personalMeetingRoomURL(pmr_url(call.site.name, row["webex_id"])))
    return out


# --- LstsummaryUser --------------------------------------------------------------------

def _modified_window(call: Call) -> tuple[_dt.datetime, _dt.datetime] | None:
    """39.11.0's modified-date filter; a missing end is now, a missing start end - 90 days."""
    if not call.since("39.11.0") or call.defect("lstsummaryuser-modified-filter-ignored"):
        return None
    start_text, end_text = call.text("modifiedDateStart"), call.text("modifiedDateEnd")
    if not start_text and not end_text:
        return None
    end = parse_date(end_text) or _now(call)
    start = parse_date(start_text) or end - _dt.timedelta(days=MODIFIED_RANGE_DAYS)
    if start > end:
        raise ApiFailure("999999", "modifiedDateStart must not be later than modifiedDateEnd")
    limit = _dt.timedelta(days=MODIFIED_RANGE_DAYS)
    span = end - start
    if call.defect("lstsummaryuser-modified-range-whole-days"):
        span = _dt.timedelta(days=span.days)
    over = span >= limit if call.defect("lstsummaryuser-modified-range-off-by-one") else span > limit
    if over and not call.defect("lstsummaryuser-modified-range-unchecked"):
        if call.defect("lstsummaryuser-modified-range-wrong-code"):
            raise ApiFailure("000000", RANGE_TOO_LONG[1])
        raise ApiFailure(*RANGE_TOO_LONG)
    return start, end


def _login_time(call: Call, text: str) -> str:
    when = _dt.datetime.fromisoformat(text)
    if call.defect("lastlogintime-bad-format"):
        return when.isoformat(timespec="seconds")
    return fmt_date(when)


def _summary(call: Call, row: Any) -> Any:
    u = call.E("use")
    el = u.user(u.webExId(row["webex_id"]), u.firstName(row["first_name"]), u.lastName(row["last_name"]),
                u.email(row["email"]), u.registrationDate(_iso_to_wire(row["registration"]) or ""),
                u.active("ACTIVATED" if row["active"] else "DEACTIVATED"))
    login_version = "39.1.0" if call.defect("lastlogintime-too-early") else "39.2.0"
    if call.since(login_version) and row["last_login"] and not call.defect("lastlogintime-missing"):
        el.append(u.lastLoginTime(_login_time(call, row["last_login"])))
    if call.since("39.10.0") and _has_pmr(row["role"]) and not call.defect("lstsummaryuser-pmrurl-missing"):
        el.append(u.personalMeetingRoomURL(pmr_url(call.site.name, row["webex_id"])))
    if call.since("39.11.0") and not call.defect("lstsummaryuser-lastmodifiedtime-missing"):
        el.append(u.lastModifiedTime(_iso_to_wire(row["last_modified"]) or ""))
    return el


@handler("user", "LstsummaryUser")
def lstsummary_user(call: Call) -> list:
    call.require_admin()
    window = _modified_window(call)
    sql, params = "SELECT * FROM users WHERE site=?", [call.site.name]
    for element, column in (("webExId", "webex_id"), ("email", "email"),
                            ("firstName", "first_name"), ("lastName", "last_name")):
        value = call.text(element)
        if value:
            sql += f" AND lower({column})=lower(?)"
            params.append(value)
    if window is not None:  # isoformat() text sorts as the dates do
        sql += " AND last_modified >= ? AND last_modified <= ?"
        params += [window[0].isoformat(), window[1].isoformat()]
    chosen, total, start = page_sql(call, sql, params, "ORDER BY lower(webex_id), webex_id", DEFAULT_PAGE)
    return [_summary(call, r) for r in chosen] + [matching_records(call.E("use"), total, len(chosen), start)]


# --- UploadPMRImage --------------------------------------------------------------------

@handler("user", "UploadPMRImage")
def upload_pmr_image(call: Call) -> list:
    """Store the caller's Personal Room photo or header image.

    Request (the vendor's names): ``imageFor`` (Photo | Header, default Photo) and
    ``imageData`` (the image, base64).  From SP22 images over 5 MB are refused (010100).
    """
    me = call.require_user()
    image_for = call.text("imageFor") or "Photo"
    if image_for not in ("Photo", "Header"):
        raise ApiFailure("999999", f"Invalid imageFor {image_for[:40]!r}: expected Photo or Header")
    encoded = call.text("imageData")
    if not encoded:
        raise ApiFailure("999999", "Missing required element: imageData")
    decoded_size = base64_size(encoded)
    if decoded_size is None:
        raise ApiFailure("999999", "imageData is not valid base64")
    if call.since("11.0.0 SP22"):
        limit = 4 * 1024 * 1024 if call.defect("uploadpmrimage-limit-too-small") else IMAGE_LIMIT_BYTES
        if call.defect("uploadpmrimage-limit-5-3mb"):
            limit = 5_290_000
        size = len(encoded) if call.defect("uploadpmrimage-counts-base64") else decoded_size
        if size > limit and not call.defect("uploadpmrimage-no-size-limit"):
            if call.defect("uploadpmrimage-wrong-code"):
                raise ApiFailure("999999", IMAGE_TOO_BIG[1])
            raise ApiFailure(*IMAGE_TOO_BIG)
    row = call.db.user_row(call.site, me.webex_id)
    if row is None:
        raise ApiFailure(*USER_NOT_FOUND)
    extra = _extra(row)
    extra.setdefault("pmrImages", {})[image_for] = decoded_size
    call.db.execute("UPDATE users SET extra=? WHERE site=? AND webex_id=?",
                    (json.dumps(extra, sort_keys=True), call.site.name, row["webex_id"]))
    return []


# Defects only the boundary tests catch: no case sends the input that shows them.
BOUNDARY_DEFECTS: list[Defect] = [
    Defect("lstsummaryuser-modified-range-whole-days",
           "39.11.0: the modified-date range is compared in whole days (90 days + 23 h accepted)",
           (), "39.11.0", boundary=("boundary/modified-date-range-90-days",)),
    Defect("lstsummaryuser-modified-range-off-by-one",
           "39.11.0: a modified-date range of exactly 90 days is refused (checked with >=)",
           (), "39.11.0", boundary=("boundary/modified-date-range-90-days",)),
    Defect("uploadpmrimage-limit-5-3mb",
           "SP22: UploadPMRImage's limit sits at 5,290,000 bytes, above either reading of 5 MB",
           (), "11.0.0 SP22", boundary=("boundary/pmr-image-5mb",)),
]
