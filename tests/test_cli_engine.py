"""The `arena` entry point and the engine benchmark, run the way a user runs them."""

from __future__ import annotations

import subprocess
import sys

from arena.cli import main


def test_help_lists_commands(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    assert "bench" in out


def test_bench_engine_smoke(capsys):
    code = main(["bench", "engine", "--games", "connect4:rows=4,cols=5,k=3", "tictactoe",
                 "--batch", "8", "--steps", "4", "--repeats", "1", "--mode", "scan"])
    assert code == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith(("connect4", "tictactoe"))]
    assert len(rows) == 2
    assert all(float(r.split()[3].replace(",", "")) > 0 for r in rows)


def test_console_script_runs_as_module():
    result = subprocess.run([sys.executable, "-m", "arena", "--help"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and "usage: arena" in result.stdout
