"""`SearchSettings`: the knobs of one mctx search, their defaults written here once.

Kept apart from agents/search.py (which imports mctx) so that the agent registry, the training
config and the command line can name the settings and their bounds without loading the search.
Agents build their settings from typed options (agents/registry.py), training from its flat
config (`TrainConfig.search_settings`), benches directly.
"""

from __future__ import annotations

import dataclasses

POLICIES = ("puct", "gumbel")
VALUE_SCALES = ("minmax", "fixed")
# Upper bounds of the agent options, so that nothing absurd reaches JAX: a temperature of 100 is
# already uniform sampling; a million simulations is hours per move on any machine.
MAX_TEMPERATURE = 100.0
MAX_SIMULATIONS = 1_000_000


@dataclasses.dataclass(frozen=True)
class SearchSettings:
    """The static knobs of `run_search` (frozen and hashable: equal settings share a compiled search).

    policy: "puct" (AlphaZero's PUCT, `mctx.muzero_policy`) or "gumbel" (Gumbel AlphaZero,
      `mctx.gumbel_muzero_policy`, strong with few simulations).
    temperature: puct samples the move from visit counts^(1/temperature) (0 = most visited);
      gumbel scales its Gumbel noise by it (0 = deterministic, 1 = the paper's self-play).
    dirichlet_fraction, dirichlet_alpha: root noise for self-play exploration (0 = none).
    max_num_considered_actions (gumbel): root actions sampled for sequential halving.
    pb_c_init (puct): the exploration constant.
    value_scale (puct): "minmax" rescales Q by the parent's and siblings' range (mctx's default,
      suited to a network's values); "fixed" maps [-1, 1] to [0, 1], which explores more evenly
      when values are noisy rollout results, as classic UCT does.
    """

    num_simulations: int
    policy: str = "gumbel"
    temperature: float = 0.0
    dirichlet_fraction: float = 0.0
    dirichlet_alpha: float = 0.3
    max_num_considered_actions: int = 16
    pb_c_init: float = 1.25
    value_scale: str = "minmax"

    def __post_init__(self) -> None:
        # Users' options are checked with one-line SpecErrors before they get here; this guards
        # code that builds settings directly (benches, training) from a typo reaching mctx.
        if self.policy not in POLICIES:
            raise ValueError(f"unknown search policy {self.policy!r}; valid: {', '.join(POLICIES)}")
        if self.value_scale not in VALUE_SCALES:
            raise ValueError(f"unknown value scale {self.value_scale!r}; valid: {', '.join(VALUE_SCALES)}")
