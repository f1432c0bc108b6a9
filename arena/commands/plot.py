"""Plot a training run's curves (losses, mistake rates, throughput) to a PNG.

    arena plot runs/tictactoe            # -> runs/tictactoe/training.png
"""

from __future__ import annotations

import argparse

NAME = "plot"
HELP = "PNG curves of a training run"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", help="training run directory (with metrics.jsonl)")
    parser.add_argument("--out", help="PNG path (default RUN_DIR/training.png)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from arena.training_plots import plot_run
    from games import SuiteError

    if not Path(args.run_dir).is_dir():
        raise SuiteError(f"run directory {args.run_dir} is not a folder; give the --out folder of `arena train`")
    print(f"wrote {plot_run(args.run_dir, args.out)}")
    return 0
