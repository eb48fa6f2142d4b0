"""39.10.0: anonymous GetSessionInfo and GetUserCard need a CAPTCHA (the ``captchas`` table)."""
from __future__ import annotations

from ..call import Call
from ..defects import Defect
from ..failures import ApiFailure

__all__ = ["DEFECTS", "check_captcha"]

DEFECTS: list[Defect] = [
    Defect("captcha-not-enforced",
           "anonymous GetSessionInfo/GetUserCard are answered without a valid CAPTCHA (39.10.0)",
           ("getsessioninfo-anonymous-captcha", "getusercard-anonymous-captcha",
            "getusercard-anonymous-with-captcha")),
]


def check_captcha(call: Call, skip_defect: str = "") -> None:
    """39.10.0: anonymous GetSessionInfo/GetUserCard must carry a valid CAPTCHAID/CAPTCHAWord.

    A missing or wrong pair is answered with the documented reason; ``serv:value``
    carries a CAPTCHA ID to answer next (our choice: the notes do not show where).
    """
    if call.account is not None or not call.since("39.10.0") or call.defect("captcha-not-enforced") \
            or call.defect(skip_defect):
        return
    cid, word = call.text("CAPTCHAID"), call.text("CAPTCHAWord")
    row = call.db.one("SELECT word FROM captchas WHERE captcha_id=?", (cid or "",))
    if row is None or not word or row["word"] != word:
        first = call.db.one("SELECT captcha_id FROM captchas ORDER BY captcha_id LIMIT 1")
        raise ApiFailure("999999", "CAPTCHA ID and word are invalid or missing",
                         first["captcha_id"] if first else None)
