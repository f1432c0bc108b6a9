"""Agent specs for the search agents: options, defaults, and one-line errors listing what is valid."""

from __future__ import annotations

import re

import jax
import numpy as np
import pytest

import agents
import games
from agents.checkpoint import CheckpointError, save_model
from agents.network import default_config, init_network
from games import SpecError

TTT = games.make("tictactoe")


def test_search_agents_are_registered_with_their_options() -> None:
    assert {"random", "mcts", "az", "policy"} <= set(agents.REGISTRY)
    text = agents.describe_agents()
    assert "mcts:sims=" in text and "az:checkpoint=" in text and "policy:checkpoint=" in text


def test_mcts_options_are_parsed() -> None:
    agent = agents.make("mcts:sims=40,policy=gumbel,rollouts=2,temperature=0.5,noise=0.25,considered=4", TTT)
    s = agent.settings
    assert (s.num_simulations, s.policy, s.temperature, s.dirichlet_fraction, s.max_num_considered_actions) == (
        40, "gumbel", 0.5, 0.25, 4)
    assert agent.evaluator.rollouts == 2
    default = agents.make("mcts", TTT).settings
    assert (default.num_simulations, default.policy, default.value_scale) == (800, "puct", "fixed")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("mcst", "unknown agent 'mcst'.*valid agents: random.*mcts.*az.*policy"),
        ("mcts:simulations=5", "unknown option 'simulations'.*valid options: sims, policy, rollouts"),
        ("mcts:sims=0", "option sims in 'mcts:sims=0'.*integer from 1 to 1000000, got 0"),
        ("mcts:sims=many", "option sims.*expected an integer.*got 'many'"),
        ("mcts:policy=ucb", "policy='ucb'.*valid: puct, gumbel"),
        ("mcts:scale=log", "scale='log'.*valid: minmax, fixed"),
        ("mcts:noise=2", "option noise.*number from 0 to 1, got 2"),
        ("mcts:temperature=-1", "option temperature.*number from 0 to 100, got -1"),
        ("az:depth=3", "unknown option 'depth'.*valid options: checkpoint, sims"),
        ("policy:sims=3", "unknown option 'sims'.*valid options: checkpoint, temperature"),
    ],
)
def test_bad_specs_give_one_line_listing_what_is_valid(spec: str, message: str) -> None:
    with pytest.raises(SpecError, match=message) as err:
        agents.make(spec, TTT)
    assert "\n" not in str(err.value)


def test_az_without_a_released_model_says_how_to_fix_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KINROW_CHECKPOINTS", str(tmp_path))
    with pytest.raises(CheckpointError, match="does not exist"):
        agents.make("az", TTT)
    with pytest.raises(CheckpointError, match="does not exist"):
        agents.make("policy", "connect4")
    with pytest.raises(CheckpointError, match="pass checkpoint=PATH"):
        agents.make("az", "connect4:rows=5,cols=6")
    with pytest.raises(CheckpointError, match="does not exist"):
        agents.make(f"az:checkpoint={tmp_path / 'missing'}", TTT)


def test_network_agents_load_their_checkpoint_and_refuse_a_foreign_one(tmp_path, monkeypatch) -> None:
    config = default_config(TTT)
    _, params = init_network(config, seed=0)
    folder = save_model(tmp_path / "tictactoe", TTT, config, params)
    with pytest.raises(CheckpointError, match="trained for tictactoe:rows=3,cols=3,k=3, not connect4"):
        agents.make(f"az:checkpoint={folder}", "connect4")

    raw = agents.make(f"policy:checkpoint={folder}", TTT, seed=0)
    state = TTT.from_moves("1425")
    decision = raw.decide(state)
    legal = np.asarray(TTT.legal_mask(state))
    assert legal[decision.action] and decision.prior.sum() == pytest.approx(1.0)
    assert np.all(decision.prior[~legal] == 0) and -1 <= decision.value <= 1
    batch = jax.tree.map(lambda *xs: np.stack(xs), TTT.init(), state)
    assert raw.select_moves(batch, jax.random.key(0)).shape == (2,)

    monkeypatch.setenv("KINROW_CHECKPOINTS", str(tmp_path))  # the released-model location
    searcher = agents.make("az:sims=16,policy=gumbel", TTT, seed=0)
    assert searcher.settings.num_simulations == 16
    assert searcher.select_move(state) == 2  # an untrained net still takes a one-move win


def test_every_option_is_declared_once_with_type_default_bounds_and_help() -> None:
    """The declaration parses, writes back, checks typed values and is what the help prints."""
    text = agents.describe_agents()
    for info in agents.REGISTRY.values():
        for option in info.options.values():
            assert f"{info.name}:{option.usage()}" in text and option.help in text
            if option.default is not None:
                assert option.parse(option.format(option.default), spec=info.name) == option.default
                assert f"default {option.format(option.default)}" in option.describe()
    assert "(from 1 to 1000000; default 800)" in text  # mcts:sims, from the declaration's bounds
    assert [agents.REGISTRY[n].strength.name for n in ("mcts", "az", "solver")] == ["sims", "sims", "depth"]
    assert agents.REGISTRY["random"].strength is None and agents.REGISTRY["policy"].strength is None


def test_search_agents_build_their_settings_from_the_declared_defaults() -> None:
    from agents.search import SearchSettings

    mcts, az = agents.REGISTRY["mcts"], agents.REGISTRY["az"]
    assert mcts.settings(mcts.values({})) == SearchSettings(800, policy="puct", value_scale="fixed")
    assert az.settings(az.values({})) == SearchSettings(200)  # every other knob: SearchSettings' default
    info, given = agents.read_spec("az:SIMS=16,policy=PUCT,c=2")
    assert given == {"sims": 16, "policy": "puct", "c": 2.0}
    assert info.settings(info.values(given)) == SearchSettings(16, policy="puct", pb_c_init=2.0)


def test_specs_are_written_from_typed_values() -> None:
    assert agents.with_options("solver:book=false", time=30.0) == "solver:book=false,time=30"
    assert agents.with_options("mcts:c=2,sims=5", sims=400, c=None) == "mcts:sims=400"
    assert agents.with_options("mcts:noise=0.1", temperature=0.125) == "mcts:noise=0.1,temperature=0.125"
    for spec, values, message in [
        ("mcts", {"sims": 0}, "option sims in 'mcts': expected an integer from 1 to 1000000, got 0"),
        ("mcts", {"policy": "ucb"}, "option policy='ucb' in 'mcts' is not valid; valid: puct, gumbel"),
        ("solver", {"book": "yes"}, "option book in 'solver': expected true or false"),
        ("random", {"sims": 5}, "unknown option 'sims' in agent 'random'; valid options: none"),
    ]:
        with pytest.raises(SpecError, match=re.escape(message)) as err:
            agents.with_options(spec, **values)
        assert "\n" not in str(err.value)


def test_the_help_of_commands_that_take_agents_lists_every_option(capsys) -> None:
    from arena.cli import main

    with pytest.raises(SystemExit):
        main(["play", "--help"])
    out = capsys.readouterr().out
    assert "agent specs: NAME[:OPTION=VALUE,...]" in out and agents.describe_agents() in out
