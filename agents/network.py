"""The policy/value network: a small residual conv net (or an MLP) in flax NNX.

The net maps `game.observation` planes [B, rows, cols, 2] (mover's view) to policy logits
[B, A] over actions and a value [B] in [-1, 1] for the player to move. With `colour_plane` it
adds a third input plane of its own, whether the mover moved first, and with `threat_planes`
two more, the empty cells that would complete a line for each side (games.threat_cells).
Search and training need a *pure* function of the parameters, so the model is used through
NNX's split form:

    model = PolicyValueNet(default_config(game), rngs=nnx.Rngs(0))
    graphdef, params = nnx.split(model)
    logits, value = apply(graphdef, params, observations)   # jit/vmap/grad friendly

There is no BatchNorm (LayerNorm instead), so the split state holds parameters only and
`apply` needs no mutable statistics: the same function serves training, search and export.
Its `NetworkConfig` is saved next to the weights (agents/checkpoint.py), so a file alone is
enough to rebuild the net and to refuse it for the wrong game.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from games import Game, SpecError, make, mover_moved_first, threat_cells
from games.game import MAX_CELLS, MAX_SIDE
from games.spec import check_number

KINDS = ("resnet", "mlp")
MAX_CHANNELS = 1024  # conv channels or MLP width
MAX_BLOCKS = 64  # residual blocks or MLP layers
SIZE_LIMITS: dict[str, tuple[int, int]] = {
    "rows": (1, MAX_SIDE), "cols": (1, MAX_SIDE), "num_actions": (1, MAX_CELLS), "channels": (1, MAX_CHANNELS),
    "blocks": (0, MAX_BLOCKS), "value_hidden": (1, 4096),
}


@dataclasses.dataclass(frozen=True)
class NetworkConfig:
    """Everything needed to rebuild the net; stored in the checkpoint's model.json."""

    game: str  # canonical game spec, e.g. "connect4:rows=6,cols=7,k=4"
    rows: int
    cols: int
    num_actions: int
    kind: str = "resnet"  # "resnet" (conv trunk) or "mlp" (dense trunk)
    channels: int = 32  # resnet: conv channels; mlp: hidden width
    blocks: int = 3  # resnet: residual blocks; mlp: hidden layers
    value_hidden: int = 64  # width of the value head's hidden layer
    # A third input plane, all ones when the mover moved first (games.mover_moved_first). The
    # mover's view hides which side it plays, and in connect four that decides which threats win
    # (the first player's on odd rows from the bottom, the second's on even ones); without the
    # plane the trunk must count stones across the board to know. Models saved before it lack
    # the field and load as False.
    colour_plane: bool = False
    # Two more input planes: the empty cells that would complete a line for the mover and for
    # the opponent (games.threat_cells). Connect four's endgame turns on which side owns threats
    # on which rows, and a 3x3 trunk must line up four cells in four directions to see one.
    # Models saved before it lack the field and load as False.
    threat_planes: bool = False

    def __post_init__(self) -> None:
        # A model.json is input like any other: a billion blocks would build for minutes
        # before failing, a string would fail deep inside flax.
        if not isinstance(self.game, str):
            raise SpecError(f"network game: expected a game spec string, got {self.game!r}")
        for flag in ("colour_plane", "threat_planes"):
            if not isinstance(getattr(self, flag), bool):
                raise SpecError(f"network {flag}: expected true or false, got {getattr(self, flag)!r}")
        if self.kind not in KINDS:
            raise SpecError(f"unknown network kind {self.kind!r}; valid kinds: {', '.join(KINDS)}")
        for name, (low, high) in SIZE_LIMITS.items():
            check_number(getattr(self, name), name=f"network {name}", integer=True, minimum=low, maximum=high)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NetworkConfig:
        """Rebuilds a config from JSON, rejecting unknown or missing fields (TypeError/KeyError)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise TypeError(f"unknown network config field(s): {', '.join(sorted(unknown))}")
        return cls(**data)

    def describe(self) -> str:
        """The net in a few words for messages and logs, e.g. 'resnet 64x3 + colour plane'."""
        extras = " + colour plane" * self.colour_plane + " + threat planes" * self.threat_planes
        return f"{self.kind} {self.channels}x{self.blocks}{extras}"

    @property
    def plane_names(self) -> tuple[str, ...]:
        """What each input plane holds, in the order the first layer reads them (agents/grow.py
        matches an old net's planes to a new one's by these names)."""
        return (("mover", "opponent") + ("colour",) * self.colour_plane
                + ("mover threats", "opponent threats") * self.threat_planes)

    @property
    def input_planes(self) -> int:
        """Planes the net reads per cell: the observation's two and the extras it adds itself."""
        return len(self.plane_names)


def default_config(game: Game, *, kind: str = "resnet", channels: int | None = None,
                   blocks: int | None = None) -> NetworkConfig:
    """A size that suits the board: tiny for tic-tac-toe, 32 ch x 3 blocks for connect four.

    The issue's benchmark size for connect four (64 ch x 5 blocks) is `channels=64, blocks=5`;
    the default is smaller so self-play on a 2-core CPU gets through enough games.
    """
    small = game.config.num_cells <= 16
    if channels is None:
        channels = (64 if kind == "mlp" else 16) if small else (128 if kind == "mlp" else 32)
    if blocks is None:
        blocks = (2 if kind == "mlp" else 2) if small else 3
    return NetworkConfig(game=game.spec, rows=game.config.rows, cols=game.config.cols,
                         num_actions=game.num_actions, kind=kind, channels=channels, blocks=blocks,
                         value_hidden=32 if small else 64)


class ResidualBlock(nnx.Module):
    """conv-norm-relu-conv-norm plus the skip connection (pre-activation would also do)."""

    def __init__(self, channels: int, *, rngs: nnx.Rngs) -> None:
        self.conv1 = nnx.Conv(channels, channels, (3, 3), padding="SAME", use_bias=False, rngs=rngs)
        self.norm1 = nnx.LayerNorm(channels, rngs=rngs)
        self.conv2 = nnx.Conv(channels, channels, (3, 3), padding="SAME", use_bias=False, rngs=rngs)
        self.norm2 = nnx.LayerNorm(channels, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        y = jax.nn.relu(self.norm1(self.conv1(x)))
        y = self.norm2(self.conv2(y))
        return jax.nn.relu(x + y)


class PolicyValueNet(nnx.Module):
    """observation planes [B, rows, cols, 2] -> (policy logits [B, A], value [B] in [-1, 1])."""

    def __init__(self, config: NetworkConfig, *, rngs: nnx.Rngs) -> None:
        self.config = config
        c = config
        cells = c.rows * c.cols
        self.k = make(c.game).config.k if c.threat_planes else 0  # line length, for threat planes
        if c.kind == "resnet":
            self.stem = nnx.Conv(c.input_planes, c.channels, (3, 3), padding="SAME", use_bias=False, rngs=rngs)
            self.stem_norm = nnx.LayerNorm(c.channels, rngs=rngs)
            self.trunk = nnx.List([ResidualBlock(c.channels, rngs=rngs) for _ in range(c.blocks)])
            self.policy_conv = nnx.Conv(c.channels, 2, (1, 1), rngs=rngs)
            self.policy_out = nnx.Linear(2 * cells, c.num_actions, rngs=rngs)
            self.value_conv = nnx.Conv(c.channels, 1, (1, 1), rngs=rngs)
            self.value_hidden = nnx.Linear(cells, c.value_hidden, rngs=rngs)
        else:
            widths = [c.input_planes * cells] + [c.channels] * max(c.blocks, 1)
            self.trunk = nnx.List([nnx.Linear(a, b, rngs=rngs) for a, b in zip(widths[:-1], widths[1:], strict=True)])
            self.policy_out = nnx.Linear(c.channels, c.num_actions, rngs=rngs)
            self.value_hidden = nnx.Linear(c.channels, c.value_hidden, rngs=rngs)
        self.value_out = nnx.Linear(c.value_hidden, 1, rngs=rngs)

    def inputs(self, obs: jax.Array) -> jax.Array:
        """The observation planes [B, rows, cols, 2] with the extra planes of `plane_names`."""
        planes = [obs]
        if self.config.colour_plane:
            first = mover_moved_first(obs).astype(obs.dtype)
            planes.append(jnp.broadcast_to(first[:, None, None, None], obs.shape[:-1] + (1,)))
        if self.config.threat_planes:
            planes.append(threat_cells(obs, self.k).astype(obs.dtype))
        return jnp.concatenate(planes, axis=-1) if len(planes) > 1 else obs

    def __call__(self, obs: jax.Array) -> tuple[jax.Array, jax.Array]:
        batch = obs.shape[0]
        obs = self.inputs(obs)
        if self.config.kind == "resnet":
            x = jax.nn.relu(self.stem_norm(self.stem(obs)))
            for block in self.trunk:
                x = block(x)
            policy = jax.nn.relu(self.policy_conv(x)).reshape(batch, -1)
            value = jax.nn.relu(self.value_conv(x)).reshape(batch, -1)
            logits = self.policy_out(policy)
        else:
            x = obs.reshape(batch, -1)
            for layer in self.trunk:
                x = jax.nn.relu(layer(x))
            logits = self.policy_out(x)
            value = x
        value = jax.nn.relu(self.value_hidden(value))
        value = jnp.tanh(self.value_out(value))[:, 0]
        return logits, value


def init_network(config: NetworkConfig, seed: int = 0) -> tuple[nnx.GraphDef, nnx.State]:
    """A freshly initialised net in split form: (graphdef, params)."""
    return nnx.split(PolicyValueNet(config, rngs=nnx.Rngs(seed)))


def abstract_network(config: NetworkConfig) -> tuple[nnx.GraphDef, nnx.State]:
    """(graphdef, params of ShapeDtypeStructs) without allocating weights (for loading)."""
    return nnx.split(nnx.eval_shape(lambda: PolicyValueNet(config, rngs=nnx.Rngs(0))))


def apply(graphdef: nnx.GraphDef, params: nnx.State, obs: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Pure forward pass: observations [B, rows, cols, 2] -> (logits [B, A], value [B])."""
    model = nnx.merge(graphdef, params)
    return model(obs)


def param_count(params: nnx.State) -> int:
    return int(sum(x.size for x in jax.tree.leaves(params)))
