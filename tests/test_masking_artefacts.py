"""No configured secret reaches any artefact of a run, now that records are masked once.

The executor masks each record when it is made and the writers take it as it is, so
this test runs the whole pipeline (CLI, pytest, executor, every writer) with cases that
push the password into the request, the server's answer, the failure reason and the
expected value, then searches every file and every line of output for it.
"""
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from conformance.server.serve import ReferenceServer

ROOT = Path(__file__).resolve().parents[1]

LEAKY = '''id = "leaky-{n}"
title = "A case whose every field carries the password"
introduced = "39.1.0"
source = "New element apiVer added to GetAPIVersion API"
apis = ["GetUser"]
kind = "element"

[[step]]
api = "user.GetUser"
role = "site-admin"
body = "<webExId>{secret}</webExId>"
[[step.expect]]
versions = "all"
result = "SUCCESS"
equals = {{ "//use:webExId" = "{secret}" }}
'''


def test_no_configured_secret_in_any_artefact(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    out = tmp_path / "out"
    with ReferenceServer("42.6.0") as srv:
        acc = srv.info["accounts"]["admin"]
        secret = acc["password"]
        for n in range(2):
            (cases / f"leaky{n}.toml").write_text(LEAKY.format(n=n, secret=secret))
        env = {**os.environ, "WEBEX_SITE_NAME": "refsite", "WEBEX_ADMIN_ID": acc["webExID"],
               "WEBEX_ADMIN_PASSWORD": secret}
        p = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--cases-dir", str(cases),
                            "--endpoint", srv.url, "--output", str(out), "-n", "2"],
                           capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert p.returncode == 1, p.stdout + p.stderr   # the cases fail: their reasons are in every report
    artefacts = {f.name: f.read_text(encoding="utf-8") for f in out.iterdir() if f.is_file()}
    assert {"results.json", "junit.xml", "matrix.html"} <= set(artefacts)
    assert "leaky-0" in artefacts["junit.xml"] and "leaky-1" in artefacts["matrix.html"]
    artefacts["stdout"], artefacts["stderr"] = p.stdout, p.stderr
    assert "FAIL" in p.stdout.upper()
    for name, text in artefacts.items():
        for form in {secret, quote(secret, safe="")}:
            assert form not in text, f"the password leaked into {name}"
    assert "***" in artefacts["results.json"]
