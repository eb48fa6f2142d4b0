"""A target's safety settings: may it be written to, is it production, how hard may we push it.

Kept apart from the transport settings because they are about the site, not the wire:
whether writes are allowed at all (``allow_writes``), whether the target is production
(``production = true``, or its host matches a ``[safety] production_hosts`` pattern),
the per-API request rates, the cap on writes per run and when to give up on a failing
site.  Parsed here so ``config`` only has to hand over the tables (docs/CONFIG.md).
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

__all__ = ["SafetySettings", "SAFETY_KEYS", "TOP_KEYS", "parse_safety", "production_host",
           "to_json", "from_json"]


@dataclass(frozen=True)
class SafetySettings:
    allow_writes: bool | None = None        # None: only with --allow-writes; False: never; True: yes
    production: bool = False                # writes need --i-know-this-is-production as well
    max_writes: int | None = None           # cap on case writes per run (cleanup is not counted)
    api_rate_limits: dict[str, float] = field(default_factory=dict)   # API name -> requests per second
    breaker_threshold: int = 5              # consecutive connection errors / 5xx that stop the run
    max_retry_after: float = 120.0          # longest Retry-After we wait for, in seconds


SAFETY_KEYS = {"allow_writes", "production", "max_writes", "api_rate_limits", "breaker_threshold",
               "max_retry_after"}
TOP_KEYS = (SAFETY_KEYS - {"production"}) | {"production_hosts"}

Err = Callable[[str, str], Exception]


def _bool(v: Any, key: str, err: Err) -> bool:
    if not isinstance(v, bool):
        raise err(key, f"must be true or false, not {type(v).__name__}")
    return v


def _positive(v: Any, key: str, err: Err, integer: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int)):
        raise err(key, f"must be {'an integer' if integer else 'a number'}, not {type(v).__name__}")
    if v <= 0:
        raise err(key, f"must be greater than 0, not {v}")
    return v


def parse_safety(d: Mapping[str, Any], base: SafetySettings, err: Err, prefix: str = "") -> SafetySettings:
    """``base`` with the safety keys of ``d`` applied; ``err(key, reason)`` makes the error."""
    changes: dict[str, Any] = {}
    for key in SAFETY_KEYS & d.keys():
        v, name = d[key], prefix + key
        if key in ("allow_writes", "production"):
            changes[key] = _bool(v, name, err)
        elif key in ("max_writes", "breaker_threshold"):
            changes[key] = int(_positive(v, name, err, integer=True))
        elif key == "max_retry_after":
            changes[key] = float(_positive(v, name, err))
        elif key == "api_rate_limits":
            if not isinstance(v, dict):
                raise err(name, f"must be a table of API name = requests per second, not {type(v).__name__}")
            limits = dict(base.api_rate_limits)
            for api, rate in v.items():
                limits[api.split(".")[-1]] = float(_positive(rate, f"{name}.{api}", err))
            changes[key] = limits
    return replace(base, **changes)


def production_host(host: str | None, patterns: list[str]) -> bool:
    """Whether ``host`` matches one of the shell-style ``patterns`` (case-insensitive)."""
    h = (host or "").lower()
    return any(fnmatch.fnmatchcase(h, p.lower()) for p in patterns)


def to_json(s: SafetySettings) -> dict[str, Any]:
    return {"allow_writes": s.allow_writes, "production": s.production, "max_writes": s.max_writes,
            "api_rate_limits": dict(s.api_rate_limits), "breaker_threshold": s.breaker_threshold,
            "max_retry_after": s.max_retry_after}


def from_json(d: Mapping[str, Any] | None) -> SafetySettings:
    return SafetySettings(**dict(d)) if d else SafetySettings()
