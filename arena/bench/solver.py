"""Solver speed and correctness on Pons' six sets and the UCI / Tromp 8-ply database.

For each set: positions solved, mean CPU time per position (parsing included; CPU time of
this process, because a shared machine's wall time measures the neighbours too), mean nodes
searched, mean opening-book hits, and agreement with the set's exact scores. `--analyze`
times the score of every move instead of one score per position (what the window, the judge
and the `solver` agent ask for). `--no-book` measures the pure search.

Ratios are printed only against a peer measured in the same run: with `--peer-python PATH`
(the interpreter of a scratch venv with `bitbully` and `bitbully-databases` installed; see
`peers/bitbully_solver.py`) each set is solved by BitBully right after ours, on the same
positions, with the same book setting, and every answer is compared with ours. Pons' published
figures and the figures docs/references.md quotes from another 2-core machine are printed as context,
with their source, never divided by.

  arena bench solver --sets middle-medium begin-easy --no-book --peer-python /tmp/bbenv/bin/python
  arena bench solver --sets begin-hard begin-medium begin-easy --analyze --peer-python /tmp/bbenv/bin/python
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAME = "solver"
HELP = "solver time, nodes and agreement on Pons' sets and the UCI database, side by side with BitBully"
DEFAULT_SETS = ("end-easy", "middle-easy", "middle-medium", "begin-easy", "begin-medium", "begin-hard")
NO_BOOK_HARD_SAMPLE = 50  # Begin-Hard without a book takes seconds per position
PEER_SCRIPT = Path(__file__).parent / "peers" / "bitbully_solver.py"
# Context only (never divided by): docs/references.md, BitBully and Pons' C++ measured side by side on
# the 2-core development machine, 2026-11-24, CPU time per position.
REFERENCE_CONTEXT = {
    ("middle-medium", "solve", False): "BitBully 4.0 ms, Pons' C++ 5.1 ms",
    ("begin-easy", "solve", False): "Pons' C++ 0.34 ms",
    ("begin-hard", "analyze", True): "BitBully 1.8 ms (100 positions)",
    ("begin-medium", "analyze", True): "BitBully 43 ms",
    ("begin-easy", "analyze", True): "BitBully 16 ms",
}


class PeerError(RuntimeError):
    """The peer script could not be run or printed something other than its JSON report."""


@dataclasses.dataclass
class SetRun:
    """One solver's pass over one set."""

    positions: int
    cpu_s: float
    nodes: int
    scores: list  # per position: the score (solve) or the list of move scores (analyze)
    book_hits: int = 0
    wall_s: float = 0.0
    method: str = ""

    @property
    def mean_cpu(self) -> float:
        return self.cpu_s / max(1, self.positions)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS),
                        help="Pons sets by name (end-easy ... begin-hard, or Test_L1_R1 ...); 'none' to skip")
    parser.add_argument("--sample", type=int, default=0,
                        help="positions per set, drawn with --seed (0 = all; begin-hard without the book: "
                             f"{NO_BOOK_HARD_SAMPLE})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--analyze", action="store_true",
                        help="score every move of each position (default: one score per position)")
    parser.add_argument("--no-book", action="store_true", help="pure search: do not probe the 12-ply opening book")
    parser.add_argument("--time-limit", type=float, default=0.0,
                        help="stop a set after this many seconds and report the positions done (0 = no limit)")
    parser.add_argument("--uci-sample", type=int, default=500, help="UCI positions to check (0 = skip)")
    parser.add_argument("--uci-path", default=None,
                        help="connect-4.data, plain or gzipped (default: the copy shipped in agents/solver/data/uci)")
    parser.add_argument("--tt-bits", type=int, default=23, help="transposition table size, log2 entries")
    parser.add_argument("--peer-python", default=None, metavar="PATH",
                        help="python of a scratch venv with bitbully + bitbully-databases: run BitBully "
                             "side by side on the same positions and print ratios against it")


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def ratio_text(ours: SetRun, peer: SetRun | None) -> str:
    """`ours / peer` CPU time, only when the peer ran in this run (else '-')."""
    if peer is None or peer.positions != ours.positions or peer.cpu_s <= 0:
        return "-"
    return f"{ours.mean_cpu / peer.mean_cpu:.2f}x"


def parse_peer_report(text: str) -> dict:
    """The peer's JSON report (its last stdout line), checked for the fields we read."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise PeerError("the peer printed nothing")
    try:
        report = json.loads(lines[-1])
    except json.JSONDecodeError:
        raise PeerError(f"the peer's last line is not JSON: {lines[-1][:80]!r}") from None
    if not isinstance(report, dict) or not isinstance(report.get("sets"), dict):
        raise PeerError("the peer's report has no 'sets'")
    for name, entry in report["sets"].items():
        if not isinstance(entry, dict) or not {"cpu_s", "nodes", "scores", "positions"} <= entry.keys():
            raise PeerError(f"the peer's report for {name!r} lacks cpu_s / nodes / scores / positions")
    return report


def run_peer(python: str, name: str, positions: list[tuple[str, int]], *, analyze: bool, book: bool) -> tuple[SetRun, dict]:
    """Runs BitBully on `positions` in a subprocess of the scratch interpreter `python`."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "positions.json"
        path.write_text(json.dumps({name: [[m, s] for m, s in positions]}))
        cmd = [python, str(PEER_SCRIPT), "--positions", str(path), "--work", "analyze" if analyze else "solve",
               "--book", "12-ply-dist" if book else "none"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        except OSError as err:
            raise PeerError(f"--peer-python {python}: {err.strerror}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise PeerError(f"--peer-python {python}: the BitBully script failed: {last}")
    report = parse_peer_report(done.stdout)
    entry = report["sets"][name]
    run = SetRun(int(entry["positions"]), float(entry["cpu_s"]), int(entry["nodes"]), entry["scores"],
                 method=str(entry.get("method", "")))
    return run, report


def _sample(items: list, n: int, seed: int) -> list:
    if n <= 0 or n >= len(items):
        return items
    return random.Random(seed).sample(items, n)


def _progress():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    transient=True)


def run_ours(solver, title: str, chosen: list[tuple[str, int]], *, analyze: bool, time_limit: float) -> SetRun:
    run = SetRun(0, 0.0, 0, [])
    with _progress() as progress:
        task = progress.add_task(title, total=len(chosen))
        set_start = time.perf_counter()
        for moves, _ in chosen:
            t0, w0 = time.process_time(), time.perf_counter()
            result = solver.analyze(moves) if analyze else solver.solve(moves)
            run.cpu_s += time.process_time() - t0
            run.wall_s += time.perf_counter() - w0
            run.nodes += result.nodes
            run.book_hits += result.book_hits
            run.scores.append(result.move_scores if analyze else result.score)
            run.positions += 1
            progress.advance(task)
            if time_limit and time.perf_counter() - set_start > time_limit:
                break
    return run


def agreement(run: SetRun, chosen: list[tuple[str, int]], *, analyze: bool) -> int:
    """Positions whose value (the best move's score when analysing) equals the set's label."""
    values = [max(s for s in scores if s is not None) for scores in run.scores] if analyze else run.scores
    return sum(v == label for v, (_, label) in zip(values, chosen, strict=False))


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    import games
    from agents.solver import PONS_SETS, Solver, load_pons_set, load_uci, outcome_class, pons_set_name

    console = Console() if sys.stdout.isatty() else Console(width=160)  # a wide table in logs too
    game = games.make("connect4")
    book = not args.no_book
    start = time.perf_counter()
    solver = Solver(game, tt_bits=args.tt_bits, book=book)
    solver.solve("4455")  # loads the compiled kernels (numba cache) before any timing
    console.print(f"solver ready in {time.perf_counter() - start:.2f} s (numba cache load, table, book); "
                  f"TT 2^{args.tt_bits} entries")
    if solver.backend.book is not None:
        console.print(f"  {solver.backend.book.describe()}")
    else:
        console.print("  no opening book (pure search)")
    work = "analyze" if args.analyze else "solve"
    work_text = "every move of each position" if args.analyze else "one score per position"

    table = Table(title=f"connect four solver, {work_text}, {'with' if book else 'without'} the 12-ply book "
                        "(CPU time per position)")
    columns = ["set", "positions", "ours", "nodes", "book hits", "agreement"]
    if args.peer_python:
        columns += ["BitBully (same run)", "its nodes", "same answers", "ours / BitBully"]
    for column in columns:
        table.add_column(column, justify="left" if column == "set" else "right")
    context_lines: list[str] = []

    sets = [] if args.sets == ["none"] else [pons_set_name(s) for s in args.sets]
    peer_failed = False
    for name in sets:
        info = PONS_SETS[name]
        lines = load_pons_set(name)
        n = args.sample or (NO_BOOK_HARD_SAMPLE if name == "begin-hard" and not book else 0)
        chosen = _sample(lines, n, args.seed)
        ours = run_ours(solver, info.title, chosen, analyze=args.analyze, time_limit=args.time_limit)
        chosen = chosen[: ours.positions]
        agree = agreement(ours, chosen, analyze=args.analyze)
        row = [f"{info.title} ({info.file})", f"{ours.positions}" + (" (sample)" if ours.positions < len(lines) else ""),
               fmt_time(ours.mean_cpu), f"{ours.nodes / ours.positions:,.0f}",
               f"{ours.book_hits / ours.positions:,.0f}", f"{agree}/{ours.positions}"]
        line = (f"{info.title}: {ours.positions} positions, ours {fmt_time(ours.mean_cpu)} CPU "
                f"({fmt_time(ours.wall_s / ours.positions)} wall), {ours.nodes / ours.positions:,.0f} nodes, "
                f"{ours.book_hits / ours.positions:,.0f} book hits, agreement {agree}/{ours.positions}")
        if args.peer_python:
            peer = None
            try:
                peer, _ = run_peer(args.peer_python, name, chosen, analyze=args.analyze, book=book)
            except PeerError as err:
                console.print(f"arena bench: error: {err}", style="red")
                peer_failed = True
            if peer is not None:
                same = sum(a == b for a, b in zip(ours.scores, peer.scores, strict=False))
                row += [f"{fmt_time(peer.mean_cpu)} ({peer.method})", f"{peer.nodes / peer.positions:,.0f}",
                        f"{same}/{ours.positions}", ratio_text(ours, peer)]
                line += (f"; BitBully {fmt_time(peer.mean_cpu)} ({peer.method}), "
                         f"{peer.nodes / peer.positions:,.0f} nodes, same answers {same}/{ours.positions}, "
                         f"ours / BitBully {ratio_text(ours, peer)}")
            else:
                row += ["-", "-", "-", "-"]
        context = (f"  {info.title}: Pons' blog (his machine, strong solver, one score, no book) "
                   f"{fmt_time(info.pons_us * 1e-6)} / {info.pons_nodes:,.0f} nodes")
        anchor = REFERENCE_CONTEXT.get((name, work, book))
        if anchor:
            context += f"; docs/references.md (another 2-core machine, same work): {anchor}"
        context_lines.append(context)
        table.add_row(*row)
        console.print(line)
    if sets:
        console.print(table)
        console.print("Context, measured elsewhere (printed, never divided by):")
        for context in context_lines:
            console.print(context, highlight=False)

    if args.uci_sample > 0:
        from agents.solver.datasets import DEFAULT_UCI_PATH

        data = load_uci(args.uci_path or DEFAULT_UCI_PATH)
        chosen = _sample(data, args.uci_sample, args.seed)
        agree = total_nodes = hits = 0
        t0, w0 = time.process_time(), time.perf_counter()
        with _progress() as progress:
            task = progress.add_task("UCI 8-ply", total=len(chosen))
            for board, label in chosen:
                result = solver.solve(board, weak=True)
                agree += outcome_class(result.score) == label
                total_nodes += result.nodes
                hits += result.book_hits
                progress.advance(task)
        seconds, wall = time.process_time() - t0, time.perf_counter() - w0
        console.print(f"UCI / Tromp 8-ply database: {len(chosen)} random positions (seed {args.seed}), "
                      f"win/draw/loss agreement {agree}/{len(chosen)}, weak solve mean "
                      f"{fmt_time(seconds / len(chosen))} CPU ({fmt_time(wall / len(chosen))} wall), "
                      f"{total_nodes / len(chosen):,.0f} nodes, {hits / len(chosen):,.0f} book hits")
    if peer_failed:
        print("arena bench: error: the BitBully peer failed (see above); only our figures were measured",
              file=sys.stderr)
        return 2
    return 0
