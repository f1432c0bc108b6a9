"""Can the self-play already played be reused by a bigger network? Distil pooled replay buffers.

Issue 14's fifth round found the 32x3 net underfits: taught the perfect value of every board of
one replay buffer for 12 passes, it still gets the sign of one decided middle-game board in six
wrong on those very boards (`perfect_targets.py fit`), and a 64x3 net fits them better. Growing
the release deeper did not help (run E), and a bigger net from scratch costs its whole self-play
again. This probe trains a fresh net of any size on the union of several runs' last replay
buffers with their own self-play targets (the Gumbel policy and the game result: no solver).

It became `arena distill` (agents/alphazero/distill.py), which made the releases of 2026-12-02
(morning) and 2026-12-03; this script stays so that the commands the study's cards record still
run (and resume the folders they made): the same arguments, the same OUT.

    python docs/study/connect4-ablation/distill.py OUT RUN/checkpoints/N/default... \\
        --channels 64 --blocks 3 --steps 30000 --snapshot-every 2000
"""
from __future__ import annotations

import argparse
import sys

from agents.alphazero.distill import self_play_behind, source, started_from  # noqa: F401  (the study's tests)


def main() -> None:
    from agents.alphazero.distill import DistillError, distill

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("checkpoints", nargs="+", help="training-state folders (RUN/checkpoints/N/default)")
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--colour-plane", action="store_true",
                        help="give the net a third input plane: whether the mover moved first")
    parser.add_argument("--steps", type=int, default=30000)
    parser.add_argument("--snapshot-every", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init-from", default=None,
                        help="start from this model folder (same shape) instead of a fresh net: "
                             "annealing a plateaued self-play net on its own buffers")
    args = parser.parse_args()
    try:
        distill(args.out, args.checkpoints, channels=args.channels, blocks=args.blocks,
                colour_plane=args.colour_plane, steps=args.steps, snapshot_every=args.snapshot_every,
                batch_size=args.batch_size, learning_rate=args.learning_rate, seed=args.seed,
                init_from=args.init_from, command=" ".join(["python", *sys.argv]))
    except DistillError as err:
        raise SystemExit(f"distill.py: {err}") from None


if __name__ == "__main__":
    main()
