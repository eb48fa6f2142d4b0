"""Run the boundary test of one limit against one target at one version.

The same engine as the cases: a request template filled in (templating), wrapped in an
envelope, sent through the run's transport (its rate limit and retries), parsed safely
(response), judged by pure code (oracles), kept as one masked ``CaseResult`` of kind
"boundary".  Two phases: the labelled edge scenarios, every one sent to every API of the
limit, then a Hypothesis search around the bound whose failures shrink to the smallest
input that still fails.  Whatever a test creates is deleted in ``finally`` blocks, so a
failing or interrupted test leaves nothing behind that the API could delete.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from lxml import etree

from .boundary_examples import ExampleStore, ExampleStoreError
from .boundary_inputs import Example, describe, edge_examples, label_for, placed, strategy
from .envelope import EnvelopeError, build_envelope
from .execute import RunContext
from .ledger import Ledger
from .limits import Call, Limit, LimitApi, Rule
from .masking import mask
from .namespaces import NS
from .oracles import NOT_APPLICABLE, Prediction, ReadingTracker, judge_example, predict
from .response import ResponseError, parse_response
from .results import CaseResult, StepRecord, mask_strings
from .templating import TemplateError, render, xml_escape
from .transport import EndpointUnreachable, TransportError
from .verdicts import Verdict

__all__ = ["SearchSettings", "Failure", "run_limit", "BoundaryAbort", "KEPT_FAILURES"]

KEPT_FAILURES = 5            # failing examples kept in full in a record
_CLIP = 2048                 # characters of a request/response a record keeps per side


@dataclass(frozen=True)
class SearchSettings:
    """How hard the search phase looks; from the Hypothesis profile (boundary_collect)."""
    max_examples: int = 10
    derandomize: bool = False
    seed: int | None = None
    database: Path | None = None     # None: no example database
    search: bool = True              # False: edge phase only
    edges: bool = True               # False: search phase only (proves the search finds every defect alone)
    full_edges: bool = False         # every scenario at every version (else the CORE ones inside a range)


@dataclass
class Failure:
    label: str
    phase: str
    api: str
    size: int | None
    bound: int | None
    example: str
    expected: str
    actual: str
    request: bytes = b""             # exactly what was sent (unmasked: only saved masked)
    step: StepRecord | None = None
    value: Any = None                # the input itself (boundary_repro saves it for replay)


class BoundaryAbort(Exception):
    """The endpoint went away or a setup step failed: the test cannot go on."""


@dataclass
class _Session:
    """One limit at one version on one target: the sender, its setup objects, its findings."""
    limit: Limit
    rule: Rule
    ctx: RunContext
    secrets: list[str]
    base: dict[str, str]
    tracker: ReadingTracker
    objects: dict[tuple, tuple[str, int]] = field(default_factory=dict)   # setup -> (object, api index)
    entries: dict[str, str] = field(default_factory=dict)     # object key -> its ledger entry
    pending: list[tuple[Call, str, str]] = field(default_factory=list)   # (delete, created, role)
    aborted: str | None = None
    templates: dict[int, bytes] = field(default_factory=dict)
    cleanup_errors: list[str] = field(default_factory=list)
    examples: int = 0
    edge_failures: list[Failure] = field(default_factory=list)
    # (api index, value) -> its failure or None: an input already answered in this item is
    # not sent again (a search draw at the bound repeats an edge scenario)
    answered: dict[tuple[int, Any], Failure | None] = field(default_factory=dict)
    _ledger: Ledger | None = None
    left: str | None = None          # the ledger entry of what no API can undo (``leaves``)

    # -- sending -------------------------------------------------------------------------

    def envelope(self, service: str, api: str, role: str, body: str) -> bytes:
        target = self.ctx.target
        access = target.sites["main"]
        cred = target.credential("main", role)
        return build_envelope(service, api, body, cred, access.site_name)

    def send(self, data: bytes, idempotent: bool):
        try:
            exchange = self.ctx.transport.send(self.ctx.target.endpoint, data, idempotent=idempotent)
        except EndpointUnreachable as exc:
            self.ctx.unreachable = " ".join(str(exc).split())[:300]
            raise BoundaryAbort(f"endpoint unreachable: {self.ctx.unreachable}") from None
        except TransportError as exc:
            raise BoundaryAbort(str(exc)) from None
        return exchange

    def plain(self, call: Call, role: str, extra: dict[str, str]) -> Any:
        """A setup, teardown or delete request; its answer must be SUCCESS."""
        body = render(call.body, {**self.base, **extra})
        data = self.envelope(call.service, call.name, role, body)
        exchange = self.send(data, idempotent=False)
        try:
            parsed = parse_response(exchange, max_bytes=self.ctx.target.transport.max_response_bytes)
        except ResponseError as exc:
            raise BoundaryAbort(f"{call.api}: {exc.reason}") from None
        if parsed.result != "SUCCESS":
            raise BoundaryAbort(f"{call.api} answered {parsed.result} {parsed.exception_id or ''} "
                                f"{parsed.reason or ''}".rstrip())
        return parsed

    def template(self, index: int, base: dict[str, str]) -> bytes:
        """The API's envelope with a marker where each input goes, built (and checked) once:
        an example is then one bytes replace, whatever its size.  Safe because what replaces
        a marker is XML text already (escaped characters, base64, dates, our item XML)."""
        if index not in self.templates:
            api = self.limit.apis[index]
            markers = {name: _marker(name).decode() for name in ("value", "start", "end")}
            body = render(api.body, {**base, **markers})
            self.templates[index] = self.envelope(api.service, api.name, api.role, body)
        return self.templates[index]

    def object_for(self, index: int) -> str | None:
        api = self.limit.apis[index]
        if api.setup is None:
            return None
        # APIs whose setup is the same request share its object (the two attendee APIs
        # register into one meeting): one create and one delete per item, not per API
        key = (api.setup.api, api.setup.body, api.role)
        if key not in self.objects:
            with self.critical(hold=True):   # the setup object's key is kept before a signal may stop us
                entry = self.record_create(api.setup.api, api.role)
                try:
                    parsed = self.plain(api.setup, api.role, {})
                except BoundaryAbort:
                    if self.ctx.unreachable:
                        self.record_answer_unknown(entry, api.setup.api)
                    else:
                        self.ledger.update(entry, "discarded", reason="the setup was refused: nothing was created")
                    raise
                found = parsed.root.xpath(api.setup.capture, namespaces=NS)
                value = _text_of(found)
                if not value:
                    raise BoundaryAbort(f"setup {api.setup.api}: nothing at {api.setup.capture}")
                self.objects[key] = (value, index)
                self.record_created(entry, api.teardown, value, api.role)
        return self.objects[key][0]

    def critical(self, hold: bool = False) -> Any:
        """Ctrl-C/SIGTERM deferred (``conformance.interrupts``) from a create until its key is
        kept, and through a delete: an interrupt then never leaves an object nobody knows."""
        interrupts = getattr(self.ctx, "interrupts", None)
        return interrupts.critical(hold) if interrupts is not None else contextlib.nullcontext()

    # -- the run's ledger (conformance.ledger): what this test may leave on the site ---------

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = getattr(self.ctx, "ledger", None) or Ledger()
        return self._ledger

    def record_create(self, api: str, role: str) -> str:
        """A create about to be sent, entered as pending: if the answer never arrives the
        run's leftovers still name it (by the run's tag in its name)."""
        t = self.ctx.target
        return self.ledger.open("pending", kind="create", what=_what(api), case=self.limit.test_id, step=api,
                                target=t.name, endpoint=t.endpoint, version=str(self.ctx.version), site="main",
                                role=role, tag=self.ctx.unique, created_at=None)

    def record_created(self, entry: str, delete: Call | None, key: str, role: str) -> None:
        """The create succeeded: its key and the request that deletes it (what the sweep
        and ``webex-conformance cleanup`` send if this test cannot)."""
        from .ledger import _now
        undo = None
        if delete is not None:
            name = "object" if "${object}" in delete.body else "created"
            undo = {"api": delete.api, "role": role, "site": "main",
                    "body": render(delete.body, {**self.base, name: xml_escape(key, quotes=False)})}
        self.ledger.update(entry, "created", key=key, undo=undo, created_at=_now())
        self.entries[key] = entry

    def record_answer_unknown(self, entry: str, api: str) -> None:
        self.ledger.update(entry, "pending", reason=f"{api} got no readable answer: whether it created anything "
                                                    f"is unknown; look for the run's tag {self.ctx.unique!r} in names")

    def teardown(self) -> None:
        """Delete what the examples created, then what setup made; never raises."""
        with self.critical():
            self._delete_pending()
            for obj, index in list(self.objects.values()):
                api = self.limit.apis[index]
                if api.teardown is not None:
                    self._quietly(api.teardown, {"object": obj}, role=api.role, entry=self.entries.get(obj))
            self.objects.clear()

    def _quietly(self, call: Call, extra: dict[str, str], role: str, entry: str | None = None) -> None:
        """A delete; its ledger entry is closed when it worked and marked failed (so the
        sweep and ``cleanup`` try again) when it did not."""
        why = None
        try:
            self.plain(call, role, {k: xml_escape(v, quotes=False) for k, v in extra.items()})
        except BoundaryAbort as exc:
            why = f"{call.api}: {exc}"
        except Exception as exc:  # cleanup must not hide the verdicts
            why = f"{call.api}: {type(exc).__name__}: {exc}"
        if why is not None:
            self.cleanup_errors.append(why)
        if entry is not None:
            if why is None:
                self.ledger.update(entry, "undone")
            else:
                self.ledger.update(entry, "failed", reason=why[:300])

    # -- one example ---------------------------------------------------------------------

    def try_example(self, index: int, ex: Example, prediction: Prediction | None = None
                    ) -> tuple[Prediction, list[Verdict], Failure | None]:
        seen_key = (index, ex.value)
        if seen_key in self.answered and prediction is not None:
            known = self.answered[seen_key]
            return prediction, [], dataclasses.replace(known, label=ex.label, phase=ex.phase) if known else None
        api = self.limit.apis[index]
        obj = self.object_for(index)
        base = self.base if obj is None else {**self.base, "object": xml_escape(obj, quotes=False)}
        prediction = prediction or predict(self.limit, self.ctx.judged_as, ex.value)
        try:
            data = self.template(index, base)
            for name, text in placed(self.limit, api, ex.value, base).items():
                data = data.replace(_marker(name), text)
        except (TemplateError, EnvelopeError) as exc:
            raise BoundaryAbort(f"{api.api}: cannot build the request: {exc}") from None
        with self.critical(hold=True):
            entry = self.record_create(api.api, api.role) if api.created else None
            try:
                exchange = self.send(data, idempotent=not api.writes)
            except BoundaryAbort:
                if entry is not None:
                    self.record_answer_unknown(entry, api.api)
                raise
            self.examples += 1
            label = ex.label
            try:
                parsed = parse_response(exchange, max_bytes=self.ctx.target.transport.max_response_bytes)
            except ResponseError as exc:
                if entry is not None:
                    self.record_answer_unknown(entry, api.api)
                verdicts = [Verdict(f"boundary:{label}", "fail", prediction.expected_text(), exc.reason)]
                return prediction, verdicts, self._failure(ex, api, prediction, verdicts, data, exchange)
            created = ""
            if entry is not None and parsed.result == "SUCCESS":
                created = _text_of(parsed.root.xpath(api.created, namespaces=NS))
            if entry is not None and not created:
                if parsed.result == "SUCCESS":
                    self.record_answer_unknown(entry, api.api)
                else:
                    self.ledger.update(entry, "discarded", reason="refused: nothing was created")
            elif entry is not None:
                self.record_created(entry, api.delete, created, api.role)
                if api.delete is not None:
                    self.pending.append((api.delete, created, api.role))
                    self._delete_pending()
            if api.leaves and parsed.result == "SUCCESS" and not self.ctx.target.embedded and not self.left:
                # nothing can undo it (UploadPMRImage): the leftovers say what the site keeps
                t = self.ctx.target
                cred = t.credential("main", api.role)
                self.left = self.ledger.open(
                    "changed", kind="change", what=api.leaves, key=getattr(cred, "webex_id", None) or api.role,
                    undo=None, reason=f"{api.api}: {api.leaves}", case=self.limit.test_id, step=api.api,
                    target=t.name, endpoint=t.endpoint, version=str(self.ctx.version), site="main", role=api.role,
                    tag=self.ctx.unique, created_at=None)
            if api.item and obj is not None and parsed.result == "SUCCESS" and obj in self.entries:
                # attendees go with their meeting: its entry says so
                self.ledger.update(self.entries[obj], "created", what=f"{_what(api.setup.api)} with attendees "
                                                                      "registered by the test")
        verdicts, seen = judge_example(prediction, parsed, label, api.accept_codes)
        self.tracker.observe(prediction, seen, f"{label} on {api.name}")
        failed = any(v.outcome == "fail" for v in verdicts)
        failure = self._failure(ex, api, prediction, verdicts, data, exchange) if failed else None
        self.answered[seen_key] = failure
        return prediction, verdicts, failure

    def _delete_pending(self) -> None:
        while self.pending:
            call, created, role = self.pending.pop()
            self._quietly(call, {"created": created}, role, entry=self.entries.get(created))

    def _failure(self, ex: Example, api: LimitApi, prediction: Prediction, verdicts: list[Verdict],
                 data: bytes, exchange: Any) -> Failure:
        first = next(v for v in verdicts if v.outcome == "fail")
        step = StepRecord(name=f"{ex.phase} {ex.label}", api=api.api, role=api.role, site="main",
                          request=_clip_text(data, self.secrets), response=_clip_text(exchange.body, self.secrets),
                          status=exchange.status, elapsed_ms=round(exchange.elapsed_ms, 2),
                          attempts=exchange.attempts, verdicts=verdicts)
        bound = prediction.bound if prediction.bound is not None else _nearest(self.limit.bounds(), prediction.size)
        return Failure(ex.label, ex.phase, api.api, prediction.size, bound,
                       describe(self.limit, ex.value), first.expected, first.actual, data, step, ex.value)


def _what(api: str) -> str:
    """What a create makes, for the ledger and the leftovers: meeting.CreateMeeting -> meeting."""
    name = api.split(".")[-1]
    for prefix in ("Create", "Register", "Upload", "Set"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    return " ".join(w.lower() for w in re.findall(r"[A-Z][a-z]*", name)) or name


def _nearest(bounds: tuple[int, ...], size: int | None) -> int | None:
    """The documented bound a size is closest to (labels at a version without the limit)."""
    if not bounds or size is None:
        return None
    return min(bounds, key=lambda b: abs(b - size))


def _marker(name: str) -> bytes:
    return f"WEBEXBOUNDARY{name.upper()}MARK".encode()


def _text_of(found: Any) -> str:
    if isinstance(found, list):
        if not found:
            return ""
        first = found[0]
        return "".join(first.itertext()).strip() if isinstance(first, etree._Element) else str(first).strip()
    return str(found).strip()


def _clip_text(data: bytes, secrets: list[str]) -> str:
    text = data.decode("utf-8", "replace")
    if len(text) > 2 * _CLIP:
        text = text[:_CLIP] + f"\n... [{len(text) - 2 * _CLIP} characters elided] ...\n" + text[-_CLIP:]
    return mask(text, secrets)


def _first_rule_version(limit: Limit) -> str:
    judged = [r for r in limit.rules if not r.not_applicable and not r.no_limit]
    from .versions import ALL_VERSIONS
    for v in ALL_VERSIONS:
        if any(v in r.versions for r in judged):
            return str(v)
    return str(ALL_VERSIONS[0])


# --- the two phases ---------------------------------------------------------------------------

def _at_range_end(limit: Limit, rule: Rule, version: Any) -> bool:
    """Whether ``version`` is the first or last of the versions ``rule`` covers: where a
    limit applied a version early or late shows, so every scenario is sent there."""
    from .versions import ALL_VERSIONS
    covered = [v for v in ALL_VERSIONS if v in rule.versions]
    return not covered or version in (covered[0], covered[-1])


def _interior_index(rule: Rule, version: Any) -> int:
    from .versions import ALL_VERSIONS
    covered = [v for v in ALL_VERSIONS if v in rule.versions]
    return covered.index(version) if version in covered else 0


def _sample(s: _Session) -> list[tuple[int, Example]]:
    """What an embedded server's version inside a range of versions with one rule is sent:
    both sides of the bound (the CORE scenarios) on one API, the API turning with the
    version, so the range's interior versions together send every API both sides; a
    costly input (a limit capped at one search example: 5 MB images) sends only its
    smallest scenario (the API answers at this version).
    The range's first and last versions, where a limit applied a version early or late
    shows, send everything."""
    core = edge_examples(s.limit, s.rule, full=False)
    turn = _interior_index(s.rule, s.ctx.judged_as)
    pairs = [(i, ex) for i in range(len(s.limit.apis)) for ex in core]
    if not pairs:
        return []
    if s.limit.max_examples is not None and s.limit.max_examples <= 1:
        # a costly input: the smallest scenario only (the 5 MB sizes go to the range's ends,
        # and to every version of any other site)
        every = edge_examples(s.limit, s.rule, full=True)
        smallest = min(every, key=lambda ex: predict(s.limit, s.ctx.judged_as, ex.value).size or 0)
        return [(turn % len(s.limit.apis), smallest)]
    index = turn % len(s.limit.apis)
    return [(index, ex) for ex in core]


def _edge(s: _Session, full: bool) -> list[Verdict]:
    if full:
        plan = [(i, ex) for ex in edge_examples(s.limit, s.rule, True) for i in range(len(s.limit.apis))]
    else:
        plan = _sample(s)
    for index, ex in plan:
        _pred, _verdicts, failure = s.try_example(index, ex)
        if failure is not None:
            s.edge_failures.append(failure)
    sent = len(plan)
    bad = len(s.edge_failures)
    what = "edge examples" if full else "edge examples (a version inside a range: a sample, see docs/BOUNDARIES.md)"
    return [Verdict("boundary:edge", "fail" if bad else "pass",
                    f"{sent} {what} answered as the notes require",
                    f"{bad} disagreed" if bad else "all agreed",
                    ", ".join(sorted({f.label for f in s.edge_failures}))[:300])]


def _probe(s: _Session, drawn: tuple[Any, ...], attempt: Callable[[int, Any], Failure | None],
           last: dict[str, Any], reject: Callable[[], None]) -> None:
    """One draw: every value of the step, on every API (the API is not searched: a defect
    of one API must not wait for the search to draw it)."""
    if s.aborted:
        reject()   # the endpoint is gone: draw nothing more
    for value in drawn:
        for index in range(len(s.limit.apis)):
            try:
                failure = attempt(index, value)
            except BoundaryAbort as exc:
                s.aborted = str(exc)
                reject()
            if failure is not None:
                last["failure"], last["drawn"] = failure, (index, value)
                raise AssertionError(f"{failure.label}: expected {failure.expected}, got {failure.actual}")


def _search(s: _Session, settings: SearchSettings, cap: int) -> tuple[list[Verdict], Failure | None, int]:
    """Saved failures first, then Hypothesis around the bound; returns the (shrunk) failure,
    if any, and the number of examples tried."""
    from hypothesis import HealthCheck, Phase, given, reject, seed as hseed, settings as hsettings
    from hypothesis.errors import HypothesisException

    store = ExampleStore(settings.database) if settings.database else None
    key = f"{s.limit.id}|{s.ctx.judged_as}|{s.ctx.target.name}"   # not the URL: an embedded port varies
    last: dict[str, Any] = {}
    tried = [0]

    def attempt(index: int, value: Any) -> Failure | None:
        tried[0] += 1
        prediction = predict(s.limit, s.ctx.judged_as, value)
        label = label_for(s.limit, prediction.bound or _nearest(s.limit.bounds(), prediction.size), value,
                          prediction.size)
        return s.try_example(index, Example(label, value, phase="search"), prediction)[2]

    try:
        saved = store.load(key, s.limit) if store else []
    except ExampleStoreError as exc:
        return [Verdict("boundary:database", "error", "a readable example database", str(exc))], None, 0
    for index, value in saved:
        failure = attempt(index, value)
        if failure is not None:
            return [Verdict("boundary:search", "fail", "the failures saved by an earlier run now pass",
                            f"{failure.label} ({failure.example}) on {failure.api} still fails: got {failure.actual}",
                            f"input size {failure.size}, bound {failure.bound}")], failure, tried[0]
        store.forget(key, s.limit, index, value)

    def probe(drawn: tuple[Any, ...]) -> None:   # short: Hypothesis hashes this source every run
        _probe(s, drawn, attempt, last, reject)

    phases = tuple(p for p in Phase if p != Phase.explain)
    test = given(strategy(s.limit, s.rule))(probe)
    # Hypothesis's own database is off in seeded runs: ExampleStore keeps the failures instead.
    test = hsettings(max_examples=cap, derandomize=settings.derandomize, database=None, deadline=None,
                     suppress_health_check=list(HealthCheck), phases=phases, report_multiple_bugs=False,
                     print_blob=False)(test)
    if settings.seed is not None and not settings.derandomize:
        test = hseed(settings.seed)(test)
    probe._hypothesis_internal_add_digest = key.encode()  # type: ignore[attr-defined]
    try:
        test()
    except AssertionError:
        pass
    except HypothesisException as exc:
        if s.aborted:
            raise BoundaryAbort(s.aborted) from None
        return [Verdict("boundary:search", "error", "a search run", f"{type(exc).__name__}: {exc}"[:300])], None, tried[0]
    if s.aborted:
        raise BoundaryAbort(s.aborted)
    failure = last.get("failure")
    if failure is None:
        return [Verdict("boundary:search", "pass", f"up to {cap} drawn examples answered as the notes require",
                        f"{tried[0]} agreed")], None, tried[0]
    if store is not None:
        store.save(key, s.limit, *last["drawn"])
    return [Verdict("boundary:search", "fail", "every drawn example answered as the notes require",
                    f"shrunk to {failure.label} ({failure.example}) on {failure.api}: got {failure.actual}",
                    f"input size {failure.size}, bound {failure.bound}")], failure, tried[0]


# --- the record -----------------------------------------------------------------------------

def run_limit(limit: Limit, ctx: RunContext, settings: SearchSettings, may_write: bool,
              on_failure: Callable[[Failure], str | None] | None = None) -> CaseResult:
    """Judge ``limit`` on ``ctx.target`` at ``ctx.version``; always a masked record, never raises.

    ``on_failure`` is called with each kept failure and may return the path of the request
    file it saved (boundary_repro).
    """
    started = time.perf_counter()
    rule = limit.rule_for(ctx.judged_as)
    result = CaseResult(
        case_id=limit.test_id, title=limit.title, introduced=_first_rule_version(limit),
        source=rule.source if rule else limit.source, apis=[a.name for a in limit.apis], kind="boundary",
        target=ctx.target.name, endpoint=ctx.target.endpoint, version=str(ctx.version), outcome="pass",
        started_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    secrets = ctx.target.secrets()
    # scenario NONE / phase edge until an example runs (results.schema.json wants both set)
    info: dict[str, Any] = {"limit": limit.id, "scenario": "NONE", "phase": "edge", "unit": limit.unit,
                            "bound": rule.max if rule else None, "inclusive": limit.inclusive,
                            "input_size": None, "example": None, "reading": None,
                            "seed": None if settings.derandomize else settings.seed,
                            "examples": 0, "failures": []}
    result.boundary = info
    try:
        _run(limit, rule, ctx, settings, may_write, secrets, result, info, on_failure)
    except Exception as exc:  # a bug of ours costs one record, not the run
        result.outcome, result.reason = "error", f"internal error in webex-conformance: {type(exc).__name__}: {exc}"
        result.error_kind = "internal"
    result.duration_ms = round((time.perf_counter() - started) * 1000, 2)
    return CaseResult.from_dict(mask_strings(result.to_dict(), secrets))


def _run(limit: Limit, rule: Rule | None, ctx: RunContext, settings: SearchSettings, may_write: bool,
         secrets: list[str], result: CaseResult, info: dict[str, Any],
         on_failure: Callable[[Failure], str | None] | None) -> None:
    if rule is None or rule.not_applicable:
        result.outcome = "not-applicable"
        result.reason = rule.not_applicable if rule else f"no rule covers {ctx.version}"
        return
    if limit.writes and not may_write:
        result.outcome = "skip"
        result.reason = ("writes to the site (creates or changes objects): run with --allow-writes "
                         "to let boundary tests write to a site other than the embedded server")
        return
    missing = [a.role for a in limit.apis if ctx.target.credential("main", a.role) is None]
    if missing:
        result.outcome = "error" if ctx.target.embedded else "skip"
        result.reason = f"requires a {missing[0]} credential on the main site"
        return
    if ctx.unreachable:
        result.outcome, result.reason, result.error_kind = "error", f"endpoint unreachable (not tried again): {ctx.unreachable}", "unreachable"
        return
    base = {**{k: xml_escape(v, quotes=False) for k, v in ctx.target.values.items()},
            **ctx.runner_values()}
    s = _Session(limit, rule, ctx, secrets, base, ReadingTracker(limit.unit))
    verdicts: list[Verdict] = []
    shrunk: Failure | None = None
    cap = min(settings.max_examples, limit.max_examples or settings.max_examples)
    try:
        # A site other than the embedded server is one endpoint at one version: it gets
        # everything.  The embedded matrix samples the versions inside a range (_sample).
        full = (settings.full_edges or not ctx.target.embedded or not settings.edges
                or _at_range_end(limit, rule, ctx.judged_as))
        info["edge_set"] = "full" if full else "sample"
        if settings.edges:
            verdicts += _edge(s, full)
        info["phase"] = "edge"
        if settings.edges:
            # the edge phase sent the step at the bound in every kind of content already: the
            # search needs fewer draws to look between them (alone, it gets the whole cap)
            cap = max(1, cap // 2)
        if rule.no_limit:
            cap = min(cap, 1)   # nothing to search around: one draw at each later bound's step
        if settings.search and cap > 0 and full:
            found, shrunk, _n = _search(s, settings, cap)
            verdicts += found
            info["phase"] = "search"
    except BoundaryAbort as exc:
        result.outcome, result.reason = "error", str(exc)
        result.error_kind = "unreachable" if ctx.unreachable else "response"
    finally:
        s.teardown()
    if not s.tracker.consistent:
        verdicts.append(Verdict("reading", "fail", "one reading of the unit that explains every answer",
                                "no reading explains them all: " + "; ".join(s.tracker.decided_by)[:250]))
    if s.cleanup_errors:
        verdicts.append(Verdict("cleanup", "error", "every object the test created deleted",
                                "; ".join(s.cleanup_errors)[:300]))
    info["examples"] = s.examples
    info["reading"] = s.tracker.reading()
    failures = ([shrunk] if shrunk and shrunk not in s.edge_failures else []) + s.edge_failures
    kept = failures[:KEPT_FAILURES]
    result.steps = [StepRecord(name="summary", api=", ".join(a.api for a in limit.apis), role="-", site="main",
                               request="", response="", verdicts=verdicts)]
    result.steps += [f.step for f in kept if f.step is not None]
    for f in kept:
        saved = on_failure(f) if on_failure else None
        info["failures"].append({"scenario": f.label, "phase": f.phase, "api": f.api, "input_size": f.size,
                                 "bound": f.bound, "example": f.example, "expected": f.expected,
                                 "actual": f.actual, "request_file": saved})
    if result.outcome == "error":
        return
    lead = failures[0] if failures else None
    if lead is not None:
        info.update(scenario=lead.label, phase=lead.phase, input_size=lead.size, example=lead.example)
        result.outcome = "fail"
        result.reason = (f"{lead.label} ({lead.phase}, size {lead.size}, bound {lead.bound}) on {lead.api}: "
                         f"expected {lead.expected}, got {lead.actual}")[:300]
    elif any(v.check == "reading" and v.outcome == "fail" for v in verdicts):
        result.outcome = "fail"
        result.reason = next(v for v in verdicts if v.check == "reading").actual
    elif any(v.outcome == "error" for v in verdicts):
        result.outcome = "error"
        result.reason = next(v for v in verdicts if v.outcome == "error").actual
    else:
        info["scenario"] = "ALL"
        result.reason = ""
