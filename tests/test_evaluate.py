"""Mistake rates against perfect play: the solver makes none, random makes many."""

from __future__ import annotations

import json

import pytest

import agents
import games
from agents.solver import Judge, load_pons_set
from arena.cli import main
from arena.evaluate import EvalError, all_openings, mistake_report, read_positions, sample, vs_solver

C4 = games.make("connect4")
TTT = games.make("tictactoe")


@pytest.fixture(scope="module")
def c4_judge():
    return Judge(C4)


def test_solver_makes_no_mistakes_on_pons_positions(c4_judge):
    solver_agent = agents.make("solver", C4, seed=0)
    for name, count in (("end-easy", 30), ("middle-easy", 10)):
        positions = sample(load_pons_set(name), count, seed=1)
        report = mistake_report(solver_agent, C4, name, positions, judge=c4_judge)
        assert report.positions == count and report.mistakes == 0 and report.rate == 0.0
        low, high = report.interval
        assert low == 0.0 and 0 < high < 0.4


def test_random_makes_many_mistakes(c4_judge):
    positions = sample(load_pons_set("end-easy"), 80, seed=2)
    report = mistake_report(agents.make("random", C4, seed=0), C4, "end-easy", positions, judge=c4_judge)
    assert 0.1 < report.rate < 0.8  # ~27% measured on 100 positions
    assert report.interval[0] > 0.05
    # losing positions can never hold a mistake
    assert report.by_class["loss"][1] == 0


def test_unlabelled_file_is_labelled_by_the_solver(tmp_path):
    path = tmp_path / "ttt.txt"
    path.write_text("# X took the centre; O must take a corner\n5\n1 0\n")
    positions = read_positions(TTT, path)
    assert positions == [("5", None), ("1", 0)]
    edge = FirstEdgeAfterCentre(TTT, "edge")
    report = mistake_report(edge, TTT, "file", positions[:1])
    assert report.mistakes == 1 and report.by_class["draw"] == [1, 1]  # an edge reply loses
    report = mistake_report(agents.make("solver", TTT), TTT, "file", positions)
    assert report.mistakes == 0


class FirstEdgeAfterCentre(agents.Agent):
    def decide(self, state, key=None):
        return agents.Decision(action=1)  # cell 2, an edge


def test_bad_position_files(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("5 x\n")
    with pytest.raises(EvalError, match="bad.txt:1"):
        read_positions(TTT, path)
    path.write_text("55\n")
    with pytest.raises(EvalError, match="bad position"):
        read_positions(TTT, path)
    with pytest.raises(EvalError, match="cannot read"):
        read_positions(TTT, tmp_path / "missing.txt")


def test_vs_solver_perfect_agent_always_achieves_the_value():
    assert len(all_openings(TTT, 1)) == 9 and len(all_openings(TTT, 2)) == 72
    report = vs_solver("solver:depth=9", TTT, plies=1)
    assert report.games == 18 and report.achieved == 18 and report.by_class["draw"] == [18, 18]
    assert report.held == (18, 18) and report.agent_mistakes == 0 and report.first_mistakes == []
    games = []
    weak = vs_solver("random", TTT, plies=1, seed=3, on_game=games.append)
    assert weak.achieved < weak.games
    # every lost draw holds a first mistake of the agent; the perfect solver never errs
    assert weak.held == (weak.achieved, 18) and len(games) == 18
    lost = [g for g in games if not g["kept"]]
    assert len(weak.first_mistakes) >= len(lost) > 0 and weak.agent_mistakes >= len(lost)
    assert all(g["first_mistake"]["player"] == g["agent_seat"] for g in lost)


def test_eval_cli_json_and_errors(capsys):
    code = main(["eval", "solver", "--set", "end-easy", "--limit", "10", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["sets"][0]["mistakes"] == 0 and data["sets"][0]["positions"] == 10
    code = main(["eval", "random", "--set", "no-such-set"])
    err = capsys.readouterr().err
    assert code == 2 and "unknown test set" in err and len(err.strip().splitlines()) == 1
    code = main(["eval", "random", "--game", "tictactoe", "--set", "end-easy"])
    assert code == 2 and "standard connect-four" in capsys.readouterr().err
