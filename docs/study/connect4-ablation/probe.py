"""Train a network on a fixed set of entries: the loop the issue-14 probes share.

A probe learns entries that do not change (a replay buffer with its own or the solver's targets,
or several runs' buffers pooled) for a fixed number of updates, with the trainer's own sampler,
symmetry augmentation, loss and AdamW (cosine schedule), so that only the data or the targets
differ between arms. The loop became `agents.alphazero.distill.train_fixed` (the library behind
`arena distill`); the study's scripts import it from here as they always did.
"""
from __future__ import annotations

from agents.alphazero.distill import WALL_FILE, snapshot_card, train_fixed

__all__ = ["WALL_FILE", "snapshot_card", "train_fixed"]
