"""Self-play throughput: positions per second of the training loop's own jitted self-play.

It times exactly what `arena train` runs each iteration (agents/alphazero/trainer.py): one
`lax.scan` of `--steps` moves in `--batch` games at once, one mctx search of `--sims`
simulations per move with the network, auto-reset into random openings, and the replay-buffer
insert; then, separately, the gradient steps that follow it. Positions/s = batch x steps /
seconds (best of --repeats timed calls per round, best over the rounds), the figure pgx's
AlphaZero example reports for its self-play.

Ratios are printed only against a peer measured in the same run: with `--peer-python PATH`
(the interpreter of a scratch venv with pgx, mctx and flax, see arena/bench/peers/README.md)
the bench runs peers/pgx_selfplay.py with the same game, network size, simulations, search
policy, batch, moves per call and repeats, in rounds that alternate with ours. Without it,
docs/references.md's pgx + mctx + flax figures from another machine are printed as context, never
divided by. Exit status 2 when the peer was asked for and gave no figure.

  arena bench selfplay                                 # connect four, 64x5, 32 sims, batch 256
  arena bench selfplay --channels 32 --blocks 3 --batch 64 --steps 8 --peer-python /tmp/pgxenv/bin/python
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from typing import Any

from arena.bench import sidebyside
from arena.bench.sidebyside import PeerError
from arena.checks import SEED, int_arg

NAME = "selfplay"
HELP = "self-play positions/s (network + MCTS per move, batched); pgx + mctx + flax side by side with --peer-python"
PEER_SCRIPT = sidebyside.PEERS_DIR / "pgx_selfplay.py"
PEER_NAME = "pgx + mctx + flax"
PGX_ENVS = {"connect4": "connect_four", "tictactoe": "tic_tac_toe"}  # standard boards only
REFERENCE_CONTEXT = ("pgx + mctx + flax self-play, connect four, 32 sims, batch 256: ResNet 64x5 ~30-70 "
                     "positions/s, 32x3 ~240-450 positions/s")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--game", default="connect4", help="game spec (default connect4)")
    parser.add_argument("--channels", type=int_arg(1, 1024), default=64, help="ResNet channels (default 64)")
    parser.add_argument("--blocks", type=int_arg(0, 64), default=5, help="residual blocks (default 5)")
    parser.add_argument("--sims", type=int_arg(1, 100_000), default=32, help="simulations per move (default 32)")
    parser.add_argument("--batch", type=int_arg(1, 1 << 16), default=256, help="games in parallel (default 256)")
    parser.add_argument("--steps", type=int_arg(1, 4096), default=16, help="moves per timed self-play call")
    parser.add_argument("--search-policy", choices=["gumbel", "puct"], default="gumbel")
    parser.add_argument("--repeats", type=int_arg(1, 1000), default=3, help="timed calls per round (best is kept)")
    parser.add_argument("--rounds", type=int_arg(1, 100), default=None,
                        help="rounds, alternating ours and the peer (default 2 with --peer-python, else 1)")
    parser.add_argument("--updates", type=int_arg(0, 100_000), default=8,
                        help="also time this many gradient steps of --update-batch (0 = skip)")
    parser.add_argument("--update-batch", type=int_arg(1, 1 << 16), default=512)
    parser.add_argument("--peer-python", default=None, metavar="PATH",
                        help="python of a scratch venv with pgx, mctx and flax: run peers/pgx_selfplay.py "
                             "in the same run with the same settings and print the ratio against it")
    parser.add_argument("--seed", type=SEED, default=0)


def peer_args(args: argparse.Namespace, env_id: str, value_hidden: int) -> list[str]:
    """The peer script's command line: every setting that shapes the work, as ours runs it."""
    return ["--game", env_id, "--channels", str(args.channels), "--blocks", str(args.blocks),
            "--value-hidden", str(value_hidden), "--sims", str(args.sims), "--batch", str(args.batch),
            "--steps", str(args.steps), "--policy", args.search_policy, "--repeats", str(args.repeats),
            "--seed", str(args.seed)]


def peer_figure(report: dict[str, Any], asked: list[str]) -> float:
    """The peer's best positions/s, after checking that it ran the settings it was asked for."""
    settings = report.get("settings")
    if not isinstance(settings, dict):
        raise PeerError(f"the {PEER_NAME} report has no 'settings' object")
    wanted = dict(zip(asked[0::2], asked[1::2], strict=True))
    for flag, value in wanted.items():
        key = flag[2:].replace("-", "_")
        if key in ("repeats", "seed"):
            continue
        if str(settings.get(key)) != value:
            raise PeerError(f"the {PEER_NAME} report ran {key}={settings.get(key)!r}, asked for {value}")
    return sidebyside.positive_number(report.get("positions_per_s"), "positions/s")


def run(args: argparse.Namespace) -> int:
    import jax

    import games
    from agents.alphazero.config import default_config
    from agents.alphazero.trainer import Trainer

    config = default_config(
        args.game, channels=args.channels, blocks=args.blocks, num_simulations=args.sims, num_envs=args.batch,
        rollout_steps=args.steps, search_policy=args.search_policy, network="resnet", eval_every=0,
        updates_per_iteration=max(args.updates, 1), batch_size=args.update_batch,
        buffer_size=max(args.update_batch, args.batch * args.steps), seed=args.seed,
    )
    game = games.make(config.game)
    env_id = PGX_ENVS.get(game.name) if game.is_standard else None
    peer = sidebyside.Peer(args.peer_python, PEER_SCRIPT, PEER_NAME) if args.peer_python else None
    rounds = args.rounds or (2 if peer else 1)
    devices = jax.devices()
    print(f"self-play benchmark: {config.game}, ResNet {args.channels}x{args.blocks}, {args.sims} sims "
          f"({args.search_policy}), batch {args.batch}, {args.steps} moves per call, best of {args.repeats} "
          f"calls x {rounds} round(s){', alternating ours and ' + PEER_NAME if peer else ''}; "
          f"{len(devices)} x {devices[0].device_kind} ({os.cpu_count()} CPUs)", flush=True)
    print(sidebyside.machine_line(), flush=True)
    failed: PeerError | None = None
    if peer and env_id is None:
        failed = PeerError(f"pgx has no {game.spec} board")
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(config, tmp)
        print(f"network: {trainer.parameter_count():,} parameters", flush=True)
        key = jax.random.key(args.seed)
        start = time.perf_counter()
        state = {"games": trainer.games, "pending": trainer.pending, "buf": trainer.buffer}
        state["games"], state["pending"], state["buf"], _ = trainer._play(
            trainer.params, state["games"], state["pending"], state["buf"], key)
        jax.block_until_ready(state["buf"])
        print(f"first call (compile or cache load): {time.perf_counter() - start:.1f} s", flush=True)

        def ours_round(r: int) -> list[float]:
            runs = []
            for i in range(args.repeats):
                start = time.perf_counter()
                state["games"], state["pending"], state["buf"], _ = trainer._play(
                    trainer.params, state["games"], state["pending"], state["buf"],
                    jax.random.fold_in(key, 1 + r * args.repeats + i))
                jax.block_until_ready(state["buf"])
                runs.append(args.batch * args.steps / (time.perf_counter() - start))
            return runs

        asked = peer_args(args, env_id or "", trainer.net_config.value_hidden)

        def peer_round(_: int) -> tuple[float, dict[str, Any]]:
            report = peer.run(asked, required=("settings", "positions_per_s"))
            return peer_figure(report, asked), report

        use_peer = peer is not None and failed is None
        mine, theirs, error = sidebyside.alternate(rounds, ours_round, peer_round if use_peer else None,
                                                   log=lambda text: print(f"  {text}", flush=True) if peer else None)
        failed = failed or error
        best = max(max(runs) for runs in mine)
        peer_best = max(figure for figure, _ in theirs) if theirs else None
        print()
        print(sidebyside.comparison("self-play", best, "positions/s", PEER_NAME if theirs else None, peer_best))
        print(f"  ours: {best * (args.sims + 1):,.0f} network evaluations/s; per round (best of {args.repeats}): "
              + ", ".join(f"{max(runs):,.1f}" for runs in mine))
        if theirs:
            report = theirs[-1][1]
            size = report.get("parameters")
            size_text = f"{size:,}" if isinstance(size, int) else "?"
            print(f"  {PEER_NAME}: {sidebyside.versions_text(report)}; network {size_text} parameters "
                  f"(ours {trainer.parameter_count():,}); per round: "
                  + ", ".join(f"{figure:,.1f}" for figure, _ in theirs))
        else:
            print(sidebyside.context_line(REFERENCE_CONTEXT))
        print(sidebyside.machine_line())
        if args.updates:
            params, opt_state, metrics = trainer._train(trainer.params, trainer.opt_state, state["buf"], key)
            jax.block_until_ready(params)
            start = time.perf_counter()
            params, opt_state, metrics = trainer._train(params, opt_state, state["buf"], jax.random.fold_in(key, 99))
            jax.block_until_ready(params)
            seconds = time.perf_counter() - start
            print(f"updates: {args.updates / seconds:,.2f} steps/s of batch {args.update_batch} "
                  f"({args.updates * args.update_batch / seconds:,.0f} samples/s)")
    if peer and failed:
        return sidebyside.peer_failure(PEER_NAME, str(failed))
    return 0
