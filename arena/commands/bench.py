"""Benchmarks that print figures and ratios (never timed assertions in tests).

Targets: engine (batched random playouts), and, as they land, solver, search, selfplay.
"""

from __future__ import annotations

import argparse
import importlib

NAME = "bench"
HELP = "benchmarks: engine, solver, search, selfplay"
TARGETS = ("engine", "solver", "search", "selfplay")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="target", metavar="TARGET", required=True)
    for target in TARGETS:
        try:
            module = importlib.import_module(f"arena.bench.{target}")
        except ModuleNotFoundError as err:
            if err.name != f"arena.bench.{target}":
                raise
            continue
        child = sub.add_parser(target, help=module.HELP, description=module.__doc__,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(child)
        child.set_defaults(_bench=module.run)


def run(args: argparse.Namespace) -> int:
    return int(args._bench(args) or 0)
