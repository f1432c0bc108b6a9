"""pgx + mctx + flax self-play, the same protocol as `arena bench selfplay` (run in a scratch venv).

Follows pgx's AlphaZero example (examples/alphazero/train.py): a `lax.scan` over moves of
`batch` connect-four games with auto-reset, one `mctx.gumbel_muzero_policy` search of `sims`
simulations per move with the network as prior and value, `qtransform_completed_by_mix_value`.
The network is a flax (linen) ResNet with the same trunk as ours: a 3x3 conv stem, `blocks`
residual blocks of two 3x3 convs with LayerNorm, policy and value heads.

    python arena/bench/peers/pgx_selfplay.py [channels] [blocks] [sims] [batch] [steps]
"""
import sys
import time

import flax.linen as nn
import jax
import jax.numpy as jnp
import mctx
import pgx

CH, BLOCKS, SIMS, B, STEPS = (int(a) for a in (sys.argv[1:] + ["64", "5", "32", "256", "16"][len(sys.argv) - 1:]))
env = pgx.make("connect_four")


class Net(nn.Module):
    @nn.compact
    def __call__(self, x):
        x = nn.relu(nn.LayerNorm()(nn.Conv(CH, (3, 3), use_bias=False)(x)))
        for _ in range(BLOCKS):
            y = nn.relu(nn.LayerNorm()(nn.Conv(CH, (3, 3), use_bias=False)(x)))
            y = nn.LayerNorm()(nn.Conv(CH, (3, 3), use_bias=False)(y))
            x = nn.relu(x + y)
        p = nn.relu(nn.Conv(2, (1, 1))(x)).reshape(x.shape[0], -1)
        v = nn.relu(nn.Conv(1, (1, 1))(x)).reshape(x.shape[0], -1)
        v = nn.tanh(nn.Dense(1)(nn.relu(nn.Dense(64)(v))))[:, 0]
        return nn.Dense(7)(p), v


net = Net()
params = net.init(jax.random.key(0), jnp.zeros((1, 6, 7, 2)))


def recurrent_fn(params, key, action, state):
    player = state.current_player
    state = jax.vmap(env.step)(state, action)
    logits, value = net.apply(params, state.observation)
    logits = jnp.where(state.legal_action_mask, logits - logits.max(-1, keepdims=True), jnp.finfo(logits.dtype).min)
    reward = state.rewards[jnp.arange(state.rewards.shape[0]), player]
    value = jnp.where(state.terminated, 0.0, value)
    discount = jnp.where(state.terminated, 0.0, -1.0 * jnp.ones_like(value))
    return mctx.RecurrentFnOutput(reward=reward, discount=discount, prior_logits=logits, value=value), state


def auto_reset(state, action, key):
    state = env.step(state, action)
    return jax.lax.cond(state.terminated | state.truncated, lambda: env.init(key), lambda: state)


@jax.jit
def selfplay(params, state, key):
    def step_fn(state, key):
        k1, k2 = jax.random.split(key)
        logits, value = net.apply(params, state.observation)
        root = mctx.RootFnOutput(prior_logits=logits, value=value, embedding=state)
        out = mctx.gumbel_muzero_policy(params, k1, root, recurrent_fn, SIMS, invalid_actions=~state.legal_action_mask,
                                        qtransform=mctx.qtransform_completed_by_mix_value, gumbel_scale=1.0)
        state = jax.vmap(auto_reset)(state, out.action, jax.random.split(k2, B))
        return state, (state.observation, out.action_weights)

    return jax.lax.scan(step_fn, state, jax.random.split(key, STEPS))


key = jax.random.key(0)
state = jax.jit(jax.vmap(env.init))(jax.random.split(key, B))
start = time.perf_counter()
state, data = selfplay(params, state, key)
jax.block_until_ready(data)
print(f"first call (compile): {time.perf_counter() - start:.1f} s", flush=True)
best = 0.0
for i in range(3):
    start = time.perf_counter()
    state, data = selfplay(params, state, jax.random.fold_in(key, i + 1))
    jax.block_until_ready(data)
    best = max(best, B * STEPS / (time.perf_counter() - start))
print(f"pgx + mctx + flax self-play, ResNet {CH}x{BLOCKS}, {SIMS} sims, batch {B}: {best:,.1f} positions/s")
