"""Distillation: a network trained on stored self-play, the replay buffers of earlier runs.

Self-play is the expensive part of AlphaZero, and a run's saved training state keeps its last
positions with their search policies and game results. Issue 14 found that a fresh network,
bigger or better informed than the ones that played, learns more from those stored positions
than the players did (docs/study/connect4-ablation, rounds seven, eight and sixteen): twice
that route made the connect-four release. This module is that route (`arena distill` is its
command line):

- `training_state` / `load_buffer`: a run's saved state, and the valid entries of its buffer;
- `source` / `self_play_behind`: where each buffer came from, and the self-play behind them
  all with every stage counted once, so the snapshots' model cards keep the whole lineage;
- `train_fixed`: fixed entries learned for a fixed number of updates with the trainer's own
  sampler, symmetry augmentation, loss and AdamW (cosine schedule), so only the data differs
  from self-play training; snapshots that `arena train --init-from` continues and `arena study
  compute --lineage` scores; resumable bit for bit by the same call;
- `distill`: the two together.
"""
from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from games import SuiteError

FIELDS = ("observation", "policy", "value", "legal")
WALL_FILE = "wall.json"  # training wall time at the last saved state
STATE_HINT = (
    "give RUN, RUN/checkpoints/N (or its default folder) or an archived RUN/buffers/N of an"
    " `arena train` run"
)


def _say(text: str) -> None:
    print(text, flush=True)  # progress lines reach a log file as they happen


class DistillError(SuiteError):
    """Stored self-play that cannot be read or pooled, or an OUT made otherwise (one line)."""


def training_state(path: str | Path) -> Path:
    """The saved training state `path` names: a run folder (its newest state), one of its
    checkpoints (RUN/checkpoints/N), a copy of one kept beside them by `archive.sh`
    (RUN/buffers/N), or either one's `default` folder, which holds the buffer."""
    from agents.alphazero.state_io import TrainingCheckpoints

    folder = Path(path).absolute()
    if (folder / "config.json").is_file() and (folder / "checkpoints").is_dir():
        steps = TrainingCheckpoints(folder / "checkpoints").steps()
        if not steps:
            raise DistillError(f"{path}: the run holds no saved training state yet")
        folder = folder / "checkpoints" / str(steps[-1])
    if (folder / "default").is_dir():
        folder = folder / "default"
    if folder.name != "default" or not (folder.parents[2] / "config.json").is_file():
        raise DistillError(f"{path} is not a saved training state ({STATE_HINT})")
    return folder


def load_buffer(checkpoint: str | Path, fields: tuple[str, ...] = FIELDS) -> dict[str, np.ndarray]:
    """The valid entries of a saved training state's replay buffer (RUN/checkpoints/N/default)."""
    import orbax.checkpoint as ocp

    from agents.alphazero.state_io import _quiet_orbax

    try:
        with _quiet_orbax(), ocp.StandardCheckpointer() as checkpointer:
            state = checkpointer.restore(str(Path(checkpoint).resolve()))
        valid = np.asarray(state["['buffer'].valid"]).astype(bool)
        return {name: np.asarray(state[f"['buffer'].data.{name}"])[valid] for name in fields}
    except KeyError as err:
        raise DistillError(f"{checkpoint}: the saved state has no replay buffer field {err}") from None
    except Exception as err:  # orbax raises many kinds for a missing, partial or foreign folder
        raise DistillError(f"{checkpoint}: cannot read the saved state ({type(err).__name__}: "
                           f"{str(err).splitlines()[0] if str(err) else 'no detail'})") from None


def plies(observation: np.ndarray) -> np.ndarray:
    """Stones on the board of each entry [N] (both planes of the mover's observation)."""
    return np.rint(observation.reshape(len(observation), -1).sum(axis=1)).astype(int)


def source(checkpoint: str | Path) -> dict[str, Any]:
    """Where one buffer came from, for the snapshots' cards: its run, the run's command and start,
    and the self-play behind the run at that checkpoint (its metrics line), so that a model made
    from the pooled buffers can account for all of its self-play."""
    from agents.alphazero.config import TrainConfig
    from agents.alphazero.export import base_model_summary, training_command
    from agents.alphazero.metrics import MetricsLog

    folder = Path(checkpoint).resolve()
    run, iteration = folder.parents[2], int(folder.parent.name)  # RUN/checkpoints/N/default
    try:
        config = TrainConfig.from_json(json.loads((run / "config.json").read_text()))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError, ValueError) as err:
        raise DistillError(f"{run / 'config.json'}: not a readable run configuration ({err})") from None
    found: dict[str, Any] = {"run": str(run), "iteration": iteration, "training_command": training_command(config)}
    for record in MetricsLog(run / "metrics.jsonl").read(strict=True):
        if record.get("iteration") == iteration:
            found.update(positions_seen=record["positions"], games_played=record["games"],
                         training_wall_seconds=round(float(record["wall_seconds"]), 1))
    if config.init_from:
        found["started_from"] = base_model_summary(run, config.init_from)
    return {"game": config.game, **found}


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


def started_from(init_from: str | Path | None) -> dict[str, Any]:
    """The card's `started_from` for a distillation that continues a saved model: its path and
    weights, and the lineage its own card records. Its self-play is not added to the totals: the
    buffers this mode is for were played by its descendants, whose runs count it already."""
    if init_from is None:
        return {}
    from agents.alphazero.export import card_summary
    from agents.checkpoint import load_card, weights_sha256

    return {"started_from": {**card_summary(str(init_from), load_card(init_from) or {}),
                             "weights_sha256": weights_sha256(init_from)}}


def distill(out: str | Path, states: list[str | Path], *, channels: int = 64, blocks: int = 3,
            colour_plane: bool = False, threat_planes: bool = False, steps: int = 16000,
            snapshot_every: int = 2000, batch_size: int = 512,
            learning_rate: float = 1e-3, seed: int = 0, init_from: str | Path | None = None,
            command: str | None = None, log: Callable[[str], None] = _say) -> Path:
    """Pools the replay buffers of `states` (see `training_state`) and trains a net on them with
    their own self-play targets (no solver) into the run folder `out`; the same call resumes it."""
    folders = [training_state(s) for s in states]
    sources = [source(f) for f in folders]
    game = sources[0].pop("game")
    for found, folder in zip(sources[1:], folders[1:], strict=True):
        if (other := found.pop("game")) != game:
            raise DistillError(f"{folder} holds {other} self-play, {folders[0]} holds {game}: pool one game's")
    parts = []
    for folder in folders:
        buf = load_buffer(folder)
        stones = plies(buf["observation"])
        log(f"{folder}: {len(stones):,} entries, {np.mean(stones <= 12):.1%} at plies 0-12")
        parts.append(buf)
    shapes = {p["observation"].shape[1:] for p in parts}
    if len(shapes) > 1:
        raise DistillError(f"the buffers' boards differ ({sorted(shapes)}): pool one board's")
    entries = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    settings = {"command": "distill", "checkpoints": [str(f.resolve()) for f in folders], "targets": "selfplay"}
    card = {**self_play_behind(sources), "distilled_from": sources, **started_from(init_from),
            "training_notes": f"{'the model in started_from' if init_from else 'a fresh net'} "
                              "trained on the pooled last replay buffers of the runs in "
                              "distilled_from, with their own self-play targets (no solver); "
                              "positions_seen, games_played and training_wall_seconds count the "
                              "self-play of every stage in self_play_stages once, and the wall time "
                              "adds this training's own (fixed_data_training)"}
    return train_fixed(entries, out, settings, game=game, channels=channels, blocks=blocks, steps=steps,
                       snapshot_every=snapshot_every, batch_size=batch_size, learning_rate=learning_rate,
                       seed=seed, init_from=init_from, colour_plane=colour_plane,
                       threat_planes=threat_planes,
                       describe=f"self-play targets of {len(parts)} buffer{'s' * (len(parts) != 1)}, ", card=card, command=command, log=log)


def train_fixed(entries: dict[str, np.ndarray], out: str | Path, settings: dict[str, Any], *, channels: int,
                blocks: int, steps: int, snapshot_every: int, batch_size: int = 512,
                learning_rate: float = 1e-3, seed: int = 0, describe: str = "",
                card: dict[str, Any] | None = None, init_from: str | Path | None = None,
                colour_plane: bool = False, threat_planes: bool = False, game: str = "connect4",
                command: str | None = None,
                log: Callable[[str], None] = _say) -> Path:
    """Fits a fresh net (or the model at `init_from`, which must have the shape `channels` x
    `blocks` asks for) to `entries` (observation, policy, value, legal; one row per entry,
    duplicates kept) and saves snapshots in `out` (OUT/snapshots/it-NNNNNN, one per
    `snapshot_every` updates, each with a model card). `settings` identify the data: resuming
    needs the same ones (OUT/probe.json holds them with every other setting and the entry and
    parameter counts). `card` (how the entries were made) goes into every snapshot's card;
    snapshots saved without one (by an older version) get theirs when resumed. The optimizer
    state is saved with each snapshot, at every quarter of the interval between them (orbax,
    written under a temporary name and renamed: a crash loses at most that much) and on Ctrl-C
    (which loses nothing)."""
    import jax
    import jax.numpy as jnp
    import orbax.checkpoint as ocp

    import games
    from agents.alphazero.buffer import Buffer, Samples, sample
    from agents.alphazero.config import default_config as default_train_config
    from agents.alphazero.export import hardware
    from agents.alphazero.interrupts import interrupt_on_sigterm
    from agents.alphazero.metrics import MetricsLog
    from agents.alphazero.trainer import network_config
    from agents.alphazero.update import make_optimizer, update
    from agents.checkpoint import CARD_FILE, load_model, save_model, weights_sha256
    from agents.files import write_json_atomic
    from agents.network import apply, init_network, param_count

    game_obj = games.make(game)
    n = len(entries["observation"])
    if n < batch_size:
        raise DistillError(f"{n:,} entries are fewer than one batch of {batch_size}")
    data = Samples(observation=jnp.asarray(entries["observation"], jnp.float32),
                   policy=jnp.asarray(entries["policy"], jnp.float32),
                   value=jnp.asarray(entries["value"], jnp.float32), legal=jnp.asarray(entries["legal"]))
    buffer = Buffer(data=data, valid=jnp.ones((n,), bool), cursor=jnp.int32(0), size=jnp.int32(n))
    # The trainer's own shape for these sizes (value head as wide as the trunk, at least 32).
    config = network_config(default_train_config(game_obj.spec, channels=channels, blocks=blocks,
                                                 colour_plane=colour_plane, threat_planes=threat_planes),
                            game_obj)
    graphdef, params = init_network(config, seed=seed)
    start_from: dict[str, Any] = {}
    if init_from is not None:  # a saved net of this very shape, not a fresh one
        base_config, _, params = load_model(init_from, game_obj)
        if base_config != config:
            def shape(c) -> str:
                return (f"{c.channels}x{c.blocks} {c.kind} net (value head {c.value_hidden}"
                        f"{', colour plane' * c.colour_plane}{', threat planes' * c.threat_planes})")
            raise DistillError(f"{init_from} is a {shape(base_config)}; this run builds a {shape(config)}")
        start_from = {"init_from": str(init_from), "init_weights_sha256": weights_sha256(init_from)}
    optimizer = make_optimizer(learning_rate, 1e-4, "cosine", steps)
    opt_state = optimizer.init(params)
    apply_fn = jax.tree_util.Partial(apply, graphdef)

    @jax.jit  # the buffer is an argument, not a closed-over constant XLA would try to fold
    def step(params, opt_state, buffer, key):
        batch = sample(buffer, key, batch_size, game_obj.config, True)
        return update(apply_fn, optimizer, params, opt_state, batch)

    out = Path(out)
    probe = {**settings, "channels": channels, "blocks": blocks, "steps": steps, "snapshot_every": snapshot_every,
             "batch_size": batch_size, "learning_rate": learning_rate, "seed": seed, "entries": n,
             "parameters": param_count(params), **start_from,
             **({"colour_plane": True} if colour_plane else {}),  # folders made before the option lack it
             **({"threat_planes": True} if threat_planes else {}),  # and this one
             **({"game": game_obj.spec} if game_obj.spec != games.make("connect4").spec else {})}  # and this
    fresh = _claim(out, probe)
    log_file = MetricsLog(out / "metrics.jsonl")
    done, wall_before = 0, 0.0
    if not fresh:
        done, params, opt_state, wall_before = _restore(out, params, opt_state, snapshot_every, log_file)
        if done:
            log(f"resuming after step {done}")
    base_card = {"training_command": command or " ".join(["python", *sys.argv]), **(card or {}), "probe": probe,
                 "hardware": hardware()}
    for record in log_file.read():  # cards for snapshots an older version saved without one
        folder = out / "snapshots" / f"it-{int(record['iteration']):06d}"
        if (folder / "model.json").exists() and not (folder / "card.json").exists():
            write_json_atomic(folder / CARD_FILE, snapshot_card(base_card, record, batch_size), indent=2,
                              sort_keys=False)  # beside the weights: their hash is untouched
    log(f"{describe}{config.describe()} ({param_count(params):,} parameters), {n:,} entries")
    key = jax.random.key(seed)
    start = time.perf_counter()
    save_every = max(1, snapshot_every // 4)  # the state more often than snapshots: less lost to a crash

    def save_state(s: int, params, opt_state, wall: float) -> None:
        if (out / f"state-{s}").exists():  # a save that an interruption cut after its rename
            return
        with ocp.StandardCheckpointer() as checkpointer:  # written to a temporary name, then renamed
            checkpointer.save((out / f"state-{s}").resolve(), {"params": params, "opt_state": opt_state})
        for old in out.glob("state-*"):
            if old.name != f"state-{s}":
                shutil.rmtree(old)
        write_json_atomic(out / WALL_FILE, {"step": s, "wall_seconds": wall})

    # (step, params, opt_state, wall) of the last step whose update and snapshot are done, in one
    # name so that Ctrl-C between two statements never pairs one step's weights with another's number.
    latest, saved = (done, params, opt_state, wall_before), done
    with interrupt_on_sigterm() as interrupts:  # `kill` stops as Ctrl-C does; neither cuts a save
        try:
            for s in range(done + 1, steps + 1):
                new_params, new_opt_state, metrics = step(latest[1], latest[2], buffer,
                                                          jax.random.fold_in(key, s))
                snapshot = s % snapshot_every == 0 or s == steps
                wall = wall_before + time.perf_counter() - start
                with interrupts.deferred():
                    if snapshot:  # model and log line before the state: a crash in between redoes them
                        metrics = jax.tree.map(float, metrics)
                        k = s // snapshot_every
                        record = {"iteration": k, "positions": s * batch_size, "wall_seconds": wall, **metrics}
                        save_model(out / "snapshots" / f"it-{k:06d}", game_obj, config, new_params,
                                   card=snapshot_card(base_card, record, batch_size))
                        log_file.append(record)
                    latest = (s, new_params, new_opt_state, wall)
                    if snapshot:
                        log(f"step {s}: loss {metrics['loss']:.3f} (policy KL {metrics['policy_kl']:.3f}, "
                            f"value {metrics['value_loss']:.3f}), {wall:.0f} s")
                    if snapshot or s % save_every == 0:
                        save_state(*latest)
                        saved = s
                        if not snapshot:
                            log(f"step {s}/{steps} saved, "
                                f"{(time.perf_counter() - start) / (s - done):.2f} s per update")
        except KeyboardInterrupt:  # keep every finished update: the same command resumes after it
            if latest[0] > saved:
                save_state(*latest)
            log(f"interrupted after step {latest[0]}, which is saved; repeat the command to resume")
            raise
    return out


def _claim(out: Path, probe: dict[str, Any]) -> bool:
    """Makes OUT this run's (writes its probe.json; True) or checks that it is already (False)."""
    from agents.files import write_json_atomic

    if not (out / "probe.json").exists():
        out.mkdir(parents=True, exist_ok=True)
        write_json_atomic(out / "probe.json", probe, indent=1, sort_keys=False)
        return True
    try:
        saved = json.loads((out / "probe.json").read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise DistillError(f"{out / 'probe.json'} is unreadable; choose another OUT") from None
    if saved != probe:
        differ = sorted(k for k in probe.keys() | saved.keys() if probe.get(k) != saved.get(k))
        raise DistillError(f"{out} was made with other settings or data ({', '.join(differ)} differ); "
                           "choose another OUT, or repeat its own command to resume it")
    return False


def _restore(out: Path, params, opt_state, snapshot_every: int, log_file) -> tuple[int, Any, Any, float]:
    """(step, params, opt_state, wall seconds) of OUT's last saved state, so that the run goes on
    with the very updates an uninterrupted one makes (step 0 and the given ones when none)."""
    import orbax.checkpoint as ocp

    states = sorted(out.glob("state-*"), key=lambda p: int(p.name[6:]))
    if not states:
        return 0, params, opt_state, 0.0
    done = int(states[-1].name[6:])
    with ocp.StandardCheckpointer() as checkpointer:
        restored = checkpointer.restore(states[-1].resolve(), {"params": params, "opt_state": opt_state})
    log_file.truncate_after(done // snapshot_every)  # snapshots logged after the state are redone
    records = log_file.read()
    wall = float(records[-1]["wall_seconds"]) if records else 0.0
    if (out / WALL_FILE).exists():  # the wall time at the last saved state, snapshot or not
        saved = json.loads((out / WALL_FILE).read_text())
        wall = float(saved["wall_seconds"]) if saved["step"] == done else wall
    return done, restored["params"], restored["opt_state"], wall


def snapshot_card(base: dict[str, Any], record: dict[str, Any], batch_size: int) -> dict[str, Any]:
    """The model card of the snapshot logged as `record`: how the net was made, and how far it was.

    The fixed-data training itself goes under `fixed_data_training` (updates, sampled entries,
    wall time); `positions_seen`, `games_played` and `training_wall_seconds` keep the cards'
    meaning (the self-play behind the model, and all of its training time), so they are the
    caller's self-play totals (zero when it gives none) with this training's wall time added."""
    own = {"updates": int(record["positions"]) // batch_size, "samples": int(record["positions"]),
           "wall_seconds": round(float(record["wall_seconds"]), 1),
           "final_loss": {k: record[k] for k in ("loss", "policy_loss", "value_loss", "policy_kl") if k in record}}
    return {**base, "fixed_data_training": own, "positions_seen": int(base.get("positions_seen", 0)),
            "games_played": int(base.get("games_played", 0)),
            "training_wall_seconds": round(float(base.get("training_wall_seconds", 0.0)) + own["wall_seconds"], 1)}
