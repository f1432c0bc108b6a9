"""Search speed: MCTS simulations per second, single-move latency, and compile/start-up time.

- `mcts` batched (uniform priors, random-rollout values) in simulations/s for a grid of
  playouts per leaf, simulation counts and batch sizes (best of --repeats per round, best over
  the rounds);
- one-game latency (median over --moves positions after warm-up) of `mcts` with --mcts-sims
  simulations (default 1000) and of `az` with --az-sims simulations (the released model unless
  --checkpoint; random-init weights of the default size for a variant without one), on the
  same seeded random openings;
- compile: time to the first `az` move in a fresh process with an empty compilation cache,
  then in a second fresh process that finds the cache (the window's second start).

Ratios are printed only against a peer measured in the same run: with `--peer-python PATH`
(the interpreter of a scratch venv with open_spiel, see arena/bench/peers/README.md) the bench
runs `peers/openspiel_mcts.py --bench`, in rounds that alternate with ours: OpenSpiel's MCTSBot
times one search from the initial position for each (simulations, playouts) of the grid, and
--mcts-sims moves on the very positions our latency is timed on. MCTSBot searches one game
at a time, so beside a batched row the ratio compares simulations per second, not moves.
Without it, docs/references.md's figures from another machine are printed as context, never divided
by. Exit status 2 when the peer was asked for and gave no figures.

  arena bench search --batch 1 64 --sims 1000 --rollouts 1 --skip startup --peer-python /tmp/osenv/bin/python
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
from pathlib import Path
from typing import Any

from arena.bench import sidebyside
from arena.bench.sidebyside import PeerError
from arena.checks import SEED, int_arg

NAME = "search"
HELP = "MCTS simulations/s, one-move latency of mcts and az, compile and second-start time (OpenSpiel side by side)"
PEER_SCRIPT = sidebyside.PEERS_DIR / "openspiel_mcts.py"
PEER_NAME = "MCTSBot"
OPENSPIEL_GAMES = {"connect4": "connect_four", "tictactoe": "tic_tac_toe"}  # standard boards only
REFERENCE_CONTEXT = ("OpenSpiel MCTSBot, random rollouts, one game, 1000 simulations: ~0.3 s per move; "
                     "mctx + pgx, uniform priors, no network, 32 sims, batch 256, Gumbel: ~180-360k simulations/s")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--game", default="connect4", help="game spec (default connect4)")
    parser.add_argument("--batch", type=int_arg(1, 1 << 14), nargs="+", default=[1, 16, 64, 256])
    parser.add_argument("--sims", type=int_arg(1, 100_000), nargs="+", default=[32, 1000])
    parser.add_argument("--rollouts", type=int_arg(0, 1024), nargs="+", default=[4, 1, 0],
                        help="playouts per leaf for the throughput grid (0 = uniform priors, value 0)")
    parser.add_argument("--repeats", type=int_arg(1, 1000), default=3, help="timed repetitions (best is kept)")
    parser.add_argument("--rounds", type=int_arg(1, 100), default=None,
                        help="rounds, alternating ours and the peer (default 2 with --peer-python, else 1)")
    parser.add_argument("--moves", type=int_arg(1, 10_000), default=10,
                        help="positions timed for the latency figures")
    parser.add_argument("--checkpoint", default=None, help="az model folder (default: the released model, else a random-init net)")
    parser.add_argument("--az-sims", type=int_arg(1, 100_000), default=200, help="az latency: simulations")
    parser.add_argument("--mcts-sims", type=int_arg(1, 100_000), default=1000,
                        help="mcts latency (its default playouts per leaf): simulations")
    parser.add_argument("--skip", nargs="*", default=[], choices=["throughput", "latency", "startup"])
    parser.add_argument("--peer-python", default=None, metavar="PATH",
                        help="python of a scratch venv with open_spiel: run peers/openspiel_mcts.py --bench in "
                             "the same run (same grid, same positions) and print ratios against MCTSBot")
    parser.add_argument("--seed", type=SEED, default=0)


def warm_search(game, batch: int, sims: int, rollouts: int, seed: int):
    """A compiled batched search of the grid and its inputs, called once (compilation)."""
    import jax

    from agents.search import RolloutEvaluator, SearchSettings, compiled_search

    settings = SearchSettings(num_simulations=sims, policy="puct", value_scale="fixed")  # mcts' search
    search = compiled_search(game, RolloutEvaluator(game, rollouts), settings)
    states = game.init_batch(batch)
    key = jax.random.key(seed)
    jax.block_until_ready(search(None, states, key))
    return search, states, key


def best_rate(search, states, key, batch: int, sims: int, repeats: int, offset: int = 0) -> float:
    """Best simulations/s of `repeats` timed searches of `batch` games."""
    import jax

    best = 0.0
    for i in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(search(None, states, jax.random.fold_in(key, offset + i)))
        best = max(best, batch * sims / (time.perf_counter() - start))
    return best


def latency_positions(game, count: int, seed: int) -> list[list[int]]:
    """`count` seeded random openings (0-based actions, 4 to 8 plies, at most half the board),
    so latency is timed on real middlegame positions, the same ones for ours and for the peer.
    A move that would end the game is not played: the opening stops one ply short instead."""
    import numpy as np

    from agents.random_agent import random_line

    rng = np.random.default_rng(seed)
    return [random_line(game, min(4 + index % 5, game.config.num_cells // 2), rng) for index in range(count)]


def position_state(game, actions: list[int]):
    """The state after `actions` from the initial position."""
    state = game.init()
    for action in actions:
        state = game.play(state, action)
    return state


def median_move_seconds(agent, states: list) -> float:
    """Median seconds of `agent.select_move` over `states` (each searched once)."""
    times = []
    for state in states:
        start = time.perf_counter()
        agent.select_move(state)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def az_agent(game, checkpoint: str | None, sims: int):
    """(`az` agent, its model folder or None): from --checkpoint, else the released model (what
    the window plays), else a random-init net of the default size held in memory (a variant with
    no released model), with nothing written."""
    import agents
    from agents.checkpoint import released_model
    from agents.network import default_config, init_network
    from agents.network_agent import network_agent

    if checkpoint is None and (released := released_model(game)) is not None:
        checkpoint = str(released)
    if checkpoint is not None:
        return agents.make(f"az:checkpoint={checkpoint},sims={sims}", game), checkpoint
    config = default_config(game)
    _, params = init_network(config)
    return network_agent(f"az:sims={sims}", game, config, params), None


def model_folder(game, az, checkpoint: str | None, tmp: str) -> str:
    """A folder a fresh process can load `az` from: its checkpoint, or its in-memory random-init
    net saved into `tmp` (the start-up timing needs a file; the latency timing does not)."""
    if checkpoint is not None:
        return checkpoint
    from agents.checkpoint import save_model
    from agents.network import default_config

    return str(save_model(os.path.join(tmp, "random-net"), game, default_config(game), az.params))


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


def peer_figures(report: dict[str, Any], game_id: str, cells: list[tuple[int, int]],
                 latency: tuple[int, int, int] | None) -> tuple[dict[tuple[int, int], float], float | None]:
    """({(sims, rollouts): simulations/s}, median seconds per latency move or None) from
    openspiel_mcts.py's report, checked against what was asked (game, grid, positions)."""
    if report.get("game") != game_id:
        raise PeerError(f"the MCTSBot report is for game {report.get('game')!r}, asked for {game_id!r}")
    entries = report.get("throughput")
    if not isinstance(entries, list):
        raise PeerError("the MCTSBot report's 'throughput' is not a list")
    rates: dict[tuple[int, int], float] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise PeerError(f"an MCTSBot throughput entry is not an object: {entry!r}")
        cell = (entry.get("sims"), entry.get("rollouts"))
        rates[cell] = sidebyside.positive_number(entry.get("sims_per_s"), f"simulations/s for {cell}")
    missing = [cell for cell in cells if cell not in rates]
    if missing:
        raise PeerError(f"the MCTSBot report has no figure for {missing[0][0]} sims, {missing[0][1]} rollouts")
    median = None
    if latency is not None:
        entry = report.get("latency")
        if not isinstance(entry, dict):
            raise PeerError("the MCTSBot report has no 'latency' object")
        got = (entry.get("sims"), entry.get("rollouts"), entry.get("positions"))
        if got != latency:
            raise PeerError(f"the MCTSBot latency ran (sims, rollouts, positions) {got}, asked for {latency}")
        median = sidebyside.positive_number(entry.get("median_s"), "median seconds per move")
    return rates, median


def run(args: argparse.Namespace) -> int:
    import jax

    import agents
    import games

    game = games.make(args.game)
    game_id = OPENSPIEL_GAMES.get(game.name) if game.is_standard else None
    peer = sidebyside.Peer(args.peer_python, PEER_SCRIPT, PEER_NAME) if args.peer_python else None
    rounds = args.rounds or (2 if peer else 1)
    failed: PeerError | None = None
    if peer and game_id is None:
        failed = PeerError(f"OpenSpiel has no {game.spec} board")
    print(f"search benchmark on {jax.devices()[0].platform} ({os.cpu_count()} CPUs), game {game.spec}; "
          f"best of {args.repeats} x {rounds} round(s){', alternating ours and ' + PEER_NAME if peer else ''}; "
          "timings on shared machines are noisy")
    print(sidebyside.machine_line(), flush=True)
    do_throughput, do_latency = "throughput" not in args.skip, "latency" not in args.skip
    grid = [(rollouts, sims, batch) for rollouts in args.rollouts for sims in args.sims for batch in args.batch]
    searches = {}
    if do_throughput:
        for rollouts, sims, batch in grid:
            searches[(rollouts, sims, batch)] = warm_search(game, batch, sims, rollouts, args.seed)
    peer_cells = sorted({(sims, rollouts) for rollouts, sims, _ in grid}) if do_throughput else []

    with tempfile.TemporaryDirectory() as tmp:
        az, checkpoint = az_agent(game, args.checkpoint, args.az_sims)
        mcts = agents.make(f"mcts:sims={args.mcts_sims}", game, seed=args.seed)
        latency_rollouts = mcts.evaluator.rollouts
        positions = latency_positions(game, args.moves, args.seed) if do_latency else []
        states = [position_state(game, actions) for actions in positions]
        latency_agents = ((f"mcts:sims={args.mcts_sims}", mcts), (f"az:sims={args.az_sims}", az))
        first: dict[str, float] = {}
        if do_latency:
            for name, agent in latency_agents:
                start = time.perf_counter()
                agent.select_move(states[0])
                first[name] = time.perf_counter() - start
        positions_file = Path(tmp) / "positions.json"
        positions_file.write_text(json.dumps({"positions": positions}))
        asked_latency = (args.mcts_sims, latency_rollouts, len(positions)) if do_latency else None

        def ours_round(r: int) -> dict[str, Any]:
            rates = {cell: best_rate(*searches[cell], cell[2], cell[1], args.repeats, offset=r * args.repeats)
                     for cell in grid} if do_throughput else {}
            medians = {name: median_move_seconds(agent, states) for name, agent in latency_agents} if do_latency else {}
            return {"rates": rates, "medians": medians}

        def peer_round(_: int) -> tuple[dict[tuple[int, int], float], float | None, dict[str, Any]]:
            cmd = ["--bench", "--game", game_id, "--repeats", str(args.repeats), "--seed", str(args.seed)]
            if peer_cells:
                cmd += ["--sims", *sorted({str(s) for s, _ in peer_cells}, key=int),
                        "--rollouts", *sorted({str(r) for _, r in peer_cells}, key=int)]
            else:
                cmd += ["--rollouts"]  # no values: an empty grid
            if do_latency:
                cmd += ["--positions", str(positions_file), "--latency-sims", str(args.mcts_sims),
                        "--latency-rollouts", str(latency_rollouts)]
            report = peer.run(cmd, required=("game", "throughput"))
            rates, median = peer_figures(report, game_id, peer_cells, asked_latency)
            return rates, median, report

        use_peer = peer is not None and failed is None and (do_throughput or do_latency)
        mine, theirs, error = sidebyside.alternate(rounds, ours_round, peer_round if use_peer else None,
                                                   log=lambda text: print(f"  {text}", flush=True) if peer else None)
        failed = failed or error
        if theirs:
            print(f"peer: OpenSpiel MCTSBot (UCT c=2, solve off; random playouts per leaf, value 0 for 0 playouts), "
                  f"{sidebyside.versions_text(theirs[-1][2])}, {args.peer_python}")

        if do_throughput:
            header = f"\n{'playouts':>8} {'batch':>6} {'sims':>6} {'sims/s':>10}"
            if theirs:
                header += f"  {'MCTSBot sims/s (same run, 1 game)':>34} {'ours / MCTSBot':>14}"
            print(header)
            for cell in grid:
                rollouts, sims, batch = cell
                rate = max(result["rates"][cell] for result in mine)
                line = f"{rollouts:>8} {batch:>6} {sims:>6} {rate:>10,.0f}"
                if theirs:
                    peer_rate = max(rates[(sims, rollouts)] for rates, _, _ in theirs)
                    line += f"  {peer_rate:>34,.0f} {sidebyside.ratio(rate, peer_rate):>14}"
                print(line, flush=True)
        if do_latency:
            print(f"\none game, one move at a time: median over {len(positions)} seeded random openings "
                  f"(4-8 plies) after warm-up; az model: {checkpoint or 'random-init net of the default size'}")
            for name, _ in latency_agents:
                median = min(result["medians"][name] for result in mine)
                line = f"  {name:<16} first move {first[name]:6.2f} s (compile)  median {median * 1000:7.1f} ms"
                if name.startswith("mcts") and theirs:
                    peer_median = min(m for _, m, _ in theirs)
                    line += (f"; MCTSBot ({args.mcts_sims} sims, {latency_rollouts} playouts, same positions, same run) "
                             f"{peer_median * 1000:.1f} ms; ours / MCTSBot (moves/s) "
                             f"{sidebyside.ratio(1 / median, 1 / peer_median)}")
                print(line, flush=True)
        if not theirs:
            print(sidebyside.context_line(REFERENCE_CONTEXT))
        print(sidebyside.machine_line())
        if "startup" not in args.skip:
            print("\nfresh process to first az move (imports, model load, compile or cache):")
            cache = os.path.join(tmp, "jax-cache")
            spec = f"az:checkpoint={model_folder(game, az, checkpoint, tmp)},sims={args.az_sims}"
            cold = start_up(game.spec, spec, cache)
            warm = start_up(game.spec, spec, cache)
            for label, figures in (("empty cache (cold)", cold), ("second start (cached)", warm)):
                print(f"  {label:<22} first move {figures['first_move']:6.2f} s, "
                      f"total {figures['total']:6.2f} s", flush=True)
    if peer and failed:
        return sidebyside.peer_failure(PEER_NAME, str(failed))
    return 0
