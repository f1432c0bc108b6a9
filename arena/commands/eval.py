"""An agent's mistake rate against perfect play, on labelled positions or in games vs the solver.

Examples:
  arena eval mcts:sims=200 --set end-easy --set middle-easy --limit 200
  arena eval solver:depth=4 --set all --limit 100 --json
  arena eval random --game tictactoe                       every non-terminal position (4,520)
  arena eval policy --positions my_positions.txt           lines '<moves> [score]'
  arena eval mcts:sims=64 --game tictactoe --vs-solver --plies 1

A mistake is a move whose outcome (win > draw > loss) is worse than the best move's; scores
inside one class do not count (docs/references.md). Labels come from the file (Pons' '<moves> <score>')
or, when absent, from the project's exact solver. Rates carry a 95% Wilson interval.
Connect-four sets (Pons): end-easy, middle-easy, middle-medium, begin-easy, begin-medium,
begin-hard, or all; the begin-* sets need long solves for every non-losing position.
--vs-solver plays both colours from every K-ply opening against the perfect solver and
reports how often the agent reaches the opening's game-theoretic result (practical on
connect four from 2-ply openings too, with the opening book); every move of the agent is judged:
how often it kept a win or draw it had in hand, and where its first mistake fell (--games-out).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "eval"
HELP = "mistake rate against perfect play (Pons' sets, files) or games vs the solver"
DEFAULT_SETS = ("end-easy", "middle-easy", "begin-easy")
MAX_OPENING_SEQUENCES = 10_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("agent", metavar="AGENT", help="agent spec, e.g. mcts:sims=200, az, solver:depth=4")
    parser.add_argument("--game", default="connect4", help="game spec (default connect4)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--positions", default=None, metavar="FILE", help="lines '<moves> [score]'")
    source.add_argument("--set", action="append", default=None, metavar="NAME",
                        help=f"Pons' test set (repeatable; 'all' for the six; default {', '.join(DEFAULT_SETS)})")
    from arena.checks import SEED, int_arg

    parser.add_argument("--limit", type=int_arg(0, 10_000_000), default=200,
                        help="positions per set, a seeded sample (default 200; 0 = all)")
    parser.add_argument("--vs-solver", action="store_true", help="play games against the perfect solver instead")
    parser.add_argument("--plies", type=int_arg(0), default=1,
                        help="--vs-solver: openings of K plies, all of them (default 1; at most "
                             f"{MAX_OPENING_SEQUENCES:,} move sequences, 4 plies on tic-tac-toe and connect four)")
    parser.add_argument("--games-out", default=None, metavar="FILE",
                        help="--vs-solver: write every game with its verdict (JSON lines)")
    parser.add_argument("--seed", type=SEED, default=0, help="seed of the agent and the sample (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")


def max_opening_plies(game) -> int:
    """The longest openings `--vs-solver` enumerates: at most MAX_OPENING_SEQUENCES move sequences
    (actions^plies), and short of a full board. Every opening costs an exact solve and two games,
    so the sweep has to be bounded before it starts, not discovered to be endless."""
    plies = 0
    while game.num_actions ** (plies + 1) <= MAX_OPENING_SEQUENCES and plies + 1 < game.config.num_cells:
        plies += 1
    return plies


def _sources(args, game):
    from agents.solver import PONS_SETS, load_pons_set, pons_set_name
    from arena.evaluate import EvalError, all_positions, read_positions

    if args.positions is not None:
        return [(args.positions, read_positions(game, args.positions))]
    if args.set is None and not (game.is_standard and game.name == "connect4"):
        return [(f"all {game.name}", all_positions(game))]
    if not (game.is_standard and game.name == "connect4"):
        raise EvalError(f"Pons' sets are standard connect-four positions, not {game.spec}")
    names: list[str] = []
    for item in args.set or DEFAULT_SETS:
        for part in item.split(","):
            names.extend(PONS_SETS if part.strip().lower() == "all" else [pons_set_name(part)])
    return [(name, load_pons_set(name)) for name in dict.fromkeys(names)]


def run(args: argparse.Namespace) -> int:
    import agents as agents_mod
    from agents.solver.limits import exact_refusal
    from arena.evaluate import EvalError, mistake_report, sample, vs_solver
    from arena.ratings import wilson_interval
    from games import make as make_game

    game = make_game(args.game)
    refusal = exact_refusal(game)
    if refusal:  # both modes compare against the exact solver
        raise EvalError(f"{refusal}: it cannot label positions or play perfectly here")
    if args.vs_solver:
        if args.plies > max_opening_plies(game):
            raise EvalError(f"--plies {args.plies}: expected 0 to {max_opening_plies(game)} on {game.spec} "
                            f"(every opening is enumerated; at most {MAX_OPENING_SEQUENCES:,} move sequences)")
        agents_mod.make(args.agent, game)  # a bad spec fails before any solving
        played: list[dict] = []
        report = vs_solver(args.agent, game, plies=args.plies, seed=args.seed, on_game=played.append)
        if args.games_out:
            from agents.files import write_text_atomic

            write_text_atomic(Path(args.games_out), "".join(json.dumps(g, sort_keys=True) + "\n" for g in played))
        data = {"agent": args.agent, "game": game.spec, "vs_solver": report.to_json()}
        if args.json:
            print(json.dumps(data, sort_keys=True))
            return 0
        low, high = wilson_interval(report.achieved, report.games)
        print(f"{args.agent} vs the perfect solver on {game.spec}: {report.openings} openings of {args.plies} plies, "
              f"both colours, {report.games} games")
        print(f"achieved the game-theoretic result in {report.achieved}/{report.games} games "
              f"({100 * report.rate:.1f}%, 95% [{100 * low:.1f}%, {100 * high:.1f}%])")
        for cls, (n, ok) in report.by_class.items():
            if n:
                print(f"  from {cls:<4} positions: {ok}/{n}")
        kept, had = report.held
        if had:
            held_low, held_high = wilson_interval(kept, had)
            print(f"kept a win or draw it had in hand in {kept}/{had} games ({100 * kept / had:.1f}%, "
                  f"95% [{100 * held_low:.1f}%, {100 * held_high:.1f}%])")
        if report.agent_moves:
            plies = sorted(report.first_mistakes)
            where = f"; first mistake at ply {plies[0]}-{plies[-1]} (median {plies[len(plies) // 2]})" if plies else ""
            print(f"its moves: {report.agent_mistakes}/{report.agent_moves} mistakes "
                  f"({100 * report.agent_mistakes / report.agent_moves:.1f}%){where}")
        print(f"{report.seconds:.1f} s")
        return 0
    sources = _sources(args, game)
    agent = agents_mod.make(args.agent, game, seed=args.seed)
    from agents.solver import Judge

    judge = Judge(game)  # one judge, so its cache serves every set
    reports = []
    if not args.json:
        print(f"{args.agent} on {game.spec}: mistakes against perfect play (95% Wilson interval)")
        print(f"{'set':<16} {'positions':>6} {'mistakes':>8} {'rate':>8}  interval")
    try:
        for name, positions in sources:
            positions = sample(positions, args.limit or None, args.seed)
            report = mistake_report(agent, game, name, positions, seed=args.seed, judge=judge)
            reports.append(report)
            if not args.json:
                print(report.line(), flush=True)
    finally:
        agent.close()
    if args.json:
        print(json.dumps({"agent": args.agent, "game": game.spec, "sets": [r.to_json() for r in reports]},
                         sort_keys=True))
    elif any(r.illegal for r in reports):
        print(f"illegal moves (counted as mistakes): {sum(r.illegal for r in reports)}", file=sys.stderr)
    return 0
