"""The site service: GetSite, SetSite, and the feature-toggle APIs GetSiteFT/SetSiteFT.

A site's configurable facts (video mesh clusters, profile options, feature toggles...)
are the JSON ``facts`` of its row in the core ``sites`` table, over ``DEFAULT_FACTS``.

Documented changes carried here (GetSite unless named):

- SP13: the deprecated ``siteID``(+``partnerID``) in securityContext still identifies the site
  (site resolution itself is the core's; a defect here refuses it for GetSite).
- SP17: ``CISiteLicenseInfo`` carries ``attendeeCapacityForMC/EC/TC/SC``.
- SP18: ``siteCommonOptions/EnableCloudTelepresence``.
- 39.1.0: ``metaData/uploadLogFileUrl``.
- 39.5.0: ``videoMeshInterclusters`` (``videoMeshHomeCluster1..3``), set by SetSite
  (an empty cluster element clears that cluster: our choice).
- 39.8.0: license counts in ``metaData``; GetSiteFT/SetSiteFT "redesigned to allow dynamic
  feature toggles" (so both existed before; see the section above ``get_site_ft``).
- 42.2.0: ``myWebExConfig`` gains ``allowChangeFirstName``, ``allowChangeLastName``,
  ``allowChangeDisplayName`` and ``AllowUploadPRAvatar``, on non-Control Hub sites only.

Where the notes do not say which parent an element has, we chose one (see the schema
site.xsd); the cases look for these elements anywhere under ``siteInstance``.  Every other
section of a real GetSite reply is answered too, in its order (``site_shape.py``), and
SetSite stores what a request gives for any of its single elements.

Two seeded feature toggles gate what GetSite shows (on unless SetSiteFT sets them to
anything but "true"): ``EnableCustomizeProfileFields``, which the 42.2.0 notes name as the
toggle of allowChange*/AllowUploadPRAvatar, and ``EnableCETForAllUsers``, the toggle of
SP18's EnableCloudTelepresence.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from lxml import etree

from ...namespaces import NS
from ..defects import Defect
from ..call import Call
from ..failures import ACCESS_DENIED, ApiFailure
from ..routes import handler
from ..wire import xsd_bool
from .site_shape import SECTIONS, build_section, read_settings

__all__ = ["DEFECTS", "TABLES", "DEFAULT_FACTS", "site_facts", "license_counts",
           "get_site", "set_site", "get_site_ft", "set_site_ft"]

TABLES = ""  # site facts live in the core ``sites`` table

DEFAULT_FACTS: dict[str, Any] = {
    "timeZoneID": 4,
    "timeZone": "GMT-08:00, Pacific (San Jose)",
    "serviceTypes": ["Meeting Center", "Event Center", "Training Center", "Support Center"],
    "enableCloudTelepresence": True,
    "attendeeCapacity": {"MC": 1000, "EC": 3000, "TC": 1000, "SC": 100},
    "allowChangeFirstName": True,
    "allowChangeLastName": True,
    "allowChangeDisplayName": False,
    "allowUploadPRAvatar": True,
    "videoMeshInterclusters": {},
    "settings": {},   # SetSite's changes to the sections of site_shape.SECTIONS, by path
    "featureToggles": {"EnableCustomizeProfileFields": "true", "EnableCETForAllUsers": "true"},
    # securityOptions, in the order real GetSite replies give them (real-traffic 022); SetSite changes them
    "securityOptions": {
        "passwordExpires": "false", "passwordLifetime": "90", "allMeetingsUnlisted": "false",
        "allMeetingsPassword": "true", "joinBeforeHost": "false", "audioBeforeHost": "false",
        "changePersonalURL": "true", "changeUserName": "false", "meetings/strictPasswords": "true",
        "strictUserPassword": "false", "accountNotify": "false", "requireLoginBeforeSiteAccess": "false",
        "changePWDWhenAutoLogin": "false", "enforceBaseline": "false", "passwordChangeIntervalOpt": "false",
        "passwordChangeInterval": "24", "firstAttendeeAsPresenter": "false", "isEnableUUIDLink": "true",
        "isEnableUUIDLinkForSAC": "false", "enforceRecordingPwdForMC": "false", "enforceRecordingPwdForEC": "false",
        "enforceRecordingPwdForTC": "false", "enforceRecordingPwdForMisc": "false",
    },
}
SECURITY_DEFAULTS = tuple(DEFAULT_FACTS["securityOptions"])
PROFILE_FIELDS_TOGGLE = "EnableCustomizeProfileFields"   # 42.2.0: allowChange*, AllowUploadPRAvatar
CET_TOGGLE = "EnableCETForAllUsers"                      # SP18: EnableCloudTelepresence

# supportedServices/navBarTop service -> the serviceType a site offering it names
SERVICE_LABELS = {"meetingCenter": "Meeting Center", "trainingCenter": "Training Center",
                  "supportCenter": "Support Center", "eventCenter": "Event Center", "salesCenter": "Sales Center"}

# siteCommonOptions around SP18's EnableCloudTelepresence, in the real reply's order
COMMON_OPTIONS = (("SupportCustomDialRestriction", False), ("SupportTelePresence", False),
                  ("SupportTelePresencePlus", False), ("enablePersonalMeetingRoom", True))

CLUSTERS = ("videoMeshHomeCluster1", "videoMeshHomeCluster2", "videoMeshHomeCluster3")
CLUSTER_MAX = 256
TOGGLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
TOGGLE_VALUE_MAX = 256

# Every case that validates a GetSite answer: an element sent too early fails them all.
_GETSITE_CASES = ("getsite-enablecloudtelepresence", "getsite-attendee-capacity", "getsite-uploadlogfileurl",
                  "getsite-license-counts", "setsite-videomeshinterclusters", "getsite-allowchange-profile-fields",
                  "getsite-allowchange-control-hub", "securitycontext-siteid-still-accepted")

DEFECTS: list[Defect] = [
    Defect("setsite-securityoptions-not-stored",
           "SetSite answers SUCCESS for securityOptions but GetSite still returns the old values",
           (), tests=("setsite_securityoptions",)),
    Defect("setsite-settings-not-stored",
           "SetSite answers SUCCESS for site settings (tools, video...) but GetSite still returns the old values",
           (), tests=("setsite_settings",)),
    Defect("getsite-siteid-rejected",
           "SP13: GetSite refuses a request that carries the deprecated siteID/partnerID",
           ("securitycontext-siteid-still-accepted",), "11.0.0 SP13"),
    Defect("getsite-attendee-capacity-missing",
           "SP17: GetSite's CISiteLicenseInfo lacks the attendeeCapacityFor* elements",
           ("getsite-attendee-capacity",), "11.0.0 SP17"),
    Defect("getsite-cloudtelepresence-missing",
           "SP18: GetSite does not return EnableCloudTelepresence",
           ("getsite-enablecloudtelepresence",), "11.0.0 SP18"),
    Defect("getsite-cloudtelepresence-too-early",
           "SP18: GetSite returns EnableCloudTelepresence before SP18 too",
           _GETSITE_CASES, "11.0.0 SP17"),
    Defect("getsite-uploadlogfileurl-missing",
           "39.1.0: GetSite's metaData lacks uploadLogFileUrl",
           ("getsite-uploadlogfileurl",), "39.1.0"),
    Defect("setsite-videomesh-not-stored",
           "39.5.0: SetSite accepts videoMeshInterclusters but GetSite returns the old clusters",
           ("setsite-videomeshinterclusters",), "39.5.0"),
    Defect("getsite-license-counts-missing",
           "39.8.0: GetSite does not return the license counts (EEActiveUserCount, ...)",
           ("getsite-license-counts",), "39.8.0"),
    Defect("siteft-access-token-refused",
           "39.8.0: GetSiteFT/SetSiteFT refuse a machine account's access token (000001)",
           ("siteft-dynamic-toggle",), "39.8.0"),
    Defect("setsiteft-not-stored",
           "39.8.0: SetSiteFT answers SUCCESS but the next GetSiteFT does not show the toggle it set",
           ("siteft-dynamic-toggle",), "39.8.0"),
    Defect("getsite-allowchange-missing",
           "42.2.0: GetSite's myWebExConfig lacks allowChange*/AllowUploadPRAvatar",
           ("getsite-allowchange-profile-fields",), "42.2.0"),
    Defect("getsite-allowchange-on-control-hub",
           "42.2.0: GetSite returns allowChange*/AllowUploadPRAvatar on a Control Hub managed site",
           ("getsite-allowchange-control-hub",), "42.2.0"),
]


def site_facts(call: Call) -> dict[str, Any]:
    """The site's facts over the defaults (stored facts win, nested dicts merged)."""
    facts = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULT_FACTS.items()}
    for key, value in call.db.site_facts(call.site).items():
        if isinstance(value, dict) and isinstance(facts.get(key), dict):
            facts[key].update(value)
        else:
            facts[key] = value
    return facts


def license_counts(call: Call) -> dict[str, int]:
    """39.8.0 counts: active hosts per service, from the site's accounts."""
    row = call.db.one("SELECT count(*) AS n FROM users WHERE site=? AND active=1 AND role IN ('host','admin')",
                      (call.site.name,))
    hosts = int(row["n"]) if row else 0
    cet = call.db.one("SELECT count(*) AS n FROM users WHERE site=? AND active=1 AND role='host'",
                      (call.site.name,))
    return {"EEActiveUserCount": hosts, "activeCETHost": int(cet["n"]) if cet else 0,
            "MCActiveUserCount": hosts, "ECActiveUserCount": hosts,
            "TCActiveUserCount": hosts, "SCActiveUserCount": hosts}


def _toggle_on(facts: dict[str, Any], name: str) -> bool:
    return str(facts["featureToggles"].get(name, "true")).strip().lower() == "true"


def _site_values(call: Call, facts: dict[str, Any]) -> Callable[[str, Any], list]:
    """The writer of the site's own values in ``SECTIONS`` (name, time zone, services, types...)."""
    site = call.site.name
    build = f"refserver {call.version}"
    texts = {"metaData/siteName": site, "metaData/brandName": site, "metaData/timeZoneID": str(facts["timeZoneID"]),
             "metaData/timeZone": facts["timeZone"], "metaData/webDomain": f"{site}.webex.com",
             "metaData/meetingDomain": f"{site}.webex.com", "metaData/telephonyDomain": f"{site}.webex.com",
             "metaData/pageVersion": build, "metaData/clientVersion": build, "metaData/componentVersion": build}

    def write(path: str, maker: Any) -> list:
        name = path.rpartition("/")[2]
        if path in texts:
            return [getattr(maker, name)(texts[path])]
        if path == "metaData/serviceType":
            return [maker.serviceType(service) for service in facts["serviceTypes"]]
        if path == "metaData/meetingTypes":
            rows = call.db.query("SELECT type_id, name FROM meeting_types WHERE site=? ORDER BY type_id", (site,))
            return [maker.meetingTypes(maker.meetingTypeID(str(r["type_id"])), maker.meetingTypeName(r["name"]),
                                       maker.hideInScheduler("false")) for r in rows]
        if path.startswith("supportedServices/"):
            return [getattr(maker, name)(build)]
        if path.endswith("primaryLargeServer/tollNum"):
            return [maker.tollNum("14085550100")]          # the number GetSessionInfo gives
        if path.endswith("primaryLargeServer/tollFreeNum"):
            return [maker.tollFreeNum("18005550100")]
        if path.endswith("primaryLargeServer/intlLocalNum"):
            return [maker.intlLocalNum("")]
        if path.endswith("/globalNum"):
            return [maker.globalNum(maker.countryAlias(alias), maker.phoneNumber(number), maker.tollFree(free),
                                    maker.default(default))
                    for alias, number, free, default in (("US/Canada", "14085550100", "false", "true"),
                                                         ("US/Canada", "18005550100", "true", "false"))]
        if path.endswith("/mpAudio"):
            return [maker.mpAudio(maker.label(label), maker.phoneNumber(""))
                    for label in ("Toll dial-in", "Toll-free dial-in")]
        if path == "navBarTop/button":
            out = [maker.button(maker.order("1"), maker.serviceName("home"))]   # always shown: no enabled
            for order, (service, label) in enumerate(SERVICE_LABELS.items(), 2):
                on = label in facts["serviceTypes"]
                out.append(maker.button(maker.order(str(order)), maker.enabled(xsd_bool(on)),
                                        maker.serviceName(service)))
            return out
        if path.endswith("/disallowValue"):
            return [maker.disallowValue(word) for word in ("secret", site, "changeme")]
        raise KeyError(f"no site value for {path}")
    return write


def _service_enabled(facts: dict[str, Any], settings: dict[str, str]) -> dict[str, str]:
    """supportedServices/*/enabled: the services the site offers (a SetSite value wins)."""
    out = {f"supportedServices/{k}/enabled": xsd_bool(v in facts["serviceTypes"]) for k, v in SERVICE_LABELS.items()}
    out.update(settings)
    return out


def _meta_data(call: Call, facts: dict[str, Any], write: Callable[[str, Any], list]) -> Any:
    s = call.E("ns1")
    meta = build_section(call, "metaData", facts["settings"], write)
    if call.since("39.1.0") and not call.defect("getsite-uploadlogfileurl-missing"):
        meta.append(s.uploadLogFileUrl(f"https://{call.site.name}.webex.com/logupload/{call.site.site_id}"))
    if call.since("39.8.0") and not call.defect("getsite-license-counts-missing"):
        for name, count in license_counts(call).items():
            meta.append(getattr(s, name)(str(count)))
    return meta


def _my_webex_config(call: Call, facts: dict[str, Any], write: Callable[[str, Any], list]) -> Any:
    s = call.E("ns1")
    cfg = build_section(call, "myWebExConfig", facts["settings"], write)
    show = call.since("42.2.0") and not call.defect("getsite-allowchange-missing") \
        and _toggle_on(facts, PROFILE_FIELDS_TOGGLE)
    if show and (not call.site.control_hub or call.defect("getsite-allowchange-on-control-hub")):
        cfg.append(s.allowChangeFirstName(xsd_bool(facts["allowChangeFirstName"])))
        cfg.append(s.allowChangeLastName(xsd_bool(facts["allowChangeLastName"])))
        cfg.append(s.allowChangeDisplayName(xsd_bool(facts["allowChangeDisplayName"])))
        cfg.append(s.AllowUploadPRAvatar(xsd_bool(facts["allowUploadPRAvatar"])))
    return cfg


def _security_options(call: Call, facts: dict[str, Any]) -> Any:
    """securityOptions: what a client reads before scheduling (allMeetingsUnlisted, allMeetingsPassword...)."""
    s = call.E("ns1")
    opts = s.securityOptions()
    for path, value in facts["securityOptions"].items():
        if path in SECURITY_DEFAULTS:   # a name SetSite stored that the site does not have is not answered
            parent, _, name = path.rpartition("/")
            holder = opts
            if parent:
                holder = opts.find(f"{{{NS['site']}}}{parent}")
                if holder is None:
                    holder = _append(opts, s, parent)
            holder.append(getattr(s, name)(str(value)))
    return opts


def _append(parent: Any, maker: Any, name: str) -> Any:
    child = getattr(maker, name)()
    parent.append(child)
    return child


def _common_options(call: Call, facts: dict[str, Any]) -> Any:
    """siteCommonOptions in the real reply's order; SetSite can change every flag but SP18's."""
    s = call.E("ns1")
    settings = facts["settings"]
    opts = s.siteCommonOptions()
    for name, default in COMMON_OPTIONS[:3]:
        opts.append(getattr(s, name)(settings.get(f"siteCommonOptions/{name}", xsd_bool(default))))
    since = "11.0.0 SP17" if call.defect("getsite-cloudtelepresence-too-early") else "11.0.0 SP18"
    if call.since(since) and not call.defect("getsite-cloudtelepresence-missing") and _toggle_on(facts, CET_TOGGLE):
        opts.append(s.EnableCloudTelepresence(xsd_bool(facts["enableCloudTelepresence"])))
    name, default = COMMON_OPTIONS[3]
    opts.append(getattr(s, name)(settings.get(f"siteCommonOptions/{name}", xsd_bool(default))))
    return opts


@handler("site", "GetSite")
def get_site(call: Call) -> list:
    call.require_user()
    if call.defect("getsite-siteid-rejected") and call.security.get("siteID"):
        raise ApiFailure("000000", "Invalid request: siteID is no longer supported, use siteName")
    facts = site_facts(call)
    facts["settings"] = _service_enabled(facts, facts["settings"])
    write = _site_values(call, facts)
    s = call.E("ns1")
    site = s.siteInstance()
    for section, _spec in SECTIONS:
        if section == "metaData":
            site.append(_meta_data(call, facts, write))
        elif section == "myWebExConfig":
            site.append(_my_webex_config(call, facts, write))
        elif section == "securityOptions":
            site.append(_security_options(call, facts))
        elif section == "siteCommonOptions":
            site.append(_common_options(call, facts))
        else:
            site.append(build_section(call, section, facts["settings"], write))
    if call.since("11.0.0 SP17"):
        info = s.CISiteLicenseInfo()
        if not call.defect("getsite-attendee-capacity-missing"):
            cap = facts["attendeeCapacity"]
            for service in ("MC", "EC", "TC", "SC"):
                info.append(getattr(s, f"attendeeCapacityFor{service}")(str(cap[service])))
        site.append(info)
    if call.since("39.5.0"):
        mesh = s.videoMeshInterclusters()
        for name in CLUSTERS:
            value = facts["videoMeshInterclusters"].get(name)
            if value is not None:
                mesh.append(getattr(s, name)(value))
        site.append(mesh)
    return [site]


def _descendant(call: Call, name: str) -> etree._Element | None:
    for el in call.body.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname == name:
            return el
    return None


@handler("site", "SetSite")
def set_site(call: Call) -> list:
    """Change site settings; from 39.5.0 ``videoMeshInterclusters`` (anywhere in the body)."""
    call.require_admin()
    security = _descendant(call, "securityOptions")
    if security is not None and not call.defect("setsite-securityoptions-not-stored"):
        changes = {}
        for path in SECURITY_DEFAULTS:
            value = call.text(path, None, security)
            if value is not None:
                changes[path] = value
        _update_facts(call, "securityOptions", changes)
    holder = _descendant(call, "siteInstance")
    holder = call.body if holder is None else holder
    settings = read_settings(call, holder)
    common = call.find("siteCommonOptions", holder)
    for name, _default in COMMON_OPTIONS:
        flag = call.flag(name, None, common) if common is not None else None
        if flag is not None:
            settings[f"siteCommonOptions/{name}"] = xsd_bool(flag)
    if settings and not call.defect("setsite-settings-not-stored"):
        _update_facts(call, "settings", settings)
    mesh = _descendant(call, "videoMeshInterclusters") if call.since("39.5.0") else None
    if mesh is None:
        return []
    changes: dict[str, str] = {}
    for name in CLUSTERS:
        el = call.find(name, mesh)
        if el is not None:
            value = (el.text or "").strip()
            if len(value) > CLUSTER_MAX:
                raise ApiFailure("999999", f"{name} is longer than {CLUSTER_MAX} characters")
            changes[name] = value
    if not call.defect("setsite-videomesh-not-stored"):
        # An empty cluster element clears that cluster (our choice: the notes are silent);
        # it is what lets a client restore a site that had no clusters.
        _update_facts(call, "videoMeshInterclusters", changes, clear_empty=True)
    return []


def _update_facts(call: Call, fact: str, changes: dict[str, str], clear_empty: bool = False) -> None:
    """Merge ``changes`` into one of the site's dict-valued facts (``clear_empty``: "" removes)."""
    with call.db.transaction() as db:
        stored = db.site_facts(call.site)
        current = stored.setdefault(fact, {})
        for key, value in changes.items():
            if clear_empty and value == "":
                current.pop(key, None)
            else:
                current[key] = value
        db.set_site_facts(call.site, stored)


# --- GetSiteFT / SetSiteFT -------------------------------------------------------------
#
# The only note on them is 39.8.0's "GetSiteFT and SetSiteFT Redesign ... to allow dynamic
# feature toggles": both existed before 39.8.0, and no note from SP10 on introduces them,
# so they are answered at every version.  The notes show only that both are called with a
# machine account's accessToken and that SetSiteFT answers an empty setSiteFTResponse.
# Our shape (documented in site.xsd), at every version:
#   SetSiteFT request:  <featureToggle><name>N</name><value>V</value></featureToggle>...
#   GetSiteFT request:  optional <name>N</name>... to pick toggles (default: all)
#   GetSiteFT response: ns1:featureToggle (ns1:name, ns1:value)..., sorted by name
# The notes do not say what the earlier design was.  Our interpretation of "to allow
# dynamic feature toggles": before 39.8.0 SetSiteFT sets only the toggles the site already
# has (a new name: 999999), from 39.8.0 it adds any well-formed name, and an empty value
# removes a toggle (our choice, as for an empty video mesh cluster: it is what lets a
# client, and the suite's write guard, undo a toggle it added).

def _require_toggle_caller(call: Call) -> None:
    """The notes' examples call both APIs with a machine account's access token."""
    call.require_admin()
    if call.defect("siteft-access-token-refused") and call.account is not None and call.account.role == "machine":
        raise ApiFailure(*ACCESS_DENIED)


@handler("site", "GetSiteFT")
def get_site_ft(call: Call) -> list:
    _require_toggle_caller(call)
    toggles: dict[str, str] = site_facts(call)["featureToggles"]
    wanted = [(el.text or "").strip() for el in call.findall("name")]
    names = [n for n in wanted if n in toggles] if wanted else sorted(toggles)
    s = call.E("ns1")
    return [s.featureToggle(s.name(n), s.value(str(toggles[n]))) for n in names]


@handler("site", "SetSiteFT")
def set_site_ft(call: Call) -> list:
    _require_toggle_caller(call)
    items = call.findall("featureToggle")
    if not items:
        raise ApiFailure("999999", "Missing required element: featureToggle")
    known = site_facts(call)["featureToggles"]
    changes: dict[str, str] = {}
    for item in items:
        name, value = call.text("name", "", item), call.text("value", None, item)
        if not TOGGLE_NAME.match(name or ""):
            raise ApiFailure("999999", f"Invalid feature toggle name {name[:70]!r}: letters, digits, '_', '.', '-'")
        if value is None or len(value) > TOGGLE_VALUE_MAX:
            raise ApiFailure("999999", f"Feature toggle {name} needs a value of at most {TOGGLE_VALUE_MAX} characters")
        if name not in known and not call.since("39.8.0"):
            raise ApiFailure("999999", f"Unknown feature toggle {name}: new toggles need XML API 39.8.0")
        changes[name] = value
    if not call.defect("setsiteft-not-stored"):
        _update_facts(call, "featureToggles", changes, clear_empty=call.since("39.8.0"))
    return []
