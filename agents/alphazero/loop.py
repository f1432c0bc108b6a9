"""`train(config, run_dir)`: the loop around `Trainer` that a person runs from the command line.

Progress is one line per iteration; metrics go to RUN_DIR/metrics.jsonl; Ctrl-C saves the
last completed iteration (the state is functional, so it is consistent) and returns.
"""

from __future__ import annotations

import contextlib
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from agents.alphazero.config import TrainConfig
from agents.alphazero.evaluation import EvalSet, Evaluator, build_eval_sets, load_eval_sets, save_eval_sets
from agents.alphazero.interrupts import Interrupts, interrupt_on_sigterm
from agents.alphazero.trainer import ExtraEval, Progress, Trainer
from agents.compile_cache import cache_dir
from agents.solver.judge import CLASS_NAMES
from games import Game


def _eval_sets(trainer: Trainer, verbose: bool) -> list[EvalSet]:
    """The labelled evaluation positions: the run's copy, the shared cache, or labelled now.

    Both copies are caches of a deterministic computation (game, count, seed), so a damaged
    one (a truncated file, arrays that do not fit the game) is relabelled, and said so.
    """
    cfg = trainer.config
    name = f"{trainer.game.spec.replace(':', '_').replace(',', '_').replace('=', '')}-n{cfg.eval_positions}-s{cfg.seed}.npz"
    shared = cache_dir().parent / "eval" / name
    local = trainer.run_dir / "eval_positions.npz"
    for path in (local, shared):
        sets = _load_cached(path, trainer.game)
        if sets is not None:
            if path != local:
                local.parent.mkdir(parents=True, exist_ok=True)
                save_eval_sets(local, sets)
            return sets
        if path.exists():
            print(f"note: {path} is damaged; it will be relabelled", file=sys.stderr, flush=True)
    if verbose:
        print("labelling evaluation positions with the solver (once per game; cached)...", flush=True)
    sets = build_eval_sets(trainer.game, cfg.eval_positions, cfg.seed)
    local.parent.mkdir(parents=True, exist_ok=True)
    save_eval_sets(local, sets)
    with contextlib.suppress(OSError):
        shared.parent.mkdir(parents=True, exist_ok=True)
        save_eval_sets(shared, sets)
    return sets


def _load_cached(path: Path, game: Game) -> list[EvalSet] | None:
    """Cached evaluation sets, or None when missing or damaged (unreadable, or not this game's)."""
    if not path.is_file():
        return None
    try:
        sets = load_eval_sets(path)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError):
        return None
    if not sets:
        return None
    for s in sets:
        classes = np.asarray(s.move_classes)
        rows = classes.shape[0] if classes.ndim == 2 else -1
        fits = (classes.ndim == 2 and classes.shape[1] == game.num_actions
                and np.issubdtype(classes.dtype, np.integer)
                and (len(s.positions) == rows or (rows == 0 and s.positions == [""]))
                and bool(np.isin(classes, list(CLASS_NAMES)).all()))
        if not fits:
            return None
    return sets


def format_line(p: Progress, total: int, evals: dict[str, Any]) -> str:
    m = p.metrics
    line = (f"it {p.iteration:>4}/{total} | {p.positions:>10,} pos | {p.positions_per_second:>8,.0f} pos/s | "
            f"loss {m['loss']:.3f} (policy KL {m['policy_kl']:.3f}, value {m['value_loss']:.3f}) | "
            f"{p.wall_seconds:6.0f} s")
    for key, value in evals.items():
        if key.startswith("mistakes_mcts_") and not key.endswith("_count"):
            line += f" | {key[len('mistakes_mcts_'):]}: mcts {value:.2%}"
            raw = evals.get(key.replace("mcts", "policy"))
            if raw is not None:
                line += f" net {raw:.2%}"
        elif key.startswith("score_vs_"):
            line += f" | vs {key[len('score_vs_'):]}: {value:.0%}"
    return line


def train(config: TrainConfig, run_dir: str | Path, *, resume: bool = False, verbose: bool = True,
          extra_evals: list[ExtraEval] | None = None) -> dict[str, Any]:
    """Runs (or resumes) training up to `config.iterations`; returns the last metrics."""
    trainer = Trainer(config, run_dir, resume=resume, extra_evals=extra_evals)
    for note in trainer.notes:
        print(f"note: {note}", file=sys.stderr, flush=True)
    evaluator = None
    if config.eval_every:
        evaluator = Evaluator(trainer.game, trainer.graphdef, _eval_sets(trainer, verbose),
                              simulations=config.eval_simulations)
    for note in trainer.begin():  # the run really starts (or continues): from here on its files change
        print(f"note: {note}", file=sys.stderr, flush=True)
    if verbose:
        what = f"resuming at iteration {trainer.iteration}" if trainer.iteration else "starting"
        print(f"{what}: {trainer.game.spec}, {trainer.net_config.describe()} "
              f"({trainer.parameter_count():,} parameters), "
              f"{config.num_envs} games x {config.num_simulations} sims ({config.search_policy}), "
              f"run dir {trainer.run_dir}", flush=True)
    last: dict[str, Any] = {"completed": False}
    saved_at = trainer.iteration
    if config.snapshot_every and not (snapshot_path(trainer.run_dir, trainer.iteration) / "model.json").exists():
        save_snapshot(trainer)  # the starting weights: a learning curve's first point
    with interrupt_on_sigterm() as interrupts:
        return _loop(trainer, evaluator, config, verbose, last, saved_at, interrupts)


def _loop(trainer: Trainer, evaluator, config: TrainConfig, verbose: bool, last: dict[str, Any],
          saved_at: int, interrupts: Interrupts) -> dict[str, Any]:
    try:
        while trainer.iteration < config.iterations:
            progress = trainer.run_iteration()
            record: dict[str, Any] = {"iteration": progress.iteration, "positions": progress.positions,
                                      "games": progress.games, "wall_seconds": progress.wall_seconds,
                                      "positions_per_second": progress.positions_per_second, **progress.metrics}
            evals: dict[str, Any] = {}
            final = trainer.iteration == config.iterations
            if evaluator is not None and (trainer.iteration % config.eval_every == 0 or final):
                start = time.perf_counter()
                evals = evaluator(trainer.params, seed=config.seed)
                for extra in trainer.extra_evals:
                    evals.update(extra(trainer.net_config, trainer.host_params(), trainer.iteration))
                evals["eval_seconds"] = time.perf_counter() - start
            record.update(evals)
            trainer.metrics.append(record)
            if verbose:
                print(format_line(progress, config.iterations, evals), flush=True)
            last = {**record, "completed": final}
            with interrupts.deferred():  # a stop during these saves lands after them
                if config.snapshot_every and (trainer.iteration % config.snapshot_every == 0 or final):
                    save_snapshot(trainer)
                if trainer.iteration % config.checkpoint_every == 0 or final:
                    trainer.save()
                    saved_at = trainer.iteration
    except KeyboardInterrupt:
        if trainer.iteration > saved_at:
            trainer.save()
            saved_at = trainer.iteration
        if verbose:
            print(interrupted_line(saved_at, trainer.run_dir), flush=True)
        return {**last, "completed": False}
    return last


def snapshot_path(run_dir: Path, iteration: int) -> Path:
    return Path(run_dir) / "snapshots" / f"it-{iteration:06d}"


def save_snapshot(trainer: Trainer) -> Path:
    """The network alone at this iteration, as a model folder (`az:checkpoint=PATH` plays it).

    The full training state (buffer, optimizer) is ~100x larger and only the newest few are
    kept; these small folders stay, so a learning curve can be measured afterwards on any set.
    """
    from agents.checkpoint import save_model

    return save_model(snapshot_path(trainer.run_dir, trainer.iteration), trainer.game, trainer.net_config,
                      trainer.host_params())


def interrupted_line(saved_at: int, run_dir: Path) -> str:
    """What an interruption kept: never "saved iteration 0" when nothing was saved."""
    if saved_at == 0:
        return ("interrupted before the first iteration finished: nothing was saved; start again "
                "(without --resume) with the same command")
    return f"interrupted: iteration {saved_at} is saved in {run_dir}; continue with --resume"
