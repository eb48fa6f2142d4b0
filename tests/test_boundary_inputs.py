"""Edge scenarios sit where their labels say, strategies draw around the bound, and every
value lands in a well-formed request."""
import datetime
from pathlib import Path

import pytest
from hypothesis import find, given, settings, HealthCheck, strategies as st
from lxml import etree

from conformance.boundary_inputs import describe, edge_examples, label_for, strategy, variables
from conformance.limits import load_limits
from conformance.oracles import READINGS, measure
from conformance.templating import render
from conformance.versions import documented

ROOT = Path(__file__).resolve().parents[1]
LIMITS = {lim.id: lim for lim in load_limits(ROOT / "limits").limits}
V = documented("42.6.0")


def labels(limit_id, version=V):
    lim = LIMITS[limit_id]
    return {ex.label: ex.value for ex in edge_examples(lim, lim.rule_for(version))}


def test_character_scenarios_are_at_the_bound():
    ex = labels("confname-128")
    required = {"AT_MAX", "ABOVE_MAX", "FAR_ABOVE", "AT_MIN", "EMPTY", "WHITESPACE_ONLY", "XML_SPECIAL_AT_MAX",
                "MULTIBYTE_AT_MAX/cjk", "MULTIBYTE_ABOVE_MAX/cjk", "MULTIBYTE_AT_MAX/emoji", "MULTIBYTE_AT_MAX/combining"}
    assert required <= set(ex)
    for label, value in ex.items():
        size = measure("display-characters", value)["grapheme-clusters"]
        if "AT_MAX" in label:
            assert size == 128, label
        if "ABOVE_MAX" in label:
            assert size == 129, label
    assert any(ord(c) > 0xFFFF for c in ex["MULTIBYTE_AT_MAX/emoji"])     # surrogate pairs in UTF-16
    assert all(s in ex["XML_SPECIAL_AT_MAX"] for s in ("&", "<", "]]>", '"'))


def test_range_and_item_scenarios():
    r = labels("modified-date-range-90-days")
    for label in ("RANGE_EXACT", "RANGE_PLUS_1S", "RANGE_EXACT/month-end", "RANGE_EXACT/leap-day",
                  "RANGE_EXACT/dst-spring", "RANGE_PLUS_1S/dst-fall"):
        start, end = r[label]
        assert (end - start).total_seconds() == 7776000 + (1 if "PLUS" in label else 0), label
    leap_start, leap_end = r["RANGE_EXACT/leap-day"]
    assert leap_start.month == 2 and leap_start.year == 2024 and leap_end.month == 5
    a = labels("attendees-per-call-50")
    assert [len(a[k]) for k in ("BELOW_MAX", "AT_MAX", "ABOVE_MAX")] == [49, 50, 51]
    assert len(a["ABOVE_MAX/duplicates"]) == 51 and len(set(a["ABOVE_MAX/duplicates"])) == 50


def test_a_version_without_the_limit_is_probed_at_every_later_bound():
    ex = labels("description", documented("39.2.0"))
    assert "ABOVE_MAX@1024" in ex and "ABOVE_MAX@2500" in ex
    lim = LIMITS["confname-128"]
    assert edge_examples(lim, lim.rule_for(documented("11.0.0 SP10"))) == []


def test_special_characters_are_escaped_into_well_formed_xml():
    lim = LIMITS["confname-128"]
    api = lim.apis[0]
    for value in labels("confname-128").values():
        body = render(api.body, {**variables(lim, api, value, {}), "object": "1"})
        root = etree.fromstring(f"<b>{body}</b>".encode())
        assert (root.find(".//confName").text or "") == value


@settings(max_examples=60, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.data())
def test_strategies_draw_steps_near_the_bound_and_label_what_they_draw(data):
    lim = LIMITS[data.draw(st.sampled_from(sorted(LIMITS)))]
    version = data.draw(st.sampled_from([documented("39.2.0"), documented("39.11.0"), V]))
    rule = lim.rule_for(version)
    if rule.not_applicable:
        return
    drawn = data.draw(strategy(lim, rule))
    assert isinstance(drawn, tuple) and drawn
    top = max(lim.bounds()) + max(lim.bounds()) // 2 + (lim.band_max or 0)
    sizes = []
    for value in drawn:
        size = measure(lim.unit, value)[READINGS[lim.unit][0]]   # graphemes for texts: what the strategy counts
        assert 0 <= size <= top
        sizes.append(size)
        label = label_for(lim, rule.max or min(lim.bounds()), value, size)
        assert label and " " not in label
        assert describe(lim, value)
    if not rule.no_limit:   # a step: a size that must be accepted and one just above it
        assert any(b - a in (1, (lim.band_max or 0) - lim.max + 1) for a in sizes for b in sizes)


@pytest.mark.parametrize("limit_id", sorted(LIMITS))
def test_the_simplest_draw_is_the_step_at_the_bound_in_plain_content(limit_id):
    """What a failure shrinks to: offset 0, ASCII, the June anchor, no duplicates."""
    lim = LIMITS[limit_id]
    rule = lim.rule_for(V)
    simplest = find(strategy(lim, rule), lambda _: True, settings=settings(database=None))
    sizes = [measure(lim.unit, v)[READINGS[lim.unit][0]] for v in simplest]
    assert rule.max in sizes and (lim.band_max or rule.max) + 1 in sizes
    if lim.min:
        assert {lim.min - 1, lim.min} <= set(sizes)
    for v in simplest:
        if lim.unit == "display-characters":
            assert set(v) <= {"a"}
        elif lim.unit == "items-per-call":
            assert len(set(v)) == len(v)
        elif lim.unit == "range-seconds":
            assert v[0] == datetime.datetime(2025, 6, 2, 9)


def test_labels_name_the_size_next_to_the_bound():
    lim = LIMITS["confname-128"]
    assert label_for(lim, 128, "a" * 128, 128) == "AT_MAX"
    assert label_for(lim, 128, "a" * 129, 129) == "ABOVE_MAX"
    assert label_for(lim, 128, "é" * 128, 128) == "MULTIBYTE_AT_MAX"
    assert label_for(lim, 128, "", 0) == "EMPTY"
    r = LIMITS["recording-scope-28-days"]
    assert label_for(r, 2419200, None, 2419201) == "RANGE_PLUS_1S"
