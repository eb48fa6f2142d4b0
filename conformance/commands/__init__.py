"""The subcommands of ``webex-conformance``, one module each; the CLI is built from ``COMMANDS``.

A new subcommand is a module exposing ``COMMAND`` (a ``conformance.command.Command``) and
one line below.
"""
from __future__ import annotations

from ..command import Command
from . import cleanup, defects, diff, gate, list as list_, replay, report, run, serve, validate

__all__ = ["COMMANDS"]

COMMANDS: tuple[Command, ...] = (
    run.COMMAND,
    list_.COMMAND,
    validate.COMMAND,
    replay.COMMAND,
    serve.COMMAND,
    defects.COMMAND,
    report.COMMAND,
    diff.COMMAND,
    gate.COMMAND,
    cleanup.COMMAND,
)
