"""Sections of elements a stored object answers in full, in the order real replies give them.

Real GetMeeting replies (real-traffic 037, 064) carry every option of every section,
set or not.  Each section below lists its elements in that order with the value a new
meeting has; CreateMeeting and SetMeeting store whatever the request gives for any of
them (JSON ``data["shape"]``), and GetMeeting answers the stored value, else the
default.  So what a Set changes is what the next Get returns, for every element here.
"""
from __future__ import annotations

from typing import Any

from ..call import Call

__all__ = ["MEETING_SECTIONS", "Sections", "read_shape", "section_values"]

# section -> ((element, default), ...): a bool default makes the element a boolean
# (TRUE/1 stored as "true"); None: the handler writes the value (core columns)
Sections = dict[str, tuple[tuple[str, Any], ...]]

_ENABLE = ("chat poll audioVideo attendeeList fileShare presentation applicationShare desktopShare webTour "
           "meetingRecord annotation importDocument saveDocument printDocument pointer switchPage fullScreen "
           "thumbnail zoom copyPage rcAppShare rcDesktopShare rcWebTour javaClient nativeClient "
           "attendeeRecordMeeting voip faxIntoMeeting enableReg supportQandA supportFeedback "
           "supportBreakoutSessions supportPanelists supportRemoteComputer supportShareWebContent "
           "supportUCFWebPages supportUCFRichMedia autoDeleteAfterMeetingEnd viewAnyDoc viewAnyPage "
           "allowContactPrivate chatHost chatPresenter chatAllAttendees multiVideo notes closedCaptions "
           "singleNote sendFeedback displayQuickStartHost displayQuickStartAttendees supportE2E supportPKI").split()
_ON_BY_DEFAULT = {"chat", "poll", "audioVideo", "attendeeList", "fileShare", "presentation", "applicationShare",
                  "desktopShare", "webTour", "annotation", "importDocument", "saveDocument", "printDocument",
                  "pointer", "switchPage", "fullScreen", "thumbnail", "zoom", "copyPage", "javaClient",
                  "nativeClient", "voip", "chatHost", "chatPresenter", "chatAllAttendees", "notes",
                  "displayQuickStartHost"}

MEETING_SECTIONS: Sections = {
    "accessControl": (("listToPublic", False), ("isPublic", False), ("meetingPassword", None)),
    "metaData": (("confName", None), ("meetingType", None), ("agenda", None), ("invitation", ""),
                 ("isInternal", False)),
    "participants": (("maxUserNumber", "4"),),
    "enableOptions": tuple((name, name in _ON_BY_DEFAULT) for name in _ENABLE),
    "schedule": (("startDate", None), ("timeZoneID", None), ("timeZone", None), ("duration", None),
                 ("openTime", "0"), ("hostWebExID", None), ("showFileStartMode", False),
                 ("showFileContPlayFlag", False), ("showFileInterVal", "0"), ("entryExitTone", "BEEP"),
                 ("extNotifyTime", "0"), ("joinTeleconfBeforeHost", False), ("firstAttendeeAsPresenter", False)),
    "telephony": (("telephonySupport", None), ("numPhoneLines", "0"), ("enableTSP", False),
                  ("intlLocalCallIn", False), ("callInNum", None), ("isMPAudio", False)),
    "attendeeOptions": (("request", False), ("registration", False), ("auto", False), ("participantLimit", "0"),
                        ("excludePassword", False), ("joinRequiresAccount", False)),
}


def read_shape(call: Call, stored: dict[str, dict[str, str]], sections: Sections = MEETING_SECTIONS) -> dict[str, dict[str, str]]:
    """``stored`` updated with every shape element the request carries (booleans normalised).

    A section named "" holds elements directly in bodyContent.
    """
    out = {section: dict(values) for section, values in stored.items()}
    for section, items in sections.items():
        for name, default in items:
            if default is None:
                continue
            path = f"{section}/{name}" if section else name
            el = call.find(path)
            if el is None:
                continue
            text = (el.text or "").strip()
            if isinstance(default, bool):
                flag = call.flag(path)
                if flag is None:
                    continue
                text = "true" if flag else "false"
            out.setdefault(section, {})[name] = text
    return out


def section_values(stored: dict[str, dict[str, str]], section: str,
                   sections: Sections = MEETING_SECTIONS) -> list[tuple[str, str | None]]:
    """(element, text) in answer order; text None where the handler writes the core value."""
    values = stored.get(section, {})
    out = []
    for name, default in sections[section]:
        if default is None:
            out.append((name, None))
        elif name in values:
            out.append((name, values[name]))
        else:
            out.append((name, ("true" if default else "false") if isinstance(default, bool) else default))
    return out
