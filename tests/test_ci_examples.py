"""The README's CI workflow, run: its commands (not the YAML) against the embedded server.

The shard job runs at two versions, the gate job merges the shards and gates them against
a baseline made the same way; a seeded server defect makes the regression.  Each
scenario checks the exit code a pipeline would see.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.json_check import first_error
from conformance.results import results_schema

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ("42.5.0", "42.6.0")
SELECT = ["-k", "GetAPIVersion"]          # keep the runs short: the cases touching GetAPIVersion
DEFECT = ["--server-defect", "apiver-wrong"]  # breaks getapiversion-apiver at every version


def workflow_steps() -> dict[str, list[str]]:
    """The single-line `run:` steps of each job of the README's GitHub Actions workflow."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\nname: conformance\n(.*?)```", text, re.S)
    assert block, "README: the GitHub Actions workflow block is missing"
    jobs: dict[str, list[str]] = {}
    job = None
    for line in block.group(1).splitlines():
        m = re.match(r"^  ([\w-]+):\s*$", line)
        if m:
            job = jobs.setdefault(m.group(1), [])
        m = re.match(r"^\s+- run: (.+)$", line)
        if m and job is not None:
            job.append(m.group(1))
    return jobs


def bash(cmd: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("WEBEX_CONFORMANCE_GATE_BREAK_GLASS", None)
    return subprocess.run(["bash", "-e", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def ours(cmd: str) -> bool:
    return not cmd.startswith("pip ")  # this test already runs in the installed package


def run_shards(tmp: Path, name: str, extra: list[str]) -> Path:
    """The shard job once per matrix version; its artefacts land in shards/results-N/ as
    actions/download-artifact puts them."""
    shards = tmp / name
    for i, version in enumerate(VERSIONS):
        work = tmp / f"{name}-job-{i}"
        work.mkdir()
        for cmd in filter(ours, workflow_steps()["shard"]):
            cmd = cmd.replace("${{ matrix.api-version }}", version)
            if cmd.startswith("webex-conformance run "):
                cmd = cmd.replace("webex-conformance run ", "webex-conformance run " + " ".join(extra) + " ", 1)
            p = bash(cmd, work)
            assert p.returncode == 0, f"{cmd}: exit {p.returncode}\n{p.stdout}\n{p.stderr}"
        raw = json.loads((work / "shard" / "results.json").read_text(encoding="utf-8"))
        assert first_error(raw, results_schema()) is None
        shutil.copytree(work / "shard", shards / f"results-{i}")
    return shards


def gate_job(tmp: Path, shards: Path, baseline: Path, expectations: str,
             gate_extra: str = "") -> tuple[list[int], str]:
    """The gate job's steps in a fresh workspace: each step's exit code and the gate's output."""
    work = tmp / f"gate-{len(list(tmp.glob('gate-*')))}"
    (work / "ci").mkdir(parents=True)
    shutil.copytree(shards, work / "shards")
    shutil.copy(baseline, work / "ci" / "baseline.json")
    (work / "ci" / "expectations.toml").write_text(expectations, encoding="utf-8")
    codes, said = [], ""
    for cmd in filter(ours, workflow_steps()["gate"]):
        if cmd.startswith("webex-conformance gate "):
            cmd += gate_extra
        p = bash(cmd, work)
        codes.append(p.returncode)
        if cmd.startswith("webex-conformance gate "):
            assert (work / "merged" / "gate.xml").is_file(), f"{cmd}: exit {p.returncode}\n{p.stdout}\n{p.stderr}"
            assert p.stdout.startswith("gate: "), p.stdout + p.stderr
            said = p.stdout
        elif p.returncode:
            break
    merged = json.loads((work / "merged" / "results.json").read_text(encoding="utf-8"))
    assert first_error(merged, results_schema()) is None
    return codes, said


def entry(case: str, expires: str, extra: str = "") -> str:
    return (f'[[accepted]]\ncase = "{case}"\nreason = "seen on staging"\nlink = "https://tracker.example/REL-1"\n'
            f'owner = "release-eng"\nexpires = {expires}\n{extra}\n')


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ci")
    clean = run_shards(tmp, "clean", SELECT)
    assert gate_job(tmp, clean, clean / "results-0" / "results.json", "")[0][0] == 0  # the job's report step
    baseline = tmp / "baseline.json"
    shutil.copy(next(tmp.glob("gate-*")) / "merged" / "results.json", baseline)
    broken = run_shards(tmp, "broken", SELECT + DEFECT)
    return tmp, clean, broken, baseline


def test_the_workflow_has_a_shard_and_a_gate_job_and_the_gate_is_last():
    steps = workflow_steps()
    assert steps["shard"][-1].startswith("webex-conformance run ")
    assert [c.split()[1] for c in steps["gate"] if ours(c)] == ["report", "gate"]


def test_the_gitlab_job_runs_the_same_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    gitlab = text[text.index("GitLab CI"):]
    for cmd in workflow_steps()["gate"]:
        assert cmd in gitlab


def test_no_regression_passes(pipeline):
    tmp, clean, _, baseline = pipeline
    codes, said = gate_job(tmp, clean, baseline, "")
    assert codes == [0, 0] and said.startswith("gate: PASS: 0 regression(s)")


def test_a_regression_fails_the_gate(pipeline):
    tmp, _, broken, baseline = pipeline
    codes, said = gate_job(tmp, broken, baseline, "# nothing accepted\n")
    assert codes == [0, 1]
    assert "REGRESSION getapiversion-apiver on reference-server at 42.6.0: pass -> fail" in said
    assert "reproduce: webex-conformance replay getapiversion-apiver --api-version 42.6.0 --server-defect apiver-wrong" in said


def test_a_known_failure_passes(pipeline):
    tmp, _, broken, baseline = pipeline
    codes, said = gate_job(tmp, broken, baseline, entry("getapiversion-apiver", "2099-12-31", 'check = "equals"'))
    assert codes == [0, 0] and "2 known failure(s) accepted" in said


def test_an_expired_waiver_fails(pipeline):
    tmp, _, broken, baseline = pipeline
    codes, said = gate_job(tmp, broken, baseline, entry("getapiversion-apiver", "2020-01-01"))
    assert codes == [0, 1] and "EXPIRED ci/expectations.toml: accepted[0] (getapiversion-apiver)" in said


def test_a_stale_waiver_fails(pipeline):
    tmp, _, broken, baseline = pipeline
    known = entry("getapiversion-apiver", "2099-12-31")
    stale = entry("ep-no-schema-change-42.4.0", "2099-12-31")  # passes at 42.5.0 and 42.6.0
    codes, said = gate_job(tmp, broken, baseline, known + stale)
    assert codes == [0, 1] and "STALE ci/expectations.toml: accepted[1] (ep-no-schema-change-42.4.0)" in said
    assert "0 regression(s)" in said


def test_a_dry_run_passes_whatever_the_decision(pipeline):
    tmp, _, broken, baseline = pipeline
    codes, said = gate_job(tmp, broken, baseline, "", gate_extra=" --dry-run")
    assert codes == [0, 0] and "gate: FAIL" in said and "dry run: the gate would fail" in said
