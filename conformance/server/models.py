"""What the server knows about a site and a caller, and what its seeding hands out."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = ["Site", "Account", "Login", "SiteIds", "Seed"]


@dataclass(frozen=True)
class Site:
    name: str
    site_id: str
    partner_id: str
    suspended: bool
    control_hub: bool
    auto_record: bool
    key: str  # main | suspended | control-hub | auto-record


@dataclass(frozen=True)
class Account:
    webex_id: str
    role: str  # admin | host | attendee | machine
    email: str
    first_name: str
    last_name: str

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", "machine")


@dataclass(frozen=True)
class Login:
    """One seeded account's credentials (the same on every seeded site)."""
    webex_id: str
    password: str

    def wire(self) -> dict[str, str]:
        return {"webExID": self.webex_id, "password": self.password}


@dataclass(frozen=True)
class SiteIds:
    site_name: str
    site_id: str
    partner_id: str

    def wire(self) -> dict[str, str]:
        return {"siteName": self.site_name, "siteID": self.site_id, "partnerID": self.partner_id}


@dataclass(frozen=True)
class Seed:
    """What seeding a database returns: how to reach each site and account, and the fixture values.

    ``values`` are placeholder values for case bodies (``sessions.pmr`` ...).  It is kept
    in the database as JSON (``to_json``/``from_json``) so a ``--db`` survives a restart.
    """
    accounts: Mapping[str, Login]          # admin | host | host2 | attendee
    sites: Mapping[str, SiteIds]           # main | suspended | control-hub | auto-record
    token: str                             # the machine account's access token
    values: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"accounts": {k: v.wire() for k, v in self.accounts.items()},
                "sites": {k: v.wire() for k, v in self.sites.items()},
                "token": self.token, "values": dict(self.values)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Seed":
        return cls(accounts={k: Login(v["webExID"], v["password"]) for k, v in data["accounts"].items()},
                   sites={k: SiteIds(v["siteName"], v["siteID"], v["partnerID"]) for k, v in data["sites"].items()},
                   token=data["token"], values={k: str(v) for k, v in data["values"].items()})
