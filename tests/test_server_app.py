"""The reference server's envelope handling: bad input never gets a 500 or stops it."""
import json
import os
import signal
import subprocess
import sys
import threading

import pytest
import requests
from lxml import etree

from conformance.namespaces import NS
from conformance.server.serve import ReferenceServer

ENV = ('<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
       'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><header><securityContext>{sec}</securityContext></header>'
       '<body><bodyContent xsi:type="java:com.webex.service.binding.{svc}.{api}">{body}</bodyContent></body></serv:message>')


def request(srv, api="GetAPIVersion", svc="ep", body="", sec=None, **creds):
    if sec is None:
        acc = srv.info["accounts"]["admin"]
        sec = (f"<webExID>{creds.get('user', acc['webExID'])}</webExID>"
               f"<password>{creds.get('password', acc['password'])}</password>"
               f"<siteName>{creds.get('site', 'refsite')}</siteName>")
    return ENV.format(sec=sec, svc=svc, api=api, body=body).encode()


def post(srv, data, **kw):
    r = requests.post(srv.url, data=data, timeout=30, **kw)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/xml")
    root = etree.fromstring(r.content)
    ns = {"serv": NS["serv"]}
    return (root.findtext("serv:header/serv:response/serv:result", namespaces=ns),
            root.findtext("serv:header/serv:response/serv:exceptionID", namespaces=ns),
            root.findtext("serv:header/serv:response/serv:reason", namespaces=ns), root)


@pytest.fixture(scope="module")
def srv():
    with ReferenceServer("42.6.0", test_paths=True) as s:
        yield s


def test_get_api_version_succeeds_and_declares_encoding(srv):
    # Real servers declare UTF-8 in the XML and the Content-Type (docs/SERVER.md, "The wire").
    r = requests.post(srv.url, data=request(srv), timeout=10)
    assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?><serv:message')
    assert r.headers["Content-Type"].replace(" ", "").lower() == "text/xml;charset=utf-8"
    assert b"\n" not in r.content  # one line, like real replies
    result, _, _, root = post(srv, request(srv))
    assert result == "SUCCESS"
    assert root.find(".//{%s}bodyContent" % NS["serv"]).get("{%s}type" % NS["xsi"]) == "ep:getAPIVersionResponse"


BOMB = (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><m>&c;</m>')
XXE = b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><m>&x;</m>'


NON_ASCII_NAME = "会議 终极乱码 Ünïcödé 🎉👩‍💻"


def test_non_ascii_names_round_trip_as_utf8_bytes(srv):
    """A CJK/emoji confName comes back as sent, in UTF-8 bytes as declared (no character references)."""
    acc = srv.info["accounts"]["host"]
    sec = (f"<webExID>{acc['webExID']}</webExID><password>{acc['password']}</password>"
           "<siteName>refsite</siteName>")
    body = (f"<metaData><confName>{NON_ASCII_NAME}</confName></metaData>"
            "<schedule><startDate>01/05/2030 10:00:00</startDate><duration>30</duration></schedule>")
    result, _, reason, root = post(srv, request(srv, "CreateMeeting", "meeting", body, sec=sec))
    assert result == "SUCCESS", reason
    key = root.findtext(".//{%s}meetingkey" % NS["meet"])
    got = requests.post(srv.url, data=request(srv, "GetMeeting", "meeting", f"<meetingKey>{key}</meetingKey>",
                                              sec=sec), timeout=30)
    assert NON_ASCII_NAME.encode("utf-8") in got.content
    assert b"&#" not in got.content
    assert etree.fromstring(got.content).findtext(".//{%s}confName" % NS["meet"]) == NON_ASCII_NAME


@pytest.mark.parametrize("data,reason", [
    (b"this is not xml", "Invalid XML request"),
    (b"<serv:message xmlns:serv='http://www.webex.com/schemas/2002/06/service'><header>", "Invalid XML request"),
    (BOMB, "DTD"),
    (XXE, "DTD"),
    (b"<a/>", "root element must be serv:message"),
    (None, "Unknown request type"),
    ("nosec", "missing header/securityContext"),
    ("nobody", "no body/bodyContent"),
    ("future", "Unknown request type"),
])
def test_bad_requests_get_failure_envelopes(srv, data, reason):
    if data is None:
        data = request(srv, api="MakeCoffee")
    elif data == "nosec":
        data = request(srv).replace(b"<header><securityContext>", b"<header><x>").replace(b"</securityContext>", b"</x>")
    elif data == "nobody":
        data = request(srv).replace(b"bodyContent", b"other")
    elif data == "future":
        with ReferenceServer("11.0.0 SP10") as old:
            result, xid, why, _ = post(old, request(old, api="LstmeetingusagePreliminaryHistory", svc="history"))
            assert (result, xid) == ("FAILURE", "000000") and reason in why
        return
    result, xid, why, _ = post(srv, data)
    assert result == "FAILURE" and xid == "000000"
    assert reason in why and "passwd" not in why and "root:" not in why
    assert post(srv, request(srv))[0] == "SUCCESS"  # still serving


def test_a_50_mb_body_is_refused_and_the_server_keeps_serving(srv):
    big = b"<a>" + b"x" * (50 * 1024 * 1024) + b"</a>"
    result, xid, why, _ = post(srv, big)
    assert (result, xid) == ("FAILURE", "000000") and "too large" in why
    assert post(srv, request(srv))[0] == "SUCCESS"


@pytest.mark.parametrize("creds,xid,reason", [
    ({"password": "wrong"}, "030002", "Incorrect user or password"),
    ({"user": "nobody"}, "030001", "Corresponding User not found"),
    ({"site": "no-such-site"}, "000000", "site not found"),
])
def test_authentication_failures(srv, creds, xid, reason):
    result, got, why, _ = post(srv, request(srv, **creds))
    assert (result, got) == ("FAILURE", xid) and reason in why


def test_deprecated_site_id_still_identifies_the_site(srv):
    acc = srv.info["accounts"]["admin"]
    sec = f"<webExID>{acc['webExID']}</webExID><password>{acc['password']}</password><siteID>100001</siteID><partnerID>prt100001</partnerID>"
    assert post(srv, request(srv, sec=sec))[0] == "SUCCESS"
    bad = sec.replace("prt100001", "wrong")
    assert post(srv, request(srv, sec=bad))[:2] == ("FAILURE", "000000")


def test_other_methods_and_paths(srv):
    assert requests.get(srv.url, timeout=5).status_code == 405
    assert requests.get(srv.base_url + "/nope", timeout=5).status_code == 404
    assert requests.post(srv.url, data=b"", timeout=5).status_code == 200


def test_received_requests_are_recorded_with_passwords_masked(srv):
    post(srv, request(srv))
    seen = requests.get(srv.base_url + "/_test/requests", timeout=5).json()
    assert seen and srv.info["accounts"]["admin"]["password"] not in json.dumps(seen)
    assert "<password>***</password>" in seen[-1]


@pytest.mark.parametrize("field", ["<password><![CDATA[{pw}]]></password>", '<password type="plain">{pw}</password>',
                                   "<sessionTicket>{pw}</sessionTicket>"])
def test_recorded_requests_mask_cdata_and_attributed_secrets(srv, field):
    acc = srv.info["accounts"]["admin"]
    secret = acc["password"] if "password" in field else "TICKET-" + acc["password"]
    sec = f"<webExID>{acc['webExID']}</webExID>{field.format(pw=secret)}<siteName>refsite</siteName>"
    post(srv, request(srv, sec=sec))
    seen = requests.get(srv.base_url + "/_test/requests", timeout=5).json()
    assert secret not in seen[-1] and "***" in seen[-1]


def test_a_server_without_a_request_log_serves_its_outbox_and_keeps_no_log():
    # the embedded servers of a run: mail cases read the outbox, nothing reads the log
    with ReferenceServer("42.6.0", test_paths=True, request_log=False) as s:
        post(s, request(s))
        assert requests.get(s.base_url + "/_test/outbox", timeout=5).status_code == 200
        assert requests.get(s.base_url + "/_test/objects", timeout=5).status_code == 200
        for path in ("/_test/requests", "/_test/calls"):
            assert requests.get(s.base_url + path, timeout=5).status_code == 404
        assert not s.app.received and not s.app.calls.all()


def test_test_paths_are_off_unless_enabled():
    with ReferenceServer("42.6.0") as s:
        assert requests.get(s.base_url + "/_test/outbox", timeout=5).status_code == 404
        assert s.info["outbox"] is None


def test_concurrent_clients(srv):
    errors = []

    def worker():
        with requests.Session() as sess:
            for _ in range(15):
                r = sess.post(srv.url, data=request(srv), timeout=30)
                if b"<serv:result>SUCCESS</serv:result>" not in r.content:
                    errors.append(r.content[:200])

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    keys = []
    lock = threading.Lock()

    def take():
        for _ in range(50):
            k = srv.state.next_id("test-counter", 1000)
            with lock:
                keys.append(k)

    threads = [threading.Thread(target=take) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == len(set(keys)) == 300


def test_state_survives_a_restart_with_a_db_file(tmp_path):
    db = str(tmp_path / "site.db")
    with ReferenceServer("42.6.0", db=db) as first:
        info = first.info
        first.state.send_mail(first.state.site_by_key("main"), "a@b.c", "subject", "body")
    with ReferenceServer("42.6.0", db=db) as second:
        assert second.info["accounts"] == info["accounts"]
        assert [m["subject"] for m in second.state.mails()] == ["subject"]
        assert post(second, request(second))[0] == "SUCCESS"


def test_unknown_defect_and_version_are_clear_errors():
    from conformance.server.defects import UnknownDefect
    from conformance.versions import VersionError
    with pytest.raises(UnknownDefect, match="unknown defect 'nope'"):
        ReferenceServer("42.6.0", defects=["nope"])
    with pytest.raises(VersionError, match="unknown version"):
        ReferenceServer("40.0.0")


def test_serve_command_prints_json_first_and_stops_cleanly():
    proc = subprocess.Popen([sys.executable, "-m", "conformance.cli", "serve", "--api-version", "39.2.0", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        assert info["apiVersion"] == "39.2.0" and info["url"].startswith("http://127.0.0.1:")
        assert set(info["accounts"]) == {"admin", "host", "host2", "attendee"}
        assert info["siteName"] == "refsite"
        r = requests.post(info["url"], data=ENV.format(
            sec=f"<webExID>{info['accounts']['admin']['webExID']}</webExID><password>{info['accounts']['admin']['password']}</password><siteName>refsite</siteName>",
            svc="ep", api="GetAPIVersion", body="").encode(), timeout=10)
        assert b"<ep:apiVer>39.2.0</ep:apiVer>" in r.content
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    assert "Traceback" not in proc.stderr.read()


def test_serve_command_site_facts_and_test_paths():
    proc = subprocess.Popen([sys.executable, "-m", "conformance.cli", "serve", "--port", "0", "--test-paths",
                             "--set", "main.suspended=true"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        assert requests.get(info["outbox"], timeout=5).json() == []
        acc = info["accounts"]["admin"]
        sec = f"<webExID>{acc['webExID']}</webExID><password>{acc['password']}</password><siteName>refsite</siteName>"
        body = "<webExId>newbie</webExId><firstName>N</firstName><lastName>B</lastName><email>n@b.example</email><password>Pass-1234</password>"
        r = requests.post(info["url"], data=ENV.format(sec=sec, svc="user", api="CreateUser", body=body).encode(), timeout=10)
        assert b"<serv:exceptionID>010107</serv:exceptionID>" in r.content
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    bad = subprocess.run([sys.executable, "-m", "conformance.cli", "serve", "--set", "main.suspended=maybe"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "true or false" in bad.stderr


def test_serve_command_rejects_unknown_version():
    proc = subprocess.run([sys.executable, "-m", "conformance.cli", "serve", "--api-version", "40.1.0"],
                          capture_output=True, text=True, timeout=60, env={**os.environ})
    assert proc.returncode == 2
    assert "unknown version" in proc.stderr and "Traceback" not in proc.stderr


def test_keep_alive_connections_are_reused_and_stay_in_sync(srv):
    with requests.Session() as s:
        for _ in range(3):
            assert b"SUCCESS" in s.post(srv.url, data=request(srv), timeout=10).content
        # a request whose body the server does not read must not poison the connection
        assert s.post(srv.base_url + "/elsewhere", data=b"x" * 5000, timeout=10).status_code == 404
        assert b"SUCCESS" in s.post(srv.url, data=request(srv), timeout=10).content
        assert s.get(srv.url, timeout=10).status_code == 405
        assert b"SUCCESS" in s.post(srv.url, data=request(srv), timeout=10).content


def test_chunked_requests_are_decoded(srv):
    data = request(srv)

    def chunks():
        for i in range(0, len(data), 100):
            yield data[i:i + 100]

    with requests.Session() as s:
        r = s.post(srv.url, data=chunks(), timeout=10)
        assert b"<serv:result>SUCCESS</serv:result>" in r.content
        assert b"SUCCESS" in s.post(srv.url, data=request(srv), timeout=10).content


def test_malformed_chunked_body_and_short_body_get_failures(srv):
    import socket

    def raw(payload: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
            out = b""
            while chunk := sock.recv(65536):
                out += chunk
            return out

    head = b"POST /WBXService/XMLService HTTP/1.1\r\nHost: x\r\n"
    r = raw(head + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
    assert b"200 OK" in r and b"malformed chunked body" in r
    body = request(srv)
    r = raw(head + f"Content-Length: {len(body) + 50}\r\n\r\n".encode() + body)
    assert b"200 OK" in r and b"body ended after" in r
    assert post(srv, request(srv))[0] == "SUCCESS"


def test_a_failure_leaves_nothing_half_written():
    import types

    from conformance.server.catalog import Catalog
    from conformance.server.failures import ApiFailure
    from conformance.server.handlers import ep
    from conformance.server.routes import handler

    @handler("ep", "TestHalfWrite")
    def half(call):
        call.db.execute("INSERT INTO counters(name, value) VALUES ('half-written', 1)")
        raise ApiFailure("999999", "refused after a write")

    probe = types.ModuleType("half_write_probe")
    half.__module__ = probe.__name__
    probe.half = half
    with ReferenceServer("42.6.0", catalog=Catalog.from_modules([ep, probe])) as small:
        before = small.state.one("SELECT COUNT(*) AS n FROM counters")["n"]
        assert post(small, request(small, api="TestHalfWrite"))[1] == "999999"
        assert small.state.one("SELECT COUNT(*) AS n FROM counters")["n"] == before
        assert post(small, request(small))[0] == "SUCCESS"                      # GetAPIVersion is ep's
        assert "not emulate" in post(small, request(small, svc="user", api="GetUser"))[2]  # user.py not loaded


@pytest.mark.parametrize("head, status", [
    (b"GARBAGE\r\n\r\n", b"400"),
    (b"POST /WBXService/XMLService HTTP/1.1\r\nno colon here\r\n\r\n", b"400"),
    (b"POST /WBXService/XMLService HTTP/2.0\r\n\r\n", b"505"),
    (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", b"414"),
    (b"GET / HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\n\r\n", b"431"),
    (b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 101 + b"\r\n", b"431"),
])
def test_input_that_is_not_http_gets_a_one_line_refusal_and_the_server_keeps_serving(srv, head, status):
    import socket
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        sock.sendall(head)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    first, _, rest = out.partition(b"\r\n")
    assert first.startswith(b"HTTP/1.1 " + status)
    assert b"Connection: close" in rest and rest.split(b"\r\n\r\n", 1)[1].count(b"\n") == 1
    assert post(srv, request(srv))[0] == "SUCCESS"


def test_expect_100_continue_http_1_0_and_stop_closing_idle_connections():
    import http.client
    import socket
    with ReferenceServer("42.6.0") as s:
        data = request(s)
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        conn.request("POST", "/WBXService/XMLService", body=data, headers={"Expect": "100-continue"})
        assert b"SUCCESS" in conn.getresponse().read()
        conn.request("POST", "/WBXService/XMLService", body=data)  # still the same connection
        assert b"SUCCESS" in conn.getresponse().read()
        with socket.create_connection(("127.0.0.1", s.port), timeout=10) as sock:
            sock.sendall(b"POST /WBXService/XMLService HTTP/1.0\r\nContent-Length: %d\r\n\r\n" % len(data) + data)
            out = b""
            while chunk := sock.recv(65536):  # HTTP/1.0 without keep-alive: closed after the answer
                out += chunk
            assert b"SUCCESS" in out and b"Connection: close" in out
        idle = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        idle.sendall(b"HEAD /nope HTTP/1.1\r\n\r\n")
        assert idle.recv(65536).startswith(b"HTTP/1.1 404")
    assert idle.recv(1) == b""   # stop() closed the idle keep-alive connection, not a 60 s timeout
    idle.close()
    conn.close()
