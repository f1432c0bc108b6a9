"""The one atomic file writer: a reader (or a resumed run) never sees half a file.

Every file the suite rewrites in place (tournament state and results, a training run's
config.json and trimmed metrics.jsonl, cached evaluation sets, study tables) goes through a
temporary sibling, fsync, then `os.replace`, so a crash, Ctrl-C or a full disk leaves either
the old file or the new one. It lives here, low in `agents/`, because training writes files
and `agents/` may not import `arena/`; the arena uses the same functions.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

# mkstemp makes its file private (0600), which os.replace would carry over to every result and
# released model; files get the mode an ordinary open() would give (0666 less the umask), read
# once here because reading the umask means setting it.
_UMASK = os.umask(0o022)
os.umask(_UMASK)
NEW_FILE_MODE = 0o666 & ~_UMASK
NEW_DIR_MODE = 0o777 & ~_UMASK  # the same for folders built in a mkdtemp (private 0700) and renamed


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Writes `data` to `path` through a temporary file in the same folder and os.replace.

    The folder is made if missing; the temporary file is removed if anything fails, so an
    interrupted write leaves no litter beside the old file. A rewritten file keeps its mode, a
    new one gets `NEW_FILE_MODE`, as if written in place.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            mode = path.stat().st_mode & 0o7777
        except OSError:
            mode = NEW_FILE_MODE
        os.chmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """`text` as UTF-8, written atomically (`write_bytes_atomic`); newlines are kept as given."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str | os.PathLike[str], data: object, *, indent: int = 1,
                      sort_keys: bool = True) -> None:
    """`data` as JSON with a final newline, written atomically.

    Indented and key-sorted by default (tournament and study files, which people diff);
    a caller whose file reads better in its own key order (a training config) says so.
    """
    write_text_atomic(path, json.dumps(data, indent=indent, sort_keys=sort_keys) + "\n")


def write_folder_atomic(target: str | os.PathLike[str], fill: Callable[[Path], None]) -> Path:
    """Builds a folder with `fill(staging)` in a temporary sibling, then swaps it in for `target`.

    Only once `fill` has finished is an old folder at `target` moved aside, the new one renamed
    into place (the old one put back if that fails) and the old one removed; if anything fails
    before the swap, `target` is untouched and no staging folder is left. A replaced folder keeps
    its mode, a new one gets `NEW_DIR_MODE`.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        os.chmod(staging, target.stat().st_mode & 0o7777 if target.is_dir() else NEW_DIR_MODE)
        fill(staging)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.rmdir(old)
            os.replace(target, old)
        try:
            os.replace(staging, target)
        except OSError:
            if old is not None:
                os.replace(old, target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target
