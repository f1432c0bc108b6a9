"""Playing strength against perfect play: mistake rates on labelled positions, games vs the solver.

A mistake (docs/references.md) is a chosen move whose game-theoretic outcome (win > draw > loss, for
the mover) is worse than the best move's; scores inside one class do not count. The rule and
every solve are the judge's (`agents.solver.Judge`, weak solves, cached): the best class comes
from the position's label (Pons' `<moves> <score>` files carry it; otherwise the judge solves
it), the chosen move's class from the position after it. In a lost position no legal move can
be a mistake, so it costs no solve; an illegal move is always one.

`vs_solver` plays the agent against the perfect solver from every K-ply opening, with both
colours, and reports how often the agent obtains the game-theoretic result of the opening.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import jax
import numpy as np

from agents.base import Agent
from agents.solver import CLASS_NAMES, Judge, outcome_class
from arena.ratings import wilson_interval
from games import Game, SuiteError

CHUNK = 256  # positions per batched agent call


class EvalError(SuiteError):
    """Positions that cannot be evaluated (bad file, unknown set, no solver for the game)."""


@dataclasses.dataclass
class MistakeReport:
    """The agent's mistake rate on one set of positions, with a 95% Wilson interval."""

    name: str
    positions: int
    mistakes: int
    illegal: int  # illegal moves (counted as mistakes)
    by_class: dict[str, list[int]]  # best outcome 'win'/'draw'/'loss' -> [positions, mistakes]
    seconds: float

    @property
    def rate(self) -> float:
        return self.mistakes / self.positions if self.positions else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.mistakes, self.positions)

    def to_json(self) -> dict:
        low, high = self.interval
        return {"set": self.name, "positions": self.positions, "mistakes": self.mistakes,
                "rate": round(self.rate, 6), "interval95": [round(low, 6), round(high, 6)],
                "illegal": self.illegal, "by_best_outcome": self.by_class, "seconds": round(self.seconds, 3)}

    def line(self) -> str:
        low, high = self.interval
        return (f"{self.name:<16} {self.positions:>6} {self.mistakes:>8} {100 * self.rate:>7.2f}%  "
                f"[{100 * low:.2f}%, {100 * high:.2f}%]")



def read_positions(game: Game, path: str | Path) -> list[tuple[str, int | None]]:
    """`<moves> [score]` lines (Pons' format, or moves alone); `#` comments and blanks skipped."""
    from agents.solver.datasets import read_position_file  # the one position-file reader

    return [(moves, label) for moves, _, label in read_position_file(game, path, error=EvalError)]


def all_positions(game: Game) -> list[tuple[str, int | None]]:
    """Every non-terminal position of a small game (tic-tac-toe: 4,520), unlabelled."""
    from games.enumerate import layers

    if game.config.num_cells > 16:
        raise EvalError(f"{game.spec} is too big to enumerate; give --positions FILE or --set NAME")
    out = []
    for layer in layers(game):
        open_ = np.flatnonzero(~np.asarray(layer.states.terminal))
        moves = np.asarray(layer.states.moves)[open_, : layer.ply]
        out.extend((game.moves_to_str(row.tolist()), None) for row in moves)
    return out


def sample(positions: list, limit: int | None, seed: int) -> list:
    """A seeded sample of at most `limit` positions, in file order (all when limit is None)."""
    if limit is None or limit >= len(positions):
        return positions
    keep = np.sort(np.random.default_rng(seed).choice(len(positions), limit, replace=False))
    return [positions[i] for i in keep]


def choose_moves(agent: Agent, game: Game, positions: Sequence[str], *, seed: int,
                 progress: Callable[[int], None] | None = None) -> list[int]:
    """The agent's move in each position: one batched call per chunk, or one call per position.

    Keys derive from (seed, chunk) or (seed, position number), so the choice is reproducible.
    """
    states = [game.from_moves(p) for p in positions]
    out: list[int] = []
    base = jax.random.key(seed)
    if agent.batched:
        for start in range(0, len(states), CHUNK):
            part = states[start:start + CHUNK]
            stacked = jax.tree.map(lambda *xs: np.stack([np.asarray(x) for x in xs]), *part)
            out.extend(int(a) for a in np.asarray(agent.select_moves(stacked, jax.random.fold_in(base, start))))
            if progress:
                progress(len(out))
    else:
        for i, state in enumerate(states):
            out.append(int(agent.select_move(state, jax.random.fold_in(base, i))))
            if progress:
                progress(len(out))
    return out


def mistake_report(agent: Agent, game: Game, name: str, positions: Sequence[tuple[str, int | None]], *,
                   seed: int = 0, judge: Judge | None = None,
                   progress: Callable[[str, int, int], None] | None = None) -> MistakeReport:
    """Counts the agent's mistakes on labelled (or judge-labelled) positions."""
    judge = judge or Judge(game)
    start = time.perf_counter()
    moves = [p for p, _ in positions]
    total = len(moves)
    chosen = choose_moves(agent, game, moves, seed=seed,
                          progress=(lambda n: progress("moves", n, total)) if progress else None)
    mistakes = illegal = 0
    by_class: dict[str, list[int]] = {"win": [0, 0], "draw": [0, 0], "loss": [0, 0]}
    for i, ((position, label), action) in enumerate(zip(positions, chosen, strict=True)):
        state = game.from_moves(position)
        best = outcome_class(label) if label is not None else judge.value(position)
        by_class[CLASS_NAMES[best]][0] += 1
        if judge.mistake(state, action, value=best):
            mistakes += 1
            by_class[CLASS_NAMES[best]][1] += 1
            illegal += not judge.is_legal(state, action)
        if progress:
            progress("solve", i + 1, total)
    return MistakeReport(name, total, mistakes, illegal, by_class, time.perf_counter() - start)


@dataclasses.dataclass
class VsSolverReport:
    """Games against the perfect solver: how often the agent got the opening's true result."""

    openings: int
    games: int
    achieved: int
    by_class: dict[str, list[int]]  # the agent's game-theoretic outcome -> [games, achieved]
    seconds: float
    agent_moves: int = 0  # the agent's judged moves (the opening is not judged)
    agent_mistakes: int = 0
    first_mistakes: list[int] = dataclasses.field(default_factory=list)  # ply of the agent's first mistake, per game with one

    @property
    def rate(self) -> float:
        return self.achieved / self.games if self.games else 0.0

    @property
    def held(self) -> tuple[int, int]:
        """(kept, had): games that began with a win or draw in hand for the agent, and those it kept."""
        had = self.by_class["win"][0] + self.by_class["draw"][0]
        return self.by_class["win"][1] + self.by_class["draw"][1], had

    def to_json(self) -> dict:
        low, high = wilson_interval(self.achieved, self.games)
        kept, had = self.held
        held_low, held_high = wilson_interval(kept, had)
        return {"openings": self.openings, "games": self.games, "achieved": self.achieved,
                "rate": round(self.rate, 6), "interval95": [round(low, 6), round(high, 6)],
                "by_true_outcome": self.by_class, "seconds": round(self.seconds, 3),
                "held": {"games": had, "kept": kept, "rate": round(kept / had, 6) if had else None,
                         "interval95": [round(held_low, 6), round(held_high, 6)]},
                "agent_moves": self.agent_moves, "agent_mistakes": self.agent_mistakes,
                "first_mistake_plies": sorted(self.first_mistakes)}


def all_openings(game: Game, plies: int) -> list[str]:
    """Every distinct position reached by `plies` moves that has not ended (move order kept)."""
    frontier = [()]
    for _ in range(plies):
        nxt = []
        for moves in frontier:
            state = game.from_moves(list(moves))
            for action in game.legal_actions(state):
                if not bool(game.play(state, action).terminal):
                    nxt.append((*moves, action))
        frontier = nxt
    seen: dict[bytes, str] = {}
    for moves in frontier:  # transpositions reach one board by several orders: keep one
        board = np.asarray(game.from_moves(list(moves)).board).tobytes()
        seen.setdefault(board, game.moves_to_str(moves))
    return list(seen.values())


def vs_solver(agent_spec: str, game: Game, *, plies: int = 1, seed: int = 0, concurrency: int = 64,
              on_record=None, on_game=None) -> VsSolverReport:
    """Plays `agent_spec` against `solver` from every `plies`-ply opening, both colours.

    Every move of the agent is judged afterwards (the perfect solver's never errs), so the
    report says how often it kept what it had in hand and where its first mistake fell;
    `on_game(dict)` receives each game with its verdict (for a games file).
    """
    import agents as agents_mod
    from arena.match import GameJob, play_wave
    from arena.openings import to_actions

    start = time.perf_counter()
    judge = Judge(game)
    openings = all_openings(game, plies)
    name, perfect = agent_spec.strip(), "perfect-solver"
    players = {name: agents_mod.make(agent_spec, game, seed=seed), perfect: agents_mod.make("solver", game, seed=seed)}
    jobs = []
    truth = {}
    for q, opening in enumerate(openings):
        value = judge.value(opening)  # for the side to move at the opening
        mover = len(to_actions(game, opening)) % 2
        for seat in (0, 1):
            seats = (name, perfect) if seat == 0 else (perfect, name)
            index = len(jobs)
            jobs.append(GameJob(index, seats, to_actions(game, opening), q))
            truth[index] = (seat, value if seat == mover else -value)
    achieved = agent_moves = agent_mistakes = 0
    first_mistakes: list[int] = []
    by_class: dict[str, list[int]] = {"win": [0, 0], "draw": [0, 0], "loss": [0, 0]}
    for w in range(0, len(jobs), concurrency):
        for record in play_wave(game, players, jobs[w:w + concurrency], seed=seed, wave=w // concurrency,
                                on_finish=on_record):
            seat, target = truth[record.index]
            got = 0 if record.winner is None else (1 if record.winner == seat else -1)
            by_class[CLASS_NAMES[target]][0] += 1
            if got >= target:
                achieved += 1
                by_class[CLASS_NAMES[target]][1] += 1
            verdict = judge.judge_game(to_actions(game, record.moves),
                                       opening_plies=len(to_actions(game, record.opening)), forfeit=record.forfeit)
            agent_moves += verdict.judged[seat]
            agent_mistakes += verdict.mistakes[seat]
            # The perfect solver never errs, so the game's first mistake is the agent's.
            first = verdict.first_mistake if verdict.mistakes[seat] else None
            if first is not None:
                first_mistakes.append(first.ply)
            if on_game is not None:
                on_game({"opening": record.opening, "agent_seat": seat, "moves": record.moves,
                         "in_hand": CLASS_NAMES[target], "result": CLASS_NAMES[got], "kept": got >= target,
                         "agent_moves": verdict.judged[seat], "agent_mistakes": verdict.mistakes[seat],
                         "first_mistake": None if first is None else first.to_json(game)})
    for agent in players.values():
        agent.close()
    return VsSolverReport(len(openings), len(jobs), achieved, by_class, time.perf_counter() - start,
                          agent_moves, agent_mistakes, first_mistakes)

