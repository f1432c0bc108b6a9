"""The learning curve of the connect-four release (GF64x6 at 10,000 updates), every stage on the same 3,000 positions.

Issue 14 asks for the release's mistake rate against self-play positions and wall time, with one
fixed evaluation set all along. The stages were scored in two study folders on the same published
set: the untrained net, stage 1 and the release of 2026-11-23 in the published study
(`docs/study/connect4/training.csv`), run M, the distilled net DM64, runs L64 and L64b, the
distilled net DC64 and the GPU round's G64, GD64x6, G64x6 and GF64x6 in the later rounds'
folders. `collect`
keeps the rows of that lineage in `release-curve.csv` (the folder itself does not outlive its
machine), merged into the rows already there: a folder on a new machine need only hold the
stages scored since, and a network it holds replaces its old row. `plot` draws
`docs/img/connect4-release-curve.png` from that file alone.

    python docs/study/connect4-ablation/release_curve.py collect STUDY_FOLDER
    python docs/study/connect4-ablation/release_curve.py plot
    python docs/study/connect4-ablation/release_curve.py plot-gpu

`plot-gpu` draws the stages trained on a GPU against their own seconds there
(`docs/img/connect4-gpu-curve.png`): issue 14's time-to-strength curve of the GPU run, which
the whole lineage's wall-time axis squeezes into its last pixel. The card holds the same points
(`release_card.py --gpu-after`, from `gpu_points`).
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUCKETS = ("opening", "middle", "end")  # the study's phases, as in training.csv
CURVE = HERE / "release-curve.csv"
FIGURE = HERE.parents[1] / "img" / "connect4-release-curve.png"
GPU_FIGURE = HERE.parents[1] / "img" / "connect4-gpu-curve.png"
GPU_START = "run:DC64:it-000008"  # the CPU lineage's last net, from which the GPU stages start
PUBLISHED = HERE.parent / "connect4" / "training.csv"
AGENTS = ("policy", "az:sims=32")
# (model name in a study's training.csv, stage label): the lineage in order
LINEAGE = [("lineage:untrained", "untrained"), ("lineage:stage1", "1: arena train defaults"),
           ("lineage:released", "2: release 2026-11-23")]
# (snapshot name prefix in the round's study folder, last iteration in the lineage or None for all,
# stage label): the stages scored after the published study, in order. A run continued from the
# stage before it starts with that stage's last network, so its it-000000 is not a new point.
# L64's snapshots after 120 are gone; the two kept as models (190, 230) are scored under their
# lineage names. R64 and S128 (stage 7) ran side by side from L64b's iteration 150 and were not
# kept in this curve: their self-play shows as the step in x between stages 6 and 8.
RUNS = [("run:c4-M:it-", 240, "3: run M"),  # 240: the iteration whose buffer ends the distilled net's data
        ("run:DM64:it-", None, "4: 64x3 distilled"),
        ("run:c4-L64:it-", 120, "5: L64, self-play at 64x3"),
        ("lineage:L64-it", 230, "5: L64, self-play at 64x3"),
        ("run:c4-L64b:it-", 150, "6: L64b, L64 continued"),
        ("run:DC64:it-", None, "8: DC64, distilled with a colour plane"),
        ("run:G64:it-", 15, "9: G64, DC64's self-play on a GPU"),
        ("run:GD64x6:it-", None, "10: GD64x6, 64x6 distilled from G64"),
        ("run:G64x6:it-", 8, "11: G64x6, GD64x6's self-play"),
        ("run:GF64x6:it-", None, "12: GF64x6, GD64x6 trained on G64x6's games (released)")]


def _read(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _run_stage(model: str) -> str | None:
    """The RUNS stage a snapshot belongs to, or None when it is not in the lineage."""
    for prefix, last, label in RUNS:
        if model.startswith(prefix) and 0 < int(model[len(prefix):]) <= (last or 10**9):
            return label
    return None


def collect(folder: str) -> None:
    """Sums each lineage network's mistakes over the buckets and merges them into release-curve.csv."""
    wanted = dict(LINEAGE)
    # The rows already collected that are still in the lineage: the folders they came from are gone.
    # Their stage label is read again from LINEAGE / RUNS, which a later release may have renamed.
    kept = {(r["model"], r["agent"]): {**r, "stage": wanted.get(r["model"]) or _run_stage(r["model"])}
            for r in (_read(CURVE) if CURVE.exists() else []) if r["model"] in wanted or _run_stage(r["model"])}
    rows = [r for r in _read(PUBLISHED) if r["model"] in wanted]
    stage_of: dict[str, str] = {}
    for r in _read(Path(folder) / "training.csv"):
        if stage := _run_stage(r["model"]):
            rows.append(r)
            stage_of[r["model"]] = stage
    table: dict[tuple[str, str], dict] = {}
    for r in rows:
        if r["agent"] not in AGENTS:
            continue
        row = table.setdefault((r["model"], r["agent"]), {
            "model": r["model"], "agent": r["agent"], "selfplay_positions": int(r["selfplay_positions"]),
            "training_wall_s": float(r["training_wall_s"]), "positions": 0})
        row["positions"] += int(r["positions"])
        row[r["bucket"]] = int(r["mistakes"])
    out = dict(kept)
    for key, row in table.items():
        stage = wanted.get(key[0]) or stage_of[key[0]]
        out[key] = {**row, "stage": stage, "mistakes": sum(row[b] for b in BUCKETS)}
    rows_out = sorted(out.values(), key=lambda r: (r["agent"], float(r["training_wall_s"])))
    keys = ["stage", "model", "agent", "selfplay_positions", "training_wall_s", "positions", "mistakes", *BUCKETS]
    tmp = CURVE.with_suffix(".tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, keys)
        writer.writeheader()
        writer.writerows({k: r[k] for k in keys} for r in rows_out)
    tmp.replace(CURVE)
    print(f"{CURVE}: {len(rows_out)} rows ({len(table)} from this folder and the published study)")


def gpu_points(start: str = GPU_START, curve: Path = CURVE) -> list[dict]:
    """The lineage's nets trained after `start` (in wall time), with their seconds since it:
    `start` itself at 0, then each snapshot with both agents' mistakes (total and by phase)."""
    rows = _read(curve)
    begin = [r for r in rows if r["model"] == start]
    if not begin:
        raise ValueError(f"{curve} has no rows of {start}")
    zero = float(begin[0]["training_wall_s"])
    points: dict[str, dict] = {}
    for r in rows:
        if r["model"] != start and float(r["training_wall_s"]) <= zero:
            continue
        point = points.setdefault(r["model"], {
            "stage": r["stage"], "model": r["model"],
            "seconds": round(float(r["training_wall_s"]) - zero, 1),
            "selfplay_positions": int(r["selfplay_positions"])})
        point[r["agent"]] = {"mistakes": int(r["mistakes"]), "of": int(r["positions"]),
                             **{b: int(r[b]) for b in BUCKETS}}
    return sorted(points.values(), key=lambda p: p["seconds"])


def plot_gpu() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = gpu_points()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for agent, colour in zip(AGENTS, ("tab:orange", "tab:blue"), strict=True):
        xs = [p["seconds"] for p in points if agent in p]
        ys = [100 * p[agent]["mistakes"] / p[agent]["of"] for p in points if agent in p]
        ax.plot(xs, ys, "-o", color=colour, markersize=3, label=agent)
        ax.annotate(f"{points[-1][agent]['mistakes']}", (xs[-1], ys[-1]), textcoords="offset points",
                    xytext=(4, 4), fontsize=8, color=colour)
    for before, point in zip(points, points[1:], strict=False):  # a stage begins after the last point of the one before
        if point["stage"] != before["stage"]:
            ax.axvline(before["seconds"], color="grey", lw=0.5, ls=":")
            ax.text(before["seconds"], 0.2, " " + point["stage"].split(",")[0], rotation=90, fontsize=8,
                    va="bottom", color="grey")
    ax.set_xlabel(f"training seconds on one NVIDIA H200 since {points[0]['model']} (the CPU lineage's last net, at 0)")
    ax.set_ylabel("mistakes on the study's 3,000 positions (%)")
    ax.set_ylim(0, None)
    ax.grid(alpha=0.3)
    ax.legend(title="agent")
    ax.set_title("connect four on a GPU: stages 9-12 of the release (self-play, distillation, self-play, "
                 "distillation)", fontsize=10)
    fig.tight_layout()
    tmp = GPU_FIGURE.with_name(GPU_FIGURE.stem + ".tmp.png")
    fig.savefig(tmp, dpi=110)
    tmp.replace(GPU_FIGURE)
    print(GPU_FIGURE)


def plot() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = _read(CURVE)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for ax, x_key, scale, label in ((axes[0], "selfplay_positions", 1e6, "self-play positions behind the net (M)"),
                                    (axes[1], "training_wall_s", 3600, "training wall time (h; the 2-core CPU, stages 9-12 on one H200)")):
        for agent, colour in zip(AGENTS, ("tab:orange", "tab:blue"), strict=True):
            mine = [r for r in rows if r["agent"] == agent]
            xs = [float(r[x_key]) / scale for r in mine]
            ys = [100 * int(r["mistakes"]) / int(r["positions"]) for r in mine]
            ax.plot(xs, ys, "-o", color=colour, markersize=3, label=agent)
            last = mine[-1]
            ax.annotate(f"{int(last['mistakes'])}", (xs[-1], ys[-1]), textcoords="offset points", xytext=(4, 4),
                        fontsize=8, color=colour)
        for stage in sorted({r["stage"] for r in rows}):
            first = min((r for r in rows if r["stage"] == stage), key=lambda r: float(r["training_wall_s"]))
            ax.axvline(float(first[x_key]) / scale, color="grey", lw=0.5, ls=":")
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("mistakes on the study's 3,000 positions (%)")
    axes[0].legend(title="agent")
    axes[0].set_ylim(0, None)
    axes[1].text(0.98, 0.95, "stages (dotted): untrained, 1, 2 (release 2026-11-23), 3 (run M),\n4, 8, 10 and 12 "
                 "(distilled: no new self-play, so their\npoints stack), 5 (L64), 6 (L64b); 7 (R64 and S128,\n"
                 "not scored here) is the step in x before 8 (DC64);\n9-12 ran on a GPU in 7 minutes",
                 transform=axes[1].transAxes, ha="right", va="top", fontsize=8)
    fig.suptitle("connect four, the release of 2026-12-04 (GF64x6, 10,000 updates): its whole lineage on one fixed set")
    fig.tight_layout()
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    tmp = FIGURE.with_name(FIGURE.stem + ".tmp.png")
    fig.savefig(tmp, dpi=110)
    tmp.replace(FIGURE)
    print(FIGURE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("collect").add_argument("folder")
    sub.add_parser("plot")
    sub.add_parser("plot-gpu")
    args = parser.parse_args()
    if args.what == "collect":
        collect(args.folder)
    elif args.what == "plot":
        plot()
    else:
        plot_gpu()


if __name__ == "__main__":
    main()
