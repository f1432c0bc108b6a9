"""Are the self-play *policy* targets the limit of the raw policy? Both against perfect play, on
the same fresh self-play positions.

The raw policy learns the search's improved policy (Gumbel's `action_weights`) on the positions
self-play visits. If, where a net's raw policy errs, the search target it was taught already
errs too, better targets are what the raw policy needs; if the target is right there, the net has
been shown the right move and did not learn it (its size, or the data around that position).

This probe plays `--games` self-play games of the generator (`model`: the trainer's search,
Gumbel with temperature 1 on every move, random openings of 0..`--opening-plies` plies that are
not recorded), keeps every recorded position that has a policy target, solves every move of each
exactly (outcome only: this project's solver with its 12-ply book) and reports per phase (the
study's: opening plies 0-12, middle 13-26, end 27+):

- the share of positions whose target's top move is a mistake (the judge's rule: the move's
  outcome class is below the position's), and the target's mean probability on mistakes;
- the same for the raw policy of the generator and of each `--student` net on those positions;
- for each raw policy, its mistakes split by whether the target's top move is right there;
- with `--deeper S` (repeatable), on up to `--deeper-max` of the opening positions: the target a
  search of S simulations (the same Gumbel search and net) would have given, beside the
  trainer's: would searching harder have taught the right move where the raw policy errs?

A position can hold a mistake only where its moves differ in outcome; those are counted too.
Positions of one game are correlated: read the shares as properties of `--games` games.

    python docs/study/connect4-ablation/policy_targets.py MODEL [--student NET ...] \
        [--games 1024] [--simulations 32] [--seed 0] [--opening-plies 36] [--deeper 256 ...]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from study_data import fresh_selfplay, search_targets, to_board
from study_data import plies as entry_plies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="the generator: a connect-four model folder")
    parser.add_argument("--student", action="append", default=[],
                        help="another net whose raw policy is judged on the same positions (repeatable)")
    parser.add_argument("--games", type=int, default=1024)
    parser.add_argument("--simulations", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--opening-plies", type=int, default=36,
                        help="random opening moves, not recorded (the study's runs: 36)")
    parser.add_argument("--deeper", type=int, action="append", default=[],
                        help="also search the opening positions with this many simulations (repeatable)")
    parser.add_argument("--deeper-max", type=int, default=4000,
                        help="a seeded sample of at most this many opening positions for --deeper")
    args = parser.parse_args()

    import games
    from agents.checkpoint import CheckpointError, load_model
    from agents.network import apply
    from agents.solver.judge import is_mistake
    from agents.solver.solver import Solver
    from arena.study.positions import CONNECT4_BUCKETS

    game = games.make("connect4")
    try:
        nets = {name: load_model(name, game)[1:] for name in (args.model, *args.student)}
    except CheckpointError as err:
        raise SystemExit(f"policy_targets.py: {err}") from None

    start = time.perf_counter()
    trajectory = fresh_selfplay(game, *nets[args.model], args.games, args.simulations, args.seed, args.opening_plies)
    played = time.perf_counter() - start
    target = np.asarray(trajectory.policy).reshape(-1, game.num_actions)
    keep = target.sum(axis=1) > 0
    target = target[keep]
    obs = np.asarray(trajectory.observation).reshape(-1, *trajectory.observation.shape[2:])[keep]
    legal = np.asarray(trajectory.legal).reshape(-1, game.num_actions)[keep]

    solver = Solver("connect4")
    classes = np.full(target.shape, -2, np.int8)  # ILLEGAL below every outcome
    for i, planes in enumerate(obs):
        outcomes = solver.analyze(to_board(planes), weak=True).move_scores  # -1 / 0 / 1, None: illegal
        classes[i] = [-2 if c is None else c for c in outcomes]
    value = classes.max(axis=1)
    mistake = np.asarray(is_mistake(value[:, None], classes))  # [N, A]
    solved = time.perf_counter() - start - played

    def judged(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(top move is a mistake [N], probability on mistakes [N])."""
        top = np.where(legal, probs, -1.0).argmax(axis=1)
        return mistake[np.arange(len(top)), top], (probs * mistake).sum(axis=1)

    policies = {}
    for name, (graphdef, params) in nets.items():
        logits = np.concatenate([np.asarray(apply(graphdef, params, obs[i:i + 4096])[0])
                                 for i in range(0, len(obs), 4096)])
        logits = np.where(legal, logits, -np.inf)
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        policies[name] = probs / probs.sum(axis=1, keepdims=True)
    target_top, target_mass = judged(target)
    raw = {f"raw {Path(name).name}": judged(p) for name, p in policies.items()}

    plies = entry_plies(obs)
    print(f"{args.model}: {len(obs)} positions with a policy target ({args.games} slots x 42 moves, "
          f"{args.simulations} simulations, seed {args.seed}, openings 0-{args.opening_plies}; "
          f"self-play {played:.0f} s, solving {solved:.0f} s)")
    for phase, (lo, hi) in CONNECT4_BUCKETS.items():
        m = (plies >= lo) & (plies <= hi)
        critical = m & (mistake & legal).any(axis=1)
        n = int(m.sum())
        print(f"\n{phase}: {n} positions, {int(critical.sum())} where a move can throw value away")
        print(f"  {'policy':34s} top move a mistake      mass on mistakes   mistakes where the target's top is right / wrong")
        rows = [("search target", target_top, target_mass)]
        rows += [(label, *judged_raw) for label, judged_raw in raw.items()]
        for label, top, mass in rows:
            split = "" if label == "search target" else \
                f"{int((top & m & ~target_top).sum()):5d} / {int((top & m & target_top).sum()):d}"
            print(f"  {label[-34:]:34s} {int(top[m].sum()):5d} ({top[m].mean():5.1%})      "
                  f"{mass[m].mean():6.3f}             {split}")

    lo, hi = CONNECT4_BUCKETS["opening"]
    print("\nopening by ply: positions, target's top a mistake, " + ", ".join(raw))
    for ply in range(lo, hi + 1):
        m = plies == ply
        if m.any():
            print(f"  {ply:2d} {int(m.sum()):6d} {int(target_top[m].sum()):5d} "
                  + " ".join(f"{int(top[m].sum()):5d}" for top, _ in raw.values()))

    if not args.deeper:
        return
    opening = np.flatnonzero((plies >= lo) & (plies <= hi))
    rng = np.random.default_rng(args.seed)
    sample = np.sort(rng.choice(opening, size=min(args.deeper_max, opening.size), replace=False))
    rows = [(f"search target ({args.simulations})", *judged(target))]
    for sims in args.deeper:
        begun = time.perf_counter()
        deeper = deeper_targets(game, *nets[args.model], obs[sample], sims, args.seed)
        full = np.zeros_like(target)
        full[sample] = deeper
        rows.append((f"search of {sims}", *judged(full)))
        print(f"\n(searched {sample.size} opening positions with {sims} simulations in "
              f"{time.perf_counter() - begun:.0f} s)", end="")
    rows += [(label, *judged_raw) for label, judged_raw in raw.items()]
    print(f"\n\nopening, {sample.size} positions: top move a mistake / mass on mistakes / "
          f"mistakes where each search's top move is right")
    searches = [r for r in rows if r[0].startswith("search")]
    print(f"  {'policy':34s} top   mass   " + "  ".join(f"{r[0].split()[-1].strip('()'):>6s}" for r in searches))
    for label, top, mass in rows:
        right = "  ".join(f"{int((top[sample] & ~t[sample]).sum()):6d}" for _, t, _ in searches)
        print(f"  {label[-34:]:34s} {int(top[sample].sum()):4d}  {mass[sample].mean():.3f}  {right}")


def deeper_targets(game, graphdef, params, obs: np.ndarray, simulations: int, seed: int) -> np.ndarray:
    """The trainer's search target (Gumbel `action_weights`) of `simulations` on each board of `obs`
    [N, rows, cols, 2], in batches."""
    import jax
    import jax.numpy as jnp

    from agents.search_settings import SearchSettings

    search = search_targets(game, graphdef, SearchSettings(num_simulations=simulations, policy="gumbel",
                                                           temperature=1.0))
    out, batch = [], 256
    for i in range(0, len(obs), batch):
        chunk = obs[i:i + batch]
        n = len(chunk)
        if n < batch:  # one compiled shape: pad with copies of the chunk's first board
            chunk = np.concatenate([chunk, np.repeat(chunk[:1], batch - n, axis=0)])
        out.append(np.asarray(search(params, jnp.asarray(chunk), jax.random.fold_in(jax.random.key(seed), i)))[:n])
    return np.concatenate(out)


if __name__ == "__main__":
    main()
