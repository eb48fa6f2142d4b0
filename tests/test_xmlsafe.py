from pathlib import Path

import pytest

from conformance.xmlsafe import XMLRefused, parse_untrusted

SHARED = Path(__file__).resolve().parents[2] / "shared"

BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><a>&lol3;</a>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>"""


@pytest.mark.parametrize("data,reason", [
    (b"", "empty body"),
    (b"<html><body>502 Bad Gateway</body></html>", "HTML page"),
    (b"<!DOCTYPE html><html></html>", "HTML page"),
    (BOMB, "DTD"),
    (XXE, "DTD"),
    (b"<a><b></a>", "not well-formed"),
    (b"<serv:message xmlns:serv='urn:x'><serv:header>", "not well-formed"),
])
def test_refusals_are_one_line(data, reason):
    with pytest.raises(XMLRefused, match=reason) as exc:
        parse_untrusted(data)
    assert "\n" not in str(exc.value)
    assert "passwd" not in str(exc.value) or reason == "DTD"


def test_size_limit():
    with pytest.raises(XMLRefused, match="exceeds"):
        parse_untrusted(b"<a>" + b"x" * 100 + b"</a>", max_bytes=50)


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?><a/>",
    b"  \n<?xml version=\"1.0\"?><a/>",
    b"<a x='1'>t<b/>t</a>",
    "<?xml version='1.0' encoding='ISO-8859-1'?><a>caf\xe9</a>".encode("latin-1"),
])
def test_legal_variants_parse(data):
    assert parse_untrusted(data) is not None


@pytest.mark.skipif(not (SHARED / "real-traffic").is_dir(), reason="../shared/real-traffic is not present")
def test_every_real_message_parses_or_is_refused_cleanly():
    files = sorted((SHARED / "real-traffic").glob("*.xml"))
    assert len(files) == 77
    parsed = 0
    for f in files:
        try:
            parse_untrusted(f.read_bytes())
            parsed += 1
        except XMLRefused as exc:
            assert "\n" not in str(exc)
    assert parsed >= 50
