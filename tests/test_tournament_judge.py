"""Every tournament game judged against perfect play: records, accuracy, the table, old files."""

from __future__ import annotations

import json

import pytest

import games
from agents.solver import Judge
from arena.cli import main
from arena.match import GameRecord
from arena.tournament import RESULTS_FILE, TournamentRun, accuracy, format_table
from tests.test_match import AlwaysCellOne, FirstLegal, InterruptAfter
from tests.test_tournament import config_for, four_agents

TTT = games.make("tictactoe")


def test_every_record_is_judged_and_accuracy_adds_up(tmp_path):
    config = config_for(["random", "first", "last", "keyed"])
    run = TournamentRun(config, tmp_path / "t")
    assert run.play(four_agents())
    judge = Judge(TTT)
    lines = [json.loads(line) for line in (tmp_path / "t" / "games.jsonl").read_text().splitlines()]
    for data in lines:
        record = GameRecord.from_json(data)
        agent_moves = record.plies - len(record.opening)
        assert sum(record.judged["moves"]) == agent_moves and record.judged["unjudged"] == [0, 0]
        expected = judge.judge_game([int(c) - 1 for c in record.moves], opening_plies=len(record.opening))
        assert record.judged["mistakes"] == list(expected.mistakes)
        first = expected.first_mistake
        assert (record.first_mistake is None) == (first is None)
        if first is not None:
            assert record.first_mistake == {**first.to_json(TTT), "agent": record.players[first.player]}
    results = json.loads((tmp_path / "t" / RESULTS_FILE).read_text())["accuracy"]
    assert results["games_judged"] == len(lines) == 48 and results["games_not_judged"] == 0
    for name, entry in results["agents"].items():
        mine = [(d, d["players"].index(name)) for d in lines if name in d["players"]]
        judged = sum(d["judged"]["moves"][seat] for d, seat in mine)
        mistakes = sum(d["judged"]["mistakes"][seat] for d, seat in mine)
        assert entry["moves_judged"] == judged > 0 and entry["mistakes"] == mistakes
        assert entry["accuracy"] == round(1 - mistakes / judged, 6)


def test_an_illegal_move_is_the_first_mistake_of_its_game(tmp_path):
    config = config_for(["first", "bad"], games_per=4)
    run = TournamentRun(config, tmp_path / "p")
    run.play({"first": FirstLegal(TTT, "first"), "bad": AlwaysCellOne(TTT, "bad")})
    for record in run.records.values():
        seat = record.players.index("bad")
        assert record.forfeit and record.judged["mistakes"][seat] >= 1
        if record.first_mistake["after"] == "illegal":
            assert record.first_mistake["agent"] == "bad" and record.first_mistake["move"] is None
    table = format_table(run.write_results())
    header = next(line for line in table.splitlines() if line.lstrip().startswith("rank"))
    assert header.split()[-2:] == ["accuracy", "mistakes"]
    bad = next(line for line in table.splitlines() if line.split()[1:2] == ["bad"])
    entry = run.results()["accuracy"]["agents"]["bad"]
    assert bad.split()[-1] == f"{entry['mistakes']}/{entry['moves_judged']}"
    assert bad.split()[-2] == f"{100 * entry['accuracy']:.1f}%"
    assert "keep the game-theoretic value" in table


def test_judging_turned_off_or_impossible_says_so(tmp_path):
    config = config_for(["first", "bad"], games_per=2)
    run = TournamentRun(config, tmp_path / "off", judge=False)
    run.play({"first": FirstLegal(TTT, "first"), "bad": AlwaysCellOne(TTT, "bad")})
    assert run.judge is None and "turned off" in run.judge_note
    assert all(r.judged is None and r.first_mistake is None for r in run.records.values())
    results = run.write_results()
    assert results["accuracy"]["games_not_judged"] == 2
    assert "accuracy: not measured" in format_table(results)
    big = games.make("tictactoe:rows=4,cols=4,k=3")  # only the Python minimax searches it
    run = TournamentRun(config_for(["first", "bad"], games_per=2, game=big), tmp_path / "big")
    assert run.judge is None and "at most 12 cells" in run.judge_note


def test_old_records_without_judgement_still_resume(tmp_path):
    """games.jsonl written before judging existed: loaded, resumed, the same W/D/L and ratings."""
    config = config_for(["random", "first", "last", "keyed"])
    straight = TournamentRun(config, tmp_path / "straight")
    straight.play(four_agents())
    agents = four_agents()
    agents["last"] = InterruptAfter(agents["last"], 14)
    broken = TournamentRun(config, tmp_path / "old")
    with pytest.raises(KeyboardInterrupt):
        broken.play(agents)
    path = tmp_path / "old" / "games.jsonl"
    old = []
    for line in path.read_text().splitlines():
        data = json.loads(line)
        del data["judged"], data["first_mistake"]
        old.append(json.dumps(data, sort_keys=True))
    path.write_text("\n".join(old) + "\n")
    resumed = TournamentRun.resume(tmp_path / "old")
    assert resumed.finished == len(old) > 0
    assert resumed.play(four_agents())
    mine, theirs = resumed.results(), straight.results()
    assert mine["accuracy"]["games_not_judged"] == len(old)
    assert mine["accuracy"]["games_judged"] == resumed.total - len(old)
    del mine["accuracy"], theirs["accuracy"]
    assert mine == theirs


def test_accuracy_of_no_games_is_empty_not_an_error():
    result = accuracy(["a", "b"], [])
    assert result["games_judged"] == 0 and result["agents"]["a"] == {
        "moves_judged": 0, "mistakes": 0, "moves_unjudged": 0, "accuracy": None}


def test_cli_prints_the_judge_the_mistake_token_and_the_column(capsys, tmp_path):
    code = main(["tournament", "--game", "tictactoe", "--agents", "random", "solver", "--games", "4",
                 "--out", str(tmp_path / "c")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "judge: every move judged against perfect play" in out
    games_lines = [line for line in out.splitlines() if line.startswith("game=")]
    assert len(games_lines) == 4 and all(" mistake=" in line for line in games_lines)
    solver_row = next(line for line in out.splitlines() if line.split()[1:2] == ["solver"])
    assert solver_row.split()[-2] == "100.0%" and solver_row.split()[-1].startswith("0/")
