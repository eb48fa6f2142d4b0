"""Envelopes as real clients send them (shared/real-traffic shapes, written here by hand)."""
import socket

import pytest
import requests

from conformance.server.serve import ReferenceServer
from test_server_app import post

XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
SERV = "http://www.webex.com/schemas/2002/06/service"


@pytest.fixture(scope="module")
def srv():
    with ReferenceServer("42.6.0") as s:
        yield s


def _sec(srv, role="host"):
    acc = srv.info["accounts"][role]
    return f"<webExID>{acc['webExID']}</webExID><password>{acc['password']}</password><siteName>refsite</siteName>"


def _msg(srv, root_open, root_close, body_type="ep.GetAPIVersion", body="", attr='xsi:type="{t}"', sec=None):
    t = f"java:com.webex.service.binding.{body_type}"
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{root_open}\n<header>\n <securityContext>{sec or _sec(srv)}'
            f'</securityContext>\n</header>\n<body>\n <bodyContent {attr.format(t=t)}>{body}</bodyContent>\n</body>\n'
            f'{root_close}').encode()


@pytest.mark.parametrize("root_open,root_close", [
    (f"<serv:message {XSI}>", "</serv:message>"),                          # serv: never declared
    (f'<serv:message {XSI} xmlns:serv="abc">', "</serv:message>"),          # bound to another URI
    (f"<message {XSI}>", "</message>"),                                     # no prefix at all
])
def test_lenient_roots_are_answered(srv, root_open, root_close):
    assert post(srv, _msg(srv, root_open, root_close))[0] == "SUCCESS"


def test_a_byte_order_mark_before_the_declaration(srv):
    data = b"\xef\xbb\xbf" + _msg(srv, f"<serv:message {XSI}>", "</serv:message>")
    assert post(srv, data)[0] == "SUCCESS"


def test_xsi_type_value_on_the_next_line_and_undeclared_child_prefixes(srv):
    data = _msg(srv, f"<serv:message {XSI}>", "</serv:message>", "user.GetUser",
                body="<use:webExId>host1</use:webExId>", attr='xsi:type=\n    "{t}"')
    assert post(srv, data)[0] == "SUCCESS"


@pytest.mark.parametrize("root_open,root_close", [
    ("<serv:message>", "</serv:message>"),                   # neither serv nor xsi declared
    (f'<serv:message xmlns:serv="{SERV}">', "</serv:message>"),  # serv declared, xsi not
])
def test_an_undeclared_xsi_prefix_is_refused_as_a_real_site_refuses_it(srv, root_open, root_close):
    result, code, reason, _ = post(srv, _msg(srv, root_open, root_close))
    assert (result, code, reason) == ("FAILURE", "000000", "Fail to forward request:null")
    # the same message with xmlns:xsi declared is answered
    fixed = root_open.replace("<serv:message", f"<serv:message {XSI}")
    assert post(srv, _msg(srv, fixed, root_close))[0] == "SUCCESS"


def test_what_no_server_could_read_is_still_a_clear_failure(srv):
    broken = _msg(srv, f"<serv:message {XSI}>", "</serv:message>").replace(b"</header>", b"</heder>")
    result, code, reason, _ = post(srv, broken)
    assert (result, code) == ("FAILURE", "000000") and reason.startswith("Invalid XML request: not well-formed")
    result, code, reason, _ = post(srv, _msg(srv, f"<serv:message {XSI}>", "</serv:message>", "ep"))
    assert result == "FAILURE" and "Unknown request type" in reason


def test_an_unknown_api_says_it_is_not_emulated_not_absent_from_the_version(srv):
    reason = post(srv, _msg(srv, f"<serv:message {XSI}>", "</serv:message>", "ep.MakeCoffee"))[2]
    assert "does not emulate" in reason and "ep.MakeCoffee" in reason


def test_a_three_part_binding_type_is_parsed(srv):
    reason = post(srv, _msg(srv, f"<serv:message {XSI}>", "</serv:message>", "meeting.auo.MakeCoffee"))[2]
    assert "does not emulate" in reason and "meeting.auo.MakeCoffee" in reason


def test_security_context_names_are_case_insensitive_and_email_logs_in(srv):
    acc = srv.info["accounts"]["host"]
    sec = (f"<email>{acc['webExID']}@refsite.example.com</email><password>{acc['password']}</password>"
           f"<siteId>100001</siteId>")
    assert post(srv, _msg(srv, f"<serv:message {XSI}>", "</serv:message>", "user.GetUser", sec=sec))[0] == "SUCCESS"


def test_connection_close_is_answered_with_connection_close_and_a_closed_socket(srv):
    body = _msg(srv, f"<serv:message {XSI}>", "</serv:message>")
    r = requests.post(srv.url, data=body, headers={"Connection": "close"}, timeout=10)
    assert r.headers.get("Connection", "").lower() == "close"
    with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
        sock.sendall(b"POST /WBXService/XMLService HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        out = b""
        while chunk := sock.recv(65536):   # returns b"" only because the server closed the socket
            out += chunk
    assert b"Connection: close" in out and out.rstrip().endswith(b"</serv:message>")
    keep = requests.Session()
    r = keep.post(srv.url, data=body, timeout=10)
    assert "close" not in r.headers.get("Connection", "").lower()
