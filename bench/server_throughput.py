"""Requests per second the reference server sustains on loopback, with p50/p99 latency.

Not a test: these machines are shared and noisy, so numbers are reported, never asserted.
Usage: python bench/server_throughput.py [--seconds 5] [--clients 4]
Measures GetAPIVersion (the envelope and auth path) and CreateMeeting (a write through
SQLite), each with N concurrent keep-alive clients, in one run so the ratios compare.
"""
from __future__ import annotations

import argparse
import statistics
import threading
import time

import requests

from conformance.server.serve import ReferenceServer

ENV = ('<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
       'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><header><securityContext><webExID>{u}</webExID>'
       '<password>{p}</password><siteName>refsite</siteName></securityContext></header><body>'
       '<bodyContent xsi:type="java:com.webex.service.binding.{svc}.{api}">{body}</bodyContent></body></serv:message>')
CREATE = ('<metaData><confName>Bench meeting</confName></metaData>'
          '<schedule><startDate>12/24/2030 10:00:00</startDate><duration>30</duration></schedule>')


def run(url: str, payload: bytes, seconds: float, clients: int) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        with requests.Session() as s:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                r = s.post(url, data=payload, timeout=30)
                mine.append((time.perf_counter() - t0) * 1000)
                if b"<serv:result>SUCCESS</serv:result>" not in r.content:
                    bad += 1
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies, errors


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    with ReferenceServer("42.6.0") as srv:
        host = srv.info["accounts"]["host"]
        rows = []
        for name, svc, api, body in (("GetAPIVersion", "ep", "GetAPIVersion", ""),
                                     ("CreateMeeting", "meeting", "CreateMeeting", CREATE)):
            payload = ENV.format(u=host["webExID"], p=host["password"], svc=svc, api=api, body=body).encode()
            run(srv.url, payload, 0.5, 1)  # warm up
            n, lat, errors = run(srv.url, payload, args.seconds, args.clients)
            lat.sort()
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
            rows.append((name, n / args.seconds, statistics.median(lat), p99, errors))
    print(f"reference server on loopback, {args.clients} keep-alive clients, {args.seconds:.0f} s each")
    print(f"{'API':15} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, rps, p50, p99, errors in rows:
        print(f"{name:15} {rps:8.0f} {p50:8.2f} {p99:8.2f} {errors:7d}")
    print(f"ratio CreateMeeting/GetAPIVersion throughput: {rows[1][1] / rows[0][1]:.2f}")


if __name__ == "__main__":
    main()
