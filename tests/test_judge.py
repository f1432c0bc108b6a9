"""The one judge: the mistake rule, verdict words, cached weak solves, whole games, the budget."""

from __future__ import annotations

import functools
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import games
from agents.solver import (
    DRAW,
    ILLEGAL,
    LOSS,
    WIN,
    Judge,
    JudgeUnavailable,
    Mistake,
    Solver,
    is_mistake,
    outcome_class,
    verdict,
)
from agents.solver.judge import MAX_MISSES_PER_GAME, judge_move
from tests.test_solver import plain_minimax

TTT = games.make("tictactoe")
SMALL_C4 = games.make("connect4:rows=3,cols=4,k=3")


@functools.cache
def oracle(spec: str) -> dict[bytes, tuple[int, np.ndarray]]:
    return plain_minimax(spec)


@functools.cache
def judge_for(spec: str) -> Judge:
    return Judge(games.make(spec))


def test_the_rule_counts_only_lost_game_theoretic_value():
    assert is_mistake(WIN, DRAW) and is_mistake(WIN, LOSS) and is_mistake(DRAW, LOSS)
    assert not is_mistake(WIN, WIN) and not is_mistake(DRAW, DRAW) and not is_mistake(LOSS, LOSS)
    assert all(is_mistake(v, ILLEGAL) for v in (WIN, DRAW, LOSS))  # an illegal move always counts
    np.testing.assert_array_equal(is_mistake(np.array([1, 0, -1]), np.array([0, 0, -2])), [True, False, True])
    # one side unknown: decided only when the known side settles it
    assert judge_move(None, ILLEGAL) is True
    assert judge_move(None, WIN) is False and judge_move(LOSS, None) is False
    assert judge_move(WIN, None) is None and judge_move(None, DRAW) is None


def test_verdict_words_long_and_short():
    c4 = games.make("connect4")
    # 4455: X to move scores 18 and wins with its 4th stone, its 2nd move from now
    assert verdict(c4, 4, 18) == "win in 2" and verdict(c4, 4, 18, short=True) == "W in 2"
    # 44455554221: O to move scores -15; X (6 stones) wins with its 7th
    assert verdict(c4, 11, -15) == "loss in 1" and verdict(c4, 11, -15, short=True) == "L in 1"
    assert verdict(c4, 0, 0) == "draw" and verdict(c4, 0, 0, short=True) == "D"
    assert verdict(c4, 0, None, short=True) == "?"
    assert verdict(c4, 0, 0.25, exact=False) == "unclear (+0.25, heuristic)"
    assert verdict(c4, 0, 0.25, exact=False, short=True) == "?"
    assert verdict(c4, 4, 18, exact=False) == "win in 2 (so far)"
    assert verdict(TTT, 4, 6 - 4) == "win in 2"  # X ends with 4 of the 5 stones it can have


@pytest.mark.parametrize("spec", ["tictactoe", "connect4:rows=3,cols=4,k=3"])
def test_values_and_move_classes_match_an_independent_minimax(spec):
    game = games.make(spec)
    judge = Judge(game)
    table = oracle(spec)
    keys = sorted(table)[:: max(1, len(table) // 300)]  # a spread of ~300 positions
    for key in keys:
        board = np.frombuffer(key, np.int8).copy()
        score, moves = table[key]
        assert judge.value(board) == outcome_class(score)
        expected = [ILLEGAL if s == -99 else outcome_class(s) for s in moves]
        np.testing.assert_array_equal(judge.move_classes(board), expected)


def test_answers_are_cached_per_position():
    calls = []

    class Counting(Solver):
        def solve(self, position, **kwargs):
            calls.append(("solve", kwargs))
            return super().solve(position, **kwargs)

    judge = Judge(TTT, solver=Counting(TTT))
    state = TTT.from_moves("5")
    assert judge.value(state) == DRAW and judge.value(state) == DRAW
    assert judge.value(np.asarray(state.board)) == DRAW  # the same board: the same entry
    assert len(calls) == 1 and calls[0][1]["weak"]  # one weak solve for three questions
    assert judge.hits == 2 and judge.misses == 1
    assert judge.mistake(state, 1) is True  # an edge reply to the centre loses
    assert judge.mistake(state, 0) is False and judge.mistake(state, 4) is True  # 4: taken (illegal)


def test_lost_positions_cost_no_solve_of_the_move():
    judge = judge_for("tictactoe")
    lost = TTT.from_moves("521")  # O to move after an edge reply: X forks next whatever O does
    assert judge.value(lost) == LOSS
    before = judge.misses
    assert judge.mistake(lost, 8, value=LOSS) is False
    assert judge.misses == before


def _expected_game(spec: str, actions: list[int], opening: int, forfeit: bool):
    """(judged, mistakes, first mistake) per the oracle, move by move."""
    game = games.make(spec)
    table = oracle(spec)
    state = game.init()
    states = [state]
    for a in actions:
        state = game.play(state, a)
        states.append(state)
    mistakes, first = [0, 0], None
    judged = [0, 0]
    last = len(actions) if forfeit else len(actions) - 1
    for ply in range(opening, last + 1):
        score, moves = table[np.asarray(states[ply].board, np.int8).tobytes()]
        before = outcome_class(score)
        after = ILLEGAL if ply == len(actions) else outcome_class(moves[actions[ply]])
        judged[ply % 2] += 1
        if after < before:
            mistakes[ply % 2] += 1
            if first is None:
                first = Mistake(ply + 1, ply % 2, None if after == ILLEGAL else actions[ply], before, after)
    return tuple(judged), tuple(mistakes), first


@st.composite
def finished_games(draw, spec: str):
    """A random finished game: legal moves to the end, or cut short by a forfeit, and its opening."""
    game = games.make(spec)
    state, actions = game.init(), []
    forfeit = draw(st.booleans()) and draw(st.booleans())
    stop = draw(st.integers(0, game.config.num_cells - 1)) if forfeit else None
    while not bool(state.terminal):
        if stop is not None and len(actions) == stop:
            break
        action = draw(st.sampled_from(game.legal_actions(state)))
        state = game.play(state, action)
        actions.append(action)
    forfeit = not bool(state.terminal)
    opening = draw(st.integers(0, min(2, len(actions) - (0 if forfeit else 1))))
    return actions, opening, forfeit


@pytest.mark.parametrize("spec", ["tictactoe", "connect4:rows=3,cols=4,k=3"])
def test_whole_games_are_judged_move_by_move(spec):
    judge = judge_for(spec)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(finished_games(spec))
    def check(case):
        actions, opening, forfeit = case
        result = judge.judge_game(actions, opening_plies=opening, forfeit=forfeit)
        judged, mistakes, first = _expected_game(spec, actions, opening, forfeit)
        assert result.judged == judged and result.mistakes == mistakes and result.unjudged == (0, 0)
        assert result.first_mistake == first

    check()


def test_first_mistake_names_ply_player_and_values():
    judge = judge_for("tictactoe")
    # X 5, O 2 (an edge: draw -> loss), X 1, O 3, X 9 wins on 1-5-9
    result = judge.judge_game([4, 1, 0, 2, 8])
    assert result.judged == (3, 2) and result.mistakes == (0, 1)
    assert result.first_mistake.to_json(TTT) == {"ply": 2, "player": 1, "move": "2", "before": "draw",
                                                 "after": "loss"}
    # the opening is not judged; a forfeit is the mover's mistake with no move to name
    result = judge.judge_game([4, 1], opening_plies=2, forfeit=True)
    assert result.judged == (1, 0) and result.first_mistake.to_json(TTT) == {
        "ply": 3, "player": 0, "move": None, "before": "win", "after": "illegal"}
    with pytest.raises(ValueError, match="only on one"):
        judge.judge_game([4, 1])  # not finished, and no forfeit


def test_a_bounded_judge_gives_up_in_bounded_time():
    """A board the bitboard holds but no book covers: early positions are far beyond 0.05 s."""
    big = games.make("connect4:rows=7,cols=8,k=4")
    judge = Judge(big, budget_s=0.05)
    assert judge.value("45") is None and judge.beyond_budget == 1
    start = time.perf_counter()
    result = judge.judge_game([3, 4, 3, 4, 3, 4, 3])  # column 4 filled to a win for X
    assert time.perf_counter() - start < 30 * 0.05 + 5
    assert sum(result.judged) + sum(result.unjudged) == 7
    assert sum(result.unjudged) >= 1 and result.first_mistake is None
    assert judge.beyond_budget <= 1 + MAX_MISSES_PER_GAME


def test_a_bounded_judge_refuses_boards_only_the_python_minimax_can_search():
    with pytest.raises(JudgeUnavailable, match="at most 12 cells"):
        Judge("tictactoe:rows=4,cols=4,k=3", budget_s=1.0)
    assert Judge("tictactoe:rows=4,cols=4,k=3").budget_s is None  # exact and patient: allowed
    assert Judge("tictactoe:rows=3,cols=4,k=3", budget_s=5.0).value("") == WIN  # 75k nodes
