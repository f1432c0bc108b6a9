"""Paired comparison of every lineage/run network against the released one, on the same positions.

Reads a study folder made with `arena study compute --lineage ...` (its positions.json and the
per-position moves in cells.jsonl) and prints, per agent, each network's mistakes on all
3,000 positions (opening/middle/end), how many of the released network's mistakes it fixed
and how many new ones it made, and McNemar's exact two-sided p on those two counts. Pairing
is what makes small differences visible: the 95% intervals of two independent rates on 3,000
positions overlap for differences under about 1.5 points.

    python docs/study/connect4-ablation/paired.py STUDY_DIR [BASE_MODEL]
    python docs/study/connect4-ablation/paired.py STUDY_DIR --pairs RUN_A RUN_B

`--pairs` compares two runs snapshot by snapshot instead (RUN_A's it-N against RUN_B's it-N,
e.g. `run:c4-J run:c4-J0`): fixed and new are then RUN_A's against RUN_B's. A study folder
knows snapshots only by index, so it-N is equal training only where both runs saved at the
same interval (`--snapshot-every`); otherwise compare the last snapshots alone, as with the
base-model form (`paired.py STUDY_DIR run:A:it-000006`). `--phase opening`
counts fixed, new and p on that phase's 1,000 positions only, for a change aimed at one phase.
`--kept` also reads the cells kept in the repository by `keep_cells.py` (a lost run's moves),
named `kept:run:NAME:it-N`, so a net scored now can be paired with one that no longer exists.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from keep_cells import KEPT, read_kept, study_cells

import games
from arena.study.cells import is_mistake_label
from arena.study.positions import Position

BUCKETS = ("opening", "middle", "end")


def mcnemar_p(fixed: int, broken: int) -> float:
    """Exact two-sided McNemar p: the discordant pairs as a fair coin's tosses."""
    n = fixed + broken
    if n == 0:
        return 1.0
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(min(fixed, broken) + 1)) / 2**n)


def read_flags(folder: str, kept: bool = False) -> dict[tuple[str, str], dict[str, list[bool]]]:
    """{(agent, model): {bucket: [mistake?] per position}} of a study folder's network cells, and
    with `kept` of every cell kept by `keep_cells.py` (models named kept:...)."""
    game = games.make("connect4")
    positions = [Position.from_json(p, game) for p in json.loads(Path(folder, "positions.json").read_text())["positions"]]
    by_bucket = {b: [p for p in positions if p.bucket == b] for b in BUCKETS}
    cells = study_cells(folder)
    if kept:
        for path in sorted(KEPT.glob("*.jsonl.gz")):
            for (name, bucket), actions in read_kept(path).items():
                agent, model = name.split("@", 1)
                cells[(f"{agent}@kept:{model}", bucket)] = actions
    flags: dict[tuple[str, str], dict[str, list[bool]]] = {}
    for (name, bucket), actions in cells.items():
        agent, model = name.split("@", 1)
        marks = [is_mistake_label(p, a)[0] for p, a in zip(by_bucket[bucket], actions, strict=True)]
        flags.setdefault((agent, model), {})[bucket] = marks
    return {k: v for k, v in flags.items() if len(v) == len(BUCKETS)}


def compare(ref: list[bool], every: list[bool]) -> tuple[int, int, float]:
    """(fixed, new, McNemar p) of `every` against `ref`, position by position."""
    fixed = sum(r and not x for r, x in zip(ref, every, strict=True))
    new = sum(x and not r for r, x in zip(ref, every, strict=True))
    return fixed, new, mcnemar_p(fixed, new)


def on(phases: tuple[str, ...]) -> str:
    """The header's note when fixed/new/p count only some phases."""
    return "" if phases == BUCKETS else f" (fixed/new/p on the {'+'.join(phases)} positions only)"


def split(marks: dict[str, list[bool]]) -> str:
    return "/".join(str(sum(marks[b])) for b in BUCKETS)


def main(folder: str, base: str | None = None, phases: tuple[str, ...] = BUCKETS, kept: bool = False) -> None:
    flags = read_flags(folder, kept)
    models = sorted({m for _, m in flags})
    if base is None:  # the release, as `--lineage checkpoints/connect4` (or an older copy of it) names it
        base = next((m for m in ("lineage:released", "lineage:base-released") if m in models), "lineage:released")
    if base not in models:
        raise SystemExit(f"paired.py: no network {base!r} in {folder}; it has {', '.join(models) or 'none'}")
    for agent in sorted({a for a, _ in flags}, reverse=True):
        print(f"{agent}: mistakes of 3000 (opening/middle/end); against {base}{on(phases)}: fixed, new, McNemar p")
        ref = [x for b in phases for x in flags[(agent, base)][b]]
        for (a, model), marks in flags.items():
            if a != agent:
                continue
            every = [x for b in phases for x in marks[b]]
            fixed, new, p = compare(ref, every)
            print(f"  {model:26s} {sum(every):4d} ({split(marks):11s}) fixed {fixed:3d} new {new:3d} p={p:.3f}")


def pairs(folder: str, run_a: str, run_b: str, phases: tuple[str, ...] = BUCKETS, kept: bool = False) -> None:
    """RUN_A's snapshots against RUN_B's of the same iteration."""
    flags = read_flags(folder, kept)
    for agent in sorted({a for a, _ in flags}, reverse=True):
        print(f"{agent}: mistakes of 3000 (opening/middle/end), {run_a} against {run_b} at equal iterations{on(phases)}: "
              "fixed, new, McNemar p")
        snapshots = sorted(m.split(":", 2)[2] for a, m in flags if a == agent and m.startswith(run_a + ":"))
        for snap in snapshots:
            a, b = flags.get((agent, f"{run_a}:{snap}")), flags.get((agent, f"{run_b}:{snap}"))
            if a is None or b is None:
                continue
            fixed, new, p = compare([x for k in phases for x in b[k]], [x for k in phases for x in a[k]])
            print(f"  {snap}  {sum(map(sum, a.values())):4d} ({split(a):11s}) against "
                  f"{sum(map(sum, b.values())):4d} ({split(b):11s}) fixed {fixed:3d} new {new:3d} p={p:.3f}")


USAGE = ("usage: paired.py STUDY_DIR [BASE_MODEL] [--phase opening|middle|end] [--kept]\n"
         "       paired.py STUDY_DIR --pairs RUN_A RUN_B [--phase opening|middle|end] [--kept]")

if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] in (["-h"], ["--help"]):
        raise SystemExit(__doc__)
    phases = BUCKETS
    if "--phase" in args:
        i = args.index("--phase")
        if i + 1 >= len(args) or args[i + 1] not in BUCKETS:
            raise SystemExit(f"paired.py: --phase takes one of {', '.join(BUCKETS)}\n{USAGE}")
        phases = (args[i + 1],)
        del args[i:i + 2]
    kept = "--kept" in args
    args = [a for a in args if a != "--kept"]
    by_pairs = len(args) == 4 and args[1] == "--pairs"
    if not (by_pairs or 1 <= len(args) <= 2) or "--pairs" in args[:2] and not by_pairs:
        raise SystemExit(USAGE)
    if not Path(args[0], "positions.json").is_file():
        raise SystemExit(f"paired.py: {args[0]} is not a study folder (no positions.json)\n{USAGE}")
    if by_pairs:
        pairs(args[0], args[2], args[3], phases, kept)
    else:
        main(args[0], args[1] if len(args) > 1 else None, phases, kept)
