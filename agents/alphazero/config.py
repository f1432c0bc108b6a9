"""The training configuration: one dataclass whose field docs become `arena train --help`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from agents.network import MAX_BLOCKS, MAX_CHANNELS
from agents.search_settings import SearchSettings
from games import SpecError
from games import make as make_game
from games.game import MAX_CELLS
from games.spec import check_number


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """AlphaZero-style self-play training (Gumbel MuZero policy improvement by default).

    The search fields stay flat (num_simulations, search_policy, ...): they are the `arena train`
    flags and the keys of every run's config.json and model card. `search_settings` builds
    self-play's `SearchSettings` from them.
    """

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
    search_policy: str = SearchSettings.policy
    """gumbel (Gumbel MuZero, policy target = improved policy) or puct (AlphaZero, visit counts)."""
    max_considered_actions: int = SearchSettings.max_num_considered_actions
    """Gumbel: actions sampled at the root."""
    temperature_moves: int = 4
    """PUCT: sample moves proportionally to visits for this many plies, then play the best."""
    gumbel_noise_plies: int = -1
    """Gumbel: sample moves (Gumbel noise at the paper's scale) only in positions with fewer than
    this many stones, then play the noise-free choice, so that later moves do not throw away
    the result the earlier positions learn as their value target; exploration then comes from
    the first plies and the random openings (-1: sample every move, the paper's self-play)."""
    dirichlet_alpha: float = SearchSettings.dirichlet_alpha
    """PUCT: root noise concentration."""
    dirichlet_fraction: float = 0.25
    """PUCT: root noise weight."""
    full_search_fraction: float = 1.0
    """Playout-cap randomization (KataGo): the share of self-play moves searched with
    num_simulations; only those train the policy. The others use fast_simulations and train
    only the value, so more games are played per CPU-second (1: every move is a full search)."""
    fast_simulations: int = 8
    """Simulations of the fast searches of playout-cap randomization."""
    value_target_mix: float = 0.0
    """Value target = (1 - m) x the game's result + m x the search's root value of the position
    (0: the result alone; the search value is less noisy, the result unbiased)."""
    value_lambda: float = 1.0
    """Value target as a lambda-return (TD(lambda)): a position's target is
    -((1 - lambda) x the next position's search value + lambda x the next position's target), and
    the result at the game's last move. 1 (the default) is the game's result alone; below 1 the
    target leans on the searches of the next few moves instead of every move to the end, so
    that errors made late in a self-play game reach the opening's targets damped (value_targets.py
    in the issue-14 study: half the wrong-sign opening targets at 0.75). Training on them there
    made the values hedge towards 0 and the search worse (round fifteen), hence off by default.
    Applied before value_target_mix."""
    reanalyse_positions: int = 0
    """Reanalysis (MuZero Reanalyse): every iteration, this many positions drawn at random from the
    replay buffer are searched again by the current network and take that search's policy as
    their target, so that stored positions teach what the latest net's search finds rather than
    what an older net's did (0: off). Value targets are kept (the game's result)."""
    reanalyse_simulations: int = 0
    """Simulations of a reanalysis search (0: num_simulations). More than self-play's buys stronger
    policy targets for a share of the positions, for less than deeper search on every move."""
    reanalyse_max_plies: int = -1
    """Reanalyse only stored positions with at most this many stones (-1: any). The opening is
    where self-play's policy targets are worst against perfect play (the issue-14 study's
    policy_targets.py: a 512-simulation search of the release errs in 1.7% of its own self-play's
    opening positions, its 32-simulation targets in 2.9%), so deeper reanalysis pays most there."""
    carry_unfinished: bool = True
    """Keep a rollout's games that have not ended yet and store their positions when they end in
    the next rollout (--no-carry-unfinished: drop them, as runs made before this option did;
    their saved config lacks the key and resumes only so)."""
    channels: int = 32
    """Network width (conv channels or MLP units)."""
    blocks: int = 2
    """Residual blocks."""
    network: str = "auto"
    """Network kind: auto (the default for the game), resnet or mlp."""
    colour_plane: bool = False
    """Give the net a third input plane saying whether the mover moved first (the mover's view
    hides it; connect four's threats favour a side by the parity of their row). A run that
    starts from a model without it (--init-from) adds it with zero weight, so play starts
    unchanged; a trained net was slow to use it there, a fresh one uses it from the start."""
    threat_planes: bool = False
    """Give the net two more input planes: the empty cells that would complete a line for the
    mover and for the opponent (games.threat_cells), which a 3x3 trunk must otherwise assemble
    from four directions. Added at zero weight to a model without them, as the colour plane."""
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
    continue training checkpoints/connect4 with new settings. The net takes the model's shape
    where no option sets it; a set one must match, except that more --blocks grow it deeper (the
    added blocks start as the identity) and --colour-plane / --threat-planes add planes at zero weight."""
    checkpoint_every: int = 5
    """Save the full training state every N iterations (and at the end)."""
    snapshot_every: int = 0
    """Also save the network alone (a model folder, RUN/snapshots/it-NNNNNN) every N iterations,
    kept for learning curves and lineages (0: never)."""
    keep_checkpoints: int = 3
    """Checkpoints kept on disk."""

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            check_option(field.name, getattr(self, field.name))
        game = make_game(self.game)  # raises SpecError with a clear message
        if self.buffer_size < self.batch_size:
            raise SpecError(f"buffer_size ({self.buffer_size}) must be at least batch_size ({self.batch_size})")
        if self.buffer_size < self.reanalyse_positions:
            raise SpecError(f"buffer_size ({self.buffer_size}) must be at least reanalyse_positions "
                            f"({self.reanalyse_positions}): each is searched once per iteration")
        cells, actions = game.config.num_cells, game.num_actions
        # One array of each product below is indexed with int32 inside XLA: past 2^31 elements
        # it fails to compile (or overflows) instead of training, so refuse it here.
        arrays = {
            "num_envs x (num_simulations + 1) x actions (search tree)":
                self.num_envs * (self.num_simulations + 1) * actions,
            "reanalyse_positions x (simulations + 1) x actions (reanalysis tree)":
                self.reanalyse_positions * (self.search_settings(reanalyse=True).num_simulations + 1) * actions,
            "num_envs x rollout_steps x cells x 2 (self-play trajectory)":
                self.num_envs * self.rollout_steps * cells * 2,
            "buffer_size x cells x 2 (replay buffer)": self.buffer_size * cells * 2,
            "batch_size x cells x channels (activations)": self.batch_size * cells * self.channels,
        }
        for what, size in arrays.items():
            if size > MAX_ARRAY_ELEMENTS:
                raise SpecError(f"{what} = {size:,} elements for {game.spec}: at most {MAX_ARRAY_ELEMENTS:,} "
                                "(2^31 - 1) fit one array; lower these options")
        if self.eval_every:
            from agents.solver.limits import exact_refusal

            refusal = exact_refusal(game)
            if refusal:  # evaluation labels its positions with the exact solver
                raise SpecError(f"evaluation needs exact labels, but {refusal}; set --eval-every 0")

    def search_settings(self, *, fast: bool = False, reanalyse: bool = False) -> SearchSettings:
        """Self-play's search: num_simulations, or fast_simulations for the fast searches of
        playout-cap randomization (`fast`), or reanalyse_simulations (when set) for reanalysis.

        Self-play samples its moves (temperature 1: PUCT from visit counts, Gumbel at its
        paper's noise scale); root Dirichlet noise is PUCT's exploration only, since Gumbel's
        sampling of root actions already explores. A reanalysis search plays no move, so it
        adds no noise to the target it makes.
        """
        simulations = self.num_simulations
        if fast:
            simulations = self.fast_simulations
        elif reanalyse and self.reanalyse_simulations:
            simulations = self.reanalyse_simulations
        return SearchSettings(
            num_simulations=simulations,
            policy=self.search_policy,
            temperature=1.0,
            dirichlet_fraction=self.dirichlet_fraction if self.search_policy == "puct" and not reanalyse else 0.0,
            dirichlet_alpha=self.dirichlet_alpha,
            max_num_considered_actions=self.max_considered_actions,
        )

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrainConfig:
        """A config from a dict of all or some fields (missing ones take the dataclass defaults)."""
        return cls(**check_options(data))


# The value of an option that a run's saved config.json lacks because the run is older than the
# option, where that differs from today's default: such a run behaved so and resumes only so.
LEGACY_VALUES: dict[str, Any] = {"carry_unfinished": False}
MAX_ARRAY_ELEMENTS = 2**31 - 1
MAX_CONFIG_BYTES = 1 << 20
# (minimum, maximum, strictly positive) of every numeric option: wide enough for a big GPU,
# narrow enough that nothing absurd reaches JAX (a NaN or negative learning rate, a billion
# channels). Command-line flags and config files are both checked against this one table.
LIMITS: dict[str, tuple[float | None, float | None, bool]] = {
    "seed": (0, 2**32 - 1, False),
    "iterations": (1, 1_000_000, False),
    "num_envs": (1, 65_536, False),
    "rollout_steps": (1, 4096, False),
    "num_simulations": (1, 10_000, False),
    "max_considered_actions": (1, MAX_CELLS, False),
    "temperature_moves": (0, MAX_CELLS, False),
    "gumbel_noise_plies": (-1, MAX_CELLS, False),
    "dirichlet_alpha": (None, 100.0, True),
    "dirichlet_fraction": (0.0, 1.0, False),
    "full_search_fraction": (None, 1.0, True),
    "fast_simulations": (1, 10_000, False),
    "value_target_mix": (0.0, 1.0, False),
    "value_lambda": (0.0, 1.0, False),
    "reanalyse_positions": (0, 1 << 20, False),
    "reanalyse_simulations": (0, 10_000, False),
    "reanalyse_max_plies": (-1, MAX_CELLS, False),
    "channels": (1, MAX_CHANNELS, False),
    "blocks": (1, MAX_BLOCKS, False),
    "learning_rate": (None, 10.0, True),
    "weight_decay": (0.0, 10.0, False),
    "batch_size": (1, 65_536, False),
    "updates_per_iteration": (1, 10_000, False),
    "buffer_size": (1, 1 << 24, False),
    "random_opening_plies": (-1, MAX_CELLS, False),
    "eval_every": (0, 1_000_000, False),
    "eval_simulations": (1, 10_000, False),
    "eval_positions": (1, 10_000, False),
    "checkpoint_every": (1, 1_000_000, False),
    "snapshot_every": (0, 1_000_000, False),
    "keep_checkpoints": (1, 1000, False),
}
CHOICES: dict[str, tuple[str, ...]] = {
    "search_policy": ("gumbel", "puct"),
    "network": ("auto", "resnet", "mlp"),
    "lr_schedule": ("constant", "cosine"),
}
_FIELD_TYPES = {f.name: str(f.type) for f in dataclasses.fields(TrainConfig)}


def check_option(name: str, value: Any) -> Any:
    """`value` if it is valid for the training option `name`, else a SpecError naming the option.

    The one rule for flags, config files and a run's saved config.json: the type of the field
    (an int is not a bool, a float must be finite), its range from LIMITS, its choices.
    """
    label = f"option {name} (--{name.replace('_', '-')})"
    kind = _FIELD_TYPES[name]
    if name in LIMITS:
        low, high, positive = LIMITS[name]
        return check_number(value, name=label, integer=kind == "int", minimum=low, maximum=high, positive=positive)
    if name in CHOICES:
        if value not in CHOICES[name]:
            raise SpecError(f"{label}: expected one of {', '.join(CHOICES[name])}, got {value!r}")
        return value
    if kind == "bool" and not isinstance(value, bool):
        raise SpecError(f"{label}: expected true or false, got {value!r}")
    if kind == "str" and (not isinstance(value, str) or len(value) > 4096):
        raise SpecError(f"{label}: expected a string, got {value!r}")
    return value


def check_options(data: Any) -> dict[str, Any]:
    """A dict of training options, each checked by `check_option`; unknown keys are refused."""
    if not isinstance(data, dict):
        raise SpecError(f"expected a JSON object of training options, got {type(data).__name__}")
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    unknown = sorted(str(k) for k in set(data) - known)
    if unknown:
        raise SpecError(f"unknown training option {unknown[0]!r}; valid: {', '.join(sorted(known))}")
    return {name: check_option(name, value) for name, value in data.items()}


def read_config_file(path: str | Path) -> dict[str, Any]:
    """The options written in a JSON config file, checked, without filling in any default.

    Only the keys the file holds are returned, so that `arena train --config` overrides the
    game's defaults with them and keeps the rest (a partial file is a set of overrides).
    """
    path = Path(path)
    try:
        if path.is_file() and path.stat().st_size > MAX_CONFIG_BYTES:
            raise SpecError(f"config file {path} is larger than {MAX_CONFIG_BYTES // 1024} KiB; "
                            "expected a small JSON object of training options")
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as err:
        raise SpecError(f"cannot read config file {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise SpecError(f"config file {path} is not a text (UTF-8) file; expected a JSON object "
                        "of training options") from None
    except json.JSONDecodeError as err:
        raise SpecError(f"config file {path} is not valid JSON: {err.msg} (line {err.lineno})") from None
    except RecursionError:
        raise SpecError(f"config file {path} is nested too deeply to be a config") from None
    try:
        options = check_options(data)
        if "game" in options:
            make_game(options["game"])
    except SpecError as err:
        raise SpecError(f"config file {path}: {err}") from None
    return options


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
            # The first stage of the released connect-four model's lineage (its card's
            # training_notes): sized for a 2-core CPU; on a GPU raise channels/blocks and
            # simulations. The later stages' recipes are in docs/study/connect4-ablation.
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
