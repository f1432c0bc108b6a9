"""The real window code, driven headless (SDL dummy driver) with synthetic pygame events."""

from __future__ import annotations

import threading
import time

import numpy as np
import pygame
import pytest

import games
from agents import Agent, Decision
from arena.window.app import App
from arena.window.layout import action_rect, center


class FakeClock:
    """A clock the test moves by hand, so animations and watch delays are deterministic."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class SlowAgent(Agent):
    """Thinks for `seconds`, then plays the first legal move and fills every Decision field."""

    def __init__(self, game, seconds: float = 0.0) -> None:
        super().__init__(game, "slow")
        self.seconds = seconds
        self.calls = 0
        self.threads: set[str] = set()

    def decide(self, state, key=None) -> Decision:
        self.calls += 1
        self.threads.add(threading.current_thread().name)
        time.sleep(self.seconds)
        legal = np.asarray(self.game.legal_mask(state), np.float64)
        prior = legal / legal.sum()
        visits = (legal * np.arange(1, legal.size + 1)).astype(np.int64)
        q = np.where(legal > 0, 0.25, np.nan)
        return Decision(action=int(np.flatnonzero(legal)[0]), policy=prior, visits=visits, q_values=q,
                        value=0.5, prior=prior)


@pytest.fixture
def make_app():
    apps = []

    def factory(game="connect4", size=(960, 640), **kwargs):
        kwargs.setdefault("opponent", "random")
        clock = FakeClock()
        app = App(games.make(game), size=size, clock=clock, **kwargs)
        app.fake_clock = clock
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.close()
    pygame.quit()


def click(app: App, action: int) -> None:
    pos = center(action_rect(app.layout, action))
    app.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))


def key(app: App, k: int, char: str = "") -> None:
    app.handle_event(pygame.event.Event(pygame.KEYDOWN, key=k, unicode=char, mod=0))


def settle(app: App, timeout: float = 60.0) -> None:
    """Ticks (moving the fake clock past animations) until no agent move is pending."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.fake_clock.t += 1.0
        app.tick()
        if not (app.session.agent_turn or app.jobs.move_job or app.jobs.ready_move):
            return
        time.sleep(0.005)
    raise AssertionError("the agent did not answer")


@pytest.mark.parametrize("size", [(480, 360), (960, 640), (1400, 800)])
def test_clicks_play_the_move_under_the_mouse(make_app, size):
    app = make_app("connect4", size=size)
    click(app, 2)
    assert app.session.moves[0] == 2
    app = make_app("tictactoe", size=size)
    click(app, 7)
    assert app.session.moves[0] == 7
    app.tick()


def test_resize_keeps_the_mapping(make_app):
    app = make_app("connect4")
    app.surface = pygame.display.set_mode((700, 500), pygame.RESIZABLE)
    app.handle_event(pygame.event.Event(pygame.VIDEORESIZE, size=(700, 500), w=700, h=500))
    assert app.layout.width == 700
    click(app, 6)
    assert app.session.moves == [6]


def test_digit_keys_play(make_app):
    app = make_app("tictactoe")
    key(app, pygame.K_5, "5")
    assert app.session.moves == [4]


def test_illegal_clicks_are_refused_with_feedback(make_app):
    app = make_app("connect4", position="444444")
    click(app, 3)
    assert app.session.moves == [3] * 6
    assert "column 4 is full" in app.feedback_text
    assert app.frame_view(app.fake_clock.t).feedback_rect is not None
    app.tick()  # draws the red frame without error
    app = make_app("tictactoe", position="5")
    app.session.seats = ["agent", "human"]
    click(app, 4)
    assert "cell 5 is taken" in app.feedback_text and app.session.moves == [4]
    app = make_app("tictactoe", first="agent")
    click(app, 0)  # the agent is to move: refused, not played
    assert app.session.moves == [] and "wait" in app.feedback_text


@pytest.mark.parametrize("game", ["tictactoe", "connect4:rows=4,cols=5,k=3"])
def test_full_game_against_random_ends_with_the_right_banner(make_app, game):
    app = make_app(game)
    while not app.session.over:
        if app.session.human_turn:
            click(app, app.session.legal_actions()[0])
        settle(app)
    state = app.session.state
    winner = app.game.winner(state)
    banner = app.session.banner_text(app.agent_label)
    if winner is None:
        assert banner == "Draw"
    else:
        assert banner.startswith("XO"[winner] + " wins")
        assert banner.endswith("you win!" if app.session.seats[winner] == "human" else "random wins")
    assert app.frame_view(app.fake_clock.t).turn == banner
    click(app, 0)
    assert "game is over" in app.feedback_text
    app.tick()


def test_undo_and_redo_restore_the_exact_position(make_app):
    app = make_app("connect4", seed=3)
    history = []
    for action in (3, 2, 4):
        history.append((list(app.session.moves), app.game.board_array(app.session.state).copy()))
        click(app, action)
        settle(app)
    final = (list(app.session.moves), app.game.board_array(app.session.state).copy())
    assert len(final[0]) == 6
    for moves, board in reversed(history):
        key(app, pygame.K_u, "u")
        assert app.session.moves == moves
        np.testing.assert_array_equal(app.game.board_array(app.session.state), board)
        assert app.session.human_turn
    for moves, board in [*history[1:], final]:
        key(app, pygame.K_r, "r")
        assert app.session.moves == moves
        np.testing.assert_array_equal(app.game.board_array(app.session.state), board)
    app.tick()
    assert app.session.moves == final[0]  # redo did not make the agent move again


def test_new_game_and_swap_sides(make_app):
    app = make_app("tictactoe", position="15")
    click(app, 8)
    settle(app)
    key(app, pygame.K_n, "n")
    assert app.session.moves == [0, 4]
    key(app, pygame.K_x, "x")
    assert app.session.seats == ["agent", "human"]
    settle(app)
    assert len(app.session.moves) == 3 and app.session.human_turn


def test_agent_thinks_without_blocking_the_event_loop(make_app):
    game = games.make("tictactoe")
    agent = SlowAgent(game, seconds=1.0)
    app = make_app("tictactoe", opponent=agent)
    click(app, 0)
    start, worst, frames = time.monotonic(), 0.0, 0
    while app.session.moves == [0]:
        t0 = time.monotonic()
        app.fake_clock.t += 0.02
        app.handle_event(pygame.event.Event(pygame.MOUSEMOTION, pos=(10, 10), rel=(0, 0), buttons=(0, 0, 0)))
        app.tick()
        worst = max(worst, time.monotonic() - t0)
        frames += 1
        if frames == 3:
            text = app.frame_view(app.fake_clock.t).turn
            assert app.jobs.thinking and ("thinking" in text or "warming up" in text)
        assert time.monotonic() - start < 30
        time.sleep(0.01)
    # Frames kept coming during the one-second think, and none waited for it (a blocked loop
    # would show one frame of >= 1 s). Loose bounds: CI machines are slow and shared.
    assert frames >= 5
    assert worst < 0.9
    assert "MainThread" not in agent.threads
    assert len(app.session.moves) == 2 and app.jobs.last_answer_s >= 0.9


def test_escape_stops_cleanly_while_the_agent_thinks(make_app):
    game = games.make("connect4")
    agent = SlowAgent(game, seconds=0.5)
    app = make_app("connect4", opponent=agent, first="agent")
    app.tick()
    assert app.jobs.thinking
    key(app, pygame.K_ESCAPE)
    assert not app.running
    assert app.close()
    assert not app.jobs.worker.alive and not app.jobs.solver_worker.alive
    app2 = make_app("tictactoe")
    app2.handle_event(pygame.event.Event(pygame.QUIT))
    assert not app2.running


def test_overlays_degrade_and_show_real_data(make_app):
    app = make_app("tictactoe", overlays=["policy", "visits", "winbar"])
    settle(app)
    app.tick()
    deadline = time.monotonic() + 30
    while app.current_decision() is None and time.monotonic() < deadline:
        app.tick()
        time.sleep(0.01)
    assert "not available for random" in app.frame_view().overlay_note("visits")
    assert "not available for random" in app.frame_view().overlay_note("policy")
    game = games.make("tictactoe")
    app = make_app("tictactoe", opponent=SlowAgent(game), overlays=["policy", "visits", "winbar"])
    app.analyze_now()
    lines = app.frame_view().labels_of(0)
    assert [t for t, _ in lines] == ["11%", "n1", "q+0.25"]
    assert app.frame_view().overlay_note("visits").startswith("visits:")
    app.tick()


def test_solver_hint_names_the_forced_loss(make_app):
    pytest.importorskip("agents.solver")
    app = make_app("tictactoe", position="125", overlays=["solver"])  # O must block cell 9
    app.analyze_now()
    scores = app.current_solver()
    assert isinstance(scores, dict)
    from arena.window.analysis import verdict_text

    verdicts = {a: verdict_text(app.game, app.session.state, s) for a, s in scores.items()}
    assert verdicts.pop(8) in ("D", "L in 2", "L in 3")
    assert set(verdicts.values()) == {"L in 1"}


def test_menu_changes_the_opponent(make_app):
    app = make_app("tictactoe")
    key(app, pygame.K_m, "m")
    assert app.menu is not None
    names = app.menu.names
    key(app, pygame.K_RIGHT)
    key(app, pygame.K_RETURN)
    assert app.menu is None
    assert app.agent_label.partition(":")[0] == names[(names.index("random") + 1) % len(names)]


def test_watch_mode_plays_both_sides(make_app):
    app = make_app("tictactoe")
    key(app, pygame.K_a, "a")
    assert app.session.watching
    key(app, pygame.K_PLUS, "+")
    deadline = time.monotonic() + 60
    while not app.session.over and time.monotonic() < deadline:
        app.fake_clock.t += 1.0
        app.tick()
        time.sleep(0.002)
    assert app.session.over
    key(app, pygame.K_a, "a")
    assert app.session.seats == ["human", "agent"]


def test_help_and_copy(make_app, capsys):
    app = make_app("connect4", position="4453")
    key(app, pygame.K_h, "h")
    assert app.show_help
    app.tick()
    key(app, pygame.K_ESCAPE)
    assert not app.show_help and app.running
    assert app.copy_moves() == "4453"
    assert "4453" in capsys.readouterr().out


def test_the_real_loop_exits_on_a_posted_close_event(make_app):
    app = make_app("tictactoe")
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=center(action_rect(app.layout, 4)), button=1))
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    app.run(fps=1000)  # returns instead of looping forever, and closes the workers
    assert app.session.moves[:1] == [4]
    assert not app.jobs.worker.alive and not app.jobs.solver_worker.alive
