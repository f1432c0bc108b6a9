"""Metrics of a training run: one JSON object per iteration in `RUN_DIR/metrics.jsonl`."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class MetricsLog:
    """Append-only JSON lines, trimmed on resume so an iteration is never logged twice."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def truncate_after(self, iteration: int) -> None:
        """Drops records of iterations after `iteration` (work lost since the last checkpoint)."""
        if not self.path.exists():
            return
        kept = [line for line in self.read() if line.get("iteration", 0) <= iteration]
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(r) + "\n" for r in kept))
        os.replace(tmp, self.path)

    def append(self, record: dict[str, Any]) -> None:
        with self.path.open("a") as f:
            f.write(json.dumps({k: _clean(v) for k, v in record.items()}) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        records = []
        for line in self.path.read_text().splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a torn last line after a crash
        return records
