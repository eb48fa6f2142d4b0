"""The embedded default target: a reference server per emulated version.

Turns a ``ReferenceServer`` into the same ``Target`` a real site's configuration gives,
so the engine cannot tell (and need not care) which one it is judging.  Two ways to reach
it (``--embedded-transport``):

- ``wsgi`` (the run's default): every process that runs cases calls the server's WSGI
  application in-process through ``transport.WSGITransport``, so no request crosses a
  socket, a thread or another process's share of a GIL (over HTTP the ``requests`` stack
  alone cost ~1 ms of CPU per request, more than the server).  The process that plans
  seeds each version once (a few ms each); an xdist worker gets a copy of that seeded
  database and builds its own server state from it on its first case at that version,
  so every process has the same credentials and fixture values and no worker sees
  another's writes.  Against a state of its own a worker's cases cannot disturb each
  other's counts either.
- ``http``: servers on loopback in processes of their own (``python -m
  conformance.embedded``), never in the process that drives pytest, where they would
  share one GIL with xdist and result handling.  The versions are spread over a couple
  of host processes that start (and stop) at the same time; each host starts its
  servers in parallel, prints one JSON line per server, and stops them all when its
  stdin closes, so a host never outlives the run that started it.  The library default
  (``EmbeddedServers()``), so the end-to-end tests go over real HTTP.
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
WSGI, HTTP = "wsgi", "http"
EMBEDDED_TRANSPORTS = (WSGI, HTTP)
# The in-process server's address: a name that never resolves (RFC 2606), so a request that
# went over HTTP by mistake fails at once instead of reaching anything.
IN_PROCESS_BASE = "http://reference-server.invalid"


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


@dataclass
class InProcessServer:
    """A reference server's application in this process, built on first use.

    ``image`` is the seeded database (``sqlite3`` serialisation) the planning process
    made; ``app`` is that process's own server when it made it.  ``application()`` gives
    this process's app, made from the image the first time it is asked for.
    """

    version: Version
    url: str
    seed: Seed
    values: dict
    defects: tuple[str, ...] = ()
    image: bytes | None = None
    app: Any = None

    def application(self) -> Any:
        if self.app is None:
            from .server.app import XMLServiceApp
            from .server.root import full_catalog
            from .server.state import State
            state = State(":memory:")
            state.conn.deserialize(self.image)
            catalog = full_catalog()
            self.app = XMLServiceApp(state, self.version, catalog, catalog.check_defects(self.defects),
                                     test_paths=True, request_log=False)
        return self.app

    @classmethod
    def seeded(cls, version: Version, defects: tuple[str, ...]) -> "InProcessServer":
        """A freshly seeded server, exactly as ``ReferenceServer`` seeds one (not started)."""
        from .server.app import OUTBOX_PATH, SERVICE_PATH
        from .server.serve import ReferenceServer
        srv = ReferenceServer(version, defects=defects, test_paths=True, request_log=False)
        values = dict(srv.values)
        values["mail.url"] = IN_PROCESS_BASE + OUTBOX_PATH
        return cls(srv.version, IN_PROCESS_BASE + SERVICE_PATH, srv.seed, values, tuple(defects), app=srv.app)

    def to_worker(self) -> dict[str, Any]:
        """What an xdist worker needs to build the same server (holds secrets: in memory only)."""
        image = self.image if self.image is not None else self.app.state.conn.serialize()
        return {"version": str(self.version), "url": self.url, "seed": self.seed.to_json(),
                "values": dict(self.values), "defects": list(self.defects), "image": image}

    @classmethod
    def from_worker(cls, data: dict[str, Any]) -> "InProcessServer":
        return cls(documented(data["version"]), data["url"], Seed.from_json(data["seed"]), dict(data["values"]),
                   tuple(data["defects"]), image=bytes(data["image"]))


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
    """Reference servers per version, in-process (``wsgi``) or in host processes of their
    own (``http``); close() stops the hosts.

    ``prepare(versions)`` seeds (wsgi) or starts (http, hosts in parallel) every version at
    once; ``get`` of a version not prepared does it for that one.  ``transport_for`` is the
    transport a run context uses to reach one (None: plain HTTP).
    """

    def __init__(self, defects: Iterable[str] = (), processes: int = HOST_PROCESSES, transport: str = HTTP):
        if transport not in EMBEDDED_TRANSPORTS:
            raise ValueError(f"embedded transport {transport!r}: one of {', '.join(EMBEDDED_TRANSPORTS)}")
        self.defects = tuple(defects)
        self.processes = max(1, processes)
        self.transport = transport
        self._servers: dict[Version, Any] = {}
        self._hosts: list[_Host] = []
        self._lock = threading.Lock()

    def prepare(self, versions: Iterable[Version]) -> None:
        with self._lock:
            todo = [v for v in dict.fromkeys(versions) if v not in self._servers]
            if not todo:
                return
            from .server.root import full_catalog
            full_catalog().check_defects(self.defects)   # an unknown name: a ValueError here, in one line
            if self.transport == WSGI:
                for v in todo:
                    self._servers[v] = InProcessServer.seeded(v, self.defects)
                return
            groups = [todo[i::self.processes] for i in range(min(self.processes, len(todo)))]
            hosts = [_Host(g, self.defects) for g in groups]
            self._hosts += hosts
            for h in hosts:
                h.read()
                self._servers.update(h.servers)

    def get(self, version: Version) -> Any:
        """The version's ``RemoteServer`` (http) or ``InProcessServer`` (wsgi)."""
        self.prepare([version])
        return self._servers[version]

    def target(self, version: Version) -> Target:
        return target_for_server(self.get(version), name="reference-server")

    def transport_for(self, target: Target, version: Version) -> Any:
        """A ``WSGITransport`` into this process's server of ``version`` when ``target`` is
        the embedded server reached in-process; None when it goes over HTTP."""
        server = self._servers.get(version) if self.transport == WSGI and target.embedded else None
        if server is None or target.endpoint != server.url:
            return None
        from .transport import WSGITransport
        return WSGITransport(server.application(), target.transport)

    def to_worker(self) -> dict[str, Any] | None:
        """The in-process servers as data for xdist workers (None over HTTP: the workers
        reach the hosts by URL).  Holds secrets: in memory only, never written."""
        if self.transport != WSGI:
            return None
        with self._lock:
            return {"defects": list(self.defects), "servers": [s.to_worker() for s in self._servers.values()]}

    @classmethod
    def from_worker(cls, data: dict[str, Any]) -> "EmbeddedServers":
        """A worker's in-process servers: the planner's seeded databases, each made into
        this process's own server state on its first use."""
        servers = cls(data["defects"], transport=WSGI)
        for d in data["servers"]:
            s = InProcessServer.from_worker(d)
            servers._servers[s.version] = s
        return servers

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
            servers[i] = ReferenceServer(v, defects=defects, test_paths=True, request_log=False).start()
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
    from .allocator import keep_large_buffers
    keep_large_buffers()   # the hosts parse the same 5 MB uploads
    return _serve(args.versions, args.defect)


if __name__ == "__main__":
    sys.exit(main())
