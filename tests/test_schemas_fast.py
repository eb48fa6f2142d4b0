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


VENDOR = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "webex-xsd-legacy"
XSD = "http://www.w3.org/2001/XMLSchema"


def _vendor_copy(tmp_path: Path, name: str = "vendor") -> Path:
    d = tmp_path / name
    shutil.copytree(schemagen.XSD10_DIR / "42.6.0", d, ignore=shutil.ignore_patterns("*.json"))
    return d


def test_our_bundles_are_proven_closed_and_a_wildcard_or_substitution_group_opens_one(tmp_path: Path):
    from conformance.schemas import _closed, bundle_for
    assert bundle_for("42.6.0").closed and bundle_for("11.0.0 SP10").closed
    assert _closed(_vendor_copy(tmp_path))
    ep = next(_vendor_copy(tmp_path, "any").rglob("ep.xsd"))
    ep.write_text(ep.read_text(encoding="utf-8").replace(
        "</xsd:sequence>", f'<xsd:any xmlns:xsd="{XSD}" minOccurs="0"/></xsd:sequence>', 1), encoding="utf-8")
    assert not _closed(ep.parents[4])
    ep = next(_vendor_copy(tmp_path, "subst").rglob("ep.xsd"))
    text = ep.read_text(encoding="utf-8")
    head = text.index("<xsd:element ", text.index("<xsd:schema"))
    ep.write_text(text[:head] + '<xsd:element name="zz" type="xsd:string" substitutionGroup="ep:zz"/>'
                  + text[head:], encoding="utf-8")
    assert not _closed(ep.parents[4])
    ep = next(_vendor_copy(tmp_path, "outside").rglob("ep.xsd"))
    text = ep.read_text(encoding="utf-8")
    head = text.index(">", text.index("<xsd:schema")) + 1
    ep.write_text(text[:head] + '<xsd:include schemaLocation="../../../../../elsewhere.xsd"/>' + text[head:],
                  encoding="utf-8")
    assert not _closed(ep.parents[4])


def _full_walk(bundle):
    """The same bundle judged without the valid-as-is shortcut: the walk on every document."""
    import dataclasses
    return dataclasses.replace(bundle, closed=False)


def _judged(bundle, body: bytes):
    from conformance.response import parse_message
    from conformance.verdicts import judge_drift, judge_schema
    root = parse_message(body).root
    drift = judge_drift(bundle, root)
    return [v.to_dict() for v in judge_schema(bundle, root)], drift and (drift.to_dict(), drift.items)


def _message(body: str) -> bytes:
    return etree.tostring(_reply(body))


def test_an_undocumented_element_gets_the_same_drift_and_verdict_as_the_full_walk(tmp_path: Path):
    from conformance.schemas import bundle_for
    vendors = [load_bundle(_vendor_copy(tmp_path))]            # closed: takes the shortcut when valid
    if VENDOR.is_dir():
        vendors.append(load_bundle(VENDOR))                    # has xsd:any: never takes it
        assert not vendors[-1].closed
    assert vendors[0].closed
    docs = [GOOD, GOOD + "<ep:notInTheNotes>1</ep:notInTheNotes>",
            "<ep:zz/>" + GOOD, GOOD.replace("<ep:release>42.6</ep:release>", "<ep:release>42.6<ep:x/></ep:release>"),
            GOOD.replace("<ep:apiVer>42.6.0</ep:apiVer>", "")]
    for bundle in [bundle_for("42.6.0"), bundle_for("11.0.0 SP10"), *vendors]:
        slow = _full_walk(bundle)
        for body in docs:
            fast, full = _judged(bundle, _message(body)), _judged(slow, _message(body))
            assert fast == full, (bundle.name, body)
        drifted = _judged(bundle, _message(docs[1]))[1]
        assert drifted and drifted[1][-1] == "/serv:message/serv:body/serv:bodyContent/ep:notInTheNotes"


def test_the_valid_as_is_shortcut_holds_for_the_document_just_validated_only():
    from conformance.schemas import bundle_for
    bundle = bundle_for("42.6.0")
    valid, drifted = _reply(GOOD), _reply(GOOD + "<ep:notInTheNotes>1</ep:notInTheNotes>")
    assert bundle.validate(valid) == []
    # Another document's drift is still found by its walk, not skipped for the valid one's sake.
    assert bundle.undocumented(drifted) == ["/serv:message/serv:body/serv:bodyContent/ep:notInTheNotes"]
    assert bundle.undocumented(valid) == []
    assert bundle.validate(valid) == [] and bundle.undocumented(valid) == []
    assert bundle.validate(drifted) == [] and bundle.undocumented(valid) == []   # walked, still none
