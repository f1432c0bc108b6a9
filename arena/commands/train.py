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

NAME = "train"
HELP = "self-play training with MCTS in the loop"
MAX_VS_GAMES = 10_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from agents.alphazero.config import LIMITS, TrainConfig, field_docs
    from arena.checks import float_arg, int_arg

    docs = field_docs()
    parser.add_argument("game", nargs="?", help="game spec (default tictactoe, or the config file's)")
    parser.add_argument("--out", help="run directory (default runs/<game name>)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run in --out from its newest intact checkpoint (an error if it has none), "
                             "with the run's own options (flags may only change --iterations)")
    parser.add_argument("--config", help="JSON file of options: its keys override the game's defaults, "
                        "command-line flags override it")
    parser.add_argument("--quiet", action="store_true", help="no per-iteration lines")
    parser.add_argument("--vs", action="append", default=[], metavar="SPEC",
                        help="at each evaluation also score az against this baseline agent "
                             "(repeatable), e.g. --vs mcts:sims=200 --vs solver:depth=4")
    parser.add_argument("--vs-games", type=int_arg(2, MAX_VS_GAMES), default=20,
                        help="games per baseline and evaluation, colour-swapped pairs (default 20)")
    group = parser.add_argument_group("distributed (jax.distributed)")
    group.add_argument("--coordinator", help="HOST:PORT of process 0")
    group.add_argument("--num-processes", type=int_arg(1, 65_536))
    group.add_argument("--process-id", type=int_arg(0, 65_535))
    options = parser.add_argument_group("training options (defaults depend on the game)")
    for field in dataclasses.fields(TrainConfig):
        if field.name == "game":
            continue
        flag = "--" + field.name.replace("_", "-")
        text = docs.get(field.name, "").replace("%", "%%")  # argparse formats help with %
        if field.type in ("bool", bool):
            options.add_argument(flag, dest=field.name, default=None, action=argparse.BooleanOptionalAction,
                                 help=text)
        elif field.name in LIMITS:
            low, high, positive = LIMITS[field.name]
            kind = int_arg(low, high) if field.type in ("int", int) else float_arg(low, high, positive=positive)
            options.add_argument(flag, dest=field.name, type=kind, default=None, help=text)
        else:
            options.add_argument(flag, dest=field.name, default=None, help=text)


def build_config(args: argparse.Namespace):
    """The game's defaults, then the keys the config file holds, then explicit flags."""
    from agents.alphazero.config import TrainConfig, default_config, read_config_file

    from_file = read_config_file(args.config) if args.config else {}
    game = args.game or from_file.get("game") or "tictactoe"
    overrides = {k: v for k, v in from_file.items() if k != "game"}
    for field in dataclasses.fields(TrainConfig):
        value = getattr(args, field.name, None)
        if field.name != "game" and value is not None:
            overrides[field.name] = value
    follow_base_shape(overrides)
    return default_config(game, **overrides)


SHAPE = {"network": "kind", "channels": "channels", "blocks": "blocks", "colour_plane": "colour_plane",
         "threat_planes": "threat_planes"}


def follow_base_shape(overrides: dict) -> None:
    """With --init-from, each part of the net's shape that neither a flag nor the config file
    sets is the model's (`arena train connect4 --init-from checkpoints/connect4` continues the
    release whatever its size), not the game's default, which would only be refused."""
    from agents.checkpoint import CheckpointError, read_metadata

    if not overrides.get("init_from") or all(key in overrides for key in SHAPE):
        return
    try:
        _, meta = read_metadata(overrides["init_from"])
    except CheckpointError:
        return  # the trainer says what is wrong with it, in its own words
    network = meta.get("network") if isinstance(meta.get("network"), dict) else {}
    for key, field in SHAPE.items():
        if key not in overrides and field in network:
            overrides[key] = network[field]


def run_dir(out: str | None, game: str) -> Path:
    """--out, or runs/<game name> by default."""
    return Path(out) if out else Path("runs") / game.split(":")[0]


def run(args: argparse.Namespace) -> int:
    if args.coordinator:
        import jax

        jax.distributed.initialize(coordinator_address=args.coordinator, num_processes=args.num_processes,
                                   process_id=args.process_id)
    from agents.alphazero.loop import train
    from agents.alphazero.trainer import check_run_dir
    from arena.checks import output_dir

    if args.resume and not args.config:
        # The run's own options are the base: resuming needs only the flags that change (--iterations).
        saved = run_dir(args.out, args.game or "tictactoe") / "config.json"
        if saved.is_file():
            args.config = str(saved)
    config = build_config(args)
    out = run_dir(args.out, config.game)
    check_run_dir(out, resume=args.resume)  # before any work: a bad --out costs nothing
    output_dir(out, "--out")  # and a folder that can be created there
    start = time.perf_counter()
    extra = []
    if args.vs:
        import games
        from arena.training_evals import baseline_scores

        extra.append(baseline_scores(games.make(config.game), args.vs, games=args.vs_games,
                                   sims=config.eval_simulations, seed=config.seed))
    summary = train(config, out, resume=args.resume, verbose=not args.quiet, extra_evals=extra)
    print(f"run directory: {out}  ({time.perf_counter() - start:.0f} s this session); "
          f"`arena plot {out}` draws the curves, `arena export {out}` releases the model")
    return 0 if summary.get("completed") else 130
