"""Training-state checkpoints with orbax: atomic, versioned, and refused cleanly when damaged.

The state (params, optimizer, replay buffer, games in flight, counters) is any pytree; it is
stored flattened by key path, so nnx.State, optax states and dataclasses all round-trip
without pickle, and a restore checks every leaf's path, shape and dtype against a template.
Orbax writes each step into a temporary folder and renames it when complete, so a crash or
Ctrl-C during a save never leaves a half-written latest checkpoint.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jax
import numpy as np
import orbax.checkpoint as ocp

from games import SuiteError


class TrainingCheckpointError(SuiteError):
    """A training checkpoint that is missing, damaged or made for another configuration."""


def _flatten(tree: Any) -> tuple[dict[str, Any], Any, list[str]]:
    leaves, treedef = jax.tree_util.tree_flatten_with_path(tree)
    names = [jax.tree_util.keystr(path) for path, _ in leaves]
    return {name: leaf for name, (_, leaf) in zip(names, leaves, strict=True)}, treedef, names


@contextlib.contextmanager
def _quiet_orbax() -> Iterator[None]:
    """Orbax logs an ERROR line for every damaged file it meets before raising; the damage is
    reported here, in one line of our own, so its log would only be a second, noisier copy."""
    logger = logging.getLogger("absl")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


class TrainingCheckpoints:
    """`save(step, state)` / `restore(template)` over an orbax CheckpointManager."""

    def __init__(self, directory: Path, *, keep: int = 3) -> None:
        self.directory = Path(directory).absolute()
        logging.getLogger("absl").setLevel(logging.ERROR)
        options = ocp.CheckpointManagerOptions(max_to_keep=keep, create=False,
                                               enable_async_checkpointing=False)
        self._options = options
        self._manager: ocp.CheckpointManager | None = None

    @property
    def manager(self) -> ocp.CheckpointManager:
        if self._manager is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._manager = ocp.CheckpointManager(self.directory, options=self._options)
        return self._manager

    def latest_step(self) -> int | None:
        steps = self.steps()
        return steps[-1] if steps else None

    def steps(self) -> list[int]:
        """The saved steps, oldest first (none when the folder does not exist yet)."""
        if not self.directory.is_dir():
            return []
        with _quiet_orbax():
            return sorted(self.manager.all_steps())

    @property
    def damaged_dir(self) -> Path:
        """Where `quarantine` moves damaged steps: next to the checkpoints, not among them."""
        return self.directory.with_name(self.directory.name + "-damaged")

    def quarantine(self, step: int) -> Path:
        """Moves a damaged step out of the manager's sight (kept for inspection, not deleted).

        Orbax will not save a step at or below an existing one, so a damaged newest step left
        in place would silently stop every later save of the resumed run.
        """
        source = self.directory / str(step)
        self.damaged_dir.mkdir(parents=True, exist_ok=True)
        target = self.damaged_dir / str(step)
        suffix = 1
        while target.exists():
            target = self.damaged_dir / f"{step}.{suffix}"
            suffix += 1
        os.replace(source, target)
        self._manager = None  # its cached list of steps is stale now
        return target

    def save(self, step: int, state: Any) -> None:
        flat, _, _ = _flatten(jax.device_get(state))
        flat = {k: np.asarray(v) for k, v in flat.items()}
        self.manager.save(step, args=ocp.args.StandardSave(flat), force=True)
        self.manager.wait_until_finished()

    def restore(self, template: Any, step: int | None = None, *, partial: bool = False) -> Any:
        """The saved state shaped like `template`, or a one-line TrainingCheckpointError.

        With `partial`, `template` may be a part of the saved state (say the params and the
        counters, without the replay buffer) and only that part is read from disk: a reader
        such as `arena export` needs neither the buffer's memory nor a whole trainer.
        """
        step = self.latest_step() if step is None else step
        if step is None:
            raise TrainingCheckpointError(f"no training checkpoint in {self.directory}")
        flat_template, treedef, names = _flatten(jax.device_get(template))
        abstract = {k: jax.ShapeDtypeStruct(np.shape(v), np.asarray(v).dtype) for k, v in flat_template.items()}
        try:
            with _quiet_orbax():
                if partial:
                    restored = self._restore_part(step, abstract)
                else:
                    restored = self.manager.restore(step, args=ocp.args.StandardRestore(abstract))
        except Exception as err:  # noqa: BLE001 - orbax raises many types for damaged files
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise TrainingCheckpointError(
                f"training checkpoint {self.directory / str(step)} is damaged or does not match this "
                f"configuration ({first[:200]})") from None
        for name in names:
            got, want = restored.get(name), abstract[name]
            if isinstance(got, jax.ShapeDtypeStruct):  # a partial read hands back what it did not find
                got = None
            if got is None or tuple(np.shape(got)) != tuple(want.shape):
                raise TrainingCheckpointError(
                    f"training checkpoint {self.directory / str(step)} does not match this configuration "
                    f"(entry {name}: {None if got is None else np.shape(got)} vs {want.shape})")
        return jax.tree_util.tree_unflatten(treedef, [restored[name] for name in names])

    def _restore_part(self, step: int, abstract: dict[str, jax.ShapeDtypeStruct]) -> dict[str, Any]:
        """The entries named in `abstract` of checkpoint `step`, read with orbax's partial restore.

        A manager of its own: orbax binds a manager to the first kind of restore it serves.
        """
        manager = ocp.CheckpointManager(self.directory, options=self._options)
        try:
            return manager.restore(step, args=ocp.args.PyTreeRestore(abstract, partial_restore=True))
        finally:
            manager.close()

    def restore_newest_intact(self, template: Any, check: Callable[[Any, int], None] | None = None, *,
                              partial: bool = False) -> tuple[Any, int, list[tuple[int, str]]]:
        """(state, its step, [(newer damaged step, why), ...]) from the newest step that restores.

        A step is damaged when orbax cannot read it into `template` or when `check(state, step)`
        raises TrainingCheckpointError. If every step is damaged, the newest one's error is raised.
        `partial` reads only the part of the state that `template` holds (see `restore`).
        """
        skipped: list[tuple[int, str]] = []
        for step in reversed(self.steps()):
            try:
                state = self.restore(template, step, partial=partial)
                if check is not None:
                    check(state, step)
                return state, step, skipped
            except TrainingCheckpointError as err:
                skipped.append((step, str(err)))
        if not skipped:
            raise TrainingCheckpointError(f"no training checkpoint in {self.directory}")
        older = f" (and the {len(skipped) - 1} older one(s) too)" if len(skipped) > 1 else ""
        raise TrainingCheckpointError(skipped[0][1] + older)
