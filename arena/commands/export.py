"""Release a trained model: the run's latest checkpoint as weights + card.json.

    arena export runs/tictactoe                  # -> checkpoints/tictactoe (used by `az`)
    arena export runs/c4-5x6                     # -> checkpoints/connect4_rows5_cols6_k4 (a variant)
    arena export runs/c4 --to my-models/c4-small # anywhere else

Without --to the model goes to the model store ($KINROW_CHECKPOINTS, else checkpoints/), in
the run's board's own folder, where `az`, `arena play` and `arena tournament` look for it.
"""

from __future__ import annotations

import argparse

NAME = "export"
HELP = "write a released model (weights + card) from a training run"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", help="training run directory")
    parser.add_argument("--to", help="model folder to write (default: the board's folder in the model store, "
                        "checkpoints/connect4, checkpoints/tictactoe, or e.g. checkpoints/connect4_rows5_cols6_k4)")


def run(args: argparse.Namespace) -> int:
    import sys

    from agents.alphazero.export import export_run
    from arena.checks import output_dir

    if args.to is not None:
        output_dir(args.to, "--to")
    path = export_run(args.run_dir, args.to, on_note=lambda note: print(f"note: {note}", file=sys.stderr))
    print(f"released model written to {path}")
    return 0
