"""Playing many games at once: the building block of tournaments, SPRT matches and evaluations.

A *wave* is a fixed group of games started together. All its games advance in lockstep, one
move per step; at each step every agent chooses moves for all the running games where it is
to move, in ONE call for agents that batch (`Agent.batched`), one `decide` per game otherwise.

Reproducibility (and so resume-safety) comes from the keys, never from timing:
- a batched agent's key is derived from (seed, wave, step, agent slot); which games are in its
  batch at that step depends only on the wave, so it is the same after an interruption;
- a non-batched agent's key is derived from (seed, game index, ply).
A `WaveSnapshot` (the step and the moves of the running games) is handed out after every step,
so a caller can save it and later continue the wave exactly where it stopped.

Moves are validated on the host: an illegal move loses the game (reason 'illegal move'); an
agent that returns the wrong number of moves raises `AgentError`.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping, Sequence

import jax
import numpy as np

from agents.base import Agent
from agents.solver import CLASS_NAMES
from games import Game, State, SuiteError

RESULT_TEXT = {0: "1-0", 1: "0-1", None: "1/2-1/2"}
ILLEGAL_REASON = "illegal move"
SEATS = ("first", "second")
_WAVE_SALT = 0x5EED  # separates the batched-key stream from the per-game one


class AgentError(SuiteError):
    """An agent broke the interface (e.g. returned the wrong number of moves)."""


@dataclasses.dataclass(frozen=True)
class GameJob:
    """One game to play: who sits where, from which opening."""

    index: int  # global game number; keys derive from it
    players: tuple[str, str]  # agent names: (first player, second player)
    opening: tuple[int, ...] = ()  # 0-based actions played before the agents move
    pair: int = -1  # games sharing a pair id are the colour-swapped twins of one opening


@dataclasses.dataclass
class GameRecord:
    """A finished game, as written to games.jsonl (one JSON object per line).

    `judged` and `first_mistake` are filled by the tournament's judge after the game ends
    (None in records written before judging existed, or for a game the judge cannot solve):
    judged = {"moves": [first, second], "mistakes": [...], "unjudged": [...]} per seat, over
    the agents' moves (the opening is not judged); first_mistake = {"ply": 1-based move
    number, "player": seat, "agent": name, "move": notation (None for an illegal move),
    "before": the position's value for the mover, "after": the move's} for the earliest judged
    move that threw away value, or None.
    """

    index: int
    pair: int
    players: list[str]  # [first, second]
    opening: str  # standard notation
    moves: str  # the whole game, opening included
    result: str  # "1-0", "0-1", "1/2-1/2"
    winner: int | None  # seat 0 or 1, None for a draw
    reason: str  # "k in a row", "board full", "illegal move"
    plies: int
    times_ms: list[float]  # per agent move (opening moves are not timed)
    judged: dict | None = None
    first_mistake: dict | None = None

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @staticmethod
    def from_json(data: Mapping) -> GameRecord:
        """A record from its JSON object, every field checked (ValueError says which is wrong)."""
        if not isinstance(data, Mapping):
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        required = {f.name for f in dataclasses.fields(GameRecord) if f.default is dataclasses.MISSING}
        missing = required - set(data)
        if missing:
            raise ValueError(f"missing fields {sorted(missing)}")
        fields = {f.name for f in dataclasses.fields(GameRecord)}
        record = GameRecord(**{k: data[k] for k in fields if k in data})
        record._check()
        return record

    def _check(self) -> None:
        """Types and ranges of every field, so a damaged file is refused before anything runs."""
        for name in ("index", "pair", "plies"):
            if not _is_int(getattr(self, name)) or getattr(self, name) < (-1 if name == "pair" else 0):
                raise ValueError(f"{name} {getattr(self, name)!r} is not a non-negative integer")
        if not (isinstance(self.players, list) and len(self.players) == 2
                and all(isinstance(p, str) for p in self.players)):
            raise ValueError(f"players {self.players!r} is not a list of two agent names")
        for name in ("opening", "moves", "reason"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} {getattr(self, name)!r} is not a string")
        if not (self.winner is None or _is_seat(self.winner)):
            raise ValueError(f"winner {self.winner!r} is not 0, 1 or null")
        if self.result != RESULT_TEXT[self.winner]:
            raise ValueError(f"result {self.result!r} does not match winner {self.winner!r}")
        if not (isinstance(self.times_ms, list) and all(_is_number(t) for t in self.times_ms)):
            raise ValueError("times_ms is not a list of finite numbers")
        if self.judged is not None:
            parts = ("moves", "mistakes", "unjudged")
            if not (isinstance(self.judged, Mapping) and set(self.judged) == set(parts) and all(
                    isinstance(self.judged[k], list) and len(self.judged[k]) == 2
                    and all(_is_int(n) and n >= 0 for n in self.judged[k]) for k in parts)):
                raise ValueError(f"judged {self.judged!r} is not {{moves, mistakes, unjudged}}: two counts each")
            if any(m > n for m, n in zip(self.judged["mistakes"], self.judged["moves"], strict=True)):
                raise ValueError("judged: more mistakes than judged moves")
        if self.first_mistake is not None:
            m = self.first_mistake
            ok = (isinstance(m, Mapping) and _is_int(m.get("ply")) and 1 <= m["ply"] <= self.plies + 1
                  and _is_seat(m.get("player"))
                  and m.get("agent") == self.players[m["player"]]
                  and (m.get("move") is None or isinstance(m.get("move"), str))
                  and m.get("before") in (*CLASS_NAMES.values(), None) and m.get("after") in CLASS_NAMES.values())
            if not ok:
                raise ValueError(f"first_mistake {str(m)[:60]} is not a judged move of this game")

    @property
    def forfeit(self) -> bool:
        """The game ended on an illegal move (which the record does not hold)."""
        return self.reason == ILLEGAL_REASON

    def points(self, name: str) -> float:
        """Points scored by agent `name` in this game (1, 0.5 or 0)."""
        if self.winner is None:
            return 0.5
        return 1.0 if self.players[self.winner] == name else 0.0

    def line(self, total: int | None = None) -> str:
        """The one parseable line printed per finished game: space-separated key=value tokens.

        `mistake=` (judged games only): the first move that threw away value, as
        PLY:SEAT:BEFORE>AFTER (e.g. 7:second:draw>loss), or '-' when there was none.
        """
        number = f"{self.index + 1}/{total}" if total else str(self.index + 1)
        text = (f"game={number} first={self.players[0]} second={self.players[1]} result={self.result} "
                f"reason={self.reason.replace(' ', '-')} plies={self.plies} "
                f"opening={self.opening or '-'} moves={self.moves or '-'}")
        if self.judged is not None:
            m = self.first_mistake
            text += " mistake=" + ("-" if m is None else
                                   f"{m['ply']}:{SEATS[m['player']]}:{m['before'] or '?'}>{m['after']}")
        return text


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_seat(value: object) -> bool:
    return _is_int(value) and value in (0, 1)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclasses.dataclass
class WaveSnapshot:
    """Where a wave stands between two steps: enough to continue it identically."""

    wave: int
    step: int
    running: dict[int, tuple[list[int], list[float]]]  # game index -> (actions so far, times_ms)

    def to_json(self, game: Game) -> dict:
        return {"wave": self.wave, "step": self.step,
                "running": {str(i): {"moves": game.moves_to_str(m), "times_ms": t}
                            for i, (m, t) in sorted(self.running.items())}}

    @staticmethod
    def from_json(data: Mapping, game: Game) -> WaveSnapshot:
        running = {}
        for key, value in data["running"].items():
            actions = [game.parse_action(tok) for tok in game.tokenize(value["moves"])]
            running[int(key)] = (actions, [float(t) for t in value["times_ms"]])
        return WaveSnapshot(int(data["wave"]), int(data["step"]), running)


def _reason(game: Game, state: State) -> str:
    if bool(state.forfeit):
        return ILLEGAL_REASON
    if game.winner(state) is None:
        return "board full"
    return f"{game.config.k} in a row"


def batch_key(seed: int, wave: int, step: int, slot: int) -> jax.Array:
    key = jax.random.fold_in(jax.random.key(seed), _WAVE_SALT)
    return jax.random.fold_in(jax.random.fold_in(jax.random.fold_in(key, wave), step), slot)


def game_key(seed: int, index: int, ply: int) -> jax.Array:
    return jax.random.fold_in(jax.random.fold_in(jax.random.key(seed), index), ply)


class _Running:
    """One game in progress on the host."""

    def __init__(self, game: Game, job: GameJob, actions: Sequence[int], times: Sequence[float]) -> None:
        self.job = job
        self.actions = list(actions)
        self.times = list(times)
        self.state = game.from_moves(self.actions)


def play_wave(game: Game, agents: Mapping[str, Agent], jobs: Sequence[GameJob], *, seed: int, wave: int = 0,
              snapshot: WaveSnapshot | None = None,
              on_finish: Callable[[GameRecord], None] | None = None,
              on_step: Callable[[WaveSnapshot], None] | None = None) -> list[GameRecord]:
    """Plays `jobs` together to the end and returns their records in the order they finished.

    With `snapshot` (from an earlier, interrupted call on the same jobs), only the games it lists
    as running continue, from its step. `on_finish` sees each record as its game ends (before
    the step's snapshot); `on_step` sees a snapshot after every completed step.
    """
    by_index = {job.index: job for job in jobs}
    names = sorted(agents)  # slot numbers for the batched keys
    if snapshot is None:
        running = [_Running(game, job, job.opening, []) for job in jobs]
        step = 0
    else:
        unknown = set(snapshot.running) - set(by_index)
        if unknown:
            raise SuiteError(f"resume state lists games {sorted(unknown)[:3]} that are not in wave {wave}")
        running = [_Running(game, by_index[i], m, t) for i, (m, t) in sorted(snapshot.running.items())]
        step = snapshot.step
    for job in jobs:
        for name in job.players:
            if name not in agents:
                raise SuiteError(f"game {job.index} names agent {name!r}, which is not playing")
    finished: list[GameRecord] = []

    def finish(run: _Running) -> None:
        winner = game.winner(run.state)
        record = GameRecord(
            index=run.job.index, pair=run.job.pair, players=list(run.job.players),
            opening=game.moves_to_str(run.job.opening), moves=game.moves_to_str(run.actions),
            result=RESULT_TEXT[winner], winner=winner, reason=_reason(game, run.state),
            plies=len(run.actions),
            times_ms=[round(t, 3) for t in run.times])
        finished.append(record)
        if on_finish is not None:
            on_finish(record)

    # openings that already ended the game (possible with files) finish at once
    still = []
    for run in running:
        if bool(run.state.terminal):
            finish(run)
        else:
            still.append(run)
    running = still
    while running:
        chosen: dict[int, tuple[int, float]] = {}  # position in `running` -> (action, ms)
        for slot, name in enumerate(names):
            mine = [i for i, run in enumerate(running) if run.job.players[int(run.state.player)] == name]
            if not mine:
                continue
            agent = agents[name]
            if agent.batched:
                states = jax.tree.map(lambda *xs: np.stack([np.asarray(x) for x in xs]),
                                      *[running[i].state for i in mine])
                start = time.perf_counter()
                actions = np.asarray(agent.select_moves(states, batch_key(seed, wave, step, slot)))
                each = (time.perf_counter() - start) * 1000.0 / len(mine)
                if actions.shape != (len(mine),):
                    raise AgentError(f"agent {name!r} returned {actions.shape} moves for {len(mine)} positions")
                for i, action in zip(mine, actions.tolist(), strict=True):
                    chosen[i] = (int(action), each)
            else:
                for i in mine:
                    run = running[i]
                    start = time.perf_counter()
                    action = agent.select_move(run.state, game_key(seed, run.job.index, len(run.actions)))
                    chosen[i] = (int(action), (time.perf_counter() - start) * 1000.0)
        still = []
        for i, run in enumerate(running):
            action, ms = chosen[i]
            legal = 0 <= action < game.num_actions and action in game.legal_actions(run.state)
            run.times.append(ms)
            if not legal:
                run.state = game.step(run.state, -1)  # out of range: the rules forfeit the game
                finish(run)
                continue
            run.actions.append(action)
            run.state = game.play(run.state, action)
            if bool(run.state.terminal):
                finish(run)
            else:
                still.append(run)
        running = still
        step += 1
        if on_step is not None:
            on_step(WaveSnapshot(wave, step, {r.job.index: (list(r.actions), list(r.times)) for r in running}))
    return finished
