"""The training loop: self-play -> replay buffer -> optax updates -> evaluation -> checkpoint.

Everything per iteration is two jitted calls (self-play+store, then a scan of updates), pure
functions of (params, state, key) with keys derived from (seed, iteration), so a resumed run
repeats an uninterrupted one exactly. Data parallelism is one code path for 1 or N devices:
the games in flight are sharded over a `data` mesh axis, parameters and the buffer are
replicated, each gradient batch is sharded and XLA inserts the all-reduce. For several hosts,
call `jax.distributed.initialize()` first (the `arena train --coordinator ...` flags do).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from agents.alphazero import buffer as replay
from agents.alphazero import selfplay
from agents.alphazero.config import LEGACY_VALUES, TrainConfig
from agents.alphazero.metrics import MetricsLog
from agents.alphazero.state_io import TrainingCheckpointError, TrainingCheckpoints
from agents.alphazero.update import make_optimizer, update
from agents.files import write_json_atomic
from agents.grow import describe_growth, grow_params, growth_problem
from agents.network import NetworkConfig, apply, init_network, param_count
from agents.search import NetworkEvaluator, SearchSettings, run_search
from games import Game, SuiteError
from games import make as make_game

_COMPILED: dict[tuple, tuple[Callable, Callable]] = {}
ExtraEval = Callable[[NetworkConfig, Any, int], dict[str, Any]]


BASE_CARD = "base_model_card.json"  # the card of the `init_from` model, in the run directory


class TrainingError(SuiteError):
    """A run that cannot start or continue (bad resume directory, NaN loss, ...)."""


@dataclasses.dataclass
class Progress:
    """What one iteration reports (printed as the live line and logged as JSON)."""

    iteration: int
    positions: int
    games: int
    wall_seconds: float
    positions_per_second: float
    metrics: dict[str, float]


def network_config(config: TrainConfig, game: Game) -> NetworkConfig:
    kind = config.network
    if kind == "auto":
        kind = "mlp" if game.name == "tictactoe" and game.config.num_cells <= 16 else "resnet"
    return NetworkConfig(game=game.spec, rows=game.config.rows, cols=game.config.cols,
                         num_actions=game.num_actions, kind=kind, channels=config.channels,
                         blocks=config.blocks, value_hidden=max(32, config.channels),
                         colour_plane=config.colour_plane, threat_planes=config.threat_planes)


def opening_plies(config: TrainConfig, game: Game) -> int:
    """Random opening length for new self-play games (see selfplay.py for why).

    Small boards open from anywhere (0..cells-2 random moves), so that every position a
    perfect-play evaluation asks about is met in self-play; big boards from the first half.
    """
    if config.random_opening_plies >= 0:
        return config.random_opening_plies
    cells = game.config.num_cells
    return cells - 2 if cells <= 16 else cells // 2 - 1


class Trainer:
    """Owns a run directory: `config.json`, `metrics.jsonl`, `checkpoints/` (orbax).

    Building a Trainer only reads the folder: it checks the folder, the config and (to resume)
    the checkpoints, and refuses with one line what cannot be honoured. The run's files are
    written from `begin()` on (the loop calls it just before the first iteration, `save()`
    calls it too), so a run refused or interrupted while it is being set up leaves every file
    of the folder as it was.
    """

    def __init__(self, config: TrainConfig, run_dir: str | Path, *, resume: bool = False,
                 extra_evals: list[ExtraEval] | None = None) -> None:
        self.config = config
        self.game = make_game(config.game)
        self.run_dir = Path(run_dir)
        self.resumed = resume
        self.extra_evals = extra_evals or []
        self.net_config = network_config(config, self.game)
        check_run_dir(self.run_dir, resume=resume)
        devices = jax.devices()
        if config.num_envs % len(devices):
            raise TrainingError(f"num_envs={config.num_envs} must be a multiple of the {len(devices)} devices")
        if config.reanalyse_positions % len(devices):
            raise TrainingError(f"reanalyse_positions={config.reanalyse_positions} must be a multiple of the "
                                f"{len(devices)} devices")
        self.mesh = Mesh(np.asarray(devices), ("data",))
        self.replicated = NamedSharding(self.mesh, P())
        self.sharded = NamedSharding(self.mesh, P("data"))
        self.time_sharded = NamedSharding(self.mesh, P(None, "data"))  # [T, B] of the games in flight
        self.graphdef, params = init_network(self.net_config, seed=config.seed)
        self.checkpoints = TrainingCheckpoints(self.run_dir / "checkpoints", keep=config.keep_checkpoints)
        self._saved_config: dict[str, Any] | None = self._check_config_matches() if resume else None
        self._base_card: dict[str, Any] | None = None
        self.notes: list[str] = []  # what a person should know about this start (a fallback)
        if config.init_from and not resume:
            params = self._initial_weights(config.init_from, params)
        total_updates = config.iterations * config.updates_per_iteration
        self.optimizer = make_optimizer(config.learning_rate, config.weight_decay, config.lr_schedule,
                                        total_updates)
        self.apply_fn = functools.partial(apply, self.graphdef)
        self.evaluate = NetworkEvaluator(self.game, self.graphdef)
        self.opening_plies = opening_plies(config, self.game)
        self._build_functions()

        self.metrics = MetricsLog(self.run_dir / "metrics.jsonl")
        self.iteration = 0
        self.positions = 0
        self.games_played = 0
        self.wall_seconds = 0.0
        self._damaged_steps: list[int] = []
        self._begun = False
        fresh_state = self._fresh_state(params)
        if resume:
            restored, step, skipped = self.checkpoints.restore_newest_intact(fresh_state, check=check_restored)
            self._load_state(restored)
            self._damaged_steps = [bad for bad, _ in skipped]
            self.notes = [f"{why}; resuming from checkpoint {step}, the newest intact one (checkpoint {bad} "
                          f"is moved to {self.checkpoints.damaged_dir})" for bad, why in skipped]
        else:
            self._load_state(fresh_state)

    def begin(self) -> list[str]:
        """Commits the run to its folder; idempotent. Returns notes on what it dropped.

        Writes config.json when the run starts (or when a resume changes its length), keeps
        the `init_from` model's card, moves damaged checkpoints aside (a newer damaged step
        would block saving that step again), and trims metrics.jsonl to the state's
        iteration, so an iteration is never logged twice: rows of work lost since the last
        checkpoint, or of an earlier start that never saved one, are dropped.
        """
        if self._begun:
            return []
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for step in self._damaged_steps:
            self.checkpoints.quarantine(step)
        current = self.config.to_json()
        if self._saved_config != current:
            write_json_atomic(self.run_dir / "config.json", current, indent=2, sort_keys=False)
        if self._base_card is not None:
            write_json_atomic(self.run_dir / BASE_CARD, self._base_card, indent=2, sort_keys=False)
        dropped = self.metrics.truncate_after(self.iteration)
        self._begun = True
        if dropped:
            return [f"dropped {dropped} damaged line(s) from {self.metrics.path}"]
        return []

    # ---- state -------------------------------------------------------------------------
    def _initial_weights(self, path: str, fresh_params):
        """The weights of the released model at `path`, checked against this run's network."""
        from agents.checkpoint import CheckpointError, load_card, load_model

        try:
            config, _, params = load_model(path, self.game)
            self._base_card = load_card(path) or {}  # kept now: an export may later overwrite that folder
        except CheckpointError as err:
            raise TrainingError(f"cannot start from {path}: {err}") from None
        if config != self.net_config:
            problem = growth_problem(config, self.net_config)
            if problem:
                raise TrainingError(f"cannot start from {path}: its network is {config.describe()}, "
                                    f"this run's is {self.net_config.describe()}, and {problem} "
                                    "(set --channels/--blocks/--colour-plane/--threat-planes)")
            params = grow_params(config, params, self.net_config, fresh_params)
            self.notes.append(f"grew {path}'s {config.channels}x{config.blocks} net to "
                              f"{describe_growth(config, self.net_config)}, so it plays as before")
        return jax.tree.map(lambda fresh, loaded: jnp.asarray(loaded, fresh.dtype), fresh_params, params)

    def _fresh_state(self, params) -> dict[str, Any]:
        cfg = self.config
        key = jax.random.fold_in(jax.random.key(cfg.seed), 2**31 - 1)  # distinct from every iteration key
        states = jax.jit(functools.partial(selfplay.random_openings, self.game, cfg.num_envs,
                                           max_plies=self.opening_plies))(key)
        buf = replay.empty(cfg.buffer_size, (self.game.config.rows, self.game.config.cols, 2),
                           self.game.num_actions)
        state = {
            "params": params,
            "opt_state": self.optimizer.init(params),
            "buffer": buf,
            "games": states,
            "counters": counters(),
        }
        if cfg.carry_unfinished:  # only then: older runs' checkpoints have no such entry
            state["pending"] = selfplay.no_pending(cfg.rollout_steps, cfg.num_envs,
                                                   (self.game.config.rows, self.game.config.cols, 2),
                                                   self.game.num_actions)
        return state

    def _load_state(self, state: dict[str, Any]) -> None:
        self.params = jax.device_put(state["params"], self.replicated)
        self.opt_state = jax.device_put(state["opt_state"], self.replicated)
        self.buffer = jax.device_put(state["buffer"], self.replicated)
        self.games = jax.device_put(state["games"], self.sharded)
        self.pending = jax.device_put(state["pending"], self.time_sharded) if "pending" in state else None
        counters = state["counters"]
        self.iteration = int(counters["iteration"])
        self.positions = int(counters["positions"])
        self.games_played = int(counters["games"])
        self.wall_seconds = float(counters["wall_seconds"])

    def state(self) -> dict[str, Any]:
        state = {
            "params": self.params,
            "opt_state": self.opt_state,
            "buffer": self.buffer,
            "games": self.games,
            "counters": counters(self.iteration, self.positions, self.games_played, self.wall_seconds),
        }
        if self.pending is not None:
            state["pending"] = self.pending
        return state

    def _check_config_matches(self) -> dict[str, Any]:
        """The run's saved config.json, if this config may continue it (only `iterations` may differ)."""
        import json

        path = self.run_dir / "config.json"
        try:
            saved = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            raise TrainingError(f"cannot resume: {path} is missing or unreadable") from None
        if not isinstance(saved, dict):
            raise TrainingError(f"cannot resume: {path} does not hold a JSON object")
        current = self.config.to_json()
        defaults = TrainConfig.__dataclass_fields__
        was = {k: saved[k] if k in saved else LEGACY_VALUES.get(k, defaults[k].default) for k in current}
        differing = sorted(k for k in current if k != "iterations" and was[k] != current[k])
        if differing:
            k = differing[0]
            flag = k.replace("_", "-")
            hint = (f"; pass --{flag}" if was[k] is True else f"; pass --no-{flag}") if isinstance(was[k], bool) else ""
            raise TrainingError(f"cannot resume: option {k} was {was[k]!r} in this run, now {current[k]!r}{hint}")
        return saved

    # ---- jitted pieces -----------------------------------------------------------------
    def _build_functions(self) -> None:
        cfg, game = self.config, self.game
        # Trainers with the same configuration share compiled steps (tests and resumes build
        # several); the cache key leaves out what does not enter the jitted functions.
        cache_key = (dataclasses.replace(cfg, eval_every=0, eval_simulations=1, eval_positions=1,
                                         checkpoint_every=1, keep_checkpoints=1, snapshot_every=0),
                     tuple(jax.devices()))
        if cache_key in _COMPILED:
            self._play, self._train = _COMPILED[cache_key]
            return
        evaluate, apply_fn, optimizer = self.evaluate, self.apply_fn, self.optimizer
        sharded, replicated, opening = self.sharded, self.replicated, self.opening_plies
        policy = cfg.search_policy

        def searched(settings: SearchSettings, params, states, key):
            scale = None
            if policy == "gumbel" and cfg.gumbel_noise_plies >= 0:
                scale = jnp.where(states.ply < cfg.gumbel_noise_plies, settings.temperature, 0.0)
            out = run_search(game, evaluate, params, states, key, settings=settings, gumbel_scale=scale)
            if policy == "puct":
                target = out.visits / jnp.maximum(out.visits.sum(-1, keepdims=True), 1)
                greedy = jnp.argmax(out.visits, axis=-1).astype(jnp.int32)
                action = jnp.where(states.ply < cfg.temperature_moves, out.action, greedy)
                return action, target.astype(jnp.float32), out.root_value
            return out.action, out.action_weights, out.root_value

        def search_fn(params, states, key):
            if cfg.full_search_fraction >= 1.0:
                return searched(cfg.search_settings(), params, states, key)
            # Playout-cap randomization, one draw per move of the whole batch (every game still
            # gets full searches on the same share of its moves): a fast search's policy target
            # is zeroed, so only full searches teach the policy.
            k_coin, k_search = jax.random.split(key)
            full = jax.random.uniform(k_coin) < cfg.full_search_fraction

            def fast(params, states, key):
                action, target, value = searched(cfg.search_settings(fast=True), params, states, key)
                return action, jnp.zeros_like(target), value

            return jax.lax.cond(full, functools.partial(searched, cfg.search_settings()), fast,
                                params, states, k_search)

        def reanalyse(params, buf, key):
            # MuZero's Reanalyse: random stored positions (without repeats; never an empty slot,
            # whose weight is zero) are searched again by the current network and take the
            # search's policy as their target. Their states are rebuilt from the observations.
            # With reanalyse_max_plies, only positions with at most that many stones are eligible.
            k_pick, k_search = jax.random.split(key)
            eligible = buf.valid
            if cfg.reanalyse_max_plies >= 0:
                stones = jnp.sum(buf.data.observation, axis=tuple(range(1, buf.data.observation.ndim)))
                eligible = eligible & (stones <= cfg.reanalyse_max_plies)
            weights = eligible.astype(jnp.float32)
            idx = jax.random.choice(k_pick, weights.shape[0], (cfg.reanalyse_positions,), replace=False,
                                    p=weights / jnp.maximum(weights.sum(), 1))
            states = jax.vmap(game.from_observation)(buf.data.observation[idx])
            states = jax.lax.with_sharding_constraint(states, sharded)
            _, target, _ = searched(cfg.search_settings(reanalyse=True), params, states, k_search)
            stored = eligible[idx]  # fewer eligible positions than asked for: the rest stay as they are
            policy = buf.data.policy.at[idx].set(jnp.where(stored[:, None], target, buf.data.policy[idx]))
            return buf.replace(data=buf.data.replace(policy=policy)), jnp.sum(stored)

        def play(params, games, pending, buf, key):
            games, trajectory = selfplay.rollout(game, search_fn, params, games, key, cfg.rollout_steps,
                                                 opening)
            if pending is None:
                samples, known = selfplay.to_samples(trajectory, cfg.value_target_mix, cfg.value_lambda)
            else:
                samples, known, pending = selfplay.carry_samples(pending, trajectory, cfg.value_target_mix,
                                                                  cfg.value_lambda)
            buf = replay.add(buf, samples, known)
            stats = {"games": jnp.sum(trajectory.terminal), "new_positions": jnp.sum(known)}
            if cfg.reanalyse_positions:  # its own key: a run without reanalysis plays as before it existed
                buf, stats["reanalysed"] = reanalyse(params, buf, jax.random.fold_in(key, 1))
            return games, pending, buf, stats

        def train_step(params, opt_state, buf, key):
            batch = replay.sample(buf, key, cfg.batch_size, game.config, cfg.augment)
            batch = jax.lax.with_sharding_constraint(batch, sharded)
            return update(apply_fn, optimizer, params, opt_state, batch)

        step = jax.jit(train_step, out_shardings=(replicated, replicated, replicated))
        split = jax.jit(functools.partial(jax.random.split, num=cfg.updates_per_iteration))
        average = jax.jit(lambda metrics: jax.tree.map(lambda *xs: jnp.mean(jnp.stack(xs)), *metrics))

        def train(params, opt_state, buf, key):
            # A Python loop of jitted steps, not a `lax.scan`: XLA:CPU runs convolution
            # gradients inside a loop body about 10x slower than at top level (measured:
            # 1.45 s vs 0.14 s per step of a 32x3 ResNet at batch 512). Steps are dispatched
            # asynchronously and the metrics stay on the device, so nothing waits on the host.
            metrics = []
            for k in split(key):
                params, opt_state, m = step(params, opt_state, buf, k)
                metrics.append(m)
            return params, opt_state, average(metrics)

        self._play = jax.jit(play, out_shardings=(sharded, self.time_sharded, replicated, replicated))
        self._train = train
        _COMPILED[cache_key] = (self._play, self._train)

    # ---- the loop ------------------------------------------------------------------------
    def iteration_key(self, iteration: int) -> jax.Array:
        return jax.random.fold_in(jax.random.key(self.config.seed), iteration)

    def run_iteration(self) -> Progress:
        """One self-play rollout plus `updates_per_iteration` gradient steps."""
        start = time.perf_counter()
        k_play, k_train = jax.random.split(self.iteration_key(self.iteration))
        games, pending, buf, stats = self._play(self.params, self.games, self.pending, self.buffer, k_play)
        params, opt_state, metrics = self._train(self.params, self.opt_state, buf, k_train)
        metrics = {k: float(v) for k, v in metrics.items()}
        stats = {k: int(v) for k, v in stats.items()}
        if not all(math.isfinite(v) for v in metrics.values()):
            raise TrainingError(f"non-finite loss at iteration {self.iteration + 1} ({metrics}); "
                                "stopped, the last good checkpoint is kept")
        self.games, self.pending, self.buffer, self.params, self.opt_state = games, pending, buf, params, opt_state
        elapsed = time.perf_counter() - start
        self.iteration += 1
        played = self.config.num_envs * self.config.rollout_steps
        self.positions += played
        self.games_played += stats["games"]
        self.wall_seconds += elapsed
        metrics.update(buffer_size=int(self.buffer.size), **{k: v for k, v in stats.items() if k != "games"})
        return Progress(self.iteration, self.positions, self.games_played, self.wall_seconds,
                        played / elapsed, metrics)

    def save(self) -> None:
        self.begin()
        self.checkpoints.save(self.iteration, self.state())

    def host_params(self):
        return jax.device_get(self.params)

    def parameter_count(self) -> int:
        return param_count(self.params)


def check_run_dir(run_dir: str | Path, *, resume: bool) -> None:
    """Refuses a run folder that cannot be honoured, before anything is built or written.

    A file where the folder should be; `resume` with no checkpoint to continue from (a typo
    in --out, or a run stopped before its first checkpoint: starting afresh would be a lie);
    a new run in a folder that already holds one.
    """
    run_dir = Path(run_dir)
    if run_dir.exists() and not run_dir.is_dir():
        raise TrainingError(f"run directory {run_dir} is a file, not a folder; choose another --out")
    folder = run_dir / "checkpoints"
    if folder.exists() and not folder.is_dir():
        raise TrainingError(f"{folder} is a file, not the run's checkpoint folder")
    steps = TrainingCheckpoints(folder).steps() if folder.is_dir() else []
    if resume and not steps:
        raise TrainingError(f"cannot resume: {run_dir} holds no training checkpoint (a typo in --out, or a "
                            "run stopped before its first checkpoint); start it without --resume")
    if not resume and steps:
        raise TrainingError(f"{run_dir} already holds a run; pass --resume to continue it "
                            "or choose another --out directory")


def counters(iteration: int = 0, positions: int = 0, games: int = 0, wall_seconds: float = 0.0
             ) -> dict[str, np.generic]:
    """The run's counters as the training state stores them (fixed dtypes, so a checkpoint
    restores into this template whether it was written by a fresh run or a resumed one)."""
    return {"iteration": np.int64(iteration), "positions": np.int64(positions), "games": np.int64(games),
            "wall_seconds": np.float64(wall_seconds)}


def check_restored(state: dict[str, Any], step: int) -> None:
    """A restored state that is not what checkpoint `step` should hold counts as damaged."""
    iteration = int(np.asarray(state["counters"]["iteration"]))
    if iteration != step:
        raise TrainingCheckpointError(f"checkpoint {step} says it is iteration {iteration}")
    if not all(bool(np.isfinite(np.asarray(leaf)).all()) for leaf in jax.tree.leaves(state["params"])):
        raise TrainingCheckpointError(f"checkpoint {step} holds non-finite weights (NaN or inf)")
