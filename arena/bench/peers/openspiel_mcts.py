"""Our `mcts` against OpenSpiel's MCTSBot on connect four: a match, and each side's time per move.

Both sides search with uniform priors and random-rollout values (MCTSBot: UCT c=2, one rollout
per leaf, `solve=True`, as in OpenSpiel's mcts example). Colours alternate game by game; every
game starts from the empty board and differs through both sides' random rollouts. Run in a
scratch venv that has open_spiel and this project (never a dependency of the project):

    python3 -m venv /tmp/osenv && /tmp/osenv/bin/pip install open_spiel -e .   # open_spiel 2.0.2 here
    /tmp/osenv/bin/python arena/bench/peers/openspiel_mcts.py --games 40 --sims 1000

Prints one line per game and a summary: our score (win 1, draw 0.5) and the median seconds per
move of each side. The batched throughput to set beside MCTSBot's per-game figure comes from
`arena bench search`.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pyspiel
from open_spiel.python.algorithms import mcts as os_mcts

import agents
import games


def play_game(index: int, ours_first: bool, sims: int, seed: int, times: dict[str, list[float]],
              quiet: bool = False) -> float:
    """One game; returns our score (1 win, 0.5 draw, 0 loss)."""
    game = games.make("connect4")
    ours = agents.make(f"mcts:sims={sims}", game, seed=seed + index)
    os_game = pyspiel.load_game("connect_four")
    rng = np.random.RandomState(seed + index)
    bot = os_mcts.MCTSBot(os_game, uct_c=2.0, max_simulations=sims,
                          evaluator=os_mcts.RandomRolloutEvaluator(n_rollouts=1, random_state=rng),
                          solve=True, random_state=rng)
    state, os_state = game.init(), os_game.new_initial_state()
    our_player = 0 if ours_first else 1
    moves = []
    while not bool(state.terminal):
        start = time.perf_counter()
        if int(state.player) == our_player:
            action = int(ours.select_move(state))
            times["ours"].append(time.perf_counter() - start)
        else:
            action = int(bot.step(os_state))
            times["openspiel"].append(time.perf_counter() - start)
        state = game.play(state, action)
        os_state.apply_action(action)
        moves.append(action)
    assert os_state.is_terminal(), "the two rule sets disagree on the end of the game"
    returns = os_state.returns()[our_player]
    score = 0.5 + 0.5 * returns
    if not quiet:
        print(f"game {index + 1:3d}  ours {'first ' if ours_first else 'second'}  "
              f"{''.join(str(a + 1) for a in moves):<42}  ours {score:.1f}", flush=True)
    return score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=40)
    parser.add_argument("--sims", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"ours": [], "openspiel": []}
    play_game(-1, True, args.sims, args.seed + 10_000, {"ours": [], "openspiel": []}, quiet=True)  # compile
    scores = [play_game(i, i % 2 == 0, args.sims, args.seed, times) for i in range(args.games)]
    wins, draws = scores.count(1.0), scores.count(0.5)
    print(f"\nmcts:sims={args.sims} vs OpenSpiel MCTSBot({args.sims} sims, 1 rollout): "
          f"+{wins} ={draws} -{len(scores) - wins - draws}, score {100 * sum(scores) / len(scores):.1f}% "
          f"over {len(scores)} games")
    ours, theirs = statistics.median(times["ours"]), statistics.median(times["openspiel"])
    print(f"median seconds per move, one game: ours {ours:.3f} s, MCTSBot {theirs:.3f} s "
          f"({theirs / ours:.1f}x); MCTSBot {args.sims / theirs:,.0f} simulations/s")


if __name__ == "__main__":
    main()
