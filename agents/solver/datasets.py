"""The public connect-four test sets: Pascal Pons' six benchmark sets and the UCI 8-ply database.

Both ship with the package, with their attribution: Pons' sets under friendly names
(`data/pons/`, see `data/pons/SOURCES.md`) and the UCI database gzipped (`data/uci/`, see
`data/uci/SOURCES.md`); `load_uci` also reads a copy at a path given by the caller.
"""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import numpy as np

from agents.solver.limits import score_bound
from games import Game, IllegalMoveError, SpecError, State, SuiteError
from games import make as make_game
from games.spec import is_ascii_digits, to_int

PONS_DIR = Path(__file__).parent / "data" / "pons"


class DatasetError(SuiteError):
    """A test set that is unknown, missing or malformed."""


@dataclasses.dataclass(frozen=True)
class PonsSet:
    """One of Pons' benchmark sets with his published figures (docs/references.md)."""

    name: str  # friendly name, e.g. "middle-medium"
    file: str  # Pons' file name, e.g. "Test_L2_R2"
    title: str  # name in Pons' blog, e.g. "Middle-Medium"
    pons_us: float  # Pons' own mean time per position, microseconds (strong solver, part 12)
    pons_nodes: float  # Pons' mean nodes per position
    pons_2core_s: float | None  # Pons' C++ (no book) on the 2-core machine, seconds per 1000


PONS_SETS: dict[str, PonsSet] = {
    s.name: s
    for s in (
        PonsSet("end-easy", "Test_L3_R1", "End-Easy", 4.6, 51, 0.09),
        PonsSet("middle-easy", "Test_L2_R1", "Middle-Easy", 37, 450, 0.13),
        PonsSet("middle-medium", "Test_L2_R2", "Middle-Medium", 3_200, 39_900, 7.1),
        PonsSet("begin-easy", "Test_L1_R1", "Begin-Easy", 255, 3_298, 0.58),
        PonsSet("begin-medium", "Test_L1_R2", "Begin-Medium", 97_000, 1_200_000, 198.0),
        PonsSet("begin-hard", "Test_L1_R3", "Begin-Hard", 5_500_000, 65_900_000, None),
    )
}
_BY_FILE = {s.file.lower(): s.name for s in PONS_SETS.values()}


def pons_set_name(name: str) -> str:
    """The friendly name for a friendly name, a blog title or a Pons file name."""
    key = name.strip().lower()
    key = _BY_FILE.get(key, key)
    key = {s.title.lower(): s.name for s in PONS_SETS.values()}.get(key, key)
    if key not in PONS_SETS:
        raise DatasetError(f"unknown test set {name!r}; valid sets: {', '.join(PONS_SETS)}")
    return key


def parse_label(text: str, game: Game, ply: int, *, where: str,
                error: type[SuiteError] = DatasetError) -> int:
    """A position's score label: an ASCII integer no larger than the position allows.

    Pons' convention bounds |score| by (cells + 1) // 2 - ply // 2 (`score_bound`); a label
    outside it is a typo or another convention, and would silently count as a win or a loss.
    Raises `error` (the caller's own error class) naming `where`.
    """
    bound = score_bound(game, ply)
    try:
        return to_int(text, minimum=-bound, maximum=bound)
    except SpecError as err:
        raise error(f"{where}: score {text!r} after {ply} moves on {game.spec}: {err}") from None


def read_lines(path: Path | str, *, what: str, error: type[SuiteError] = DatasetError
               ) -> list[tuple[int, list[str], str]]:
    """(line number, fields, line) of every line of a positions file that holds something.

    `#` starts a comment; blank lines are skipped. An unreadable file raises `error` naming
    `what` ("test set", "positions file", "openings file") and the path, in one line.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise error(f"cannot read {what} {path}: {getattr(err, 'strerror', None) or err}") from None
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split("#", 1)[0].split()
        if fields:
            out.append((number, fields, line))
    return out


def read_scored_lines(path: Path | str, game: Game | str = "connect4") -> list[tuple[str, int]]:
    """`<moves> <score>` lines (Pons' format, compact notation) with a clear error naming a bad line.

    The moves are not replayed (the shipped sets are checked by the tests once); the score is
    bounded by the ply the moves reach.
    """
    path = Path(path)
    game = make_game(game)
    out = []
    for number, fields, line in read_lines(path, what="test set"):
        if len(fields) != 2 or not is_ascii_digits(fields[0]):
            raise DatasetError(f"{path}:{number}: expected '<moves> <score>', got {line.strip()!r}")
        out.append((fields[0], parse_label(fields[1], game, len(fields[0]), where=f"{path}:{number}")))
    return out


def read_position_file(game: Game, path: Path | str, *, what: str = "positions file",
                       error: type[SuiteError] = DatasetError, labels: bool = True
                       ) -> list[tuple[str, State, int | None]]:
    """(moves as written, state, score label or None) per line of `<moves> [score]`, each checked.

    The one reader of position files given on the command line (`arena eval --positions`,
    `arena tournament --openings-file`): every position is replayed (a bad move or a finished
    game is refused naming the line). With `labels`, a second field is a score bounded by the
    position (`parse_label`) and a third is refused; without, anything after the moves is
    ignored, so a Pons set serves as a list of openings. An empty file is refused too.
    """
    path = Path(path)
    out: list[tuple[str, State, int | None]] = []
    for number, fields, line in read_lines(path, what=what, error=error):
        if labels and len(fields) > 2:
            raise error(f"{path}:{number}: expected '<moves> [score]', got {line.strip()!r}")
        moves = fields[0]
        try:
            state = game.from_moves(moves)
        except IllegalMoveError as err:
            raise error(f"{path}:{number}: bad position {moves!r}: {err}") from None
        if bool(state.terminal):
            raise error(f"{path}:{number}: position {moves!r} is already over ({game.result_text(state)})")
        label = None
        if labels and len(fields) == 2:
            label = parse_label(fields[1], game, int(state.ply), where=f"{path}:{number}", error=error)
        out.append((moves, state, label))
    if not out:
        raise error(f"{what} {path} holds no positions")
    return out


def load_pons_set(name: str) -> list[tuple[str, int]]:
    """The 1000 (moves, score) pairs of one of Pons' sets, by friendly or original name."""
    return read_scored_lines(PONS_DIR / f"{pons_set_name(name)}.txt")


UCI_LABELS = {"win": 1, "draw": 0, "loss": -1}
# The whole database ships gzipped (313 KB; attribution in data/uci/SOURCES.md).
DEFAULT_UCI_PATH = Path(__file__).parent / "data" / "uci" / "connect-4.data.gz"


def parse_uci_line(line: str, rows: int = 6, cols: int = 7) -> tuple[np.ndarray, int]:
    """One UCI line to (board [rows*cols] int8 in the games layout, label for 'x' to move).

    UCI order is column-major a1..a6, b1..g6, bottom to top; the games layout is row-major
    from the top. 'x' (first player, to move after 8 plies) is +1, 'o' is -1.
    """
    fields = line.strip().split(",")
    if len(fields) != rows * cols + 1 or fields[-1] not in UCI_LABELS:
        raise DatasetError(f"malformed UCI line {line.strip()[:60]!r}")
    board = np.zeros(rows * cols, np.int8)
    stone = {"x": 1, "o": -1, "b": 0}
    for i, value in enumerate(fields[:-1]):
        if value not in stone:
            raise DatasetError(f"malformed UCI cell {value!r} in line {line.strip()[:60]!r}")
        col, row_from_bottom = divmod(i, rows)
        board[(rows - 1 - row_from_bottom) * cols + col] = stone[value]
    return board, UCI_LABELS[fields[-1]]


def load_uci(path: Path | str | None = None) -> list[tuple[np.ndarray, int]]:
    """All lines of the UCI / Tromp 8-ply database (67,557 positions): the shipped copy by
    default, or `connect-4.data` (plain or gzipped) at `path`."""
    path = Path(path) if path is not None else DEFAULT_UCI_PATH
    if not path.is_file():
        raise DatasetError(
            f"UCI connect-4 database not found at {path}; pass its path "
            "(connect-4.data, decompressed from the UCI repository's connect-4.data.Z)"
        )
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        text = raw.decode("ascii")
    except (OSError, EOFError, UnicodeDecodeError) as err:
        raise DatasetError(f"UCI connect-4 database {path} cannot be read: {err}") from None
    return [parse_uci_line(line) for line in text.splitlines() if line.strip()]
