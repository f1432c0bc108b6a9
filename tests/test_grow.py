"""Growing a net deeper keeps what it computes (agents/grow.py)."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import games
from agents.grow import GrowError, describe_growth, grow_params, growth_problem
from agents.network import apply, default_config, init_network


def perturbed(params, seed: int):
    """Trained-looking weights: every leaf moved off its initial value (LayerNorm scales too)."""
    leaves, treedef = jax.tree.flatten(params)
    keys = jax.random.split(jax.random.key(seed), len(leaves))
    moved = [leaf + 0.3 * jax.random.normal(key, leaf.shape, leaf.dtype) for leaf, key in zip(leaves, keys, strict=True)]
    return jax.tree.unflatten(treedef, moved)


def test_added_blocks_start_as_the_identity():
    game = games.make("connect4")
    small = default_config(game, channels=8, blocks=2)
    big = dataclasses.replace(small, blocks=5)
    small_def, small_params = init_network(small, seed=0)
    small_params = perturbed(small_params, seed=1)
    big_def, fresh = init_network(big, seed=2)
    fresh_copy = jax.tree.map(np.asarray, fresh)
    grown = grow_params(small, small_params, big, fresh)
    obs = jax.random.bernoulli(jax.random.key(3), 0.4, (64, 6, 7, 2)).astype(jnp.float32)
    for old, new in zip(apply(small_def, small_params, obs), apply(big_def, grown, obs), strict=True):
        np.testing.assert_allclose(np.asarray(old), np.asarray(new), atol=1e-6)
    assert jax.tree.structure(grown) == jax.tree.structure(fresh)
    for a, b in zip(jax.tree.leaves(fresh), jax.tree.leaves(fresh_copy), strict=True):
        np.testing.assert_array_equal(np.asarray(a), b)  # the fresh net was not modified
    # the new blocks' convolutions are fresh, not zero: they can learn once the scale moves
    assert float(jnp.abs(grown["trunk"][4]["conv1"]["kernel"][...]).sum()) > 0
    assert float(jnp.abs(grown["trunk"][4]["norm2"]["scale"][...]).sum()) == 0


@pytest.mark.parametrize("change, words", [
    (dict(channels=16), "channels 8 -> 16"),
    (dict(blocks=1), "fewer blocks"),
    (dict(value_hidden=99), "value_hidden"),
])
def test_only_depth_can_grow(change, words):
    game = games.make("connect4")
    small = default_config(game, channels=8, blocks=2)
    other = dataclasses.replace(small, **change)
    assert words in growth_problem(small, other)
    with pytest.raises(GrowError, match=words.split()[0]):
        grow_params(small, init_network(small)[1], other, init_network(other)[1])
    mlp = default_config(game, kind="mlp", channels=8, blocks=1)
    assert "resnet" in growth_problem(mlp, dataclasses.replace(mlp, blocks=2))
    assert growth_problem(small, dataclasses.replace(small, blocks=4)) is None


def test_the_colour_plane_is_added_at_zero_weight():
    """A net given the colour plane plays as before; once the plane's weights move, only the
    positions where the mover moved first (the plane is ones) change."""
    game = games.make("connect4")
    plain = default_config(game, channels=8, blocks=2)
    coloured = dataclasses.replace(plain, colour_plane=True, blocks=3)
    plain_def, plain_params = init_network(plain, seed=0)
    plain_params = perturbed(plain_params, seed=1)
    coloured_def, fresh = init_network(coloured, seed=2)
    grown = grow_params(plain, plain_params, coloured, fresh)
    states = [game.from_moves(moves) for moves in ("", "4", "44", "445", "4453", "44536")]
    obs = jnp.stack([game.observation(state) for state in states])
    first = np.array([int(state.player) == 0 for state in states])
    before = apply(plain_def, plain_params, obs)
    # equal up to float32 rounding: the extra zero channel can change the convolution's summation
    # order (seen as 2.4e-6 on a logit of 3 with jax 0.10.2); a real change is orders larger
    for old, new in zip(before, apply(coloured_def, grown, obs), strict=True):
        np.testing.assert_allclose(np.asarray(old), np.asarray(new), rtol=1e-5, atol=1e-5)
    tree = nnx.to_pure_dict(grown)
    kernel = jnp.asarray(tree["stem"]["kernel"])
    assert kernel.shape[2] == 3 and float(jnp.abs(kernel[:, :, 2]).sum()) == 0
    # random weights: the same shift in every channel would vanish in the stem's LayerNorm
    tree["stem"]["kernel"] = kernel.at[:, :, 2].set(jax.random.normal(jax.random.key(4), kernel[:, :, 2].shape))
    nnx.replace_by_pure_dict(grown, tree)
    after = apply(coloured_def, grown, obs)
    moved = np.abs(np.asarray(after[1]) - np.asarray(before[1])) > 1e-5
    np.testing.assert_array_equal(moved, first)
    assert "colour plane" in growth_problem(coloured, dataclasses.replace(coloured, colour_plane=False))


def test_the_threat_planes_are_added_at_zero_weight():
    """A colour-plane net given the threat planes plays as before: its old planes keep their
    weights at their places in the first layer and the two new ones start at zero."""
    game = games.make("connect4")
    coloured = dataclasses.replace(default_config(game, channels=8, blocks=2), colour_plane=True)
    threats = dataclasses.replace(coloured, threat_planes=True)
    old_def, old_params = init_network(coloured, seed=0)
    old_params = perturbed(old_params, seed=1)
    new_def, fresh = init_network(threats, seed=2)
    grown = grow_params(coloured, old_params, threats, fresh)
    states = [game.from_moves(moves) for moves in ("", "4", "4455", "445566", "4453")]
    obs = jnp.stack([game.observation(state) for state in states])
    for old, new in zip(apply(old_def, old_params, obs), apply(new_def, grown, obs), strict=True):
        np.testing.assert_allclose(np.asarray(old), np.asarray(new), rtol=1e-5, atol=1e-5)
    kernel = jnp.asarray(nnx.to_pure_dict(grown)["stem"]["kernel"])
    assert kernel.shape[2] == 5 and float(jnp.abs(kernel[:, :, 3:]).sum()) == 0
    np.testing.assert_array_equal(np.asarray(kernel[:, :, :3]),
                                  np.asarray(nnx.to_pure_dict(old_params)["stem"]["kernel"]))
    assert "threat planes" in describe_growth(coloured, threats)
    assert "threats" in growth_problem(threats, coloured)
