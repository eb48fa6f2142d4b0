"""Boundary examples per second against the reference server, and the suite's share of the time.

Not a test: these machines are shared and noisy, so numbers are reported, never asserted.
Usage: python bench/boundary_throughput.py [--versions 39.11.0,42.6.0 | --all-versions] [--examples 5]

For each limit at each version it runs the boundary test (ci settings: derandomized, no
database) and measures the suite's own time per example as the CPU time of the thread
that runs it (building inputs and requests, sending them, parsing and judging answers,
Hypothesis): the reference server runs in other threads of the same process, so wall
time outside the transport would also count the server's leftover work and a loaded
machine's waiting.  The server's share is the wall time spent inside the transport's
send.  Target: at most 3 ms of suite time per example.  A bare GetAPIVersion through the
same transport is timed as the reference point for one request, and the suite time is
also printed in those bare requests (the issue's 3 ms sits beside a 1 ms bare request).

Then (unless --no-share) it runs the main job once (``webex-conformance run -n 0
--hypothesis-profile ci``, every case and boundary item at all 26 versions) and prints the
boundary items' share of its item time (the records' durations in results.json).  Target:
at most 10%.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from conformance.boundary_run import SearchSettings, run_limit
from conformance.embedded import EmbeddedServers
from conformance.envelope import build_envelope
from conformance.execute import context_for
from conformance.limits import load_limits
from conformance.versions import ALL_VERSIONS, documented

ROOT = Path(__file__).resolve().parents[1]


def timed_send(transport, clock: list[float]):
    real = transport.send

    def send(*a, **kw):
        t = time.perf_counter()
        try:
            return real(*a, **kw)
        finally:
            clock[0] += time.perf_counter() - t
    transport.send = send


def bare_request_ms(servers, version, n: int = 200) -> float:
    target = servers.target(version)
    ctx = context_for(target, version)
    data = build_envelope("ep", "GetAPIVersion", "", None, target.sites["main"].site_name)
    ctx.transport.send(target.endpoint, data, idempotent=True)
    t = time.perf_counter()
    for _ in range(n):
        ctx.transport.send(target.endpoint, data, idempotent=True)
    ctx.transport.close()
    return (time.perf_counter() - t) * 1000 / n


def main_job_share() -> tuple[float, float, Counter]:
    """(boundary seconds, all seconds, seconds per boundary limit) of one main-job run."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, "-m", "conformance.cli", "run", "-n", "0", "--hypothesis-profile", "ci",
                        "--output", out], cwd=ROOT, capture_output=True, text=True, check=False)
        doc = json.loads((Path(out) / "results.json").read_text(encoding="utf-8"))
    kinds: Counter = Counter()
    per_limit: Counter = Counter()
    for r in doc["results"]:
        kinds[r["kind"]] += (r.get("duration_ms") or 0) / 1000
        if r["kind"] == "boundary":
            per_limit[r["case_id"]] += (r.get("duration_ms") or 0) / 1000
    return kinds["boundary"], sum(kinds.values()), per_limit


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--versions", default="39.11.0,42.6.0")
    ap.add_argument("--all-versions", action="store_true")
    ap.add_argument("--examples", type=int, default=5, help="search examples per item (the ci profile's 5)")
    ap.add_argument("--no-share", action="store_true", help="skip the main-job run that measures the share")
    args = ap.parse_args()
    versions = list(ALL_VERSIONS) if args.all_versions else [documented(v) for v in args.versions.split(",")]
    limits = load_limits(ROOT / "limits").limits
    settings = SearchSettings(max_examples=args.examples, derandomize=True)
    rows: dict[str, list[float]] = {lim.id: [0, 0.0, 0.0, 0.0] for lim in limits}   # examples, wall, server, cpu
    with EmbeddedServers() as servers:
        bare = bare_request_ms(servers, versions[-1])
        # Warm up with the timed settings: Hypothesis builds each strategy once per process,
        # and at the first draw that may pick a constant it reads every local module for
        # constants (a few hundred ms, once per process, whichever item comes first). The
        # main-job share below includes it; the per-example numbers are the steady state.
        warm = time.thread_time()
        for lim in limits:
            ctx = context_for(servers.target(versions[-1]), versions[-1])
            run_limit(lim, ctx, settings, True)
            ctx.transport.close()
        warm = time.thread_time() - warm
        started = time.perf_counter()
        for v in versions:
            for lim in limits:
                ctx = context_for(servers.target(v), v)
                clock = [0.0]
                timed_send(ctx.transport, clock)
                t, cpu = time.perf_counter(), time.thread_time()
                r = run_limit(lim, ctx, settings, True)
                wall, cpu = time.perf_counter() - t, time.thread_time() - cpu
                ctx.transport.close()
                row = rows[lim.id]
                row[0] += (r.boundary or {}).get("examples", 0)
                row[1] += wall
                row[2] += clock[0]
                row[3] += cpu
        total = time.perf_counter() - started
    print(f"bare GetAPIVersion through the transport: {bare:.2f} ms per request; warm-up (one run of each "
          f"limit, with this process's one-time Hypothesis setup) {warm * 1000:.0f} ms of suite time")
    print(f"{'limit':30} {'examples':>8} {'ex/s':>6} {'suite ms/ex':>11} {'server share':>12}")
    ex_all = wall_all = server_all = cpu_all = 0.0
    for name, (ex, wall, server, cpu) in rows.items():
        ex_all, wall_all, server_all, cpu_all = ex_all + ex, wall_all + wall, server_all + server, cpu_all + cpu
        if not ex:
            print(f"{name:30} {0:>8}   (not applicable at these versions)")
            continue
        print(f"{name:30} {ex:>8.0f} {ex / wall:>6.0f} {cpu * 1000 / ex:>11.2f} {server / wall:>12.0%}")
    suite_ms = cpu_all * 1000 / max(ex_all, 1)
    print(f"{'all':30} {ex_all:>8.0f} {ex_all / wall_all:>6.0f} {suite_ms:>11.2f} {server_all / wall_all:>12.0%}")
    print(f"{len(versions)} version(s), {total:.1f} s in all; suite time per example {suite_ms:.2f} ms "
          f"(target <= 3 ms: {'met' if suite_ms <= 3 else 'NOT met'}); a bare request took {bare:.2f} ms "
          f"(about 1 ms on an idle machine)")
    # The target is stated next to a 1 ms bare request: on a slower machine the same code
    # costs more of both, so the suite time in bare requests is the number that travels.
    print(f"suite time per example in bare requests of this run: {suite_ms / bare:.2f} "
          f"(the issue's 3 ms against its 1 ms bare request: <= 3)")
    if not args.no_share:
        boundary, total_items, per_limit = main_job_share()
        share = boundary / total_items if total_items else 0.0
        print("main job (run -n 0, ci profile): boundary items " + ", ".join(
            f"{k.split('/')[-1]} {v:.2f} s" for k, v in per_limit.most_common()))
        print(f"boundary share of the main job's item time: {share:.1%} ({boundary:.1f} s of {total_items:.1f} s; "
              f"target <= 10%: {'met' if share <= 0.10 else 'NOT met'})")


if __name__ == "__main__":
    main()
