"""The study's held-out positions: drawn from real play, bucketed by phase, every move labelled.

Connect four: games between varied agents (random, the raw network, `az` and `mcts` at two
budgets, alpha-beta at three depths), each after a short random opening, are played in
batches (`arena.match.play_wave`). From every game at most `per_game` positions per phase are
drawn at random plies (so no game dominates a bucket), positions that are the same board or
its mirror image are kept once, and `count` per phase are sampled from what remains. None of
Pons' sets is used, so nothing in the project was tuned on these positions.

Tic-tac-toe: every non-terminal position (4,520), one bucket.

Every position is labelled with the exact score of every move (Pons' convention, None for an
illegal move) by `agents.solver.Solver.analyze`, with the opening book on connect four. The
set is one JSON file (`positions.json`, written atomically) that anyone can check with
`arena solve connect4 --analyze MOVES`. Labelling is resumable: each labelled position is
appended to `labels.jsonl` first, and the set file is written once all are done.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from agents.files import write_json_atomic
from games import Game, SuiteError

FORMAT = "kinrow-study-positions"
VERSION = 1
# Phases by stones on the board (the buckets): opening 0-12, middle 13-26, end 27+.
CONNECT4_BUCKETS = {"opening": (0, 12), "middle": (13, 26), "end": (27, 41)}
ALL_BUCKET = "all"
# The agents whose games supply the positions: weak to strong, searching and not, so the
# positions are neither all quiet nor all blunders. The `az` model is the released one.
GENERATORS = ("random", "policy", "az:sims=16", "az:sims=128", "mcts:sims=64", "mcts:sims=400",
              "solver:depth=2", "solver:depth=4", "solver:depth=8")
OPENING_PLIES = (0, 1, 2, 3, 4)  # random moves before the agents take over, cycled over games
CANDIDATES_FILE, LABELS_FILE, SET_FILE = "candidates.json", "labels.jsonl", "positions.json"


class StudyError(SuiteError):
    """A study that cannot run or continue: settings, files, games."""


@dataclasses.dataclass(frozen=True)
class Position:
    """One labelled position of the set."""

    moves: str  # standard notation from the empty board
    ply: int
    bucket: str
    scores: tuple[int | None, ...]  # [A] exact Pons score of each move for the mover; None: illegal
    source: str  # who played the game it comes from ("az:sims=16 vs random", "enumeration")

    @property
    def best(self) -> int:
        return max(s for s in self.scores if s is not None)

    def to_json(self) -> dict:
        return {"moves": self.moves, "ply": self.ply, "bucket": self.bucket, "scores": list(self.scores),
                "source": self.source}

    @staticmethod
    def from_json(data: dict, game: Game) -> Position:
        scores = data["scores"]
        if not (isinstance(scores, list) and len(scores) == game.num_actions
                and all(s is None or (isinstance(s, int) and not isinstance(s, bool)) for s in scores)
                and any(s is not None for s in scores)):
            raise ValueError(f"scores {str(scores)[:60]} are not {game.num_actions} integers or nulls")
        for key in ("moves", "bucket", "source"):
            if not isinstance(data[key], str):
                raise ValueError(f"{key} {data[key]!r} is not a string")
        if not isinstance(data["ply"], int) or data["ply"] != len(game.tokenize(data["moves"])):
            raise ValueError(f"ply {data['ply']!r} does not match the moves {data['moves']!r}")
        return Position(data["moves"], data["ply"], data["bucket"], tuple(scores), data["source"])


def buckets_for(game: Game) -> dict[str, tuple[int, int]]:
    """The phase buckets (name -> first and last ply) of a game the study supports."""
    if game.is_standard and game.name == "connect4":
        return dict(CONNECT4_BUCKETS)
    if game.is_standard and game.name == "tictactoe":
        return {ALL_BUCKET: (0, game.config.num_cells - 1)}
    raise StudyError(f"the study runs on the standard games (connect4, tictactoe), not {game.spec}")


def bucket_of(buckets: dict[str, tuple[int, int]], ply: int) -> str:
    return next(name for name, (low, high) in buckets.items() if low <= ply <= high)


def _canonical(game: Game, boards: np.ndarray) -> list[bytes]:
    """A key per board that is equal for a board and its mirror image (left-right)."""
    rows, cols = game.config.rows, game.config.cols
    out = []
    for board in np.asarray(boards, np.int8):
        plain = board.reshape(rows, cols)
        out.append(min(plain.tobytes(), plain[:, ::-1].tobytes()))
    return out


def play_games(game: Game, count: int, *, seed: int, concurrency: int = 64,
               progress: Callable[[int], None] | None = None) -> list[dict]:
    """`count` games between the generator agents after random openings: [{moves, opening, players}]."""
    import agents as agents_mod
    from arena.match import GameJob, play_wave
    from arena.openings import random_openings, to_actions

    players = {spec: agents_mod.make(spec, game, seed=seed) for spec in GENERATORS}
    pairings = [(a, b) for a in GENERATORS for b in GENERATORS if a != b]
    openings = {p: random_openings(game, p, count, seed=seed) or [""] for p in OPENING_PLIES}
    jobs = []
    for index in range(count):
        plies = OPENING_PLIES[index % len(OPENING_PLIES)]
        opening = openings[plies][(index // len(OPENING_PLIES)) % len(openings[plies])]
        jobs.append(GameJob(index, pairings[index % len(pairings)], to_actions(game, opening), index))
    records = []
    try:
        for wave, start in enumerate(range(0, count, concurrency)):
            records.extend(play_wave(game, players, jobs[start:start + concurrency], seed=seed, wave=wave))
            if progress:
                progress(len(records))
    finally:
        for agent in players.values():
            agent.close()
    records.sort(key=lambda r: r.index)
    return [{"moves": r.moves, "opening": r.opening, "players": list(r.players)} for r in records]


def draw_candidates(game: Game, games: Sequence[dict], count: int, *, per_game: int, seed: int) -> list[dict]:
    """Up to `count` distinct positions per bucket from the games' agent-played plies."""
    buckets = buckets_for(game)
    rng = np.random.default_rng([seed, 0x5717])
    drawn: list[dict] = []
    for g in games:
        moves = game.tokenize(g["moves"])
        start = len(game.tokenize(g["opening"]))
        by_bucket: dict[str, list[int]] = {}
        for ply in range(start, len(moves)):  # the positions an agent moved in (the last is over)
            by_bucket.setdefault(bucket_of(buckets, ply), []).append(ply)
        for name, plies in by_bucket.items():
            for ply in rng.choice(plies, min(per_game, len(plies)), replace=False).tolist():
                drawn.append({"moves": game.moves_to_str([game.parse_action(t) for t in moves[:ply]]),
                              "ply": ply, "bucket": name, "source": " vs ".join(g["players"])})
    keys = _canonical(game, game.batch_from_moves([d["moves"] for d in drawn]).board) if drawn else []
    chosen: list[dict] = []
    for name in buckets:
        seen: set[bytes] = set()
        pool = []
        for d, key in zip(drawn, keys, strict=True):
            if d["bucket"] == name and key not in seen:
                seen.add(key)
                pool.append(d)
        order = rng.permutation(len(pool))[:count]  # a random order: any prefix is a random sample
        chosen.extend(pool[i] for i in order)
    return chosen


def enumerated_candidates(game: Game, *, seed: int, count: int | None = None) -> list[dict]:
    """Every non-terminal position of a small game (or `count` of them) in a seeded random order,
    so that any prefix (the latency sample) is a random sample too."""
    from arena.evaluate import all_positions

    every = all_positions(game)
    order = np.random.default_rng([seed, 0x5717]).permutation(len(every))[:count]
    return [{"moves": every[i][0], "ply": len(game.tokenize(every[i][0])), "bucket": ALL_BUCKET,
             "source": "enumeration"} for i in order]


def append_line(path: Path, data: dict) -> None:
    with open(path, "a") as handle:
        handle.write(json.dumps(data, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_jsonl(path: Path) -> list[dict]:
    """The records of an append-only file, made ready for more appends.

    Every record is written as one line with its newline, so a file that does not end in a
    newline was torn by an interruption mid-write: that last fragment is cut off (its work is
    redone). Any other damage is refused, naming the line: skipping it silently would lose work.
    """
    if not path.exists():
        return []
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
        with open(path, "r+b") as handle:
            handle.truncate(len(data))
    out = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
        except (UnicodeDecodeError, ValueError) as err:
            raise StudyError(f"{path} line {number} is damaged ({str(err)[:60]}); move the file aside "
                             "to redo its work") from None
        out.append(record)
    return out


def label(game: Game, candidates: Sequence[dict], folder: Path, *,
          progress: Callable[[int], None] | None = None) -> list[Position]:
    """Every candidate with each move's exact score; resumes from `folder/labels.jsonl`."""
    from agents.solver import Solver

    path = folder / LABELS_FILE
    done = {d["moves"]: d for d in read_jsonl(path)}
    solver = Solver(game)  # one solver: its table and book serve every position
    out = []
    for i, c in enumerate(candidates):
        record = done.get(c["moves"])
        if record is None:
            result = solver.analyze(c["moves"])
            if not result.exact:
                raise StudyError(f"the solver did not settle {c['moves']!r}")
            record = {**c, "scores": [None if s is None else int(s) for s in result.move_scores]}
            append_line(path, record)
        out.append(Position.from_json(record, game))
        if progress:
            progress(i + 1)
    return out


def set_meta(game: Game, *, seed: int, count: int | None, games: int, per_game: int) -> dict:
    """What defines the set: a stored set is reused only when this matches."""
    if not game.is_standard or game.name != "connect4":
        what = "every non-terminal position" if count is None else f"a seeded sample of {count} non-terminal positions"
        return {"game": game.spec, "source": what + ", in a seeded random order", "seed": seed}
    return {"game": game.spec, "seed": seed, "per_bucket": count, "games": games, "per_game": per_game,
            "generators": list(GENERATORS), "opening_plies": list(OPENING_PLIES)}


def write_set(path: Path, meta: dict, positions: Sequence[Position], buckets: dict[str, tuple[int, int]]) -> None:
    counts = {name: sum(p.bucket == name for p in positions) for name in buckets}
    write_json_atomic(path, {
        "format": FORMAT, "version": VERSION, **meta,
        "buckets": {name: {"plies": list(buckets[name]), "positions": counts[name]} for name in buckets},
        "labels": "exact Pons score of every move for the side to move (null: illegal), by "
                  "agents.solver.Solver.analyze (opening book on); a move is a mistake when its "
                  "win/draw/loss class is below the best move's (agents.solver.judge)",
        "positions": [p.to_json() for p in positions],
    })


def read_set(path: Path, game: Game, meta: dict) -> list[Position] | None:
    """The stored set when it was made with `meta`; None when there is none; an error when it differs."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
        stored = {k: data.get(k) for k in meta}
        positions = [Position.from_json(p, game) for p in data["positions"]]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise StudyError(f"{path} is damaged ({str(err)[:80]}); move it aside to rebuild the set") from None
    if data.get("format") != FORMAT or stored != meta:
        raise StudyError(f"{path} was made with other settings ({json.dumps(stored)[:120]}); "
                         "use another --out or the same settings")
    return positions
