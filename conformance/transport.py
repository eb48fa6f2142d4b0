"""Send request bytes to an endpoint and bring back exactly what came back.

The transport never judges an answer: a 3xx, a 5xx or a FAILURE envelope is returned as
an ``Exchange`` for the response stage to explain.  It only decides what is safe to
retry: a request that never left (connection refused, DNS, connect timeout) always is;
one that may have reached the server (read timeout, 502/503/504) only when the caller
says the API is idempotent, since repeating a CreateMeeting would create two.  It keeps
one session for keep-alive, paces requests so a real site is not hammered, and caps
the bytes it will read.
"""
from __future__ import annotations

import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from requests import exceptions as rex

from . import errors
from .config import TransportSettings
from .errors import one_line
from .masking import mask
from .retry_after import retry_after_seconds

__all__ = ["Exchange", "Transport", "WSGITransport", "TransportError", "EndpointUnreachable", "RateLimiter",
           "RETRYABLE_STATUS"]

RETRYABLE_STATUS = frozenset({502, 503, 504})
_ALWAYS_RETRY_STATUS = frozenset({429})   # refused before processing: safe to repeat
_MAX_RETRY_AFTER = 5.0
_CHUNK = 64 * 1024


class TransportError(Exception):
    """The request could not be completed; the message is one line without secrets."""


class EndpointUnreachable(TransportError, errors.Unreachable):
    """No connection could be made: nothing was sent (the CLI exits with code 3)."""

    def __init__(self, url: str, reason: str, attempts: int = 1):
        self.url = url
        self.reason = reason
        self.attempts = attempts
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        super().__init__(f"cannot reach {url}: {reason}{tries}")


@dataclass
class Exchange:
    url: str
    request: bytes
    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)   # lower-case names
    body: bytes = b""
    elapsed_ms: float = 0.0
    attempts: int = 1


class RateLimiter:
    """At most ``rate`` request starts per second, across threads."""

    def __init__(self, rate: float | None):
        self.interval = 0.0 if not rate else 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if self.interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        delay = start - now
        if delay > 0:
            time.sleep(delay)


class _Failure(Exception):
    """One attempt's failure, classified: connect (nothing sent), read, tls or fatal."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (args, .reason, __cause__, __context__)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo and len(seen) < 30:
        e = todo.pop(0)
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        todo.extend(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))
        for attr in ("reason", "__cause__", "__context__"):
            v = getattr(e, attr, None)
            if isinstance(v, BaseException):
                todo.append(v)
    return seen


def _classify(exc: BaseException, settings: TransportSettings, host: str) -> _Failure:
    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}
    if isinstance(exc, rex.SSLError) or any(isinstance(e, ssl.SSLError) for e in chain):
        detail = next((str(e) for e in chain if isinstance(e, ssl.SSLError)), str(exc))
        if "CERTIFICATE_VERIFY_FAILED" in detail:
            detail = "certificate verification failed (set verify_tls to a CA bundle path if the site uses a private CA)"
        elif "WRONG_VERSION_NUMBER" in detail:
            detail = "the server did not answer TLS (is the endpoint http://, not https://?)"
        return _Failure("tls", f"TLS failure with {host}: {one_line(detail, 120)}")
    if isinstance(exc, rex.ConnectTimeout) or "ConnectTimeoutError" in names:
        return _Failure("connect", f"connect timeout after {settings.connect_timeout} s")
    if any(isinstance(e, socket.gaierror) for e in chain) or "NameResolutionError" in names:
        return _Failure("connect", f"DNS lookup failed for {host}")
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return _Failure("connect", "connection refused")
    if "NewConnectionError" in names:
        os_err = next((e for e in chain if isinstance(e, OSError) and e.strerror), None)
        return _Failure("connect", (os_err.strerror.lower() if os_err else "connection failed"))
    if isinstance(exc, rex.ReadTimeout) or "ReadTimeoutError" in names or \
            any(isinstance(e, (socket.timeout, TimeoutError)) for e in chain):
        return _Failure("timeout", f"no answer within {settings.read_timeout} s")
    if isinstance(exc, (rex.ConnectionError, rex.ChunkedEncodingError)) or \
            any(isinstance(e, (ConnectionError, OSError)) for e in chain):
        if "RemoteDisconnected" in names:
            return _Failure("read", "the server closed the connection without answering")
        if any(isinstance(e, ConnectionResetError) for e in chain):
            return _Failure("read", "connection reset by the server")
        return _Failure("read", "connection broken while reading the answer")
    if isinstance(exc, (rex.InvalidURL, rex.MissingSchema, rex.InvalidSchema)):
        return _Failure("fatal", "not a valid http(s) URL")
    return _Failure("fatal", f"{type(exc).__name__}: {one_line(str(exc), 120)}")


def _retry_after(headers: dict[str, str]) -> float:
    return min(_MAX_RETRY_AFTER, retry_after_seconds(headers.get("retry-after")))


class Transport:
    """POSTs request envelopes over one keep-alive session; see the module docstring."""

    def __init__(self, settings: TransportSettings | None = None):
        self.settings = settings or TransportSettings()
        self.session = requests.Session()
        self.session.trust_env = False   # no proxy or netrc surprises: the config says where
        self.session.headers.update({
            "User-Agent": self.settings.user_agent,
            "Content-Type": "text/xml; charset=UTF-8",
            "Accept": "text/xml, application/xml;q=0.9, */*;q=0.1",
        })
        self.limiter = RateLimiter(self.settings.rate_limit)
        # statuses retried whatever the API; conformance.site_guard takes 429 over when it wraps us
        self.retry_status_always = _ALWAYS_RETRY_STATUS

    def __enter__(self) -> "Transport":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def _attempt(self, url: str, data: bytes, host: str, method: str = "POST") -> Exchange:
        s = self.settings
        self.limiter.wait()
        started = time.perf_counter()
        try:
            resp = self.session.request(method, url, data=data if method != "GET" else None, timeout=(s.connect_timeout, s.read_timeout),
                                        verify=s.verify_tls, allow_redirects=False, stream=True)
        except rex.RequestException as exc:
            raise _classify(exc, s, host) from None
        except (OSError, ValueError) as exc:
            raise _classify(exc, s, host) from None
        try:
            headers = {k.lower(): v for k, v in resp.headers.items()}
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > s.max_response_bytes:
                raise _Failure("fatal", f"response larger than {s.max_response_bytes} bytes "
                                        f"(Content-Length {declared})")
            chunks, size = [], 0
            try:
                for chunk in resp.iter_content(_CHUNK):
                    size += len(chunk)
                    if size > s.max_response_bytes:
                        raise _Failure("fatal", f"response larger than {s.max_response_bytes} bytes")
                    chunks.append(chunk)
            except _Failure:
                raise
            except (rex.RequestException, OSError, ValueError) as exc:
                raise _classify(exc, s, host) from None
            except Exception as exc:  # urllib3 errors that requests does not wrap
                raise _classify(exc, s, host) from None
            return Exchange(url, data, resp.status_code, resp.reason or "", headers, b"".join(chunks),
                            (time.perf_counter() - started) * 1000.0)
        finally:
            resp.close()

    def get(self, url: str) -> Exchange:
        """A GET with the same settings (proxies, TLS, timeouts, size cap) as the requests,
        e.g. for a target's mail sink; retried like any idempotent request."""
        return self.send(url, b"", idempotent=True, method="GET")

    def send(self, url: str, data: bytes, idempotent: bool, method: str = "POST") -> Exchange:
        """One request, retried as the module docstring says; raises TransportError."""
        s = self.settings
        shown = mask(url)
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise TransportError(f"not an http(s) URL: {shown!r}")
        if not isinstance(data, (bytes, bytearray)):
            raise TransportError(f"request data must be bytes, not {type(data).__name__}")
        host = parts.hostname
        attempts = 0
        while True:
            attempts += 1
            last = attempts > s.retries
            delay = s.backoff * (2 ** (attempts - 1))
            try:
                ex = self._attempt(url, bytes(data), host, method)
            except _Failure as f:
                if f.kind == "connect":
                    if last:
                        raise EndpointUnreachable(shown, f.reason, attempts) from None
                elif f.kind == "timeout":
                    if last or not idempotent:
                        raise TransportError(f"{f.reason} from {shown}"
                                             + (f" ({attempts} attempts)" if attempts > 1 else "")) from None
                elif f.kind == "read":
                    if last or not idempotent:
                        raise TransportError(f"{f.reason} ({shown})") from None
                else:  # tls, fatal: repeating cannot help
                    raise TransportError(f"{f.reason} ({shown})") from None
                time.sleep(delay)
                continue
            ex.attempts = attempts
            retryable = ex.status in self.retry_status_always or (idempotent and ex.status in RETRYABLE_STATUS)
            if retryable and not last:
                time.sleep(max(delay, _retry_after(ex.headers)))
                continue
            return ex


class WSGITransport:
    """Sends to a WSGI application in this process instead of over HTTP.

    For the embedded reference server when a worker wants it without sockets, threads or a
    second interpreter's share of the GIL: the same bytes in, the same ``Exchange`` out
    (status, lower-case headers, body), so everything after the transport cannot tell.
    Only the HTTP layer is skipped; use ``Transport`` for any real endpoint.
    """

    def __init__(self, app, settings: TransportSettings | None = None):
        self.app = app
        self.settings = settings or TransportSettings()

    def __enter__(self) -> "WSGITransport":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release: there is no connection."""

    def get(self, url: str) -> Exchange:
        """A GET through the application (the reference server's mail outbox)."""
        return self.send(url, b"", idempotent=True, method="GET")

    def send(self, url: str, data: bytes, idempotent: bool,  # noqa: ARG002 - never retried
             method: str = "POST") -> Exchange:
        import io

        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise TransportError(f"not an http(s) URL: {mask(str(url))!r}")
        if not isinstance(data, (bytes, bytearray)):
            raise TransportError(f"request data must be bytes, not {type(data).__name__}")
        data = bytes(data)
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": parts.path or "/", "QUERY_STRING": parts.query,
            "SERVER_NAME": parts.hostname, "SERVER_PORT": str(parts.port or (443 if parts.scheme == "https" else 80)),
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "text/xml; charset=UTF-8", "CONTENT_LENGTH": str(len(data)),
            "HTTP_USER_AGENT": self.settings.user_agent, "HTTP_HOST": parts.netloc,
            "wsgi.input": io.BytesIO(data), "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0),
            "wsgi.url_scheme": parts.scheme, "wsgi.multithread": False, "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        answer: dict = {}

        def start_response(status, headers, exc_info=None):  # noqa: ARG001
            answer["status"], answer["headers"] = status, headers

        limit = self.settings.max_response_bytes
        started = time.perf_counter()
        try:
            chunks, size = [], 0
            body_iter = self.app(environ, start_response)
            try:
                for chunk in body_iter:
                    size += len(chunk)
                    if size > limit:
                        raise TransportError(f"response larger than {limit} bytes ({mask(url)})")
                    chunks.append(chunk)
            finally:
                close = getattr(body_iter, "close", None)
                if close is not None:
                    close()
        except TransportError:
            raise
        except Exception as exc:  # the application crashed: what a server would answer as 500
            raise TransportError(f"the application failed: {type(exc).__name__}: {one_line(str(exc), 120)}") from None
        code, _, reason = str(answer.get("status", "500 Internal Server Error")).partition(" ")
        headers = {k.lower(): v for k, v in answer.get("headers", [])}
        return Exchange(url, data, int(code), reason, headers, b"".join(chunks),
                        (time.perf_counter() - started) * 1000.0)
