"""Peers measured side by side: run a peer script in its scratch interpreter, read its report,
and print a ratio only against what it measured in this run.

A figure measured on another machine says nothing about this one (docs/references.md's figures came
from a machine with a different speed and load), so dividing by it prints a number that
looks like a measurement and is not one. The engine, self-play and search benchmarks share
these rules:
- a peer (pgx, OpenSpiel) is never a dependency: it runs as a subprocess of the interpreter of
  a scratch venv (`--peer-python PATH`), from a script under `arena/bench/peers/` that prints
  its human-readable lines and then one JSON object on its last line;
- ours and the peer take turns in rounds (ours, peer, then peer, ours, ...), so that the
  load of a shared machine falls on both sides alike; the best of all rounds is kept;
- `comparison` prints a ratio only when the peer's figure came from this run, and
  `context_line` prints a figure from elsewhere with its source and no ratio;
- a failing peer is one line on stderr (`peer_failure`); our own figures are still printed
  and the command exits 2 (`EXIT_PEER_FAILED`), as `arena bench solver` does.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

PEERS_DIR = Path(__file__).parent / "peers"
PEER_TIMEOUT_S = 1200.0  # a peer run longer than this is stuck, not slow: report it and go on
REFERENCES_SOURCE = "docs/references.md, measured on another 2-core machine"
EXIT_PEER_FAILED = 2  # the user asked for a peer and did not get its figures

T = TypeVar("T")
U = TypeVar("U")


class PeerError(RuntimeError):
    """The peer could not be run, failed, or printed something other than its JSON report."""


@dataclasses.dataclass(frozen=True)
class Peer:
    """A peer script run by the interpreter of a scratch venv."""

    python: str
    script: Path
    name: str  # what the output calls it, e.g. "pgx"

    def run(self, args: Sequence[str], *, required: Iterable[str] = (),
            timeout: float = PEER_TIMEOUT_S) -> dict[str, Any]:
        """Runs the script with `args` and returns its checked JSON report."""
        return run_peer_script(self.python, self.script, args, required=required, timeout=timeout,
                               name=self.name)


def _reject_constant(name: str) -> float:
    raise ValueError(f"non-finite number {name}")


def parse_report(text: str, *, required: Iterable[str] = (), name: str = "the peer") -> dict[str, Any]:
    """The JSON object on the last non-empty line of `text`, with every key in `required`.

    NaN and Infinity are refused (a ratio against them would print `nan`), and so is a report
    that is not an object: the caller reads figures from it by name.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise PeerError(f"{name} printed nothing on stdout")
    last = lines[-1].strip()
    try:
        report = json.loads(last, parse_constant=_reject_constant)
    except ValueError as err:
        raise PeerError(f"{name}'s last line is not a JSON report ({err}): {last[:80]!r}") from None
    if not isinstance(report, dict):
        raise PeerError(f"{name}'s last line is JSON but not an object: {last[:80]!r}")
    missing = [key for key in required if key not in report]
    if missing:
        raise PeerError(f"{name}'s report lacks {', '.join(repr(k) for k in missing)}")
    return report


def run_peer_script(python: str, script: Path, args: Sequence[str], *, required: Iterable[str] = (),
                    timeout: float = PEER_TIMEOUT_S, name: str = "the peer") -> dict[str, Any]:
    """Runs `python script args...` and returns its report; every failure is one PeerError line."""
    cmd = [python, str(script), *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout)
    except OSError as err:
        raise PeerError(f"--peer-python {python}: {err.strerror or err}") from None
    except subprocess.TimeoutExpired:
        raise PeerError(f"--peer-python {python}: {script.name} ran past {timeout:.0f} s and was stopped") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()] or ["(no message)"]
        raise PeerError(f"--peer-python {python}: {script.name} exited with status {done.returncode}: "
                        f"{lines[-1].strip()}")
    return parse_report(done.stdout, required=required, name=f"{name} ({script.name})")


def positive_number(value: object, what: str) -> float:
    """`value` as a finite float > 0, else a PeerError naming `what` (a peer's figure we divide by)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise PeerError(f"the peer's {what} is not a positive number: {value!r}")
    return float(value)


def ratio(ours: float | None, peer: float | None) -> str:
    """`ours / peer` as '1.77x' when both are positive finite figures of this run, else '-'.

    Both are rates (higher is better), so above 1x means ours is faster.
    """
    if ours is None or peer is None:
        return "-"
    if not (math.isfinite(ours) and math.isfinite(peer)) or ours <= 0 or peer <= 0:
        return "-"
    return f"{ours / peer:.2f}x"


def si(value: float) -> str:
    """A rate in a short form: 7.79 M, 860 k, 143."""
    if value >= 1e6:
        return f"{value / 1e6:.2f} M"
    if value >= 1e4:
        return f"{value / 1e3:.0f} k"
    if value >= 1e3:
        return f"{value / 1e3:.1f} k"
    return f"{value:.1f}"


def comparison(what: str, ours: float, unit: str, peer_name: str | None = None,
               peer: float | None = None) -> str:
    """One line: our figure, and the peer's with the ratio only when the peer ran in this run.

    `peer` None (no peer asked for, or it failed) prints our figure alone: never a ratio
    against a figure from elsewhere; those go through `context_line`.
    """
    line = f"{what}: ours {ours:,.1f} {unit}"
    if peer is not None and peer_name:
        line += f"; {peer_name} (same run) {peer:,.1f} {unit}; ours / {peer_name} {ratio(ours, peer)}"
    return line


def context_line(text: str, source: str = REFERENCES_SOURCE) -> str:
    """A figure measured elsewhere, with its source, printed beside ours and never divided by."""
    return f"  context, not divided by ({source}): {text}"


def machine_line() -> str:
    """CPUs and load average, so a reader can judge the noise of the figures that follow."""
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "unknown"
    return f"machine: {os.cpu_count()} CPUs, load average (1, 5, 15 min) {load}"


def rounds_order(rounds: int) -> list[tuple[str, ...]]:
    """Who goes first in each round: ours, peer; then peer, ours; ... (ABBA), so that a load
    that rises or falls during the run weighs on both sides alike."""
    return [("ours", "peer") if r % 2 == 0 else ("peer", "ours") for r in range(rounds)]


def alternate(rounds: int, ours: Callable[[int], T], peer: Callable[[int], U] | None,
              log: Callable[[str], None] = print) -> tuple[list[T], list[U], PeerError | None]:
    """Runs `ours(r)` and `peer(r)` for each round in `rounds_order`; returns both lists of
    results and the peer's error, if any (after which the peer is not tried again)."""
    mine: list[T] = []
    theirs: list[U] = []
    error: PeerError | None = None
    for r, order in enumerate(rounds_order(rounds)):
        for side in order:
            if side == "ours":
                mine.append(ours(r))
                log(f"round {r + 1}/{rounds}: ours done")
            elif peer is not None and error is None:
                try:
                    theirs.append(peer(r))
                    log(f"round {r + 1}/{rounds}: peer done")
                except PeerError as err:  # reported once by the caller, after our figures
                    error = err
    return mine, theirs, error


def peer_failure(name: str, reason: str) -> int:
    """Prints the one line that says the peer asked for gave no figures; returns the exit status."""
    print(f"arena bench: error: no {name} figures in this run ({reason}); only ours were measured "
          "(scratch venvs: arena/bench/peers/README.md)",
          file=sys.stderr, flush=True)
    return EXIT_PEER_FAILED


def versions_text(report: dict[str, Any]) -> str:
    """'pgx 2.6.0, jax 0.10.2' from a report's optional "versions" object."""
    versions = report.get("versions")
    if not isinstance(versions, dict) or not versions:
        return "versions not reported"
    return ", ".join(f"{k} {v}" for k, v in versions.items())
