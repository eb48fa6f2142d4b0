"""The documented input limits several APIs share: confName (SP11) and description (39.3.0/39.8.0).

Seeded defects stay with the module that owns them: a caller passes its defect names in.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..call import Call
from ..failures import ApiFailure

__all__ = ["CONF_NAME_MAX", "CONF_NAME_REASON", "DESCRIPTION_REASON", "ConfNameDefects", "DescriptionDefects",
           "check_conf_name", "description_limit", "check_description"]

CONF_NAME_MAX = 128
CONF_NAME_REASON = ("Illegal input conference name. The conference name can't be empty or exceed the "
                    "maximum display character length 128.")
DESCRIPTION_REASON = ("Illegal input description. The description can't exceed the maximum display "
                      "characters's length {limit}.")


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
