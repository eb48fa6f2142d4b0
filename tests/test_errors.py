"""The one error module: every error meant for a person is one of its families."""
import pytest

from conformance import errors


@pytest.mark.parametrize("cls, family, code", [
    ("conformance.cases:CaseFileError", errors.CaseFileError, 2),
    ("conformance.config:ConfigError", errors.ConfigError, 2),
    ("conformance.detect:DetectError", errors.ConfigError, 2),
    ("conformance.schemas:SchemaLoadError", errors.SchemaError, 2),
    ("conformance.results:ResultsFileError", errors.ResultsFileError, 2),
    ("conformance.targets:Unreachable", errors.Unreachable, 3),
    ("conformance.transport:EndpointUnreachable", errors.Unreachable, 3),
])
def test_the_old_names_belong_to_the_families(cls, family, code):
    import importlib
    module, name = cls.split(":")
    klass = getattr(importlib.import_module(module), name)
    assert issubclass(klass, family)
    args = {"CaseFileError": ("x.toml", "kind", "must be a string"),
            "EndpointUnreachable": ("http://127.0.0.1:1/", "connection refused", 3)}.get(name, ("one\nline",))
    exc = klass(*args)
    assert errors.exit_code_for(exc) == code and "\n" not in str(exc)


def test_one_line_and_unexpected_errors():
    assert errors.one_line("a\n  b\tc") == "a b c"
    assert errors.one_line("x" * 400, 10) == "x" * 9 + "…"
    assert errors.exit_code_for(RuntimeError("boom")) == errors.EXIT_USAGE
    assert errors.Unreachable("gone").kind == "unreachable"
