import pytest
from hypothesis import given, settings, strategies as st

from conformance.json_check import SchemaKeywordError, check_schema, first_error, iter_errors
from conformance.results import results_schema

SCHEMA = {
    "type": "object", "required": ["n", "kind"], "additionalProperties": False,
    "properties": {
        "n": {"type": "integer", "minimum": 0},
        "kind": {"enum": ["a", "b"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "ratio": {"type": ["number", "null"]},
        "fixed": {"const": "x"},
        "ref": {"$ref": "#/$defs/named"},
        "either": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/named"}]},
        "free": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "$defs": {"named": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}},
}


def test_a_matching_document_has_no_error():
    check_schema(SCHEMA)
    assert first_error({"n": 0, "kind": "a", "tags": ["t"], "ratio": 1, "fixed": "x", "ref": {"name": "r"},
                        "either": None, "free": {"k": "v"}}, SCHEMA) is None


@pytest.mark.parametrize("doc, error", [
    ({"kind": "a"}, "(top): missing field 'n'"),
    ({"n": True, "kind": "a"}, "n: must be an integer, not boolean"),
    ({"n": 1.5, "kind": "a"}, "n: must be an integer, not number"),
    ({"n": -1, "kind": "a"}, "n: must be at least 0, not -1"),
    ({"n": 1, "kind": "c"}, "kind: 'c' is not one of a, b"),
    ({"n": 1, "kind": "a", "tags": ["t", 3]}, "tags[1]: must be a string, not integer"),
    ({"n": 1, "kind": "a", "ratio": "1"}, "ratio: must be a number or null, not string"),
    ({"n": 1, "kind": "a", "fixed": "y"}, "fixed: must be 'x', not 'y'"),
    ({"n": 1, "kind": "a", "ref": {}}, "ref: missing field 'name'"),
    ({"n": 1, "kind": "a", "either": {"name": 5}}, "either.name: must be a string, not integer"),
    ({"n": 1, "kind": "a", "free": {"k": 1}}, "free.k: must be a string, not integer"),
    ({"n": 1, "kind": "a", "other": 1}, "(top): unknown field 'other'"),
])
def test_each_mismatch_names_its_place(doc, error):
    assert first_error(doc, SCHEMA) == error


def test_every_mismatch_is_listed():
    assert len(list(iter_errors({"n": "x", "kind": "z", "other": 1}, SCHEMA))) == 3


@pytest.mark.parametrize("schema, why", [
    ({"type": "string", "pattern": "^a"}, "unsupported keyword(s) pattern"),
    ({"properties": {"x": {"oneOf": []}}}, "#/properties/x: unsupported keyword(s) oneOf"),
    ({"$ref": "other.json#/x"}, "only local references"),
])
def test_a_keyword_we_cannot_enforce_is_refused(schema, why):
    with pytest.raises(SchemaKeywordError, match=why.replace("(", r"\(").replace(")", r"\)")):
        check_schema(schema)


def test_the_published_results_schema_uses_only_supported_keywords():
    schema = results_schema()
    check_schema(schema)
    assert schema["title"] == "webex-conformance-results/1"
    assert {"error_kind", "boundary"} <= set(schema["$defs"]["result"]["properties"])


_JSON = st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False) | st.sampled_from(
    ["a", "b", "x", "y", "name"]), lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["n", "kind", "tags", "ratio", "fixed", "ref", "either", "free", "name", "other"]), inner,
    max_size=5), max_leaves=12)


_NEAR_VALID = st.builds(lambda n, extra: {"n": n, "kind": "a", **extra}, st.integers(-1, 2), st.dictionaries(
    st.sampled_from(["tags", "ratio", "fixed", "ref", "either", "free", "other"]),
    _JSON | st.just("x") | st.just({"name": "r"}) | st.just(["t"]), max_size=3))


@settings(max_examples=300, deadline=None)
@given(_JSON | _NEAR_VALID)
def test_the_fast_check_and_the_explaining_walk_agree(value):
    # first_error decides with a compiled check and explains with iter_errors: both must agree
    assert (first_error(value, SCHEMA) is None) == (not list(iter_errors(value, SCHEMA)))
