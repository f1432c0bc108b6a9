"""How well does each network's value head know the perfect-play outcome, per phase?

On the study's 3,000 labelled positions: the true outcome for the player to move is the sign of
the best move's exact score. Reports, per bucket, the share of decided positions (win or loss)
whose value has the right sign, and the mean absolute error |v - outcome| over all positions.

    python docs/study/connect4-ablation/value_check.py STUDY_DIR MODEL_FOLDER...
"""
import sys
from pathlib import Path

import numpy as np
from study_data import study_positions

from agents.checkpoint import load_model
from agents.network import apply

game, positions, obs = study_positions(sys.argv[1])
truth = np.sign([p.best for p in positions])
buckets = np.array([p.bucket for p in positions])
for model in sys.argv[2:]:
    _, graphdef, params = load_model(model, game)
    _, value = apply(graphdef, params, obs)
    value = np.asarray(value)
    parts = []
    for b in ("opening", "middle", "end"):
        m = buckets == b
        decided = m & (truth != 0)
        right = np.mean(np.sign(value[decided]) == truth[decided])
        parts.append(f"{b}: sign right {right:.3f} of {decided.sum()} decided, |v-z| {np.mean(np.abs(value[m] - truth[m])):.3f}")
    print(Path(model).name if "it-" not in model else model.split("/")[-3] + "/" + Path(model).name, " | ".join(parts))
