"""The inputs of boundary tests: labelled edge scenarios, and Hypothesis strategies around a bound.

Every input is an ``Example`` (a scenario label and a value in the limit's unit: a text, a
tuple of attendee numbers, a pair of dates, a byte count).  The edge phase always sends
the same labelled scenarios; the search phase draws *steps*, the sizes on both sides of
each bound moved by one offset (offsets shrink towards 0, so a failure shrinks to the
input at the bound)
and whose *content* is a short mix of characters repeated (the mix shrinks towards plain
ASCII, so a failure that needs a multibyte character keeps exactly one kind).
``variables`` turns a value into what the request template places.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import cache, lru_cache
from types import SimpleNamespace
from typing import Any

from .limits import Limit, LimitApi, Rule
from .templating import render, xml_escape

__all__ = ["Example", "edge_examples", "strategy", "label_for", "variables", "describe", "CLUSTERS", "DATE_FORMAT",
           "value_to_json", "value_from_json", "placed"]

DATE_FORMAT = "%m/%d/%Y %H:%M:%S"
SMALL_IMAGE = 1000
# What a text is made of: one user-perceived character each (a grapheme cluster), plain
# ASCII first (the shrink target), then the multibyte kinds the notes' "display
# characters" must survive, then XML's special characters.
CLUSTERS = ("a", "é", "漢", "😀", "e\u0301", " ", "&", "<", "]]>", '"', "ß", "👍🏽", "🇩🇪", "👩\u200d💻", "'")
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
    # (a mix of kinds is the search's: its most frequent content, see _MIXES)
    for kind, parts in (("cjk", ("漢",)), ("emoji", ("😀",))):
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
CORE = {"display-characters": ("MULTIBYTE_AT_MAX/cjk", "ABOVE_MAX"),
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
            if not full and rule.no_limit and ex.label not in ("ABOVE_MAX", "RANGE_PLUS_1S"):
                continue
            label = ex.label if len(bounds) == 1 else f"{ex.label}@{bound}"
            out.append(Example(label, ex.value))
    return out


# --- search --------------------------------------------------------------------------------

# Each draw is a *step*: the last size that must be accepted and the first that must be
# refused (at each bound, moved by one offset), sent to every API of the limit.  A defect
# moves the step, changes the refusal or counts the content differently, so one draw at
# offset 0 already tells most of them; the rest is in the content and the offset.
# The second is every kind whose clusters are one code point each (CJK, outside the BMP:
# a surrogate pair in UTF-16, Latin-1, XML's specials): under every reading its size is the
# same, so the answer at the bound is definite and bytes or UTF-16 units counted show.
# Combining marks and emoji sequences (one cluster, several code points) come alone.
_MIXES = (("a",), ("a", "漢", "😀", "é", "&"), ("😀",), ("漢",), ("e\u0301",), ("ß", "<", "]]>"),
          ("👍🏽",), ("🇩🇪", "👩\u200d💻"), _SPECIAL)
_SEARCH_ANCHORS_FIXED = (_ANCHOR, _dt.datetime(2025, 1, 31, 23, 59, 59), _dt.datetime(2024, 2, 10),
                         _dt.datetime(2025, 3, 1, 12), _dt.datetime(2025, 10, 20, 12))


def _offsets(st, near: int, far_low: int, far_high: int):
    """An offset from the bound: 0 or +-1 seven times in ten, within ``near`` two in ten,
    anywhere in [far_low, far_high] one in ten; it shrinks towards 0."""
    def pick(choice):
        kind, edge, n, w = choice   # Hypothesis favours an integer's ends: both are edges
        return n if kind in (5, 6) else w if kind == 7 else edge
    return st.tuples(st.integers(0, 9), st.sampled_from((0, -1, 1)), st.integers(-near, near),
                     st.integers(far_low, far_high)).map(pick)


def _steps(limit: Limit, bounds: tuple[int, ...], offset: int, no_limit: bool = False) -> list[int]:
    """The sizes of one draw: each bound's step (accepted side, refused side), moved by
    ``offset``; at a version without the limit only what later versions refuse."""
    sizes: list[int] = []
    for bound in bounds:
        sizes += ([] if no_limit else [bound + offset]) + [(limit.band_max or bound) + 1 + offset]
    if limit.min is not None and limit.min >= 1 and not no_limit:
        sizes += [limit.min - 1 + offset, limit.min + offset]
    # no size below what can be sent: one attendee, one byte, a range of at least its minimum
    floor = {"items-per-call": 1, "bytes": 1, "range-seconds": limit.min or 0}.get(limit.unit, 0)
    out: list[int] = []
    for n in sizes:
        n = max(n, floor)
        if n not in out:
            out.append(n)
    return out


def strategy(limit: Limit, rule: Rule):
    """A Hypothesis strategy of draws around this version's bound(s): a tuple of values
    (the step at each bound, see ``_steps``), each sent to every API.

    Offsets shrink towards 0 (the step at the bound), text content towards plain ASCII,
    range anchors towards 2 June 2025 (no month end, no change of daylight saving time),
    duplicates towards none: a failure shrinks to the input at the bound.
    """
    from hypothesis import strategies as st

    draws = _draws()
    bounds = bounds_for(limit, rule)
    biggest = max(bounds)
    if limit.unit == "display-characters":
        # plain ASCII two in ten (the shrink target), every kind at once four in ten (the ends:
        # Hypothesis favours them) (one
        # draw then tells bytes, UTF-16 units and code points from display characters),
        # one kind alone two in ten, any mix of clusters two in ten
        content = st.tuples(st.integers(0, 9), st.sampled_from(_MIXES[2:]),
                            st.lists(st.sampled_from(CLUSTERS), min_size=1, max_size=6).map(tuple)).map(_mix)
        return draws.per_step(_offsets(st, 3, -biggest // 2, biggest // 2), content, _cycle, limit, bounds,
                              rule.no_limit)
    if limit.unit == "items-per-call":
        return draws.items(_offsets(st, 3, -biggest // 2, biggest // 2), limit, bounds, rule.no_limit)
    if limit.unit == "range-seconds":
        anchors = st.one_of(st.sampled_from(_SEARCH_ANCHORS_FIXED),
                            st.datetimes(min_value=_SEARCH_ANCHORS[0], max_value=_SEARCH_ANCHORS[1])
                            .map(_whole_second))
        return draws.per_step(_offsets(st, 3600, -biggest // 2, biggest // 2), anchors, _range, limit, bounds,
                              rule.no_limit)
    return draws.sizes(_offsets(st, 1024, -biggest // 20, biggest // 20), limit, bounds, rule.no_limit)


def _mix(c: tuple) -> tuple:
    return _MIXES[0] if c[0] < 2 else c[1] if c[0] in (4, 5) else c[2] if c[0] in (6, 7) else _MIXES[1]


def _whole_second(d: _dt.datetime) -> _dt.datetime:
    return d.replace(microsecond=0)


@cache
def _draws() -> SimpleNamespace:
    """The composite draws, defined once per process on first need (Hypothesis reads a
    composite function's source when it is defined: once per boundary item cost ~4 ms),
    and only then (a run without boundary tests never imports hypothesis)."""
    from hypothesis import strategies as st

    @st.composite
    def per_step(draw, offsets, drawn, make, limit, bounds, no_limit):
        """An offset, then one more draw made into the value of each step (text, a range)."""
        offset = draw(offsets)
        value = draw(drawn)
        return tuple(make(value, n) for n in _steps(limit, bounds, offset, no_limit))

    @st.composite
    def items(draw, offsets, limit, bounds, no_limit):
        offset = draw(offsets)
        dups = draw(st.sampled_from((0, 0, 0, 1, 2)))
        out = []
        for n in _steps(limit, bounds, offset, no_limit):
            d = min(dups, n - 1)
            out.append(tuple(range(1, n - d + 1)) + tuple(range(1, d + 1)))
        return tuple(out)

    @st.composite
    def sizes(draw, offsets, limit, bounds, no_limit):
        return tuple(_steps(limit, bounds, draw(offsets), no_limit))

    return SimpleNamespace(per_step=per_step, items=items, sizes=sizes)


def label_for(limit: Limit, bound: int | None, value: Any, size: int | None) -> str:
    """The scenario a drawn value falls in, by its size next to the bound."""
    if bound is None or size is None:
        return "NO_LIMIT"
    ranges = limit.unit == "range-seconds"
    if limit.band_max and bound < size <= limit.band_max + 1 and size > bound + 1:
        return {limit.band_max: "AT_MAX/binary", limit.band_max + 1: "ABOVE_MAX/binary"}.get(size, "IN_BAND")
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
        if not text.isascii():
            label = "MULTIBYTE_" + label
    elif limit.unit == "items-per-call" and len(set(value)) != len(value):
        label += "/duplicates"
    return label


# --- rendering -----------------------------------------------------------------------------

@lru_cache(maxsize=8)   # the edge sizes recur at every version: build each 5 MB image once
def _image(size: int) -> str:
    return render(f"${{base64:{size}}}", {})


@lru_cache(maxsize=8)
def _image_bytes(size: int) -> bytes:
    return _image(size).encode("ascii")


def placed(limit: Limit, api: LimitApi, value: Any, base: dict[str, str]) -> dict[str, bytes]:
    """``variables`` as the bytes a request carries; a 5 MB image's 7 MB are encoded once
    per size, not once per request."""
    if limit.unit == "bytes":
        return {"value": _image_bytes(int(value))}
    return {name: text.encode("utf-8") for name, text in variables(limit, api, value, base).items()}


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
