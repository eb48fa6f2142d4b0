from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from conformance.errors import UsageError
from conformance.report_vendor import vendor_summary, write_vendor_report
from conformance.results import CaseResult, ResultsDoc, StepRecord
from conformance.server.serve import ReferenceServer
from conformance.verdicts import Verdict

ROOT = Path(__file__).resolve().parents[1]


def rec(case_id, version="42.6.0", outcome="pass", introduced="39.2.0", target="acme", reason="",
        source="A heading") -> CaseResult:
    v = Verdict("result", "fail" if outcome == "fail" else "pass", "SUCCESS", "FAILURE" if outcome == "fail" else "SUCCESS")
    step = StepRecord("call", "user.LstsummaryUser", "host", "main", "<a><b>1</b></a>", "<r><x>2</x></r>", 200, 1.0, 1, [v])
    return CaseResult(case_id, f"title of {case_id}", introduced, source, ["LstSummaryUser"], "element", target,
                      "https://acme.example.com/WBXService/XMLService", version, outcome, reason, [step])


RUNS = [{"suite": {"name": "webex-conformance", "version": "0.1.0", "commit": "feedbeef" * 5},
         "targets": [{"name": "acme", "version": "42.6.0", "how": "detected with GetAPIVersion", "embedded": False}]}]


def test_summary_states_version_conformance_and_deviations_with_their_heading():
    doc = ResultsDoc(RUNS, [rec("a"), rec("b", outcome="fail", introduced="42.6.0", reason="result: FAILURE",
                                       source="Admins can't create users on a suspended site"),
                            rec("c", outcome="skip"), rec("a", target="other")])
    s = vendor_summary(doc, "acme")
    assert s["reported_versions"] == [{"version": "42.6.0", "how": "detected with GetAPIVersion"}]
    assert s["conforms_to"] == "42.5.0" and s["verdict"] == "conforms to 42.5.0 (1 case(s) skipped: fixtures not provided)"
    assert s["cases"] == 3 and s["counts"]["fail"] == 1 and s["skipped"] == 1
    [d] = s["deviations"]
    assert d["case_id"] == "b" and d["heading"]["text"] == "Admins can't create users on a suspended site"
    assert d["reproduce"] == "webex-conformance replay b --api-version 42.6.0 --endpoint https://acme.example.com/WBXService/XMLService"
    assert d["verdicts"][0]["actual"] == "FAILURE"
    assert s["suite"]["judged_by"] == ["webex-conformance 0.1.0 at commit feedbeeffeed"]
    assert [h["verdicts"] for h in s["headings"]] == [{"42.6.0": "partial"}, {"42.6.0": "fail"}]


def test_unknown_vendor_is_a_one_line_usage_error():
    with pytest.raises(UsageError, match=r"--vendor 'nope': no such target in the results \(targets: acme\)"):
        vendor_summary(ResultsDoc(RUNS, [rec("a")]), "nope")


def test_html_and_json_say_the_same(tmp_path):
    doc = ResultsDoc(RUNS, [rec("a"), rec("b", outcome="fail", introduced="42.6.0")])
    html_path, json_path = write_vendor_report(tmp_path, doc, "acme")
    assert (html_path.name, json_path.name) == ("vendor-acme.html", "vendor-acme.json")
    s = json.loads(json_path.read_text(encoding="utf-8"))
    root = lxml.html.document_fromstring(html_path.read_text(encoding="utf-8"))
    assert s["conforms_to"] == "42.5.0"
    assert root.xpath('string(//td[@id="conforms-to"])') == "42.5.0 (shown when judged as 42.6.0)"
    assert root.xpath('string(//td[@id="deviation-count"])') == "1"
    assert root.xpath('//section[@class="deviation"]/@id') == ["dev-b"]
    assert "  <b>1</b>" in root.xpath('string(//section[@id="dev-b"]//pre[1])')
    assert not root.xpath("//script | //link | //img")


def test_an_escaped_and_masked_report(tmp_path):
    evil = "<script>alert(1)</script>"
    r = rec("b", outcome="fail", reason=f"{evil} Zz-secret", introduced="42.6.0")
    html_path, json_path = write_vendor_report(tmp_path, ResultsDoc(RUNS, [r]), "acme", secrets=["Zz-secret"])
    text = html_path.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "Zz-secret" not in text and "Zz-secret" not in json_path.read_text()


def test_report_cli_writes_a_vendor_report_without_any_configured_secret(tmp_path):
    """A real run against a reference server with a seeded defect, credentials from the environment."""
    with ReferenceServer("42.6.0", defects=["apiver-wrong"]) as srv:
        acc = srv.info["accounts"]
        env = {"WEBEX_SITE_NAME": "refsite", "WEBEX_ACCESS_TOKEN": srv.info["accessToken"]}
        for role, prefix in (("admin", "WEBEX_ADMIN"), ("host", "WEBEX_HOST"), ("attendee", "WEBEX_ATTENDEE")):
            env[f"{prefix}_ID"], env[f"{prefix}_PASSWORD"] = acc[role]["webExID"], acc[role]["password"]
        run = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--endpoint", srv.url, "-k", "getapiversion",
                              "--output", str(tmp_path / "run")], capture_output=True, text=True, timeout=300,
                             env={**os.environ, **env}, cwd=ROOT)
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    target = json.loads((tmp_path / "run" / "results.json").read_text())["results"][0]["target"]
    rep = subprocess.run([sys.executable, "-m", "conformance.cli", "report", str(tmp_path / "run" / "results.json"),
                          "--vendor", target, "--output", str(tmp_path / "rep")], capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    assert rep.returncode == 0, rep.stderr
    files = sorted(p.name for p in (tmp_path / "rep").iterdir())
    assert any(f.startswith("vendor-") and f.endswith(".html") for f in files)
    s = json.loads(next((tmp_path / "rep").glob("vendor-*.json")).read_text())
    assert "getapiversion-apiver" in {d["case_id"] for d in s["deviations"]}
    assert s["reported_versions"][0]["version"] == "42.6.0"
    secrets = [v for k, v in env.items() if k.endswith(("PASSWORD", "TOKEN"))]
    assert len(secrets) == 4
    for f in (tmp_path / "rep").iterdir():
        text = f.read_text(encoding="utf-8")
        for secret in secrets:
            assert secret not in text, f"{f.name} leaks a configured secret"


def test_boundary_deviation_shows_scenario_and_shrunk_input(tmp_path):
    r = rec("boundary/confname-length", outcome="fail", introduced="42.6.0")
    r.kind = "boundary"
    r.boundary = {"limit": "confname-length", "scenario": "create", "phase": "search", "unit": "characters",
                  "bound": 128, "inclusive": True, "input_size": 129, "example": "x" * 129, "reading": None, "seed": 7,
                  "failures": [{"scenario": "create", "phase": "search", "api": "meeting.CreateMeeting", "input_size": 129,
                                "bound": 128, "example": "x" * 129, "expected": "FAILURE", "actual": "SUCCESS",
                                "request_file": "reports/boundary/confname.xml"}]}
    html_path, _ = write_vendor_report(tmp_path, ResultsDoc(RUNS, [r]), "acme")
    text = lxml.html.parse(str(html_path)).getroot().text_content()
    assert "scenario create" in text and "input_size 129" in text and "x" * 129 in text
    assert "request saved as reports/boundary/confname.xml" in text
    assert "webex-conformance run -k 'confname-length and 42.6.0'" in text
