"""How often are a run's value *targets* wrong, against perfect play, per phase?

The value head learns the self-play result of each position's game. Where later moves in that game
throw the result away, the target is wrong; this measures how often. For every position in the
replay buffer of a training checkpoint (or a seeded sample of `--per-phase` of them per phase) it
rebuilds the board from the mover's planes, solves it exactly (this project's solver with its book)
and compares the outcome for the mover (loss/draw/win) with the target's sign.

    python docs/study/connect4-ablation/target_check.py RUN/checkpoints/N/default [--per-phase N]

The positions of one game share its result, so they are not independent samples: read the shares
as properties of a few hundred games, not of thousands of positions.
"""
import argparse
import time

import numpy as np
from study_data import load_buffer, to_board
from study_data import plies as entry_plies

from agents.solver.solver import Solver, outcome_class
from arena.study.positions import CONNECT4_BUCKETS  # the study's phases, by plies

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("checkpoint", help="an orbax training-state folder, e.g. RUN/checkpoints/90/default")
parser.add_argument("--per-phase", type=int, default=0, help="sample this many positions per phase (0: all)")
args = parser.parse_args()

buffer = load_buffer(args.checkpoint, ("observation", "value"))
planes, targets = buffer["observation"], buffer["value"]  # planes [N, rows, cols, 2]: mover's, opponent's
plies = entry_plies(planes)
solver = Solver("connect4")
rng = np.random.default_rng(0)
print(f"{args.checkpoint}: {len(planes)} positions in the buffer")
for name, (lo, hi) in CONNECT4_BUCKETS.items():
    index = np.flatnonzero((plies >= lo) & (plies <= hi))
    if args.per_phase:
        index = rng.choice(index, size=min(args.per_phase, index.size), replace=False)
    counts = np.zeros((3, 3), int)  # [perfect-play outcome, target's sign], each loss/draw/win
    start = time.perf_counter()
    for i in index:
        truth = outcome_class(solver.solve(to_board(planes[i])).score) + 1
        counts[truth, int(np.sign(np.round(targets[i], 6))) + 1] += 1
    decided = counts[[0, 2]].sum()
    flipped = counts[0, 2] + counts[2, 0]
    print(f"  {name:7s} {counts.sum():5d} positions: target agrees {np.trace(counts) / counts.sum():.1%}; "
          f"wrong sign on decided {flipped}/{decided} ({flipped / max(decided, 1):.1%}); "
          f"drawn given a decided target {counts[1, [0, 2]].sum()}/{counts[1].sum()} "
          f"({time.perf_counter() - start:.0f} s)")
