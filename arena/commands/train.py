"""Self-play training (AlphaZero / Gumbel AlphaZero) with evaluation against perfect play.

    arena train tictactoe                       # defaults per game, into runs/tictactoe
    arena train connect4 --out runs/c4 --iterations 200
    arena train connect4 --out runs/c4 --resume # continue an interrupted run
    arena train --config my.json                # every option as JSON keys

Each iteration prints one progress line and appends one JSON object to RUN_DIR/metrics.jsonl;
the full training state is checkpointed with orbax every --checkpoint-every iterations and on
Ctrl-C. Several hosts: start the same command on each with --coordinator HOST:PORT
--num-processes N --process-id I (jax.distributed); all local devices are used automatically.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from games import SpecError

NAME = "train"
HELP = "self-play training with MCTS in the loop"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from agents.alphazero.config import TrainConfig, field_docs

    docs = field_docs()
    parser.add_argument("game", nargs="?", help="game spec (default tictactoe, or the config file's)")
    parser.add_argument("--out", help="run directory (default runs/<game name>)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --out")
    parser.add_argument("--config", help="JSON file of options (command-line flags override it)")
    parser.add_argument("--quiet", action="store_true", help="no per-iteration lines")
    parser.add_argument("--vs", action="append", default=[], metavar="SPEC",
                        help="at each evaluation also score az against this baseline agent "
                             "(repeatable), e.g. --vs mcts:sims=200 --vs solver:depth=4")
    parser.add_argument("--vs-games", type=int, default=20,
                        help="games per baseline and evaluation, colour-swapped pairs (default 20)")
    group = parser.add_argument_group("distributed (jax.distributed)")
    group.add_argument("--coordinator", help="HOST:PORT of process 0")
    group.add_argument("--num-processes", type=int)
    group.add_argument("--process-id", type=int)
    options = parser.add_argument_group("training options (defaults depend on the game)")
    for field in dataclasses.fields(TrainConfig):
        if field.name == "game":
            continue
        flag = "--" + field.name.replace("_", "-")
        if field.type in ("bool", bool):
            options.add_argument(flag, dest=field.name, default=None, action=argparse.BooleanOptionalAction,
                                 help=docs.get(field.name, ""))
        else:
            kind = {"int": int, "float": float, "str": str}.get(str(field.type), str)
            options.add_argument(flag, dest=field.name, type=kind, default=None, help=docs.get(field.name, ""))


def build_config(args: argparse.Namespace):
    """Game defaults, then the config file, then explicit flags."""
    from agents.alphazero.config import TrainConfig, default_config

    base = {}
    if args.config:
        base = TrainConfig.from_file(args.config).to_json()
    game = args.game or base.get("game") or "tictactoe"
    overrides = {k: v for k, v in base.items() if k != "game"}
    for field in dataclasses.fields(TrainConfig):
        value = getattr(args, field.name, None)
        if field.name != "game" and value is not None:
            overrides[field.name] = value
    return default_config(game, **overrides)


def run(args: argparse.Namespace) -> int:
    if args.coordinator:
        import jax

        jax.distributed.initialize(coordinator_address=args.coordinator, num_processes=args.num_processes,
                                   process_id=args.process_id)
    from agents.alphazero.loop import train

    config = build_config(args)
    out = Path(args.out) if args.out else Path("runs") / config.game.split(":")[0]
    start = time.perf_counter()
    extra = []
    if args.vs:
        import games
        from arena.training_evals import baseline_scores

        if args.vs_games < 2:
            raise SpecError(f"--vs-games {args.vs_games}: expected at least 2 (one colour-swapped pair)")
        extra.append(baseline_scores(games.make(config.game), args.vs, games=args.vs_games,
                                   sims=config.eval_simulations, seed=config.seed))
    summary = train(config, out, resume=args.resume, verbose=not args.quiet, extra_evals=extra)
    print(f"run directory: {out}  ({time.perf_counter() - start:.0f} s this session); "
          f"`arena plot {out}` draws the curves, `arena export {out}` releases the model")
    return 0 if summary.get("completed") else 130
