"""``webex-conformance serve``: start the reference server and serve until stopped."""
from __future__ import annotations

import argparse
import json
import signal
import threading

from ..command import Command
from ..errors import EXIT_OK, UsageError
from ..versions import LATEST

_FLAG_FACTS = ("suspended", "control_hub", "auto_record")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--api-version", default=str(LATEST), metavar="V", help=f"the version to emulate (default {LATEST})")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default 0: a free one)")
    p.add_argument("--db", metavar="PATH", help="SQLite file: state survives a restart")
    p.add_argument("--defect", action="append", default=[], metavar="NAME", help="seeded defect (repeatable)")
    p.add_argument("--test-paths", action="store_true",
                   help="enable the test-only GET /_test/outbox (mails sent) and /_test/requests (requests received)")
    p.add_argument("--set", action="append", default=[], metavar="SITE.FACT=VALUE",
                   help="a site fact of the seeded site, e.g. main.suspended=true, main.control_hub=true, "
                        "main.auto_record=true, main.facts.MCActiveUserCount=12 (repeatable; new databases only)")


def run(args: argparse.Namespace) -> int:
    import sqlite3

    from ..server.defects import UnknownDefect
    from ..server.serve import ReferenceServer
    from ..versions import VersionError

    try:
        server = ReferenceServer(args.api_version, defects=args.defect, db=args.db, host=args.host,
                                 port=args.port, test_paths=args.test_paths,
                                 site_overrides=site_overrides(args.set))
    except (VersionError, UnknownDefect) as exc:
        raise UsageError(str(exc)) from None
    except sqlite3.Error as exc:
        raise UsageError(f"--db {args.db}: not a usable SQLite database: {exc}") from None
    # The signal handlers come before the JSON line: whoever reads that line may stop the
    # server at once, and a SIGTERM before the handler would kill it without stopping it.
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        server.start()
    except (OSError, OverflowError) as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {getattr(exc, 'strerror', None) or exc}") from None
    print(json.dumps(server.info), flush=True)
    try:
        stop.wait()
    finally:
        server.stop()
    return EXIT_OK


def site_overrides(items: list[str]) -> dict:
    """``main.suspended=true`` -> {"main": {"suspended": True}}; facts.X values stay strings or numbers."""
    from ..server.fixtures import SEED_SITES
    out: dict = {}
    for item in items:
        key, sep, value = item.partition("=")
        parts = key.strip().split(".")
        if not sep or len(parts) < 2 or parts[0] not in SEED_SITES:
            raise UsageError(f"--set {item!r}: expected SITE.FACT=VALUE with SITE one of {', '.join(SEED_SITES)}")
        site = out.setdefault(parts[0], {})
        if parts[1] in _FLAG_FACTS and len(parts) == 2:
            if value.lower() not in ("true", "false"):
                raise UsageError(f"--set {item!r}: {parts[1]} is true or false")
            site[parts[1]] = value.lower() == "true"
        elif parts[1] == "facts" and len(parts) == 3:
            site.setdefault("facts", {})[parts[2]] = int(value) if value.isdigit() else value
        else:
            raise UsageError(f"--set {item!r}: unknown fact (known: {', '.join(_FLAG_FACTS)}, facts.NAME)")
    return out


COMMAND = Command(
    name="serve",
    help="start the reference server; prints one JSON line, then serves",
    description="Start the reference server (an emulation of a Webex site's XML API at one version) and "
                "print one JSON line with its URL, site and accounts, then serve until interrupted. Use it "
                "to test your own XML API client.",
    add_arguments=add_arguments,
    run=run,
)
