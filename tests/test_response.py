from pathlib import Path

import pytest

from conformance.namespaces import NS
from conformance.response import ParsedResponse, ResponseError, parse_message, parse_response
from conformance.transport import Exchange

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "real-traffic"

SUCCESS = (
    '<?xml version="1.0" encoding="ISO-8859-1"?>'
    '<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
    'xmlns:use="http://www.webex.com/schemas/2002/06/service/user">'
    "<serv:header><serv:response><serv:result>SUCCESS</serv:result>"
    "<serv:gsbStatus>PRIMARY</serv:gsbStatus></serv:response></serv:header>"
    '<serv:body><serv:bodyContent xsi:type="use:lstsummaryUserResponse" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<use:user><use:webExID>bob</use:webExID><use:firstName>Andr\xe9</use:firstName></use:user>"
    "</serv:bodyContent></serv:body></serv:message>"
).encode("latin-1")

FAILURE = (
    "<?xml version='1.0' encoding='UTF-8'?>"
    "<a:message xmlns:a='http://www.webex.com/schemas/2002/06/service'>"
    "<a:header><a:response><a:result>FAILURE</a:result><a:reason>Incorrect user or password</a:reason>"
    "<a:gsbStatus>PRIMARY</a:gsbStatus><a:exceptionID>030002</a:exceptionID><a:value/>"
    "<a:subErrors><a:subError><a:exceptionID>AS0001</a:exceptionID><a:reason>auth error</a:reason>"
    "</a:subError></a:subErrors></a:response></a:header><a:body/></a:message>"
).encode("utf-8")


def exchange(body: bytes, status=200, reason="OK", ctype="text/xml;charset=UTF-8", **headers):
    h = {k.replace("_", "-"): v for k, v in headers.items()}
    if ctype is not None:
        h["content-type"] = ctype
    return Exchange("http://x/", b"<req/>", status, reason, h, body, 1.0, 1)


def test_success_fields():
    r = parse_response(exchange(SUCCESS))
    assert isinstance(r, ParsedResponse) and r.success
    assert (r.result, r.reason, r.exception_id, r.value, r.gsb_status) == ("SUCCESS", None, None, None, "PRIMARY")
    assert r.body_type == (NS["use"], "lstsummaryUserResponse")
    assert r.body_type_raw == "use:lstsummaryUserResponse"
    assert r.declared_encoding == "ISO-8859-1"
    assert len(r.body_contents) == 1
    assert r.body_contents[0].findtext(f"{{{NS['use']}}}user/{{{NS['use']}}}firstName") == "Andr\xe9"


def test_failure_fields_with_other_prefix_and_single_quotes():
    r = parse_message(FAILURE)
    assert not r.success
    assert (r.result, r.reason, r.exception_id, r.value) == ("FAILURE", "Incorrect user or password", "030002", "")
    assert r.sub_errors == [("AS0001", "auth error")]
    assert r.body_contents == [] and r.body_type is None
    assert r.declared_encoding == "UTF-8"


@pytest.mark.parametrize("prefix", [b"\xef\xbb\xbf", b"\n  \t", b"\xef\xbb\xbf\n"])
def test_bom_and_leading_whitespace(prefix):
    assert parse_message(prefix + FAILURE).exception_id == "030002"
    assert parse_message(prefix + SUCCESS.replace(b"\xe9", b"e")).result == "SUCCESS"


def test_no_declaration():
    body = SUCCESS.split(b"?>", 1)[1].decode("latin-1").encode("utf-8")
    r = parse_message(body)
    assert r.result == "SUCCESS" and r.declared_encoding is None


def test_text_nodes_between_elements():
    pretty = SUCCESS.replace(b"><", b">\n  <")
    r = parse_message(pretty)
    assert r.result == "SUCCESS" and r.gsb_status == "PRIMARY"


def test_xsi_type_with_default_namespace_and_unbound_prefix():
    body = SUCCESS.replace(b'xsi:type="use:', b'xsi:type="nope:')
    r = parse_message(body)
    assert r.body_type is None and r.body_type_raw == "nope:lstsummaryUserResponse"


def msg_error(data: bytes) -> str:
    with pytest.raises(ResponseError) as err:
        parse_message(data)
    assert "\n" not in err.value.reason and str(err.value) == err.value.reason
    return err.value.reason


@pytest.mark.parametrize("data,fragment", [
    (b"", "empty body"),
    (b"  \r\n ", "empty body"),
    (b"<!DOCTYPE html><html><head><title>Sign In</title></head></html>", "HTML page titled 'Sign In'"),
    (SUCCESS[:200], "truncated"),
    (SUCCESS[:-5], "truncated"),
    (b"<a><b></a>", "not well-formed"),
    (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x "y">]><m>&x;</m>', "DTD"),
    (b'<message xmlns="urn:other"/>', "root element is <message> in namespace urn:other"),
    (b"<message/>", "<message> without a namespace"),
    (b'<s:message xmlns:s="http://www.webex.com/schemas/2002/06/service"><header/></s:message>',
     "no serv:header in serv:message: found <header> without a namespace"),
    (b'<s:message xmlns:s="http://www.webex.com/schemas/2002/06/service"><s:header/></s:message>',
     "no serv:response"),
    (b'<s:message xmlns:s="http://www.webex.com/schemas/2002/06/service"><s:header><s:response>'
     b"</s:response></s:header></s:message>", "no serv:result"),
    (b'<s:message xmlns:s="http://www.webex.com/schemas/2002/06/service"><s:header><s:response>'
     b"<s:result>MAYBE</s:result></s:response></s:header></s:message>", "'MAYBE', not SUCCESS or FAILURE"),
])
def test_message_errors(data, fragment):
    assert fragment in msg_error(data)


def test_http_errors():
    html = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    with pytest.raises(ResponseError) as err:
        parse_response(exchange(html, 502, "Bad Gateway", "text/html"))
    assert err.value.reason == "HTTP 502 Bad Gateway: HTML page titled '502 Bad Gateway'"
    with pytest.raises(ResponseError) as err:
        parse_response(exchange(b"x" * 300, 500, "Internal Server Error", None))
    assert err.value.reason.startswith("HTTP 500 Internal Server Error: 'xxx")
    assert len(err.value.reason) < 140


def test_redirect():
    with pytest.raises(ResponseError, match="HTTP 302 Found: redirect to https://idbroker/login"):
        parse_response(exchange(b"", 302, "Found", None, location="https://idbroker/login"))


def test_content_type_not_xml():
    with pytest.raises(ResponseError, match="Content-Type text/html, not XML: HTML page titled 'Oops'"):
        parse_response(exchange(b"<html><title>Oops</title></html>", ctype="text/html; charset=utf-8"))


@pytest.mark.parametrize("ctype", [None, "text/xml", "application/xml;charset=ISO-8859-1",
                                   "application/soap+xml", "TEXT/XML; charset=UTF-8"])
def test_xml_content_types_accepted(ctype):
    assert parse_response(exchange(SUCCESS, ctype=ctype)).result == "SUCCESS"


def test_empty_200():
    with pytest.raises(ResponseError, match="empty body"):
        parse_response(exchange(b""))


def test_size_limit():
    with pytest.raises(ResponseError, match="exceeds"):
        parse_response(exchange(SUCCESS), max_bytes=100)


def real_responses():
    if not SHARED.is_dir():
        return []
    return sorted(SHARED.glob("*-response.xml"))


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/real-traffic is not present")
@pytest.mark.parametrize("path", real_responses(), ids=lambda p: p.name)
def test_real_responses_parse_or_explain(path):
    data = path.read_bytes()
    try:
        r = parse_message(data)
    except ResponseError as err:
        assert err.reason and "\n" not in err.reason
        return
    assert r.result in ("SUCCESS", "FAILURE")
    if r.result == "FAILURE":
        assert r.exception_id and r.exception_id.isdigit()


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/real-traffic is not present")
def test_real_responses_match_index():
    """The parser reads the result and exceptionID the index recorded for each reply."""
    rows = [line.split("\t") for line in (SHARED / "INDEX.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    checked = 0
    for row in rows:
        if len(row) < 5 or row[1] != "response":
            continue
        try:
            r = parse_message((SHARED / row[0]).read_bytes())
        except ResponseError:
            continue
        assert r.result == row[3], row[0]
        if row[4]:
            assert r.exception_id == row[4], row[0]
        checked += 1
    assert checked >= 25


def test_parse_message_sets_every_field_the_dataclass_declares():
    """parse_message fills a ParsedResponse without its __init__ (a frame less per answer):
    a field added to the dataclass and not set there would be missing, not defaulted."""
    import dataclasses
    parsed = parse_message(SUCCESS)
    declared = {f.name for f in dataclasses.fields(ParsedResponse)}
    assert declared <= set(vars(parsed)), declared - set(vars(parsed))
    assert parsed == ParsedResponse(parsed.root, parsed.result, parsed._response, parsed._data)
