"""The suite's data is found through the package, the same way in a checkout and a wheel."""
from __future__ import annotations

from pathlib import Path

from conformance import resources, schemagen
from conformance.versions import ALL_VERSIONS

ROOT = Path(__file__).resolve().parents[1]


def test_the_data_is_the_repositorys_own_directories():
    assert resources.cases_dir() == (ROOT / "cases").resolve()
    assert resources.schemas_dir() == (ROOT / "schemas").resolve()
    assert resources.schema_source_dir() == (ROOT / "schemas" / "source").resolve()
    assert schemagen.SCHEMAS_DIR == resources.schemas_dir()


def test_the_package_links_point_at_them():
    for name in ("cases", "limits", "schemas"):
        link = ROOT / "conformance" / "data" / name
        assert link.is_symlink() and link.readlink() == Path("..", "..", name)


def test_every_version_has_a_generated_bundle_in_the_package_data():
    for v in ALL_VERSIONS:
        assert any((resources.schemas_dir() / v.slug).rglob("*.xsd")), v


def test_limits_are_none_when_absent_or_empty(tmp_path, monkeypatch):
    limits = ROOT / "limits"
    found = resources.limits_dir()
    if limits.is_dir() and any(limits.rglob("*.toml")):
        assert found == limits.resolve()
    else:
        assert found is None
    monkeypatch.setattr(resources, "data_dir", lambda name: tmp_path / name)
    assert resources.limits_dir() is None          # absent
    (tmp_path / "limits").mkdir()
    assert resources.limits_dir() is None          # empty
    (tmp_path / "limits" / "x.toml").write_text("")
    assert resources.limits_dir() == tmp_path / "limits"
