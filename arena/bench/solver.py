"""Solver speed and correctness on Pons' six sets and the UCI / Tromp 8-ply database.

For each set: positions solved, mean time per position (parsing included, as Pons'
whole-file times; CPU time of this process, because the development machine is shared and
wall time there measures the neighbours too; wall time is printed beside it), mean nodes, and agreement with the set's exact scores; beside them Pons'
published figures (strong solver, part 12) and his C++ solver (no book) measured on the
2-core machine (ANCHORS.md), with our ratio to the latter. Begin-Hard is sampled (default 50
positions, seeded) because a full run takes hours. The UCI check compares win/draw/loss of a
random sample with the database's labels (the file is not shipped: --uci-path).

  arena bench solver --sets end-easy middle-easy begin-easy
  arena bench solver --sets begin-medium --sample 100 --uci-sample 0
"""

from __future__ import annotations

import argparse
import random
import time

NAME = "solver"
HELP = "solver time, nodes and agreement on Pons' sets and the UCI database, beside Pons' figures"
DEFAULT_SETS = ("end-easy", "middle-easy", "middle-medium", "begin-easy", "begin-medium", "begin-hard")
DEFAULT_HARD_SAMPLE = 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS),
                        help="Pons sets by name (end-easy ... begin-hard, or Test_L1_R1 ...); 'none' to skip")
    parser.add_argument("--sample", type=int, default=0,
                        help=f"positions per set, drawn with --seed (0 = all; begin-hard defaults to {DEFAULT_HARD_SAMPLE})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=0.0,
                        help="stop a set after this many seconds and report the positions done (0 = no limit)")
    parser.add_argument("--uci-sample", type=int, default=500, help="UCI positions to check (0 = skip)")
    parser.add_argument("--uci-path", default=None,
                        help="connect-4.data (default ../shared/data/connect4/connect-4.data)")
    parser.add_argument("--tt-bits", type=int, default=23, help="transposition table size, log2 entries")


def _fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def _sample(items: list, n: int, seed: int) -> list:
    if n <= 0 or n >= len(items):
        return items
    return random.Random(seed).sample(items, n)


def _progress():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    transient=True)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    import games
    from agents.solver import PONS_SETS, Solver, load_pons_set, load_uci, outcome_class, pons_set_name

    console = Console()
    game = games.make("connect4")
    start = time.perf_counter()
    solver = Solver(game, tt_bits=args.tt_bits)
    solver.solve("4455")  # loads the compiled kernels (numba cache) before any timing
    console.print(f"solver ready in {time.perf_counter() - start:.2f} s (numba compile or cache load); "
                  f"TT 2^{args.tt_bits} entries")

    table = Table(title="connect four solver vs Pons' sets (time: CPU per position)")
    for column in ("set", "positions", "mean CPU time", "mean nodes", "agreement", "Pons time / nodes",
                   "Pons C++ 2-core", "ours / 2-core"):
        table.add_column(column, justify="right" if column != "set" else "left")
    sets = [] if args.sets == ["none"] else [pons_set_name(s) for s in args.sets]
    for name in sets:
        info = PONS_SETS[name]
        lines = load_pons_set(name)
        n = args.sample or (DEFAULT_HARD_SAMPLE if name == "begin-hard" else 0)
        chosen = _sample(lines, n, args.seed)
        total_time = total_wall = total_nodes = agree = done = 0
        with _progress() as progress:
            task = progress.add_task(info.title, total=len(chosen))
            set_start = time.perf_counter()
            for moves, expected in chosen:
                t0, w0 = time.process_time(), time.perf_counter()
                result = solver.solve(moves)
                total_time += time.process_time() - t0
                total_wall += time.perf_counter() - w0
                total_nodes += result.nodes
                agree += result.score == expected
                done += 1
                progress.advance(task)
                if args.time_limit and time.perf_counter() - set_start > args.time_limit:
                    break
        label = f"{done}" + (f" of {len(lines)} (sample)" if done < len(lines) else "")
        mean = total_time / done
        pons_2core = info.pons_2core_s / 1000 if info.pons_2core_s is not None else None
        table.add_row(
            f"{info.title} ({info.file})", label, _fmt_time(mean), f"{total_nodes / done:,.0f}",
            f"{agree}/{done}", f"{_fmt_time(info.pons_us * 1e-6)} / {info.pons_nodes:,.0f}",
            _fmt_time(pons_2core), f"{mean / pons_2core:.2f}x" if pons_2core else "-",
        )
        console.print(f"{info.title}: {done} positions, mean {_fmt_time(mean)} CPU "
                      f"({_fmt_time(total_wall / done)} wall), "
                      f"{total_nodes / done:,.0f} nodes, agreement {agree}/{done}")
    if sets:
        console.print(table)

    if args.uci_sample > 0:
        from agents.solver.datasets import DEFAULT_UCI_PATH

        data = load_uci(args.uci_path or DEFAULT_UCI_PATH)
        chosen = _sample(data, args.uci_sample, args.seed)
        agree = total_nodes = 0
        t0, w0 = time.process_time(), time.perf_counter()
        with _progress() as progress:
            task = progress.add_task("UCI 8-ply", total=len(chosen))
            for board, label in chosen:
                result = solver.solve(board, weak=True)
                agree += outcome_class(result.score) == label
                total_nodes += result.nodes
                progress.advance(task)
        seconds, wall = time.process_time() - t0, time.perf_counter() - w0
        console.print(f"UCI / Tromp 8-ply database: {len(chosen)} random positions (seed {args.seed}), "
                      f"win/draw/loss agreement {agree}/{len(chosen)}, weak solve mean "
                      f"{_fmt_time(seconds / len(chosen))} CPU ({_fmt_time(wall / len(chosen))} wall), {total_nodes / len(chosen):,.0f} nodes")
    return 0
