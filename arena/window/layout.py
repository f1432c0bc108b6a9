"""Board geometry for a window size, and pixel <-> action mapping: pure arithmetic, no pygame.

Kept free of pygame so the mapping that decides which move a click plays is tested on many
window sizes without a display. Rectangles are `(x, y, w, h)` tuples of ints.

Screen picture (both games): the board on the left, a side panel on the right, a status line
along the bottom. Connect four adds a header strip of one cell above the board (the disc that
follows the mouse, and where dropping discs start) and a label strip below it (per-column
overlay text); tic-tac-toe writes overlay text inside the empty cells.
"""

from __future__ import annotations

import dataclasses

Rect = tuple[int, int, int, int]

LABEL_CELLS = 1.25  # height of the connect-four label strip, in cells (four short text lines)
MIN_SIZE = (320, 240)


@dataclasses.dataclass(frozen=True)
class Layout:
    """Where everything goes for one window size and one board shape."""

    width: int
    height: int
    rows: int
    cols: int
    gravity: bool
    cell: int  # side of one square cell in pixels
    board: Rect  # the grid itself (rows x cols cells)
    header: Rect | None  # connect four: strip above the board, one cell high
    labels: Rect | None  # connect four: strip below the board for per-column overlay text
    panel: Rect  # side panel: players, status, win bar, move list
    status: Rect  # bottom line: feedback and hints

    @property
    def board_area(self) -> Rect:
        """Everything left of the panel and above the status line (for banners and menus)."""
        return (0, 0, self.panel[0], self.status[1])


def compute_layout(rows: int, cols: int, gravity: bool, width: int, height: int) -> Layout:
    """The layout of a rows x cols board in a window of `width` x `height` pixels.

    The board is scaled to the largest square cell that fits beside the panel, centred in
    its area, so resizing the window rescales everything.
    """
    width, height = max(int(width), MIN_SIZE[0]), max(int(height), MIN_SIZE[1])
    status_h = max(20, min(34, round(height * 0.05)))
    panel_w = max(150, min(380, round(width * 0.3)))
    panel = (width - panel_w, 0, panel_w, height - status_h)
    status = (0, height - status_h, width, status_h)
    area_w, area_h = width - panel_w, height - status_h
    margin = max(6, round(min(area_w, area_h) * 0.04))
    avail_w, avail_h = area_w - 2 * margin, area_h - 2 * margin
    units_h = rows + (1 + LABEL_CELLS if gravity else 0)
    cell = max(4, int(min(avail_w / cols, avail_h / units_h)))
    board_w, board_h = cell * cols, cell * rows
    total_h = int(cell * units_h)
    x0 = margin + (avail_w - board_w) // 2
    y0 = margin + (avail_h - total_h) // 2
    if gravity:
        header = (x0, y0, board_w, cell)
        board = (x0, y0 + cell, board_w, board_h)
        labels = (x0, y0 + cell + board_h, board_w, int(cell * LABEL_CELLS))
    else:
        header, labels = None, None
        board = (x0, y0, board_w, board_h)
    return Layout(width, height, rows, cols, gravity, cell, board, header, labels, panel, status)


def contains(rect: Rect, x: float, y: float) -> bool:
    """True when the point lies inside the rectangle (right and bottom edges excluded)."""
    rx, ry, rw, rh = rect
    return rx <= x < rx + rw and ry <= y < ry + rh


def action_at(layout: Layout, x: float, y: float) -> int | None:
    """The 0-based action a click at pixel (x, y) means, or None when it misses the board.

    Connect four: the column under the mouse, anywhere from the header strip down to the
    label strip (people aim at columns, not cells). Tic-tac-toe: the cell under the mouse.
    """
    bx, by, bw, bh = layout.board
    if layout.gravity:
        top = layout.header[1] if layout.header else by
        bottom = layout.labels[1] + layout.labels[3] if layout.labels else by + bh
        if not (bx <= x < bx + bw and top <= y < bottom):
            return None
        return int((x - bx) // layout.cell)
    if not contains(layout.board, x, y):
        return None
    col = int((x - bx) // layout.cell)
    row = int((y - by) // layout.cell)
    return row * layout.cols + col


def cell_rect(layout: Layout, cell: int) -> Rect:
    """The square of board cell `cell` (row-major from the top-left, as in games.core)."""
    row, col = divmod(int(cell), layout.cols)
    bx, by = layout.board[0], layout.board[1]
    return (bx + col * layout.cell, by + row * layout.cell, layout.cell, layout.cell)


def action_rect(layout: Layout, action: int) -> Rect:
    """The area a click must hit to play `action`: a whole column, or one cell."""
    if layout.gravity:
        bx, by, _, bh = layout.board
        return (bx + int(action) * layout.cell, by, layout.cell, bh)
    return cell_rect(layout, action)


def label_rect(layout: Layout, action: int) -> Rect:
    """Where the overlay text of `action` goes: below its column, or inside its cell."""
    if layout.gravity and layout.labels is not None:
        lx, ly, _, lh = layout.labels
        return (lx + int(action) * layout.cell, ly, layout.cell, lh)
    return cell_rect(layout, action)


def header_cell(layout: Layout, col: int) -> Rect:
    """Connect four: the square above column `col` where a disc hovers before dropping."""
    hx, hy = (layout.header or layout.board)[:2]
    return (hx + int(col) * layout.cell, hy, layout.cell, layout.cell)


def center(rect: Rect) -> tuple[int, int]:
    """The centre pixel of a rectangle."""
    x, y, w, h = rect
    return (x + w // 2, y + h // 2)
