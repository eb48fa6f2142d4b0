"""The server's call log (/_test/calls): what a large request leaves in it."""
from lxml import etree

from conformance.server.test_objects import CallLog

NS = "http://www.webex.com/schemas/2002/06/service"


def test_a_large_request_is_logged_as_its_whole_serialisation_cut_at_4_kb():
    # a comment, a PI and tails before the 6 MB text: the clipped copy keeps them all
    content = etree.fromstring(
        f'<bodyContent xmlns:s="{NS}"><s:password>hunter2</s:password> <!-- note -->\n<?pi x?><a b="1">t</a>'
        f'<imageData>{"QUJD" * 1_500_000}</imageData><tail>after</tail></bodyContent>')
    whole = etree.tostring(content, encoding="unicode")
    log = CallLog()
    log.add("service", "UploadPMRImage", content, len(whole))
    small = CallLog()
    small.add("service", "UploadPMRImage", content, 10)   # taken as small: serialised whole, then cut
    (entry,), (expected,) = log.all(), small.all()
    assert entry == expected
    assert "hunter2" not in entry["body"] and "<s:password>***</s:password> <!-- note -->\n<?pi x?>" in entry["body"]
    assert entry["body"].replace("***", "hunter2") == whole[:4096]
