"""WSGITransport: the reference server's application called in-process, no socket."""
import pytest

from conformance.config import TransportSettings
from conformance.embedded import target_for_server
from conformance.envelope import build_envelope
from conformance.server.serve import ReferenceServer
from conformance.transport import Transport, TransportError, WSGITransport


def _request(target) -> bytes:
    access = target.sites["main"]
    return build_envelope("ep", "GetAPIVersion", "", access.credentials["site-admin"], access.site_name)


def test_same_exchange_as_over_http():
    with ReferenceServer("39.2.0") as srv:
        target = target_for_server(srv)
        data = _request(target)
        with Transport(target.transport) as http:
            over_http = http.send(srv.url, data, idempotent=True)
        in_process = WSGITransport(srv.app, target.transport).send(srv.url, data, idempotent=True)
    assert in_process.status == over_http.status == 200
    assert in_process.body == over_http.body and b"<ep:apiVer>39.2.0</ep:apiVer>" in in_process.body
    assert in_process.headers["content-type"] == over_http.headers["content-type"]
    assert in_process.request == data and in_process.attempts == 1


def test_an_http_error_of_the_application_is_an_exchange_not_an_exception():
    def app(environ, start_response):
        assert environ["REQUEST_METHOD"] == "POST" and environ["wsgi.input"].read() == b"<x/>"
        start_response("503 Service Unavailable", [("Content-Type", "text/html")])
        return [b"<html><title>down</title></html>"]
    ex = WSGITransport(app).send("http://h/WBXService/XMLService", b"<x/>", idempotent=True)
    assert (ex.status, ex.reason, ex.headers["content-type"]) == (503, "Service Unavailable", "text/html")


def test_crash_oversize_and_bad_input_are_one_line_transport_errors():
    def crash(environ, start_response):
        raise RuntimeError("boom\nsecond line")

    def huge(environ, start_response):
        start_response("200 OK", [])
        return [b"x" * 600, b"y" * 600]
    with pytest.raises(TransportError, match="the application failed: RuntimeError: boom second line"):
        WSGITransport(crash).send("http://h/x", b"", idempotent=True)
    with pytest.raises(TransportError, match="larger than 1000 bytes"):
        WSGITransport(huge, TransportSettings(max_response_bytes=1000)).send("http://h/x", b"", idempotent=True)
    with pytest.raises(TransportError, match="not an http"):
        WSGITransport(huge).send("ftp://h/x", b"", idempotent=True)
    with pytest.raises(TransportError, match="must be bytes"):
        WSGITransport(huge).send("http://h/x", "text", idempotent=True)


def test_get_reads_the_outbox_in_process():
    srv = ReferenceServer("42.6.0", test_paths=True)   # never started: no socket at all
    t = WSGITransport(srv.app)
    ex = t.get(srv.outbox_url)
    assert ex.status == 200 and ex.body.strip() == b"[]"
    assert t.get(srv.url.replace("/WBXService/XMLService", "/no-such-path")).status == 404
