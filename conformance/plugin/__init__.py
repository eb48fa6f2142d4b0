"""The pytest plugin: one test item per (case, target version), judged by the engine.

``pytest`` at the repository root (or ``pytest cases``) collects ``cases/**/*.toml``;
with no ``--endpoint`` it starts the embedded reference server on a free loopback port.
The plugin stays inert in runs that do not collect cases (our own ``pytest tests``).

One module per job, registered together as the ``pytest11`` entry point
``conformance.plugin``:

- ``options``: the ``addoption``s, generated from ``conformance.options``;
- ``state``: what one session knows (the plan, the results, the outcome);
- ``session``: the plan at configure time, xdist hand-over, the exit status at the end;
- ``collection``: case files to items, markers, the judging of one item;
- ``reporting``: progress, failure text, pytest-html extras, the reports, the summary.
"""
from __future__ import annotations

from .collection import pytest_collect_file
from .options import pytest_addoption
from .reporting import pytest_report_header, pytest_runtest_makereport, pytest_terminal_summary
from .session import pytest_collection, pytest_configure, pytest_sessionfinish, share_rate_limit

_share_rate_limit = share_rate_limit   # the name tests/test_plugin.py imports

__all__ = ["pytest_addoption", "pytest_configure", "pytest_collection", "pytest_collect_file",
           "pytest_report_header", "pytest_runtest_makereport", "pytest_sessionfinish",
           "pytest_terminal_summary", "share_rate_limit"]
