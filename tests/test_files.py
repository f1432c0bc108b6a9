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


def test_saved_model_folders_get_an_ordinary_mode_and_keep_a_replaced_ones(tmp_path):
    import games
    from agents.checkpoint import save_model
    from agents.files import NEW_DIR_MODE
    from agents.network import default_config, init_network

    game = games.make("tictactoe")
    config = default_config(game)
    params = init_network(config)[1]
    folder = save_model(tmp_path / "model", game, config, params)
    assert stat.S_IMODE(folder.stat().st_mode) == NEW_DIR_MODE  # not mkdtemp's private 0700
    os.chmod(folder, 0o750)
    save_model(folder, game, config, params)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o750
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
