"""The command line's edge: flag types built on `games.spec`'s number rules, and output paths.

argparse's own `type=int` / `type=float` accept `inf`, `nan`, `1_000` and non-ASCII digits, and
know no ranges; these types refuse all of that with the words every other input uses
("argument --time: expected a finite number > 0 and <= 86400, got 'inf'"). Output paths are
checked before any work starts, so a bad one costs nothing and changes nothing.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from games import SpecError, SuiteError
from games.spec import to_float, to_int

MAX_SEED = 2**32 - 1  # jax.random.key and numpy's generators both take any seed of 32 bits


def int_arg(minimum: int | None = None, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: an ASCII integer inside [minimum, maximum]."""

    def parse(text: str) -> int:
        try:
            return to_int(text, minimum=minimum, maximum=maximum)
        except SpecError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    parse.__name__ = "integer"
    return parse


def float_arg(minimum: float | None = None, maximum: float | None = None, *,
              positive: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite ASCII decimal inside the range (> 0 when `positive`)."""

    def parse(text: str) -> float:
        try:
            return to_float(text, minimum=minimum, maximum=maximum, positive=positive)
        except SpecError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    parse.__name__ = "number"
    return parse


SEED = int_arg(0, MAX_SEED)


def output_file(path: str | os.PathLike[str], flag: str) -> Path:
    """`path` if a file can be written there: not a folder, and its parent a folder or creatable."""
    path = Path(path)
    if path.is_dir():
        raise SuiteError(f"{flag} {path}: is a folder; give a file path, e.g. {path / 'out.png'}")
    _check_parent(path, flag)
    return path


def output_dir(path: str | os.PathLike[str], flag: str) -> Path:
    """`path` if it is a folder or can become one (not an existing file)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise SuiteError(f"{flag} {path}: is a file, not a folder; give a folder path")
    _check_parent(path, flag)
    return path


def _check_parent(path: Path, flag: str) -> None:
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise SuiteError(f"{flag} {path}: {parent} is a file, not a folder")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise SuiteError(f"{flag} {path}: no permission to write in {parent}")
            return
