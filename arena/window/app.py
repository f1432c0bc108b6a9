"""The window's event loop: a person against an agent, with analysis overlays.

`App` holds everything one window shows; `handle_event(e)` reacts to one pygame event and
`tick()` runs one frame (collect finished background jobs, start new ones, draw), so tests
drive the real code with synthetic events and no endless loop; `run()` is just the loop.
Agent and solver calls run on worker threads (`worker.py`): the loop never waits on them.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import jax
import numpy as np
import pygame

import agents
from agents import Agent, Decision
from arena.window import analysis, draw
from arena.window.layout import Layout, Rect, action_at, action_rect, compute_layout
from arena.window.model import Session
from arena.window.worker import Job, Worker
from games import Game, IllegalMoveError, SuiteError

OVERLAYS = analysis.OVERLAYS
OVERLAY_KEYS = {pygame.K_p: "policy", pygame.K_v: "visits", pygame.K_w: "winbar", pygame.K_s: "solver"}
WATCH_DELAYS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0)
DROP_SECONDS = 0.28  # a disc falling the whole board; shorter drops take less (sqrt of distance)
FEEDBACK_SECONDS = 2.0
DIGITS = {getattr(pygame, f"K_{d}"): d for d in range(1, 10)} | {getattr(pygame, f"K_KP{d}"): d for d in range(1, 10)}


@dataclasses.dataclass
class Menu:
    """The in-window opponent menu: which agent, and its strength (simulations or depth)."""

    names: list[str]
    agent_index: int
    strength: int | None
    cursor: int = 0

    @property
    def name(self) -> str:
        return self.names[self.agent_index]

    def steps(self) -> tuple[int, ...]:
        option = analysis.strength_option(self.name)
        return analysis.STRENGTH_STEPS.get(option, ()) if option else ()

    def rows(self) -> list[str]:
        option = analysis.strength_option(self.name)
        strength = "(fixed)" if option is None else f"{option}={self.strength if self.strength else 'default'}"
        return [f"opponent:  < {self.name} >", f"strength:  < {strength} >", "apply"]

    def change(self, delta: int) -> None:
        if self.cursor == 0:
            self.agent_index = (self.agent_index + delta) % len(self.names)
            steps = self.steps()
            if steps and self.strength not in steps:
                self.strength = steps[len(steps) // 2]
        elif self.cursor == 1:
            steps = self.steps()
            if not steps:
                return
            if self.strength not in steps:
                self.strength = steps[len(steps) // 2]
            else:
                i = steps.index(self.strength)
                self.strength = steps[max(0, min(len(steps) - 1, i + delta))]

    def spec(self) -> str:
        return analysis.with_strength(self.name, self.strength)


class App:
    """One window (or one off-screen frame): a session, an opponent, overlays, workers."""

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
        self.solver_budget = solver_budget
        start = game.from_moves(position) if isinstance(position, str) else game.from_moves(list(position))
        seats = ("human", "agent") if first == "human" else ("agent", "human")
        self.session = Session(game, _actions(game, start), seats)  # --first counts from the empty board
        self.overlays: set[str] = set()
        for name in overlays:
            if name not in OVERLAYS:
                raise SuiteError(f"unknown overlay {name!r}: valid overlays are {', '.join(OVERLAYS)}")
            self.overlays.add(name)
        self.default_used = opponent is None
        self.agent: Agent | None = None
        self.agent_label = ""
        self._set_agent(opponent or analysis.default_opponent(game))  # before any thread starts
        self.worker = Worker("agent")
        self.solver_worker = Worker("solver")
        self.decisions: dict[tuple[int, ...], Decision] = {}
        self.solved: dict[tuple[int, ...], dict[int, int | None] | str] = {}
        self.move_job: Job | None = None
        self.analysis_job: Job | None = None
        self.solver_job: Job | None = None
        self.ready_move: Job | None = None  # an agent move waiting for the drop animation to end
        self.next_agent_time = 0.0
        self.watch_delay = 0.5
        self.last_answer_s: float | None = None
        self.error: str | None = None
        self.feedback: tuple[str, float, Rect | None] | None = None
        self.info: tuple[str, float] | None = None
        self.anim: tuple[int, int, float, float] | None = None  # cell, stone, start, duration
        self.hover_action: int | None = None
        self.show_help = False
        self.menu: Menu | None = None
        self.running = True
        self._calls = 0
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

    def _set_agent(self, spec: str | Agent) -> None:
        """Builds the opponent (raising SuiteError for a bad spec, the old one kept).

        An `Agent` instance is used as it is (tests pass mock agents this way).
        """
        agent = spec if isinstance(spec, Agent) else agents.make(spec, self.game, seed=self.seed)
        if self.agent is not None:
            self.worker.cancel_all()
            self.agent.close()
        self.agent = agent
        self.agent_label = agent.spec
        self.agent_warm = False  # set by the first finished call: later ones need no compiling
        self.decisions = {}
        self.move_job = self.analysis_job = None
        self.ready_move = None

    def _update_title(self) -> None:
        if pygame.display.get_surface() is self.surface:
            pygame.display.set_caption(f"kinrow - {self.title_text()} vs {self.agent_label}"
                                       + (f" ({analysis.default_reason(self.game)})" if self.default_used else ""))

    def title_text(self) -> str:
        cfg = self.game.config
        name = "Connect four" if self.game.name == "connect4" else "Tic-tac-toe"
        return f"{name} {cfg.cols}x{cfg.rows}" + ("" if cfg.k == (4 if cfg.gravity else 3) else f", k={cfg.k}")

    # ---- queries used by drawing and tests ---------------------------------------------
    def overlay_on(self, name: str) -> bool:
        return name in self.overlays

    def current_decision(self) -> Decision | None:
        return self.decisions.get(self.session.key)

    def current_solver(self) -> dict[int, int | None] | str | None:
        return self.solved.get(self.session.key)

    def unavailable(self, what: str) -> str:
        return f"{what}: not available for {self.agent_label}"

    def thinking(self) -> bool:
        return self.move_job is not None

    def overlay_status(self, name: str) -> str:
        """One line per enabled overlay: what is shown, or why it is not."""
        if self.session.over:
            return f"{name}: game over"
        if name == "solver":
            solved = self.current_solver()
            if solved is None:
                return "solver: solving..." if self.solver_job is not None else "solver: waiting"
            if isinstance(solved, str):
                return f"solver: {solved}"
            if any(v is None for v in solved.values()):
                return "solver: partial within the time budget (? = unknown)"
            return "solver: W/D/L in N moves (the winner's)"
        decision = self.current_decision()
        if decision is None:
            return f"{name}: thinking..."
        if name == "policy":
            return "policy: prior, % per move (heat)" if decision.prior is not None else self.unavailable("policy")
        if name == "visits":
            return "visits: n per move, q (mover's view)" if decision.visits is not None else self.unavailable("visits")
        return name

    def turn_text(self, now: float) -> str:
        s = self.session
        if s.over:
            return s.banner_text(self.agent_label)
        side = "XO"[s.to_move]
        if s.human_turn:
            why = f", opponent {self.agent_label} ({analysis.default_reason(self.game)})" if self.default_used and not s.moves else ""
            return f"your move ({side}){why}"
        dots = "." * (1 + int(now * 3) % 3)
        if self.move_job is not None:
            what = "thinking" if self.agent_warm else "warming up (compiling)"
            return f"{side} ({self.agent_label}) {what}{dots}"
        return f"{side} ({self.agent_label}) to move"

    def status_line(self, now: float) -> tuple[str, tuple[int, int, int]]:
        if self.feedback is not None and now - self.feedback[1] < FEEDBACK_SECONDS:
            return self.feedback[0], draw.ERROR
        if self.error:
            return self.error, draw.ERROR
        if self.info is not None and now - self.info[1] < FEEDBACK_SECONDS:
            return self.info[0], draw.TEXT
        return self.turn_text(now), draw.DIM

    @property
    def feedback_text(self) -> str | None:
        return None if self.feedback is None else self.feedback[0]

    def feedback_rect(self, now: float) -> Rect | None:
        if self.feedback is None or now - self.feedback[1] >= FEEDBACK_SECONDS / 2:
            return None
        return self.feedback[2]

    def animation(self, now: float) -> tuple[int, int, float] | None:
        """(cell, stone, progress 0..1) of the disc dropping now, or None."""
        if self.anim is None:
            return None
        cell, stone, start, duration = self.anim
        progress = (now - start) / duration if duration > 0 else 1.0
        if progress >= 1.0 or cell >= self.game.config.num_cells:
            return None
        return cell, stone, max(0.0, progress)

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
        """Forgets work about positions no longer on the board.

        Queued jobs are cancelled; a running one finishes (it cannot be interrupted) and its
        result still fills the caches for its own position, which undo may bring back.
        """
        for name in ("move_job", "analysis_job", "solver_job"):
            job = getattr(self, name)
            if job is not None and job.tag != self.session.key:
                if job.started is None:
                    job.cancel()
                setattr(self, name, None)
        self.ready_move = None
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
            self._set_agent(spec)
        except SuiteError as err:
            self._refuse(str(err))
            return
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
    def _key_for_call(self) -> jax.Array:
        self._calls += 1
        return jax.random.fold_in(jax.random.key(self.seed), self._calls)

    def _decide_job(self, kind: str) -> Job:
        agent, state, rng = self.agent, self.session.state, self._key_for_call()
        assert agent is not None
        return self.worker.submit(lambda: agent.decide(state, rng), kind=kind, tag=self.session.key)

    def _solve_job(self) -> Job:
        game, state, budget = self.game, self.session.state, self.solver_budget
        return self.solver_worker.submit(lambda: analysis.solver_scores(game, state, budget_s=budget),
                                         kind="solver", tag=self.session.key)

    def _collect(self, now: float) -> None:
        for job in self.worker.poll() + self.solver_worker.poll():
            if job.kind == "solver":
                if job is self.solver_job:
                    self.solver_job = None
                if isinstance(job.error, analysis.SolverUnavailable):
                    self.solved[job.tag] = str(job.error) or "not available"
                elif job.error is not None:
                    self.solved[job.tag] = f"failed ({type(job.error).__name__}: {job.error})"
                else:
                    self.solved[job.tag] = job.result
                continue
            if job is self.analysis_job:
                self.analysis_job = None
            if job.error is not None:
                if job is self.move_job:
                    self.move_job = None
                self.error = f"{self.agent_label} failed: {type(job.error).__name__}: {job.error}"
                continue
            self.decisions[job.tag] = job.result
            self.agent_warm = True
            if job is self.move_job:
                self.move_job = None
                self.last_answer_s = job.seconds
                self.ready_move = job

    def _apply_ready_move(self, now: float) -> None:
        job = self.ready_move
        if job is None or self.animation(now) is not None:
            return
        self.ready_move = None
        if job.tag != self.session.key or not self.session.agent_turn:
            return
        action = int(job.result.action)
        try:
            self.session.play(action)
        except IllegalMoveError as err:
            self.error = f"{self.agent_label} chose an illegal move: {err}"
            return
        self._after_move()
        if self.session.watching:
            self.next_agent_time = now + self.watch_delay

    def _schedule(self, now: float) -> None:
        s = self.session
        if self.menu is not None or self.error:
            return
        if s.agent_turn and self.move_job is None and self.ready_move is None and now >= self.next_agent_time:
            if self.analysis_job is not None and self.analysis_job.tag == s.key:
                self.analysis_job.cancel()  # the move's decision doubles as the analysis
                self.analysis_job = None
            self.move_job = self._decide_job("move")
        wants_agent_view = bool(self.overlays & {"policy", "visits", "winbar"}) or not self.agent_warm
        if (wants_agent_view and not s.over and not s.agent_turn and self.analysis_job is None
                and s.key not in self.decisions):
            self.analysis_job = self._decide_job("analysis")
        if "solver" in self.overlays and not s.over and self.solver_job is None and s.key not in self.solved:
            self.solver_job = self._solve_job()

    def tick(self, now: float | None = None) -> None:
        """One frame: collect finished jobs, apply the agent's move, start work, draw."""
        now = self.clock() if now is None else now
        self._collect(now)
        self._apply_ready_move(now)
        self._schedule(now)
        self.draw(now)
        self.frames += 1

    def draw(self, now: float | None = None) -> None:
        draw.draw_frame(self.surface, self, self.clock() if now is None else now)

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
        if self.overlays & {"policy", "visits", "winbar"} and s.key not in self.decisions:
            job = self._decide_job("analysis")
            job.wait(timeout)
            self._raise_job_error(job)
            self.decisions[s.key] = job.result
        if "solver" in self.overlays and s.key not in self.solved:
            job = self._solve_job()
            job.wait(timeout)
            if isinstance(job.error, analysis.SolverUnavailable):
                self.solved[s.key] = str(job.error) or "not available"
            else:
                self._raise_job_error(job)
                self.solved[s.key] = job.result
        self.worker.poll()
        self.solver_worker.poll()

    @staticmethod
    def _raise_job_error(job: Job) -> None:
        if job.error is not None:
            raise job.error

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
        ok = self.worker.close() & self.solver_worker.close()
        if self.agent is not None:
            self.agent.close()
        return ok


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
