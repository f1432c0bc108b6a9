"""The window's seams: `draw.py` paints a frozen `FrameView` and never reaches into the app;
the view and the background jobs are checked without drawing anything."""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pygame
import pytest

import games
from agents import Agent, Decision
from arena.window.app import App
from arena.window.jobs import Jobs
from arena.window.layout import action_rect, center
from arena.window.view import FrameView, overlay_status

WINDOW = Path(__file__).resolve().parents[1] / "arena" / "window"


class FullAgent(Agent):
    """Fills every Decision field with numbers a test can predict, and plays the last legal move."""

    def __init__(self, game) -> None:
        super().__init__(game, "full")

    def decide(self, state, key=None) -> Decision:
        legal = np.asarray(self.game.legal_mask(state), np.float64)
        prior = legal / legal.sum()
        visits = (legal * np.arange(1, legal.size + 1)).astype(np.int64)
        return Decision(action=int(np.flatnonzero(legal)[-1]), policy=prior, visits=visits,
                        q_values=np.where(legal > 0, -0.5, np.nan), value=0.0, prior=prior)


def imported_modules(path: Path) -> set[str]:
    """Every module an `import` or `from ... import` in the file names, at any depth."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_draw_never_imports_the_app():
    imports = imported_modules(WINDOW / "draw.py")
    assert "arena.window.app" not in imports
    assert not any(name.startswith(("arena.window.app", "arena.window.jobs", "arena.window.worker")) for name in imports)
    assert "app" not in {n.id for n in ast.walk(ast.parse((WINDOW / "draw.py").read_text())) if isinstance(n, ast.Name)}


def test_the_view_and_the_jobs_need_no_pygame():
    code = "import sys, arena.window.view, arena.window.jobs; assert 'pygame' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=WINDOW.parents[1])


@pytest.fixture
def app():
    made = []

    def factory(game: str, **kwargs) -> App:
        made.append(App(games.make(game), display=False, clock=lambda: 1000.0, **kwargs))
        return made[-1]

    yield factory
    for a in made:
        a.close()
    pygame.quit()


def test_frame_view_holds_what_the_frame_shows(app):
    game = games.make("connect4")
    a = app("connect4", opponent=FullAgent(game), position="4453", overlays=["policy", "visits", "winbar"])
    a.analyze_now()
    view = a.frame_view(1000.0)
    assert isinstance(view, FrameView)
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.turn = "changed"  # type: ignore[misc]
    assert view.title == "Connect four 7x6"
    assert len(view.board) == 42 and view.board.count(1) == 2 and view.board.count(-1) == 2
    assert view.board[5 * 7 + 3] == 1 and view.board[4 * 7 + 3] == -1  # 4, 4: X below O in column 4
    assert view.to_move == 0 and view.legal == tuple(range(7))
    assert view.last_cell == 5 * 7 + 2 and view.winning_cells == () and view.drop is None
    assert view.turn == view.status == "your move (X)" and view.status_tone == "turn"
    assert [p.text for p in view.players] == ["> X: you", "  O: full"]
    assert view.moves == "4453" and view.move_count == 4
    assert view.policy is not None and view.policy[0] == pytest.approx(1 / 7)
    assert [t for t, _ in view.labels_of(6)] == ["14%", "n7", "q-0.50"]
    assert [tone for _, tone in view.labels_of(6)] == ["policy", "visits", "L"]
    assert view.win_bar is not None and view.win_bar.x_chance == pytest.approx(0.5)
    assert view.overlay_note("visits") == "visits: n per move, q (mover's view)" and view.overlay_note("solver") is None
    assert view.overlays == ("policy", "visits", "winbar") and view.banner == "" and view.menu is None
    # Input state shows up in the next view: the hovering disc, a refusal, the menu.
    a.handle_event(pygame.event.Event(pygame.MOUSEMOTION, pos=center(action_rect(a.layout, 1)), rel=(0, 0),
                                      buttons=(0, 0, 0)))
    assert a.frame_view(1000.0).hover == 1
    a.handle_event(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_m, unicode="m", mod=0))
    view = a.frame_view(1000.0)
    assert view.menu is not None and view.menu.cursor == 0 and view.menu.rows[0].startswith("opponent:")


def test_frame_view_of_a_finished_game(app):
    a = app("tictactoe", opponent="random", position="14253", overlays=["solver"])
    view = a.frame_view(1000.0)
    assert view.banner == view.turn == "X wins - you win!"
    assert view.winning_cells == (0, 1, 2) and view.legal == () and view.labels == ()
    assert view.overlay_note("solver") == "solver: game over"
    a.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=center(action_rect(a.layout, 8)), button=1))
    view = a.frame_view(1000.0)
    assert view.status_tone == "error" and "game is over" in view.status
    assert a.frame_view(1000.0 + 5).status_tone == "turn"  # the refusal fades


def test_overlay_status_words():
    assert overlay_status("solver", over=False, decision=None, solved=None, solving=True, agent_label="x") == "solver: solving..."
    assert overlay_status("solver", over=False, decision=None, solved={0: None}, solving=False,
                          agent_label="x").startswith("solver: partial")
    assert overlay_status("policy", over=False, decision=Decision(action=0), solved=None, solving=False,
                          agent_label="random") == "policy: not available for random"


def test_jobs_cache_by_position_and_drop_stale_work():
    game = games.make("tictactoe")
    jobs = Jobs(game, FullAgent(game))
    try:
        state = game.from_moves("1")
        jobs.request_analysis(state, (0,))
        jobs.request_move(state, (0,))  # the move's decision doubles as the analysis
        assert jobs.analysis_job is None and jobs.thinking
        deadline = time.monotonic() + 30
        while jobs.ready_move is None and time.monotonic() < deadline:
            assert jobs.collect() == []
            time.sleep(0.01)
        assert jobs.decision((0,)) is not None and jobs.warm and not jobs.thinking
        assert jobs.take_move((0, 4)) is None and jobs.ready_move is None  # the board moved on: dropped
        jobs.request_move(state, (0,))
        jobs.forget_except((0, 4))
        assert jobs.move_job is None and jobs.ready_move is None
    finally:
        assert jobs.close()
    assert not jobs.alive
