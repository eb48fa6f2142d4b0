"""Where the subcommands find case files, and how they say that one does not load."""
from __future__ import annotations

import sys
from pathlib import Path

from ..cases import LoadReport, load_cases
from ..resources import cases_dir

DEFAULT_CASES = cases_dir()


def cases_dir_of(text: str | None) -> Path:
    return Path(text) if text else DEFAULT_CASES


def load_reported(cases_dir: str | None) -> LoadReport:
    """Every case that loads; each file that does not is named on stderr."""
    report = load_cases(cases_dir_of(cases_dir))
    for e in report.errors:
        print(f"case file error: {e}", file=sys.stderr)
    return report
