"""Plain pytest ends a run with the suite's documented exit codes (README: "Exit codes"),
the same ones `webex-conformance run` gives (tests/test_cli.py checks that side)."""
import json
import xml.etree.ElementTree as ET

import pytest

from casefiles import apiver_case, run_cases as run
from conformance.server.serve import ReferenceServer

CLOSED = "http://127.0.0.1:1/WBXService/XMLService"


@pytest.fixture()
def project(pytester: pytest.Pytester):
    """A passing and a failing case (test_plugin.py's project adds the odd ones)."""
    pytester.makeini("[pytest]\n")
    pytester.mkdir("cases")
    for name, result in (("good", "SUCCESS"), ("bad", "FAILURE")):
        (pytester.path / "cases" / f"{name}.toml").write_text(apiver_case(f"apiver-{name}", result, "", f" ({name})"))
    return pytester




def test_0_when_every_judged_check_passes(project):
    res, _ = run(project, "--api-version", "42.6.0", "-k", "good")
    assert res.ret == 0
    assert "[1/1 100%] 1 pass, 0 fail, 0 error, 0 skip, 0 n/a" in res.stdout.str()


def test_1_on_a_conformance_failure_shown_as_it_happens(project):
    res, _ = run(project, "--api-version", "42.6.0", "--api-version", "39.1.0")
    assert res.ret == 1
    lines = res.stdout.lines
    first_fail = next(i for i, line in enumerate(lines) if line.startswith("FAIL  "))
    assert "39.1.0/apiver-bad: result: expected FAILURE, got SUCCESS" in lines[first_fail]
    assert first_fail < next(i for i, line in enumerate(lines) if "[4/4 100%]" in line)
    assert "exit code 1: 2 failed, 0 error(s)" in res.stdout.str()


def test_minus_v_prints_a_numbered_line_per_case_and_minus_q_only_failures(project):
    res, _ = run(project, "--api-version", "42.6.0", "-v", "-o", "verbosity_test_cases=0")
    out = res.stdout.str()
    assert "[1/2  50%] fail" in out and "[2/2 100%] pass  42.6.0" in out and "39.1.0/apiver-good" in out
    res, _ = run(project, "--api-version", "42.6.0", "-q")
    out = res.stdout.str()
    assert "FAIL  42.6.0       39.1.0/apiver-bad" in out and "[2/2 100%]" not in out


def test_2_for_a_broken_case_file_which_is_an_error_record_everywhere(project):
    (project.path / "cases" / "broken.toml").write_text(
        apiver_case("apiver-broken").replace('kind = "element"', 'kind = 7'))
    res, out = run(project, "--api-version", "42.6.0", "-k", "good or broken")
    assert res.ret == 2
    assert "exit code 2: 1 case file(s) did not load: case file error: " in res.stdout.str()
    doc = json.loads((out / "results.json").read_text())
    broken = [r for r in doc["results"] if r["case_id"] == "broken"]
    assert [(r["outcome"], r["error_kind"], r["version"]) for r in broken] == [("error", "case-file", "42.6.0")]
    assert "broken.toml: kind: must be a string" in broken[0]["reason"]
    suites = ET.parse(out / "junit.xml").getroot()
    errors = [tc for tc in suites.iter("testcase") if tc.find("error") is not None]
    assert len(errors) == 1 and "broken" in errors[0].get("name")
    html = (out / "matrix.html").read_text()
    assert "broken" in html and "ERROR" in html


@pytest.mark.parametrize("args, says", [
    (["--conformance-config", "missing.toml"], "missing.toml: no such file"),
    (["--api-version", "40.0.0"], "--api-version"),
    (["--cases-dir", "nowhere"], "--cases-dir 'nowhere' is not a directory"),
    (["--server-defect", "no-such-defect"], "no-such-defect"),
    (["--api-version", "42.6.0", "-k", "nothing-matches"], "no case was selected"),
    (["--api-version", "42.6.0", "-k", "good", "--min-checks", "50"], "only 3 check(s) judged (at least 50 required): the run holds 1 case result(s)"),
])
def test_2_for_usage_and_configuration_errors_not_pytests_4(project, args, says):
    res, _ = run(project, *args)
    assert res.ret == 2, res.stdout.str() + res.stderr.str()
    assert says in res.stdout.str() + res.stderr.str()
    assert "Traceback" not in res.stdout.str() + res.stderr.str()


def test_2_when_nothing_was_judged_naming_the_missing_credentials(project, monkeypatch):
    monkeypatch.setenv("WEBEX_SITE_NAME", "refsite")
    for var in ("WEBEX_ADMIN_ID", "WEBEX_ADMIN_PASSWORD", "WEBEX_HOST_ID", "WEBEX_HOST_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    with ReferenceServer("42.6.0") as srv:
        res, _ = run(project, "--endpoint", srv.url, "--api-version", "42.6.0")
    assert res.ret == 2
    assert ("exit code 2: no check was judged (at least 1 required): 2 skipped for missing credentials "
            "(e.g. requires a site-admin credential") in res.stdout.str()


def test_fail_on_skip_turns_skips_into_1_also_from_the_config_file(project, monkeypatch):
    with ReferenceServer("42.6.0") as srv:
        acc = srv.info["accounts"]["admin"]
        monkeypatch.setenv("T_EXIT_PW", acc["password"])
        config = project.path / "site.toml"
        body = (f'[[target]]\nname = "s"\nendpoint = "{srv.url}"\nversion = "42.6.0"\nsite_name = "refsite"\n'
                f'[target.credentials.site-admin]\nwebExID = "{acc["webExID"]}"\npassword_env = "T_EXIT_PW"\n')
        config.write_text(body)
        (project.path / "cases" / "needs.toml").write_text(
            apiver_case("apiver-needs", "SUCCESS", 'requires = ["mail-sink"]'))
        plain, _ = run(project, "--conformance-config", str(config), "-k", "good or needs")
        flag, _ = run(project, "--conformance-config", str(config), "-k", "good or needs", "--fail-on-skip")
        config.write_text("[run]\nfail_on_skip = true\n" + body)
        keyed, _ = run(project, "--conformance-config", str(config), "-k", "good or needs")
    assert plain.ret == 0
    assert flag.ret == 1 and "1 skipped and --fail-on-skip is set" in flag.stdout.str()
    assert keyed.ret == 1


def test_a_bad_run_key_in_the_config_file_is_2(project):
    config = project.path / "site.toml"
    config.write_text('[run]\nmin_checks = "many"\n[[target]]\nname = "s"\n'
                      'endpoint = "https://x.example/WBXService/XMLService"\n')
    res, _ = run(project, "--conformance-config", str(config))
    assert res.ret == 2 and "run.min_checks: must be a whole number" in res.stderr.str()


@pytest.mark.parametrize("version", [[], ["--api-version", "42.6.0"]])
def test_3_for_an_unreachable_endpoint_with_or_without_a_version(project, monkeypatch, version):
    monkeypatch.setenv("WEBEX_SITE_NAME", "refsite")
    res, _ = run(project, "--endpoint", CLOSED, *version)
    assert res.ret == 3
    assert "endpoint unreachable" in res.stderr.str() and "Traceback" not in res.stderr.str()


def test_2_with_xdist_when_the_run_cannot_start(project):
    res, _ = run(project, "--conformance-config", "missing.toml", "-n", "2")
    assert res.ret == 2 and "missing.toml: no such file" in res.stderr.str()


def test_collect_only_keeps_pytests_own_status(project):
    res, _ = run(project, "--api-version", "42.6.0", "--collect-only", "-q")
    assert res.ret == 0 and "apiver-good" in res.stdout.str()


def test_without_output_reports_go_to_a_new_directory_and_latest(project):
    res = project.runpytest_inprocess("cases", "-p", "no:cacheprovider", "--api-version", "42.6.0", "-k", "good")
    base = project.path / "reports"
    (run_dir,) = [d for d in base.iterdir() if d.name != "latest"]
    assert res.ret == 0 and (run_dir / "results.json").is_file()
    assert (base / "latest").resolve() == run_dir.resolve()
    assert f"reports: {run_dir / 'results.json'}" in res.stdout.str() and "latest points here" in res.stdout.str()


def test_x_under_xdist_is_a_run_that_stopped_itself_not_an_interrupt(project):
    """xdist reports -x to the controller as a KeyboardInterrupt: still exit 1 and "stopped"."""
    for name in ("bad2", "bad3"):
        (project.path / "cases" / f"{name}.toml").write_text(apiver_case(f"apiver-{name}", "FAILURE", "", f" ({name})"))
    res, out = run(project, "--api-version", "42.6.0", "--api-version", "39.1.0", "-n", "1", "-x")
    assert res.ret == 1, res.stdout.str()
    run_info = json.loads((out / "results.json").read_text())["run"]
    assert run_info["status"] == "stopped" and run_info["items"]["ran"] < run_info["items"]["selected"]
