import base64
from datetime import datetime

import pytest
from hypothesis import given, strategies as st

from conformance.templating import PNG_SIGNATURE, TemplateError, render, xml_escape

NOW = datetime(2024, 3, 10, 14, 30, 0)
VARS = {"site.name": "example", "users.host.email": "h@example.com", "userCount": "3",
        "sessions": {"pmr": "123456789"}}


def test_dotted_and_flat_lookup():
    assert render("<s>${site.name}</s><e>${users.host.email}</e>", VARS) == \
        "<s>example</s><e>h@example.com</e>"
    assert render("${sessions.pmr}/${userCount}", VARS) == "123456789/3"


def test_values_inserted_verbatim_and_not_rescanned():
    v = {"a": "<b>x&y</b>", "b": "${a}"}
    assert render("${a}", v) == "<b>x&y</b>"
    assert render("${b}", v) == "${a}"


def test_text_without_placeholders_unchanged():
    text = "<listControl>$5 {not} $ {x}</listControl>"
    assert render(text, {}) == text


def test_chars():
    out = render("<d>${chars:2500}</d>", {})
    assert len(out) == len("<d></d>") + 2500
    assert render("${chars:0}", {}) == ""
    assert render("${chars:3}", {}) == "abc"


def test_base64_png():
    out = render("${base64:100}", {})
    raw = base64.b64decode(out)
    assert len(raw) == 100 and raw.startswith(PNG_SIGNATURE)
    assert base64.b64decode(render("${base64:4}", {})) == PNG_SIGNATURE[:4]


@pytest.mark.parametrize("days,expected", [
    ("0", "03/10/2024 14:30:00"), ("1", "03/11/2024 14:30:00"),
    ("-2", "03/08/2024 14:30:00"), ("0.5", "03/11/2024 02:30:00"), ("30", "04/09/2024 14:30:00"),
])
def test_date(days, expected):
    assert render(f"${{date:{days}}}", {}, now=NOW) == expected


def test_date_defaults_to_now():
    out = render("${date:0}", {})
    parsed = datetime.strptime(out, "%m/%d/%Y %H:%M:%S")
    assert abs((parsed - datetime.now()).total_seconds()) < 120


def test_repeat_with_n_and_variables():
    tpl = {"person": "<p><n>a${n}</n><s>${site.name}</s></p>"}
    out = render("<x>${repeat:3:person}</x>", VARS, tpl)
    assert out == ("<x><p><n>a1</n><s>example</s></p><p><n>a2</n><s>example</s></p>"
                   "<p><n>a3</n><s>example</s></p></x>")
    assert render("${repeat:0:person}", VARS, tpl) == ""


def test_nested_repeat():
    tpl = {"outer": "[${repeat:2:inner}]", "inner": "${n}"}
    assert render("${repeat:2:outer}", {}, tpl) == "[12][12]"


def test_n_outside_repeat_is_unknown():
    with pytest.raises(TemplateError, match=r"\$\{n\}"):
        render("${n}", {})


@pytest.mark.parametrize("template,fragment", [
    ("${sessions.cet_event}", "unknown placeholder ${sessions.cet_event}"),
    ("${site.nam}", "did you mean ${site.name}"),
    ("${chars:x}", "must be a whole number"),
    ("${chars:-1}", "between 0 and"),
    ("${date:tomorrow}", "days must be a number"),
    ("${repeat:2:nobody}", "unknown template 'nobody'"),
    ("${repeat:2}", "write ${repeat:N:template-name}"),
    ("${frobnicate:3}", "known functions are"),
    ("${a b}", "malformed placeholder"),
    ("<x>${site.name</x>", "unterminated placeholder"),
])
def test_errors_are_one_line_and_name_the_placeholder(template, fragment):
    with pytest.raises(TemplateError) as err:
        render(template, VARS, {"t": "x"})
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_runaway_repeat_refused():
    with pytest.raises(TemplateError, match="nested more than"):
        render("${repeat:1:loop}", {}, {"loop": "${repeat:1:loop}"})


def test_xml_escape():
    assert xml_escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&apos;"
    assert xml_escape("a\"'", quotes=False) == "a\"'"


@given(st.text(alphabet=st.characters(blacklist_characters="$"), max_size=200))
def test_dollar_free_text_is_identity(text):
    assert render(text, {}) == text


@pytest.mark.parametrize("n", [5_000_000, 200, 80, 70, 8])
def test_base64_image_is_a_valid_png_of_the_exact_size(n):
    import base64
    import struct
    import zlib
    from conformance.templating import PNG_SIGNATURE, render
    data = base64.b64decode(render(f"${{base64:{n}}}", {}))
    assert len(data) == n and data.startswith(PNG_SIGNATURE[:n])
    if n < 200:
        return
    pos, kinds = 8, []
    while pos < len(data):
        length, = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body)
        kinds.append(kind)
        pos += 12 + length
    assert kinds == [b"IHDR", b"IDAT", b"prVt", b"IEND"]


@pytest.mark.parametrize("n", [*range(60, 60 + 3 * 251 * 3, 97), 3 * 251 * 4 + 71, 5 * 1024 * 1024 + 1])
def test_base64_image_built_by_repetition_is_the_encoding_of_its_bytes(n):
    """The text is assembled from encoded pieces: it must be exactly what encoding the
    image in one go gives (no padding inside, every group aligned)."""
    from conformance.templating import render
    out = render(f"${{base64:{n}}}", {})
    data = base64.b64decode(out, validate=True)
    assert len(data) == n and base64.b64encode(data).decode("ascii") == out


def test_variables_read_through_xml_escaped_are_escaped_for_content_only():
    from conformance.templating import XMLEscaped
    seen = XMLEscaped({"name": 'A & B <"x">', "n": 3})
    assert render("<a>${name}</a><b>${n}</b>", seen) == '<a>A &amp; B &lt;"x"&gt;</a><b>3</b>'
    assert "name" in seen and "other" not in seen and sorted(seen) == ["n", "name"] and len(seen) == 2
