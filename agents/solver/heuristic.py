"""Depth-limited search with a heuristic leaf value: the fallback when a budget runs out.

The search is the exact solver's move generator (non-losing moves, winning-spot ordering)
without the transposition table, cut at a fixed number of plies. Proven results keep their
exact Pons scores (integers, |score| >= 1); an unproven leaf gets `evaluate`, a value strictly
inside (-1, 1), so any proven win ranks above any heuristic guess and any proven loss below.
A result is exact only if no leaf was evaluated heuristically (`counters[HEURISTIC_LEAVES]`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from agents.solver.bitboard import (
    ABORTED,
    ABSENT,
    CELLS,
    COLMASK0,
    COLS,
    HEURISTIC_LEAVES,
    NODE_LIMIT,
    NODES,
    can_win_next,
    non_losing_moves,
    order_moves,
    popcount,
    possible_moves,
    win_score,
    winning_cells,
)

_INF = 1e9


@njit(cache=True)
def evaluate(cur, mask, P, M):
    """Heuristic value in (-0.9, 0.9) for the side to move.

    Threats (empty cells that would complete a line) dominate; stones in the centre column
    break ties, since central stones take part in the most lines.
    """
    mine = np.float64(popcount(winning_cells(cur, mask, P, M)))
    theirs = np.float64(popcount(winning_cells(cur ^ mask, mask, P, M)))
    centre = M[COLMASK0 + np.int64(M[COLMASK0 + P[COLS]])]
    centre_diff = np.float64(popcount(cur & centre)) - np.float64(popcount((cur ^ mask) & centre))
    return 0.9 * math.tanh(0.35 * (mine - theirs) + 0.05 * centre_diff)


@njit(cache=True)
def depth_search(cur, mask, n, depth, alpha, beta, P, M, move_buf, counters):
    """Negamax value to `depth` plies (fail-soft alpha-beta), heuristic at the horizon."""
    counters[NODES] += 1
    if counters[NODES] > counters[NODE_LIMIT]:
        counters[ABORTED] = 1
        return 0.0
    if can_win_next(cur, mask, P, M):
        return np.float64(win_score(n, P))
    if n >= P[CELLS] - 1:
        return 0.0
    possible = non_losing_moves(cur, mask, P, M)
    if possible == 0:
        return -np.float64(win_score(n + 1, P))
    if n >= P[CELLS] - 2:
        return 0.0
    if depth <= 0:
        counters[HEURISTIC_LEAVES] += 1
        return evaluate(cur, mask, P, M)
    count = order_moves(cur, mask, possible, n, P, M, move_buf)
    best = -_INF
    for i in range(count - 1, -1, -1):
        move = np.uint64(move_buf[n, 2 * i])
        score = -depth_search(cur ^ mask, mask | move, n + 1, depth - 1, -beta, -alpha, P, M,
                              move_buf, counters)
        if counters[ABORTED] != 0:
            return 0.0
        if score > best:
            best = score
        if score > alpha:
            alpha = score
        if alpha >= beta:
            break
    return best


@njit(cache=True)
def depth_analyze(cur, mask, n, depth, P, M, move_buf, counters, out):
    """Every column's depth-limited value (mover's view) into `out`; ABSENT for full columns.

    Returns 1 when the node limit stopped it, else 0.
    """
    cols = P[COLS]
    possible = possible_moves(mask, M)
    mine = winning_cells(cur, mask, P, M)
    for c in range(cols):
        move = possible & M[COLMASK0 + c]
        if move == 0:
            out[c] = ABSENT
        elif (move & mine) != 0:
            out[c] = win_score(n, P)
        else:
            out[c] = -depth_search(cur ^ mask, mask | move, n + 1, depth - 1, -_INF, _INF, P, M,
                                   move_buf, counters)
            if counters[ABORTED] != 0:
                return 1
    return 0
