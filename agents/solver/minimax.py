"""Memoized negamax over whole boards: exact scores for tic-tac-toe and other tiny games.

Works for any member of the family (with or without gravity) small enough to search in
Python: 3x3 tic-tac-toe has 5,478 positions and solves in well under a second. The lines of
the board come from `games.core.winning_lines`, the same table the JAX rules use, so the rules
are not written twice. Scores use the generalized Pons convention of `agents.solver`.
"""

from __future__ import annotations

from games import Game
from games.core import winning_lines

Board = tuple[int, ...]  # row-major from the top, +1 first player, -1 second, 0 empty


class Abort(Exception):
    """Raised inside the search when its node limit is reached."""


class MinimaxSolver:
    """Exact (memoized) or depth-limited negamax over `Board` tuples."""

    def __init__(self, game: Game) -> None:
        cfg = game.config
        self.rows, self.cols, self.gravity = cfg.rows, cfg.cols, cfg.gravity
        self.cells = cfg.num_cells
        self.half = (self.cells + 1) // 2
        lines = winning_lines(cfg.rows, cfg.cols, cfg.k).tolist()
        self.lines_through: list[list[list[int]]] = [[] for _ in range(self.cells)]
        for line in lines:
            for cell in line:
                self.lines_through[cell].append(line)
        self.memo: dict[Board, int] = {}
        self.nodes = 0
        self.node_limit = 1 << 62
        self.heuristic_leaves = 0

    # ---- rules on tuples ------------------------------------------------------------------
    def win_score(self, stones_before: int) -> int:
        """Score of winning with the move played when `stones_before` stones are on the board."""
        return self.half - stones_before // 2

    def moves(self, board: Board) -> list[tuple[int, int]]:
        """(action, cell) pairs of the legal moves, centre-first for better pruning."""
        if self.gravity:
            out = []
            for c in range(self.cols):
                for r in range(self.rows - 1, -1, -1):
                    if board[r * self.cols + c] == 0:
                        out.append((c, r * self.cols + c))
                        break
        else:
            out = [(i, i) for i, v in enumerate(board) if v == 0]
        centre_r, centre_c = (self.rows - 1) / 2, (self.cols - 1) / 2
        out.sort(key=lambda m: abs(m[1] // self.cols - centre_r) + abs(m[1] % self.cols - centre_c))
        return out

    def wins(self, board: Board, cell: int) -> bool:
        """True when the stone on `cell` completes a line."""
        stone = board[cell]
        return any(all(board[i] == stone for i in line) for line in self.lines_through[cell])

    @staticmethod
    def stone_to_move(board: Board) -> int:
        return 1 if sum(1 for v in board if v) % 2 == 0 else -1

    # ---- search ---------------------------------------------------------------------------
    def solve(self, board: Board) -> int:
        """Exact score of a non-terminal board for the side to move (memoized)."""
        cached = self.memo.get(board)
        if cached is not None:
            return cached
        self.nodes += 1
        if self.nodes > self.node_limit:
            raise Abort
        n = sum(1 for v in board if v)
        stone = 1 if n % 2 == 0 else -1
        best = -(1 << 30)
        for _, cell in self.moves(board):
            child = board[:cell] + (stone,) + board[cell + 1 :]
            if self.wins(child, cell):
                best = self.win_score(n)
                break  # the fastest win available: nothing scores higher
            score = 0 if n + 1 == self.cells else -self.solve(child)
            best = max(best, score)
        self.memo[board] = best
        return best

    def analyze(self, board: Board, num_actions: int) -> list[int | None]:
        """Every action's exact score from the mover's view; None where illegal."""
        out: list[int | None] = [None] * num_actions
        n = sum(1 for v in board if v)
        stone = 1 if n % 2 == 0 else -1
        for action, cell in self.moves(board):
            child = board[:cell] + (stone,) + board[cell + 1 :]
            if self.wins(child, cell):
                out[action] = self.win_score(n)
            else:
                out[action] = 0 if n + 1 == self.cells else -self.solve(child)
        return out

    def depth_value(self, board: Board, depth: int) -> float:
        """Depth-limited negamax; unresolved leaves count as 0.0 (no heuristic beyond a draw)."""
        cached = self.memo.get(board)
        if cached is not None:
            return float(cached)
        self.nodes += 1
        if self.nodes > self.node_limit:
            raise Abort
        if depth <= 0:
            self.heuristic_leaves += 1
            return 0.0
        n = sum(1 for v in board if v)
        stone = 1 if n % 2 == 0 else -1
        best = -1e9
        for _, cell in self.moves(board):
            child = board[:cell] + (stone,) + board[cell + 1 :]
            if self.wins(child, cell):
                return float(self.win_score(n))
            score = 0.0 if n + 1 == self.cells else -self.depth_value(child, depth - 1)
            best = max(best, score)
        return best

    def depth_analyze(self, board: Board, num_actions: int, depth: int) -> list[float | None]:
        out: list[float | None] = [None] * num_actions
        n = sum(1 for v in board if v)
        stone = 1 if n % 2 == 0 else -1
        for action, cell in self.moves(board):
            child = board[:cell] + (stone,) + board[cell + 1 :]
            if self.wins(child, cell):
                out[action] = float(self.win_score(n))
            else:
                out[action] = 0.0 if n + 1 == self.cells else -self.depth_value(child, depth - 1)
        return out
