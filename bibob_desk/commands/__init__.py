"""Sub-commands of ``bibob-desk``; each module adds its own parsers in ``register``."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

# One module per group of commands. A module has ``register(subparsers)``.
COMMAND_MODULES = (
    "bibob_desk.commands.cases",
    "bibob_desk.commands.demo",
    "bibob_desk.commands.screenshot",
    "bibob_desk.commands.check",
    "bibob_desk.commands.deadline",
    "bibob_desk.commands.tips",
    "bibob_desk.commands.users",
    "bibob_desk.commands.audit",
    "bibob_desk.commands.backup",
    "bibob_desk.commands.retention",
    "bibob_desk.commands.letter",
    "bibob_desk.commands.export",
    "bibob_desk.commands.approve",
    "bibob_desk.commands.report",
    "bibob_desk.commands.settings",
    "bibob_desk.commands.register_import",
    "bibob_desk.commands.parties",
    "bibob_desk.commands.relations",
    "bibob_desk.commands.policy",
)


def register_all(subparsers: argparse._SubParsersAction[Any]) -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
