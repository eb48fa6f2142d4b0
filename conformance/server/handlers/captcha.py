"""39.10.0: anonymous GetSessionInfo and GetUserCard answer with a CAPTCHA after failed lookups.

Both of the notes' examples ("Response Without CAPTCHA", "Response With CAPTCHA") are
failures of a lookup ("Corresponding Meeting not found"), and they continue "if you
receive a CAPTCHA response and continue calling the API, include the CAPTCHAID and
CAPTCHAWord".  So a valid anonymous lookup is answered as before; an anonymous caller
who keeps looking up what does not exist gets a CAPTCHA ID with the failure and must
then send the CAPTCHA (our reading; the notes give no count: CAPTCHA_AFTER failures).
"""
from __future__ import annotations

from typing import Callable, TypeVar

from ..call import Call
from ..defects import Defect
from ..failures import ApiFailure

__all__ = ["DEFECTS", "CAPTCHA_AFTER", "guard_anonymous_lookup"]

T = TypeVar("T")
CAPTCHA_AFTER = 3   # the failed anonymous lookups of one subject after which a CAPTCHA is asked for
INVALID = "CAPTCHA ID and word are invalid or missing"

DEFECTS: list[Defect] = [
    Defect("captcha-not-enforced",
           "anonymous GetSessionInfo/GetUserCard are answered without a valid CAPTCHA (39.10.0)",
           ("getsessioninfo-anonymous-captcha", "getusercard-anonymous-captcha",
            "getusercard-anonymous-with-captcha")),
    Defect("captcha-before-lookup",
           "anonymous GetSessionInfo/GetUserCard refuse every call without a CAPTCHA, a valid lookup "
           "or an unknown meeting alike (39.10.0)",
           ("getsessioninfo-anonymous-captcha", "getusercard-anonymous-captcha"), "39.10.0"),
]


def _captcha_id(call: Call) -> str | None:
    first = call.db.one("SELECT captcha_id FROM captchas ORDER BY captcha_id LIMIT 1")
    return first["captcha_id"] if first else None


def guard_anonymous_lookup(call: Call, subject: str, lookup: Callable[[], T], skip_defect: str = "") -> T:
    """``lookup()``, with 39.10.0's CAPTCHA protection for an anonymous caller.

    A CAPTCHA pair that is sent must be valid (else the notes' "invalid or missing"
    answer).  Without one, a lookup is answered as before until the same subject has
    failed CAPTCHA_AFTER times: that failure carries a CAPTCHA ID in ``serv:value`` (the
    "Response With CAPTCHA"), and later calls without the CAPTCHA are refused.
    """
    if call.account is not None or not call.since("39.10.0") or call.defect("captcha-not-enforced") \
            or call.defect(skip_defect):
        return lookup()
    failures = call.db.anonymous_failures
    key = f"{call.site.name.lower()}:{subject.strip().lower()}"
    cid, word = call.text("CAPTCHAID"), call.text("CAPTCHAWord")
    if cid or word or call.defect("captcha-before-lookup"):
        row = call.db.one("SELECT word FROM captchas WHERE captcha_id=?", (cid or "",))
        if row is None or not word or row["word"] != word:
            raise ApiFailure("999999", INVALID, _captcha_id(call))
        failures.pop(key, None)
        return lookup()
    if failures.get(key, 0) >= CAPTCHA_AFTER:
        raise ApiFailure("999999", INVALID, _captcha_id(call))
    try:
        return lookup()
    except ApiFailure as f:
        failures[key] = failures.get(key, 0) + 1
        if failures[key] >= CAPTCHA_AFTER:
            raise ApiFailure(f.exception_id, f.reason, _captcha_id(call)) from None
        raise
