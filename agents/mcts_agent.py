"""`mcts`: classic MCTS (uniform priors, random-rollout values), and the shared search agent.

`SearchAgent` turns any evaluator into an agent: `select_moves` is one jitted mctx search for
the whole batch, and `decide` returns what the search saw (visits, Q, root value, prior) for
the window and analysis tools. `az` (agents/network_agent.py) is the same agent with a net.
Both agents' options (sims, policy, rollouts, ...) are declared once, in agents/registry.py.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from agents.base import Agent, Decision, pad_batch
from agents.search import Evaluator, RolloutEvaluator, SearchOutput, SearchSettings, compiled_search
from games import Game, State


def _one(state: State) -> State:
    return jax.tree.map(lambda x: jnp.asarray(x)[None], state)


def bucket(size: int) -> int:
    """The padded batch size: the next power of two, so a match whose games finish one by
    one compiles a handful of searches instead of one per remaining batch size."""
    return 1 << max(size - 1, 0).bit_length()


class SearchAgent(Agent):
    """An mctx search over `evaluator`; batched, deterministic for a given seed and call order."""

    batched = True

    def __init__(self, game: Game, spec: str, seed: int, *, evaluator: Evaluator, params: Any,
                 settings: SearchSettings) -> None:
        super().__init__(game, spec, seed)
        self.evaluator = evaluator
        self.params = params
        self.settings = settings
        self._search = compiled_search(game, evaluator, settings)

    def search(self, states: State, key: jax.Array | None = None) -> SearchOutput:
        """The full search output for batched states (device arrays)."""
        key = self._next_key() if key is None else key
        size = int(states.ply.shape[0])
        out = self._search(self.params, pad_batch(states, bucket(size)), key)
        return jax.tree.map(lambda x: x[:size], out)

    def select_moves(self, states: State, key: jax.Array | None = None) -> np.ndarray:
        return np.asarray(self.search(states, key).action)

    def decide(self, state: State, key: jax.Array | None = None) -> Decision:
        out = jax.device_get(self.search(_one(state), key))
        legal = np.asarray(self.game.legal_mask(state))
        visits = np.asarray(out.visits[0])
        q = np.where(legal & (visits > 0), np.asarray(out.q_values[0], np.float64), np.nan)
        action = int(out.action[0])
        # The position's value is the chosen move's q, not the root's backed-up mean: Gumbel's
        # sequential halving spends many visits on moves it will not play, which would drag
        # the mean (and the window's win bar) toward them.
        value = float(q[action]) if np.isfinite(q[action]) else float(out.root_value[0])
        return Decision(
            action=action,
            policy=np.asarray(out.action_weights[0]) * legal,
            visits=visits,
            q_values=q,
            value=value,
            prior=np.asarray(out.prior[0]),
            info={"simulations": self.settings.num_simulations, "search": self.settings.policy},
        )


def make_mcts(game: Game, *, spec: str, seed: int, settings: SearchSettings, rollouts: int) -> SearchAgent:
    """`mcts`: the search over random playouts (its options are declared in agents/registry.py)."""
    return SearchAgent(game, spec, seed, evaluator=RolloutEvaluator(game, rollouts), params=None,
                       settings=settings)
