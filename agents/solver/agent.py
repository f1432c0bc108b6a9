"""The `solver` agent: perfect play, or a ladder of weaker baselines under a budget.

`solver` plays a move with the best exact score (so the fastest win and the slowest loss),
breaking ties at random from the agent's key so that games between deterministic-strength
agents still vary. `solver:depth=N` and `solver:time=S` search N plies / S seconds and fall
back to a heuristic at the horizon (exact when the budget suffices).
"""

from __future__ import annotations

import jax
import numpy as np

from agents.base import Agent, Decision
from agents.solver.judge import verdict
from agents.solver.limits import exact_refusal
from agents.solver.solver import Solver, outcome_class
from games import Game, SpecError, State


class SolverAgent(Agent):
    """Chooses among the best-scoring moves of `Solver.analyze`, at random from the key."""

    def __init__(self, game: Game, spec: str = "solver", seed: int = 0, *, depth: int | None = None,
                 time_s: float | None = None, book: bool = True) -> None:
        super().__init__(game, spec, seed)
        self.depth = depth
        self.time_s = time_s
        self.solver = Solver(game, book=book)

    def decide(self, state: State, key: jax.Array | None = None) -> Decision:
        key = self._next_key() if key is None else key
        result = self.solver.analyze(state, depth=self.depth, time_s=self.time_s)
        best = result.best_moves
        pick = int(jax.random.randint(key, (), 0, len(best))) if len(best) > 1 else 0
        action = best[pick]
        scores = result.move_scores
        q = np.full(self.game.num_actions, np.nan, np.float32)
        half = (self.game.config.num_cells + 1) // 2
        for a, s in enumerate(scores):
            if s is not None:
                q[a] = self._to_unit(s, half)
        policy = np.zeros(self.game.num_actions, np.float32)
        policy[best] = 1.0 / len(best)
        info = {
            "move_scores": scores,
            "best_moves": best,
            "score": result.score,
            "exact": result.exact,
            "outcome": outcome_class(result.score),
            "nodes": result.nodes,
            "book_hits": result.book_hits,
            "seconds": result.seconds,
            "text": verdict(self.game, int(state.ply), result.score, exact=result.exact),  # the judge's words
        }
        return Decision(action=action, policy=policy, q_values=q, value=float(q[action]), info=info)

    @staticmethod
    def _to_unit(score: float, half: int) -> float:
        """Maps a Pons score to [-1, 1]: wins in (0, 1], faster wins nearer 1; heuristics kept small."""
        if -1 < score < 1:
            return float(score) * 0.5
        sign = 1.0 if score > 0 else -1.0
        return sign * (0.5 + 0.5 * abs(score) / half)


def make_solver(game: Game, *, spec: str, seed: int, depth: int | None = None, time_s: float | None = None,
                book: bool = True) -> SolverAgent:
    """The `solver` agent of typed options (agents/registry.py declares and parses them): at most
    one budget, and none only where an unbudgeted solve is sure to finish."""
    if depth is not None and time_s is not None:
        raise SpecError(f"agent {spec!r}: give depth= or time=, not both")
    refusal = exact_refusal(game)
    if refusal and depth is None and time_s is None:
        raise SpecError(f"agent {spec!r}: {refusal}; give it a budget, e.g. solver:time=5 or solver:depth=6")
    return SolverAgent(game, spec, seed, depth=depth, time_s=time_s, book=book)
