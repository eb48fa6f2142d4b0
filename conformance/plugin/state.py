"""What one pytest session of the suite knows, kept in the config's stash (no globals)."""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ..errors import ConformanceError
from ..execute import RunContext, context_for
from ..record_spool import SPOOL_NAME, RecordSpool, RecordSummary
from ..run_outcome import RunOutcome
from ..run_plan import RunPlan
from ..targets import TargetRun

RESULT_KEY = "webex_conformance_result"
LOAD_ERROR_KEY = "webex_conformance_load_error"
WORKER_KEY = "webex_conformance_runs"
FAIL_ON_SKIP_KEY = "webex_conformance_fail_on_skip"
RUN_DIR_KEY = "webex_conformance_run_dir"
SAFETY_KEY = "webex_conformance_safety"        # the run's write-safety directory and tag
EMBEDDED_KEY = "webex_conformance_embedded"    # the in-process embedded servers' seeded databases


@dataclass
class RunState:
    config: pytest.Config
    outcome: RunOutcome
    active: bool = False
    worker: bool = False
    cases_dir: Path | None = None
    plan: RunPlan | None = None
    runs: list[TargetRun] = field(default_factory=list)
    error: ConformanceError | None = None          # the run could not start
    spool: RecordSpool | None = None               # the controller's records, on disk as they arrive
    fresh: list[RecordSummary] = field(default_factory=list)   # the records of the report just in
    load_errors: list[str] = field(default_factory=list)
    contexts: dict[str, RunContext] = field(default_factory=dict)
    started_at: str = ""
    output: Path | None = None                     # where the reports were written
    run_dir: Path | None = None                    # where this run's files go (workers too)
    new_dir: bool = False                          # run_dir is a fresh reports/<UTC time>/
    done: int = 0                                  # items finished (progress)
    shown_step: int = -1                           # last progress step printed
    fail_on_skip: bool = False                     # the plan's, handed to xdist workers too
    safety: Any = None                             # conformance.safety_run.RunSafety
    servers: Any = None                            # this process's conformance.embedded.EmbeddedServers
    ending: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)  # the end's critical section
    ending_entered: bool = False
    heap_frozen: bool = False                      # BoundaryItem.setup froze the heap once
    workers_ending: threading.Thread | None = None  # ending xdist's workers (session.end_workers_early)

    @property
    def results(self) -> list[RecordSummary]:
        """A summary of each record so far, in arrival order (the records are in ``spool``)."""
        return self.spool.summaries if self.spool is not None else []

    def records(self) -> RecordSpool:
        """The spool the controller appends records to, in the run's directory."""
        if self.spool is None:
            self.spool = RecordSpool(run_dir(self.config) / SPOOL_NAME)
        return self.spool

    def context(self, run: TargetRun) -> RunContext:
        ctx = self.contexts.get(run.label)
        if ctx is None:
            transport = self.servers.transport_for(run.target, run.version) if self.servers is not None else None
            ctx = self.contexts[run.label] = context_for(run.target, run.version, transport)
            if self.safety is not None:
                self.safety.equip(ctx, [r.label for r in self.runs].index(run.label))
        return ctx

    def secrets(self) -> list[str]:
        # Asked for on every progress line: gathered once per list of runs (fixed once resolved).
        cached = self.__dict__.get("_secrets")
        if cached is not None and cached[0] is self.runs and cached[1] == len(self.runs):
            return cached[2]
        out: list[str] = []
        for r in self.runs:
            out += r.target.secrets()
        self.__dict__["_secrets"] = (self.runs, len(self.runs), out)
        return out


_KEY = pytest.StashKey[RunState]()


def state(config: pytest.Config) -> RunState:
    return config.stash[_KEY]


def new_state(config: pytest.Config) -> RunState:
    """The session's state, with the RunOutcome the caller handed in (or a fresh one)."""
    outcome = next((p for p in config.pluginmanager.get_plugins() if isinstance(p, RunOutcome)), None)
    st = RunState(config, outcome if outcome is not None else RunOutcome())
    config.stash[_KEY] = st
    return st


def run_dir(config: pytest.Config) -> Path:
    """The directory of this run's reports and other files (boundary failures, ...)."""
    st = state(config)
    if st.run_dir is None:   # a run that could not start, or a plugin module asking early
        st.run_dir = Path(config.rootpath) / "reports"
    return st.run_dir
