"""The rules: the k-in-a-row family (tic-tac-toe, connect four and their variants) in JAX.

    import games
    game = games.make("connect4")            # or "tictactoe", "connect4:rows=5,cols=6,k=4"
    state = game.from_moves("4453")          # host helper, standard notation
    batch = game.init_batch(1024)            # pure, batched core:
    batch = jax.jit(jax.vmap(game.step))(batch, actions)
"""

from games.core import GameConfig, State, mover_moved_first, threat_cells, winning_lines
from games.errors import IllegalMoveError, SpecError, SuiteError
from games.game import PLAYER_SYMBOLS, Game, make
from games.spec import parse_spec
from games.symmetry import symmetry_tables, transform_action, transform_observation, transform_policy

__all__ = [
    "PLAYER_SYMBOLS",
    "Game",
    "GameConfig",
    "IllegalMoveError",
    "SpecError",
    "State",
    "SuiteError",
    "make",
    "mover_moved_first",
    "parse_spec",
    "symmetry_tables",
    "threat_cells",
    "transform_action",
    "transform_observation",
    "transform_policy",
    "winning_lines",
]
