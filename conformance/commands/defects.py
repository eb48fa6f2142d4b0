"""``webex-conformance defects``: the reference server's seeded defects."""
from __future__ import annotations

import argparse
import json

from ..command import Command
from ..errors import EXIT_OK


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="one JSON array instead of one line per defect")


def run(args: argparse.Namespace) -> int:
    from ..boundary_defects import boundary_tests
    from ..limits import load_limits
    from ..resources import limits_dir
    from ..server.root import all_defects
    defects = all_defects()
    where = limits_dir()
    boundary = boundary_tests(defects, load_limits(where).limits if where else [])
    if args.json:
        print(json.dumps([{"name": d.name, "version": d.version, "cases": list(d.cases),
                           "boundary": list(boundary[d.name]), "description": d.description}
                          for d in defects.values()], indent=1))
        return EXIT_OK
    for d in defects.values():
        print(f"{d.name}  [{d.version}]  caught by: {', '.join([*d.cases, *boundary[d.name], *d.tests])}  -- {d.description}")
    return EXIT_OK


COMMAND = Command(
    name="defects",
    help="list the reference server's seeded defects and the cases and boundary tests that catch them",
    description="List the defects the reference server can be started with (--server-defect for run and "
                "replay, --defect for serve): name, version, the cases that must catch it, and what it breaks.",
    add_arguments=add_arguments,
    run=run,
)
