from hypothesis import given, settings, strategies as st

from conformance.masking import mask, mask_bytes


def test_password_element_masked():
    out = mask("<securityContext><webExID>admin</webExID><password>s3cr3t!</password></securityContext>")
    assert "s3cr3t!" not in out
    assert "<password>***</password>" in out
    assert "<webExID>admin</webExID>" in out


def test_any_prefix_attributes_and_case():
    text = ('<com:password a="1">pw1</com:password><x:sessionTicket>tick-et</x:sessionTicket>'
            "<AccessToken>tok</AccessToken>")
    out = mask(text)
    for secret in ("pw1", "tick-et", "tok"):
        assert secret not in out
    assert out.count("***") == 3


def test_self_closing_and_empty_elements_left_alone():
    text = "<password/><name>visible</name><password></password><password />after"
    out = mask(text)
    assert out == text


def test_multiline_and_cdata_content():
    out = mask("<password>\n  line1\n</password><password><![CDATA[a<b]]></password>")
    assert "line1" not in out and "a<b" not in out


def test_unclosed_password_element_masked_to_next_tag():
    out = mask("<password>truncated-secret")
    assert "truncated-secret" not in out


def test_escaped_element_masked():
    out = mask("&lt;password&gt;hidden1&lt;/password&gt;")
    assert "hidden1" not in out


def test_literal_secrets_everywhere_and_their_escaped_forms():
    secrets = ["p&ss<word>", "tok3n"]
    text = ("reason: user p&ss<word> failed; xml p&amp;ss&lt;word&gt;; "
            "url p%26ss%3Cword%3E; again tok3n!")
    out = mask(text, secrets)
    assert "p&ss<word>" not in out
    assert "p&amp;ss&lt;word&gt;" not in out
    assert "p%26ss%3Cword%3E" not in out
    assert "tok3n" not in out
    assert "reason: user" in out


def test_short_secrets_are_not_masked():
    assert mask("a b ab", ["ab"]) == "a b ab"


def test_longer_secret_masked_whole_when_it_contains_a_shorter_one():
    out = mask("value=abcdef", ["abc", "abcdef"])
    assert "def" not in out


def test_query_string_passwords():
    out = mask("https://s.webex.com/s/p.php?AT=LI&WID=bob&PW=hunter2&x=1 and password=abc123 ok")
    assert "hunter2" not in out and "abc123" not in out
    assert "WID=bob" in out and "x=1" in out


def test_json_and_bearer():
    out = mask('{"password": "sec\\"ret", "name": "x"} Authorization: Bearer abc.def-ghi')
    assert "sec" not in out and "abc.def-ghi" not in out
    assert '"name": "x"' in out


def test_mask_bytes_decodes_utf8_and_latin1():
    assert mask_bytes("<password>é</password> café".encode("utf-8")) == "<password>***</password> café"
    latin = "<password>x</password> caf\xe9".encode("latin-1")
    assert mask_bytes(latin) == "<password>***</password> caf\xe9"
    assert mask_bytes(b"") == ""


def test_never_raises_on_odd_input():
    assert mask(None) == ""
    assert mask(12345) == "12345"
    assert mask("x", secrets=[None, 3, "abc"]) == "x"
    assert isinstance(mask_bytes(b"\xff\xfe<\x00p\x00"), str)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="*"), min_size=3, max_size=20),
       st.text(max_size=60), st.text(max_size=60))
def test_a_secret_never_survives(secret, before, after):
    out = mask(before + secret + after, [secret])
    assert secret not in out
