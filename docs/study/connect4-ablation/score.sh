#!/usr/bin/env bash
# Scores runs' snapshots on the study's fixed 3,000 positions, beside the release and the kept
# models that the rounds compare with, in one study folder (made from the published set when it
# is missing, by study_folder.py). Finished cells are kept, so a second call scores only what is
# new; paired.py then reads the folder:
#
#     bash docs/study/connect4-ablation/score.sh STUDY_FOLDER RUN_OR_MODEL...
#     python docs/study/connect4-ablation/paired.py STUDY_FOLDER lineage:released
#
# The moves each named run or model chose are then kept in the repository (keep_cells.py:
# cells/NAME.jsonl.gz, about 4 KB a snapshot; commit them), so that a run lost with its machine
# can still be paired (paired.py --kept), and a re-run is checked move by move against it.
#
# Runs are named run:FOLDER_NAME (e.g. run:c4-LD64), models lineage:FOLDER_NAME, the release
# lineage:released. The study's training.csv holds the lineages of the last call only: score a
# run before release_card.py or release_curve.py collect read it.
set -euo pipefail
study=${1:?usage: score.sh STUDY_FOLDER RUN_OR_MODEL...}; shift
here=docs/study/connect4-ablation
[ -f "$study/positions.json" ] || python "$here/study_folder.py" "$study"
lineage=(--lineage checkpoints/connect4 --lineage "$here/models/L64-it120" --lineage "$here/models/L64-it230")
for run in "$@"; do lineage+=(--lineage "$run"); done
arena study compute --out "$study" --per-bucket 1000 --games 2400 --perfect-positions 30 --perfect-cap 20 \
    --agents policy --elo-agents "${lineage[@]}"
python "$here/keep_cells.py" "$study" "$@"
