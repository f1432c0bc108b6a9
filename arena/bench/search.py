"""Search speed: MCTS simulations per second, single-move latency, and compile/start-up time.

Figures printed, each with its ratio to the peers measured on the 2-core machine (ANCHORS.md):
- `mcts` batched (uniform priors, random-rollout values) in simulations/s for a grid of batch
  sizes and simulation counts, against OpenSpiel's MCTSBot (~0.3 s per 1000-simulation move,
  i.e. ~3,300 simulations/s for one game) and mctx + pgx with uniform priors and no network
  (~180-360k simulations/s at 32 simulations, batch 256);
- one-game latency (median over moves after warm-up) of `mcts:sims=1000` and of `az` with 200
  simulations on connect four (the released model unless --checkpoint; random-init weights of
  the default size for a variant without one);
- compile: time to the first `az` move in a fresh process with an empty compilation cache,
  then in a second fresh process that finds the cache (the window's second start).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

NAME = "search"
HELP = "MCTS simulations/s, one-move latency of mcts and az, compile and second-start time"
OPENSPIEL_SECONDS_PER_1000 = 0.3  # ANCHORS.md: MCTSBot, random rollouts, one game, 1000 simulations
MCTX_PGX_UNIFORM = (180_000, 360_000)  # ANCHORS.md: mctx + pgx, uniform priors, 32 sims, batch 256


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--game", default="connect4", help="game spec (default connect4)")
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 16, 64, 256])
    parser.add_argument("--sims", type=int, nargs="+", default=[32, 1000])
    parser.add_argument("--rollouts", type=int, nargs="+", default=[4, 1, 0],
                        help="playouts per leaf for the throughput grid (0 = uniform priors, value 0)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repetitions (best is kept)")
    parser.add_argument("--moves", type=int, default=10, help="moves timed for the latency figures")
    parser.add_argument("--checkpoint", default=None, help="az model folder (default: the released model, else a random-init net)")
    parser.add_argument("--az-sims", type=int, default=200)
    parser.add_argument("--skip", nargs="*", default=[], choices=["throughput", "latency", "startup"])
    parser.add_argument("--openspiel-seconds", type=float, default=OPENSPIEL_SECONDS_PER_1000,
                        help="MCTSBot's seconds per 1000-simulation move to compare with (default: ANCHORS.md's "
                             "0.3; measured on this machine by arena/bench/peers/openspiel_mcts.py)")
    parser.add_argument("--seed", type=int, default=0)


def throughput(game, batch: int, sims: int, rollouts: int, repeats: int, seed: int) -> float:
    """Best simulations/s of one jitted batched search over `repeats` runs after a warm-up."""
    import jax

    from agents.search import RolloutEvaluator, SearchSettings, compiled_search

    search = compiled_search(game, RolloutEvaluator(game, rollouts), SearchSettings(sims, policy="puct",
                                                                                     value_scale="fixed"))
    states = game.init_batch(batch)
    key = jax.random.key(seed)
    jax.block_until_ready(search(None, states, key))
    best = 0.0
    for i in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(search(None, states, jax.random.fold_in(key, i)))
        best = max(best, batch * sims / (time.perf_counter() - start))
    return best


def _opening(game, moves: int, seed: int):
    """A short random opening, so latency is timed on real middlegame positions."""
    import numpy as np

    rng = np.random.default_rng(seed)
    state = game.init()
    for _ in range(moves):
        state = game.play(state, int(rng.choice(game.legal_actions(state))))
    return state


def latency(agent, game, moves: int, seed: int) -> tuple[float, float]:
    """(first move incl. compile, median of the next `moves` moves) in seconds, one game."""
    state = _opening(game, 4, seed)
    start = time.perf_counter()
    state = game.play(state, agent.select_move(state))
    first = time.perf_counter() - start
    times = []
    for _ in range(moves):
        if bool(state.terminal):
            state = _opening(game, 4, seed + len(times))
        start = time.perf_counter()
        action = agent.select_move(state)
        times.append(time.perf_counter() - start)
        state = game.play(state, action)
    return first, statistics.median(times)


def az_agent(game, checkpoint: str | None, sims: int, tmp: str):
    """`az` from --checkpoint, else the released model (what the window plays), else a freshly
    saved random-init net of the default size (a variant with no released model)."""
    import agents
    from agents.checkpoint import default_checkpoint, save_model
    from agents.network import default_config, init_network

    if checkpoint is None and game.is_standard and default_checkpoint(game).is_dir():
        checkpoint = str(default_checkpoint(game))
    if checkpoint is None:
        config = default_config(game)
        _, params = init_network(config)
        checkpoint = str(save_model(os.path.join(tmp, "random-net"), game, config, params))
    return agents.make(f"az:checkpoint={checkpoint},sims={sims}", game), checkpoint


_CHILD = """
import json, sys, time
start = time.perf_counter()
from agents.compile_cache import enable_compilation_cache
enable_compilation_cache()
import agents, games
game = games.make(sys.argv[1])
agent = agents.make(sys.argv[2], game)
ready = time.perf_counter()
agent.select_move(game.from_moves(sys.argv[3]))
done = time.perf_counter()
print(json.dumps({"imports_and_load": ready - start, "first_move": done - ready, "total": done - start}))
"""


def start_up(game_spec: str, agent_spec: str, cache_dir: str) -> dict[str, float]:
    """Times a fresh Python process from start to its first move, with `cache_dir` as the cache."""
    env = dict(os.environ, KINROW_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", _CHILD, game_spec, agent_spec, ""], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(args: argparse.Namespace) -> int:
    import jax

    import agents
    import games

    game = games.make(args.game)
    peer_seconds = args.openspiel_seconds
    peer_per_sim = 1000 / peer_seconds
    print(f"search benchmark on {jax.devices()[0].platform} ({os.cpu_count()} CPUs), game {game.spec}; "
          "timings on shared machines are noisy")
    if "throughput" not in args.skip:
        print(f"\n{'playouts':>8} {'batch':>6} {'sims':>6} {'sims/s':>10}  vs OpenSpiel MCTSBot "
              f"({peer_per_sim:,.0f} sims/s, 1 game)  vs mctx+pgx uniform (180-360k)")
        for rollouts in args.rollouts:
            for sims in args.sims:
                for batch in args.batch:
                    rate = throughput(game, batch, sims, rollouts, args.repeats, args.seed)
                    peer = ""
                    if rollouts == 0 and sims == 32 and batch == 256:
                        peer = f"{rate / MCTX_PGX_UNIFORM[1]:.2f}-{rate / MCTX_PGX_UNIFORM[0]:.2f}x"
                    print(f"{rollouts:>8} {batch:>6} {sims:>6} {rate:>10,.0f}  {rate / peer_per_sim:>8.1f}x"
                          f"{'':>30}{peer}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        az, checkpoint = az_agent(game, args.checkpoint, args.az_sims, tmp)
        if "latency" not in args.skip:
            print(f"\none game, one move at a time (median after warm-up); az model: {checkpoint}")
            mcts = agents.make("mcts:sims=1000", game, seed=args.seed)
            for name, agent in (("mcts:sims=1000", mcts), (f"az:sims={args.az_sims}", az)):
                first, median = latency(agent, game, args.moves, args.seed)
                note = ""
                if name.startswith("mcts"):
                    note = f"  OpenSpiel MCTSBot {peer_seconds:.3g} s: {peer_seconds / median:.1f}x faster"
                print(f"  {name:<16} first move {first:6.2f} s (compile)  median {median * 1000:7.1f} ms{note}",
                      flush=True)
        if "startup" not in args.skip:
            print("\nfresh process to first az move (imports, model load, compile or cache):")
            cache = os.path.join(tmp, "jax-cache")
            spec = f"az:checkpoint={checkpoint},sims={args.az_sims}"
            cold = start_up(game.spec, spec, cache)
            warm = start_up(game.spec, spec, cache)
            for label, figures in (("empty cache (cold)", cold), ("second start (cached)", warm)):
                print(f"  {label:<22} first move {figures['first_move']:6.2f} s, "
                      f"total {figures['total']:6.2f} s", flush=True)
    return 0
