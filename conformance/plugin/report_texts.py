"""The three reports of one item (setup, call, teardown) share one copy of its texts.

Every process's terminal keeps every report in its stats for the whole run, and each report
arrives with its own node id, location and keywords: an xdist controller decodes them
afresh from each worker message, and a worker builds a keywords dict per report. With 10x
the cases that was a large part of what grew with every item, so the first report of an
item lends its copies to the other two, and keyword names (the same few markers, folders
and case ids on every item) are interned once for the run.
"""
from __future__ import annotations

import sys
from typing import Any

import pytest

PLUGIN_NAME = "webex_conformance_report_texts"


class SharedReportTexts:
    """Per-process: items whose teardown report has not arrived yet, by node id."""

    def __init__(self) -> None:
        self._open: dict[str, tuple[str, Any, dict]] = {}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        shared = self._open.get(report.nodeid)
        if shared is None:
            shared = (report.nodeid, report.location, {sys.intern(k): v for k, v in report.keywords.items()})
            self._open[shared[0]] = shared
        nodeid, location, keywords = shared
        report.nodeid = nodeid
        if report.location == location:
            report.location = location
        if report.keywords == keywords:
            report.keywords = keywords
        if report.when == "teardown":
            del self._open[nodeid]


def register(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(PLUGIN_NAME):
        config.pluginmanager.register(SharedReportTexts(), PLUGIN_NAME)
