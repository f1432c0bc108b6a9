"""Would deeper searches teach the raw policy the opening? Opening targets from a stronger search.

A distilled net learns to imitate its buffer's policy targets, the 32-simulation Gumbel searches
of self-play. On the study's 1,000 opening positions the release's search with 32 simulations
still makes 3.8% mistakes (64: 3.0%, 128: 2.8%, 256: 2.2%), while its raw policy makes 5.1% and
the issue asks for 3%: a student cannot be expected to beat the teacher it imitates. This script
tests, on fixed data, whether opening targets from a deeper search of the same net teach the raw
policy more (MuZero's Reanalyse, aimed at the phase where the policy is weak; no solver):

- `label`: every distinct opening board of a replay buffer (plies 0..--max-ply, a board and its
  mirror image searched once) gets the policy of a --simulations Gumbel search of --model
  (noise-free, as the `az` agent plays), the boards most frequent in the buffer first, resumable:
  OUT/targets.npz is rewritten (atomically) after each chunk, so a prefix of the work covers as
  many entries as that many boards can.
- `train`: the buffer's entries (duplicates kept) learned by `train_fixed` (the trainer's
  sampler, augmentation, loss and AdamW, cosine), with the self-play targets everywhere
  (`--targets selfplay`) or the labelled opening boards' policy targets replaced by the deep
  search's (`--targets deep`); values are the self-play results in both arms. With the same
  seed both arms draw the same batches, so only those policy targets differ.

    python docs/study/connect4-ablation/deep_targets.py label RUN/checkpoints/N/default LABELS \\
        --model docs/study/connect4-ablation/models/DC64-16k --simulations 256
    python docs/study/connect4-ablation/deep_targets.py train RUN/checkpoints/N/default LABELS OUT \\
        --targets deep --init-from docs/study/connect4-ablation/models/DC64-16k --steps 2000
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from study_data import load_buffer, plies, search_targets

TARGETS_FILE = "targets.npz"
CHUNK = 2048


def board_keys(observation: np.ndarray) -> np.ndarray:
    """Two int64 per board [N, 2] (the cells in base 3, 21 a number), unique to each board."""
    cells = (observation[..., 0] + 2 * observation[..., 1]).reshape(len(observation), -1).astype(np.int64)
    half = cells.shape[1] // 2
    powers = 3 ** np.arange(half, dtype=np.int64)
    return np.stack([cells[:, :half] @ powers, cells[:, half:] @ powers[: cells.shape[1] - half]], axis=1)


def canonical(observation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(key [N, 2] of each board's canonical form, mirrored [N]: whether that form is its mirror)."""
    own, mirror = board_keys(observation), board_keys(observation[:, :, ::-1, :])
    mirrored = (mirror[:, 0] < own[:, 0]) | ((mirror[:, 0] == own[:, 0]) & (mirror[:, 1] < own[:, 1]))
    return np.where(mirrored[:, None], mirror, own), mirrored


def opening(buf: dict[str, np.ndarray], max_ply: int) -> np.ndarray:
    return plies(buf["observation"]) <= max_ply


def label(args: argparse.Namespace) -> None:
    obs = load_buffer(args.checkpoint, ("observation",))["observation"]
    obs = obs[opening({"observation": obs}, args.max_ply)]
    keys, mirrored = canonical(obs)
    keys, first, counts = np.unique(keys, axis=0, return_index=True, return_counts=True)
    boards = np.where(mirrored[first, None, None, None], obs[first][:, :, ::-1, :], obs[first])
    # The most frequent boards first (ties in a seeded random order): a prefix of the work
    # covers as many entries as it can (here 10,000 of 57,000 boards hold two thirds of them).
    order = np.lexsort((np.random.default_rng(args.seed).permutation(len(keys)), -counts))
    print(f"{len(obs):,} opening entries (plies 0-{args.max_ply}), {len(keys):,} distinct boards up to "
          f"mirroring", flush=True)
    settings = {"checkpoint": str(Path(args.checkpoint).resolve()), "model": args.model,
                "simulations": args.simulations, "max_ply": args.max_ply, "seed": args.seed}
    label_boards(Path(args.labels), settings, keys[order], boards[order])


def label_boards(out: Path, settings: dict, keys: np.ndarray, boards: np.ndarray) -> None:
    """OUT/targets.npz: the policy of a settings["simulations"] Gumbel search of settings["model"]
    (noise-free, as the `az` agent plays) on each of `boards` in order, with their `keys`; rewritten
    atomically after each chunk and resumed from it (refused for other settings or boards)."""
    import jax
    import jax.numpy as jnp

    import games
    from agents.checkpoint import load_model
    from agents.files import write_json_atomic
    from agents.search_settings import SearchSettings

    out.mkdir(parents=True, exist_ok=True)
    if (out / "settings.json").exists():
        if json.loads((out / "settings.json").read_text()) != settings:
            raise SystemExit(f"{out} was labelled with other settings: {(out / 'settings.json').read_text()}")
    else:
        write_json_atomic(out / "settings.json", settings, indent=1)
    done, policy = 0, np.zeros((len(keys), boards.shape[2]), np.float32)
    if (out / TARGETS_FILE).exists():
        with np.load(out / TARGETS_FILE) as saved:
            done = len(saved["keys"])
            if not np.array_equal(saved["keys"], keys[:done]):
                raise SystemExit(f"{out / TARGETS_FILE} does not match these boards")
            policy[:done] = saved["policy"]
    print(f"{len(keys):,} boards, {done:,} labelled already; {settings['simulations']} simulations of "
          f"{settings['model']}", flush=True)

    game = games.make("connect4")
    _, graphdef, params = load_model(settings["model"], game)
    targets = search_targets(game, graphdef, SearchSettings(num_simulations=settings["simulations"], policy="gumbel"))

    start = time.perf_counter()
    for lo in range(done, len(keys), CHUNK):
        hi = min(lo + CHUNK, len(keys))
        batch = np.zeros((CHUNK, *boards.shape[1:]), np.float32)  # one shape: one compilation
        batch[: hi - lo] = boards[lo:hi]
        found = targets(params, jnp.asarray(batch), jax.random.key(settings["seed"] * 1_000_003 + lo))
        policy[lo:hi] = np.asarray(found)[: hi - lo]
        tmp = out / f"{TARGETS_FILE}.tmp.npz"
        np.savez(tmp, keys=keys[:hi], policy=policy[:hi])
        os.replace(tmp, out / TARGETS_FILE)
        rate = (hi - done) / (time.perf_counter() - start)
        print(f"{hi:,}/{len(keys):,} boards, {rate:.0f} boards/s", flush=True)


def train(args: argparse.Namespace) -> None:
    from probe import train_fixed

    buf = load_buffer(args.checkpoint)
    with np.load(Path(args.labels) / TARGETS_FILE) as saved:
        keys, deep = saved["keys"], saved["policy"]
    labelled = json.loads((Path(args.labels) / "settings.json").read_text())
    use = opening(buf, labelled["max_ply"])
    entry_keys, mirrored = canonical(buf["observation"][use])
    lookup = {tuple(k): i for i, k in enumerate(keys.tolist())}  # each opening entry's label row, or -1
    rows = np.array([lookup.get(tuple(k), -1) for k in entry_keys.tolist()])
    found = rows >= 0
    policy = buf["policy"].copy()
    if args.targets == "deep":
        target = deep[rows[found]]
        target = np.where(mirrored[found, None], target[:, ::-1], target)
        index = np.flatnonzero(use)[found]
        policy[index] = target
    changed = int(found.sum())
    print(f"{use.sum():,} opening entries, {changed:,} with a deep label ({len(keys):,} boards labelled); "
          f"policy targets: {args.targets}", flush=True)
    entries = {"observation": buf["observation"], "policy": policy, "value": buf["value"], "legal": buf["legal"]}
    settings = {"command": "deep_targets train", "checkpoint": str(Path(args.checkpoint).resolve()),
                "labels": labelled, "labelled_boards": len(keys), "targets": args.targets}
    train_fixed(entries, args.out, settings, channels=args.channels, blocks=args.blocks, steps=args.steps,
                snapshot_every=args.snapshot_every, batch_size=args.batch_size, learning_rate=args.learning_rate,
                seed=args.seed, init_from=args.init_from, colour_plane=args.colour_plane,
                describe=f"{args.targets} opening targets, ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("label", help="deep-search policy targets for a buffer's distinct opening boards")
    p.add_argument("checkpoint")
    p.add_argument("labels", help="folder for targets.npz (resumed when it exists)")
    p.add_argument("--model", required=True)
    p.add_argument("--simulations", type=int, default=256)
    p.add_argument("--max-ply", type=int, default=12)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=label)
    t = sub.add_parser("train", help="train on the buffer with self-play or deep opening policy targets")
    t.add_argument("checkpoint")
    t.add_argument("labels")
    t.add_argument("out")
    t.add_argument("--targets", choices=("selfplay", "deep"), required=True)
    t.add_argument("--init-from", default=None)
    t.add_argument("--channels", type=int, default=64)
    t.add_argument("--blocks", type=int, default=3)
    t.add_argument("--colour-plane", action="store_true")
    t.add_argument("--batch-size", type=int, default=512)
    add_schedule(t, steps=2000, snapshot_every=500)
    t.set_defaults(run=train)
    args = parser.parse_args()
    args.run(args)


def add_schedule(parser: argparse.ArgumentParser, *, steps: int, snapshot_every: int) -> None:
    """The fine-tuning schedule's options, shared with opening_tutor.py (a gentle lr: these runs
    continue a trained release rather than train a fresh net)."""
    parser.add_argument("--steps", type=int, default=steps)
    parser.add_argument("--snapshot-every", type=int, default=snapshot_every)
    parser.add_argument("--learning-rate", type=float, default=2e-4)
    parser.add_argument("--seed", type=int, default=0)


if __name__ == "__main__":
    main()
