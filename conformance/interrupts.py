"""Ctrl-C and SIGTERM stop the run, but never between a create and the recording of its key.

An interrupt that lands while a request is in flight would leave an object on the site
whose key nobody knows.  While a step is in its critical section (sent, answered, its
key entered in the ledger) the signal is only noted; it is raised as KeyboardInterrupt
as soon as the section ends, so the case's ``finally`` deletes what it made.  SIGTERM
(CI cancelling a job) is turned into the same KeyboardInterrupt, so pytest ends the run
the way it ends on Ctrl-C: cleanup, sweep, reports.
"""
from __future__ import annotations

import contextlib
import signal
import threading
from typing import Any, Iterator

__all__ = ["DeferredInterrupt"]


class DeferredInterrupt:
    """Installs SIGINT/SIGTERM handlers (main thread only); ``critical()`` defers them."""

    def __init__(self) -> None:
        self.depth = 0
        self.holding = 0      # sections that even a second signal may not cut short
        self.pending: int | None = None
        self.previous: dict[int, Any] = {}

    def install(self) -> "DeferredInterrupt":
        if threading.current_thread() is not threading.main_thread():
            return self
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                self.previous[sig] = signal.signal(sig, self._handle)
            except (ValueError, OSError):
                pass
        return self

    def uninstall(self) -> None:
        for sig, handler in self.previous.items():
            try:
                signal.signal(sig, handler)
            except (ValueError, OSError, TypeError):
                pass
        self.previous.clear()

    def _handle(self, signum: int, _frame: Any) -> None:
        if self.holding > 0 or (self.depth > 0 and self.pending is None):
            self.pending = signum
            return
        raise KeyboardInterrupt(f"signal {signum}")

    @contextlib.contextmanager
    def critical(self, hold: bool = False) -> Iterator[None]:
        """Defer signals until the section ends.  A second signal abandons an ordinary
        section (a cleanup that hangs); a ``hold`` section (one request and the recording of
        its answer, bounded by the transport's timeout) defers every signal: xdist's
        controller signals its workers again while shutting down, and a create cut off
        there would leave an object whose key nobody knows."""
        self.depth += 1
        self.holding += hold
        try:
            yield
        finally:
            self.depth -= 1
            self.holding -= hold
            if self.depth == 0 and self.pending is not None:
                signum, self.pending = self.pending, None
                raise KeyboardInterrupt(f"signal {signum}")
