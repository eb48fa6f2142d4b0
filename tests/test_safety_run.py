"""RunSafety.finish: the end-of-run sweep makes a run context only where something is open."""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from conformance.ledger import Ledger
from conformance.safety_run import RunSafety, context_key


@dataclass
class _Run:
    target: SimpleNamespace
    version: str


def _runs(*endpoints: str) -> dict[str, _Run]:
    runs = [_Run(SimpleNamespace(name=e, endpoint=e, embedded=True), "42.6.0") for e in endpoints]
    return {context_key(r.target.endpoint, r.version): r for r in runs}


def test_nothing_open_makes_no_context(tmp_path):
    safety = RunSafety.new(tmp_path, None)
    asked = []
    left = safety.finish(_runs("http://a", "http://b"), asked.append, tmp_path / "results.json")
    assert left == [] and asked == []
    assert not safety.directory.exists()   # nothing left: the run's safety directory goes


def test_only_a_target_with_something_open_gets_a_context(tmp_path):
    safety = RunSafety.new(tmp_path, None)
    worker = Ledger(safety.directory, "gw0")
    worker.open("pending", kind="create", what="event", case="c", step="s", target="b", endpoint="http://b",
                version="42.6.0", site="main", role="host", tag=safety.tag)
    worker.close()
    runs = _runs("http://a", "http://b")
    asked = []

    def context_of(run):
        asked.append(run.target.endpoint)
        return None   # no way to undo it: it stays a leftover

    left = safety.finish(runs, context_of, tmp_path / "results.json")
    assert asked == ["http://b"]
    assert [e["what"] for e in left] == ["event"] and safety.leftovers



def test_a_target_whose_context_cannot_be_made_keeps_its_entries_and_says_why(tmp_path):
    safety = RunSafety.new(tmp_path, None)
    worker = Ledger(safety.directory, "gw0")
    for endpoint in ("http://a", "http://b"):
        worker.open("pending", kind="create", what="event", case="c", step="s", target=endpoint,
                    endpoint=endpoint, version="42.6.0", site="main", role="host", tag=safety.tag)
    worker.close()
    asked = []

    def context_of(run):
        asked.append(run.target.endpoint)
        if run.target.endpoint == "http://a":
            raise OSError("cannot reach it")
        return None

    left = safety.finish(_runs("http://a", "http://b"), context_of, tmp_path / "results.json")
    assert asked == ["http://a", "http://b"]   # one failure does not stop the others
    reasons = {e["target"]: e["reason"] for e in left}
    assert "no run context to undo it: OSError: cannot reach it" in reasons["http://a"]
    assert "no run context" not in reasons["http://b"]
