"""pgx connect_four random play, same protocol as `arena bench engine` (scan w/ auto-reset, and one call per step)."""
import sys
import time

import jax
import jax.numpy as jnp
import pgx

env = pgx.make("connect_four")
B = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
STEPS = 256
init = jax.jit(jax.vmap(env.init))
step = jax.vmap(env.step)
key = jax.random.key(0)
FRESH = init(jax.random.split(key, B))


def body(carry, _):
    s, key = carry
    key, k1 = jax.random.split(key)
    logits = jnp.where(s.legal_action_mask, 0.0, -jnp.inf)
    a = jax.random.categorical(k1, logits, axis=-1)
    s = step(s, a)
    done = s.terminated
    s = jax.tree.map(lambda i, x: jnp.where(done.reshape((-1,) + (1,) * (x.ndim - 1)), i, x), FRESH, s)
    return (s, key), None


def make_run(n):
    @jax.jit
    def run(s, key):
        (s, key), _ = jax.lax.scan(body, (s, key), None, length=n)
        return s, key
    return run


s = FRESH
for mode, n, calls in (("scan", STEPS, 1), ("call", 1, STEPS)):
    run = make_run(n)
    s, key = run(s, key)
    jax.block_until_ready(s)
    best = 0.0
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(calls):
            s, key = run(s, key)
        jax.block_until_ready(s)
        best = max(best, B * STEPS / (time.perf_counter() - t))
    print(f"pgx connect_four {mode} batch {B}: {best:,.0f} steps/s", flush=True)
