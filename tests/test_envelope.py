import pytest
from lxml import etree

from conformance.config import Credential
from conformance.envelope import EnvelopeError, build_envelope
from conformance.namespaces import SERV, XSI

ADMIN = Credential("siteadmin", password="p&ss<w>rd")


def parse(data: bytes):
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return etree.fromstring(data)


def security(root) -> list[tuple[str, str]]:
    sc = root.find("header/securityContext")
    return [(el.tag, el.text) for el in sc]


def test_shape_matches_real_requests():
    data = build_envelope("user", "LstsummaryUser",
                          "<listControl><startFrom>1</startFrom></listControl>", ADMIN, "example")
    root = parse(data)
    assert root.tag == f"{{{SERV}}}message"
    assert root.nsmap["xsi"] == XSI
    # header, body and bodyContent are unqualified
    content = root.find("body/bodyContent")
    assert content is not None
    assert content.get(f"{{{XSI}}}type") == "java:com.webex.service.binding.user.LstsummaryUser"
    assert content.find("listControl/startFrom").text == "1"
    assert security(root) == [("webExID", "siteadmin"), ("password", "p&ss<w>rd"),
                              ("siteName", "example")]
    assert b"p&amp;ss&lt;w&gt;rd" in data


def test_site_id_and_partner_id_when_given():
    root = parse(build_envelope("ep", "GetAPIVersion", "", ADMIN, "example", "243585", "pid"))
    assert [t for t, _ in security(root)] == ["webExID", "password", "siteName", "siteID", "partnerID"]


@pytest.mark.parametrize("cred,expected", [
    (Credential("h", session_ticket="tick"), [("webExID", "h"), ("sessionTicket", "tick")]),
    (Credential(None, access_token="tok"), [("accessToken", "tok")]),
    (Credential("h", password="pw", access_token="tok"), [("webExID", "h"), ("password", "pw")]),
    (None, []),
])
def test_credential_forms(cred, expected):
    root = parse(build_envelope("site", "GetSiteFT", "", cred, "example"))
    assert security(root) == expected + [("siteName", "example")]


def test_extra_security_appends_or_replaces_in_place():
    root = parse(build_envelope("user", "GetUser", "<webExID>x</webExID>", ADMIN, "example", "1",
                                extra_security=[("siteID", "999"), ("email", "a@b.c")]))
    assert security(root)[2:] == [("siteName", "example"), ("siteID", "999"), ("email", "a@b.c")]


def test_body_verbatim_with_non_ascii():
    body = "<confName>终极 café &amp; co</confName>"
    data = build_envelope("meeting", "SetMeeting", body, ADMIN, "s")
    assert body.encode("utf-8") in data
    assert parse(data).find("body/bodyContent/confName").text == "终极 café & co"


@pytest.mark.parametrize("body,fragment", [
    ("<a><b></a>", "not well-formed"),
    ("<a>", "not well-formed"),
    ("<x:a>1</x:a>", "not well-formed"),
    ("a & b", "not well-formed"),
    ('<?xml version="1.0"?><a/>', "not well-formed"),
    ("<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", "DTD"),
])
def test_bad_body_is_one_line_error(body, fragment):
    with pytest.raises(EnvelopeError) as err:
        build_envelope("user", "GetUser", body, ADMIN, "s")
    msg = str(err.value)
    assert "user.GetUser" in msg and fragment in msg and "\n" not in msg
    assert "p&ss" not in msg


def test_serv_and_xsi_prefixes_may_be_used_in_the_body():
    build_envelope("user", "GetUser", '<serv:x xsi:nil="true"/>', ADMIN, "s")


@pytest.mark.parametrize("service,api,fragment", [
    ("User", "GetUser", "service must be"),
    ("user", "Get User", "API must be"),
    ("user", "", "API must be"),
])
def test_bad_names(service, api, fragment):
    with pytest.raises(EnvelopeError, match=fragment):
        build_envelope(service, api, "", ADMIN, "s")


def test_control_character_in_credential_refused():
    with pytest.raises(EnvelopeError, match="control character"):
        build_envelope("user", "GetUser", "", Credential("a\x01b", password="x"), "s")


def test_bad_extra_security_name():
    with pytest.raises(EnvelopeError, match="not an XML name"):
        build_envelope("user", "GetUser", "", ADMIN, "s", extra_security=[("1bad", "v")])


def test_a_body_is_judged_again_each_time_it_is_sent():
    """Well-formed bodies are remembered (a run sends each once per version); a broken one
    never is, and a long one is checked every time."""
    good, bad = "<a>1</a>", "<a>1</b>"
    for _ in range(2):
        assert build_envelope("user", "GetUser", good, None, "s")
        with pytest.raises(EnvelopeError, match="not usable"):
            build_envelope("user", "GetUser", bad, None, "s")
    long_bad = "<a>" + "x" * 20000 + "</b>"
    for _ in range(2):
        with pytest.raises(EnvelopeError, match="not usable"):
            build_envelope("user", "GetUser", long_bad, None, "s")
