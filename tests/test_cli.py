"""The command line: every subcommand, its output and its exit code."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from casefiles import apiver_case
from conformance.cli import main
from conformance.server.serve import ReferenceServer

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conformance.cli", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})}, cwd=ROOT)


@pytest.fixture()
def cases_dir(tmp_path):
    d = tmp_path / "cases"
    d.mkdir()
    (d / "apiver.toml").write_text(apiver_case())
    return d


def test_list_shows_every_project_case(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "39.1.0" in out and "GetAPIVersion" in out
    assert out.strip().splitlines()[-1].endswith("0 case file errors")


def test_list_reports_bad_files_with_exit_2(tmp_path, capsys):
    (tmp_path / "x.toml").write_text('id = "x"\n')
    assert main(["list", "--cases-dir", str(tmp_path)]) == 2
    assert "x.toml: title: missing required field" in capsys.readouterr().err


def test_run_against_the_embedded_server_passes_and_writes_reports(cases_dir, tmp_path):
    out = tmp_path / "out"
    p = cli("run", "--cases-dir", str(cases_dir), "--api-version", "39.1.0", "--api-version", "11.0.0 SP22",
            "--output", str(out))
    assert p.returncode == 0, p.stdout + p.stderr
    assert "[2/2 100%] 2 pass, 0 fail" in p.stdout and "2 case results: 2 pass" in p.stdout
    assert {f.name for f in out.iterdir()} >= {"results.json", "junit.xml", "matrix.html"}


def test_run_exit_code_1_on_failures_and_with_a_server_defect(cases_dir, tmp_path):
    p = cli("run", "--cases-dir", str(cases_dir), "--api-version", "42.6.0", "--server-defect", "apiver-wrong",
            "--output", str(tmp_path / "o"))
    assert p.returncode == 1 and "\nFAIL  42.6.0       39.1.0/apiver: " in p.stdout  # as it happened


def test_run_usage_errors_exit_2(cases_dir, tmp_path):
    for args in (["--api-version", "40.0.0"], ["--server-defect", "no-such-defect"], ["-k", "nothing-matches"],
                 ["--config", str(tmp_path / "missing.toml")]):
        p = cli("run", "--cases-dir", str(cases_dir), "--output", str(tmp_path / "o"), *args)
        assert p.returncode == 2, (args, p.stdout, p.stderr)
        assert "Traceback" not in p.stdout + p.stderr


def test_run_unreachable_endpoint_exits_3(cases_dir, tmp_path):
    p = cli("run", "--cases-dir", str(cases_dir), "--endpoint", "http://127.0.0.1:1/WBXService/XMLService",
            "--output", str(tmp_path / "o"), env={"WEBEX_SITE_NAME": "refsite"})
    assert p.returncode == 3 and "unreachable" in p.stderr and "Traceback" not in p.stderr


def test_run_against_an_endpoint_detects_its_version_and_masks_secrets(cases_dir, tmp_path):
    with ReferenceServer("39.5.0") as srv:
        acc = srv.info["accounts"]["admin"]
        env = {"WEBEX_SITE_NAME": "refsite", "WEBEX_ADMIN_ID": acc["webExID"], "WEBEX_ADMIN_PASSWORD": acc["password"]}
        out = tmp_path / "o"
        p = cli("run", "--cases-dir", str(cases_dir), "--endpoint", srv.url, "--output", str(out), env=env)
        wrong = cli("run", "--cases-dir", str(cases_dir), "--endpoint", srv.url, "--output", str(tmp_path / "w"),
                    env={**env, "WEBEX_ADMIN_PASSWORD": "wrong-password"})
    assert p.returncode == 0, p.stdout + p.stderr
    assert "39.5.0" in p.stdout
    for f in out.iterdir():
        assert acc["password"] not in f.read_text()
    assert wrong.returncode == 2 and "030002" in wrong.stderr and "wrong-password" not in wrong.stderr


def test_validate_a_saved_response(tmp_path):
    with ReferenceServer("42.6.0") as srv:
        acc = srv.info["accounts"]["admin"]
        body = (f'<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
                f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><header><securityContext><webExID>{acc["webExID"]}'
                f'</webExID><password>{acc["password"]}</password><siteName>refsite</siteName></securityContext></header>'
                f'<body><bodyContent xsi:type="java:com.webex.service.binding.ep.GetAPIVersion"/></body></serv:message>')
        saved = requests.post(srv.url, data=body.encode(), timeout=10).content
    good = tmp_path / "good.xml"
    good.write_bytes(saved)
    assert cli("validate", str(good), "--api-version", "42.6.0").returncode == 0
    p = cli("validate", str(good), "--api-version", "42.6.0", "--case", "getapiversion-apiver")
    assert p.returncode == 0, p.stdout + p.stderr
    old = cli("validate", str(good), "--api-version", "11.0.0 SP20")
    assert old.returncode == 1 and "apiVer" in old.stdout  # apiVer did not exist yet
    html = tmp_path / "page.html"
    html.write_text("<html><body>Service Unavailable</body></html>")
    p = cli("validate", str(html), "--api-version", "42.6.0")
    assert p.returncode == 1 and "ERROR envelope: " in p.stdout
    assert cli("validate", str(tmp_path / "missing.xml"), "--api-version", "42.6.0").returncode == 2
    assert cli("validate", str(good), "--api-version", "4x").returncode == 2


@pytest.mark.skipif(not (SHARED / "real-traffic").is_dir(), reason="../shared/real-traffic is not present")
def test_validate_every_real_response_gives_a_verdict_not_a_traceback(capsys):
    files = sorted((SHARED / "real-traffic").glob("*-response.xml"))
    assert files
    for f in files:
        code = main(["validate", str(f), "--api-version", "11.0.0 SP10"])
        out = capsys.readouterr()
        assert code in (0, 1), f
        assert "Traceback" not in out.out + out.err
        assert out.out.strip(), f


def test_replay_prints_the_exchange_with_secrets_masked(capsys):
    assert main(["replay", "getapiversion-apiver", "--api-version", "42.6.0"]) == 0
    out = capsys.readouterr().out
    assert ">>> request" in out and "<<< response" in out and "<password>***</password>" in out
    assert "apiVer" in out


def test_replay_unknown_case_is_a_usage_error(capsys):
    assert main(["replay", "no-such-case"]) == 2
    assert "no case with id 'no-such-case'" in capsys.readouterr().err


def test_defects_lists_one_per_line_name_first(capsys):
    assert main(["defects"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) >= 20
    from conformance.server.root import all_defects
    names = list(all_defects())
    assert [line.split()[0] for line in lines] == names


def test_report_merges_runs(cases_dir, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert cli("run", "--cases-dir", str(cases_dir), "--api-version", "39.1.0", "--output", str(a)).returncode == 0
    assert cli("run", "--cases-dir", str(cases_dir), "--api-version", "42.6.0", "--output", str(b)).returncode == 0
    merged = tmp_path / "m"
    assert main(["report", str(a / "results.json"), str(b / "results.json"), "--output", str(merged)]) == 0
    doc = json.loads((merged / "results.json").read_text())
    assert sorted(r["version"] for r in doc["results"]) == ["39.1.0", "42.6.0"]
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["report", str(bad), "--output", str(merged)]) == 2


def test_bad_usage_exits_2(capsys):
    assert main([]) == 2
    assert main(["run", "--no-such-flag"]) == 2


def test_usage_errors_found_before_any_work_is_done(cases_dir, tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("x")
    notdb = tmp_path / "notes.db"
    notdb.write_text("these are notes, not a database\n" * 20)
    cases = ["--cases-dir", str(cases_dir)]
    for argv, words in [
        (["run", *cases, "--output", str(afile / "sub")], "--output"),
        (["run", *cases, "--api-version", "10.0"], "older than the oldest documented version"),
        (["run", *cases, "--target", "staging"], "--target selects a target of a configuration file"),
        (["run", *cases, "--site-name", "x"], "--site-name goes with --endpoint"),
        (["run", *cases, "--schema-dir", str(tmp_path / "none")], "--schema-dir"),
        (["report", str(tmp_path / "missing.json"), "--output", str(afile)], ""),
        (["serve", "--port", "99999"], "cannot listen"),
        (["serve", "--db", str(tmp_path / "no" / "such" / "dir.db")], "not a usable SQLite database"),
        (["serve", "--db", str(notdb)], "not a usable SQLite database"),
    ]:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err, (argv, err)


def test_validate_step_out_of_range(tmp_path, capsys):
    f = tmp_path / "r.xml"
    f.write_text('<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service"><serv:header><serv:response>'
                 '<serv:result>SUCCESS</serv:result></serv:response></serv:header><serv:body><serv:bodyContent/>'
                 '</serv:body></serv:message>')
    assert main(["validate", str(f), "--api-version", "42.6.0", "--case", "getapiversion-apiver", "--step", "-5"]) == 2
    assert "--step -5" in capsys.readouterr().err


def test_a_closed_pipe_is_not_a_traceback():
    proc = subprocess.Popen([sys.executable, "-m", "conformance.cli", "defects"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT)
    proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    assert b"Traceback" not in proc.stderr.read()


# ------------------------------------------------------------------ exit codes through the CLI
# (the same paths through plain pytest: tests/test_plugin_exit_codes.py)

CLOSED = "http://127.0.0.1:1/WBXService/XMLService"


def test_run_unreachable_endpoint_with_a_given_version_exits_3(cases_dir, tmp_path):
    p = cli("run", "--cases-dir", str(cases_dir), "--endpoint", CLOSED, "--api-version", "42.6.0",
            "--output", str(tmp_path / "o"), env={"WEBEX_SITE_NAME": "refsite", "WEBEX_ADMIN_ID": ""})
    assert p.returncode == 3 and "endpoint unreachable" in p.stderr and "Traceback" not in p.stderr


def test_run_with_nothing_judged_exits_2_naming_the_missing_credentials(cases_dir, tmp_path):
    env = {"WEBEX_SITE_NAME": "refsite", "WEBEX_ADMIN_ID": "", "WEBEX_ADMIN_PASSWORD": "",
           "WEBEX_HOST_ID": "", "WEBEX_HOST_PASSWORD": ""}
    with ReferenceServer("42.6.0") as srv:
        p = cli("run", "--cases-dir", str(cases_dir), "--endpoint", srv.url, "--api-version", "42.6.0",
                "--output", str(tmp_path / "o"), env=env)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "no check was judged (at least 1 required): 1 skipped for missing credentials" in p.stdout


def test_run_min_checks_and_a_broken_case_file_exit_2(cases_dir, tmp_path):
    p = cli("run", "--cases-dir", str(cases_dir), "--api-version", "42.6.0", "--min-checks", "99",
            "--output", str(tmp_path / "o"))
    assert p.returncode == 2 and "(at least 99 required)" in p.stdout
    (cases_dir / "broken.toml").write_text("id = 'x'\n[[[\n")
    p = cli("run", "--cases-dir", str(cases_dir), "--api-version", "42.6.0", "--output", str(tmp_path / "b"))
    assert p.returncode == 2 and "1 case file(s) did not load" in p.stdout
    doc = json.loads((tmp_path / "b" / "results.json").read_text())
    assert {(r["case_id"], r["outcome"], r["error_kind"]) for r in doc["results"]} == {
        ("apiver", "pass", None), ("broken", "error", "case-file")}


def test_run_fail_on_skip_exits_1(cases_dir, tmp_path):
    (cases_dir / "needs.toml").write_text(apiver_case("needs", "SUCCESS", 'requires = ["mail-sink"]'))
    with ReferenceServer("42.6.0") as srv:
        acc = srv.info["accounts"]["admin"]
        env = {"WEBEX_SITE_NAME": "refsite", "WEBEX_ADMIN_ID": acc["webExID"], "WEBEX_ADMIN_PASSWORD": acc["password"]}
        args = ("run", "--cases-dir", str(cases_dir), "--endpoint", srv.url, "--output", str(tmp_path / "o"))
        plain = cli(*args, env=env)
        strict = cli(*args, "--fail-on-skip", env=env)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert strict.returncode == 1 and "1 skipped and --fail-on-skip is set" in strict.stdout


def test_run_reports_go_to_a_directory_of_their_own_with_latest(cases_dir, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    runs = [subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--cases-dir", str(cases_dir),
                            "--api-version", "42.6.0"], capture_output=True, text=True, timeout=300,
                           cwd=work, env={**os.environ, "PYTHONPATH": str(ROOT)}) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stdout + runs[0].stderr
    dirs = sorted(d for d in (work / "reports").iterdir() if d.name != "latest")
    assert len(dirs) == 2 and all((d / "results.json").is_file() for d in dirs)
    assert (work / "reports" / "latest").resolve() == dirs[-1].resolve()
    assert f"reports: {dirs[-1] / 'results.json'}" in runs[1].stdout


def test_arguments_after_double_dash_go_to_pytest(cases_dir, tmp_path):
    html = tmp_path / "report.html"
    p = cli("run", "--cases-dir", str(cases_dir), "--api-version", "42.6.0", "--output", str(tmp_path / "o"),
            "--", "-v", f"--html={html}", "-p", "no:randomly")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "[1/1 100%] pass  42.6.0       39.1.0/apiver" in p.stdout and html.is_file()
    q = cli("run", "--cases-dir", str(cases_dir), "--api-version", "42.6.0", "--output", str(tmp_path / "o"),
            "--", "-qq")
    assert q.returncode == 0 and "[1/1" not in q.stdout
    bad = cli("run", "--cases-dir", str(cases_dir), "--api-version", "42.6.0", "--output", str(tmp_path / "o"),
              "--", "--no-such-pytest-option")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_a_mistyped_option_prints_the_subcommands_usage_and_a_suggestion(capsys):
    assert main(["run", "--endpiont", "x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: webex-conformance run ") and "--endpiont (did you mean --endpoint?)" in err
    assert main(["list", "--jsn"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: webex-conformance list ") and "did you mean --json?" in err
    assert main(["defects", "--", "-v"]) == 2
    assert "for `run` only" in capsys.readouterr().err


def test_help_is_whole_and_every_option_has_a_help_text(capsys):
    import argparse

    from conformance.cli import build_parser
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "Exit codes: 0 every required check passed" in out and 'not be reached (README: "Exit codes").' in out
    assert "``" not in out and ":func:" not in out
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, p in sub.choices.items():
        assert p.description, name
        for action in p._actions:
            assert action.help, (name, action.dest)
