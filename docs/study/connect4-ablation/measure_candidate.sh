#!/usr/bin/env bash
# Measures a candidate connect-four model as the release is measured (the main README's table and
# issue 14's goals): Pons' six sets with 800 simulations (Gumbel, the default search), all 1,000
# positions of each (before the night of 2026-12-03 Begin-Hard took a seeded 500; those files are
# kept as begin-hard-500.json), then the 98 games against the perfect solver from every 2-ply
# opening. One JSON file per measurement in OUT, written only when it finished, so a rerun
# after an interruption or on a new machine skips what is there (commit OUT to keep it).
#
#     bash docs/study/connect4-ablation/measure_candidate.sh MODEL_FOLDER OUT [SIMS] [AGENT_OPTIONS]
#
# AGENT_OPTIONS are more `az` options, e.g. policy=puct (the main README's PUCT row).
set -euo pipefail
model=${1:?usage: measure_candidate.sh MODEL_FOLDER OUT [SIMS] [AGENT_OPTIONS]}
out=${2:?usage: measure_candidate.sh MODEL_FOLDER OUT [SIMS] [AGENT_OPTIONS]}
sims=${3:-800}
[ -f "$model/model.json" ] || { echo "measure_candidate.sh: $model has no model.json: not a model folder" >&2; exit 2; }
mkdir -p "$out"
agent="az:checkpoint=$model,sims=$sims${4:+,$4}"

measure() {  # NAME COMMAND...: run COMMAND into OUT/NAME.json unless that file is already there
  local name=$1; shift
  [ -s "$out/$name.json" ] && { echo "$name: done before"; return; }
  local start=$SECONDS
  "$@" > "$out/$name.json.tmp"
  mv "$out/$name.json.tmp" "$out/$name.json"
  echo "$name: $((SECONDS - start)) s"
}

for set in middle-medium begin-medium begin-hard end-easy middle-easy begin-easy; do
  measure "$set" arena eval "$agent" --set "$set" --limit 0 --json
done
measure vs-solver arena eval "$agent" --vs-solver --plies 2 --games-out "$out/vs-solver-games.jsonl" --json
