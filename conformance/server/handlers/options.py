"""Session options as requests carry them and as the site decides them; time zone names."""
from __future__ import annotations

from ..call import Call

__all__ = ["TIME_ZONES", "option", "site_video_levels", "time_zone_name"]

TIME_ZONES = {4: "GMT-08:00, Pacific (San Jose)", 7: "GMT-07:00, Mountain (Denver)",
              11: "GMT-05:00, Eastern (New York)", 20: "GMT+00:00, Greenwich (London)",
              21: "GMT+01:00, Europe (Amsterdam)", 45: "GMT+08:00, China (Beijing)"}


def option(call: Call, name: str) -> bool | None:
    """An enableOptions flag; also accepted directly in bodyContent (clients differ)."""
    value = call.flag(f"enableOptions/{name}")
    return call.flag(name) if value is None else value


def site_video_levels(call: Call) -> dict[str, bool]:
    """HQ/HD video as the site decides it (site facts; on unless the site says otherwise)."""
    facts = call.db.site_facts(call.site)
    return {"HQvideo": bool(facts.get("HQvideo", True)), "HDvideo": bool(facts.get("HDvideo", True))}


def time_zone_name(zone: int) -> str:
    return TIME_ZONES.get(int(zone), f"Time zone {int(zone)}")
