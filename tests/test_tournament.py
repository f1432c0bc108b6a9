"""Tournaments: schedule and colour swap, resume after Ctrl-C, degenerate results, CLI errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import games
from agents.random_agent import RandomAgent
from arena.cli import main
from arena.openings import random_openings, read_openings
from arena.tournament import (
    RESULTS_FILE,
    TournamentConfig,
    TournamentError,
    TournamentRun,
    format_table,
    schedule,
)
from tests.test_match import AlwaysCellOne, FirstLegal, InterruptAfter, KeyedRandom, LastLegalBatched

TTT = games.make("tictactoe")
C4 = games.make("connect4")


def four_agents():
    return {"random": RandomAgent(TTT, "random", 5), "first": FirstLegal(TTT, "first"),
            "last": LastLegalBatched(TTT), "keyed": KeyedRandom(TTT, "keyed")}


def config_for(names, *, games_per=8, plies=2, fmt="round-robin", concurrency=8, game=TTT, seed=11):
    openings = random_openings(game, plies, games_per // 2, seed=seed)
    return TournamentConfig(game=game.spec, agents=tuple(names), games=games_per, format=fmt,
                            openings=tuple(openings), openings_source=f"random {plies}-ply", seed=seed,
                            concurrency=concurrency)


def test_schedule_colour_swaps_every_pair_from_one_opening():
    config = config_for(["a", "b", "c"], games_per=6)
    jobs = schedule(config)
    assert len(jobs) == 3 * 6 and [j.index for j in jobs] == list(range(18))
    by_pair: dict[int, list] = {}
    for job in jobs:
        by_pair.setdefault(job.pair, []).append(job)
    for pair in by_pair.values():
        assert len(pair) == 2 and pair[0].players == pair[1].players[::-1]
        assert pair[0].opening == pair[1].opening and len(pair[0].opening) == 2
    for a, b in [("a", "b"), ("a", "c"), ("b", "c")]:
        mine = [j for j in jobs if set(j.players) == {a, b}]
        assert len(mine) == 6 and sum(j.players[0] == a for j in mine) == 3
    gauntlet = schedule(config_for(["a", "b", "c"], games_per=4, fmt="gauntlet"))
    assert all("a" in j.players for j in gauntlet) and len(gauntlet) == 8


def test_bad_settings_are_one_line_errors():
    with pytest.raises(TournamentError, match="twice"):
        config_for(["a", "a"])
    with pytest.raises(TournamentError, match="even"):
        config_for(["a", "b"], games_per=3)
    with pytest.raises(TournamentError, match="format"):
        config_for(["a", "b"], fmt="swiss")


def test_interrupted_and_resumed_tournament_gives_identical_results(tmp_path):
    config = config_for(["random", "first", "last", "keyed"])
    straight = TournamentRun(config, tmp_path / "straight")
    assert straight.play(four_agents())
    reference = (tmp_path / "straight" / RESULTS_FILE).read_bytes()

    agents = four_agents()
    agents["last"] = InterruptAfter(agents["last"], 14)
    broken = TournamentRun(config, tmp_path / "broken")
    with pytest.raises(KeyboardInterrupt):
        broken.play(agents)
    assert 0 < broken.finished < broken.total  # stopped part-way, inside a wave
    state = json.loads((tmp_path / "broken" / "state.json").read_text())
    assert state["snapshot"]["running"]
    resumed = TournamentRun.resume(tmp_path / "broken")
    assert resumed.finished == broken.finished
    assert resumed.play(four_agents())
    assert (tmp_path / "broken" / RESULTS_FILE).read_bytes() == reference
    lines = (tmp_path / "broken" / "games.jsonl").read_text().splitlines()
    assert len(lines) == resumed.total == 48  # nothing lost, nothing replayed
    moves = lambda folder: sorted(  # noqa: E731
        (r["index"], r["moves"]) for r in map(json.loads, (tmp_path / folder / "games.jsonl").read_text().splitlines()))
    assert moves("broken") == moves("straight")


def test_results_count_wdl_colours_and_pairs(tmp_path):
    config = config_for(["first", "last"], games_per=6)
    run = TournamentRun(config, tmp_path / "t")
    run.play({"first": FirstLegal(TTT, "first"), "last": LastLegalBatched(TTT)})
    results = json.loads((tmp_path / "t" / RESULTS_FILE).read_text())
    p = results["pairings"][0]
    assert p["a_wins"] + p["draws"] + p["b_wins"] == p["games"] == 6
    for key in ("w", "d", "l"):
        assert p["a_as_first"][key] + p["a_as_second"][key] == {"w": p["a_wins"], "d": p["draws"], "l": p["b_wins"]}[key]
    assert sum(p["pentanomial"].values()) == 3
    assert results["complete"] and results["ratings"]["agents"][0]["games"] == 6
    record = json.loads((tmp_path / "t" / "games.jsonl").read_text().splitlines()[0])
    assert set(record) >= {"opening", "players", "moves", "result", "reason", "times_ms"}


def test_two_deterministic_agents_play_distinct_games(tmp_path):
    config = config_for(["first", "last"], games_per=40, plies=2, game=C4, concurrency=40)
    assert len(set(config.openings)) == 20
    run = TournamentRun(config, tmp_path / "c4")
    run.play({"first": FirstLegal(C4, "first"), "last": LastLegalBatched(C4)})
    distinct = {r.moves for r in run.records.values()}
    assert len(run.records) == 40 and len(distinct) >= 20


def test_perfect_score_prints_bounds(tmp_path):
    config = config_for(["first", "bad"], games_per=4)
    run = TournamentRun(config, tmp_path / "p")
    run.play({"first": FirstLegal(TTT, "first"), "bad": AlwaysCellOne(TTT, "bad")})
    results = run.write_results()
    json.dumps(results, allow_nan=False)
    table = format_table(results)
    assert ">=" in table and "<=" in table and "inf" not in table and "nan" not in table
    assert results["ratings"]["regularized"] and results["pairings"][0]["a_wins"] == 4
    assert results["reasons"] == {"illegal move": 4}


def test_all_draws_say_so(tmp_path):
    config = TournamentConfig(game=TTT.spec, agents=("solver", "solver:depth=9"), games=4, openings=("",),
                              seed=0, concurrency=4)
    import agents

    run = TournamentRun(config, tmp_path / "d")
    run.play({spec: agents.make(spec, TTT, seed=0) for spec in config.agents})
    results = run.write_results()
    assert results["all_draws"] and results["ratings"]["all_draws"]
    assert "were draws" in format_table(results)
    assert all(math.isfinite(a["elo"]["value"]) for a in results["ratings"]["agents"])


def test_openings_file(tmp_path):
    path = tmp_path / "open.txt"
    path.write_text("# two openings\n4453 -3\n\n1\n")
    assert read_openings(C4, path) == ["4453", "1"]
    path.write_text("4453\n4448888\n")
    with pytest.raises(Exception, match=r"open.txt:2"):
        read_openings(C4, path)


# ---- the command line ----------------------------------------------------------------------

def cli(capsys, *argv):
    code = main(["tournament", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, message", [
    (["--game", "tictactoe", "--agents", "random", "bogus:x=1"], "unknown agent 'bogus'"),
    (["--game", "tictactoe", "--agents", "random", "random:sims="], "malformed option"),
    (["--game", "chess", "--agents", "random", "solver"], "unknown game 'chess'"),
    (["--game", "tictactoe", "--agents", "random", "solver", "--openings-file", "/no/such/file"], "cannot read"),
    (["--game", "tictactoe", "--agents", "random", "solver", "--games", "3"], "even"),
])
def test_cli_errors_are_one_line(capsys, tmp_path, argv, message):
    code, out, err = cli(capsys, *argv, "--out", str(tmp_path / "x"))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "x").exists()  # nothing written for bad settings


def test_cli_runs_resumes_and_rejects_corrupt_state(capsys, tmp_path):
    folder = tmp_path / "run"
    code, out, err = cli(capsys, "--game", "tictactoe", "--agents", "random", "solver:depth=1", "--games", "4",
                         "--out", str(folder), "--plot")
    assert code == 0, err
    game_lines = [line for line in out.splitlines() if line.startswith("game=")]
    assert len(game_lines) == 4 and all("result=" in line and "first=" in line for line in game_lines)
    assert "rank" in out and (folder / "ratings.png").stat().st_size > 1000
    # resuming a finished tournament plays nothing and keeps the results
    before = (folder / RESULTS_FILE).read_bytes()
    code, out, err = cli(capsys, "--resume", str(folder))
    assert code == 0 and "4/4 games already played" in out
    assert (folder / RESULTS_FILE).read_bytes() == before
    # an existing folder is not overwritten
    code, out, err = cli(capsys, "--game", "tictactoe", "--agents", "random", "solver", "--out", str(folder))
    assert code == 2 and "--resume" in err
    # a corrupt state file: one line, nothing deleted or changed
    games_file = folder / "games.jsonl"
    games_file.write_text(games_file.read_text()[:-20] + "\n")
    snapshot = {p.name: p.read_bytes() for p in folder.iterdir()}
    code, out, err = cli(capsys, "--resume", str(folder))
    assert code == 2 and "corrupt" in err and len(err.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == snapshot
    (folder / "config.json").write_text("{not json")
    code, out, err = cli(capsys, "--resume", str(folder))
    assert code == 2 and "config.json" in err and len(err.strip().splitlines()) == 1
    code, out, err = cli(capsys, "--resume", str(tmp_path / "nothing"))
    assert code == 2 and "not a folder" in err


def test_cli_match_sprt_stops(capsys, tmp_path):
    code = main(["match", "solver:depth=2", "random", "--game", "tictactoe", "--sprt", "0", "50",
                 "--concurrency", "16", "--quiet", "--out", str(tmp_path / "m")])
    out, err = capsys.readouterr()
    assert code == 0, err
    llr_lines = [line for line in out.splitlines() if line.startswith("LLR")]
    assert llr_lines and "[-2.944, +2.944]" in llr_lines[0]
    assert "H1 accepted" in out and "SPRT:" in out
    results = json.loads((tmp_path / "m" / RESULTS_FILE).read_text())
    assert results["games_played"] < results["games_total"]
    code = main(["match", "random", "--game", "tictactoe"])
    assert code == 2 and "exactly two" in capsys.readouterr().err


def test_default_benchmark_lineup_depends_on_a_released_model(tmp_path, monkeypatch):
    from arena.commands.tournament import DEFAULT_AGENTS, default_agents

    monkeypatch.setenv("KINROW_CHECKPOINTS", str(tmp_path))
    lineup, note = default_agents(C4)
    assert lineup == list(DEFAULT_AGENTS) and "az left out" in note
    (tmp_path / "connect4").mkdir()
    (tmp_path / "connect4" / "model.json").write_text("{}")
    lineup, note = default_agents(C4)
    assert lineup[0].startswith("az") and len(lineup) == len(DEFAULT_AGENTS) + 1 and "released model" in note
    assert "solver" in lineup  # the perfect player: the ceiling of the field
    lineup, note = default_agents(games.make("connect4:rows=5,cols=6"))
    assert "solver" not in lineup and "solver:depth=4" in lineup and "perfect solver left out" in note


def test_resume_with_changed_settings_is_refused(tmp_path):
    config = config_for(["first", "last"], games_per=2)
    TournamentRun(config, tmp_path / "r")
    other = config_for(["first", "last"], games_per=4)
    with pytest.raises(TournamentError, match="different settings"):
        TournamentRun(other, tmp_path / "r", resume=True)
    assert Path(tmp_path / "r" / "config.json").exists()


def test_resume_without_state_file_restarts_the_wave_and_matches(tmp_path):
    """If state.json is lost, the unfinished wave is played again from its start (same batches,
    so same games); games already stored are not stored twice."""
    config = config_for(["random", "first", "last", "keyed"], games_per=4)
    straight = TournamentRun(config, tmp_path / "a")
    straight.play(four_agents())
    agents = four_agents()
    agents["random"] = InterruptAfter(agents["random"], 7)
    broken = TournamentRun(config, tmp_path / "b")
    with pytest.raises(KeyboardInterrupt):
        broken.play(agents)
    (tmp_path / "b" / "state.json").unlink()
    resumed = TournamentRun.resume(tmp_path / "b")
    resumed.play(four_agents())
    assert (tmp_path / "b" / RESULTS_FILE).read_bytes() == (tmp_path / "a" / RESULTS_FILE).read_bytes()
    assert len((tmp_path / "b" / "games.jsonl").read_text().splitlines()) == resumed.total


def test_undecided_openings_keep_only_unforced_positions():
    from agents.solver import Solver
    from arena.openings import undecided

    pool = random_openings(TTT, 2, 72, seed=0)
    assert len(pool) == 72
    kept = undecided(TTT, pool)
    solver = Solver(TTT)
    assert 0 < len(kept) < len(pool)
    assert all(solver.solve(p).score == 0 for p in kept)
