"""What a meeting keeps beyond its core columns, and the order GetMeeting answers it in.

Real GetMeeting replies (real-traffic 037, 064) carry every option of every section,
set or not.  Each section below lists its elements in that order with the value a new
meeting has; CreateMeeting and SetMeeting store whatever the request gives for any of
them (JSON ``data["shape"]``), and GetMeeting answers the stored value, else the
default.  So what a Set changes is what the next Get returns, for every element here.
"""
from __future__ import annotations

from typing import Any

from lxml import etree

from ..call import Call

__all__ = ["SECTIONS", "BOOLEAN", "read_shape", "section_values"]

BOOLEAN = "b"   # a default of this marker's kind is a boolean: TRUE/1 are stored as "true"

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

# section -> ((element, default), ...); None: written by the handler itself (core columns)
SECTIONS: dict[str, tuple[tuple[str, Any], ...]] = {
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
                  ("intlLocalCallIn", False), ("isMPAudio", False)),
    "attendeeOptions": (("request", False), ("registration", False), ("auto", False), ("participantLimit", "0"),
                        ("excludePassword", False), ("joinRequiresAccount", False)),
}


def read_shape(call: Call, stored: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """``stored`` updated with every shape element the request carries (booleans normalised)."""
    out = {section: dict(values) for section, values in stored.items()}
    for section, items in SECTIONS.items():
        for name, default in items:
            if default is None:
                continue
            el = call.find(f"{section}/{name}")
            if el is None:
                continue
            text = (el.text or "").strip()
            if isinstance(default, bool):
                flag = call.flag(f"{section}/{name}")
                if flag is None:
                    continue
                text = "true" if flag else "false"
            out.setdefault(section, {})[name] = text
    return out


def section_values(stored: dict[str, dict[str, str]], section: str) -> list[tuple[str, str | None]]:
    """(element, text) in answer order; text None where the handler writes the core value."""
    values = stored.get(section, {})
    out = []
    for name, default in SECTIONS[section]:
        if default is None:
            out.append((name, None))
        elif name in values:
            out.append((name, values[name]))
        else:
            out.append((name, ("true" if default else "false") if isinstance(default, bool) else default))
    return out


def element(E: Any, name: str, text: str) -> etree._Element:
    return getattr(E, name)(text)
