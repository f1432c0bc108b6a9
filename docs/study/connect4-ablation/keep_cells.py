"""Keeps the moves a run's scored snapshots chose on the study's positions, in the repository.

Runs and study folders live outside the work tree and can be lost with the machine: round
twenty-nine lost every CPU pool, every uncommitted net and every per-position result. The
tables kept the counts, but pairing (`paired.py`) needs the moves, position by position, so a
lost net could no longer be paired with a new one. This script copies the network cells of the
named runs (model names `run:NAME:it-N`, or `lineage:NAME` for a model folder) from a study
folder into `cells/NAME.jsonl.gz` beside it: per cell only its name, phase and 1,000 chosen
moves (about 4 KB a snapshot, compressed). The positions are rebuilt from the published set
(`study_folder.py`), so name, phase and moves are all a later pairing needs.

A cell kept before is never replaced: a snapshot scored again (a run re-run from its seed after
such a loss) is compared with the kept cell instead, and the script says whether every move
matched, which is the check that the re-run reproduces the lost one. `score.sh` calls it for
the runs it scores; `paired.py --kept` reads the kept cells back, named `kept:run:NAME:it-N`.

    python docs/study/connect4-ablation/keep_cells.py STUDY_DIR RUN_OR_MODEL_FOLDER...
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import tempfile
from pathlib import Path

KEPT = Path(__file__).resolve().parent / "cells"


def kept_file(name: str) -> Path:
    return KEPT / f"{name}.jsonl.gz"


def read_kept(path: Path) -> dict[tuple[str, str], list[int]]:
    """{(model name, phase): moves} of one kept file (empty when there is none)."""
    if not path.is_file():
        return {}
    with gzip.open(path, "rt") as f:
        cells = [json.loads(line) for line in f]
    return {(c["name"], c["bucket"]): c["actions"] for c in cells}


def write_kept(path: Path, cells: dict[tuple[str, str], list[int]]) -> None:
    """Atomically (temp file + rename); gzip without a time stamp, so equal cells give equal bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
            for (name, bucket), actions in sorted(cells.items()):
                f.write((json.dumps({"name": name, "bucket": bucket, "actions": actions}) + "\n").encode())
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would follow the file into the repository
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def study_cells(folder: str | Path) -> dict[tuple[str, str], list[int]]:
    """{(model name, phase): moves} of a study folder's network cells (not its ladder's)."""
    path = Path(folder, "cells.jsonl")
    if not path.is_file():
        raise SystemExit(f"{folder} is not a scored study folder (no cells.jsonl)")
    cells = {}
    for line in path.read_text().splitlines():
        cell = json.loads(line)
        if "@" in cell["name"]:
            cells[(cell["name"], cell["bucket"])] = cell["actions"]
    return cells


def keep(folder: str | Path, name: str) -> str:
    """Adds run or model `name`'s cells in `folder` to its kept file; one line on what it did."""
    scored = {k: v for k, v in study_cells(folder).items()
              if (model := k[0].split("@", 1)[1]).startswith(f"run:{name}:") or model == f"lineage:{name}"}
    if not scored:
        return f"{name}: no scored cells in {folder}"
    path = kept_file(name)
    kept = read_kept(path)
    same = [k for k in scored if k in kept and kept[k] == scored[k]]
    differ = [k for k in scored if k in kept and kept[k] != scored[k]]
    new = {k: v for k, v in scored.items() if k not in kept}
    if new:
        write_kept(path, {**kept, **new})
    line = f"{name}: {len(new)} cells kept in {path.name}"
    if same or differ:
        moves = sum(sum(a != b for a, b in zip(kept[k], scored[k], strict=True)) for k in differ)
        line += f"; {len(same)} scored again matched the kept moves"
        if differ:
            line += f", {len(differ)} did not ({moves} moves differ; the kept ones stay)"
    return line


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        raise SystemExit(__doc__)
    for run in args[1:]:
        print(keep(args[0], Path(run.rstrip("/")).name))
