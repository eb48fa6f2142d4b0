"""Rules that hold from an old version are checked there too, not only where a later note
makes them easy to see: each seeded defect below must fail its case at every version
listed (tests/test_suite_e2e.py proves each defect at one version, by all its cases)."""
from pathlib import Path

import pytest

from conformance.cases import load_cases
from conformance.embedded import EmbeddedServers
from conformance.execute import context_for, run_case
from conformance.versions import documented

CASES = load_cases(Path(__file__).resolve().parents[1] / "cases").by_id()

EARLY = [
    ("sipurl-for-every-meeting", "getsessioninfo-sipurl-skypeurl", ("11.0.0 SP14", "11.0.0 SP20", "39.8.0")),
    ("getevent-cet-elements-for-all", "getevent-no-cet-elements-without-video", ("11.0.0 SP20", "39.8.0")),
]


@pytest.mark.parametrize("defect,case_id,versions", EARLY, ids=[d for d, _, _ in EARLY])
def test_defect_fails_its_case_at_the_older_versions(defect, case_id, versions):
    for text in versions:
        version = documented(text)
        for defects, expected in (((), "pass"), ((defect,), "fail")):
            with EmbeddedServers(defects) as servers:
                ctx = context_for(servers.target(version), version)
                try:
                    result = run_case(CASES[case_id], ctx)
                finally:
                    ctx.transport.close()
            assert result.outcome == expected, (text, defects, result.reason)
