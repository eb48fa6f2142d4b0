"""Check JSON data against the subset of JSON Schema (2020-12) our published schemas use.

We publish results.json's format as a JSON Schema so other tools can read it, and read
files back through the same schema so the published text and our reader cannot drift
apart.  jsonschema is not among our dependencies, so this is a small checker for the
keywords the schema uses; a schema using any other keyword is refused when it is checked,
never silently half-applied.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

__all__ = ["SUPPORTED", "SchemaKeywordError", "check_schema", "iter_errors", "first_error"]

_ANNOTATIONS = {"$schema", "$id", "title", "description", "$comment", "$defs"}
SUPPORTED = frozenset({"type", "properties", "required", "additionalProperties", "items", "enum",
                       "const", "minimum", "$ref", "allOf", "anyOf"}) | _ANNOTATIONS

_TYPES = {"object": "an object", "array": "a list", "string": "a string", "integer": "an integer",
          "number": "a number", "boolean": "true or false", "null": "null"}


class SchemaKeywordError(ValueError):
    """The schema uses a keyword this checker does not implement."""


_PY_TYPES = {type(None): "null", bool: "boolean", int: "integer", float: "number", str: "string",
             list: "array", dict: "object"}  # by exact type: True is not an integer in JSON


def _json_type(value: Any) -> str:
    return _PY_TYPES.get(type(value)) or type(value).__name__


def _is(value: Any, typ: str) -> bool:
    actual = _json_type(value)
    return actual == typ or (typ == "number" and actual == "integer")


def check_schema(schema: Any, where: str = "#") -> None:
    """Refuse a schema that uses a keyword this checker would ignore."""
    if isinstance(schema, bool):
        return
    if not isinstance(schema, dict):
        raise SchemaKeywordError(f"{where}: a schema must be an object or a boolean")
    unknown = set(schema) - SUPPORTED
    if unknown:
        raise SchemaKeywordError(f"{where}: unsupported keyword(s) {', '.join(sorted(unknown))}")
    for key in ("properties", "$defs"):
        for name, sub in schema.get(key, {}).items():
            check_schema(sub, f"{where}/{key}/{name}")
    for key in ("items", "additionalProperties"):
        if key in schema:
            check_schema(schema[key], f"{where}/{key}")
    for key in ("allOf", "anyOf"):
        for i, sub in enumerate(schema.get(key, [])):
            check_schema(sub, f"{where}/{key}/{i}")
    ref = schema.get("$ref")
    if ref is not None and not str(ref).startswith("#/$defs/"):
        raise SchemaKeywordError(f"{where}: only local references (#/$defs/NAME) are supported, not {ref!r}")


def _resolve(root: dict, ref: str) -> Any:
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def iter_errors(value: Any, schema: Any, root: dict | None = None, path: str = "") -> Iterator[str]:
    """Every mismatch as one line ``PATH: what is wrong`` (the document itself is ``(top)``)."""
    root = schema if root is None else root
    if schema is True:
        return
    here = path or "(top)"
    if schema is False:
        yield f"{here}: not allowed"
        return
    if "$ref" in schema:
        yield from iter_errors(value, _resolve(root, schema["$ref"]), root, path)
    for sub in schema.get("allOf", ()):
        yield from iter_errors(value, sub, root, path)
    if "anyOf" in schema:
        tries = [list(iter_errors(value, sub, root, path)) for sub in schema["anyOf"]]
        if all(tries):  # explain with the branch that got furthest: not merely a wrong type here
            yield min(tries, key=lambda errs: (errs[0].startswith(f"{here}: must be "), len(errs)))[0]
    if "const" in schema and value != schema["const"]:
        yield f"{here}: must be {schema['const']!r}, not {value!r}"
        return
    if "enum" in schema and value not in schema["enum"]:
        yield f"{here}: {value!r} is not one of {', '.join(map(str, schema['enum']))}"
        return
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is(value, t) for t in types):
            yield f"{here}: must be {' or '.join(_TYPES.get(t, t) for t in types)}, not {_json_type(value)}"
            return
    if "minimum" in schema and _json_type(value) in ("integer", "number") and value < schema["minimum"]:
        yield f"{here}: must be at least {schema['minimum']}, not {value}"
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", ()):
            if name not in value:
                yield f"{here}: missing field {name!r}"
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in props:
                yield from iter_errors(item, props[name], root, _child(path, name))
            elif extra is False:
                yield f"{here}: unknown field {name!r}"
            elif extra is not True:
                yield from iter_errors(item, extra, root, _child(path, name))
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            yield from iter_errors(item, schema["items"], root, _child(path, i))


def _compile(schema: Any, root: dict, done: dict[int, Callable[[Any], bool]]) -> Callable[[Any], bool]:
    """A function that says whether a value matches ``schema``: the fast path of first_error."""
    if schema is True or schema is False:
        return lambda v, ok=schema: ok
    key = id(schema)
    if key in done:
        return lambda v: done[key](v)  # resolved on call: a reference may point back up
    done[key] = lambda v: True         # placeholder while this node is being compiled
    checks: list[Callable[[Any], bool]] = []
    if "$ref" in schema:
        checks.append(_compile(_resolve(root, schema["$ref"]), root, done))
    checks += [_compile(sub, root, done) for sub in schema.get("allOf", ())]
    if "anyOf" in schema:
        branches = [_compile(sub, root, done) for sub in schema["anyOf"]]
        checks.append(lambda v: any(b(v) for b in branches))
    if "const" in schema:
        checks.append(lambda v, c=schema["const"]: v == c and type(v) is type(c))
    if "enum" in schema:
        checks.append(lambda v, e=schema["enum"]: v in e)
    if "type" in schema:
        names = set(schema["type"] if isinstance(schema["type"], list) else [schema["type"]])
        if "number" in names:
            names.add("integer")
        checks.append(lambda v, n=frozenset(names): _json_type(v) in n)
    if "minimum" in schema:
        checks.append(lambda v, m=schema["minimum"]: _json_type(v) not in ("integer", "number") or v >= m)
    props = {name: _compile(sub, root, done) for name, sub in schema.get("properties", {}).items()}
    required = tuple(schema.get("required", ()))
    extra = schema.get("additionalProperties", True)
    extra_fn = None if isinstance(extra, bool) else _compile(extra, root, done)
    if props or required or extra is not True:
        def check_object(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            if any(name not in v for name in required):
                return False
            for name, item in v.items():
                fn = props.get(name)
                if fn is not None:
                    if not fn(item):
                        return False
                elif extra is False or (extra_fn is not None and not extra_fn(item)):
                    return False
            return True
        checks.append(check_object)
    if "items" in schema:
        item_fn = _compile(schema["items"], root, done)
        def check_items(v: Any) -> bool:
            if isinstance(v, list):
                for x in v:
                    if not item_fn(x):
                        return False
            return True
        checks.append(check_items)
    def fn(v: Any) -> bool:
        for c in checks:
            if not c(v):
                return False
        return True
    if len(checks) == 1:
        fn = checks[0]
    done[key] = fn
    return fn


def first_error(value: Any, schema: dict) -> str | None:
    """The first mismatch, or None when ``value`` matches ``schema``."""
    if _compile(schema, schema, {})(value):
        return None
    return next(iter_errors(value, schema), "(top): does not match")
