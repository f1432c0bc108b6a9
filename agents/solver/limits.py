"""What the exact solver can be asked: the boards it finishes on, and the bounds of its budgets.

The bitboard backend solves any gravity board that fits 64 bits (Pons' method, seconds to
minutes even for the empty 7x6 board). Every other board goes to the memoized Python negamax,
whose table keeps every position it meets (up to 3^cells): 12 cells solve in about a second,
a 4x4 board with k=3 in 44 s, with k=4 it was still running after 4 CPU-minutes at 1.5 GB, and
a 5x5 board grows by ~38 MB/s for hours. So an unbudgeted exact answer is promised up to
MAX_MINIMAX_CELLS below (one limit for the whole project, the judge's included), and bigger
boards need a depth or time budget. The command line, the `solver` agent, `arena eval` and
training evaluation ask `exact_refusal` before they start, so none of them hangs on a board it
cannot finish.
"""

from __future__ import annotations

from games import Game
from games.game import MAX_CELLS

# The Python minimax memoizes every position it meets; 3^12 boards is its bounded worst case.
MAX_MINIMAX_CELLS = 12
MAX_SECONDS = 86_400.0  # a time budget of at most a day per position
MAX_DEPTH = MAX_CELLS  # deeper than the moves left is the exact search; the bound keeps numbers sane


def exact_refusal(game: Game) -> str | None:
    """Why an unbudgeted exact solve of `game` might not finish, or None when it will."""
    from agents.solver.bitboard import fits

    cfg = game.config
    if cfg.gravity and fits(cfg.rows, cfg.cols):
        return None
    if cfg.num_cells <= MAX_MINIMAX_CELLS:
        return None
    return (f"{game.spec} is too big for the exact solver ({cfg.num_cells} cells; it solves gravity "
            f"boards with (rows + 1) x cols <= 64 and other boards of at most {MAX_MINIMAX_CELLS} cells)")


def score_bound(game: Game, ply: int) -> int:
    """The largest |score| (Pons' convention) a position after `ply` moves can have.

    A win with the mover's stone number s scores (cells + 1) // 2 + 1 - s, and the side to
    move has ply // 2 stones before its next one; a loss is bounded by the same or less.
    """
    return (game.config.num_cells + 1) // 2 - ply // 2
