"""The perfect-play judge: the one place that says how good a move or a game was.

Training evaluation, `arena eval`, tournaments and matches, the window's solver overlay and the
`solver` agent's explanations all ask this module, so they cannot disagree about what a
mistake is or how a verdict reads.

- Outcome classes, for the side to move: WIN 1, DRAW 0, LOSS -1; an illegal move is ILLEGAL
  (-2), below every outcome (an illegal move forfeits the game, and is always counted).
- The rule (docs/references.md): a move is a *mistake* when its outcome class is worse than the
  position's value, i.e. it throws away game-theoretic value (win -> draw or loss, draw ->
  loss). Scores inside one class (a slower win) never count. `is_mistake` is that rule.
- Verdict text from a Pons score: "win in 7" / "draw" / "loss in 3", or the window's short
  "W in 7" / "D" / "L in 3" / "?" (`verdict`).
- `Judge(game)`: values and per-move classes by weak (outcome-only) solves, exact per-move
  scores where the distance matters (the window), every answer cached per position for the
  run (positions repeat: the same openings, the same replies), and a whole finished game
  judged from its move list (`judge_game`).

Bounded: a `Judge(game, budget_s=S)` gives every position at most S seconds of search and
answers None ("unjudged") when that does not settle it, and it refuses outright a board
whose only solver is the memoized Python minimax and which is too big for it
(`JudgeUnavailable`, by the project's one rule, `agents.solver.limits.exact_refusal`),
because that search keeps every position it meets: its memory would grow all run long. Without a budget the judge is as exact, and as patient, as the solver.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np

from agents.solver.limits import exact_refusal
from agents.solver.solver import Solver, outcome_class
from games import Game, State, SuiteError
from games import make as make_game

WIN, DRAW, LOSS, ILLEGAL = 1, 0, -1, -2
CLASS_NAMES = {WIN: "win", DRAW: "draw", LOSS: "loss", ILLEGAL: "illegal"}
CLASS_VALUES = {name: value for value, name in CLASS_NAMES.items()}
# After this many positions of one game beyond the budget, the game's earlier (emptier, so
# harder) positions are not tried: judging a game costs at most this many budgets in vain.
MAX_MISSES_PER_GAME = 3
DEFAULT_CACHE_SIZE = 1 << 18

Position = str | Sequence[int] | State | np.ndarray


class JudgeUnavailable(SuiteError):
    """No bounded exact solver for this game: its moves cannot be judged."""


def is_mistake(value: Any, chosen: Any) -> Any:
    """The one rule: the chosen move's outcome class is below the position's value.

    Works on ints and elementwise on arrays. With ILLEGAL below LOSS, an illegal move is a
    mistake in every position; in a lost position no legal move is.
    """
    return chosen < value


def judge_move(before: int | None, after: int | None) -> bool | None:
    """`is_mistake` when one side is unknown (None): decided whenever the known side settles it.

    An illegal move is a mistake whatever the value; a winning move or a move in a lost position
    never is; anything else needs both classes (None: unjudged).
    """
    if after == ILLEGAL:
        return True
    if after == WIN or before == LOSS:
        return False
    if before is None or after is None:
        return None
    return bool(is_mistake(before, after))


# ---- verdict text ------------------------------------------------------------------------------

def moves_to_end(game: Game, ply: int, score: float) -> int:
    """How many of the winner's moves the game lasts from a position with `ply` stones, score != 0.

    A win score s means the winner ends with (cells+1)//2 + 1 - s stones (Pons, generalized);
    the count is the winner's stones still to play, the mover's current move included when the
    mover wins (the mover has ply // 2 stones, the opponent (ply + 1) // 2).
    """
    final_stones = (game.config.num_cells + 1) // 2 + 1 - abs(int(score))
    winner_stones_now = ply // 2 if score > 0 else (ply + 1) // 2
    return max(1, final_stones - winner_stones_now)


def verdict(game: Game, ply: int, score: float | None, *, exact: bool = True, short: bool = False) -> str:
    """Words for a Pons score of the side to move (a position's, or a move's from the mover's view).

    Long: 'win in 7', 'draw', 'loss in 3' (N = the winner's moves, winning stone included);
    '(so far)' when a budget cut the search, 'unclear (+0.25, heuristic)' for a heuristic value.
    Short (the window's labels): 'W in 7', 'D', 'L in 3', and '?' when unknown or heuristic.
    """
    heuristic = score is None or (not exact and -1 < score < 1)
    if short:
        if heuristic:
            return "?"
        if score == 0:
            return "D"
        return f"{'W' if score > 0 else 'L'} in {moves_to_end(game, ply, score)}"
    if score is None:
        return "unknown"
    if heuristic:
        return f"unclear ({score:+.2f}, heuristic)"
    if score == 0:
        return "draw"
    words = f"{'win' if score > 0 else 'loss'} in {moves_to_end(game, ply, score)}"
    return words if exact else words + " (so far)"


# ---- judging games -----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Mistake:
    """One move that threw away game-theoretic value."""

    ply: int  # 1-based number of the move in the game, opening moves included
    player: int  # 0 = first player, 1 = second
    action: int | None  # 0-based; None for an illegal move (games do not record it)
    before: int | None  # the position's outcome class for the mover (None: beyond the budget)
    after: int  # the move's outcome class for the mover (ILLEGAL for an illegal move)

    def to_json(self, game: Game) -> dict[str, Any]:
        return {"ply": self.ply, "player": self.player,
                "move": None if self.action is None else game.action_to_str(self.action),
                "before": None if self.before is None else CLASS_NAMES[self.before],
                "after": CLASS_NAMES[self.after]}


@dataclasses.dataclass(frozen=True)
class GameJudgement:
    """Every agent move of one game judged: counts per player (index 0 first, 1 second)."""

    judged: tuple[int, int]  # moves whose mistake-or-not is known
    mistakes: tuple[int, int]
    unjudged: tuple[int, int]  # moves left open because a position was beyond the budget
    first_mistake: Mistake | None  # the earliest judged mistake


class _LRU:
    """A bounded mapping: the oldest entries go first once it is full."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: collections.OrderedDict[Hashable, Any] = collections.OrderedDict()

    def get(self, key: Hashable) -> tuple[bool, Any]:
        if key in self.data:
            self.data.move_to_end(key)
            return True, self.data[key]
        return False, None

    def put(self, key: Hashable, value: Any) -> None:
        self.data[key] = value
        if len(self.data) > self.size:
            self.data.popitem(last=False)


class Judge:
    """Perfect-play judgement of one game's positions, moves and whole games, cached per position.

        game = games.make("tictactoe")
        judge = Judge(game)
        judge.value("5")                       # 0: O draws after X takes the centre
        judge.move_classes("5")                # [0, -1, 0, -1, ILLEGAL, -1, 0, -1, 0]
        judge.mistake(game.from_moves("5"), 1) # True: an edge reply loses

    `budget_s` bounds every solve (None: exact, however long it takes). Keep one judge per run:
    its cache and the solver's transposition table carry over from position to position.
    """

    def __init__(self, game: Game | str, *, solver: Solver | None = None, budget_s: float | None = None,
                 cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        if budget_s is not None and not budget_s > 0:
            raise ValueError(f"budget_s must be positive, got {budget_s}")
        self.game = make_game(game)
        if solver is None:
            try:
                solver = Solver(self.game)
            except SuiteError as err:
                raise JudgeUnavailable(f"no exact solver for {self.game.spec}: {err}") from None
        refusal = exact_refusal(self.game)
        if budget_s is not None and refusal:
            raise JudgeUnavailable(f"no bounded exact solver: {refusal}")
        self.solver = solver
        self.budget_s = budget_s
        self._cache = _LRU(cache_size)
        self.hits = self.misses = self.beyond_budget = 0

    # ---- positions ---------------------------------------------------------------------------
    @staticmethod
    def _key(kind: str, position: Position) -> Hashable:
        """A cache key: the board for states and arrays, the notation itself for move strings."""
        if isinstance(position, State):
            return kind, np.asarray(position.board, np.int8).tobytes()
        if isinstance(position, np.ndarray):
            return kind, np.asarray(position, np.int8).tobytes()
        if isinstance(position, str):
            return kind, position
        return kind, tuple(int(a) for a in position)

    def _cached(self, kind: str, position: Position, compute: Callable[[], tuple[Any, bool]]) -> Any:
        """The cached answer, or `compute()`'s (answer, whether to keep it)."""
        key = self._key(kind, position)
        found, value = self._cache.get(key)
        if found:
            self.hits += 1
            return value
        self.misses += 1
        value, keep = compute()
        if keep:
            self._cache.put(key, value)
        return value

    def value(self, position: Position) -> int | None:
        """The position's outcome class for the side to move (a weak solve); None beyond the budget."""
        def compute() -> tuple[int | None, bool]:
            result = self.solver.solve(position, weak=True, time_s=self.budget_s)
            if not result.exact:
                self.beyond_budget += 1
                return None, True  # the same budget would fail again: remember that too
            return outcome_class(result.score), True

        return self._cached("value", position, compute)

    def move_classes(self, position: Position) -> np.ndarray | None:
        """[A] int8 (read-only): each action's outcome class for the mover, ILLEGAL where illegal.

        A weak analysis; None when the budget did not settle every move.
        """
        def compute() -> tuple[np.ndarray | None, bool]:
            result = self.solver.analyze(position, weak=True, time_s=self.budget_s)
            if not result.exact:
                self.beyond_budget += 1
                return None, True
            classes = np.asarray([ILLEGAL if s is None else outcome_class(s) for s in result.move_scores], np.int8)
            classes.setflags(write=False)
            return classes, True

        return self._cached("classes", position, compute)

    def move_scores(self, position: Position, *, time_s: float | None = None) -> tuple[int | None, ...]:
        """Each action's Pons score for the mover (None: illegal, or unknown within `time_s`).

        Exact scores are cached. When `time_s` cuts the search short, only whole scores of
        magnitude >= 1 (forced wins and losses the deepening search proved) are kept, and the
        answer is not cached (more time may tell more).
        """
        def compute() -> tuple[tuple[int | None, ...], bool]:
            result = self.solver.analyze(position, time_s=time_s)
            if result.exact:
                return tuple(None if s is None else int(s) for s in result.move_scores), True
            return tuple(None if s is None or abs(s) < 1 or s != int(s) else int(s)
                         for s in result.move_scores), False

        return self._cached("scores", position, compute)

    # ---- moves -------------------------------------------------------------------------------
    def is_legal(self, state: State, action: int) -> bool:
        """Whether an agent's answer is a legal action here (agents can return anything)."""
        return 0 <= action < self.game.num_actions and action in self.game.legal_actions(state)

    def move_outcome(self, state: State, action: int) -> int | None:
        """The outcome class of playing `action` in `state`, for the mover (None beyond the budget)."""
        if not self.is_legal(state, action):
            return ILLEGAL
        after = self.game.play(state, action)
        if bool(after.terminal):
            return DRAW if self.game.winner(after) is None else WIN
        child = self.value(after)
        return None if child is None else -child

    def mistake(self, state: State, action: int, *, value: int | None = None) -> bool | None:
        """Whether `action` throws away value in `state` (None: unjudged within the budget).

        `value` (the position's class, e.g. from a labelled file) saves a solve, and in a lost
        position the move is not solved at all: no legal move can be a mistake there.
        """
        before = self.value(state) if value is None else value
        if not self.is_legal(state, action):
            return judge_move(before, ILLEGAL)
        return judge_move(before, None if before == LOSS else self.move_outcome(state, action))

    # ---- games -------------------------------------------------------------------------------
    def judge_game(self, actions: Sequence[int], *, opening_plies: int = 0, forfeit: bool = False) -> GameJudgement:
        """Judges every move after the opening of a finished game, from its (legal) moves.

        `forfeit`: the game ended when the player to move after `actions` played an illegal
        action (games record the forfeit, not the action). Positions are solved from the last
        to the first, so the easy endgame fills the solver's table for the harder middle game;
        after MAX_MISSES_PER_GAME positions beyond the budget, earlier positions are left
        unjudged, which bounds what one game can cost.
        """
        states = [self.game.init()]
        for number, action in enumerate(actions, 1):
            states.append(self.game.play(states[-1], int(action), index=number))
        end = len(actions)
        if forfeit == bool(states[end].terminal):
            raise ValueError("a finished game ends on a win, a full board or a forfeit, and only on one")
        last = end if forfeit else end - 1  # the last position in which someone moved
        values: dict[int, int | None] = {}
        misses = 0
        for ply in range(last, opening_plies - 1, -1):
            values[ply] = None if misses >= MAX_MISSES_PER_GAME else self.value(states[ply])
            misses += values[ply] is None
        judged, mistakes, unjudged = [0, 0], [0, 0], [0, 0]
        first: Mistake | None = None
        for ply in range(opening_plies, last + 1):
            player = ply % 2
            action: int | None = None
            if ply == end:  # the forfeit
                after: int | None = ILLEGAL
            else:
                action = int(actions[ply])
                nxt = states[ply + 1]
                if bool(nxt.terminal):
                    after = DRAW if self.game.winner(nxt) is None else WIN
                else:
                    child = values[ply + 1]
                    after = None if child is None else -child
            decided = judge_move(values[ply], after)
            if decided is None:
                unjudged[player] += 1
                continue
            judged[player] += 1
            if decided:
                mistakes[player] += 1
                if first is None:
                    first = Mistake(ply + 1, player, action, values[ply], after)
        return GameJudgement((judged[0], judged[1]), (mistakes[0], mistakes[1]), (unjudged[0], unjudged[1]), first)
