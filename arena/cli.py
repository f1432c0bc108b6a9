"""The `arena` command: parse, call, print. The work lives in the modules it calls."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from arena.commands import COMMANDS

# Commands whose arguments are agent specs: their --help ends with every agent and its options,
# written from the registry's one declaration of each option (agents.describe_agents).
AGENT_COMMANDS = ("play", "tournament", "match", "eval", "study")


def _available_commands() -> list:
    modules = []
    for name in COMMANDS:
        try:
            modules.append(importlib.import_module(f"arena.commands.{name}"))
        except ModuleNotFoundError as err:
            if err.name != f"arena.commands.{name}":
                raise
    return modules


class OneLineParser(argparse.ArgumentParser):
    """argparse with the project's error form: one line `arena CMD: error: ...`, exit status 2.

    argparse prints a usage block before its errors; every other refusal of the command is one
    line naming the input and what is valid, so its own are too (`--help` shows the usage).
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="arena",
        description="Game-playing agents that combine a learned policy with search: "
        "tic-tac-toe and connect four, with perfect solvers to judge them.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _available_commands():
        child = sub.add_parser(module.NAME, help=module.HELP, description=module.__doc__,
                               epilog=_agents_help() if module.NAME in AGENT_COMMANDS else None,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(child)
        child.set_defaults(_run=module.run)
    return parser


def _agents_help() -> str:
    from agents import describe_agents

    return "agent specs: NAME[:OPTION=VALUE,...]\n" + describe_agents()


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("kinrow")
    except Exception:  # noqa: BLE001 - running from a source tree without metadata
        return "dev"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: user errors print one line and exit 2; Ctrl-C exits 130."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from games.errors import SuiteError

    try:
        from agents.compile_cache import enable_compilation_cache

        enable_compilation_cache()
        return int(args._run(args) or 0)
    except SuiteError as err:
        print(f"arena {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"arena {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
