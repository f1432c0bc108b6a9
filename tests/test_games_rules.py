"""The JAX rules against an independent plain-Python reference, plus defined edge cases."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import games
from games.symmetry import symmetry_tables
from tests.reference_rules import RefGame

VARIANTS = [
    "tictactoe",
    "tictactoe:rows=4,cols=4,k=3",
    "tictactoe:rows=3,cols=5,k=3",
    "connect4",
    "connect4:rows=4,cols=5,k=3",
    "connect4:rows=5,cols=6,k=4",
    "connect4:rows=3,cols=3,k=3",
]


def play_random(spec: str, choices: list[int]):
    """Plays a game choosing legal moves by the given indices, through both implementations."""
    game = games.make(spec)
    cfg = game.config
    ref = RefGame(cfg.rows, cfg.cols, cfg.k, cfg.gravity)
    state = game.init()
    actions = []
    for choice in choices:
        legal = ref.legal()
        assert sorted(game.legal_actions(state)) == legal
        if not legal:
            break
        action = legal[choice % len(legal)]
        actions.append(action)
        ref.play(action)
        state = game._jit_step(state, action)
        assert np.asarray(state.board).tolist() == ref.board_values()
        assert bool(state.terminal) == ref.over
        assert int(state.winner) == {0: -1, 1: 0, 2: 1}[ref.winner]
        assert int(state.player) == ref.to_move - 1 or ref.over
    return game, state, ref, actions


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=st.sampled_from(VARIANTS), choices=st.lists(st.integers(0, 10_000), min_size=0, max_size=45))
def test_random_games_match_reference(spec, choices):
    play_random(spec, choices)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=st.sampled_from(VARIANTS), choices=st.lists(st.integers(0, 10_000), min_size=0, max_size=45),
       data=st.data())
def test_symmetries_map_legal_games_to_legal_games(spec, choices, data):
    game, state, ref, actions = play_random(spec, choices)
    cells, action_perms = symmetry_tables(game.config)
    index = data.draw(st.integers(0, len(cells) - 1))
    inverse = np.argsort(action_perms[index])
    mapped = game.from_moves([int(inverse[a]) for a in actions])  # raises if any move is illegal
    assert bool(mapped.terminal) == bool(state.terminal)
    assert int(mapped.winner) == int(state.winner)
    # The board is the same board seen through the symmetry: new[i] = old[perm[i]].
    assert np.array_equal(np.asarray(mapped.board), np.asarray(state.board)[cells[index]])
    obs = game.observation(state)[None]
    assert np.array_equal(np.asarray(games.transform_observation(game.config, obs, index))[0],
                          np.asarray(game.observation(mapped)))
    legal = np.asarray(game.legal_mask(state))[None]
    assert np.array_equal(np.asarray(games.transform_policy(game.config, legal, index))[0],
                          np.asarray(game.legal_mask(mapped)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=st.sampled_from(VARIANTS), choices=st.lists(st.integers(0, 10_000), min_size=0, max_size=45))
def test_an_ongoing_position_is_rebuilt_from_its_observation(spec, choices):
    """Reanalysis searches stored observations again: the state rebuilt from one is the position
    itself (board, mover, ply, legal moves), and every move from it leads where the original's does."""
    game, state, _, actions = play_random(spec, choices)
    if bool(state.terminal):  # stored positions are ongoing ones: the last of those
        state = game.from_moves(actions[:-1])
    rebuilt = game.from_observation(game.observation(state))
    assert bool(games.mover_moved_first(game.observation(state))) == (int(state.player) == 0)
    for field in ("board", "player", "ply", "terminal", "winner"):
        assert np.array_equal(np.asarray(getattr(rebuilt, field)), np.asarray(getattr(state, field))), field
    assert np.array_equal(np.asarray(game.legal_mask(rebuilt)), np.asarray(game.legal_mask(state)))
    for action in game.legal_actions(state):
        after, again = game._jit_step(state, action), game._jit_step(rebuilt, action)
        assert np.array_equal(np.asarray(game.observation(after)), np.asarray(game.observation(again)))
        assert bool(after.terminal) == bool(again.terminal) and int(after.winner) == int(again.winner)


@pytest.mark.parametrize(
    ("spec", "moves", "winner"),
    [
        ("connect4", "4455667", 0),  # bottom row, right edge
        ("connect4", "1122334", 0),  # bottom row, left edge
        ("connect4", "1213141", 0),  # vertical, left edge
        ("connect4", "7675747", 0),  # vertical, right edge
        ("connect4", "12234334544", 0),  # rising diagonal from the corner
        ("connect4", "76654554344", 0),  # falling diagonal from the right corner
        ("connect4", "71627364", 1),  # O completes the bottom row 1-4
        ("tictactoe", "12345", -1),  # ongoing
        ("tictactoe", "14253", 0),  # top row
        ("tictactoe", "15293", None),
        ("tictactoe", "3517", None),
    ],
)
def test_known_results(spec, moves, winner):
    game = games.make(spec)
    state = game.from_moves(moves)
    ref = RefGame(game.config.rows, game.config.cols, game.config.k, game.config.gravity)
    for a in (game.parse_action(t) for t in game.tokenize(moves)):
        ref.play(a)
    assert int(state.winner) == {0: -1, 1: 0, 2: 1}[ref.winner]
    if winner is not None:
        assert int(state.winner) == winner


def test_full_board_draw_tictactoe_and_small_connect4():
    ttt = games.make("tictactoe")
    state = ttt.from_moves("123546879")  # X: 1 3 4 8 9 ... a known draw line
    assert bool(state.terminal) and int(state.winner) == -1 and ttt.result_text(state) == "draw"
    c = games.make("connect4:rows=2,cols=3,k=3")
    state = c.from_moves("123123")
    assert bool(state.terminal) and int(state.winner) == -1


def test_illegal_action_forfeits_and_finished_game_is_unchanged():
    game = games.make("connect4")
    state = game.from_moves("444444")
    after = game.step(state, jnp.int32(3))  # full column
    assert bool(after.terminal) and bool(after.forfeit) and int(after.winner) == 1  # X forfeited
    assert np.array_equal(np.asarray(after.board), np.asarray(state.board))
    again = game.step(after, jnp.int32(0))
    assert jax.tree.all(jax.tree.map(lambda a, b: bool(jnp.all(a == b)), after, again))
    out_of_range = game.step(game.init(), jnp.int32(99))
    assert bool(out_of_range.forfeit) and int(out_of_range.winner) == 1
    assert not np.asarray(game.legal_mask(after)).any()


def test_observation_is_from_the_movers_point_of_view_and_rewards():
    game = games.make("tictactoe")
    state = game.from_moves("15")  # X on 1, O on 5, X to move
    obs = np.asarray(game.observation(state))
    assert obs.shape == (3, 3, 2)
    assert obs[0, 0, 0] == 1 and obs[1, 1, 1] == 1
    state = game.from_moves("152")  # O to move: planes swap
    obs = np.asarray(game.observation(state))
    assert obs[1, 1, 0] == 1 and obs[0, 0, 1] == 1 and obs[0, 1, 1] == 1
    won = game.from_moves("14253")
    assert np.asarray(game.rewards(won)).tolist() == [1.0, -1.0]
    assert np.asarray(game.rewards(state)).tolist() == [0.0, 0.0]


def test_batched_step_under_jit_and_vmap():
    game = games.make("connect4")
    states = game.init_batch(5)
    step = jax.jit(jax.vmap(game.step))
    for _ in range(3):
        states = step(states, jnp.arange(5))
    assert np.asarray(states.ply).tolist() == [3] * 5
    for i in range(5):
        one = jax.tree.map(lambda x, i=i: x[i], states)
        assert game.to_moves(one) == str(i + 1) * 3


def test_symmetry_counts():
    assert symmetry_tables(games.make("tictactoe").config)[0].shape[0] == 8
    assert symmetry_tables(games.make("tictactoe:rows=3,cols=4,k=3").config)[0].shape[0] == 4
    assert symmetry_tables(games.make("connect4").config)[0].shape[0] == 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=st.sampled_from(VARIANTS), choices=st.lists(st.integers(0, 10_000), min_size=0, max_size=45))
def test_threat_cells_are_the_cells_that_would_complete_a_line(spec, choices):
    """`threat_cells` (the network's threat planes) against the reference: an empty cell is a
    side's threat exactly when that side's stone there, playable or not, would make k in a row."""
    game, state, _, actions = play_random(spec, choices)
    if bool(state.terminal):  # a finished game has a line already: every cell would "complete" one
        state = game.from_moves(actions[:-1])
    cfg = game.config
    mover = int(state.player) + 1  # the reference's player numbers
    threats = np.asarray(games.threat_cells(game.observation(state), cfg.k))
    board = np.asarray(state.board).reshape(cfg.rows, cfg.cols)
    for plane, who in ((0, mover), (1, 3 - mover)):
        for r in range(cfg.rows):
            for c in range(cfg.cols):
                ref = RefGame(cfg.rows, cfg.cols, cfg.k, cfg.gravity)
                ref.grid = [[{0: 0, 1: 1, -1: 2}[int(v)] for v in row] for row in board]
                completes = board[r, c] == 0 and (ref.grid[r].__setitem__(c, who) or ref._has_line(who))
                assert bool(threats[r, c, plane]) == bool(completes), (spec, actions, r, c, plane)
