"""The 12-ply opening book of standard connect four, read from `bitbully-databases` (MIT).

Why a book: the exact search needs minutes for an opening position (the empty board takes
about 15 minutes on one core) but milliseconds once 12 stones are down. Markus Thill's
BitBully databases hold the exact value, with the distance to the end, of every 12-stone
position of the 7x6 board in which the side to move cannot win at once (one of each mirror
pair: 4,200,899 entries). The search probes it at 12 stones, so every position with at most
12 stones is solved by a search of at most 12 plies that ends in table lookups.

File layout (`book_12ply_distances.dat`, documented in `bitbully_databases.py`): 5-byte
records sorted by key, a big-endian signed 32-bit Huffman code of the position followed by a
signed byte. The code walks the columns from left to right and each column from the bottom
up, writing `10` for a stone of the first player, `11` for the second player's and `0` at the
end of each column, plus a final `0` (32 bits for 12 stones). The byte is 0 for a draw,
`100 - d` when the first player (to move at 12 stones) wins `d` plies later, `-(100 - d)` when
it loses `d` plies later. In Pons' convention (22 minus the winner's stones at the end):
a win scores `(v - 69) / 2`, a loss `(v + 68) / 2`.

Held in memory as three arrays (about 21.5 MB): the codes with their sign bit flipped (so that
unsigned order is the file's signed order) as uint32, the Pons scores as int8, and the start
of every bucket of the top 16 bits (int64, 65,537 entries), so a probe is a short binary
search inside one bucket. The numba kernels in `bitboard.py` compute a position's code from
the bitboards and probe these arrays.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from pathlib import Path

import numpy as np

from games import SuiteError

BOOK_PLY = 12
BOOK_ROWS, BOOK_COLS, BOOK_K = 6, 7, 4
BUCKET_BITS = 16
_RECORD = np.dtype([("code", ">i4"), ("value", "i1")])
_SOURCE = "bitbully-databases (Markus Thill, MIT), book_12ply_distances.dat"


class BookError(SuiteError):
    """The opening book is missing or damaged (the message says how to go on without it)."""


@dataclasses.dataclass(frozen=True)
class OpeningBook:
    """Sorted position codes and Pons scores of the 12-ply book, ready for the kernels."""

    keys: np.ndarray  # [N] uint32: Huffman code XOR 0x80000000, ascending
    scores: np.ndarray  # [N] int8: Pons score for the side to move (the first player)
    index: np.ndarray  # [2**16 + 1] int64: first entry of each top-16-bit bucket
    ply: int  # stones on the board of every entry
    path: str
    load_seconds: float

    @property
    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.scores.nbytes + self.index.nbytes)

    @property
    def entries(self) -> int:
        return int(self.keys.shape[0])

    def describe(self) -> str:
        return (f"12-ply opening book: {self.entries:,} positions, {self.nbytes / 2**20:.1f} MiB, "
                f"loaded in {self.load_seconds:.2f} s ({_SOURCE})")


def applies(rows: int, cols: int, k: int, gravity: bool) -> bool:
    """True for standard connect four, the only board the book describes."""
    return gravity and (rows, cols, k) == (BOOK_ROWS, BOOK_COLS, BOOK_K)


def book_path() -> Path:
    """The packaged file of `bitbully-databases` (a dependency of this project)."""
    try:
        from bitbully_databases import BitBullyDatabases
    except ImportError:
        raise BookError("the opening book needs the package bitbully-databases "
                        "(pip install bitbully-databases), or run without it (--no-book)") from None
    return Path(BitBullyDatabases.get_database_path("12-ply-dist"))


def dist_to_pons(values: np.ndarray) -> np.ndarray:
    """Pons scores (int8) of the book's signed distance bytes (see the module docstring)."""
    v = values.astype(np.int16)
    scores = np.where(v > 0, (v - 69) // 2, np.where(v < 0, (v + 68) // 2, 0))
    return scores.astype(np.int8)


def from_records(records: np.ndarray, *, path: str = "<memory>", load_seconds: float = 0.0) -> OpeningBook:
    """An `OpeningBook` from the file's records, checked for order and value range."""
    codes = records["code"].astype(np.int64)
    values = records["value"].astype(np.int16)
    if codes.shape[0] == 0 or np.any(np.diff(codes) <= 0):
        raise BookError(f"opening book {path} is damaged (codes not strictly increasing); "
                        "reinstall bitbully-databases or run without it (--no-book)")
    win, loss = values > 0, values < 0
    bad = (win & ((values < 71) | (values > 99) | (values % 2 == 0))) | (
        loss & ((values > -70) | (values < -98) | (values % 2 != 0)))
    if np.any(bad):
        raise BookError(f"opening book {path} is damaged (a value outside the book's range); "
                        "reinstall bitbully-databases or run without it (--no-book)")
    keys = ((codes & 0xFFFFFFFF) ^ 0x80000000).astype(np.uint32)
    buckets = np.arange((1 << BUCKET_BITS) + 1, dtype=np.uint64) << np.uint64(32 - BUCKET_BITS)
    index = np.searchsorted(keys.astype(np.uint64), buckets).astype(np.int64)
    return OpeningBook(keys, dist_to_pons(values), index, BOOK_PLY, path, load_seconds)


@functools.lru_cache(maxsize=1)
def load_book() -> OpeningBook:
    """Reads and checks the book once per process (about 0.2 s)."""
    start = time.perf_counter()
    path = book_path()
    try:
        size = path.stat().st_size
    except OSError as err:
        raise BookError(f"opening book {path} cannot be read ({err.strerror}); "
                        "reinstall bitbully-databases or run without it (--no-book)") from None
    if size == 0 or size % _RECORD.itemsize:
        raise BookError(f"opening book {path} is damaged ({size} bytes is not a whole number of "
                        "records); reinstall bitbully-databases or run without it (--no-book)")
    records = np.fromfile(path, dtype=_RECORD)
    book = from_records(records, path=str(path))
    return dataclasses.replace(book, load_seconds=time.perf_counter() - start)


def empty_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Book arrays that the kernels accept when no book is used (never probed)."""
    return (np.zeros(0, np.uint32), np.zeros(0, np.int8), np.zeros((1 << BUCKET_BITS) + 1, np.int64))
