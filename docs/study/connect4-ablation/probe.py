"""Train a network on a fixed set of entries: the loop the issue-14 probes share.

A probe learns entries that do not change (a replay buffer with its own or the solver's targets,
or several runs' buffers pooled) for a fixed number of updates, with the trainer's own sampler,
symmetry augmentation, loss and AdamW (cosine schedule), so that only the data or the targets
differ between arms. Snapshots (`OUT/snapshots/it-NNNNNN`, one per `snapshot_every` updates) form
a run folder that `arena study compute --lineage OUT` scores, each with a model card of how it
was made (so a self-play run started from it with `arena train --init-from` keeps the lineage in
its own card); the optimizer state is saved with
each and at every quarter of the interval between them (orbax, written under a temporary name and
renamed, with a progress line), and the same command resumes an
interrupted probe bit-identically, refusing an OUT made with other settings or data. The net is
fresh, or (`init_from`) a saved model of the same shape, so that a plateaued self-play net can be
trained on on its own lineage's buffers with a learning rate annealed to zero.
"""
from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

WALL_FILE = "wall.json"  # training wall time at the last saved state


def train_fixed(entries: dict[str, np.ndarray], out: str | Path, settings: dict[str, Any], *, channels: int,
                blocks: int, steps: int, snapshot_every: int, batch_size: int = 512,
                learning_rate: float = 1e-3, seed: int = 0, describe: str = "",
                card: dict[str, Any] | None = None, init_from: str | Path | None = None,
                colour_plane: bool = False) -> None:
    """Fits a fresh connect-four net (or the model at `init_from`, which must have the shape
    `channels` x `blocks` asks for) to `entries` (observation, policy, value, legal; one row per
    entry, duplicates kept) and saves snapshots in `out`. `settings` identify the probe: resuming
    needs the same ones (they are written to OUT/probe.json with the entry and parameter counts).
    `card` (how the entries were made) goes into every snapshot's model card; snapshots saved
    without one (by an older version) get theirs when the probe is resumed. `colour_plane` gives
    the net agents/network.py's third input plane."""
    import jax
    import jax.numpy as jnp
    import orbax.checkpoint as ocp

    import games
    from agents.alphazero.buffer import Buffer, Samples, sample
    from agents.alphazero.config import default_config as default_train_config
    from agents.alphazero.export import hardware
    from agents.alphazero.metrics import MetricsLog
    from agents.alphazero.trainer import network_config
    from agents.alphazero.update import make_optimizer, update
    from agents.checkpoint import CARD_FILE, load_model, save_model, weights_sha256
    from agents.files import write_json_atomic
    from agents.network import apply, init_network, param_count

    game = games.make("connect4")
    n = len(entries["observation"])
    data = Samples(observation=jnp.asarray(entries["observation"], jnp.float32),
                   policy=jnp.asarray(entries["policy"], jnp.float32),
                   value=jnp.asarray(entries["value"], jnp.float32), legal=jnp.asarray(entries["legal"]))
    buffer = Buffer(data=data, valid=jnp.ones((n,), bool), cursor=jnp.int32(0), size=jnp.int32(n))
    # The trainer's own shape for these sizes (value head as wide as the trunk, at least 32).
    config = network_config(default_train_config(game.spec, channels=channels, blocks=blocks,
                                                 colour_plane=colour_plane), game)
    graphdef, params = init_network(config, seed=seed)
    start_from: dict[str, Any] = {}
    if init_from is not None:  # a saved net of this very shape, not a fresh one
        base_config, _, params = load_model(init_from, game)
        if base_config != config:
            def shape(c) -> str:
                return (f"{c.channels}x{c.blocks} {c.kind} net (value head {c.value_hidden}"
                        f"{', colour plane' if c.colour_plane else ''})")
            raise SystemExit(f"{init_from} is a {shape(base_config)}; this probe builds a {shape(config)}")
        start_from = {"init_from": str(init_from), "init_weights_sha256": weights_sha256(init_from)}
    optimizer = make_optimizer(learning_rate, 1e-4, "cosine", steps)
    opt_state = optimizer.init(params)
    apply_fn = jax.tree_util.Partial(apply, graphdef)

    @jax.jit  # the buffer is an argument, not a closed-over constant XLA would try to fold
    def step(params, opt_state, buffer, key):
        batch = sample(buffer, key, batch_size, game.config, True)
        return update(apply_fn, optimizer, params, opt_state, batch)

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    probe = {**settings, "channels": channels, "blocks": blocks, "steps": steps, "snapshot_every": snapshot_every,
             "batch_size": batch_size, "learning_rate": learning_rate, "seed": seed, "entries": n,
             "parameters": param_count(params), **start_from,
             **({"colour_plane": True} if colour_plane else {})}  # probes made before the option lack it
    log = MetricsLog(out / "metrics.jsonl")
    done, wall_before = 0, 0.0
    states = sorted(out.glob("state-*"), key=lambda p: int(p.name[6:]))
    if (out / "probe.json").exists():
        if json.loads((out / "probe.json").read_text()) != probe:
            raise SystemExit(f"{out} holds a probe with other settings or data (probe.json); choose another out")
        if states:  # resume from the last saved state: the same updates as an uninterrupted run
            done = int(states[-1].name[6:])
            with ocp.StandardCheckpointer() as checkpointer:
                restored = checkpointer.restore(states[-1].resolve(), {"params": params, "opt_state": opt_state})
            params, opt_state = restored["params"], restored["opt_state"]
            log.truncate_after(done // snapshot_every)
            records = log.read()
            wall_before = float(records[-1]["wall_seconds"]) if records else 0.0
            if (out / WALL_FILE).exists():  # the wall time at the last saved state, snapshot or not
                saved = json.loads((out / WALL_FILE).read_text())
                wall_before = float(saved["wall_seconds"]) if saved["step"] == done else wall_before
            print(f"resuming after step {done}", flush=True)
    else:
        (out / "probe.json").write_text(json.dumps(probe, indent=1))
    base_card = {"training_command": " ".join(["python", *sys.argv]), **(card or {}), "probe": probe,
                 "hardware": hardware()}
    for record in log.read():  # cards for snapshots an older version saved without one
        folder = out / "snapshots" / f"it-{int(record['iteration']):06d}"
        if (folder / "model.json").exists() and not (folder / "card.json").exists():
            write_json_atomic(folder / CARD_FILE, snapshot_card(base_card, record, batch_size), indent=2,
                              sort_keys=False)  # beside the weights: their hash is untouched
    print(f"{describe}{channels}x{blocks} ({param_count(params):,} parameters), {n:,} entries", flush=True)
    key = jax.random.key(seed)
    start = time.perf_counter()
    save_every = max(1, snapshot_every // 4)  # the state more often than snapshots: less lost to an interruption
    for s in range(done + 1, steps + 1):
        params, opt_state, metrics = step(params, opt_state, buffer, jax.random.fold_in(key, s))
        snapshot = s % snapshot_every == 0 or s == steps
        wall = wall_before + time.perf_counter() - start
        if snapshot:  # model and log line before the state: an interruption in between redoes them
            metrics = jax.tree.map(float, metrics)
            k = s // snapshot_every
            record = {"iteration": k, "positions": s * batch_size, "wall_seconds": wall, **metrics}
            save_model(out / "snapshots" / f"it-{k:06d}", game, config, params,
                       card=snapshot_card(base_card, record, batch_size))
            log.append(record)
            print(f"step {s}: loss {metrics['loss']:.3f} (policy KL {metrics['policy_kl']:.3f}, "
                  f"value {metrics['value_loss']:.3f}), {wall:.0f} s", flush=True)
        if snapshot or s % save_every == 0:
            with ocp.StandardCheckpointer() as checkpointer:  # written to a temporary name, then renamed
                checkpointer.save((out / f"state-{s}").resolve(), {"params": params, "opt_state": opt_state})
            for old in out.glob("state-*"):
                if old.name != f"state-{s}":
                    shutil.rmtree(old)
            write_json_atomic(out / WALL_FILE, {"step": s, "wall_seconds": wall})
            if not snapshot:
                print(f"step {s}/{steps} saved, {(time.perf_counter() - start) / (s - done):.2f} s per update",
                      flush=True)


def snapshot_card(base: dict[str, Any], record: dict[str, Any], batch_size: int) -> dict[str, Any]:
    """The model card of the snapshot logged as `record`: how the probe was made, and how far it was.

    The probe's own training goes under `fixed_data_training` (updates, sampled entries, wall time);
    `positions_seen`, `games_played` and `training_wall_seconds` keep the cards' meaning (the self-play
    behind the model, and all of its training time), so they are the caller's self-play totals (zero
    when it gives none) with the probe's wall time added."""
    own = {"updates": int(record["positions"]) // batch_size, "samples": int(record["positions"]),
           "wall_seconds": round(float(record["wall_seconds"]), 1),
           "final_loss": {k: record[k] for k in ("loss", "policy_loss", "value_loss", "policy_kl") if k in record}}
    return {**base, "fixed_data_training": own, "positions_seen": int(base.get("positions_seen", 0)),
            "games_played": int(base.get("games_played", 0)),
            "training_wall_seconds": round(float(base.get("training_wall_seconds", 0.0)) + own["wall_seconds"], 1)}

