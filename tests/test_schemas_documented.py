"""Our generated bundles are strict where the notes document an element and tolerant of
the undocumented rest of a real response (which is recorded as drift)."""
from pathlib import Path

import pytest
from lxml import etree

from conformance.namespaces import NS
from conformance.schemas import bundle_for
from conformance.server.serve import ReferenceServer
from refclient import RefClient

TRAFFIC = Path(__file__).resolve().parents[2] / "shared" / "real-traffic"
REAL_GETSITE = TRAFFIC / "022-GetSite-response.xml"
# Real replies whose whole structure our bundles declare (issue 13: GetSite; issue 7: GetMeeting).
FULLY_DECLARED = ("022-GetSite-response.xml", "037-GetMeeting-response.xml", "064-GetMeeting-response.xml")


@pytest.fixture(scope="module")
def lstsummaryuser():
    with ReferenceServer("42.6.0") as srv:
        root = RefClient(srv).call("user", "LstsummaryUser", "<listControl><maximumNum>3</maximumNum></listControl>",
                                   role="admin")
    return etree.tostring(root)


def test_documented_date_format_is_strict(lstsummaryuser):
    bundle = bundle_for("42.6.0")
    root = etree.fromstring(lstsummaryuser)
    assert bundle.validate(root) == []
    node = root.xpath("//use:lastLoginTime", namespaces=NS)[0]
    node.text = "2019-10-19T23:13:14"
    issues = bundle.validate(root)
    assert issues and any("lastLoginTime" in i.path for i in issues)


def test_an_element_is_rejected_by_the_schema_of_a_version_before_it(lstsummaryuser):
    root = etree.fromstring(lstsummaryuser)
    assert root.xpath("//use:lastLoginTime", namespaces=NS)
    issues = bundle_for("39.1.0").validate(root)  # lastLoginTime came in 39.2.0
    assert any("lastLoginTime" in (i.message + i.path) for i in issues)


def test_undocumented_elements_are_tolerated_and_reported_as_drift(lstsummaryuser):
    bundle = bundle_for("42.6.0")
    root = etree.fromstring(lstsummaryuser)
    user = root.xpath("//use:user", namespaces=NS)[0]
    etree.SubElement(user, f"{{{NS['use']}}}favouriteColour").text = "teal"
    assert bundle.validate(root) == []
    assert any("favouriteColour" in d for d in bundle.undocumented(root))


@pytest.mark.skipif(not REAL_GETSITE.is_file(), reason="../shared/real-traffic is not present")
@pytest.mark.parametrize("name", FULLY_DECLARED)
def test_a_real_full_answer_passes_and_only_what_it_lacks_in_our_schema_is_drift(name):
    """Our schemas declare these real replies' whole structure: nothing of them is drift,
    and an element no real reply carries still is."""
    root = etree.fromstring((TRAFFIC / name).read_bytes())
    bundle = bundle_for("42.6.0")
    assert bundle.validate(root) == []
    assert bundle.undocumented(root) == []
    first = root.xpath("//*[local-name()='bodyContent']/*[1]")[0]
    etree.SubElement(first, first.tag.rsplit("}", 1)[0] + "}favouriteColour").text = "teal"
    assert bundle.validate(root) == []
    assert any("favouriteColour" in d for d in bundle.undocumented(root))
