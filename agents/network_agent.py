"""`az` (the policy/value net guiding mctx search) and `policy` (the raw net, no search).

Their options (checkpoint, sims, policy, temperature, ...) are declared once, in
agents/registry.py. Without `checkpoint=` both load the game's released model from the model store
(`agents.checkpoint.default_checkpoint`); a missing, damaged or foreign model raises
`CheckpointError` with one line saying why. `network_agent` builds either one over weights
already in memory (training evaluation, benches), with no model folder written and read back.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from agents.base import Agent, Decision
from agents.checkpoint import CheckpointError, default_checkpoint, load_model
from agents.mcts_agent import SearchAgent
from agents.network import NetworkConfig, abstract_network
from agents.registry import REGISTRY
from agents.search import NetworkEvaluator, SearchSettings, mask_logits
from games import Game, SpecError, State, parse_spec

Network = tuple[nnx.GraphDef, Any]  # (graphdef, params): a net in split form, ready to run


def resolve_checkpoint(game: Game, checkpoint: str | None) -> Path:
    """`checkpoint=PATH` when given, else the game's released model from the store."""
    return Path(checkpoint).expanduser() if checkpoint is not None else default_checkpoint(game)


def _load(game: Game, checkpoint: str | None) -> Network:
    _, graphdef, params = load_model(resolve_checkpoint(game, checkpoint), game)
    return graphdef, params


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


def make_az(game: Game, *, spec: str, seed: int, settings: SearchSettings, checkpoint: str | None = None,
            network: Network | None = None) -> SearchAgent:
    """`az`: the net guiding mctx search; its weights from `network`, else from the model file."""
    graphdef, params = network if network is not None else _load(game, checkpoint)
    return SearchAgent(game, spec, seed, evaluator=NetworkEvaluator(game, graphdef), params=params,
                       settings=settings)


def make_policy(game: Game, *, spec: str, seed: int, temperature: float = 0.0, checkpoint: str | None = None,
                network: Network | None = None) -> PolicyAgent:
    """`policy`: the raw net; its weights from `network`, else from the model file."""
    graphdef, params = network if network is not None else _load(game, checkpoint)
    return PolicyAgent(game, spec, seed, graphdef=graphdef, params=params, temperature=temperature)


NETWORK_AGENTS = ("az", "policy")


def network_agent(spec: str, game: Game, config: NetworkConfig, params: Any, *, seed: int = 0
                  ) -> SearchAgent | PolicyAgent:
    """`az` or `policy` (with the options of `spec`, read as `agents.make` reads them) over a
    network in memory: `config` and its `params`, as a training run or `init_network` holds them.

    Training evaluation and the benches play weights they already hold; a model folder written
    only to be read back would cost a save, a hash and a load each time, and a temp folder.
    """
    name, raw = parse_spec(spec, kind="agent spec")
    if name not in NETWORK_AGENTS:
        raise SpecError(f"agent {name!r} in {spec!r} plays no network; network agents: {', '.join(NETWORK_AGENTS)}")
    if "checkpoint" in raw:
        raise SpecError(f"{spec!r}: checkpoint= names a model folder, but this network is given in memory")
    info = REGISTRY[name]
    values = info.values(info.read(spec.strip(), raw))
    if config.game != game.spec:
        raise CheckpointError(f"network config is for {config.game}, not {game.spec}")
    network = (abstract_network(config)[0], params)
    if name == "az":
        return make_az(game, spec=spec.strip(), seed=seed, settings=info.settings(values), network=network)
    return make_policy(game, spec=spec.strip(), seed=seed, temperature=values["temperature"], network=network)
