from __future__ import annotations

from conformance.report_facts import load_headings, provenance, run_details


def test_headings_of_the_suite_and_of_a_missing_or_broken_file(tmp_path):
    assert any(h["text"] and h["version"] for h in load_headings())
    assert load_headings(tmp_path / "absent.toml") == []
    (tmp_path / "bad.toml").write_text("[[heading]\n")
    assert load_headings(tmp_path / "bad.toml") == []


def test_provenance_tolerates_any_shape_and_says_what_is_there():
    p = provenance([None, "x", {}, {"suite": {"version": "1.2", "source": "installed", "commit": None}},
                    {"suite_version": "0.9", "commit": "abc", "status": "stopped", "load_errors": ["f: bad"],
                     "started_at": "2026-01-02T00:00:00Z", "finished_at": "2026-01-02T00:05:00Z"}])
    assert p["suites"] == ["webex-conformance 0.9 at commit abc", "webex-conformance 1.2 (installed)"]
    assert p["notes"] == ["a run ended stopped: some selected cases never ran", "1 case file(s) did not load"]
    assert (p["started"], p["finished"], p["runs"]) == ("2026-01-02T00:00:00Z", "2026-01-02T00:05:00Z", 3)


def test_run_details_keep_every_key_as_text():
    [rows] = run_details([{"targets": [{"name": "a", "how": "given"}], "n": 3, "empty": "", "s": "x"}])
    assert rows == [("targets", "1 target version(s); a: given"), ("n", "3"), ("s", "x")]


def test_provenance_names_what_the_run_left_on_the_site_and_how_to_undo_it():
    left = [{"what": "meeting", "key": str(k), "command": "webex-conformance cleanup r/results.json"} for k in range(7)]
    p = provenance([{"leftovers": left + ["junk"]}, {"leftovers": []}])
    assert p["notes"] == ["7 thing(s) the run wrote on the target could not be undone (meeting 0, meeting 1, "
                          "meeting 2, meeting 3, meeting 4 and 2 more): webex-conformance cleanup r/results.json"]
    assert provenance([{"leftovers": [{"what": "event", "key": None, "command": ""}]}])["notes"] == [
        "1 thing(s) the run wrote on the target could not be undone (event (key unknown)): "
        "see run.leftovers in results.json"]
