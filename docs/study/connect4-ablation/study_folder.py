"""A study folder that scores networks on the published 3,000 positions, made from the repository alone.

Every round of issue 14 scores snapshots with `arena study compute --lineage RUN` in one study
folder, against the release's cells in the same folder. That folder lived outside the work tree
and did not survive a new machine; replaying the study's 2,400 games to rebuild the set would
take a while and must give the same positions. The set is published instead:
`docs/study/connect4/positions.csv` (every move's exact score) and `study.json` (the settings it
was made with). This writes OUT/study.json and OUT/positions.json from them, exactly the set and
settings `arena study compute` checks, so that it measures new networks without playing a game:

    python docs/study/connect4-ablation/study_folder.py OUT
    arena study compute --out OUT --per-bucket 1000 --games 2400 --perfect-positions 30 \\
        --perfect-cap 20 --agents policy --elo-agents --lineage checkpoints/connect4 --lineage RUN

(`--agents policy`: the ladder is one cheap cell; the lineage cells are what `paired.py` reads.)
"""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

PUBLISHED = Path(__file__).resolve().parents[1] / "connect4"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="the study folder to create (refused if it already holds a set)")
    args = parser.parse_args()

    import games
    from agents.files import write_json_atomic
    from arena.study import positions as P

    out = Path(args.out)
    if (out / P.SET_FILE).exists():
        raise SystemExit(f"{out / P.SET_FILE} exists: that folder already holds a set")
    settings = json.loads((PUBLISHED / "study.json").read_text())
    game = games.make(settings["set"]["game"])
    with (PUBLISHED / "positions.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    score_keys = [f"score_{game.action_to_str(a)}" for a in range(game.num_actions)]
    positions = [P.Position.from_json({"moves": r["moves"], "ply": int(r["ply"]), "bucket": r["bucket"],
                                       "scores": [None if r[k] == "" else int(r[k]) for k in score_keys],
                                       "source": r["source"]}, game) for r in rows]
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / "study.json", settings)
    P.write_set(out / P.SET_FILE, settings["set"], positions, P.buckets_for(game))
    counts = {b: sum(p.bucket == b for p in positions) for b in P.buckets_for(game)}
    print(f"{out}: {len(positions)} positions {counts} from {PUBLISHED / 'positions.csv'}")


if __name__ == "__main__":
    main()
