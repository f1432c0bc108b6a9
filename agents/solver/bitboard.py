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
searches narrowing [min, max] in `solve`. On standard connect four it probes the 12-ply
opening book (`book.py`) at 12 stones, so openings are solved by short searches.

Every kernel takes the same context: `P` (int64 parameters, indices below), `M` (uint64
masks), the transposition table (one uint64 word per entry), scratch arrays for move
ordering (one row per ply), `counters` (nodes, node limit, aborted flag, heuristic leaves,
book hits) and the book's three arrays (empty when no book is used). A search that passes
the node limit sets the aborted flag and stops without writing to the table, so an aborted
search never poisons later ones.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# P (int64 parameter array) indices.
ROWS, COLS, K, H1, CELLS, HALF, TT_SHIFT, FAST4, SYM_PLIES, BOOK_PLY, TT_STRIDE, TT_MIN_LEFT, ETC_MIN_LEFT, SORT_MIN_LEFT = range(14)
NUM_PARAMS = 14
# Below this many stones the table is keyed by the smaller of a position's key and its mirror
# image's, so that mirrored lines of play share entries; deeper, few positions are mirror
# twins and the extra work would not pay.
DEFAULT_SYM_PLIES = 24
# M (uint64 mask array) indices: bottom, board, then one mask per column, then column order.
BOTTOM, BOARD = 0, 1
COLMASK0 = 2
# counters indices.
NODES, NODE_LIMIT, ABORTED, HEURISTIC_LEAVES, BOOK_HITS = range(5)
NUM_COUNTERS = 5

# Transposition table: one uint64 per entry, so a probe touches one cache line. The key
# `cur + mask` is multiplied by an odd constant (a bijection of 64-bit words); the top
# `tt_bits` bits of the product pick the slot and the other `64 - tt_bits` bits are stored as
# the check, so a matching check identifies the position exactly (no false hits). The low
# byte holds the bound: score + TT_SCORE_OFFSET (never 0, so an all-zero word is an empty
# slot), plus TT_LOWER_FLAG for a lower bound (else an upper bound).
TT_SCORE_OFFSET = 64
TT_LOWER_FLAG = 128
MIN_TT_BITS = 8  # the check must leave room for the bound byte
ABORT = -10_000  # returned by `solve_kernel` when the node limit stops it
ABSENT = -20_000  # analyze_kernel's marker of a full column
NOT_IN_BOOK = -30_000  # book_probe's answer for a position the book does not hold
BOOK_BUCKET_BITS = 16  # book.BUCKET_BITS

_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
_HASH_MUL = np.uint64(0x9E3779B97F4A7C15)


def fits(rows: int, cols: int) -> bool:
    """True when a rows x cols gravity board fits the 64-bit layout."""
    return (rows + 1) * cols <= 64


def make_context(rows: int, cols: int, k: int, tt_bits: int,
                 sym_plies: int = DEFAULT_SYM_PLIES, book_ply: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """The parameter and mask arrays of one board size (see module docstring).

    `book_ply` is the stone count at which the search probes the opening book (-1: never).
    """
    if not fits(rows, cols):
        raise ValueError(f"a {rows}x{cols} board does not fit in 64 bits")
    if not MIN_TT_BITS <= tt_bits <= 40:
        raise ValueError(f"tt_bits={tt_bits} is outside {MIN_TT_BITS}..40")
    h1 = rows + 1
    cells = rows * cols
    params = np.zeros(NUM_PARAMS, np.int64)
    params[ROWS], params[COLS], params[K], params[H1] = rows, cols, k, h1
    params[CELLS], params[HALF] = cells, (cells + 1) // 2
    params[TT_SHIFT] = 64 - tt_bits
    params[FAST4] = int(k == 4 and 3 * (h1 + 1) < 64)
    params[SYM_PLIES] = sym_plies
    params[BOOK_PLY] = book_ply
    # The table is probed and written only where an even number of cells is left and more
    # than TT_MIN_LEFT: half the nodes, so half the cache misses, for ~15% more nodes; the
    # other nodes look their children up instead (enhanced transposition cutoffs), which
    # wins the nodes back. Near the end the search is cheaper than a miss. (BitBully's
    # scheme; measured on Middle-Medium: 1.5x faster per position than a probe per node.)
    params[TT_STRIDE] = 2
    params[TT_MIN_LEFT] = 6
    params[ETC_MIN_LEFT] = 6
    # With 8 cells or fewer left, moves are tried in plain column order (centre first): counting
    # each move's threats cost more there than the nodes it saved (measured: a 12-stone
    # analysis 3.3 s -> 1.7 s, Middle-Medium 5.2 -> 4.4 ms per position).
    params[SORT_MIN_LEFT] = 8
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
    return _order(cur, mask, possible, ply, P, M, move_buf, False)


@njit(cache=True)
def order_moves_or_win2(cur, mask, possible, ply, P, M, move_buf):
    """`order_moves`, or -1 as soon as one of the moves wins with the mover's next stone.

    Such a move leaves two threats the opponent can play into (it blocks one, the other
    wins), or one playable threat with another right above it (the block fills the cell
    under the second). `possible` holds non-losing moves, so the opponent has no winning
    reply, and the caller's mover cannot win at once, so this is the best score there is.
    """
    return _order(cur, mask, possible, ply, P, M, move_buf, True)


@njit(cache=True)
def _order(cur, mask, possible, ply, P, M, move_buf, detect_win2):
    cols = P[COLS]
    count = 0
    for i in range(cols - 1, -1, -1):  # from the edges to the centre, as Pons adds them
        col = M[COLMASK0 + cols + i]
        move = possible & M[COLMASK0 + np.int64(col)]
        if move != 0:
            wins = winning_cells(cur | move, mask | move, P, M)
            if detect_win2:
                threats = wins & possible_moves(mask | move, M)
                if (threats & (threats - _ONE)) != 0 or (threats & (wins >> _ONE)) != 0:
                    return -1
            score = np.int64(popcount(wins))
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
def book_code(p1, mask, P, flip):
    """The opening book's Huffman code of a position (see `book.py`), columns mirrored if `flip`.

    `p1` holds the first player's stones. Returns the code with its top (sign) bit flipped, as
    the book's arrays store it.
    """
    rows = P[ROWS]
    cols = P[COLS]
    h1 = P[H1]
    code = _ZERO
    for cc in range(cols):
        c = cols - 1 - cc if flip else cc
        for r in range(rows):
            bit = _ONE << np.uint64(c * h1 + r)
            if (mask & bit) == 0:
                break
            if (p1 & bit) != 0:
                code = (code << np.uint64(2)) | np.uint64(2)
            else:
                code = (code << np.uint64(2)) | np.uint64(3)
        code = code << _ONE
    code = code << _ONE
    return (code & np.uint64(0xFFFFFFFF)) ^ np.uint64(0x80000000)


@njit(cache=True)
def _book_find(code, book_keys, book_index):
    """Index of `code` in the sorted book, or -1."""
    b = np.int64(code >> np.uint64(32 - BOOK_BUCKET_BITS))
    lo = book_index[b]
    hi = book_index[b + 1] - 1
    while lo <= hi:
        mid = (lo + hi) >> 1
        k = np.uint64(book_keys[mid])
        if k == code:
            return mid
        if k < code:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1


@njit(cache=True)
def book_probe(cur, mask, n, P, book_keys, book_scores, book_index):
    """Exact score of a position with `P[BOOK_PLY]` stones from the book (either mirror image),
    or NOT_IN_BOOK (positions where the mover wins at once are not in it)."""
    p1 = cur if n % 2 == 0 else cur ^ mask
    i = _book_find(book_code(p1, mask, P, False), book_keys, book_index)
    if i < 0:
        i = _book_find(book_code(p1, mask, P, True), book_keys, book_index)
        if i < 0:
            return NOT_IN_BOOK
    s = np.int64(book_scores[i])
    return s if n % 2 == 0 else -s


@njit(cache=True)
def _tt_store(tt, idx, check, score, lower):
    code = np.uint64(score + TT_SCORE_OFFSET)
    if lower:
        code |= np.uint64(TT_LOWER_FLAG)
    tt[idx] = (check << np.uint64(8)) | code


@njit(cache=True)
def static_moves(possible, ply, P, M, move_buf):
    """Fills `move_buf[ply]` with the moves of `possible` in column order, centre last (searched
    first); returns how many. Near the end of the game the threat count of `order_moves` costs
    more than the nodes it saves."""
    cols = P[COLS]
    count = 0
    for i in range(cols - 1, -1, -1):
        move = possible & M[COLMASK0 + np.int64(M[COLMASK0 + cols + i])]
        if move != 0:
            move_buf[ply, 2 * count] = np.int64(move)
            count += 1
    return count


@njit(cache=True)
def negamax(cur, mask, n, alpha, beta, P, M, tt, move_buf, counters, book_keys, book_scores, book_index):
    """Exact score within [alpha, beta] (fail-soft bounds outside), Pons part 12, without recursion.

    Precondition: the player to move cannot win at once and the board is not full.

    The tree walk keeps one frame per ply in small stack arrays instead of recursing: numba
    passes every array argument as a multi-word struct with reference counting, which cost
    more than the node's own work. `move_buf[ply]` holds the ordered moves of each frame.
    Nodes with `P[BOOK_PLY]` stones are looked up in the opening book (counted as book hits,
    not as nodes).
    """
    top = n
    size = P[CELLS] + 2
    s_cur = np.empty(size, np.uint64)
    s_mask = np.empty(size, np.uint64)
    s_alpha = np.empty(size, np.int64)
    s_beta = np.empty(size, np.int64)
    s_next = np.empty(size, np.int64)
    s_idx = np.empty(size, np.int64)
    s_check = np.empty(size, np.uint64)
    book_ply = P[BOOK_PLY]
    tt_stride = P[TT_STRIDE]
    tt_min_left = P[TT_MIN_LEFT]
    etc_min_left = P[ETC_MIN_LEFT]
    sort_min_left = P[SORT_MIN_LEFT]
    sym_plies = P[SYM_PLIES]
    shift = np.uint64(P[TT_SHIFT])
    check_mask = (_ONE << shift) - _ONE
    ret = np.int64(0)
    while True:
        # ---- enter the node (cur, mask, n, alpha, beta): resolve it, or descend to its first child
        done = True
        while True:  # a block left by `break`
            if n == book_ply:
                v = book_probe(cur, mask, n, P, book_keys, book_scores, book_index)
                if v != NOT_IN_BOOK:
                    counters[BOOK_HITS] += 1
                    ret = v
                    break
            counters[NODES] += 1
            if counters[NODES] > counters[NODE_LIMIT]:
                counters[ABORTED] = 1
                return 0
            possible = non_losing_moves(cur, mask, P, M)
            if possible == 0:
                ret = -win_score(n + 1, P)
                break
            if n >= P[CELLS] - 2:
                ret = 0
                break
            lo = -win_score(n + 3, P)
            if alpha < lo:
                alpha = lo
                if alpha >= beta:
                    ret = alpha
                    break
            hi = win_score(n + 2, P)
            if beta > hi:
                beta = hi
                if alpha >= beta:
                    ret = beta
                    break
            idx = np.int64(-1)
            etc_cut = False
            check = _ZERO
            entry = _ZERO
            left = P[CELLS] - n
            if left > tt_min_left and left % tt_stride == 0:
                key = cur + mask
                if n < sym_plies:
                    mirrored = mirror(key, P, M)
                    if mirrored < key:
                        key = mirrored
                h = key * _HASH_MUL
                idx = np.int64(h >> shift)
                check = h & check_mask
                entry = tt[idx]
            elif left > etc_min_left:
                # Enhanced transposition cutoff: a child whose stored upper bound u already
                # proves score >= -u >= beta ends this node without ordering or searching.
                rest = possible
                while rest != 0:
                    move = rest & (~rest + _ONE)
                    rest ^= move
                    ckey = (cur ^ mask) + (mask | move)
                    if n + 1 < sym_plies:
                        mirrored = mirror(ckey, P, M)
                        if mirrored < ckey:
                            ckey = mirrored
                    ch = ckey * _HASH_MUL
                    centry = tt[np.int64(ch >> shift)]
                    if centry != 0 and (centry >> np.uint64(8)) == (ch & check_mask):
                        ccode = np.int64(centry & np.uint64(0xFF))
                        if ccode < TT_LOWER_FLAG and TT_SCORE_OFFSET - ccode >= beta:
                            ret = TT_SCORE_OFFSET - ccode
                            etc_cut = True
                            break
                if etc_cut:
                    break
            if entry != 0 and (entry >> np.uint64(8)) == check:
                code = np.int64(entry & np.uint64(0xFF))
                if code >= TT_LOWER_FLAG:
                    lower = code - TT_LOWER_FLAG - TT_SCORE_OFFSET
                    if alpha < lower:
                        alpha = lower
                        if alpha >= beta:
                            ret = alpha
                            break
                else:
                    upper = code - TT_SCORE_OFFSET
                    if beta > upper:
                        beta = upper
                        if alpha >= beta:
                            ret = beta
                            break
            if left > sort_min_left:
                count = order_moves_or_win2(cur, mask, possible, n, P, M, move_buf)
                if count < 0:  # a forced win with the next stone: the best score possible here
                    ret = win_score(n + 2, P)
                    if idx >= 0:
                        _tt_store(tt, idx, check, ret, True)
                    break
            else:
                count = static_moves(possible, n, P, M, move_buf)
            s_cur[n] = cur
            s_mask[n] = mask
            s_alpha[n] = alpha
            s_beta[n] = beta
            s_next[n] = count - 1
            s_idx[n] = idx
            s_check[n] = check
            move = np.uint64(move_buf[n, 2 * (count - 1)])
            cur, mask = cur ^ mask, mask | move
            n += 1
            alpha, beta = -beta, -alpha
            done = False
            break
        if not done:
            continue
        # ---- unwind: hand `ret` to the parent frames until one has another child to search
        while True:
            if n == top:
                return ret
            n -= 1
            score = -ret
            alpha = s_alpha[n]
            beta = s_beta[n]
            if score >= beta:
                if s_idx[n] >= 0:
                    _tt_store(tt, s_idx[n], s_check[n], score, True)
                ret = score
                continue
            if score > alpha:
                alpha = score
                s_alpha[n] = alpha
            i = s_next[n] - 1
            if i < 0:
                if s_idx[n] >= 0:
                    _tt_store(tt, s_idx[n], s_check[n], alpha, False)
                ret = alpha
                continue
            s_next[n] = i
            move = np.uint64(move_buf[n, 2 * i])
            cur, mask = s_cur[n] ^ s_mask[n], s_mask[n] | move
            n += 1
            alpha, beta = -beta, -alpha
            break


@njit(cache=True)
def _trunc_half(x):
    """x / 2 rounded toward zero, as C's integer division in Pons' code."""
    return x // 2 if x >= 0 else -((-x) // 2)


@njit(cache=True)
def solve_kernel(cur, mask, n, weak, P, M, tt, move_buf, counters, book_keys, book_scores, book_index):
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
        r = negamax(cur, mask, n, med, med + 1, P, M, tt, move_buf, counters, book_keys, book_scores,
                    book_index)
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
def analyze_kernel(cur, mask, n, weak, P, M, tt, move_buf, counters, book_keys, book_scores, book_index, out):
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
            child = solve_kernel(cur ^ mask, mask | move, n + 1, weak, P, M, tt, move_buf, counters,
                                 book_keys, book_scores, book_index)
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
