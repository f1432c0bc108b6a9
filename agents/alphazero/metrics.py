"""Metrics of a training run: one JSON object per iteration in `RUN_DIR/metrics.jsonl`.

The file is written by this module only, but read back from disk by resume and `arena plot`,
so reading checks every line: a JSON object with a positive integer `iteration`, a finite
`wall_seconds` >= 0 and numbers (or null) for every other value. A torn last line (a crash
in the middle of an append) is expected and skipped; any other bad line is damage, which
`read(strict=True)` refuses naming the line.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from agents.files import write_text_atomic
from games import SuiteError


class MetricsError(SuiteError):
    """A metrics.jsonl that is damaged (a line that is not an iteration's record)."""


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def record_problem(record: Any) -> str | None:
    """Why `record` is not one iteration's metrics, or None when it is."""
    if not isinstance(record, dict):
        return "not a JSON object"
    iteration = record.get("iteration")
    if not isinstance(iteration, int) or isinstance(iteration, bool) or iteration < 1:
        return f"iteration {iteration!r} is not a positive integer"
    wall = record.get("wall_seconds")
    if not _is_number(wall) or wall < 0:
        return f"wall_seconds {wall!r} is not a number of seconds"
    for key, value in record.items():
        if value is not None and not _is_number(value):
            return f"{key} {value!r} is not a number"
    return None


class MetricsLog:
    """Append-only JSON lines, trimmed on resume so an iteration is never logged twice."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def scan(self) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str]]]:
        """([(line number, record)], [(line number, why it is damaged)]); a torn last line is neither."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return [], []
        except OSError as err:
            raise MetricsError(f"cannot read {self.path}: {err.strerror}") from None
        lines = raw.split(b"\n")
        torn = len(lines) if lines[-1].strip() else None  # no newline after the last line
        records: list[tuple[int, dict[str, Any]]] = []
        damaged: list[tuple[int, str]] = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
                if number != torn:
                    damaged.append((number, "not a line of JSON"))
                continue
            problem = record_problem(record)
            if problem is None:
                records.append((number, record))
            elif number != torn:
                damaged.append((number, problem))
        return records, damaged

    def read(self, *, strict: bool = False) -> list[dict[str, Any]]:
        """The records in file order; with `strict`, a damaged line is a MetricsError naming it."""
        records, damaged = self.scan()
        if strict and damaged:
            number, why = damaged[0]
            more = f" (and {len(damaged) - 1} more damaged line(s))" if len(damaged) > 1 else ""
            raise MetricsError(f"{self.path}:{number}: {why}{more}; expected one JSON object per iteration "
                               "as `arena train` writes them (delete or fix the line)")
        return [record for _, record in records]

    def truncate_after(self, iteration: int) -> int:
        """Drops the records of iterations after `iteration`, and damaged lines; returns how many
        damaged lines went. The file is rewritten atomically, and only when something is dropped.
        """
        records, damaged = self.scan()
        kept = [record for _, record in records if record["iteration"] <= iteration]
        if len(kept) == len(records) and not damaged and not self._torn_tail():
            return 0
        write_text_atomic(self.path, "".join(json.dumps(r) + "\n" for r in kept))
        return len(damaged)

    def _torn_tail(self) -> bool:
        try:
            with self.path.open("rb") as f:
                f.seek(0, os.SEEK_END)
                if f.tell() == 0:
                    return False
                f.seek(-1, os.SEEK_END)
                return f.read(1) != b"\n"
        except FileNotFoundError:
            return False

    def append(self, record: dict[str, Any]) -> None:
        with self.path.open("a") as f:
            f.write(json.dumps({k: _clean(v) for k, v in record.items()}) + "\n")
            f.flush()
            os.fsync(f.fileno())
