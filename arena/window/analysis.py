"""What the overlays show, computed without pygame: opponent choice, solver verdicts, win odds.

Every source is optional. An agent that fills no `prior` has no policy heat map; a missing
solver module or a board it cannot solve gives `SolverUnavailable`; the window then says
"not available" instead of failing, and picks the real data up as soon as it exists.
"""

from __future__ import annotations

import importlib
import inspect
import math
from pathlib import Path
from typing import Any

import numpy as np

from games import Game, State

CHECKPOINTS = Path(__file__).resolve().parents[2] / "checkpoints"
STRENGTH_OPTIONS = ("sims", "depth")  # the agent option the menu's strength control sets
STRENGTH_STEPS = {"sims": (16, 32, 64, 100, 200, 400, 800, 1600, 3200), "depth": (1, 2, 3, 4, 5, 6, 8, 10, 12)}


class SolverUnavailable(Exception):
    """No exact solver for this game (not built yet, or the board is too big for it)."""


def released_checkpoint(game: Game, root: Path = CHECKPOINTS) -> Path | None:
    """The folder of a released model for `game` (checkpoints/<game name>/...), if any."""
    folder = root / game.name
    if folder.is_dir() and any(folder.iterdir()):
        return folder
    return None


def default_opponent(game: Game, *, root: Path = CHECKPOINTS) -> str:
    """The opponent when `--opponent` is not given: `az` with a released model, else `mcts`.

    Falls back to `random` while neither agent is registered, so the window always opens.
    The lead adjusts this one function when the agents change.
    """
    from agents import REGISTRY

    if "az" in REGISTRY and released_checkpoint(game, root) is not None:
        return "az"
    if "mcts" in REGISTRY:
        return "mcts"
    return "random"


def default_reason(game: Game, *, root: Path = CHECKPOINTS) -> str:
    """Why `default_opponent` chose what it chose, for the window title and status."""
    name = default_opponent(game, root=root)
    if name == "az":
        return f"default: released model in {released_checkpoint(game, root)}"
    return f"default: no released model for {game.name}" if name == "mcts" else "default: no search agent yet"


def strength_option(agent_name: str) -> str | None:
    """The option that sets an agent's strength (`sims` or `depth`), or None if it has none."""
    from agents import REGISTRY

    info = REGISTRY.get(agent_name)
    if info is None:
        return None
    return next((opt for opt in STRENGTH_OPTIONS if opt in info.options), None)


def with_strength(spec: str, value: int | None) -> str:
    """`spec` with its strength option set to `value` (other options kept)."""
    from games import parse_spec

    name, options = parse_spec(spec, kind="agent spec")
    option = strength_option(name)
    if option is None or value is None:
        return spec
    options[option] = str(int(value))
    return name + ":" + ",".join(f"{k}={v}" for k, v in options.items())


def strength_of(spec: str) -> int | None:
    """The strength value written in a spec (None when the agent's default applies)."""
    from games import parse_spec

    name, options = parse_spec(spec, kind="agent spec")
    option = strength_option(name)
    if option is None or option not in options:
        return None
    try:
        return int(options[option])
    except ValueError:
        return None


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


# ---- the exact solver ----------------------------------------------------------------
_solvers: dict[str, Any] = {}


def _make_solver(game: Game) -> Any:
    """A cached `agents.solver.Solver(game)`; SolverUnavailable when it does not exist."""
    if game.spec in _solvers:
        return _solvers[game.spec]
    try:
        module = importlib.import_module("agents.solver")
        cls = module.Solver
    except (ImportError, AttributeError) as err:
        raise SolverUnavailable("solver not built yet") from err
    try:
        solver = cls(game)
    except Exception as err:  # noqa: BLE001 - e.g. a board too big for the bitboard
        raise SolverUnavailable(f"no solver for {game.spec}: {err}") from err
    _solvers[game.spec] = solver
    return solver


def _budget_kwargs(method: Any, budget_s: float | None) -> dict[str, Any]:
    """Passes a time budget under whatever name the solver's `analyze` accepts."""
    if budget_s is None:
        return {}
    try:
        params = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return {}
    for name in ("time_s", "time_budget", "budget_s", "time_limit", "seconds", "budget"):
        if name in params:
            return {name: budget_s}
    return {}


def solver_scores(game: Game, state: State, *, budget_s: float | None = 5.0) -> dict[int, int | None]:
    """Exact score of every legal move (Pons' convention, mover's view); None where unknown.

    Reads `agents.solver`'s `AnalyzeResult.move_scores` (also accepts a plain [A] array or a
    dict). When the time budget cut the search short (`exact` False), only whole scores of
    magnitude >= 1 (forced wins found by the deepening search) are kept; the rest is None.
    """
    solver = _make_solver(game)
    method = getattr(solver, "analyze", None)
    if method is None:
        raise SolverUnavailable("the solver has no analyze()")
    raw = method(state, **_budget_kwargs(method, budget_s))
    exact = bool(getattr(raw, "exact", True))
    for field in ("move_scores", "scores"):
        if hasattr(raw, field):
            raw = getattr(raw, field)
            break
    legal = game.legal_actions(state)
    bound = game.config.num_cells + 2  # larger magnitudes are sentinels (full column, aborted)
    out: dict[int, int | None] = {}
    if isinstance(raw, dict):
        items = {int(a): raw.get(a) for a in legal}
    else:
        arr = np.asarray(raw, dtype=np.float64).reshape(-1)
        items = {a: arr[a] if a < arr.size else None for a in legal}
    for a, s in items.items():
        if s is None or not math.isfinite(float(s)) or abs(float(s)) > bound or not exact and (abs(float(s)) < 1 or float(s) != int(float(s))):
            out[a] = None
        else:
            out[a] = int(round(float(s)))
    return out


def moves_to_end(game: Game, state: State, score: int) -> int:
    """How many moves of the winner's the game lasts after this position, for score != 0.

    A win score s means the winner ends with (cells+1)//2 + 1 - s stones (Pons, generalized);
    the count is the stones still to play, the current move included when the mover wins.
    """
    final_stones = (game.config.num_cells + 1) // 2 + 1 - abs(score)
    ply = int(state.ply)
    winner_stones_now = ply // 2 if score > 0 else (ply + 1) // 2
    return max(1, final_stones - winner_stones_now)


def verdict_text(game: Game, state: State, score: int | None) -> str:
    """'W in 3' (the mover wins with 3 more of its own moves), 'D', 'L in 5', or '?'."""
    if score is None:
        return "?"
    if score == 0:
        return "D"
    n = moves_to_end(game, state, score)
    return f"{'W' if score > 0 else 'L'} in {n}"


def first(*arrays: Any) -> np.ndarray | None:
    """The first of the arrays that is not None, as float numpy."""
    for a in arrays:
        if a is not None:
            return np.asarray(a, dtype=np.float64)
    return None
