"""The released models in checkpoints/: loadable, documented, and as strong as their cards say."""

from __future__ import annotations

import json

import jax
import numpy as np
import pytest

import agents
import games
from agents.alphazero.evaluation import build_eval_sets
from agents.checkpoint import PROJECT_CHECKPOINTS

CHECKPOINTS = PROJECT_CHECKPOINTS  # the models the repository ships


@pytest.mark.parametrize("name", ["tictactoe", "connect4"])
def test_released_model_has_a_card(name):
    folder = CHECKPOINTS / name
    if name == "connect4" and not (folder / "model.json").exists():
        pytest.skip("reason: the connect-four model is released by a long training run (see README)")
    card = json.loads((folder / "card.json").read_text())
    for key in ("game", "network", "training_command", "training_wall_seconds", "hardware", "positions_seen"):
        assert key in card
    assert card["game"] == games.make(name).spec


def test_tictactoe_model_makes_no_mistake_on_any_position():
    """Network + MCTS (32 simulations) on all 4,520 non-terminal positions vs perfect play."""
    game = games.make("tictactoe")
    (positions,) = build_eval_sets(game, 0, 0)
    assert len(positions.positions) == 4520
    batch = game.batch_from_moves(positions.positions)
    agent = agents.make("az:sims=32", game, seed=0)
    actions = agent.select_moves(batch, jax.random.key(0))
    bad = [positions.positions[i] for i in np.flatnonzero(positions.mistakes(actions))]
    assert bad == []


def test_connect4_model_plays_far_better_than_random_on_pons_positions():
    """The released connect-four model with 64 simulations on 100 End-Easy and 100 Middle-Easy
    positions (Pons' sets, shipped in agents/solver/data): its card reports 1-2% mistakes there
    during training; `random` makes about 27% on End-Easy."""
    from agents.solver import Judge, load_pons_set
    from arena.evaluate import mistake_report, sample

    game = games.make("connect4")
    if not (CHECKPOINTS / "connect4" / "model.json").exists():
        pytest.skip("reason: no released connect-four model")
    agent = agents.make("az:sims=64", game, seed=0)
    judge = Judge(game)
    mistakes = 0
    for name in ("end-easy", "middle-easy"):
        positions = sample(load_pons_set(name), 100, seed=3)
        mistakes += mistake_report(agent, game, name, positions, seed=0, judge=judge).mistakes
    assert mistakes <= 8, f"{mistakes} mistakes on 200 positions"


@pytest.mark.parametrize("plies", [0, 1, 2])
def test_tictactoe_model_never_loses_to_the_perfect_solver_from_any_opening(plies):
    """Both colours from every opening of 0-2 plies against perfect play: the model always gets
    the opening's game-theoretic result (the win from won openings, the draw from drawn ones;
    from lost openings any loss is that result)."""
    from arena.evaluate import vs_solver

    report = vs_solver("az:sims=32", games.make("tictactoe"), plies=plies, seed=0)
    assert report.games == {0: 2, 1: 18, 2: 144}[plies]
    assert report.achieved == report.games
