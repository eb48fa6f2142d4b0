"""A run's records on disk as they arrive, and a small summary of each in memory.

A record holds its steps' requests and responses; a 26-version run's records are about
100 MB as Python objects, and a run with ten times the cases held ten times that until the
reports were written.  The controller appends each (masked) record to a JSON-lines file in
the run's directory and keeps only what the progress lines, the exit code and the summary
need (``RecordSummary``); the report writers read the records back one at a time.
"""
from __future__ import annotations

import json
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import IO, Iterator

from .results import CaseResult

__all__ = ["RecordSpool", "RecordSummary", "SPOOL_NAME", "carry", "summarize", "uncarry"]

SPOOL_NAME = ".records.jsonl"   # in the run's directory, removed once the reports are written


@dataclass(frozen=True, slots=True)
class RecordSummary:
    """What a run keeps of one record while it runs (run_outcome.decide, the summary lines)."""
    case_id: str
    target: str
    version: str
    outcome: str
    reason: str
    error_kind: str | None
    schema_bundle: str | None
    judged: int            # checks that reached a verdict (pass or fail): run_outcome.checks_judged
    introduced: str = ""   # these two for the progress lines
    duration_ms: float | None = None


def summarize(r: CaseResult) -> RecordSummary:
    return RecordSummary(r.case_id, r.target, r.version, r.outcome, r.reason, r.error_kind,
                         r.schema_bundle, r.judged, r.introduced, r.duration_ms)


def carry(r: CaseResult) -> str:
    """What a process of the run hands the controller for a record (in the item's
    ``user_properties``): its summary and its line, as ``RecordSpool.add`` keeps them.

    The controller keeps up with every worker, and parsing each record there (a step's
    exchanges make it ~14 KB) only to write it out again was most of its work: the line
    is written as it comes, and only the summary in front of it is read.
    """
    head = json.dumps(astuple(summarize(r)), ensure_ascii=False)   # RecordSummary's fields, in order
    # as results.json has it (non-ASCII as is): that writer copies the lines. A JSON text
    # has no raw newline, so the first one ends the summary.
    return head + "\n" + json.dumps(r.to_dict(), ensure_ascii=False)


def uncarry(carried: str) -> CaseResult:
    """The record ``carry`` made ``carried`` from."""
    return CaseResult.from_dict(json.loads(carried.split("\n", 1)[1]))


# Reports read the records more than once (junit.xml, then matrix.html): a spool up to
# this size keeps them from a full reading for the next one, which takes them (a 26-version
# run's 29 MB of lines are ~100 MB as objects, and parsing them again cost 0.3 s of the
# run's serial end; handed over, they are freed as that reader moves on, as streamed ones
# would be); a larger spool is read from disk each time, so memory does not grow with the
# cases.  Readers do not change the records they are given.
KEEP_BYTES = 48 * 1024 * 1024


class RecordSpool:
    """The records of one run, in arrival order, on disk; iterable as often as needed.

    The file is opened at the first record (a run that judged nothing leaves none).
    """

    def __init__(self, path: Path, keep_bytes: int = KEEP_BYTES):
        self.path = Path(path)
        self.summaries: list[RecordSummary] = []
        self.keep_bytes = keep_bytes
        self._file: IO[bytes] | None = None
        self._kept: list[CaseResult] | None = None

    def add(self, carried: str) -> RecordSummary:
        """Keep one record (as ``carry`` made it); returns its summary, for the progress lines."""
        head, sep, line = carried.partition("\n")
        if not sep or not line.startswith("{"):
            raise ValueError(f"not a record as carry() makes one: {carried[:80]!r}")
        summary = RecordSummary(*json.loads(head))
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("wb")
        self._file.write(line.encode("utf-8"))
        self._file.write(b"\n")
        self.summaries.append(summary)
        self._kept = None
        return summary

    def __len__(self) -> int:
        return len(self.summaries)

    def __bool__(self) -> bool:
        return bool(self.summaries)

    def lines(self) -> Iterator[str]:
        """Each record's JSON text (one line of results.json's "results")."""
        if self._file is None:
            return
        if not self._file.closed:
            self._file.flush()
        with self.path.open(encoding="utf-8") as f:
            for n, line in enumerate(f):
                if n >= len(self.summaries):   # lines added while this one reads come next time
                    return
                yield line[:-1]

    def __iter__(self) -> Iterator[CaseResult]:
        if self._kept is not None:
            kept, self._kept = self._kept, None
            yield from kept
            return
        small = self._file is not None and not self._file.closed and self._file.tell() <= self.keep_bytes
        keep: list[CaseResult] | None = [] if small else None
        for line in self.lines():
            record = CaseResult.from_dict(json.loads(line))
            if keep is not None:
                keep.append(record)
            yield record
        if keep is not None and len(keep) == len(self.summaries):
            self._kept = keep

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._kept = None

    def remove(self) -> None:
        """Close and delete the file (the reports hold every record now)."""
        self.close()
        self.path.unlink(missing_ok=True)
