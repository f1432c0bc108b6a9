"""Engine throughput: batched random playouts through the JAX rules, in steps per second.

Two modes, as pgx measures itself: `scan` runs many steps in one jitted `lax.scan` with
auto-reset of finished games (no host round trip), `call` runs one jitted step per Python call.
A step is one move in one game, so steps/s = batch x moves / seconds (best of --repeats timed
runs per round, best over the rounds).

Ratios are printed only against pgx measured in the same run: with `--peer-python PATH` (the
interpreter of a scratch venv with pgx, see arena/bench/peers/README.md) the bench runs
peers/pgx_engine.py with the same games (standard connect four and tic-tac-toe), batch sizes,
moves, repeats and modes, in rounds that alternate with ours. Without it, docs/references.md's pgx
figures from another machine are printed as context, never divided by. Exit status 2 when
the peer was asked for and gave no figures (our own figures are printed all the same).

  arena bench engine --games connect4 --batch 1024 --peer-python /tmp/pgxenv/bin/python
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from arena.bench import sidebyside
from arena.bench.sidebyside import PeerError
from arena.checks import SEED, int_arg

NAME = "engine"
HELP = "random-playout steps per second for a range of batch sizes (pgx side by side with --peer-python)"
PEER_SCRIPT = sidebyside.PEERS_DIR / "pgx_engine.py"
PGX_ENVS = {"connect4": "connect_four", "tictactoe": "tic_tac_toe"}  # standard boards only
REFERENCE_CONTEXT = ("pgx connect_four, batch 1024: jitted scan with auto-reset ~860k steps/s "
                     "(1.27M at batch 4096), one jitted step per call ~530k steps/s")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--games", nargs="+", default=["connect4", "tictactoe"], help="game specs")
    parser.add_argument("--batch", type=int_arg(1, 1 << 20), nargs="+", default=[1, 64, 1024, 4096])
    parser.add_argument("--steps", type=int_arg(1, 1 << 16), default=256, help="moves per game per timed run")
    parser.add_argument("--repeats", type=int_arg(1, 1000), default=5, help="timed runs per round (best is kept)")
    parser.add_argument("--rounds", type=int_arg(1, 100), default=None,
                        help="rounds, alternating ours and the peer (default 2 with --peer-python, else 1)")
    parser.add_argument("--mode", choices=["scan", "call", "both"], default="both")
    parser.add_argument("--seed", type=SEED, default=0)
    parser.add_argument("--peer-python", default=None, metavar="PATH",
                        help="python of a scratch venv with pgx: run peers/pgx_engine.py in the same run "
                             "with the same settings and print ratios against it")


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


class Measurement:
    """One (game, mode, batch) of ours: compiled once, timed again in every round."""

    def __init__(self, game, batch: int, steps: int, mode: str, seed: int) -> None:
        import jax

        self.batch, self.steps, self.mode = batch, steps, mode
        if mode == "scan":
            self.states, self.run = make_scan_runner(game, batch, steps)
            self.calls = 1
        else:
            self.states, self.run = make_call_runner(game, batch)
            self.calls = steps
        self.key = jax.random.key(seed)
        self.states, self.key = self.run(self.states, self.key)  # warm-up: compilation
        jax.block_until_ready(self.states)

    def best(self, repeats: int) -> float:
        """Best steps/s over `repeats` timed runs."""
        import jax

        best = 0.0
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(self.calls):
                self.states, self.key = self.run(self.states, self.key)
            jax.block_until_ready(self.states)
            best = max(best, self.batch * self.steps / (time.perf_counter() - start))
        return best


def peer_rates(report: dict[str, Any], env_id: str, steps: int, modes: list[str],
               batches: list[int]) -> dict[tuple[str, int], float]:
    """{(mode, batch): steps/s} from pgx_engine.py's report, checked against what was asked."""
    if report.get("game") != env_id or report.get("steps") != steps:
        raise PeerError(f"the pgx report is for game {report.get('game')!r}, {report.get('steps')!r} moves; "
                        f"asked for {env_id!r}, {steps}")
    results = report.get("results")
    if not isinstance(results, list):
        raise PeerError("the pgx report's 'results' is not a list")
    rates: dict[tuple[str, int], float] = {}
    for entry in results:
        if not isinstance(entry, dict):
            raise PeerError(f"a pgx result is not an object: {entry!r}")
        key = (entry.get("mode"), entry.get("batch"))
        rates[key] = sidebyside.positive_number(entry.get("steps_per_s"), f"steps/s for {key}")
    missing = [(m, b) for m in modes for b in batches if (m, b) not in rates]
    if missing:
        raise PeerError(f"the pgx report has no figure for mode {missing[0][0]}, batch {missing[0][1]}")
    return rates


def run(args: argparse.Namespace) -> int:
    import jax

    import games

    modes = ["scan", "call"] if args.mode == "both" else [args.mode]
    rounds = args.rounds or (2 if args.peer_python else 1)
    game_list = [games.make(spec) for spec in args.games]
    peer = sidebyside.Peer(args.peer_python, PEER_SCRIPT, "pgx") if args.peer_python else None
    print(f"engine benchmark on {jax.devices()[0].platform} ({jax.device_count()} device(s)); "
          f"{args.steps} random moves per game, best of {args.repeats} timed runs x {rounds} round(s)"
          + (", alternating ours and pgx" if peer else ""))
    print(sidebyside.machine_line(), flush=True)

    ours: dict[tuple[str, str, int], list[float]] = {}
    theirs: dict[tuple[str, str, int], list[float]] = {}
    failed: PeerError | None = None
    versions = ""
    for game in game_list:
        env_id = PGX_ENVS.get(game.name) if game.is_standard else None
        if peer and env_id is None:
            print(f"  {game.spec}: pgx has no such board; ours only")
        cells = [(mode, batch, Measurement(game, batch, args.steps, mode, args.seed))
                 for mode in modes for batch in args.batch]

        def ours_round(_: int, game=game, cells=cells) -> None:
            for mode, batch, cell in cells:
                ours.setdefault((game.spec, mode, batch), []).append(cell.best(args.repeats))

        def peer_round(_: int, game=game, env_id=env_id) -> None:
            nonlocal versions
            report = peer.run(["--game", env_id, "--batch", *map(str, args.batch), "--steps", str(args.steps),
                               "--repeats", str(args.repeats), "--modes", *modes, "--seed", str(args.seed)],
                              required=("game", "steps", "results"))
            versions = sidebyside.versions_text(report)
            for (mode, batch), rate in peer_rates(report, env_id, args.steps, modes, args.batch).items():
                theirs.setdefault((game.spec, mode, batch), []).append(rate)

        use_peer = peer is not None and env_id is not None and failed is None
        _, _, error = sidebyside.alternate(
            rounds, ours_round, peer_round if use_peer else None,
            log=(lambda text, game=game: print(f"  {game.spec} {text}", flush=True)) if peer else (lambda _: None))
        failed = failed or error

    if peer and versions:
        print(f"peer: {versions}, {args.peer_python}")
    header = f"{'game':<28} {'mode':<5} {'batch':>6} {'steps/s':>12}"
    if peer:
        header += f" {'pgx (same run)':>15} {'ours / pgx':>10}   per round: ours | pgx"
    print(header)
    for game in game_list:
        for mode in modes:
            for batch in args.batch:
                mine = ours[(game.spec, mode, batch)]
                line = f"{game.spec:<28} {mode:<5} {batch:>6} {max(mine):>12,.0f}"
                peer_list = theirs.get((game.spec, mode, batch))
                if peer_list:
                    line += (f" {max(peer_list):>15,.0f} {sidebyside.ratio(max(mine), max(peer_list)):>10}   "
                             f"{', '.join(sidebyside.si(x) for x in mine)} | "
                             f"{', '.join(sidebyside.si(x) for x in peer_list)}")
                elif peer:
                    line += f" {'-':>15} {'-':>10}"
                print(line, flush=True)
    print(sidebyside.machine_line())
    if not theirs:
        print(sidebyside.context_line(REFERENCE_CONTEXT))
    if failed or (peer and not theirs):
        return sidebyside.peer_failure("pgx", str(failed) if failed else "none of the games asked for has a pgx board")
    return 0
