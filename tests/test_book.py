"""The 12-ply opening book: decoding, probing (mirror images included), and agreement with the
pure search on seeded random positions of 8 to 14 plies (a small sample by default; 2,000 in
the slow test)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import games
from agents.solver import Solver
from agents.solver import bitboard as bb
from agents.solver.book import BOOK_PLY, BookError, dist_to_pons, from_records, load_book

GAME = games.make("connect4")


@pytest.fixture(scope="module")
def with_book() -> Solver:
    return Solver(GAME)


@pytest.fixture(scope="module")
def without_book() -> Solver:
    return Solver(GAME, book=False)


def random_positions(count: int, low: int, high: int, seed: int) -> list[str]:
    """Distinct positions after `low..high` random legal moves that do not end the game."""
    rng = np.random.default_rng(seed)
    seen: dict[str, None] = {}
    while len(seen) < count:
        state, actions = GAME.init(), []
        for _ in range(int(rng.integers(low, high + 1))):
            legal = GAME.legal_actions(state)
            action = int(legal[int(rng.integers(len(legal)))])
            state = GAME.play(state, action)
            actions.append(action)
            if bool(state.terminal):
                break
        if not bool(state.terminal):
            seen[GAME.moves_to_str(actions)] = None
    return list(seen)


def test_distance_bytes_decode_to_pons_scores():
    # bitbully-databases' documented examples: 71 = the first player wins in 29 plies, i.e. with
    # its 21st stone (22 - 21 = 1); -88 = it loses in 12 plies, to the opponent's 12th stone.
    assert dist_to_pons(np.array([71, 73, 97, 0, -70, -88, -98], np.int8)).tolist() == [1, 2, 14, 0, -1, -10, -15]


def test_book_loads_whole_and_sorted():
    book = load_book()
    assert book.entries == 4_200_899 and book.ply == BOOK_PLY
    assert np.all(np.diff(book.keys.astype(np.int64)) > 0)
    assert book.scores.min() >= -18 and book.scores.max() <= 18
    assert 20 * 2**20 < book.nbytes < 23 * 2**20


def test_damaged_book_is_refused():
    records = np.zeros(3, dtype=[("code", ">i4"), ("value", "i1")])
    records["code"] = [5, 3, 9]  # out of order
    with pytest.raises(BookError, match="damaged"):
        from_records(records)
    records["code"] = [3, 5, 9]
    records["value"] = [0, 72, 0]  # an even win byte does not exist
    with pytest.raises(BookError, match="damaged"):
        from_records(records)


def test_probe_finds_both_mirror_images(without_book):
    """Every 12-stone position where the mover cannot win at once is in the book, whichever of
    its two mirror images the file stores, with the search's exact score."""
    book = load_book()
    backend = without_book.backend
    found = 0
    for moves in random_positions(40, BOOK_PLY, BOOK_PLY, seed=3):
        mirrored = "".join(str(8 - int(c)) for c in moves)
        cur, mask, n = backend.parse(moves)
        if bb.can_win_next(np.uint64(cur), np.uint64(mask), backend.P, backend.M):
            continue
        expected = without_book.solve(moves).score
        for text in (moves, mirrored):
            c, m, _ = backend.parse(text)
            got = bb.book_probe(np.uint64(c), np.uint64(m), n, backend.P, book.keys, book.scores, book.index)
            assert got == expected, text
        found += 1
    assert found >= 20


def test_empty_board_from_the_book(with_book):
    result = with_book.analyze("")
    assert result.move_scores == [-2, -1, 0, 1, 0, -1, -2] and result.exact
    assert result.book_hits > 0 and result.nodes > 0


def test_only_standard_connect_four_has_a_book():
    assert Solver("connect4:rows=5,cols=6").backend.book is None
    assert Solver("connect4:rows=6,cols=7,k=3").backend.book is None
    assert Solver("tictactoe").backend.book_hits == 0
    assert Solver(GAME, book=False).backend.book is None


def _agree(with_book: Solver, without_book: Solver, positions: list[str]) -> None:
    for moves in positions:
        a, b = with_book.solve(moves), without_book.solve(moves)
        assert a.score == b.score, moves


def test_book_agrees_with_search_sample(with_book, without_book):
    # 11..14 plies keeps the pure search short; the slow test covers 8..14
    _agree(with_book, without_book, random_positions(12, 11, 14, seed=1))


def test_analysis_agrees_with_search_at_twelve_and_thirteen_stones(with_book, without_book):
    for moves in random_positions(4, 11, 12, seed=2):
        assert with_book.analyze(moves).move_scores == without_book.analyze(moves).move_scores, moves


@pytest.mark.slow
def test_book_agrees_with_search_2000_positions(with_book, without_book):
    _agree(with_book, without_book, random_positions(2000, 8, 14, seed=12))


def test_cli_no_book_flag(capsys):
    from arena.cli import main

    assert main(["solve", "connect4", "--json", "--no-book", "4453445"]) == 0
    pure = json.loads(capsys.readouterr().out)
    assert main(["solve", "connect4", "--json", "4453445"]) == 0
    booked = json.loads(capsys.readouterr().out)
    assert pure["score"] == booked["score"] and pure["book_hits"] == 0 and booked["book_hits"] > 0
    assert booked["nodes"] < pure["nodes"]


def test_uci_database_ships_whole():
    from agents.solver import load_uci

    data = load_uci()
    labels = np.array([label for _, label in data])
    assert len(data) == 67_557
    assert [(labels == v).sum() for v in (1, -1, 0)] == [44_473, 16_635, 6_449]


def test_uci_outcomes_with_the_book(with_book):
    """The UCI / Tromp labels (win/draw/loss for the first player, to move) on a seeded sample."""
    from agents.solver import load_uci, outcome_class

    data = load_uci()
    rng = np.random.default_rng(8)
    for i in rng.choice(len(data), 150, replace=False):
        board, label = data[int(i)]
        assert outcome_class(with_book.solve(board, weak=True).score) == label
