"""Where in the game do a run's stored self-play positions lie? Plies of its replay buffer.

Reads saved training states (a run's newest, RUN/checkpoints/N, an archived RUN/buffers/N), counts
each valid buffer position's stones (the two planes of the mover's observation) and prints how many
positions lie at plies 0-4, 5-12, 13-24 and 25 or more, and how many are the empty board. Issue
14's fourth round used it to see which positions the runs without --carry-unfinished dropped.

    python docs/study/connect4-ablation/buffer_plies.py RUN_A/checkpoints/86 RUN_B/buffers/144
"""
import sys

import numpy as np
from study_data import DistillError, load_buffer, plies

EDGES = ((0, 4), (5, 12), (13, 24), (25, 42))

if not sys.argv[1:] or sys.argv[1] in ("-h", "--help"):
    raise SystemExit(__doc__)
for path in sys.argv[1:]:
    try:
        stones = plies(load_buffer(path, ("observation",))["observation"])
    except DistillError as err:
        raise SystemExit(f"buffer_plies.py: {err}") from None
    counts = np.bincount(stones, minlength=43)
    spans = "  ".join(f"plies {lo}-{hi}: {counts[lo:hi + 1].sum():7,d}" for lo, hi in EDGES)
    print(f"{path}: {len(stones):,} positions  {spans}  empty board: {counts[0]:,}")
