"""The policy/value net and its released-model files: shapes, ranges, round trips, refusals."""

from __future__ import annotations

import dataclasses
import json
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import games
from agents.checkpoint import CheckpointError, default_checkpoint, load_card, load_model, save_model
from agents.network import NetworkConfig, apply, default_config, init_network, param_count

GAMES = ["tictactoe", "connect4", "connect4:rows=4,cols=5,k=3"]


def _observations(game: games.Game, count: int = 5) -> jax.Array:
    """Observations of a few distinct positions (empty board, then one move each)."""
    first = jax.vmap(lambda a: game.step(game.init(), a))(jnp.arange(count) % game.num_actions)
    return jax.vmap(game.observation)(first)


@pytest.mark.parametrize("spec", GAMES)
@pytest.mark.parametrize("kind", ["resnet", "mlp"])
def test_shapes_and_value_range(spec: str, kind: str) -> None:
    game = games.make(spec)
    config = default_config(game, kind=kind)
    graphdef, params = init_network(config, seed=3)
    logits, value = apply(graphdef, params, _observations(game))
    assert logits.shape == (5, game.num_actions)
    assert value.shape == (5,)
    assert np.all(np.abs(np.asarray(value)) <= 1.0)
    assert np.all(np.isfinite(np.asarray(logits)))
    assert param_count(params) > 0


def test_default_sizes_grow_with_the_board() -> None:
    small = param_count(init_network(default_config(games.make("tictactoe")))[1])
    big = param_count(init_network(default_config(games.make("connect4")))[1])
    assert small < big
    bench = default_config(games.make("connect4"), channels=64, blocks=5)
    assert (bench.channels, bench.blocks) == (64, 5)


def test_bad_config_is_refused() -> None:
    with pytest.raises(games.SpecError, match="valid kinds"):
        NetworkConfig(game="tictactoe:rows=3,cols=3,k=3", rows=3, cols=3, num_actions=9, kind="transformer")
    with pytest.raises(games.SpecError, match="colour_plane"):
        NetworkConfig(game="tictactoe:rows=3,cols=3,k=3", rows=3, cols=3, num_actions=9, colour_plane=1)


@pytest.mark.parametrize("kind", ["resnet", "mlp"])
def test_the_colour_plane_is_one_more_input(kind: str) -> None:
    """The plane adds one input per cell (one weight per cell and channel in the first layer:
    3x3 of them in a convolution), and the net reads it: the same weights give other outputs."""
    game = games.make("connect4")
    plain = default_config(game, kind=kind)
    coloured = dataclasses.replace(plain, colour_plane=True)
    assert (plain.input_planes, coloured.input_planes) == (2, 3)
    extra = param_count(init_network(coloured)[1]) - param_count(init_network(plain)[1])
    assert extra == (9 if kind == "resnet" else game.config.num_cells) * plain.channels
    graphdef, params = init_network(coloured, seed=1)
    obs = _observations(game)  # one stone each: the second player to move
    logits, value = apply(graphdef, params, obs)
    assert logits.shape == (5, game.num_actions) and value.shape == (5,)
    assert not np.any(np.asarray(games.mover_moved_first(obs)))
    empty = jnp.zeros((1, *obs.shape[1:]))
    assert bool(games.mover_moved_first(empty)[0])


def test_models_saved_before_the_colour_plane_load_without_it() -> None:
    config = default_config(games.make("connect4"))
    old = config.to_dict()
    del old["colour_plane"]
    assert NetworkConfig.from_dict(old) == config and not config.colour_plane
    coloured = dataclasses.replace(config, colour_plane=True)
    assert NetworkConfig.from_dict(json.loads(json.dumps(coloured.to_dict()))) == coloured


@pytest.mark.parametrize("spec", ["tictactoe", "connect4"])
def test_round_trip_gives_identical_outputs(tmp_path, spec: str) -> None:
    game = games.make(spec)
    config = default_config(game)
    graphdef, params = init_network(config, seed=7)
    folder = save_model(tmp_path / "model", game, config, params, card={"trained": "no"})
    loaded_config, loaded_graphdef, loaded_params = load_model(folder, game)
    assert loaded_config == config
    obs = _observations(game)
    before = apply(graphdef, params, obs)
    after = apply(loaded_graphdef, loaded_params, obs)
    np.testing.assert_array_equal(np.asarray(before[0]), np.asarray(after[0]))
    np.testing.assert_array_equal(np.asarray(before[1]), np.asarray(after[1]))
    assert load_card(folder) == {"trained": "no"}
    # model.json alone names the folder as well
    assert load_model(folder / "model.json", game)[0] == config


@pytest.fixture
def saved(tmp_path):
    game = games.make("tictactoe")
    config = default_config(game)
    _, params = init_network(config, seed=1)
    return game, save_model(tmp_path / "ttt", game, config, params)


def test_missing_path_and_non_model_folder_are_refused(tmp_path, saved) -> None:
    game, _ = saved
    with pytest.raises(CheckpointError, match="does not exist"):
        load_model(tmp_path / "nowhere", game)
    (tmp_path / "empty").mkdir()
    with pytest.raises(CheckpointError, match="not a model folder"):
        load_model(tmp_path / "empty", game)


def test_foreign_game_is_refused_with_both_specs(saved) -> None:
    _, folder = saved
    with pytest.raises(CheckpointError) as err:
        load_model(folder, games.make("connect4"))
    assert str(err.value).endswith("was trained for tictactoe:rows=3,cols=3,k=3, not connect4:rows=6,cols=7,k=4")
    with pytest.raises(CheckpointError, match="not tictactoe:rows=4,cols=4,k=3"):
        load_model(folder, games.make("tictactoe:rows=4,cols=4,k=3"))


def test_corrupted_weights_are_refused(saved) -> None:
    game, folder = saved
    weights = folder / "weights.npz"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="sha256"):
        load_model(folder, game)


def test_truncated_weights_with_matching_hash_are_refused(saved) -> None:
    """A file truncated before its hash was recorded still cannot be read as weights."""
    game, folder = saved
    weights = folder / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:200])
    meta = json.loads((folder / "model.json").read_text())
    import hashlib

    meta["weights_sha256"] = hashlib.sha256(weights.read_bytes()).hexdigest()
    (folder / "model.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="cannot be read"):
        load_model(folder, game)


def test_wrong_shapes_are_refused(tmp_path, saved) -> None:
    """Weights of a bigger net under a config that builds a smaller one."""
    game, folder = saved
    config = default_config(game, channels=8)
    _, params = init_network(config)
    other = save_model(tmp_path / "other", game, config, params)
    meta = json.loads((folder / "model.json").read_text())
    meta["weights_sha256"] = json.loads((other / "model.json").read_text())["weights_sha256"]
    (folder / "weights.npz").write_bytes((other / "weights.npz").read_bytes())
    (folder / "model.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="has shape"):
        load_model(folder, game)


def test_garbage_metadata_is_refused(saved) -> None:
    game, folder = saved
    (folder / "model.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        load_model(folder, game)
    (folder / "model.json").write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(CheckpointError, match="is not a kinrow-model file"):
        load_model(folder, game)


def test_failed_save_leaves_the_existing_model_untouched(tmp_path, saved, monkeypatch) -> None:
    game, folder = saved
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    config = default_config(game)
    _, params = init_network(config, seed=99)

    def broken_savez(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        save_model(folder, game, config, params)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sorted(os.listdir(folder.parent)) == ["ttt"]  # no temporary folders left behind
    # a successful save replaces it completely
    save_model(folder, game, config, params)
    assert (folder / "weights.npz").read_bytes() != before["weights.npz"]
    assert sorted(os.listdir(folder.parent)) == ["ttt"]


def test_saving_over_a_file_is_refused(tmp_path) -> None:
    game = games.make("tictactoe")
    config = default_config(game)
    _, params = init_network(config)
    target = tmp_path / "model"
    target.write_text("precious")
    with pytest.raises(CheckpointError, match="is a file"):
        save_model(target, game, config, params)
    assert target.read_text() == "precious"


def test_default_checkpoint_is_the_boards_released_model(tmp_path, monkeypatch) -> None:
    """Each board has its own folder in the store (tests/test_model_store.py); without a model
    there, `az` is told to pass checkpoint=PATH, on a variant and a standard board alike."""
    monkeypatch.setenv("KINROW_CHECKPOINTS", str(tmp_path))
    for spec in ("connect4", "connect4:rows=5,cols=6"):
        with pytest.raises(CheckpointError, match="pass checkpoint=PATH"):
            default_checkpoint(games.make(spec))
    game = games.make("connect4")
    config = default_config(game, channels=4, blocks=1)
    _, params = init_network(config)
    save_model(tmp_path / "connect4", game, config, params)
    assert default_checkpoint(game) == tmp_path / "connect4"
    with pytest.raises(CheckpointError, match="pass checkpoint=PATH"):
        default_checkpoint(games.make("connect4:rows=5,cols=6"))


@pytest.mark.parametrize("spec", ["tictactoe", "connect4"])
def test_the_threat_planes_are_two_more_inputs(spec: str) -> None:
    """The threat planes add two inputs per cell after the colour plane, computed by the net from
    the observation (games.threat_cells with the game's k), and change what it outputs."""
    game = games.make(spec)
    plain = dataclasses.replace(default_config(game), colour_plane=True)
    threats = dataclasses.replace(plain, threat_planes=True)
    assert threats.plane_names[2:] == ("colour", "mover threats", "opponent threats")
    assert threats.describe().endswith("+ colour plane + threat planes")
    graphdef, params = init_network(threats, seed=1)
    state = game.from_moves("445566" if spec == "connect4" else "1275")  # both sides one short of a line
    obs = game.observation(state)[None]
    inputs = np.asarray(nnx.merge(graphdef, params).inputs(obs))
    assert inputs.shape == obs.shape[:-1] + (5,)
    np.testing.assert_array_equal(inputs[..., 3:], np.asarray(games.threat_cells(obs, game.config.k)))
    assert inputs[..., 3].sum() > 0 and inputs[..., 4].sum() > 0
    extra = param_count(params) - param_count(init_network(plain, seed=1)[1])
    assert extra == 2 * 9 * plain.channels
    old = threats.to_dict()
    del old["threat_planes"]  # models saved before the option
    assert not NetworkConfig.from_dict(old).threat_planes
    with pytest.raises(games.SpecError, match="threat_planes"):
        dataclasses.replace(threats, threat_planes="yes")
