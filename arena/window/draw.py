"""All drawing: the board, discs and marks, animation, overlays, panel, help, menu, banner.

Paints one `FrameView` (`view.py`: what the frame shows, frozen by the app) into a layout
(`layout.py`: where things go); it reads nothing else, so it never imports the app, and the
screenshot mode and the live window share every pixel of it. Colours are chosen here, from
the tones the view gives its texts. Sizes derive from the layout's cell and panel sizes, so
the picture scales with the window. Fonts are pygame's built-in default font.
"""

from __future__ import annotations

import math

import numpy as np
import pygame

from arena.window.layout import Layout, Rect, cell_rect, center, header_cell, label_rect
from arena.window.view import FrameView, WinBar

BACKGROUND = (24, 26, 32)
PANEL = (34, 37, 45)
BOARD_BLUE = (28, 86, 190)
HOLE = (16, 18, 24)
GRID = (150, 156, 170)
CELL = (42, 46, 56)
TEXT = (230, 232, 238)
DIM = (150, 155, 168)
STONES = {1: (226, 68, 62), -1: (244, 196, 48)}  # X red, O yellow
WIN_MARK = (120, 255, 140)
LAST_MARK = (250, 250, 250)
ERROR = (255, 96, 96)
POLICY = (196, 130, 255)  # violet: never mistaken for a red or yellow stone
VISITS = (110, 200, 255)
SOLVER = {"W": (110, 230, 120), "D": (200, 200, 200), "L": (255, 110, 110), "?": DIM}
TONES = {"policy": POLICY, "visits": VISITS, **SOLVER}  # the colour of each overlay label's tone
OVERLAY_NOTES = {"policy": POLICY, "visits": VISITS, "solver": SOLVER["W"]}  # the panel's overlay lines
STATUS = {"error": ERROR, "note": TEXT, "turn": DIM}

_fonts: dict[int, pygame.font.Font] = {}


def font(size: int) -> pygame.font.Font:
    """pygame's default font at `size` pixels (cached; no system fonts needed)."""
    size = max(8, int(size))
    if not pygame.font.get_init():  # fonts from before a pygame.quit() are dead: never reuse them
        _fonts.clear()
        pygame.font.init()
    if size not in _fonts:
        _fonts[size] = pygame.font.Font(None, size)
    return _fonts[size]


def reset_fonts() -> None:
    """Forgets cached fonts: a Font from before `pygame.quit()` crashes SDL_ttf if reused."""
    _fonts.clear()


def text(surface: pygame.Surface, s: str, pos: tuple[int, int], size: int, color=TEXT,
         anchor: str = "topleft") -> pygame.Rect:
    """Draws one line of text anchored at `pos` ('topleft', 'center', 'midtop', ...)."""
    image = font(size).render(s, True, color)
    rect = image.get_rect(**{anchor: pos})
    surface.blit(image, rect)
    return rect


def fit_size(s: str, size: int, width: int) -> int:
    """The largest font size up to `size` at which `s` fits in `width` pixels."""
    while size > 9 and font(size).size(s)[0] > width:
        size -= 1
    return size


def wrap(s: str, size: int, width: int) -> list[str]:
    """Splits `s` into lines no wider than `width`: at spaces, else inside long words."""
    f = font(size)
    lines: list[str] = []
    line = ""
    for word in s.split(" "):
        candidate = f"{line} {word}" if line else word
        if f.size(candidate)[0] <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:  # a word wider than the line (a long move list) breaks anywhere
            if f.size(line + ch)[0] > width and line:
                lines.append(line)
                line = ""
            line += ch
    return lines + ([line] if line else [])


def translucent(surface: pygame.Surface, rect: Rect, color: tuple[int, int, int], alpha: int) -> None:
    layer = pygame.Surface((max(1, rect[2]), max(1, rect[3])), pygame.SRCALPHA)
    layer.fill((*color, int(np.clip(alpha, 0, 255))))
    surface.blit(layer, rect[:2])


# ---- board ---------------------------------------------------------------------------
def draw_stone(surface: pygame.Surface, layout: Layout, stone: int, pos: tuple[int, int]) -> None:
    cell = layout.cell
    if layout.gravity:
        radius = int(cell * 0.42)
        pygame.draw.circle(surface, STONES[stone], pos, radius)
        pygame.draw.circle(surface, tuple(int(c * 0.75) for c in STONES[stone]), pos, radius, max(1, cell // 22))
        return
    r = int(cell * 0.3)
    width = max(2, cell // 11)
    x, y = pos
    if stone == 1:
        pygame.draw.line(surface, STONES[1], (x - r, y - r), (x + r, y + r), width)
        pygame.draw.line(surface, STONES[1], (x - r, y + r), (x + r, y - r), width)
    else:
        pygame.draw.circle(surface, STONES[-1], pos, r, width)


def draw_board(surface: pygame.Surface, layout: Layout, view: FrameView) -> None:
    drop = view.drop
    cell = layout.cell
    if layout.gravity:
        pygame.draw.rect(surface, BOARD_BLUE, layout.board, border_radius=max(2, cell // 6))
    for i in range(layout.rows * layout.cols):
        rect = cell_rect(layout, i)
        if layout.gravity:
            pygame.draw.circle(surface, HOLE, center(rect), int(cell * 0.42))
        else:
            pygame.draw.rect(surface, CELL, rect)
    if view.policy is not None:
        draw_policy_heat(surface, layout, view)
    for i, stone in enumerate(view.board):
        if stone and not (drop and drop.cell == i):
            draw_stone(surface, layout, stone, center(cell_rect(layout, i)))
    if not layout.gravity:
        bx, by, bw, bh = layout.board
        width = max(2, cell // 25)
        for c in range(1, layout.cols):
            pygame.draw.line(surface, GRID, (bx + c * cell, by), (bx + c * cell, by + bh), width)
        for r in range(1, layout.rows):
            pygame.draw.line(surface, GRID, (bx, by + r * cell), (bx + bw, by + r * cell), width)
    if drop:
        col = drop.cell % layout.cols
        start = center(header_cell(layout, col))
        end = center(cell_rect(layout, drop.cell))
        y = start[1] + (end[1] - start[1]) * drop.progress * drop.progress  # falls, accelerating
        draw_stone(surface, layout, drop.stone, (end[0], int(y)))
    if view.last_cell is not None and not drop:
        draw_last_marker(surface, layout, view.last_cell)
    for i in view.winning_cells:
        pygame.draw.circle(surface, WIN_MARK, center(cell_rect(layout, i)), int(cell * 0.46), max(3, cell // 12))
    if view.feedback_rect is not None:
        pygame.draw.rect(surface, ERROR, view.feedback_rect, max(2, cell // 16))


def draw_last_marker(surface: pygame.Surface, layout: Layout, cell_index: int) -> None:
    cx, cy = center(cell_rect(layout, cell_index))
    r = max(3, layout.cell // 9)
    colour = LAST_MARK if layout.gravity else (120, 130, 150)
    if layout.gravity:
        pygame.draw.circle(surface, colour, (cx, cy), r)
        pygame.draw.circle(surface, HOLE, (cx, cy), r, 1)
    else:
        x, y, w, h = cell_rect(layout, cell_index)
        pygame.draw.rect(surface, colour, (x + 3, y + 3, w - 6, h - 6), max(2, w // 30))


def draw_header(surface: pygame.Surface, layout: Layout, view: FrameView) -> None:
    """Connect four: column numbers, and the disc hovering where the person points."""
    if layout.header is None:
        return
    stone = 1 if view.to_move == 0 else -1
    for col in range(layout.cols):
        rect = header_cell(layout, col)
        if view.hover == col:
            draw_stone(surface, layout, stone, center(rect))
        else:
            text(surface, str(col + 1), center(rect), max(12, layout.cell // 3), DIM, "center")


# ---- overlays ------------------------------------------------------------------------
def landing_cell(layout: Layout, board: tuple[int, ...], col: int) -> int:
    """Connect four: the cell a disc dropped into column `col` lands in (its lowest empty one)."""
    row = max(r for r in range(layout.rows) if board[r * layout.cols + col] == 0)
    return row * layout.cols + col


def draw_policy_heat(surface: pygame.Surface, layout: Layout, view: FrameView) -> None:
    """Tints each legal move's target (connect four: the landing hole; else the cell)."""
    policy = view.policy
    assert policy is not None
    top = float(np.nanmax(policy)) or 1.0
    for a in view.legal:
        share = float(policy[a]) if math.isfinite(policy[a]) else 0.0
        alpha = 25 + 150 * share / top
        if layout.gravity:
            rect = cell_rect(layout, landing_cell(layout, view.board, a))
            layer = pygame.Surface(rect[2:], pygame.SRCALPHA)
            pygame.draw.circle(layer, (*POLICY, int(alpha)), (rect[2] // 2, rect[3] // 2), int(layout.cell * 0.42))
            surface.blit(layer, rect[:2])
        else:
            translucent(surface, cell_rect(layout, a), POLICY, alpha * 0.5)


def draw_overlay_text(surface: pygame.Surface, layout: Layout, view: FrameView) -> None:
    """Each legal action's overlay lines: below its column, or inside its (empty) cell."""
    cell = layout.cell
    for a, entries in view.labels:
        if not entries:
            continue
        x, y, w, h = label_rect(layout, a)
        if not layout.gravity:
            size = max(11, min(cell // 4, h // (len(entries) + 1)))
        else:
            size = max(11, min(cell // 3, int(h / max(4, len(entries)) * 1.05)))
        step = font(size).get_linesize()
        y0 = y + (h - step * len(entries)) // 2
        for i, (s, tone) in enumerate(entries):
            text(surface, s, (x + w // 2, y0 + i * step), fit_size(s, size, w - 2), TONES[tone], "midtop")


def draw_win_bar(surface: pygame.Surface, bar: WinBar, x: int, y: int, w: int, size: int) -> int:
    p = bar.x_chance
    if p is None:
        return text(surface, bar.note, (x, y), size - 2, DIM).bottom + 6
    h = max(14, size)
    split = int(round(w * p))
    pygame.draw.rect(surface, STONES[1], (x, y, split, h))
    pygame.draw.rect(surface, STONES[-1], (x + split, y, w - split, h))
    pygame.draw.rect(surface, TEXT, (x, y, w, h), 1)
    text(surface, f"X {100 * p:.0f}%", (x + 4, y + h // 2), size - 3, (20, 20, 20), "midleft")
    text(surface, f"O {100 * (1 - p):.0f}%", (x + w - 4, y + h // 2), size - 3, (20, 20, 20), "midright")
    return y + h + 6


# ---- panel, status, banner, help, menu -------------------------------------------------
def draw_panel(surface: pygame.Surface, layout: Layout, view: FrameView) -> None:
    px, py, pw, ph = layout.panel
    pygame.draw.rect(surface, PANEL, layout.panel)
    pad = max(8, pw // 22)
    size = max(14, min(24, pw // 14))
    x, w = px + pad, pw - 2 * pad
    y = py + pad
    y = text(surface, view.title, (x, y), fit_size(view.title, size + 4, w)).bottom + 8
    for player, entry in enumerate(view.players):
        stone = 1 if player == 0 else -1
        r = size // 2
        if layout.gravity:
            pygame.draw.circle(surface, STONES[stone], (x + r, y + r), r)
        else:
            t = max(2, r // 3)
            if stone == 1:
                pygame.draw.line(surface, STONES[1], (x, y), (x + 2 * r, y + 2 * r), t)
                pygame.draw.line(surface, STONES[1], (x, y + 2 * r), (x + 2 * r, y), t)
            else:
                pygame.draw.circle(surface, STONES[-1], (x + r, y + r), r, t)
        line = entry.text
        text(surface, line, (x + 2 * r + 6, y + r), fit_size(line, size, w - 2 * r - 6 - 3 * r), TEXT, "midleft")
        if entry.spinner is not None:  # a turning arc: the agent is thinking
            start = entry.spinner
            pygame.draw.arc(surface, TEXT, (x + w - 2 * r, y, 2 * r, 2 * r), start, start + 4.0, max(2, r // 4))
        y += 2 * r + 6
    y += 4
    for line in wrap(view.turn, size, w):
        y = text(surface, line, (x, y), size, TEXT).bottom + 2
    for note in view.notes:
        y = text(surface, note, (x, y), size - 4, DIM).bottom + 2
    y += 6
    if view.win_bar is not None:
        y = draw_win_bar(surface, view.win_bar, x, y, w, size)
    small = max(13, size - 3)
    for name, status in view.overlay_notes:
        for line in wrap(status, small, w):
            y = text(surface, line, (x, y), small, OVERLAY_NOTES[name]).bottom + 1
    y += 8
    y = text(surface, f"moves ({view.move_count}), c copies:", (x, y), small, DIM).bottom + 2
    for line in wrap(view.moves, size, w):
        if y > py + ph - 2 * size:
            break
        y = text(surface, line, (x, y), size, TEXT).bottom + 1
    text(surface, "h: help   m: menu   esc: quit", (x, py + ph - pad), fit_size("h: help   m: menu   esc: quit", small, w), DIM, "bottomleft")


def draw_status(surface: pygame.Surface, layout: Layout, view: FrameView) -> None:
    x, y, w, h = layout.status
    pygame.draw.rect(surface, (18, 19, 24), layout.status)
    message, colour = view.status, STATUS[view.status_tone]
    size = max(12, h - 10)
    text(surface, message, (x + 10, y + h // 2), fit_size(message, size, w - 20), colour, "midleft")


def draw_banner(surface: pygame.Surface, layout: Layout, message: str) -> None:
    if not message:
        return
    ax, ay, aw, ah = layout.board_area
    size = max(20, min(64, aw // 12))
    size = fit_size(message, size, aw - 40)
    h = int(size * 1.9)
    rect = (ax, ay + ah // 2 - h // 2, aw, h)
    translucent(surface, rect, (0, 0, 0), 185)
    text(surface, message, center(rect), size, TEXT, "center")
    hint = "n: new game   u: undo"
    text(surface, hint, (rect[0] + aw // 2, rect[1] + h - 4), max(12, size // 3), DIM, "midbottom")


def draw_box(surface: pygame.Surface, layout: Layout, title: str, lines: list[tuple[str, tuple[int, int, int]]]) -> None:
    ax, ay, aw, ah = layout.board_area
    size = max(13, min(22, aw // 30, ah // (len(lines) + 4)))
    w = min(aw - 20, max(font(size).size(s)[0] for s, _ in lines) + 40)
    h = (len(lines) + 2) * font(size).get_linesize() + 20
    rect = (ax + (aw - w) // 2, ay + max(6, (ah - h) // 2), w, h)
    translucent(surface, rect, (10, 12, 16), 230)
    pygame.draw.rect(surface, GRID, rect, 1)
    y = rect[1] + 10
    y = text(surface, title, (rect[0] + w // 2, y), size + 2, TEXT, "midtop").bottom + 6
    for s, colour in lines:
        y = text(surface, s, (rect[0] + 20, y), fit_size(s, size, w - 30), colour).bottom + 1


HELP_LINES = [
    ("click / 1-9: play (connect four: column)", TEXT),
    ("p: policy heat map     v: visits and value", TEXT),
    ("w: win-probability bar  s: solver hint", TEXT),
    ("u: undo   r: redo   n: new game", TEXT),
    ("x: swap sides   a: watch mode (agent vs agent)", TEXT),
    ("+ / -: watch speed   m: opponent and strength", TEXT),
    ("c: copy move list   h or ?: this help", TEXT),
    ("esc or close: quit", TEXT),
]


def draw_help(surface: pygame.Surface, layout: Layout, view: FrameView) -> None:
    lines = list(HELP_LINES)
    on = ", ".join(view.overlays) or "none"
    lines.append((f"overlays on: {on}", DIM))
    draw_box(surface, layout, "Keys", lines)


def draw_menu(surface: pygame.Surface, layout: Layout, view: FrameView) -> None:
    menu = view.menu
    assert menu is not None
    lines = []
    for i, row in enumerate(menu.rows):
        lines.append((("> " if i == menu.cursor else "  ") + row, TEXT if i == menu.cursor else DIM))
    lines.append(("up/down: choose   left/right: change   enter: apply   esc: close", DIM))
    draw_box(surface, layout, "Opponent", lines)


def draw_frame(surface: pygame.Surface, layout: Layout, view: FrameView) -> None:
    """Paints the whole window as `view` says (its instant fixed animations and spinners)."""
    surface.fill(BACKGROUND)
    draw_header(surface, layout, view)
    draw_board(surface, layout, view)
    draw_overlay_text(surface, layout, view)
    draw_panel(surface, layout, view)
    draw_status(surface, layout, view)
    if view.menu is None and not view.show_help:
        draw_banner(surface, layout, view.banner)
    if view.menu is not None:
        draw_menu(surface, layout, view)
    elif view.show_help:
        draw_help(surface, layout, view)
