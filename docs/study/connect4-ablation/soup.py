"""Uniform weight averages ("model soups") of nets of one shape, written as a model folder.

Averaging the weights of snapshots from one training basin (Wortsman et al. 2022, "Model
soups"; SWA, Izmailov et al. 2018) sometimes gives a better net than any of them at no training
cost, so it is checked before any training is spent. The soup is an ordinary model folder (its
card names the ingredients), which `score.sh`, `paired.py` and `measure_candidate.sh` take as
they take any model; `policy_mass.py` reads `A+B+...` as the soup of A, B, ... directly.

    python docs/study/connect4-ablation/soup.py OUT_FOLDER MODEL_FOLDER MODEL_FOLDER...
"""
from __future__ import annotations

import sys

import jax

import games
from agents.checkpoint import CheckpointError, load_model, save_model


def average(paths: list[str], game):
    """(config, graphdef, weights) of the uniform average of the models at `paths`.

    Refuses, with one line (CheckpointError), models of different shapes: their weights do not
    line up, and the networks' nonlinearity makes a soup meaningful only within one basin anyway.
    """
    loaded = [load_model(path, game) for path in paths]
    config, graphdef, _ = loaded[0]
    for path, (other, _, _) in zip(paths, loaded, strict=True):
        if other != config:
            raise CheckpointError(f"{path} is a {other.describe()} net, not the {config.describe()} of "
                                  f"{paths[0]}: a soup needs one shape")
    return config, graphdef, jax.tree.map(lambda *ws: sum(ws) / len(ws), *[params for _, _, params in loaded])


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print("usage: soup.py OUT_FOLDER MODEL_FOLDER MODEL_FOLDER...", file=sys.stderr)
        return 2
    game = games.make("connect4")
    try:
        config, _, params = average(argv[1:], game)
        out = save_model(argv[0], game, config, params, {"soup_of": argv[1:],
                                                         "notes": "uniform average of these models' weights"})
    except CheckpointError as err:
        print(f"soup.py: {err}", file=sys.stderr)
        return 2
    print(f"{out}: the average of {len(argv) - 1} models")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
