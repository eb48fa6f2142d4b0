"""Serve the reference server over real HTTP on loopback.

The stdlib's ``wsgiref`` server with ``ThreadingMixIn``: no extra dependency, one thread
per connection (the suite under pytest-xdist makes concurrent requests), and Nagle's
algorithm off so a keep-alive client is not delayed ~40 ms per request.
"""
from __future__ import annotations

import socketserver
import threading
from typing import Any, Iterable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from ..versions import Version, documented, LATEST
from .app import OUTBOX_PATH, SERVICE_PATH, XMLServiceApp
from .defects import check_names
from .state import State, create_and_seed


class _Handler(WSGIRequestHandler):
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class ReferenceServer:
    """``with ReferenceServer("42.6.0") as srv: srv.url`` — a live server on loopback."""

    def __init__(self, version: str | Version = LATEST, defects: Iterable[str] = (), db: str | None = None,
                 host: str = "127.0.0.1", port: int = 0, test_paths: bool = False,
                 site_overrides: dict[str, dict[str, Any]] | None = None):
        self.version = documented(version)
        self.defects = check_names(list(defects))
        self.state = State(db or ":memory:")
        self.seed = create_and_seed(self.state, site_overrides=site_overrides)
        self.app = XMLServiceApp(self.state, self.version, self.defects, test_paths=test_paths)
        self.host, self.port = host, port
        self.test_paths = test_paths
        self._httpd: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "ReferenceServer":
        self._httpd = make_server(self.host, self.port, self.app, server_class=_ThreadingWSGIServer,
                                  handler_class=_Handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name=f"reference-server-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "ReferenceServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + SERVICE_PATH

    @property
    def outbox_url(self) -> str | None:
        return self.base_url + OUTBOX_PATH if self.test_paths else None

    @property
    def info(self) -> dict[str, Any]:
        """What ``webex-conformance serve`` prints first: enough for any client to log in."""
        acc = self.seed["accounts"]
        return {
            "url": self.url,
            "siteName": self.seed["sites"]["main"]["siteName"],
            "apiVersion": str(self.version),
            "accounts": {"admin": acc["admin"], "host": acc["host"], "attendee": acc["attendee"]},
            "accessToken": self.seed["token"],
            "sites": self.seed["sites"],
            "outbox": self.outbox_url,
            "defects": sorted(self.defects),
        }

    @property
    def values(self) -> dict[str, str]:
        """Placeholder values for case bodies (docs/CASES.md), as a real site's config would give."""
        v: dict[str, str] = {}
        main = self.seed["sites"]["main"]
        v["site.name"] = main["siteName"]
        v["site.id"] = main["siteID"]
        v["site.partnerID"] = main["partnerID"]
        for role, key in (("admin", "admin"), ("host", "host"), ("host2", "host2"), ("attendee", "attendee")):
            wid = self.seed["accounts"][role]["webExID"]
            v[f"users.{key}.webExID"] = wid
            v[f"users.{key}.email"] = f"{wid}@{main['siteName']}.example.com"
        if self.outbox_url:
            v["mail.url"] = self.outbox_url
        v.update({k: str(x) for k, x in self.seed["values"].items()})
        return v
