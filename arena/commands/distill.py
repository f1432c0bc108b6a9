"""Train a fresh network on stored self-play: the replay buffers of earlier `arena train` runs.

    arena distill runs/c4-big runs/c4 runs/c4-b/checkpoints/150 --channels 64 --blocks 3 --colour-plane
    arena train connect4 --init-from runs/c4-big/snapshots/it-000008 --channels 64 --colour-plane ...

Each source is a run (its newest saved state), one of its checkpoints (RUN/checkpoints/N) or
that checkpoint's `default` folder; their buffers are pooled with their own search policies and
game results as targets (no solver). OUT gets a snapshot every --snapshot-every updates
(OUT/snapshots/it-N, model folders with a card that sums the self-play behind them) and the
optimizer state four times as often and on Ctrl-C: repeat the command to resume, bit for bit.
This is how the connect-four release was made (docs/study/connect4-ablation, round sixteen).
"""

from __future__ import annotations

import argparse
import shlex

from arena.checks import SEED, float_arg, int_arg

NAME = "distill"
HELP = "train a fresh network on the replay buffers of earlier training runs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from agents.alphazero.config import LIMITS  # the range of each size, as `arena train` takes it

    parser.add_argument("out", help="the folder to write (snapshots, metrics, saved state)")
    parser.add_argument("states", nargs="+", metavar="SOURCE",
                        help="a run folder, RUN/checkpoints/N or RUN/checkpoints/N/default")
    parser.add_argument("--channels", type=int_arg(*LIMITS["channels"][:2]), default=64, help="network width (default 64)")
    parser.add_argument("--blocks", type=int_arg(*LIMITS["blocks"][:2]), default=3, help="residual blocks (default 3)")
    parser.add_argument("--colour-plane", action=argparse.BooleanOptionalAction, default=False,
                        help="a third input plane saying whether the mover moved first (the release has it)")
    parser.add_argument("--threat-planes", action=argparse.BooleanOptionalAction, default=False,
                        help="two more input planes: the cells that would complete a line for each side")
    parser.add_argument("--steps", type=int_arg(1, 10_000_000), default=16000,
                        help="updates of --batch-size entries (default 16000)")
    parser.add_argument("--snapshot-every", type=int_arg(1, 10_000_000), default=2000,
                        help="updates between snapshots (default 2000)")
    parser.add_argument("--batch-size", type=int_arg(*LIMITS["batch_size"][:2]), default=512, help="entries per update (default 512)")
    parser.add_argument("--learning-rate", type=float_arg(*LIMITS["learning_rate"][:2], positive=True), default=1e-3,
                        help="peak of the cosine schedule (default 1e-3)")
    parser.add_argument("--seed", type=SEED, default=0, help="initial weights and batches (default 0)")
    parser.add_argument("--init-from", metavar="MODEL",
                        help="start from this model folder (same shape) instead of a fresh net")


def command_line(args: argparse.Namespace) -> str:
    """The command that makes (and resumes) this OUT, for the snapshots' cards."""
    words = ["arena", "distill", args.out, *args.states, "--channels", args.channels, "--blocks", args.blocks,
             "--steps", args.steps, "--snapshot-every", args.snapshot_every, "--batch-size", args.batch_size,
             "--learning-rate", args.learning_rate, "--seed", args.seed]
    if args.colour_plane:
        words.append("--colour-plane")
    if args.threat_planes:
        words.append("--threat-planes")
    if args.init_from:
        words += ["--init-from", args.init_from]
    return shlex.join(str(w) for w in words)


def run(args: argparse.Namespace) -> int:
    from agents.alphazero.distill import distill
    from arena.checks import output_dir

    if args.snapshot_every > args.steps:
        args.snapshot_every = args.steps  # one snapshot, at the end
    out = output_dir(args.out, "OUT")
    distill(out, args.states, channels=args.channels, blocks=args.blocks, colour_plane=args.colour_plane,
            threat_planes=args.threat_planes, steps=args.steps, snapshot_every=args.snapshot_every,
            batch_size=args.batch_size,
            learning_rate=args.learning_rate, seed=args.seed, init_from=args.init_from, command=command_line(args))
    print(f"done: {out}/snapshots holds the nets; `arena study compute --lineage {out}` scores them, "
          f"`arena train GAME --init-from {out}/snapshots/it-N` continues one by self-play")
    return 0
