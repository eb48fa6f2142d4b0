"""Where the suite's own data is: the case files, the limit files and the schemas.

They ship inside the package (``conformance/data/``; in a checkout those are links to
``cases/``, ``limits/`` and ``schemas/`` at the repository root, where people edit
them), so an installed wheel runs exactly as a checkout does.  Found with
``importlib.resources``, never by walking up from a source file.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ConfigError

__all__ = ["data_dir", "cases_dir", "limits_dir", "schemas_dir", "schema_source_dir"]


def data_dir(name: str) -> Path:
    """``conformance/data/<name>`` as a real directory path (resolved: a checkout's link
    becomes the repository directory, so paths in messages are the ones people edit)."""
    root = resources.files("conformance")
    if not isinstance(root, Path):  # e.g. a zip import: pytest and xmlschema need real files
        raise ConfigError(f"webex-conformance must be installed as files, not imported from {root}")
    return (root / "data" / name).resolve()


def cases_dir() -> Path:
    """The project's case files (``cases/**/*.toml``)."""
    return data_dir("cases")


def limits_dir() -> Path | None:
    """The limit files (``limits/<limit-id>.toml``), or None when there are none."""
    path = data_dir("limits")
    return path if path.is_dir() and any(path.rglob("*.toml")) else None


def schemas_dir() -> Path:
    """The generated per-version schema bundles (``schemas/<version-slug>/``)."""
    return data_dir("schemas")


def schema_source_dir() -> Path:
    """The annotated source the bundles are generated from (``schemas/source``)."""
    return schemas_dir() / "source"
