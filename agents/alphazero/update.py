"""The AlphaZero loss and one optax update, as pure functions of (params, opt_state, batch)."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import optax

from agents.alphazero.buffer import Samples

# apply_fn(params, observations [B, rows, cols, 2]) -> (policy logits [B, A], values [B])
ApplyFn = Callable[[object, jax.Array], tuple[jax.Array, jax.Array]]


def make_optimizer(learning_rate: float, weight_decay: float, schedule: str, total_updates: int):
    """AdamW with an optional warm-up + cosine decay (to 10% of the peak) over the whole run."""
    if schedule == "cosine":
        warmup = max(1, min(total_updates // 20, 500))
        lr = optax.warmup_cosine_decay_schedule(
            init_value=learning_rate * 0.1, peak_value=learning_rate, warmup_steps=warmup,
            decay_steps=max(total_updates, warmup + 1), end_value=learning_rate * 0.1,
        )
    else:
        lr = learning_rate
    return optax.chain(optax.clip_by_global_norm(1.0), optax.adamw(lr, weight_decay=weight_decay))


def loss_fn(apply_fn: ApplyFn, params, batch: Samples) -> tuple[jax.Array, dict[str, jax.Array]]:
    """Cross-entropy to the search policy over legal moves + squared error to the result."""
    logits, value = apply_fn(params, batch.observation)
    logits = jnp.where(batch.legal, logits, -1e9)
    # Positions from cheap searches (playout-cap randomization) carry an all-zero policy target:
    # they train the value only, and the policy loss averages over the others.
    has_target = (batch.policy.sum(-1) > 0).astype(jnp.float32)
    count = jnp.maximum(has_target.sum(), 1.0)
    policy_loss = jnp.sum(optax.softmax_cross_entropy(logits, batch.policy) * has_target) / count
    # The entropy of the target makes the policy loss read as a KL divergence (0 = perfect fit).
    target_entropy = -jnp.sum(jnp.where(batch.policy > 0, batch.policy * jnp.log(batch.policy), 0.0)) / count
    value_loss = jnp.mean((value - batch.value) ** 2)
    total = policy_loss + value_loss
    return total, {"loss": total, "policy_loss": policy_loss, "policy_kl": policy_loss - target_entropy,
                   "value_loss": value_loss}


def update(apply_fn: ApplyFn, optimizer: optax.GradientTransformation, params, opt_state, batch: Samples):
    """One gradient step; returns (params, opt_state, metrics)."""
    grads, metrics = jax.grad(lambda p: loss_fn(apply_fn, p, batch), has_aux=True)(params)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    params = optax.apply_updates(params, updates)
    metrics["grad_norm"] = optax.tree.norm(grads)
    return params, opt_state, metrics
