"""One subcommand of the ``webex-conformance`` CLI.

The CLI builds its parser from a registered list of these, so a new command is one module
(exposing ``COMMAND``) plus one line in the list (``conformance.commands``).
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Callable

__all__ = ["Command"]


@dataclass(frozen=True)
class Command:
    name: str
    help: str                                              # one line, for the command list
    description: str                                       # the whole story, for `NAME --help`
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]               # returns a documented exit code
