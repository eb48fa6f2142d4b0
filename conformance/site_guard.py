"""Respect the site: one request rate for the whole run, per-API rates, Retry-After, a circuit
breaker and a cap on writes, all shared by every pytest-xdist worker.

A site sees the run, not a worker: N workers each pacing themselves at the configured
rate would send N times too much, and one worker told to back off (HTTP 429) must hold
the others back too.  So the schedule lives in one small JSON file that every process
reads and updates under an exclusive ``fcntl`` lock (a process-local lock when there is
no file, e.g. ``replay``).  ``GuardedTransport`` wraps the transport with the same
``send``: it waits for its slot, honours Retry-After (seconds or an HTTP date), counts
consecutive connection errors and 5xx answers and, past the threshold, refuses every
further request so the run stops instead of hammering a dead site.  It also refuses to
send a write when writes are not allowed: the last line of defence behind the skip.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from .retry_after import retry_after_seconds
from .safety_settings import SafetySettings
from .transport import EndpointUnreachable, Exchange, TransportError
from .write_guard import classify

__all__ = ["SharedState", "GuardedTransport", "CircuitOpen", "WriteRefused", "retry_after_seconds",
           "api_of", "reserve_writes", "breaker_state", "RETRIES_429"]

RETRIES_429 = 4
_API = re.compile(rb"java:com\.webex\.service\.binding\.([A-Za-z]+)\.([A-Za-z0-9_]+)")


class CircuitOpen(EndpointUnreachable):
    """The breaker is open: too many consecutive connection errors or 5xx answers."""

    def __init__(self, url: str, reason: str):
        super().__init__(url, f"circuit breaker open: {reason}; no further requests are sent")


class WriteRefused(TransportError):
    """A write request on a target that may not be written to: never sent."""


def api_of(data: bytes) -> str:
    """service.Api of a request envelope (from its bodyContent type), or "" if none."""
    m = _API.search(data[:4096]) or _API.search(data)
    return f"{m[1].decode()}.{m[2].decode()}" if m else ""


class SharedState:
    """A JSON document updated atomically by every process of a run (fcntl lock on the file)."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self._memory: dict[str, Any] = {}

    @contextlib.contextmanager
    def update(self) -> Iterator[dict[str, Any]]:
        with self._lock:
            if self.path is None:
                yield self._memory
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                raw = b""
                while chunk := os.read(fd, 65536):
                    raw += chunk
                try:
                    doc = json.loads(raw) if raw.strip() else {}
                except ValueError:
                    doc = {}
                yield doc
                data = json.dumps(doc).encode()
                os.lseek(fd, 0, os.SEEK_SET)
                os.ftruncate(fd, 0)
                os.write(fd, data)
            finally:
                os.close(fd)  # releases the lock

    def read(self) -> dict[str, Any]:
        with self.update() as doc:
            return json.loads(json.dumps(doc))


def reserve_writes(state: SharedState, scope: str, count: int, cap: int | None) -> str | None:
    """Reserve ``count`` case writes under the run's cap; the refusal reason, or None."""
    if count <= 0:
        return None
    with state.update() as doc:
        used = doc.setdefault("writes", {}).get(scope, 0)
        if cap is not None and used + count > cap:
            return (f"the run's cap on writes is reached (--max-writes {cap}): {used} made, "
                    f"this case would make {count} more")
        doc["writes"][scope] = used + count
    return None


def breaker_state(state: SharedState, scope: str) -> str | None:
    """Why the breaker of ``scope`` opened, or None while it is closed."""
    return state.read().get("breaker", {}).get(scope, {}).get("open")


@dataclass
class GuardedTransport:
    """The transport's ``send`` behind the shared schedule, Retry-After, the breaker and the
    write refusal (see the module docstring).  ``scope`` names the site (its endpoint)."""

    inner: Any                      # conformance.transport.Transport
    state: SharedState
    scope: str
    rate: float | None              # requests per second for the whole run; None: unlimited
    safety: SafetySettings
    writes_allowed: bool
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        # 429 comes back to us (not retried inside) so that every worker pauses for it.
        self.inner.retry_status_always = frozenset()

    @property
    def settings(self):
        return self.inner.settings

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> "GuardedTransport":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait_turn(self, api: str) -> None:
        name = api.split(".")[-1]
        api_rate = self.safety.api_rate_limits.get(name)
        with self.state.update() as doc:
            now = self.clock()
            sched = doc.setdefault("schedule", {}).setdefault(self.scope, {})
            start = max(now, sched.get("next", 0.0), sched.get("pause_until", 0.0),
                        sched.get("api", {}).get(name, 0.0))
            if self.rate:
                sched["next"] = start + 1.0 / self.rate
            if api_rate:
                sched.setdefault("api", {})[name] = start + 1.0 / api_rate
        if start > now:
            self.sleep(start - now)

    def _pause(self, seconds: float) -> None:
        with self.state.update() as doc:
            sched = doc.setdefault("schedule", {}).setdefault(self.scope, {})
            sched["pause_until"] = max(sched.get("pause_until", 0.0), self.clock() + seconds)

    def _note(self, failure: str | None) -> None:
        with self.state.update() as doc:
            b = doc.setdefault("breaker", {}).setdefault(self.scope, {"failures": 0})
            if failure is None:
                if not b.get("open"):
                    b["failures"] = 0
                return
            b["failures"] = b.get("failures", 0) + 1
            b["last"] = failure
            if b["failures"] >= self.safety.breaker_threshold and not b.get("open"):
                b["open"] = (f"{b['failures']} consecutive connection errors or 5xx answers "
                             f"(last: {failure})")

    def send(self, url: str, data: bytes, idempotent: bool) -> Exchange:
        api = api_of(bytes(data)) if isinstance(data, (bytes, bytearray)) else ""
        if not self.writes_allowed and classify(api or "Unknown") != "read":
            raise WriteRefused(f"refused to send {api or 'an unidentified request'}: writes to this "
                               f"site are not allowed (--allow-writes)")
        for attempt in range(RETRIES_429 + 1):
            why = breaker_state(self.state, self.scope)
            if why:
                raise CircuitOpen(url, why)
            self._wait_turn(api)
            try:
                ex = self.inner.send(url, data, idempotent)
            except TransportError as exc:
                self._note(" ".join(str(exc).split())[:160])
                raise
            if ex.status >= 500:
                self._note(f"HTTP {ex.status}")
            else:
                self._note(None)
            if ex.status != 429 or attempt == RETRIES_429:
                return ex
            wait = retry_after_seconds(ex.headers.get("retry-after")) or self.inner.settings.backoff * 2 ** attempt
            self._pause(min(wait, self.safety.max_retry_after))
        return ex  # pragma: no cover  (the loop always returns)
