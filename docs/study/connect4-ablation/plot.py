"""Draws connect4-ablation.png from training.csv (written by `arena study compute --lineage RUN ...`).

One column per agent (raw `policy`, `az:sims=32`): mistakes on all 3,000 positions of the study
set against self-play positions (top) and training wall time (bottom), one line per run, the
released lineage it continues in grey; shaded: 95% normal-approximation bands of each point.

    python docs/study/connect4-ablation/plot.py docs/study/connect4-ablation/training.csv docs/img/connect4-ablation.png
    python docs/study/connect4-ablation/plot.py --from-scratch docs/study/connect4-ablation/training.csv docs/img/connect4-carry.png

`--from-scratch` draws the runs that start from an untrained net (J, J0: issue 14's fourth round)
against self-play positions only (they ran side by side, so their wall times are those of a
shared CPU), with the released lineage's untrained, first-stage and released points in grey.
"""

from __future__ import annotations

import csv
import math
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {"lineage": "released lineage", "run:c4-A": "A: baseline (32 sims every move)",
          "run:c4-B": "B: playout cap 25% x 64 / 8 sims + value mix 0.5",
          "run:c4-C": "C: value mix 0.5 only",
          "run:c4-D": "D: A's iteration 90, then 50 iterations of cosine decay",
          "run:c4-E": "E: A's recipe on the release grown to 6 blocks (32x6)",
          "run:c4-F": "F: A's recipe with random openings of 0-8 plies (not 0-36)",
          "run:c4-H": "H: A's recipe with 128 simulations per move (not 32)",
          "run:c4-I": "I: A's recipe with Gumbel noise only before ply 4",
          "run:c4-K": "K: A's recipe with unfinished games carried"}
FROM_SCRATCH = {"lineage": "released lineage: untrained, stage 1 (1.85 M), release (3.14 M)",
                "run:c4-J": "J: stage 1's recipe, 86 iterations, unfinished games carried",
                "run:c4-J0": "J0: the same without the carry (as every earlier run)"}

# tab10 without its grey (index 7), which marks the released lineage
RUN_COLOURS = [c for i, c in enumerate(plt.cm.tab10.colors) if i != 7]


def _points(totals: dict, source: str, agent: str, axis: str) -> list[tuple[float, int, int]]:
    """(x, mistakes, positions) of one run and agent, x = self-play positions or wall seconds."""
    return sorted(((pos if axis == "positions" else wall), m, n)
                  for (s, a, pos, wall), (m, n) in totals.items() if s == source and a == agent)


def main(source: str, target: str, from_scratch: bool = False) -> None:
    labels = FROM_SCRATCH if from_scratch else LABELS
    axes = ("positions",) if from_scratch else ("positions", "wall")
    totals: dict[tuple[str, str, int, float], list[int]] = defaultdict(lambda: [0, 0])
    for row in csv.DictReader(Path(source).read_text().splitlines()):
        if row["model"] == "lineage:untrained" and not from_scratch:
            continue
        key = (row["source"], row["agent"], int(row["selfplay_positions"]), float(row["training_wall_s"]))
        totals[key][0] += int(row["mistakes"])
        totals[key][1] += int(row["positions"])
    fig, grid = plt.subplots(len(axes), 2, figsize=(11, 4 * len(axes)), sharey=True, squeeze=False)
    panels = [(r, c, agent, axis) for r, axis in enumerate(axes)
              for c, agent in enumerate(("policy", "az:sims=32"))]
    for r, c, agent, axis in panels:
        ax = grid[r][c]
        for source, label in labels.items():
            points = _points(totals, source, agent, axis)
            if not points:
                continue
            xs = [x / 1e6 if axis == "positions" else x / 3600 for x, _, _ in points]
            ys = [100 * m / n for _, m, n in points]
            half = [100 * 1.96 * math.sqrt((m / n) * (1 - m / n) / n) for _, m, n in points]
            colour = RUN_COLOURS[list(labels).index(source) % len(RUN_COLOURS)]
            style = (dict(color="grey", marker="s") if source == "lineage"
                     else dict(color=colour, marker="o", markersize=3))
            if source == "lineage" and from_scratch:  # three separate runs' ends, not a curve
                style["linestyle"] = "none"
            ax.plot(xs, ys, label=label, **style)
            if source != "lineage":
                ax.fill_between(xs, [y - h for y, h in zip(ys, half, strict=True)],
                                [y + h for y, h in zip(ys, half, strict=True)], color=colour, alpha=0.12)
        ax.set_title(f"{agent}: mistakes on the study's 3,000 positions", fontsize=10)
        ax.set_xlabel("self-play positions (millions, cumulative from the untrained net)" if axis == "positions"
                      else "training wall time (hours, cumulative, 2-core CPU shared by the runs)")
        ax.grid(alpha=0.3)
        if c == 0:
            ax.set_ylabel("mistakes (%)")
    grid[0][1].legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(target, dpi=110)


if __name__ == "__main__":
    flag = "--from-scratch" in sys.argv
    paths = [a for a in sys.argv[1:] if a != "--from-scratch"]
    main(paths[0], paths[1], from_scratch=flag)
