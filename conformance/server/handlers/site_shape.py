"""The whole of a GetSite answer: every section a real reply carries, in its order.

A real GetSite reply (real-traffic 022) answers some 460 elements: site metadata, client
platforms, telephony servers, tools, navigation bars, password criteria...  ``SECTIONS``
lists them in that order with the value the seeded site has (our own values, never the
real reply's).  A leaf's default says its type: a bool is an xsd:boolean, an int an
integer, a str a string; ``None`` is a value of the site itself (its name, time zone,
services, meeting types), written by ``CORE``.  Elements of the ``serv:`` namespace (the
teleconference servers' numbers) sit under the containers of ``SERV_CONTAINERS``.

SetSite stores any leaf of these sections that the request gives (a site fact,
``settings``, keyed by its path), and the next GetSite answers it: what a Set changes is
what the next Get returns.  Repeated elements (meeting types, dial-in numbers, buttons,
disallowed words) and the site's own values are not settable (our choice).
"""
from __future__ import annotations

from typing import Any, Callable

from lxml import etree

from ..call import Call
from ..failures import ApiFailure
from ..wire import xsd_bool

__all__ = ["SECTIONS", "SERV_CONTAINERS", "Node", "leaf_paths", "read_settings", "build_section"]

# (name, default) for a leaf, (name, (children...)) for a container
Node = tuple[str, Any]

_SERVER = (("enableServer", False), ("tollLabel", "Toll"), ("tollFreeLabel", "Toll free"))
_CRITERIA = (("mixedCase", False), ("minLength", 8), ("minAlpha", 1), ("minNumeric", 1), ("minSpecial", 0),
             ("disallowWebTextSessions", True))
_SERVICE = (("enabled", True), ("pageVersion", None), ("clientVersion", None))


def _flags(names: str, on: str = "") -> tuple[Node, ...]:
    turned_on = set(on.split())
    return tuple((n, n in turned_on) for n in names.split())


SECTIONS: tuple[Node, ...] = (
    ("metaData", (("isEnterprise", True), ("serviceType", None), ("meetingTypes", None), ("siteName", None),
                  ("brandName", None), ("region", "North America"), ("currency", "USD"), ("timeZoneID", None),
                  ("timeZone", None), ("webDomain", None), ("meetingDomain", None), ("telephonyDomain", None),
                  ("pageVersion", None), ("clientVersion", None), ("pageLanguage", "ENGLISH"),
                  ("activateStatus", True), ("webPageType", "Standard"), ("iCalendar", True),
                  ("myWebExDefaultPage", "My Webex"), ("componentVersion", None),
                  ("displayMeetingActualTime", False), ("displayOffset", True), ("supportWebEx11", False))),
    ("ucf", (("ucfConfiguration", "Default"),)),
    ("clientPlatforms", _flags("msWindows macOS9 macOSX sunSolaris linux hpUnix java palm", "msWindows macOSX linux java")),
    ("resourceRestrictions", (("isLicenseManager", False), ("concurrentLicense", 0), ("fileFolderCapacity", 1000),
                              ("maxConcurrentEvents", 0), ("archiveStorageLimit", 0))),
    ("supportAPI", _flags("autoLogin aspAndPHPAPI backwardAPI xmlAPI cAPI scorm", "autoLogin xmlAPI")),
    ("myWebExConfig", _flags("myContacts myProfile myMeetings trainingRecordings folders eventDocument myReport "
                             "myComputer personalMeetingPage", "myContacts myProfile myMeetings "
                             "trainingRecordings folders eventDocument myReport personalMeetingPage")
     + (("myFilesStorage", 2000), ("myComputerNumbers", 0), ("enableMyWebExPro", True), ("myWebExProMaxHosts", 100),
        ("restrictAccessAnyApps", False), ("restrictAccessAnyAppsNum", 0), ("addlAccessAnyComputersLimit", "none"),
        ("addlAccessAnyComputers", 0), ("addlStorageLimit", "none"), ("addlStorage", 0))
     + _flags("myContactsPro myProfilePro myMeetingsPro trainingRecordingsPro foldersPro eventDocumentPro "
              "myReportPro myComputerPro personalMeetingPagePro",
              "myContactsPro myProfilePro myMeetingsPro personalMeetingPagePro")
     + (("myFilesStoragePro", 2000), ("myComputerNumbersPro", 0), ("PMRheaderBranding", False))),
    ("telephonyConfig", (
        ("isTSPUsingTelephonyAPI", False), ("serviceName", "Reference Audio"),
        ("participantAccessCodeLabel", "Attendee code"), ("subscriberAccessCodeLabel", "Host code"),
        ("attendeeIDLabel", "Participant ID"), ("internetPhone", True), ("supportCallInTypeTeleconf", True),
        ("callInTeleconferencing", True), ("tollFreeCallinTeleconferencing", True),
        ("intlCallInTeleconferencing", False), ("callBackTeleconferencing", False), ("callInNumber", 4),
        ("defaultTeleServerSubject", "Teleconference"), ("subscribeName", "refsite"), ("subscribePassword", "******"),
        ("defaultPhoneLines", 10), ("defaultSpeakingLines", 10), ("majorCountryCode", 1), ("majorAreaCode", 555),
        ("publicName", "Reference Audio"), ("hybridTeleconference", False), ("instantHelp", False),
        ("customerManage", False), ("maxCallersNumber", 500), ("isSpecified", False), ("isContinue", False),
        ("intlCallBackTeleconferencing", False),
        ("personalTeleconf", (
            ("primaryLargeServer", (("tollNum", None), ("tollFreeNum", None), ("intlLocalNum", None),
                                    ("globalNum", None)) + _SERVER),
            ("backup1LargeServer", (("intlLocalNum", ""),) + _SERVER),
            ("backup2LargeServer", _SERVER), ("primarySmallServer", _SERVER),
            ("backup1SmallServer", _SERVER), ("backup2SmallServer", _SERVER),
            ("joinBeforeHost", False))),
        ("multiMediaPlatform", False), ("multiMediaHostName", ""), ("broadcastAudioStream", False),
        ("tspAdaptorSettings", (
            ("primaryLarge", (("enableAdaptor", False), ("serverIP", ""), ("mpAudio", None),
                              ("globalCallInNumURL", ""))),
            ("backup1Large", (("enableAdaptor", False), ("serverIP", ""), ("mpAudio", None))),
            ("backup2Large", (("enableAdaptor", False), ("serverIP", ""), ("mpAudio", None))))),
        ("meetingPlace", (("persistentTSP", False), ("mpAudioConferencing", "NotConfigured"))),
        ("supportOtherTypeTeleconf", False), ("otherTeleServiceName", "Other teleconference"),
        ("supportAdapterlessTSP", False), ("displayAttendeeID", False), ("provisionTeleAccount", False),
        ("choosePCN", False), ("audioOnly", False), ("configTollAndTollFreeNum", False),
        ("configPrimaryTS", False), ("teleCLIAuthEnabled", False), ("teleCLIPINEnabled", False))),
    ("commerceAndReporting", (("trackingCode", False), ("siteAdminReport", True), ("subScriptionService", False),
                              ("isECommmerce", False), ("customereCommerce", False), ("isLocalTax", False),
                              ("localTaxName", "Sales tax"), ("localTaxtRate", "0.00"), ("holReport", 0))),
    ("tools", _flags("businessDirectory officeCalendar meetingCalendar displayOnCallAssistLink displayProfileLink "
                     "recordingAndPlayback recordingEditor publishRecordings instantMeeting emails "
                     "outlookIntegration wirelessAccess allowPublicAccess ssl handsOnLab",
                     "meetingCalendar displayProfileLink recordingAndPlayback recordingEditor publishRecordings "
                     "instantMeeting emails outlookIntegration allowPublicAccess ssl")
     + (("holMaxLabs", 0), ("holMaxComputers", 0))
     + _flags("userLockDown meetingAssist sms") + (("encryption", "AES"),)
     + _flags("internalMeeting enableTP enableTPplus")),
    ("custCommunications", (("displayType", _flags("prodSvcAnnounce trainingInfo eNewsletters promotionsOffers "
                                                   "pressReleases")),
                            ("displayMethod", _flags("email fax phone mail", "email")))),
    ("trackingCodes", ()),
    ("supportedServices", (("meetingCenter", _SERVICE), ("trainingCenter", _SERVICE),
                           ("supportCenter", _SERVICE + (("webACD", False),)),
                           ("eventCenter", _SERVICE + (("marketingAddOn", False),
                                                       ("optimizeAttendeeBandwidthUsage", False))),
                           ("salesCenter", _SERVICE))),
    ("securityOptions", None),   # stored apart (SetSite's securityOptions, see site.py)
    ("defaults", (("emailReminders", True), ("entryExitTone", "Beep"), ("voip", True),
                  ("teleconference", (("telephonySupport", "CALLIN"), ("tollFree", True), ("intlLocalCallIn", False))),
                  ("joinTeleconfNotPress1", False), ("updateTSPAccount", False))),
    ("scheduleMeetingOptions", (("scheduleOnBehalf", True), ("saveSessionTemplate", True))),
    ("navBarTop", (("button", None), ("displayDisabledService", False))),
    ("navMyWebEx", (("partnerIntegration", True), ("support", ""), ("training", ""))),
    ("navAllServices", (("support", (("name", "Support Center"),)), ("training", (("name", "Training Center"),)),
                        ("supportMenu", (("supportMyResources", True),)))),
    ("passwordCriteria", _CRITERIA + (("disallowWebTextAccounts", True), ("disallowList", True),
                                      ("disallowValue", None))),
    ("recordingPasswordCriteria", _CRITERIA + (("disallowList", True), ("disallowValue", None))),
    ("accountPasswordCriteria", (("mixedCase", True), ("minLength", 8), ("minNumeric", 1), ("minAlpha", 1),
                                 ("minSpecial", 0), ("disallow3XRepeatedChar", True),
                                 ("disallowWebTextAccounts", True), ("disallowList", True),
                                 ("disallowValue", None))),
    ("productivityTools", (
        ("enable", True), ("installOpts", (("autoUpdate", True),)),
        ("integrations", _flags("outlook outlookForMac lotusNotes oneClick showSysTrayIcon office excel powerPoint "
                                "word IE firefox explorerRightClick instantMessenger aolMessenger googleTalk "
                                "lotusSametime skype windowsMessenger yahooMessenger ciscoIPPhone pcNow iGoogle "
                                "iPhoneDusting", "outlook outlookForMac oneClick showSysTrayIcon")),
        ("oneClick", (("allowJoinUnlistMeeting", True), ("requireApproveJoin", False))),
        ("templates", (("useTemplate", False),)), ("lockDownPT", (("lockDown", False),)),
        ("imSettings", (("attendeeInviteOther", True),)))),
    ("meetingPlace", ()),
    ("salesCenter", (("allowJoinWithoutLogin", False),)),
    ("connectIntegration", (("integratedWebEx11", False),)),
    ("video", (("HQvideo", True), ("maxBandwidth", "LOW"), ("HDvideo", True))),
    ("siteCommonOptions", None),   # site.py: EnableCloudTelepresence (SP18) among its flags
    ("samlSSO", (("enableSSO", False), ("autoAccountCreation", False))),
)

# containers whose children are of the service namespace (serv:), as in real replies
SERV_CONTAINERS = frozenset({"primaryLargeServer", "backup1LargeServer", "backup2LargeServer",
                             "primarySmallServer", "backup1SmallServer", "backup2SmallServer"})


def leaf_paths(nodes: tuple[Node, ...], prefix: str = "") -> list[tuple[str, Any]]:
    """(path, default) of every settable leaf under ``nodes`` (site values and repeats excluded)."""
    out: list[tuple[str, Any]] = []
    for name, spec in nodes:
        path = f"{prefix}{name}"
        if isinstance(spec, tuple):
            out += leaf_paths(spec, path + "/")
        elif spec is not None:
            out.append((path, spec))
    return out


def read_settings(call: Call, holder: etree._Element) -> dict[str, str]:
    """The leaves of ``SECTIONS`` that a SetSite request gives under ``holder`` (siteInstance)."""
    changes: dict[str, str] = {}
    for section, spec in SECTIONS:
        if not isinstance(spec, tuple) or call.find(section, holder) is None:
            continue
        for path, default in leaf_paths(spec, f"{section}/"):
            if isinstance(default, bool):
                flag = call.flag(path, None, holder)
                if flag is not None:
                    changes[path] = xsd_bool(flag)
            else:
                text = call.text(path, None, holder)
                if text is not None and isinstance(default, int) and not text.lstrip("-").isdigit():
                    raise ApiFailure("999999", f"{path.rpartition('/')[2]} must be an integer, not {text[:40]!r}")
                if text is not None:
                    changes[path] = text
    return changes


Core = Callable[[str, Any], list]   # (path, element maker) -> elements for a site value


def build_section(call: Call, section: str, settings: dict[str, str], core: Core) -> etree._Element:
    """One top-level section of siteInstance, every element in the real reply's order."""
    spec = dict(SECTIONS)[section]
    return _build(call, section, spec, section, settings, core, "ns1")


def _build(call: Call, name: str, spec: Any, path: str, settings: dict[str, str], core: Core,
           prefix: str) -> etree._Element:
    maker = call.E(prefix)
    el = getattr(maker, name)()
    child_prefix = "serv" if name in SERV_CONTAINERS else prefix
    child_maker = call.E(child_prefix)
    for child, child_spec in spec:
        here = f"{path}/{child}"
        if isinstance(child_spec, tuple):
            el.append(_build(call, child, child_spec, here, settings, core, child_prefix))
        elif child_spec is None:
            el.extend(core(here, child_maker))
        else:
            value = settings.get(here, child_spec)
            text = xsd_bool(value) if isinstance(value, bool) else str(value)
            el.append(getattr(child_maker, child)(text))
    return el
