"""Is the release's 800-simulation search held back by how much Gumbel trusts its Q-values?

Gumbel MuZero (mctx's `gumbel_muzero_policy`) picks moves by logits + sigma(completed Q), with
sigma = (maxvisit_init + max visits) * value_scale * Q; mctx's defaults are 50 and 0.1, which the
suite's `az` agent uses. This runs one Pons set through `arena eval` with another `value_scale`
(c_scale), the rest as the release is measured, by handing mctx that Q transform for this process
only (a pilot: the suite has no option for it, and gets one only if it pays):

    python docs/study/connect4-ablation/qscale_pilot.py 0.3 begin-hard > OUT.json

Round twenty-four's pilot (the study README): 0.3 and 1.0 make 39 and 37 mistakes on all 1,000
Begin-Hard positions against the default's 36; the search's mistakes are the net's.
"""
import functools
import sys
from pathlib import Path

import mctx  # agents.search calls mctx.gumbel_muzero_policy by name, so patching it here reaches the search

from arena.cli import main

MODEL = Path(__file__).resolve().parent / "models" / "GF64x6-10k"

if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: qscale_pilot.py VALUE_SCALE SET")
    scale = float(sys.argv[1])
    mctx.gumbel_muzero_policy = functools.partial(
        mctx.gumbel_muzero_policy,
        qtransform=functools.partial(mctx.qtransform_completed_by_mix_value, value_scale=scale))
    sys.exit(main(["eval", f"az:checkpoint={MODEL},sims=800", "--set", sys.argv[2], "--limit", "0", "--json"]))
