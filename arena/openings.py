"""Opening positions, so that deterministic agents do not replay one game over and over.

Each colour-swapped pair of a tournament starts from one opening: a random K-ply prefix
drawn from a seed (distinct prefixes first, cycling only when fewer exist than pairs), or a
position from a file in standard notation (`4453`, one per line; anything after the first
whitespace, such as a Pons score, is ignored; `#` starts a comment).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from agents.random_agent import random_line
from games import Game, SuiteError


class OpeningsError(SuiteError):
    """An openings file that cannot be read or holds a bad position."""


def random_openings(game: Game, plies: int, count: int, *, seed: int, max_tries: int | None = None) -> list[str]:
    """Up to `count` distinct random `plies`-move prefixes that do not end the game, in draw order.

    Fewer are returned when fewer exist (e.g. 1 for 0 plies); callers cycle through them.
    """
    if plies < 0:
        raise OpeningsError(f"--openings {plies}: expected a number of plies >= 0")
    if plies >= game.config.num_cells:
        raise OpeningsError(f"--openings {plies}: the board has only {game.config.num_cells} cells")
    rng = np.random.default_rng([seed, plies, 0x0BE])
    seen: dict[str, None] = {}
    tries = stale = 0
    max_tries = max_tries or max(200, count * 20)
    while len(seen) < count and tries < max_tries and stale < 500:  # stale: the prefixes ran out
        tries += 1
        stale += 1
        actions = random_line(game, plies, rng)
        if len(actions) == plies:  # a shorter line met a move that ends the game: drawn again
            text = game.moves_to_str(actions)
            if text not in seen:
                seen[text] = None
                stale = 0
    return list(seen)


def undecided(game: Game, openings: list[str], *, depth: int = 8) -> list[str]:
    """The openings with no forced result within `depth` plies (per the project's solver):
    exact draws, and positions whose depth-limited search proves nothing. Openings where one
    side has a forced win the agents could stumble into are dropped."""
    from agents.solver import Solver

    solver = Solver(game)
    keep = []
    for moves in openings:
        result = solver.solve(moves, depth=depth)
        if not (result.exact and result.score != 0):
            keep.append(moves)
    return keep


def read_openings(game: Game, path: str | Path) -> list[str]:
    """Positions from a file, validated and written in standard notation; anything after the
    moves on a line (a Pons score) is ignored. A bad line raises one `OpeningsError` naming it."""
    from agents.solver.datasets import read_position_file  # the one position-file reader

    return [game.to_moves(state) for _, state, _ in
            read_position_file(game, path, what="openings file", error=OpeningsError, labels=False)]


def to_actions(game: Game, moves: str) -> tuple[int, ...]:
    return tuple(game.parse_action(tok, i + 1) for i, tok in enumerate(game.tokenize(moves)))
