"""The model store (agents/checkpoint.py): one answer to "is there a released model for this
board, and where?" for `az`, `arena play`, `arena tournament`, `arena export` and the benches.

The three regressions are the bugs of issue 16, reproduced as a user meets them.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

import agents
import games
from agents.checkpoint import (
    CheckpointError,
    default_checkpoint,
    release_folder,
    release_name,
    released_model,
    save_model,
)
from agents.network import default_config, init_network
from agents.network_agent import network_agent
from arena.cli import main
from arena.commands.tournament import default_agents
from arena.window import analysis
from games import SpecError

VARIANT = "connect4:rows=5,cols=6"  # the board of `arena play --help`
TINY_RUN = "connect4:rows=4,cols=5,k=3"


def _release(store, spec: str):
    """A small random-init model saved where the store keeps `spec`'s released model."""
    game = games.make(spec)
    config = default_config(game, channels=4, blocks=1)
    _, params = init_network(config)
    return save_model(release_folder(game, store), game, config, params)


def test_each_board_has_its_own_folder_in_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("KINROW_CHECKPOINTS", str(tmp_path))
    c4, variant = games.make("connect4"), games.make(VARIANT)
    assert release_name(c4) == "connect4" and release_name(games.make("tictactoe")) == "tictactoe"
    assert release_name(variant) == "connect4_rows5_cols6_k4"
    assert release_folder(c4) == tmp_path / "connect4" and release_folder(variant) == tmp_path / release_name(variant)
    assert released_model(c4) is None and released_model(variant) is None
    with pytest.raises(CheckpointError, match="does not exist; pass checkpoint=PATH") as err:
        default_checkpoint(variant)
    assert "\n" not in str(err.value)
    (tmp_path / "connect4").mkdir()
    (tmp_path / "connect4" / "card.json").write_text("{}")  # a card alone is no model
    assert released_model(c4) is None
    folder = _release(tmp_path, VARIANT)
    assert released_model(variant) == folder == default_checkpoint(variant)
    assert released_model(c4) is None  # the variant's model is not the standard board's


def test_play_on_a_variant_without_a_model_falls_back_to_mcts(tmp_path, monkeypatch, capsys):
    """Bug (a): `arena play --game connect4:rows=5,cols=6 --screenshot x.png` must open with mcts."""
    monkeypatch.setenv("KINROW_CHECKPOINTS", str(tmp_path / "store"))
    _release(tmp_path / "store", "connect4")  # the standard board has one; the variant does not
    shot = tmp_path / "x.png"
    assert main(["play", "--game", VARIANT, "--screenshot", str(shot)]) == 0
    assert "saved" in capsys.readouterr().out and shot.stat().st_size > 0
    assert analysis.default_opponent(games.make(VARIANT)) == "mcts"
    assert analysis.default_opponent(games.make("connect4")) == "az"


def test_play_and_tournament_agree_on_an_empty_store(tmp_path, monkeypatch, capsys):
    """Bug (b): with KINROW_CHECKPOINTS at an empty folder the tournament left az out, but
    `arena play` chose az and died loading it. Both follow the store now, either way."""
    monkeypatch.setenv("KINROW_CHECKPOINTS", str(tmp_path))
    c4 = games.make("connect4")
    lineup, note = default_agents(c4)
    assert not any(spec.startswith("az") for spec in lineup) and "az left out" in note
    shot = tmp_path / "empty.png"
    assert main(["play", "--screenshot", str(shot)]) == 0, capsys.readouterr().err
    assert analysis.default_opponent(c4) == "mcts"
    assert str(tmp_path) not in analysis.default_reason(c4)

    _release(tmp_path, VARIANT)  # a released variant model: both take az for that board only
    variant = games.make(VARIANT)
    lineup, note = default_agents(variant)
    assert lineup[0].startswith("az") and str(release_folder(variant)) in note
    assert analysis.default_opponent(variant) == "az"
    assert str(release_folder(variant)) in analysis.default_reason(variant)
    assert main(["play", "--game", VARIANT, "--screenshot", str(shot)]) == 0, capsys.readouterr().err
    assert not any(spec.startswith("az") for spec in default_agents(c4)[0])


def test_export_of_a_variant_run_goes_to_the_variants_own_folder(tmp_path, monkeypatch, capsys):
    """Bug (c): `arena export` of a connect4:rows=4,cols=5,k=3 run wrote into checkpoints/connect4."""
    from agents.alphazero import default_config as train_config
    from agents.alphazero.loop import train

    store = tmp_path / "store"
    monkeypatch.setenv("KINROW_CHECKPOINTS", str(store))
    run = tmp_path / "run"
    train(train_config(TINY_RUN, iterations=1, num_envs=16, rollout_steps=4, num_simulations=4, channels=8,
                       blocks=1, batch_size=32, updates_per_iteration=1, buffer_size=256, eval_every=0,
                       max_considered_actions=4), run, verbose=False)
    assert main(["export", str(run)]) == 0
    game = games.make(TINY_RUN)
    assert f"released model written to {store / 'connect4_rows4_cols5_k3'}" in capsys.readouterr().out
    assert not (store / "connect4").exists()
    assert released_model(game) == store / "connect4_rows4_cols5_k3"
    agent = agents.make("az:sims=4", game)  # found by the store, not passed by hand
    assert agent.select_move(game.init()) in game.legal_actions(game.init())


def test_network_agents_from_weights_in_memory_play_like_the_saved_model(tmp_path):
    game = games.make("tictactoe")
    config = default_config(game, kind="mlp", channels=8, blocks=1)
    _, params = init_network(config, seed=3)
    folder = save_model(tmp_path / "model", game, config, params)
    batch = game.batch_from_moves(["", "15", "1524"])
    key = jax.random.key(0)
    for spec in ("az:sims=8,policy=puct", "policy:temperature=1"):
        name, _, options = spec.partition(":")
        loaded = agents.make(f"{name}:checkpoint={folder},{options}", game, seed=1)
        held = network_agent(spec, game, config, params, seed=1)
        np.testing.assert_array_equal(held.select_moves(batch, key), loaded.select_moves(batch, key))
    assert network_agent("az", game, config, params).settings.num_simulations == 200  # az's default
    with pytest.raises(SpecError, match="given in memory"):
        network_agent(f"az:checkpoint={folder}", game, config, params)
    with pytest.raises(SpecError, match="unknown option 'depth'"):
        network_agent("az:depth=2", game, config, params)
    with pytest.raises(SpecError, match="plays no network"):
        network_agent("mcts", game, config, params)
    with pytest.raises(CheckpointError, match="not connect4"):
        network_agent("az", games.make("connect4"), config, params)
