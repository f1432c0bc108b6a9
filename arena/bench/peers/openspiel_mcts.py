"""OpenSpiel's MCTSBot beside our `mcts`: its speed with the protocol of `arena bench search`
(`--bench`), or a match against our `mcts` with each side's time per move (the default).

MCTSBot searches with uniform priors and random-rollout values (UCT c=2, `n_rollouts` random
playouts averaged per leaf; rollouts 0 = value 0, the 'pure tree search' our grid also times),
as in OpenSpiel's mcts example. OpenSpiel is never a dependency of this project: run this in
a scratch venv (peers/README.md).

`--bench` needs only open_spiel, and is what `arena bench search --peer-python
/tmp/osenv/bin/python` runs in the same run as ours. It prints one line per figure, then one
JSON object on its last line:
- throughput: for each (simulations, rollouts) of the grid, simulations/s of one search from
  the initial position (MCTSBot searches one game at a time), best of `--repeats`;
- latency: the median seconds per move over the positions of `--positions` (a JSON file
  {"positions": [[action, ...], ...]}, 0-based actions from the initial position: the very
  positions our latency is timed on), `--latency-sims` simulations, `--latency-rollouts` playouts.
In `--bench`, `solve` is off so that every search runs exactly its simulations, as ours does.

    /tmp/osenv/bin/python arena/bench/peers/openspiel_mcts.py --bench --sims 1000 --rollouts 1

The match (the default) also imports this project, so its venv needs `pip install -e .` too;
colours alternate game by game, every game starts from the empty board, MCTSBot with `solve=True`:

    /tmp/osenv/bin/python arena/bench/peers/openspiel_mcts.py --games 40 --sims 1000
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import statistics
import time

import numpy as np
import pyspiel
from open_spiel.python.algorithms import mcts as os_mcts

UCT_C = 2.0


class ZeroEvaluator(os_mcts.Evaluator):
    """Uniform priors and value 0 at every non-terminal leaf: our `rollouts=0`."""

    def __init__(self, num_players: int) -> None:
        self.num_players = num_players

    def evaluate(self, state):
        return np.zeros(self.num_players)

    def prior(self, state):
        actions = state.legal_actions()
        return [(action, 1.0 / len(actions)) for action in actions]


def make_bot(os_game, sims: int, rollouts: int, seed: int, *, solve: bool) -> os_mcts.MCTSBot:
    """MCTSBot with `rollouts` random playouts per leaf (0: ZeroEvaluator)."""
    rng = np.random.RandomState(seed)
    evaluator = (os_mcts.RandomRolloutEvaluator(n_rollouts=rollouts, random_state=rng) if rollouts > 0
                 else ZeroEvaluator(os_game.num_players()))
    return os_mcts.MCTSBot(os_game, uct_c=UCT_C, max_simulations=sims, evaluator=evaluator, solve=solve,
                           random_state=rng)


def timed_step(bot, state) -> float:
    """Seconds of one search (MCTSBot.step) from `state`."""
    start = time.perf_counter()
    bot.step(state)
    return time.perf_counter() - start


def bench(args: argparse.Namespace) -> None:
    os_game = pyspiel.load_game(args.game)
    throughput = []
    for rollouts in args.rollouts:
        for sims in args.sims:
            bot = make_bot(os_game, sims, rollouts, args.seed, solve=False)
            root = os_game.new_initial_state()
            timed_step(bot, root)  # warm-up, as ours is timed after compilation
            best = min(timed_step(bot, root) for _ in range(args.repeats))
            print(f"MCTSBot {args.game}, {sims} sims, {rollouts} rollouts, one game: {sims / best:,.0f} "
                  "simulations/s", flush=True)
            throughput.append({"sims": sims, "rollouts": rollouts, "sims_per_s": sims / best})
    latency = None
    if args.positions:
        with open(args.positions) as handle:
            positions = json.load(handle)["positions"]
        bot = make_bot(os_game, args.latency_sims, args.latency_rollouts, args.seed, solve=False)
        times = []
        for actions in positions:
            state = os_game.new_initial_state()
            for action in actions:
                state.apply_action(int(action))
            if state.is_terminal():
                raise SystemExit(f"position {actions} is terminal: nothing to search")
            times.append(timed_step(bot, state))
        median = statistics.median(times)
        print(f"MCTSBot {args.latency_sims} sims, {args.latency_rollouts} rollouts: median {median * 1000:.1f} ms "
              f"per move over {len(times)} positions", flush=True)
        latency = {"sims": args.latency_sims, "rollouts": args.latency_rollouts, "positions": len(times),
                   "median_s": median}
    print(json.dumps({
        "peer": "OpenSpiel MCTSBot", "versions": {"open_spiel": importlib.metadata.version("open_spiel")},
        "game": args.game, "settings": {"uct_c": UCT_C, "solve": False}, "repeats": args.repeats,
        "throughput": throughput, "latency": latency,
    }))


def play_game(index: int, ours_first: bool, sims: int, seed: int, times: dict[str, list[float]],
              quiet: bool = False) -> float:
    """One game of our `mcts` against MCTSBot; returns our score (1 win, 0.5 draw, 0 loss)."""
    import agents
    import games

    game = games.make("connect4")
    ours = agents.make(f"mcts:sims={sims}", game, seed=seed + index)
    os_game = pyspiel.load_game("connect_four")
    bot = make_bot(os_game, sims, 1, seed + index, solve=True)
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


def match(args: argparse.Namespace) -> None:
    sims = args.sims[0]
    times: dict[str, list[float]] = {"ours": [], "openspiel": []}
    play_game(-1, True, sims, args.seed + 10_000, {"ours": [], "openspiel": []}, quiet=True)  # compile
    scores = [play_game(i, i % 2 == 0, sims, args.seed, times) for i in range(args.games)]
    wins, draws = scores.count(1.0), scores.count(0.5)
    print(f"\nmcts:sims={sims} vs OpenSpiel MCTSBot({sims} sims, 1 rollout): "
          f"+{wins} ={draws} -{len(scores) - wins - draws}, score {100 * sum(scores) / len(scores):.1f}% "
          f"over {len(scores)} games")
    ours, theirs = statistics.median(times["ours"]), statistics.median(times["openspiel"])
    print(f"median seconds per move, one game: ours {ours:.3f} s, MCTSBot {theirs:.3f} s "
          f"({theirs / ours:.1f}x); MCTSBot {sims / theirs:,.0f} simulations/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", action="store_true", help="time MCTSBot alone (the search bench's peer)")
    parser.add_argument("--game", default="connect_four", help="--bench: OpenSpiel game (connect_four, tic_tac_toe)")
    parser.add_argument("--sims", type=int, nargs="+", default=[1000],
                        help="simulations per move (--bench: the grid; the match uses the first)")
    parser.add_argument("--rollouts", type=int, nargs="*", default=[1],
                        help="--bench: playouts per leaf, the grid (the flag alone: no grid)")
    parser.add_argument("--repeats", type=int, default=3, help="--bench: timed searches per cell (the best is kept)")
    parser.add_argument("--positions", default=None, help="--bench: JSON file of positions for the latency figure")
    parser.add_argument("--latency-sims", type=int, default=1000)
    parser.add_argument("--latency-rollouts", type=int, default=4)
    parser.add_argument("--games", type=int, default=40, help="the match: games")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.bench:
        bench(args)
    else:
        match(args)


if __name__ == "__main__":
    main()
