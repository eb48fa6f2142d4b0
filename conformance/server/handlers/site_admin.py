"""Site administration helpers: GetSiteAdminNavUrl (site service) and FlushWebCache (ep).

Neither is in the release notes; an admin portal calls both (real-traffic 018-021,
027, 028).  GetSiteAdminNavUrl lists the site administration pages of one ``type``
(``Report`` or ``SiteConfig``, case-insensitive; none given: all) as
``siteAdminNavUrl`` items (type, category, navItemId, url) and says whether the unified
administration is on (``enableT30UnifiedAdmin``, a site fact, on by default).
FlushWebCache answers an empty SUCCESS and counts the flushes (``web_cache_flushes``).
Both are for site administrators.
"""
from __future__ import annotations

from ..call import Call
from ..defects import Defect
from ..routes import handler
from ..wire import xsd_bool

__all__ = ["DEFECTS", "NAV_ITEMS", "get_site_admin_nav_url", "flush_web_cache"]

# (type, category, navItemId) in the order real replies list them
NAV_ITEMS = (
    ("Report", "CommonReports", "meetings_in_progress"), ("Report", "CommonReports", "inactive_user"),
    ("Report", "CommonReports", "meeting_usage"), ("Report", "CommonReports", "recording_storage_usage"),
    ("Report", "CommonReports", "storage_utilization_by_user"),
    ("SiteConfig", "EMAIL", "send_email_to_all"), ("SiteConfig", "CommonSettings", "address"),
    ("SiteConfig", "CommonSettings", "common_options"), ("SiteConfig", "CommonSettings", "security"),
    ("SiteConfig", "CommonSettings", "session_type"), ("SiteConfig", "CommonSettings", "user_priv"),
    ("SiteConfig", "MC", "mc_options"), ("SiteConfig", "SiteInfo", "site_info"),
)

DEFECTS: list[Defect] = [
    Defect("siteadminnavurl-type-ignored", "GetSiteAdminNavUrl lists every page whatever type was asked for",
           (), tests=("getsiteadminnavurl_by_type",)),
]


@handler("site", "GetSiteAdminNavUrl")
def get_site_admin_nav_url(call: Call) -> list:
    call.require_admin()
    wanted = (call.text("type") or "").lower()
    s = call.E("ns1")
    unified = call.db.site_facts(call.site).get("enableT30UnifiedAdmin", True)
    out = [s.enableT30UnifiedAdmin(xsd_bool(unified))]
    base = f"https://{call.site.name}.webex.com/{call.site.name}/admin"
    for kind, category, item in NAV_ITEMS:
        if wanted and kind.lower() != wanted and not call.defect("siteadminnavurl-type-ignored"):
            continue
        out.append(s.siteAdminNavUrl(s.type(kind), s.category(category), s.navItemId(item),
                                     s.url(f"{base}/{kind.lower()}/{item}")))
    return out


@handler("ep", "FlushWebCache")
def flush_web_cache(call: Call) -> list:
    call.require_admin()
    call.db.next_id("web_cache_flushes", 1)
    return []
