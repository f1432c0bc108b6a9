"""Engine throughput: batched random playouts through the JAX rules, in steps per second.

Two modes, as pgx measures itself: `scan` runs many steps in one jitted `lax.scan` with
auto-reset of finished games (no host round trip), `call` runs one jitted step per Python call.
A step is one move in one game, so steps/s = batch x moves / seconds.
"""

from __future__ import annotations

import argparse
import time

NAME = "engine"
HELP = "random-playout steps per second for a range of batch sizes"
PGX_CONNECT4_CALL_1024 = 530_000  # ANCHORS.md: pgx connect_four, one jitted step per call, batch 1024
PGX_CONNECT4_SCAN_1024 = 860_000  # ANCHORS.md: pgx connect_four, jitted scan with auto-reset


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--games", nargs="+", default=["connect4", "tictactoe"], help="game specs")
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 64, 1024, 4096])
    parser.add_argument("--steps", type=int, default=256, help="moves per timed scan")
    parser.add_argument("--repeats", type=int, default=5, help="timed repetitions (best is kept)")
    parser.add_argument("--mode", choices=["scan", "call", "both"], default="both")
    parser.add_argument("--seed", type=int, default=0)


def make_scan_runner(game, batch: int, steps: int):
    """A jitted function (states, key) -> (states, key) playing `steps` random moves per game."""
    import jax
    import jax.numpy as jnp

    from agents.random_agent import random_actions

    fresh = game.init_batch(batch)
    step = jax.vmap(game.step)

    def body(carry, _):
        states, key = carry
        key, sub = jax.random.split(key)
        states = step(states, random_actions(game, states, sub))
        done = states.terminal
        states = jax.tree.map(
            lambda init, s: jnp.where(done.reshape((-1,) + (1,) * (s.ndim - 1)), init, s), fresh, states
        )
        return (states, key), None

    @jax.jit
    def run(states, key):
        (states, key), _ = jax.lax.scan(body, (states, key), None, length=steps)
        return states, key

    return fresh, run


def make_call_runner(game, batch: int):
    """A jitted single step with auto-reset, called once per move from Python."""
    fresh, run = make_scan_runner(game, batch, 1)
    return fresh, run


def measure(game, batch: int, steps: int, repeats: int, mode: str, seed: int) -> float:
    """Best steps/s over `repeats` timed runs, after one warm-up run (compilation)."""
    import jax

    key = jax.random.key(seed)
    if mode == "scan":
        states, run = make_scan_runner(game, batch, steps)
        calls = 1
    else:
        states, run = make_call_runner(game, batch)
        calls = steps
    states, key = run(states, key)
    jax.block_until_ready(states)
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            states, key = run(states, key)
        jax.block_until_ready(states)
        best = max(best, batch * steps / (time.perf_counter() - start))
    return best


def run(args: argparse.Namespace) -> int:
    import jax

    import games

    modes = ["scan", "call"] if args.mode == "both" else [args.mode]
    print(f"engine benchmark on {jax.devices()[0].platform} ({jax.device_count()} device(s)); "
          f"{args.steps} random moves per game, best of {args.repeats}")
    print(f"{'game':<28} {'mode':<5} {'batch':>6} {'steps/s':>12}  vs pgx (ANCHORS, 2-core machine)")
    for spec in args.games:
        game = games.make(spec)
        for mode in modes:
            for batch in args.batch:
                rate = measure(game, batch, args.steps, args.repeats, mode, args.seed)
                ratio = ""
                if game.spec == games.make("connect4").spec and batch == 1024:
                    peer = PGX_CONNECT4_SCAN_1024 if mode == "scan" else PGX_CONNECT4_CALL_1024
                    ratio = f"{rate / peer:5.2f}x of {peer / 1000:.0f}k"
                print(f"{game.spec:<28} {mode:<5} {batch:>6} {rate:>12,.0f}  {ratio}", flush=True)
    return 0
