"""Can the self-play already played be reused by a bigger network? Distil pooled replay buffers.

Issue 14's fifth round found the 32x3 net underfits: taught the perfect value of every board of
one replay buffer for 12 passes, it still gets the sign of one decided middle-game board in six
wrong on those very boards (`perfect_targets.py fit`), and a 64x3 net fits them better. Growing
the release deeper did not help (run E), and a bigger net from scratch costs its whole self-play
again. This probe trains a fresh net of any size on the union of several runs' last replay
buffers with their own self-play targets (the Gumbel policy and the game result: no solver),
with the trainer's sampler, augmentation, loss and optimizer (`probe.py`), so that the hours of
self-play behind those buffers teach the bigger net directly. Its snapshots form a run folder
that `arena study compute --lineage OUT` scores and that `arena train --init-from` can continue
with self-play.

    python docs/study/connect4-ablation/distill.py OUT RUN/checkpoints/N/default... \\
        --channels 64 --blocks 3 --steps 30000 --snapshot-every 2000
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from study_data import load_buffer, plies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("checkpoints", nargs="+", help="training-state folders (RUN/checkpoints/N/default)")
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--steps", type=int, default=30000)
    parser.add_argument("--snapshot-every", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from probe import train_fixed

    parts = []
    for checkpoint in args.checkpoints:
        buf = load_buffer(checkpoint)
        stones = plies(buf["observation"])
        print(f"{checkpoint}: {len(stones):,} entries, {np.mean(stones <= 12):.1%} at plies 0-12", flush=True)
        parts.append(buf)
    entries = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    settings = {"command": "distill", "checkpoints": [str(Path(c).resolve()) for c in args.checkpoints],
                "targets": "selfplay"}
    train_fixed(entries, args.out, settings, channels=args.channels, blocks=args.blocks, steps=args.steps,
                snapshot_every=args.snapshot_every, batch_size=args.batch_size,
                learning_rate=args.learning_rate, seed=args.seed,
                describe=f"self-play targets of {len(parts)} buffers, ")


if __name__ == "__main__":
    main()
