"""What the issue-14 study scripts read, in one place: a training checkpoint's replay buffer, the
board of a buffer entry as the solver takes it, the study's labelled positions, fresh self-play
games of one net played as the trainer plays them, and a net's search targets on stored boards.

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


def fresh_selfplay(game, graphdef, params, games: int, simulations: int, seed: int, opening_plies: int,
                   bootstrap: str = "root"):
    """One rollout of `games` self-play games (42 moves each, host arrays [T, B, ...]) of the loaded
    net (`agents.checkpoint.load_model`), played as the trainer plays them: the Gumbel search with temperature 1 on every move,
    after 0..`opening_plies` random moves that are not recorded. `bootstrap` picks the recorded
    `root_value`: the root's value (the mean of every simulation, the trainer's) or, with "best",
    the Q of the most visited move. A slot whose game ends starts another after a fresh random opening."""
    import jax
    import jax.numpy as jnp

    from agents.alphazero.selfplay import random_openings, rollout
    from agents.search import NetworkEvaluator, run_search
    from agents.search_settings import SearchSettings

    evaluate = NetworkEvaluator(game, graphdef)
    settings = SearchSettings(num_simulations=simulations, policy="gumbel", temperature=1.0)

    def search_fn(params, states, key):
        out = run_search(game, evaluate, params, states, key, settings=settings)
        if bootstrap == "root":
            return out.action, out.action_weights, out.root_value
        best = jnp.argmax(out.visits, axis=-1)
        return out.action, out.action_weights, jnp.take_along_axis(out.q_values, best[:, None], axis=-1)[:, 0]

    k_open, k_play = jax.random.split(jax.random.key(seed))
    states = random_openings(game, games, k_open, opening_plies)
    play = jax.jit(lambda p, s, k: rollout(game, search_fn, p, s, k, game.config.num_cells, opening_plies)[1])
    return jax.device_get(play(params, states, k_play))


def search_targets(game, graphdef, settings):
    """A jitted `(params, observation [B, rows, cols, 2], key) -> policy target [B, A]`: the search's
    `action_weights` on each board, its state rebuilt from the observation as the trainer's Reanalyse
    rebuilds stored positions. `settings` is a SearchSettings (the trainer's Gumbel search, or the
    `az` agent's noise-free one); callers batch and pad, one shape compiling once."""
    import jax

    from agents.search import NetworkEvaluator, run_search

    evaluate = NetworkEvaluator(game, graphdef)
    rebuild = jax.vmap(game.from_observation)
    return jax.jit(lambda params, observation, key: run_search(
        game, evaluate, params, rebuild(observation), key, settings=settings).action_weights)
