"""FAILURE answers: the exception a handler raises, and the standard codes and texts.

docs/SERVER.md lists the same table.  Codes real servers answer are written as they
answer them (real-traffic); the rest are our choices, named once here so every handler
words the same situation the same way.
"""
from __future__ import annotations

__all__ = ["ApiFailure", "ACCESS_DENIED", "USER_NOT_FOUND", "WRONG_PASSWORD", "INVALID_TOKEN", "INVALID_TICKET", "NO_RECORD",
           "MEETING_NOT_FOUND", "SITE_SUSPENDED", "invalid_request", "unknown_api", "bad_value"]

ACCESS_DENIED = ("000001", "Access denied, additional privileges are required")
USER_NOT_FOUND = ("030001", "Corresponding User not found")
WRONG_PASSWORD = ("030002", "Incorrect user or password")
INVALID_TOKEN = ("030047", "Not a valid access token")
INVALID_TICKET = ("030047", "Not a valid session ticket")   # real servers' words
NO_RECORD = ("000015", "Sorry, no record found")
MEETING_NOT_FOUND = ("060001", "Corresponding Meeting not found")
SITE_SUSPENDED = ("010107", "The site is suspended")


class ApiFailure(Exception):
    """Answer with a FAILURE envelope: ``exceptionID``, ``reason`` and an optional ``value``."""

    def __init__(self, exception_id: str, reason: str, value: str | None = None):
        super().__init__(f"{exception_id} {reason}")
        self.exception_id = exception_id
        self.reason = reason
        self.value = value


def invalid_request(why: str) -> ApiFailure:
    """000000: the envelope itself could not be read or used."""
    return ApiFailure("000000", f"Invalid request: {why}")


def unknown_api(body_type: str, version: object) -> ApiFailure:
    """000000 for an API this server does not emulate at ``version`` (not a claim about Webex)."""
    return ApiFailure("000000", f"Unknown request type {body_type!r}: the reference server does not emulate "
                                f"this API at XML API {version} (docs/SERVER.md lists the emulated APIs)")


def bad_value(name: str, why: str) -> ApiFailure:
    """999999 for a request value the notes give no rule for: one line naming the element."""
    return ApiFailure("999999", f"Invalid {name}: {why}")
