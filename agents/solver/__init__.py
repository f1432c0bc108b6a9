"""Exhaustive search: exact game-theoretic scores (Pascal Pons' convention) for the family.

    from agents.solver import Solver
    solver = Solver("connect4")
    solver.solve("4455").score            # 18: the side to move wins with its 4th stone
    solver.analyze("").move_scores        # [-2, -1, 0, 1, 0, -1, -2]

Backends: a numba bitboard negamax (connect-k boards that fit 64 bits) and a memoized Python
negamax (tic-tac-toe and tiny boards). The `solver` agent (agents.make("solver")) plays
perfectly; `solver:depth=N` and `solver:time=S` are weaker baselines. `Judge` (judge.py) is the
one place that judges moves and games against perfect play and words verdicts.
"""

from agents.solver.datasets import PONS_SETS, DatasetError, load_pons_set, load_uci, pons_set_name
from agents.solver.judge import (
    CLASS_NAMES,
    DRAW,
    ILLEGAL,
    LOSS,
    WIN,
    GameJudgement,
    Judge,
    JudgeUnavailable,
    Mistake,
    is_mistake,
    verdict,
)
from agents.solver.solver import (
    AnalyzeResult,
    PositionError,
    Solver,
    SolveResult,
    label_positions,
    outcome_class,
)

__all__ = [
    "CLASS_NAMES",
    "DRAW",
    "ILLEGAL",
    "LOSS",
    "PONS_SETS",
    "WIN",
    "GameJudgement",
    "Judge",
    "JudgeUnavailable",
    "Mistake",
    "AnalyzeResult",
    "DatasetError",
    "PositionError",
    "SolveResult",
    "Solver",
    "is_mistake",
    "label_positions",
    "load_pons_set",
    "load_uci",
    "outcome_class",
    "pons_set_name",
    "verdict",
]
