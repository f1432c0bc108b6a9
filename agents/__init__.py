"""Everything that chooses a move, and how it is made (search, networks, training).

    import agents, games
    game = games.make("connect4")
    agent = agents.make("mcts:sims=800", game, seed=0)
    action = agent.select_move(game.from_moves("4453"))
"""

from agents.base import Agent, Decision
from agents.options import Option
from agents.registry import REGISTRY, check_options, describe_agents, make, read_spec, with_options

__all__ = ["REGISTRY", "Agent", "Decision", "Option", "check_options", "describe_agents", "make", "read_spec",
           "with_options"]
