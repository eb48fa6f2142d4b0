"""The seeded site's fixture data: sites, accounts and the sessions every module may read.

Constants only; ``seeding.py`` writes them into a database, and handler modules that seed
history of these sessions read them here.
"""
from __future__ import annotations

__all__ = ["SEED_SITES", "SEED_ACCOUNTS", "SEED_SESSIONS", "email_for"]

# key -> (site name, site id, partner id, suspended, control hub, auto record)
SEED_SITES = {
    "main": ("refsite", "100001", "prt100001", 0, 0, 0),
    "suspended": ("refsite-suspended", "100002", "prt100002", 1, 0, 0),
    "control-hub": ("refsite-hub", "100003", "prt100003", 0, 1, 0),
    "auto-record": ("refsite-autorec", "100004", "prt100004", 0, 0, 1),
}
# role key in accounts -> (webExID, role, first, last)
SEED_ACCOUNTS = {
    "admin": ("siteadmin", "admin", "Sam", "Admin"),
    "host": ("host1", "host", "Hana", "Host"),
    "host2": ("host2", "host", "Hugo", "Second"),
    "attendee": ("attendee1", "attendee", "Ada", "Attendee"),
}


# The sessions every handler module may read (GetSessionInfo and LstsummarySession span
# meetings, events, training and support sessions).  kind: meeting | pmr | webinar |
# event | training | support.  ``data`` holds what only one kind has (JSON).
SEED_SESSIONS = {
    "sessions.pmr": (880000001, "pmr", "Hana Host's Personal Room", {"pmr": True}),
    "sessions.meeting": (880000002, "meeting", "Weekly sync", {"HQvideo": True, "HDvideo": False}),
    "sessions.webinar": (880000003, "webinar", "Quarterly webinar", {"enableEvent": True, "enableWebniar": True}),
    "sessions.cet_event": (770000001, "event", "Video town hall",
                           {"panelistNumericPassword": "4711", "standaloneDialingIPAddress": "192.0.2.10"}),
    "sessions.event": (770000002, "event", "Classic event", {}),
    "sessions.training_poll": (660000001, "training", "TC poll test",
                               {"attendeeSendVideo": True, "HQvideo": True, "HDvideo": True}),
    "sessions.support": (550000001, "support", "Support session", {}),
}


def email_for(webex_id: str, site_name: str) -> str:
    return f"{webex_id}@{site_name}.example.com"
