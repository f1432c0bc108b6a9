"""Shared test setup: headless SDL, a persistent compilation cache for faster reruns."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ.setdefault("KINROW_CACHE_DIR", str(Path(tempfile.gettempdir()) / "kinrow-test-jax-cache"))

from agents.compile_cache import enable_compilation_cache  # noqa: E402

enable_compilation_cache()

DATA = Path(__file__).parent / "data"
