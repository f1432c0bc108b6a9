"""Evaluation during training: mistake rates against perfect play on fixed labelled positions.

A mistake (docs/references.md) is a chosen move whose game-theoretic outcome (win > draw > loss) is
worse than the best move's; scores inside one class do not count. The rule and the labels
(the outcome class of every move, by weak solves) come from the one judge
(`agents.solver.judge`). Positions and labels are computed once and cached in the run directory:
- boards of at most 16 cells (tic-tac-toe): every non-terminal position (4,520 on 3x3);
- standard connect four: samples of Pons' End-Easy, Middle-Easy and Begin-Easy sets;
- other boards: positions from random playouts at every ply, deduplicated.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from agents.base import pad_batch
from agents.files import write_bytes_atomic
from agents.network import apply
from agents.random_agent import random_line
from agents.search import NetworkEvaluator, SearchSettings, run_search
from agents.solver.datasets import load_pons_set
from agents.solver.judge import ILLEGAL, Judge, is_mistake
from games import Game
from games.enumerate import layers

__all__ = ["ILLEGAL", "EvalSet", "Evaluator", "build_eval_sets", "load_eval_sets", "save_eval_sets"]


@dataclasses.dataclass
class EvalSet:
    name: str
    positions: list[str]  # move strings in standard notation
    move_classes: np.ndarray  # [B, A] int8: outcome class of each move for the mover, ILLEGAL if illegal

    @property
    def best(self) -> np.ndarray:
        return self.move_classes.max(axis=1)

    def mistakes(self, actions: np.ndarray) -> np.ndarray:
        """[B] bool: the chosen action's outcome class is worse than the best one (the judge's rule)."""
        chosen = self.move_classes[np.arange(len(actions)), actions]
        return is_mistake(self.best, chosen)


def _all_positions(game: Game) -> list[str]:
    out = []
    for layer in layers(game):
        open_ = np.flatnonzero(~np.asarray(layer.states.terminal))
        moves = np.asarray(layer.states.moves)[open_, : layer.ply]
        out.extend(game.moves_to_str(row.tolist()) for row in moves)
    return out


def _random_positions(game: Game, count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    seen: dict[str, None] = {}
    attempts = 0
    while len(seen) < count and attempts < count * 50:
        attempts += 1
        target = int(rng.integers(0, game.config.num_cells - 1))
        seen[game.moves_to_str(random_line(game, target, rng))] = None
    return list(seen)


def build_eval_sets(game: Game, count: int, seed: int) -> list[EvalSet]:
    """The labelled positions for `game` (slow the first time; cache with save/load)."""
    judge = Judge(game)  # exact: no budget
    if game.config.num_cells <= 16:
        named = [("all", _all_positions(game))]
    elif game.is_standard and game.name == "connect4":
        rng = np.random.default_rng(seed)
        named = []
        for name in ("end-easy", "middle-easy", "begin-easy"):
            lines = load_pons_set(name)
            pick = rng.choice(len(lines), size=min(count, len(lines)), replace=False)
            named.append((name, [lines[i][0] for i in sorted(pick)]))
    else:
        named = [("random", _random_positions(game, count, seed))]
    sets = []
    for name, pos in named:
        # The Python minimax backend takes boards directly (no per-position replay of moves).
        inputs = pos if judge.solver.uses_bitboard else list(game.batch_from_moves(pos).board)
        sets.append(EvalSet(name, pos, np.stack([judge.move_classes(p) for p in inputs])))
    return sets


def save_eval_sets(path: Path, sets: list[EvalSet]) -> None:
    arrays: dict[str, np.ndarray] = {}
    for i, s in enumerate(sets):
        arrays[f"name_{i}"] = np.asarray(s.name)
        arrays[f"positions_{i}"] = np.asarray(s.positions if s.positions else [""], dtype=str)
        arrays[f"classes_{i}"] = s.move_classes
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_bytes_atomic(path, buffer.getvalue())


def load_eval_sets(path: Path) -> list[EvalSet] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            count = sum(1 for k in data.files if k.startswith("name_"))
            return [EvalSet(str(data[f"name_{i}"]), data[f"positions_{i}"].tolist(), data[f"classes_{i}"])
                    for i in range(count)]
    except (OSError, ValueError, KeyError):
        return None  # missing or damaged: rebuilt by the caller


class Evaluator:
    """Mistake rates of the raw network and of network + MCTS on the cached eval sets."""

    def __init__(self, game: Game, graphdef, sets: list[EvalSet], *, simulations: int, chunk: int = 1024) -> None:
        self.game = game
        self.sets = sets
        self.chunk = chunk
        self.states = [self._states(s.positions) for s in sets]
        evaluate = NetworkEvaluator(game, graphdef)
        settings = SearchSettings(num_simulations=simulations, policy="gumbel")  # az's search, greedy

        def policy_moves(params, states):
            obs = jax.vmap(game.observation)(states)
            logits, _ = apply(graphdef, params, obs)
            legal = jax.vmap(game.legal_mask)(states)
            return jnp.argmax(jnp.where(legal, logits, -jnp.inf), axis=-1)

        def search_moves(params, states, key):
            return run_search(game, evaluate, params, states, key, settings=settings).action

        self._policy = jax.jit(policy_moves)
        self._search = jax.jit(search_moves)

    def _states(self, positions: list[str]):
        return self.game.batch_from_moves(positions)

    def _chunks(self, fn, states) -> np.ndarray:
        """fn over fixed-size chunks (one compiled shape), concatenated."""
        size = states.ply.shape[0]
        out = []
        for start in range(0, size, self.chunk):
            part = jax.tree.map(lambda x, start=start: x[start : start + self.chunk], states)
            n = part.ply.shape[0]
            if size > self.chunk:  # the last, partial chunk: padded to the one compiled shape
                part = pad_batch(part, self.chunk)
            out.append(np.asarray(fn(part))[:n])
        return np.concatenate(out)

    def __call__(self, params, seed: int = 0) -> dict[str, float]:
        results: dict[str, float] = {}
        key = jax.random.key(seed)
        for s, states in zip(self.sets, self.states, strict=True):
            raw = self._chunks(lambda part: self._policy(params, part), states)
            searched = self._chunks(lambda part: self._search(params, part, key), states)
            results[f"mistakes_policy_{s.name}"] = float(s.mistakes(raw).mean())
            results[f"mistakes_mcts_{s.name}"] = float(s.mistakes(searched).mean())
            results[f"mistakes_mcts_{s.name}_count"] = int(s.mistakes(searched).sum())
        return results
