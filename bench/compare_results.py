"""Two results.json files of the same job: the same records apart from timings and ports?

A speed change must not change what the suite decides.  This compares every record by
(case, target, version) after dropping what legitimately differs between runs (durations,
timestamps, the loopback port, the per-run unique suffix, elapsed times) and prints the
first differences.  Usage: python bench/compare_results.py BEFORE/results.json AFTER/results.json
Exit status 0 when they agree, 1 otherwise.
"""
from __future__ import annotations

import json
import re
import sys
from typing import Any

_PORT = re.compile(r"127\.0\.0\.1:\d+")
_VOLATILE = {"duration_ms", "started_at", "elapsed_ms", "finished_at"}


def _normalise(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _normalise(v) for k, v in x.items() if k not in _VOLATILE}
    if isinstance(x, list):
        return [_normalise(v) for v in x]
    if isinstance(x, str):
        return _PORT.sub("127.0.0.1:PORT", x)
    return x


def _records(path: str) -> dict[tuple, dict]:
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    return {(r["case_id"], r["target"], r["version"]): _normalise(r) for r in doc["results"]}


def _unvary(text: str) -> str:
    """Values the server or the run makes up each time: ids, keys, times, unique suffixes."""
    text = re.sub(r"[0-9a-f]{8,}", "H", text)
    text = re.sub(r"\d{3,}", "N", text)
    text = re.sub(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2}", "T", text)
    text = re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[^\"<]*", "T", text)
    return text


def _verdicts(record: dict) -> list:
    """Check, outcome and location of every verdict; the texts too for schema and drift
    (the judging this compares), not for value checks that quote per-run data."""
    out = []
    for s in record["steps"]:
        for v in s["verdicts"]:
            texts = (v.get("expected"), _unvary(str(v.get("actual")))) if v["check"] in ("schema", "drift") else ()
            out.append((v["check"], v["outcome"], v.get("path"), v.get("line"), *texts))
    return out


def compare(before: str, after: str, limit: int = 20) -> list[str]:
    a, b = _records(before), _records(after)
    problems = [f"only in {before}: {k}" for k in a.keys() - b.keys()]
    problems += [f"only in {after}: {k}" for k in b.keys() - a.keys()]
    for key in sorted(a.keys() & b.keys()):
        ra, rb = a[key], b[key]
        for field in ("outcome", "reason", "drift", "schema_bundle", "error_kind"):
            if ra.get(field) != rb.get(field):
                problems.append(f"{key} {field}: {ra.get(field)!r} != {rb.get(field)!r}")
        va, vb = _verdicts(ra), _verdicts(rb)
        if va != vb:
            problems.append(f"{key} verdicts differ: {va} != {vb}"[:400])
        masked_a = [(s["request"].count("***"), s["response"].count("***")) for s in ra["steps"]]
        masked_b = [(s["request"].count("***"), s["response"].count("***")) for s in rb["steps"]]
        if masked_a != masked_b:
            problems.append(f"{key} masked fields differ: {masked_a} != {masked_b}")
        if len(problems) >= limit:
            break
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    problems = compare(*argv)
    for p in problems:
        print(p)
    a = _records(argv[0])
    print(f"{len(a)} records compared: {'identical apart from timings and ports' if not problems else 'DIFFERENT'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
