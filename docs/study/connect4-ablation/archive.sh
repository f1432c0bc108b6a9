#!/usr/bin/env bash
# Keeps a running self-play run's replay buffer at chosen iterations, for a later distillation.
# A run keeps only its last few checkpoints (keep_checkpoints), and each holds the buffer as it
# was then; a buffer of B entries holds the last B / positions-per-iteration iterations, so
# archiving every that-many iterations keeps every position once. The copies go to
# RUN/buffers/N (written as N.tmp and renamed, so a half-copied buffer is never taken for a whole
# one) and `arena distill OUT RUN/buffers/N ...` reads them. Runs until killed; polls a minute:
#
#     nohup bash docs/study/connect4-ablation/archive.sh /work/runs/c4-LD64 95 190 285 &
#
# Keep RUN outside the work tree: a buffer of a million entries is about 100 MB, too big to commit.
set -uo pipefail
run=${1:?usage: archive.sh RUN_DIR ITERATION...}; shift
[ $# -gt 0 ] || { echo "archive.sh: name the iterations to keep" >&2; exit 2; }
while true; do
  for n in "$@"; do
    src=$run/checkpoints/$n dst=$run/buffers/$n
    if [ -f "$src/commit_success.txt" ] && [ ! -d "$dst" ]; then
      mkdir -p "$run/buffers" && rm -rf "$dst.tmp" && cp -r "$src" "$dst.tmp" && mv "$dst.tmp" "$dst" \
        && echo "$(date -u '+%F %T') archived iteration $n in $dst"
    fi
  done
  sleep 60
done
