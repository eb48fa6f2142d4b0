"""Ask a target which API version it runs, so its cases are judged against the right notes.

GetAPIVersion is the one call every version answers.  A server before 39.1.0 reports
``apiVersion`` ("WebEx XML API V11.0.0") and ``release`` ("SP10"); from 39.1.0 on it
reports ``apiVer``.  The explanation string goes into the report so a reader can see why
a target was judged as the version it was.
"""
from __future__ import annotations

from lxml import etree

from . import errors
from .config import Credential, Target
from .envelope import EnvelopeError, build_envelope
from .namespaces import NS
from .response import ResponseError, parse_response
from .transport import EndpointUnreachable, Transport, TransportError
from .versions import Version, VersionError, from_server_report

__all__ = ["detect_version", "DetectError", "GET_API_VERSION_BODY"]

GET_API_VERSION_BODY = "<returnTrainReleaseVersion>true</returnTrainReleaseVersion>"
_EP = NS["ep"]

# What a FAILURE to GetAPIVersion usually means for the person running the suite.
_HINTS = {
    "030002": "wrong webExID or password: check the credential's environment variables",
    "030001": "the webExID is not a user of this site",
    "030047": "the session ticket is not valid",
    "000001": "the user lacks the privileges to call GetAPIVersion",
    "000015": "the site answered 'no record found'",
    "010107": "the site is suspended",
}


class DetectError(errors.ConfigError):
    """The version could not be learned; the message is one line."""


def _credential(target: Target) -> tuple[Credential | None, str]:
    for role in ("site-admin", "host"):
        cred = target.credential("main", role)
        if cred is not None:
            return cred, role
    return None, "anonymous"


def _find_text(contents: list[etree._Element], local: str) -> str | None:
    """The text of ``local`` in a body: the ep namespace first, then any namespace."""
    for body in contents:
        el = body.find(f".//{{{_EP}}}{local}")
        if el is not None:
            return (el.text or "").strip()
    for body in contents:
        for el in body.iter():
            if isinstance(el.tag, str) and etree.QName(el).localname == local:
                return (el.text or "").strip()
    return None


def detect_version(transport: Transport, target: Target) -> tuple[Version, str]:
    """The version ``target`` reports and a one-line explanation; DetectError otherwise.

    EndpointUnreachable passes through unchanged: the CLI reports it with its own exit code.
    """
    main = target.sites.get("main")
    if main is None:
        raise DetectError(f"target {target.name!r} has no main site to ask GetAPIVersion")
    cred, role = _credential(target)
    try:
        request = build_envelope("ep", "GetAPIVersion", GET_API_VERSION_BODY, cred,
                                 main.site_name, main.site_id, main.partner_id)
    except EnvelopeError as exc:
        raise DetectError(f"cannot build GetAPIVersion: {exc}") from None
    try:
        exchange = transport.send(target.endpoint, request, idempotent=True)
    except EndpointUnreachable:
        raise
    except TransportError as exc:
        raise DetectError(f"GetAPIVersion: {exc}") from None
    try:
        parsed = parse_response(exchange, transport.settings.max_response_bytes)
    except ResponseError as exc:
        raise DetectError(f"GetAPIVersion: {exc.reason}") from None
    if parsed.result != "SUCCESS":
        xid = parsed.exception_id or "no exceptionID"
        reason = parsed.reason or "no reason"
        hint = _HINTS.get(parsed.exception_id or "")
        raise DetectError(f"GetAPIVersion (as {role}) answered FAILURE {xid} {reason!r}"
                          + (f": {hint}" if hint else ""))
    api_ver = _find_text(parsed.body_contents, "apiVer")
    api_version = _find_text(parsed.body_contents, "apiVersion")
    release = _find_text(parsed.body_contents, "release")
    try:
        version = from_server_report(api_version, release, api_ver)
    except VersionError as exc:
        raise DetectError(f"GetAPIVersion answered no readable version: {exc}") from None
    if api_ver:
        how = f"GetAPIVersion answered apiVer {api_ver}"
    elif release:
        how = f"GetAPIVersion answered apiVersion {api_version!r} release {release!r}"
    else:
        how = f"GetAPIVersion answered apiVersion {api_version!r} without a release"
    if release and not api_ver and version.sp is None:
        how += " (not a service pack: the service pack is unknown)"
    return version, how
