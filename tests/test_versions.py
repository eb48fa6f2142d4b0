import pytest

from conformance.versions import (
    ALL_VERSIONS, LATEST, Version, VersionError, VersionRange, documented, documented_at_or_below,
    from_server_report, parse_version,
)


def test_twenty_six_documented_versions_in_order():
    assert len(ALL_VERSIONS) == 26
    assert list(ALL_VERSIONS) == sorted(ALL_VERSIONS)
    assert str(ALL_VERSIONS[0]) == "11.0.0 SP10" and str(LATEST) == "42.6.0"


@pytest.mark.parametrize("text,expected", [
    ("11.0.0 SP10", Version(11, 0, 0, 10)), ("11.0 SP22", Version(11, 0, 0, 22)),
    ("11.0.0-SP13", Version(11, 0, 0, 13)), ("SP21", Version(11, 0, 0, 21)),
    ("39.2.0", Version(39, 2, 0)), ("39.10", Version(39, 10, 0)), ("V42.6.0", Version(42, 6, 0)),
])
def test_parse_forms(text, expected):
    assert parse_version(text) == expected


def test_service_packs_sort_below_39_and_numerically():
    assert parse_version("11.0.0 SP22") < parse_version("39.1.0")
    assert parse_version("11.0.0 SP9") < parse_version("11.0.0 SP10")
    assert parse_version("39.9.0") < parse_version("39.10.0") < parse_version("39.11.0")
    assert parse_version("11.0.0") < parse_version("11.0.0 SP10")


@pytest.mark.parametrize("bad", ["", "abc", "39", "39.x.0", "SPx", "1.2.3.4", "39.1.0 SP"])
def test_malformed_versions_get_a_clear_error(bad):
    with pytest.raises(VersionError, match="malformed version"):
        parse_version(bad)


def test_unknown_version_is_named():
    with pytest.raises(VersionError, match="unknown version '39.4.0'"):
        documented("39.4.0")
    assert documented_at_or_below(parse_version("39.4.0")) == parse_version("39.3.0")
    assert documented_at_or_below(parse_version("42.11.1")) == LATEST
    with pytest.raises(VersionError):
        documented_at_or_below(parse_version("10.0.0"))


def test_slug_round_trips():
    for v in ALL_VERSIONS:
        assert parse_version(v.slug) == v
        assert " " not in v.slug


def test_server_reports():
    assert from_server_report("WebEx XML API V11.0.0", "SP10") == Version(11, 0, 0, 10)
    assert from_server_report("WebEx XML API V10.0.0", "EP1") == Version(10, 0, 0)
    assert from_server_report("WebEx XML API V39.1.0", "39.1", "39.1.0") == Version(39, 1, 0)
    assert from_server_report(None, None, "42.6.0") == LATEST
    with pytest.raises(VersionError, match="neither apiVer nor apiVersion"):
        from_server_report(None, None, None)
    with pytest.raises(VersionError, match="cannot read a version"):
        from_server_report("WebEx XML API", "SP1")


def test_uses_api_ver_from_39_1():
    assert not parse_version("11.0.0 SP22").uses_api_ver
    assert parse_version("39.1.0").uses_api_ver


def test_ranges():
    r = VersionRange.parse(">= 39.3.0, < 39.8.0")
    inside = [v for v in ALL_VERSIONS if v in r]
    assert [str(v) for v in inside] == ["39.3.0", "39.5.0"]
    assert all(v in VersionRange.parse("all") for v in ALL_VERSIONS)
    assert [str(v) for v in ALL_VERSIONS if v in VersionRange.parse("== SP21")] == ["11.0.0 SP21"]
    for bad in ("", ">= 39.4.0", ">= nonsense"):
        with pytest.raises(VersionError):
            VersionRange.parse(bad)
