"""Play a tournament: every pairing plays colour-swapped pairs from the same openings.

Examples:
  arena tournament                                       the default connect-four benchmark, perfect solver included
  arena tournament --game tictactoe --agents solver mcts:sims=64 random --games 20
  arena tournament --agents mcts:sims=200 solver:depth=4 random --format gauntlet --plot
  arena tournament --agents solver:depth=2 solver:depth=4 --openings-file openings.txt
  arena tournament --resume runs/tournament-connect4-20260101-120000     after Ctrl-C

Per-move budgets are simulations (mcts, az) or depth (solver), so results are reproducible
from --seed. Each finished game prints one line of key=value tokens; the folder (--out) holds
games.jsonl (one record per game, with per-move times and its first mistake), results.json
(W/D/L per pairing and colour, pentanomial pairs, scores, ratings, accuracy) and state.json;
Ctrl-C then --resume DIR continues where it stopped (a damaged games.jsonl is refused first).
Ratings are fitted jointly by maximum likelihood (logistic Elo, mean 0, 95% intervals);
perfect or zero scores print one-sided bounds.

Every move of every tic-tac-toe and connect-four game (and of the variants the exact solver
handles) is judged against perfect play once its game ends: accuracy is the share of an
agent's judged moves that keep the game-theoretic value (a win stays a win, a draw a draw),
printed beside Elo with the count of mistakes; a position the solver cannot settle within the
judge's budget per position leaves its moves unjudged, and the table says how many.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

NAME = "tournament"
HELP = "round-robin or gauntlet tournament with ratings and error bars (resumable)"

DEFAULT_GAME = "connect4"
# The default connect-four benchmark, sized to finish in under 5 minutes on 2 CPU cores (with
# az, 200 games: 87 s measured). The perfect `solver` is the ceiling of the field: real time on
# the standard boards (connect four has the opening book), left out of variants, where a perfect
# move can take minutes.
PERFECT = "solver"
DEFAULT_AGENTS = (PERFECT, "mcts:sims=200", "solver:depth=4", "random")
DEFAULT_AZ = "az:sims=64"
DEFAULT_GAMES = 20
DEFAULT_OPENING_PLIES = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--game", default=None, help=f"game spec (default {DEFAULT_GAME})")
    parser.add_argument("--agents", nargs="+", default=None, metavar="SPEC",
                        help="agent specs, e.g. mcts:sims=200 solver:depth=4 random (default: the benchmark: "
                        f"{DEFAULT_AZ} when a released model exists, {' '.join(DEFAULT_AGENTS)})")
    parser.add_argument("--games", type=int, default=None,
                        help=f"games per pairing, even (default {DEFAULT_GAMES})")
    parser.add_argument("--format", choices=("round-robin", "gauntlet"), default=None,
                        help="round-robin (default) or gauntlet (the first agent against each other one)")
    openings = parser.add_mutually_exclusive_group()
    openings.add_argument("--openings", type=int, default=None, metavar="K",
                          help=f"random K-ply openings from the seed (default {DEFAULT_OPENING_PLIES})")
    openings.add_argument("--openings-file", default=None, metavar="FILE",
                          help="positions in standard notation, one per line (e.g. 4453)")
    parser.add_argument("--undecided", action="store_true",
                        help="keep only random openings with no forced result within 8 plies (solver)")
    parser.add_argument("--seed", type=int, default=None, help="seed of openings and agents (default 0)")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="games played at once; batched agents move in all of them in one call (default 64)")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="output folder (default runs/tournament-<game>-<time>)")
    parser.add_argument("--resume", default=None, metavar="DIR", help="continue the tournament in DIR")
    parser.add_argument("--plot", nargs="?", const="", default=None, metavar="PNG",
                        help="write the ratings with error bars to a PNG (default DIR/ratings.png)")
    parser.add_argument("--quiet", action="store_true", help="no line per finished game")


def default_agents(game) -> tuple[list[str], str]:
    """The benchmark line-up for `game` and a sentence saying whether `az` and `solver` are in it and why.

    `az` joins when the model store has a released model for this board (the rule `arena play`
    uses for its default opponent too).
    """
    from agents.checkpoint import release_folder, released_model

    lineup = list(DEFAULT_AGENTS)
    if not game.is_standard:
        lineup.remove(PERFECT)
        perfect = f"; the perfect solver left out: a perfect move on {game.spec} can take minutes"
    else:
        perfect = ""
    model = released_model(game)
    if model is not None:
        return [DEFAULT_AZ, *lineup], f"default benchmark; az uses the released model in {model}{perfect}"
    return lineup, (f"default benchmark; az left out: no released model for {game.spec} in "
                    f"{release_folder(game)}{perfect}")


def build_config(args: argparse.Namespace):
    """Settings from the command line (a new tournament), with every spec checked first."""
    return tournament_config(args.game, args.agents, games=args.games, format=args.format, openings=args.openings,
                             openings_file=args.openings_file, undecided=args.undecided, seed=args.seed,
                             concurrency=args.concurrency)


def tournament_config(game_spec: str | None, agent_specs: Sequence[str] | None, *, games: int | None,
                      format: str | None, openings: int | None, openings_file: str | None, undecided: bool,
                      seed: int | None, concurrency: int | None):
    """(TournamentConfig, a note for the person) for a new tournament or match; None takes the default.

    Shared by `arena tournament` and `arena match` (a two-agent gauntlet), so both read games,
    openings and seeds by one rule.
    """
    from arena.openings import random_openings, read_openings
    from arena.openings import undecided as undecided_only
    from arena.tournament import TournamentConfig, TournamentError
    from games import make as make_game

    game = make_game(game_spec or DEFAULT_GAME)
    note = ""
    if agent_specs is None:
        agent_specs, note = default_agents(game)
    games = games if games is not None else DEFAULT_GAMES
    if games < 2 or games % 2:
        raise TournamentError(f"--games {games}: expected an even number >= 2 (colour-swapped pairs)")
    pairs = games // 2
    seed = seed if seed is not None else 0
    if openings_file is not None:
        if undecided:
            raise TournamentError("--undecided filters random openings; it does not apply to --openings-file")
        chosen = read_openings(game, openings_file)
        source = f"file {openings_file} ({len(chosen)} positions)"
    else:
        plies = openings if openings is not None else DEFAULT_OPENING_PLIES
        pool = random_openings(game, plies, pairs * (4 if undecided else 1), seed=seed)
        if undecided:
            pool = undecided_only(game, pool)[:pairs]
            if not pool:
                raise TournamentError(f"no {plies}-ply opening is undecided; use fewer plies or drop --undecided")
        chosen = pool
        source = f"random {plies}-ply (seed {seed}), {len(chosen)} distinct" + (
            ", undecided at depth 8" if undecided else "")
    config = TournamentConfig(game=game.spec, agents=tuple(s.strip() for s in agent_specs), games=games,
                              format=format or "round-robin", openings=tuple(chosen),
                              openings_source=source, seed=seed,
                              concurrency=concurrency if concurrency is not None else 64)
    return config, note


def make_agents(config) -> dict:
    import agents as agents_mod

    return {spec: agents_mod.make(spec, config.game, seed=config.seed) for spec in config.agents}


def play_with_progress(run, agents, *, quiet: bool, stop=None, status=None) -> bool:
    """Plays a TournamentRun with a progress bar on stderr and one line per game on stdout."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    err = Console(stderr=True)
    total = run.total
    run.judge  # noqa: B018 - made now (a second for connect four), so the note below can say what it does
    print(f"judge: {run.judge_note}", flush=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("games", total=total, completed=run.finished)

        def on_record(record) -> None:
            if not quiet:
                print(record.line(total), flush=True)
            progress.update(task, completed=run.finished,
                            description=status() if status is not None else "games")

        return run.play(agents, on_record=on_record, stop=stop)


def play_out(run, agents: dict, *, command: str, quiet: bool, stop=None, status=None,
             play: bool = True) -> tuple[bool, dict] | None:
    """Plays `run` to its end (unless `play` is False), closes the agents, writes and prints the results.

    Returns (complete, results). Ctrl-C instead prints how to continue (`arena COMMAND --resume
    DIR`), writes the results so far and returns None: the caller exits with status 130.
    """
    from arena.tournament import format_table

    complete = run.finished == run.total
    try:
        if play:
            complete = play_with_progress(run, agents, quiet=quiet, stop=stop, status=status)
    except KeyboardInterrupt:
        print(f"interrupted after {run.finished}/{run.total} games; continue with: "
              f"arena {command} --resume {run.folder}", flush=True)
        run.write_results()
        return None
    finally:
        for agent in agents.values():
            agent.close()
    results = run.write_results()
    print()
    print(format_table(results))
    return complete, results


def run(args: argparse.Namespace) -> int:
    from arena.tournament import TournamentError, TournamentRun

    if args.resume is not None:
        if args.out is not None and Path(args.out) != Path(args.resume):
            raise TournamentError("give --resume DIR or --out DIR, not both")
        folder = Path(args.resume)
        tour = TournamentRun.resume(folder)
        config = tour.config
        given = {"--game": args.game, "--agents": args.agents, "--games": args.games, "--format": args.format,
                 "--openings": args.openings, "--openings-file": args.openings_file, "--seed": args.seed}
        extra = [k for k, v in given.items() if v is not None]
        if extra:
            raise TournamentError(f"--resume takes its settings from {folder}/config.json; drop {', '.join(extra)}")
        print(f"resuming {folder}: {tour.finished}/{tour.total} games already played")
    else:
        config, note = build_config(args)
        agents = make_agents(config)  # bad specs fail here, before anything is written
        folder = Path(args.out) if args.out else Path("runs") / (
            f"tournament-{config.game.split(':')[0]}-{time.strftime('%Y%m%d-%H%M%S')}")
        tour = TournamentRun(config, folder)
        if note:
            print(note)
        print(f"tournament in {folder}: {len(config.agents)} agents, {tour.total} games, {config.openings_source}")
    if args.resume is not None:
        agents = make_agents(config)
    start = time.perf_counter()
    played = play_out(tour, agents, command=NAME, quiet=args.quiet)
    if played is None:
        return 130
    complete, results = played
    print(f"{'complete' if complete else 'stopped'}: {tour.finished}/{tour.total} games in "
          f"{time.perf_counter() - start:.1f} s; results in {folder / 'results.json'}")
    if args.plot is not None and results.get("ratings"):
        from arena.plots import plot_ratings

        path = plot_ratings(results, args.plot or folder / "ratings.png")
        print(f"ratings plot: {path}")
    return 0
