"""Counting the positions a search examines, as it runs, in one unit across agent families.

The unit is *positions examined per move*:

- alpha-beta (`solver:depth=N`) and the exact solver: the solver's own node counter
  (`AnalyzeResult.nodes`: every position the negamax entered, book lookups not included);
- `az`: positions the network evaluated, the root and one per simulation (mctx expands and
  evaluates exactly one leaf per simulation, terminal leaves included);
- `policy`: one forward pass, so 1;
- `mcts`: positions the rollout evaluator was asked about (the root and one per simulation),
  plus every ply of every random playout from them (4 playouts per leaf by default).

Searches run jitted, so the count cannot be read from Python while they run. A
`CountingEvaluator` wraps the agent's own evaluator (the same network or the same rollouts, so
the moves are the ones the agent plays) and reports each batch's counts to a host-side `Tally`
through `jax.debug.callback`, once per simulation. Only the real rows of a padded batch are
kept (`SearchAgent` pads batches to a power of two).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from agents.mcts_agent import SearchAgent
from agents.search import Evaluator, RolloutEvaluator
from games import State


class Tally:
    """Per-position counts of one batched call: evaluations and playout plies (hashable by identity)."""

    def __init__(self) -> None:
        self.evaluations = np.zeros(0, np.int64)  # [B] positions evaluated, per real row
        self.plies = np.zeros(0, np.int64)  # [B] random-playout plies, per real row

    def begin(self, rows: int) -> None:
        """Starts counting a call on `rows` real positions (the padded rows are ignored)."""
        self.evaluations = np.zeros(rows, np.int64)
        self.plies = np.zeros(rows, np.int64)

    def add(self, plies: np.ndarray) -> None:
        """The callback: one evaluation per row, and the playout plies spent on each row."""
        rows = len(self.evaluations)
        self.evaluations += 1
        self.plies += np.asarray(plies, np.int64)[:rows]

    @property
    def examined(self) -> np.ndarray:
        """[B] positions examined per real row: evaluations plus playout plies."""
        return self.evaluations + self.plies


@dataclasses.dataclass(frozen=True)
class CountingEvaluator:
    """`inner`'s priors and values unchanged, with its work reported to `tally`."""

    inner: Evaluator
    tally: Tally

    def __call__(self, params: Any, states: State, key: jax.Array) -> tuple[jax.Array, jax.Array]:
        if isinstance(self.inner, RolloutEvaluator):
            logits, values, plies = self.inner.with_plies(params, states, key)
        else:
            logits, values = self.inner(params, states, key)
            plies = jnp.zeros(states.ply.shape[0], jnp.int32)
        jax.debug.callback(self.tally.add, plies)
        return logits, values


# One tally per process: cells are measured one at a time, and agents that differ only in their
# weights (the snapshots of a training run) then share one compiled search.
TALLY = Tally()


def counting_agent(agent: SearchAgent) -> tuple[SearchAgent, Tally]:
    """The same search agent (spec, seed, weights, settings) with its evaluator counted."""
    counted = SearchAgent(agent.game, agent.spec, agent.seed, evaluator=CountingEvaluator(agent.evaluator, TALLY),
                          params=agent.params, settings=agent.settings)
    return counted, TALLY


def unit_of(family: str) -> str:
    """What 'positions examined' means for a family, in the words the outputs use."""
    return {
        "alpha-beta": "search nodes (solver node counter)",
        "perfect": "search nodes (solver node counter, no opening book)",
        "az-gumbel": "network evaluations (root + one per simulation)",
        "az-puct": "network evaluations (root + one per simulation)",
        "policy": "network evaluations (one forward pass)",
        "mcts": "evaluated positions (root + one per simulation) + random-playout plies",
        "random": "none",
    }[family]
