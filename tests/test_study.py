"""`arena study compute`: counting, labels and the judge's rule, buckets, the capped solver, the
command end to end on a small tic-tac-toe sample, resume, and refusals."""

from __future__ import annotations

import json

import jax
import numpy as np
import pytest

import agents
import games
from agents.mcts_agent import bucket
from agents.search import random_playout
from agents.solver import Judge, Solver
from arena.cli import main
from arena.study import positions as P
from arena.study.cells import CellSettings, even_chunks, family, is_mistake_label, measure_agent
from arena.study.counting import counting_agent

TTT = games.make("tictactoe")
C4 = games.make("connect4")


def _stack(game, moves):
    return game.batch_from_moves(moves)


def test_counting_az_is_one_evaluation_per_simulation_plus_the_root():
    agent = agents.make("az:sims=3", TTT, seed=1)
    counted, tally = counting_agent(agent)
    states = _stack(TTT, ["", "5", "51"])  # 3 rows, padded to 4 inside the agent
    tally.begin(3)
    moves = counted.select_moves(states, jax.random.key(7))
    jax.effects_barrier()
    assert tally.evaluations.tolist() == [4, 4, 4]
    assert tally.plies.tolist() == [0, 0, 0]
    # the wrapper counts; it does not change the moves
    assert np.array_equal(np.asarray(moves), np.asarray(agent.select_moves(states, jax.random.key(7))))


def test_counting_mcts_adds_every_playout_ply():
    agent = agents.make("mcts:sims=5,rollouts=2", TTT, seed=0)
    counted, tally = counting_agent(agent)
    # X to move with one empty cell left (9): every playout from it is one ply, and after it the
    # game is over (a terminal leaf's playout plays no ply).
    one_left = "12345768"
    assert not bool(TTT.from_moves(one_left).terminal)
    tally.begin(1)
    counted.select_moves(_stack(TTT, [one_left]), jax.random.key(0))
    jax.effects_barrier()
    assert tally.evaluations.tolist() == [6]
    assert tally.plies.tolist() == [2]  # the root's two playouts; the five leaves are terminal
    value, plies = random_playout(TTT, TTT.from_moves(one_left), jax.random.key(3))
    assert int(plies) == 1


def test_labels_and_the_judges_rule():
    candidates = [{"moves": m, "ply": len(m), "bucket": "all", "source": "test"} for m in ("5", "51", "15")]
    judge = Judge(TTT)
    solver = Solver(TTT)
    for c in candidates:
        scores = solver.analyze(c["moves"]).move_scores
        position = P.Position(c["moves"], c["ply"], "all", tuple(scores), "test")
        classes = judge.move_classes(c["moves"])
        for action in range(9):
            wrong, illegal = is_mistake_label(position, action)
            assert illegal == (scores[action] is None)
            assert wrong == bool(judge.mistake(TTT.from_moves(c["moves"]), action)), (c["moves"], action)
            assert illegal or classes[action] == np.sign(scores[action])
    edge, corner = P.Position("5", 1, "all", tuple(solver.analyze("5").move_scores), "test"), 0
    assert is_mistake_label(edge, 1) == (True, False)  # an edge reply to the centre loses
    assert is_mistake_label(edge, corner) == (False, False)
    assert is_mistake_label(edge, 4) == (True, True)  # the taken centre: illegal


def test_families_and_chunks():
    assert [family(s) for s in ("solver:depth=3", "solver:book=false", "solver", "mcts:sims=9", "az:sims=4",
                                "az:sims=4,policy=PUCT", "policy", "random")] == [
        "alpha-beta", "perfect", "perfect", "mcts", "az-gumbel", "az-puct", "policy", "random"]
    for count in (1, 2, 3, 100, 200, 256, 257, 500, 513, 4520):
        chunks = even_chunks(count)
        sizes = [b - a for a, b in chunks]
        assert chunks[0][0] == 0 and chunks[-1][1] == count and max(sizes) <= 256, count
        assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:], strict=False)), count
        assert len({bucket(n) for n in sizes}) == 1, (count, sizes)  # one padded shape: one compilation
    assert [b - a for a, b in even_chunks(500)] == [250, 250]


def test_connect4_buckets_dedupe_mirrors_and_cap_positions_per_game():
    from arena.openings import random_openings

    (moves,) = random_openings(C4, 30, 1, seed=4)  # 30 random plies, no position in it over
    game = {"moves": moves, "opening": moves[:2], "players": ["a", "b"]}
    mirror = {"moves": "".join(str(8 - int(c)) for c in moves), "opening": moves[:2], "players": ["b", "a"]}
    drawn = P.draw_candidates(C4, [game, mirror], 10, per_game=2, seed=0)
    by_bucket = {b: [d for d in drawn if d["bucket"] == b] for b in P.CONNECT4_BUCKETS}
    for name, (low, high) in P.CONNECT4_BUCKETS.items():
        assert all(low <= d["ply"] <= high for d in by_bucket[name])
        assert 2 <= len(by_bucket[name]) <= 4  # at most two per game and phase
    assert all(d["ply"] >= 2 for d in drawn)  # nothing from inside the random opening
    keys = P._canonical(C4, C4.batch_from_moves(["1", "7", "12", "76", "4"]).board)
    assert keys[0] == keys[1] and keys[2] == keys[3] and keys[0] != keys[4]  # a board and its mirror image
    with pytest.raises(P.StudyError):
        P.buckets_for(games.make("connect4:rows=5,cols=6"))


def test_capped_solver_leaves_unfinished_positions_out():
    late = "45451456266571417355"  # solved in milliseconds; the empty board takes minutes without the book
    positions = {"mixed": [
        P.Position("", 0, "mixed", (-2, -1, 0, 1, 0, -1, -2), "test"),
        P.Position(late, len(late), "mixed", tuple(Solver(C4).analyze(late).move_scores), "test"),
    ]}
    settings = CellSettings(seed=0, latency_positions=0, perfect_positions=2, perfect_cap_s=0.05)
    (cell,) = measure_agent(C4, "perfect", "solver:book=false", positions, settings)
    assert cell["run_spec"] == "solver:book=false,time=0.05"
    assert (cell["attempted"], cell["unfinished"], cell["unfinished_at"], cell["positions"]) == (2, 1, [0], 1)
    assert cell["mistakes"] == 0 and cell["examined"]["mean"] == cell["counts"][1] > 0


def _study(tmp_path, *extra):
    return main(["study", "compute", "--game", "tictactoe", "--out", str(tmp_path / "s"), "--per-bucket", "150",
                 "--latency-positions", "2", "--elo-games", "2", "--train-iterations", "0", "--training-sims", "2",
                 "--quiet", *extra])


def test_study_end_to_end_and_resume(tmp_path, capsys):
    ladder = ["--agents", "solver:depth=1", "az:sims=2", "solver", "random",
              "--elo-agents", "solver", "solver:depth=1"]
    assert _study(tmp_path, *ladder) == 0
    out = tmp_path / "s"
    stored = json.loads((out / "positions.json").read_text())
    assert len(stored["positions"]) == 150 and all(len(p["scores"]) == 9 for p in stored["positions"])
    results = json.loads((out / "results.json").read_text())
    cells = {c["name"]: c for c in results["cells"]}
    assert set(cells) == {"solver:depth=1", "az:sims=2", "solver", "random"}
    assert cells["solver"]["mistakes"] == 0 and cells["random"]["rate"] > cells["solver:depth=1"]["rate"] > 0
    assert cells["az:sims=2"]["examined"]["mean"] == 3  # root + 2 simulations
    assert {r["name"] for r in results["elo"]["agents"]} == {"solver", "solver:depth=1"}
    assert {r["model"] for r in results["training"]["rows"]} == {"lineage:untrained", "lineage:released"}
    for name in ("results.csv", "elo.csv", "training.csv", "positions.csv", "mistakes-vs-compute.png", "elo-vs-compute.png",
                 "training.png"):
        assert (out / name).stat().st_size > 0
    lines = (out / "cells.jsonl").read_bytes()
    capsys.readouterr()

    # again, with one more agent and a torn last line (an interrupted append): only that cell is measured
    (out / "cells.jsonl").write_bytes(lines + b'{"name": "torn')
    assert _study(tmp_path, *ladder[:-3], "policy", *ladder[-3:]) == 0
    printed = capsys.readouterr().out
    assert "4 of 5 cells already measured" in printed and "4 of 4 cells already measured" in printed
    after = (out / "cells.jsonl").read_bytes()
    assert after.startswith(lines) and after.count(b"\n") == lines.count(b"\n") + 1


def _exit_code(args):
    try:
        return main(args)
    except SystemExit as stop:  # argparse's own refusals
        return stop.code


def test_refusals_are_one_line_exit_2(tmp_path, capsys):
    for args in (["--per-bucket", "0"], ["--agents", "nosuch"], ["--elo-games", "3"], ["--game", "connect4:rows=5"],
                 ["--agents", "solver:depth=2", "--elo-agents", "solver:depth=2", "mcts:sims=4"], ["--seed", "-1"]):
        assert _exit_code(["study", "compute", "--game", "tictactoe", "--out", str(tmp_path / "x"), *args]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("arena study: error:") and "\n" not in err, err
    assert _exit_code(["study", "elo"]) == 2
    assert not (tmp_path / "x").exists()  # refused before anything was written


def test_a_run_folders_snapshots_are_placed_by_the_self_play_behind_them(tmp_path):
    """A training run's snapshot sits at the run's logged positions; a net trained on stored
    self-play (its card has `fixed_data_training`) at the self-play behind its data, not at the
    count of entries it sampled."""
    from agents.checkpoint import save_model
    from agents.network import default_config, init_network
    from arena.study.training import run_models

    config = default_config(TTT, kind="mlp", channels=8, blocks=1)
    _, params = init_network(config, seed=0)
    save_model(tmp_path / "snapshots" / "it-000001", TTT, config, params)
    save_model(tmp_path / "snapshots" / "it-000002", TTT, config, params,
               card={"positions_seen": 5000, "training_wall_seconds": 70.0, "fixed_data_training": {"updates": 4}})
    (tmp_path / "metrics.jsonl").write_text("".join(json.dumps({"iteration": i, "positions": 512 * i,
                                                                "wall_seconds": 10.0 * i}) + "\n" for i in (1, 2)))
    models = run_models(TTT, tmp_path)
    assert [(m.iteration, m.positions, m.wall_s) for m in models] == [(1, 512, 10.0), (2, 5000, 70.0)]


def test_the_published_connect4_set_rebuilds_a_study_folder_that_study_compute_accepts(tmp_path):
    """The study's 3,000 positions are published as docs/study/connect4/positions.csv; the ablation
    scripts' study_folder.py turns them back into the set `arena study compute` checks, so networks
    can be scored without replaying the study's games (its run folder does not outlive a machine)."""
    import subprocess
    import sys
    from pathlib import Path

    from arena.study.run import Study, StudySettings

    root = Path(__file__).resolve().parents[1]
    script = root / "docs" / "study" / "connect4-ablation" / "study_folder.py"
    out = tmp_path / "study"
    done = subprocess.run([sys.executable, str(script), str(out)], capture_output=True, text=True, cwd=root)
    assert done.returncode == 0, done.stderr
    settings = StudySettings(game="connect4", out=out, per_bucket=1000, games=2400,
                             cells=CellSettings(perfect_positions=30, perfect_cap_s=20.0), ladder=("policy",))
    study = Study(settings, say=lambda line: None)
    study.open()  # the published settings are the ones these arguments give
    positions = study.positions()
    assert not (out / "games.json").exists()  # nothing was replayed
    published = json.loads((root / "docs" / "study" / "connect4" / "results.json").read_text())
    assert [sum(p.bucket == b for p in positions) for b in ("opening", "middle", "end")] == [1000, 1000, 1000]
    published_end = next(c for c in published["cells"] if c["name"] == "policy" and c["bucket"] == "end")
    end = [p for p in positions if p.bucket == "end"]
    measured = root / "docs" / "study" / "connect4-ablation" / "models" / "release-2026-11-23"  # the study's release
    spec = f"policy:checkpoint={measured}"
    cell = next(measure_agent(C4, "policy", spec, {"end": end}, CellSettings(latency_positions=0)))
    assert cell["mistakes"] == published_end["mistakes"]  # that network's raw policy scores as published
    again = subprocess.run([sys.executable, str(script), str(out)], capture_output=True, text=True, cwd=root)
    assert again.returncode != 0 and "already holds a set" in again.stderr


def test_a_distilled_nets_self_play_counts_every_stage_once_even_where_a_model_path_was_reused(monkeypatch):
    """distill.py's account of the self-play behind pooled buffers: a run's furthest checkpoint
    stands for its nearer ones and its snapshots; `checkpoints/connect4` named both the release and
    the first stage it continued, two stages that must both count; a copied card without a path is
    the model with the same command and positions."""
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "docs" / "study" / "connect4-ablation"))
    from distill import self_play_behind

    def stage(command, positions, **more):
        return {"training_command": command, "positions_seen": positions, "games_played": positions // 100,
                "training_wall_seconds": positions / 10, **more}

    stage1 = stage("arena train connect4", 5_000, path="checkpoints/connect4")
    release = stage("arena train connect4 --init-from checkpoints/connect4", 3_000, path="checkpoints/connect4",
                    started_from=stage1)
    a90 = stage("A", 900, run="/r/A", iteration=90, started_from=release)
    a60 = stage("A", 600, run="/r/A", iteration=60, started_from=release)
    copied = {k: v for k, v in release.items() if k != "path"}
    d = stage("D", 500, run="/r/D", iteration=50,
              started_from=stage("A", 900, path="/r/A/snapshots/it-000090", started_from=copied))
    behind = self_play_behind([a60, a90, d])
    assert behind["positions_seen"] == 5_000 + 3_000 + 900 + 500
    assert behind["games_played"] == 50 + 30 + 9 + 5
    assert len(behind["self_play_stages"]) == 4


def test_a_lineage_folder_that_now_holds_another_network_is_measured_again(tmp_path, capsys):
    """Cells are stored under the network's name; a folder such as `checkpoints/connect4` holds a
    new network after a release, so a network's cells also carry its weights' sha256 and a changed
    network is measured again (the report then shows the new cells). Cells stored before the hash
    was recorded are trusted as they are."""
    from agents.checkpoint import save_model, weights_sha256
    from agents.network import default_config, init_network

    config = default_config(TTT, kind="mlp", channels=8, blocks=1)
    model = tmp_path / "model"

    def release(seed):
        _, params = init_network(config, seed=seed)
        save_model(model, TTT, config, params, card={"positions_seen": 100, "training_wall_seconds": 1.0})
        return weights_sha256(model)

    def ours(path):
        return [c for c in P.read_jsonl(path) if c["name"].endswith("@lineage:model")]

    args = ["--agents", "random", "--elo-games", "0", "--lineage", str(model)]
    first = release(0)
    assert _study(tmp_path, *args) == 0
    cells = tmp_path / "s" / "cells.jsonl"
    measured = ours(cells)
    assert measured and {c["weights_sha256"] for c in measured} == {first}
    lines = cells.read_bytes()
    assert _study(tmp_path, *args) == 0 and cells.read_bytes() == lines  # the same network: nothing again

    second = release(1)
    assert second != first
    assert _study(tmp_path, *args) == 0
    again = ours(cells)
    assert len(again) == 2 * len(measured) and {c["weights_sha256"] for c in again[len(measured):]} == {second}
    rows = json.loads((tmp_path / "s" / "results.json").read_text())["training"]["rows"]
    shown = {(r["agent"], r["bucket"]): r["mistakes"] for r in rows if r["model"] == "lineage:model"}
    assert shown == {(c["name"].split("@")[0], c["bucket"]): c["mistakes"] for c in again[len(measured):]}

    # a folder written before the hash was recorded: its cells stand
    legacy = [json.loads(line) for line in lines.decode().splitlines()]
    cells.write_text("".join(json.dumps({k: v for k, v in c.items() if k != "weights_sha256"}) + "\n" for c in legacy))
    before = cells.read_bytes()
    assert _study(tmp_path, *args) == 0 and cells.read_bytes() == before
    capsys.readouterr()


def test_a_probe_can_continue_a_saved_net_of_its_shape_and_refuses_another(tmp_path, monkeypatch):
    """probe.py's `init_from` (distill.py --init-from, the annealing probe): the probe starts from
    the saved weights, not a fresh net, so with a zero learning rate its snapshot is the saved
    net bit for bit; the start is part of the probe's identity (probe.json), and a saved net of
    another shape is refused in one line before any training."""
    from pathlib import Path

    from agents.alphazero.config import default_config as default_train_config
    from agents.alphazero.trainer import network_config
    from agents.checkpoint import load_model, save_model, weights_sha256
    from agents.network import init_network

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "docs" / "study" / "connect4-ablation"))
    from probe import train_fixed

    def saved(channels, name):
        config = network_config(default_train_config(C4.spec, channels=channels, blocks=1), C4)
        _, params = init_network(config, seed=5)
        return save_model(tmp_path / name, C4, config, params)

    states = _stack(C4, ["", "4", "44", "443"])
    legal = np.asarray(jax.vmap(C4.legal_mask)(states))
    entries = {"observation": np.asarray(jax.vmap(C4.observation)(states), np.float32),
               "policy": legal / legal.sum(axis=1, keepdims=True), "value": np.array([0.0, 1.0, -1.0, 0.0], np.float32),
               "legal": legal}
    base = saved(8, "base")
    out = tmp_path / "probe"
    train_fixed(entries, out, {"command": "test"}, channels=8, blocks=1, steps=2, snapshot_every=2, batch_size=4,
                learning_rate=0.0, init_from=base)
    _, _, before = load_model(base, C4)
    _, _, after = load_model(out / "snapshots" / "it-000001", C4)
    assert all(np.array_equal(a, b) for a, b in zip(jax.tree.leaves(before), jax.tree.leaves(after), strict=True))
    assert json.loads((out / "probe.json").read_text())["init_weights_sha256"] == weights_sha256(base)
    from agents.alphazero.distill import DistillError

    with pytest.raises(DistillError, match="is a 16x1 resnet net"):
        train_fixed(entries, tmp_path / "other", {"command": "test"}, channels=8, blocks=1, steps=2,
                    snapshot_every=2, batch_size=4, init_from=saved(16, "wide"))
    assert not (tmp_path / "other" / "probe.json").exists()


def test_a_mistakes_depth_counts_the_plies_to_the_stone_that_decides(monkeypatch):
    """mistake_depth.py reads Pons' scores as the number of the deciding stone: a side winning
    with score s places it as stone 43 - 2s, so from ply p the game-theoretic outcome a move
    throws away bites (43 - 2|s|) - p plies later, the opponent's win after a losing move, the
    missed win after a drawing one."""
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "docs" / "study" / "connect4-ablation"))
    from mistake_depth import decisive_ply, depth

    assert decisive_ply(1) == 41 and decisive_ply(-1) == 41 and decisive_ply(18) == 7  # 18: the quickest win, stone 7
    at_ply_6 = P.Position("444444", 6, "opening", (3, 0, -2, None, 0, 0, 0), "test")
    assert depth(at_ply_6, 1) == ("win->draw", (43 - 6) - 6)  # the win at stone 37, 31 plies away
    assert depth(at_ply_6, 2) == ("win->loss", (43 - 4) - 6)  # the opponent's win at stone 39


def test_opening_labels_key_a_board_and_its_mirror_alike_and_no_two_boards_alike(monkeypatch):
    """deep_targets.py and opening_tutor.py label each board once up to mirroring: its key must be
    its mirror image's, and two boards that differ otherwise must never share one (a label would
    land on the wrong board). Every distinct board of the first 5 plies, and their mirrors."""
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "docs" / "study" / "connect4-ablation"))
    from deep_targets import canonical

    lines = [""]
    for _ in range(5):
        lines += [m + str(c) for m in lines if len(m) == len(lines[-1]) for c in range(1, 8)]
    obs = np.asarray(jax.vmap(C4.observation)(_stack(C4, lines)))
    keys, mirrored = canonical(obs)
    mirror_keys, mirror_mirrored = canonical(obs[:, :, ::-1, :])
    assert np.array_equal(keys, mirror_keys)
    symmetric = (obs == obs[:, :, ::-1, :]).all(axis=(1, 2, 3))
    assert np.array_equal(mirrored & ~symmetric, (~mirror_mirrored) & ~symmetric)
    flat = obs.reshape(len(obs), -1)
    canon = np.where(mirrored[:, None], obs[:, :, ::-1, :].reshape(len(obs), -1), flat)
    assert len(np.unique(keys, axis=0)) == len(np.unique(canon, axis=0)) < len(np.unique(flat, axis=0))


def test_opening_tutor_fine_tunes_a_net_of_the_labelling_models_own_shape(monkeypatch, tmp_path):
    """opening_tutor.py's whole route (boards, labels, fine-tuning) on a tiny 8x2 colour-plane
    net: the tutored snapshots keep the labelling model's shape (round twenty-four tutors the
    64x6 release; the script once built every student as a 64x3 net and refused it), and the
    labels are a probability over the legal moves of each board."""
    import argparse
    from pathlib import Path

    from agents.alphazero.config import default_config as default_train_config
    from agents.alphazero.trainer import network_config
    from agents.checkpoint import load_model, save_model
    from agents.network import init_network

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "docs" / "study" / "connect4-ablation"))
    import opening_tutor

    config = network_config(default_train_config(C4.spec, channels=8, blocks=2, colour_plane=True), C4)
    _, params = init_network(config, seed=3)
    model = str(save_model(tmp_path / "tiny", C4, config, params))
    boards, labels, out = (str(tmp_path / name) for name in ("boards", "labels", "student"))
    opening_tutor.boards(argparse.Namespace(out=boards, model=model, games=96, random=0.25, max_ply=12, seed=0))
    opening_tutor.label(argparse.Namespace(boards=boards, labels=labels, model=model, simulations=2, limit=300,
                                           seed=0, set="opening"))
    with np.load(Path(labels) / "targets.npz") as saved:
        policy = saved["policy"]
    assert len(policy) == 300 and np.allclose(policy.sum(axis=1), 1.0, atol=1e-5) and (policy >= 0).all()
    opening_tutor.train(argparse.Namespace(boards=boards, labels=labels, out=out, limit=300, later_labels=None,
                                           steps=2, snapshot_every=2, learning_rate=1e-3, seed=0))
    student, _, _ = load_model(Path(out) / "snapshots" / "it-000001", C4)
    assert student == config


def test_a_soup_is_the_mean_of_its_ingredients_weights_and_refuses_two_shapes(monkeypatch, tmp_path):
    """soup.py (the 64x6 lineage's weight averages, study README): the written soup holds the
    element-wise mean of its ingredients' weights, one model's soup is that model, and nets of
    two shapes are refused with one line and no folder written."""
    from pathlib import Path

    from agents.alphazero.config import default_config as default_train_config
    from agents.alphazero.trainer import network_config
    from agents.checkpoint import load_model, save_model
    from agents.network import init_network

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "docs" / "study" / "connect4-ablation"))
    import soup

    def tiny(name, seed, blocks=1):
        config = network_config(default_train_config(C4.spec, channels=4, blocks=blocks, colour_plane=True), C4)
        return str(save_model(tmp_path / name, C4, config, init_network(config, seed=seed)[1]))

    a, b, other = tiny("a", 1), tiny("b", 2), tiny("c", 3, blocks=2)
    assert soup.main([str(tmp_path / "ab"), a, b]) == 0
    weights = [jax.tree.leaves(load_model(path, C4)[2]) for path in (a, b, tmp_path / "ab")]
    assert len(weights[2]) == len(weights[0]) > 0
    for wa, wb, mean in zip(*weights, strict=True):
        assert np.allclose(np.asarray(mean), (np.asarray(wa) + np.asarray(wb)) / 2, atol=1e-6)
    assert not all(np.allclose(wa, wb) for wa, wb in zip(weights[0], weights[1], strict=True))
    _, _, alone = soup.average([a], C4)
    assert all(np.array_equal(x, y) for x, y in zip(jax.tree.leaves(alone), weights[0], strict=True))
    assert soup.main([str(tmp_path / "mixed"), a, other]) == 2
    assert not (tmp_path / "mixed").exists()
