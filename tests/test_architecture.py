"""docs/ARCHITECTURE.md names only modules (and attributes) that exist.

Generic on purpose: any ``conformance.x.y`` dotted name must be a module, or an attribute
of the longest module prefix; any ``conformance/x/y.py`` or ``conformance/x/`` path must
exist; a bare ``x.py`` under a heading that names a directory (``conformance/server/``)
must exist in that directory.
"""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "ARCHITECTURE.md"

_DOTTED = re.compile(r"(?<![\w/.])conformance(?:\.[A-Za-z_]\w*)+")
_PATH = re.compile(r"(?<![\w.])conformance/[\w/]*(?:\.py|/)")
_BARE = re.compile(r"`([A-Za-z_]\w*\.py)`")
_HEADING_DIR = re.compile(r"^#+ .*`(conformance/[\w/]+/)`")


def names() -> tuple[set[str], set[str], set[str]]:
    dotted, paths, bare = set(), set(), set()
    directory = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            m = _HEADING_DIR.match(line)
            directory = m.group(1) if m else None
        dotted.update(m.rstrip(".") for m in _DOTTED.findall(line))
        paths.update(_PATH.findall(line))
        if directory:
            bare.update(directory + b for b in _BARE.findall(line))
    return dotted, paths, bare


def resolves(name: str) -> bool:
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def test_the_document_names_something():
    dotted, paths, bare = names()
    assert len(dotted) > 20 and paths and bare


@pytest.mark.parametrize("name", sorted(names()[0]))
def test_every_dotted_name_exists(name):
    assert resolves(name), f"docs/ARCHITECTURE.md names {name}, which does not exist"


@pytest.mark.parametrize("path", sorted(names()[1] | names()[2]))
def test_every_named_file_exists(path):
    assert (ROOT / path).exists(), f"docs/ARCHITECTURE.md names {path}, which does not exist"


def test_a_missing_module_would_be_noticed():
    assert not resolves("conformance.no_such_module")
    assert not resolves("conformance.cases.no_such_name")
    assert resolves("conformance.checks.CHECKS") and resolves("conformance.checks.nodes")
