"""The wire helpers of the reference server."""
from __future__ import annotations

import base64
import binascii

from hypothesis import given, settings, strategies as st

from conformance.server.wire import base64_size


def _decoded_len(text: str) -> int | None:
    try:
        return len(base64.b64decode("".join(text.split()), validate=True))
    except (binascii.Error, ValueError):
        return None


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=40), st.integers(0, 30))
def test_base64_size_of_an_encoding_is_its_bytes_wrapped_or_not(data, width):
    text = base64.b64encode(data).decode()
    if width:
        text = "\n".join(text[i:i + width] for i in range(0, len(text), width))
    assert base64_size(text) == len(data)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="AB+/=\n é", max_size=12))
def test_base64_size_never_accepts_what_decoding_refuses(text):
    size = base64_size(text)
    assert size is None or size == _decoded_len(text)


def test_base64_size_of_wrapped_text_and_of_broken_padding():
    assert base64_size("QUJD\nREVG\n") == 6
    assert base64_size("QUI=") == 2 and base64_size("QQ==") == 1
    for bad in ("QQ=", "Q===", "QU=I", "QUJD=", "=", "QUJDR", "QUJD\u00e9", "QU*D"):
        assert base64_size(bad) is None, bad
