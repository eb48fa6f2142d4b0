"""docs/CASES.md's vocabulary, written from the loader's own data.

The check kinds in the example ``[[step.expect]]`` and the lists of case kinds, roles,
sites and fixtures are generated between marker lines from ``conformance.checks`` and
``conformance.cases``, so the document cannot drift from what the loader accepts (a
test runs ``update`` on the document and expects no change).  After adding a check
kind or a fixture: ``python -m conformance.casedoc docs/CASES.md``.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Sequence

from .cases import FIXTURES, KINDS, ROLES, SITES
from .checks import CHECKS

__all__ = ["check_lines", "vocabulary", "update", "CHECKS_BEGIN", "CHECKS_END", "VOCABULARY_BEGIN",
           "VOCABULARY_END"]

CHECKS_BEGIN = "# --- checks (generated from conformance/checks, in the order they are reported) ---"
CHECKS_END = "# --- end of checks ---"
VOCABULARY_BEGIN = "<!-- vocabulary: generated from conformance/cases.py by python -m conformance.casedoc -->"
VOCABULARY_END = "<!-- end of vocabulary -->"
_COLUMN = 42


def check_lines() -> list[str]:
    """One example line per check kind a case file may set, with what it checks."""
    return [f"{k.example:<{_COLUMN}} # {k.summary}" for k in CHECKS if k.parse is not None]


def vocabulary() -> list[str]:
    """The closed lists of values a case file may use."""
    lines = [
        f"- `kind`: {' | '.join(KINDS)}",
        f"- `role`: {' | '.join(ROLES)}",
        f"- `site`: {' | '.join(SITES)}",
        "- `requires` (fixtures; a case needing one the target lacks is skipped with its name):",
    ]
    lines += [f"  - `{name}`: {meaning}" for name, meaning in FIXTURES.items()]
    return lines


def _replace(text: str, begin: str, end: str, body: list[str]) -> str:
    pattern = re.compile(re.escape(begin) + r"\n.*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"marker lines not found: {begin!r} ... {end!r}")
    block = "\n".join([begin, *body, end])
    return pattern.sub(lambda _m: block, text, count=1)


def update(text: str) -> str:
    """``text`` (docs/CASES.md) with its generated blocks rewritten from the code."""
    text = _replace(text, CHECKS_BEGIN, CHECKS_END, check_lines())
    return _replace(text, VOCABULARY_BEGIN, VOCABULARY_END, vocabulary())


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m conformance.casedoc", description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path, help="docs/CASES.md")
    args = ap.parse_args(argv)
    try:
        before = args.file.read_text(encoding="utf-8")
        after = update(before)
    except (OSError, ValueError) as exc:
        print(f"casedoc: error: {exc}", file=sys.stderr)
        return 2
    if after != before:
        args.file.write_text(after, encoding="utf-8")
        print(f"updated {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
