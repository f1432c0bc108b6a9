"""The exhaustive solver against independent oracles: the examples of docs/references.md, Pons'
sets, the UCI database, and a plain retrograde minimax built on the JAX rules (games.enumerate + step)."""

from __future__ import annotations

import functools
import json

import jax
import numpy as np
import pytest

import agents
import games
from agents.solver import (
    DatasetError,
    PositionError,
    Solver,
    label_positions,
    load_pons_set,
    load_uci,
    outcome_class,
)
from agents.solver.datasets import PONS_SETS, parse_uci_line
from arena.cli import main as arena_main
from games.core import winning_lines
from tests.conftest import DATA


# ---- an independent oracle: plain minimax over every reachable board, from the rules' lines ----
def plain_minimax(spec: str) -> dict[bytes, tuple[int, np.ndarray]]:
    """board bytes -> (score, [A] move scores, -99 for illegal) for every non-terminal position.

    No pruning, no move ordering: every reachable position is expanded. Scores by Pons'
    definition (docs/references.md) generalized to any board: a win scores (cells + 1) // 2 + 1
    - (the winner's stones at the end), a loss the negative, a draw 0.
    """
    game = games.make(spec)
    cfg = game.config
    cells, half = cfg.num_cells, (cfg.num_cells + 1) // 2
    through = [[] for _ in range(cells)]
    for line in winning_lines(cfg.rows, cfg.cols, cfg.k).tolist():
        for cell in line:
            through[cell].append(line)
    table: dict[bytes, tuple[int, np.ndarray]] = {}

    def landing(board, action):
        if not cfg.gravity:
            return action if board[action] == 0 else None
        for r in range(cfg.rows - 1, -1, -1):
            if board[r * cfg.cols + action] == 0:
                return r * cfg.cols + action
        return None

    def value(board: list, stones: int) -> int:
        key = bytes(np.asarray(board, np.int8))
        if key in table:
            return table[key][0]
        stone = 1 if stones % 2 == 0 else -1
        scores = np.full(game.num_actions, -99, np.int64)
        for action in range(game.num_actions):
            cell = landing(board, action)
            if cell is None:
                continue
            board[cell] = stone
            if any(all(board[i] == stone for i in line) for line in through[cell]):
                scores[action] = half + 1 - (stones // 2 + 1)
            elif stones + 1 == cells:
                scores[action] = 0
            else:
                scores[action] = -value(board, stones + 1)
            board[cell] = 0
        table[key] = (int(scores.max()), scores)
        return table[key][0]

    value([0] * cells, 0)
    return table


@functools.cache
def tictactoe_oracle():
    return plain_minimax("tictactoe")


@pytest.fixture(scope="module")
def c4() -> Solver:
    """One connect-four solver for the module (its 64 MiB table is allocated once)."""
    return Solver("connect4")


@pytest.fixture(scope="module")
def c4_search() -> Solver:
    """The same without the opening book: pure search, for budgets that must run out."""
    return Solver("connect4", book=False, tt_bits=20)


def test_anchor_examples(c4):
    solver = c4
    assert solver.solve("4455").score == 18
    assert solver.solve("44455554221").score == -15
    assert solver.solve("4455").exact


def test_tictactoe_agrees_with_plain_minimax_on_all_4520_positions():
    oracle = tictactoe_oracle()
    assert len(oracle) == 4520
    solver = Solver("tictactoe")
    for key, (score, move_scores) in oracle.items():
        board = np.frombuffer(key, np.int8)
        result = solver.analyze(board)
        assert result.score == score
        got = np.asarray([-99 if s is None else s for s in result.move_scores])
        np.testing.assert_array_equal(got, move_scores)


def test_tictactoe_empty_board_is_a_draw_with_every_first_move_drawing():
    result = Solver("tictactoe").analyze("")
    assert result.score == 0 and result.exact
    assert result.move_scores == [0] * 9


@pytest.mark.parametrize("spec", [
    "connect4:rows=3,cols=4,k=3",
    pytest.param("connect4:rows=4,cols=4,k=4", marks=pytest.mark.slow),
    pytest.param("connect4:rows=4,cols=5,k=3", marks=pytest.mark.slow),
])
def test_small_connect_k_boards_solved_completely(spec):
    oracle = plain_minimax(spec)
    solver = Solver(spec)
    assert solver.uses_bitboard
    for key, (score, _move_scores) in oracle.items():
        board = np.frombuffer(key, np.int8)
        assert solver.solve(board).score == score, (spec, board)
    # every move of a fixed sample, through analyze
    keys = list(oracle)
    rng = np.random.default_rng(0)
    for i in rng.choice(len(keys), size=min(200, len(keys)), replace=False):
        board = np.frombuffer(keys[i], np.int8)
        got = [-99 if s is None else s for s in solver.analyze(board).move_scores]
        assert got == oracle[keys[i]][1].tolist()


def test_symmetric_positions_analysed_by_halves_agree_with_plain_minimax():
    """analyze() solves only half the moves of a mirror-symmetric position; the table is keyed by
    the smaller of a position and its mirror image below 24 stones: both must stay exact."""
    spec = "connect4:rows=3,cols=4,k=3"
    oracle = plain_minimax(spec)
    solver = Solver(spec)
    checked = 0
    for key, (_score, move_scores) in oracle.items():
        board = np.frombuffer(key, np.int8).reshape(3, 4)
        if (board == board[:, ::-1]).all():
            got = [-99 if s is None else s for s in solver.analyze(board.reshape(-1)).move_scores]
            assert got == move_scores.tolist(), board
            checked += 1
    assert checked > 10


def _pons_subset():
    out = []
    for line in (DATA / "pons_subset.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, moves, score = line.split()
            out.append((name, moves, int(score)))
    return out


def test_pons_subset_exact_scores(c4):
    solver = c4
    subset = _pons_subset()
    assert len(subset) == 90
    for name, moves, score in subset:
        assert solver.solve(moves).score == score, (name, moves)
    assert label_positions("connect4", [m for _, m, _ in subset[:5]], solver=solver).tolist() == [
        s for _, _, s in subset[:5]
    ]


def _uci_subset():
    return [parse_uci_line(line) for line in (DATA / "uci_sample.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def test_uci_subset_win_draw_loss(c4):
    solver = c4
    subset = _uci_subset()
    assert len(subset) == 200
    for board, label in subset[:3]:
        assert np.count_nonzero(board) == 8
        assert outcome_class(solver.solve(board, weak=True).score) == label


@pytest.mark.slow
def test_uci_subset_all_200():
    solver = Solver("connect4")
    for board, label in _uci_subset():
        assert outcome_class(solver.solve(board, weak=True).score) == label


@pytest.mark.slow
@pytest.mark.parametrize("name", ["end-easy", "middle-easy", "middle-medium", "begin-easy", "begin-medium"])
def test_pons_full_sets(name):
    solver = Solver("connect4")
    for moves, score in load_pons_set(name):
        assert solver.solve(moves).score == score, moves


@pytest.mark.slow
def test_pons_begin_hard_sample_of_50():
    import random

    solver = Solver("connect4")
    for moves, score in random.Random(0).sample(load_pons_set("begin-hard"), 50):
        assert solver.solve(moves).score == score, moves


@pytest.mark.slow
def test_empty_board_analysis():
    assert Solver("connect4").analyze("").move_scores == [-2, -1, 0, 1, 0, -1, -2]


def test_pons_sets_ship_with_the_package():
    for name in PONS_SETS:
        assert len(load_pons_set(name)) == 1000
    assert load_pons_set("Test_L3_R1") == load_pons_set("end-easy")
    with pytest.raises(DatasetError, match="valid sets"):
        load_pons_set("nope")


def test_uci_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        load_uci(tmp_path / "missing.data")


def test_uci_encoding_is_column_major_from_the_bottom():
    # a1 = x (bottom-left), a2 = o above it, g1 = x (bottom-right)
    cells = ["b"] * 42
    cells[0], cells[36], cells[6], cells[1] = "x", "o", "x", "o"  # a1 x, g1 o, b1 x, a2 o
    board, label = parse_uci_line(",".join(cells) + ",draw")
    grid = board.reshape(6, 7)
    assert grid[5, 0] == 1 and grid[4, 0] == -1 and grid[5, 6] == -1 and label == 0
    assert np.array_equal(board, np.asarray(games.make("connect4").from_moves("1721").board))


def test_bad_positions_raise_one_line_errors(c4):
    solver = c4
    with pytest.raises(PositionError, match="move 4"):
        solver.solve("4448")
    with pytest.raises(PositionError, match="full"):
        solver.solve("4444444")
    with pytest.raises(PositionError, match="already over"):
        solver.solve("1212121")  # X completes four in column 1
    with pytest.raises(PositionError, match="move 8"):
        solver.solve("12121213")  # a move after the win


def test_budget_fallback_is_marked_inexact(c4_search):
    solver = c4_search
    shallow = solver.solve("", depth=2)
    assert not shallow.exact and shallow.depth == 2 and -1 < shallow.score < 1
    timed = solver.analyze("44", time_s=0.05)
    assert not timed.exact and timed.depth >= 1 and len(timed.move_scores) == 7
    # a budget that suffices gives the exact answer
    end = solver.solve("2252576253462244111563365343671351441", depth=20)
    assert end.exact and end.score == -1
    assert solver.solve("2252576253462244111563365343671351441", time_s=1.0).score == -1


def test_depth_search_finds_and_blocks_immediate_threats(c4):
    solver = c4
    # X has three in column 1: X to move wins at once with its 4th stone (22 - 4 = 18).
    win = solver.analyze("121212", depth=1)
    assert win.best_moves == [0] and win.move_scores[0] == 18
    # O to move must block column 1; every other move loses at once (X's 4th stone).
    block = solver.analyze("12121", depth=2)
    assert block.best_moves == [0]
    assert all(s == -18 for a, s in enumerate(block.move_scores) if a != 0)


# ---- the agent -------------------------------------------------------------------------------
def test_agent_specs():
    game = games.make("connect4")
    assert agents.make("solver", game).depth is None
    assert agents.make("solver:depth=3", game).depth == 3
    assert agents.make("solver:time=0.5", game).time_s == 0.5
    for bad in ("solver:depth=0", "solver:depth=x", "solver:time=-1", "solver:time=0",
                "solver:depth=2,time=1", "solver:foo=1"):
        with pytest.raises(games.SpecError):
            agents.make(bad, game)


def test_agent_prefers_the_fastest_win_and_explains_it():
    game = games.make("tictactoe")
    agent = agents.make("solver", game, seed=1)
    # X holds 1 and 2, O holds 4 and 5: X wins at once in 3 with its 3rd stone (6 - 3 = 3);
    # 7 also wins later, slower, and must not be preferred.
    decision = agent.decide(game.from_moves("1425"))
    assert decision.action == 2
    assert decision.info["move_scores"][2] == 3 and decision.info["exact"]
    assert decision.info["text"] == "win in 1"
    assert decision.q_values[2] == pytest.approx(decision.value)


def test_agent_text_counts_the_movers_stones(c4):
    game = games.make("connect4")
    agent = agents.make("solver", game)
    agent.solver = c4
    moves, score = next((m, s) for m, s in load_pons_set("end-easy") if s > 0)
    decision = agent.decide(game.from_moves(moves))
    assert decision.info["score"] == score
    assert decision.info["text"] == f"win in {22 - score - len(moves) // 2}"


def test_agent_ties_vary_with_the_key():
    game = games.make("tictactoe")
    agent = agents.make("solver", game, seed=0)
    state = game.init()
    chosen = {agent.decide(state, jax.random.key(i)).action for i in range(20)}
    assert len(chosen) > 1  # every first move draws


def test_agent_never_loses_a_won_or_drawn_tictactoe_position():
    """As X from the empty board and as O after every first move, against every reply."""
    game = games.make("tictactoe")
    oracle = tictactoe_oracle()
    agent = agents.make("solver", game, seed=0)
    seen: dict[tuple[bytes, int], int] = {}

    def worst(state, agent_player: int) -> int:
        """Worst outcome (+1/0/-1 for the agent) over all opponent replies."""
        if bool(state.terminal):
            w = game.winner(state)
            return 0 if w is None else (1 if w == agent_player else -1)
        key = (np.asarray(state.board).tobytes(), agent_player)
        if key not in seen:
            if int(state.player) == agent_player:
                score = oracle[key[0]][0]
                action = agent.decide(state, jax.random.key(int(state.ply))).action
                assert oracle[key[0]][1][action] == score  # an optimal move, every time
                seen[key] = worst(game.play(state, action), agent_player)
            else:
                seen[key] = min(worst(game.play(state, a), agent_player) for a in game.legal_actions(state))
        return seen[key]

    assert worst(game.init(), 0) == 0  # the value of the game: a draw
    for first in range(9):
        state = game.from_moves([first])
        expected = outcome_class(oracle[np.asarray(state.board).tobytes()][0])
        assert worst(state, 1) >= expected
    assert len([k for k in seen if k[1] == 0]) > 50


@pytest.mark.parametrize("name", ["end-easy", "middle-easy"])
def test_agent_keeps_connect_four_results_against_random_replies(name):
    game = games.make("connect4")
    agent = agents.make("solver", game, seed=0)
    rng = np.random.default_rng(0)
    lines = [(m, s) for m, s in load_pons_set(name) if s >= 0][:3]
    for moves, score in lines:
        state = game.from_moves(moves)
        me = int(state.player)
        while not bool(state.terminal):
            if int(state.player) == me:
                action = agent.select_move(state, jax.random.key(int(state.ply)))
            else:
                action = int(rng.choice(game.legal_actions(state)))
            state = game.play(state, action)
        w = game.winner(state)
        outcome = 0 if w is None else (1 if w == me else -1)
        assert outcome >= outcome_class(score), moves


# ---- the command line --------------------------------------------------------------------------
def test_cli_solve_text_and_json(capsys):
    assert arena_main(["solve", "connect4", "4455", "44455554221"]) == 0
    assert capsys.readouterr().out.splitlines() == ["4455 18", "44455554221 -15"]
    assert arena_main(["solve", "tictactoe", "--analyze", "--json", "5"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["position"] == "5" and record["score"] == 0 and record["exact"] is True
    assert record["move_scores"] == [0, -2, 0, -2, None, -2, 0, -2, 0]
    assert record["best_moves"] == [1, 3, 7, 9]
    assert set(record) >= {"nodes", "seconds"}


def test_cli_bad_line_continues_and_exits_nonzero(capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("4455\n4458x\n1212121\n44455554221\n"))
    assert arena_main(["solve", "connect4", "--json"]) == 1
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert [r.get("score") for r in records] == [18, None, None, -15]
    assert "line 2 ('4458x'): move 4 ('8')" in captured.err
    assert "line 3" in captured.err and "already over" in captured.err
    assert "Traceback" not in captured.err
