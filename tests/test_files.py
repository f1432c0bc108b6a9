"""The atomic writer (agents/files.py): whole files only, and the mode an ordinary write gives."""

from __future__ import annotations

import json
import os
import stat

from agents.files import NEW_FILE_MODE, write_json_atomic


def test_atomic_files_get_an_ordinary_mode_and_keep_a_rewritten_ones(tmp_path):
    path = tmp_path / "sub" / "results.json"
    write_json_atomic(path, {"a": 1})
    assert json.loads(path.read_text()) == {"a": 1}
    assert stat.S_IMODE(path.stat().st_mode) == NEW_FILE_MODE  # not mkstemp's private 0600
    os.chmod(path, 0o640)
    write_json_atomic(path, {"a": 2})
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and json.loads(path.read_text()) == {"a": 2}
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]  # no temporary left behind
