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
import json
from pathlib import Path
from typing import Any

import numpy as np
from study_data import load_buffer, plies


def source(checkpoint: str) -> dict[str, Any]:
    """Where one buffer came from, for the snapshots' cards: its run, the run's command and start,
    and the self-play behind the run at that checkpoint (its metrics line), so that a model made
    from the pooled buffers can account for all of its self-play."""
    from agents.alphazero.config import TrainConfig
    from agents.alphazero.export import base_model_summary, training_command
    from agents.alphazero.metrics import MetricsLog

    folder = Path(checkpoint).resolve()
    run, iteration = folder.parents[2], int(folder.parent.name)  # RUN/checkpoints/N/default
    config = TrainConfig.from_json(json.loads((run / "config.json").read_text()))
    found: dict[str, Any] = {"run": str(run), "iteration": iteration, "training_command": training_command(config)}
    for record in MetricsLog(run / "metrics.jsonl").read(strict=True):
        if record.get("iteration") == iteration:
            found.update(positions_seen=record["positions"], games_played=record["games"],
                         training_wall_seconds=round(float(record["wall_seconds"]), 1))
    if config.init_from:
        found["started_from"] = base_model_summary(run, config.init_from)
    return found


def self_play_behind(sources: list[dict[str, Any]]) -> dict[str, Any]:
    """The self-play behind all the sources, each stage of their lineages counted once.

    The sources share ancestors (most continue the same released model, whose card nests its own
    first stage), and one may start from another's snapshot (`RUN/snapshots/it-N`, a prefix of that
    run). A run's stages are keyed by its folder (a snapshot counts as its run), and of one run only
    the furthest counts, as it contains the nearer ones. A model folder is not a key: the same
    path can hold different models over time (`checkpoints/connect4` is both the release and, in
    the release's card, the first stage it was continued from), so a model is keyed by what made
    it, its command and positions, which is also how a card copied without a path (a snapshot's
    copy of its run's base card) or a model exported from one of the runs is recognized."""
    nodes: list[dict[str, Any]] = []

    def collect(node: dict[str, Any]) -> None:
        nodes.append(node)
        if node.get("started_from"):
            collect(node["started_from"])

    for found in sources:
        collect(found)

    def fingerprint(node: dict[str, Any]) -> tuple:
        return node.get("training_command"), node.get("positions_seen")

    def run_of(node: dict[str, Any]) -> str | None:
        if node.get("run"):
            return str(node["run"])
        path = node.get("path")
        if path and Path(path).parent.name == "snapshots":  # RUN/snapshots/it-N: the first N iterations of RUN
            return str(Path(path).parents[1])
        return None

    runs = {fingerprint(n): run_of(n) for n in nodes if run_of(n)}
    furthest: dict[str, dict[str, Any]] = {}
    for node in nodes:
        where = run_of(node) or runs.get(fingerprint(node)) or repr(fingerprint(node))
        if where not in furthest or node.get("positions_seen", 0) > furthest[where].get("positions_seen", 0):
            furthest[where] = node
    stages = furthest.values()
    return {"positions_seen": sum(int(n.get("positions_seen", 0)) for n in stages),
            "games_played": sum(int(n.get("games_played", 0)) for n in stages),
            "training_wall_seconds": round(sum(float(n.get("training_wall_seconds", 0.0)) for n in stages), 1),
            "self_play_stages": sorted(f"{n.get('run') or n.get('path') or where} ({int(n.get('positions_seen', 0)):,} positions)"
                                       for where, n in furthest.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("checkpoints", nargs="+", help="training-state folders (RUN/checkpoints/N/default)")
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--colour-plane", action="store_true",
                        help="give the net a third input plane: whether the mover moved first")
    parser.add_argument("--steps", type=int, default=30000)
    parser.add_argument("--snapshot-every", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init-from", default=None,
                        help="start from this model folder (same shape) instead of a fresh net: "
                             "annealing a plateaued self-play net on its own buffers")
    args = parser.parse_args()
    from probe import train_fixed

    parts = []
    for checkpoint in args.checkpoints:
        buf = load_buffer(checkpoint)
        stones = plies(buf["observation"])
        print(f"{checkpoint}: {len(stones):,} entries, {np.mean(stones <= 12):.1%} at plies 0-12", flush=True)
        parts.append(buf)
    entries = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    sources = [source(c) for c in args.checkpoints]
    settings = {"command": "distill", "checkpoints": [str(Path(c).resolve()) for c in args.checkpoints],
                "targets": "selfplay"}
    train_fixed(entries, args.out, settings, channels=args.channels, blocks=args.blocks, steps=args.steps,
                snapshot_every=args.snapshot_every, batch_size=args.batch_size,
                learning_rate=args.learning_rate, seed=args.seed, init_from=args.init_from,
                colour_plane=args.colour_plane,
                describe=f"self-play targets of {len(parts)} buffers, ",
                card={**self_play_behind(sources), "distilled_from": sources, **started_from(args.init_from),
                      "training_notes": f"{'the model in started_from' if args.init_from else 'a fresh net'} "
                                        "trained on the pooled last replay buffers of the runs in "
                                        "distilled_from, with their own self-play targets (no solver); "
                                        "positions_seen, games_played and training_wall_seconds count the "
                                        "self-play of every stage in self_play_stages once, and the wall time "
                                        "adds this training's own (fixed_data_training)"})


def started_from(init_from: str | None) -> dict[str, Any]:
    """The card's `started_from` for a probe that continues a saved model: its path and weights, and
    the lineage its own card records. Its self-play is not added to the totals: the buffers this
    mode is for were played by its descendants, whose runs count it already."""
    if init_from is None:
        return {}
    from agents.alphazero.export import card_summary
    from agents.checkpoint import load_card, weights_sha256

    return {"started_from": {**card_summary(init_from, load_card(init_from) or {}),
                             "weights_sha256": weights_sha256(init_from)}}


if __name__ == "__main__":
    main()
