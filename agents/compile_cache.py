"""The persistent XLA compilation cache, so a second start does not recompile searches."""

from __future__ import annotations

import os
from pathlib import Path

import jax

_enabled = False


def cache_dir() -> Path:
    """`$KINROW_CACHE_DIR`, else `$XDG_CACHE_HOME/kinrow/jax`, else `~/.cache/kinrow/jax`."""
    if os.environ.get("KINROW_CACHE_DIR"):
        return Path(os.environ["KINROW_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "kinrow" / "jax"


def enable_compilation_cache(path: str | os.PathLike[str] | None = None) -> Path | None:
    """Turns on JAX's persistent cache for every compiled function (idempotent).

    Small programs are cached too (thresholds at zero): the searches the window and arena
    use compile in seconds on a CPU, and that is exactly the wait a second start should skip.
    Returns the directory, or None when it cannot be created (the cache is then just off).
    """
    global _enabled
    directory = Path(path) if path is not None else cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not _enabled:
        jax.config.update("jax_compilation_cache_dir", str(directory))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
        _enabled = True
    return directory
