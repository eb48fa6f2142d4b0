"""Run one case against one target: the steps, in order, each built, sent, parsed, judged.

This is the only stage that combines I/O (transport, the mail sink) with judging, and it
keeps them apart: the transport sends, ``verdicts.judge`` decides.  Every failure of a
step becomes a verdict or a one-line reason in the result; nothing escapes as a
traceback and no result is lost.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import re
import secrets as _secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from lxml import etree

from .cases import Case, Step, load_case_file, load_cases
from .config import Target
from .envelope import EnvelopeError, build_envelope
from .masking import mask, mask_bytes
from .namespaces import NS
from .response import ResponseError, parse_response
from .results import CaseResult, StepRecord
from .templating import TemplateError, render
from .transport import EndpointUnreachable, Transport, TransportError
from .verdicts import Verdict, drift_of, judge, judge_error, judge_mail, outcome_of
from .versions import Version, documented_at_or_below

__all__ = ["RunContext", "run_case", "SITE_FIXTURE", "main"]

# A step on one of these sites needs the fixture that provides the site.
SITE_FIXTURE = {"suspended": "suspended-site", "control-hub": "control-hub-site",
                "auto-record": "auto-record-site"}


@dataclass
class RunContext:
    """What a run shares across cases against one target at one version."""

    target: Target
    version: Version
    transport: Transport
    bundle_loader: Callable[[], Any] | None = None   # -> SchemaBundle (lazy: compile once)
    mail_reader: Callable[[str], list[dict]] | None = None
    unique: str = field(default_factory=lambda: _secrets.token_hex(4))
    _bundle: Any = None
    _bundle_error: str | None = None

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


def _read_mails(url: str) -> list[dict]:
    import requests
    r = requests.get(url, timeout=10)
    r.raise_for_status()
    data = r.json()
    if not isinstance(data, list):
        raise ValueError("the mail sink did not answer with a JSON list")
    return data


_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][\w.-]*)\}")
_RUNNER_VALUES = {"target.version", "run.unique", "n"}


def _missing_fixture(case: Case, target: Target) -> str | None:
    """Why ``target`` cannot run ``case`` (a fixture, a site, a value it lacks), or None."""
    for name in case.requires:
        if name not in target.provides:
            return f"requires fixture {name!r}"
    captured: set[str] = set()
    for step in case.steps:
        if step.site != "main" and step.site not in target.sites:
            return f"requires fixture {SITE_FIXTURE[step.site]!r}"
        if step.role == "access-token" and "access-token" not in target.provides:
            return "requires fixture 'access-token'"
        texts = [step.body, *(v for _, v in step.security), *(v for _, v in step.templates)]
        for e in step.expect:
            texts += [v for _, v in e.equals] + ([e.mail.to] if e.mail else [])
        for text in texts:
            for name in _PLACEHOLDER.findall(text):
                if name not in target.values and name not in captured and name not in _RUNNER_VALUES:
                    return f"needs the value {name!r} (set it under [target.values])"
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
    """Judge ``case`` on ``ctx.target``; always returns a result, never raises for bad input."""
    started = time.perf_counter()
    version = ctx.judged_as
    result = CaseResult(
        case_id=case.id, title=case.title, introduced=str(case.introduced), source=case.source,
        apis=list(case.apis), kind=case.kind, target=ctx.target.name, endpoint=ctx.target.endpoint,
        version=str(ctx.version), outcome="pass",
        started_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    )

    def finish(outcome: str, reason: str = "") -> CaseResult:
        result.outcome = outcome
        result.reason = reason
        result.duration_ms = round((time.perf_counter() - started) * 1000, 2)
        return result

    if case.not_observable:
        return finish("not-applicable", f"not observable over the API: {case.not_observable}")
    if not case.applies_to(version):
        return finish("not-applicable", case.not_applicable_reason(version))
    missing = _missing_fixture(case, ctx.target)
    if missing:
        return finish("skip", f"{missing}, which target {ctx.target.name!r} does not provide")

    variables: dict[str, str] = dict(ctx.target.values)
    variables["target.version"] = str(ctx.version)
    variables["run.unique"] = ctx.unique
    secrets = ctx.target.secrets()
    bundle = ctx.bundle()
    if bundle is not None:
        result.schema_bundle = bundle.name
    for step in case.steps:
        exp = step.expectation_for(version) if step.judged else None
        if step.judged and (exp is None or exp.not_applicable):
            continue  # this step does not apply to this version
        record, verdicts, error = _run_step(step, exp, ctx, variables, secrets, bundle)
        result.steps.append(record)
        if isinstance(error, EndpointUnreachable):
            return finish("error", mask(f"endpoint unreachable: {_one_line(str(error))}", secrets))
        if error is not None:
            return finish("error", mask(_one_line(str(error)), secrets))
        if exp is not None and ctx._bundle_error and exp.schema_valid:
            record.verdicts.append(Verdict("schema", "error", "a loadable schema bundle", ctx._bundle_error))
    verdicts = result.verdicts
    result.drift = drift_of(verdicts)
    outcome = outcome_of(verdicts)
    if outcome == "pass" and not any(v.outcome in ("pass", "fail") for v in verdicts):
        return finish("error", "no check was made (every judged step was skipped)")
    first = next((v for v in verdicts if v.outcome == outcome), None) if outcome != "pass" else None
    reason = ""
    if first is not None:
        reason = f"{first.check}: expected {first.expected}, got {first.actual}"
    return finish(outcome, mask(reason, secrets))


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def _run_step(step: Step, exp, ctx: RunContext, variables: dict[str, str], secrets: list[str], bundle):
    """Send one step; returns (record, verdicts, error) where error stops the case."""
    target = ctx.target
    record = StepRecord(name=step.name, api=f"{step.service}.{step.api}", role=step.role, site=step.site,
                        request="", response="", status=None, elapsed_ms=None, attempts=0)
    access = target.sites.get(step.site)
    cred = target.credential(step.site, step.role)
    if step.role != "anonymous" and cred is None:
        return record, [], f"step {step.name!r}: target {target.name!r} has no {step.role} credential on site {step.site!r}"
    try:
        body = render(step.body, variables, dict(step.templates))
        extra = [(k, render(v, variables)) for k, v in step.security]
    except TemplateError as exc:
        return record, [], f"step {step.name!r}: {exc}"
    site_name = access.site_name
    if any(k == "siteID" for k, _ in extra) and not any(k == "siteName" for k, _ in extra):
        site_name = None  # the case checks the deprecated siteID path on its own
    try:
        data = build_envelope(step.service, step.api, body, cred, site_name,
                              access.site_id if site_name is None else None,
                              access.partner_id if site_name is None else None,
                              extra_security=extra)
    except EnvelopeError as exc:
        return record, [], f"step {step.name!r}: cannot build the request: {exc}"
    record.request = mask_bytes(data[:200_000], secrets)
    mails_before = None
    if exp is not None and exp.mail is not None:
        try:
            mails_before = len(_mail_reader(ctx)(variables["mail.url"]))
        except Exception as exc:
            return record, [], f"step {step.name!r}: mail sink unreadable: {_one_line(str(exc))}"
    try:
        exchange = ctx.transport.send(target.endpoint, data, idempotent=step.idempotent)
    except EndpointUnreachable as exc:
        return record, [], exc
    except TransportError as exc:
        return record, [], f"step {step.name!r}: {exc}"
    record.status = exchange.status
    record.elapsed_ms = round(exchange.elapsed_ms, 2)
    record.attempts = exchange.attempts
    record.response = mask_bytes(exchange.body[:200_000], secrets)
    try:
        parsed = parse_response(exchange, max_bytes=target.transport.max_response_bytes)
    except ResponseError as exc:
        if exp is None:
            return record, [], f"setup step {step.name!r}: {exc.reason}"
        record.verdicts = judge_error(exc.reason)
        return record, record.verdicts, None
    if exp is None:
        if parsed.result != "SUCCESS":
            why = " ".join(x for x in (parsed.exception_id, parsed.reason) if x)
            return record, [], f"setup step {step.name!r} answered {parsed.result}: {why}"
    else:
        record.verdicts = judge(exp, parsed, bundle if exp.schema_valid else None, variables)
        if exp.mail is not None:
            try:
                mails = _mail_reader(ctx)(variables["mail.url"])[mails_before or 0:]
                record.verdicts += judge_mail(exp.mail, mails, variables)
            except Exception as exc:
                record.verdicts.append(Verdict("mail", "error", "the mail sink's messages", _one_line(str(exc))))
    for var, xpath in step.capture:
        try:
            variables[var] = _xpath_value(parsed.root, xpath)
        except etree.XPathError as exc:
            return record, record.verdicts, f"step {step.name!r}: capture {var}: {exc}"
        if not variables[var] and exp is None:
            return record, [], f"setup step {step.name!r}: capture {var} found nothing at {xpath}"
    return record, record.verdicts, None


def _mail_reader(ctx: RunContext) -> Callable[[str], list[dict]]:
    return ctx.mail_reader or _read_mails


# -------------------------------------------------------------------- dev entry point

def main(argv: list[str] | None = None) -> int:
    """``python -m conformance.execute [--version V|--all-versions] [--defect D] PATH...``

    A developer's loop: start the reference server, run the given case files, print each
    outcome and its failing verdicts.  The product's runner is ``webex-conformance run``.
    """
    from .embedded import EmbeddedServers
    from .schemas import bundle_for
    from .versions import ALL_VERSIONS, LATEST, documented

    ap = argparse.ArgumentParser(prog="python -m conformance.execute")
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--version", action="append", default=[])
    ap.add_argument("--all-versions", action="store_true")
    ap.add_argument("--defect", action="append", default=[])
    ap.add_argument("-q", "--quiet", action="store_true", help="print only what is not a pass")
    args = ap.parse_args(argv)
    cases: list[Case] = []
    for p in args.paths:
        path = Path(p)
        if path.is_dir():
            rep = load_cases(path)
            for err in rep.errors:
                print(f"LOAD ERROR {err}")
            cases += rep.cases
        else:
            try:
                cases.append(load_case_file(path))
            except Exception as exc:
                print(f"LOAD ERROR {exc}")
    versions = list(ALL_VERSIONS) if args.all_versions else [documented(v) for v in args.version] or [LATEST]
    bad = 0
    with EmbeddedServers(args.defect) as servers:
        for v in versions:
            target = servers.target(v)
            with Transport(target.transport) as transport:
                ctx = RunContext(target, v, transport, bundle_loader=lambda v=v: bundle_for(v))
                for case in cases:
                    r = run_case(case, ctx)
                    if r.outcome in ("fail", "error"):
                        bad += 1
                    if args.quiet and r.outcome in ("pass", "not-applicable", "skip"):
                        continue
                    print(f"{str(v):12} {r.outcome:15} {case.id}  {r.reason}")
                    for s in r.steps:
                        for vd in s.verdicts:
                            if vd.outcome in ("fail", "error"):
                                print(f"{'':29}{s.name}: {vd.describe()}")
    print(f"{bad} failing or erroring (case, version) pairs")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
