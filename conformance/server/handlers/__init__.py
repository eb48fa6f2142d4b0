"""API handlers, one module per service namespace.

``ALL_MODULES`` is the full server's list (``root.py`` builds its catalog).  Each module
marks its handlers with ``@handler`` and may define ``TABLES``
(SQLite DDL), ``seed(state, now) -> dict`` (fixture data and the placeholder values it
provides, e.g. ``{"sessions.pmr": "..."}``) and ``DEFECTS`` (its seeded defects).
"""
from __future__ import annotations

from . import (attendee, captcha, ep, ep_contacts, ep_recordings, ep_sessions, event, history, login, meeting,
               meeting_urls, meetingtype, site, site_admin, support, teleconference, training, user)

ALL_MODULES = (user, login, site, site_admin, ep, ep_sessions, captcha, ep_recordings, ep_contacts, meeting,
               meeting_urls, meetingtype, teleconference, attendee, event, training, support, history)
