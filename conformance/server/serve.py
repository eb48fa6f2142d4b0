"""Serve the reference server over real HTTP on loopback.

A small HTTP/1.1 request loop of our own on ``socketserver`` (stdlib only): one thread
per connection (the suite under pytest-xdist makes concurrent requests), keep-alive,
chunked request bodies decoded (Java and .NET clients stream them), ``Connection: close``
answered in kind, and Nagle's algorithm off so a keep-alive client is not delayed ~40 ms
per request.  wsgiref did the same at about three times the CPU per request (it copies
``os.environ``, parses headers with the email package and writes a reply in several
system calls); here headers are split by hand and a reply goes out in one ``sendall``.
Input that is not HTTP gets a one-line 4xx answer and the connection closed, never a
traceback.  ``stop()`` also closes idle keep-alive connections, so no thread outlives it.
"""
from __future__ import annotations

import email.utils
import io
import logging
import socket
import socketserver
import sys
import threading
import time
from typing import Any, Callable, Iterable
from urllib.parse import unquote

from ..versions import Version, documented, LATEST
from .app import CLOSE, DRAIN_LIMIT, MAX_REQUEST_BYTES, OUTBOX_PATH, REFUSAL, SERVICE_PATH, XMLServiceApp
from .catalog import Catalog
from .fixtures import email_for
from .root import full_catalog
from .seeding import create_and_seed
from .state import State

log = logging.getLogger("webex_conformance.server")

MAX_LINE = 65536      # a request line or header line longer than this is refused
MAX_HEADERS = 100
IDLE_SECONDS = 60     # an idle keep-alive connection is closed after a minute
SERVER_NAME = "webex-conformance-reference"
_REASONS = {400: "Bad Request", 414: "URI Too Long", 431: "Request Header Fields Too Large",
            500: "Internal Server Error", 505: "HTTP Version Not Supported"}


class _Refused(Exception):
    """A request the HTTP layer answers itself (status, one-line reason) before closing."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


class _Dates:
    """The Date header, formatted once a second rather than once a request."""

    def __init__(self) -> None:
        self._second, self._text = -1, ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._text, self._second = email.utils.formatdate(second, usegmt=True), second
        return self._text


class _Connection(socketserver.StreamRequestHandler):
    """One client connection: requests are answered in order until either side closes."""

    disable_nagle_algorithm = True
    timeout = IDLE_SECONDS
    server: "_HTTPServer"

    def handle(self) -> None:
        self.server.opened(self.connection)
        try:
            while self._one():
                pass
        except OSError:
            pass  # the client went away (reset, timeout) or stop() closed the connection
        finally:
            self.server.closed(self.connection)

    def _one(self) -> bool:
        """Answer one request; whether the connection stays open for another."""
        line = self.rfile.readline(MAX_LINE + 1)
        if not line:
            return False
        if line in (b"\r\n", b"\n"):  # a stray CRLF between requests is allowed (RFC 9112 2.2)
            return True
        try:
            method, target, proto, headers = self._head(line)
        except _Refused as r:
            self._send(f"{r.status} {_REASONS[r.status]}", [("Content-Type", "text/plain")],
                       r.reason.encode() + b"\n", close=True)
            return False
        keep = (proto == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()) or \
               (proto == "HTTP/1.0" and "keep-alive" in headers.get("connection", "").lower())
        path, _, query = target.partition("?")
        environ = self._environ(method, unquote(path, "iso-8859-1"), query, proto, headers)
        length_text = headers.get("content-length", "")
        try:
            length = int(length_text or 0)
        except ValueError:
            length = -1
        # Only the service path reads (or drains) a request body; anything else, or a body
        # too large to drain, leaves bytes unread on the connection: close it afterwards.
        if method != "POST" and length:
            keep = False
        if method == "POST" and (path != SERVICE_PATH or length < 0 or length > DRAIN_LIMIT):
            keep = False
        if "100-continue" in headers.get("expect", "").lower() and proto == "HTTP/1.1":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body, refusal = self._read_chunked()
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            if refusal:
                environ[REFUSAL] = refusal
                keep = False
        status, reply_headers, data = self._call(environ)
        if environ.get(CLOSE) or status.startswith("500"):
            keep = False
        if keep and proto == "HTTP/1.0":  # a 1.0 client keeps the connection only when told so
            reply_headers = [*reply_headers, ("Connection", "keep-alive")]
        self._send(status, reply_headers, b"" if method == "HEAD" else data, close=not keep,
                   length=len(data))
        return keep

    def _head(self, line: bytes) -> tuple[str, str, str, dict[str, str]]:
        """(method, target, protocol, headers by lower-case name) or _Refused."""
        if len(line) > MAX_LINE:
            raise _Refused(414, "request line too long")
        parts = line.decode("iso-8859-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            raise _Refused(400, f"not an HTTP request line: {line[:80]!r}")
        method, target, proto = parts
        if proto not in ("HTTP/1.0", "HTTP/1.1"):
            raise _Refused(505 if proto[5:6].isdigit() else 400, f"unsupported protocol {proto[:20]!r}")
        headers: dict[str, str] = {}
        name = ""
        for _ in range(MAX_HEADERS + 1):
            raw = self.rfile.readline(MAX_LINE + 1)
            if len(raw) > MAX_LINE:
                raise _Refused(431, "header line too long")
            if raw in (b"\r\n", b"\n", b""):
                return method, target, proto, headers
            text = raw.decode("iso-8859-1").rstrip("\r\n")
            if text[:1] in (" ", "\t") and name:  # obsolete line folding: part of the previous value
                headers[name] += " " + text.strip()
                continue
            name, colon, value = text.partition(":")
            name = name.strip().lower()
            if not colon or not name:
                raise _Refused(400, f"malformed header line: {raw[:80]!r}")
            headers[name] = f"{headers[name]}, {value.strip()}" if name in headers else value.strip()
        raise _Refused(431, f"more than {MAX_HEADERS} header lines")

    def _environ(self, method: str, path: str, query: str, proto: str, headers: dict[str, str]) -> dict[str, Any]:
        host, port = self.server.server_address[:2]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_NAME": host, "SERVER_PORT": str(port), "SERVER_PROTOCOL": proto,
            "REMOTE_ADDR": self.client_address[0], "CONTENT_TYPE": headers.get("content-type", ""),
            "CONTENT_LENGTH": headers.get("content-length", ""),
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": self.rfile, "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
        }
        for name, value in headers.items():
            if name not in ("content-type", "content-length"):
                environ["HTTP_" + name.upper().replace("-", "_")] = value
        return environ

    def _call(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        """The app's (status, headers, body); a 500 if it raised (it should never)."""
        answer: list = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            answer[:] = [status, headers]
            return lambda data: None  # the legacy write() callable; the app never uses it

        try:
            data = b"".join(self.server.app(environ, start_response))
        except Exception as exc:  # noqa: BLE001 - the connection must get an answer
            return "500 Internal Server Error", [("Content-Type", "text/plain")], \
                f"internal error in the reference server: {type(exc).__name__}\n".encode()
        return answer[0], answer[1], data

    def _send(self, status: str, headers: list[tuple[str, str]], data: bytes, close: bool,
              length: int | None = None) -> None:
        lines = [f"HTTP/1.1 {status}", f"Date: {self.server.dates.now()}", f"Server: {SERVER_NAME}"]
        lines += [f"{k}: {v}" for k, v in headers if k.lower() != "content-length"
                  and not (close and k.lower() == "connection")]
        lines.append(f"Content-Length: {len(data) if length is None else length}")
        if close:
            lines.append("Connection: close")
        self.wfile.write("\r\n".join(lines).encode("iso-8859-1") + b"\r\n\r\n" + data)

    def _read_chunked(self) -> tuple[bytes, str | None]:
        """The body of a chunked request, or (b"", why) when it is malformed or too large."""
        parts, total = [], 0
        try:
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";", 1)[0].strip() or b"x", 16)
                if size < 0:
                    raise ValueError(line)
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


class _HTTPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: Callable):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.app = app
        self.dates = _Dates()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line in the log, not socketserver's traceback on stderr."""
        log.warning("connection from %s ended by %s", client_address[0], sys.exc_info()[1].__class__.__name__)

    def opened(self, sock: socket.socket) -> None:
        with self._open_lock:
            self._open.add(sock)

    def closed(self, sock: socket.socket) -> None:
        with self._open_lock:
            self._open.discard(sock)

    def close_connections(self) -> None:
        """Wake every connection thread (idle keep-alive ones block in a read for a minute)."""
        with self._open_lock:
            socks = list(self._open)
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class ReferenceServer:
    """``with ReferenceServer("42.6.0") as srv: srv.url`` — a live server on loopback."""

    def __init__(self, version: str | Version = LATEST, defects: Iterable[str] = (), db: str | None = None,
                 host: str = "127.0.0.1", port: int = 0, test_paths: bool = False, request_log: bool | None = None,
                 site_overrides: dict[str, dict[str, Any]] | None = None, catalog: Catalog | None = None):
        self.version = documented(version)
        self.catalog = catalog or full_catalog()
        self.defects = self.catalog.check_defects(defects)
        self.state = State(db or ":memory:")
        self.seed = create_and_seed(self.state, self.catalog, site_overrides=site_overrides)
        self.app = XMLServiceApp(self.state, self.version, self.catalog, self.defects, test_paths=test_paths,
                                 request_log=request_log)
        self.host, self.port = host, port
        self.test_paths = test_paths
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "ReferenceServer":
        self._httpd = _HTTPServer((self.host, self.port), self.app)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"reference-server-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd.close_connections()
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
