"""Loading schema bundles (the real vendor one and ours) and judging replies against them."""
from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from conformance import schemagen, schemas
from conformance.schemas import SchemaBundle, SchemaIssue, SchemaLoadError, bundle_for, load_bundle
from conformance.versions import ALL_VERSIONS, LATEST, parse_version

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
VENDOR = SHARED / "reference" / "webex-xsd-legacy"
TRAFFIC = SHARED / "real-traffic"

SERV = "http://www.webex.com/schemas/2002/06/service"
EP = f"{SERV}/ep"

needs_vendor = pytest.mark.skipif(not VENDOR.is_dir(), reason=f"vendor XSD bundle not present at {VENDOR}")
needs_traffic = pytest.mark.skipif(not TRAFFIC.is_dir(), reason=f"real traffic not present at {TRAFFIC}")


def _reply(body: str, result: str = "SUCCESS") -> etree._Element:
    """A GetAPIVersion reply; ``body`` goes inside bodyContent, one child per line."""
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<serv:message xmlns:serv="{SERV}" xmlns:ep="{EP}">
  <serv:header>
    <serv:response>
      <serv:result>{result}</serv:result>
      <serv:gsbStatus>PRIMARY</serv:gsbStatus>
    </serv:response>
  </serv:header>
  <serv:body>
    <serv:bodyContent xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="ep:getAPIVersionResponse">
{body}
    </serv:bodyContent>
  </serv:body>
</serv:message>
"""
    return etree.fromstring(text.encode("utf-8"))


VALID_BODY = """      <ep:apiVersion>WebEx XML API V11.0.0</ep:apiVersion>
      <ep:release>SP10</ep:release>
      <ep:trainReleaseVersion>T31L</ep:trainReleaseVersion>"""
BODY_LINE = 11  # line of the first bodyContent child in _reply's text
BODYCONTENT = "/serv:message/serv:body/serv:bodyContent"


@pytest.fixture(scope="module")
def vendor() -> SchemaBundle:
    if not VENDOR.is_dir():
        pytest.skip(f"vendor XSD bundle not present at {VENDOR}")
    return load_bundle(VENDOR)


# ------------------------------------------------------------ the vendor bundle

@needs_vendor
def test_vendor_bundle_loads_every_namespace(vendor: SchemaBundle) -> None:
    assert vendor.name == f"bundle at {VENDOR.resolve()}"
    assert vendor.directory == VENDOR.resolve()
    for ns in (SERV, EP, "http://www.webex.com/schemas/2002/06/common", f"{SERV}/user", f"{SERV}/meeting"):
        assert ns in vendor.namespaces
    assert vendor.namespaces[SERV].name == "service.xsd"
    assert vendor.namespaces[EP].name == "ep.xsd"


@needs_vendor
def test_valid_get_api_version_is_accepted(vendor: SchemaBundle) -> None:
    root = _reply(VALID_BODY)
    assert vendor.validate(root) == []
    assert vendor.undocumented(root) == []


@needs_vendor
def test_missing_required_element_is_reported_with_path_and_line(vendor: SchemaBundle) -> None:
    root = _reply("      <ep:release>SP10</ep:release>")  # apiVersion is required and first
    issues = vendor.validate(root)
    assert len(issues) == 1
    issue = issues[0]
    assert "apiVersion" in issue.message
    assert issue.path.startswith(BODYCONTENT)
    assert issue.line in (BODY_LINE - 1, BODY_LINE)  # the bodyContent or its first child
    assert "\n" not in issue.message


@needs_vendor
def test_wrongly_typed_element_is_reported_with_path_and_line(vendor: SchemaBundle) -> None:
    root = _reply(VALID_BODY, result="MAYBE")
    issues = vendor.validate(root)
    assert issues == [SchemaIssue(issues[0].message, "/serv:message/serv:header/serv:response/serv:result", 5)]
    assert "MAYBE" in issues[0].message and "SUCCESS" in issues[0].message


@needs_vendor
def test_unexpected_child_points_at_the_child(vendor: SchemaBundle) -> None:
    body = VALID_BODY + "\n      <!-- a comment counts as a node -->\n      <ep:surprise>1</ep:surprise>"
    root = _reply(body)
    issues = vendor.validate(root)
    assert [(i.path, i.line) for i in issues] == [(f"{BODYCONTENT}/ep:surprise", BODY_LINE + 4)]
    assert vendor.undocumented(root) == [f"{BODYCONTENT}/ep:surprise"]


@needs_vendor
def test_unknown_xsi_type_is_an_issue_not_a_crash(vendor: SchemaBundle) -> None:
    root = _reply(VALID_BODY)
    root.find(f".//{{{SERV}}}bodyContent").set("{http://www.w3.org/2001/XMLSchema-instance}type",
                                                 "ep:noSuchResponse")
    issues = vendor.validate(root)
    assert [i.path for i in issues] == [BODYCONTENT]
    assert "ep:noSuchResponse" in issues[0].message
    # an unbound prefix likewise
    root.find(f".//{{{SERV}}}bodyContent").set("{http://www.w3.org/2001/XMLSchema-instance}type", "zz:x")
    assert "undeclared namespace prefix" in vendor.validate(root)[0].message


@needs_vendor
def test_failure_without_body_content_is_a_schema_error(vendor: SchemaBundle) -> None:
    root = etree.fromstring(
        f'<serv:message xmlns:serv="{SERV}"><serv:header><serv:response><serv:result>FAILURE'
        f'</serv:result><serv:reason>no</serv:reason></serv:response></serv:header>'
        f'<serv:body></serv:body></serv:message>'.encode())
    issues = vendor.validate(root)
    assert [i.path for i in issues] == ["/serv:message/serv:body"]
    assert "bodyContent" in issues[0].message


@needs_vendor
def test_foreign_root_is_an_issue(vendor: SchemaBundle) -> None:
    root = etree.fromstring(b"<html><body>Service Unavailable</body></html>")
    issues = vendor.validate(root)
    assert issues and issues[0].path == "/html"
    assert vendor.undocumented(root) == ["/html"]


@needs_vendor
@needs_traffic
def test_every_real_response_validates_without_crashing(vendor: SchemaBundle) -> None:
    parsed = 0
    no_body_content = []
    for path in sorted(TRAFFIC.glob("*-response.xml")):
        try:
            root = etree.parse(str(path)).getroot()
        except etree.XMLSyntaxError:
            continue  # the broken ones are the parser's business
        parsed += 1
        issues = vendor.validate(root)
        for issue in issues:
            assert isinstance(issue, SchemaIssue)
            assert issue.message and "\n" not in issue.message, path.name
            assert issue.path.startswith("/"), path.name
        drift = vendor.undocumented(root)
        assert all(p.startswith("/") for p in drift)
        body = root.find(f"{{{SERV}}}body")
        if body is not None and body.find(f"{{{SERV}}}bodyContent") is None:
            no_body_content.append(path.name)
            assert any(i.path == "/serv:message/serv:body" for i in issues), path.name
    assert parsed >= 20
    assert no_body_content, "expected a real FAILURE reply whose body has no bodyContent"


# ------------------------------------------------------------ loading, caching, errors

def test_load_is_cached_by_directory(tmp_path: Path) -> None:
    d = tmp_path / "bundle"
    shutil.copytree(schemagen.SOURCE_DIR, d)  # the annotated source loads as-is
    with ThreadPoolExecutor(max_workers=4) as pool:
        bundles = list(pool.map(lambda _: load_bundle(d), range(4)))
    assert all(b is bundles[0] for b in bundles)
    assert load_bundle(str(d)) is bundles[0]
    assert load_bundle(d / "." / "2002" / "..") is bundles[0]


def test_empty_directory_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaLoadError, match="no .xsd files") as err:
        load_bundle(tmp_path)
    assert "\n" not in str(err.value)
    with pytest.raises(SchemaLoadError, match="does not exist"):
        load_bundle(tmp_path / "missing")


def test_not_well_formed_xsd_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "a.xsd").write_text(
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n\n  <xsd:element name="x">\n</xsd:schema>\n')
    with pytest.raises(SchemaLoadError) as err:
        load_bundle(tmp_path)
    assert f"{tmp_path / 'a.xsd'}:" in str(err.value)
    assert "not well-formed" in str(err.value)


def test_invalid_xsd_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "b.xsd").write_text(
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t">\n'
        '  <!-- a comment before the broken node -->\n'
        '  <xsd:element name="x" type="xsd:nosuchtype"/>\n'
        '</xsd:schema>\n')
    with pytest.raises(SchemaLoadError) as err:
        load_bundle(tmp_path)
    message = str(err.value)
    assert "b.xsd:3" in message
    assert "nosuchtype" in message
    assert "\n" not in message


def test_not_a_schema_root(tmp_path: Path) -> None:
    (tmp_path / "c.xsd").write_text("<notaschema/>\n")
    with pytest.raises(SchemaLoadError, match="not xsd:schema"):
        load_bundle(tmp_path)


# ------------------------------------------------------------ our generated bundles

EP_SOURCE = f"""<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"
            xmlns:v="urn:webex-conformance:versions"
            xmlns:serv="{SERV}" xmlns:ep="{EP}"
            targetNamespace="{EP}" elementFormDefault="qualified">
  <xsd:import namespace="{SERV}" schemaLocation="../service.xsd"/>
  <xsd:defaultOpenContent mode="interleave" appliesToEmpty="true">
    <xsd:any namespace="##any" processContents="skip" notQName="##definedSibling"/>
  </xsd:defaultOpenContent>
  <xsd:complexType name="getAPIVersionResponse">
    <xsd:complexContent>
      <xsd:extension base="serv:bodyContentType">
        <xsd:sequence>
          <xsd:element name="apiVersion" type="xsd:string" minOccurs="0" v:until="39.1.0"/>
          <xsd:element name="apiVer" type="xsd:string" minOccurs="0" v:since="39.1.0"/>
        </xsd:sequence>
      </xsd:extension>
    </xsd:complexContent>
  </xsd:complexType>
</xsd:schema>
"""


@pytest.fixture(scope="module")
def own_source(tmp_path_factory) -> Path:
    """Our real service.xsd and common.xsd plus a small ep.xsd written here."""
    root = tmp_path_factory.mktemp("own") / "source"
    shutil.copytree(schemagen.SOURCE_DIR / "2002/06/common", root / "2002/06/common")
    (root / "2002/06/service/ep").mkdir(parents=True)
    shutil.copy(schemagen.SOURCE_DIR / "2002/06/service/service.xsd", root / "2002/06/service/service.xsd")
    (root / "2002/06/service/ep/ep.xsd").write_text(EP_SOURCE, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def own_bundles(own_source: Path) -> dict[str, SchemaBundle]:
    out = own_source.parent / "out"
    versions = [parse_version("11.0.0 SP22"), parse_version("39.1.0")]
    schemagen.generate(own_source, out, versions)
    return {v.slug: load_bundle(out / v.slug) for v in versions}


def test_generated_bundle_is_named_for_its_version(own_bundles: dict[str, SchemaBundle]) -> None:
    assert own_bundles["39.1.0"].name == "webex-conformance schemas 39.1.0"
    assert own_bundles["11.0.0-SP22"].name == "webex-conformance schemas 11.0.0 SP22"
    assert set(own_bundles["39.1.0"].namespaces) == {SERV, EP, "http://www.webex.com/schemas/2002/06/common"}


def test_drift_is_tolerated_and_reported(own_bundles: dict[str, SchemaBundle]) -> None:
    b = own_bundles["39.1.0"]
    root = _reply("      <ep:apiVer>39.1.0</ep:apiVer>\n      <ep:trainReleaseOrder>400</ep:trainReleaseOrder>")
    assert b.validate(root) == []
    assert b.undocumented(root) == [f"{BODYCONTENT}/ep:trainReleaseOrder"]


def test_element_of_a_later_version_is_rejected(own_bundles: dict[str, SchemaBundle]) -> None:
    root = _reply("      <ep:apiVer>39.1.0</ep:apiVer>")
    assert own_bundles["39.1.0"].validate(root) == []
    issues = own_bundles["11.0.0-SP22"].validate(root)
    assert [(i.path, i.line) for i in issues] == [(f"{BODYCONTENT}/ep:apiVer", BODY_LINE)]
    assert own_bundles["11.0.0-SP22"].undocumented(root) == []  # declared, just not allowed there


def test_own_service_schema_rejects_failure_without_body_content(own_bundles: dict[str, SchemaBundle]) -> None:
    root = etree.fromstring(
        f'<serv:message xmlns:serv="{SERV}"><serv:header><serv:response><serv:result>FAILURE'
        f'</serv:result><serv:exceptionID>000015</serv:exceptionID></serv:response></serv:header>'
        f'<serv:body/></serv:message>'.encode())
    issues = own_bundles["39.1.0"].validate(root)
    assert [i.path for i in issues] == ["/serv:message/serv:body"]
    root.find(f"{{{SERV}}}body").append(etree.Element(f"{{{SERV}}}bodyContent"))
    assert own_bundles["39.1.0"].validate(root) == []


def test_bundle_for_uses_schema_dir_when_given(tmp_path: Path) -> None:
    d = tmp_path / "given"
    shutil.copytree(schemagen.SOURCE_DIR, d)  # the annotated source loads as-is
    assert bundle_for("39.2.0", d) is load_bundle(d)


def test_bundle_for_picks_newest_documented_not_newer() -> None:
    if not (schemagen.SCHEMAS_DIR / "42.6.0").is_dir():
        pytest.skip("generated schemas/42.6.0 missing; run python -m conformance.schemagen")
    b = bundle_for("42.7.3")
    assert b.name == "webex-conformance schemas 42.6.0"
    assert b.directory == (schemagen.SCHEMAS_DIR / "42.6.0").resolve()
    assert bundle_for(LATEST) is b
    assert bundle_for("39.4.0").name == "webex-conformance schemas 39.3.0"


def test_bundle_for_rejects_versions_before_the_first() -> None:
    with pytest.raises(SchemaLoadError, match="older than the oldest"):
        bundle_for("10.0.0")
    with pytest.raises(SchemaLoadError, match="malformed version"):
        bundle_for("latest")


def test_bundle_for_generates_when_the_generated_dir_is_missing(
        own_source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schemagen, "SCHEMAS_DIR", tmp_path / "nothing-here")
    monkeypatch.setattr(schemagen, "SOURCE_DIR", own_source)
    b = bundle_for(ALL_VERSIONS[0])
    assert b.name == f"webex-conformance schemas {ALL_VERSIONS[0]}"
    assert not str(b.directory).startswith(str(tmp_path / "nothing-here"))
    assert EP in b.namespaces
    assert schemas.bundle_for(ALL_VERSIONS[0]) is b


def test_bundle_for_without_generated_schemas_or_source_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installation missing its data does not try to generate from a source it lacks."""
    monkeypatch.setattr(schemagen, "SCHEMAS_DIR", tmp_path / "nothing-here")
    monkeypatch.setattr(schemagen, "SOURCE_DIR", tmp_path / "nothing-here" / "source")
    with pytest.raises(SchemaLoadError, match="no generated schemas for 39.1.0 .* and no schema source"):
        schemas._generated_dir(parse_version("39.1.0"))
