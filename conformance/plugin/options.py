"""The plugin's command-line options: the rows of ``conformance.options``, nothing else."""
from __future__ import annotations

import pytest

from ..options import add_to_pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    add_to_pytest(parser.getgroup("webex-conformance", "Webex Meetings XML API conformance"))
