"""A background thread that runs agent and solver calls so the window never freezes.

The event loop submits a call and carries on drawing; finished jobs land in a queue that the
loop drains once per frame (`poll`). A running JAX or numba call cannot be interrupted, so
cancelling marks the job and its result is dropped; closing the window stops the thread
after its current call (the thread is a daemon, so a long search never holds the process).
"""

from __future__ import annotations

import dataclasses
import itertools
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

_ids = itertools.count(1)


@dataclasses.dataclass(eq=False)
class Job:
    """One submitted call: a future the event loop polls, never waits on."""

    fn: Callable[[], Any]
    kind: str  # "move", "analysis", "solver": what the loop should do with the result
    tag: Any = None  # what the result is about (the position's move tuple)
    id: int = dataclasses.field(default_factory=lambda: next(_ids))
    result: Any = None
    error: BaseException | None = None
    started: float | None = None
    finished: float | None = None
    _cancelled: threading.Event = dataclasses.field(default_factory=threading.Event)
    _done: threading.Event = dataclasses.field(default_factory=threading.Event)

    def cancel(self) -> None:
        """Drops the result; a job not yet started is skipped."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def seconds(self) -> float | None:
        """Wall time of the call itself (queueing excluded)."""
        if self.started is None or self.finished is None:
            return None
        return self.finished - self.started

    def wait(self, timeout: float | None = None) -> bool:
        """For tests and the screenshot mode only: the event loop never blocks on a job."""
        return self._done.wait(timeout)


class Worker:
    """One daemon thread running jobs first in, first out."""

    def __init__(self, name: str = "agent") -> None:
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._results: queue.Queue[Job] = queue.Queue()
        self._stop = threading.Event()
        self._current: Job | None = None
        self._thread = threading.Thread(target=self._loop, name=f"kinrow-{name}", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[], Any], *, kind: str, tag: Any = None) -> Job:
        if self._stop.is_set():
            raise RuntimeError("worker is closed")
        job = Job(fn=fn, kind=kind, tag=tag)
        self._jobs.put(job)
        return job

    def poll(self) -> list[Job]:
        """Finished, not cancelled jobs since the last poll (never blocks)."""
        out = []
        while True:
            try:
                job = self._results.get_nowait()
            except queue.Empty:
                return out
            if not job.cancelled:
                out.append(job)

    @property
    def busy(self) -> bool:
        return self._current is not None or not self._jobs.empty()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stop.is_set():
            job = self._jobs.get()
            if job is None:
                break
            if job.cancelled:
                job._done.set()
                continue
            self._current = job
            job.started = time.perf_counter()
            try:
                job.result = job.fn()
            except BaseException as err:  # noqa: BLE001 - reported in the window, never fatal
                job.error = err
            job.finished = time.perf_counter()
            self._current = None
            job._done.set()
            if not self._stop.is_set():
                self._results.put(job)

    def cancel_all(self) -> None:
        """Cancels queued jobs and the running one (whose result will be dropped)."""
        current = self._current
        if current is not None:
            current.cancel()
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                job.cancel()
                job._done.set()

    def close(self, timeout: float = 2.0) -> bool:
        """Stops the thread; returns True when it has ended within `timeout` seconds."""
        self.cancel_all()
        self._stop.set()
        self._jobs.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()
