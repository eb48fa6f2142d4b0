"""The shared schedule, Retry-After, the circuit breaker, the write cap and the write refusal."""
from __future__ import annotations

import email.utils
import multiprocessing
import time
from dataclasses import dataclass, field

import pytest

from conformance.config import TransportSettings
from conformance.envelope import build_envelope
from conformance.retry_after import retry_after_seconds
from conformance.safety_settings import SafetySettings
from conformance.site_guard import (CircuitOpen, GuardedTransport, SharedState, WriteRefused, api_of,
                                    reserve_writes)
from conformance.transport import EndpointUnreachable, Exchange, Transport, TransportError

URL = "https://site.example/WBXService/XMLService"


def envelope(api: str) -> bytes:
    service, name = api.split(".")
    return build_envelope(service, name, "", None, "site")


@dataclass
class FakeInner:
    """A transport that answers from a script: statuses (with headers) or exceptions."""
    script: list
    settings: TransportSettings = field(default_factory=lambda: TransportSettings(backoff=0.01))
    sent: list = field(default_factory=list)
    retry_status_always: frozenset = frozenset({429})

    def send(self, url, data, idempotent):
        self.sent.append(api_of(data))
        item = self.script.pop(0) if self.script else 200
        if isinstance(item, Exception):
            raise item
        status, headers = item if isinstance(item, tuple) else (item, {})
        return Exchange(url, data, status, "", headers, b"<x/>")

    def close(self):
        pass


class Clock:
    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self):
        return self.now

    def sleep(self, s):
        self.slept.append(round(s, 3))
        self.now += s


def guarded(script, state=None, rate=None, safety=SafetySettings(), writes=True, clock=None):
    clock = clock or Clock()
    inner = FakeInner(list(script))
    g = GuardedTransport(inner, state or SharedState(), URL, rate, safety, writes, sleep=clock.sleep, clock=clock)
    return g, inner, clock


def test_retry_after_seconds_and_http_date():
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) == 0.0 and retry_after_seconds("soon") == 0.0
    now = time.time()
    when = email.utils.formatdate(now + 30, usegmt=True)
    assert 28 <= retry_after_seconds(when, now=now) <= 31
    assert retry_after_seconds(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0


def test_api_of_reads_the_body_type():
    assert api_of(envelope("meeting.CreateMeeting")) == "meeting.CreateMeeting"
    assert api_of(b"<nothing/>") == ""


def test_the_global_rate_and_a_per_api_rate():
    g, inner, clock = guarded([200] * 6, rate=2.0, safety=SafetySettings(api_rate_limits={"GetSite": 0.5}))
    for _ in range(3):
        g.send(URL, envelope("ep.GetAPIVersion"), True)
    assert clock.slept == [0.5, 0.5]                      # 2 per second
    clock.slept.clear()
    g.send(URL, envelope("site.GetSite"), True)
    g.send(URL, envelope("site.GetSite"), True)
    assert clock.slept == [0.5, 2.0]                      # GetSite: one each 2 s


def test_429_pauses_for_retry_after_as_seconds_or_date():
    date = email.utils.formatdate(time.time() + 10, usegmt=True)
    g, inner, clock = guarded([(429, {"retry-after": "3"}), (429, {"retry-after": date}), 200])
    ex = g.send(URL, envelope("ep.GetAPIVersion"), True)
    assert ex.status == 200 and len(inner.sent) == 3
    assert clock.slept[0] == 3.0 and 8.5 <= clock.slept[1] <= 10.5
    assert inner.retry_status_always == frozenset()        # 429 is ours, not retried inside


def test_429_retry_after_is_capped():
    g, inner, clock = guarded([(429, {"retry-after": "9999"}), 200], safety=SafetySettings(max_retry_after=5))
    g.send(URL, envelope("ep.GetAPIVersion"), True)
    assert clock.slept == [5.0]


def test_the_breaker_opens_after_n_consecutive_failures_and_stays_open():
    script = [503, EndpointUnreachable(URL, "connection refused"), 200, 500, 502, 200, 503, 504, 500, 200]
    g, inner, _ = guarded(script, safety=SafetySettings(breaker_threshold=3))
    for item in script[:9]:
        if isinstance(item, Exception):
            with pytest.raises(EndpointUnreachable):
                g.send(URL, envelope("ep.GetAPIVersion"), True)
        else:
            g.send(URL, envelope("ep.GetAPIVersion"), True)   # a good answer resets the count
    with pytest.raises(CircuitOpen, match=r"circuit breaker open: 3 consecutive .*\(last: HTTP 500\)"):
        g.send(URL, envelope("ep.GetAPIVersion"), True)
    assert len(inner.sent) == 9                               # nothing sent once open


def test_writes_are_refused_before_sending_when_not_allowed():
    g, inner, _ = guarded([200], writes=False)
    with pytest.raises(WriteRefused, match="meeting.CreateMeeting"):
        g.send(URL, envelope("meeting.CreateMeeting"), False)
    g.send(URL, envelope("ep.GetAPIVersion"), True)
    assert inner.sent == ["ep.GetAPIVersion"]
    assert isinstance(WriteRefused("x"), TransportError)


def test_the_write_cap_is_reserved_per_case(tmp_path):
    state = SharedState(tmp_path / "s.json")
    assert reserve_writes(state, URL, 3, 5) is None
    assert "--max-writes 5" in reserve_writes(state, URL, 3, 5)
    assert reserve_writes(state, URL, 2, 5) is None
    assert reserve_writes(state, URL, 100, None) is None


def _worker(path, n, out):
    state = SharedState(path)
    starts = []
    inner = FakeInner([200] * n)
    g = GuardedTransport(inner, state, URL, 20.0, SafetySettings(), True)
    for _ in range(n):
        g.send(URL, envelope("ep.GetAPIVersion"), True)
        starts.append(time.monotonic())
    out.put(starts)


def test_processes_share_one_schedule(tmp_path):
    """Two processes at a shared 20/s: together, not each, at most ~20 requests a second."""
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(tmp_path / "state.json", 10, out)) for _ in range(2)]
    for p in procs:
        p.start()
    starts = sorted(out.get(timeout=30) + out.get(timeout=30))
    for p in procs:
        p.join(timeout=10)
    assert len(starts) == 20
    # shared: 20 starts need 19 intervals of 50 ms; each process on its own would take 9
    assert starts[-1] - starts[0] >= 19 * 0.05 * 0.9


def test_a_real_transport_hands_429_to_the_guard():
    t = Transport(TransportSettings())
    GuardedTransport(t, SharedState(), URL, None, SafetySettings(), True)
    assert 429 not in t.retry_status_always
    t.close()
