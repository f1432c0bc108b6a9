"""Studies across agent families. `compute`: how much search does learning save?

Quality against compute for every family (alpha-beta, MCTS with random rollouts, az with
Gumbel and PUCT, the raw policy, the exact solver without its book), on a held-out set of
positions from real play labelled with the exact score of every move; Elo of part of the
ladder in one tournament with the perfect solver; mistake rates of networks against the
self-play positions and wall time that trained them.

Examples:
  arena study compute --out /tmp/study                            connect four, the full default ladder
  arena study compute --game tictactoe --out /tmp/study-ttt       all 4,520 positions, a fresh training run
  arena study compute --per-bucket 200 --agents solver:depth=4 az:sims=64 policy solver:book=false
  arena study compute --out /tmp/study                            again: continues, redoes nothing finished

Positions examined per move: solver nodes (alpha-beta, exact solver), network evaluations
(az: root + one per simulation; policy: 1), evaluated positions plus random-playout plies
(mcts). Wall time: one move at a time on this machine (and the batched throughput). Outputs in
--out: positions.json (the labelled set), cells.jsonl, results.json, results.csv, elo.csv,
training.csv, mistakes-vs-compute.png, mistakes-vs-time.png, elo-vs-compute.png, training.png.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

NAME = "study"
HELP = "quality against compute for every agent family (resumable)"
STUDIES = ("compute",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from arena.checks import SEED, float_arg, int_arg

    parser.add_argument("study", choices=STUDIES, help="which study (compute: quality against compute)")
    parser.add_argument("--game", default="connect4", help="connect4 (default) or tictactoe")
    parser.add_argument("--out", default=None, metavar="DIR", help="run folder (default runs/study-<game>); "
                        "the same command with the same folder continues an interrupted study")
    parser.add_argument("--seed", type=SEED, default=0, help="seed of games, samples, agents (default 0)")
    parser.add_argument("--per-bucket", type=int_arg(1, 100_000), default=None,
                        help="positions per phase bucket (connect four: default 1000; tic-tac-toe: all 4,520 "
                             "unless given, then a seeded sample)")
    parser.add_argument("--games", type=int_arg(0, 1_000_000), default=0,
                        help="connect four: games to draw positions from (default 0: 3 per position wanted)")
    parser.add_argument("--per-game", type=int_arg(1, 42), default=2,
                        help="connect four: most positions per phase from one game (default 2)")
    parser.add_argument("--agents", nargs="+", default=None, metavar="SPEC",
                        help="the ladder (default: every family, e.g. solver:depth=1..12, mcts:sims=16..6400, "
                             "az:sims=1..1600 Gumbel and PUCT, policy, solver:book=false, random)")
    parser.add_argument("--elo-agents", nargs="*", default=None, metavar="SPEC",
                        help="the tournament field (ladder agents and the perfect solver; none: no tournament)")
    parser.add_argument("--elo-games", type=int_arg(0, 10_000), default=10,
                        help="games per pairing, even (default 10; 0: no tournament)")
    parser.add_argument("--elo-openings", type=int_arg(0, 8), default=None,
                        help="random opening plies of the tournament (default 4 on connect four, 1 on tic-tac-toe)")
    parser.add_argument("--latency-positions", type=int_arg(0, 100_000), default=16,
                        help="batched families: positions per bucket timed one move at a time (default 16)")
    parser.add_argument("--perfect-positions", type=int_arg(1, 100_000), default=40,
                        help="connect four: positions per bucket for the book-less exact solver (default 40)")
    parser.add_argument("--perfect-cap", type=float_arg(maximum=86_400, positive=True), default=30.0,
                        help="connect four: seconds per move before the book-less solver counts as unfinished "
                             "(default 30)")
    parser.add_argument("--lineage", action="append", default=None, metavar="MODEL",
                        help="model folders (with card.json) of one training lineage, or training run "
                             "folders with snapshots (arena train --snapshot-every N: one series per "
                             "run), repeatable (default: the released model of the game)")
    parser.add_argument("--train-iterations", type=int_arg(0, 100_000), default=None,
                        help="a fresh training run of this many iterations with snapshots "
                             "(default 150 on tic-tac-toe, 0 on connect four)")
    parser.add_argument("--snapshot-every", type=int_arg(1, 100_000), default=10,
                        help="iterations between saved snapshots of the fresh run (default 10)")
    parser.add_argument("--training-sims", type=int_arg(1, 100_000), default=32,
                        help="simulations of az with each trained network (default 32, as in self-play)")
    parser.add_argument("--quiet", action="store_true", help="no line per finished cell")


def build_settings(args: argparse.Namespace):
    """StudySettings from the flags, every spec and path checked before any work."""
    from arena.checks import output_dir
    from arena.study.cells import CellSettings
    from arena.study.positions import StudyError
    from arena.study.run import StudySettings, check_settings, default_elo, default_ladder
    from games import make as make_game

    game = make_game(args.game)
    if args.elo_games % 2:
        raise StudyError(f"--elo-games {args.elo_games}: expected an even number (colour-swapped pairs)")
    out = output_dir(args.out or Path("runs") / f"study-{game.name}", "--out")
    ladder = tuple(dict.fromkeys(s.strip() for s in (args.agents or default_ladder(game))))
    elo = tuple(dict.fromkeys(s.strip() for s in (default_elo(game) if args.elo_agents is None else args.elo_agents)))
    if args.agents is not None and args.elo_agents is None:
        elo = ()  # a custom ladder has no default field: name it with --elo-agents
    is_c4 = game.name == "connect4"
    settings = StudySettings(
        game=game.spec, out=out, seed=args.seed, per_bucket=args.per_bucket, games=args.games,
        per_game=args.per_game, ladder=ladder, elo_agents=elo, elo_games=args.elo_games,
        elo_opening_plies=args.elo_openings if args.elo_openings is not None else (4 if is_c4 else 1),
        cells=CellSettings(seed=args.seed, latency_positions=args.latency_positions,
                           perfect_positions=args.perfect_positions, perfect_cap_s=args.perfect_cap),
        lineage=tuple(args.lineage or ()),
        train_iterations=args.train_iterations if args.train_iterations is not None else (0 if is_c4 else 150),
        snapshot_every=args.snapshot_every, training_sims=args.training_sims,
    )
    check_settings(settings, game)
    return settings


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from arena.study.run import Study

    settings = build_settings(args)
    err = Console(stderr=True)
    start = time.perf_counter()
    with Progress(TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as progress:
        tasks: dict[str, int] = {}
        tenths: dict[str, int] = {}

        def status(what: str, done: int, total: int) -> None:
            key = "cells" if what == "cells" else "work"
            if key not in tasks:
                tasks[key] = progress.add_task(what, total=total)
            progress.update(tasks[key], description=what, completed=done, total=total)
            if not err.is_terminal and what in ("games", "labels", "tournament games"):
                tenth = 10 * done // max(total, 1)  # no bar in a log file: a line every tenth
                if tenth > tenths.get(what, 0):
                    tenths[what] = tenth
                    print(f"{what}: {done}/{total} after {time.perf_counter() - start:.0f} s", flush=True)

        def say(line: str) -> None:
            if args.quiet and line.startswith("cell "):
                return
            print(line, flush=True)  # rich draws the bar below what is printed

        study = Study(settings, status=status, say=say)
        say(f"study compute on {study.game.spec} in {settings.out}: {len(settings.ladder)} ladder agents, "
            f"{len(settings.elo_agents)} in the Elo field")
        try:
            results = study.run()
        except KeyboardInterrupt:
            print(f"interrupted after {time.perf_counter() - start:.0f} s; finished cells are kept: run the same "
                  f"command to continue ({settings.out})", flush=True)
            return 130
    print(summary(results))
    print(f"done in {time.perf_counter() - start:.0f} s; results in {settings.out}/results.json, "
          f"plots {settings.out}/*.png")
    return 0


def summary(results: dict) -> str:
    """The headline in words: per bucket, the cheapest rung of each family under 5% and 2% mistakes."""
    lines = []
    for bucket, table in results["headline"].items():
        for threshold in ("5%", "2%"):
            entries = table.get(threshold, {})
            if not entries:
                continue
            parts = [f"{fam} {e['name']} ({e['examined']:,.0f}{'+' if e['lower_bound'] else ''} per move, "
                     f"{100 * e['rate']:.1f}%)" for fam, e in entries.items()]
            lines.append(f"{bucket}: fewer than {threshold} mistakes: " + "; ".join(parts))
    return "\n".join(lines)
