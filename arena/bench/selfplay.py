"""Self-play throughput: positions per second of the training loop's own jitted self-play.

It times exactly what `arena train` runs each iteration (agents/alphazero/trainer.py): one
`lax.scan` of `--steps` moves in `--batch` games at once, one mctx search of `--sims`
simulations per move with the network, auto-reset into random openings, and the replay-buffer
insert; then, separately, the gradient steps that follow it. Positions/s = batch x steps /
seconds, the figure pgx's AlphaZero example reports for its self-play.

Printed beside it: pgx + mctx + flax with the same settings, from ANCHORS.md (64 ch x 5
blocks: 30-70 positions/s; 32 ch x 3 blocks: 240-450 on the 2-core machine), or measured side by
side on this machine with `arena/bench/peers/pgx_selfplay.py` and passed as `--peer`.

  arena bench selfplay                                 # connect four, 64x5, 32 sims, batch 256
  arena bench selfplay --channels 32 --blocks 3 --peer 310
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

NAME = "selfplay"
HELP = "self-play positions/s (network + MCTS per move, batched), beside pgx + mctx + flax"
PGX_MCTX_FLAX = {(64, 5): (30, 70), (32, 3): (240, 450)}  # ANCHORS.md, 32 sims, batch 256


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--game", default="connect4", help="game spec (default connect4)")
    parser.add_argument("--channels", type=int, default=64, help="ResNet channels (default 64)")
    parser.add_argument("--blocks", type=int, default=5, help="residual blocks (default 5)")
    parser.add_argument("--sims", type=int, default=32, help="simulations per move (default 32)")
    parser.add_argument("--batch", type=int, default=256, help="games in parallel (default 256)")
    parser.add_argument("--steps", type=int, default=16, help="moves per timed self-play call")
    parser.add_argument("--search-policy", choices=["gumbel", "puct"], default="gumbel")
    parser.add_argument("--repeats", type=int, default=3, help="timed repetitions (best is kept)")
    parser.add_argument("--updates", type=int, default=8,
                        help="also time this many gradient steps of --update-batch (0 = skip)")
    parser.add_argument("--update-batch", type=int, default=512)
    parser.add_argument("--peer", type=float, default=None,
                        help="pgx + mctx + flax positions/s measured side by side (peers/pgx_selfplay.py)")
    parser.add_argument("--seed", type=int, default=0)


def run(args: argparse.Namespace) -> int:
    import jax

    from agents.alphazero.config import default_config
    from agents.alphazero.trainer import Trainer

    config = default_config(
        args.game, channels=args.channels, blocks=args.blocks, num_simulations=args.sims, num_envs=args.batch,
        rollout_steps=args.steps, search_policy=args.search_policy, network="resnet", eval_every=0,
        updates_per_iteration=max(args.updates, 1), batch_size=args.update_batch,
        buffer_size=max(args.update_batch, args.batch * args.steps), seed=args.seed,
    )
    devices = jax.devices()
    print(f"self-play benchmark: {config.game}, ResNet {args.channels}x{args.blocks}, {args.sims} sims "
          f"({args.search_policy}), batch {args.batch}, {args.steps} moves per call; "
          f"{len(devices)} x {devices[0].device_kind} ({os.cpu_count()} CPUs)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(config, tmp)
        print(f"network: {trainer.parameter_count():,} parameters", flush=True)
        key = jax.random.key(args.seed)
        start = time.perf_counter()
        games, buf, _ = trainer._play(trainer.params, trainer.games, trainer.buffer, key)
        jax.block_until_ready(buf)
        print(f"first call (compile or cache load): {time.perf_counter() - start:.1f} s", flush=True)
        best = 0.0
        for i in range(args.repeats):
            start = time.perf_counter()
            games, buf, _ = trainer._play(trainer.params, games, buf, jax.random.fold_in(key, i + 1))
            jax.block_until_ready(buf)
            best = max(best, args.batch * args.steps / (time.perf_counter() - start))
        print(f"\nself-play: {best:,.1f} positions/s ({best * (args.sims + 1):,.0f} network evaluations/s)")
        if args.peer:
            print(f"  pgx + mctx + flax, same settings, measured side by side: {args.peer:,.1f} positions/s "
                  f"-> {best / args.peer:.2f}x")
        peer = PGX_MCTX_FLAX.get((args.channels, args.blocks))
        if peer and args.sims == 32 and args.batch == 256:
            print(f"  ANCHORS.md pgx + mctx + flax on the 2-core machine: {peer[0]}-{peer[1]} positions/s "
                  f"-> {best / peer[1]:.2f}-{best / peer[0]:.2f}x")
        if args.updates:
            params, opt_state, metrics = trainer._train(trainer.params, trainer.opt_state, buf, key)
            jax.block_until_ready(params)
            start = time.perf_counter()
            params, opt_state, metrics = trainer._train(params, opt_state, buf, jax.random.fold_in(key, 99))
            jax.block_until_ready(params)
            seconds = time.perf_counter() - start
            print(f"updates: {args.updates / seconds:,.2f} steps/s of batch {args.update_batch} "
                  f"({args.updates * args.update_batch / seconds:,.0f} samples/s)")
    return 0
