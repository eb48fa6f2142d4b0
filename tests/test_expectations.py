import datetime as dt

import pytest

from conformance.errors import EXIT_USAGE, ResultsFileError
from conformance.expectations import ExpectationsError, load_expectations, parse_expectations

from resultfiles import rec

ENTRY = '''
[[accepted]]
case = "{case}"
reason = "site still on the old limit"
link = "https://tracker.example/REL-1"
owner = "release-eng"
expires = {expires}
{extra}
'''


def entries(case="a", expires="2027-03-31", extra="", known=None):
    return parse_expectations(ENTRY.format(case=case, expires=expires, extra=extra), "exp.toml", known)


def test_an_entry_with_every_field():
    (e,) = entries(extra='check = "result"\nversions = ">= 42.1.0, < 42.6.0"\ntarget = "ref"', known={"a"})
    assert (e.case, e.check, str(e.versions), e.target, e.owner) == ("a", "result", ">= 42.1.0, < 42.6.0", "ref",
                                                                     "release-eng")
    assert e.expires == dt.date(2027, 3, 31) and e.where == "exp.toml: accepted[0] (a)"
    assert e.matches(rec("a", version="42.5.0")) and not e.matches(rec("a", version="42.6.0"))
    assert not e.matches(rec("a", version="42.5.0", target="other")) and not e.matches(rec("b", version="42.5.0"))


def test_a_quoted_date_is_accepted_and_expiry_is_inclusive():
    (e,) = entries(expires='"2026-12-01"')
    assert not e.expired(dt.date(2026, 12, 1)) and e.expired(dt.date(2026, 12, 2))


@pytest.mark.parametrize("text_kw, message", [
    ({"expires": '"2026-13-01"'}, "exp.toml: accepted[0] (a): expires '2026-13-01' is not a date (write YYYY-MM-DD)"),
    ({"expires": '"next week"'}, "accepted[0] (a): expires 'next week' is not a date"),
    ({"expires": "2026-13-01"}, "exp.toml: not valid TOML"),
    ({"case": "no-such-case", "known": {"a"}}, "exp.toml: accepted[0] (no-such-case): unknown case id 'no-such-case'"),
    ({"extra": 'owners = "x"'}, "accepted[0] (a): unknown key(s) owners"),
    ({"extra": 'versions = "> banana"'}, "accepted[0] (a): versions:"),
    ({"extra": 'check = ""'}, "accepted[0] (a): check must be a non-empty string"),
    ({"case": ""}, "exp.toml: accepted[0]: case must be a non-empty string"),
])
def test_bad_entries_are_one_line_errors_naming_file_and_entry(text_kw, message):
    known = text_kw.pop("known", None)
    with pytest.raises(ExpectationsError) as err:
        entries(known=known, **text_kw)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert isinstance(err.value, ResultsFileError) and err.value.exit_code == EXIT_USAGE


def test_a_missing_key_and_a_bad_layout_are_named():
    with pytest.raises(ExpectationsError, match=r"accepted\[0\] \(a\): missing required key 'owner'"):
        parse_expectations('[[accepted]]\ncase = "a"\nreason = "r"\nlink = "l"\nexpires = 2027-01-01\n', "f")
    with pytest.raises(ExpectationsError, match="unknown top-level key"):
        parse_expectations('[accept]\ncase = "a"\n', "f")
    with pytest.raises(ExpectationsError, match="no such expectations file"):
        load_expectations("/nonexistent/exp.toml")
