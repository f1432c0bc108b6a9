"""`agents.make(spec, game)`: the one way the API and the command line name an agent.

Agent modules are imported lazily, so naming `random` does not load numba or flax.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping

from agents.base import Agent
from games import Game, SpecError, parse_spec
from games import make as make_game


@dataclasses.dataclass(frozen=True)
class AgentInfo:
    """A registry entry: where the factory lives and what options it takes."""

    module: str
    factory: str
    summary: str
    options: Mapping[str, str]  # option name -> help text


REGISTRY: dict[str, AgentInfo] = {
    "random": AgentInfo("agents.random_agent", "make_random", "uniformly random legal moves",
                        {}),
    "solver": AgentInfo("agents.solver.agent", "make_solver", "exact solver (perfect play); depth=/time= for weaker baselines",
                        {"depth": "search N plies, heuristic beyond", "time": "seconds per move, heuristic if the exact search does not fit",
                         "book": "opening book on standard connect four: true (default) or false"}),
    "mcts": AgentInfo("agents.mcts_agent", "make_mcts", "MCTS: uniform priors, random-rollout values (mctx)",
                      {"sims": "simulations per move (default 800)", "policy": "puct (default) or gumbel",
                       "rollouts": "random playouts per leaf (default 4; 0 = value 0)",
                       "temperature": "0 = best move (default), >0 samples", "noise": "root Dirichlet fraction 0..1",
                       "c": "PUCT constant", "scale": "Q scaling: fixed (default) or minmax",
                       "considered": "gumbel root actions (default 16)"}),
    "az": AgentInfo("agents.network_agent", "make_az", "policy/value network guiding MCTS (AlphaZero)",
                    {"checkpoint": "model folder (default: the board's released model)", "sims": "simulations (default 200)",
                     "policy": "gumbel (default) or puct", "temperature": "0 = best move (default), >0 samples",
                     "noise": "root Dirichlet fraction 0..1", "c": "PUCT constant (default 1.25)",
                     "scale": "puct Q scaling: minmax (default) or fixed", "considered": "gumbel root actions (default 16)"}),
    "policy": AgentInfo("agents.network_agent", "make_policy", "the raw policy network, no search",
                        {"checkpoint": "model folder (default: the board's released model)",
                         "temperature": "0 = most likely move (default), >0 samples"}),
}


def describe_agents() -> str:
    """One line per agent with its options, for help texts and error messages."""
    lines = []
    for name, info in REGISTRY.items():
        opts = ",".join(f"{k}=" for k in info.options)
        lines.append(f"  {name}{':' + opts if opts else ''}  {info.summary}")
    return "\n".join(lines)


def check_options(spec: str, options: Mapping[str, str], valid: Mapping[str, str]) -> None:
    """Rejects options an agent does not know, listing the ones it does."""
    for key in options:
        if key not in valid:
            listed = ", ".join(valid) if valid else "none"
            raise SpecError(f"unknown option {key!r} in agent {spec!r}; valid options: {listed}")


def make(spec: str, game: Game | str, *, seed: int = 0) -> Agent:
    """Builds an agent from `name[:key=value,...]` for `game`.

    Raises `SpecError` (one line, listing what is valid) for unknown names or options and bad
    values; agent factories raise `SuiteError` subclasses for missing or mismatched files.
    """
    game = make_game(game)
    name, options = parse_spec(spec, kind="agent spec")
    info = REGISTRY.get(name)
    if info is None:
        raise SpecError(f"unknown agent {name!r} in {spec!r}; valid agents: {', '.join(REGISTRY)}")
    check_options(spec, options, info.options)
    factory: Callable[..., Agent] = getattr(importlib.import_module(info.module), info.factory)
    return factory(game, options, spec=spec.strip(), seed=seed)
