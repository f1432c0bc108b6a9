"""BitBully (Markus Thill's C++ connect-four solver) on the positions `arena bench solver` times.

BitBully is AGPL-3.0: this script runs only in a scratch environment and is never imported by
the project. `arena bench solver --peer-python /tmp/bbenv/bin/python` runs it beside our solver
in the same run, hands it the same positions and divides by what it prints.

    python3 -m venv /tmp/bbenv && /tmp/bbenv/bin/pip install bitbully bitbully-databases
    /tmp/bbenv/bin/python arena/bench/peers/bitbully_solver.py --positions pos.json --work solve --book none

Input: a JSON file {"set name": [[moves, score], ...], ...} (moves in Pons' 1-based notation).
Output (stdout, one JSON object): per set, the mean CPU time per position (start-up excluded),
mean nodes, and either the score of each position (`--work solve`) or the score of every
column (`--work analyze`, None for a full column), so the caller checks agreement itself.
Protocol, the same as ours: one solver per set (and per driver), its transposition table kept
from position to position, CPU time of this process (`time.process_time`) around the call alone.

`--work solve` times BitBully's two exact drivers, `mtdf` (first guess 0) and `nullWindow`,
on every position and keeps, per set, the faster one, so the peer is shown at its best.
`--work analyze` times `scoreMoves` (every column). `--book 12-ply-dist` loads the 12-ply
book with distances from bitbully-databases; its load time is reported apart.
"""

from __future__ import annotations

import argparse
import json
import time


def _board(core, moves: str):
    board = core.BoardCore()
    if not board.play([int(ch) - 1 for ch in moves]):
        raise SystemExit(f"bitbully refused the position {moves!r}")
    return board


def _run_solve(solver, core, positions: list, method: str) -> dict:
    fn = solver.mtdf if method == "mtdf" else solver.nullWindow
    cpu = 0.0
    nodes = 0
    scores = []
    for moves, _ in positions:
        board = _board(core, moves)
        solver.resetNodeCounter()
        start = time.process_time()
        score = fn(board, 0) if method == "mtdf" else fn(board)
        cpu += time.process_time() - start
        nodes += solver.getNodeCounter()
        scores.append(int(score))
    return {"method": method, "cpu_s": cpu, "nodes": nodes, "scores": scores}


def _run_analyze(solver, core, positions: list) -> dict:
    cpu = 0.0
    nodes = 0
    results = []
    for moves, _ in positions:
        board = _board(core, moves)
        solver.resetNodeCounter()
        start = time.process_time()
        scores = solver.scoreMoves(board)
        cpu += time.process_time() - start
        nodes += solver.getNodeCounter()
        results.append([None if s <= -1000 else int(s) for s in scores])
    return {"method": "scoreMoves", "cpu_s": cpu, "nodes": nodes, "scores": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", required=True, help="JSON {set: [[moves, score], ...]}")
    parser.add_argument("--work", choices=["solve", "analyze"], default="solve")
    parser.add_argument("--book", choices=["none", "12-ply-dist"], default="none")
    args = parser.parse_args()

    import bitbully
    import bitbully.bitbully_core as core

    with open(args.positions) as f:
        sets = json.load(f)
    load_s = []

    def fresh():
        """A new solver (a new, empty transposition table), warmed up outside the timing."""
        if args.book == "none":
            solver = core.BitBullyCore()
        else:
            from bitbully_databases import BitBullyDatabases

            start = time.perf_counter()
            solver = core.BitBullyCore(BitBullyDatabases.get_database_path(args.book))
            load_s.append(time.perf_counter() - start)
        solver.mtdf(_board(core, "4455"), 0)
        return solver

    out = {"peer": f"bitbully {getattr(bitbully, '__version__', '?')}", "book": args.book,
           "work": args.work, "sets": {}}
    for name, positions in sets.items():
        if args.work == "analyze":
            best = _run_analyze(fresh(), core, positions)
        else:
            # each driver on its own solver, so neither inherits the other's table
            runs = [_run_solve(fresh(), core, positions, m) for m in ("mtdf", "nullWindow")]
            best = min(runs, key=lambda r: r["cpu_s"])
            best["other"] = {r["method"]: r["cpu_s"] for r in runs}
        best["positions"] = len(positions)
        out["sets"][name] = best
    out["book_load_s"] = min(load_s) if load_s else 0.0
    print(json.dumps(out))


if __name__ == "__main__":
    main()
