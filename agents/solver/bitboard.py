"""Connect-k bitboard and exact negamax, compiled with numba (after Pascal Pons' solver).

Layout (Pons): column-major, `rows + 1` bits per column, bit `c * (rows + 1) + r` is row `r`
from the bottom of column `c`; the extra top bit of each column stays empty so that shifted
alignments never wrap from one column into the next. A position is two words: `cur` (stones
of the player to move) and `mask` (all stones); `cur + mask` is a unique key. Boards fit when
`(rows + 1) * cols <= 64` (7x6 uses 49 bits).

Scores follow Pons, generalized to any board (see `win_score`): positive = the side to move
wins, larger = sooner; 0 = draw. The search is Pons' part-12 solver: non-losing-move pruning,
score bounds from the ply, a transposition table of upper/lower bounds, move ordering by the
number of winning spots a move creates (ties to the centre), and iterative null-window
searches narrowing [min, max] in `solve`.

Every kernel takes the same context: `P` (int64 parameters, indices below), `M` (uint64
masks), the transposition table arrays, scratch arrays for move ordering (one row per ply,
so recursion needs no allocation) and `counters` (nodes, node limit, aborted flag, heuristic
leaves). A search that passes the node limit sets the aborted flag and unwinds without
writing to the table, so an aborted search never poisons later ones.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# P (int64 parameter array) indices.
ROWS, COLS, K, H1, CELLS, HALF, TT_SHIFT, FAST4, SYM_PLIES = range(9)
NUM_PARAMS = 9
# Below this many stones the table is keyed by the smaller of a position's key and its mirror
# image's, so that mirrored lines of play share entries; deeper, few positions are mirror
# twins and the extra work would not pay.
DEFAULT_SYM_PLIES = 24
# M (uint64 mask array) indices: bottom, board, then one mask per column, then column order.
BOTTOM, BOARD = 0, 1
COLMASK0 = 2
# counters indices.
NODES, NODE_LIMIT, ABORTED, HEURISTIC_LEAVES = range(4)

# Transposition-table value encoding (int16): 0 empty, upper bound s + UPPER, lower bound s + LOWER.
UPPER_OFFSET = 100
LOWER_OFFSET = 300
ABORT = -10_000  # returned by `solve_kernel` when the node limit stops it
ABSENT = -20_000  # analyze_kernel's marker of a full column

_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
_HASH_MUL = np.uint64(0x9E3779B97F4A7C15)


def fits(rows: int, cols: int) -> bool:
    """True when a rows x cols gravity board fits the 64-bit layout."""
    return (rows + 1) * cols <= 64


def make_context(rows: int, cols: int, k: int, tt_bits: int,
                 sym_plies: int = DEFAULT_SYM_PLIES) -> tuple[np.ndarray, np.ndarray]:
    """The parameter and mask arrays of one board size (see module docstring)."""
    if not fits(rows, cols):
        raise ValueError(f"a {rows}x{cols} board does not fit in 64 bits")
    h1 = rows + 1
    cells = rows * cols
    params = np.zeros(NUM_PARAMS, np.int64)
    params[ROWS], params[COLS], params[K], params[H1] = rows, cols, k, h1
    params[CELLS], params[HALF] = cells, (cells + 1) // 2
    params[TT_SHIFT] = 64 - tt_bits
    params[FAST4] = int(k == 4 and 3 * (h1 + 1) < 64)
    params[SYM_PLIES] = sym_plies
    masks = np.zeros(COLMASK0 + 2 * cols, np.uint64)
    bottom = 0
    board = 0
    for c in range(cols):
        bottom |= 1 << (c * h1)
        col = ((1 << rows) - 1) << (c * h1)
        board |= col
        masks[COLMASK0 + c] = np.uint64(col)
    masks[BOTTOM], masks[BOARD] = np.uint64(bottom), np.uint64(board)
    # Column order from the centre outwards (Pons: 3 2 4 1 5 0 6 for seven columns).
    order = sorted(range(cols), key=lambda c: (abs(2 * c - (cols - 1)), c))
    masks[COLMASK0 + cols :] = np.asarray(order, np.uint64)
    return params, masks


def from_board(board: np.ndarray, rows: int, cols: int, to_move: int) -> tuple[int, int]:
    """(cur, mask) from a games board ([N] int8, row-major from the top, +1 first player).

    `to_move` is 0 or 1; `cur` holds that player's stones.
    """
    grid = np.asarray(board).reshape(rows, cols)
    mine = 1 if to_move == 0 else -1
    cur = mask = 0
    h1 = rows + 1
    for c in range(cols):
        for r in range(rows):  # r counts from the bottom
            v = int(grid[rows - 1 - r, c])
            if v:
                bit = 1 << (c * h1 + r)
                mask |= bit
                if v == mine:
                    cur |= bit
    return cur, mask


@njit(cache=True)
def popcount(x):
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


@njit(cache=True)
def _shift(x, s):
    """x shifted left by s bits (right for negative s); 0 past the word (LLVM shifts >= 64 are UB)."""
    if s >= 64 or s <= -64:
        return np.uint64(0)
    if s >= 0:
        return x << np.uint64(s)
    return x >> np.uint64(-s)


@njit(cache=True)
def winning_cells(p, mask, P, M):
    """Empty cells (playable or not) where a stone would complete k in a row for stones `p`."""
    h1 = P[H1]
    r = np.uint64(0)
    if P[FAST4] == 1:
        one = np.uint64(1)
        r = (p << one) & (p << np.uint64(2)) & (p << np.uint64(3))
        for si in range(3):
            s = np.uint64(h1 - 1 + si)
            s2 = s + s
            s3 = s2 + s
            t = (p << s) & (p << s2)
            r |= t & (p << s3)
            r |= t & (p >> s)
            t = (p >> s) & (p >> s2)
            r |= t & (p << s)
            r |= t & (p >> s3)
    else:
        k = P[K]
        for d in range(4):
            s = 1 if d == 0 else h1 - 2 + d
            for t in range(k):  # t stones on the low side of the cell, k-1-t on the high side
                acc = _ALL
                for j in range(1, t + 1):
                    acc &= _shift(p, s * j)
                for j in range(1, k - t):
                    acc &= _shift(p, -s * j)
                r |= acc
    return r & (M[BOARD] ^ mask)


@njit(cache=True)
def has_won(p, P):
    """True when stones `p` contain k in a row."""
    h1 = P[H1]
    k = P[K]
    for d in range(4):
        s = 1 if d == 0 else h1 - 2 + d
        acc = p
        for j in range(1, k):
            acc &= _shift(p, -s * j)
        if acc != 0:
            return True
    return False


@njit(cache=True)
def mirror(x, P, M):
    """x with the column order reversed (a bit permutation; also valid on `cur + mask` keys,
    whose per-column sums never carry into the next column)."""
    h1 = P[H1]
    cols = P[COLS]
    col0 = M[COLMASK0] | (M[COLMASK0] << np.uint64(1))  # a column's rows plus its spare bit
    r = np.uint64(0)
    for c in range(cols):
        r |= ((x >> np.uint64(c * h1)) & col0) << np.uint64((cols - 1 - c) * h1)
    return r


@njit(cache=True)
def possible_moves(mask, M):
    return (mask + M[BOTTOM]) & M[BOARD]


@njit(cache=True)
def can_win_next(cur, mask, P, M):
    return (winning_cells(cur, mask, P, M) & possible_moves(mask, M)) != 0


@njit(cache=True)
def win_score(stones_before, P):
    """Score of a win by the player who moves when `stones_before` stones are on the board.

    = (cells + 1) // 2 + 1 - (the winner's stones at the end); 22 - stones on 7x6.
    """
    return P[HALF] - stones_before // 2


@njit(cache=True)
def non_losing_moves(cur, mask, P, M):
    """Pons' pruning: moves that do not let the opponent win at once (0 if every move loses).

    Precondition: the player to move cannot win at once.
    """
    possible = possible_moves(mask, M)
    opp_win = winning_cells(cur ^ mask, mask, P, M)
    forced = possible & opp_win
    if forced != 0:
        if (forced & (forced - np.uint64(1))) != 0:
            return np.uint64(0)
        possible = forced
    return possible & ~(opp_win >> np.uint64(1))


@njit(cache=True)
def order_moves(cur, mask, possible, ply, P, M, move_buf):
    """Fills `move_buf[ply]` with the moves of `possible`, best first; returns how many.

    Order: more winning spots after the move first, ties to the centre (Pons part 10).
    """
    cols = P[COLS]
    count = 0
    for i in range(cols - 1, -1, -1):  # from the edges to the centre, as Pons adds them
        col = M[COLMASK0 + cols + i]
        move = possible & M[COLMASK0 + np.int64(col)]
        if move != 0:
            score = np.int64(popcount(winning_cells(cur | move, mask | move, P, M)))
            # insertion sort by score, stable: equal scores keep the later (more central) first
            j = count
            while j > 0 and move_buf[ply, 2 * (j - 1) + 1] > score:
                move_buf[ply, 2 * j] = move_buf[ply, 2 * (j - 1)]
                move_buf[ply, 2 * j + 1] = move_buf[ply, 2 * (j - 1) + 1]
                j -= 1
            move_buf[ply, 2 * j] = np.int64(move)
            move_buf[ply, 2 * j + 1] = score
            count += 1
    return count


@njit(cache=True)
def negamax(cur, mask, n, alpha, beta, P, M, tt_keys, tt_vals, move_buf, counters):
    """Exact score within [alpha, beta] (fail-soft bounds outside), Pons part 12.

    Precondition: the player to move cannot win at once and the board is not full.
    """
    counters[NODES] += 1
    if counters[NODES] > counters[NODE_LIMIT]:
        counters[ABORTED] = 1
        return 0
    possible = non_losing_moves(cur, mask, P, M)
    if possible == 0:
        return -win_score(n + 1, P)
    if n >= P[CELLS] - 2:
        return 0
    lo = -win_score(n + 3, P)
    if alpha < lo:
        alpha = lo
        if alpha >= beta:
            return alpha
    hi = win_score(n + 2, P)
    if beta > hi:
        beta = hi
        if alpha >= beta:
            return beta
    key = cur + mask
    if n < P[SYM_PLIES]:
        mirrored = mirror(key, P, M)
        if mirrored < key:
            key = mirrored
    idx = np.int64((key * _HASH_MUL) >> np.uint64(P[TT_SHIFT]))
    if tt_keys[idx] == key:
        v = np.int64(tt_vals[idx])
        if v >= LOWER_OFFSET - 100:
            lower = v - LOWER_OFFSET
            if alpha < lower:
                alpha = lower
                if alpha >= beta:
                    return alpha
        elif v != 0:
            upper = v - UPPER_OFFSET
            if beta > upper:
                beta = upper
                if alpha >= beta:
                    return beta
    count = order_moves(cur, mask, possible, n, P, M, move_buf)
    for i in range(count - 1, -1, -1):
        move = np.uint64(move_buf[n, 2 * i])
        score = -negamax(cur ^ mask, mask | move, n + 1, -beta, -alpha, P, M, tt_keys, tt_vals,
                         move_buf, counters)
        if counters[ABORTED] != 0:
            return 0
        if score >= beta:
            tt_keys[idx] = key
            tt_vals[idx] = np.int16(score + LOWER_OFFSET)
            return score
        if score > alpha:
            alpha = score
    tt_keys[idx] = key
    tt_vals[idx] = np.int16(alpha + UPPER_OFFSET)
    return alpha


@njit(cache=True)
def _trunc_half(x):
    """x / 2 rounded toward zero, as C's integer division in Pons' code."""
    return x // 2 if x >= 0 else -((-x) // 2)


@njit(cache=True)
def solve_kernel(cur, mask, n, weak, P, M, tt_keys, tt_vals, move_buf, counters):
    """Exact score of a non-terminal position (or its sign with `weak`), or ABORT.

    Iterative null-window searches narrow [min, max] (Pons' `solve`), probing near 0 first.
    """
    if can_win_next(cur, mask, P, M):
        return win_score(n, P)
    if n >= P[CELLS] - 1:
        return 0  # one cell left and it does not win: a draw
    lo = -win_score(n + 1, P)
    hi = win_score(n, P)
    if weak:
        lo = -1
        hi = 1
    while lo < hi:
        med = lo + (hi - lo) // 2
        if med <= 0 and _trunc_half(lo) < med:
            med = _trunc_half(lo)
        elif med >= 0 and _trunc_half(hi) > med:
            med = _trunc_half(hi)
        r = negamax(cur, mask, n, med, med + 1, P, M, tt_keys, tt_vals, move_buf, counters)
        if counters[ABORTED] != 0:
            return ABORT
        if r <= med:
            hi = r
        else:
            lo = r
    return lo


@njit(cache=True)
def play_column(cur, mask, col, M):
    """(cur, mask) after the player to move drops a stone in `col` (which must be open)."""
    move = (mask + M[BOTTOM]) & M[COLMASK0 + col]
    return cur ^ mask, mask | move


@njit(cache=True)
def analyze_kernel(cur, mask, n, weak, P, M, tt_keys, tt_vals, move_buf, counters, out):
    """Score of every column from the mover's view into `out` (ABSENT for a full column).

    Returns 0, or ABORT when the node limit stopped the search (`out` is then partial).
    """
    cols = P[COLS]
    possible = possible_moves(mask, M)
    mine = winning_cells(cur, mask, P, M)
    symmetric = mirror(cur, P, M) == cur and mirror(mask, P, M) == mask
    for c in range(cols):
        move = possible & M[COLMASK0 + c]
        if symmetric and 2 * c > cols - 1:
            out[c] = out[cols - 1 - c]  # a symmetric position's mirrored moves score the same
        elif move == 0:
            out[c] = ABSENT
        elif (move & mine) != 0:
            out[c] = win_score(n, P) if not weak else 1
        elif n + 1 >= P[CELLS]:
            out[c] = 0
        else:
            child = solve_kernel(cur ^ mask, mask | move, n + 1, weak, P, M, tt_keys, tt_vals,
                                 move_buf, counters)
            if child == ABORT:
                return ABORT
            out[c] = -child
    return 0



@njit(cache=True)
def play_moves(actions, P, M):
    """(cur, mask, bad) after playing 0-based columns from the empty board.

    `bad` is the 1-based index of the first move that cannot be played (out of range, full
    column, or played after a win), 0 when every move is legal.
    """
    cur = np.uint64(0)
    mask = np.uint64(0)
    for i in range(actions.shape[0]):
        a = actions[i]
        if a < 0 or a >= P[COLS] or has_won(cur ^ mask, P):
            return cur, mask, i + 1
        move = (mask + M[BOTTOM]) & M[COLMASK0 + a]
        if move == 0:
            return cur, mask, i + 1
        cur, mask = cur ^ mask, mask | move
    return cur, mask, 0
