"""A fixed-size replay buffer of recent positions, kept on the device as a pytree.

Insertion and sampling are pure functions (jit-able, shardable), so the training loop has no
host round trip per position, and the whole buffer is saved with the training state.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import struct

from games import GameConfig
from games.symmetry import symmetry_tables


@struct.dataclass
class Samples:
    """Training targets for a batch of positions."""

    observation: jax.Array  # [B, rows, cols, 2] float32, mover's point of view
    policy: jax.Array  # [B, A] float32, search policy target (sums to 1; all zero: none, value only)
    value: jax.Array  # [B] float32, value target for the mover in [-1, 1] (the result, maybe mixed with the search's value)
    legal: jax.Array  # [B, A] bool, legal actions (masks the policy loss)


@struct.dataclass
class Buffer:
    data: Samples  # every field with leading axis [capacity]
    valid: jax.Array  # [capacity] bool
    cursor: jax.Array  # [] int32, next slot to write
    size: jax.Array  # [] int32, filled slots (<= capacity)


def empty(capacity: int, observation_shape: tuple[int, ...], num_actions: int) -> Buffer:
    data = Samples(
        observation=jnp.zeros((capacity, *observation_shape), jnp.float32),
        policy=jnp.zeros((capacity, num_actions), jnp.float32),
        value=jnp.zeros((capacity,), jnp.float32),
        legal=jnp.zeros((capacity, num_actions), bool),
    )
    return Buffer(data=data, valid=jnp.zeros((capacity,), bool), cursor=jnp.int32(0), size=jnp.int32(0))


def add(buffer: Buffer, samples: Samples, keep: jax.Array) -> Buffer:
    """Appends the samples where `keep` [N] is true, overwriting the oldest slots.

    Kept samples are packed first (stable order), so the write is one contiguous ring slice
    and the buffer's content does not depend on the batch layout beyond the kept order.
    """
    capacity = buffer.valid.shape[0]
    n = keep.shape[0]
    order = jnp.argsort(~keep, stable=True)  # kept samples first
    count = jnp.sum(keep).astype(jnp.int32)
    packed = jax.tree.map(lambda x: x[order], samples)
    slots = (buffer.cursor + jnp.arange(n)) % capacity
    write = jnp.arange(n) < count
    # Dropped rows go to an out-of-bounds index, which `mode="drop"` ignores.
    target = jnp.where(write, slots, capacity)
    data = jax.tree.map(lambda old, new: old.at[target].set(new, mode="drop"), buffer.data, packed)
    valid = buffer.valid.at[target].set(True, mode="drop")
    return Buffer(
        data=data,
        valid=valid,
        cursor=(buffer.cursor + count) % capacity,
        size=jnp.minimum(buffer.size + count, capacity),
    )


def sample(buffer: Buffer, key: jax.Array, batch_size: int, config: GameConfig, augment: bool) -> Samples:
    """Uniform sample of filled slots, each under a random board symmetry when `augment`."""
    k_idx, k_sym = jax.random.split(key)
    weights = buffer.valid.astype(jnp.float32)
    idx = jax.random.choice(k_idx, buffer.valid.shape[0], (batch_size,), p=weights / jnp.maximum(weights.sum(), 1))
    batch = jax.tree.map(lambda x: x[idx], buffer.data)
    if not augment:
        return batch
    cells, actions = (jnp.asarray(t) for t in symmetry_tables(config))
    sym = jax.random.randint(k_sym, (batch_size,), 0, cells.shape[0])
    obs = batch.observation.reshape(batch_size, config.num_cells, -1)
    obs = jnp.take_along_axis(obs, cells[sym][:, :, None], axis=1).reshape(batch.observation.shape)
    perm = actions[sym]
    return Samples(
        observation=obs,
        policy=jnp.take_along_axis(batch.policy, perm, axis=1),
        value=batch.value,
        legal=jnp.take_along_axis(batch.legal, perm, axis=1),
    )
