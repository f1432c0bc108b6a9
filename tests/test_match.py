"""arena.match: concurrent games, batched moves, host validation, reproducible keys, snapshots.

The scripted mock agents defined here are shared with tests/test_tournament.py.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

import games
from agents.base import Agent, Decision
from arena.match import AgentError, GameJob, WaveSnapshot, play_wave

TTT = games.make("tictactoe")


class FirstLegal(Agent):
    """Deterministic, unbatched: the lowest legal action."""

    def decide(self, state, key=None):
        return Decision(action=self.game.legal_actions(state)[0])


class LastLegalBatched(Agent):
    """Deterministic, batched: the highest legal action; remembers its batch sizes."""

    batched = True

    def __init__(self, game, spec="last", seed=0):
        super().__init__(game, spec, seed)
        self.batch_sizes: list[int] = []

    def decide(self, state, key=None):
        return Decision(action=self.game.legal_actions(state)[-1])

    def select_moves(self, states, key=None):
        legal = np.asarray(jax.vmap(self.game.legal_mask)(states))
        self.batch_sizes.append(len(legal))
        return np.asarray([np.flatnonzero(row)[-1] for row in legal], np.int32)


class KeyedRandom(Agent):
    """Unbatched, random from the key it is given: tests that per-game keys are reproducible."""

    def decide(self, state, key=None):
        legal = self.game.legal_actions(state)
        return Decision(action=legal[int(jax.random.randint(key, (), 0, len(legal)))])


class AlwaysCellOne(Agent):
    """Plays action 0 whatever the position: illegal as soon as cell 1 is taken."""

    def decide(self, state, key=None):
        return Decision(action=0)


class WrongCount(LastLegalBatched):
    def select_moves(self, states, key=None):
        return np.zeros(3, np.int32)


class InterruptAfter(Agent):
    """Wraps an agent and raises KeyboardInterrupt on its n-th call (a scripted Ctrl-C)."""

    def __init__(self, inner: Agent, calls: int):
        super().__init__(inner.game, inner.spec, inner.seed)
        self.inner, self.left = inner, calls
        self.batched = inner.batched

    def _tick(self):
        self.left -= 1
        if self.left < 0:
            raise KeyboardInterrupt

    def decide(self, state, key=None):
        self._tick()
        return self.inner.decide(state, key)

    def select_moves(self, states, key=None):
        self._tick()
        return self.inner.select_moves(states, key)


def jobs_for(pairs: int, a: str, b: str, opening=()) -> list[GameJob]:
    out = []
    for q in range(pairs):
        out += [GameJob(2 * q, (a, b), opening, q), GameJob(2 * q + 1, (b, a), opening, q)]
    return out


def test_batched_agent_moves_all_games_in_one_call():
    last = LastLegalBatched(TTT)
    records = play_wave(TTT, {"first": FirstLegal(TTT, "first"), "last": last}, jobs_for(4, "first", "last"), seed=0)
    assert len(records) == 8 and sorted(r.index for r in records) == list(range(8))
    assert max(last.batch_sizes) == 4  # every game where it was to move, at once
    moves_by_last = sum(len(r.moves) for r in records) // 2
    assert len(last.batch_sizes) < moves_by_last
    for r in records:
        assert len(r.times_ms) == r.plies and r.result in ("1-0", "0-1", "1/2-1/2")
        assert TTT.to_moves(TTT.from_moves(r.moves)) == r.moves  # a legal, replayable game


def test_records_are_reproducible_and_colour_swapped():
    def play():
        agents = {"first": FirstLegal(TTT, "first"), "rand": KeyedRandom(TTT, "rand")}
        return sorted(play_wave(TTT, agents, jobs_for(3, "first", "rand", (4,)), seed=7), key=lambda r: r.index)

    one, two = play(), play()
    assert [r.moves for r in one] == [r.moves for r in two]
    for a, b in zip(one[::2], one[1::2], strict=True):
        assert a.players == b.players[::-1] and a.opening == b.opening == "5" and a.pair == b.pair


def test_illegal_move_loses_and_does_not_crash():
    records = play_wave(TTT, {"bad": AlwaysCellOne(TTT, "bad"), "first": FirstLegal(TTT, "first")},
                        jobs_for(1, "first", "bad"), seed=0)
    by_index = {r.index: r for r in records}
    # game 0: first plays cell 1, then bad plays cell 1 again -> illegal
    assert by_index[0].reason == "illegal move" and by_index[0].result == "1-0"
    # game 1: bad opens on cell 1 (legal), first answers cell 2, bad repeats cell 1 -> illegal
    assert by_index[1].reason == "illegal move" and by_index[1].winner == 1
    assert by_index[1].moves == "12"


def test_agent_with_wrong_batch_size_is_a_clear_error():
    with pytest.raises(AgentError, match="returned"):
        play_wave(TTT, {"w": WrongCount(TTT), "f": FirstLegal(TTT, "f")}, jobs_for(2, "w", "f"), seed=0)


def test_snapshot_continues_a_wave_identically():
    def agents():
        return {"rand": KeyedRandom(TTT, "rand"), "last": LastLegalBatched(TTT)}

    jobs = jobs_for(4, "rand", "last")
    full = {r.index: r.moves for r in play_wave(TTT, agents(), jobs, seed=3, wave=2)}
    snaps: list[WaveSnapshot] = []
    early: dict[int, str] = {}
    interrupting = agents()
    interrupting["last"] = InterruptAfter(interrupting["last"], 2)
    with pytest.raises(KeyboardInterrupt):
        play_wave(TTT, interrupting, jobs, seed=3, wave=2, on_step=snaps.append,
                  on_finish=lambda r: early.__setitem__(r.index, r.moves))
    snap = WaveSnapshot.from_json(snaps[-1].to_json(TTT), TTT)  # through JSON, as on disk
    assert snap.step == snaps[-1].step and snap.running
    rest = {r.index: r.moves for r in play_wave(TTT, agents(), jobs, seed=3, wave=2, snapshot=snap)}
    assert {**early, **rest} == full


def test_opening_that_already_ended_finishes_at_once():
    records = play_wave(TTT, {"a": FirstLegal(TTT, "a"), "b": FirstLegal(TTT, "b")},
                        [GameJob(0, ("a", "b"), (0, 3, 1, 4, 2), 0)], seed=0)
    assert records[0].result == "1-0" and records[0].plies == 5 and records[0].times_ms == []
