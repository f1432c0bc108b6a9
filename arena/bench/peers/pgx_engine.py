"""pgx random play, the same protocol as `arena bench engine`: `scan` (many moves in one jitted
`lax.scan`, finished games reset to the initial state) and `call` (one jitted move per Python
call), steps/s = batch x moves / seconds, best of `--repeats` timed runs after a warm-up.

pgx is never a dependency of this project: run this in a scratch venv (peers/README.md).
`arena bench engine --peer-python /tmp/pgxenv/bin/python` runs it in the same run as ours;
by hand:

    /tmp/pgxenv/bin/python arena/bench/peers/pgx_engine.py --game connect_four --batch 1024

Prints one line per measurement, then one JSON object on its last line (what the bench reads).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import time

import jax
import jax.numpy as jnp
import pgx


def make_runner(env, fresh, moves: int):
    """A jitted (states, key) -> (states, key) playing `moves` uniformly random legal moves."""
    step = jax.vmap(env.step)

    def body(carry, _):
        states, key = carry
        key, sub = jax.random.split(key)
        logits = jnp.where(states.legal_action_mask, 0.0, -jnp.inf)
        states = step(states, jax.random.categorical(sub, logits, axis=-1))
        done = states.terminated | states.truncated
        states = jax.tree.map(
            lambda init, s: jnp.where(done.reshape((-1,) + (1,) * (s.ndim - 1)), init, s), fresh, states)
        return (states, key), None

    @jax.jit
    def run(states, key):
        (states, key), _ = jax.lax.scan(body, (states, key), None, length=moves)
        return states, key

    return run


def measure(env, batch: int, steps: int, repeats: int, mode: str, seed: int) -> float:
    """Best steps/s over `repeats` timed runs of `steps` moves per game, after one warm-up run."""
    key = jax.random.key(seed)
    fresh = jax.jit(jax.vmap(env.init))(jax.random.split(key, batch))
    moves, calls = (steps, 1) if mode == "scan" else (1, steps)
    run = make_runner(env, fresh, moves)
    states, key = run(fresh, key)
    jax.block_until_ready(states)
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            states, key = run(states, key)
        jax.block_until_ready(states)
        best = max(best, batch * steps / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default="connect_four", help="pgx environment id (connect_four, tic_tac_toe)")
    parser.add_argument("--batch", type=int, nargs="+", default=[1024])
    parser.add_argument("--steps", type=int, default=256, help="moves per game per timed run")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs (the best is kept)")
    parser.add_argument("--modes", nargs="+", choices=["scan", "call"], default=["scan", "call"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    env = pgx.make(args.game)
    results = []
    for mode in args.modes:
        for batch in args.batch:
            rate = measure(env, batch, args.steps, args.repeats, mode, args.seed)
            print(f"pgx {args.game} {mode} batch {batch}: {rate:,.0f} steps/s", flush=True)
            results.append({"mode": mode, "batch": batch, "steps_per_s": rate})
    print(json.dumps({
        "peer": "pgx", "versions": {"pgx": importlib.metadata.version("pgx"), "jax": jax.__version__},
        "game": args.game, "steps": args.steps, "repeats": args.repeats, "results": results,
    }))


if __name__ == "__main__":
    main()
