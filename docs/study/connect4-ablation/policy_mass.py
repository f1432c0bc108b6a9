"""How sure and how right is each network's raw policy, per phase of the study's positions?

For every model and bucket: the raw policy's mistakes (its top move loses value), the mean
probability of its top move, the mean probability it puts on moves that keep the best outcome,
and the top move's probability where it is a mistake. Separates a flat policy (good moves share
the mass; the argmax is fragile) from a wrong one (mass on bad moves).

    python docs/study/connect4-ablation/policy_mass.py STUDY_DIR MODEL_FOLDER...
"""
import sys
from pathlib import Path

import numpy as np
from study_data import study_positions

from agents.checkpoint import load_model
from agents.network import apply

game, positions, obs = study_positions(sys.argv[1])
legal = np.array([[s is not None for s in p.scores] for p in positions])
outcome = np.array([[np.sign(s) if s is not None else -9 for s in p.scores] for p in positions])
best = outcome.max(axis=1)
keeps = outcome == best[:, None]
buckets = np.array([p.bucket for p in positions])
for model in sys.argv[2:]:
    _, graphdef, params = load_model(model, game)
    logits, _ = apply(graphdef, params, obs)
    logits = np.where(legal, np.asarray(logits), -1e9)
    prob = np.exp(logits - logits.max(axis=1, keepdims=True))
    prob /= prob.sum(axis=1, keepdims=True)
    mistake = ~keeps[np.arange(len(prob)), prob.argmax(axis=1)]
    name = model.split("/")[-3] + "/" + Path(model).name if "it-" in model else Path(model).name
    for b in ("opening", "middle", "end"):
        m = buckets == b
        print(f"{name} {b:7s}: {mistake[m].sum():3d} mistakes | top move's probability {prob[m].max(axis=1).mean():.2f} "
              f"(where a mistake {prob[m & mistake].max(axis=1).mean():.2f}) | mass on outcome-keeping moves "
              f"{(prob[m] * keeps[m]).sum(axis=1).mean():.2f} | outcome-keeping moves per position {keeps[m].sum(axis=1).mean():.2f}")
