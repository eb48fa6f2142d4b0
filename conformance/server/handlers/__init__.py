"""API handlers, one module per service namespace.

Importing this package registers every handler.  Each module may define ``TABLES``
(SQLite DDL), ``seed(state, now) -> dict`` (fixture data and the placeholder values it
provides, e.g. ``{"sessions.pmr": "..."}``) and ``DEFECTS`` (its seeded defects).
"""
from __future__ import annotations

from . import user, site, ep, meeting, attendee, event, training, support, history

ALL_MODULES = [user, site, ep, meeting, attendee, event, training, support, history]
