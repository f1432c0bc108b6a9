"""`mcts`: classic MCTS (uniform priors, random-rollout values), and the shared search agent.

`SearchAgent` turns any evaluator into an agent: `select_moves` is one jitted mctx search for
the whole batch, and `decide` returns what the search saw (visits, Q, root value, prior) for
the window and analysis tools. `az` (agents/network_agent.py) is the same agent with a net.

    mcts[:sims=N,policy=puct|gumbel,rollouts=R,temperature=T,noise=F,c=C,scale=fixed|minmax,considered=K]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from agents.base import Agent, Decision, pad_batch
from agents.search import (
    POLICIES,
    VALUE_SCALES,
    Evaluator,
    RolloutEvaluator,
    SearchOutput,
    SearchSettings,
    compiled_search,
)
from games import Game, SpecError, State
from games.game import MAX_CELLS
from games.spec import parse_float, parse_int

# Four playouts per leaf (batched inside JAX, so cheap) and Q on a fixed [-1, 1] scale: against
# OpenSpiel's MCTSBot at 1000 simulations this scored 8/10 where one playout scored 4.5/10 and
# mctx's min-max Q scaling 0/10 (see the search bench notes in the README).
DEFAULT_ROLLOUTS = 4
# Upper bounds of the options, so that nothing absurd reaches JAX: a temperature of 100 is
# already uniform sampling; a million simulations is hours per move on any machine.
MAX_TEMPERATURE = 100.0
MAX_SIMULATIONS = 1_000_000


def parse_settings(spec: str, options: Mapping[str, str], *, sims: int, policy: str, c: str = "1.25",
                   scale: str = "minmax") -> SearchSettings:
    """The search options shared by `mcts` and `az`, with defaults, checked one by one."""
    chosen = options.get("policy", policy).lower()
    if chosen not in POLICIES:
        raise SpecError(f"option policy={chosen!r} in {spec!r} is not valid; valid: {', '.join(POLICIES)}")
    value_scale = options.get("scale", scale).lower()
    if value_scale not in VALUE_SCALES:
        raise SpecError(f"option scale={value_scale!r} in {spec!r} is not valid; valid: {', '.join(VALUE_SCALES)}")
    return SearchSettings(
        num_simulations=parse_int(options.get("sims", str(sims)), key="sims", spec=spec, minimum=1,
                                  maximum=MAX_SIMULATIONS),
        policy=chosen,
        temperature=parse_float(options.get("temperature", "0"), key="temperature", spec=spec, minimum=0.0,
                                maximum=MAX_TEMPERATURE),
        dirichlet_fraction=parse_float(options.get("noise", "0"), key="noise", spec=spec, minimum=0.0, maximum=1.0),
        value_scale=value_scale,
        pb_c_init=parse_float(options.get("c", c), key="c", spec=spec, minimum=0.0, maximum=1000.0),
        max_num_considered_actions=parse_int(options.get("considered", "16"), key="considered",
                                             spec=spec, minimum=1, maximum=MAX_CELLS),
    )


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


def make_mcts(game: Game, options: Mapping[str, str], *, spec: str, seed: int) -> SearchAgent:
    settings = parse_settings(spec, options, sims=800, policy="puct", scale="fixed")
    rollouts = parse_int(options.get("rollouts", str(DEFAULT_ROLLOUTS)), key="rollouts", spec=spec, minimum=0, maximum=1024)
    return SearchAgent(game, spec, seed, evaluator=RolloutEvaluator(game, rollouts), params=None,
                       settings=settings)
