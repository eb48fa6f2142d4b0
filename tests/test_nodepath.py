"""Node paths: one spelling for schema issues, failed checks and drift."""
from lxml import etree

from conformance.nodepath import node_path, node_step, sibling_positions, step_among
from conformance.schemas import bundle_for

SERV = "http://www.webex.com/schemas/2002/06/service"
USER = "http://www.webex.com/schemas/2002/06/service/user"

DOC = f"""<serv:message xmlns:serv="{SERV}" xmlns:use="{USER}" xmlns:x="urn:other" xmlns="urn:bare">
<serv:header><serv:response><serv:result>SUCCESS</serv:result></serv:response></serv:header>
<serv:body><serv:bodyContent>
  <use:user><use:webExId>a</use:webExId><use:extra>1</use:extra><x:mine/><x:mine/></use:user>
  <!-- a comment between rows -->
  <use:user><use:webExId>b</use:webExId><use:extra>2</use:extra><only/></use:user>
  <use:user><use:webExId>c</use:webExId><use:extra>3</use:extra><?pi x?></use:user>
  <use:matchingRecords><use:total>3</use:total></use:matchingRecords>
</serv:bodyContent></serv:body></serv:message>"""


def test_a_step_among_counted_siblings_is_node_step_for_every_element():
    root = etree.fromstring(DOC.encode())
    for elem in root.iter(etree.Element):
        parent = elem.getparent()
        if parent is not None:
            assert step_among(elem, sibling_positions(parent)) == node_step(elem)
    steps = [node_step(e) for e in root.iter(etree.Element)]
    assert "use:user[3]" in steps and "x:mine[2]" in steps and "*[local-name()='only']" in steps
    assert "use:webExId" in steps and "use:matchingRecords" in steps   # no index when the name is alone


def test_drift_paths_are_the_node_paths_of_the_undocumented_elements():
    root = etree.fromstring(DOC.encode())
    body = root.find(f"{{{SERV}}}body/{{{SERV}}}bodyContent")
    body.set("{http://www.w3.org/2001/XMLSchema-instance}type", "use:lstsummaryUserResponse")
    bundle = bundle_for("42.6.0")
    found = bundle.undocumented(root)
    drifted = [e for e in root.iter(etree.Element) if node_path(e) in found]
    assert found and len(drifted) == len(found)
    assert any(p.endswith("use:user[2]/*[local-name()='only']") for p in found), found
    assert any(p.endswith("use:user[1]/x:mine[2]") for p in found), found
