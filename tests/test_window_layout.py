"""Pure window geometry: every click lands on the move under the mouse, at any window size."""

from __future__ import annotations

import pytest

from arena.window.layout import (
    action_at,
    action_rect,
    cell_rect,
    center,
    compute_layout,
    contains,
    header_cell,
    label_rect,
)

SIZES = [(320, 240), (640, 480), (960, 640), (1280, 720), (500, 900), (1920, 1080)]
BOARDS = [(6, 7, True), (5, 6, True), (3, 3, False), (4, 4, False), (4, 5, True)]


def _inside(inner, outer) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("board", BOARDS)
def test_every_action_maps_back_from_its_rect(size, board):
    rows, cols, gravity = board
    layout = compute_layout(rows, cols, gravity, *size)
    actions = cols if gravity else rows * cols
    for a in range(actions):
        x, y, w, h = action_rect(layout, a)
        for px, py in [center((x, y, w, h)), (x, y), (x + w - 1, y + h - 1)]:
            assert action_at(layout, px, py) == a, (a, px, py)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("board", BOARDS)
def test_board_fits_beside_the_panel(size, board):
    rows, cols, gravity = board
    layout = compute_layout(rows, cols, gravity, *size)
    assert layout.cell >= 4
    assert _inside(layout.board, layout.board_area)
    for rect in (layout.header, layout.labels):
        if rect is not None:
            assert _inside(rect, layout.board_area)
    assert layout.panel[0] + layout.panel[2] == layout.width
    assert layout.status[1] + layout.status[3] == layout.height


def test_connect_four_column_from_header_and_labels():
    layout = compute_layout(6, 7, True, 960, 640)
    for col in range(7):
        assert action_at(layout, *center(header_cell(layout, col))) == col
        assert action_at(layout, *center(label_rect(layout, col))) == col
        assert action_at(layout, *center(cell_rect(layout, 5 * 7 + col))) == col  # bottom row


def test_tictactoe_cells_are_row_major_from_the_top_left():
    layout = compute_layout(3, 3, False, 800, 600)
    bx, by, _, _ = layout.board
    c = layout.cell
    assert action_at(layout, bx + c // 2, by + c // 2) == 0
    assert action_at(layout, bx + 2 * c + c // 2, by + c // 2) == 2
    assert action_at(layout, bx + c // 2, by + 2 * c + c // 2) == 6
    assert label_rect(layout, 4) == cell_rect(layout, 4)


@pytest.mark.parametrize("board", BOARDS)
def test_clicks_off_the_board_are_no_move(board):
    rows, cols, gravity = board
    layout = compute_layout(rows, cols, gravity, 960, 640)
    bx, by, bw, bh = layout.board
    top = layout.header[1] if layout.header else by
    assert action_at(layout, bx - 1, by + bh // 2) is None
    assert action_at(layout, bx + bw, by + bh // 2) is None
    assert action_at(layout, bx + bw // 2, top - 1) is None
    assert action_at(layout, *center(layout.panel)) is None
    assert action_at(layout, *center(layout.status)) is None


def test_resizing_rescales_the_board():
    small = compute_layout(6, 7, True, 640, 480)
    big = compute_layout(6, 7, True, 1280, 960)
    assert big.cell > 1.8 * small.cell
    assert contains(big.board, *center(big.board))
