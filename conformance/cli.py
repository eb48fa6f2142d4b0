"""webex-conformance: the conformance suite for the Cisco Webex Meetings XML API.

It runs case files (one per documented change of the release notes) against a Webex site
or the bundled reference server, judges every response against the schemas and rules of
the API version the site claims, and writes results.json, junit.xml and matrix.html.
Without --endpoint or --config a run judges the embedded reference server at every
documented version.

Exit codes: 0 every required check passed; 1 a conformance failure; 2 a usage,
configuration or case-file error, or a run that judged too little; 3 the endpoint could
not be reached (README: "Exit codes").
"""
from __future__ import annotations

import argparse
import difflib
import os
import sys
from typing import Sequence

from . import __version__
from .commands import COMMANDS
from .errors import EXIT_OK, EXIT_USAGE, ConformanceError, exit_code_for, one_line

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """Says which option was meant when one is mistyped, with the subcommand's own usage."""

    def unknown(self, extras: list[str]) -> None:
        known = [s for a in self._actions for s in a.option_strings]
        hints = []
        for word in extras:
            if word.startswith("-"):
                close = difflib.get_close_matches(word.split("=")[0], known, n=1, cutoff=0.6)
                hints.append(f"{word} (did you mean {close[0]}?)" if close else word)
            else:
                hints.append(word)
        self.error("unrecognized arguments: " + " ".join(hints)
                   + ("; arguments for pytest go after --" if self.prog.endswith(" run") else ""))


def build_parser() -> _Parser:
    ap = _Parser(prog="webex-conformance", description=__doc__,
                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", action="version", version=f"webex-conformance {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        p = sub.add_parser(command.name, help=command.help, description=command.description)
        command.add_arguments(p)
        p.set_defaults(func=command.run)
    return ap


def _split_pytest_args(argv: list[str]) -> tuple[list[str], list[str]]:
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    ours, theirs = _split_pytest_args(list(sys.argv[1:] if argv is None else argv))
    try:
        args, extras = parser.parse_known_args(ours)
        if extras:
            sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
            sub.choices[args.command].unknown(extras)
    except SystemExit as exc:  # argparse already printed the usage and the error
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    args.pytest_args = theirs
    if theirs and args.command != "run":
        print(f"webex-conformance {args.command}: error: arguments after -- are for `run` only", file=sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except ConformanceError as exc:
        print(f"webex-conformance: error: {one_line(exc)}", file=sys.stderr)
        return exit_code_for(exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `webex-conformance list | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
