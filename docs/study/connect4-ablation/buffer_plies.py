"""Where in the game do a run's stored self-play positions lie? Plies of its replay buffer.

Reads orbax training-state folders (RUN/checkpoints/N/default), counts each valid buffer position's
stones (the two planes of the mover's observation) and prints how many positions lie at plies 0-4,
5-12, 13-24 and 25 or more, and how many are the empty board. Issue 14's fourth round used it to
see which positions the runs without --carry-unfinished dropped.

    python docs/study/connect4-ablation/buffer_plies.py RUN_A/checkpoints/86/default RUN_B/checkpoints/86/default
"""
import sys

import numpy as np
import orbax.checkpoint as ocp

EDGES = ((0, 4), (5, 12), (13, 24), (25, 42))

for path in sys.argv[1:]:
    with ocp.StandardCheckpointer() as checkpointer:
        state = checkpointer.restore(path)
    valid = np.asarray(state["['buffer'].valid"]).astype(bool)
    observation = np.asarray(state["['buffer'].data.observation"])[valid]
    plies = np.rint(observation.reshape(len(observation), -1).sum(1)).astype(int)
    counts = np.bincount(plies, minlength=43)
    spans = "  ".join(f"plies {lo}-{hi}: {counts[lo:hi + 1].sum():7,d}" for lo, hi in EDGES)
    print(f"{path}: {len(plies):,} positions  {spans}  empty board: {counts[0]:,}")
