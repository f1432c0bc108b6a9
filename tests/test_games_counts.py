"""Position and game counts by enumeration through the project's own JAX rules (docs/references.md)."""

from __future__ import annotations

import numpy as np

import games
from games.enumerate import layers


def test_tictactoe_positions_terminals_and_games():
    game = games.make("tictactoe")
    per_ply, terminal = [], {0: 0, 1: 0, -1: 0}
    games_by_result = {0: 0, 1: 0, -1: 0}
    for layer in layers(game):
        per_ply.append(layer.size)
        done = np.asarray(layer.states.terminal)
        winners = np.asarray(layer.states.winner)[done]
        for w in (0, 1, -1):
            terminal[w] += int(np.sum(winners == w))
            games_by_result[w] += int(layer.paths[done][winners == w].sum())
    assert per_ply == [1, 9, 72, 252, 756, 1260, 1520, 1140, 390, 78]
    assert sum(per_ply) == 5478
    assert sum(per_ply) - sum(terminal.values()) == 4520
    assert (terminal[0], terminal[1], terminal[-1]) == (626, 316, 16)
    assert (games_by_result[0], games_by_result[1], games_by_result[-1]) == (131_184, 77_904, 46_080)
    assert sum(games_by_result.values()) == 255_168


def test_connect4_positions_per_ply_oeis_a212693():
    game = games.make("connect4")
    counts = [layer.size for layer in layers(game, max_ply=8)]
    assert counts == [1, 7, 49, 238, 1120, 4263, 16422, 54859, 184275]
