"""The k-in-a-row family: one implementation of the rules for tic-tac-toe and connect four.

A game is a `rows x cols` grid on which two players alternately place stones; the first to
own `k` cells in a row (horizontally, vertically or diagonally) wins, and a full board is a
draw. With `gravity` (connect four) an action is a column and the stone drops to the lowest
empty cell; without it (tic-tac-toe, m,n,k-games) an action is a cell.

Everything here works on ONE game and is pure, so `jax.jit(jax.vmap(game.step))` runs many.
Cells are numbered row-major from the top-left corner (row 0 is the top row).

Defined edge cases (no silent corruption):
- an illegal action (out of range, occupied cell, full column) forfeits: the board is left
  as it was, the game ends and the opponent wins, and `forfeit` is set;
- stepping a finished game returns the state unchanged.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct

Array = jax.Array

# Stone values on the board, from the fixed point of view of the first player.
EMPTY, FIRST_STONE, SECOND_STONE = 0, 1, -1
NO_WINNER = -1


def mover_moved_first(observation: Array) -> Array:
    """Whether the side to move in `observation` planes [..., rows, cols, 2] is the first player.

    Players alternate and stones stay, so the mover has as many stones as its opponent exactly
    when it moved first. An observation is drawn from the mover's side and does not say which
    side that is; a network that must know it (connect four's odd and even threats favour
    different sides) reads it from here (agents/network.py's `colour_plane`).
    """
    stones = jnp.sum(observation > 0.5, axis=(-3, -2))
    return stones[..., 0] == stones[..., 1]


def threat_cells(observation: Array, k: int) -> Array:
    """The empty cells that would complete a line of `k` for each side: [..., rows, cols, 2].

    Plane 0 holds the mover's threats, plane 1 the opponent's, from observation planes
    [..., rows, cols, 2] (the mover's stones, the opponent's). A threat need not be playable
    yet: in connect four the cells above a column's top are the ones that decide the endgame,
    the first player's threats on odd rows from the bottom and the second's on even ones holding
    to the end (threat parity). A network that must find them with 3x3 convolutions has to
    line up k cells in four directions first (agents/network.py's `threat_planes` hands them
    over). Uses `winning_lines`, the same lines that decide a win in `step`.
    """
    rows, cols = observation.shape[-3], observation.shape[-2]
    lines = winning_lines(rows, cols, k)
    member = np.zeros((len(lines), rows * cols), np.float32)  # [L, N]: 1 where a cell lies on a line
    member[np.repeat(np.arange(len(lines)), k), lines.reshape(-1)] = 1.0
    stones = (observation > 0.5).astype(jnp.float32).reshape(observation.shape[:-3] + (rows * cols, 2))
    counts = jnp.einsum("ln,...np->...lp", member, stones)  # [..., L, 2] stones of each side on each line
    own, other = counts[..., 0], counts[..., 1]
    open_lines = jnp.stack([(own == k - 1) & (other == 0), (other == k - 1) & (own == 0)], axis=-1)
    on_open = jnp.einsum("ln,...lp->...np", member, open_lines.astype(jnp.float32)) > 0  # [..., N, 2]
    empty = jnp.sum(stones, axis=-1, keepdims=True) == 0
    return (on_open & empty).reshape(observation.shape[:-1] + (2,))


@struct.dataclass
class State:
    """One game's position. Batched states carry a leading batch axis on every field."""

    board: Array  # [N] int8: 0 empty, +1 first player's stone, -1 second player's
    player: Array  # [] int8: whose turn, 0 = first player, 1 = second
    ply: Array  # [] int32: stones played so far
    moves: Array  # [N] int8: actions played in order, -1 beyond `ply`
    terminal: Array  # [] bool
    winner: Array  # [] int8: 0 or 1, or -1 while ongoing and for a draw
    forfeit: Array  # [] bool: the game ended on an illegal action


@dataclasses.dataclass(frozen=True)
class GameConfig:
    """The four numbers that define a member of the family."""

    rows: int
    cols: int
    k: int
    gravity: bool

    @property
    def num_cells(self) -> int:
        return self.rows * self.cols

    @property
    def num_actions(self) -> int:
        return self.cols if self.gravity else self.num_cells


@functools.cache
def winning_lines(rows: int, cols: int, k: int) -> np.ndarray:
    """All k-cell lines of the grid, as cell indices: [L, k] int32."""
    lines = []
    for r in range(rows):
        for c in range(cols):
            for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
                end_r, end_c = r + dr * (k - 1), c + dc * (k - 1)
                if 0 <= end_r < rows and 0 <= end_c < cols:
                    lines.append([(r + dr * i) * cols + (c + dc * i) for i in range(k)])
    return np.asarray(lines, dtype=np.int32).reshape(-1, k)


@functools.cache
def lines_through_cells(rows: int, cols: int, k: int) -> np.ndarray:
    """For each cell, the lines through it, padded with a sentinel cell: [N, M, k] int32.

    The sentinel is index N, one past the board, which `step` keeps empty, so padded lines
    never count as a win. Checking only the lines through the new stone keeps `step` cheap.
    """
    lines = winning_lines(rows, cols, k)
    n = rows * cols
    per_cell: list[list[np.ndarray]] = [[] for _ in range(n)]
    for line in lines:
        for cell in line:
            per_cell[cell].append(line)
    width = max((len(p) for p in per_cell), default=0)
    table = np.full((n, max(width, 1), k), n, dtype=np.int32)
    for cell, cell_lines in enumerate(per_cell):
        for j, line in enumerate(cell_lines):
            table[cell, j] = line
    return table


def stone_of(player: Array) -> Array:
    """The board value of `player`'s stones (0: FIRST_STONE, 1: SECOND_STONE), int8."""
    return jnp.where(player == 0, FIRST_STONE, SECOND_STONE).astype(jnp.int8)


class Rules:
    """The pure JAX functions of one game configuration (single, unbatched states)."""

    def __init__(self, config: GameConfig) -> None:
        self.config = config
        self._lines = jnp.asarray(lines_through_cells(config.rows, config.cols, config.k))

    @property
    def num_actions(self) -> int:
        return self.config.num_actions

    @property
    def observation_shape(self) -> tuple[int, int, int]:
        return (self.config.rows, self.config.cols, 2)

    def init(self) -> State:
        """The empty board, first player to move."""
        n = self.config.num_cells
        return State(
            board=jnp.zeros((n,), jnp.int8),
            player=jnp.int8(0),
            ply=jnp.int32(0),
            moves=jnp.full((n,), -1, jnp.int8),
            terminal=jnp.bool_(False),
            winner=jnp.int8(NO_WINNER),
            forfeit=jnp.bool_(False),
        )

    def legal_mask(self, state: State) -> Array:
        """[A] bool: the actions the player to move may take; all False once the game is over."""
        cfg = self.config
        # with gravity a column is open while its top cell is; without, every empty cell is a move
        free = state.board[: cfg.cols] == EMPTY if cfg.gravity else state.board == EMPTY
        return free & ~state.terminal

    def _landing_cell(self, board: Array, action: Array) -> Array:
        cfg = self.config
        if not cfg.gravity:
            return action
        column = board.reshape(cfg.rows, cfg.cols)[:, action]
        empty_below = jnp.sum(column == EMPTY)
        return (empty_below - 1) * cfg.cols + action

    def step(self, state: State, action: Array) -> State:
        """Plays `action` for the player to move (see the module docstring for edge cases)."""
        cfg = self.config
        action = jnp.asarray(action, jnp.int32)
        in_range = (action >= 0) & (action < cfg.num_actions)
        safe_action = jnp.clip(action, 0, cfg.num_actions - 1)
        legal = in_range & self.legal_mask(state)[safe_action]

        stone = stone_of(state.player)
        cell = self._landing_cell(state.board, safe_action)
        board = state.board.at[cell].set(stone)
        padded = jnp.concatenate([board, jnp.zeros((1,), jnp.int8)])
        won = jnp.any(jnp.all(padded[self._lines[cell]] == stone, axis=-1))
        ply = state.ply + 1
        full = ply >= cfg.num_cells

        played = State(
            board=board,
            player=(1 - state.player).astype(jnp.int8),
            ply=ply,
            moves=state.moves.at[state.ply].set(safe_action.astype(jnp.int8)),
            terminal=won | full,
            winner=jnp.where(won, state.player, NO_WINNER).astype(jnp.int8),
            forfeit=jnp.bool_(False),
        )
        forfeited = state.replace(
            terminal=jnp.bool_(True),
            winner=(1 - state.player).astype(jnp.int8),
            forfeit=jnp.bool_(True),
        )
        after = jax.tree.map(lambda a, b: jnp.where(legal, a, b), played, forfeited)
        return jax.tree.map(lambda old, new: jnp.where(state.terminal, old, new), state, after)

    def observation(self, state: State) -> Array:
        """[rows, cols, 2] float32 planes from the mover's point of view: own stones, opponent's."""
        cfg = self.config
        own = stone_of(state.player)
        planes = jnp.stack([state.board == own, state.board == -own], axis=-1)
        return planes.reshape(cfg.rows, cfg.cols, 2).astype(jnp.float32)

    def from_observation(self, observation: Array) -> State:
        """The ongoing position an `observation` shows: the inverse of `observation` for it.

        Replay buffers keep observations, not states; searching a stored position again
        (reanalysis) needs its state. Players alternate, so the number of stones is the ply,
        and the mover, whose stones are the first plane, moved first when both have as many.
        The order the stones were played in is not in an observation: `moves` is left unknown
        (-1), which only host helpers that write a game's record read. Stored positions were
        searched, so they are not over.
        """
        cfg = self.config
        planes = observation.reshape(cfg.num_cells, 2) > 0.5
        ply = jnp.sum(planes).astype(jnp.int32)
        player = jnp.where(mover_moved_first(observation.reshape(cfg.rows, cfg.cols, 2)), 0, 1).astype(jnp.int8)
        own = stone_of(player)
        board = jnp.where(planes[:, 0], own, jnp.where(planes[:, 1], -own, jnp.int8(EMPTY))).astype(jnp.int8)
        return State(
            board=board,
            player=player,
            ply=ply,
            moves=jnp.full((cfg.num_cells,), -1, jnp.int8),
            terminal=jnp.bool_(False),
            winner=jnp.int8(NO_WINNER),
            forfeit=jnp.bool_(False),
        )

    def rewards(self, state: State) -> Array:
        """[2] float32 final outcome for (first, second) player: +1 win, -1 loss, 0 otherwise."""
        decided = state.terminal & (state.winner >= 0)
        first = jnp.where(decided, jnp.where(state.winner == 0, 1.0, -1.0), 0.0)
        return jnp.stack([first, -first]).astype(jnp.float32)
