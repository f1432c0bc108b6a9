"""Releasing a trained model: the run's latest weights plus a card of how it was made."""

from __future__ import annotations

import dataclasses
import datetime
import json
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
import numpy as np

from agents.alphazero.config import TrainConfig, default_config
from agents.alphazero.metrics import MetricsLog
from agents.alphazero.state_io import TrainingCheckpoints
from agents.alphazero.trainer import BASE_CARD, TrainingError, check_restored, counters, network_config
from agents.checkpoint import release_folder, save_model
from agents.network import NetworkConfig, abstract_network, param_count
from games import Game, SpecError
from games import make as make_game


def hardware() -> str:
    """Where this process runs, in words (for cards and READMEs)."""
    device = jax.devices()[0]
    kind = getattr(device, "device_kind", device.platform)
    cpu = platform.processor() or platform.machine()
    try:
        import os

        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = None
    return f"{jax.device_count()} x {kind} ({device.platform}); host {cpu}, {cores} cores"


def training_command(config: TrainConfig) -> str:
    """The `arena train` command line that reproduces this config from the game's defaults."""
    defaults = default_config(config.game).to_json()
    def flag(key: str, value: Any) -> str:
        name = key.replace("_", "-")
        if isinstance(value, bool):  # the command line's switches: --augment / --no-augment
            return f"--{name}" if value else f"--no-{name}"
        return f"--{name} {value}"

    flags = [flag(k, v) for k, v in config.to_json().items() if k != "game" and defaults.get(k) != v]
    return " ".join(["arena train", config.game.split(":")[0] if make_standard(config.game) else config.game, *flags])


def make_standard(spec: str) -> bool:
    return make_game(spec).is_standard


def base_model_summary(run_dir: Path, path: str) -> dict[str, Any]:
    """What a run started from (`init_from`): that model's card as the run saw it at its start,
    summed up, so that the lineage survives the export overwriting the base model's folder."""
    try:
        base = json.loads((run_dir / BASE_CARD).read_text())
    except (OSError, json.JSONDecodeError):
        base = {}
    return card_summary(path, base)


def card_summary(path: str | Path, card: dict[str, Any]) -> dict[str, Any]:
    """The part of a model's card that a model made from it keeps as its `started_from`: how it
    was made and the lineage behind it."""
    keys = ("training_command", "iterations", "positions_seen", "games_played", "training_wall_seconds",
            "hardware", "started_from", "distilled_from", "fixed_data_training")  # the last two: distill.py's
    return {"path": str(path), **{k: card[k] for k in keys if k in card}}


@dataclasses.dataclass(frozen=True)
class RunNetwork:
    """A training run's network at its newest intact checkpoint, with the counters behind it."""

    config: TrainConfig
    game: Game
    net_config: NetworkConfig
    params: Any  # nnx.State of host arrays
    iteration: int
    positions: int
    games_played: int
    wall_seconds: float
    notes: list[str]  # newer checkpoints skipped as damaged, in words


def _run_config(run_dir: Path) -> TrainConfig:
    config_path = run_dir / "config.json"
    if not config_path.is_file():
        raise TrainingError(f"{run_dir} is not a training run (no config.json)")
    try:
        return TrainConfig.from_json(json.loads(config_path.read_text()))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, SpecError) as err:
        raise TrainingError(f"{config_path} is damaged ({err})") from None


def read_snapshot_network(run_dir: str | Path, iteration: int) -> RunNetwork:
    """The run's snapshot of `iteration` (`--snapshot-every`: RUN/snapshots/it-N) with the
    counters its metrics log has for that iteration: the network a learning curve or a
    measurement chose, which need not be the run's latest."""
    from agents.alphazero.loop import snapshot_path
    from agents.checkpoint import CheckpointError, load_model

    run_dir = Path(run_dir)
    config = _run_config(run_dir)
    game = make_game(config.game)
    folder = snapshot_path(run_dir, iteration)
    if not (folder / "model.json").is_file():
        have = sorted(int(p.name[3:]) for p in (run_dir / "snapshots").glob("it-*") if p.name[3:].isdigit())
        raise TrainingError(f"{run_dir} has no snapshot of iteration {iteration} "
                            f"(snapshots: {', '.join(map(str, have)) or 'none'})")
    try:
        net_config, _, params = load_model(folder, game)
    except CheckpointError as err:
        raise TrainingError(str(err)) from None
    if net_config != network_config(config, game):
        raise TrainingError(f"{folder}: its network is not the run's ({net_config} against the config's)")
    found = {"iteration": 0, "positions": 0, "games": 0, "wall_seconds": 0.0} if iteration == 0 else next(
        (r for r in MetricsLog(run_dir / "metrics.jsonl").read() if r.get("iteration") == iteration), None)
    if found is None:
        raise TrainingError(f"{run_dir / 'metrics.jsonl'} has no line for iteration {iteration}")
    params = jax.tree.map(np.asarray, params)
    return RunNetwork(config, game, net_config, params, iteration, int(found["positions"]), int(found["games"]),
                      float(found["wall_seconds"]), [])


def read_run_network(run_dir: str | Path) -> RunNetwork:
    """The newest intact checkpoint's weights and counters, read straight from the run's files.

    Only the params and counters are read (orbax partial restore), not the replay buffer or
    the optimizer, and no trainer is built (no mesh, no compiled steps): reading a run works
    on any machine, whatever devices the run was trained on. The run is not changed; a damaged
    newer checkpoint is skipped and named in `notes`.
    """
    run_dir = Path(run_dir)
    config = _run_config(run_dir)
    checkpoints = TrainingCheckpoints(run_dir / "checkpoints")
    if not checkpoints.steps():
        raise TrainingError(f"{run_dir} has no checkpoint to export yet")
    game = make_game(config.game)
    net_config = network_config(config, game)
    _, abstract = abstract_network(net_config)
    template = {"params": jax.tree.map(lambda leaf: np.zeros(leaf.shape, leaf.dtype), abstract),
                "counters": counters()}
    state, step, skipped = checkpoints.restore_newest_intact(template, check=check_restored, partial=True)
    found = state["counters"]
    return RunNetwork(config, game, net_config, state["params"], int(found["iteration"]), int(found["positions"]),
                      int(found["games"]), float(found["wall_seconds"]),
                      [f"{why}; exporting checkpoint {step}, the newest intact one" for _, why in skipped])


def export_run(run_dir: str | Path, target: str | Path | None = None, *, notes: dict[str, Any] | None = None,
               on_note: Callable[[str], None] | None = None, snapshot: int | None = None) -> Path:
    """Writes the newest intact checkpoint of `run_dir` (or its snapshot of iteration `snapshot`)
    as a released model folder with `card.json`.

    Without `target`, the model goes to the store's folder for the run's board
    (`agents.checkpoint.release_folder`): a variant's run never overwrites the standard board's
    model. Reads the run without changing it; `on_note` hears about damaged newer checkpoints skipped.
    """
    run_dir = Path(run_dir)
    run = read_run_network(run_dir) if snapshot is None else read_snapshot_network(run_dir, snapshot)
    for note in run.notes:
        if on_note is not None:
            on_note(note)
    config = run.config
    records = [r for r in MetricsLog(run_dir / "metrics.jsonl").read() if r.get("iteration", 0) <= run.iteration]
    last_eval = next((r for r in reversed(records) if any(k.startswith("mistakes_") for k in r)), {})
    card: dict[str, Any] = {
        "game": run.game.spec,
        "network": run.net_config.to_dict(),
        "parameters": param_count(run.params),
        "training_command": training_command(config),
        "training_config": config.to_json(),
        "iterations": run.iteration,
        "positions_seen": run.positions,
        "games_played": run.games_played,
        "training_wall_seconds": round(run.wall_seconds, 1),
        "hardware": hardware(),
        "software": {"jax": jax.__version__},
        "evaluation_during_training": {k: v for k, v in last_eval.items()
                                       if k.startswith("mistakes_") or k == "iteration"},
        "exported": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    if config.init_from:
        card["started_from"] = base_model_summary(run_dir, config.init_from)
    if notes:
        card.update(notes)
    if target is None:
        target = release_folder(run.game)
    return save_model(target, run.game, run.net_config, run.params, card=card)
