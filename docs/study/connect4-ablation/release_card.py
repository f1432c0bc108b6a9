"""Makes a connect-four release folder: a candidate's model with a card that adds its measurements.

Issue 14 asks that the release's card hold every stage of its lineage, its figures against perfect
play and its learning curve on one fixed evaluation set. The candidate's own card (written by
`arena export` or a run's snapshot) already nests its lineage (`started_from`, `distilled_from`);
this adds, from files that are committed beside it:

- `lineage_total`: self-play positions, games and training wall time summed over every stage;
- `mistake_rates_vs_perfect_play`: Pons' six sets at 800 simulations, and
- `games_vs_perfect_solver`: the 98 games from every 2-ply opening,
  both from the folder `measure_candidate.sh` wrote (EVALS);
- `study_curve` (with `--study`): each snapshot of the run on the study's fixed 3,000 positions,
  raw network and 32 simulations, beside the base network position by position (McNemar);
- `gpu_time_to_strength` (with `--gpu-after MODEL`): the lineage's nets trained after MODEL (on
  a GPU) against their training seconds since it, from `release-curve.csv` (`release_curve.py`);
- `training_notes`: what the card's fields do not say.

The model files are copied unchanged (their sha256 is checked on load); the card is written
atomically. Nothing is measured here: a missing measurement is refused in one line.

    python docs/study/connect4-ablation/release_card.py MODEL EVALS OUT --notes TEXT \\
        [--study STUDY_FOLDER --run run:c4-L64 --base run:c4-L64:it-000000 --through 120]
        [--gpu-after run:DC64:it-000008 --gpu-hardware "1 x NVIDIA H200"]
    python docs/study/connect4-ablation/release_card.py MODEL EVALS OUT --from-card OLD_CARD
"""
from __future__ import annotations

import argparse
import csv
import datetime
import json
import shutil
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
SETS = ("end-easy", "middle-easy", "middle-medium", "begin-easy", "begin-medium", "begin-hard")
STUDY_AGENTS = "policy: the raw network; az:sims=32: 32 Gumbel simulations"  # the two agents every study cell is scored with
STUDY_SET = ("the study's fixed 3,000 labelled positions (docs/study/connect4/positions.csv: 1,000 per phase, "
             "opening plies 0-12, middle 13-26, end 27+), scored with `arena study compute --lineage` after "
             "docs/study/connect4-ablation/study_folder.py")


class CardError(Exception):
    """A missing or unreadable input, said in one line."""


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise CardError(f"{path} is missing (measure the candidate first: measure_candidate.sh)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CardError(f"{path} is unreadable ({err})") from None


def pons_rates(evals: Path) -> dict[str, Any]:
    """The six sets' figures from `arena eval --set NAME --json` files, one per set."""
    rates = {}
    for name in SETS:
        found = _read_json(evals / f"{name}.json")["sets"][0]
        rates[name] = {k: found[k] for k in ("positions", "mistakes", "rate", "interval95", "seconds")}
    agent = _read_json(evals / f"{SETS[0]}.json").get("agent", "")
    sims = next((part.split("=", 1)[1] for part in agent.split(",") if part.startswith("sims=")), "800")
    sample = ("all 1000 positions of each" if all(r["positions"] == 1000 for r in rates.values()) else
              "positions per set as each entry counts them (a seeded sample where fewer than 1000)")
    return {"metric": "share of positions where the chosen move has a worse win/draw/loss outcome than the best "
                      f"(docs/references.md); Pons' sets, {sample}; "
                      "95% Wilson intervals; command: docs/study/connect4-ablation/measure_candidate.sh (arena eval "
                      "az:sims=800 --set NAME --limit 0 --json)",
            f"az:sims={sims} (gumbel)": rates}


def solver_games(evals: Path) -> dict[str, Any]:
    """The summary of the games against the perfect solver (`arena eval --vs-solver --json`)."""
    vs = _read_json(evals / "vs-solver.json")["vs_solver"]
    firsts, hand = vs["first_mistake_plies"], vs["by_true_outcome"]
    return {
        "command": "arena eval az:sims=800 --vs-solver --plies 2 --games-out FILE",
        "seconds": round(vs["seconds"]),
        "games": vs["games"], "achieved_game_theoretic_result": vs["achieved"],
        "kept_win_or_draw_in_hand": {"kept": vs["held"]["kept"], "of": vs["held"]["games"],
                                     "rate": round(vs["held"]["rate"], 3),
                                     "interval95": [round(x, 3) for x in vs["held"]["interval95"]],
                                     "wins_kept": f"{hand['win'][1]}/{hand['win'][0]}",
                                     "draws_kept": f"{hand['draw'][1]}/{hand['draw'][0]}"},
        "moves": {"mistakes": vs["agent_mistakes"], "of": vs["agent_moves"]},
        "first_mistake_ply": {"min": min(firsts), "median": statistics.median(firsts), "max": max(firsts),
                              "by_ply_6": sum(p <= 6 for p in firsts), "by_ply_12": sum(p <= 12 for p in firsts),
                              "games": len(firsts)} if firsts else None,
    }


def study_curve(folder: Path, run: str, base: str, base_label: str, through: int | None = None) -> dict[str, Any]:
    """Each snapshot of `run` (its study names `run:NAME:it-N`) up to iteration `through` (the
    released one; later snapshots are not behind it) on the study's positions, beside `base`."""
    from paired import BUCKETS, compare, read_flags

    flags = read_flags(str(folder))
    agents = sorted({a for a, _ in flags}, reverse=True)  # policy, then az:sims=32
    if not agents or any((a, base) not in flags for a in agents):
        raise CardError(f"{folder}: no cells for {base!r} (score it with arena study compute --lineage)")
    with (folder / "training.csv").open(newline="") as handle:
        axes = {r["model"]: r for r in csv.DictReader(handle)}

    def figures(agent: str, model: str) -> dict[str, Any]:
        marks = flags[(agent, model)]
        return {"mistakes": sum(sum(marks[b]) for b in BUCKETS), **{b: sum(marks[b]) for b in BUCKETS}}

    snapshots = []
    for model in sorted({m for _, m in flags if m.startswith(run + ":")}):
        if model == base or model not in axes:
            continue
        if through is not None and int(axes[model]["iteration"]) > through:
            continue
        row = {"iteration": int(axes[model]["iteration"]),
               "selfplay_positions": int(axes[model]["selfplay_positions"]),
               "training_wall_s": float(axes[model]["training_wall_s"])}
        for agent in agents:
            if (agent, model) not in flags:
                continue
            ref = [x for b in BUCKETS for x in flags[(agent, base)][b]]
            fixed, new, p = compare(ref, [x for b in BUCKETS for x in flags[(agent, model)][b]])
            row[agent] = {**figures(agent, model), f"against_{base_label}": {"fixed": fixed, "new": new,
                                                                            "mcnemar_p": float(f"{p:.3g}")}}
        snapshots.append(row)
    if not snapshots:
        raise CardError(f"{folder}: no scored snapshot of {run!r}")
    return {"set": STUDY_SET, "agents": STUDY_AGENTS,
            "axes": "selfplay_positions and training_wall_s are cumulative over the lineage, as the study counts them",
            base_label: {"model": base, **{a: figures(a, base) for a in agents}},
            "snapshots": sorted(snapshots, key=lambda r: r["iteration"])}


def gpu_curve(after: str, hardware: str) -> dict[str, Any]:
    """The GPU stages' time-to-strength points (issue 14: "a GPU run with its time-to-strength
    curve in the card"), read from the committed release-curve.csv."""
    from release_curve import CURVE, gpu_points

    try:
        points = gpu_points(after)
    except (OSError, ValueError, KeyError) as err:
        raise CardError(f"{CURVE}: no GPU curve after {after!r} ({err})") from None
    if len(points) < 2:
        raise CardError(f"{CURVE}: no network trained after {after!r}")
    return {"hardware": hardware, "start": after,
            "axes": "seconds: training wall time since the start net, as the runs' logs and cards count it "
                    "(self-play iterations and distillation updates; compilation and saving excluded); "
                    "selfplay_positions: cumulative over the lineage",
            "set": STUDY_SET, "agents": STUDY_AGENTS,
            "points": points}


def release_card(model: Path, evals: Path, notes: str, curve: dict[str, Any] | None = None,
                 base_now_at: str | None = None) -> dict[str, Any]:
    """The candidate's card with its lineage totals, measurements, notes and (given) study curve.
    `base_now_at`: where the model it started from is kept now, when the release replaces it in
    the folder its card names (`started_from.path` stays as the run recorded it)."""
    from arena.study.training import lineage_totals

    card = _read_json(model / "card.json")
    # A distilled net's snapshot card says how it was made but not what it is: the release card
    # names its game and network as `arena export` does, from the model file itself.
    spec = _read_json(model / "model.json")
    card = {"game": spec["game"], "network": spec["network"], "parameters": spec["num_params"], **card}
    if base_now_at is not None:
        if "started_from" not in card:
            raise CardError(f"{model / 'card.json'} has no started_from to place elsewhere")
        card["started_from"] = {**card["started_from"], "now_at": base_now_at}
    totals = lineage_totals(card)
    out = {**card,
           "lineage_total": {**totals, "training_wall_seconds": round(totals["training_wall_seconds"], 1),
                             "note": "every stage's own figures summed along started_from (a distilled "
                                     "stage's count the self-play behind its data)"},
           "training_notes": notes,
           "mistake_rates_vs_perfect_play": pons_rates(evals),
           "games_vs_perfect_solver": solver_games(evals),
           "measured_files": str(evals)}
    if curve is not None:
        out["study_curve"] = curve
    out["released"] = datetime.date.today().isoformat()
    return out


def write_release(model: Path, card: dict[str, Any], out: Path) -> None:
    """OUT gets the model's files unchanged and the new card, swapped in whole
    (`agents.files.write_folder_atomic`)."""
    from agents.files import write_folder_atomic

    for name in ("model.json", "weights.npz"):
        if not (model / name).is_file():
            raise CardError(f"{model} has no {name}: not a model folder")

    def fill(staging: Path) -> None:
        for name in ("model.json", "weights.npz"):
            shutil.copyfile(model / name, staging / name)
        (staging / "card.json").write_text(json.dumps(card, indent=1) + "\n")

    write_folder_atomic(out, fill)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="the candidate's model folder (model.json, weights.npz, card.json)")
    parser.add_argument("evals", type=Path, help="the folder measure_candidate.sh wrote for it")
    parser.add_argument("out", type=Path, help="the release folder to write (e.g. checkpoints/connect4)")
    notes = parser.add_mutually_exclusive_group(required=True)
    notes.add_argument("--notes", help="training_notes: the lineage in words")
    notes.add_argument("--from-card", type=Path,
                       help="an earlier release card of this candidate: its training_notes and study_curve are "
                            "kept (re-measuring after the run's files are gone); the measurements are read anew")
    parser.add_argument("--study", type=Path, help="a study folder that scored the run's snapshots")
    parser.add_argument("--run", help="the run's name in the study (run:NAME)")
    parser.add_argument("--base", help="the network to compare each snapshot with (a name in the study)")
    parser.add_argument("--base-label", default="previous_release")
    parser.add_argument("--base-now-at", help="where the model the candidate started from is kept now")
    parser.add_argument("--through", type=int, help="the run's last iteration in the curve (the released one)")
    parser.add_argument("--gpu-after", help="add the GPU stages' time-to-strength curve: the lineage's nets "
                                            "after this one in release-curve.csv")
    parser.add_argument("--gpu-hardware", default="1 x NVIDIA H200", help="what the GPU stages ran on")
    args = parser.parse_args(argv)
    try:
        if args.out.resolve() == args.model.resolve():
            raise CardError("OUT must differ from MODEL (the candidate stays as it was measured)")
        curve, notes = None, args.notes
        if args.from_card:
            if args.study:
                raise CardError("--from-card keeps the earlier card's study curve; drop --study")
            earlier = _read_json(args.from_card)
            notes, curve = earlier.get("training_notes"), earlier.get("study_curve")
            if notes is None:
                raise CardError(f"{args.from_card} has no training_notes: not a release card")
        if args.study:
            if not (args.run and args.base):
                raise CardError("--study needs --run and --base")
            curve = study_curve(args.study, args.run, args.base, args.base_label, args.through)
        card = release_card(args.model, args.evals, notes, curve, args.base_now_at)
        if args.from_card and "gpu_time_to_strength" in earlier and not args.gpu_after:
            card["gpu_time_to_strength"] = earlier["gpu_time_to_strength"]
        if args.gpu_after:
            card["gpu_time_to_strength"] = gpu_curve(args.gpu_after, args.gpu_hardware)
        write_release(args.model, card, args.out)
    except CardError as err:
        print(f"release_card.py: {err}", file=sys.stderr)
        return 2
    totals = card["lineage_total"]
    print(f"wrote {args.out}: {totals['positions_seen']:,} self-play positions, "
          f"{totals['training_wall_seconds']:,.0f} s of training over the lineage")
    return 0


if __name__ == "__main__":
    sys.exit(main())
