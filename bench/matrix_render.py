"""Benchmark the compatibility matrix: render time, peak memory and size, then the page in Chromium.

    python bench/matrix_render.py [REAL_RESULTS_JSON]

Renders (each in a fresh process, so peak RSS is the render's own):
  * the real run's results.json (default reports/results.json: `webex-conformance run -n 2`);
  * a synthetic 100 versions x 500 cases (50,000 records with a two-step exchange each).
Then opens each page in headless Chromium (when installed: .ci/install-chromium) and
measures load, first contentful paint, one outcome filter and a regrouping.  Prints each
number with its budget and the ratio, measured in this run: the real matrix under 2 MB,
filter under 200 ms, first paint under 1 s.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

RENDER = r"""
import json, resource, sys, time
from conformance.results import read_results
from conformance.report_html import write_html
t0 = time.perf_counter()
doc = read_results(sys.argv[1])
t1 = time.perf_counter()
write_html(sys.argv[2], doc.results, runs=doc.runs)
t2 = time.perf_counter()
print(json.dumps({"records": len(doc.results), "read_s": t1 - t0, "render_s": t2 - t1,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def synthetic(path: Path, versions: int = 100, cases: int = 500) -> None:
    from conformance.results import CaseResult, StepRecord, write_results
    from conformance.verdicts import Verdict
    vs = [f"{40 + i // 10}.{i % 10}.0" for i in range(versions)]
    records = []
    for c in range(cases):
        introduced = vs[c % versions]
        for i, v in enumerate(vs):
            outcome = "fail" if (c * 7 + i) % 97 == 0 else "skip" if c % 41 == 3 else \
                "not-applicable" if i < c % versions and c % 5 == 0 else "pass"
            steps = [] if outcome == "not-applicable" else [
                StepRecord(f"step {k}", "meeting.GetMeeting", "host", "main",
                           f"<serv:message><header><securityContext><webExID>host1</webExID><password>***</password>"
                           f"</securityContext></header><body><bodyContent><meetingKey>{c * 1000 + k}</meetingKey>"
                           f"</bodyContent></body></serv:message>",
                           f"<serv:message><serv:header><serv:response><serv:result>SUCCESS</serv:result></serv:response>"
                           f"</serv:header><serv:body><serv:bodyContent><meet:confName>Case {c} meeting</meet:confName>"
                           f"<meet:version>{v}</meet:version></serv:bodyContent></serv:body></serv:message>",
                           200, 2.5, 1, [Verdict("result", "pass", "SUCCESS", "SUCCESS"),
                                         Verdict("schema", "fail" if outcome == "fail" else "pass", "valid",
                                                 "element 'x' not expected" if outcome == "fail" else "valid",
                                                 path="/serv:message/serv:body" if outcome == "fail" else None,
                                                 line=1 if outcome == "fail" else None)])
                for k in range(2)]
            records.append(CaseResult(f"case-{c:03d}", f"Synthetic documented change number {c}", introduced,
                                      f"Heading {c // 3}", [f"Api{c % 37}"], "element", "synthetic", "http://x", v,
                                      outcome, "schema: element 'x' not expected" if outcome == "fail" else "",
                                      steps, 3.0, f"bundle {v}"))
    write_results(path, records, {"tool": "bench"})


def render(results: Path, html: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", RENDER, str(results), str(html)], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    stats = json.loads(out.stdout)
    stats["html_mb"] = html.stat().st_size / 1e6
    stats["results_mb"] = results.stat().st_size / 1e6
    return stats


def in_browser(html: Path) -> dict | None:
    from browser import Browser, ensure_chromium
    if ensure_chromium():
        return None
    with Browser(width=1600, height=1000, timeout=120) as b:
        t0 = time.perf_counter()
        b.open(html)
        wall = time.perf_counter() - t0
        nav = b.evaluate("""new Promise(function (ok) {
            var n = performance.getEntriesByType('navigation')[0];
            new PerformanceObserver(function (l) { var e = l.getEntriesByName('first-contentful-paint')[0];
              if (e) ok([n.domContentLoadedEventEnd, n.loadEventEnd, e.startTime]); }).observe({type: 'paint', buffered: true});
            setTimeout(function () { ok([n.domContentLoadedEventEnd, n.loadEventEnd, null]); }, 3000); })""")
        filt = b.evaluate("""(function () { var t = performance.now();
            document.querySelector('input[name=outcome][value=f]').click(); var a = performance.now() - t;
            document.body.offsetHeight; var b = performance.now() - t; return [a, b]; })()""")
        search = b.evaluate("""(function () { var q = document.getElementById('q'); q.value = 'number 4';
            var t = performance.now(); q.dispatchEvent(new Event('input', {bubbles: true})); document.body.offsetHeight;
            return performance.now() - t; })()""")
        group = b.evaluate("""(function () { var g = document.getElementById('f-group'); g.value = 'api';
            var t = performance.now(); g.dispatchEvent(new Event('change', {bubbles: true})); document.body.offsetHeight;
            return performance.now() - t; })()""")
        ev = b.evaluate("""(function () { var t = performance.now(); return window.__matrix.unpack(0).then(function () {
            return performance.now() - t; }); })()""")
    return {"open_wall_s": wall, "dom_ready_ms": nav[0], "load_ms": nav[1], "first_paint_ms": nav[2],
            "filter_ms": filt[1], "search_ms": search, "regroup_ms": group, "unpack_row_ms": ev}


def line(name: str, value: float | None, budget: float | None = None, unit: str = "") -> str:
    if value is None:
        return f"  {name:24} n/a"
    text = f"  {name:24} {value:10.2f} {unit}"
    if budget:
        text += f"   budget {budget:g} {unit}, ratio {value / budget:.2f}"
    return text


def main() -> int:
    if sys.argv[1:2] == ["--synthetic"]:
        synthetic(Path(sys.argv[2]))
        return 0
    real = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "reports" / "results.json"
    with tempfile.TemporaryDirectory(prefix="matrix-bench-") as tmp:
        tmp = Path(tmp)
        cases = []
        if real.is_file():
            cases.append(("real run", real, 2.0))
        else:
            print(f"(no {real}: run `webex-conformance run -n 2` first for the real 26-version matrix)")
        syn = tmp / "synthetic.json"
        # built in a child: ru_maxrss survives fork+exec, so a big parent would inflate every render's peak
        subprocess.run([sys.executable, __file__, "--synthetic", str(syn)], cwd=ROOT, check=True)
        cases.append(("synthetic 100 x 500", syn, None))
        for name, path, size_budget in cases:
            html = tmp / f"{name.split()[0]}.html"
            s = render(path, html)
            print(f"{name}: {s['records']} records, results.json {s['results_mb']:.1f} MB")
            print(line("read results", s["read_s"], None, "s"))
            print(line("render matrix", s["render_s"], None, "s"))
            print(line("peak RSS", s["peak_rss_mb"], None, "MB"))
            print(line("matrix.html size", s["html_mb"], size_budget, "MB"))
            b = in_browser(html)
            if b is None:
                print("  (chromium not available: browser timings skipped)")
                continue
            print(line("DOM ready", b["dom_ready_ms"], None, "ms"))
            print(line("first contentful paint", b["first_paint_ms"], 1000, "ms"))
            print(line("load event", b["load_ms"], None, "ms"))
            print(line("outcome filter", b["filter_ms"], 200, "ms"))
            print(line("text search", b["search_ms"], 200, "ms"))
            print(line("regroup by API", b["regroup_ms"], None, "ms"))
            print(line("unpack one row", b["unpack_row_ms"], None, "ms"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
