"""The agent interface: what every move chooser (random, solver, MCTS, network) provides.

Randomness is explicit: every call takes a JAX key (or a seed-derived one), so a tournament
that derives keys from (seed, game, ply) replays identically after an interruption.
"""

from __future__ import annotations

import abc
import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from games import Game, State


def pad_batch(states: State, size: int) -> State:
    """`states` [B] padded to [size] by repeating the last state (no change when B >= size).

    A jitted batched call compiles once per batch shape; padding to a few fixed sizes (a
    power of two, a chunk) keeps a match whose games finish one by one, or a last partial
    chunk, from compiling again. Callers drop the outputs of the padded rows.
    """
    extra = size - int(states.ply.shape[0])
    if extra <= 0:
        return states
    return jax.tree.map(lambda x: jnp.concatenate([x, jnp.repeat(x[-1:], extra, axis=0)]), states)


@dataclasses.dataclass
class Decision:
    """A chosen move plus what the agent saw while choosing it (for windows and analysis).

    Every array is indexed by 0-based action; entries for illegal actions are 0 / NaN.
    Values are from the point of view of the player to move, in [-1, 1].
    """

    action: int
    policy: np.ndarray | None = None  # [A] the agent's move distribution (visit share, prior, ...)
    visits: np.ndarray | None = None  # [A] search visit counts
    q_values: np.ndarray | None = None  # [A] search value of each move
    value: float | None = None  # the position's value: a search's q of the chosen move, a net's value
    prior: np.ndarray | None = None  # [A] network prior
    info: dict[str, Any] = dataclasses.field(default_factory=dict)  # agent-specific extras


class Agent(abc.ABC):
    """Chooses moves in one game.

    Subclasses implement `decide`; agents that can search many games in one jitted call set
    `batched = True` and override `select_moves`.
    """

    batched: bool = False

    def __init__(self, game: Game, spec: str, seed: int = 0) -> None:
        self.game = game
        self.spec = spec  # canonical spec string, e.g. "mcts:sims=800"
        self.seed = seed
        self._calls = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r}, game={self.game.spec!r})"

    def _next_key(self) -> jax.Array:
        """A fresh key from the agent's own seed, for callers that do not pass one."""
        self._calls += 1
        return jax.random.fold_in(jax.random.key(self.seed), self._calls)

    @abc.abstractmethod
    def decide(self, state: State, key: jax.Array | None = None) -> Decision:
        """Chooses a move for one (unbatched) non-terminal state and explains it."""

    def select_move(self, state: State, key: jax.Array | None = None) -> int:
        """The 0-based action chosen for one (unbatched) non-terminal state."""
        return self.decide(state, key).action

    def select_moves(self, states: State, key: jax.Array | None = None) -> np.ndarray:
        """[B] actions for a batch of non-terminal states (leading axis B).

        The default loops over `decide`; batched agents replace it with one jitted call.
        """
        key = self._next_key() if key is None else key
        size = int(np.shape(states.ply)[0])
        keys = jax.random.split(key, size)
        out = np.empty(size, np.int32)
        for i in range(size):
            one = jax.tree.map(lambda x, i=i: x[i], states)
            out[i] = self.decide(one, keys[i]).action
        return out

    def close(self) -> None:  # noqa: B027 (an optional hook: most agents hold nothing)
        """Releases resources (threads, caches). Safe to call more than once."""
