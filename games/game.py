"""`Game`: a game configuration with its JAX rules and the host helpers people and tools use.

`games.make(spec)` is the only way other code names a game; `Game.spec` is the canonical spec
string written into checkpoints and records, so a model can be matched with its game.

Notation: an action is written 1-based (connect four: column 1..cols; tic-tac-toe: cell 1..N
row by row from the top left). When every action fits in one digit a position is the digits
run together (Pons' `4453`); on bigger boards moves are separated by commas (`1,16,5`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from games.core import FIRST_STONE, NO_WINNER, GameConfig, Rules, State, winning_lines
from games.errors import IllegalMoveError, SpecError
from games.spec import is_ascii_digits, parse_int, parse_spec

PLAYER_SYMBOLS = ("X", "O")
_SEPARATORS = ",; \t"

DEFAULTS: dict[str, GameConfig] = {
    "tictactoe": GameConfig(rows=3, cols=3, k=3, gravity=False),
    "connect4": GameConfig(rows=6, cols=7, k=4, gravity=True),
}
MAX_CELLS = 127  # moves are stored as int8
MAX_SIDE = 32  # rows or columns


class Game(Rules):
    """One game of the family: pure JAX rules (inherited) plus host-side helpers."""

    def __init__(self, name: str, config: GameConfig) -> None:
        super().__init__(config)
        self.name = name
        self._jit_step = jax.jit(self.step)
        self._jit_legal = jax.jit(self.legal_mask)
        self._jit_replay = jax.jit(self._replay)

    # ---- identity ---------------------------------------------------------------------
    @property
    def spec(self) -> str:
        """Canonical spec, e.g. `connect4:rows=6,cols=7,k=4`."""
        c = self.config
        return f"{self.name}:rows={c.rows},cols={c.cols},k={c.k}"

    @property
    def is_standard(self) -> bool:
        return self.config == DEFAULTS[self.name]

    def __repr__(self) -> str:
        return f"Game({self.spec!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Game) and other.spec == self.spec

    def __hash__(self) -> int:
        return hash(self.spec)

    # ---- batching ---------------------------------------------------------------------
    def init_batch(self, batch_size: int) -> State:
        """`batch_size` empty boards stacked on a leading axis."""
        return jax.tree.map(lambda x: jnp.broadcast_to(x, (batch_size, *x.shape)), self.init())

    # ---- notation ---------------------------------------------------------------------
    @property
    def compact_notation(self) -> bool:
        """True when every action is a single digit, so moves are written run together."""
        return self.num_actions <= 9

    def action_to_str(self, action: int) -> str:
        return str(int(action) + 1)

    def describe_action(self, action: int) -> str:
        """Human words for an action, for error messages ('column 4', 'cell 5')."""
        return f"{'column' if self.config.gravity else 'cell'} {int(action) + 1}"

    def tokenize(self, text: str) -> list[str]:
        """Splits a position string into move tokens (no validation of the tokens)."""
        text = text.strip()
        if any(sep in text for sep in _SEPARATORS):
            return [t for t in text.replace(";", ",").replace("\t", ",").replace(" ", ",").split(",") if t]
        if self.compact_notation:
            return list(text)
        return [text] if text else []

    def parse_action(self, token: str, index: int = 0) -> int:
        """A 1-based move token to a 0-based action, checking only the range."""
        where = f"move {index} ({token!r})" if index else f"move {token!r}"
        kind = "column" if self.config.gravity else "cell"
        # ASCII only: str.isdigit() and int() would also read '٤' or '４' as 4.
        if not is_ascii_digits(token):
            raise IllegalMoveError(
                f"{where}: not a {kind} number 1..{self.num_actions}", index=index, token=token
            )
        number = int(token) if len(token) <= 4 else self.num_actions + 1  # no 5,000-digit int()
        if not 1 <= number <= self.num_actions:
            raise IllegalMoveError(
                f"{where}: {kind} out of range, expected 1..{self.num_actions}", index=index, token=token
            )
        return number - 1

    def moves_to_str(self, actions: Sequence[int]) -> str:
        sep = "" if self.compact_notation else ","
        return sep.join(self.action_to_str(a) for a in actions)

    # ---- host helpers -----------------------------------------------------------------
    def play(self, state: State, action: int, *, index: int = 0) -> State:
        """Plays one action on a host (unbatched) state, raising `IllegalMoveError` if illegal."""
        token = self.action_to_str(action) if 0 <= action < self.num_actions else str(action + 1)
        where = f"move {index} ({token!r})" if index else f"move {token!r}"
        if not 0 <= int(action) < self.num_actions:
            raise IllegalMoveError(
                f"{where}: out of range, expected 1..{self.num_actions}", index=index, token=token
            )
        if bool(state.terminal):
            raise IllegalMoveError(f"{where}: the game is already over ({self.result_text(state)})",
                                   index=index, token=token)
        if not bool(self._jit_legal(state)[int(action)]):
            what = "is full" if self.config.gravity else "is already taken"
            raise IllegalMoveError(f"{where}: {self.describe_action(action)} {what}", index=index, token=token)
        return self._jit_step(state, jnp.int32(action))

    def from_moves(self, text: str | Sequence[int]) -> State:
        """The position reached by a move string in standard notation (or a list of actions).

        Raises `IllegalMoveError` naming the first offending move: a bad character, a number
        out of range, a full column or taken cell, or a move after the game ended.
        """
        state = self.init()
        if isinstance(text, str):
            actions = [self.parse_action(tok, i + 1) for i, tok in enumerate(self.tokenize(text))]
        else:
            actions = [int(a) for a in text]
        for i, action in enumerate(actions):
            state = self.play(state, action, index=i + 1)
        return state

    def batch_from_moves(self, positions: Sequence[str]) -> State:
        """Many positions at once (batched State), replayed in one jitted scan.

        Much faster than `from_moves` per position; an illegal position raises the same
        `IllegalMoveError` that `from_moves` gives for it.
        """
        actions = [[self.parse_action(tok, i + 1) for i, tok in enumerate(self.tokenize(p))] for p in positions]
        width = max((len(a) for a in actions), default=0)
        table = np.full((len(actions), max(width, 1)), -1, np.int32)
        for row, moves in zip(table, actions, strict=True):
            row[: len(moves)] = moves
        states = self._jit_replay(self.init_batch(len(actions)), jnp.asarray(table))
        bad = np.flatnonzero(np.asarray(states.forfeit))
        if bad.size:
            self.from_moves(positions[int(bad[0])])  # raises with the offending move named
        return jax.tree.map(np.asarray, states)

    def _replay(self, states: State, table: jax.Array) -> State:
        def one(states, column):
            moved = jax.vmap(self.step)(states, jnp.maximum(column, 0))
            # A finished game stepped again is unchanged, but an action after the end is an
            # error in notation: mark it as a forfeit so the caller reports it.
            late = (column >= 0) & states.terminal
            moved = moved.replace(forfeit=moved.forfeit | late)
            keep = column >= 0
            return jax.tree.map(lambda m, s: jnp.where(keep.reshape((-1,) + (1,) * (s.ndim - 1)), m, s),
                                moved, states), None

        states, _ = jax.lax.scan(one, states, table.T)
        return states

    def to_moves(self, state: State) -> str:
        """The move string that reaches a host state, in standard notation."""
        ply = int(state.ply)
        return self.moves_to_str(np.asarray(state.moves)[:ply].tolist())

    def legal_actions(self, state: State) -> list[int]:
        """0-based legal actions of a host state."""
        return np.flatnonzero(np.asarray(self._jit_legal(state))).tolist()

    def winner(self, state: State) -> int | None:
        """0 or 1 for the player who won, None while ongoing or after a draw."""
        w = int(state.winner)
        return None if w == NO_WINNER else w

    def result_text(self, state: State) -> str:
        """'X wins', 'O wins', 'draw' or 'ongoing'."""
        if not bool(state.terminal):
            return "ongoing"
        w = self.winner(state)
        if w is None:
            return "draw"
        return f"{PLAYER_SYMBOLS[w]} wins" + (" (illegal move by the opponent)" if bool(state.forfeit) else "")

    def board_array(self, state: State) -> np.ndarray:
        """The board as a [rows, cols] int8 numpy array (+1 first player, -1 second, 0 empty)."""
        return np.asarray(state.board).reshape(self.config.rows, self.config.cols)

    def winning_cells(self, state: State) -> list[int]:
        """Cells of every completed line of the winner (empty unless someone has won)."""
        w = self.winner(state)
        if w is None or bool(state.forfeit):
            return []
        stone = FIRST_STONE if w == 0 else -FIRST_STONE
        board = np.asarray(state.board)
        lines = winning_lines(self.config.rows, self.config.cols, self.config.k)
        hits = lines[np.all(board[lines] == stone, axis=1)]
        return sorted(set(hits.reshape(-1).tolist()))

    def render(self, state: State) -> str:
        """ASCII board, X for the first player and O for the second, with move labels."""
        cfg = self.config
        board = self.board_array(state)
        symbol = {0: ".", 1: PLAYER_SYMBOLS[0], -1: PLAYER_SYMBOLS[1]}
        width = len(str(self.num_actions))
        lines = []
        for r in range(cfg.rows):
            if cfg.gravity:
                cells = [symbol[int(v)] for v in board[r]]
            else:
                cells = [
                    symbol[int(v)] if v else str(r * cfg.cols + c + 1) for c, v in enumerate(board[r])
                ]
            lines.append(" ".join(s.rjust(width) for s in cells))
        if cfg.gravity:
            lines.append(" ".join(str(c + 1).rjust(width) for c in range(cfg.cols)))
        status = self.result_text(state)
        if status == "ongoing":
            status = f"{PLAYER_SYMBOLS[int(state.player)]} to move"
        lines.append(status)
        return "\n".join(lines)


@functools.cache
def _make(name: str, rows: int, cols: int, k: int) -> Game:
    return Game(name, GameConfig(rows=rows, cols=cols, k=k, gravity=DEFAULTS[name].gravity))


def make(spec: str | Game) -> Game:
    """`tictactoe`, `connect4`, or a variant such as `connect4:rows=5,cols=6,k=4`.

    Games are cached, so the same spec returns the same object (and its compiled functions).
    """
    if isinstance(spec, Game):
        return spec
    name, options = parse_spec(spec, kind="game spec")
    aliases = {"ttt": "tictactoe", "tic-tac-toe": "tictactoe", "connect-four": "connect4", "c4": "connect4"}
    name = aliases.get(name, name)
    if name not in DEFAULTS:
        raise SpecError(f"unknown game {name!r}: valid games are {', '.join(DEFAULTS)} "
                        "(options rows=, cols=, k=)")
    unknown = sorted(set(options) - {"rows", "cols", "k"})
    if unknown:
        raise SpecError(f"unknown option {unknown[0]!r} for game {name}: valid options are rows, cols, k")
    base = DEFAULTS[name]
    rows = parse_int(options.get("rows", str(base.rows)), key="rows", spec=spec, minimum=1, maximum=MAX_SIDE)
    cols = parse_int(options.get("cols", str(base.cols)), key="cols", spec=spec, minimum=1, maximum=MAX_SIDE)
    k = parse_int(options.get("k", str(base.k)), key="k", spec=spec, minimum=2, maximum=MAX_SIDE)
    if k > max(rows, cols):
        raise SpecError(f"game {spec!r}: k={k} does not fit on a {rows}x{cols} board")
    if rows * cols > MAX_CELLS:
        raise SpecError(f"game {spec!r}: at most {MAX_CELLS} cells are supported")
    return _make(name, rows, cols, k)
