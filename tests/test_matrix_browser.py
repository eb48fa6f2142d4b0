"""The matrix opened in a real browser (headless Debian chromium), as a partner would."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from browser import Browser, ensure_chromium
from conformance.cli import main
from conformance.results import CaseResult, StepRecord, write_results
from conformance.verdicts import Verdict
from conformance.versions import ALL_VERSIONS

VERSIONS = [str(v) for v in ALL_VERSIONS]


def _record(i: int, version: str, target: str = "reference-server") -> CaseResult:
    introduced = VERSIONS[i % len(VERSIONS)]
    outcome = "pass"
    reason = ""
    if i % 9 == 4 and version >= "39":
        outcome, reason = "fail", "absent://ep:hostKey: found 1 node"
    elif i % 13 == 5:
        outcome, reason = "skip", "requires mail-sink"
    elif i % 17 == 3 and version == "42.6.0":
        outcome, reason = "error", "envelope: HTML page"
    elif i % 5 == 0 and VERSIONS.index(version) < VERSIONS.index(introduced):
        outcome, reason = "not-applicable", f"not before {introduced}"
    verdicts = [Verdict("result", "pass", "SUCCESS", "SUCCESS"),
                Verdict("schema", "fail" if outcome == "fail" else "pass", "valid", "element 'x' not expected",
                        path="/serv:message/serv:body/x", line=1)]
    step = StepRecord(f"call {i}", "user.LstsummaryUser" if i % 2 else "meeting.GetMeeting", "host", "main",
                      "<serv:message><header><password>***</password></header><body><a>1</a></body></serv:message>",
                      "<serv:message><serv:header><serv:result>SUCCESS</serv:result></serv:header></serv:message>",
                      200, 3.0, 1, verdicts)
    return CaseResult(f"case-{i:02d}", f"Case number {i}", introduced, f"Heading {i % 7}",
                      ["LstSummaryUser" if i % 2 else "GetMeeting"], "element" if i % 3 else "behaviour", target,
                      "http://127.0.0.1:40000/WBXService/XMLService", version, outcome, reason,
                      [step] if outcome != "not-applicable" else [], 3.0, f"webex-conformance schemas {version}")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, dict]:
    base = tmp_path_factory.mktemp("matrix-browser")
    records = [_record(i, v) for i in range(40) for v in VERSIONS]
    records += [_record(i, "42.6.0", target="acme") for i in range(0, 40, 2)]
    write_results(base / "results.json", records, {"suite": {"name": "webex-conformance", "version": "0.1.0",
                                                             "source": "git", "commit": "abcdef1234567890"},
                                                    "status": "completed"})
    out = base / "report"
    assert main(["report", str(base / "results.json"), "--output", str(out)]) == 0
    return out, json.loads((base / "results.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def browser():
    why = ensure_chromium()
    if why:
        pytest.skip(why)
    with Browser(width=1600, height=1000) as b:
        yield b


def wait_for(b: Browser, condition: str) -> None:
    b.evaluate("new Promise(function (ok, no) { var n = 0; (function poll() { if (" + condition + ") ok(true);"
               " else if (++n > 200) no(new Error('timed out: ' + " + json.dumps(condition) + "));"
               " else setTimeout(poll, 25); })(); })")


def test_counts_in_the_page_match_results_json(browser, report):
    out, data = report
    browser.open(out / "matrix.html")
    results = data["results"]
    assert browser.evaluate("document.querySelectorAll('#matrix tr.row').length") == len({r["case_id"] for r in results})
    heads = browser.evaluate("""Array.from(document.querySelectorAll('#matrix-head tr.counts th')).map(function (th, i) {
        var v = document.querySelectorAll('#matrix-head tr.versions th')[i];
        return [v.getAttribute('data-target'), v.getAttribute('data-version'), th.getAttribute('data-pass'),
                th.getAttribute('data-fail'), th.getAttribute('data-error'), th.getAttribute('data-skip'),
                th.getAttribute('data-not-applicable')]; })""")
    want = Counter((r["target"], r["version"], r["outcome"]) for r in results)
    for target, version, *counts in heads:
        assert [int(c) for c in counts] == [want[(target, version, o)] for o in
                                            ("pass", "fail", "error", "skip", "not-applicable")], (target, version)
    cells = Counter(browser.evaluate("Array.from(document.querySelectorAll('#matrix td')).map(function (td) { return td.className; })"))
    outcomes = Counter(r["outcome"] for r in results)
    assert cells["p"] + cells["o"] == outcomes["pass"] and cells["f"] + cells["q"] == outcomes["fail"]
    assert (cells["e"], cells["s"], cells["n"]) == (outcomes["error"], outcomes["skip"], outcomes["not-applicable"])
    assert cells["x"] == 40 * 27 - len(results)


def test_the_whole_grid_fits_1600_px_and_the_header_stays(browser, report):
    out, _ = report
    browser.open(out / "matrix.html")
    assert browser.evaluate("document.querySelectorAll('#matrix-head tr.versions th').length") == 27
    width = browser.evaluate("[document.getElementById('grid-wrap').scrollWidth, document.getElementById('grid-wrap').clientWidth]")
    assert width[0] <= width[1], f"horizontal scrolling at 1600 px: {width}"
    top = browser.evaluate("""(function () { var w = document.getElementById('grid-wrap'); w.scrollTop = 800;
        return [document.querySelector('#matrix-head').getBoundingClientRect().top, w.getBoundingClientRect().top]; })()""")
    assert abs(top[0] - top[1]) <= 2, "the header scrolled away"
    browser.screenshot(out / "screenshots" / "matrix.png")


def test_filters_leave_no_empty_group(browser, report):
    out, data = report
    browser.open(out / "matrix.html")
    browser.evaluate("document.querySelector('input[name=outcome][value=f]').click()")
    failing = {r["case_id"] for r in data["results"] if r["outcome"] == "fail"}
    shown = browser.evaluate("Array.from(document.querySelectorAll('#matrix tr.row')).filter(function (r) { return !r.hidden; })"
                             ".map(function (r) { return r.querySelector('a.id').textContent; })")
    assert set(shown) == failing
    assert browser.evaluate("document.getElementById('shown').textContent") == f"{len(failing)} of 40 cases"
    empty = browser.evaluate("""Array.from(document.querySelectorAll('#matrix .grp')).filter(function (tb) {
        return !tb.hidden && !Array.from(tb.querySelectorAll('tr')).some(function (r) { return r.classList.contains('row') && !r.hidden; }); }).length""")
    assert empty == 0
    browser.evaluate("var q = document.getElementById('q'); q.value = 'number 13'; q.dispatchEvent(new Event('input', {bubbles: true}))")
    assert browser.evaluate("document.getElementById('shown').textContent") == "1 of 40 cases"
    browser.evaluate("document.getElementById('f-reset').click()")
    browser.evaluate("var t = document.getElementById('f-target'); t.value = 'acme'; t.dispatchEvent(new Event('change', {bubbles: true}))")
    visible = browser.evaluate("Array.from(document.querySelectorAll('#matrix-head tr.versions th')).filter(function (th) {"
                               " return th.offsetWidth > 0; }).map(function (th) { return th.getAttribute('data-target'); })")
    assert visible == ["acme"]
    assert browser.evaluate("document.getElementById('shown').textContent") == "20 of 40 cases"  # acme ran 20
    browser.evaluate("var g = document.getElementById('f-group'); g.value = 'service'; g.dispatchEvent(new Event('change', {bubbles: true}))")
    groups = browser.evaluate("Array.from(document.querySelectorAll('#matrix .grp')).filter(function (g) { return !g.hidden; })"
                              ".map(function (g) { return g.querySelector('tr.group').textContent; })")
    assert groups == ["Service meeting · 20 change(s)"]  # acme ran no user case: that group is gone
    browser.evaluate("var t = document.getElementById('f-target'); t.value = ''; t.dispatchEvent(new Event('change', {bubbles: true}))")
    groups = browser.evaluate("Array.from(document.querySelectorAll('#matrix .grp')).filter(function (g) { return !g.hidden; })"
                              ".map(function (g) { return g.querySelector('tr.group').textContent; })")
    assert groups == ["Service meeting · 20 change(s)", "Service user · 20 change(s)"]
    browser.screenshot(out / "screenshots" / "filtered.png")


def test_a_cell_opens_its_evidence_beside_the_grid(browser, report):
    out, data = report
    browser.open(out / "matrix.html")
    browser.evaluate("document.querySelector('#matrix tr.row td.f').click()")
    wait_for(browser, "document.querySelector('#panel-body table.verdicts')")
    text = browser.evaluate("document.getElementById('panel-body').textContent")
    case_id, version = browser.evaluate("location.hash").lstrip("#").split("/", 1)
    [rec] = [r for r in data["results"] if r["case_id"] == case_id and r["version"] == version.replace("-", " ")
             and r["target"] == "reference-server"]
    assert rec["outcome"] == "fail"
    assert "✗ FAIL" in text and rec["reason"] in text and "line 1" in text
    assert f"webex-conformance replay {case_id} --api-version {version}" in text
    assert "  <body>\n" in browser.evaluate("document.querySelectorAll('#panel-body pre')[1].textContent")
    assert browser.evaluate("document.getElementById('panel').hidden") is False
    assert browser.evaluate("document.querySelector('td.sel').getBoundingClientRect().right <= "
                            "document.getElementById('panel').getBoundingClientRect().left"), "the panel hides the cell"
    browser.screenshot(out / "screenshots" / "evidence.png")


def test_permalinks_open_a_cell_and_a_heading(browser, report):
    out, _ = report
    browser.open(out / "matrix.html", "case-07/39.2.0")
    wait_for(browser, "document.querySelector('#panel-body table.verdicts')")
    assert browser.evaluate("document.querySelector('#panel-body h2').textContent") == "case-07"
    assert "at reference-server 39.2.0" in browser.evaluate("document.getElementById('panel-body').textContent")
    browser.evaluate("document.querySelector('#panel-body a[href^=\"#h-\"]').click()")
    wait_for(browser, "!document.getElementById('tab-headings').hidden")
    assert browser.evaluate("document.getElementById('tab-matrix').hidden") is True


def test_a_step_that_sent_nothing_says_so_instead_of_empty_exchanges(browser, tmp_path):
    # a boundary test's summary step stands for all its examples: no request, no answer of its own
    rec = _record(1, "42.6.0")
    rec.case_id, rec.kind = "boundary/confname-128", "boundary"
    rec.steps[0].request, rec.steps[0].response, rec.steps[0].status = "", "", None
    rec.boundary = {"limit": "confname-128", "scenario": "ALL", "phase": "search", "failures": []}
    write_results(tmp_path / "results.json", [rec, _record(2, "42.6.0")], {"status": "completed"})
    out = tmp_path / "report"
    assert main(["report", str(tmp_path / "results.json"), "--output", str(out)]) == 0
    for case_id, exchanged in (("boundary/confname-128", False), ("case-02", True)):
        browser.open(out / "matrix.html", f"{case_id}/42.6.0")
        wait_for(browser, "document.querySelector('#panel-body table.verdicts')")
        text = browser.evaluate("document.getElementById('panel-body').textContent")
        shown = "Request (masked, pretty-printed)" in text and "Response as received" in text
        assert ("No single exchange" not in text and shown) if exchanged else \
            ("No single exchange" in text and not shown and "no answer" not in text), (case_id, text[-300:])
