"""The study's kept cells: the moves of scored snapshots, kept so a lost run can still be paired."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

ABLATION = Path(__file__).resolve().parents[1] / "docs" / "study" / "connect4-ablation"


@pytest.fixture
def keep_cells(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(ABLATION))
    import keep_cells

    monkeypatch.setattr(keep_cells, "KEPT", tmp_path / "kept")
    return keep_cells


def study(folder: Path, moves: dict[str, int]) -> Path:
    """A study folder's cells.jsonl: a ladder cell and run R's snapshot, 3 positions a phase."""
    folder.mkdir(exist_ok=True)
    lines = [{"name": "policy", "bucket": "opening", "actions": [0, 0, 0]}]
    for bucket, move in moves.items():
        lines.append({"name": "policy@run:R:it-000001", "bucket": bucket, "actions": [move, 3, 3], "mistakes": 1})
    (folder / "cells.jsonl").write_text("".join(json.dumps(c) + "\n" for c in lines))
    return folder


def test_a_runs_moves_are_kept_once_and_a_rescoring_is_checked_against_them(keep_cells, tmp_path):
    first = study(tmp_path / "a", {"opening": 2, "middle": 4})
    assert keep_cells.keep(first, "R") == "R: 2 cells kept in R.jsonl.gz"
    path = keep_cells.kept_file("R")
    with gzip.open(path, "rt") as f:
        kept = [json.loads(line) for line in f]
    assert kept == [{"name": "policy@run:R:it-000001", "bucket": b, "actions": [m, 3, 3]}
                    for b, m in (("middle", 4), ("opening", 2))]  # name, phase and moves only
    before = path.read_bytes()

    again = study(tmp_path / "b", {"opening": 2, "middle": 5, "end": 1})  # one move differs, one phase is new
    line = keep_cells.keep(again, "R")
    assert line == ("R: 1 cells kept in R.jsonl.gz; 1 scored again matched the kept moves, "
                    "1 did not (1 moves differ; the kept ones stay)")
    cells = keep_cells.read_kept(path)
    assert cells[("policy@run:R:it-000001", "middle")] == [4, 3, 3]
    assert cells[("policy@run:R:it-000001", "end")] == [1, 3, 3]
    assert path.read_bytes() != before
    assert keep_cells.keep(again, "R").startswith("R: 0 cells kept")
    assert keep_cells.keep(again, "S") == f"S: no scored cells in {again}"
