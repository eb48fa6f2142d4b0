"""The oracles: measuring under each reading, the required answer, the band where either is
conformant, judging an answer, and the readings an endpoint follows."""
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given, settings, strategies as st

from conformance.limits import load_limits
from conformance.oracles import (ACCEPT, EITHER, NOT_APPLICABLE, REFUSE, ReadingTracker, classify, grapheme_count,
                                 judge_example, measure, pacific_elapsed, predict)
from conformance.versions import documented

ROOT = Path(__file__).resolve().parents[1]
LIMITS = {lim.id: lim for lim in load_limits(ROOT / "limits").limits}
CONF = LIMITS["confname-128"]
DESC = LIMITS["description"]
IMAGE = LIMITS["pmr-image-5mb"]
RANGE = LIMITS["modified-date-range-90-days"]
ATT = LIMITS["attendees-per-call-50"]
SP11, V398, V42 = documented("11.0.0 SP11"), documented("39.8.0"), documented("42.6.0")


@dataclass
class Answer:
    result: str
    exception_id: str | None = None
    reason: str | None = None
    value: str | None = None


CONF_REFUSAL = Answer("FAILURE", "060065", "Illegal input conference name. The conference name can't be empty or "
                                           "exceed the maximum display character length 128.")


def test_graphemes_count_what_a_reader_sees():
    assert grapheme_count("abc") == 3
    assert grapheme_count("e\u0301" * 4) == 4
    assert grapheme_count("😀漢é") == 3
    assert grapheme_count("👍🏽") == 1 and grapheme_count("👩\u200d💻") == 1 and grapheme_count("🇩🇪🇫🇷") == 2


def test_elapsed_time_across_daylight_saving_changes():
    day = dt.timedelta(days=1)
    spring = dt.datetime(2025, 3, 1, 12)
    assert pacific_elapsed(spring, spring + 90 * day) == 90 * 86400 - 3600
    fall = dt.datetime(2025, 10, 20, 12)
    assert pacific_elapsed(fall, fall + 90 * day) == 90 * 86400 + 3600
    summer = dt.datetime(2025, 6, 2, 9)
    assert pacific_elapsed(summer, summer + 28 * day) == 28 * 86400


def test_confname_edges():
    assert predict(CONF, SP11, "a" * 128).outcome == ACCEPT
    assert predict(CONF, SP11, "a" * 129).outcome == REFUSE
    assert predict(CONF, SP11, "").outcome == REFUSE
    assert predict(CONF, SP11, "漢" * 128).outcome == ACCEPT      # 384 UTF-8 bytes: still 128 characters
    assert predict(CONF, SP11, "😀" * 128).outcome == ACCEPT      # 256 UTF-16 units
    assert predict(CONF, documented("11.0.0 SP10"), "a" * 500).outcome == NOT_APPLICABLE


def test_ambiguous_inputs_are_a_band_with_readings():
    p = predict(CONF, SP11, "e\u0301" * 128)       # 256 code points, 128 display characters
    assert p.outcome == EITHER
    assert p.readings["code-points"] == REFUSE and p.readings["grapheme-clusters"] == ACCEPT
    spaces = predict(CONF, SP11, "   ")
    assert spaces.outcome == EITHER and spaces.readings["code-points+trimmed"] == REFUSE
    assert predict(CONF, SP11, "e\u0301" * 129).outcome == REFUSE   # over under every reading


def test_image_band_between_decimal_and_binary_megabytes():
    sp22 = documented("11.0.0 SP22")
    assert predict(IMAGE, sp22, 5_000_000).outcome == ACCEPT
    for size in (5_000_001, 5_242_880):
        p = predict(IMAGE, sp22, size)
        assert p.outcome == EITHER and p.readings == {"decimal": REFUSE, "binary": ACCEPT}
    assert predict(IMAGE, sp22, 5_242_881).outcome == REFUSE


def test_description_follows_the_later_note():
    assert predict(DESC, documented("39.5.0"), "a" * 1025).outcome == REFUSE
    assert predict(DESC, V398, "a" * 1025).outcome == ACCEPT
    assert predict(DESC, V398, "a" * 2501).outcome == REFUSE
    assert predict(DESC, documented("39.2.0"), "a" * 10_000).outcome == ACCEPT     # no limit before 39.3.0


def test_ranges_and_items():
    v = documented("39.11.0")
    start = dt.datetime(2025, 6, 2, 9)
    exact = start + dt.timedelta(days=90)
    assert predict(RANGE, v, (start, exact)).outcome == ACCEPT
    assert predict(RANGE, v, (start, exact + dt.timedelta(seconds=1))).outcome == REFUSE
    fall = dt.datetime(2025, 10, 20, 12)
    assert predict(RANGE, v, (fall, fall + dt.timedelta(days=90))).outcome == EITHER
    v421 = documented("42.1.0")
    assert predict(ATT, v421, tuple(range(50))).outcome == ACCEPT
    assert predict(ATT, v421, tuple(range(51))).outcome == REFUSE
    dup = predict(ATT, v421, tuple(range(50)) + (0,))
    assert dup.outcome == EITHER and dup.readings == {"entries": REFUSE, "distinct": ACCEPT}
    assert predict(ATT, documented("39.11.0"), tuple(range(200))).outcome == ACCEPT


@given(st.text(alphabet="abcxyz ", max_size=300))
def test_ascii_names_without_edge_spaces_follow_the_plain_rule(text):
    text = text.strip() or "a"
    assert predict(CONF, SP11, text).outcome == (ACCEPT if 1 <= len(text) <= 128 else REFUSE)


def test_measure_sizes():
    assert measure("display-characters", " é ")["code-points+trimmed"] == 1
    assert measure("items-per-call", (1, 2, 2)) == {"entries": 3, "distinct": 2}


def test_judging_an_answer():
    rule = CONF.rule_for(SP11)
    assert classify(Answer("SUCCESS"), rule) == ACCEPT
    assert classify(CONF_REFUSAL, rule) == REFUSE
    assert classify(Answer("FAILURE", "999999", CONF_REFUSAL.reason), rule) == "other"
    over = predict(CONF, SP11, "a" * 129)
    verdicts, seen = judge_example(over, Answer("SUCCESS"), "ABOVE_MAX")
    assert seen == ACCEPT and verdicts[0].outcome == "fail" and "129 display characters" in verdicts[0].detail
    verdicts, _ = judge_example(over, Answer("FAILURE", "999999", CONF_REFUSAL.reason), "ABOVE_MAX")
    assert [v.check for v in verdicts if v.outcome == "fail"] == ["boundary:ABOVE_MAX", "exceptionID"]
    verdicts, _ = judge_example(over, CONF_REFUSAL, "ABOVE_MAX")
    assert [v.outcome for v in verdicts] == ["pass"]
    band = predict(CONF, SP11, "e\u0301" * 128)
    assert judge_example(band, Answer("SUCCESS"), "x")[0][0].outcome == "pass"
    assert judge_example(band, CONF_REFUSAL, "x")[0][0].outcome == "pass"
    assert judge_example(band, Answer("FAILURE", "000001", "no"), "x")[0][0].outcome == "fail"


def test_list_apis_may_answer_nothing_found():
    rule = RANGE.rule_for(documented("39.11.0"))
    assert classify(Answer("FAILURE", "000015", "Sorry, no record found"), rule, ("000015",)) == ACCEPT
    assert classify(Answer("FAILURE", "000015", "Sorry, no record found"), rule) == "other"


def test_reading_tracker_names_the_reading_and_catches_contradictions():
    sp22 = documented("11.0.0 SP22")
    t = ReadingTracker("bytes")
    assert t.reading() is None
    assert t.observe(predict(IMAGE, sp22, 5_100_000), ACCEPT, "a")
    assert t.reading() == "binary"
    assert not t.observe(predict(IMAGE, sp22, 5_050_000), REFUSE, "b")   # binary would accept it
    assert t.reading().startswith("none")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ae \u0301\u0308\u200d\u20e3漢😀👍🏽\U0001F1E9\U0001F1EA\ufe0f", max_size=14))
def test_grapheme_count_per_distinct_character_agrees_with_the_walk(text):
    from conformance.oracles import _grapheme_walk
    assert grapheme_count(text) == _grapheme_walk(text)
