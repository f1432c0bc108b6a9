"""`arena study compute`: quality against compute for every agent family (see run.py).

    from arena.study import Study, StudySettings
    Study(StudySettings(game="tictactoe", out=Path("/tmp/s"), ladder=("solver:depth=2", "az:sims=8"))).run()

- positions.py: the held-out set from real play, bucketed by phase, every move labelled exactly;
- counting.py: positions examined per move, counted as jitted searches run;
- cells.py: one agent on one bucket: mistakes against the labels, compute, wall time;
- training.py: the networks of a training lineage and of a fresh run, with their training cost;
- run.py: the resumable run folder; report.py and plots.py: results.json, CSV, PNG.
"""

from arena.study.positions import Position, StudyError
from arena.study.run import Study, StudySettings

__all__ = ["Position", "Study", "StudyError", "StudySettings"]
