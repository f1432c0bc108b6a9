"""One cell of the study: one agent on one bucket of labelled positions, quality and compute.

Quality is the mistake rate against the stored labels, by the judge's rule
(`agents.solver.judge.judge_move`: a move is a mistake when its win/draw/loss class is below the
position's), with a 95% Wilson interval (`arena.evaluate.MistakeReport`). Compute is counted
per position (`arena.study.counting`) and timed:

- solver family (alpha-beta, the exact solver, random): one `decide` per position, timed one
  by one, so `seconds_per_move` is the wait for one move on one core. Where the solver keeps
  tables from move to move that its search reads (the exact solver's transposition table,
  tic-tac-toe's memo), every position gets a fresh agent, as a game's first move would; the
  depth-limited connect-four search uses no table, so one agent serves the bucket;
- batched families (mcts, az, policy): the whole bucket in even chunks of at most 256, one
  jitted search per chunk, with the counting evaluator (which adds a callback per
  simulation); `seconds_per_move` is the chunk time divided by its positions (throughput),
  and `latency_s` times the plain agent on one position at a time for the first positions of
  the bucket, the wait for one move. Compilation is done before any timing.

The exact solver without its book cannot finish early connect-four positions quickly (the
empty board takes 15 minutes), so it is measured on a prefix of each bucket (a random sample:
buckets are stored in random order) with a time cap per move; positions beyond the cap are
*unfinished*, left out of its mistake count, and make its compute figures lower bounds.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence

import jax
import numpy as np

from agents.registry import read_spec, with_options
from agents.solver import CLASS_NAMES, ILLEGAL, outcome_class
from agents.solver.judge import judge_move
from arena.evaluate import MistakeReport
from arena.study.counting import counting_agent, unit_of
from arena.study.positions import Position, StudyError
from games import Game, parse_spec

CHUNK = 256
WARM_SALT, LATENCY_SALT = 0x3A11, 0x1A7E  # key streams of the untimed compiling calls and the latency sample
FAMILIES = ("alpha-beta", "mcts", "az-gumbel", "az-puct", "policy", "perfect", "random")
BATCHED = ("mcts", "az-gumbel", "az-puct", "policy")  # one jitted call for many positions


def family(spec: str) -> str:
    """The agent family a spec belongs to (the study's line in every plot), read from its typed options."""
    name, _ = parse_spec(spec, kind="agent spec")
    if name not in ("solver", "az", "mcts", "policy", "random"):
        raise StudyError(f"agent {spec!r}: the study measures solver, mcts, az, policy and random agents")
    info, given = read_spec(spec)
    values = info.values(given)
    if name == "solver":
        return "perfect" if values["depth"] is None and values["time"] is None else "alpha-beta"
    if name == "az":
        return f"az-{values['policy']}"
    return name


@dataclasses.dataclass(frozen=True)
class CellSettings:
    """How cells are measured (part of what a stored study must match to be continued)."""

    seed: int = 0
    latency_positions: int = 16  # batched families: single-position timings per bucket
    perfect_positions: int = 40  # the exact solver: positions per bucket (a prefix: random)
    perfect_cap_s: float | None = 30.0  # the exact solver: seconds per move before it counts as unfinished


def is_mistake_label(position: Position, action: int) -> tuple[bool, bool]:
    """(mistake, illegal) of `action` against the stored labels, by the judge's rule."""
    scores = position.scores
    legal = 0 <= action < len(scores) and scores[action] is not None
    after = outcome_class(scores[action]) if legal else ILLEGAL
    return bool(judge_move(outcome_class(position.best), after)), not legal


def summarize(values: Sequence[float]) -> dict:
    """Mean, median, 90th percentile and maximum (None for an empty list)."""
    if not len(values):
        return {"mean": None, "median": None, "p90": None, "max": None}
    arr = np.asarray(values, np.float64)
    return {"mean": float(arr.mean()), "median": float(np.median(arr)), "p90": float(np.percentile(arr, 90)),
            "max": float(arr.max())}


def _report(name: str, bucket: str, positions: Sequence[Position], actions: Sequence[int],
            finished: Sequence[bool], seconds: float) -> dict:
    mistakes = illegal = 0
    by_class: dict[str, list[int]] = {"win": [0, 0], "draw": [0, 0], "loss": [0, 0]}
    for position, action, done in zip(positions, actions, finished, strict=True):
        if not done:
            continue
        best = CLASS_NAMES[outcome_class(position.best)]
        wrong, bad = is_mistake_label(position, action)
        by_class[best][0] += 1
        by_class[best][1] += wrong
        mistakes += wrong
        illegal += bad
    report = MistakeReport(bucket, sum(finished), mistakes, illegal, by_class, seconds)
    data = report.to_json()
    data.pop("set")
    return data


def _round(x: float | None, digits: int = 6) -> float | None:
    return None if x is None else round(x, digits)


def even_chunks(count: int, size: int = CHUNK) -> list[tuple[int, int]]:
    """[start, end) chunks of near-equal length, at most `size`, that all pad to one batch shape.

    `SearchAgent` pads a batch to the next power of two P, so every chunk must lie in
    (P/2, P]: then a bucket compiles one search, not one per remainder (257 positions go as
    3 chunks of 85-86 padded to 128, not 256 + 1).
    """
    top = 1 << (max(size, 1).bit_length() - 1)  # the largest power of two <= size
    for shape in (top >> i for i in range(top.bit_length())):
        parts = max(1, math.ceil(count / shape))
        if count >= parts * (shape // 2 + 1):  # the smallest chunk still pads to `shape`
            break
    edges = np.linspace(0, count, parts + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]


def _take(states, lo: int, hi: int):
    return jax.tree.map(lambda x: x[lo:hi], states)


def measure_agent(game: Game, name: str, spec: str, buckets: Mapping[str, Sequence[Position]],
                  settings: CellSettings, *, part: str = "ladder",
                  progress: Callable[[str, int, int], None] | None = None) -> Iterator[dict]:
    """Measures `spec` on each bucket and yields one cell record per bucket, as each finishes.

    One agent serves all the buckets (one compilation); `progress(bucket, done, total)` sees
    every position.
    """
    import agents as agents_mod

    fam = family(spec)
    agent = agents_mod.make(spec, game, seed=settings.seed) if fam in BATCHED else None
    try:
        for bucket, positions in buckets.items():
            if fam == "perfect" and game.name == "connect4":
                positions = positions[: settings.perfect_positions]
            start = time.perf_counter()
            if agent is not None:
                cell = _batched(game, agent, positions, settings, bucket, progress)
            else:
                cell = _sequential(game, spec, fam, positions, settings, bucket, progress)
            cell.update({"name": name, "spec": spec, "family": fam, "part": part, "bucket": bucket,
                         "unit": unit_of(fam), "wall_s": round(time.perf_counter() - start, 3)})
            yield cell
    finally:
        if agent is not None:
            agent.close()


def _sequential(game: Game, spec: str, fam: str, positions: Sequence[Position], settings: CellSettings,
                bucket: str, progress) -> dict:
    import agents as agents_mod

    run_spec = spec
    capped = fam == "perfect" and game.name == "connect4" and settings.perfect_cap_s is not None
    if capped:
        run_spec = with_options(spec, time=settings.perfect_cap_s)
    shared = agents_mod.make(run_spec, game, seed=settings.seed)
    # A solver whose search reads tables kept from earlier moves gets a fresh one per position.
    cold = fam == "perfect" or (hasattr(shared, "solver") and not shared.solver.uses_bitboard)
    states = game.batch_from_moves([p.moves for p in positions])
    base = jax.random.key(settings.seed)
    actions, counts, seconds, finished = [], [], [], []
    for i in range(len(positions)):
        agent = agents_mod.make(run_spec, game, seed=settings.seed) if cold and i else shared
        state = jax.tree.map(lambda x, i=i: x[i], states)
        t0 = time.perf_counter()
        decision = agent.decide(state, jax.random.fold_in(base, i))
        seconds.append(time.perf_counter() - t0)
        actions.append(int(decision.action))
        counts.append(int(decision.info.get("nodes", 0)))
        finished.append(bool(decision.info.get("exact", True)) if capped else True)
        if progress:
            progress(bucket, i + 1, len(positions))
    cell = _report(spec, bucket, positions, actions, finished, sum(seconds))
    # An unfinished move's nodes and seconds only bound the exact search's from below: left out.
    done_counts = [c for c, f in zip(counts, finished, strict=True) if f]
    done_seconds = [t for t, f in zip(seconds, finished, strict=True) if f]
    cell.update({
        "run_spec": run_spec, "batch": 1, "attempted": len(positions), "unfinished": finished.count(False),
        "unfinished_at": [i for i, done in enumerate(finished) if not done],
        "cap_s": settings.perfect_cap_s if capped else None,
        "examined": {k: _round(v, 2) for k, v in summarize(done_counts).items()},
        "seconds_per_move": _round(float(np.mean(done_seconds)) if done_seconds else None),
        "latency_s": {k: _round(v) for k, v in summarize(done_seconds).items()} | {"positions": len(done_seconds)},
        "actions": actions, "counts": counts,
    })
    return cell


def _batched(game: Game, agent, positions: Sequence[Position], settings: CellSettings, bucket: str,
             progress) -> dict:
    from agents.mcts_agent import SearchAgent

    counted, tally = counting_agent(agent) if isinstance(agent, SearchAgent) else (agent, None)
    states = game.batch_from_moves([p.moves for p in positions])
    base = jax.random.key(settings.seed)
    chunks = even_chunks(len(positions))

    def call(lo: int, hi: int, key: jax.Array) -> np.ndarray:
        if tally is not None:
            tally.begin(hi - lo)
        out = np.asarray(counted.select_moves(_take(states, lo, hi), key))
        jax.effects_barrier()  # every count reported before the clock stops
        return out

    call(*chunks[0], jax.random.fold_in(base, WARM_SALT))  # compiles (untimed); the shapes repeat
    actions: list[int] = []
    counts: list[int] = []
    seconds = 0.0
    for number, (lo, hi) in enumerate(chunks):
        t0 = time.perf_counter()
        actions.extend(int(a) for a in call(lo, hi, jax.random.fold_in(base, number)))
        seconds += time.perf_counter() - t0
        counts.extend(tally.examined.tolist() if tally is not None else [1] * (hi - lo))
        if progress:
            progress(bucket, hi, len(positions))
    latency = _latency(agent, states, min(settings.latency_positions, len(positions)), base)
    cell = _report(agent.spec, bucket, positions, actions, [True] * len(positions), seconds)
    cell.update({
        "run_spec": agent.spec, "batch": chunks[0][1] - chunks[0][0], "attempted": len(positions), "unfinished": 0,
        "unfinished_at": [],
        "cap_s": None,
        "examined": {k: _round(v, 2) for k, v in summarize(counts).items()},
        "seconds_per_move": _round(seconds / len(positions)),
        "latency_s": {k: _round(v) for k, v in summarize(latency).items()} | {"positions": len(latency)},
        "actions": actions, "counts": counts,
    })
    return cell


def _latency(agent, states, count: int, base: jax.Array) -> list[float]:
    """Seconds for one move of the plain agent on one position, after a compiling call."""
    if count == 0:
        return []
    one = jax.tree.map(lambda x: x[0], states)
    agent.decide(one, jax.random.fold_in(base, WARM_SALT))
    out = []
    for i in range(count):
        state = jax.tree.map(lambda x, i=i: x[i], states)
        t0 = time.perf_counter()
        agent.decide(state, jax.random.fold_in(jax.random.fold_in(base, LATENCY_SALT), i))
        out.append(time.perf_counter() - t0)
    return out
