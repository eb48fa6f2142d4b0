"""Serve the reference server over real HTTP on loopback.

The stdlib's ``wsgiref`` server with ``ThreadingMixIn``: no extra dependency, one thread
per connection (the suite under pytest-xdist makes concurrent requests), and Nagle's
algorithm off so a keep-alive client is not delayed ~40 ms per request.
"""
from __future__ import annotations

import io
import socketserver
import threading
from typing import Any, Iterable
from http.server import BaseHTTPRequestHandler
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer, make_server

from ..versions import Version, documented, LATEST
from .app import CLOSE, DRAIN_LIMIT, MAX_REQUEST_BYTES, OUTBOX_PATH, REFUSAL, SERVICE_PATH, XMLServiceApp
from .catalog import Catalog
from .fixtures import email_for
from .root import full_catalog
from .seeding import create_and_seed
from .state import State


class _KeepAliveServerHandler(ServerHandler):
    http_version = "1.1"

    def cleanup_headers(self) -> None:
        """Say ``Connection: close`` when the connection will be closed after this reply.

        A keep-alive client that asked for close (or whose body we could not read) must
        not reuse the socket: without the header it would, and its next call would fail.
        """
        super().cleanup_headers()
        rh = self.request_handler
        asked = "close" in self.environ.get("HTTP_CONNECTION", "").lower()
        if asked or rh.close_connection or self.environ.get(CLOSE):
            rh.close_connection = True
            self.headers["Connection"] = "close"

    def close(self) -> None:  # the stdlib's logs every request to stderr; we don't
        try:
            self.request_handler.log_request(self.status.split(" ", 1)[0], self.bytes_sent)
        finally:
            super(ServerHandler, self).close()


class _Handler(WSGIRequestHandler):
    """wsgiref's handler serves one request per connection; this one keeps HTTP/1.1
    connections open (a client reusing its connection saves a TCP handshake per call)."""

    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection is closed after a minute

    def handle(self) -> None:
        BaseHTTPRequestHandler.handle(self)  # loops over handle_one_request

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except (TimeoutError, OSError):
            self.close_connection = True
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.requestline, self.request_version, self.command = "", "", ""
            self.send_error(414)
            self.close_connection = True
            return
        if not self.parse_request():
            self.close_connection = True
            return
        path = self.path.split("?", 1)[0]
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        # Only the service path reads (or drains) a request body; anything else, or a body
        # too large to drain, leaves bytes unread on the connection: close it afterwards.
        if self.command != "POST" and length:
            self.close_connection = True
        if self.command == "POST" and (path != SERVICE_PATH or length < 0 or length > DRAIN_LIMIT):
            self.close_connection = True
        environ = self.get_environ()
        stdin = self.rfile
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            # Java and .NET clients often stream requests chunked; wsgiref does not decode it.
            body, refusal = self._read_chunked()
            stdin = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            if refusal:
                environ[REFUSAL] = refusal
                self.close_connection = True
        handler = _KeepAliveServerHandler(stdin, self.wfile, self.get_stderr(), environ, multithread=True)
        handler.request_handler = self
        handler.run(self.server.get_app())
        if environ.get(CLOSE):
            self.close_connection = True
        self.wfile.flush()

    def _read_chunked(self) -> tuple[bytes, str | None]:
        """The body of a chunked request, or (b"", why) when it is malformed or too large."""
        parts, total = [], 0
        try:
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";", 1)[0].strip() or b"x", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailer fields
                    return b"".join(parts), None
                total += size
                if total > MAX_REQUEST_BYTES:
                    return b"", f"Request too large: the chunked body exceeds the {MAX_REQUEST_BYTES}-byte limit"
                chunk = self.rfile.read(size)
                if len(chunk) != size:
                    return b"", "Invalid request: the chunked body ended early"
                self.rfile.readline(8)
                parts.append(chunk)
        except (ValueError, OSError):
            return b"", "Invalid request: malformed chunked body"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class ReferenceServer:
    """``with ReferenceServer("42.6.0") as srv: srv.url`` — a live server on loopback."""

    def __init__(self, version: str | Version = LATEST, defects: Iterable[str] = (), db: str | None = None,
                 host: str = "127.0.0.1", port: int = 0, test_paths: bool = False,
                 site_overrides: dict[str, dict[str, Any]] | None = None, catalog: Catalog | None = None):
        self.version = documented(version)
        self.catalog = catalog or full_catalog()
        self.defects = self.catalog.check_defects(defects)
        self.state = State(db or ":memory:")
        self.seed = create_and_seed(self.state, self.catalog, site_overrides=site_overrides)
        self.app = XMLServiceApp(self.state, self.version, self.catalog, self.defects, test_paths=test_paths)
        self.host, self.port = host, port
        self.test_paths = test_paths
        self._httpd: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "ReferenceServer":
        self._httpd = make_server(self.host, self.port, self.app, server_class=_ThreadingWSGIServer,
                                  handler_class=_Handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name=f"reference-server-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "ReferenceServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + SERVICE_PATH

    @property
    def outbox_url(self) -> str | None:
        return self.base_url + OUTBOX_PATH if self.test_paths else None

    @property
    def info(self) -> dict[str, Any]:
        """What ``webex-conformance serve`` prints first: enough for any client to log in."""
        return {
            "url": self.url,
            "siteName": self.seed.sites["main"].site_name,
            "apiVersion": str(self.version),
            "accounts": {role: login.wire() for role, login in self.seed.accounts.items()},
            "accessToken": self.seed.token,
            "sites": {key: ids.wire() for key, ids in self.seed.sites.items()},
            "outbox": self.outbox_url,
            "defects": sorted(self.defects),
            "values": self.values,   # the placeholder values a target configuration needs
        }

    @property
    def values(self) -> dict[str, str]:
        """Placeholder values for case bodies (docs/CASES.md), as a real site's config would give."""
        v: dict[str, str] = {}
        main = self.seed.sites["main"]
        v["site.name"] = main.site_name
        v["site.id"] = main.site_id
        v["site.partnerID"] = main.partner_id
        for role, login in self.seed.accounts.items():
            v[f"users.{role}.webExID"] = login.webex_id
            v[f"users.{role}.email"] = email_for(login.webex_id, main.site_name)
        if self.outbox_url:
            v["mail.url"] = self.outbox_url
        v.update(self.seed.values)
        return v
