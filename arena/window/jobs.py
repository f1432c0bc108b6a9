"""The window's background work: agent moves, agent analysis and solver verdicts, by position.

`Jobs` owns the opponent, its two worker threads (`worker.py`: one for the agent, one for the
solver, so a long solve never delays a move) and the results, cached by position (the move
tuple), so undo and redo find them again. The app asks it to start work (`request_*`) and
collects finished work once per frame (`collect`); it never waits, except in `analyze`
(screenshots). Which work a frame needs (whose turn, which overlays) is the app's decision.
"""

from __future__ import annotations

import jax

from agents import Agent, Decision
from arena.window import analysis
from arena.window.worker import Job, Worker
from games import Game, State

Key = tuple[int, ...]  # a position: the moves from the empty board


class Jobs:
    """The opponent and its background calls: what runs, what is done, what came back."""

    def __init__(self, game: Game, agent: Agent, *, seed: int = 0, solver_budget: float = 5.0) -> None:
        self.game = game
        self.seed = seed
        self.solver_budget = solver_budget
        self._calls = 0
        self.agent = agent
        self._forget_agent_work()
        self.solved: dict[Key, dict[int, int | None] | str] = {}
        self.solver_job: Job | None = None
        self.last_answer_s: float | None = None
        self.worker = Worker("agent")
        self.solver_worker = Worker("solver")

    def _forget_agent_work(self) -> None:
        self.warm = False  # set by the first finished call: later ones need no compiling
        self.decisions: dict[Key, Decision] = {}
        self.move_job: Job | None = None
        self.analysis_job: Job | None = None
        self.ready_move: Job | None = None  # an agent move waiting for the drop animation to end

    def set_agent(self, agent: Agent) -> None:
        """Replaces the opponent: its queued calls are dropped, its decisions forgotten."""
        self.worker.cancel_all()
        self.agent.close()
        self.agent = agent
        self._forget_agent_work()

    # ---- what is known -----------------------------------------------------------------
    @property
    def label(self) -> str:
        return self.agent.spec

    @property
    def thinking(self) -> bool:
        """An agent move is being computed (or queued)."""
        return self.move_job is not None

    @property
    def solving(self) -> bool:
        return self.solver_job is not None

    def decision(self, key: Key) -> Decision | None:
        return self.decisions.get(key)

    def verdicts(self, key: Key) -> dict[int, int | None] | str | None:
        """The solver's scores per move at `key`, or why there are none (a string)."""
        return self.solved.get(key)

    # ---- starting work -------------------------------------------------------------------
    def _rng(self) -> jax.Array:
        self._calls += 1
        return jax.random.fold_in(jax.random.key(self.seed), self._calls)

    def _decide_job(self, state: State, key: Key, kind: str) -> Job:
        agent, rng = self.agent, self._rng()
        return self.worker.submit(lambda: agent.decide(state, rng), kind=kind, tag=key)

    def _solve_job(self, state: State, key: Key) -> Job:
        game, budget = self.game, self.solver_budget
        return self.solver_worker.submit(lambda: analysis.solver_scores(game, state, budget_s=budget),
                                         kind="solver", tag=key)

    def request_move(self, state: State, key: Key) -> None:
        """Starts the agent's move at `key` unless one is pending or waiting to be played."""
        if self.move_job is not None or self.ready_move is not None:
            return
        if self.analysis_job is not None and self.analysis_job.tag == key:
            self.analysis_job.cancel()  # the move's decision doubles as the analysis
            self.analysis_job = None
        self.move_job = self._decide_job(state, key, "move")

    def request_analysis(self, state: State, key: Key) -> None:
        """Starts the agent's view of `key` (for the overlays) unless known or one is running."""
        if self.analysis_job is None and key not in self.decisions:
            self.analysis_job = self._decide_job(state, key, "analysis")

    def request_verdicts(self, state: State, key: Key) -> None:
        """Starts the solver on `key` unless known or a solve is running."""
        if self.solver_job is None and key not in self.solved:
            self.solver_job = self._solve_job(state, key)

    def forget_except(self, key: Key) -> None:
        """Forgets work about positions other than `key` (the board changed).

        Queued jobs are cancelled; a running one finishes (it cannot be interrupted) and its
        result still fills the caches for its own position, which undo may bring back.
        """
        for name in ("move_job", "analysis_job", "solver_job"):
            job = getattr(self, name)
            if job is not None and job.tag != key:
                if job.started is None:
                    job.cancel()
                setattr(self, name, None)
        self.ready_move = None

    # ---- finished work -------------------------------------------------------------------
    def collect(self) -> list[str]:
        """Files finished jobs into the caches; returns a message per failed agent call."""
        failures = []
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
                failures.append(f"{self.label} failed: {type(job.error).__name__}: {job.error}")
                continue
            self.decisions[job.tag] = job.result
            self.warm = True
            if job is self.move_job:
                self.move_job = None
                self.last_answer_s = job.seconds
                self.ready_move = job
        return failures

    def take_move(self, key: Key) -> int | None:
        """The finished agent move, handed over once; None when there is none for `key`."""
        job, self.ready_move = self.ready_move, None
        if job is None or job.tag != key:
            return None
        return int(job.result.action)

    def analyze(self, state: State, key: Key, *, agent_view: bool, verdicts: bool, timeout: float = 600.0) -> None:
        """Computes what the overlays need at `key`, waiting for it (screenshots); raises failures."""
        if agent_view and key not in self.decisions:
            job = self._decide_job(state, key, "analysis")
            job.wait(timeout)
            _raise_error(job)
            self.decisions[key] = job.result
        if verdicts and key not in self.solved:
            job = self._solve_job(state, key)
            job.wait(timeout)
            if isinstance(job.error, analysis.SolverUnavailable):
                self.solved[key] = str(job.error) or "not available"
            else:
                _raise_error(job)
                self.solved[key] = job.result
        self.worker.poll()
        self.solver_worker.poll()

    @property
    def alive(self) -> bool:
        """Either worker thread still runs."""
        return self.worker.alive or self.solver_worker.alive

    def close(self) -> bool:
        """Stops both threads and the agent; True when both threads have ended."""
        ok = self.worker.close() & self.solver_worker.close()
        self.agent.close()
        return ok


def _raise_error(job: Job) -> None:
    if job.error is not None:
        raise job.error
