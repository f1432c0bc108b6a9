"""Self-play training end to end on a tiny connect-k variant (seconds per test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jax
import numpy as np
import pytest

from agents.alphazero import Trainer, TrainingError, default_config
from agents.alphazero.loop import train
from agents.alphazero.state_io import TrainingCheckpointError
from arena.cli import main

GAME = "connect4:rows=4,cols=5,k=3"
ROOT = Path(__file__).resolve().parent.parent


def tiny(**overrides):
    base = dict(iterations=4, num_envs=16, rollout_steps=8, num_simulations=8, channels=8, blocks=1,
                batch_size=32, updates_per_iteration=4, buffer_size=1024, eval_every=0, checkpoint_every=2,
                max_considered_actions=4)
    base.update(overrides)
    return default_config(GAME, **base)


def leaves(tree) -> list[np.ndarray]:
    return [np.asarray(x) for x in jax.tree.leaves(jax.device_get(tree))]


def test_a_few_iterations_lower_the_loss(tmp_path):
    config = tiny(iterations=12, learning_rate=3e-3, updates_per_iteration=8, lr_schedule="constant")
    trainer = Trainer(config, tmp_path / "run")
    losses = [trainer.run_iteration().metrics["loss"] for _ in range(config.iterations)]
    assert np.mean(losses[-3:]) < np.mean(losses[:3])
    assert int(trainer.buffer.size) > 0


def test_resume_after_interruption_matches_an_uninterrupted_run(tmp_path):
    config = tiny(iterations=4, checkpoint_every=2)
    straight = Trainer(config, tmp_path / "straight")
    for _ in range(4):
        straight.run_iteration()

    first = Trainer(config, tmp_path / "resumed")
    for _ in range(2):
        first.run_iteration()
    first.save()
    first.run_iteration()  # work after the checkpoint is lost by the "crash"
    del first
    second = Trainer(config, tmp_path / "resumed", resume=True)
    assert second.iteration == 2
    while second.iteration < 4:
        second.run_iteration()
    for a, b in zip(leaves(straight.params), leaves(second.params), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(leaves(straight.buffer), leaves(second.buffer), strict=True):
        np.testing.assert_array_equal(a, b)


def test_train_loop_logs_metrics_and_refuses_to_overwrite(tmp_path):
    run = tmp_path / "run"
    summary = train(tiny(iterations=2), run, verbose=False)
    assert summary["completed"]
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["iteration"] for r in records] == [1, 2]
    with pytest.raises(TrainingError, match="--resume"):
        Trainer(tiny(iterations=2), run)
    with pytest.raises(TrainingError, match="option channels"):
        Trainer(tiny(iterations=3, channels=16), run, resume=True)


def test_corrupt_checkpoint_is_refused_with_a_clear_error(tmp_path):
    run = tmp_path / "run"
    train(tiny(iterations=2), run, verbose=False)
    step_dir = run / "checkpoints" / "2"
    damaged = 0
    for path in step_dir.rglob("*"):
        if path.is_file() and path.stat().st_size > 0 and "metadata" not in path.name:
            path.write_bytes(b"\x00garbage" * 4)
            damaged += 1
    assert damaged
    with pytest.raises(TrainingCheckpointError, match="damaged|does not match"):
        Trainer(tiny(iterations=3), run, resume=True)


def test_cli_train_export_plot_and_az_agent(tmp_path, capsys):
    run = tmp_path / "run"
    args = ["train", GAME, "--out", str(run), "--iterations", "2", "--num-envs", "16", "--rollout-steps", "8",
            "--num-simulations", "8", "--channels", "8", "--blocks", "1", "--batch-size", "32",
            "--updates-per-iteration", "2", "--buffer-size", "512", "--eval-every", "2", "--eval-positions", "20",
            "--max-considered-actions", "4", "--vs", "random", "--vs-games", "2"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "it    2/2" in out and "random: mcts" in out and "vs random:" in out
    last = json.loads((run / "metrics.jsonl").read_text().splitlines()[-1])
    assert 0.0 <= last["score_vs_random"] <= 1.0
    model = tmp_path / "model"
    assert main(["export", str(run), "--to", str(model)]) == 0
    card = json.loads((model / "card.json").read_text())
    assert card["positions_seen"] == 2 * 16 * 8 and card["game"] == GAME
    assert "mistakes_mcts_random" in card["evaluation_during_training"]
    assert main(["plot", str(run)]) == 0
    assert (run / "training.png").stat().st_size > 1000
    import agents
    import games

    game = games.make(GAME)
    agent = agents.make(f"az:checkpoint={model},sims=8", game)
    assert agent.select_move(game.from_moves("33")) in game.legal_actions(game.from_moves("33"))
    assert main(["export", str(tmp_path / "nothing")]) == 2
    assert "not a training run" in capsys.readouterr().err


def test_a_run_can_start_from_a_released_model(tmp_path):
    from agents.alphazero.export import export_run

    base_run = tmp_path / "base"
    train(tiny(iterations=2), base_run, verbose=False)
    model = export_run(base_run, tmp_path / "model")
    base = Trainer(tiny(iterations=2), base_run, resume=True)

    tuned = Trainer(tiny(iterations=3, init_from=str(model), seed=5), tmp_path / "tuned")
    for a, b in zip(leaves(base.params), leaves(tuned.params), strict=True):
        np.testing.assert_array_equal(a, b)
    tuned.run_iteration()
    tuned.save()
    export_run(tmp_path / "tuned", model)  # overwrites the base model's folder
    card = json.loads((model / "card.json").read_text())
    assert card["started_from"]["iterations"] == 2 and card["iterations"] == 1
    with pytest.raises(TrainingError, match="its network is resnet 8x1"):
        Trainer(tiny(init_from=str(model), channels=16), tmp_path / "wider")
    with pytest.raises(TrainingError, match="cannot start from"):
        Trainer(tiny(init_from=str(tmp_path / "missing")), tmp_path / "nowhere")


def test_sharded_training_on_four_cpu_devices(tmp_path):
    script = f"""
import jax
assert jax.device_count() == 4, jax.devices()
from agents.alphazero import Trainer, default_config
config = default_config({GAME!r}, iterations=2, num_envs=16, rollout_steps=4, num_simulations=4, channels=8,
                        blocks=1, batch_size=32, updates_per_iteration=2, buffer_size=512, eval_every=0,
                        max_considered_actions=4)
trainer = Trainer(config, {str(tmp_path / 'run')!r})
for _ in range(2):
    progress = trainer.run_iteration()
assert len(trainer.games.ply.sharding.device_set) == 4
print("sharded ok", progress.metrics["loss"])
"""
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                            cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "sharded ok" in result.stdout


def test_sigterm_interrupts_like_ctrl_c():
    """`kill` of a training run saves and stops like Ctrl-C (the loop turns SIGTERM into it)."""
    import signal

    from agents.alphazero.loop import _interrupt_on_sigterm

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt), _interrupt_on_sigterm():
        os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) == before
