"""The report formats a run writes, as one list: results.json, junit.xml, matrix.html.

Each writer renders one ``ResultsDoc`` to one file.  The plugin (after a run) and the
``report`` command (after a merge) both call ``write_reports``, so a new format is one
module with a ``write(path, doc)`` and one line in ``WRITERS``.  Records reaching a
writer are already masked (the executor masks each record as it is made).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .report_html import write_html
from .report_junit import write_junit
from .record_spool import RecordSpool
from .results import ResultsDoc, merged_run_info, write_results, write_results_lines

__all__ = ["ReportWriter", "WRITERS", "write_reports", "run_info_of"]


@dataclass(frozen=True)
class ReportWriter:
    name: str
    filename: str
    write: Callable[[Path, ResultsDoc], None]


def run_info_of(doc: ResultsDoc) -> dict:
    """results.json's "run": a single run's info as it is, several (or any conflict) as
    ``merged_from`` with the conflicts (``read_results`` restores ``doc.runs`` from either)."""
    if len(doc.runs) == 1 and not doc.conflicts:
        return dict(doc.runs[0])
    return merged_run_info(doc)


def _results_json(path: Path, doc: ResultsDoc) -> None:
    if isinstance(doc.results, RecordSpool):   # a run's records: its lines are results.json's already
        write_results_lines(path, doc.results.lines(), run_info_of(doc))
    else:
        write_results(path, doc.results, run_info_of(doc))


def _junit_xml(path: Path, doc: ResultsDoc) -> None:
    write_junit(path, doc.results, runs=doc.runs)


def _matrix_html(path: Path, doc: ResultsDoc) -> None:
    write_html(path, doc.results, runs=doc.runs)


WRITERS: tuple[ReportWriter, ...] = (
    ReportWriter("results", "results.json", _results_json),
    ReportWriter("junit", "junit.xml", _junit_xml),
    ReportWriter("matrix", "matrix.html", _matrix_html),
)


def write_reports(directory: Path, doc: ResultsDoc,
                  writers: Iterable[ReportWriter] = WRITERS) -> list[Path]:
    """Write every report of ``doc`` into ``directory`` (created); returns the paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for writer in writers:
        path = directory / writer.filename
        writer.write(path, doc)
        paths.append(path)
    return paths
