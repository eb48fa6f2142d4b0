"""Every release-note heading has a case; every case names a real heading."""
import tomllib
from pathlib import Path

import pytest

from conformance.cases import load_cases
from conformance.versions import documented

ROOT = Path(__file__).resolve().parents[1]
NOTES = ROOT.parent / "shared" / "release-notes"


def headings():
    return tomllib.loads((ROOT / "cases" / "headings.toml").read_text(encoding="utf-8"))["heading"]


def test_headings_are_well_formed():
    seen = set()
    for h in headings():
        documented(h["version"])
        assert set(h) <= {"version", "text", "file", "applied_in", "covered_by"}, h
        key = (documented(h["version"]), h["text"])
        assert key not in seen, f"duplicate heading {key}"
        seen.add(key)
    assert len(seen) == 52
    versions = {documented(h["version"]) for h in headings()}
    from conformance.versions import ALL_VERSIONS
    assert versions == set(ALL_VERSIONS), "every documented version has at least one heading"


@pytest.mark.skipif(not NOTES.is_dir(), reason="../shared/release-notes is not present")
def test_headings_are_verbatim_from_the_notes():
    texts = {f.name: f.read_text(encoding="utf-8") for f in NOTES.glob("*.txt")}
    for h in headings():
        body = texts[h["file"]]
        # the 42.x notes break lines before commas: compare with whitespace removed
        assert "".join(h["text"].split()) in "".join(body.split()), f"heading not in {h['file']}: {h['text']}"


def test_every_heading_has_a_case():
    report = load_cases(ROOT / "cases")
    assert report.errors == []
    covered = {(c.introduced, c.source) for c in report.cases}
    missing = []
    for h in headings():
        key = (documented(h["version"]), h["text"])
        if key in covered:
            continue
        others = [h["applied_in"]] if "applied_in" in h else h.get("covered_by", [])
        if others and all((documented(o["version"]), o["text"]) in covered for o in others):
            continue  # announced here and applied later, or a summary of other headings
        missing.append(f"{h['version']}: {h['text']}")
    assert missing == [], "headings without a case:\n" + "\n".join(missing)


def test_every_case_names_a_heading_of_its_version():
    known = {(documented(h["version"]), h["text"]) for h in headings()}
    report = load_cases(ROOT / "cases")
    strays = [f"{c.path}: {c.introduced} {c.source!r}" for c in report.cases if (c.introduced, c.source) not in known]
    assert strays == []
