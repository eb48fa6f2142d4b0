"""The pytest plugin: one test item per (case, target version), judged by the engine.

``pytest`` at the repository root (or ``pytest cases``) collects ``cases/**/*.toml``;
with no ``--endpoint`` it judges the embedded reference server (in-process, or on
loopback with ``--embedded-transport http``).
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

from .collection import (CaseLoadError, mark_name, pytest_collect_file, pytest_runtest_logreport, pytest_runtest_teardown,
                         register_marker)
from .options import pytest_addoption
from .reporting import pytest_report_header, pytest_runtest_makereport, pytest_terminal_summary
from .session import pytest_collection, pytest_configure, pytest_runtestloop, pytest_sessionfinish, share_rate_limit
from .state import RESULT_KEY, run_dir, state

# Boundary tests (limits/*.toml) are collected by their own module: one line here.
# boundary_collect: the boundary items; hypothesis_guard: drops hypothesis's terminal summary
# where hypothesis never ran.
pytest_plugins = ["conformance.boundary_collect", "conformance.hypothesis_guard"]

# Names other plugin modules and tests import (conformance.boundary_collect, test_plugin.py).
_share_rate_limit = share_rate_limit
_state = state
_mark_name = mark_name
_register_marker = register_marker
_output_dir = run_dir

__all__ = ["pytest_addoption", "pytest_configure", "pytest_collection", "pytest_collect_file",
           "pytest_runtest_logreport", "pytest_runtest_teardown", "pytest_runtestloop",
           "pytest_report_header", "pytest_runtest_makereport", "pytest_sessionfinish",
           "pytest_terminal_summary", "share_rate_limit", "CaseLoadError", "RESULT_KEY", "mark_name",
           "register_marker", "run_dir", "state"]
