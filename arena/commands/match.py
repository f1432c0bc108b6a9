"""Play two agents against each other; with --sprt, stop as soon as the evidence decides.

Examples:
  arena match mcts:sims=400 mcts:sims=100 --sprt 0 50
  arena match solver:depth=6 solver:depth=4 --game connect4 --games 400
  arena match --resume runs/match-connect4-20260101-120000

Games come in colour-swapped pairs from the same opening. The SPRT is the pentanomial
generalized SPRT on normalized Elo (as fastchess and fishtest use): H0 'nElo = ELO0' against
H1 'nElo = ELO1', log-likelihood ratio printed after every wave of games, stopping when it
leaves [ln(beta/(1-alpha)), ln((1-beta)/alpha)] (-2.94, 2.94 for 5% / 5%) or after --games.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

NAME = "match"
HELP = "two agents, colour-swapped pairs; --sprt ELO0 ELO1 stops when the test decides"
MATCH_FILE = "match.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("agents", nargs="*", metavar="SPEC", help="the two agents, e.g. mcts:sims=400 random")
    parser.add_argument("--game", default="connect4", help="game spec (default connect4)")
    parser.add_argument("--games", type=int, default=None,
                        help="games to play, or the most to play with --sprt (default 200; 2000 with --sprt)")
    parser.add_argument("--sprt", nargs=2, type=float, default=None, metavar=("ELO0", "ELO1"),
                        help="normalized-Elo bounds of H0 and H1, e.g. 0 50")
    parser.add_argument("--alpha", type=float, default=0.05, help="false-positive rate (default 0.05)")
    parser.add_argument("--beta", type=float, default=0.05, help="false-negative rate (default 0.05)")
    openings = parser.add_mutually_exclusive_group()
    openings.add_argument("--openings", type=int, default=2, metavar="K", help="random K-ply openings (default 2)")
    openings.add_argument("--openings-file", default=None, metavar="FILE", help="positions, one per line")
    parser.add_argument("--seed", type=int, default=0, help="seed of openings and agents (default 0)")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="games at once; the SPRT is checked after each such wave (default 16)")
    parser.add_argument("--out", default=None, metavar="DIR", help="output folder (default runs/match-<game>-<time>)")
    parser.add_argument("--resume", default=None, metavar="DIR", help="continue the match in DIR")
    parser.add_argument("--quiet", action="store_true", help="no line per finished game")


def load_sprt(folder: Path) -> dict | None:
    """The SPRT settings stored in match.json (None: a plain match), checked before anything runs."""
    from arena.tournament import TournamentError

    try:
        sprt = json.loads((folder / MATCH_FILE).read_text())["sprt"]
        if sprt is not None:
            numbers = [sprt[k] for k in ("elo0", "elo1", "alpha", "beta")]
            if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in numbers):
                raise ValueError("non-numeric SPRT setting")
            elo0, elo1, alpha, beta = numbers
            if not (elo0 < elo1 and 0 < alpha < 1 and 0 < beta < 1 and alpha + beta < 1):
                raise ValueError("SPRT settings out of range")
        return sprt
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        raise TournamentError(f"cannot resume from {folder}: {MATCH_FILE} is missing or corrupt") from None


def sprt_status(run, sprt: dict) -> tuple[str, str]:
    """('LLR ... [lower, upper] ...', decision) from the complete pairs so far."""
    from arena import ratings as rt
    from arena.tournament import PENTA_KEYS, pair_counts

    a = run.config.agents[0]
    counts = pair_counts(list(run.records.values()), a)
    lower, upper = rt.sprt_bounds(sprt["alpha"], sprt["beta"])
    pairs = sum(counts.values())
    llr = rt.sprt_llr_pentanomial(*(counts[k] for k in PENTA_KEYS), sprt["elo0"], sprt["elo1"]) if pairs else 0.0
    decision = "H1 accepted" if llr >= upper else "H0 accepted" if llr <= lower else "continue"
    penta = " ".join(f"{k}={counts[k]}" for k in PENTA_KEYS)
    return (f"LLR {llr:+.3f} [{lower:+.3f}, {upper:+.3f}] after {pairs} pairs ({penta}); "
            f"nElo H0={sprt['elo0']:g} H1={sprt['elo1']:g}: {decision}"), decision


def run(args: argparse.Namespace) -> int:
    from agents.files import write_json_atomic
    from arena import ratings as rt
    from arena.commands.tournament import make_agents, play_out, tournament_config
    from arena.tournament import TournamentError, TournamentRun

    if args.resume is not None:
        folder = Path(args.resume)
        tour = TournamentRun.resume(folder)
        sprt = load_sprt(folder)
        print(f"resuming {folder}: {tour.finished}/{tour.total} games already played")
    else:
        if len(args.agents) != 2:
            raise TournamentError(f"a match needs exactly two agent specs, got {len(args.agents)}")
        sprt = None
        if args.sprt is not None:
            rt_bounds_ok = 0 < args.alpha < 1 and 0 < args.beta < 1 and args.alpha + args.beta < 1
            if not rt_bounds_ok:
                raise TournamentError("--alpha and --beta must be in (0, 1) with alpha + beta < 1")
            if args.sprt[0] >= args.sprt[1]:
                raise TournamentError("--sprt ELO0 ELO1: ELO0 must be below ELO1")
            sprt = {"elo0": args.sprt[0], "elo1": args.sprt[1], "alpha": args.alpha, "beta": args.beta}
        games = args.games if args.games is not None else (2000 if sprt else 200)
        config, _ = tournament_config(args.game, args.agents, games=games, format="gauntlet",
                                      openings=args.openings, openings_file=args.openings_file, undecided=False,
                                      seed=args.seed, concurrency=args.concurrency)
        agents = make_agents(config)
        folder = Path(args.out) if args.out else Path("runs") / (
            f"match-{config.game.split(':')[0]}-{time.strftime('%Y%m%d-%H%M%S')}")
        tour = TournamentRun(config, folder)
        write_json_atomic(folder / MATCH_FILE, {"sprt": sprt})
        print(f"match in {folder}: {config.agents[0]} vs {config.agents[1]}, up to {tour.total} games, "
              f"{config.openings_source}")
    if args.resume is not None:
        agents = make_agents(tour.config)

    def stop() -> bool:
        if sprt is None:
            return False
        text, decision = sprt_status(tour, sprt)
        print(text, flush=True)
        return decision != "continue"

    status = (lambda: sprt_status(tour, sprt)[0].split(";")[0]) if sprt else None
    undecided = sprt is None or sprt_status(tour, sprt)[1] == "continue"
    played = play_out(tour, agents, command=NAME, quiet=args.quiet, stop=stop, status=status, play=undecided)
    if played is None:
        return 130
    _, results = played
    pairing = results["pairings"][0]
    if pairing["games"]:
        pen = pairing["pentanomial_stats"]
        e = rt.Estimate(pen["elo"]["value"], pen["elo"]["error"], pen["elo"]["bound"])
        n = rt.Estimate(pen["nelo"]["value"], pen["nelo"]["error"], pen["nelo"]["bound"])
        print(f"pentanomial: Elo {e.text(2)}, normalized Elo {n.text(2)}, LOS {100 * pen['los']:.2f}%")
    if sprt is not None:
        text, decision = sprt_status(tour, sprt)
        print(f"SPRT: {text}" + ("" if decision != "continue" else " (game limit reached)"))
    return 0
