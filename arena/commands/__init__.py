"""One module per `arena` subcommand.

Each module defines `NAME`, `HELP`, `add_arguments(parser)` and `run(args) -> int`, and keeps
its heavy imports (jax, flax, numba, pygame) inside `run`, so `arena --help` starts fast.
"""

COMMANDS = ("play", "train", "distill", "tournament", "match", "eval", "solve", "bench", "plot", "export", "study")
