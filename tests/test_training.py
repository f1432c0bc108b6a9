"""Self-play training end to end on a tiny connect-k variant (seconds per test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from agents.alphazero import Trainer, TrainingError, default_config
from agents.alphazero.loop import train
from agents.alphazero.state_io import TrainingCheckpointError
from agents.search import SearchSettings
from arena.cli import main
from games import SpecError

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
    # --resume takes the run's own options: only the iterations need saying; a changed option is refused
    assert main(["train", "--out", str(run), "--resume", "--iterations", "3", "--quiet"]) == 0
    assert json.loads((run / "metrics.jsonl").read_text().splitlines()[-1])["iteration"] == 3
    capsys.readouterr()
    assert main(["train", "--out", str(run), "--resume", "--iterations", "4", "--channels", "16"]) == 2
    err = capsys.readouterr().err.strip()
    assert "cannot resume: option channels was 8" in err and "\n" not in err
    import agents
    import games

    game = games.make(GAME)
    agent = agents.make(f"az:checkpoint={model},sims=8", game)
    assert agent.select_move(game.from_moves("33")) in game.legal_actions(game.from_moves("33"))
    assert main(["export", str(tmp_path / "nothing")]) == 2
    assert "not a training run" in capsys.readouterr().err


def exported_tiny_model(tmp_path: Path) -> tuple[Path, Trainer]:
    """A 2-iteration tiny run exported as a model folder, and that run's trainer (resumed)."""
    from agents.alphazero.export import export_run

    base_run = tmp_path / "base"
    train(tiny(iterations=2), base_run, verbose=False)
    return export_run(base_run, tmp_path / "model"), Trainer(tiny(iterations=2), base_run, resume=True)


def test_a_run_can_start_from_a_released_model(tmp_path):
    from agents.alphazero.export import export_run

    model, base = exported_tiny_model(tmp_path)

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


def test_the_lineage_of_a_distilled_base_model_survives_into_the_card(tmp_path):
    """A net distilled from several runs' buffers (the study's distill.py) names its sources and
    updates in its card; a self-play run started from it must carry them on, or its card would
    hide the self-play behind the model."""
    from agents.alphazero.export import export_run

    model, _ = exported_tiny_model(tmp_path)
    sources = [{"run": "runs/a", "iteration": 9, "games_played": 100}, {"run": "runs/b", "iteration": 4}]
    (model / "card.json").write_text(json.dumps({"training_command": "python distill.py", "positions_seen": 3584,
                                                 "fixed_data_training": {"updates": 7}, "distilled_from": sources}))
    tuned = Trainer(tiny(iterations=1, init_from=str(model)), tmp_path / "tuned")
    tuned.run_iteration()
    tuned.save()
    card = json.loads((export_run(tmp_path / "tuned", tmp_path / "out") / "card.json").read_text())
    assert card["started_from"]["distilled_from"] == sources
    assert card["started_from"]["fixed_data_training"] == {"updates": 7}
    assert card["started_from"]["positions_seen"] == 3584


def test_a_run_can_grow_a_released_model_deeper(tmp_path):
    from agents.alphazero.export import export_run
    from agents.network import apply

    model, base = exported_tiny_model(tmp_path)
    deeper = Trainer(tiny(iterations=3, init_from=str(model), blocks=3), tmp_path / "deeper")
    assert any("grew" in note and "3 blocks" in note for note in deeper.notes)
    obs = jax.random.bernoulli(jax.random.key(1), 0.3, (32, 4, 5, 2)).astype(jnp.float32)
    for old, new in zip(apply(base.graphdef, base.params, obs), apply(deeper.graphdef, deeper.params, obs),
                        strict=True):
        np.testing.assert_allclose(np.asarray(old), np.asarray(new), atol=1e-6)
    deeper.run_iteration()  # the grown net trains like any other
    deeper.save()
    deep_model = export_run(tmp_path / "deeper", tmp_path / "deep-model")
    with pytest.raises(TrainingError, match="fewer blocks"):
        Trainer(tiny(init_from=str(deep_model), blocks=1), tmp_path / "shallower")
    coloured = Trainer(tiny(init_from=str(deep_model), blocks=3, colour_plane=True), tmp_path / "coloured")
    assert any("colour plane" in note for note in coloured.notes), coloured.notes
    for old, new in zip(apply(deeper.graphdef, deeper.params, obs), apply(coloured.graphdef, coloured.params, obs),
                        strict=True):
        np.testing.assert_allclose(np.asarray(old), np.asarray(new), atol=1e-6)


def test_sharded_training_on_four_cpu_devices(tmp_path):
    script = f"""
import jax
import jax.numpy as jnp
assert jax.device_count() == 4, jax.devices()
from agents.alphazero import Trainer, default_config
config = default_config({GAME!r}, iterations=2, num_envs=16, rollout_steps=4, num_simulations=4, channels=8,
                        blocks=1, batch_size=32, updates_per_iteration=2, buffer_size=512, eval_every=0,
                        max_considered_actions=4, reanalyse_positions=8)
trainer = Trainer(config, {str(tmp_path / 'run')!r})
for _ in range(2):
    progress = trainer.run_iteration()
assert len(trainer.games.ply.sharding.device_set) == 4
assert progress.metrics["reanalysed"] == 8, progress.metrics
print("sharded ok", progress.metrics["loss"])
"""
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                            cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "sharded ok" in result.stdout


def test_sigterm_interrupts_like_ctrl_c():
    """`kill` of a training run saves and stops like Ctrl-C (the loop turns SIGTERM into it),
    at once outside a save and at the end of one inside it."""
    import signal

    from agents.alphazero.interrupts import interrupt_on_sigterm

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt), interrupt_on_sigterm():
        os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) == before
    finished = []
    with interrupt_on_sigterm() as interrupts:
        with pytest.raises(KeyboardInterrupt), interrupts.deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            finished.append("the save")
        assert finished == ["the save"]
        with interrupts.deferred():  # the held signal was spent: a later save runs undisturbed
            finished.append("the next save")
    assert finished == ["the save", "the next save"]


def test_a_stop_during_a_save_lands_after_it(tmp_path, capsys, monkeypatch):
    """SIGTERM while a checkpoint is being written (a job's time limit) lets that save finish and
    stops after it. Raised inside the save, it abandoned the half-written checkpoint and the
    interrupt handler saved the same step again, racing the first save's writer threads (orbax
    NOT_FOUND tracebacks on a GPU run)."""
    import signal

    from agents.alphazero.state_io import TrainingCheckpoints

    calls = []
    original = TrainingCheckpoints.save

    def save(self, step, state):
        calls.append(step)
        os.kill(os.getpid(), signal.SIGTERM)  # the stop arrives mid-save
        original(self, step, state)

    monkeypatch.setattr(TrainingCheckpoints, "save", save)
    run = tmp_path / "run"
    summary = train(tiny(iterations=4, checkpoint_every=2), run)
    assert calls == [2] and not summary["completed"]
    assert "interrupted: iteration 2 is saved" in capsys.readouterr().out
    assert TrainingCheckpoints(run / "checkpoints").steps() == [2]
    assert Trainer(tiny(iterations=4, checkpoint_every=2), run, resume=True).iteration == 2


def test_self_play_search_settings_come_from_the_flat_config():
    """config.json and `arena train` keep flat search keys; self-play builds its SearchSettings
    from them (a full search of num_simulations, a fast one of fast_simulations)."""
    from agents.alphazero.config import TrainConfig

    config = tiny(fast_simulations=2)
    assert {"num_simulations", "search_policy", "max_considered_actions", "dirichlet_alpha"} <= set(config.to_json())
    assert TrainConfig.from_json(config.to_json()) == config
    assert config.search_settings() == SearchSettings(8, policy="gumbel", temperature=1.0, max_num_considered_actions=4)
    puct = tiny(search_policy="puct", fast_simulations=2, dirichlet_fraction=0.25)
    assert puct.search_settings(fast=True) == SearchSettings(2, policy="puct", temperature=1.0, dirichlet_fraction=0.25,
                                                             max_num_considered_actions=4)


def test_playout_cap_randomization_and_value_mix(tmp_path):
    """Fast searches store no policy target (all zero) but their positions train the value;
    a value mix of 1 makes the value target the search's root value (not only -1/0/+1)."""
    config = tiny(iterations=3, full_search_fraction=0.5, fast_simulations=2, value_target_mix=1.0)
    trainer = Trainer(config, tmp_path / "run")
    for _ in range(config.iterations):
        metrics = trainer.run_iteration().metrics
    assert np.isfinite(metrics["policy_loss"])
    data = jax.device_get(trainer.buffer.data)
    filled = np.asarray(jax.device_get(trainer.buffer.valid))
    sums = data.policy[filled].sum(-1)
    assert np.any(sums == 0) and np.any(np.isclose(sums, 1.0))  # both kinds of move were stored
    values = data.value[filled]
    assert np.any((values != 0) & (np.abs(values) != 1))


def test_lambda_returns_reach_the_buffer(tmp_path):
    """With value_lambda < 1 the trainer stores bootstrapped targets (not only -1/0/+1), in
    [-1, 1]; at the default 1 only game results."""
    for value_lambda, bootstrapped in ((0.5, True), (1.0, False)):
        trainer = Trainer(tiny(iterations=1, value_lambda=value_lambda), tmp_path / str(value_lambda))
        trainer.run_iteration()
        filled = np.asarray(jax.device_get(trainer.buffer.valid))
        values = np.asarray(jax.device_get(trainer.buffer.data.value))[filled]
        assert filled.any() and np.all(np.abs(values) <= 1.0 + 1e-6)
        assert np.any(~np.isin(values, (-1.0, 0.0, 1.0))) == bootstrapped


def test_reanalysis_gives_stored_positions_the_current_searchs_policy(tmp_path):
    """With only fast searches (no policy targets) in self-play, the positions with a policy target
    are exactly the ones reanalysis searched again: one per reanalysed position, a distribution over
    that position's legal moves."""
    config = tiny(iterations=1, full_search_fraction=1e-9, fast_simulations=2, reanalyse_positions=24,
                  reanalyse_simulations=16)
    assert config.search_settings(reanalyse=True).num_simulations == 16
    trainer = Trainer(config, tmp_path / "run")
    metrics = trainer.run_iteration().metrics
    data = jax.device_get(trainer.buffer.data)
    filled = np.asarray(jax.device_get(trainer.buffer.valid))
    assert filled.sum() >= 24 and metrics["reanalysed"] == 24
    policy, legal = data.policy[filled], data.legal[filled]
    targeted = policy.sum(-1) > 0
    assert targeted.sum() == 24
    np.testing.assert_allclose(policy[targeted].sum(-1), 1.0, rtol=1e-5)
    assert not np.any(policy[targeted] * ~legal[targeted])


def test_reanalysis_can_be_kept_to_the_opening(tmp_path):
    """With reanalyse_max_plies only positions with at most that many stones are searched again;
    when fewer are stored than asked for, only those are (the metric counts them)."""
    config = tiny(iterations=1, full_search_fraction=1e-9, fast_simulations=2, reanalyse_positions=24,
                  reanalyse_max_plies=2, random_opening_plies=0)
    trainer = Trainer(config, tmp_path / "run")
    metrics = trainer.run_iteration().metrics
    data = jax.device_get(trainer.buffer.data)
    filled = np.asarray(jax.device_get(trainer.buffer.valid))
    stones = data.observation[filled].reshape(int(filled.sum()), -1).sum(-1)
    targeted = data.policy[filled].sum(-1) > 0
    assert 0 < targeted.sum() == metrics["reanalysed"] <= min(24, int(np.sum(stones <= 2)))
    assert np.all(stones[targeted] <= 2)
    with pytest.raises(SpecError, match="reanalyse_max_plies"):
        tiny(reanalyse_max_plies=-2)


def test_reanalysis_settings():
    """A reanalysis search takes its own simulations (self-play's when unset) and, as it plays no
    move, no root noise; it cannot ask for more positions than the buffer holds."""
    puct = tiny(search_policy="puct", dirichlet_fraction=0.25, reanalyse_positions=8)
    assert puct.search_settings(reanalyse=True) == SearchSettings(8, policy="puct", temperature=1.0,
                                                                  dirichlet_fraction=0.0,
                                                                  max_num_considered_actions=4)
    with pytest.raises(SpecError, match="reanalyse_positions"):
        tiny(reanalyse_positions=2048)
    with pytest.raises(SpecError, match="reanalyse_simulations"):
        tiny(reanalyse_simulations=-1)


def test_gumbel_noise_stops_after_the_first_plies(tmp_path):
    """With gumbel_noise_plies = 0 and no random openings self-play is noise-free: two seeds play
    the same games from the same network; with the default (every move sampled) they differ."""

    model, _ = exported_tiny_model(tmp_path)

    def first_games(seed: int, **options) -> np.ndarray:
        config = tiny(iterations=1, seed=seed, random_opening_plies=0, init_from=str(model), **options)
        trainer = Trainer(config, tmp_path / f"run-{seed}-{len(options)}")
        trainer.run_iteration()
        return np.asarray(jax.device_get(trainer.buffer.data.observation))

    np.testing.assert_array_equal(first_games(1, gumbel_noise_plies=0), first_games(2, gumbel_noise_plies=0))
    assert not np.array_equal(first_games(1), first_games(2))
    with pytest.raises(Exception, match="gumbel_noise_plies"):
        tiny(gumbel_noise_plies=-2)


def test_the_policy_loss_skips_positions_without_a_policy_target():
    from agents.alphazero.buffer import Samples
    from agents.alphazero.update import loss_fn

    def apply_fn(params, obs):
        return jnp.tile(jnp.array([[0.0, 1.0, 2.0]]), (obs.shape[0], 1)), jnp.zeros(obs.shape[0])

    target = jnp.array([[0.2, 0.3, 0.5]])
    one = Samples(observation=jnp.zeros((1, 2, 2, 2)), policy=target, value=jnp.zeros(1),
                  legal=jnp.ones((1, 3), bool))
    padded = Samples(observation=jnp.zeros((2, 2, 2, 2)), policy=jnp.concatenate([target, jnp.zeros((1, 3))]),
                     value=jnp.zeros(2), legal=jnp.ones((2, 3), bool))
    _, a = loss_fn(apply_fn, None, one)
    _, b = loss_fn(apply_fn, None, padded)
    np.testing.assert_allclose(a["policy_loss"], b["policy_loss"], rtol=1e-6)
    np.testing.assert_allclose(a["policy_kl"], b["policy_kl"], rtol=1e-5, atol=1e-7)


def test_snapshots_keep_the_network_of_every_nth_iteration(tmp_path):
    from agents.checkpoint import load_model
    from games import make

    run = tmp_path / "run"
    train(tiny(iterations=3, snapshot_every=2), run, verbose=False)
    names = sorted(p.name for p in (run / "snapshots").iterdir())
    assert names == ["it-000000", "it-000002", "it-000003"]  # the start, every 2nd, the end
    config, _, _ = load_model(run / "snapshots" / "it-000003", make(GAME))
    assert config.channels == 8


def test_a_runs_snapshots_form_a_learning_curve_for_the_study(tmp_path):
    from arena.study.training import lineage_models
    from games import make

    run = tmp_path / "run"
    train(tiny(iterations=2, snapshot_every=1), run, verbose=False)
    models = lineage_models(make(GAME), [str(run)], tmp_path / "study")
    assert [m.iteration for m in models] == [0, 1, 2]
    assert {m.source for m in models} == {"run:run"}
    assert models[0].positions == 0 and 0 < models[1].positions < models[2].positions


def _first_legal_search(params, states, key):
    """A deterministic stand-in for the search (first legal column), so that rollouts of any
    length play the same games and only the cutting into rollouts differs. Its root value, a
    function of the position, lets lambda-returns differ from the result."""
    from games import make

    legal = jax.vmap(make(GAME).legal_mask)(states)
    action = jnp.argmax(legal, axis=-1).astype(jnp.int32)
    root_value = (states.ply % 5).astype(jnp.float32) / 5.0 - 0.4
    return action, jax.nn.one_hot(action, legal.shape[-1]), root_value


def _stored(samples, keep) -> list[tuple]:
    samples, keep = jax.device_get((samples, keep))
    rows = zip(samples.observation[keep], samples.value[keep], samples.policy[keep], strict=True)
    return sorted((o.tobytes(), float(v), p.tobytes()) for o, v, p in rows)


@pytest.mark.parametrize("value_lambda", [1.0, 0.5])
def test_carried_rollouts_store_every_position_of_a_finished_game_once(value_lambda):
    """Two rollouts of T moves with the carry store exactly what one rollout of 2T stores, with
    the same targets (lambda-returns too); without it, the games cut by the first rollout's end
    lose their positions."""
    from agents.alphazero import selfplay
    from games import make

    game = make(GAME)
    steps, batch = 7, 4  # games here last 7-20 moves, so most are cut
    start = game.init_batch(batch)
    play = jax.jit(lambda states: selfplay.rollout(game, _first_legal_search, None, states, jax.random.key(0),
                                                   steps, 0))
    mid, first = play(start)
    _, second = play(mid)
    whole = jax.tree.map(lambda a, b: jnp.concatenate([a, b]), first, second)
    expected = _stored(*selfplay.to_samples(whole, value_lambda=value_lambda))

    pending = selfplay.no_pending(steps, batch, (game.config.rows, game.config.cols, 2), game.num_actions)
    samples_1, keep_1, pending = selfplay.carry_samples(pending, first, value_lambda=value_lambda)
    samples_2, keep_2, _ = selfplay.carry_samples(pending, second, value_lambda=value_lambda)
    assert sorted(_stored(samples_1, keep_1) + _stored(samples_2, keep_2)) == expected

    dropped = _stored(*selfplay.to_samples(first)) + _stored(*selfplay.to_samples(second))
    assert len(dropped) < len(expected)
    # the first rollout's positions of games that ended in the second are what the carry adds
    assert int(np.sum(keep_2)) > int(np.sum(selfplay.to_samples(second)[1]))


def _lambda_returns_by_hand(rewards, terminals, roots, lam):
    """The lambda-return of every move of one game slot, written plainly (the oracle)."""
    targets, known = [0.0] * len(rewards), [False] * len(rewards)
    for t in reversed(range(len(rewards))):
        if terminals[t]:
            targets[t], known[t] = rewards[t], True
        elif t + 1 < len(rewards) and known[t + 1]:
            targets[t] = -((1 - lam) * roots[t + 1] + lam * targets[t + 1])
            known[t] = True
    return targets, known


@pytest.mark.parametrize("value_lambda", [1.0, 0.75, 0.0])
def test_value_targets_are_lambda_returns_that_stop_at_each_games_end(value_lambda):
    """One slot holding a 4-move game won by its last mover, a 3-move draw and an unfinished game:
    lambda 1 gives the result (+-1 alternating, 0 in the draw), lambda 0 the next position's
    search value negated, and no target bootstraps across a game's end or from a game without one."""
    from agents.alphazero import selfplay

    rewards = [0, 0, 0, 1, 0, 0, 0, 0, 0]
    terminals = [False, False, False, True, False, False, True, False, False]
    roots = [0.1, -0.2, 0.3, -0.4, 0.5, 0.6, -0.7, 0.8, -0.9]
    steps = len(rewards)
    trajectory = selfplay.Trajectory(
        observation=jnp.zeros((steps, 1, 1, 1, 2)), policy=jnp.zeros((steps, 1, 1)),
        root_value=jnp.asarray(roots, jnp.float32)[:, None], legal=jnp.ones((steps, 1, 1), bool),
        reward=jnp.asarray(rewards, jnp.float32)[:, None], terminal=jnp.asarray(terminals)[:, None])
    targets, known = jax.device_get(selfplay.lambda_returns(trajectory, value_lambda))
    expected, expected_known = _lambda_returns_by_hand(rewards, terminals, roots, value_lambda)
    np.testing.assert_allclose(targets[:, 0][np.array(expected_known)], np.array(expected)[np.array(expected_known)],
                               rtol=1e-6)
    assert known[:, 0].tolist() == expected_known == [True] * 7 + [False] * 2
    if value_lambda == 1.0:
        assert targets[:7, 0].tolist() == [-1, 1, -1, 1, 0, 0, 0]
    if value_lambda == 0.0:
        np.testing.assert_allclose(targets[[0, 1, 2, 4, 5], 0], [0.2, -0.3, 0.4, -0.6, 0.7], rtol=1e-6)


def test_the_carry_is_checkpointed_and_older_runs_resume_without_it(tmp_path):
    """A run keeps its unfinished games' positions across iterations (more stored than without),
    resumes with them exactly, and a run saved before the option existed resumes only with
    --no-carry-unfinished, with a one-line hint."""
    config = tiny(iterations=3, checkpoint_every=1)
    carried = Trainer(config, tmp_path / "carried")
    legacy = Trainer(tiny(iterations=3, carry_unfinished=False), tmp_path / "legacy")
    stored = {"carried": 0, "legacy": 0}
    for _ in range(3):
        stored["carried"] += carried.run_iteration().metrics["new_positions"]
        stored["legacy"] += legacy.run_iteration().metrics["new_positions"]
    assert stored["carried"] > stored["legacy"]
    carried.save()
    again = Trainer(config, tmp_path / "carried", resume=True)
    for a, b in zip(leaves(carried.pending), leaves(again.pending), strict=True):
        np.testing.assert_array_equal(a, b)

    legacy.save()
    saved = json.loads((tmp_path / "legacy" / "config.json").read_text())
    del saved["carry_unfinished"]  # as a run from before the option wrote it
    (tmp_path / "legacy" / "config.json").write_text(json.dumps(saved))
    with pytest.raises(TrainingError, match="carry_unfinished was False in this run, now True; pass "
                                            "--no-carry-unfinished"):
        Trainer(config, tmp_path / "legacy", resume=True)
    resumed = Trainer(tiny(iterations=4, carry_unfinished=False), tmp_path / "legacy", resume=True)
    assert resumed.iteration == 3 and resumed.pending is None
    resumed.run_iteration()


def test_export_of_a_chosen_snapshot_carries_that_iterations_counters(tmp_path, capsys):
    """A measurement may pick an earlier snapshot than the run's latest checkpoint (issue 14's
    releases do): `arena export RUN --snapshot N` writes exactly that snapshot's weights with the
    run's counters at iteration N; a snapshot the run does not have is refused in one line."""
    import dataclasses

    run = tmp_path / "run"
    train(dataclasses.replace(tiny(iterations=2), snapshot_every=1), run, verbose=False)
    model = tmp_path / "model"
    assert main(["export", str(run), "--snapshot", "1", "--to", str(model)]) == 0
    card = json.loads((model / "card.json").read_text())
    first = json.loads((run / "metrics.jsonl").read_text().splitlines()[0])
    assert card["iterations"] == 1 and card["positions_seen"] == first["positions"] > 0
    assert card["games_played"] == first["games"]
    snapshot = run / "snapshots" / "it-000001"
    import games
    from agents.checkpoint import load_model

    for ours, theirs in zip(leaves(load_model(model, games.make(GAME))[2]), leaves(load_model(snapshot, games.make(GAME))[2]),
                            strict=True):
        np.testing.assert_array_equal(ours, theirs)
    latest = tmp_path / "latest"
    assert main(["export", str(run), "--to", str(latest)]) == 0
    assert json.loads((latest / "card.json").read_text())["iterations"] == 2
    capsys.readouterr()
    assert main(["export", str(run), "--snapshot", "5", "--to", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert "has no snapshot of iteration 5 (snapshots: 0, 1, 2)" in err and "\n" not in err
    assert not (tmp_path / "x").exists()
