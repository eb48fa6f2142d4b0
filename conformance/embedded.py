"""The embedded default target: reference servers on loopback, one per emulated version.

Turns a running ``ReferenceServer`` into the same ``Target`` a real site's configuration
gives, so the engine cannot tell (and need not care) which one it is judging.

The servers run in processes of their own (``python -m conformance.embedded``), never in
the process that drives pytest: there they would share one GIL with xdist, result
handling and report writing, and a request that costs 2 ms alone cost 5 ms during a run.
The versions are spread over a couple of host processes that start (and stop) at the same
time; each host starts its servers in parallel, prints one JSON line per server, and stops
them all when its stdin closes, so a host never outlives the run that started it.
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from .cases import FIXTURES, ROLE_USER
from .config import Credential, SiteAccess, Target, TransportSettings
from .server.models import Seed
from .versions import Version, documented

EMBEDDED_TRANSPORT = TransportSettings(connect_timeout=5.0, read_timeout=30.0, retries=2, backoff=0.1,
                                       rate_limit=None, verify_tls=True,
                                       max_response_bytes=8 * 1024 * 1024)
HOST_PROCESSES = 2


def target_for_server(server, name: str | None = None) -> Target:
    """The Target of a running ``conformance.server.serve.ReferenceServer`` (or its ``Remote``)."""
    seed = server.seed
    sites = {}
    for key, site in seed.sites.items():
        creds = {role: Credential(seed.accounts[acc].webex_id, password=seed.accounts[acc].password)
                 for role, acc in ROLE_USER.items()}
        creds["access-token"] = Credential(None, access_token=seed.token)
        sites[key] = SiteAccess(site.site_name, site.site_id, site.partner_id, creds)
    return Target(
        name=name or "reference-server",
        endpoint=server.url,
        version=server.version,
        sites=sites,
        provides=frozenset(FIXTURES),
        values=dict(server.values),
        transport=EMBEDDED_TRANSPORT,
        schema_dir=None,
        embedded=True,
    )


@dataclass(frozen=True)
class RemoteServer:
    """What ``target_for_server`` needs of a reference server running in a host process."""

    version: Version
    url: str
    seed: Seed
    values: dict


class _Host:
    """One host process and the servers it announced."""

    def __init__(self, versions: Sequence[Version], defects: Sequence[str]):
        args = [sys.executable, "-m", "conformance.embedded", *(str(v) for v in versions)]
        for d in defects:
            args += ["--defect", d]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.expected = len(versions)
        self.servers: dict[Version, RemoteServer] = {}

    def read(self) -> None:
        """Wait for every server's line; a host that fails says why in one line."""
        while len(self.servers) < self.expected:
            line = self.proc.stdout.readline()
            if not line:
                self.proc.wait(timeout=10)
                err = (self.proc.stderr.read() or "").strip().splitlines()
                raise RuntimeError(f"the embedded server did not start: {err[-1] if err else 'no output'}")
            info = json.loads(line)
            v = documented(info["version"])
            self.servers[v] = RemoteServer(v, info["url"], Seed.from_json(info["seed"]), info["values"])

    def stop(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except OSError:
            pass

    def wait(self) -> None:
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


class EmbeddedServers:
    """Reference servers per version, in host processes of their own; stops them on close().

    ``prepare(versions)`` starts every version at once (hosts in parallel); ``get`` of a
    version not prepared starts one host for it.
    """

    def __init__(self, defects: Iterable[str] = (), processes: int = HOST_PROCESSES):
        self.defects = tuple(defects)
        self.processes = max(1, processes)
        self._servers: dict[Version, RemoteServer] = {}
        self._hosts: list[_Host] = []
        self._lock = threading.Lock()

    def prepare(self, versions: Iterable[Version]) -> None:
        with self._lock:
            todo = [v for v in dict.fromkeys(versions) if v not in self._servers]
            if not todo:
                return
            from .server.root import full_catalog
            full_catalog().check_defects(self.defects)   # an unknown name: a ValueError here, in one line
            groups = [todo[i::self.processes] for i in range(min(self.processes, len(todo)))]
            hosts = [_Host(g, self.defects) for g in groups]
            self._hosts += hosts
            for h in hosts:
                h.read()
                self._servers.update(h.servers)

    def get(self, version: Version) -> RemoteServer:
        self.prepare([version])
        return self._servers[version]

    def target(self, version: Version) -> Target:
        return target_for_server(self.get(version), name="reference-server")

    def close(self) -> None:
        with self._lock:
            for h in self._hosts:   # all hosts are told at once, then awaited
                h.stop()
            for h in self._hosts:
                h.wait()
            self._hosts.clear()
            self._servers.clear()

    def __enter__(self) -> "EmbeddedServers":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve(versions: list[str], defects: list[str]) -> int:
    """Host process: start the servers in parallel, announce them, stop when stdin closes."""
    from .server.serve import ReferenceServer

    servers: list[Any] = [None] * len(versions)
    errors: list[str] = []

    def start(i: int, v: str) -> None:
        try:
            servers[i] = ReferenceServer(v, defects=defects, test_paths=True).start()
        except Exception as exc:  # noqa: BLE001 - reported in one line, then the host exits
            errors.append(f"{type(exc).__name__}: {' '.join(str(exc).split())}")

    threads = [threading.Thread(target=start, args=(i, v)) for i, v in enumerate(versions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(errors[0], file=sys.stderr)
        _stop_all([s for s in servers if s is not None])
        return 2
    for s in servers:
        print(json.dumps({"version": str(s.version), "url": s.url, "seed": s.seed.to_json(),
                          "values": dict(s.values)}), flush=True)
    sys.stdin.read()   # until the run closes our stdin (or exits)
    _stop_all(servers)
    return 0


def _stop_all(servers: list[Any]) -> None:
    threads = [threading.Thread(target=s.stop) for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    p = argparse.ArgumentParser(prog="python -m conformance.embedded",
                                description="Host reference servers for a run (used by EmbeddedServers).")
    p.add_argument("versions", nargs="+")
    p.add_argument("--defect", action="append", default=[])
    args = p.parse_args(argv)
    return _serve(args.versions, args.defect)


if __name__ == "__main__":
    sys.exit(main())
