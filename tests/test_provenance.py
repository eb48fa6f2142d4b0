"""Provenance: what judged a run, with which case files, narrowed how, and whether it finished."""
import json
import shutil
import subprocess

import pytest
from lxml import etree

from casefiles import apiver_case
from conformance import __version__
from conformance.json_check import first_error
from conformance.provenance import PACKAGE_ROOT, files_digest, inputs_info, selection_info, suite_info
from conformance.results import read_results, results_schema


def test_digest_follows_content_and_names_not_creation_order(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d, order in ((a, ["x", "y"]), (b, ["y", "x"])):
        (d / "sub").mkdir(parents=True)
        for name in order:
            (d / "sub" / f"{name}.toml").write_text(f"id = '{name}'\n")
    assert files_digest(a)["sha256"] == files_digest(b)["sha256"] and files_digest(a)["files"] == 2
    (b / "sub" / "x.toml").write_text("id = 'changed'\n")
    assert files_digest(a)["sha256"] != files_digest(b)["sha256"]
    (a / "sub" / "y.toml").rename(a / "sub" / "z.toml")  # a renamed file is another case set
    assert files_digest(a)["sha256"] != files_digest(b)["sha256"]


def test_missing_limits_directory_is_recorded_not_an_error(tmp_path):
    (tmp_path / "cases").mkdir()
    info = inputs_info(tmp_path / "cases")
    assert info["limits"] == {"path": str(tmp_path / "limits"), "files": 0, "sha256": None}
    assert info["cases"]["files"] == 0 and info["cases"]["sha256"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_suite_info_from_the_checkout_names_the_commit():
    info = suite_info()
    if not (PACKAGE_ROOT / ".git").exists():
        pytest.skip("not running from a git checkout")
    head = subprocess.run(["git", "-C", str(PACKAGE_ROOT), "rev-parse", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    assert info == {"name": "webex-conformance", "version": __version__, "source": "git", "commit": head,
                    "dirty": info["dirty"]} and isinstance(info["dirty"], bool)


def test_suite_info_outside_a_checkout_says_installed(tmp_path):
    assert suite_info(tmp_path) == {"name": "webex-conformance", "version": __version__, "source": "installed",
                                    "commit": None, "dirty": None}


def test_selection_marks_k_and_m_as_filtered():
    assert selection_info()["filtered"] is False
    assert selection_info(keyword="apiver")["filtered"] is True
    assert selection_info(markers="kind_limit", versions=["42.6.0"])["versions"] == ["42.6.0"]


@pytest.fixture()
def project(pytester: pytest.Pytester):
    cases = pytester.path / "cases"
    cases.mkdir()
    (cases / "good.toml").write_text(apiver_case("apiver-good"))
    (cases / "other.toml").write_text(apiver_case("apiver-other", suffix=" (other)"))
    pytester.makeini("[pytest]\n")
    return pytester


def _run(p: pytest.Pytester, *args: str):
    out = p.path / "out"
    res = p.runpytest_inprocess("cases", "-p", "no:cacheprovider", "--conformance-output", str(out), *args)
    return res, out


def test_a_completed_run_records_its_provenance_and_matches_the_schema(project):
    res, out = _run(project, "--api-version", "42.6.0", "-k", "good")
    assert res.ret == 0
    raw = json.loads((out / "results.json").read_text())
    assert first_error(raw, results_schema()) is None
    run = raw["run"]
    assert run["suite"]["version"] == __version__
    assert run["status"] == "completed" and run["items"] == {"selected": 1, "ran": 1}
    assert run["selection"]["keyword"] == "good" and run["selection"]["filtered"] is True
    assert run["selection"]["versions"] == ["42.6.0"]
    assert run["inputs"]["cases"] == files_digest(project.path / "cases")
    assert run["inputs"]["limits"]["sha256"] is None
    assert read_results(out / "results.json").runs[0]["status"] == "completed"
    junit = etree.parse(str(out / "junit.xml"))
    props = {p.get("name"): p.get("value") for p in junit.iter("property")}
    assert props["suite_version"] == __version__ and props["run_status"] == "completed"
    assert props["cases_sha256"] == run["inputs"]["cases"]["sha256"] and props["selection"].startswith("-k good")


def test_an_interrupted_run_says_so(project):
    # Ctrl-C after the first case: the results written so far must not pass for a whole run.
    project.makeconftest("""
import pytest
calls = []
@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item):
    calls.append(item)
    if len(calls) == 1:
        raise KeyboardInterrupt
""")
    out = project.path / "out"
    res = project.runpytest_subprocess("cases", "-p", "no:cacheprovider", "--conformance-output", str(out),
                                       "--api-version", "42.6.0")
    assert res.ret == 130  # README "Exit codes": interrupted, the same through pytest and the CLI
    run = json.loads((out / "results.json").read_text())["run"]
    assert run["status"] == "interrupted"
    assert run["items"] == {"selected": 2, "ran": 1}
    assert run["selection"]["filtered"] is False
