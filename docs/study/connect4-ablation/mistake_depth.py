"""How far ahead do a network's mistakes bite? Plies from each mistake to the decisive stone.

Every study position carries the exact Pons score of each move (`positions.json`), and a score
says when the game ends under perfect play: a side that wins with score s places its winning
stone as the board's (43 - 2s)-th. So a mistake's depth, in plies from the position, is
(43 - 2|s|) - ply of the opponent's forced win after the move (win->loss, draw->loss) or of the
win that was missed (win->draw). Short depths are tactics a little search finds; depths near
the plies left on the board are the slow wins of connect four, decided by which side must fill
the last squares of a column pair (threat parity), which only the value function can know.
The same depths of every decided position of the phase are printed beside, for scale.

    python docs/study/connect4-ablation/mistake_depth.py STUDY_DIR AGENT@MODEL...
    (e.g. policy@lineage:L64-it230 az:sims=32@lineage:L64-it230; names as in cells.jsonl)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

import games
from arena.study.cells import is_mistake_label
from arena.study.positions import CONNECT4_BUCKETS, Position

BUCKETS = tuple(CONNECT4_BUCKETS)  # opening, middle, end
SHORT = 16  # plies: what a few dozen simulations can still see through, roughly


def decisive_ply(score: int) -> int:
    """The number of stones on the board after the winning one, for a Pons score s != 0."""
    return 43 - 2 * abs(score)


def depth(position: Position, action: int) -> tuple[str, int]:
    """(kind, plies from the position to the stone that decides) of a mistaken move."""
    best, got = position.best, position.scores[action]
    kind = ("win" if best > 0 else "draw") + "->" + ("draw" if got == 0 else "loss")
    return kind, decisive_ply(got if got < 0 else best) - position.ply


def quantiles(values: list[int], stones: list[int]) -> str:
    """Count, depth quantiles, and the median number of the deciding stone (of 42)."""
    if not values:
        return "none"
    q = np.percentile(values, [10, 50, 90]).astype(int)
    return (f"{len(values):4d}, depth p10/median/p90 {q[0]:2d}/{q[1]:2d}/{q[2]:2d}, "
            f"deciding stone median {int(np.median(stones))}")


def main(folder: str, names: list[str]) -> None:
    game = games.make("connect4")
    positions = [Position.from_json(p, game)
                 for p in json.loads(Path(folder, "positions.json").read_text())["positions"]]
    by_bucket = {b: [p for p in positions if p.bucket == b] for b in BUCKETS}
    print("every decided position (the depth of its perfect outcome):")
    for b in BUCKETS:
        decided = [p for p in by_bucket[b] if p.best != 0]
        left = int(np.median([game.config.rows * game.config.cols - p.ply for p in by_bucket[b]]))
        print(f"  {b:8s} {quantiles([decisive_ply(p.best) - p.ply for p in decided], [decisive_ply(p.best) for p in decided])}; "
              f"plies left on the board, median {left}")
    cells = {}
    for line in Path(folder, "cells.jsonl").read_text().splitlines():
        cell = json.loads(line)
        if cell["name"] in names:
            cells[(cell["name"], cell["bucket"])] = cell["actions"]
    for name in names:
        if not all((name, b) in cells for b in BUCKETS):
            raise SystemExit(f"mistake_depth.py: {folder} has no complete cells for {name!r}")
        print(f"{name}: mistakes by kind and depth")
        for b in BUCKETS:
            mistaken = [(p, a) for p, a in zip(by_bucket[b], cells[(name, b)], strict=True)
                        if is_mistake_label(p, a)[0]]
            found = [depth(p, a) for p, a in mistaken]
            kinds = {k: sum(1 for kk, _ in found if kk == k) for k in ("win->draw", "win->loss", "draw->loss")}
            short = sum(1 for _, d in found if d <= SHORT)
            stones = [p.ply + d for (p, _), (_, d) in zip(mistaken, found, strict=True)]
            print(f"  {b:8s} {quantiles([d for _, d in found], stones)}; within {SHORT} plies {short}; "
                  + ", ".join(f"{k} {n}" for k, n in kinds.items()))


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] in ("-h", "--help"):
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2:])
