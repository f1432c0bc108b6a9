"""Scores against baseline agents during training (`arena train --vs mcts:sims=200 --vs solver:depth=4`).

Mistake rates say how far the network is from perfect play; a score against fixed baselines says
how it plays whole games, the other half of the picture. Each evaluation gives the current
weights to one `az` agent (built in memory from the first weights it sees), plays colour-swapped
pairs from seeded random openings against every baseline (the same openings every time, so the
curve compares like with like) and returns `score_vs_<spec>` (win 1, draw 1/2) for the metrics log. It lives in `arena/` because it plays
matches; `agents/alphazero` only calls the hook (`ExtraEval`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import agents
from agents.alphazero.trainer import ExtraEval
from agents.mcts_agent import SearchAgent
from agents.network_agent import network_agent
from arena.match import GameJob, play_wave
from arena.openings import random_openings, to_actions
from games import Game

OPENING_PLIES = 2


def baseline_scores(game: Game, opponents: Sequence[str], *, games: int, sims: int, seed: int) -> ExtraEval:
    """An `ExtraEval` playing `games` games (in pairs) of `az:sims=N` against each opponent spec.

    Opponent specs are checked now, so a typo fails before training starts, not at the first
    evaluation.
    """
    baselines = {spec: agents.make(spec, game, seed=seed) for spec in opponents}
    pairs = max(1, games // 2)
    openings = random_openings(game, OPENING_PLIES, pairs, seed=seed) or [""]
    jobs = []
    for p in range(pairs):
        opening = to_actions(game, openings[p % len(openings)])
        jobs.append(GameJob(2 * p, ("az", "baseline"), opening, p))
        jobs.append(GameJob(2 * p + 1, ("baseline", "az"), opening, p))
    az: list[SearchAgent] = []  # made once from the first weights, then reused

    def evaluate(net_config: Any, params: Any, iteration: int) -> dict[str, Any]:
        if not az:  # the weights in hand: no model folder written only to be read back
            az.append(network_agent(f"az:sims={sims}", game, net_config, params, seed=seed))
        az[0].params = params  # same network, same compiled search: only the weights change
        results: dict[str, Any] = {}
        for spec, baseline in baselines.items():
            records = play_wave(game, {"az": az[0], "baseline": baseline}, jobs, seed=seed)
            results[f"score_vs_{spec}"] = sum(r.points("az") for r in records) / len(records)
        return results

    return evaluate
