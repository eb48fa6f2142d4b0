"""conformance.server.element_maker: the same elements as lxml's ElementMaker, cheaper."""
import pytest
from lxml import etree
from lxml.builder import ElementMaker

from conformance.namespaces import NS
from conformance.server import render
from conformance.server.element_maker import maker


def _answer(meet, serv) -> bytes:
    """One answer's bytes, its body content built with the makers ``meet`` and ``serv``."""
    tree = meet.meeting(
        "lead ", meet.confName("Weekly & sync <1>"), " tail",
        meet.status({"kind": "a"}, "NOT_INPROGRESS"),
        meet.matchingRecords(serv.total("3"), serv.returned("1")),
        meet("schedule", meet.startDate("12/01/2026 10:00:00"), id="s1"),
        meet.empty(),
    )
    return render.success("meeting", "GetMeeting", [tree])


def test_an_answer_is_byte_for_byte_what_lxml_builds():
    expected = _answer(ElementMaker(namespace=NS["meet"], nsmap={"meet": NS["meet"]}),
                       ElementMaker(namespace=NS["serv"], nsmap={"serv": NS["serv"]}))
    assert _answer(maker("meet"), maker("serv")) == expected
    assert b"<meet:confName>Weekly &amp; sync &lt;1&gt;</meet:confName> tail" in expected


def test_a_maker_is_made_once_per_prefix_and_each_tag_once():
    m = maker("meet")
    assert maker("meet") is m and m.confName is m.confName
    assert etree.QName(m.confName("x")).namespace == NS["meet"]


@pytest.mark.parametrize("prefix", ["xsi", "site", "nope"])
def test_a_namespace_the_answer_root_does_not_declare_is_refused(prefix):
    with pytest.raises(ValueError, match="no answer's root declares"):
        maker(prefix)


def test_what_a_handler_cannot_mean_is_refused():
    with pytest.raises(TypeError, match="bad argument type"):
        maker("meet").duration(60)
    with pytest.raises(AttributeError):
        maker("meet").__wrapped__
