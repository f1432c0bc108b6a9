"""Board symmetries for data augmentation, as index permutations.

A symmetry is a pair of permutations: `cells[s]` over the N board cells and `actions[s]` over
the A actions, with the convention `new[i] = old[perm[i]]`. Applying the same symmetry to an
observation and to a policy keeps them consistent, and mapping a whole game's moves through
`actions` gives a legal game with the same result (tested).

- With gravity (connect four) only the left-right mirror keeps "stones fall down": 2 symmetries.
- Without gravity the dihedral group of the rectangle: 8 on a square board, 4 otherwise.
"""

from __future__ import annotations

import functools

import jax.numpy as jnp
import numpy as np

from games.core import GameConfig


@functools.cache
def symmetry_tables(config: GameConfig) -> tuple[np.ndarray, np.ndarray]:
    """Returns (cells [S, N], actions [S, A]) int32 permutations; index 0 is the identity."""
    rows, cols = config.rows, config.cols
    grid = np.arange(rows * cols).reshape(rows, cols)
    if config.gravity:
        grids = [grid, grid[:, ::-1]]
    else:
        grids = [grid, grid[:, ::-1], grid[::-1, :], grid[::-1, ::-1]]
        if rows == cols:
            grids += [grid.T, grid.T[:, ::-1], grid.T[::-1, :], grid.T[::-1, ::-1]]
    cells = np.stack([g.reshape(-1) for g in grids]).astype(np.int32)
    if config.gravity:
        actions = np.stack([np.arange(cols), np.arange(cols)[::-1]]).astype(np.int32)
    else:
        actions = cells.copy()
    return cells, actions


def transform_observation(config: GameConfig, observation: jnp.ndarray, index: int) -> jnp.ndarray:
    """Applies symmetry `index` to observations [..., rows, cols, C]."""
    cells, _ = symmetry_tables(config)
    lead = observation.shape[:-3]
    flat = observation.reshape(*lead, config.rows * config.cols, observation.shape[-1])
    moved = jnp.take(flat, jnp.asarray(cells[index]), axis=-2)
    return moved.reshape(observation.shape)


def transform_policy(config: GameConfig, policy: jnp.ndarray, index: int) -> jnp.ndarray:
    """Applies symmetry `index` to policies or masks [..., A]."""
    _, actions = symmetry_tables(config)
    return jnp.take(policy, jnp.asarray(actions[index]), axis=-1)


def transform_action(config: GameConfig, action: int, index: int) -> int:
    """Where action `action` goes under symmetry `index` (the inverse permutation)."""
    _, actions = symmetry_tables(config)
    return int(np.argsort(actions[index])[action])
