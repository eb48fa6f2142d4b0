"""The write safety of one run: what every process of it shares, and what it reports at the end.

The controller makes one directory per run (its ledgers and the shared site state) and one
tag (in every object's name, via ``${run.unique}``), hands both to the xdist workers, and
equips each run context with them: the write decision, the ledger, the guarded
transport.  At the end it sweeps what is still open, and reports the leftovers and the
skipped writing cases.  The pytest plugin calls this module; it holds no pytest code.
"""
from __future__ import annotations

import contextlib
import dataclasses
from collections import Counter
import secrets as _secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .case_undo import sweep
from .interrupts import DeferredInterrupt
from .ledger import Ledger, leftover_record, read_open, remove_dir
from .site_guard import GuardedTransport, SharedState, breaker_state
from .write_guard import decide_from_options

__all__ = ["RunSafety", "WRITE_SKIPS", "context_key"]

# reasons of writing cases that did not run (write_guard.blocked, site_guard.reserve_writes)
WRITE_SKIPS = ("writes to the site", "runs against the embedded reference server only",
               "the run's cap on writes")


def _skip_kind(reason: str) -> str:
    if reason.startswith(WRITE_SKIPS[0]):
        return reason.split("; ", 1)[-1]
    if reason.startswith(WRITE_SKIPS[1]):
        return "they run against the embedded reference server only"
    return "the run's cap on writes (--max-writes) was reached"


def context_key(endpoint: str, version: Any) -> str:
    return f"{endpoint}|{version}"


@dataclass
class RunSafety:
    directory: Path
    tag: str
    process: str = "main"
    options: Any = None                  # pytest config.option (allow_writes, i_know_this_is_production)
    interrupts: DeferredInterrupt | None = None
    ledger: Ledger = field(init=False)
    state: SharedState = field(init=False)
    leftovers: list[dict[str, Any]] = field(default_factory=list)
    breakers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.directory = Path(self.directory)
        self.ledger = Ledger(self.directory, self.process)
        self.state = SharedState(self.directory / "site-state.json")

    @classmethod
    def new(cls, output: Path, options: Any) -> "RunSafety":
        tag = _secrets.token_hex(3)
        return cls(Path(output) / f".run-{tag}", tag, "controller", options)

    def to_worker(self) -> dict[str, str]:
        return {"directory": str(self.directory), "tag": self.tag}

    @classmethod
    def from_controller(cls, data: dict[str, str], worker: str, options: Any) -> "RunSafety":
        return cls(Path(data["directory"]), data["tag"], worker, options)

    def install_interrupts(self) -> None:
        self.interrupts = DeferredInterrupt().install()

    def equip(self, ctx: Any, index: int) -> Any:
        """Give a fresh run context the run's tag, write decision, ledger and guarded transport."""
        target = ctx.target
        ctx.unique = f"{self.tag}{index % 256:02x}"
        ctx.writes = decide_from_options(target, self.options)
        ctx.ledger = self.ledger
        ctx.interrupts = self.interrupts
        if not target.embedded:
            ctx.site_state = self.state
            inner = ctx.transport
            rate = inner.settings.rate_limit
            inner.limiter = type(inner.limiter)(None)   # the shared schedule paces instead
            ctx.transport = GuardedTransport(inner, self.state, target.endpoint, rate, target.safety,
                                             ctx.writes.allowed)
        return ctx

    def finish(self, runs: dict[str, Any], context_of: Callable[[Any], Any], results_path: Path) -> list[dict[str, Any]]:
        """Controller, at the end: undo what is still open, list the rest as leftovers.

        ``runs`` are the run's TargetRuns by ``context_key``; ``context_of`` makes one's
        context, asked only for those with something open: the controller runs no case, and
        making every context (the transport's imports, the embedded applications) only to
        find nothing to sweep cost a quarter of a second at the end of every run.
        """
        self.ledger.close()
        still_open = read_open(self.directory)
        contexts: dict[str, Any] = {}
        unreachable: dict[str, str] = {}   # that target's entries stay listed, with why; the others are swept
        for key in sorted({context_key(e.get("endpoint"), e.get("version")) for e in still_open} & runs.keys()):
            try:
                contexts[key] = context_of(runs[key])
            except Exception as exc:
                unreachable[key] = f"no run context to undo it: {type(exc).__name__}: {' '.join(str(exc).split())}"
        for i, e in enumerate(still_open):
            why = unreachable.get(context_key(e.get("endpoint"), e.get("version")))
            if why:
                still_open[i] = {**e, "reason": why}
        with self.interrupts.critical() if self.interrupts else contextlib.nullcontext():
            left = sweep(still_open, contexts, self.ledger) if still_open else []
        self.ledger.close()
        self.leftovers = [leftover_record(e, str(results_path)) for e in left]
        for key in {r.target.endpoint for r in runs.values() if not r.target.embedded}:
            why = breaker_state(self.state, key)
            if why:
                self.breakers[key] = why
        if not self.leftovers:
            remove_dir(self.directory)
        return self.leftovers

    def close(self) -> None:
        self.ledger.close()
        if self.interrupts is not None:
            self.interrupts.uninstall()

    def summary_lines(self, results: Iterable[Any]) -> list[str]:
        lines = []
        why = Counter(_skip_kind(r.reason) for r in results
                      if r.outcome == "skip" and r.reason.startswith(WRITE_SKIPS))
        if why:
            lines.append(f"{sum(why.values())} writing case result(s) skipped: "
                         + "; ".join(f"{n} because {k}" for k, n in why.most_common()))
        for endpoint, why in sorted(self.breakers.items()):
            lines.append(f"the run was stopped early: {endpoint}: {why}")
        if self.leftovers:
            lines.append(f"{len(self.leftovers)} thing(s) the run wrote could not be undone "
                         f"(tag {self.tag!r}); retry with: {self.leftovers[0]['command']}")
            for lo in self.leftovers[:20]:
                lines.append(f"  leftover: {lo['action']} {lo['what']} {lo['key'] or '(key unknown)'} "
                             f"on {lo['target']} ({lo['case']}, step {lo['step']!r}): {lo['reason']}")
        return lines


def with_max_writes(runs: list[Any], cap: int | None) -> list[Any]:
    """``--max-writes N`` wins over each target's ``max_writes``."""
    if not cap:
        return runs
    out = []
    for r in runs:
        safety = dataclasses.replace(r.target.safety, max_writes=cap)
        out.append(dataclasses.replace(r, target=dataclasses.replace(r.target, safety=safety)))
    return out
