"""The whole suite against the reference server: the clean server passes everything at
every documented version (with every response schema-valid), and every seeded defect is
caught by exactly the cases it names."""
from pathlib import Path

import pytest

from conformance.cases import load_cases
from conformance.embedded import EmbeddedServers
from conformance.execute import context_for, run_case
from conformance.response import parse_message
from conformance.schemas import bundle_for
from conformance.server.root import all_defects
from conformance.versions import ALL_VERSIONS, documented, documented_at_or_below

ROOT = Path(__file__).resolve().parents[1]
CASES = load_cases(ROOT / "cases")
DEFECTS = all_defects()


def run_all(version, defects=()):
    with EmbeddedServers(defects, transport="http") as servers:   # over real HTTP, unlike the main job
        ctx = context_for(servers.target(version), version)
        try:
            return [run_case(c, ctx) for c in CASES.cases]
        finally:
            ctx.transport.close()


def test_cases_load():
    assert CASES.errors == []
    files = [p for p in (ROOT / "cases").rglob("*.toml") if p.name != "headings.toml" and not p.name.startswith("_")]
    assert len(CASES.cases) == len(files) and len(CASES.by_id()) == len(files)


@pytest.mark.parametrize("version", ALL_VERSIONS, ids=lambda v: v.slug)
def test_clean_server_passes_every_case_with_valid_responses(version):
    results = run_all(version)
    bad = [f"{r.case_id}: {r.outcome}: {r.reason}" for r in results if r.outcome in ("fail", "error", "skip")]
    assert bad == [], "\n".join(bad)
    applicable = {c.id for c in CASES.cases if not c.not_observable and c.applies_to(documented_at_or_below(version))}
    assert {r.case_id for r in results if r.outcome == "pass"} == applicable
    bundle = bundle_for(version)
    invalid = []
    for r in results:
        for s in r.steps:
            # the record is the reply decoded as the UTF-8 it is sent in (docs/SERVER.md, "The wire")
            issues = bundle.validate(parse_message(s.response.encode("utf-8")).root)
            invalid += [f"{r.case_id}/{s.name}: {i.message} at {i.path}" for i in issues]
    assert invalid == [], "\n".join(invalid[:20])
    # Our bundles declare what the reference server answers (real replies' shapes), so no
    # answer of a clean run is drift: drift in a report means something no real reply carries.
    drift = sorted({d for r in results for d in r.drift})
    assert drift == [], "\n".join(drift[:20])


def test_every_defect_names_existing_cases_and_a_documented_version():
    ids = CASES.by_id()
    for d in DEFECTS.values():
        documented(d.version)
        assert d.cases or d.boundary or d.tests, d.name   # boundary-only: tests/test_boundary_run.py; real-traffic APIs: tests/test_server_real_apis.py
        assert all(c in ids for c in d.cases), (d.name, d.cases)


def test_every_case_is_caught_failing_by_some_defect():
    """A case that no defect can make fail is a case that checks nothing."""
    caught = {c for d in DEFECTS.values() for c in d.cases}
    judged = {c.id for c in CASES.cases if not c.not_observable}
    assert sorted(judged - caught) == []


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_defect_is_caught_by_its_cases_and_only_them(name):
    d = DEFECTS[name]
    results = run_all(documented(d.version), [name])
    failing = {r.case_id for r in results if r.outcome in ("fail", "error")}
    assert failing == set(d.cases), {r.case_id: r.reason for r in results if r.case_id in failing ^ set(d.cases)}
