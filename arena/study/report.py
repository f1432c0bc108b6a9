"""The study's report: results.json, CSV tables and PNG plots, rebuilt from the stored cells.

Everything here is a function of the run folder's files, so the report can be redrawn at any
time (and is, at the end of every run) without measuring anything again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from agents.files import write_json_atomic, write_text_atomic
from agents.solver import outcome_class
from arena.study import positions as P
from arena.study.cells import FAMILIES, family
from arena.study.counting import unit_of

if TYPE_CHECKING:
    from arena.study.run import Study
    from arena.study.training import TrainedModel

THRESHOLDS = (0.10, 0.05, 0.02, 0.01)  # "fewer than X% mistakes" in the headline
MEASURED = (
    "mistakes: moves whose win/draw/loss class is below the position's (the judge's rule), against "
    "the stored exact labels, 95% Wilson intervals; examined: positions examined per move in the "
    "family's unit (see units); seconds_per_move: solver family one move at a time on one core, "
    "batched families (mcts, az, policy) the throughput of one jitted search over a chunk of up to "
    "256 positions, counting callback included; latency_s: one move at a time (the batched "
    "families' plain agent on the first positions of each bucket), the wait a player sees"
)
ROW_KEYS = ("name", "spec", "family", "part", "bucket", "positions", "mistakes", "rate", "ci_low", "ci_high",
            "illegal", "unit", "examined_mean", "examined_median", "examined_p90", "seconds_per_move", "batch",
            "latency_mean_s", "latency_median_s", "latency_positions", "attempted", "unfinished", "cap_s")


def write_csv(path: Path, keys: Sequence[str], rows: Sequence[Mapping]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(keys), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(path, out.getvalue())


def write_positions_csv(path: Path, game, positions: Sequence[P.Position]) -> None:
    """The labelled set as one compact row per position (positions.json holds the same, with its
    provenance): moves, ply, bucket, the exact score of each move (empty: illegal), source."""
    keys = ["moves", "ply", "bucket", *(f"score_{game.action_to_str(a)}" for a in range(game.num_actions)), "source"]
    rows = [{"moves": p.moves, "ply": p.ply, "bucket": p.bucket, "source": p.source,
             **{k: ("" if s is None else s) for k, s in zip(keys[3:-1], p.scores, strict=True)}} for p in positions]
    write_csv(path, keys, rows)


def cell_row(cell: Mapping) -> dict:
    """A cell as one flat row (no per-position lists)."""
    return {**{k: cell.get(k) for k in ROW_KEYS}, "ci_low": cell["interval95"][0], "ci_high": cell["interval95"][1],
            "examined_mean": cell["examined"]["mean"], "examined_median": cell["examined"]["median"],
            "examined_p90": cell["examined"]["p90"], "latency_mean_s": cell["latency_s"]["mean"],
            "latency_median_s": cell["latency_s"]["median"], "latency_positions": cell["latency_s"]["positions"]}


def overall(cells: Sequence[Mapping]) -> dict:
    """An agent over all its buckets: positions examined and seconds per move, position-weighted.

    The capped solver's unfinished positions are left out (their counts are lower bounds).
    """
    counts = [c for cell in cells for i, c in enumerate(cell["counts"]) if i not in set(cell["unfinished_at"])]
    latency = [cell["latency_s"]["mean"] * cell["latency_s"]["positions"] for cell in cells
               if cell["latency_s"]["mean"] is not None]
    timed = sum(cell["latency_s"]["positions"] for cell in cells if cell["latency_s"]["mean"] is not None)
    return {"examined_mean": float(np.mean(counts)) if counts else None,
            "latency_mean_s": sum(latency) / timed if timed else None,
            "unfinished": sum(cell["unfinished"] for cell in cells)}


def headline(cells: Sequence[Mapping], buckets: Sequence[str]) -> dict:
    """Per bucket and threshold X: each family's cheapest rung with fewer than X mistakes."""
    out: dict = {}
    for bucket in buckets:
        mine = [c for c in cells if c["bucket"] == bucket and c["examined"]["mean"] is not None]
        out[bucket] = {}
        for x in THRESHOLDS:
            entry = {}
            for fam in FAMILIES:
                rungs = sorted((c for c in mine if c["family"] == fam and c["rate"] < x),
                               key=lambda c: c["examined"]["mean"])
                if rungs:
                    c = rungs[0]
                    entry[fam] = {"name": c["name"], "examined": c["examined"]["mean"], "rate": c["rate"],
                                  "interval95": c["interval95"], "latency_s": c["latency_s"]["mean"],
                                  "lower_bound": bool(c["unfinished"])}
            out[bucket][f"{100 * x:g}%"] = entry
    return out


def write_report(study: Study, positions: Sequence[P.Position], elo: Mapping | None,
                 models: Sequence[TrainedModel]) -> dict:
    """results.json, results.csv, elo.csv, training.csv and the plots, from the stored cells."""
    folder = study.folder
    buckets = list(study.buckets)
    stored = {(c["name"], c["bucket"]): c for c in study.cells()}
    ladder = [stored[(s, b)] for s in study.settings.ladder for b in buckets if (s, b) in stored]
    set_info = {}
    for b in buckets:
        mine = [p for p in positions if p.bucket == b]
        decisive = sum(len({outcome_class(s) for s in p.scores if s is not None}) > 1 for p in mine)
        set_info[b] = {"plies": list(study.buckets[b]), "positions": len(mine),
                       "positions_where_a_mistake_is_possible": decisive}
    by_name: dict[str, list[Mapping]] = {}
    for c in ladder:
        by_name.setdefault(c["name"], []).append(c)
    agents = [{"name": n, "family": cs[0]["family"], **overall(cs)} for n, cs in by_name.items()]
    elo_rows = _elo_rows(elo, by_name, study.settings.ladder) if elo else []
    training = _training_rows(stored, models, buckets, study.settings.training_sims)
    data = {
        "game": study.game.spec,
        "seed": study.settings.seed,
        "set": {"file": P.SET_FILE, "buckets": set_info},
        "measured": MEASURED,
        "units": {fam: unit_of(fam) for fam in FAMILIES},
        "perfect_solver": "measured without its opening book, a fresh transposition table per move; on connect "
                          f"four the first {study.settings.cells.perfect_positions} positions of each bucket "
                          f"(a random sample), at most {study.settings.cells.perfect_cap_s:g} s per move: "
                          "positions it did not finish are 'unfinished', left out of its mistakes and its "
                          "examined figures, which are then lower bounds",
        "headline": headline(ladder, buckets),
        "agents": agents,
        "cells": [{k: v for k, v in c.items() if k not in ("actions", "counts")} for c in ladder],
        "elo": {"tournament": None if not elo else {
                    "games": elo["games_played"], "games_per_pairing": study.settings.elo_games,
                    "openings": elo["openings"], "method": elo["ratings"]["method"] if elo.get("ratings") else None},
                "agents": elo_rows},
        "training": {"models": [m.to_json() for m in models], "rows": training,
                     "sims": study.settings.training_sims},
    }
    write_json_atomic(folder / "results.json", data)
    write_csv(folder / "results.csv", ROW_KEYS, [cell_row(c) for c in ladder])
    write_positions_csv(folder / "positions.csv", study.game, positions)
    if elo_rows:
        write_csv(folder / "elo.csv", list(elo_rows[0]), elo_rows)
    if training:
        write_csv(folder / "training.csv", list(training[0]), training)
    from arena.study.plots import plot_elo, plot_mistakes, plot_training

    plot_mistakes(ladder, buckets, folder / "mistakes-vs-compute.png", axis="examined", game=study.game.name)
    plot_mistakes(ladder, buckets, folder / "mistakes-vs-time.png", axis="latency", game=study.game.name)
    if elo_rows:
        plot_elo(elo_rows, folder / "elo-vs-compute.png", game=study.game.name)
    if training:
        plot_training(training, buckets, folder / "training.png", game=study.game.name)
    return data


def _elo_rows(elo: Mapping, by_name: Mapping[str, list], ladder: Sequence[str]) -> list[dict]:
    """Each rated agent with its compute; the perfect solver's is its ladder cell's (no book)."""
    perfect = next((s for s in ladder if family(s) == "perfect"), None)
    rows = []
    for a in (elo.get("ratings") or {}).get("agents", []):
        name = a["name"]
        source = name if name in by_name else (perfect if family(name) == "perfect" else None)
        comp = overall(by_name[source]) if source in by_name else {}
        rows.append({"name": name, "family": family(name), "elo": a["elo"]["value"], "error": a["elo"]["error"],
                     "bound": a["elo"]["bound"], "games": a["games"], "score": a["score"],
                     "compute_from": source, "examined_mean": comp.get("examined_mean"),
                     "latency_mean_s": comp.get("latency_mean_s"),
                     "compute_lower_bound": bool(comp.get("unfinished"))})
    return rows


def _training_rows(stored: Mapping, models: Sequence[TrainedModel], buckets: Sequence[str], sims: int) -> list[dict]:
    rows = []
    for m in models:
        for agent, name in (("policy", f"policy@{m.name}"), (f"az:sims={sims}", f"az:sims={sims}@{m.name}")):
            for b in buckets:
                c = stored.get((name, b))
                if c is None:
                    continue
                rows.append({"model": m.name, "source": m.source, "iteration": m.iteration,
                             "selfplay_positions": m.positions, "training_wall_s": round(m.wall_s, 1),
                             "agent": agent, "bucket": b, "positions": c["positions"], "mistakes": c["mistakes"],
                             "rate": c["rate"], "ci_low": c["interval95"][0], "ci_high": c["interval95"][1]})
    return rows
