"""What one frame of the window shows, as frozen plain values, and the words it says.

`App.frame_view(now)` gathers the session, the background jobs' results and the input state
into one `FrameView`; `draw.py` paints only that view (plus the layout's geometry), so the
painter never reaches back into the app and every word on screen is testable without a
display. No pygame here: texts carry a tone (what they are about), and `draw.py` picks the
colour of each tone.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import numpy as np

from agents import Decision
from arena.window import analysis
from arena.window.layout import Rect
from arena.window.model import Session
from games import Game, State

FEEDBACK_SECONDS = 2.0  # how long a refusal or a note stays in the status line

# What a text is about, which decides its colour: an overlay's name, or a verdict's letter.
Tone = Literal["policy", "visits", "W", "D", "L", "?"]
Label = tuple[str, Tone]  # one line of an action's overlay text
StatusTone = Literal["error", "note", "turn"]


@dataclasses.dataclass(frozen=True)
class Drop:
    """The disc falling into `cell` now: `stone` 1 (X) or -1 (O), `progress` 0..1 of its fall."""

    cell: int
    stone: int
    progress: float


@dataclasses.dataclass(frozen=True)
class PlayerLine:
    """One side in the panel: '> X: you' (the marker on the side to move) and its spinner."""

    text: str
    spinner: float | None  # start angle (radians) of the turning arc while the agent thinks


@dataclasses.dataclass(frozen=True)
class WinBar:
    """The win-probability bar: X's chance, or why there is none."""

    x_chance: float | None
    note: str  # shown instead of the bar when `x_chance` is None


@dataclasses.dataclass(frozen=True)
class MenuView:
    """The open opponent menu: its rows as shown, and the highlighted one."""

    rows: tuple[str, ...]
    cursor: int


@dataclasses.dataclass(frozen=True)
class FrameView:
    """Everything one frame shows, fixed at one instant; the painter reads nothing else."""

    title: str  # "Connect four 7x6"
    board: tuple[int, ...]  # every cell row-major from the top-left: 1 X, -1 O, 0 empty
    to_move: int  # 0 X, 1 O
    legal: tuple[int, ...]  # legal actions (none once the game is over)
    hover: int | None  # connect four: the column where the person's disc hovers
    drop: Drop | None  # the disc falling now (it is not yet in `board`'s drawing)
    last_cell: int | None  # the cell of the last stone, marked unless a disc is falling
    winning_cells: tuple[int, ...]
    feedback_rect: Rect | None  # the area a refused click aimed at, framed in red
    policy: tuple[float, ...] | None  # the prior of the heat map (policy overlay on and known)
    labels: tuple[tuple[int, tuple[Label, ...]], ...]  # per legal action, its overlay text lines
    players: tuple[PlayerLine, PlayerLine]  # X, O
    turn: str  # whose move it is, or the result
    notes: tuple[str, ...]  # small panel lines: last answer time, watch mode
    win_bar: WinBar | None  # None while the win bar is off
    overlay_notes: tuple[tuple[str, str], ...]  # (overlay, what it shows or why not), enabled ones
    moves: str  # the move list as typed, or "(none)"
    move_count: int
    status: str  # the bottom line
    status_tone: StatusTone
    banner: str  # the game-over line, '' while the game goes on
    overlays: tuple[str, ...]  # enabled overlays, sorted (the help box lists them)
    show_help: bool
    menu: MenuView | None

    def overlay_note(self, name: str) -> str | None:
        """The panel's line about overlay `name`, None when it is off (or has no line)."""
        return dict(self.overlay_notes).get(name)

    def labels_of(self, action: int) -> tuple[Label, ...]:
        """The overlay text lines under (or in) `action`'s place."""
        return dict(self.labels).get(action, ())


# ---- the words -------------------------------------------------------------------------
def title_text(game: Game) -> str:
    """'Connect four 7x6', with k when it is not the game's usual one."""
    cfg = game.config
    name = "Connect four" if game.name == "connect4" else "Tic-tac-toe"
    return f"{name} {cfg.cols}x{cfg.rows}" + ("" if cfg.k == (4 if cfg.gravity else 3) else f", k={cfg.k}")


def unavailable(what: str, agent_label: str) -> str:
    return f"{what}: not available for {agent_label}"


def overlay_status(name: str, *, over: bool, decision: Decision | None,
                   solved: dict[int, int | None] | str | None, solving: bool, agent_label: str) -> str:
    """One line per enabled overlay: what is shown, or why it is not."""
    if over:
        return f"{name}: game over"
    if name == "solver":
        if solved is None:
            return "solver: solving..." if solving else "solver: waiting"
        if isinstance(solved, str):
            return f"solver: {solved}"
        if any(v is None for v in solved.values()):
            return "solver: partial within the time budget (? = unknown)"
        return "solver: W/D/L in N moves (the winner's)"
    if decision is None:
        return f"{name}: thinking..."
    if name == "policy":
        return "policy: prior, % per move (heat)" if decision.prior is not None else unavailable("policy", agent_label)
    if name == "visits":
        return "visits: n per move, q (mover's view)" if decision.visits is not None else unavailable("visits", agent_label)
    return name


def turn_text(session: Session, agent_label: str, *, thinking: bool, warm: bool, now: float,
              default_reason: str | None = None) -> str:
    """Whose move it is (with dots while the agent thinks), or the result once it is over.

    `default_reason` says why the opponent was chosen, shown until the first move.
    """
    s = session
    if s.over:
        return s.banner_text(agent_label)
    side = "XO"[s.to_move]
    if s.human_turn:
        why = f", opponent {agent_label} ({default_reason})" if default_reason and not s.moves else ""
        return f"your move ({side}){why}"
    dots = "." * (1 + int(now * 3) % 3)
    if thinking:
        what = "thinking" if warm else "warming up (compiling)"
        return f"{side} ({agent_label}) {what}{dots}"
    return f"{side} ({agent_label}) to move"


def status_line(turn: str, *, feedback: tuple[str, float, Rect | None] | None, error: str | None,
                info: tuple[str, float] | None, now: float) -> tuple[str, StatusTone]:
    """The bottom line: a fresh refusal, else a failure, else a fresh note, else `turn`."""
    if feedback is not None and now - feedback[1] < FEEDBACK_SECONDS:
        return feedback[0], "error"
    if error:
        return error, "error"
    if info is not None and now - info[1] < FEEDBACK_SECONDS:
        return info[0], "note"
    return turn, "turn"


def feedback_rect(feedback: tuple[str, float, Rect | None] | None, now: float) -> Rect | None:
    """The refused area, framed for the first half of the refusal's time only."""
    if feedback is None or now - feedback[1] >= FEEDBACK_SECONDS / 2:
        return None
    return feedback[2]


def overlay_lines(game: Game, state: State, legal: list[int], overlays: set[str] | frozenset[str],
                  decision: Decision | None, solved: dict[int, int | None] | str | None,
                  ) -> dict[int, list[Label]]:
    """Per legal action, the overlay text lines to write in its label area."""
    lines: dict[int, list[Label]] = {a: [] for a in legal}
    if "policy" in overlays and decision is not None and decision.prior is not None:
        policy = analysis.first(decision.prior)
        for a in lines:
            lines[a].append((f"{100 * policy[a]:.0f}%", "policy"))
    if "visits" in overlays and decision is not None and decision.visits is not None:
        visits = np.asarray(decision.visits)
        q = None if decision.q_values is None else np.asarray(decision.q_values, np.float64)
        for a in lines:
            lines[a].append((f"n{int(visits[a])}", "visits"))
            if q is not None and math.isfinite(q[a]) and visits[a] > 0:
                lines[a].append((f"q{q[a]:+.2f}", "W" if q[a] > 0.05 else "L" if q[a] < -0.05 else "D"))
    if "solver" in overlays and isinstance(solved, dict):
        for a in lines:
            verdict = analysis.verdict_text(game, state, solved.get(a))
            lines[a].append((verdict, verdict[0]))
    return lines


def heat(decision: Decision | None) -> tuple[float, ...] | None:
    """The policy prior the heat map tints, as plain floats (None when the agent gave none)."""
    policy = None if decision is None else analysis.first(decision.prior)
    return None if policy is None else tuple(float(p) for p in policy)


def win_bar(decision: Decision | None, to_move: int, agent_label: str) -> WinBar:
    chance = None if decision is None else analysis.win_probability(decision.value, to_move)
    return WinBar(chance, unavailable("win bar", agent_label))


def players(session: Session, agent_label: str, *, thinking: bool, now: float) -> tuple[PlayerLine, PlayerLine]:
    """The panel's two sides: who plays each, the marker on the side to move, the spinner."""
    s = session
    out = []
    for player in (0, 1):
        marker = "> " if player == s.to_move and not s.over else "  "
        spinner = (now * 6.0) % (2 * math.pi) if thinking and player == s.to_move else None
        out.append(PlayerLine(f"{marker}{'XO'[player]}: {s.player_name(player, agent_label)}", spinner))
    return out[0], out[1]
