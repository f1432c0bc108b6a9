"""The one bridge from a game and an evaluator to mctx's search: sign conventions live here.

An *evaluator* maps (params, states [B], key) to (prior logits [B, A], value [B]) for the
player to move in each state. Two are provided: `NetworkEvaluator` (the policy/value net) and
`RolloutEvaluator` (uniform priors, value = the result of random playouts to the end, inside
JAX). `run_search` wraps either in mctx's PUCT (`muzero_policy`) or Gumbel
(`gumbel_muzero_policy`) search as its `SearchSettings` say, and is pure, so training can call
it inside `jit`/`lax.scan`.

Two-player conventions (mctx backs up Q(s, a) = reward + discount * value(child)):
- the embedding is the game `State`; the value of a node is for the player to move there;
- the reward of a transition is for the player who moved: +1 when that move won, else 0;
- discount is -1 (the next node's value is the opponent's), and 0 once the game is over;
  a terminal node's value is 0, so nothing below it counts (mctx still expands it);
- illegal actions get prior logits of LARGE_NEGATIVE at every node, not only at the root
  (where they are also passed as `invalid_actions`), so no simulation ever plays one.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import mctx
from flax import nnx, struct

from agents import mctx_backward
from agents.network import apply
from agents.search_settings import SearchSettings
from games import Game, State

Array = jax.Array
LARGE_NEGATIVE = -1e9  # finite, so logits + noise + q never turns into inf - inf = nan
Evaluator = Callable[[Any, State, Array], tuple[Array, Array]]


@struct.dataclass
class SearchOutput:
    """What one batched search returns; every [B, A] array is indexed by 0-based action."""

    action: Array  # [B] int32 chosen action
    visits: Array  # [B, A] int32 root visit counts
    root_value: Array  # [B] search value of the root for the player to move
    prior: Array  # [B, A] evaluator's prior at the root (before noise), 0 on illegal actions
    q_values: Array  # [B, A] value of each root action for the player to move (0 when unvisited)
    action_weights: Array  # [B, A] the search's improved policy (training target)


# ---- evaluators --------------------------------------------------------------------------
def mask_logits(logits: Array, legal: Array) -> Array:
    """Illegal actions get LARGE_NEGATIVE logits (so softmax gives them exactly 0)."""
    return jnp.where(legal, logits, LARGE_NEGATIVE)


def random_playout_value(game: Game, state: State, key: Array) -> Array:
    """Result of one uniformly random playout from `state`, for the player to move in it."""
    return random_playout(game, state, key)[0]


def random_playout(game: Game, state: State, key: Array) -> tuple[Array, Array]:
    """(result for the player to move in `state`, plies played) of one uniformly random playout.

    The plies are what a playout costs in positions visited (`arena study compute` counts them).
    All the randomness is drawn up front, one 32-bit word per remaining ply: a key split and a
    categorical draw per step cost more than the step itself on a CPU. The move is the
    (word mod number-of-legal-moves)-th legal one (bias below 1e-8 per draw).
    """
    words = jax.random.bits(key, (game.config.num_cells,), jnp.uint32)

    def unfinished(carry: tuple[State, Array]) -> Array:
        return ~carry[0].terminal

    def play(carry: tuple[State, Array]) -> tuple[State, Array]:
        current, i = carry
        legal = game.legal_mask(current)
        pick = words[i] % jnp.maximum(jnp.sum(legal), 1).astype(jnp.uint32)
        action = jnp.argmax(jnp.cumsum(legal) > pick.astype(jnp.int32))
        return game.step(current, action), i + 1

    final, plies = jax.lax.while_loop(unfinished, play, (state, jnp.int32(0)))
    return game.rewards(final)[state.player.astype(jnp.int32)], plies


@dataclasses.dataclass(frozen=True)
class RolloutEvaluator:
    """Uniform priors over legal moves; value = mean result of `rollouts` random playouts
    (0 playouts: value 0, the 'uniform priors, no network' search peers benchmark)."""

    game: Game
    rollouts: int = 1

    def __call__(self, params: Any, states: State, key: Array) -> tuple[Array, Array]:
        logits, values, _ = self.with_plies(params, states, key)
        return logits, values

    def with_plies(self, params: Any, states: State, key: Array) -> tuple[Array, Array, Array]:
        """(logits [B, A], values [B], plies [B]): also the playout plies spent on each state."""
        batch = states.ply.shape[0]
        if self.rollouts == 0:  # pure tree search: only terminal outcomes carry value
            return (jnp.zeros((batch, self.game.num_actions), jnp.float32), jnp.zeros((batch,), jnp.float32),
                    jnp.zeros((batch,), jnp.int32))
        keys = jax.random.split(key, (batch, self.rollouts))
        one = jax.vmap(functools.partial(random_playout, self.game), in_axes=(None, 0))
        values, plies = jax.vmap(one)(states, keys)
        return jnp.zeros((batch, self.game.num_actions), jnp.float32), values.mean(axis=-1), plies.sum(axis=-1)


@dataclasses.dataclass(frozen=True)
class NetworkEvaluator:
    """The policy/value net on the mover's observation planes; `params` is its nnx.State."""

    game: Game
    graphdef: nnx.GraphDef

    def __call__(self, params: Any, states: State, key: Array) -> tuple[Array, Array]:
        obs = jax.vmap(self.game.observation)(states)
        return apply(self.graphdef, params, obs)


# ---- mctx functions ----------------------------------------------------------------------
def make_root(game: Game, evaluate: Evaluator, params: Any, states: State, key: Array) -> mctx.RootFnOutput:
    """The root for mctx: masked prior logits, the evaluator's value, the states as embedding."""
    logits, value = evaluate(params, states, key)
    legal = jax.vmap(game.legal_mask)(states)
    value = jnp.where(states.terminal, 0.0, value)
    return mctx.RootFnOutput(prior_logits=mask_logits(logits, legal), value=value, embedding=states)


def make_recurrent_fn(game: Game, evaluate: Evaluator) -> Callable[..., tuple[mctx.RecurrentFnOutput, State]]:
    """mctx's recurrent_fn: play `action`, reward the mover, evaluate the child for its mover."""
    step = jax.vmap(game.step)

    def recurrent_fn(params: Any, key: Array, action: Array, states: State) -> tuple[mctx.RecurrentFnOutput, State]:
        children = step(states, action)
        mover = states.player.astype(jnp.int32)
        rewards = jax.vmap(game.rewards)(children)
        reward = jnp.take_along_axis(rewards, mover[:, None], axis=1)[:, 0]
        reward = jnp.where(states.terminal, 0.0, reward)  # nothing happens below a finished game
        logits, value = evaluate(params, children, key)
        legal = jax.vmap(game.legal_mask)(children)
        out = mctx.RecurrentFnOutput(
            reward=reward,
            discount=jnp.where(children.terminal, 0.0, -1.0),
            prior_logits=mask_logits(logits, legal),
            value=jnp.where(children.terminal, 0.0, value),
        )
        return out, children

    return recurrent_fn


def _root_noise(key: Array, logits: Array, legal: Array, fraction: float, alpha: float) -> Array:
    """AlphaZero's Dirichlet root noise on the prior, for searches (Gumbel) that lack it."""
    noise = jax.random.dirichlet(key, jnp.full(logits.shape, alpha, jnp.float32))
    probs = (1.0 - fraction) * jax.nn.softmax(logits) + fraction * noise
    return mask_logits(jnp.log(jnp.maximum(probs, 1e-30)), legal)


def run_search(game: Game, evaluate: Evaluator, params: Any, states: State, key: Array, *,
               settings: SearchSettings, gumbel_scale: Array | None = None) -> SearchOutput:
    """One batched search from `states` [B] (pure; jit it with game, evaluate and settings static).

    `settings` (agents/search_settings.py) chooses PUCT or Gumbel and their knobs. The same key
    gives the same result, so evaluation is reproducible from a seed. `gumbel_scale` [B], for
    Gumbel only, replaces `settings.temperature` root by root: self-play samples its first plies
    (scale 1) and plays the rest noise-free (scale 0) in one search of the whole batch.
    """
    # mctx's vmapped backward costs time proportional to the tree per simulation; the batched
    # one gives bit-identical trees at a fraction of the cost (agents/mctx_backward.py). mctx
    # looks it up when the search is traced, which is now; installing twice changes nothing.
    mctx_backward.install()
    s = settings
    root_key, noise_key, search_key = jax.random.split(key, 3)
    root = make_root(game, evaluate, params, states, root_key)
    legal = jax.vmap(game.legal_mask)(states)
    prior = jax.nn.softmax(root.prior_logits) * legal
    # A finished root has no legal move; unmask it so mctx stays well defined (result unused).
    invalid = ~legal & ~states.terminal[:, None]
    recurrent_fn = make_recurrent_fn(game, evaluate)
    if s.policy == "puct":
        qtransform = (mctx.qtransform_by_parent_and_siblings if s.value_scale == "minmax" else
                      functools.partial(mctx.qtransform_by_min_max, min_value=-1.0, max_value=1.0))
        out = mctx.muzero_policy(
            params, search_key, root, recurrent_fn, s.num_simulations,
            invalid_actions=invalid, dirichlet_fraction=s.dirichlet_fraction,
            dirichlet_alpha=s.dirichlet_alpha, temperature=s.temperature, pb_c_init=s.pb_c_init,
            qtransform=qtransform,
        )
    else:
        if s.dirichlet_fraction > 0:
            root = root.replace(prior_logits=_root_noise(noise_key, root.prior_logits, legal,
                                                         s.dirichlet_fraction, s.dirichlet_alpha))
        out = mctx.gumbel_muzero_policy(
            params, search_key, root, recurrent_fn, s.num_simulations,
            invalid_actions=invalid, max_num_considered_actions=s.max_num_considered_actions,
            gumbel_scale=s.temperature if gumbel_scale is None else gumbel_scale[:, None],
        )
    summary = out.search_tree.summary()
    return SearchOutput(
        action=out.action.astype(jnp.int32),
        visits=summary.visit_counts.astype(jnp.int32),
        root_value=summary.value,
        prior=prior,
        q_values=summary.qvalues,
        action_weights=out.action_weights,
    )


@functools.lru_cache(maxsize=64)
def compiled_search(game: Game, evaluate: Evaluator, settings: SearchSettings) -> Callable[[Any, State, Array], SearchOutput]:
    """A jitted `(params, states, key) -> SearchOutput`, shared by every agent with these settings.

    jax.jit keeps one executable per batch size; with the persistent compilation cache
    (agents/compile_cache.py) a second start loads it instead of compiling again.
    """
    return jax.jit(functools.partial(run_search, game, evaluate, settings=settings))
