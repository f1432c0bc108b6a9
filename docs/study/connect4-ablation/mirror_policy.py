"""Does averaging the raw policy with its mirror image fix raw-policy mistakes?

Connect four is symmetric under a left-right mirror, and every net here was trained on
mirror-augmented batches, so a net's policy for a board and for its mirror should agree; where
they do not, averaging the two (log-probabilities, the mirrored one flipped back) is the usual
test-time symmetry trick. This scores, on the study's 3,000 labelled positions, each model's raw
policy alone and averaged with its mirror: mistakes in all and per phase (opening/middle/end), a
mistake being a move whose Pons score has a worse sign (win, draw, loss) than the best move's.

    python docs/study/connect4-ablation/mirror_policy.py checkpoints/connect4 docs/study/connect4-ablation/models/L64-it120
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

POSITIONS = Path("docs/study/connect4/positions.csv")
PHASES = ("opening", "middle", "end")


def main() -> None:
    import jax
    import jax.numpy as jnp

    import games
    from agents.checkpoint import load_model
    from agents.network import apply

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="model folders")
    args = parser.parse_args()
    game = games.make("connect4")
    rows = list(csv.DictReader(POSITIONS.open()))
    obs = jnp.stack([game.observation(game.from_moves(r["moves"])) for r in rows])
    scores = np.array([[np.nan if r[f"score_{c}"] == "" else float(r[f"score_{c}"]) for c in range(1, 8)]
                       for r in rows])
    legal = ~np.isnan(scores)  # a full column has no score
    outcome = np.sign(np.nan_to_num(scores, nan=-99.0))
    best = np.max(np.where(legal, outcome, -2.0), axis=1)
    phase = np.array([r["bucket"] for r in rows])
    for model in args.models:
        _, graphdef, params = load_model(model, game)
        logits, _ = apply(graphdef, params, obs)
        mirrored, _ = apply(graphdef, params, obs[:, :, ::-1, :])  # columns reversed
        plain = jax.nn.log_softmax(jnp.where(legal, logits, -1e9))
        flipped = jax.nn.log_softmax(jnp.where(legal, mirrored[:, ::-1], -1e9))
        for name, policy in (("raw", plain), ("raw + mirror", (plain + flipped) / 2)):
            move = np.asarray(jnp.argmax(jnp.where(legal, policy, -1e9), axis=1))
            wrong = outcome[np.arange(len(move)), move] < best
            per_phase = "/".join(str(int(wrong[phase == p].sum())) for p in PHASES)
            print(f"{model}: {name}: {int(wrong.sum())} mistakes of {len(rows):,} ({per_phase})")


if __name__ == "__main__":
    main()
