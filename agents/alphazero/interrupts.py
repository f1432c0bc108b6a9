"""Stopping a long job (training, distillation) with Ctrl-C or `kill` without losing a save.

Both signals become KeyboardInterrupt, which the jobs catch to save their last finished step; a
signal that arrives while a save is being written waits until the save is whole.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType


class Interrupts:
    """Turns SIGTERM and SIGINT into KeyboardInterrupt, except while a save is being written.

    A signal that lands inside `deferred()` is held until the block ends and raised there: the
    checkpoint being written is finished first. Raised inside it, the interrupt would abandon a
    half-written save and the handler's own save of the same step would race the abandoned one's
    writer threads (seen on a GPU: orbax's NOT_FOUND tracebacks for a step it then kept).
    """

    def __init__(self) -> None:
        self._deferring = False
        self._pending = False

    def handler(self, signum: int, frame: FrameType | None) -> None:
        if self._deferring:
            self._pending = True
            return
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
        if self._pending:
            self._pending = False
            raise KeyboardInterrupt


@contextlib.contextmanager
def interrupt_on_sigterm() -> Iterator[Interrupts]:
    """SIGTERM (`kill`, a job scheduler's stop) saves and stops like Ctrl-C does.

    Also replaces SIGINT's handler where the shell started the run in the background with SIGINT
    ignored, so `kill -INT` works there too. Yields the `Interrupts` whose `deferred()` keeps a
    save whole; off the main thread signals are left alone and deferring does nothing.
    """
    interrupts = Interrupts()
    try:
        previous = signal.signal(signal.SIGTERM, interrupts.handler)
        previous_int = signal.signal(signal.SIGINT, interrupts.handler)
    except ValueError:  # not the main thread: leave signals alone
        yield interrupts
        return
    try:
        yield interrupts
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
