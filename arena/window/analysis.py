"""What the overlays show, computed without pygame: opponent choice, solver verdicts, win odds.

Every source is optional. An agent that fills no `prior` has no policy heat map; a board the
exact solver cannot handle gives `SolverUnavailable`, and the window then says "not available"
instead of failing. Solver verdicts come from the one judge (`agents.solver.judge`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from agents.solver import Judge, JudgeUnavailable, verdict
from games import Game, State

OVERLAYS = ("policy", "visits", "winbar", "solver")  # what `arena play --overlay` and the keys toggle
# The menu's strength steps, by the option an agent declares as its strength (agents/registry.py).
STRENGTH_STEPS = {"sims": (16, 32, 64, 100, 200, 400, 800, 1600, 3200), "depth": (1, 2, 3, 4, 5, 6, 8, 10, 12)}


class SolverUnavailable(Exception):
    """No exact solver for this game (the board is too big for it)."""


def default_opponent(game: Game, *, root: Path | None = None) -> str:
    """The opponent when `--opponent` is not given: `az` with a released model, else `mcts`.

    "Released" is the model store's answer (`agents.checkpoint.released_model`, honouring
    `$KINROW_CHECKPOINTS`; `root` names another store), the one `az` itself loads from, so the
    default never names an `az` that then fails to load. Falls back to `random` while neither
    agent is registered, so the window always opens.
    """
    from agents import REGISTRY
    from agents.checkpoint import released_model

    if "az" in REGISTRY and released_model(game, root) is not None:
        return "az"
    if "mcts" in REGISTRY:
        return "mcts"
    return "random"


def default_reason(game: Game, *, root: Path | None = None) -> str:
    """Why `default_opponent` chose what it chose, for the window title and status."""
    from agents.checkpoint import released_model

    name = default_opponent(game, root=root)
    if name == "az":
        return f"default: released model in {released_model(game, root)}"
    return f"default: no released model for {game.spec}" if name == "mcts" else "default: no search agent yet"


def strength_option(agent_name: str) -> str | None:
    """The option that sets an agent's strength (`sims`, `depth`), as the agent declares it; None if none."""
    from agents import REGISTRY

    info = REGISTRY.get(agent_name)
    option = info.strength if info is not None else None
    return option.name if option is not None else None


def with_strength(spec: str, value: int | None) -> str:
    """`spec` with its strength option set to `value` (other options kept), checked by its declaration."""
    from agents import with_options
    from games import parse_spec

    name, _ = parse_spec(spec, kind="agent spec")
    option = strength_option(name)
    if option is None or value is None:
        return spec
    return with_options(spec, **{option: int(value)})


def strength_of(spec: str) -> int | None:
    """The strength value a spec gives (None when the agent's default applies, or it has none)."""
    from agents import read_spec
    from games import SpecError

    try:
        info, given = read_spec(spec)
    except SpecError:  # not an agent spec (a label of an agent built in code): nothing to show
        return None
    option = info.strength
    return None if option is None else given.get(option.name)


def win_probability(value: float | None, to_move: int) -> float | None:
    """The first player's (X's) winning chance from a value in [-1, 1] of the side to move.

    The bar keeps one fixed point of view (X on the left) so it does not flip every move.
    """
    if value is None or not math.isfinite(float(value)):
        return None
    v = float(np.clip(value, -1.0, 1.0))
    if to_move == 1:
        v = -v
    return (v + 1.0) / 2.0


# ---- the exact solver, through the judge ---------------------------------------------------
_judges: dict[str, Judge] = {}


def _judge(game: Game) -> Judge:
    """One `agents.solver.Judge` per game for the window's life (its cache survives undo/redo)."""
    if game.spec not in _judges:
        try:
            _judges[game.spec] = Judge(game)
        except JudgeUnavailable as err:
            raise SolverUnavailable(str(err)) from None
    return _judges[game.spec]


def solver_scores(game: Game, state: State, *, budget_s: float | None = 5.0) -> dict[int, int | None]:
    """Pons score of every legal move (mover's view), None where the budget left it unknown.

    `Judge.move_scores` runs `Solver.analyze(state, time_s=budget_s)`: exact scores, or under a
    cut-off only the forced wins and losses the deepening search proved.
    """
    scores = _judge(game).move_scores(state, time_s=budget_s)
    return {a: scores[a] for a in game.legal_actions(state)}


def verdict_text(game: Game, state: State, score: int | None) -> str:
    """The judge's short label of a move's score: 'W in 3', 'D', 'L in 5', or '?'."""
    return verdict(game, int(state.ply), score, short=True)


def first(*arrays: Any) -> np.ndarray | None:
    """The first of the arrays that is not None, as float numpy."""
    for a in arrays:
        if a is not None:
            return np.asarray(a, dtype=np.float64)
    return None
