"""Exact scores of positions, one result line per position (like Pons' `c4solver`).

Positions are move strings in standard notation (connect four: columns 1..7, e.g. `4453`;
the empty string is the empty board), given as arguments or, with none, one per line on
standard input. Scores use Pons' convention for the side to move: positive = win (larger =
sooner; 7x6: 22 - the winner's stones at the end), 0 = draw, negative = loss.

  arena solve connect4 4453 44455554221
  arena solve connect4 --analyze ""          # -2 -1 0 1 0 -1 -2 (0.1 s with the opening book)
  arena solve connect4 --analyze "" --no-book  # the same by pure search (about 15 minutes)
  arena solve tictactoe --analyze 5 --json
  cat positions.txt | arena solve connect4 --json

A bad position given as an argument is refused before anything is solved (one line, exit
status 2). A bad line on standard input (malformed, illegal, or finished) prints an error
naming the line and the move; the other lines are still solved and the exit status is 1 at
the end. A board too big for the exact solver needs --time or --depth.

On standard connect four the search probes the 12-ply opening book of bitbully-databases
(MIT), so every position is solved exactly in real time; `--no-book` measures the pure search.
JSON records count searched nodes and book hits apart.
"""

from __future__ import annotations

import argparse
import json
import sys

NAME = "solve"
HELP = "exact scores of positions (Pons' convention); --analyze for every move"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("game", help="game spec, e.g. connect4, tictactoe, connect4:rows=4,cols=5,k=3")
    parser.add_argument("positions", nargs="*", help="move strings; none: read lines from standard input")
    parser.add_argument("--analyze", action="store_true", help="score every move (full column/cell: -)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--weak", action="store_true", help="only win/draw/loss (sign of the score), faster")
    parser.add_argument("--tt-bits", type=int, default=24, choices=range(16, 31), metavar="{16..30}",
                        help="transposition table of 2^N entries, 8 bytes each (default 24: 128 MiB); "
                             "more helps the deepest searches, such as the empty board with --no-book")
    parser.add_argument("--no-book", action="store_true",
                        help="pure search: do not probe the 12-ply opening book (standard connect four)")
    from agents.solver.limits import MAX_DEPTH, MAX_SECONDS
    from arena.checks import float_arg, int_arg

    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--depth", type=int_arg(1, MAX_DEPTH), help="search N plies, heuristic beyond (exact=false)")
    budget.add_argument("--time", type=float_arg(maximum=MAX_SECONDS, positive=True),
                        help="seconds per position, heuristic if exceeded")
    _allow_intermixed(parser)


def _allow_intermixed(parser: argparse.ArgumentParser) -> None:
    """Lets positions follow options (`solve connect4 --analyze ""`).

    Python 3.11's argparse binds an empty `nargs="*"` positional before the first option, so
    later positions are rejected; the subcommand parser uses the intermixed parse instead.
    """
    original = parser.parse_known_args

    def parse_known_args(args=None, namespace=None):
        parser.parse_known_args = original  # the intermixed parse calls parse_known_args itself
        try:
            return parser.parse_known_intermixed_args(args, namespace)
        finally:
            parser.parse_known_args = parse_known_args

    parser.parse_known_args = parse_known_args


def _format_score(score) -> str:
    return "-" if score is None else (str(score) if isinstance(score, int) else f"{score:+.3f}")


def _json_score(score):
    return score if score is None or isinstance(score, int) else round(float(score), 4)


def _solve_line(solver, game, number: int, text: str, args: argparse.Namespace) -> dict:
    if args.analyze:
        result = solver.analyze(text, depth=args.depth, time_s=args.time, weak=args.weak)
    else:
        result = solver.solve(text, depth=args.depth, time_s=args.time, weak=args.weak)
    record = {"position": text, "score": _json_score(result.score)}
    if args.analyze:
        record["move_scores"] = [_json_score(s) for s in result.move_scores]
        record["best_moves"] = [int(game.action_to_str(a)) if game.action_to_str(a).isdigit()
                                else game.action_to_str(a) for a in result.best_moves]
    record.update(exact=result.exact, nodes=result.nodes, book_hits=result.book_hits,
                  seconds=round(result.seconds, 6))
    if result.depth is not None:
        record["depth"] = result.depth
    return record


def run(args: argparse.Namespace) -> int:
    import games
    from agents.solver import Solver
    from agents.solver.limits import exact_refusal
    from games import SpecError, SuiteError

    game = games.make(args.game)
    refusal = exact_refusal(game)
    if refusal and args.depth is None and args.time is None:
        raise SpecError(f"{refusal}; pass --time SECONDS or --depth N for a bounded, heuristic answer")
    solver = Solver(game, tt_bits=args.tt_bits, book=not args.no_book)
    for text in args.positions:  # positions given as arguments: all checked before any is solved
        try:
            solver.parse(text.strip())
        except SuiteError as err:
            raise SuiteError(f"position {text.strip()!r}: {err}") from None
    lines = args.positions if args.positions else (line.rstrip("\n") for line in sys.stdin)
    failures = 0
    for number, raw in enumerate(lines, 1):
        text = raw.strip()
        try:
            record = _solve_line(solver, game, number, text, args)
        except SuiteError as err:
            failures += 1
            message = f"line {number} ({text!r}): {err}"
            print(f"arena solve: error: {message}", file=sys.stderr, flush=True)
            if args.json:
                print(json.dumps({"position": text, "line": number, "error": str(err)}), flush=True)
            continue
        if args.json:
            print(json.dumps(record), flush=True)
        else:
            values = record["move_scores"] if args.analyze else [record["score"]]
            shown = " ".join(_format_score(v) for v in values)
            suffix = "" if record["exact"] else f"  (heuristic, depth {record.get('depth')})"
            print(f"{text} {shown}{suffix}" if text else f"{shown}{suffix}", flush=True)
    if failures:
        print(f"arena solve: {failures} position(s) could not be solved", file=sys.stderr)
        return 1
    return 0
