"""An independent, plain-Python statement of the k-in-a-row rules, used only as a test oracle.

Deliberately written differently from games/core.py (2-D lists, scanning every direction from
every cell after each move) so that a shared bug is unlikely.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RefGame:
    rows: int
    cols: int
    k: int
    gravity: bool
    grid: list[list[int]] = field(default_factory=list)  # 0 empty, 1 first, 2 second
    to_move: int = 1
    winner: int = 0  # 0 none, 1 or 2
    plies: int = 0

    def __post_init__(self) -> None:
        self.grid = [[0] * self.cols for _ in range(self.rows)]

    @property
    def over(self) -> bool:
        return self.winner != 0 or self.plies == self.rows * self.cols

    def legal(self) -> list[int]:
        if self.over:
            return []
        if self.gravity:
            return [c for c in range(self.cols) if self.grid[0][c] == 0]
        return [r * self.cols + c for r in range(self.rows) for c in range(self.cols) if self.grid[r][c] == 0]

    def play(self, action: int) -> None:
        assert action in self.legal(), action
        if self.gravity:
            row = max(r for r in range(self.rows) if self.grid[r][action] == 0)
            col = action
        else:
            row, col = divmod(action, self.cols)
        self.grid[row][col] = self.to_move
        self.plies += 1
        if self._has_line(self.to_move):
            self.winner = self.to_move
        self.to_move = 3 - self.to_move

    def _has_line(self, who: int) -> bool:
        for r in range(self.rows):
            for c in range(self.cols):
                for dr, dc in ((0, 1), (1, 0), (1, 1), (-1, 1)):
                    run = 0
                    rr, cc = r, c
                    while 0 <= rr < self.rows and 0 <= cc < self.cols and self.grid[rr][cc] == who:
                        run += 1
                        if run >= self.k:
                            return True
                        rr, cc = rr + dr, cc + dc
        return False

    def board_values(self) -> list[int]:
        """Row-major from the top-left, +1 first player, -1 second, 0 empty."""
        conv = {0: 0, 1: 1, 2: -1}
        return [conv[v] for row in self.grid for v in row]
