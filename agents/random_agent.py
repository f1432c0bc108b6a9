"""The `random` agent: a uniformly random legal move, batched in one jitted call."""

from __future__ import annotations

from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np

from agents.base import Agent, Decision
from games import Game, State


def random_actions(game: Game, states: State, key: jax.Array) -> jax.Array:
    """[B] uniformly random legal actions for batched states (pure, jit-able)."""
    legal = jax.vmap(game.legal_mask)(states)
    logits = jnp.where(legal, 0.0, -jnp.inf)
    return jax.random.categorical(key, logits, axis=-1).astype(jnp.int32)


def random_line(game: Game, plies: int, rng: np.random.Generator) -> list[int]:
    """Up to `plies` uniformly random legal moves from the initial position (0-based actions).

    A move that would end the game is not played: the line stops one ply short instead, so
    every prefix is a position still to be played. One draw of `rng` per move tried, so a seed
    gives the same line wherever it is drawn: tournament openings (arena/openings.py), the
    search bench's latency positions, training evaluation's positions on unlabelled boards.
    (Self-play's in-jit openings, agents/alphazero/selfplay.py, skip such a move and go on.)
    """
    state = game.init()
    actions: list[int] = []
    for _ in range(plies):
        legal = game.legal_actions(state)
        action = int(legal[int(rng.integers(len(legal)))])
        after = game.play(state, action)
        if bool(after.terminal):
            break
        state = after
        actions.append(action)
    return actions


class RandomAgent(Agent):
    batched = True

    def __init__(self, game: Game, spec: str = "random", seed: int = 0) -> None:
        super().__init__(game, spec, seed)
        self._choose = jax.jit(lambda states, key: random_actions(game, states, key))

    def decide(self, state: State, key: jax.Array | None = None) -> Decision:
        batch = jax.tree.map(lambda x: jnp.asarray(x)[None], state)
        action = int(self.select_moves(batch, key)[0])
        legal = np.asarray(self.game.legal_mask(state), np.float32)
        return Decision(action=action, policy=legal / max(legal.sum(), 1.0))

    def select_moves(self, states: State, key: jax.Array | None = None) -> np.ndarray:
        key = self._next_key() if key is None else key
        return np.asarray(self._choose(states, key))


def make_random(game: Game, options: Mapping[str, str], *, spec: str, seed: int) -> RandomAgent:
    return RandomAgent(game, "random", seed)
