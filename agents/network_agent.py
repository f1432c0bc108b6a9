"""`az` (the policy/value net guiding mctx search) and `policy` (the raw net, no search).

    az[:checkpoint=PATH,sims=N,policy=gumbel|puct,temperature=T,noise=F,c=C,considered=K]
    policy[:checkpoint=PATH,temperature=T]

Without `checkpoint=` both load the released model for the game from `checkpoints/<game>/`;
a missing, damaged or foreign model raises `CheckpointError` with one line saying why.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from agents.base import Agent, Decision
from agents.checkpoint import default_checkpoint, load_model
from agents.mcts_agent import MAX_TEMPERATURE, SearchAgent, parse_settings
from agents.search import NetworkEvaluator, mask_logits
from games import Game, State
from games.spec import parse_float


def resolve_checkpoint(game: Game, options: Mapping[str, str]) -> Path:
    return Path(options["checkpoint"]).expanduser() if "checkpoint" in options else default_checkpoint(game)


def policy_actions(evaluate: NetworkEvaluator, params: Any, states: State, key: jax.Array,
                   temperature: float) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(actions [B], masked probabilities [B, A], values [B]) of the raw net (pure)."""
    logits, value = evaluate(params, states, key)
    logits = mask_logits(logits, jax.vmap(evaluate.game.legal_mask)(states))
    if temperature > 0:
        action = jax.random.categorical(key, logits / temperature, axis=-1)
    else:
        action = jnp.argmax(logits, axis=-1)
    return action.astype(jnp.int32), jax.nn.softmax(logits, axis=-1), value


@functools.lru_cache(maxsize=32)
def _compiled_policy(evaluate: NetworkEvaluator, temperature: float):
    return jax.jit(functools.partial(policy_actions, evaluate, temperature=temperature))


class PolicyAgent(Agent):
    """The raw network: one forward pass per move, no search."""

    batched = True

    def __init__(self, game: Game, spec: str, seed: int, *, graphdef: nnx.GraphDef, params: Any,
                 temperature: float = 0.0) -> None:
        super().__init__(game, spec, seed)
        self.params = params
        self.temperature = temperature
        self._run = _compiled_policy(NetworkEvaluator(game, graphdef), temperature)

    def select_moves(self, states: State, key: jax.Array | None = None) -> np.ndarray:
        key = self._next_key() if key is None else key
        return np.asarray(self._run(self.params, states, key)[0])

    def decide(self, state: State, key: jax.Array | None = None) -> Decision:
        key = self._next_key() if key is None else key
        batch = jax.tree.map(lambda x: jnp.asarray(x)[None], state)
        action, probs, value = jax.device_get(self._run(self.params, batch, key))
        legal = np.asarray(self.game.legal_mask(state))
        probs = np.asarray(probs[0]) * legal
        return Decision(action=int(action[0]), policy=probs, prior=probs, value=float(value[0]))


def make_az(game: Game, options: Mapping[str, str], *, spec: str, seed: int) -> SearchAgent:
    settings = parse_settings(spec, options, sims=200, policy="gumbel")
    _, graphdef, params = load_model(resolve_checkpoint(game, options), game)
    return SearchAgent(game, spec, seed, evaluator=NetworkEvaluator(game, graphdef), params=params,
                       settings=settings)


def make_policy(game: Game, options: Mapping[str, str], *, spec: str, seed: int) -> PolicyAgent:
    temperature = parse_float(options.get("temperature", "0"), key="temperature", spec=spec, minimum=0.0,
                              maximum=MAX_TEMPERATURE)
    _, graphdef, params = load_model(resolve_checkpoint(game, options), game)
    return PolicyAgent(game, spec, seed, graphdef=graphdef, params=params, temperature=temperature)
