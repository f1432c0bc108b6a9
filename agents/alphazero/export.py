"""Releasing a trained model: the run's latest weights plus a card of how it was made."""

from __future__ import annotations

import datetime
import json
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax

from agents.alphazero.config import TrainConfig, default_config
from agents.alphazero.metrics import MetricsLog
from agents.alphazero.state_io import TrainingCheckpoints
from agents.alphazero.trainer import BASE_CARD, Trainer, TrainingError
from agents.checkpoint import save_model
from games import SpecError


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
    flags = [f"--{k.replace('_', '-')} {v}" for k, v in config.to_json().items()
             if k != "game" and defaults.get(k) != v]
    return " ".join(["arena train", config.game.split(":")[0] if make_standard(config.game) else config.game, *flags])


def make_standard(spec: str) -> bool:
    from games import make

    return make(spec).is_standard


def _base_model(run_dir: Path, path: str) -> dict[str, Any]:
    """What a run started from (`init_from`): that model's card as the run saw it at its start,
    summed up, so that the lineage survives the export overwriting the base model's folder."""
    try:
        base = json.loads((run_dir / BASE_CARD).read_text())
    except (OSError, json.JSONDecodeError):
        base = {}
    keys = ("training_command", "iterations", "positions_seen", "games_played", "training_wall_seconds",
            "hardware", "started_from")
    return {"path": str(path), **{k: base[k] for k in keys if k in base}}


def export_run(run_dir: str | Path, target: str | Path | None = None, *, notes: dict[str, Any] | None = None,
               on_note: Callable[[str], None] | None = None) -> Path:
    """Writes the newest intact checkpoint of `run_dir` as a released model folder with `card.json`.

    Reads the run without changing it; `on_note` hears about damaged newer checkpoints skipped.
    """
    run_dir = Path(run_dir)
    config_path = run_dir / "config.json"
    if not config_path.is_file():
        raise TrainingError(f"{run_dir} is not a training run (no config.json)")
    try:
        config = TrainConfig.from_json(json.loads(config_path.read_text()))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, SpecError) as err:
        raise TrainingError(f"{config_path} is damaged ({err})") from None
    if not TrainingCheckpoints(run_dir / "checkpoints").steps():
        raise TrainingError(f"{run_dir} has no checkpoint to export yet")
    trainer = Trainer(config, run_dir, resume=True)
    for note in trainer.notes:
        if on_note is not None:
            on_note(note)
    records = [r for r in MetricsLog(run_dir / "metrics.jsonl").read() if r.get("iteration", 0) <= trainer.iteration]
    last_eval = next((r for r in reversed(records) if any(k.startswith("mistakes_") for k in r)), {})
    card: dict[str, Any] = {
        "game": trainer.game.spec,
        "network": trainer.net_config.to_dict(),
        "parameters": trainer.parameter_count(),
        "training_command": training_command(config),
        "training_config": config.to_json(),
        "iterations": trainer.iteration,
        "positions_seen": trainer.positions,
        "games_played": trainer.games_played,
        "training_wall_seconds": round(trainer.wall_seconds, 1),
        "hardware": hardware(),
        "software": {"jax": jax.__version__},
        "evaluation_during_training": {k: v for k, v in last_eval.items()
                                       if k.startswith("mistakes_") or k == "iteration"},
        "exported": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    if config.init_from:
        card["started_from"] = _base_model(run_dir, config.init_from)
    if notes:
        card.update(notes)
    from games import make

    game = make(config.game)
    if target is None:
        from agents.checkpoint import checkpoints_dir

        target = checkpoints_dir() / game.name
    return save_model(target, game, trainer.net_config, jax.device_get(trainer.params), card=card)
