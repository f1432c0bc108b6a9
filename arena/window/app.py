"""The window's event loop: a person against an agent, with analysis overlays.

`App` holds the window's state; `handle_event(e)` reacts to one pygame event and `tick()`
runs one frame (collect finished background jobs, start new ones, draw), so tests drive the
real code with synthetic events and no endless loop; `run()` is just the loop. Agent and
solver calls belong to `Jobs` (`jobs.py`), which runs them on worker threads: the loop never
waits on them. Each frame is first frozen into a `FrameView` (`view.py`), the only thing
`draw.py` paints, so what a frame shows is testable without drawing it.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pygame

import agents
from agents import Agent, Decision
from arena.window import analysis, draw, view
from arena.window.jobs import Jobs
from arena.window.layout import Layout, Rect, action_at, action_rect, compute_layout
from arena.window.menu import Menu
from arena.window.model import Session
from arena.window.view import Drop, FrameView, MenuView
from games import Game, IllegalMoveError, SuiteError

OVERLAYS = analysis.OVERLAYS
AGENT_OVERLAYS = frozenset({"policy", "visits", "winbar"})  # shown from the opponent's own decision
OVERLAY_KEYS = {pygame.K_p: "policy", pygame.K_v: "visits", pygame.K_w: "winbar", pygame.K_s: "solver"}
WATCH_DELAYS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0)
DROP_SECONDS = 0.28  # a disc falling the whole board; shorter drops take less (sqrt of distance)
DIGITS = {getattr(pygame, f"K_{d}"): d for d in range(1, 10)} | {getattr(pygame, f"K_KP{d}"): d for d in range(1, 10)}


class App:
    """One window (or one off-screen frame): a session, its background jobs, overlays, input state."""

    def __init__(
        self,
        game: Game,
        *,
        opponent: str | Agent | None = None,
        first: str = "human",
        position: str | Sequence[int] = "",
        size: tuple[int, int] = (960, 640),
        overlays: Iterable[str] = (),
        seed: int = 0,
        solver_budget: float = 5.0,
        surface: pygame.Surface | None = None,
        display: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if first not in ("human", "agent"):
            raise SuiteError(f"--first must be 'human' or 'agent', not {first!r}")
        self.game = game
        self.clock = clock
        self.seed = seed
        start = game.from_moves(position) if isinstance(position, str) else game.from_moves(list(position))
        seats = ("human", "agent") if first == "human" else ("agent", "human")
        self.session = Session(game, _actions(game, start), seats)  # --first counts from the empty board
        self.overlays: set[str] = set()
        for name in overlays:
            if name not in OVERLAYS:
                raise SuiteError(f"unknown overlay {name!r}: valid overlays are {', '.join(OVERLAYS)}")
            self.overlays.add(name)
        self.default_used = opponent is None
        agent = self._make_agent(opponent or analysis.default_opponent(game))  # before any thread starts
        self.jobs = Jobs(game, agent, seed=seed, solver_budget=solver_budget)
        self.next_agent_time = 0.0
        self.watch_delay = 0.5
        self.error: str | None = None
        self.feedback: tuple[str, float, Rect | None] | None = None
        self.info: tuple[str, float] | None = None
        self.anim: tuple[int, int, float, float] | None = None  # cell, stone, start, duration
        self.hover_action: int | None = None
        self.show_help = False
        self.menu: Menu | None = None
        self.running = True
        self.frames = 0
        self.copied: str | None = None
        if not pygame.font.get_init():
            pygame.font.init()
        draw.reset_fonts()
        if surface is None:
            pygame.display.init()
            surface = pygame.display.set_mode(size, pygame.RESIZABLE) if display else pygame.Surface(size)
        self.surface = surface
        self.layout = self._layout()
        self._update_title()

    # ---- setup ------------------------------------------------------------------------
    def _layout(self) -> Layout:
        cfg = self.game.config
        w, h = self.surface.get_size()
        return compute_layout(cfg.rows, cfg.cols, cfg.gravity, w, h)

    def _make_agent(self, spec: str | Agent) -> Agent:
        """Builds the opponent, raising SuiteError for a bad spec.

        An `Agent` instance is used as it is (tests pass mock agents this way).
        """
        return spec if isinstance(spec, Agent) else agents.make(spec, self.game, seed=self.seed)

    @property
    def agent_label(self) -> str:
        return self.jobs.label

    def _update_title(self) -> None:
        if pygame.display.get_surface() is self.surface:
            pygame.display.set_caption(f"kinrow - {view.title_text(self.game)} vs {self.agent_label}"
                                       + (f" ({analysis.default_reason(self.game)})" if self.default_used else ""))

    # ---- what a frame shows ------------------------------------------------------------
    def current_decision(self) -> Decision | None:
        return self.jobs.decision(self.session.key)

    def current_solver(self) -> dict[int, int | None] | str | None:
        return self.jobs.verdicts(self.session.key)

    @property
    def feedback_text(self) -> str | None:
        return None if self.feedback is None else self.feedback[0]

    def animation(self, now: float) -> Drop | None:
        """The disc dropping now, or None."""
        if self.anim is None:
            return None
        cell, stone, start, duration = self.anim
        progress = (now - start) / duration if duration > 0 else 1.0
        if progress >= 1.0 or cell >= self.game.config.num_cells:
            return None
        return Drop(cell, stone, max(0.0, progress))

    def frame_view(self, now: float | None = None) -> FrameView:
        """Everything the frame at time `now` shows, frozen: all `draw.py` reads."""
        now = self.clock() if now is None else now
        s, jobs, label = self.session, self.jobs, self.agent_label
        decision, solved = self.current_decision(), self.current_solver()
        drop = self.animation(now)
        hover = self.hover_action
        reason = analysis.default_reason(self.game) if self.default_used and not s.moves and s.human_turn else None
        turn = view.turn_text(s, label, thinking=jobs.thinking, warm=jobs.warm, now=now, default_reason=reason)
        status, tone = view.status_line(turn, feedback=self.feedback, error=self.error, info=self.info, now=now)
        notes = []
        if jobs.last_answer_s is not None:
            notes.append(f"last answer: {jobs.last_answer_s:.2f} s")
        if s.watching:
            notes.append(f"watch mode, {self.watch_delay:.2f} s per move (+/-)")
        lines = view.overlay_lines(self.game, s.state, s.legal_actions(), self.overlays, decision, solved)
        return FrameView(
            title=view.title_text(self.game),
            board=tuple(int(v) for v in self.game.board_array(s.state).reshape(-1)),
            to_move=s.to_move,
            legal=tuple(s.legal_actions()),
            hover=hover if hover is not None and s.human_turn and s.is_legal(hover) and drop is None else None,
            drop=drop,
            last_cell=s.last_cell(),
            winning_cells=tuple(int(i) for i in self.game.winning_cells(s.state)),
            feedback_rect=view.feedback_rect(self.feedback, now),
            policy=view.heat(decision) if "policy" in self.overlays else None,
            labels=tuple((a, tuple(entries)) for a, entries in lines.items()),
            players=view.players(s, label, thinking=jobs.thinking, now=now),
            turn=turn,
            notes=tuple(notes),
            win_bar=view.win_bar(decision, s.to_move, label) if "winbar" in self.overlays else None,
            overlay_notes=tuple((name, view.overlay_status(name, over=s.over, decision=decision, solved=solved,
                                                           solving=jobs.solving, agent_label=label))
                                for name in ("policy", "visits", "solver") if name in self.overlays),
            moves=s.move_text() or "(none)",
            move_count=len(s.moves),
            status=status,
            status_tone=tone,
            banner=s.banner_text(label),
            overlays=tuple(sorted(self.overlays)),
            show_help=self.show_help,
            menu=None if self.menu is None else MenuView(tuple(self.menu.rows()), self.menu.cursor),
        )

    # ---- actions ----------------------------------------------------------------------
    def _refuse(self, message: str, rect: Rect | None = None) -> None:
        self.feedback = (message, self.clock(), rect)

    def _note(self, message: str) -> None:
        self.info = (message, self.clock())

    def _after_move(self) -> None:
        """Starts the drop animation of the stone just played."""
        cell = self.session.last_cell()
        if cell is None or not self.game.config.gravity:
            self.anim = None
            return
        stone = 1 if self.session.to_move == 1 else -1  # the player who just moved
        rows_fallen = cell // self.game.config.cols + 1
        duration = DROP_SECONDS * math.sqrt(rows_fallen / self.game.config.rows)
        self.anim = (cell, stone, self.clock(), duration)

    def try_human_move(self, action: int) -> bool:
        """Plays the person's move if it is legal and their turn; else refuses with feedback."""
        s = self.session
        rect = action_rect(self.layout, action) if 0 <= action < self.game.num_actions else None
        if s.over:
            self._refuse("the game is over: n for a new game, u to undo")
            return False
        if not s.human_turn:
            self._refuse(f"wait: {self.agent_label} is thinking")
            return False
        try:
            s.play(action)
        except IllegalMoveError as err:
            self._refuse(f"illegal: {self.game.describe_action(action)} "
                         + ("is full" if self.game.config.gravity else "is taken")
                         if 0 <= action < self.game.num_actions else str(err), rect)
            return False
        self.feedback = None
        self._after_move()
        return True

    def _position_changed(self) -> None:
        """Forgets work about positions no longer on the board, and a failure about them."""
        self.jobs.forget_except(self.session.key)
        self.error = None

    def undo(self) -> None:
        if self.session.undo():
            self.anim = None
            self._position_changed()
        else:
            self._refuse("nothing to undo")

    def redo(self) -> None:
        if self.session.redo():
            self.anim = None
            self._position_changed()
        else:
            self._refuse("nothing to redo")

    def new_game(self) -> None:
        self.session.new_game()
        self.anim = None
        self._position_changed()

    def swap_sides(self) -> None:
        self.session.swap_sides()
        self._position_changed()
        self._note("you now play " + ("XO"[self.session.seats.index("human")] if "human" in self.session.seats else "-"))

    def toggle_watch(self) -> None:
        self.session.set_watch(not self.session.watching)
        self._position_changed()
        self._note("watch mode on" if self.session.watching else "watch mode off")

    def change_speed(self, faster: bool) -> None:
        i = min(range(len(WATCH_DELAYS)), key=lambda j: abs(WATCH_DELAYS[j] - self.watch_delay))
        i = max(0, min(len(WATCH_DELAYS) - 1, i + (-1 if faster else 1)))
        self.watch_delay = WATCH_DELAYS[i]
        self._note(f"watch speed: {self.watch_delay:.2f} s per move")

    def copy_moves(self) -> str:
        """Copies the move list to the clipboard when possible; always prints it."""
        moves = self.session.move_text()
        print(moves, flush=True)
        where = "printed"
        try:
            if not pygame.scrap.get_init():
                pygame.scrap.init()
            pygame.scrap.put(pygame.SCRAP_TEXT, moves.encode())
            where = "copied and printed"
        except Exception:  # noqa: BLE001 - no clipboard (headless, Wayland without support)
            pass
        self.copied = moves
        self._note(f"moves {where}: {moves or '(none)'}")
        return moves

    def open_menu(self) -> None:
        names = list(agents.REGISTRY)
        name = self.agent_label.partition(":")[0]
        index = names.index(name) if name in names else 0
        self.menu = Menu(names, index, analysis.strength_of(self.agent_label))

    def apply_menu(self) -> None:
        assert self.menu is not None
        spec = self.menu.spec()
        try:
            agent = self._make_agent(spec)
        except SuiteError as err:
            self._refuse(str(err))
            return
        self.jobs.set_agent(agent)
        self.default_used = False
        self.menu = None
        self._position_changed()
        self._update_title()
        self._note(f"opponent: {self.agent_label}")

    # ---- events -----------------------------------------------------------------------
    def handle_event(self, event: pygame.event.Event) -> None:
        """Reacts to one event; never raises for anything a person can do."""
        if event.type == pygame.QUIT:
            self.running = False
        elif event.type in (pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED):
            if event.type == pygame.VIDEORESIZE and pygame.display.get_surface() is not self.surface:
                self.surface = pygame.Surface(event.size)
            elif pygame.display.get_surface() is not None:
                self.surface = pygame.display.get_surface()
            self.layout = self._layout()
        elif event.type == pygame.MOUSEMOTION:
            self.hover_action = action_at(self.layout, *event.pos)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            self._click(event.pos)
        elif event.type == pygame.KEYDOWN:
            self._key(event)

    def _click(self, pos: tuple[int, int]) -> None:
        if self.menu is not None:
            return
        if self.show_help:
            self.show_help = False
            return
        action = action_at(self.layout, *pos)
        if action is not None:
            self.try_human_move(action)

    def _key(self, event: pygame.event.Event) -> None:
        key, char = event.key, getattr(event, "unicode", "")
        if self.menu is not None:
            menu = self.menu
            if key == pygame.K_ESCAPE:
                self.menu = None
            elif key == pygame.K_UP:
                menu.cursor = (menu.cursor - 1) % 3
            elif key == pygame.K_DOWN:
                menu.cursor = (menu.cursor + 1) % 3
            elif key in (pygame.K_LEFT, pygame.K_RIGHT):
                menu.change(-1 if key == pygame.K_LEFT else 1)
            elif key in (pygame.K_RETURN, pygame.K_KP_ENTER):
                self.apply_menu()
            return
        if key == pygame.K_ESCAPE:
            if self.show_help:
                self.show_help = False
            else:
                self.running = False
        elif key in DIGITS:
            self.try_human_move(DIGITS[key] - 1)
        elif char == "?" or key == pygame.K_h:
            self.show_help = not self.show_help
        elif key in OVERLAY_KEYS:
            self.overlays ^= {OVERLAY_KEYS[key]}
        elif key == pygame.K_u:
            self.undo()
        elif key == pygame.K_r:
            self.redo()
        elif key == pygame.K_n:
            self.new_game()
        elif key == pygame.K_x:
            self.swap_sides()
        elif key == pygame.K_m:
            self.open_menu()
        elif key == pygame.K_a:
            self.toggle_watch()
        elif char == "+" or key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
            self.change_speed(faster=True)
        elif char == "-" or key in (pygame.K_MINUS, pygame.K_KP_MINUS):
            self.change_speed(faster=False)
        elif key == pygame.K_c:
            self.copy_moves()

    # ---- background work ----------------------------------------------------------------
    def _apply_ready_move(self, now: float) -> None:
        if self.jobs.ready_move is None or self.animation(now) is not None:
            return
        action = self.jobs.take_move(self.session.key)
        if action is None or not self.session.agent_turn:
            return
        try:
            self.session.play(action)
        except IllegalMoveError as err:
            self.error = f"{self.agent_label} chose an illegal move: {err}"
            return
        self._after_move()
        if self.session.watching:
            self.next_agent_time = now + self.watch_delay

    def _schedule(self, now: float) -> None:
        """Asks for the work this position needs: the agent's move, its view, the solver's."""
        s = self.session
        if self.menu is not None or self.error:
            return
        if s.agent_turn and now >= self.next_agent_time:
            self.jobs.request_move(s.state, s.key)
        wants_agent_view = bool(self.overlays & AGENT_OVERLAYS) or not self.jobs.warm
        if wants_agent_view and not s.over and not s.agent_turn:
            self.jobs.request_analysis(s.state, s.key)
        if "solver" in self.overlays and not s.over:
            self.jobs.request_verdicts(s.state, s.key)

    def tick(self, now: float | None = None) -> None:
        """One frame: collect finished jobs, apply the agent's move, start work, draw."""
        now = self.clock() if now is None else now
        for failure in self.jobs.collect():
            self.error = failure
        self._apply_ready_move(now)
        self._schedule(now)
        self.draw(now)
        self.frames += 1

    def draw(self, now: float | None = None) -> None:
        draw.draw_frame(self.surface, self.layout, self.frame_view(now))

    # ---- whole runs ---------------------------------------------------------------------
    def run(self, fps: int = 60) -> None:
        """The interactive loop, until Esc or the window is closed."""
        clock = pygame.time.Clock()
        try:
            while self.running:
                for event in pygame.event.get():
                    self.handle_event(event)
                if not self.running:
                    break
                self.tick()
                pygame.display.flip()
                clock.tick(fps)
        finally:
            self.close()

    def analyze_now(self, timeout: float = 600.0) -> None:
        """Computes the enabled overlays for the current position, waiting (screenshots)."""
        s = self.session
        if s.over:
            return
        self.jobs.analyze(s.state, s.key, agent_view=bool(self.overlays & AGENT_OVERLAYS),
                          verdicts="solver" in self.overlays, timeout=timeout)

    def save_png(self, path: str | os.PathLike[str], now: float | None = None) -> Path:
        """Draws one frame and writes it as PNG atomically (temp file, then rename)."""
        path = Path(path)
        self.draw(now)
        tmp = path.with_name(f".{path.stem}.tmp.png")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            pygame.image.save(self.surface, str(tmp))
            os.replace(tmp, path)
        except (OSError, pygame.error) as err:
            tmp.unlink(missing_ok=True)
            raise SuiteError(f"cannot write the screenshot {path}: {getattr(err, 'strerror', None) or err}") from None
        return path

    def close(self) -> bool:
        """Stops the workers and the agent; True when both threads have ended."""
        self.running = False
        return self.jobs.close()


def _actions(game: Game, state: Any) -> list[int]:
    """The 0-based actions that reach a host state."""
    return np.asarray(state.moves)[: int(state.ply)].tolist()


def _dummy_video_if_headless() -> None:
    """Screenshots need no screen: fall back to SDL's dummy driver when nothing is set."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def screenshot(game: Game, path: str | os.PathLike[str], *, size: tuple[int, int] = (960, 640),
               **kwargs: Any) -> Path:
    """Renders one frame with the overlays computed synchronously, and saves it as PNG."""
    _dummy_video_if_headless()
    app = App(game, size=size, display=False, **kwargs)
    try:
        app.analyze_now()
        return app.save_png(path, now=app.clock() + 10.0)  # past any animation
    finally:
        app.close()
