"""The whole of a GetUser answer: every section a real reply carries, in its order.

Real GetUser replies (real-traffic 023, 041) answer about 40 elements: privileges,
meeting types, options, time zone, services, Personal Room...  Sections a client may
change with SetUser are stored (``extra["shape"]``, see ``shapes.py``) and answered as
set; the rest follow from the account (its role, its Personal Room) and the site.
"""
from __future__ import annotations

from typing import Any

from ..call import Call
from ..wire import xsd_bool
from .addresses import pmr_url
from .options import time_zone_name
from .shapes import Sections, section_values

__all__ = ["USER_SECTIONS", "full_user"]

_OPTIONS = ("firstNameVisible lastNameVisible addressVisible workPhoneVisible cellPhoneVisible pagerVisible faxVisible "
            "officeUrlVisible pictureVisible notifyOnNewMessage notifyOnMeeting followMeEnable emailVisible "
            "listInCategory titleVisible folderRead folderWrite messageVisible iconSelect1 iconSelect2 "
            "acceptLinkRequest holdOnLinkRequest notifyOnLinkRequest supportVideo supportApp supportFileShare "
            "supportDesktopShare supportMeetingRecord supportAppshareRemote supportWebTourRemote "
            "supportDesktopShareRemote subscriptionOffice workPhoneCallback cellPhoneCallback faxCallback "
            "pagerCallback").split()
_OFF = {"folderRead", "folderWrite", "messageVisible", "iconSelect1", "iconSelect2", "acceptLinkRequest",
        "workPhoneCallback", "cellPhoneCallback", "faxCallback", "pagerCallback"}

USER_SECTIONS: Sections = {
    "": (("categoryId", "36"), ("description", ""), ("company", ""), ("timeZoneID", "4"), ("language", "ENGLISH"),
         ("locale", "U.S."), ("languageID", "1"), ("service", "MEETING_CENTER")),
    "commOptions": tuple((n, False) for n in ("prodAnnounce", "trainingInfo", "electronicInfo", "promos", "press",
                                              "email", "fax", "phone", "mail")),
    "options": tuple((n, n not in _OFF) for n in _OPTIONS),
    "personalTeleconf": (("joinBeforeHost", False),),
    "sessionOptions": (("defaultSessionType", "3"), ("defaultServiceType", "MeetingCenter"),
                       ("autoDeleteAfterMeetingEnd", False), ("displayQuickStartHost", True),
                       ("displayQuickStartAttendees", False)),
    "security": (("forceChangePassword", False), ("resetPassword", False), ("lockAccount", False)),
    "webACDPrefs": (("isAgent", False), ("isMgr", False), ("numAgentSessions", "0"), ("agentMonitorAllRSQueues", False),
                    ("managerMonitorAllRSQueues", False), ("monitorAllRSAgents", False)),
}
_PRIVILEGES = ("host teleConfCallOut teleConfCallOutInternational teleConfCallIn teleConfTollFreeCallIn siteAdmin "
               "voiceOverIp roSiteAdmin labAdmin otherTelephony teleConfCallInInternational attendeeOnly "
               "recordingEditor meetingAssist allowExtAttendees HQvideo HDvideo isEnableCET isEnablePMR "
               "teleCLIAuthEnabled teleCLIPINEnabled").split()
_MY_WEBEX = ("isMyWebExPro myContact myProfile myMeetings myFolders trainingRecordings recordedEvents "
             "totalStorageSize myReports myComputer personalMeetingRoom myPartnerLinks myWorkspaces "
             "additionalRecordingStorage").split()


def _privileges(role: str) -> dict[str, bool]:
    hosts = role in ("host", "admin")
    on = {"host": hosts, "teleConfCallIn": hosts, "teleConfTollFreeCallIn": hosts, "siteAdmin": role == "admin",
          "voiceOverIp": hosts, "attendeeOnly": role == "attendee", "recordingEditor": hosts,
          "allowExtAttendees": hosts, "HQvideo": True, "HDvideo": True, "isEnableCET": hosts, "isEnablePMR": hosts}
    return {name: on.get(name, False) for name in _PRIVILEGES}


def full_user(call: Call, row: Any, extra: dict[str, Any], core: dict[str, list], meeting_types: list[str]) -> list:
    """The answer around ``core``'s elements: "names" (first, last, title), "webExId", "email" (email,
    displayName, displayMeetingUrl), "active", "registrationDate", "userId" (each a list, maybe empty)."""
    u = call.E("use")
    shape = extra.get("shape", {})
    top = dict(section_values(shape, "", USER_SECTIONS))

    def section(name: str) -> Any:
        return getattr(u, name)(*(getattr(u, n)(t) for n, t in section_values(shape, name, USER_SECTIONS)))

    hosts = row["role"] in ("host", "admin")
    privileges = _privileges(row["role"])
    my = {n: "0" if n in ("totalStorageSize", "myComputer", "additionalRecordingStorage") else
          xsd_bool(n in ("myProfile", "myMeetings", "myContact") or (n == "personalMeetingRoom" and hosts))
          for n in _MY_WEBEX}
    zone = int(top["timeZoneID"]) if top["timeZoneID"].isdigit() else 4
    out = [*core["names"], u.categoryId(top["categoryId"]), u.description(top["description"]),
           u.company(top["company"]), *core["webExId"]]
    out += [u.address(u.addressType("PERSONAL"), u.country("1")),
            u.phones(u.phone(""), u.mobilePhone(""), u.fax(""), u.pager(""), u.PIN("")),
            *core["email"], u.password("******"), u.personalUrl(row["webex_id"]), u.expirationDate("none"), section("commOptions"),
            u.meetingTypes(*(u.meetingType(t) for t in meeting_types)), section("options"),
            u.timeZoneID(str(zone)), u.timeZone(time_zone_name(zone)),
            u.timeZoneWithDST(time_zone_name(zone)), u.tracking(), u.service(top["service"]),
            u.privilege(*(getattr(u, n)(xsd_bool(v)) for n, v in privileges.items())),
            u.language(top["language"]), u.locale(top["locale"]), u.schedulingPermission(""), *core["active"],
            u.defaultCallIn(),
            u.supportedServices(u.meetingCenter("true"), u.trainingCenter(xsd_bool(hosts)),
                                u.supportCenter(xsd_bool(hosts)), u.eventCenter(xsd_bool(hosts)),
                                u.salesCenter("false")),
            u.myWebEx(*(getattr(u, n)(v) for n, v in my.items())), section("personalTeleconf"), u.videoSystems()]
    if hosts:
        site = call.site.name
        out.append(u.personalMeetingRoom(
            u.title(f"{row['first_name']} {row['last_name']}'s Personal Room".strip()),
            u.personalMeetingRoomURL(pmr_url(site, row["webex_id"])),
            u.sipURL(f"{row['webex_id']}@{site}.webex.com"), u.accessCode(str(extra.get("userId", 0) % 10 ** 9)),
            u.hostPIN(f"{extra.get('userId', 0) % 10000:04d}"), u.applyPMRForInstantMeeting("false"),
            u.PMRAutoLock("false"), u.PMRAutoLockWaitTime("10"), u.PRNotifications(u.mode("EMAIL"))))
    out += [section("sessionOptions"), u.supportCenter(u.serviceDesk(u.enable("false"))),
            u.mpProfileNumber(str(extra.get("userId", 0) % 1000000)), section("security"),
            u.languageID(top["languageID"]), section("webACDPrefs"), *core["registrationDate"], u.visitCount("0"),
            *core["userId"], u.eventCenter(u.optimizeAttendeeBandwidthUsage(xsd_bool(hosts))),
            u.passwordExpires("false"), u.passwordDaysLeft("0")]
    return out
