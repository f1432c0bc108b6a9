"""`arena distill`: a fresh net trained on earlier runs' replay buffers (the release's route)."""

from __future__ import annotations

import json
from pathlib import Path

import jax
import numpy as np
import pytest

from agents.alphazero import default_config
from agents.alphazero.distill import DistillError, distill, training_state
from agents.alphazero.loop import train
from agents.checkpoint import load_model
from arena.cli import main
from games import make

GAME = "connect4:rows=4,cols=5,k=3"
TINY = ["--channels", "8", "--blocks", "1", "--batch-size", "16"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> list[Path]:
    """Two tiny self-play runs of the same small board, saved every iteration."""
    folders = []
    for seed in (0, 1):
        config = default_config(GAME, seed=seed, iterations=2, num_envs=8, rollout_steps=8, num_simulations=4,
                                channels=8, blocks=1, batch_size=16, updates_per_iteration=2, buffer_size=256,
                                eval_every=0, checkpoint_every=1, max_considered_actions=4)
        folder = tmp_path_factory.mktemp("runs") / f"run{seed}"
        train(config, folder, verbose=False)
        folders.append(folder)
    return folders


def _metrics(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def test_distilled_snapshots_carry_the_self_play_of_every_source(runs, tmp_path, capsys):
    out = tmp_path / "d"
    older = runs[1] / "checkpoints" / "1"
    assert main(["distill", str(out), str(runs[0]), str(older), *TINY, "--steps", "4",
                 "--snapshot-every", "2", "--colour-plane"]) == 0
    assert "done:" in capsys.readouterr().out
    snaps = sorted(p.name for p in (out / "snapshots").iterdir())
    assert snaps == ["it-000001", "it-000002"]
    config, game, _ = load_model(out / "snapshots" / "it-000002", make(GAME))
    assert config.colour_plane and (config.channels, config.blocks) == (8, 1)
    card = json.loads((out / "snapshots" / "it-000002" / "card.json").read_text())
    assert card["training_command"].startswith(f"arena distill {out} {runs[0]} {older} --channels 8")
    # the first run's newest state (iteration 2) and the second's iteration 1, each counted once
    behind = _metrics(runs[0])[-1]["positions"] + _metrics(runs[1])[0]["positions"]
    assert card["positions_seen"] == behind
    assert [(s["run"], s["iteration"]) for s in card["distilled_from"]] == [(str(runs[0]), 2), (str(runs[1]), 1)]
    assert card["fixed_data_training"]["updates"] == 4


@pytest.mark.parametrize("stop_at", ["step 6/", "step 4:"])
def test_an_interrupted_distillation_resumes_to_the_same_weights(runs, tmp_path, stop_at):
    """Ctrl-C keeps every finished update: stopped after step 6's regular save, or after the
    snapshot of step 4 was written and before its state was (then the interruption saves it),
    the run resumes after that very step and ends where an unbroken one ends, bit for bit."""
    kwargs = dict(channels=8, blocks=1, batch_size=16, steps=8, snapshot_every=4, log=lambda _: None)
    distill(tmp_path / "straight", [runs[0]], **kwargs)
    step = int(stop_at[5])

    def stop(text: str) -> None:
        if text.startswith(stop_at):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        distill(tmp_path / "broken", [runs[0]], **{**kwargs, "log": stop})
    assert sorted(p.name for p in (tmp_path / "broken").glob("state-*")) == [f"state-{step}"]
    lines: list[str] = []
    distill(tmp_path / "broken", [runs[0]], **{**kwargs, "log": lines.append})
    assert f"resuming after step {step}" in lines
    game = make(GAME)
    for k in ("it-000001", "it-000002"):
        _, _, a = load_model(tmp_path / "straight" / "snapshots" / k, game)
        _, _, b = load_model(tmp_path / "broken" / "snapshots" / k, game)
        assert all(np.array_equal(x, y) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True))
    assert len((tmp_path / "broken" / "metrics.jsonl").read_text().splitlines()) == 2


def test_kill_during_a_snapshot_keeps_its_state_and_stops(runs, tmp_path):
    """SIGTERM (a job's time limit) stops a distillation as Ctrl-C does, and one that lands while
    step 4's snapshot is being written waits until that step's state is saved too."""
    import os
    import signal

    kwargs = dict(channels=8, blocks=1, batch_size=16, steps=8, snapshot_every=4)

    def kill(text: str) -> None:
        if text.startswith("step 4:"):
            os.kill(os.getpid(), signal.SIGTERM)

    lines: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        distill(tmp_path / "d", [runs[0]], **kwargs, log=lambda t: (lines.append(t), kill(t)))
    assert lines[-1].startswith("interrupted after step 4")
    assert sorted(p.name for p in (tmp_path / "d").glob("state-*")) == ["state-4"]
    resumed: list[str] = []
    distill(tmp_path / "d", [runs[0]], **kwargs, log=resumed.append)
    assert "resuming after step 4" in resumed


def test_bad_sources_and_a_reused_out_are_refused_in_one_line(runs, tmp_path, capsys):
    out = tmp_path / "d"
    assert main(["distill", str(out), str(tmp_path / "nowhere"), *TINY]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a saved training state" in err and not out.exists()

    other = tmp_path / "other"
    train(default_config("connect4:rows=4,cols=4,k=3", iterations=1, num_envs=4, rollout_steps=4, num_simulations=4,
                         channels=8, blocks=1, batch_size=16, updates_per_iteration=1, buffer_size=64,
                         eval_every=0), other, verbose=False)
    assert main(["distill", str(out), str(runs[0]), str(other), *TINY]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pool one game's" in err and not out.exists()

    assert main(["distill", str(out), str(runs[0]), *TINY, "--steps", "2"]) == 0
    capsys.readouterr()
    assert main(["distill", str(out), str(runs[0]), *TINY, "--steps", "2", "--seed", "3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "seed differ" in err


def test_a_training_state_is_found_from_a_run_or_a_checkpoint(runs):
    newest = runs[0] / "checkpoints" / "2" / "default"
    assert training_state(runs[0]) == newest
    assert training_state(runs[0] / "checkpoints" / "2") == newest
    assert training_state(newest) == newest
    with pytest.raises(DistillError, match="not a saved training state"):
        training_state(runs[0] / "snapshots")
