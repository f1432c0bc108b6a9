"""Release a trained model: the run's latest checkpoint (or a chosen snapshot) as weights + card.json.

    arena export runs/tictactoe                  # -> checkpoints/tictactoe (used by `az`)
    arena export runs/c4-5x6                     # -> checkpoints/connect4_rows5_cols6_k4 (a variant)
    arena export runs/c4 --to my-models/c4-small # anywhere else
    arena export runs/c4 --snapshot 120          # the weights of iteration 120 (--snapshot-every)

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
    parser.add_argument("--snapshot", type=int, metavar="N",
                        help="export the run's snapshot of iteration N (RUN/snapshots/it-N, saved with "
                        "--snapshot-every) instead of its latest checkpoint: the one a measurement chose")


def run(args: argparse.Namespace) -> int:
    import sys

    from agents.alphazero.export import export_run
    from arena.checks import output_dir

    if args.to is not None:
        output_dir(args.to, "--to")
    if args.snapshot is not None and args.snapshot < 0:
        raise SystemExit("arena export: error: --snapshot must be an iteration >= 0")
    path = export_run(args.run_dir, args.to, snapshot=args.snapshot,
                      on_note=lambda note: print(f"note: {note}", file=sys.stderr))
    print(f"released model written to {path}")
    return 0
