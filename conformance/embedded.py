"""The embedded default target: reference servers on loopback, one per emulated version.

Turns a running ``ReferenceServer`` into the same ``Target`` a real site's configuration
gives, so the engine cannot tell (and need not care) which one it is judging.
"""
from __future__ import annotations

import threading
from typing import Iterable

from .cases import FIXTURES, ROLE_USER
from .config import Credential, SiteAccess, Target, TransportSettings
from .versions import Version

EMBEDDED_TRANSPORT = TransportSettings(connect_timeout=5.0, read_timeout=30.0, retries=2, backoff=0.1,
                                       rate_limit=None, verify_tls=True,
                                       max_response_bytes=8 * 1024 * 1024)


def target_for_server(server, name: str | None = None) -> Target:
    """The Target of a running ``conformance.server.serve.ReferenceServer``."""
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


class EmbeddedServers:
    """Starts a reference server per version on first use; stops them all on close()."""

    def __init__(self, defects: Iterable[str] = ()):
        self.defects = tuple(defects)
        self._servers: dict[Version, object] = {}
        self._lock = threading.Lock()

    def get(self, version: Version):
        from .server.serve import ReferenceServer

        with self._lock:
            srv = self._servers.get(version)
            if srv is None:
                srv = ReferenceServer(version, defects=self.defects, test_paths=True).start()
                self._servers[version] = srv
            return srv

    def target(self, version: Version) -> Target:
        return target_for_server(self.get(version), name="reference-server")

    def close(self) -> None:
        with self._lock:
            for srv in self._servers.values():
                srv.stop()
            self._servers.clear()

    def __enter__(self) -> "EmbeddedServers":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
