"""Which value target is closest to perfect play: the self-play result, the search's value, or
the lambda-returns and n-step returns between them? Measured on fresh self-play games of one net.

The trainer teaches the value head each position's game result (`value_target_mix` 0). In the
opening that result is wrong for about one decided position in eight on the 64x3 plateau
(target-check.txt), because the self-play player errs after the position, late in the game
(mistake-depth.txt). A target that bootstraps from the search's value a few moves later skips
the errors made after that point, at the price of the search's own errors there. This probe
plays `--games` self-play games with the trainer's search (Gumbel, temperature 1 on every move,
random openings of 0-36 plies that are not recorded), keeps each slot's first game whole, solves
every recorded position exactly and compares each candidate target with the perfect-play
outcome for the mover, per phase:

- `result`: the game's result (the trainer's target); `search`: the root value of the
  position's own search; `mix 0.5`: their mean (the trainer's `--value-target-mix 0.5`);
- `lambda L`: G_t = r_t at the game's last move, else -((1 - L) q_{t+1} + L G_{t+1}), where
  q_{t+1} is the next position's search value for its own mover (L = 1 is `result`);
- `n-step N`: (-1)^N q_{t+N} if the game lasts that long, else the result.

Reported per target: the share of decided positions whose target has the wrong sign, and the
mean squared error against the outcome (-1 / 0 / +1) over all positions, the loss the value
head minimizes. Positions of one game share their errors, so read shares as properties of
`--games` games.

    python docs/study/connect4-ablation/value_targets.py MODEL [--games 512] [--simulations 32] [--seed 0]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from study_data import plies as entry_plies
from study_data import to_board

LAMBDAS = (0.9, 0.75, 0.5, 0.0)
N_STEPS = (2, 4, 8, 12)
OPENING_PLIES = 36  # the study's runs' --random-opening-plies


def first_games(terminal: np.ndarray) -> list[tuple[int, int]]:
    """(slot, index of its first game's last move) for every slot whose first game ended [T, B]."""
    return [(b, int(np.argmax(terminal[:, b]))) for b in range(terminal.shape[1]) if terminal[:, b].any()]


def first_game_targets(returns: dict[float, np.ndarray], root_value: np.ndarray, slot: int, last: int
                       ) -> dict[str, np.ndarray]:
    """Every candidate target for the moves 0..last of the slot's first game (mover's view): the
    lambda-returns [T, B] as the trainer computes them (`returns`, from `selfplay.lambda_returns`;
    lambda 1 is the result), the root value, the trainer's mix, and n-step returns (the probe's
    own)."""
    out = {"result" if lam == 1.0 else f"lambda {lam:g}": values[: last + 1, slot].astype(float)
           for lam, values in returns.items()}
    result = out["result"]
    q = root_value[: last + 1, slot].astype(float)
    out["search"], out["mix 0.5"] = q, 0.5 * (result + q)
    for n in N_STEPS:
        g = result.copy()
        t = np.arange(last + 1 - n)
        g[t] = (-1.0) ** n * q[t + n]
        out[f"n-step {n}"] = g
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a model folder (connect four)")
    parser.add_argument("--games", type=int, default=512)
    parser.add_argument("--simulations", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bootstrap", choices=("root", "best"), default="root",
                        help="the search value the targets bootstrap from: the root's value (the mean of "
                             "every simulation, the trainer's) or the Q of the most visited move")
    args = parser.parse_args()

    from study_data import fresh_selfplay

    import games
    from agents.alphazero.selfplay import lambda_returns
    from agents.checkpoint import load_model
    from agents.solver.solver import Solver, outcome_class
    from arena.study.positions import CONNECT4_BUCKETS

    game = games.make("connect4")
    start = time.perf_counter()
    trajectory = fresh_selfplay(game, *load_model(args.model, game)[1:], args.games, args.simulations, args.seed,
                                OPENING_PLIES, bootstrap=args.bootstrap)
    played = time.perf_counter() - start

    solver = Solver("connect4")
    rows: dict[str, list[np.ndarray]] = {}
    boards = []
    returns = {lam: np.asarray(lambda_returns(trajectory, lam)[0]) for lam in (1.0, *LAMBDAS)}
    root_value = np.asarray(trajectory.root_value)
    games_kept = first_games(np.asarray(trajectory.terminal))
    for b, e in games_kept:
        for name, value in first_game_targets(returns, root_value, b, e).items():
            rows.setdefault(name, []).append(value)
        boards.append(np.asarray(trajectory.observation[: e + 1, b]))
    boards = np.concatenate(boards)
    truth = np.array([outcome_class(solver.solve(to_board(planes)).score) for planes in boards])
    plies = entry_plies(boards)
    values = {name: np.concatenate(parts) for name, parts in rows.items()}
    print(f"{args.model}: {len(truth)} positions of {len(games_kept)} games "
          f"({args.simulations} simulations, seed {args.seed}, bootstrap {args.bootstrap}; self-play {played:.0f} s, "
          f"solving {time.perf_counter() - start - played:.0f} s)")
    phases = {name: (plies >= lo) & (plies <= hi) for name, (lo, hi) in CONNECT4_BUCKETS.items()}
    header = "".join(f" | {p} ({m.sum()}, {(m & (truth != 0)).sum()} decided)" for p, m in phases.items())
    print(f"{'target':11s}{header}")
    print(f"{'':11s}" + " | wrong sign on decided, MSE" * len(phases))
    for name, value in values.items():
        cells = []
        for mask in phases.values():
            decided = mask & (truth != 0)
            wrong = np.sum(value[decided] * truth[decided] < 0)
            mse = np.mean((value[mask] - truth[mask]) ** 2)
            cells.append(f"{wrong:4d} ({wrong / max(decided.sum(), 1):5.1%}), {mse:.3f}")
        print(f"{name:11s} | " + " | ".join(cells))


if __name__ == "__main__":
    main()
