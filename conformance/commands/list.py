"""``webex-conformance list``: the cases with version, kind and APIs."""
from __future__ import annotations

import argparse
import json

from ..command import Command
from ..errors import EXIT_OK, EXIT_USAGE
from ..write_guard import write_summary
from .case_source import load_reported


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cases-dir", metavar="DIR", help="case files (default: the project's cases/)")
    p.add_argument("--json", action="store_true", help="one JSON array instead of a table")


def run(args: argparse.Namespace) -> int:
    report = load_reported(args.cases_dir)
    if args.json:
        print(json.dumps([{"id": c.id, "introduced": str(c.introduced), "kind": c.kind, "apis": list(c.apis),
                           "requires": list(c.requires), "title": c.title, "source": c.source,
                           "path": c.path, **write_summary(c)} for c in report.cases], indent=1))
    else:
        for c in report.cases:
            req = f"  requires {', '.join(c.requires)}" if c.requires else ""
            w = write_summary(c)
            writes = f"  writes {', '.join(f'{s}:{k}' for s, k in w['writes'])}" if w["writes"] else ""
            only = "  embedded only" if c.embedded_only else ""
            print(f"{str(c.introduced):12} {c.kind:17} {c.id:55} {', '.join(c.apis)}{req}{writes}{only}")
        print(f"{len(report.cases)} cases, {len(report.errors)} case file errors")
    return EXIT_USAGE if report.errors else EXIT_OK


COMMAND = Command(
    name="list",
    help="list the cases with version, kind and APIs",
    description="List every case: the version that introduced the change it checks, its kind, its id, "
                "the APIs it calls, the fixtures it needs and each step that writes to the site "
                "(create, change or delete). Exits 2 if a case file does not load.",
    add_arguments=add_arguments,
    run=run,
)
