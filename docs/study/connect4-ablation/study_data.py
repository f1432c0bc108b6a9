"""What the issue-14 study scripts read, in one place: a training checkpoint's replay buffer, the
board of a buffer entry as the solver takes it, and the study's labelled positions.

Imported by the scripts beside it (run as `python docs/study/connect4-ablation/SCRIPT.py`, so
this folder is on the import path).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from agents.alphazero.distill import FIELDS, DistillError, plies, training_state  # noqa: F401  (the scripts' one reader)
from agents.alphazero.distill import load_buffer as _load_state


def load_buffer(path: str | Path, fields: tuple[str, ...] = FIELDS) -> dict[str, np.ndarray]:
    """The valid entries of the replay buffer `path` names, in any form `arena distill` takes: a run
    (its newest state), RUN/checkpoints/N, an archived RUN/buffers/N or their `default` folder.
    Raises DistillError (one line) for anything else."""
    return _load_state(training_state(path), fields)


def to_board(planes: np.ndarray) -> np.ndarray:
    """Mover's and opponent's planes -> the games layout (+1 first player), as the solver reads it."""
    mover = 1 if int(planes.sum()) % 2 == 0 else -1  # the layout's stone value for the player to move
    return (planes[..., 0] * mover - planes[..., 1] * mover).astype(np.int8).reshape(-1)


def study_positions(folder: str):
    """(game, the study's labelled positions, their observations [N, rows, cols, 2])."""
    import jax.numpy as jnp

    import games
    from arena.study.positions import Position

    game = games.make("connect4")
    data = json.loads(Path(folder, "positions.json").read_text())["positions"]
    positions = [Position.from_json(p, game) for p in data]
    return game, positions, jnp.stack([game.observation(game.from_moves(p.moves)) for p in positions])
