"""The game session behind the window: position, undo/redo, seats. Pure Python, no pygame.

The position is the list of actions from the empty board (plus the states along the way, so
undo is a list pop, not a replay); the rules stay in `games`. Seats say who plays each side,
so undo and redo know to step over the agent's replies and stop where the person is to move.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from games import PLAYER_SYMBOLS, Game, State

Seat = Literal["human", "agent"]


class Session:
    """One game in the window: moves, the redo stack, and who sits on each side."""

    def __init__(self, game: Game, start: Sequence[int] = (), seats: tuple[Seat, Seat] = ("human", "agent")):
        self.game = game
        self.start = [int(a) for a in start]
        self.seats: list[Seat] = list(seats)
        self._saved_seats: list[Seat] | None = None  # the seats to restore when watch mode ends
        self.moves: list[int] = []
        self.states: list[State] = [game.init()]
        self.redo_stack: list[int] = []
        for i, action in enumerate(self.start):
            self._push(action, index=i + 1)

    # ---- position ---------------------------------------------------------------------
    @property
    def state(self) -> State:
        return self.states[-1]

    @property
    def key(self) -> tuple[int, ...]:
        """The position as a hashable tuple of actions (caches and job tags use it)."""
        return tuple(self.moves)

    @property
    def to_move(self) -> int:
        """0 for the first player (X), 1 for the second (O)."""
        return int(self.state.player)

    @property
    def over(self) -> bool:
        return bool(self.state.terminal)

    @property
    def last_action(self) -> int | None:
        return self.moves[-1] if self.moves else None

    def legal_actions(self) -> list[int]:
        return [] if self.over else self.game.legal_actions(self.state)

    def is_legal(self, action: int) -> bool:
        return 0 <= action < self.game.num_actions and action in self.legal_actions()

    def last_cell(self) -> int | None:
        """The board cell of the last stone (for connect four: the top stone of its column)."""
        action = self.last_action
        if action is None:
            return None
        if not self.game.config.gravity:
            return action
        board = self.game.board_array(self.state)
        rows = np.flatnonzero(board[:, action])
        return int(rows[0]) * self.game.config.cols + action if rows.size else None

    def move_text(self) -> str:
        """The moves so far in standard notation (what `--position` accepts)."""
        return self.game.moves_to_str(self.moves)

    # ---- seats ------------------------------------------------------------------------
    def seat_to_move(self) -> Seat:
        return self.seats[self.to_move]

    @property
    def human_turn(self) -> bool:
        return not self.over and self.seat_to_move() == "human"

    @property
    def agent_turn(self) -> bool:
        return not self.over and self.seat_to_move() == "agent"

    @property
    def watching(self) -> bool:
        return "human" not in self.seats

    def swap_sides(self) -> None:
        """The person takes the other colour (the agent may then be to move)."""
        self.seats.reverse()

    def set_watch(self, on: bool) -> None:
        """Agent against agent (on), or back to the seats from before (off)."""
        if on and not self.watching:
            self._saved_seats = list(self.seats)
            self.seats = ["agent", "agent"]
        elif not on and self.watching:
            self.seats = self._saved_seats or ["human", "agent"]
            self._saved_seats = None

    # ---- changes ----------------------------------------------------------------------
    def _push(self, action: int, index: int = 0) -> State:
        state = self.game.play(self.state, int(action), index=index)  # raises IllegalMoveError
        self.moves.append(int(action))
        self.states.append(state)
        return state

    def play(self, action: int) -> State:
        """Plays one move (raising `IllegalMoveError` with a readable message if illegal).

        Redo history survives when the move is the one that would have been redone.
        """
        state = self._push(action)
        if self.redo_stack and self.redo_stack[-1] == int(action):
            self.redo_stack.pop()
        else:
            self.redo_stack.clear()
        return state

    def _pop(self) -> None:
        self.redo_stack.append(self.moves.pop())
        self.states.pop()

    def undo(self) -> int:
        """Takes back the person's last move and the agent's reply; returns moves taken back.

        Stops at the first earlier position where a person is to move (in watch mode, after
        one move), or at the empty board.
        """
        taken = 0
        while self.moves:
            self._pop()
            taken += 1
            if self.watching or self.seat_to_move() == "human":
                break
        return taken

    def redo(self) -> int:
        """Replays undone moves up to the next position where a person is to move."""
        done = 0
        while self.redo_stack and not self.over:
            self._push(self.redo_stack.pop())
            done += 1
            if self.watching or self.seat_to_move() == "human":
                break
        return done

    def new_game(self) -> None:
        """Back to the start position (the `--position` given, else the empty board)."""
        while len(self.moves) > len(self.start):
            self.moves.pop()
            self.states.pop()
        if self.moves != self.start:  # undone below the start position: rebuild it
            self.moves, self.states = [], [self.game.init()]
            for action in self.start:
                self._push(action)
        self.redo_stack.clear()

    # ---- words ------------------------------------------------------------------------
    def player_name(self, player: int, agent_name: str) -> str:
        return "you" if self.seats[player] == "human" else agent_name

    def banner_text(self, agent_name: str = "agent") -> str:
        """The game-over line, e.g. 'X wins - you win!', or '' while the game goes on."""
        if not self.over:
            return ""
        winner = self.game.winner(self.state)
        if winner is None:
            return "Draw"
        text = f"{PLAYER_SYMBOLS[winner]} wins"
        if bool(self.state.forfeit):
            text += " (illegal move)"
        if self.watching:
            return text
        return text + (" - you win!" if self.seats[winner] == "human" else f" - {agent_name} wins")
