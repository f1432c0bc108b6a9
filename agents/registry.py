"""`agents.make(spec, game)`: the one way the API and the command line name an agent.

Each agent is declared here once: its factory and its typed options (`agents.options.Option`:
type, default, bounds, help). That declaration parses specs, writes the help (`describe_agents`),
names what is valid in errors, and tells the window which option sets strength.

Factories are plain functions that import their agent's module when called, so naming `random`
does not load numba, mctx or a checkpoint, and a reader can follow every call from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from agents.options import (
    Option,
    OptionValue,
    check_options,
    declare,
    read_options,
    with_defaults,
    write_spec,
)
from agents.search_settings import MAX_SIMULATIONS, MAX_TEMPERATURE, POLICIES, VALUE_SCALES, SearchSettings
from agents.solver.limits import MAX_DEPTH, MAX_SECONDS
from games import Game, SpecError, parse_spec
from games import make as make_game
from games.game import MAX_CELLS

if TYPE_CHECKING:
    from agents.base import Agent

Values = Mapping[str, OptionValue]  # every declared option of an agent, typed (defaults filled in)
Factory = Callable[..., "Agent"]  # (game, values, *, spec, seed) -> Agent

# Four playouts per leaf (batched inside JAX, so cheap) and Q on a fixed [-1, 1] scale: against
# OpenSpiel's MCTSBot at 1000 simulations this scored 8/10 where one playout scored 4.5/10 and
# mctx's min-max Q scaling 0/10 (see the search bench notes in the README).
DEFAULT_ROLLOUTS = 4


@dataclasses.dataclass(frozen=True)
class AgentInfo:
    """A registry entry: the agent's name, its factory and its typed options."""

    name: str
    summary: str
    factory: Factory
    options: Mapping[str, Option]

    @property
    def strength(self) -> Option | None:
        """The option that sets how strongly the agent plays (`sims`, `depth`), if it has one."""
        return next((o for o in self.options.values() if o.strength), None)

    def read(self, spec: str, raw: Mapping[str, str]) -> dict[str, OptionValue]:
        """The options `spec` gives (raw text by name), typed and checked; see `read_options`."""
        return read_options(spec, raw, self.options)

    def values(self, given: Mapping[str, OptionValue]) -> dict[str, OptionValue]:
        """Every option's value: the given ones, the declared defaults for the rest."""
        return with_defaults(given, self.options)

    def settings(self, values: Values) -> SearchSettings:
        """The `SearchSettings` of a search agent's option values (each option names its field)."""
        return SearchSettings(**{o.setting: values[o.name] for o in self.options.values() if o.setting})

    def describe(self) -> list[tuple[str, str]]:
        """(usage, help) rows: the agent and its summary, then `name:option=...` and each option's help."""
        rows = [(self.name, self.summary)]
        rows += [(f"{self.name}:{o.usage()}", o.describe()) for o in self.options.values()]
        return rows


# ---- factories: import the agent's module, build the agent from typed option values ----------
def _random(game: Game, values: Values, *, spec: str, seed: int) -> Agent:
    from agents.random_agent import RandomAgent

    return RandomAgent(game, "random", seed)


def _solver(game: Game, values: Values, *, spec: str, seed: int) -> Agent:
    from agents.solver.agent import make_solver

    return make_solver(game, spec=spec, seed=seed, depth=values["depth"], time_s=values["time"],
                       book=values["book"])


def _mcts(game: Game, values: Values, *, spec: str, seed: int) -> Agent:
    from agents.mcts_agent import make_mcts

    return make_mcts(game, spec=spec, seed=seed, settings=REGISTRY["mcts"].settings(values),
                     rollouts=values["rollouts"])


def _az(game: Game, values: Values, *, spec: str, seed: int) -> Agent:
    from agents.network_agent import make_az

    return make_az(game, spec=spec, seed=seed, settings=REGISTRY["az"].settings(values),
                   checkpoint=values["checkpoint"])


def _policy(game: Game, values: Values, *, spec: str, seed: int) -> Agent:
    from agents.network_agent import make_policy

    return make_policy(game, spec=spec, seed=seed, temperature=values["temperature"],
                       checkpoint=values["checkpoint"])


# ---- the options ------------------------------------------------------------------------------
CHECKPOINT = Option("checkpoint", str, None, "model folder", metavar="PATH",
                    default_text="the board's released model in the model store")


def search_options(*, sims: int, policy: str, scale: str = SearchSettings.value_scale,
                   evaluator: tuple[Option, ...] = ()) -> tuple[Option, ...]:
    """The options of a search agent; defaults are `SearchSettings`' except the ones named here.

    `evaluator` options (how leaves are valued) are listed after the search policy.
    """
    return (
        Option("sims", int, sims, "simulations per move", minimum=1, maximum=MAX_SIMULATIONS,
               setting="num_simulations", strength=True),
        Option("policy", str, policy, "search: puct (AlphaZero) or gumbel (Gumbel AlphaZero)", choices=POLICIES,
               setting="policy"),
        *evaluator,
        Option("temperature", float, SearchSettings.temperature, "0 = best move, >0 samples", minimum=0.0,
               maximum=MAX_TEMPERATURE, setting="temperature"),
        Option("noise", float, SearchSettings.dirichlet_fraction, "root Dirichlet noise fraction", minimum=0.0,
               maximum=1.0, setting="dirichlet_fraction"),
        Option("c", float, SearchSettings.pb_c_init, "PUCT exploration constant", minimum=0.0, maximum=1000.0,
               setting="pb_c_init"),
        Option("scale", str, scale, "Q scaling of puct: minmax by the siblings' range, fixed keeps [-1, 1]",
               choices=VALUE_SCALES, setting="value_scale"),
        Option("considered", int, SearchSettings.max_num_considered_actions, "gumbel root actions", minimum=1,
               maximum=MAX_CELLS, setting="max_num_considered_actions"),
    )


ROLLOUTS = Option("rollouts", int, DEFAULT_ROLLOUTS, "random playouts per leaf, 0 = value 0", minimum=0,
                  maximum=1024)

REGISTRY: dict[str, AgentInfo] = {info.name: info for info in (
    AgentInfo("random", "uniformly random legal moves", _random, declare()),
    AgentInfo("solver", "exact solver (perfect play); depth=/time= for weaker baselines", _solver, declare(
        Option("depth", int, None, "search N plies, heuristic beyond", minimum=1, maximum=MAX_DEPTH,
               default_text="none, exact play", strength=True),
        Option("time", float, None, "seconds per move: exact if it fits, else heuristic deepening",
               positive=True, maximum=MAX_SECONDS, metavar="S", default_text="none, exact play"),
        Option("book", bool, True, "opening book on standard connect four; false measures the pure search"),
    )),
    AgentInfo("mcts", "MCTS: uniform priors, random-rollout values (mctx)", _mcts, declare(
        *search_options(sims=800, policy="puct", scale="fixed", evaluator=(ROLLOUTS,)),
    )),
    AgentInfo("az", "policy/value network guiding MCTS (AlphaZero)", _az, declare(
        CHECKPOINT, *search_options(sims=200, policy="gumbel"),
    )),
    AgentInfo("policy", "the raw policy network, no search", _policy, declare(
        CHECKPOINT,
        Option("temperature", float, 0.0, "0 = most likely move, >0 samples", minimum=0.0, maximum=MAX_TEMPERATURE),
    )),
)}


def describe_agents() -> str:
    """The agents and their options (usage, help, bounds, default), for help texts."""
    width = max(len(usage) for info in REGISTRY.values() for usage, _ in info.describe()[1:]) + 2
    lines = []
    for info in REGISTRY.values():
        (name, summary), *options = info.describe()
        lines.append(f"  {name:<{width + 2}}{summary}")
        lines += [f"    {usage:<{width}}{text}" for usage, text in options]
    return "\n".join(lines)


def read_spec(spec: str) -> tuple[AgentInfo, dict[str, OptionValue]]:
    """The registry entry `spec` names and the options it gives, typed (one-line SpecError if not)."""
    name, raw = parse_spec(spec, kind="agent spec")
    info = REGISTRY.get(name)
    if info is None:
        raise SpecError(f"unknown agent {name!r} in {spec!r}; valid agents: {', '.join(REGISTRY)}")
    return info, info.read(spec.strip(), raw)


def with_options(spec: str, **values: Any) -> str:
    """`spec` with options set to typed values (None: unset), each checked by its declaration.

    The other options keep their values; the result is written from the typed values, e.g.
    `with_options("solver:book=false", time=30.0)` -> `solver:book=false,time=30`.
    """
    info, given = read_spec(spec)
    check_options(spec, values, info.options)
    for key, value in values.items():
        given[key] = None if value is None else info.options[key].check(value, spec=spec)
    return write_spec(info.name, given, info.options)


def make(spec: str, game: Game | str, *, seed: int = 0) -> Agent:
    """Builds an agent from `name[:key=value,...]` for `game`.

    Raises `SpecError` (one line, listing what is valid) for unknown names or options and bad
    values; agent factories raise `SuiteError` subclasses for missing or mismatched files.
    """
    game = make_game(game)
    info, given = read_spec(spec)
    return info.factory(game, info.values(given), spec=spec.strip(), seed=seed)
