"""Is the network or are its targets what holds the connect-four model back?

Issue 14's continuations (A-K) all leave the raw policy at about 178 mistakes of the study's
3,000 positions, whatever the data, search or schedule. Two readings fit: the 32x3 net cannot
represent a better policy (capacity), or its self-play targets are too wrong to teach one
(target_check.py: a fifth of the decided opening positions carry the wrong value sign). This
script separates them on one fixed set of positions, a run's replay buffer:

- `label`: every distinct board of the buffer gets the perfect-play outcome (loss/draw/win) of
  each move from the solver (weak analysis, opening book on), in a seeded random order, so that
  any prefix of the work is a random sample; resumable (one JSON line per board). With
  `--kind exact`, each move's exact score instead (full analysis, about 2x slower): the perfect
  player's own preference among the moves that keep the outcome (fastest win, slowest loss).
- `check`: the buffer's self-play targets against the labels, per phase, over every entry.
- `fit`: each model's value sign and raw policy's top move against the labels, per phase: on the
  training buffer's boards (does the net hold what it was taught?) or, with `--exclude`, on another
  buffer's boards that the training set lacks (held out, from nearly the same distribution).
- `train`: a fresh network learns the buffer's entries (duplicates kept, as self-play trained on
  them) for a fixed number of updates, with the trainer's own sampler, augmentation, loss and
  optimizer, on either the buffer's self-play targets (`--targets selfplay`) or perfect ones
  (`--targets perfect`: the policy uniform over the best moves, the value their outcome), or the
  self-play policy with the perfect value (`--targets perfect-value`); `--kind` picks the labels. Only entries whose board is labelled are used, so both arms see the same
  positions. Snapshots are saved as a run folder that `arena study compute --lineage` scores;
  the optimizer state is saved with each, and the same command resumes an interrupted run.

A diagnostic, not a way to make a release: a model taught by the solver is not a self-play
model. What it tells: the mistakes a net of this size makes when its targets are perfect (so
whether a better policy fits in it), and how much of the gap the targets alone explain.

    python docs/study/connect4-ablation/perfect_targets.py label RUN/checkpoints/N/default LABELS_DIR
    python docs/study/connect4-ablation/perfect_targets.py check RUN/checkpoints/N/default LABELS_DIR
    python docs/study/connect4-ablation/perfect_targets.py fit LABELS_DIR MODEL... [--exclude TRAIN_LABELS_DIR]
    python docs/study/connect4-ablation/perfect_targets.py train RUN/checkpoints/N/default LABELS_DIR OUT \
        --targets selfplay|perfect|perfect-value [--kind outcome|exact] --channels 32 --blocks 3 --steps 6000 --snapshot-every 1000
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from study_data import load_buffer, plies, to_board

UNIQUE_FILE = "boards.npz"
# Per board, one JSON line of every move's value for the mover (null: illegal): its outcome
# (-1/0/1, the solver's weak analysis) or its exact Pons score (full analysis, slower).
LABELS_FILES = {"outcome": "labels.jsonl", "exact": "labels-exact.jsonl"}
ILLEGAL = -100  # below every Pons score


def distinct(observation: np.ndarray) -> np.ndarray:
    """The distinct observations [U, rows, cols, 2], in sorted order."""
    flat = observation.reshape(len(observation), -1).astype(np.int8)
    return np.unique(flat, axis=0).reshape(-1, *observation.shape[1:])


def label(args: argparse.Namespace) -> None:
    from agents.solver.solver import Solver

    folder = Path(args.labels)
    folder.mkdir(parents=True, exist_ok=True)
    unique_path = folder / UNIQUE_FILE
    if not unique_path.exists():
        boards = distinct(load_buffer(args.checkpoint, ("observation",))["observation"])
        order = np.random.default_rng(args.seed).permutation(len(boards))
        tmp = folder / ".boards.tmp.npz"
        np.savez_compressed(tmp, boards=boards[order], checkpoint=np.array(str(args.checkpoint)))
        os.replace(tmp, unique_path)
    boards = np.load(unique_path)["boards"]
    labels_path = folder / LABELS_FILES[args.kind]
    done = 0
    if labels_path.exists():
        data = labels_path.read_bytes()
        if data and not data.endswith(b"\n"):  # a torn last line: cut it, its board is redone
            data = data[: data.rfind(b"\n") + 1]
            with open(labels_path, "r+b") as handle:
                handle.truncate(len(data))
        done = data.count(b"\n")
    total = len(boards) if args.limit <= 0 else min(args.limit, len(boards))
    print(f"{len(boards)} distinct boards; {done} labelled; labelling up to {total}", flush=True)
    solver = Solver("connect4")
    start, last = time.perf_counter(), time.perf_counter()
    with open(labels_path, "a") as out:
        for i in range(done, total):
            values = solver.analyze(to_board(boards[i]), weak=args.kind == "outcome").move_scores
            out.write(json.dumps([None if v is None else int(v) for v in values]) + "\n")
            if time.perf_counter() - last > 30 or i + 1 == total:
                out.flush()
                os.fsync(out.fileno())
                last = time.perf_counter()
                rate = (i + 1 - done) / (last - start)
                print(f"{i + 1}/{total} labelled, {rate:.1f}/s", flush=True)


def read_labels(folder: Path, kind: str = "outcome") -> tuple[np.ndarray, np.ndarray]:
    """(the distinct boards in labelling order, their moves' values [L, A], ILLEGAL where illegal)."""
    boards = np.load(folder / UNIQUE_FILE)["boards"]
    rows = []
    for line in (folder / LABELS_FILES[kind]).read_bytes().split(b"\n"):
        if line.strip():
            rows.append([ILLEGAL if v is None else v for v in json.loads(line)])
    return boards, np.asarray(rows, np.int32).reshape(len(rows), boards.shape[2])  # one column per action


def labelled_entries(buf: dict[str, np.ndarray], labels_dir: str, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(the labels [L, A], each buffer entry's row in them [N], -1 where its board is not labelled yet)."""
    boards, labels = read_labels(Path(labels_dir), kind)
    row = {b.astype(np.int8).tobytes(): i for i, b in enumerate(boards[: len(labels)])}
    return labels, np.array([row.get(o.astype(np.int8).tobytes(), -1) for o in buf["observation"]])


def outcome_classes(values: np.ndarray) -> np.ndarray:
    """Each move's loss/draw/win class (-1/0/1) from its label; an illegal move is -2, below every
    outcome, so it is never a best move and always a mistake."""
    return np.where(values == ILLEGAL, -2, np.sign(values))


def perfect_targets(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Policy uniform over the best moves (outcome labels: every move that keeps the best outcome;
    exact labels: the fastest win or slowest loss); value the best move's outcome."""
    best = values.max(axis=1)
    keep = (values == best[:, None]).astype(np.float32)
    return keep / keep.sum(axis=1, keepdims=True), np.sign(best).astype(np.float32)


def check(args: argparse.Namespace) -> None:
    """How wrong the buffer's self-play targets are against the labels, per phase (every entry)."""
    from arena.study.positions import CONNECT4_BUCKETS

    buf = load_buffer(args.checkpoint)
    labels, index = labelled_entries(buf, args.labels, args.kind)
    use = index >= 0
    values = labels[index[use]]
    classes = outcome_classes(values)
    best = classes.max(axis=1)
    stones = plies(buf["observation"][use])
    policy = buf["policy"][use]
    sign = np.sign(np.round(buf["value"][use], 6)).astype(int)
    top_wrong = classes[np.arange(len(classes)), policy.argmax(axis=1)] < best
    mass_wrong = (policy * ((classes < best[:, None]) & (values > ILLEGAL))).sum(axis=1)
    print(f"{args.checkpoint}: {use.sum():,} of {len(use):,} buffer entries labelled "
          f"({len(labels):,} distinct boards)")
    for name, (low, high) in CONNECT4_BUCKETS.items():
        m = (stones >= low) & (stones <= high)
        decided, drawn = m & (best != 0), m & (best == 0)
        print(f"  {name:7s} {m.sum():7,d} entries | value target: wrong sign {np.mean(sign[decided] == -best[decided]):.1%} "
              f"of {decided.sum():,} decided, decided on {np.mean(sign[drawn] != 0):.1%} of {drawn.sum():,} drawn | "
              f"policy target: top move a mistake {top_wrong[m].mean():.1%}, mass on mistakes {mass_wrong[m].mean():.1%}")


def train(args: argparse.Namespace) -> None:
    from probe import train_fixed

    buf = load_buffer(args.checkpoint)
    labels, index = labelled_entries(buf, args.labels, args.kind)
    use = index >= 0
    if args.every_entry:
        if args.targets != "selfplay":
            raise SystemExit("--every-entry is for --targets selfplay (perfect targets need labels)")
        use[:] = True  # what the labelled subset is once every distinct board is labelled
    policy, value = buf["policy"][use], buf["value"][use]
    if args.targets in ("perfect", "perfect-value"):
        perfect_policy, value = perfect_targets(labels[index[use]])
        if args.targets == "perfect":
            policy = perfect_policy
    entries = {"observation": buf["observation"][use], "policy": policy, "value": value, "legal": buf["legal"][use]}
    settings = {**{k: v for k, v in vars(args).items() if k != "out"},
                "distinct_labelled": len(labels), "buffer_entries": len(use)}
    train_fixed(entries, args.out, settings, channels=args.channels, blocks=args.blocks, steps=args.steps,
                snapshot_every=args.snapshot_every, batch_size=args.batch_size, learning_rate=args.learning_rate,
                seed=args.seed, describe=f"{args.targets} targets ({len(labels):,} distinct boards labelled), ")


def fit(args: argparse.Namespace) -> None:
    """How well each model knows labelled boards: its value's sign and its raw policy's top move,
    per phase. On the training buffer's own labels this is the fit (can the net hold what it was
    taught?); on another buffer's labels with `--exclude` the training labels, it is held-out
    accuracy from nearly the same distribution of positions. Boards are taken as stored (the
    training also saw their mirror images)."""
    import jax.numpy as jnp

    import games
    from agents.checkpoint import load_model
    from agents.network import apply
    from arena.study.positions import CONNECT4_BUCKETS

    game = games.make("connect4")
    boards, values = read_labels(Path(args.labels), args.kind)
    boards = boards[: len(values)]
    if args.exclude:
        seen = {b.astype(np.int8).tobytes() for b in np.load(Path(args.exclude) / UNIQUE_FILE)["boards"]}
        keep = np.array([b.astype(np.int8).tobytes() not in seen for b in boards], bool)
        print(f"{args.labels}: {keep.sum():,} of {len(boards):,} labelled boards are not in {args.exclude}")
        boards, values = boards[keep], values[keep]
    classes = outcome_classes(values)
    best = classes.max(axis=1)
    stones = plies(boards)
    for model in args.models:
        _, graphdef, params = load_model(model, game)
        logits, value = [], []
        for i in range(0, len(boards), 8192):
            lg, v = apply(graphdef, params, jnp.asarray(boards[i : i + 8192], jnp.float32))
            logits.append(np.asarray(lg))
            value.append(np.asarray(v))
        logits = np.where(classes == -2, -np.inf, np.concatenate(logits))
        value = np.concatenate(value)
        top_wrong = classes[np.arange(len(classes)), logits.argmax(axis=1)] < best
        parts = []
        for name, (low, high) in CONNECT4_BUCKETS.items():
            m = (stones >= low) & (stones <= high)
            decided = m & (best != 0)
            parts.append(f"{name} {m.sum():,}: value sign right {np.mean(np.sign(value[decided]) == best[decided]):.1%}, "
                         f"policy top a mistake {top_wrong[m].mean():.1%}")
        print(f"{model}: " + " | ".join(parts), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("label", help="label the buffer's distinct boards with each move's outcome")
    p.add_argument("checkpoint")
    p.add_argument("labels")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=0, help="label only this many boards (0: all)")
    t = sub.add_parser("train", help="train a fresh net on the buffer's labelled entries")
    t.add_argument("checkpoint")
    t.add_argument("labels")
    t.add_argument("out")
    t.add_argument("--targets", choices=("perfect", "perfect-value", "selfplay"), required=True,
                   help="perfect-value: the self-play policy target with the perfect value")
    t.add_argument("--channels", type=int, default=32)
    t.add_argument("--blocks", type=int, default=3)
    t.add_argument("--steps", type=int, default=6000)
    t.add_argument("--snapshot-every", type=int, default=1000)
    t.add_argument("--batch-size", type=int, default=512)
    t.add_argument("--learning-rate", type=float, default=1e-3)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--every-entry", action="store_true",
                   help="selfplay targets: train on every buffer entry, labelled or not")
    c = sub.add_parser("check", help="the buffer's self-play targets against the labels, per phase")
    c.add_argument("checkpoint")
    c.add_argument("labels")
    f = sub.add_parser("fit", help="each model's value sign and top move on labelled boards, per phase")
    f.add_argument("labels")
    f.add_argument("models", nargs="+")
    f.add_argument("--exclude", help="a labels folder whose boards to leave out (the training set)")
    for command in (p, t, c, f):
        command.add_argument("--kind", choices=tuple(LABELS_FILES), default="outcome",
                             help="labels: each move's outcome (fast) or its exact score (fastest win)")
    args = parser.parse_args()
    {"label": label, "train": train, "check": check, "fit": fit}[args.command](args)


if __name__ == "__main__":
    main()
