"""Training compute: which networks the study evaluates, and what each cost to train.

Three sources, each point a model folder plus the self-play positions and training wall time
behind it:

- a *lineage* of released models (`--lineage PATH`, repeatable; default the game's released
  model): cumulative positions and wall time come from each model card (a card with
  `started_from` adds its parent's). Its untrained start is recreated exactly: the same
  network with the seed of the lineage's first stage (`init_network` is deterministic), so the
  curve starts at zero training. Weights of the iterations in between were not kept.
- a *fresh run* (`--train-iterations N`): `arena train`'s defaults for the game, with a hook
  that saves the weights at every evaluation (`--snapshot-every`), iteration 0 included;
  positions and wall time per snapshot come from the run's own metrics. The run folder
  resumes like `arena train --resume` when interrupted.
- the snapshots of a run folder (`--lineage RUN`): an `arena train --snapshot-every` run's, or
  a net trained on stored self-play (the issue-14 study's distill.py), whose snapshot cards
  give the self-play behind it.

The wall time is the trainer's own (self-play and updates, evaluation excluded).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from agents.checkpoint import default_checkpoint, load_card, load_model, released_model, save_model
from arena.study.positions import StudyError
from games import Game

FRESH_RUN = "fresh-run"


@dataclasses.dataclass(frozen=True)
class TrainedModel:
    """One network of the training-compute curve."""

    name: str  # e.g. "lineage:released", "fresh-run:it-0040"
    path: str  # model folder (az:checkpoint=PATH)
    source: str  # "lineage" or "fresh-run"
    positions: int  # self-play positions seen, cumulative
    wall_s: float  # training wall time, cumulative
    iteration: int | None = None

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def lineage_totals(card: dict) -> dict[str, float]:
    """Self-play positions, games and training wall time behind a model: its own and every
    ancestor's (`started_from` nests the whole lineage, one stage inside the next; a card's own
    figures count its stage alone, except a distilled net's (`distilled_from`), which already
    count every stage behind its data, and so the walk stops there. A net distilled with
    `--init-from` has a `started_from` too, whose self-play its data's runs count already:
    adding it again counted the GPU round's GF64x6 twice, 36.6 M positions for 19.7 M)."""
    totals = {"positions_seen": 0, "games_played": 0, "training_wall_seconds": 0.0}
    while card:
        totals["positions_seen"] += int(card.get("positions_seen", 0))
        totals["games_played"] += int(card.get("games_played", 0))
        totals["training_wall_seconds"] += float(card.get("training_wall_seconds", 0.0))
        card = {} if card.get("distilled_from") else card.get("started_from") or {}
    return totals


def _card_totals(card: dict) -> tuple[int, float]:
    """(positions, wall seconds) of `lineage_totals`: a model's place on the study's axes."""
    totals = lineage_totals(card)
    return int(totals["positions_seen"]), float(totals["training_wall_seconds"])


def lineage_models(game: Game, paths: list[str], folder: Path) -> list[TrainedModel]:
    """The lineage's models in training order, its recreated untrained start first."""
    from agents.network import init_network

    models = []
    first_seed = None
    config = None
    for given in paths or [str(default_checkpoint(game))]:
        path = Path(given)
        if (path / "snapshots").is_dir():
            models += run_models(game, path)
            continue
        card = load_card(path)
        if card is None:
            raise StudyError(f"--lineage {path}: no card.json with the training record beside the model")
        config, _, _ = load_model(path, game)  # refuses a foreign or damaged model in one line
        positions, wall = _card_totals(card)
        released = released_model(game)
        label = "released" if released is not None and path.resolve() == released.resolve() else path.name
        models.append(TrainedModel(f"lineage:{label}", str(path), "lineage", positions, wall))
        if "started_from" not in card and first_seed is None:
            first_seed = int(card.get("training_config", {}).get("seed", 0))
    models.sort(key=lambda m: m.positions)
    if first_seed is not None and config is not None:
        init = folder / "lineage-init"
        if not (init / "model.json").exists():
            _, params = init_network(config, seed=first_seed)
            save_model(init, game, config, params)
        models.insert(0, TrainedModel("lineage:untrained", str(init), "lineage", 0, 0.0))
    return models


def run_models(game: Game, run_dir: Path) -> list[TrainedModel]:
    """The snapshots of an `arena train --snapshot-every N` run, one series named after the run.

    Cumulative positions and wall time are the run's own (metrics.jsonl) plus those of the model
    it started from (`--init-from`, whose card the run keeps), so a run that continues a released
    model sits to the right of it on the same axes.
    """
    from agents.alphazero.metrics import MetricsLog
    from agents.alphazero.trainer import BASE_CARD

    base_positions, base_wall = 0, 0.0
    base = run_dir / BASE_CARD
    if base.is_file():
        try:
            card = json.loads(base.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            raise StudyError(f"--lineage {run_dir}: {base} is unreadable") from None
        base_positions, base_wall = _card_totals(card)
    log = MetricsLog(run_dir / "metrics.jsonl")
    by_iteration = {r["iteration"]: r for r in (log.read() if log.path.exists() else [])}
    models = []
    for path in sorted((run_dir / "snapshots").glob("it-*")):
        try:
            iteration = int(path.name[3:])
        except ValueError:
            continue
        record = by_iteration.get(iteration, {"positions": 0, "wall_seconds": 0.0} if iteration == 0 else None)
        if record is None or not (path / "model.json").exists():
            continue  # a snapshot newer than the log's last line (the run is still going)
        load_model(path, game)  # refuses a foreign or damaged model in one line
        positions, wall = base_positions + int(record["positions"]), base_wall + float(record["wall_seconds"])
        card = load_card(path)
        if card and "fixed_data_training" in card:  # a net trained on stored self-play (distill.py): its
            positions, wall = _card_totals(card)  # log counts sampled entries; its card the self-play behind
        models.append(TrainedModel(f"run:{run_dir.name}:{path.name}", str(path), f"run:{run_dir.name}",
                                   positions, wall, iteration))
    if not models:
        raise StudyError(f"--lineage {run_dir}: no snapshot with a logged iteration in {run_dir / 'snapshots'}")
    return models


def fresh_run(game: Game, folder: Path, *, iterations: int, every: int, seed: int,
              verbose: bool = False) -> list[TrainedModel]:
    """Trains (or finishes) `arena train GAME` with snapshots; the snapshots as models."""
    from agents.alphazero.config import default_config
    from agents.alphazero.loop import train
    from agents.alphazero.metrics import MetricsLog
    from agents.alphazero.trainer import network_config
    from agents.network import init_network

    run_dir = folder / FRESH_RUN
    snaps = folder / f"{FRESH_RUN}-snapshots"
    config = default_config(game.spec, seed=seed, iterations=iterations, eval_every=every)
    net_config = network_config(config, game)
    if not (snaps / "it-0000" / "model.json").exists():
        _, params = init_network(net_config, seed=config.seed)  # the run's own starting weights
        save_model(snaps / "it-0000", game, net_config, params)

    def snapshot(net, params, iteration: int) -> dict:
        save_model(snaps / f"it-{iteration:04d}", game, net, params)
        return {}

    log = MetricsLog(run_dir / "metrics.jsonl")
    records = log.read() if log.path.exists() else []
    if not records or records[-1]["iteration"] < iterations:
        resume = (run_dir / "checkpoints").exists() and bool(records)
        train(config, run_dir, resume=resume, verbose=verbose, extra_evals=[snapshot])
        records = log.read()
    by_iteration = {r["iteration"]: r for r in records}
    models = [TrainedModel(f"{FRESH_RUN}:it-0000", str(snaps / "it-0000"), FRESH_RUN, 0, 0.0, 0)]
    for path in sorted(snaps.glob("it-*")):
        iteration = int(path.name[3:])
        if iteration == 0 or iteration not in by_iteration or not (path / "model.json").exists():
            continue
        r = by_iteration[iteration]
        models.append(TrainedModel(f"{FRESH_RUN}:{path.name}", str(path), FRESH_RUN, int(r["positions"]),
                                   float(r["wall_seconds"]), iteration))
    return models
