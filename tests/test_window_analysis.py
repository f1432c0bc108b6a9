"""Overlay data without pygame: solver verdict words, the win bar's point of view, defaults."""

from __future__ import annotations

import pytest

import games
from agents import REGISTRY
from arena.window import analysis
from arena.window.model import Session


def test_verdicts_count_the_winners_remaining_moves():
    c4 = games.make("connect4")
    state = c4.from_moves("4455")  # docs/references.md: score 18, X wins with its 4th stone (2 more moves)
    assert analysis.verdict_text(c4, state, 18) == "W in 2"
    assert analysis.verdict_text(c4, state, 0) == "D"
    assert analysis.verdict_text(c4, state, None) == "?"
    # 44455554221: O to move scores -15, so X (6 stones now) wins with its 22-15 = 7th: one more move
    state = c4.from_moves("44455554221")
    assert analysis.verdict_text(c4, state, -15) == "L in 1"
    ttt = games.make("tictactoe")
    state = ttt.from_moves("1593")  # X to move; cell 7 forks: win with the second move
    assert analysis.verdict_text(ttt, state, 6 - 4) == "W in 2"  # (9+1)//2+1 = 6, X ends with 4


def test_win_bar_keeps_the_first_players_point_of_view():
    assert analysis.win_probability(0.5, to_move=0) == pytest.approx(0.75)
    assert analysis.win_probability(0.5, to_move=1) == pytest.approx(0.25)
    assert analysis.win_probability(-3.0, to_move=0) == 0.0
    assert analysis.win_probability(None, to_move=0) is None
    assert analysis.win_probability(float("nan"), to_move=0) is None


def test_default_opponent_prefers_a_released_model(tmp_path):
    game = games.make("connect4")
    fallback = "mcts" if "mcts" in REGISTRY else "random"
    assert analysis.default_opponent(game, root=tmp_path) == fallback
    (tmp_path / "connect4").mkdir()
    (tmp_path / "connect4" / "card.json").write_text("{}")  # a card alone is no model: az would not load
    assert analysis.default_opponent(game, root=tmp_path) == fallback
    (tmp_path / "connect4" / "model.json").write_text("{}")
    assert analysis.default_opponent(game, root=tmp_path) == ("az" if "az" in REGISTRY else fallback)


@pytest.mark.skipif("mcts" not in REGISTRY, reason="mcts agent not registered")
def test_strength_is_written_into_the_spec():
    assert analysis.with_strength("mcts", 400) == "mcts:sims=400"
    assert analysis.strength_of("mcts:sims=400,c=2") == 400
    assert analysis.with_strength("random", 400) == "random"


def test_session_undo_redo_skip_the_agents_reply():
    game = games.make("tictactoe")
    s = Session(game, start=[0], seats=("agent", "human"))
    s.play(4)
    s.play(8)
    assert s.human_turn and s.undo() == 2 and s.moves == [0]
    assert s.redo() == 2 and s.moves == [0, 4, 8]
    s.undo()
    s.play(2)  # a different move forgets the redo history
    assert s.redo_stack == [] and s.move_text() == "13"
    s.new_game()
    assert s.moves == [0]
