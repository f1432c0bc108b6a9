"""Standard notation: parsing, round trips, clear errors naming the offending move."""

from __future__ import annotations

import pytest

import games
from games import IllegalMoveError, SpecError


@pytest.mark.parametrize(
    ("moves", "index", "words"),
    [
        ("44444444", 7, "column 4 is full"),
        ("4453x", 5, "not a column number"),
        ("44538", 5, "out of range"),
        ("4450", 4, "out of range"),
        ("44556677", 8, "already over (X wins)"),
    ],
)
def test_malformed_connect4_positions_name_the_move(moves, index, words):
    with pytest.raises(IllegalMoveError) as info:
        games.make("connect4").from_moves(moves)
    message = str(info.value)
    assert f"move {index} " in message and words in message and "\n" not in message
    assert info.value.index == index


def test_tictactoe_taken_cell_and_round_trip():
    game = games.make("tictactoe")
    with pytest.raises(IllegalMoveError, match=r"move 3 \('5'\): cell 5 is already taken"):
        game.from_moves("155")
    state = game.from_moves("5193")
    assert game.to_moves(state) == "5193"
    assert game.render(state).splitlines()[0] == "O 2 O"


def test_big_boards_use_commas():
    game = games.make("tictactoe:rows=4,cols=4,k=3")
    state = game.from_moves("16,1,11")
    assert game.to_moves(state) == "16,1,11"
    assert game.from_moves("16 1 11").board.tolist() == state.board.tolist()
    with pytest.raises(IllegalMoveError, match="move 2"):
        game.from_moves("16,17")


def test_connect4_round_trip_and_render():
    game = games.make("connect4")
    state = game.from_moves("4453")
    assert game.to_moves(state) == "4453"
    rows = game.render(state).splitlines()
    assert rows[5] == ". . O X X . ."
    assert rows[6] == "1 2 3 4 5 6 7"
    assert game.legal_actions(state) == list(range(7))
    assert game.from_moves([3, 3, 4, 2]).board.tolist() == state.board.tolist()


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("chess", "unknown game 'chess'"),
        ("connect4:rows=x", "option rows.*expected an integer from 1 to 32, got .x."),
        ("connect4:depth=3", "unknown option 'depth'"),
        ("connect4:rows=2,cols=2,k=4", "does not fit"),
        ("connect4:rows", "malformed option"),
        ("", "empty"),
    ],
)
def test_bad_game_specs(spec, words):
    with pytest.raises(SpecError, match=words):
        games.make(spec)


def test_make_is_canonical_and_cached():
    assert games.make("connect4").spec == "connect4:rows=6,cols=7,k=4"
    assert games.make("connect4:k=4") is games.make("connect4")
    assert games.make("tictactoe:rows=4,cols=4,k=3").num_actions == 16
    assert games.make("connect4:rows=5,cols=6,k=4").num_actions == 6


def test_batch_from_moves_matches_from_moves_and_reports_errors():
    game = games.make("connect4")
    positions = ["", "4", "4453", "1122334", "7777771"]
    batch = game.batch_from_moves(positions)
    for i, text in enumerate(positions):
        one = game.from_moves(text)
        assert batch.board[i].tolist() == one.board.tolist()
        assert int(batch.winner[i]) == int(one.winner) and int(batch.ply[i]) == int(one.ply)
    with pytest.raises(IllegalMoveError, match=r"move 7 \('4'\): column 4 is full"):
        game.batch_from_moves(["12", "4444444"])
    with pytest.raises(IllegalMoveError, match="already over"):
        game.batch_from_moves(["11223344"])
