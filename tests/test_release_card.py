"""docs/study/connect4-ablation/release_card.py: a release's card is made from committed files.

The released card's figures against perfect play must be the ones its measurement files hold;
the study curve must count fixed and new mistakes position by position; a missing measurement is
refused in one line before anything is written."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ABLATION = ROOT / "docs" / "study" / "connect4-ablation"


@pytest.fixture
def card_module(monkeypatch):
    monkeypatch.syspath_prepend(str(ABLATION))
    import release_card

    return release_card


def test_the_released_card_holds_what_its_measurement_files_say(card_module):
    card = json.loads((ROOT / "checkpoints" / "connect4" / "card.json").read_text())
    evals = ROOT / card.get("measured_files", "docs/study/connect4-ablation/evals/DM64-16k")
    rates = card_module.pons_rates(evals)
    key = next(k for k in rates if k.startswith("az:sims="))
    assert rates[key] == card["mistake_rates_vs_perfect_play"][key]
    games = card_module.solver_games(evals)
    for field in ("games", "achieved_game_theoretic_result", "kept_win_or_draw_in_hand", "moves", "first_mistake_ply"):
        assert games[field] == card["games_vs_perfect_solver"][field], field


def test_the_study_curve_pairs_each_snapshot_with_the_base(card_module, tmp_path):
    import games
    from arena.study.cells import is_mistake_label
    from arena.study.positions import Position

    study = tmp_path / "study"
    made = subprocess.run([sys.executable, str(ABLATION / "study_folder.py"), str(study)],
                          capture_output=True, text=True, cwd=ROOT)
    assert made.returncode == 0, made.stderr
    game = games.make("connect4")
    positions = [Position.from_json(p, game) for p in json.loads((study / "positions.json").read_text())["positions"]]
    by_bucket = {b: [p for p in positions if p.bucket == b] for b in ("opening", "middle", "end")}

    def best(p):
        return p.scores.index(p.best)

    def worst(p):
        return min((s, a) for a, s in enumerate(p.scores) if s is not None)[1]

    losable = [i for i, p in enumerate(by_bucket["opening"]) if is_mistake_label(p, worst(p))[0]][:8]
    wrong = {"it-000000": set(losable[:5]), "it-000010": set(losable[:2]) | set(losable[5:8])}
    with (study / "cells.jsonl").open("w") as cells:
        for snap, bad in wrong.items():
            for bucket, ps in by_bucket.items():
                actions = [worst(p) if bucket == "opening" and i in bad else best(p) for i, p in enumerate(ps)]
                for agent in ("policy", "az:sims=32"):
                    cells.write(json.dumps({"name": f"{agent}@run:X:{snap}", "bucket": bucket, "actions": actions}) + "\n")
    with (study / "training.csv").open("w", newline="") as f:
        out = csv.DictWriter(f, ["model", "iteration", "selfplay_positions", "training_wall_s"])
        out.writeheader()
        for i, snap in enumerate(wrong):
            out.writerow({"model": f"run:X:{snap}", "iteration": 10 * i, "selfplay_positions": 1000 + 500 * i,
                          "training_wall_s": 60.0 * i})
    curve = card_module.study_curve(study, "run:X", "run:X:it-000000", "previous_release")
    assert curve["previous_release"]["policy"] == {"mistakes": 5, "opening": 5, "middle": 0, "end": 0}
    (row,) = curve["snapshots"]
    assert (row["iteration"], row["selfplay_positions"], row["training_wall_s"]) == (10, 1500, 60.0)
    assert row["policy"]["mistakes"] == 5
    assert row["policy"]["against_previous_release"] == {"fixed": 3, "new": 3, "mcnemar_p": 1.0}
    with pytest.raises(card_module.CardError, match="no scored snapshot"):  # none up to iteration 9
        card_module.study_curve(study, "run:X", "run:X:it-000000", "previous_release", through=9)


def test_a_missing_measurement_is_refused_in_one_line_and_nothing_is_written(tmp_path):
    out = tmp_path / "release"
    done = subprocess.run([sys.executable, str(ABLATION / "release_card.py"), str(ROOT / "checkpoints" / "connect4"),
                           str(tmp_path / "no-evals"), str(out), "--notes", "x"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "end-easy.json is missing" in done.stderr
    assert not out.exists()


def test_a_release_folder_is_written_whole_with_the_lineage_summed(card_module, tmp_path):
    evals = ROOT / "docs" / "study" / "connect4-ablation" / "evals" / "DM64-16k"
    model = ROOT / "docs" / "study" / "connect4-ablation" / "models" / "L64-it030"
    out = tmp_path / "release"
    assert card_module.main([str(model), str(evals), str(out), "--notes", "a test"]) == 0
    card = json.loads((out / "card.json").read_text())
    own = json.loads((model / "card.json").read_text())
    assert card["lineage_total"]["positions_seen"] == own["positions_seen"] + own["started_from"]["positions_seen"]
    assert (out / "weights.npz").read_bytes() == (model / "weights.npz").read_bytes()
    import games
    from agents.checkpoint import load_model

    load_model(out, games.make("connect4"))  # the copied files still match their recorded hash
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release"]  # no staging folder left


def test_a_net_distilled_from_a_started_model_counts_its_lineage_once():
    """`arena distill --init-from` writes a card with both `distilled_from` (whose figures already
    count every stage behind the data) and `started_from`; the totals must not add the start again
    (the GPU round's GF64x6 was first summed to 36.6 M positions for its 19.7 M)."""
    from arena.study.training import lineage_totals

    own = json.loads((ABLATION / "models" / "GF64x6-10k" / "card.json").read_text())
    assert own["distilled_from"] and own["started_from"]["positions_seen"] == 16_902_144
    totals = lineage_totals(own)
    assert totals["positions_seen"] == own["positions_seen"] == 19_654_656
    assert totals["training_wall_seconds"] == own["training_wall_seconds"]
    behind_start = json.loads((ABLATION / "models" / "GD64x6-15k" / "card.json").read_text())
    assert lineage_totals(behind_start)["positions_seen"] == behind_start["positions_seen"]


def test_a_distilled_candidate_gets_its_game_and_network_from_its_model_file(card_module, tmp_path):
    """distill.py's snapshot cards carry the lineage, not the net; the release card must name both
    (test_released_models checks `game` and `network` on the shipped card)."""
    ablation = ROOT / "docs" / "study" / "connect4-ablation"
    model = ablation / "models" / "DC64-16k"
    assert "network" not in json.loads((model / "card.json").read_text())
    out = tmp_path / "release"
    assert card_module.main([str(model), str(ablation / "evals" / "DC64-16k"), str(out), "--notes", "a test"]) == 0
    card = json.loads((out / "card.json").read_text())
    spec = json.loads((model / "model.json").read_text())
    assert (card["game"], card["network"], card["parameters"]) == (spec["game"], spec["network"], spec["num_params"])
    assert card["network"]["colour_plane"] is True


def test_a_release_is_remeasured_from_its_own_card_keeping_notes_and_curve(card_module, tmp_path):
    """--from-card: when the run's study folder is gone, the notes and study curve come from the
    card being replaced, and every measurement is read anew (the Begin-Hard count among them)."""
    ablation = ROOT / "docs" / "study" / "connect4-ablation"
    released = ROOT / "checkpoints" / "connect4" / "card.json"
    out = tmp_path / "release"
    assert card_module.main([str(ablation / "models" / "DC64-16k"), str(ablation / "evals" / "DC64-16k"), str(out),
                             "--from-card", str(released)]) == 0
    card, old = json.loads((out / "card.json").read_text()), json.loads(released.read_text())
    assert (card["training_notes"], card["study_curve"]) == (old["training_notes"], old["study_curve"])
    assert card.get("gpu_time_to_strength") == old.get("gpu_time_to_strength")
    hard = card["mistake_rates_vs_perfect_play"]["az:sims=800 (gumbel)"]["begin-hard"]
    assert hard == {k: json.loads((ablation / "evals" / "DC64-16k" / "begin-hard.json").read_text())["sets"][0][k]
                    for k in ("positions", "mistakes", "rate", "interval95", "seconds")}
    not_a_card = tmp_path / "card.json"
    not_a_card.write_text("{}")
    assert card_module.main([str(ablation / "models" / "DC64-16k"), str(ablation / "evals" / "DC64-16k"),
                             str(tmp_path / "again"), "--from-card", str(not_a_card)]) == 2
    assert not (tmp_path / "again").exists()


def test_the_gpu_time_to_strength_curve_is_the_committed_curves_gpu_stages(card_module, tmp_path):
    """Issue 14 asks for a GPU run's time-to-strength curve in the card: the released card's points
    are release-curve.csv's nets after the CPU lineage's last one, from 0 s on; an unknown start
    is refused in one line before anything is written."""
    card = json.loads((ROOT / "checkpoints" / "connect4" / "card.json").read_text())
    shipped = card["gpu_time_to_strength"]
    again = card_module.gpu_curve(shipped["start"], shipped["hardware"])
    assert again == shipped
    points = shipped["points"]
    assert points[0]["model"] == shipped["start"] and points[0]["seconds"] == 0
    assert [p["seconds"] for p in points] == sorted(p["seconds"] for p in points)
    assert all(p["policy"]["of"] == p["az:sims=32"]["of"] == 3000 for p in points)
    final = points[-1]
    assert final["selfplay_positions"] == card["lineage_total"]["positions_seen"]
    assert final["policy"]["mistakes"] == card["study_curve"]["snapshots"][-1]["policy"]["mistakes"]
    done = subprocess.run([sys.executable, str(ABLATION / "release_card.py"), str(ABLATION / "models" / "GF64x6-10k"),
                           str(ABLATION / "evals" / "GF64x6-10k"), str(tmp_path / "out"), "--notes", "x",
                           "--gpu-after", "run:nowhere:it-000001"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "no GPU curve" in done.stderr
    assert not (tmp_path / "out").exists()
