"""Growing a trained residual net deeper without changing what it computes.

Why: a model trained for hours on a CPU is the most expensive thing the suite owns. When it
stops improving because the net is too small (issue 14: the 32x3 connect-four model did not
move in 1 M more self-play positions), starting a bigger net from scratch throws those hours
away. Appending residual blocks whose last LayerNorm has scale 0 and bias 0 makes each new
block the identity (`relu(x + 0) = x`, since `x` is already a ReLU output), so the grown net
plays exactly like the old one on its first iteration and training goes on from there; the
zero scale still receives gradient, so the new blocks wake up (the zero-init residual trick
of Goyal et al. 2017, https://arxiv.org/abs/1706.02677, used as a Net2DeeperNet).

The input can grow too: a net given the colour plane or the threat planes (agents/network.py)
gets a zero weight for each added plane in its first convolution, so it plays as before and may
learn what the plane is worth (issue 14's round sixteen: in a trained 64x3 net the colour plane
hardly did in 1,440 updates, while a net trained with it from the start gained a third fewer
searched mistakes).
Otherwise the kind, channels and heads stay. Widening would need the duplicated units'
symmetry broken and is not offered.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from agents.network import NetworkConfig


class GrowError(ValueError):
    """The old net cannot be grown into the new one (one line, for the user)."""


def growth_problem(old: NetworkConfig, new: NetworkConfig) -> str | None:
    """Why `old` cannot be grown into `new` function-preservingly, or None if it can."""
    same = ("game", "rows", "cols", "num_actions", "kind", "channels", "value_hidden")
    differ = [f"{name} {getattr(old, name)} -> {getattr(new, name)}" for name in same
              if getattr(old, name) != getattr(new, name)]
    if differ:
        return "only more residual blocks or input planes can be added (" + ", ".join(differ) + " differ)"
    if old.kind != "resnet":
        return f"only a resnet can be grown, not {old.kind}"
    if new.blocks < old.blocks:
        return f"the new net has fewer blocks ({new.blocks}) than the old one ({old.blocks})"
    lost = [name for name in old.plane_names if name not in new.plane_names]
    if lost:
        return f"the new net lacks the old one's {' and '.join(lost)} plane{'s' * (len(lost) > 1)}"
    return None


def describe_growth(old: NetworkConfig, new: NetworkConfig) -> str:
    """What `grow_params` adds to `old` to make `new`, in words for a run's notes."""
    added = []
    if new.blocks > old.blocks:
        added.append(f"{new.blocks} blocks (the {new.blocks - old.blocks} added start as the identity)")
    if new.colour_plane and not old.colour_plane:
        added.append("the colour plane (at zero weight)")
    if new.threat_planes and not old.threat_planes:
        added.append("the threat planes (at zero weight)")
    return " and ".join(added) or "the same net"


def grow_params(old: NetworkConfig, old_params: nnx.State, new: NetworkConfig, fresh_params: nnx.State) -> nnx.State:
    """`fresh_params` (a freshly initialised `new` net) with `old_params` copied in, every added
    block set to the identity and every added input plane at zero weight. The result computes
    exactly what the old net did."""
    problem = growth_problem(old, new)
    if problem:
        raise GrowError(problem)
    old_tree: dict[str, Any] = nnx.to_pure_dict(old_params)
    tree: dict[str, Any] = nnx.to_pure_dict(fresh_params)
    for name, value in old_tree.items():
        if name != "trunk":
            tree[name] = value
    if new.plane_names != old.plane_names:  # the stem's kernel [3, 3, planes, channels]
        kernel = jnp.asarray(old_tree["stem"]["kernel"])
        grown_kernel = jnp.zeros(kernel.shape[:2] + (new.input_planes,) + kernel.shape[3:], kernel.dtype)
        for index, name in enumerate(old.plane_names):
            grown_kernel = grown_kernel.at[:, :, new.plane_names.index(name)].set(kernel[:, :, index])
        tree["stem"]["kernel"] = grown_kernel
    for index in range(new.blocks):
        if index < old.blocks:
            tree["trunk"][index] = old_tree["trunk"][index]
        else:
            norm = tree["trunk"][index]["norm2"]
            norm["scale"] = jnp.zeros_like(norm["scale"])
            norm["bias"] = jnp.zeros_like(norm["bias"])
    grown = jax.tree.map(lambda leaf: leaf, fresh_params)  # a copy with the same variable types
    nnx.replace_by_pure_dict(grown, tree)
    return grown
