"""The subcommands of ``webex-conformance``, one module each; the CLI is built from ``COMMANDS``.

A new subcommand is a module exposing ``COMMAND`` (a ``conformance.command.Command``) and
one line below.
"""
from __future__ import annotations

from ..command import Command
from . import diff, gate

__all__ = ["COMMANDS"]

COMMANDS: tuple[Command, ...] = (
    diff.COMMAND,
    gate.COMMAND,
)
