"""User-facing errors shared by every layer.

Anything a person can get wrong (a move string, a game or agent spec, a file) raises a
subclass of `SuiteError` whose message is one complete line. The command line prints that
line without a traceback; library users can catch the class they care about.
"""

from __future__ import annotations


class SuiteError(Exception):
    """Base class of the errors caused by bad input, reported as one line."""


class SpecError(SuiteError, ValueError):
    """A malformed or unknown `name:key=value,...` spec (game or agent)."""


class IllegalMoveError(SuiteError, ValueError):
    """A move that cannot be played in the given position.

    Attributes:
      index: 1-based position of the offending move in the move string (0 if unknown).
      token: the offending move as the user wrote it.
    """

    def __init__(self, message: str, *, index: int = 0, token: str = "") -> None:
        super().__init__(message)
        self.index = index
        self.token = token
