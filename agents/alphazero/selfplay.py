"""Batched self-play: many games at once, one search per move, fully inside `lax.scan`.

Games that end are replaced at once by new ones (auto-reset), so no slot idles. New games
start from a random opening of 0..`random_opening_plies` uniformly random moves (none of which
ends the game): the search then also meets positions where one side has already blundered,
which plain self-play almost never visits and which a perfect-play evaluation counts (see
docs/references.md on the plateau).

Value targets are the final result from each mover's point of view, found by a reverse scan,
optionally as a lambda-return that bootstraps from the next moves' search values, and optionally
mixed with the position's own root value. A game still in progress at the end of a rollout
has no result yet: `carry_samples` keeps that rollout as `Pending` and hands out its unfinished
positions when their game ends in the next one. Without the carry (`to_samples` alone, runs made
before it existed) those positions are dropped, about 30% of all connect-four positions, most
of them the first moves of the longest games (a game's first position survives only if the whole
game fits in one rollout). A move searched cheaply (playout-cap randomization)
stores an all-zero policy target, which the loss skips: its search is too shallow to teach the
policy, but its game still teaches the value.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from flax import struct

from agents.alphazero.buffer import Samples
from agents.random_agent import random_actions
from games import Game, State

# search_fn(params, states [B], key) -> (actions [B], policy targets [B, A] (all zero: no
# policy target), root values [B] for the mover)
SearchFn = Callable[[object, State, jax.Array], tuple[jax.Array, jax.Array, jax.Array]]


@struct.dataclass
class Trajectory:
    """One rollout of T moves in B games: leading axes [T, B]."""

    observation: jax.Array  # [T, B, rows, cols, 2]
    policy: jax.Array  # [T, B, A] (all zero where the move gives no policy target)
    root_value: jax.Array  # [T, B] the search's value of the position for its mover
    legal: jax.Array  # [T, B, A]
    reward: jax.Array  # [T, B] final result for the mover if this move ended the game, else 0
    terminal: jax.Array  # [T, B] this move ended the game


def random_openings(game: Game, batch: int, key: jax.Array, max_plies: int) -> State:
    """`batch` new games, each after 0..max_plies random moves.

    A random move that would end the game is not played (that ply is skipped), so long
    openings reach the crowded, blunder-strewn late positions that perfect-play test sets are
    full of (Pons' End sets: 29-41 stones) instead of mostly ending before them.
    """
    fresh = game.init_batch(batch)
    if max_plies <= 0:
        return fresh
    k_len, k_moves = jax.random.split(key)
    lengths = jax.random.randint(k_len, (batch,), 0, max_plies + 1)
    step = jax.vmap(game.step)

    def body(i, states):
        actions = random_actions(game, states, jax.random.fold_in(k_moves, i))
        moved = step(states, actions)
        keep = (i < lengths) & ~moved.terminal
        return jax.tree.map(lambda m, s: jnp.where(_expand(keep, s), m, s), moved, states)

    return jax.lax.fori_loop(0, max_plies, body, fresh)


def _expand(mask: jax.Array, like: jax.Array) -> jax.Array:
    return mask.reshape(mask.shape + (1,) * (like.ndim - mask.ndim))


def rollout(game: Game, search_fn: SearchFn, params, states: State, key: jax.Array, steps: int,
            max_opening_plies: int) -> tuple[State, Trajectory]:
    """Plays `steps` moves in every game; returns the continuing games and the trajectory."""
    batch = states.ply.shape[0]
    step = jax.vmap(game.step)

    def one_move(states: State, key: jax.Array):
        k_search, k_reset = jax.random.split(key)
        actions, policy, root_value = search_fn(params, states, k_search)
        observation = jax.vmap(game.observation)(states)
        legal = jax.vmap(game.legal_mask)(states)
        moved = step(states, actions)
        rewards = jax.vmap(game.rewards)(moved)  # [B, 2]
        reward = jnp.take_along_axis(rewards, states.player.astype(jnp.int32)[:, None], axis=1)[:, 0]
        terminal = moved.terminal
        fresh = random_openings(game, batch, k_reset, max_opening_plies)
        states = jax.tree.map(lambda f, s: jnp.where(_expand(terminal, s), f, s), fresh, moved)
        return states, Trajectory(observation, policy, root_value, legal, reward, terminal)

    states, trajectory = jax.lax.scan(one_move, states, jax.random.split(key, steps))
    return states, trajectory


def lambda_returns(trajectory: Trajectory, value_lambda: float = 1.0) -> tuple[jax.Array, jax.Array]:
    """(value target for the mover [T, B], known [T, B]) of each position whose game ends within
    the trajectory, found by a reverse scan.

    The target is the lambda-return: the reward at the game's last move, before it
    -((1 - lambda) x q' + lambda x G'), where q' and G' are the next position's root value and
    target, both for the next mover (hence the sign). lambda = 1 is the game's result.
    """

    def backward(carry, t):
        target_next, known_next, root_next = carry
        reward, terminal, root = t
        # At lambda = 1 this is exactly -target_next (0 x q' adds zero): the classic result.
        target = jnp.where(terminal, reward, -((1.0 - value_lambda) * root_next + value_lambda * target_next))
        known = terminal | known_next
        return (target, known, root), (target, known)

    batch = trajectory.reward.shape[1]
    init = (jnp.zeros((batch,), jnp.float32), jnp.zeros((batch,), bool), jnp.zeros((batch,), jnp.float32))
    _, (values, known) = jax.lax.scan(
        backward, init, (trajectory.reward, trajectory.terminal, trajectory.root_value), reverse=True)
    return values, known


def _flat(x: jax.Array) -> jax.Array:
    return x.reshape((-1,) + x.shape[2:])


def _samples(trajectory: Trajectory, values: jax.Array, value_mix: float) -> Samples:
    """Samples [T*B], time-major; value target (1 - value_mix) x result + value_mix x root value."""
    if value_mix != 0.0:
        values = (1.0 - value_mix) * values + value_mix * trajectory.root_value
    return Samples(observation=_flat(trajectory.observation), policy=_flat(trajectory.policy),
                   value=_flat(values), legal=_flat(trajectory.legal))


def to_samples(trajectory: Trajectory, value_mix: float = 0.0, value_lambda: float = 1.0
               ) -> tuple[Samples, jax.Array]:
    """Flattens a trajectory into samples [T*B] and a mask of those with a known result.

    The value target is (1 - value_mix) x the lambda-return (the game's result at lambda 1) +
    value_mix x the root value.
    """
    values, known = lambda_returns(trajectory, value_lambda)
    return _samples(trajectory, values, value_mix), _flat(known)


@struct.dataclass
class Pending:
    """The previous rollout, kept until the games it left unfinished have ended."""

    trajectory: Trajectory  # [T, B] leading axes, as the rollout returned it
    emitted: jax.Array  # [T, B] bool: handed out already (its game ended in that rollout)


def no_pending(steps: int, batch: int, observation_shape: tuple[int, ...], num_actions: int) -> Pending:
    """A `Pending` that hands out nothing (before the first rollout): zeros, all emitted."""
    lead = (steps, batch)
    zeros = Trajectory(
        observation=jnp.zeros(lead + tuple(observation_shape), jnp.float32),
        policy=jnp.zeros(lead + (num_actions,), jnp.float32),
        root_value=jnp.zeros(lead, jnp.float32),
        legal=jnp.zeros(lead + (num_actions,), bool),
        reward=jnp.zeros(lead, jnp.float32),
        terminal=jnp.zeros(lead, bool),
    )
    return Pending(trajectory=zeros, emitted=jnp.ones(lead, bool))


def carry_samples(pending: Pending, trajectory: Trajectory, value_mix: float = 0.0, value_lambda: float = 1.0
                  ) -> tuple[Samples, jax.Array, Pending]:
    """Samples [2T*B] of the pending and the new rollout, the mask of those to store, and the
    new `Pending`.

    The two rollouts are one stretch of play in every game slot (games carry over between
    rollouts), so their results are found together: a pending position is stored once its game
    has ended, here, unless it was stored before; a new position once its game has ended within
    this rollout. A game longer than a rollout (more moves than `rollout_steps`; never in
    connect four at 42 steps) would still lose the positions of its first rollout.
    """
    joined = jax.tree.map(lambda a, b: jnp.concatenate([a, b]), pending.trajectory, trajectory)
    values, known = lambda_returns(joined, value_lambda)
    steps = trajectory.reward.shape[0]
    keep = jnp.concatenate([known[:-steps] & ~pending.emitted, known[-steps:]])
    return _samples(joined, values, value_mix), _flat(keep), Pending(trajectory, known[-steps:])
