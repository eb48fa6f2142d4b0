"""The pytest plugin, run through pytester the way a QA engineer runs it."""
import json

import pytest

from casefiles import apiver_case, run_cases as run
from conformance.server.serve import ReferenceServer

@pytest.fixture()
def project(pytester: pytest.Pytester):
    cases = pytester.path / "cases"
    cases.mkdir()
    (cases / "good.toml").write_text(apiver_case("apiver-good", "SUCCESS", "", " (good)"))
    (cases / "bad.toml").write_text(apiver_case("apiver-bad", "FAILURE", "", " (bad)"))
    (cases / "needs.toml").write_text(apiver_case("apiver-needs", "SUCCESS", 'requires = ["mail-sink"]', " (needs)"))
    (cases / "broken.toml").write_text(apiver_case("apiver-broken", "SUCCESS", "", " (broken)").replace('kind = "element"', 'kind = 7'))
    (cases / "headings.toml").write_text("# not a case\n")
    pytester.makeini("[pytest]\n")
    return pytester




def test_collects_one_item_per_case_with_readable_ids(project):
    res, _ = run(project, "--api-version", "42.6.0", "--collect-only", "-q")
    text = res.stdout.str()
    for cid in ("39.1.0/apiver-good", "39.1.0/apiver-bad", "39.1.0/apiver-needs", "load-error"):
        assert cid in text
    assert "headings.toml" not in text


def test_run_judges_writes_reports_and_explains_failures(project):
    res, out = run(project, "--api-version", "42.6.0", "--api-version", "11.0.0 SP10", "-rs")
    assert res.ret == 2  # a case file that does not load (test_plugin_exit_codes.py has every code)
    res.assert_outcomes(passed=4, failed=3)
    text = res.stdout.str()
    assert "case file error: " in text and "broken.toml: kind: must be a string" in text
    assert "FAIL: GetAPIVersion answers apiVer (bad)" in text
    assert "  GetAPIVersion: FAIL result: expected FAILURE, actual SUCCESS" in text
    assert "Reproduce with: webex-conformance replay apiver-bad --api-version 42.6.0" in text
    assert "embedded reference server emulating 2 versions (11.0.0 SP10 ... 42.6.0)" in text
    doc = json.loads((out / "results.json").read_text())
    outcomes = sorted((r["case_id"], r["version"], r["outcome"]) for r in doc["results"])
    assert ("apiver-good", "11.0.0 SP10", "pass") in outcomes and ("apiver-bad", "42.6.0", "fail") in outcomes
    assert doc["run"]["load_errors"] and (out / "junit.xml").is_file() and (out / "matrix.html").is_file()
    html = (out / "matrix.html").read_text()
    assert "apiver-good" in html
    assert not (out / ".records.jsonl").exists()   # the run's spool goes once the reports are whole
    for r in doc["results"]:
        for s in r["steps"]:
            assert "<password>***</password>" in s["request"]


def test_a_report_that_cannot_be_written_keeps_the_spooled_records(project, monkeypatch):
    from conformance.errors import UsageError
    from conformance.plugin import reporting

    def broken(directory, doc, writers=()):
        raise UsageError("out: cannot write")
    monkeypatch.setattr(reporting, "write_reports", broken)
    res, out = run(project, "--api-version", "42.6.0", "-k", "good")
    spool = out / ".records.jsonl"
    assert res.ret == 2 and spool.is_file()
    assert [json.loads(line)["case_id"] for line in spool.read_text().splitlines()] == ["apiver-good"]


def test_a_disk_error_while_writing_reports_is_one_line_and_exit_2(project, monkeypatch):
    from conformance.plugin import reporting

    def full(directory, doc, writers=()):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(reporting, "write_reports", full)
    res, out = run(project, "--api-version", "42.6.0", "-k", "good")
    text = res.stdout.str() + res.stderr.str()
    assert res.ret == 2 and "Traceback" not in text
    assert "cannot write the reports in" in text and "No space left on device" in text
    assert (out / ".records.jsonl").is_file()


def test_k_and_m_select_cases(project):
    res, _ = run(project, "--api-version", "42.6.0", "-k", "good", "--collect-only", "-q")
    assert "apiver-good" in res.stdout.str() and "apiver-bad" not in res.stdout.str()
    res, _ = run(project, "--api-version", "42.6.0", "-m", "api_GetAPIVersion and kind_element", "--collect-only", "-q")
    assert collected(res) == ["39.1.0/apiver-bad", "39.1.0/apiver-good", "39.1.0/apiver-needs"]
    assert "3/4 tests collected (1 deselected)" in res.stdout.str()  # the load error has no such marker
    res, _ = run(project, "--api-version", "42.6.0", "-m", "kind_limit", "--collect-only", "-q")
    assert collected(res) == [] and "no tests collected (4 deselected)" in res.stdout.str()


def collected(res) -> list[str]:
    """The test names a ``--collect-only -q`` run lists, sorted."""
    return sorted(line.split("::")[-1] for line in res.stdout.lines if "::" in line)


def test_endpoint_detection_and_missing_fixture_skip(project, monkeypatch):
    with ReferenceServer("39.2.0") as srv:
        acc = srv.info["accounts"]["admin"]
        monkeypatch.setenv("WEBEX_SITE_NAME", "refsite")
        monkeypatch.setenv("WEBEX_ADMIN_ID", acc["webExID"])
        monkeypatch.setenv("WEBEX_ADMIN_PASSWORD", acc["password"])
        res, out = run(project, "--endpoint", srv.url, "-k", "good or needs", "-rs")
    text = res.stdout.str()
    assert "judged as API 39.2.0: detected: GetAPIVersion answered apiVer 39.2.0" in text
    assert "requires fixture 'mail-sink'" in text
    res.assert_outcomes(passed=1, skipped=1)
    assert acc["password"] not in text
    assert acc["password"] not in (out / "results.json").read_text()
    assert acc["password"] not in (out / "junit.xml").read_text()


def test_unreachable_endpoint_is_exit_3_not_a_traceback(project, monkeypatch):
    monkeypatch.setenv("WEBEX_SITE_NAME", "refsite")
    res, _ = run(project, "--endpoint", "http://127.0.0.1:1/WBXService/XMLService")
    assert res.ret == 3
    assert "endpoint unreachable" in res.stderr.str() and "Traceback" not in res.stderr.str()


def test_server_defect_option_reaches_the_embedded_server(project):
    res, _ = run(project, "--api-version", "42.6.0", "--server-defect", "apiver-wrong", "-k", "good")
    res.assert_outcomes(failed=1)


def test_inactive_for_ordinary_test_runs(pytester: pytest.Pytester):
    pytester.makepyfile("def test_x():\n    assert True\n")
    res = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    res.assert_outcomes(passed=1)
    assert "judged as API" not in res.stdout.str() and "case results" not in res.stdout.str()


def test_xdist_workers_share_one_embedded_server(project):
    res, out = run(project, "--api-version", "42.6.0", "-n", "2", "-k", "good or bad")
    res.assert_outcomes(passed=1, failed=1)
    doc = json.loads((out / "results.json").read_text())
    assert len({r["endpoint"] for r in doc["results"]}) == 1 and len(doc["results"]) == 2


def test_pytest_html_report_carries_verdicts_and_masked_exchange(project):
    html = project.path / "report.html"
    res, _ = run(project, "--api-version", "42.6.0", "-k", "good or bad", f"--html={html}", "--self-contained-html")
    res.assert_outcomes(passed=1, failed=1)
    import base64
    import re
    text = html.read_text()
    assert "exchange: GetAPIVersion" in text and "verdicts" in text
    blobs = [base64.b64decode(b).decode() for b in re.findall(r"base64,([A-Za-z0-9+/=]+)", text)]
    exchanges = [b for b in blobs if ">>> request" in b]
    assert exchanges and all("<password>***</password>" in b for b in exchanges)
    # one verdicts blob per case, each opening with its result check
    firsts = sorted({b.splitlines()[0] for b in blobs if ">>> request" not in b})
    assert firsts == ["FAIL result: expected FAILURE, actual SUCCESS", "PASS result: expected SUCCESS, actual SUCCESS"]


def test_root_config_file_is_used_unless_the_embedded_server_is_asked_for(project, monkeypatch):
    with ReferenceServer("39.2.0") as srv:
        acc = srv.info["accounts"]["admin"]
        monkeypatch.setenv("TEST_PLUGIN_ADMIN_PASSWORD", acc["password"])
        (project.path / "webex-conformance.toml").write_text(f'''
[[target]]
name = "staging"
endpoint = "{srv.url}"
version = "auto"
site_name = "refsite"
[target.credentials.site-admin]
webExID = "{acc['webExID']}"
password_env = "TEST_PLUGIN_ADMIN_PASSWORD"
''')
        res, _ = run(project, "-k", "good")
        assert "staging" in res.stdout.str() and "detected: GetAPIVersion answered apiVer 39.2.0" in res.stdout.str()
        res.assert_outcomes(passed=1)
        res, _ = run(project, "-k", "bad")
        toml = project.path / "webex-conformance.toml"
        assert f"--api-version 39.2.0 --config {toml} --target staging" in res.stdout.str()
        assert f"--endpoint {srv.url}" not in res.stdout.str()
        res, _ = run(project, "-k", "good", "--all-versions")
        assert "embedded reference server emulating 26 versions" in res.stdout.str()


def test_a_record_travels_once_and_then_leaves_items_and_reports(project):
    from conformance.plugin import RESULT_KEY
    out = project.path / "out"
    rec = project.inline_run("cases", "-p", "no:cacheprovider", "--conformance-output", str(out),
                             "--api-version", "42.6.0")
    calls = [r for r in rec.getreports("pytest_runtest_logreport") if r.when == "call"]
    kept = [v for r in calls for k, v in r.user_properties if k == RESULT_KEY]
    assert kept and all(v == "" for v in kept)   # the key stays (teststatus), the copy does not
    items = rec.getcalls("pytest_collection_finish")[0].session.items
    assert items and not any(k == RESULT_KEY for i in items for k, _ in i.user_properties)
    doc = json.loads((out / "results.json").read_text())
    assert len(doc["results"]) == len(kept) and all(r["steps"] or r["outcome"] == "error" for r in doc["results"])


@pytest.mark.parametrize("transport", ["wsgi", "http"])
def test_the_embedded_server_in_process_or_over_http_judges_alike(project, transport):
    res, out = run(project, "--api-version", "42.6.0", "--embedded-transport", transport)
    res.assert_outcomes(passed=2, failed=2)
    doc = json.loads((out / "results.json").read_text())
    endpoints = {r["endpoint"] for r in doc["results"]}
    assert all(e.startswith("http://reference-server.invalid/" if transport == "wsgi" else "http://127.0.0.1:")
               for e in endpoints)
    assert sorted((r["case_id"], r["outcome"]) for r in doc["results"]) == [
        ("apiver-bad", "fail"), ("apiver-good", "pass"), ("apiver-needs", "pass"), ("broken", "error")]


def test_every_hook_the_plugin_modules_define_is_registered():
    """The entry point registers conformance.plugin's namespace: a hook written in one of
    its modules and not exported there never runs (the end-of-loop critical section did not)."""
    import importlib
    import inspect
    import conformance.plugin as plugin
    for name in ("collection", "options", "reporting", "session", "state"):
        module = importlib.import_module(f"conformance.plugin.{name}")
        for attr, fn in vars(module).items():
            if attr.startswith("pytest_") and inspect.isfunction(fn) and fn.__module__ == module.__name__:
                assert getattr(plugin, attr, None) is fn, f"{module.__name__}.{attr} is not registered"


def test_an_xdist_worker_keeps_no_record_in_its_reports(project):
    # Every process's terminal keeps every report for the whole run; a worker's reports
    # must not keep the record they carried to the controller (a copy per item made a
    # worker's memory grow with every case).
    kept = project.path / "kept.json"
    project.makeconftest(f'''
import json
def pytest_unconfigure(config):
    if hasattr(config, "workerinput"):   # not the environment: this test may itself run in a worker
        tr = config.pluginmanager.get_plugin("terminalreporter")
        values = [v for reps in tr.stats.values() for r in reps
                  for k, v in getattr(r, "user_properties", []) if k == "webex_conformance_result"]
        with open({str(kept)!r}, "w") as f:
            json.dump(values, f)
''')
    res, out = run(project, "--api-version", "42.6.0", "-n", "1", "-k", "good or bad")
    res.assert_outcomes(passed=1, failed=1)
    values = json.loads(kept.read_text())
    assert len(values) == 2 and all(v == "" for v in values)   # the key stays (teststatus), the record goes
    doc = json.loads((out / "results.json").read_text())
    assert sorted(r["case_id"] for r in doc["results"]) == ["apiver-bad", "apiver-good"]


def test_the_reports_of_one_item_share_its_texts_in_every_process(project):
    # The controller decodes each of an item's three reports afresh from worker messages;
    # the terminal keeps them all run, so they share one node id, location and keywords.
    seen = project.path / "shared.json"
    project.makeconftest(f'''
import json
def pytest_unconfigure(config):
    if hasattr(config, "workerinput"):   # the controller's reports (this test may itself run in a worker)
        return
    tr = config.pluginmanager.get_plugin("terminalreporter")
    by_item = {{}}
    for reps in tr.stats.values():
        for r in reps:
            if getattr(r, "when", None) in ("setup", "call", "teardown"):
                by_item.setdefault(r.nodeid, []).append(r)
    with open({str(seen)!r}, "w") as f:
        json.dump({{n: [len(rs), len({{id(r.nodeid) for r in rs}}), len({{id(r.keywords) for r in rs}}),
                       len({{id(r.location) for r in rs}})] for n, rs in by_item.items()}}, f)
''')
    res, _ = run(project, "--api-version", "42.6.0", "-n", "1", "-k", "good or bad", "-rA")
    res.assert_outcomes(passed=1, failed=1)
    shared = json.loads(seen.read_text())
    assert len(shared) == 2 and all(v == [3, 1, 1, 1] for v in shared.values()), shared
