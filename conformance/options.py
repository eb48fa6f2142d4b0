"""The run options, in one table that both front ends are built from.

``webex-conformance run`` (argparse) and plain ``pytest`` (the plugin's ``addoption``) read
the same rows, so an option has one name, one default and one help text both ways.  Where
pytest or a common plugin already owns a name (``-c/--config-file`` next to ``--config``,
pytest-playwright's ``--output``) the pytest side uses ``pytest_name`` and the CLI accepts
that name too.  Rows marked ``forward`` belong to pytest or a plugin (``-k``, ``-n``...):
the CLI accepts them for convenience and hands them on as they are.

Add an option here, once; read it as ``options.<dest>`` from an argparse namespace or a
pytest ``config.option`` alike.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any, Callable, Iterable

__all__ = ["Option", "OPTIONS", "FLAG", "LIST", "add_to_argparse", "add_to_pytest", "pytest_args",
           "for_command"]

FLAG = "flag"   # a switch: present or not
LIST = "list"   # repeatable: every occurrence is kept, in order

RUN = ("run",)
EMBEDDED_TRANSPORTS = ("wsgi", "http")   # conformance.embedded: how the embedded server is reached
TARGETS = ("run", "replay")   # commands that resolve targets the way a run does


def embedded_transport(text: str) -> str:
    """``--embedded-transport``'s value, or argparse's one-line usage error."""
    if text not in EMBEDDED_TRANSPORTS:
        raise argparse.ArgumentTypeError(f"{text!r}: one of {', '.join(EMBEDDED_TRANSPORTS)}")
    return text


@dataclass(frozen=True)
class Option:
    name: str                                    # the CLI's name, e.g. "--endpoint"
    type: Callable[[str], Any] | str             # a converter, FLAG or LIST
    default: Any
    help: str
    metavar: str | None = None
    pytest_name: str | None = None               # when pytest or a plugin owns ``name``
    commands: tuple[str, ...] = RUN              # CLI subcommands that take it
    forward: bool = False                        # pytest's own: the CLI passes it on verbatim
    short: str | None = None                     # a one-letter alias, e.g. "-x"

    @property
    def dest(self) -> str:
        """One attribute name in both namespaces: the name pytest sees, without dashes."""
        return (self.pytest_name or self.name).lstrip("-").replace("-", "_")

    def flags(self, *, for_pytest: bool) -> list[str]:
        names = [self.short] if self.short else []
        if for_pytest:
            return names + [self.pytest_name or self.name]
        return names + [self.name] + ([self.pytest_name] if self.pytest_name else [])

    def kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {"dest": self.dest, "help": self.help}
        if self.type == FLAG:
            kw.update(action="store_true", default=bool(self.default))
        elif self.type == LIST:
            kw.update(action="append", default=list(self.default or []), metavar=self.metavar)
        else:
            kw.update(type=self.type, default=self.default, metavar=self.metavar)
        return kw


OPTIONS: tuple[Option, ...] = (
    # ------------------------------------------------------------------ what is judged
    Option("--endpoint", str, None, "XML API endpoint to judge (default: the embedded reference server)",
           metavar="URL", commands=TARGETS),
    Option("--api-version", LIST, [], "version to judge the target as (repeatable); without --endpoint: "
           "the versions the embedded server emulates (default: the latest, or every documented version "
           "from the CLI)", metavar="V", commands=TARGETS),
    Option("--all-versions", FLAG, False, "embedded server: judge every documented version", commands=TARGETS),
    Option("--config", str, None, "targets file, webex-conformance.toml (plain pytest: the root's one, "
           "if present)", metavar="FILE", pytest_name="--conformance-config", commands=TARGETS),
    Option("--target", LIST, [], "only this target of the configuration file (repeatable)", metavar="NAME",
           commands=TARGETS),
    Option("--schema-dir", str, None, "judge with this XSD bundle (e.g. the official download)", metavar="DIR",
           commands=TARGETS),
    Option("--site-name", str, None, "site name for --endpoint (default: $WEBEX_SITE_NAME)", metavar="NAME",
           commands=TARGETS),
    Option("--cases-dir", str, None, "case files (default: the project's cases/)", metavar="DIR",
           commands=TARGETS),
    Option("--server-defect", LIST, [], "start the embedded reference server with this seeded defect "
           "(repeatable; see `webex-conformance defects`)", metavar="NAME", commands=TARGETS),
    Option("--embedded-transport", embedded_transport, "wsgi", "how the embedded server is reached: wsgi "
           "(default: its application called in each process that runs cases, no socket) or http (servers "
           "on loopback in host processes of their own)", metavar="wsgi|http", commands=TARGETS),
    # ------------------------------------------------------------------ where reports go
    Option("--output", str, None, "directory for results.json, junit.xml and matrix.html (default: a new "
           "reports/<UTC time>/, with reports/latest pointing at it)", metavar="DIR",
           pytest_name="--conformance-output"),
    # ------------------------------------------------------------------ when a run passes
    Option("--min-checks", int, None, "fail the run (exit 2) when fewer checks than this were judged "
           "(default 1: a run that judged nothing never passes; config key run.min_checks)", metavar="N"),
    Option("--fail-on-skip", FLAG, False, "count skipped cases as failures, for pipelines that want every "
           "case judged (config key run.fail_on_skip)"),
    # ------------------------------------------------------------------ writing to a site
    Option("--allow-writes", FLAG, False, "let cases that create, change or delete run against a "
           "non-embedded endpoint (everything is undone at the end of each case)", commands=TARGETS),
    Option("--i-know-this-is-production", FLAG, False, "with --allow-writes: also write to a target marked "
           "production", commands=TARGETS),
    Option("--max-writes", int, None, "cap on the writes the run's cases may make (cleanup is not counted)",
           metavar="N"),
    # ------------------------------------------------------------------ boundary tests (docs/BOUNDARIES.md)
    Option("--limits-dir", str, None, "limit files for the boundary tests (default: limits/ beside the cases)",
           metavar="DIR"),
    Option("--boundary-database", str, None, "example database of boundary failures, tried first next run "
           "(default: .hypothesis/boundary at the root; not with --hypothesis-profile ci)", metavar="DIR"),
    Option("--hypothesis-seed", str, None, "replay the boundary tests' search with this seed (every run "
           "prints its own)", metavar="N", forward=True),
    Option("--hypothesis-profile", str, None, "boundary search effort: dev (default), ci (derandomized, no "
           "database) or thorough", metavar="NAME", forward=True),
    # ------------------------------------------------------------------ pytest's own, forwarded
    Option("-k", str, None, "select cases by a pytest -k expression (case id, API, kind, version)",
           metavar="EXPR", forward=True),
    Option("-m", str, None, "select cases by marker expression (kind_limit, api_GetSite, requires_meeting...)",
           metavar="MARKEXPR", forward=True),
    Option("-n", str, None, "parallel workers (pytest-xdist: a number or auto)", metavar="N", forward=True),
    Option("--exitfirst", FLAG, False, "stop at the first failure", short="-x", forward=True),
)


def for_command(command: str, options: Iterable[Option] = OPTIONS) -> list[Option]:
    return [o for o in options if command in o.commands]


def add_to_argparse(parser: argparse.ArgumentParser, command: str, options: Iterable[Option] = OPTIONS) -> None:
    """The options of one CLI subcommand, by the table."""
    for o in for_command(command, options):
        parser.add_argument(*o.flags(for_pytest=False), **o.kwargs())


def add_to_pytest(group: Any, options: Iterable[Option] = OPTIONS) -> None:
    """The plugin's ``addoption``s, by the same table (pytest's own rows are skipped)."""
    for o in options:
        if not o.forward:
            group.addoption(*o.flags(for_pytest=True), **o.kwargs())


def pytest_args(ns: argparse.Namespace, command: str = "run", options: Iterable[Option] = OPTIONS) -> list[str]:
    """A CLI namespace back as pytest arguments: only what differs from the default."""
    out: list[str] = []
    for o in for_command(command, options):
        value = getattr(ns, o.dest, o.default)
        flag = o.short if (o.forward and o.short) else (o.pytest_name or o.name)
        if o.type == FLAG:
            out += [flag] if value else []
        elif o.type == LIST:
            for v in value or []:
                out += [flag, str(v)]
        elif value is not None and value != o.default:
            out += [flag, str(value)]
    return out

