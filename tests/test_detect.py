"""Version detection against a tiny loopback server that answers GetAPIVersion."""
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from lxml import etree

from conformance.config import Credential, SiteAccess, Target, TransportSettings
from conformance.detect import DetectError, detect_version
from conformance.transport import EndpointUnreachable, Transport
from conformance.versions import Version

HEAD = ('<?xml version="1.0" encoding="ISO-8859-1"?><serv:message '
        'xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
        'xmlns:ns9="http://www.webex.com/schemas/2002/06/service/ep">')


def success(inner: str) -> bytes:
    return (HEAD + "<serv:header><serv:response><serv:result>SUCCESS</serv:result>"
            "<serv:gsbStatus>PRIMARY</serv:gsbStatus></serv:response></serv:header><serv:body>"
            '<serv:bodyContent xsi:type="ns9:getAPIVersionResponse" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            + inner + "</serv:bodyContent></serv:body></serv:message>").encode("latin-1")


def failure(xid: str, reason: str) -> bytes:
    return (HEAD + "<serv:header><serv:response><serv:result>FAILURE</serv:result>"
            f"<serv:reason>{reason}</serv:reason><serv:gsbStatus>PRIMARY</serv:gsbStatus>"
            f"<serv:exceptionID>{xid}</serv:exceptionID></serv:response></serv:header>"
            "<serv:body><serv:bodyContent/></serv:body></serv:message>").encode("latin-1")


@contextmanager
def server(answer: bytes, status: int = 200):
    seen: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def do_POST(self):
            seen.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(status)
            self.send_header("Content-Type", "text/xml;charset=ISO-8859-1")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/WBXService/XMLService", seen
    finally:
        srv.shutdown()
        srv.server_close()


def target(url: str, roles=("site-admin", "host")) -> Target:
    creds = {"site-admin": Credential("admin", password="adm-pw"),
             "host": Credential("host1", password="host-pw")}
    site = SiteAccess("example", "243585", None, {r: creds[r] for r in roles})
    return Target("t", url, None, {"main": site},
                  transport=TransportSettings(retries=0, rate_limit=None, read_timeout=2.0))


def detect(answer: bytes, roles=("site-admin", "host"), status: int = 200):
    with server(answer, status) as (url, seen), Transport(target(url).transport) as t:
        result = detect_version(t, target(url, roles))
    return result, seen


def test_api_ver():
    (version, how), seen = detect(success("<ns9:apiVer>42.6.0</ns9:apiVer>"
                                          "<ns9:trainReleaseVersion>T31L</ns9:trainReleaseVersion>"))
    assert version == Version(42, 6, 0)
    assert how == "GetAPIVersion answered apiVer 42.6.0"
    req = etree.fromstring(seen[0])
    assert req.find("body/bodyContent").get("{http://www.w3.org/2001/XMLSchema-instance}type") == \
        "java:com.webex.service.binding.ep.GetAPIVersion"
    assert req.findtext("body/bodyContent/returnTrainReleaseVersion") == "true"
    sc = req.find("header/securityContext")
    assert (sc.findtext("webExID"), sc.findtext("password"), sc.findtext("siteName"),
            sc.findtext("siteID")) == ("admin", "adm-pw", "example", "243585")


def test_api_version_and_release():
    (version, how), _ = detect(success("<ns9:apiVersion>WebEx XML API V11.0.0</ns9:apiVersion>"
                                       "<ns9:release>SP10</ns9:release>"))
    assert version == Version(11, 0, 0, 10)
    assert how == "GetAPIVersion answered apiVersion 'WebEx XML API V11.0.0' release 'SP10'"


def test_release_that_is_not_a_service_pack():
    (version, how), _ = detect(success("<ns9:apiVersion>WebEx XML API V10.0.0</ns9:apiVersion>"
                                       "<ns9:release>EP1</ns9:release>"))
    assert version == Version(10, 0, 0) and "release 'EP1'" in how and "unknown" in how


def test_host_used_when_no_admin():
    _, seen = detect(success("<ns9:apiVer>39.2.0</ns9:apiVer>"), roles=("host",))
    assert etree.fromstring(seen[0]).findtext("header/securityContext/webExID") == "host1"


def test_anonymous_when_no_credential():
    _, seen = detect(success("<ns9:apiVer>39.2.0</ns9:apiVer>"), roles=())
    sc = etree.fromstring(seen[0]).find("header/securityContext")
    assert [c.tag for c in sc] == ["siteName", "siteID"]


@pytest.mark.parametrize("answer,status,fragments", [
    (failure("030002", "Incorrect user or password"), 200,
     ["FAILURE 030002 'Incorrect user or password'", "wrong webExID or password", "as site-admin"]),
    (failure("999999", "Unknown"), 200, ["FAILURE 999999 'Unknown'"]),
    (success("<ns9:apiVersion>banana</ns9:apiVersion>"), 200, ["no readable version", "banana"]),
    (success("<ns9:trainReleaseVersion>T31L</ns9:trainReleaseVersion>"), 200,
     ["neither apiVer nor apiVersion"]),
    (success("<ns9:apiVer>forty-two</ns9:apiVer>"), 200, ["malformed version 'forty-two'"]),
    (b"<html><title>Maintenance</title></html>", 503, ["HTTP 503", "Maintenance"]),
    (b"", 200, ["empty body"]),
])
def test_failures(answer, status, fragments):
    with pytest.raises(DetectError) as err:
        detect(answer, status=status)
    msg = str(err.value)
    assert msg.startswith("GetAPIVersion") and "\n" not in msg
    assert "adm-pw" not in msg
    for f in fragments:
        assert f in msg


def test_unreachable_passes_through():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    url = f"http://127.0.0.1:{port}/WBXService/XMLService"
    with Transport(target(url).transport) as t, pytest.raises(EndpointUnreachable):
        detect_version(t, target(url))
