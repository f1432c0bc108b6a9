#!/usr/bin/env bash
# Issue 14's GPU round, as one job for a lent accelerator (the `device` tool's 10-minute calls):
#
#   A. self-play: the release (DC64-16k) continued by Gumbel self-play with 64 simulations in
#      4,096 parallel games (run-G64-config.json: LD64's gentle recipe scaled up, no evaluation)
#      for A_SECONDS, stopped by SIGTERM, which saves the training state and its whole replay
#      buffer (sized to hold every position of the run);
#   B. distillation: a fresh 64x3 colour-plane net trained on that buffer (`arena distill`, the
#      release's own route, round sixteen) for B_STEPS updates of B_BATCH;
#   C. beside B on the same GPU, the same with a deeper 64x6 net (the "bigger trunk").
#
# The nets, metrics and logs (not the buffers: gigabytes) are packed into OUT as .tgz files.
# Every stage writes as it goes, so a stage cut by its time limit still leaves its snapshots.
#
#     bash docs/study/connect4-ablation/gpu_round.sh RUNS OUT            # on the GPU machine
#     A_SECONDS=60 B_STEPS=200 ... bash docs/study/connect4-ablation/gpu_round.sh /tmp/r /tmp/o  # a CPU smoke test
set -uo pipefail
runs=${1:?usage: gpu_round.sh RUNS OUT}; out=${2:?usage: gpu_round.sh RUNS OUT}
A_SECONDS=${A_SECONDS:-250} A_CONFIG=${A_CONFIG:-docs/study/connect4-ablation/run-G64-config.json}
B_STEPS=${B_STEPS:-20000} B_BATCH=${B_BATCH:-1024} B_SECONDS=${B_SECONDS:-210} B_EVERY=${B_EVERY:-2500}
C_STEPS=${C_STEPS:-$B_STEPS} C_EVERY=${C_EVERY:-5000}
A_EXTRA=${A_EXTRA:-}
mkdir -p "$runs" "$out"
export PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
arena() { python3 -m arena "$@"; }
stamp() { echo "== $(date -u +%T) $*"; }

stamp "versions"
python3 -c "import jax, flax, optax, mctx, orbax.checkpoint as o; print('jax', jax.__version__, jax.devices(), 'flax', flax.__version__, 'optax', optax.__version__, 'mctx', mctx.__version__)"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null

stamp "A: self-play for ${A_SECONDS} s"
# GPU load every 10 s for the speed figures (no such tool on a CPU machine: skipped there).
command -v nvidia-smi >/dev/null && { nvidia-smi dmon -s um -d 10 > "$runs/gpu-load.log" 2>&1 & }
# shellcheck disable=SC2086
timeout -k 120 -s TERM "$A_SECONDS" python3 -m arena train --config "$A_CONFIG" --out "$runs/G64" $A_EXTRA \
  2>&1 | tee "$runs/G64-train.log"
stamp "A done"
ls "$runs/G64/checkpoints" "$runs/G64/snapshots" 2>&1 | tr '\n' ' '; echo
# The snapshots (about 0.9 MB each) in tar files of at most 12, under the 16 MB a returned file may hold.
(cd "$runs" && ls -d G64/snapshots/it-* 2>/dev/null | split -l 12 - snapshot-list- \
  && for list in snapshot-list-*; do tar czf "$out/A-G64-${list#snapshot-list-}.tgz" -T "$list"; done)
(cd "$runs" && tar czf "$out/A-G64-logs.tgz" G64-train.log G64/config.json G64/metrics.jsonl gpu-load.log 2>/dev/null)

distill() {  # NAME BLOCKS STEPS EVERY
  timeout -k 60 -s TERM "$B_SECONDS" python3 -m arena distill "$runs/$1" "$runs/G64" --channels 64 --blocks "$2" \
    --colour-plane --steps "$3" --snapshot-every "$4" --batch-size "$B_BATCH" --learning-rate 1e-3 --seed 0 \
    > "$runs/$1.log" 2>&1
  echo "$1 exit $?" >> "$runs/$1.log"
}
stamp "B and C: distillations for at most ${B_SECONDS} s"
distill GD64 3 "$B_STEPS" "$B_EVERY" &
distill GD64x6 6 "$C_STEPS" "$C_EVERY" &
wait
stamp "B and C done"
pkill -f "nvidia-smi dmon" 2>/dev/null
for name in GD64 GD64x6; do
  tail -n 5 "$runs/$name.log"
  (cd "$runs" && tar czf "$out/$name.tgz" "$name.log" "$name/probe.json" "$name/metrics.jsonl" "$name/snapshots" 2>/dev/null)
done
ls -la "$out"
