"""Transport against tiny loopback servers that misbehave in the ways real endpoints do."""
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conformance.config import TransportSettings
from conformance.transport import (EndpointUnreachable, Exchange, RateLimiter, Transport,
                                   TransportError)

OK_BODY = b'<?xml version="1.0"?><serv:message xmlns:serv="urn:x"/>'


def fast(**kw) -> TransportSettings:
    base = dict(connect_timeout=1.0, read_timeout=1.0, retries=2, backoff=0.01, rate_limit=None)
    base.update(kw)
    return TransportSettings(**base)


@contextmanager
def serve(behaviour):
    """Run ``behaviour(handler, state)`` for each POST; yields (url, state)."""
    state = {"attempts": 0, "release": threading.Event(), "requests": []}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def do_POST(self):
            state["attempts"] += 1
            length = int(self.headers.get("Content-Length", 0))
            state["requests"].append((dict(self.headers), self.rfile.read(length)))
            behaviour(self, state)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/WBXService/XMLService", state
    finally:
        state["release"].set()
        server.shutdown()
        server.server_close()


def reply(handler, status=200, body=OK_BODY, headers=()):
    handler.send_response(status)
    handler.send_header("Content-Type", "text/xml;charset=UTF-8")
    handler.send_header("Content-Length", str(len(body)))
    for k, v in headers:
        handler.send_header(k, v)
    handler.end_headers()
    handler.wfile.write(body)


def normal(handler, state):
    reply(handler)


def test_normal_exchange():
    with serve(normal) as (url, state), Transport(fast()) as t:
        ex = t.send(url, b"<req/>", idempotent=False)
        ex2 = t.send(url, b"<req2/>", idempotent=True)
    assert isinstance(ex, Exchange)
    assert (ex.status, ex.reason, ex.body, ex.attempts) == (200, "OK", OK_BODY, 1)
    assert ex.headers["content-type"] == "text/xml;charset=UTF-8"
    assert ex.request == b"<req/>" and ex.url == url and ex.elapsed_ms > 0
    assert ex2.body == OK_BODY
    headers, sent = state["requests"][0]
    assert sent == b"<req/>"
    assert headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert headers["User-Agent"].startswith("webex-conformance/")


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_refused_is_retried_then_unreachable():
    url = f"http://127.0.0.1:{closed_port()}/WBXService/XMLService"
    with Transport(fast(retries=2)) as t:
        with pytest.raises(EndpointUnreachable) as err:
            t.send(url, b"<req/>", idempotent=False)   # nothing was sent: retried anyway
    e = err.value
    assert e.attempts == 3 and e.url == url
    assert "connection refused" in e.reason
    assert str(e).startswith(f"cannot reach {url}") and "\n" not in str(e)
    assert isinstance(e, TransportError)


def test_dns_failure_is_unreachable():
    with Transport(fast(retries=0)) as t:
        with pytest.raises(EndpointUnreachable, match="DNS lookup failed for no-such-host.invalid"):
            t.send("http://no-such-host.invalid/x", b"<r/>", idempotent=True)


def hang(handler, state):
    state["release"].wait(5)


def test_read_timeout_not_retried_when_not_idempotent():
    with serve(hang) as (url, state), Transport(fast(read_timeout=0.3, retries=2)) as t:
        with pytest.raises(TransportError) as err:
            t.send(url, b"<req/>", idempotent=False)
        assert state["attempts"] == 1
    assert str(err.value) == f"no answer within 0.3 s from {url}"
    assert not isinstance(err.value, EndpointUnreachable)


def test_read_timeout_retried_when_idempotent():
    with serve(hang) as (url, state), Transport(fast(read_timeout=0.3, retries=1)) as t:
        with pytest.raises(TransportError, match="no answer within 0.3 s"):
            t.send(url, b"<req/>", idempotent=True)
        assert state["attempts"] == 2


def flaky(handler, state):
    if state["attempts"] == 1:
        reply(handler, 503, b"<html><title>Service Unavailable</title></html>")
    else:
        reply(handler)


def test_503_then_200_retried_when_idempotent():
    with serve(flaky) as (url, state), Transport(fast()) as t:
        ex = t.send(url, b"<req/>", idempotent=True)
    assert (ex.status, ex.attempts, state["attempts"]) == (200, 2, 2)


def test_503_returned_when_not_idempotent():
    with serve(flaky) as (url, state), Transport(fast()) as t:
        ex = t.send(url, b"<req/>", idempotent=False)
    assert (ex.status, ex.attempts, state["attempts"]) == (503, 1, 1)


def test_persistent_503_returned_after_retries():
    with serve(lambda h, s: reply(h, 503, b"busy")) as (url, state), Transport(fast(retries=2)) as t:
        ex = t.send(url, b"<req/>", idempotent=True)
    assert (ex.status, ex.attempts, state["attempts"]) == (503, 3, 3)


def test_failure_envelope_is_not_retried():
    failure = b"<serv:message><serv:result>FAILURE</serv:result></serv:message>"
    with serve(lambda h, s: reply(h, 200, failure)) as (url, state), Transport(fast()) as t:
        ex = t.send(url, b"<req/>", idempotent=True)
    assert ex.body == failure and state["attempts"] == 1


def test_429_retried_even_when_not_idempotent():
    def limited(handler, state):
        reply(handler, 429 if state["attempts"] == 1 else 200, headers=[("Retry-After", "0")])
    with serve(limited) as (url, state), Transport(fast()) as t:
        ex = t.send(url, b"<req/>", idempotent=False)
    assert (ex.status, state["attempts"]) == (200, 2)


def big(handler, state):
    handler.send_response(200)
    handler.send_header("Content-Type", "text/xml")
    handler.send_header("Transfer-Encoding", "chunked")   # no Content-Length: must count
    handler.end_headers()
    chunk = b"x" * 65536
    try:
        for _ in range(160):                                # 10 MB
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        handler.wfile.write(b"0\r\n\r\n")
    except OSError:
        pass


def test_response_over_cap_refused():
    with serve(big) as (url, _), Transport(fast(max_response_bytes=1024 * 1024)) as t:
        with pytest.raises(TransportError) as err:
            t.send(url, b"<req/>", idempotent=True)
    assert str(err.value).startswith(f"response larger than {1024 * 1024} bytes")


def test_content_length_over_cap_refused_before_reading():
    body = b"y" * 20000
    with serve(lambda h, s: reply(h, 200, body)) as (url, state), \
            Transport(fast(max_response_bytes=10000)) as t:
        with pytest.raises(TransportError, match="response larger than 10000 bytes"):
            t.send(url, b"<req/>", idempotent=True)
        assert state["attempts"] == 1


def test_redirect_returned_not_followed():
    def redirect(handler, state):
        reply(handler, 302, b"", headers=[("Location", "http://elsewhere.invalid/login")])
    with serve(redirect) as (url, state), Transport(fast()) as t:
        ex = t.send(url, b"<req/>", idempotent=True)
    assert ex.status == 302 and ex.headers["location"] == "http://elsewhere.invalid/login"
    assert state["attempts"] == 1


def test_connection_closed_without_answer():
    def slam(handler, state):
        handler.close_connection = True
        handler.connection.shutdown(socket.SHUT_RDWR)
    with serve(slam) as (url, state), Transport(fast(retries=1)) as t:
        with pytest.raises(TransportError) as err:
            t.send(url, b"<req/>", idempotent=False)
        assert state["attempts"] == 1
    assert "closed the connection" in str(err.value) or "reset" in str(err.value)


def test_tls_failure_named():
    with serve(normal) as (url, _), Transport(fast(retries=2)) as t:
        with pytest.raises(TransportError) as err:
            t.send(url.replace("http://", "https://"), b"<req/>", idempotent=True)
    assert "TLS" in str(err.value) and "\n" not in str(err.value)
    assert not isinstance(err.value, EndpointUnreachable)


@pytest.mark.parametrize("url", ["ftp://x/y", "not a url", ""])
def test_bad_url(url):
    with Transport(fast()) as t, pytest.raises(TransportError, match="not an http"):
        t.send(url, b"<r/>", idempotent=True)


def test_password_in_url_masked_in_errors():
    url = f"http://127.0.0.1:{closed_port()}/x?password=topsecret"
    with Transport(fast(retries=0)) as t, pytest.raises(EndpointUnreachable) as err:
        t.send(url, b"<r/>", idempotent=True)
    assert "topsecret" not in str(err.value)


def test_rate_limiter_spaces_request_starts(monkeypatch):
    clock = {"t": 100.0}
    sleeps = []
    monkeypatch.setattr("conformance.transport.time.monotonic", lambda: clock["t"])
    monkeypatch.setattr("conformance.transport.time.sleep", sleeps.append)
    limiter = RateLimiter(4.0)
    for _ in range(3):
        limiter.wait()
    assert sleeps == [0.25, 0.5]
    RateLimiter(None).wait()
    assert len(sleeps) == 2


def test_rate_limit_applies_between_attempts(monkeypatch):
    waits = []
    with serve(normal) as (url, _), Transport(fast(rate_limit=1000.0)) as t:
        monkeypatch.setattr(t.limiter, "wait", lambda: waits.append(1))
        t.send(url, b"<r/>", idempotent=True)
        t.send(url, b"<r/>", idempotent=True)
    assert len(waits) == 2
