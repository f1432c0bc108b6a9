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
