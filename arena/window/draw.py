"""All drawing: the board, discs and marks, animation, overlays, panel, help, menu, banner.

Reads the app's state and paints one frame; it changes nothing, so the screenshot mode and
the live window share every pixel of it. Sizes derive from the layout's cell and panel
sizes, so the picture scales with the window. Fonts are pygame's built-in default font.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pygame

from arena.window import analysis
from arena.window.layout import Rect, cell_rect, center, header_cell, label_rect

if TYPE_CHECKING:
    from arena.window.app import App

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
def draw_stone(surface: pygame.Surface, app: App, stone: int, pos: tuple[int, int]) -> None:
    cell = app.layout.cell
    if app.game.config.gravity:
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


def draw_board(surface: pygame.Surface, app: App, now: float) -> None:
    layout, game = app.layout, app.game
    board = game.board_array(app.session.state).reshape(-1)
    anim = app.animation(now)
    cell = layout.cell
    if game.config.gravity:
        pygame.draw.rect(surface, BOARD_BLUE, layout.board, border_radius=max(2, cell // 6))
    for i in range(game.config.num_cells):
        rect = cell_rect(layout, i)
        if game.config.gravity:
            pygame.draw.circle(surface, HOLE, center(rect), int(cell * 0.42))
        else:
            pygame.draw.rect(surface, CELL, rect)
    if app.overlay_on("policy"):
        draw_policy_heat(surface, app)
    for i in range(game.config.num_cells):
        stone = int(board[i])
        if stone and not (anim and anim[0] == i):
            draw_stone(surface, app, stone, center(cell_rect(layout, i)))
    if not game.config.gravity:
        bx, by, bw, bh = layout.board
        width = max(2, cell // 25)
        for c in range(1, layout.cols):
            pygame.draw.line(surface, GRID, (bx + c * cell, by), (bx + c * cell, by + bh), width)
        for r in range(1, layout.rows):
            pygame.draw.line(surface, GRID, (bx, by + r * cell), (bx + bw, by + r * cell), width)
    if anim:
        cell_index, stone, progress = anim
        col = cell_index % layout.cols
        start = center(header_cell(layout, col))
        end = center(cell_rect(layout, cell_index))
        y = start[1] + (end[1] - start[1]) * progress * progress  # falls, accelerating
        draw_stone(surface, app, stone, (end[0], int(y)))
    last = app.session.last_cell()
    if last is not None and not anim:
        draw_last_marker(surface, app, last)
    for i in game.winning_cells(app.session.state):
        pygame.draw.circle(surface, WIN_MARK, center(cell_rect(layout, i)), int(cell * 0.46), max(3, cell // 12))
    feedback_rect = app.feedback_rect(now)
    if feedback_rect is not None:
        pygame.draw.rect(surface, ERROR, feedback_rect, max(2, cell // 16))


def draw_last_marker(surface: pygame.Surface, app: App, cell_index: int) -> None:
    cx, cy = center(cell_rect(app.layout, cell_index))
    r = max(3, app.layout.cell // 9)
    colour = LAST_MARK if app.game.config.gravity else (120, 130, 150)
    if app.game.config.gravity:
        pygame.draw.circle(surface, colour, (cx, cy), r)
        pygame.draw.circle(surface, HOLE, (cx, cy), r, 1)
    else:
        x, y, w, h = cell_rect(app.layout, cell_index)
        pygame.draw.rect(surface, colour, (x + 3, y + 3, w - 6, h - 6), max(2, w // 30))


def draw_header(surface: pygame.Surface, app: App, now: float) -> None:
    """Connect four: column numbers, and the disc hovering where the person points."""
    layout = app.layout
    if layout.header is None:
        return
    hover = app.hover_action
    stone = 1 if app.session.to_move == 0 else -1
    for col in range(layout.cols):
        rect = header_cell(layout, col)
        if hover == col and app.session.human_turn and app.session.is_legal(col) and not app.animation(now):
            draw_stone(surface, app, stone, center(rect))
        else:
            text(surface, str(col + 1), center(rect), max(12, layout.cell // 3), DIM, "center")


# ---- overlays ------------------------------------------------------------------------
def draw_policy_heat(surface: pygame.Surface, app: App) -> None:
    """Tints each legal move's target (connect four: the landing hole; else the cell)."""
    decision = app.current_decision()
    policy = None if decision is None else analysis.first(decision.prior)
    if policy is None:
        return
    top = float(np.nanmax(policy)) or 1.0
    layout = app.layout
    board = app.game.board_array(app.session.state)
    for a in app.session.legal_actions():
        share = float(policy[a]) if math.isfinite(policy[a]) else 0.0
        alpha = 25 + 150 * share / top
        if app.game.config.gravity:
            empty = np.flatnonzero(board[:, a] == 0)
            rect = cell_rect(layout, int(empty[-1]) * layout.cols + a)
            layer = pygame.Surface(rect[2:], pygame.SRCALPHA)
            pygame.draw.circle(layer, (*POLICY, int(alpha)), (rect[2] // 2, rect[3] // 2), int(layout.cell * 0.42))
            surface.blit(layer, rect[:2])
        else:
            translucent(surface, cell_rect(layout, a), POLICY, alpha * 0.5)


def overlay_lines(app: App) -> dict[int, list[tuple[str, tuple[int, int, int]]]]:
    """Per legal action, the overlay text lines to write in its label area."""
    lines: dict[int, list] = {a: [] for a in app.session.legal_actions()}
    decision = app.current_decision()
    if app.overlay_on("policy") and decision is not None and decision.prior is not None:
        policy = analysis.first(decision.prior)
        for a in lines:
            lines[a].append((f"{100 * policy[a]:.0f}%", POLICY))
    if app.overlay_on("visits") and decision is not None and decision.visits is not None:
        visits = np.asarray(decision.visits)
        q = None if decision.q_values is None else np.asarray(decision.q_values, np.float64)
        for a in lines:
            lines[a].append((f"n{int(visits[a])}", VISITS))
            if q is not None and math.isfinite(q[a]) and visits[a] > 0:
                colour = SOLVER["W"] if q[a] > 0.05 else SOLVER["L"] if q[a] < -0.05 else SOLVER["D"]
                lines[a].append((f"q{q[a]:+.2f}", colour))
    scores = app.current_solver()
    if app.overlay_on("solver") and isinstance(scores, dict):
        for a in lines:
            verdict = analysis.verdict_text(app.game, app.session.state, scores.get(a))
            lines[a].append((verdict, SOLVER[verdict[0]]))
    return lines


def draw_overlay_text(surface: pygame.Surface, app: App) -> None:
    lines = overlay_lines(app)
    cell = app.layout.cell
    for a, entries in lines.items():
        if not entries:
            continue
        x, y, w, h = label_rect(app.layout, a)
        if not app.game.config.gravity and app.session.is_legal(a):
            size = max(11, min(cell // 4, h // (len(entries) + 1)))
        else:
            size = max(11, min(cell // 3, int(h / max(4, len(entries)) * 1.05)))
        step = font(size).get_linesize()
        y0 = y + (h - step * len(entries)) // 2
        for i, (s, colour) in enumerate(entries):
            text(surface, s, (x + w // 2, y0 + i * step), fit_size(s, size, w - 2), colour, "midtop")


def draw_win_bar(surface: pygame.Surface, app: App, x: int, y: int, w: int, size: int) -> int:
    decision = app.current_decision()
    p = None if decision is None else analysis.win_probability(decision.value, app.session.to_move)
    if p is None:
        return text(surface, app.unavailable("win bar"), (x, y), size - 2, DIM).bottom + 6
    h = max(14, size)
    split = int(round(w * p))
    pygame.draw.rect(surface, STONES[1], (x, y, split, h))
    pygame.draw.rect(surface, STONES[-1], (x + split, y, w - split, h))
    pygame.draw.rect(surface, TEXT, (x, y, w, h), 1)
    text(surface, f"X {100 * p:.0f}%", (x + 4, y + h // 2), size - 3, (20, 20, 20), "midleft")
    text(surface, f"O {100 * (1 - p):.0f}%", (x + w - 4, y + h // 2), size - 3, (20, 20, 20), "midright")
    return y + h + 6


# ---- panel, status, banner, help, menu -------------------------------------------------
def draw_panel(surface: pygame.Surface, app: App, now: float) -> None:
    px, py, pw, ph = app.layout.panel
    pygame.draw.rect(surface, PANEL, app.layout.panel)
    pad = max(8, pw // 22)
    size = max(14, min(24, pw // 14))
    x, w = px + pad, pw - 2 * pad
    y = py + pad
    y = text(surface, app.title_text(), (x, y), fit_size(app.title_text(), size + 4, w)).bottom + 8
    for player in (0, 1):
        stone = 1 if player == 0 else -1
        r = size // 2
        if app.game.config.gravity:
            pygame.draw.circle(surface, STONES[stone], (x + r, y + r), r)
        else:
            t = max(2, r // 3)
            if stone == 1:
                pygame.draw.line(surface, STONES[1], (x, y), (x + 2 * r, y + 2 * r), t)
                pygame.draw.line(surface, STONES[1], (x, y + 2 * r), (x + 2 * r, y), t)
            else:
                pygame.draw.circle(surface, STONES[-1], (x + r, y + r), r, t)
        name = app.session.player_name(player, app.agent_label)
        marker = "> " if player == app.session.to_move and not app.session.over else "  "
        line = f"{marker}{'XO'[player]}: {name}"
        text(surface, line, (x + 2 * r + 6, y + r), fit_size(line, size, w - 2 * r - 6 - 3 * r), TEXT, "midleft")
        if app.thinking() and player == app.session.to_move:
            start = (now * 6.0) % (2 * math.pi)  # a turning arc: the agent is thinking
            pygame.draw.arc(surface, TEXT, (x + w - 2 * r, y, 2 * r, 2 * r), start, start + 4.0, max(2, r // 4))
        y += 2 * r + 6
    y += 4
    for line in wrap(app.turn_text(now), size, w):
        y = text(surface, line, (x, y), size, TEXT).bottom + 2
    if app.last_answer_s is not None:
        y = text(surface, f"last answer: {app.last_answer_s:.2f} s", (x, y), size - 4, DIM).bottom + 2
    if app.session.watching:
        y = text(surface, f"watch mode, {app.watch_delay:.2f} s per move (+/-)", (x, y), size - 4, DIM).bottom + 2
    y += 6
    if app.overlay_on("winbar"):
        y = draw_win_bar(surface, app, x, y, w, size)
    small = max(13, size - 3)
    for name, colour in (("policy", POLICY), ("visits", VISITS), ("solver", SOLVER["W"])):
        if app.overlay_on(name):
            for line in wrap(app.overlay_status(name), small, w):
                y = text(surface, line, (x, y), small, colour).bottom + 1
    y += 8
    moves = app.session.move_text() or "(none)"
    y = text(surface, f"moves ({len(app.session.moves)}), c copies:", (x, y), small, DIM).bottom + 2
    for line in wrap(moves, size, w):
        if y > py + ph - 2 * size:
            break
        y = text(surface, line, (x, y), size, TEXT).bottom + 1
    text(surface, "h: help   m: menu   esc: quit", (x, py + ph - pad), fit_size("h: help   m: menu   esc: quit", small, w), DIM, "bottomleft")


def draw_status(surface: pygame.Surface, app: App, now: float) -> None:
    x, y, w, h = app.layout.status
    pygame.draw.rect(surface, (18, 19, 24), app.layout.status)
    message, colour = app.status_line(now)
    size = max(12, h - 10)
    text(surface, message, (x + 10, y + h // 2), fit_size(message, size, w - 20), colour, "midleft")


def draw_banner(surface: pygame.Surface, app: App) -> None:
    message = app.session.banner_text(app.agent_label)
    if not message:
        return
    ax, ay, aw, ah = app.layout.board_area
    size = max(20, min(64, aw // 12))
    size = fit_size(message, size, aw - 40)
    h = int(size * 1.9)
    rect = (ax, ay + ah // 2 - h // 2, aw, h)
    translucent(surface, rect, (0, 0, 0), 185)
    text(surface, message, center(rect), size, TEXT, "center")
    hint = "n: new game   u: undo"
    text(surface, hint, (rect[0] + aw // 2, rect[1] + h - 4), max(12, size // 3), DIM, "midbottom")


def draw_box(surface: pygame.Surface, app: App, title: str, lines: list[tuple[str, tuple[int, int, int]]]) -> None:
    ax, ay, aw, ah = app.layout.board_area
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


def draw_help(surface: pygame.Surface, app: App) -> None:
    lines = list(HELP_LINES)
    on = ", ".join(sorted(app.overlays)) or "none"
    lines.append((f"overlays on: {on}", DIM))
    draw_box(surface, app, "Keys", lines)


def draw_menu(surface: pygame.Surface, app: App) -> None:
    menu = app.menu
    assert menu is not None
    rows = menu.rows()
    lines = []
    for i, row in enumerate(rows):
        lines.append((("> " if i == menu.cursor else "  ") + row, TEXT if i == menu.cursor else DIM))
    lines.append(("up/down: choose   left/right: change   enter: apply   esc: close", DIM))
    draw_box(surface, app, "Opponent", lines)


def draw_frame(surface: pygame.Surface, app: App, now: float) -> None:
    """Paints the whole window for time `now` (animations and spinners depend on it)."""
    surface.fill(BACKGROUND)
    draw_header(surface, app, now)
    draw_board(surface, app, now)
    draw_overlay_text(surface, app)
    draw_panel(surface, app, now)
    draw_status(surface, app, now)
    if app.menu is None and not app.show_help:
        draw_banner(surface, app)
    if app.menu is not None:
        draw_menu(surface, app)
    elif app.show_help:
        draw_help(surface, app)
