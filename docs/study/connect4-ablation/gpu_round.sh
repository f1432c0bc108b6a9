#!/usr/bin/env bash
# Issue 14's GPU round, as one job for a lent accelerator (one `device` call of at most 10 minutes):
#
#   A. self-play: the release (DC64-16k) continued by Gumbel self-play with 64 simulations in
#      8,192 parallel games (run-G64-config.json: LD64's gentle recipe, lr 1e-4, scaled up; no
#      evaluation) for A_SECONDS, stopped by SIGTERM, which saves the training state with its
#      whole replay buffer (10 M entries: every position of the run);
#   B. distillation: a fresh 64x3 colour-plane net trained on that buffer with its own self-play
#      targets (`arena distill`, the release's own route, round sixteen) for B_STEPS updates of
#      B_BATCH;
#   C. then the same with a deeper 64x6 net for C_STEPS updates: the plateau's mistakes are
#      late, parity-decided wins (round fourteen), which more layers may read better than the
#      wider 128x3 net of round eleven did.
#   Each distillation stops at the DEADLINE (seconds after the start) if it has not finished, and
#   C is skipped when less than C_MIN seconds are left.
#
# Sized from what an H200 measured on 2026-12-04 (the study README's "GPU" section): the bench
# ran 38,198 self-play positions/s at 64 simulations in 4,096 games and ~194 updates/s of 1,024;
# `arena train` ran 110,000 positions/s at 32 simulations in 16,384 games.
# The nets, metrics and logs (not the buffers: gigabytes) are packed into OUT as .tgz files: the
# device tool returns at most 8 files, each at most two folders below OUT, 16 MB each (a 64x3
# snapshot is 0.9 MB, a 64x6 one 1.9 MB, a 64x10 one 3.0 MB: `pack_snapshots` puts as many in a
# file as fit in 14 MB).
# Each stage writes as it goes, so a stage cut by its time limit still leaves its snapshots.
#
# On the GPU machine, which has jax, flax, optax and orbax (use its own: flax 0.12.8 carried
# there failed to import under its jax 0.11.2) but not mctx, carried as a wheel in .whl (ignored by
# git; fetch it here first with `python3 -m pip download --no-deps -d .whl mctx==0.0.71`, and name
# .whl in the call's carry):
#
#     python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/mctx-*.whl \
#       && PYTHONPATH=/tmp/site:$PWD bash docs/study/connect4-ablation/gpu_round.sh /tmp/runs $OUT
#
# The names, the self-play config and the distillations' shapes and extra options are settings, so
# the same job ran the second call of 2026-12-04 (self-play in GD64x6-15k, then that net fine-tuned
# on the new buffer and a fresh 64x6 net; 390-s call):
#
#     M=docs/study/connect4-ablation/models/GD64x6-15k A_NAME=G64x6 A_SECONDS=120 \
#       A_CONFIG=docs/study/connect4-ablation/run-G64x6-config.json \
#       B_NAME=GF64x6 B_BLOCKS=6 B_ARGS="--init-from $M --learning-rate 3e-4" B_STEPS=10000 B_EVERY=2500 \
#       C_NAME=GE64x6 C_STEPS=10000 C_EVERY=2500 C_MIN=90 DEADLINE=365 PYTHONPATH=/tmp/site:$PWD \
#       bash docs/study/connect4-ablation/gpu_round.sh /tmp/runs $OUT
#
# The next loan's call (planned 2026-12-04, night; one call of at most 600 s): the release
# (GF64x6-10k) continued by its own self-play for about 6 M positions, then the release trained
# further on them (B, the route that made it) and a fresh net of 10 blocks distilled from them (C:
# 6 blocks beat 3 on the same data in round twenty-three; do 10 beat 6?), cut at the deadline
# (14,000 updates: about 190 s if 10 blocks run at 6/10 of GD64x6's 123 updates/s, so that its
# cosine schedule ends inside the call). Since round twenty-eight the fresh net also gets the
# threat planes, which made a fresh 64x3 net learn faster and search a quarter (seed 0) or a sixth
# (seed 1) better on the same data (middle game and endgame); C then measures depth and the planes
# together, against B and the release:
#
#     M=docs/study/connect4-ablation/models/GF64x6-10k A_NAME=G64x6b A_SECONDS=230 \
#       A_CONFIG=docs/study/connect4-ablation/run-G64x6b-config.json \
#       B_NAME=GH64x6 B_BLOCKS=6 B_ARGS="--init-from $M --learning-rate 3e-4" B_STEPS=10000 B_EVERY=2500 \
#       C_NAME=GH64x10 C_BLOCKS=10 C_ARGS=--threat-planes C_STEPS=14000 C_EVERY=2000 C_MIN=150 DEADLINE=570 \
#       PYTHONPATH=/tmp/site:$PWD bash docs/study/connect4-ablation/gpu_round.sh /tmp/runs $OUT
#
# Round twenty-nine (2026-12-06) found a 64x3 net short of updates at four passes over its pool
# (Z1x2 against Z1x2L) but not at eight (TB0 against TB0L: sixteen passes moved the raw opening
# from 53 to 51 mistakes); C above makes about 1.2 passes over 6 M entries. If the loan leaves time
# for a second call on the still-warm machine (its /tmp/runs kept), give the fresh net more passes
# over the same buffer rather than more data. Depth pays only on a large pool: a 64x6 net with
# the same eight passes over 771 K entries was no better than 64x3 (Z1x2L6: 95 against 86 raw
# mistakes, p 0.25), so keep the 64x6/64x10 arms for buffers of millions.
#
# Round thirty (2026-12-07) measured the targets on the release's own self-play positions
# (policy_targets.py): the 32-simulation targets' top move is a mistake in 2.8% of the opening
# positions and holds about two thirds of the raw policy's opening mistakes, while a 512-simulation
# search of the same net errs in 1.7-1.8% and is right on 70% of them. The targets variant of the
# call above gives the self-play's opening entries that deeper search (run-G64x6c-config.json:
# run-G64x6b's self-play plus Reanalyse of 32,768 stored positions of at most 12 stones with 512
# simulations each iteration; estimated from the bench figures, not measured: about 1.75x the
# search work of an iteration, so about 4 M positions in the same 230 s). B then says whether the
# release's raw opening (39 of 1,000) moves when its own data carries better opening targets
# (round twenty-six: 3.87 M positions of its own 32-simulation self-play alone did not move it):
#
#     M=docs/study/connect4-ablation/models/GF64x6-10k A_NAME=G64x6c A_SECONDS=230 \
#       A_CONFIG=docs/study/connect4-ablation/run-G64x6c-config.json \
#       B_NAME=GR64x6 B_BLOCKS=6 B_ARGS="--init-from $M --learning-rate 3e-4" B_STEPS=10000 B_EVERY=2500 \
#       C_NAME=GR64x10 C_BLOCKS=10 C_ARGS=--threat-planes C_STEPS=14000 C_EVERY=2000 C_MIN=150 DEADLINE=570 \
#       PYTHONPATH=/tmp/site:$PWD bash docs/study/connect4-ablation/gpu_round.sh /tmp/runs $OUT
#
# With one call only, run this variant: it tests the targets (B against the release) and the
# net (C against B) on the same data, where the plain call tests the net alone.
#
# A CPU smoke test of the whole job (about two minutes):
#
#     A_SECONDS=45 A_EXTRA="--num-envs 16 --num-simulations 4 --updates-per-iteration 4 --buffer-size 200000 --snapshot-every 1" \
#       B_STEPS=20 B_EVERY=10 C_STEPS=20 C_EVERY=10 C_MIN=30 B_BATCH=64 bash docs/study/connect4-ablation/gpu_round.sh /tmp/r /tmp/o
set -uo pipefail
runs=${1:?usage: gpu_round.sh RUNS OUT}; out=${2:?usage: gpu_round.sh RUNS OUT}
A_SECONDS=${A_SECONDS:-150} A_CONFIG=${A_CONFIG:-docs/study/connect4-ablation/run-G64-config.json}
A_EXTRA=${A_EXTRA:-} A_NAME=${A_NAME:-G64}
B_NAME=${B_NAME:-GD64} B_BLOCKS=${B_BLOCKS:-3} B_ARGS=${B_ARGS:-}
B_STEPS=${B_STEPS:-20000} B_BATCH=${B_BATCH:-1024} B_EVERY=${B_EVERY:-2500}
C_NAME=${C_NAME:-GD64x6} C_BLOCKS=${C_BLOCKS:-6} C_ARGS=${C_ARGS:-}
C_STEPS=${C_STEPS:-15000} C_EVERY=${C_EVERY:-3000} C_MIN=${C_MIN:-120}
DEADLINE=${DEADLINE:-560}
mkdir -p "$runs" "$out"
export PYTHONUNBUFFERED=1
stamp() { echo "== $(date -u +%T) (${SECONDS} s) $*"; }

stamp "versions"
python3 -c "import jax, flax, optax, mctx; print('jax', jax.__version__, jax.devices(), 'flax', flax.__version__, 'optax', optax.__version__, 'mctx', mctx.__version__)" \
  || { echo "gpu_round.sh: the packages above do not import; stopping" >&2; exit 1; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null
load=""  # GPU load every 10 s for the speed figures (no nvidia-smi on a CPU machine: skipped)
if command -v nvidia-smi >/dev/null; then nvidia-smi dmon -s um -d 10 > "$runs/gpu-load.log" 2>&1 & load=$!; fi

stamp "A: self-play for ${A_SECONDS} s"
# shellcheck disable=SC2086
timeout -k 120 -s TERM "$A_SECONDS" python3 -m arena train --config "$A_CONFIG" --out "$runs/$A_NAME" $A_EXTRA \
  2>&1 | tee "$runs/$A_NAME-train.log" | grep -v "^it " ; grep "^it " "$runs/$A_NAME-train.log" | tail -n 3
stamp "A done"
pack_snapshots() {  # PREFIX RUN: RUN's snapshots into OUT/PREFIX-aa.tgz, -ab.tgz, ...
  # as many to a file as fit in 14 MB, under the 16 MB a returned file may hold (a snapshot is
  # 0.9 MB at 64x3, 1.9 MB at 64x6, 3.0 MB at 64x10: the weights hardly compress)
  (cd "$runs" && shopt -s nullglob && local snaps=("$2"/snapshots/it-*) && [ ${#snaps[@]} -gt 0 ] || exit 0
   local size; size=$(du -sb "${snaps[0]}" | cut -f1)
   local per=$((14000000 / (size + 1))); [ "$per" -ge 1 ] || per=1
   printf '%s\n' "${snaps[@]}" | split -l "$per" - "$1-list-"
   for list in "$1"-list-*; do tar czf "$out/$1-${list#"$1"-list-}.tgz" -T "$list"; rm "$list"; done)
}
pack_snapshots "A-$A_NAME" "$A_NAME"

distill() {  # NAME BLOCKS STEPS EVERY MIN_SECONDS [ARGS]: one arm, until its steps or the deadline
  local left=$((DEADLINE - SECONDS))
  stamp "$1: ${2}-block distillation for at most ${left} s"
  if [ -d "$runs/$A_NAME/checkpoints" ] && [ "$left" -gt "$5" ]; then
    # shellcheck disable=SC2086
    timeout -k 20 -s TERM "$left" python3 -m arena distill "$runs/$1" "$runs/$A_NAME" --channels 64 --blocks "$2" \
      --colour-plane --steps "$3" --snapshot-every "$4" --batch-size "$B_BATCH" --learning-rate 1e-3 \
      --seed 0 ${6:-} > "$runs/$1.log" 2>&1
    echo "distill exit $?" >> "$runs/$1.log"
    grep -v "saved, " "$runs/$1.log" | tail -n 12
  else
    echo "skipped: no saved self-play state, or too little time left" | tee "$runs/$1.log"
  fi
  (cd "$runs" && tar czf "$out/$1.tgz" "$1.log" "$1/probe.json" "$1/metrics.jsonl" 2>/dev/null)
  pack_snapshots "$1-snapshots" "$1"
  stamp "$1 done"
}
distill "$B_NAME" "$B_BLOCKS" "$B_STEPS" "$B_EVERY" 30 "$B_ARGS"
distill "$C_NAME" "$C_BLOCKS" "$C_STEPS" "$C_EVERY" "$C_MIN" "$C_ARGS"
[ -n "$load" ] && kill "$load" 2>/dev/null
(cd "$runs" && tar czf "$out/logs.tgz" "$A_NAME-train.log" "$A_NAME/config.json" "$A_NAME/metrics.jsonl" "$A_NAME/base_model_card.json" gpu-load.log 2>/dev/null)
ls -la "$out"
stamp "done"
