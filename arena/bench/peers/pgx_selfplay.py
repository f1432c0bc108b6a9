"""pgx + mctx + flax self-play, the same protocol as `arena bench selfplay` (run in a scratch venv).

Follows pgx's AlphaZero example (examples/alphazero/train.py): a `lax.scan` over `--steps`
moves of `--batch` games with auto-reset, one mctx search of `--sims` simulations per move with
the network as prior and value (Gumbel: `gumbel_muzero_policy`, `qtransform_completed_by_mix_value`,
gumbel_scale 1; PUCT: `muzero_policy` with Dirichlet root noise 0.25 / 0.3, as our trainer).
The network is a flax (linen) ResNet with the same trunk as ours: a 3x3 conv stem, `--blocks`
residual blocks of two 3x3 convs with LayerNorm, policy and value heads (value hidden layer
`--value-hidden`); its parameter count is reported so the sizes can be checked side by side.
Positions/s = batch x steps / seconds, best of `--repeats` timed calls after the first
(compiling) call.

pgx is never a dependency of this project: run this in a scratch venv (peers/README.md).
`arena bench selfplay --peer-python /tmp/pgxenv/bin/python` runs it in the same run as ours;
by hand:

    /tmp/pgxenv/bin/python arena/bench/peers/pgx_selfplay.py --channels 32 --blocks 3 --batch 64 --steps 8

Prints human-readable lines, then one JSON object on its last line (what the bench reads).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import time

import flax.linen as nn
import jax
import jax.numpy as jnp
import mctx
import pgx


class Net(nn.Module):
    channels: int
    blocks: int
    actions: int
    value_hidden: int

    @nn.compact
    def __call__(self, x):
        x = nn.relu(nn.LayerNorm()(nn.Conv(self.channels, (3, 3), use_bias=False)(x)))
        for _ in range(self.blocks):
            y = nn.relu(nn.LayerNorm()(nn.Conv(self.channels, (3, 3), use_bias=False)(x)))
            y = nn.LayerNorm()(nn.Conv(self.channels, (3, 3), use_bias=False)(y))
            x = nn.relu(x + y)
        p = nn.relu(nn.Conv(2, (1, 1))(x)).reshape(x.shape[0], -1)
        v = nn.relu(nn.Conv(1, (1, 1))(x)).reshape(x.shape[0], -1)
        v = nn.tanh(nn.Dense(1)(nn.relu(nn.Dense(self.value_hidden)(v))))[:, 0]
        return nn.Dense(self.actions)(p), v


def make_selfplay(env, net, args):
    """A jitted (params, states, key) -> (states, (observations, policy targets)) of `steps` moves."""

    def recurrent_fn(params, key, action, state):
        player = state.current_player
        state = jax.vmap(env.step)(state, action)
        logits, value = net.apply(params, state.observation)
        logits = jnp.where(state.legal_action_mask, logits - logits.max(-1, keepdims=True),
                           jnp.finfo(logits.dtype).min)
        reward = state.rewards[jnp.arange(state.rewards.shape[0]), player]
        value = jnp.where(state.terminated, 0.0, value)
        discount = jnp.where(state.terminated, 0.0, -1.0 * jnp.ones_like(value))
        return mctx.RecurrentFnOutput(reward=reward, discount=discount, prior_logits=logits, value=value), state

    def auto_reset(state, action, key):
        state = env.step(state, action)
        return jax.lax.cond(state.terminated | state.truncated, lambda: env.init(key), lambda: state)

    def search(params, key, root, invalid):
        if args.policy == "gumbel":
            return mctx.gumbel_muzero_policy(params, key, root, recurrent_fn, args.sims, invalid_actions=invalid,
                                             qtransform=mctx.qtransform_completed_by_mix_value, gumbel_scale=1.0)
        return mctx.muzero_policy(params, key, root, recurrent_fn, args.sims, invalid_actions=invalid,
                                  dirichlet_fraction=0.25, dirichlet_alpha=0.3, temperature=1.0)

    @jax.jit
    def selfplay(params, state, key):
        def step_fn(state, key):
            k1, k2 = jax.random.split(key)
            logits, value = net.apply(params, state.observation)
            root = mctx.RootFnOutput(prior_logits=logits, value=value, embedding=state)
            out = search(params, k1, root, ~state.legal_action_mask)
            state = jax.vmap(auto_reset)(state, out.action, jax.random.split(k2, args.batch))
            return state, (state.observation, out.action_weights)

        return jax.lax.scan(step_fn, state, jax.random.split(key, args.steps))

    return selfplay


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default="connect_four", help="pgx environment id (connect_four, tic_tac_toe)")
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--value-hidden", type=int, default=64)
    parser.add_argument("--sims", type=int, default=32)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=16, help="moves per timed self-play call")
    parser.add_argument("--policy", choices=["gumbel", "puct"], default="gumbel")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls (the best is kept)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    env = pgx.make(args.game)
    net = Net(args.channels, args.blocks, env.num_actions, args.value_hidden)
    key = jax.random.key(args.seed)
    params = net.init(key, jnp.zeros((1, *env.observation_shape)))
    parameters = sum(x.size for x in jax.tree.leaves(params))
    selfplay = make_selfplay(env, net, args)
    state = jax.jit(jax.vmap(env.init))(jax.random.split(key, args.batch))
    start = time.perf_counter()
    state, data = selfplay(params, state, key)
    jax.block_until_ready(data)
    compile_s = time.perf_counter() - start
    print(f"network: {parameters:,} parameters; first call (compile): {compile_s:.1f} s", flush=True)
    runs = []
    for i in range(args.repeats):
        start = time.perf_counter()
        state, data = selfplay(params, state, jax.random.fold_in(key, i + 1))
        jax.block_until_ready(data)
        runs.append(args.batch * args.steps / (time.perf_counter() - start))
    best = max(runs)
    print(f"pgx + mctx + flax self-play, {args.game}, ResNet {args.channels}x{args.blocks}, {args.sims} sims "
          f"({args.policy}), batch {args.batch}: {best:,.1f} positions/s", flush=True)
    print(json.dumps({
        "peer": "pgx + mctx + flax",
        "versions": {name: importlib.metadata.version(name) for name in ("pgx", "mctx", "flax", "jax")},
        "settings": {"game": args.game, "channels": args.channels, "blocks": args.blocks,
                     "value_hidden": args.value_hidden, "sims": args.sims, "batch": args.batch,
                     "steps": args.steps, "policy": args.policy},
        "parameters": parameters, "compile_s": compile_s, "runs": runs, "positions_per_s": best,
    }))


if __name__ == "__main__":
    main()
