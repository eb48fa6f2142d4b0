"""Requests per second the reference server sustains on loopback, with p50/p99 latency.

Not a test: these machines are shared and noisy, so numbers are reported, never asserted.
Usage: python bench/server_throughput.py [--seconds 5] [--clients 4]

Measures GetAPIVersion (the envelope and auth path) and CreateMeeting (a write through
SQLite), each with N concurrent keep-alive clients, in one run so the ratios compare.

Why the clients are lean and in their own processes: on a 2-core machine the load
generator competes with the server for CPU. A ``requests`` session costs about 1 ms of
CPU per call, several times what the server spends on a GetAPIVersion, and client
threads in the server's process would also share its GIL; a benchmark built that way
measures the client. So each client is a separate process with one ``http.client``
keep-alive connection (about 0.1 ms of CPU a call). What each request costs is printed
next to the throughput, so a run on a busy machine can still be judged from ratios:
the handler alone (the WSGI app called directly, no HTTP), the HTTP layer (the server
process's CPU per request less the handler's) and the client's CPU per request.
"""
from __future__ import annotations

import argparse
import http.client
import io
import multiprocessing
import statistics
import time
from dataclasses import dataclass

from conformance.server.app import SERVICE_PATH
from conformance.server.serve import ReferenceServer

ENV = ('<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
       'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><header><securityContext><webExID>{u}</webExID>'
       '<password>{p}</password><siteName>refsite</siteName></securityContext></header><body>'
       '<bodyContent xsi:type="java:com.webex.service.binding.{svc}.{api}">{body}</bodyContent></body></serv:message>')
CREATE = ('<metaData><confName>Bench meeting</confName></metaData>'
          '<schedule><startDate>12/24/2030 10:00:00</startDate><duration>30</duration></schedule>')
APIS = (("GetAPIVersion", "ep", "GetAPIVersion", ""), ("CreateMeeting", "meeting", "CreateMeeting", CREATE))
SUCCESS = b"<serv:result>SUCCESS</serv:result>"


@dataclass(frozen=True)
class Result:
    """One API's run: throughput, latency percentiles and CPU per request by where it was spent."""
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    handler_us: float   # the WSGI app called directly
    server_us: float    # the server process (HTTP layer + handler) per request
    client_us: float    # one lean client's CPU per request

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def http_us(self) -> float:
        return max(0.0, self.server_us - self.handler_us)

    def line(self, clients: int) -> str:
        return (f"{self.name}: {self.rps:.0f} req/s over {clients} keep-alive clients, p50 {self.p50_ms:.2f} ms, "
                f"p99 {self.p99_ms:.2f} ms, {self.errors} errors; CPU per request: handler {self.handler_us:.0f} us, "
                f"HTTP layer {self.http_us:.0f} us, client {self.client_us:.0f} us")


def _client(port: int, payload: bytes, seconds: float, out) -> None:
    """One keep-alive connection posting ``payload`` until the time is up (runs in its own process)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, errors = [], 0
    cpu0, stop = time.process_time(), time.perf_counter() + seconds
    while time.perf_counter() < stop:
        t0 = time.perf_counter()
        conn.request("POST", SERVICE_PATH, body=payload, headers={"Content-Type": "text/xml"})
        data = conn.getresponse().read()
        latencies.append((time.perf_counter() - t0) * 1000)
        errors += SUCCESS not in data
    conn.close()
    out.put((latencies, errors, time.process_time() - cpu0))


def load(port: int, payload: bytes, seconds: float, clients: int) -> tuple[list[float], int, float, float]:
    """(latencies in ms, errors, this process's CPU seconds, clients' CPU per request in us)."""
    ctx = multiprocessing.get_context("spawn")  # the server runs threads here: never fork them
    out = ctx.Queue()
    procs = [ctx.Process(target=_client, args=(port, payload, seconds, out), daemon=True) for _ in range(clients)]
    for p in procs:
        p.start()
    cpu0 = time.process_time()
    results = [out.get(timeout=seconds + 60) for _ in procs]
    server_cpu = time.process_time() - cpu0
    for p in procs:
        p.join(timeout=10)
    latencies = [x for lat, _e, _c in results for x in lat]
    client_cpu = sum(c for _l, _e, c in results)
    return latencies, sum(e for _l, e, _c in results), server_cpu, client_cpu / max(1, len(latencies)) * 1e6


def handler_cost(srv: ReferenceServer, payload: bytes, n: int = 500) -> float:
    """The WSGI app's own CPU per request in us: no sockets, no HTTP parsing."""
    def once() -> None:
        srv.app({"PATH_INFO": SERVICE_PATH, "REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(payload)),
                 "wsgi.input": io.BytesIO(payload)}, lambda status, headers: None)
    for _ in range(min(n, 100)):
        once()
    t0 = time.process_time()
    for _ in range(n):
        once()
    return (time.process_time() - t0) / n * 1e6


def measure(seconds: float, clients: int) -> list[Result]:
    """Each API in APIS against one fresh 42.6.0 server: handler cost, then the load run."""
    rows = []
    with ReferenceServer("42.6.0") as srv:
        host = srv.info["accounts"]["host"]
        for name, svc, api, body in APIS:
            payload = ENV.format(u=host["webExID"], p=host["password"], svc=svc, api=api, body=body).encode()
            handler = handler_cost(srv, payload)
            load(srv.port, payload, 0.3, 1)  # warm up (and pay the spawn imports outside the run)
            lat, errors, server_cpu, client_us = load(srv.port, payload, seconds, clients)
            lat.sort()
            n = len(lat)
            rows.append(Result(name, n, seconds, statistics.median(lat), lat[min(n - 1, int(n * 0.99))], errors,
                               handler, server_cpu / max(1, n) * 1e6, client_us))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    rows = measure(args.seconds, args.clients)
    print(f"reference server on loopback, {args.clients} keep-alive client processes, {args.seconds:.0f} s each")
    for r in rows:
        print(r.line(args.clients))
    print(f"ratio CreateMeeting/GetAPIVersion throughput: {rows[1].rps / rows[0].rps:.2f} "
          f"(target >= 1000 req/s for GetAPIVersion)")


if __name__ == "__main__":
    main()
