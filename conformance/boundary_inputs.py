"""The inputs of boundary tests: labelled edge scenarios, and Hypothesis strategies around a bound.

Every input is an ``Example`` (a scenario label and a value in the limit's unit: a text, a
tuple of attendee numbers, a pair of dates, a byte count).  The edge phase always sends
the same labelled scenarios; the search phase draws values whose *size* is an offset
from the bound (offsets shrink towards 0, so a failure shrinks to the input at the bound)
and whose *content* is a short mix of characters repeated (the mix shrinks towards plain
ASCII, so a failure that needs a multibyte character keeps exactly one kind).
``variables`` turns a value into what the request template places.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .limits import Limit, LimitApi, Rule
from .templating import render, xml_escape

__all__ = ["Example", "edge_examples", "strategy", "label_for", "variables", "describe", "CLUSTERS", "DATE_FORMAT",
           "value_to_json", "value_from_json"]

DATE_FORMAT = "%m/%d/%Y %H:%M:%S"
SMALL_IMAGE = 1000
# What a text is made of: one user-perceived character each (a grapheme cluster), plain
# ASCII first (the shrink target), then the multibyte kinds the notes' "display
# characters" must survive, then XML's special characters.
CLUSTERS = ("a", "é", "漢", "😀", "e\u0301", " ", "&", "<", "]]>", '"', "ß", "👍🏽", "🇩🇪", "👩\u200d💻", "'")
_MIXED = ("é", "漢", "😀", "a")
_SPECIAL = ("&", "<", "]]>", '"', "'")
# Range anchors: chosen so that, unless the scenario says otherwise, a range of up to 90
# days crosses no change of daylight saving time (US Pacific).
_ANCHOR = _dt.datetime(2025, 6, 2, 9, 0, 0)
_SEARCH_ANCHORS = (_dt.datetime(2023, 6, 1), _dt.datetime(2026, 12, 31))
_DAY = 86400


@dataclass(frozen=True)
class Example:
    label: str            # AT_MAX, MULTIBYTE_ABOVE_MAX/emoji, RANGE_PLUS_1S/dst-fall, ...
    value: Any
    phase: str = "edge"   # edge | search


def _cycle(parts: tuple[str, ...], n: int) -> str:
    """``n`` grapheme clusters taken from ``parts`` in turn ("]]>" counts as three)."""
    flat = [c for p in parts for c in ([p] if p in CLUSTERS and p != "]]>" else list(p))]
    reps, rest = divmod(n, len(flat))
    return "".join(flat) * reps + "".join(flat[:rest])


def _chars(limit: Limit, bound: int, with_min: bool) -> list[Example]:
    out: list[Example] = []
    if with_min and limit.min is not None and limit.min >= 1:
        out += [Example("AT_MIN", "a" * limit.min), Example("EMPTY", ""), Example("WHITESPACE_ONLY", "   ")]
    out += [Example("AT_MAX", _cycle(("a",), bound)), Example("ABOVE_MAX", _cycle(("a",), bound + 1)),
            Example("FAR_ABOVE", _cycle(("a",), bound * 4))]
    for kind, parts in (("cjk", ("漢",)), ("emoji", ("😀",)), ("mixed", _MIXED)):
        out += [Example(f"MULTIBYTE_AT_MAX/{kind}", _cycle(parts, bound)),
                Example(f"MULTIBYTE_ABOVE_MAX/{kind}", _cycle(parts, bound + 1))]
    out += [Example("MULTIBYTE_AT_MAX/combining", "e\u0301" * bound),
            Example("MULTIBYTE_ABOVE_MAX/combining", "e\u0301" * (bound + 1)),
            Example("XML_SPECIAL_AT_MAX", _cycle(_SPECIAL, bound)),
            Example("XML_SPECIAL_ABOVE_MAX", _cycle(_SPECIAL, bound + 1))]
    return out


def _items(limit: Limit, bound: int, with_min: bool) -> list[Example]:
    ids = lambda n: tuple(range(1, n + 1))  # noqa: E731
    out = [Example("AT_MIN", ids(1))] if with_min else []
    out += [Example("BELOW_MAX", ids(bound - 1)), Example("AT_MAX", ids(bound)), Example("ABOVE_MAX", ids(bound + 1)),
            Example("FAR_ABOVE", ids(bound * 2)),
            Example("AT_MAX/duplicates", ids(bound - 1) + (1,)),
            Example("ABOVE_MAX/duplicates", ids(bound) + (1,))]
    return out


def _range(start: _dt.datetime, seconds: int) -> tuple[_dt.datetime, _dt.datetime]:
    return start, start + _dt.timedelta(seconds=seconds)


def _ranges(limit: Limit, bound: int, with_min: bool) -> list[Example]:
    out = [Example("AT_MIN", _range(_ANCHOR, limit.min or 0))] if with_min else []
    out += [Example("RANGE_MINUS_1S", _range(_ANCHOR, bound - 1)), Example("RANGE_EXACT", _range(_ANCHOR, bound)),
            Example("RANGE_PLUS_1S", _range(_ANCHOR, bound + 1)), Example("FAR_ABOVE", _range(_ANCHOR, bound * 4))]
    for where, start in (("month-end", _dt.datetime(2025, 1, 31, 23, 59, 59)),
                         ("leap-day", _dt.datetime(2024, 2, 10, 0, 0, 0)),
                         ("dst-spring", _dt.datetime(2025, 3, 1, 12, 0, 0)),
                         ("dst-fall", _dt.datetime(2025, 10, 20, 12, 0, 0))):
        out += [Example(f"RANGE_EXACT/{where}", _range(start, bound)),
                Example(f"RANGE_PLUS_1S/{where}", _range(start, bound + 1))]
    return out


def _bytes(limit: Limit, bound: int, with_min: bool) -> list[Example]:
    out = [Example("SMALL", SMALL_IMAGE)] if with_min else []
    out += [Example("AT_MAX", bound), Example("ABOVE_MAX", bound + 1)]
    if limit.band_max:
        out += [Example("AT_MAX/binary", limit.band_max), Example("ABOVE_MAX/binary", limit.band_max + 1)]
    else:  # far, but within what one request may carry (8 MiB documents)
        out.append(Example("FAR_ABOVE", bound + bound // 10))
    return out


_EDGES = {"display-characters": _chars, "items-per-call": _items, "range-seconds": _ranges, "bytes": _bytes}


def bounds_for(limit: Limit, rule: Rule) -> tuple[int, ...]:
    """Where to probe at a version: its bound, or (no limit) every bound other versions have."""
    if rule.not_applicable:
        return ()
    return (rule.max,) if rule.max is not None else limit.bounds()


# The scenarios sent where nothing changes from the version before and after (see
# edge_examples): the definite answers on both sides of the bound.
CORE = {"display-characters": ("AT_MAX", "ABOVE_MAX", "MULTIBYTE_AT_MAX/cjk"),
        "items-per-call": ("AT_MAX", "ABOVE_MAX"),
        "range-seconds": ("RANGE_EXACT", "RANGE_PLUS_1S"),
        "bytes": ("AT_MAX", "ABOVE_MAX/binary")}       # each 5 MB request costs: the definite sizes only
NO_LIMIT = ("ABOVE_MAX", "FAR_ABOVE", "MULTIBYTE_ABOVE_MAX/cjk", "RANGE_PLUS_1S", "ABOVE_MAX/duplicates")


def edge_examples(limit: Limit, rule: Rule, full: bool = True) -> list[Example]:
    """The deterministic scenarios at this version's bound(s), in a fixed order.

    ``full``: every scenario; otherwise (a version inside a range of versions with the
    same rule) the CORE ones.  A version without the limit is probed at each later bound
    with what it must still accept (NO_LIMIT).
    """
    out: list[Example] = []
    bounds = bounds_for(limit, rule)
    for i, bound in enumerate(bounds):
        for ex in _EDGES[limit.unit](limit, bound, with_min=(i == 0)):
            if rule.no_limit and ex.label not in NO_LIMIT:
                continue
            if not full and not rule.no_limit and ex.label not in CORE[limit.unit]:
                continue
            label = ex.label if len(bounds) == 1 else f"{ex.label}@{bound}"
            out.append(Example(label, ex.value))
    return out


# --- search --------------------------------------------------------------------------------

def strategy(limit: Limit, rule: Rule):
    """A Hypothesis strategy of (api index, value) around this version's bound(s).

    Sizes are ``bound + offset``; the offset shrinks towards 0 (the input at the bound),
    the API index towards the first API, text content towards ASCII, range anchors towards
    1 June 2023, duplicates towards none.
    """
    from hypothesis import strategies as st

    bounds = bounds_for(limit, rule)
    low = limit.min if limit.min is not None else 0

    def offsets(bound: int, near: int, far: int):
        # the edges themselves first (what a failure shrinks to), then near, then anywhere
        return st.one_of(st.sampled_from((0, 1, -1)), st.integers(-near, near), st.integers(max(low, 0) - bound, far))

    bound_s = st.sampled_from(bounds)
    api_s = st.integers(0, len(limit.apis) - 1)
    if limit.unit == "display-characters":
        mix = st.lists(st.sampled_from(CLUSTERS), min_size=1, max_size=6)

        @st.composite
        def text(draw):
            bound = draw(bound_s)
            n = max(0, bound + draw(offsets(bound, 3, bound // 2)))
            return _cycle(tuple(draw(mix)), n)
        value = text()
    elif limit.unit == "items-per-call":
        @st.composite
        def items(draw):
            bound = draw(bound_s)
            n = max(1, bound + draw(offsets(bound, 3, bound // 2)))
            dups = draw(st.integers(0, min(3, n - 1)))
            return tuple(range(1, n - dups + 1)) + tuple(range(1, dups + 1))
        value = items()
    elif limit.unit == "range-seconds":
        anchors = st.datetimes(min_value=_SEARCH_ANCHORS[0], max_value=_SEARCH_ANCHORS[1]).map(
            lambda d: d.replace(microsecond=0))

        @st.composite
        def ranges(draw):
            bound = draw(bound_s)
            seconds = max(low, bound + draw(offsets(bound, 2 * _DAY, bound // 2)))
            return _range(draw(anchors), seconds)
        value = ranges()
    else:
        @st.composite
        def sizes(draw):
            bound = draw(bound_s)
            top = (limit.band_max or bound) - bound
            return max(1, bound + draw(st.one_of(st.sampled_from((0, 1, top, top + 1)),
                                                 st.integers(-bound // 20, top + bound // 20))))
        value = sizes()
    return st.tuples(api_s, value)


def label_for(limit: Limit, bound: int | None, value: Any, size: int | None) -> str:
    """The scenario a drawn value falls in, by its size next to the bound."""
    if bound is None or size is None:
        return "NO_LIMIT"
    ranges = limit.unit == "range-seconds"
    if size == bound:
        label = "RANGE_EXACT" if ranges else "AT_MAX"
    elif size == bound + 1:
        label = "RANGE_PLUS_1S" if ranges else "ABOVE_MAX"
    elif size > bound:
        label = f"RANGE_PLUS_{size - bound}S" if ranges and size - bound < _DAY * 3 else "FAR_ABOVE"
    elif limit.min is not None and size < limit.min:
        label = "BELOW_MIN" if size else "EMPTY"
    elif limit.min is not None and size == limit.min:
        label = "AT_MIN"
    else:
        label = f"RANGE_MINUS_{bound - size}S" if ranges and bound - size < _DAY * 3 else "BELOW_MAX"
    if limit.unit == "display-characters":
        text = str(value)
        if any(c in text for c in "&<>\"'"):
            label = "XML_SPECIAL_" + label if not label.startswith("RANGE") else label
        if any(ord(c) > 127 for c in text):
            label = "MULTIBYTE_" + label
    elif limit.unit == "items-per-call" and len(set(value)) != len(value):
        label += "/duplicates"
    return label


# --- rendering -----------------------------------------------------------------------------

@lru_cache(maxsize=8)   # the edge sizes recur at every version: build each 5 MB image once
def _image(size: int) -> str:
    return render(f"${{base64:{size}}}", {})


def variables(limit: Limit, api: LimitApi, value: Any, base: dict[str, str]) -> dict[str, str]:
    """What the request template places: ${value}, or ${start}/${end}, already XML text."""
    if limit.unit == "display-characters":
        return {"value": xml_escape(str(value), quotes=True)}
    if limit.unit == "range-seconds":
        start, end = value
        return {"start": start.strftime(DATE_FORMAT), "end": end.strftime(DATE_FORMAT)}
    if limit.unit == "bytes":
        return {"value": _image(int(value))}
    one = _item(api.item or "", tuple(sorted(base.items())))
    return {"value": "".join(one.replace(_N, str(n)) for n in value)}


_N = "WEBEXBOUNDARYITEMNUMBER"


@lru_cache(maxsize=8)
def _item(template: str, base: tuple[tuple[str, str], ...]) -> str:
    """One item's XML with a marker for its number: rendered once, then copied per item."""
    return render(template, {**dict(base), "n": _N})


def describe(limit: Limit, value: Any, keep: int = 48) -> str:
    """The value in a few words for reports (long texts elided, sizes given)."""
    if limit.unit == "display-characters":
        text = str(value)
        shown = text if len(text) <= keep else text[: keep // 2] + "…" + text[-(keep // 4):]
        return f"{shown!r} ({len(text)} code points, {len(text.encode('utf-8'))} UTF-8 bytes)"
    if limit.unit == "range-seconds":
        start, end = value
        return (f"{start.strftime(DATE_FORMAT)} .. {end.strftime(DATE_FORMAT)} "
                f"({int((end - start).total_seconds())} s)")
    if limit.unit == "bytes":
        return f"an image of {int(value)} bytes"
    return f"{len(value)} attendees ({len(set(value))} distinct)"


def value_to_json(limit: Limit, value: Any) -> Any:
    """A value as JSON (failure files and the example database keep inputs this way)."""
    if limit.unit == "range-seconds":
        return [t.strftime(DATE_FORMAT) for t in value]
    if limit.unit == "items-per-call":
        return list(value)
    return value


def value_from_json(limit: Limit, data: Any) -> Any:
    """The value back from ``value_to_json``; ValueError for data of another shape."""
    try:
        if limit.unit == "range-seconds":
            start, end = (_dt.datetime.strptime(t, DATE_FORMAT) for t in data)
            return start, end
        if limit.unit == "items-per-call":
            return tuple(int(x) for x in data)
        return int(data) if limit.unit == "bytes" else str(data)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a {limit.unit} value: {exc}") from None
