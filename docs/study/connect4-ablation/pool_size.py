"""How does a fresh net's mistake rate depend on the size of the self-play pool it learns from?

Rounds twenty-three to twenty-seven read the raw opening as held by the data: only a fresh deep
net distilled from millions of positions moved it. This measures that dependence directly, at a
size the CPU can train: a fresh net learns the first ENTRIES entries of one saved buffer (the
earliest finished games, so fewer games rather than a thinned sample of every game), with
`arena distill`'s loop (`train_fixed`), schedule and seed, so that arms on the same buffer differ
only in how much of it they see for the same number of updates.

    python docs/study/connect4-ablation/pool_size.py RUN/checkpoints/N OUT --entries 95946 \
        --channels 64 --blocks 3 --colour-plane --steps 6000 --snapshot-every 1000 --seed 0

The whole buffer at the same settings is `arena distill OUT RUN/checkpoints/N ...` itself.
"""
from __future__ import annotations

import argparse

import numpy as np
from probe import train_fixed

from agents.alphazero.distill import DistillError, load_buffer, plies, training_state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", help="a run, RUN/checkpoints/N or its default folder")
    parser.add_argument("out")
    parser.add_argument("--entries", type=int, required=True, help="learn the buffer's first ENTRIES entries")
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--colour-plane", action="store_true")
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--snapshot-every", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        folder = training_state(args.checkpoint)
        buf = load_buffer(folder)
    except DistillError as err:
        raise SystemExit(f"pool_size.py: {err}") from None
    if not 0 < args.entries <= len(buf["observation"]):
        raise SystemExit(f"pool_size.py: --entries must be 1..{len(buf['observation']):,}")
    entries = {name: values[: args.entries] for name, values in buf.items()}
    opening = np.mean(plies(entries["observation"]) <= 12)
    print(f"{folder}: the first {args.entries:,} of {len(buf['observation']):,} entries, "
          f"{opening:.1%} at plies 0-12", flush=True)
    settings = {"command": "pool_size", "checkpoint": str(folder.resolve()), "first_entries": args.entries,
                "targets": "selfplay"}
    train_fixed(entries, args.out, settings, channels=args.channels, blocks=args.blocks, steps=args.steps,
                snapshot_every=args.snapshot_every, batch_size=args.batch_size,
                learning_rate=args.learning_rate, seed=args.seed, colour_plane=args.colour_plane,
                describe=f"the first {args.entries:,} self-play entries of one buffer, ")


if __name__ == "__main__":
    main()
