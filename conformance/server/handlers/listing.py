"""List requests: listControl's window and the matchingRecords every list answer carries.

Our choice where the notes are silent: startFrom >= 1 and 1 <= maximumNum <= 500 (the
default page size is the API's); anything else is 999999 naming the element.

``page_sql`` pages in SQL: a COUNT for matchingRecords' total and LIMIT/OFFSET for the
rows, so a list of hundreds of rows costs what its page costs (fetching every row and
building it in Python was ~3 ms a call).  Handlers put their filters in the query;
dates are stored as ``datetime.isoformat()`` text, whose order is the dates' order, so
a date scope is a string comparison with the bound's ``isoformat()``.  ``page`` stays
for lists whose filters need Python (JSON fields, groupings).
"""
from __future__ import annotations

import re
from typing import Any

from ..call import Call
from ..element_maker import Maker, maker
from ..failures import NO_RECORD, ApiFailure
from .numbers import MAX_INT, shown

__all__ = ["MAX_PAGE", "list_window", "page", "page_sql", "matching_records"]

MAX_PAGE = 500
_DIGITS = re.compile(r"[0-9]+")


def list_window(call: Call, default_max: int) -> tuple[int, int]:
    """listControl's (startFrom, maximumNum): startFrom >= 1, 1 <= maximumNum <= 500."""
    out = []
    for name, default, high in (("startFrom", 1, MAX_INT), ("maximumNum", default_max, MAX_PAGE)):
        text = call.text(f"listControl/{name}")
        if not text:
            out.append(default)
            continue
        value = int(text) if _DIGITS.fullmatch(text) and len(text) <= 12 else 0
        if not 1 <= value <= high:
            raise ApiFailure("999999", f"listControl/{name} must be a whole number from 1 to {high}, "
                                       f"not {shown(text)}")
        out.append(value)
    return out[0], out[1]


def page(call: Call, rows: list, default_max: int) -> tuple[list, int]:
    """The requested page of ``rows`` and its startFrom; an empty page is 000015."""
    start, maximum = list_window(call, default_max)
    chosen = rows[start - 1:start - 1 + maximum]
    if not chosen:
        raise ApiFailure(*NO_RECORD)
    return chosen, start


def page_sql(call: Call, sql: str, params: tuple | list, order: str, default_max: int) -> tuple[list, int, int]:
    """(the requested page's rows, how many rows ``sql`` matches, startFrom); an empty page is 000015.

    ``sql`` is a whole SELECT without ORDER BY; ``order`` is its ORDER BY clause.
    """
    start, maximum = list_window(call, default_max)
    params = tuple(params)
    chosen = call.db.query(f"{sql} {order} LIMIT ? OFFSET ?", (*params, maximum, start - 1))
    if not chosen:
        raise ApiFailure(*NO_RECORD)
    total = call.db.one(f"SELECT COUNT(*) FROM ({sql})", params)[0]
    return chosen, total, start


def matching_records(E: Maker, total: int, returned: int, start: int) -> Any:
    """The service's matchingRecords element with its serv:total/returned/startFrom."""
    S = maker("serv")
    return E.matchingRecords(S.total(str(total)), S.returned(str(returned)), S.startFrom(str(start)))
