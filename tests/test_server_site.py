"""The reference server's site service, over HTTP, and our site schema against a real reply.

Covers the documented changes of conformance/server/handlers/site.py (SP13 siteID, SP17
attendee capacity, SP18 EnableCloudTelepresence, 39.1.0 uploadLogFileUrl, 39.5.0 video
mesh clusters, 39.8.0 license counts and the GetSiteFT/SetSiteFT redesign, 42.2.0
allowChange* on non-Control Hub sites), and that a real GetSite reply is accepted by the
schema generated from schemas/source/.../site/site.xsd.
"""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from lxml import etree

from conformance.cases import load_cases
from conformance.namespaces import NS
from conformance.schemas import bundle_for
from conformance.server.handlers import site
from conformance.versions import ALL_VERSIONS
from conformance.xmlsafe import parse_untrusted
from refclient import outcome, texts

REPO = Path(__file__).resolve().parents[1]
REAL_GETSITE = REPO.parent / "shared" / "real-traffic" / "022-GetSite-response.xml"
needs_traffic = pytest.mark.skipif(not REAL_GETSITE.is_file(), reason=f"real traffic not present at {REAL_GETSITE}")

ALLOW = ("allowChangeFirstName", "allowChangeLastName", "allowChangeDisplayName", "AllowUploadPRAvatar")
COUNTS = ("EEActiveUserCount", "activeCETHost", "MCActiveUserCount", "ECActiveUserCount",
          "TCActiveUserCount", "SCActiveUserCount")
CAPACITY = ("attendeeCapacityForMC", "attendeeCapacityForEC", "attendeeCapacityForTC", "attendeeCapacityForSC")


def names(root: etree._Element, xpath: str) -> list[str]:
    return [etree.QName(e).localname for e in root.xpath(xpath, namespaces=NS)]


@pytest.fixture(scope="module")
def server(ref_servers):
    """The site service of a pooled reference server, called as the site admin unless told."""
    return ref_servers.bind("site", role="admin")


# --- GetSite, element by element ------------------------------------------------------

@pytest.mark.parametrize("version,expected", [
    ("11.0.0 SP16", set()),
    ("11.0.0 SP17", set(CAPACITY)),
    ("11.0.0 SP18", set(CAPACITY) | {"EnableCloudTelepresence"}),
    ("39.1.0", set(CAPACITY) | {"EnableCloudTelepresence", "uploadLogFileUrl"}),
    ("39.5.0", set(CAPACITY) | {"EnableCloudTelepresence", "uploadLogFileUrl", "videoMeshInterclusters"}),
    ("39.8.0", set(CAPACITY) | set(COUNTS) | {"EnableCloudTelepresence", "uploadLogFileUrl", "videoMeshInterclusters"}),
    ("42.2.0", set(CAPACITY) | set(COUNTS) | set(ALLOW)
     | {"EnableCloudTelepresence", "uploadLogFileUrl", "videoMeshInterclusters"}),
])
def test_getsite_returns_each_documented_element_from_its_version(server, version, expected):
    root = server(version).call("GetSite")
    documented = set(CAPACITY) | set(COUNTS) | set(ALLOW) | {"EnableCloudTelepresence", "uploadLogFileUrl",
                                                            "videoMeshInterclusters"}
    found = {n for n in names(root, "//ns1:siteInstance//*") if n in documented}
    assert found == expected
    assert texts(root, "//ns1:metaData/ns1:siteName") == ["refsite"]


def test_getsite_values_have_the_documented_types(server):
    root = server("42.6.0").call("GetSite")
    for name in COUNTS + CAPACITY:
        assert texts(root, f"//ns1:{name}")[0].isdigit(), name
    for name in ALLOW + ("EnableCloudTelepresence",):
        assert texts(root, f"//ns1:{name}") in (["true"], ["false"]), name
    assert texts(root, "//ns1:metaData/ns1:uploadLogFileUrl")[0].startswith("https://refsite.webex.com/")
    # three hosts with a licence on the seeded site: siteadmin, host1, host2
    assert texts(root, "//ns1:MCActiveUserCount") == ["3"]


def test_control_hub_site_omits_the_allowchange_elements(server):
    c = server("42.6.0")

    def allow(root):   # the 42.2.0 elements, after the options every site answers
        found = names(root, "//ns1:myWebExConfig/*")
        return found[len(found) - len([n for n in found if n in ALLOW]):] if set(found) & set(ALLOW) else []
    assert allow(c.call("GetSite", site="control-hub")) == []
    assert allow(c.call("GetSite")) == list(ALLOW)
    leaky = server("42.6.0", ("getsite-allowchange-on-control-hub",))
    assert allow(leaky.call("GetSite", site="control-hub")) == list(ALLOW)


def test_site_facts_override_the_defaults(server):
    facts = {"allowChangeDisplayName": True, "enableCloudTelepresence": False, "attendeeCapacity": {"SC": 7}}
    root = server("42.6.0", site_overrides={"main": {"facts": facts}}).call("GetSite")
    assert texts(root, "//ns1:allowChangeDisplayName") == ["true"]
    assert texts(root, "//ns1:EnableCloudTelepresence") == ["false"]
    assert texts(root, "//ns1:attendeeCapacityForSC") == ["7"]
    assert texts(root, "//ns1:attendeeCapacityForMC") == ["1000"]  # nested defaults kept


def test_getsite_needs_credentials(server):
    c = server("42.6.0")
    assert outcome(c.call("GetSite", security="<siteName>refsite</siteName>")) == ("FAILURE", "030001")
    assert outcome(c.call("GetSite", role="host"))[0] == "SUCCESS"


# --- SP13: siteID ----------------------------------------------------------------------

def test_siteid_and_partnerid_still_identify_the_site(server):
    c = server("42.6.0")
    cred = c.credentials("admin")
    root = c.call("GetSite", security=cred + "<siteID>100003</siteID><partnerID>prt100003</partnerID>")
    assert texts(root, "//ns1:metaData/ns1:siteName") == ["refsite-hub"]
    assert outcome(c.call("GetSite", security=cred + "<siteID>100003</siteID><partnerID>wrong</partnerID>"))[0] == "FAILURE"
    broken = server("42.6.0", ("getsite-siteid-rejected",))
    cred = broken.credentials("admin")
    assert outcome(broken.call("GetSite", security=cred + "<siteID>100001</siteID>"))[0] == "FAILURE"
    assert outcome(broken.call("GetSite"))[0] == "SUCCESS"


# --- 39.5.0: SetSite videoMeshInterclusters --------------------------------------------

MESH = ("<videoMeshInterclusters><videoMeshHomeCluster1>east</videoMeshHomeCluster1>"
        "<videoMeshHomeCluster3>west</videoMeshHomeCluster3></videoMeshInterclusters>")


def test_setsite_stores_video_mesh_clusters_from_39_5(server):
    c = server("39.5.0")
    assert outcome(c.call("SetSite", MESH))[0] == "SUCCESS"
    root = c.call("GetSite")
    assert names(root, "//ns1:videoMeshInterclusters/*") == ["videoMeshHomeCluster1", "videoMeshHomeCluster3"]
    assert texts(root, "//ns1:videoMeshHomeCluster3") == ["west"]
    # a second SetSite changes only the clusters it names
    assert outcome(c.call("SetSite", "<siteInstance><videoMeshInterclusters><videoMeshHomeCluster3>north"
                                     "</videoMeshHomeCluster3></videoMeshInterclusters></siteInstance>"))[0] == "SUCCESS"
    assert texts(c.call("GetSite"), "//ns1:videoMeshInterclusters/*") == ["east", "north"]


def test_empty_cluster_elements_clear_the_clusters_so_a_client_can_restore_them(ref_fresh):
    c = ref_fresh.bind("site", role="admin")("42.6.0")
    assert names(c.call("GetSite"), "//ns1:videoMeshInterclusters/*") == []  # seeded without clusters
    assert outcome(c.call("SetSite", MESH))[0] == "SUCCESS"
    empty = ("<videoMeshInterclusters><videoMeshHomeCluster1></videoMeshHomeCluster1>"
             "<videoMeshHomeCluster2/><videoMeshHomeCluster3>  </videoMeshHomeCluster3></videoMeshInterclusters>")
    assert outcome(c.call("SetSite", empty))[0] == "SUCCESS"
    root = c.call("GetSite")
    assert names(root, "//ns1:videoMeshInterclusters/*") == []
    assert bundle_for("42.6.0").validate(root) == []


def test_setsite_rules(server):
    c = server("42.6.0")
    assert outcome(c.call("SetSite", MESH, role="host")) == ("FAILURE", "000001")
    long = f"<videoMeshInterclusters><videoMeshHomeCluster1>{'x' * 300}</videoMeshHomeCluster1></videoMeshInterclusters>"
    assert outcome(c.call("SetSite", long)) == ("FAILURE", "999999")
    old = server("39.3.0")
    assert outcome(old.call("SetSite", MESH))[0] == "SUCCESS"  # nothing to set before 39.5.0
    assert names(old.call("GetSite"), "//ns1:videoMeshInterclusters") == []
    lazy = server("42.6.0", ("setsite-videomesh-not-stored",))
    assert outcome(lazy.call("SetSite", MESH))[0] == "SUCCESS"
    assert names(lazy.call("GetSite"), "//ns1:videoMeshInterclusters/*") == []


# --- 39.8.0: GetSiteFT / SetSiteFT ------------------------------------------------------

def toggle(name: str, val: str) -> str:
    return f"<featureToggle><name>{name}</name><value>{val}</value></featureToggle>"


def test_siteft_sets_and_gets_dynamic_toggles_with_a_machine_token(server):
    c = server("39.8.0")
    assert outcome(c.call("SetSiteFT", toggle("Zeta", "on") + toggle("Alpha", "1"), role="token"))[0] == "SUCCESS"
    root = c.call("GetSiteFT", "<name>Zeta</name><name>Alpha</name><name>Missing</name>", role="token")
    assert texts(root, "//ns1:featureToggle/ns1:name") == ["Zeta", "Alpha"]
    assert texts(root, "//ns1:featureToggle/ns1:value") == ["on", "1"]
    every = texts(c.call("GetSiteFT", role="token"), "//ns1:featureToggle/ns1:name")
    assert every == sorted(every) and {"Alpha", "Zeta", "EnableCustomizeProfileFields"} <= set(every)


def test_siteft_rules(server):
    c = server("42.6.0")
    assert outcome(c.call("SetSiteFT", toggle("bad name", "1"), role="token")) == ("FAILURE", "999999")
    assert outcome(c.call("SetSiteFT", "<featureToggle><name>NoValue</name></featureToggle>", role="token")) == ("FAILURE", "999999")
    assert outcome(c.call("SetSiteFT", "", role="token")) == ("FAILURE", "999999")
    assert outcome(c.call("SetSiteFT", toggle("A", "1"), role="host")) == ("FAILURE", "000001")
    # before 39.8.0 both exist (redesigned in 39.8.0) but set only the toggles the site has
    old = server("39.5.0")
    assert outcome(old.call("GetSiteFT", role="token"))[0] == "SUCCESS"
    assert outcome(old.call("SetSiteFT", toggle("BrandNew", "1"), role="token")) == ("FAILURE", "999999")
    assert outcome(old.call("SetSiteFT", toggle("EnableCETForAllUsers", "true"), role="token"))[0] == "SUCCESS"
    refusing = server("42.6.0", ("siteft-access-token-refused",))
    assert outcome(refusing.call("GetSiteFT", role="token")) == ("FAILURE", "000001")
    assert outcome(refusing.call("SetSiteFT", toggle("Probe", "x"), role="token")) == ("FAILURE", "000001")
    assert outcome(refusing.call("GetSiteFT", role="admin"))[0] == "SUCCESS"  # only the machine token is refused


def test_setsiteft_answers_empty_and_a_defect_can_drop_the_change(server):
    """39.8.0 notes: SetSiteFT answers an empty ns1:setSiteFTResponse; the next GetSiteFT shows the toggle."""
    c = server("39.8.0")
    root = c.call("SetSiteFT", toggle("Probe", "v1"), role="token")
    content = root.find(".//{http://www.webex.com/schemas/2002/06/service}bodyContent")
    assert content.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "ns1:setSiteFTResponse"
    assert len(content) == 0
    assert texts(c.call("GetSiteFT", "<name>Probe</name>", role="token"), "//ns1:featureToggle/ns1:value") == ["v1"]
    assert outcome(c.call("SetSiteFT", toggle("Probe", ""), role="token"))[0] == "SUCCESS"  # empty: removed
    assert "Probe" not in texts(c.call("GetSiteFT", role="token"), "//ns1:featureToggle/ns1:name")
    lazy = server("39.8.0", ("setsiteft-not-stored",))
    assert outcome(lazy.call("SetSiteFT", toggle("Probe", "v1"), role="token"))[0] == "SUCCESS"
    assert texts(lazy.call("GetSiteFT", "<name>Probe</name>", role="token"), "//ns1:featureToggle/ns1:value") == []


def test_getsiteft_answers_with_the_documented_response_type(server):
    """39.8.0 notes: xsi:type="ns1:getSiteFTResponse" in the site namespace."""
    root = server("39.8.0").call("GetSiteFT", role="token")
    content = root.find(".//{http://www.webex.com/schemas/2002/06/service}bodyContent")
    prefix, _, local = content.get("{http://www.w3.org/2001/XMLSchema-instance}type").partition(":")
    assert local == "getSiteFTResponse"
    assert content.nsmap[prefix] == "http://www.webex.com/schemas/2002/06/service/site"


@pytest.mark.parametrize("toggle_name, gated", [
    ("EnableCustomizeProfileFields", set(ALLOW)),          # 42.2.0: the toggle of the profile options
    ("EnableCETForAllUsers", {"EnableCloudTelepresence"}),  # SP18: the toggle of EnableCloudTelepresence
])
def test_a_feature_toggle_turned_off_removes_what_it_gates(ref_fresh, toggle_name, gated):
    c = ref_fresh.bind("site", role="admin")("42.6.0")
    shown = set(names(c.call("GetSite"), "//ns1:siteInstance//*"))
    assert gated <= shown  # seeded on
    assert outcome(c.call("SetSiteFT", toggle(toggle_name, "false"), role="token"))[0] == "SUCCESS"
    root = c.call("GetSite")
    after = set(names(root, "//ns1:siteInstance//*"))
    assert not gated & after
    assert shown - gated == after
    assert bundle_for("42.6.0").validate(root) == []
    assert outcome(c.call("SetSiteFT", toggle(toggle_name, "true"), role="token"))[0] == "SUCCESS"
    assert set(names(c.call("GetSite"), "//ns1:siteInstance//*")) == shown


# --- schema validity ------------------------------------------------------------------

CALLS = [("GetSite", "", "admin", "main"), ("GetSite", "", "admin", "control-hub"), ("SetSite", MESH, "admin", "main"),
         ("GetSite", "", "host", "main")]


@pytest.mark.parametrize("version", ["11.0.0 SP10", "11.0.0 SP17", "11.0.0 SP18", "39.1.0", "39.5.0",
                                     "39.8.0", "42.1.0", "42.2.0", "42.6.0"])
def test_every_answer_is_valid_against_its_versions_schema(server, version):
    c = server(version)
    bundle = bundle_for(version)
    calls = list(CALLS)
    if version in ("39.8.0", "42.6.0"):
        calls += [("SetSiteFT", toggle("T", "1"), "token", "main"), ("GetSiteFT", "", "token", "main")]
    for api, body, role, site_key in calls:
        root = c.call(api, body, role=role, site=site_key)
        assert outcome(root)[0] == "SUCCESS", (api, etree.tostring(root)[:300])
        assert bundle.validate(root) == [], (api, site_key)
        assert bundle.undocumented(root) == [], (api, site_key)


def test_an_element_sent_too_early_is_rejected_by_the_schema(server):
    root = server("11.0.0 SP17", ("getsite-cloudtelepresence-too-early",)).call("GetSite")
    issues = bundle_for("11.0.0 SP17").validate(root)
    assert issues and "EnableCloudTelepresence" in issues[0].message


@needs_traffic
def test_real_getsite_reply_is_valid_from_sp18():
    """The real reply carries EnableCloudTelepresence (documented from SP18) and none of the later elements;
    our schema declares every element it has (site_shape.py)."""
    root = parse_untrusted(REAL_GETSITE.read_bytes())
    for v in ALL_VERSIONS:
        if v >= ALL_VERSIONS[8]:  # 11.0.0 SP18
            assert bundle_for(v).validate(root) == [], str(v)
    assert bundle_for("11.0.0 SP18").undocumented(root) == []  # every element of it is declared


@needs_traffic
def test_real_getsite_reply_is_valid_for_sp10_but_for_the_sp18_element():
    root = parse_untrusted(REAL_GETSITE.read_bytes())
    issues = bundle_for("11.0.0 SP10").validate(root)
    assert issues and all("siteCommonOptions" in i.path for i in issues)
    assert "EnableCloudTelepresence" in issues[0].message
    stripped = copy.deepcopy(root)
    for el in stripped.xpath("//ns1:EnableCloudTelepresence", namespaces=NS):
        el.getparent().remove(el)
    assert bundle_for("11.0.0 SP10").validate(stripped) == []


def test_our_getsite_declares_every_element_at_every_version(server):
    for v in ALL_VERSIONS:
        root = server(str(v)).call("GetSite")
        bundle = bundle_for(v)
        assert bundle.validate(root) == [], str(v)
        assert bundle.undocumented(root) == [], str(v)


@needs_traffic
def test_real_reply_lacking_required_site_name_is_rejected():
    root = parse_untrusted(REAL_GETSITE.read_bytes())
    for el in root.xpath("//ns1:metaData/ns1:siteName", namespaces=NS):
        el.getparent().remove(el)
    assert bundle_for("42.6.0").validate(root)


# --- defect bookkeeping --------------------------------------------------------------

def test_defects_name_existing_cases_and_are_consulted():
    ids = load_cases(REPO / "cases").by_id()
    source = (REPO / "conformance" / "server" / "handlers" / "site.py").read_text()
    for d in site.DEFECTS:
        assert (d.cases or d.tests) and all(c in ids for c in d.cases), d.name
        assert source.count(f'"{d.name}"') >= 2, f"{d.name} is defined but never checked"
