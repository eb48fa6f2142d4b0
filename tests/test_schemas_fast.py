"""How a bundle is judged: libxml2 first, xmlschema as the explainer, vendor bundles alike."""
from __future__ import annotations

import shutil
from pathlib import Path

from lxml import etree

from conformance import schemagen
from conformance.schemas import load_bundle

SERV = "http://www.webex.com/schemas/2002/06/service"
EP = f"{SERV}/ep"


def _reply(body: str) -> etree._Element:
    return etree.fromstring(
        f'<serv:message xmlns:serv="{SERV}" xmlns:ep="{EP}"><serv:header><serv:response>'
        f"<serv:result>SUCCESS</serv:result><serv:gsbStatus>PRIMARY</serv:gsbStatus></serv:response>"
        f'</serv:header><serv:body><serv:bodyContent xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:type="ep:getAPIVersionResponse">{body}</serv:bodyContent></serv:body></serv:message>')


GOOD = "<ep:apiVersion>WebEx XML API V42.6.0</ep:apiVersion><ep:release>42.6</ep:release><ep:apiVer>42.6.0</ep:apiVer>"


def test_our_bundle_uses_libxml2_and_its_element_map(tmp_path: Path):
    # A private copy: bundles are cached per process, and other tests explain with this one.
    shutil.copytree(schemagen.SCHEMAS_DIR / "42.6.0", tmp_path / "42.6.0")
    shutil.copytree(schemagen.XSD10_DIR / "42.6.0", tmp_path / "xsd10" / "42.6.0")
    b = load_bundle(tmp_path / "42.6.0")
    assert isinstance(b.fast, etree.XMLSchema) and b.emap["open"] is True
    assert b._explainer is None                      # no xmlschema compile for a valid reply
    assert b.validate(_reply(GOOD)) == [] and b.undocumented(_reply(GOOD)) == []
    assert b._explainer is None
    drifted = _reply(GOOD + "<ep:notInTheNotes>1</ep:notInTheNotes>")
    assert b.validate(drifted) == []                 # set aside, not rejected
    assert b.undocumented(drifted) == [f"/serv:message/serv:body/serv:bodyContent/ep:notInTheNotes"]
    bad = b.validate(_reply(GOOD.replace("<ep:apiVer>42.6.0</ep:apiVer>", "")))
    assert bad and b._explainer is not None          # explained by xmlschema, in its words
    assert bad[0].path == "/serv:message/serv:body/serv:bodyContent"


def test_a_vendor_bundle_takes_the_same_path_on_its_own_files(tmp_path: Path):
    vendor = tmp_path / "vendor"
    shutil.copytree(schemagen.XSD10_DIR / "42.6.0", vendor, ignore=shutil.ignore_patterns("*.json"))
    b = load_bundle(vendor)
    assert isinstance(b.fast, etree.XMLSchema) and b.emap["open"] is False
    assert b.name.endswith("(XSD 1.0 form)")   # named by the header it carries
    assert b.validate(_reply(GOOD)) == []
    extra = _reply(GOOD + "<ep:notInTheNotes>1</ep:notInTheNotes>")
    # no open content in a vendor bundle: an undocumented element is drift and an error
    assert b.undocumented(extra) == [f"/serv:message/serv:body/serv:bodyContent/ep:notInTheNotes"]
    assert [i.path for i in b.validate(extra)] == [f"/serv:message/serv:body/serv:bodyContent/ep:notInTheNotes"]


def test_an_xsd11_bundle_without_a_10_form_is_judged_by_xmlschema_alone(tmp_path: Path):
    d = tmp_path / "src"
    shutil.copytree(schemagen.SCHEMAS_DIR / "42.6.0", d)
    b = load_bundle(d)
    assert b.fast is None
    assert b.validate(_reply(GOOD)) == []
    assert b.validate(_reply(GOOD + "<ep:notInTheNotes>1</ep:notInTheNotes>")) == []   # open content
