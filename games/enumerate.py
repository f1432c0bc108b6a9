"""Exhaustive enumeration of positions, ply by ply, through the batched JAX rules.

Used as a test oracle (position and game counts in docs/references.md), to evaluate agents on every
position of small games, and by the exhaustive solver for small boards.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from games.core import State
from games.game import Game


@dataclasses.dataclass
class Layer:
    """All distinct positions at one ply (distinct by board; the board fixes whose turn it is)."""

    ply: int
    states: State  # batched on the leading axis, numpy arrays
    paths: np.ndarray  # [B] int64: number of move sequences from the empty board reaching each

    @property
    def size(self) -> int:
        return int(self.paths.shape[0])


def _expand_fn(game: Game):
    def expand(states: State) -> tuple[State, jax.Array]:
        actions = jnp.arange(game.num_actions)
        children = jax.vmap(lambda s: jax.vmap(lambda a: game.step(s, a))(actions))(states)
        legal = jax.vmap(game.legal_mask)(states)
        return children, legal

    return jax.jit(expand)


def layers(game: Game, max_ply: int | None = None, *, chunk: int = 65536):
    """Yields one `Layer` per ply from 0 up to `max_ply` (default: until no position is left).

    Terminal positions are yielded in their layer but not expanded, so a layer's terminal
    positions are the games that end at that ply, and `paths` summed over them counts games.
    """
    expand = _expand_fn(game)
    root = jax.tree.map(lambda x: np.asarray(x)[None], game.init())
    layer = Layer(0, root, np.ones((1,), np.int64))
    while True:
        yield layer
        if max_ply is not None and layer.ply >= max_ply:
            return
        open_idx = np.flatnonzero(~np.asarray(layer.states.terminal))
        if open_idx.size == 0:
            return
        parts, part_paths = [], []
        for start in range(0, open_idx.size, chunk):
            idx = open_idx[start : start + chunk]
            batch = jax.tree.map(lambda x, idx=idx: jnp.asarray(x[idx]), layer.states)
            children, legal = expand(batch)
            legal = np.asarray(legal).reshape(-1)
            flat = jax.tree.map(lambda x, legal=legal: np.asarray(x).reshape(-1, *x.shape[2:])[legal], children)
            parts.append(flat)
            part_paths.append(np.repeat(layer.paths[idx], game.num_actions)[legal])
        children = jax.tree.map(lambda *xs: np.concatenate(xs), *parts)
        paths = np.concatenate(part_paths)
        boards = np.ascontiguousarray(children.board).view(np.dtype((np.void, children.board.shape[1])))
        _, first, inverse = np.unique(boards.reshape(-1), return_index=True, return_inverse=True)
        merged_paths = np.zeros(first.shape[0], np.int64)
        np.add.at(merged_paths, inverse.reshape(-1), paths)
        layer = Layer(layer.ply + 1, jax.tree.map(lambda x, first=first: x[first], children), merged_paths)
