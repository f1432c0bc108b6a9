"""Benchmarks that tell the truth: a ratio only against a peer measured in the same run.

The peers (pgx, OpenSpiel) are never installed here: a fake interpreter stands in for the
scratch venv's python, so the whole path (subprocess, report, ratio, failure line, exit
status) is exercised without them.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from arena.bench import engine, search, selfplay, sidebyside
from arena.bench.sidebyside import PeerError
from arena.cli import main


# ---- the peer's JSON report ---------------------------------------------------------------------
def test_report_is_the_last_non_empty_line():
    text = 'pgx connect_four scan batch 8: 1,000 steps/s\n{"peer": "pgx", "results": []}\n\n'
    assert sidebyside.parse_report(text, required=("results",)) == {"peer": "pgx", "results": []}


@pytest.mark.parametrize("text, needle", [
    ("", "printed nothing"),
    ("   \n\n", "printed nothing"),
    ('{"peer": "pgx"}\nTraceback (most recent call last):', "not a JSON report"),
    ('{"peer": "pgx", "results": [', "not a JSON report"),
    ('{"rate": NaN}', "non-finite"),
    ('{"rate": Infinity}', "non-finite"),
    ("[1, 2]", "not an object"),
    ('{"peer": "pgx"}', "lacks 'results'"),
])
def test_malformed_reports_are_one_clear_error(text, needle):
    with pytest.raises(PeerError) as err:
        sidebyside.parse_report(text, required=("results",))
    assert needle in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), float("inf"), "12", None, True])
def test_a_figure_to_divide_by_must_be_positive_and_finite(value):
    with pytest.raises(PeerError, match="not a positive number"):
        sidebyside.positive_number(value, "steps/s")


# ---- ratios and context -------------------------------------------------------------------------
def test_ratio_only_between_two_figures_of_this_run():
    assert sidebyside.ratio(7.79e6, 4.41e6) == "1.77x"
    assert sidebyside.ratio(1.0, 2.0) == "0.50x"
    for peer in (None, 0.0, -3.0, float("nan"), float("inf")):
        assert sidebyside.ratio(5.0, peer) == "-"
    assert sidebyside.ratio(None, 5.0) == "-"


def test_comparison_without_a_peer_prints_no_ratio():
    alone = sidebyside.comparison("self-play", 255.1, "positions/s")
    assert alone == "self-play: ours 255.1 positions/s"
    assert "x" not in alone.replace("positions", "")
    # a peer name without a figure (the peer failed) is still no ratio
    assert sidebyside.comparison("self-play", 255.1, "positions/s", "pgx", None) == alone
    both = sidebyside.comparison("self-play", 255.1, "positions/s", "pgx + mctx + flax", 207.7)
    assert both.endswith("ours / pgx + mctx + flax 1.23x") and "(same run) 207.7" in both


def test_context_names_its_source_and_divides_by_nothing():
    line = sidebyside.context_line("pgx ~860k steps/s")
    assert "docs/references.md, measured on another 2-core machine" in line and "not divided by" in line
    assert line.rstrip().endswith("pgx ~860k steps/s")


def test_rounds_alternate_who_goes_first():
    assert sidebyside.rounds_order(4) == [("ours", "peer"), ("peer", "ours"), ("ours", "peer"), ("peer", "ours")]


def test_a_failed_peer_is_not_tried_again_and_ours_runs_every_round():
    calls: list[str] = []

    def ours(r: int) -> int:
        calls.append(f"ours{r}")
        return r

    def peer(r: int) -> int:
        calls.append(f"peer{r}")
        raise PeerError("boom")

    mine, theirs, error = sidebyside.alternate(3, ours, peer, log=lambda _: None)
    assert mine == [0, 1, 2] and theirs == [] and str(error) == "boom"
    assert calls == ["ours0", "peer0", "ours1", "ours2"]


def test_si_short_forms():
    assert [sidebyside.si(x) for x in (7.79e6, 860_000, 1_234, 143.25)] == ["7.79 M", "860 k", "1.2 k", "143.2"]


# ---- running a peer script ----------------------------------------------------------------------
def _fake_python(tmp_path: Path, body: str) -> str:
    """An executable that stands in for a scratch venv's python: it runs `body` with the peer
    script's path and arguments in sys.argv[1:], as the real interpreter would run the script."""
    code = tmp_path / "fake_peer.py"
    code.write_text(body)
    exe = tmp_path / "python"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{code}" "$@"\n')
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return str(exe)


def test_run_peer_script_reads_the_report(tmp_path):
    python = _fake_python(tmp_path, "import json, sys\nprint('human line')\n"
                                    "print(json.dumps({'peer': 'fake', 'args': sys.argv[2:]}))\n")
    report = sidebyside.run_peer_script(python, Path("peer.py"), ["--batch", "8"], required=("args",))
    assert report == {"peer": "fake", "args": ["--batch", "8"]}


def test_run_peer_script_failures_are_one_line(tmp_path):
    with pytest.raises(PeerError, match="No such file"):
        sidebyside.run_peer_script(str(tmp_path / "missing" / "python"), Path("peer.py"), [])
    python = _fake_python(tmp_path, "import sys\nprint('partial')\nprint('warning', file=sys.stderr)\n"
                                    "raise SystemExit(\"ModuleNotFoundError: No module named 'pgx'\")\n")
    with pytest.raises(PeerError) as err:
        sidebyside.run_peer_script(python, Path("pgx_engine.py"), [])
    assert "pgx_engine.py exited with status 1: ModuleNotFoundError: No module named 'pgx'" in str(err.value)
    slow = _fake_python(tmp_path, "import time\ntime.sleep(30)\n")
    with pytest.raises(PeerError, match="ran past 1 s"):
        sidebyside.run_peer_script(slow, Path("peer.py"), [], timeout=1)


# ---- arena bench engine, end to end with a fake pgx ------------------------------------------------
FAKE_PGX_ENGINE = """
import argparse, json
p = argparse.ArgumentParser()
p.add_argument("script"); p.add_argument("--game"); p.add_argument("--batch", type=int, nargs="+")
p.add_argument("--steps", type=int); p.add_argument("--repeats", type=int); p.add_argument("--modes", nargs="+")
p.add_argument("--seed", type=int)
a = p.parse_args()
results = [{"mode": m, "batch": b, "steps_per_s": 1000.0 * b} for m in a.modes for b in a.batch]
print(json.dumps({"peer": "pgx", "versions": {"pgx": "fake"}, "game": a.game, "steps": a.steps, "results": results}))
"""

TINY = ["bench", "engine", "--batch", "8", "--steps", "4", "--repeats", "1", "--mode", "scan"]


def _rows(out: str) -> list[list[str]]:
    return [line.split() for line in out.splitlines() if line.startswith(("connect4", "tictactoe"))]


def test_bench_engine_divides_only_by_the_peer_of_this_run(tmp_path, capsys):
    python = _fake_python(tmp_path, FAKE_PGX_ENGINE)
    code = main([*TINY, "--games", "tictactoe", "connect4:rows=4,cols=5,k=3", "--rounds", "2",
                 "--peer-python", python])
    out = capsys.readouterr().out
    assert code == 0
    ttt, variant = _rows(out)
    ours = float(ttt[3].replace(",", ""))  # printed to 1 step/s, the ratio to 0.01
    assert ttt[4] == "8,000" and abs(float(ttt[5].rstrip("x")) - ours / 8000) <= 0.005 + 0.5 / 8000
    assert variant[4:] == ["-", "-"]  # pgx has no 4x5 board: no figure, no ratio
    assert "pgx has no such board" in out and "peer: pgx fake" in out
    assert "docs/references.md" not in out  # context is for runs without a peer


def test_bench_engine_without_a_peer_prints_context_and_no_ratio(capsys):
    assert main([*TINY, "--games", "connect4"]) == 0
    out = capsys.readouterr().out
    (row,) = _rows(out)
    assert len(row) == 4 and not any(cell.endswith("x") for cell in row)
    context = [line for line in out.splitlines() if "docs/references.md" in line]
    assert len(context) == 1 and "not divided by" in context[0] and "860k" in context[0]


def test_bench_engine_failing_peer_is_one_line_and_exit_2(tmp_path, capsys):
    code = main([*TINY, "--games", "connect4", "--peer-python", str(tmp_path / "nope")])
    captured = capsys.readouterr()
    assert code == 2
    (row,) = _rows(captured.out)
    assert float(row[3].replace(",", "")) > 0 and row[4:] == ["-", "-"]  # our figure, no ratio
    errors = captured.err.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("arena bench: error: no pgx figures")
    assert "No such file" in errors[0]


def test_engine_peer_report_must_answer_what_was_asked():
    report = {"game": "connect_four", "steps": 4, "results": [{"mode": "scan", "batch": 8, "steps_per_s": 10.0}]}
    assert engine.peer_rates(report, "connect_four", 4, ["scan"], [8]) == {("scan", 8): 10.0}
    with pytest.raises(PeerError, match="no figure for mode call, batch 8"):
        engine.peer_rates(report, "connect_four", 4, ["scan", "call"], [8])
    with pytest.raises(PeerError, match="asked for 'connect_four', 8"):
        engine.peer_rates(report, "connect_four", 8, ["scan"], [8])
    bad = dict(report, results=[{"mode": "scan", "batch": 8, "steps_per_s": -1}])
    with pytest.raises(PeerError, match="not a positive number"):
        engine.peer_rates(bad, "connect_four", 4, ["scan"], [8])


# ---- arena bench selfplay ---------------------------------------------------------------------------
FAKE_PGX_SELFPLAY = """
import json, sys
args = sys.argv[2:]
settings = {k[2:].replace("-", "_"): v for k, v in zip(args[0::2], args[1::2])}
for key in ("channels", "blocks", "value_hidden", "sims", "batch", "steps"):
    settings[key] = int(settings[key])
print("pgx + mctx + flax self-play: 1,000.0 positions/s")
print(json.dumps({"peer": "pgx + mctx + flax", "versions": {"pgx": "fake"}, "settings": settings,
                  "parameters": 123, "positions_per_s": 1000.0}))
"""


def test_selfplay_peer_report_must_have_run_our_settings():
    asked = ["--game", "connect_four", "--channels", "32", "--sims", "8", "--policy", "gumbel", "--repeats", "3"]
    report = {"settings": {"game": "connect_four", "channels": 32, "sims": 8, "policy": "gumbel"},
              "positions_per_s": 250.5}
    assert selfplay.peer_figure(report, asked) == 250.5
    with pytest.raises(PeerError, match="ran sims=16, asked for 8"):
        selfplay.peer_figure({**report, "settings": {**report["settings"], "sims": 16}}, asked)
    with pytest.raises(PeerError, match="no 'settings'"):
        selfplay.peer_figure({"positions_per_s": 250.5}, asked)
    with pytest.raises(PeerError, match="not a positive number"):
        selfplay.peer_figure({**report, "positions_per_s": 0}, asked)


def test_bench_selfplay_ratio_against_the_peer_of_this_run(tmp_path, capsys):
    python = _fake_python(tmp_path, FAKE_PGX_SELFPLAY)
    code = main(["bench", "selfplay", "--game", "tictactoe", "--channels", "4", "--blocks", "1", "--sims", "2",
                 "--batch", "4", "--steps", "2", "--repeats", "1", "--updates", "0", "--peer-python", python])
    out = capsys.readouterr().out
    assert code == 0
    (line,) = [row for row in out.splitlines() if row.startswith("self-play:")]
    ours = float(line.split("ours ")[1].split()[0].replace(",", ""))
    assert "pgx + mctx + flax (same run) 1,000.0 positions/s" in line
    shown = float(line.rsplit(" ", 1)[1].rstrip("x"))  # ours printed to 0.1, the ratio to 0.01
    assert line.split("; ")[-1].startswith("ours / pgx + mctx + flax ") and abs(shown - ours / 1000) <= 0.0051
    assert "docs/references.md" not in out and "network 123 parameters" in out


# ---- arena bench search -----------------------------------------------------------------------------
FAKE_OPENSPIEL = """
import argparse, json
p = argparse.ArgumentParser()
p.add_argument("script"); p.add_argument("--bench", action="store_true"); p.add_argument("--game")
p.add_argument("--sims", type=int, nargs="*", default=[]); p.add_argument("--rollouts", type=int, nargs="*", default=[])
p.add_argument("--repeats", type=int); p.add_argument("--seed", type=int); p.add_argument("--positions")
p.add_argument("--latency-sims", type=int); p.add_argument("--latency-rollouts", type=int)
a = p.parse_args()
grid = [{"sims": s, "rollouts": r, "sims_per_s": 100.0} for s in a.sims for r in a.rollouts]
count = len(json.load(open(a.positions))["positions"])
latency = {"sims": a.latency_sims, "rollouts": a.latency_rollouts, "positions": count, "median_s": 2.0}
print(json.dumps({"peer": "OpenSpiel MCTSBot", "versions": {"open_spiel": "fake"}, "game": a.game,
                  "throughput": grid, "latency": latency}))
"""


def test_search_peer_report_must_answer_what_was_asked():
    report = {"game": "connect_four", "throughput": [{"sims": 32, "rollouts": 1, "sims_per_s": 8000.0}],
              "latency": {"sims": 1000, "rollouts": 4, "positions": 10, "median_s": 0.4}}
    assert search.peer_figures(report, "connect_four", [(32, 1)], (1000, 4, 10)) == ({(32, 1): 8000.0}, 0.4)
    assert search.peer_figures(report, "connect_four", [], None) == ({(32, 1): 8000.0}, None)
    with pytest.raises(PeerError, match="no figure for 1000 sims, 1 rollouts"):
        search.peer_figures(report, "connect_four", [(32, 1), (1000, 1)], None)
    with pytest.raises(PeerError, match="asked for \\(1000, 4, 12\\)"):
        search.peer_figures(report, "connect_four", [(32, 1)], (1000, 4, 12))
    with pytest.raises(PeerError, match="asked for 'tic_tac_toe'"):
        search.peer_figures(report, "tic_tac_toe", [(32, 1)], None)
    with pytest.raises(PeerError, match="no 'latency' object"):
        search.peer_figures({**report, "latency": None}, "connect_four", [(32, 1)], (1000, 4, 10))


def test_latency_positions_are_seeded_legal_and_unfinished():
    import games

    game = games.make("connect4")
    positions = search.latency_positions(game, 12, seed=3)
    assert positions == search.latency_positions(game, 12, seed=3)
    assert positions != search.latency_positions(game, 12, seed=4)
    assert all(len(p) <= 8 for p in positions) and [len(p) for p in positions][:3] == [4, 5, 6]
    assert not any(bool(search.position_state(game, p).terminal) for p in positions)
    tiny = games.make("tictactoe")
    assert all(len(p) <= 4 and not bool(search.position_state(tiny, p).terminal)
               for p in search.latency_positions(tiny, 20, seed=0))


def test_bench_search_ratios_only_against_the_peer_of_this_run(tmp_path, capsys):
    python = _fake_python(tmp_path, FAKE_OPENSPIEL)
    code = main(["bench", "search", "--game", "tictactoe", "--batch", "2", "--sims", "4", "--rollouts", "1",
                 "--moves", "2", "--repeats", "1", "--rounds", "1", "--az-sims", "2", "--mcts-sims", "3",
                 "--skip", "startup",
                 "--peer-python", python])
    out = capsys.readouterr().out
    assert code == 0
    (row,) = [line.split() for line in out.splitlines() if line.startswith("       1      2")]
    ours = float(row[3].replace(",", ""))  # printed to 1 simulation/s, the ratio to 0.01
    assert row[4] == "100" and abs(float(row[5].rstrip("x")) - ours / 100) <= 0.005 + 0.5 / 100
    (mcts,) = [line for line in out.splitlines() if "mcts:sims=3" in line]
    ours_ms = float(mcts.split("median")[1].split("ms")[0])
    shown = float(mcts.rsplit(" ", 1)[1].rstrip("x"))  # ours / MCTSBot in moves/s = 2 s / our median
    assert "(3 sims, 4 playouts, same positions, same run) 2000.0 ms" in mcts
    # our median is printed to 0.1 ms, the ratio to 0.01: the ratio must fit that rounding
    assert 2000 / (ours_ms + 0.05) - 0.005 <= shown <= 2000 / max(ours_ms - 0.05, 1e-9) + 0.005
    (az,) = [line for line in out.splitlines() if "az:sims=2" in line]
    assert "MCTSBot" not in az and "docs/references.md" not in out


def test_bench_search_without_a_peer_prints_context_and_no_ratio(capsys):
    code = main(["bench", "search", "--game", "tictactoe", "--batch", "2", "--sims", "4", "--rollouts", "1",
                 "--repeats", "1", "--skip", "latency", "startup"])
    out = capsys.readouterr().out
    assert code == 0
    (row,) = [line.split() for line in out.splitlines() if line.startswith("       1      2")]
    assert len(row) == 4 and "MCTSBot sims/s" not in out  # our figure alone: no peer column, no ratio
    assert "docs/references.md, measured on another 2-core machine" in out and "0.3 s per move" in out
