"""`Solver(game)`: exact scores and per-move analysis, with optional depth or time budgets.

Backends: the numba bitboard (`bitboard.py`) for gravity boards that fit 64 bits, and the
memoized Python negamax (`minimax.py`) for everything else (tic-tac-toe and tiny variants).

Scores (Pons' convention, any board): for the side to move, a win scores
`(cells + 1) // 2 + 1 - (the winner's stones at the end)` (22 - stones on 7x6), a loss the
negative of the opponent's win score, a draw 0. A move's score is the mover's score after it:
the negative of the child position's score, or the immediate win score.

Budgets: `depth=N` searches N plies with a heuristic at the horizon; `time=S` first tries the
exact search under a node limit sized to about half of S, then deepens a depth-limited search
until S runs out. Results say whether they are exact (`exact=False` means heuristic).
"""

from __future__ import annotations

import dataclasses
import mmap
import time
from collections.abc import Sequence

import numpy as np

from games import Game, IllegalMoveError, State, SuiteError
from games import make as make_game

DEFAULT_TT_BITS = 23  # 8 M entries of 8 bytes: 64 MiB


class PositionError(SuiteError):
    """A position that cannot be solved: malformed, illegal, or already finished."""


@dataclasses.dataclass
class SolveResult:
    """The value of one position for the side to move."""

    score: float  # int when exact (Pons' convention); heuristic value otherwise
    exact: bool
    nodes: int  # positions searched (book lookups not included)
    seconds: float
    depth: int | None = None  # plies searched when a budget cut the search
    book_hits: int = 0  # positions answered by the opening book


@dataclasses.dataclass
class AnalyzeResult:
    """The value of every move of one position, from the mover's point of view."""

    move_scores: list  # [A] int|float|None: None for illegal actions
    best_moves: list[int]  # 0-based actions with the best score
    score: float
    exact: bool
    nodes: int  # positions searched (book lookups not included)
    seconds: float
    depth: int | None = None
    book_hits: int = 0  # positions answered by the opening book


def outcome_class(score: float) -> int:
    """-1 loss, 0 draw, 1 win for the side to move (heuristic values inside (-1, 1) count as 0)."""
    if score >= 1:
        return 1
    if score <= -1:
        return -1
    return 0


def _best(scores: Sequence) -> tuple[float, list[int]]:
    legal = [s for s in scores if s is not None]
    top = max(legal)
    return top, [a for a, s in enumerate(scores) if s is not None and s == top]


_HUGE_PAGE = 2 << 20


def _table(entries: int) -> np.ndarray:
    """A zeroed uint64 transposition table, on 2 MiB pages where the kernel allows it.

    Why: every search node probes a random slot of a table of tens of MiB, and with 4 KiB
    pages nearly every probe also misses the TLB; on huge pages the whole table fits in the
    TLB (about 1.7x faster per node on Middle-Medium). Linux grants them to regions marked
    with madvise(MADV_HUGEPAGE) when transparent huge pages are in "madvise" or "always"
    mode; elsewhere this is a plain array. Every page is touched now: first-use page faults
    would otherwise cost more than a short search.
    """
    nbytes = entries * 8
    if nbytes >= _HUGE_PAGE and hasattr(mmap, "MADV_HUGEPAGE"):
        try:
            region = mmap.mmap(-1, nbytes + _HUGE_PAGE)
            region.madvise(mmap.MADV_HUGEPAGE)
            base = np.frombuffer(region, np.uint8)
            offset = (-base.ctypes.data) % _HUGE_PAGE  # start on a huge-page boundary
            table = base[offset : offset + nbytes].view(np.uint64)
            table.fill(0)
            return table
        except (OSError, ValueError):
            pass
    table = np.zeros(entries, np.uint64)
    table.fill(0)
    return table


class _Bitboard:
    """The numba backend: context arrays, the transposition table and position parsing."""

    def __init__(self, game: Game, tt_bits: int, book: bool) -> None:
        from agents.solver import bitboard as bb
        from agents.solver import book as opening_book

        self.bb = bb
        cfg = game.config
        self.game = game
        self.rows, self.cols, self.k = cfg.rows, cfg.cols, cfg.k
        self.h1 = cfg.rows + 1
        self.book = None
        if book and opening_book.applies(cfg.rows, cfg.cols, cfg.k, cfg.gravity):
            self.book = opening_book.load_book()
            self.book_arrays = (self.book.keys, self.book.scores, self.book.index)
        else:
            self.book_arrays = opening_book.empty_arrays()
        self.P, self.M = bb.make_context(cfg.rows, cfg.cols, cfg.k, tt_bits,
                                         book_ply=self.book.ply if self.book else -1)
        self.tt = _table(1 << tt_bits)
        self.move_buf = np.zeros((cfg.num_cells + 2, 2 * cfg.cols), np.int64)
        self.counters = np.zeros(bb.NUM_COUNTERS, np.int64)
        self.out = np.zeros(cfg.cols, np.int64)
        self.fout = np.zeros(cfg.cols, np.float64)
        self.bottom = int(self.M[bb.BOTTOM])
        self.colmask = [int(m) for m in self.M[bb.COLMASK0 : bb.COLMASK0 + cfg.cols]]

    def _won(self, p: int) -> bool:
        for s in (1, self.h1 - 1, self.h1, self.h1 + 1):
            acc = p
            for j in range(1, self.k):
                acc &= p >> (s * j)
            if acc:
                return True
        return False

    def parse(self, position: str | Sequence[int] | State) -> tuple[int, int, int]:
        """(cur, mask, stones) of a move string, action list, host state or [N] board array.

        A board array (games layout: row-major from the top, +1 first player) has no move
        history, so the player to move follows from the stone count.
        """
        if isinstance(position, State):
            if bool(position.terminal):
                raise PositionError(f"the game is already over ({self.game.result_text(position)})")
            from agents.solver.bitboard import from_board

            cur, mask = from_board(np.asarray(position.board), self.rows, self.cols, int(position.player))
            return cur, mask, int(position.ply)
        if isinstance(position, np.ndarray):
            from agents.solver.bitboard import from_board

            n = int(np.count_nonzero(position))
            cur, mask = from_board(position, self.rows, self.cols, n % 2)
            if self._won(cur) or self._won(cur ^ mask) or n == self.rows * self.cols:
                raise PositionError("the game is already over on the given board")
            return cur, mask, n
        if isinstance(position, str):
            actions = [self.game.parse_action(t, i + 1) for i, t in enumerate(self.game.tokenize(position))]
        else:
            actions = [int(a) for a in position]
        cur, mask, bad = self.bb.play_moves(np.asarray(actions, np.int64), self.P, self.M)
        if bad:
            self.game.from_moves(actions)  # raises the rules' own message for that move
            raise PositionError(f"move {bad}: cannot be played")
        cur, mask = int(cur), int(mask)
        if self._won(cur ^ mask):
            state = self.game.from_moves(actions)
            raise PositionError(f"the game is already over ({self.game.result_text(state)})")
        if len(actions) == self.rows * self.cols:
            raise PositionError("the game is already over (draw: the board is full)")
        return cur, mask, len(actions)

    def _reset(self, node_limit: int) -> None:
        self.counters[:] = 0
        self.counters[self.bb.NODE_LIMIT] = node_limit

    def solve(self, pos, node_limit: int, weak: bool = False) -> int | None:
        cur, mask, n = pos
        self._reset(node_limit)
        r = self.bb.solve_kernel(np.uint64(cur), np.uint64(mask), n, weak, self.P, self.M, self.tt,
                                 self.move_buf, self.counters, *self.book_arrays)
        return None if r == self.bb.ABORT else int(r)

    def analyze(self, pos, node_limit: int, weak: bool = False) -> list | None:
        cur, mask, n = pos
        self._reset(node_limit)
        r = self.bb.analyze_kernel(np.uint64(cur), np.uint64(mask), n, weak, self.P, self.M, self.tt,
                                   self.move_buf, self.counters, *self.book_arrays, self.out)
        if r == self.bb.ABORT:
            return None
        return [None if v == self.bb.ABSENT else int(v) for v in self.out]

    def depth_solve(self, pos, depth: int, node_limit: int) -> tuple[float, bool] | None:
        from agents.solver.heuristic import depth_search

        cur, mask, n = pos
        self._reset(node_limit)
        v = depth_search(np.uint64(cur), np.uint64(mask), n, depth, -1e9, 1e9, self.P, self.M,
                         self.move_buf, self.counters)
        if self.counters[self.bb.ABORTED]:
            return None
        return float(v), bool(self.counters[self.bb.HEURISTIC_LEAVES] == 0)

    def depth_analyze(self, pos, depth: int, node_limit: int) -> tuple[list, bool] | None:
        from agents.solver.heuristic import depth_analyze

        cur, mask, n = pos
        self._reset(node_limit)
        if depth_analyze(np.uint64(cur), np.uint64(mask), n, depth, self.P, self.M, self.move_buf,
                         self.counters, self.fout):
            return None
        scores = [None if v == self.bb.ABSENT else float(v) for v in self.fout]
        return scores, bool(self.counters[self.bb.HEURISTIC_LEAVES] == 0)

    @property
    def nodes(self) -> int:
        return int(self.counters[self.bb.NODES])

    @property
    def book_hits(self) -> int:
        return int(self.counters[self.bb.BOOK_HITS])


class _Minimax:
    """The Python backend for non-gravity and tiny boards, with the same interface."""

    def __init__(self, game: Game) -> None:
        from agents.solver.minimax import MinimaxSolver

        self.game = game
        self.search = MinimaxSolver(game)
        self._start = 0

    def parse(self, position) -> tuple:
        if isinstance(position, np.ndarray):
            return tuple(int(v) for v in position.reshape(-1))
        state = position if isinstance(position, State) else self.game.from_moves(position)
        if bool(state.terminal):
            raise PositionError(f"the game is already over ({self.game.result_text(state)})")
        return tuple(int(v) for v in np.asarray(state.board))

    def _run(self, fn, node_limit: int):
        from agents.solver.minimax import Abort

        self.search.node_limit = self.search.nodes + node_limit
        self.search.heuristic_leaves = 0
        self._start = self.search.nodes
        try:
            return fn()
        except Abort:
            return None

    def solve(self, board, node_limit: int, weak: bool = False) -> int | None:
        return self._run(lambda: self._solve(board), node_limit)

    def _solve(self, board) -> int:
        return max(s for s in self.search.analyze(board, self.game.num_actions) if s is not None)

    def analyze(self, board, node_limit: int, weak: bool = False) -> list | None:
        return self._run(lambda: self.search.analyze(board, self.game.num_actions), node_limit)

    def depth_solve(self, board, depth: int, node_limit: int):
        scores = self.depth_analyze(board, depth, node_limit)
        if scores is None:
            return None
        return max(s for s in scores[0] if s is not None), scores[1]

    def depth_analyze(self, board, depth: int, node_limit: int):
        out = self._run(lambda: self.search.depth_analyze(board, self.game.num_actions, depth), node_limit)
        if out is None:
            return None
        return out, self.search.heuristic_leaves == 0

    @property
    def nodes(self) -> int:
        return self.search.nodes - self._start

    book_hits = 0  # no book for these boards


class Solver:
    """Exact game-theoretic scores for one game; reuse one instance (its tables persist).

        solver = Solver(games.make("connect4"))
        solver.solve("4453").score          # Pons' score of the side to move
        solver.analyze("").move_scores      # [-2, -1, 0, 1, 0, -1, -2]

    `book=True` (the default) probes the 12-ply opening book on standard connect four (other
    boards have none); `book=False` measures the pure search.
    """

    def __init__(self, game: Game | str, *, tt_bits: int = DEFAULT_TT_BITS, book: bool = True) -> None:
        from agents.solver.bitboard import fits

        self.game = make_game(game)
        cfg = self.game.config
        self.uses_bitboard = cfg.gravity and fits(cfg.rows, cfg.cols)
        tt_bits = min(tt_bits, max(10, cfg.num_cells + 2))  # small boards need small tables
        self.backend = _Bitboard(self.game, tt_bits, book) if self.uses_bitboard else _Minimax(self.game)
        self.rate = 1e7 if self.uses_bitboard else 1e5  # nodes per second, refined as it runs
        self.depth_limit = cfg.num_cells

    def parse(self, position):
        """Validates a position (move string, action list or host state) for the backend."""
        try:
            return self.backend.parse(position)
        except IllegalMoveError as err:
            raise PositionError(str(err)) from None

    def _learn_rate(self, nodes: int, seconds: float) -> None:
        if nodes > 10_000 and seconds > 0:
            self.rate = 0.5 * self.rate + 0.5 * nodes / seconds

    def solve(self, position, *, depth: int | None = None, time_s: float | None = None,
              weak: bool = False) -> SolveResult:
        """The score of `position` for the side to move (exact unless a budget cut it)."""
        pos = self.parse(position)
        start = time.perf_counter()
        if depth is None and time_s is None:
            score = self.backend.solve(pos, 1 << 62, weak)
            seconds = time.perf_counter() - start
            self._learn_rate(self.backend.nodes, seconds)
            return SolveResult(score, True, self.backend.nodes, seconds, book_hits=self.backend.book_hits)
        return self._budgeted(pos, depth, time_s, start, analyze=False)

    def analyze(self, position, *, depth: int | None = None, time_s: float | None = None,
                weak: bool = False) -> AnalyzeResult:
        """The score of every move of `position` (None for illegal ones) and the best moves.

        With `weak`, only the outcome of each move (-1, 0, 1) is computed (faster).
        """
        pos = self.parse(position)
        start = time.perf_counter()
        if depth is None and time_s is None:
            scores = self.backend.analyze(pos, 1 << 62, weak)
            if weak:
                scores = [None if s is None else outcome_class(s) for s in scores]
            seconds = time.perf_counter() - start
            self._learn_rate(self.backend.nodes, seconds)
            top, best = _best(scores)
            return AnalyzeResult(scores, best, top, True, self.backend.nodes, seconds,
                                 book_hits=self.backend.book_hits)
        return self._budgeted(pos, depth, time_s, start, analyze=True)

    def _budgeted(self, pos, depth, time_s, start, *, analyze: bool):
        """Depth budget: one depth-limited search. Time budget: exact try, then deepening."""
        nodes = 0
        if depth is not None:
            out = (self.backend.depth_analyze if analyze else self.backend.depth_solve)(pos, depth, 1 << 62)
            return self._pack(out, analyze, self.backend.nodes, start, depth)
        # time budget: exact search under a node limit of about half the budget first
        exact = (self.backend.analyze if analyze else self.backend.solve)(pos, max(1000, int(time_s * self.rate * 0.5)))
        nodes += self.backend.nodes
        if exact is not None:
            seconds = time.perf_counter() - start
            hits = self.backend.book_hits
            if analyze:
                top, best = _best(exact)
                return AnalyzeResult(exact, best, top, True, nodes, seconds, book_hits=hits)
            return SolveResult(exact, True, nodes, seconds, book_hits=hits)
        self._learn_rate(nodes, time.perf_counter() - start)
        found, reached = None, None
        for d in range(1, self.depth_limit + 1):
            remaining = time_s - (time.perf_counter() - start)
            if found is not None and remaining <= 0:
                break
            limit = max(1000, int(remaining * self.rate)) if found is not None else 1 << 62
            out = (self.backend.depth_analyze if analyze else self.backend.depth_solve)(pos, d, limit)
            nodes += self.backend.nodes
            if out is None:
                break
            found, reached = out, d
            if out[1]:
                break
        return self._pack(found, analyze, nodes, start, reached)

    def _pack(self, out, analyze: bool, nodes: int, start: float, depth: int | None):
        values, exact = out
        seconds = time.perf_counter() - start
        if exact:
            values = [None if v is None else int(v) for v in values] if analyze else int(values)
        elif analyze:
            values = [None if v is None else v + 0.0 for v in values]  # no -0.0 in the output
        else:
            values = values + 0.0
        if analyze:
            top, best = _best(values)
            return AnalyzeResult(values, best, top, exact, nodes, seconds, None if exact else depth)
        return SolveResult(values, exact, nodes, seconds, None if exact else depth)


def label_positions(game: Game | str, positions: Sequence[str], *, solver: Solver | None = None) -> np.ndarray:
    """[B] int32 exact scores (Pons' convention) of move strings, e.g. for training evaluation."""
    solver = solver or Solver(game)
    return np.asarray([solver.solve(p).score for p in positions], np.int32)
