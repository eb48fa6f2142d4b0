"""Run one case against one target: the steps, in order, each built, sent, parsed, judged.

This is the only stage that combines I/O (transport, the mail sink) with judging, and it
keeps them apart: the transport sends, ``verdicts.judge`` decides.  Every failure of a
step becomes a verdict or a one-line reason in the result; nothing escapes as a
traceback, no result is lost, and the whole record is masked before it leaves.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import secrets as _secrets
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from lxml import etree

from .case_undo import CaseUndo, refusal as write_refusal
from .cases import RUNNER_VALUES, SITE_FIXTURES, Case, Step
from .config import Target
from .envelope import EnvelopeError, build_envelope
from .errors import Unreachable, one_line
from .masking import masker
from .namespaces import NS
from .response import ResponseError, parse_response
from .results import CaseResult, StepRecord
from .templating import TemplateError, XMLEscaped, placeholder_names, render
from .transport import EndpointUnreachable, Transport, TransportError
from .verdicts import Verdict, drift_of, judge, judge_error, outcome_of
from .versions import Version, documented_at_or_below

__all__ = ["RunContext", "context_for", "run_case", "UNREACHABLE"]

UNREACHABLE = "endpoint unreachable"
RECORD_HEAD = 48 * 1024
RECORD_TAIL = 4 * 1024


@dataclass
class RunContext:
    """What a run shares across cases against one target at one version."""

    target: Target
    version: Version
    transport: Transport
    bundle_loader: Callable[[], Any] | None = None   # -> SchemaBundle (lazy: compile once)
    mail_reader: Callable[[str], list[dict]] | None = None
    unique: str = field(default_factory=lambda: _secrets.token_hex(4))
    unreachable: str | None = None   # once the endpoint is gone, later cases do not retry it
    # write safety (conformance.write_guard / case_undo / site_guard): may the target be
    # written to, the run's ledger of what was written, the state shared across workers
    writes: Any = None
    ledger: Any = None
    site_state: Any = None
    interrupts: Any = None           # conformance.interrupts.DeferredInterrupt, if installed
    _bundle: Any = None
    _bundle_error: str | None = None

    def runner_values(self) -> dict[str, str]:
        """The placeholders the runner fills in (``cases.RUNNER_VALUES``).  ``run.number``
        is a nine-digit key no site is likely to have, different in every run: a case that
        needs an unknown session key must not meet a key an earlier run already used."""
        digest = hashlib.sha256(self.unique.encode()).digest()
        number = 900_000_000 + int.from_bytes(digest[:8], "big") % 100_000_000
        return {"target.version": str(self.version), "run.unique": self.unique, "run.number": str(number)}

    @property
    def judged_as(self) -> Version:
        """A version newer than the notes is judged by the newest documented rules."""
        return documented_at_or_below(self.version)

    def bundle(self):
        if self._bundle is None and self._bundle_error is None and self.bundle_loader is not None:
            try:
                self._bundle = self.bundle_loader()
            except Exception as exc:  # a broken bundle is reported on every case, not raised
                self._bundle_error = f"schema bundle could not be loaded: {str(exc).splitlines()[0]}"
        return self._bundle


def context_for(target: Target, version: Version, transport: Any = None) -> RunContext:
    """The usual context: a transport with the target's settings (or ``transport``, e.g. a
    ``WSGITransport`` into the embedded server), and its schema bundle."""
    from .schemas import bundle_for
    return RunContext(target, version, transport if transport is not None else Transport(target.transport),
                      bundle_loader=lambda: bundle_for(version, target.schema_dir))


def _read_mails(transport: Transport, url: str) -> list[dict]:
    """The mail sink's messages, fetched like the requests (the target's proxies and TLS)."""
    exchange = transport.get(url)
    if exchange.status != 200:
        raise ValueError(f"the mail sink answered HTTP {exchange.status} {exchange.reason}".rstrip())
    data = json.loads(exchange.body)
    if not isinstance(data, list):
        raise ValueError("the mail sink did not answer with a JSON list")
    return data


def _cannot_run(case: Case, target: Target, version: Version) -> tuple[str, str] | None:
    """(outcome, reason) when ``target`` lacks what ``case`` needs, else None.

    A real site that does not provide a fixture, a site, a credential or a value skips
    the case with its name.  The embedded server provides everything, so there a gap is
    an error in the project, never a quiet skip.
    """
    outcome = "error" if target.embedded else "skip"
    for name in case.requires_at(version):
        if name not in target.provides:
            return outcome, f"requires fixture {name!r}"
    captured: set[str] = set()
    for step in case.steps_at(version):  # a step that does not run here needs nothing
        if step.site != "main" and step.site not in target.sites:
            return outcome, f"requires fixture {SITE_FIXTURES[step.site]!r}"
        if step.role == "access-token" and "access-token" not in target.provides:
            return outcome, "requires fixture 'access-token'"
        if step.role != "anonymous" and target.credential(step.site, step.role) is None:
            return outcome, f"requires a {step.role} credential on the {step.site} site"
        for _field, text in step.templated_fields():
            for name in placeholder_names(text):
                if name not in target.values and name not in captured and name not in RUNNER_VALUES and name != "n":
                    return outcome, f"needs the value {name!r} (set it under [target.values])"
        captured.update(var for var, _ in step.capture)
    return None


def _xpath_value(root: etree._Element, xpath: str) -> str:
    result = root.xpath(xpath, namespaces=NS)
    if isinstance(result, list):
        if not result:
            return ""
        first = result[0]
        if isinstance(first, etree._Element):
            return "".join(first.itertext()).strip()
        return str(first)
    if isinstance(result, float) and result.is_integer():
        return str(int(result))
    return str(result)


def run_case(case: Case, ctx: RunContext) -> CaseResult:
    """Judge ``case`` on ``ctx.target``; always returns a (masked) result, never raises."""
    started = time.perf_counter()
    result = CaseResult(
        case_id=case.id, title=case.title, introduced=str(case.introduced), source=case.source,
        apis=list(case.apis), kind=case.kind, target=ctx.target.name, endpoint=ctx.target.endpoint,
        version=str(ctx.version), outcome="pass",
        started_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    )
    secrets = ctx.target.secrets()
    try:
        outcome, reason = _run(case, ctx, result, secrets)
    except Exception as exc:  # a bug of ours must cost one result, not the run
        outcome, reason = "error", f"internal error in webex-conformance: {type(exc).__name__}: {one_line(str(exc))}"
    result.outcome, result.reason = outcome, reason
    result.duration_ms = round((time.perf_counter() - started) * 1000, 2)
    # Masked once, here, with one compiled pattern for the target's secrets: every writer
    # (results.json, JUnit, HTML, pytest output) takes the record as it is.
    return CaseResult.from_dict(masker(secrets).strings(result.to_dict(), keys=False))


def _run(case: Case, ctx: RunContext, result: CaseResult, secrets: list[str]) -> tuple[str, str]:
    version = ctx.judged_as
    if case.not_observable:
        return "not-applicable", f"not observable over the API: {case.not_observable}"
    if not case.applies_to(version):
        return "not-applicable", case.not_applicable_reason(version)
    gap = _cannot_run(case, ctx.target, version)
    if gap:
        outcome, why = gap
        return outcome, f"{why}, which target {ctx.target.name!r} does not provide"
    if ctx.unreachable:
        result.error_kind = Unreachable.kind
        return "error", f"{UNREACHABLE} (not tried again): {ctx.unreachable}"
    refused = write_refusal(case, ctx)
    if refused:
        return "skip", refused
    undo = CaseUndo(case, ctx)
    try:
        return _run_steps(case, ctx, result, secrets, undo)
    finally:
        undo.finish()


def _run_steps(case: Case, ctx: RunContext, result: CaseResult, secrets: list[str], undo: CaseUndo) -> tuple[str, str]:
    version = ctx.judged_as
    variables: dict[str, str] = dict(ctx.target.values)
    variables.update(ctx.runner_values())
    bundle = ctx.bundle()
    if bundle is not None:
        result.schema_bundle = bundle.name
    for step in case.steps:
        exp = step.expectation_for(version) if step.judged else None
        if step.judged and (exp is None or exp.not_applicable):
            continue  # this step does not apply to this version
        # a Ctrl-C waits until a create is entered in the ledger, sent, and its key recorded
        with ctx.interrupts.critical(hold=True) if ctx.interrupts else contextlib.nullcontext():
            not_sent = undo.before(step, variables)
            if not_sent:
                return "error", not_sent
            record, error = _run_step(step, exp, ctx, variables, secrets, bundle)
            result.steps.append(record)
            undo.after(step, record, error)
        if isinstance(error, EndpointUnreachable):
            ctx.unreachable = one_line(str(error))
            result.error_kind = Unreachable.kind
            return "error", f"{UNREACHABLE}: {ctx.unreachable}"
        if error is not None:
            return "error", one_line(error)
        if exp is not None and ctx._bundle_error and exp.schema_valid:
            record.verdicts.append(Verdict("schema", "error", "a loadable schema bundle", ctx._bundle_error))
    verdicts = result.verdicts
    result.drift = drift_of(verdicts)
    outcome = outcome_of(verdicts)
    if outcome == "pass" and not any(v.outcome in ("pass", "fail") for v in verdicts):
        return "error", "no check was made (every judged step was skipped)"
    first = next((v for v in verdicts if v.outcome == outcome), None) if outcome != "pass" else None
    return outcome, (f"{first.check}: expected {first.expected}, got {first.actual}" if first else "")


def _recorded(data: bytes) -> str:
    """A request or response as results.json keeps it: elided past ~52 KB (a 5 MB image
    upload would otherwise be copied into every report); ``run_case`` masks it with the
    rest of the record."""
    if len(data) <= RECORD_HEAD + RECORD_TAIL:
        return _decode(data)
    elided = len(data) - RECORD_HEAD - RECORD_TAIL
    return _decode(data[:RECORD_HEAD]) + f"\n... [{elided} bytes elided] ...\n" + _decode(data[-RECORD_TAIL:])


def _decode(data: bytes) -> str:
    """UTF-8 (allowing a character cut at either edge by elision), else Latin-1."""
    for lead in range(4):
        for trail in range(4):
            try:
                return data[lead:len(data) - trail].decode("utf-8")
            except UnicodeDecodeError:
                continue
    return data.decode("latin-1")


def _run_step(step: Step, exp, ctx: RunContext, variables: dict[str, str], secrets: list[str], bundle):
    """Send one step; returns (record, error) where an error (str or EndpointUnreachable) ends the case."""
    target = ctx.target
    record = StepRecord(name=step.name, api=f"{step.service}.{step.api}", role=step.role, site=step.site,
                        request="", response="", status=None, elapsed_ms=None, attempts=0)
    access = target.sites[step.site]
    cred = target.credential(step.site, step.role)
    # Fixture values and captures are data: escaped for XML (an '&' in a name must not break the request).
    as_xml = XMLEscaped(variables)
    try:
        body = render(step.body, as_xml, dict(step.templates))
        extra = [(k, render(v, variables)) for k, v in step.security]
    except TemplateError as exc:
        return record, f"step {step.name!r}: {exc}"
    site_name = access.site_name
    if any(k == "siteID" for k, _ in extra) and not any(k == "siteName" for k, _ in extra):
        site_name = None  # the case checks the deprecated siteID path on its own
    try:
        data = build_envelope(step.service, step.api, body, cred, site_name,
                              access.site_id if site_name is None else None,
                              access.partner_id if site_name is None else None,
                              extra_security=extra)
    except EnvelopeError as exc:
        return record, f"step {step.name!r}: cannot build the request: {exc}"
    record.request = _recorded(data)
    read_mails = ctx.mail_reader or (lambda url: _read_mails(ctx.transport, url))
    mails_before = 0
    if exp is not None and exp.reads_mail:
        try:
            mails_before = len(read_mails(variables["mail.url"]))
        except Exception as exc:
            return record, f"step {step.name!r}: mail sink unreadable: {one_line(str(exc))}"
    try:
        exchange = ctx.transport.send(target.endpoint, data, idempotent=step.idempotent)
    except EndpointUnreachable as exc:
        return record, exc
    except TransportError as exc:
        return record, f"step {step.name!r}: {exc}"
    record.status = exchange.status
    record.elapsed_ms = round(exchange.elapsed_ms, 2)
    record.attempts = exchange.attempts
    record.response = _recorded(exchange.body)
    try:
        parsed = parse_response(exchange, max_bytes=target.transport.max_response_bytes)
    except ResponseError as exc:
        if exp is None:
            return record, f"setup step {step.name!r}: {exc.reason}"
        record.verdicts = judge_error(exc.reason)
        return record, None
    if exp is None:
        if parsed.result != "SUCCESS":
            why = " ".join(x for x in (parsed.exception_id, parsed.reason) if x)
            return record, f"setup step {step.name!r} answered {parsed.result}: {why}"
    else:
        mails, mail_error = None, None
        if exp.reads_mail:
            try:
                mails = read_mails(variables["mail.url"])[mails_before:]
            except Exception as exc:
                mail_error = one_line(str(exc))
        record.verdicts = judge(exp, parsed, bundle if exp.schema_valid else None, variables,
                                mails=mails, mail_error=mail_error)
    for var, xpath in step.capture:
        try:
            variables[var] = _xpath_value(parsed.root, xpath)
        except etree.XPathError as exc:
            return record, f"step {step.name!r}: capture {var}: {exc}"
        if not variables[var] and exp is None:
            return record, f"setup step {step.name!r}: capture {var} found nothing at {xpath}"
    return record, None
