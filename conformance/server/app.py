"""The WSGI application: XML in, XML out, at /WBXService/XMLService.

Everything that is about the envelope (size, safety, authentication, site, version
gating, which handler) happens here; everything about one API's behaviour lives in
``handlers/``.  No request, however malformed, gets an HTTP 500 or stops the server.
"""
from __future__ import annotations

import json
import logging
import traceback
from collections import deque
from typing import Iterable



from ..masking import mask
from ..versions import Version, parse_version
from . import render, test_objects
from .call import Call
from .catalog import Catalog
from .envelope import read_envelope
from .failures import INVALID_TICKET, INVALID_TOKEN, USER_NOT_FOUND, WRONG_PASSWORD, ApiFailure, unknown_api
from .state import State, account_of

log = logging.getLogger("webex_conformance.server")

SERVICE_PATH = "/WBXService/XMLService"
OUTBOX_PATH = "/_test/outbox"
REQUESTS_PATH = "/_test/requests"
MAX_REQUEST_BYTES = 16 * 1024 * 1024
# environ keys the HTTP layer (serve.py) and this app use to talk about a request body
REFUSAL = "webex_conformance.refusal"   # why the body could not be read
CLOSE = "webex_conformance.close"       # bytes may be left on the connection: close it
DRAIN_LIMIT = 256 * 1024 * 1024


class XMLServiceApp:
    def __init__(self, state: State, version: Version, catalog: Catalog, defects: frozenset[str] = frozenset(),
                 test_paths: bool = False, request_log: bool | None = None):
        """``request_log`` (default: as ``test_paths``) keeps what /_test/requests and
        /_test/calls show; the embedded servers of a run serve the outbox but keep no log
        (nothing reads it, and it cost every call a serialisation)."""
        self.state = state
        self.catalog = catalog
        self.version = version
        self.defects = defects
        self.test_paths = test_paths
        self.request_log = test_paths if request_log is None else request_log
        self.received: deque[str] = deque(maxlen=500)
        self.calls = test_objects.CallLog()
        self._defect_names = catalog.defect_names   # a frozenset built per access: once here

    # -- WSGI ------------------------------------------------------------------
    def __call__(self, environ, start_response) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == SERVICE_PATH and method == "POST":
            body, refusal = self._read(environ)
            if environ.get(REFUSAL):  # the HTTP layer could not read the body (chunked framing)
                refusal = render.failure(environ[REFUSAL], "000000")
            payload = refusal if refusal is not None else self.handle(body)
            return self._reply(start_response, "200 OK", payload, render.CONTENT_TYPE)
        if self.test_paths and method == "GET" and path == OUTBOX_PATH:
            data = json.dumps(self.state.mails(), indent=1).encode()
            return self._reply(start_response, "200 OK", data, "application/json")
        if self.request_log and method == "GET" and path == REQUESTS_PATH:
            data = json.dumps(list(self.received), indent=1).encode()
            return self._reply(start_response, "200 OK", data, "application/json")
        if self.test_paths and method == "GET" and (path == test_objects.OBJECTS_PATH or
                                                    self.request_log and path == test_objects.CALLS_PATH):
            doc = test_objects.snapshot(self.state) if path == test_objects.OBJECTS_PATH else self.calls.all()
            return self._reply(start_response, "200 OK", json.dumps(doc, indent=1, default=str).encode(),
                               "application/json")
        if path == SERVICE_PATH:
            return self._reply(start_response, "405 Method Not Allowed", b"POST XML to this URL\n",
                               "text/plain", [("Allow", "POST")])
        return self._reply(start_response, "404 Not Found", b"not found\n", "text/plain")

    @staticmethod
    def _reply(start_response, status: str, data: bytes, ctype: str, extra=()) -> list[bytes]:
        start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(data))), *extra])
        return [data]

    def _read(self, environ) -> tuple[bytes, bytes | None]:
        """The request body, or a FAILURE envelope refusing it (too large, no length)."""
        stream = environ["wsgi.input"]
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return b"", render.failure("Invalid request: unreadable Content-Length", "000000")
        if length <= 0:
            return b"", render.failure("Invalid request: empty body, expected an XML message", "000000")
        if length > MAX_REQUEST_BYTES:
            remaining = min(length, DRAIN_LIMIT)
            while remaining > 0:  # drain so the client sees our answer, not a reset
                chunk = stream.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                remaining -= len(chunk)
            return b"", render.failure(
                f"Request too large: {length} bytes exceeds the {MAX_REQUEST_BYTES}-byte limit", "000000")
        try:
            data = stream.read(length)
        except OSError:  # e.g. the client promised more bytes than it sent and went quiet
            data = b""
        if len(data) != length:
            environ[CLOSE] = True
            return b"", render.failure(
                f"Invalid request: the body ended after {len(data)} of the {length} bytes its Content-Length "
                f"announced", "000000")
        return data, None

    # -- the XML service ---------------------------------------------------------
    def handle(self, data: bytes) -> bytes:
        try:
            return self._handle(data)
        except ApiFailure as f:
            return render.failure(f.reason, f.exception_id, f.value)
        except Exception as exc:  # never an HTTP 500: log and answer with a FAILURE
            log.error("internal error: %s", traceback.format_exc())
            return render.failure(f"Internal error in the reference server: {type(exc).__name__}", "000000")

    def _handle(self, data: bytes) -> bytes:
        if self.request_log:  # only /_test/requests shows them; masking costs 20 us a call
            self.received.append(mask(data[:20000].decode("utf-8", "replace")))
        env = read_envelope(data, MAX_REQUEST_BYTES)
        entry = self.catalog.handlers.get((env.service, env.api))
        if entry is None or (entry.route.since and self.version < parse_version(entry.route.since)):
            raise unknown_api(env.body_type, self.version)
        sec = env.security
        service, api, content = env.service, env.api, env.content
        if self.request_log:
            self.calls.add(service, api, content, len(data))
        site = self._site(sec)
        account = self._authenticate(site, sec, entry.route.anonymous)
        if account is None and not entry.route.anonymous:
            raise ApiFailure(*USER_NOT_FOUND)
        call = Call(service=service, api=api, version=self.version, defects=self.defects, db=self.state,
                    site=site, account=account, body=content, security=sec, declared=self._defect_names)
        # One transaction per call: concurrent clients see each call whole, and a call
        # that ends in a FAILURE leaves nothing half-written behind.
        with self.state.transaction():
            children = entry.fn(call)
        return render.success(service, api, children or [])

    def _site(self, sec: dict[str, str]):
        name = sec.get("siteName")
        if name:
            site = self.state.site_by_name(name)
        elif sec.get("siteID"):
            site = self.state.site_by_id(sec["siteID"])
            if site is not None and sec.get("partnerID") and sec["partnerID"] != site.partner_id:
                raise ApiFailure("000000", "Invalid request: partnerID does not match siteID")
        else:
            raise ApiFailure("000000", "Invalid request: securityContext needs siteName (or the deprecated siteID)")
        if site is None:
            raise ApiFailure("000000", f"Corresponding site not found: {name or sec.get('siteID')!r}")
        return site

    def _authenticate(self, site, sec: dict[str, str], anonymous_ok: bool):
        """The caller: by accessToken, sessionTicket or password, with webExID or (as some clients send) email.

        A webExID with no secret at all is an anonymous call where the API allows one
        (AuthenticateUser carries its OAuth token in the body, real-traffic 029, 054).
        """
        token = sec.get("accessToken")
        if token:
            account = self.state.account_for_token(site, token)
            if account is None:
                raise ApiFailure(*INVALID_TOKEN)
            return account
        webex_id, email = sec.get("webExID"), sec.get("email")
        if not webex_id and not email:
            return None
        ticket = sec.get("sessionTicket")
        if ticket:
            account = self.state.account_for_ticket(site, ticket)
            if account is None or (webex_id and account.webex_id.lower() != webex_id.lower()):
                raise ApiFailure(*INVALID_TICKET)
            return account
        if not sec.get("password") and anonymous_ok:
            return None
        if not webex_id:
            by_email = self.state.account_by_email(site, email)
            webex_id = by_email.webex_id if by_email else ""
        row = self.state.user_row(site, webex_id) if webex_id else None
        if row is None:
            raise ApiFailure(*USER_NOT_FOUND)
        if row["password"] != sec.get("password", ""):
            raise ApiFailure(*WRONG_PASSWORD)
        return account_of(row)
