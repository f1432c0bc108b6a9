"""The training configuration: one dataclass whose field docs become `arena train --help`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from games import SpecError
from games import make as make_game


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """AlphaZero-style self-play training (Gumbel MuZero policy improvement by default)."""

    game: str = "tictactoe"
    """Game spec, e.g. tictactoe, connect4, connect4:rows=4,cols=5,k=3."""
    seed: int = 0
    """Seed of every random choice: the same seed and config give the same run."""
    iterations: int = 30
    """Self-play + update iterations to run in total (a resumed run continues up to this)."""
    num_envs: int = 256
    """Games played in parallel by self-play (split over devices)."""
    rollout_steps: int = 9
    """Moves played in every parallel game per iteration (games auto-reset when they end)."""
    num_simulations: int = 32
    """MCTS simulations per self-play move."""
    search_policy: str = "gumbel"
    """gumbel (Gumbel MuZero, policy target = improved policy) or puct (AlphaZero, visit counts)."""
    max_considered_actions: int = 16
    """Gumbel: actions sampled at the root."""
    temperature_moves: int = 4
    """PUCT: sample moves proportionally to visits for this many plies, then play the best."""
    dirichlet_alpha: float = 0.3
    """PUCT: root noise concentration."""
    dirichlet_fraction: float = 0.25
    """PUCT: root noise weight."""
    channels: int = 32
    """Network width (conv channels or MLP units)."""
    blocks: int = 2
    """Residual blocks."""
    network: str = "auto"
    """Network kind: auto (the default for the game), resnet or mlp."""
    learning_rate: float = 1e-3
    """Peak learning rate (Adam with decoupled weight decay)."""
    lr_schedule: str = "cosine"
    """constant or cosine (warm-up then cosine decay to 10% over all iterations)."""
    weight_decay: float = 1e-4
    """AdamW weight decay."""
    batch_size: int = 256
    """Samples per gradient step."""
    updates_per_iteration: int = 16
    """Gradient steps after each self-play rollout."""
    buffer_size: int = 65536
    """Replay buffer capacity in positions (oldest overwritten first)."""
    random_opening_plies: int = -1
    """New self-play games start after 0..N uniformly random moves (-1: the game's default)."""
    augment: bool = True
    """Apply a random board symmetry to each sampled position."""
    eval_every: int = 5
    """Evaluate against perfect play every N iterations (0: never)."""
    eval_simulations: int = 32
    """Simulations of the network + MCTS agent in evaluation."""
    eval_positions: int = 400
    """Positions per evaluation set (tic-tac-toe always uses all 4,520)."""
    init_from: str = ""
    """Start from a released model's weights (its folder) instead of a random network, e.g. to
    continue training checkpoints/connect4 with new settings; the network size must match."""
    checkpoint_every: int = 5
    """Save the full training state every N iterations (and at the end)."""
    keep_checkpoints: int = 3
    """Checkpoints kept on disk."""

    def __post_init__(self) -> None:
        game = make_game(self.game)  # raises SpecError with a clear message
        if self.search_policy not in ("gumbel", "puct"):
            raise SpecError(f"search_policy must be gumbel or puct, not {self.search_policy!r}")
        if self.network not in ("auto", "resnet", "mlp"):
            raise SpecError(f"network must be auto, resnet or mlp, not {self.network!r}")
        if self.lr_schedule not in ("constant", "cosine"):
            raise SpecError(f"lr_schedule must be constant or cosine, not {self.lr_schedule!r}")
        positive = ("iterations", "num_envs", "rollout_steps", "num_simulations", "batch_size",
                    "updates_per_iteration", "buffer_size", "channels", "blocks", "keep_checkpoints")
        for name in positive:
            if getattr(self, name) < 1:
                raise SpecError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.buffer_size < self.batch_size:
            raise SpecError(f"buffer_size ({self.buffer_size}) must be at least batch_size ({self.batch_size})")
        del game

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SpecError(f"unknown training option {unknown[0]!r}; valid: {', '.join(sorted(known))}")
        return cls(**data)

    @classmethod
    def from_file(cls, path: str | Path) -> TrainConfig:
        """A JSON config file (keys are the field names)."""
        try:
            data = json.loads(Path(path).read_text())
        except OSError as err:
            raise SpecError(f"cannot read config file {path}: {err.strerror}") from None
        except json.JSONDecodeError as err:
            raise SpecError(f"config file {path} is not valid JSON: {err.msg} (line {err.lineno})") from None
        if not isinstance(data, dict):
            raise SpecError(f"config file {path} must hold a JSON object")
        return cls.from_json(data)


def field_docs() -> dict[str, str]:
    """Field docstrings (the string literal after each field), for the command-line help."""
    import ast
    import inspect

    source = inspect.getsource(TrainConfig)
    tree = ast.parse(source)
    docs: dict[str, str] = {}
    body = tree.body[0].body  # type: ignore[attr-defined]
    for node, following in zip(body, body[1:], strict=False):
        if isinstance(node, ast.AnnAssign) and isinstance(following, ast.Expr):
            value = following.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docs[node.target.id] = value.value  # type: ignore[union-attr]
    return docs


def default_config(game_spec: str, **overrides: Any) -> TrainConfig:
    """Defaults per game that work (tuned on the 2-core CPU); overrides win."""
    game = make_game(game_spec)
    cells = game.config.num_cells
    if game.name == "tictactoe":
        base: dict[str, Any] = dict(
            iterations=150, num_envs=256, rollout_steps=cells, num_simulations=32, channels=64, blocks=2,
            network="mlp", learning_rate=2e-3, batch_size=256, updates_per_iteration=24,
            buffer_size=32768, eval_every=10, eval_simulations=32,
        )
    else:
        base = dict(
            # The released connect-four model's settings (checkpoints/connect4/card.json): sized
            # for a 2-core CPU; on a GPU raise channels/blocks and simulations.
            iterations=172, num_envs=256, rollout_steps=cells, num_simulations=32, channels=32, blocks=3,
            network="resnet", learning_rate=1e-3, batch_size=512, updates_per_iteration=48,
            buffer_size=262144, eval_every=10, eval_simulations=64, eval_positions=200,
        )
        if cells <= 30:  # small connect-k variants used in tests and quick experiments
            base.update(iterations=20, channels=32, blocks=2, num_simulations=32, buffer_size=32768,
                        batch_size=256, updates_per_iteration=16)
    base.update(overrides)
    base["game"] = game.spec
    return TrainConfig(**base)
