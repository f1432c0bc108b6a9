"""`arena study compute`: the whole study in one resumable run folder.

    DIR/study.json         the settings that define the results (a rerun must match them)
    DIR/games.json         the games the connect-four positions come from
    DIR/candidates.json    the positions drawn from them, before labelling
    DIR/labels.jsonl       labelled positions, appended as they are solved
    DIR/positions.json     the labelled set (the file to check independently)
    DIR/cells.jsonl        one record per (agent, bucket) cell, appended as each finishes
    DIR/tournament/        the Elo tournament (arena.tournament's own resumable folder)
    DIR/training/          untrained weights recreated, the fresh training run and its snapshots
    DIR/results.json, results.csv, elo.csv, training.csv, *.png    the report, rewritten at the end

Every step skips what its files say is done, so an interrupted study continues where it
stopped with the same command; nothing finished is measured twice. The ladder, the Elo field
and the training models may change between runs (new cells are measured, the report shows the
current ones); what the stored cells depend on (game, seed, set, timing sample, solver cap) may not.
A network's cells carry the sha256 of its weights (from its model.json): a model folder that now
holds another network (a new release exported to `checkpoints/connect4`, say) is measured again
under the same name, and the report shows the newer cells. Cells stored before the hash was
recorded are kept as they are.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from agents.checkpoint import weights_sha256
from agents.files import write_json_atomic
from arena.study import positions as P
from arena.study.cells import CellSettings, family, measure_agent
from arena.study.training import TrainedModel, fresh_run, lineage_models
from games import Game

SETTINGS_FILE, GAMES_FILE, CELLS_FILE = "study.json", "games.json", "cells.jsonl"
MODEL_HASH = "weights_sha256"  # a network cell's key: what it measured, beside the name it was measured under
DEFAULT_PER_BUCKET = 1000  # connect four, as the issue asks
# Default ladders: each family from its cheapest setting to the most this machine affords.
CONNECT4_LADDER = (
    *(f"solver:depth={d}" for d in (1, 2, 3, 4, 6, 8, 10, 12)),
    *(f"mcts:sims={n}" for n in (16, 64, 256, 1024, 6400)),
    *(f"az:sims={n}" for n in (1, 4, 16, 64, 256, 1600)),
    *(f"az:sims={n},policy=puct" for n in (1, 4, 16, 64, 256, 1600)),
    "policy", "solver:book=false", "random",
)
TICTACTOE_LADDER = (
    *(f"solver:depth={d}" for d in range(1, 9)),
    *(f"mcts:sims={n}" for n in (16, 64, 256, 1024)),
    *(f"az:sims={n}" for n in (1, 2, 4, 8, 16, 32, 64)),
    *(f"az:sims={n},policy=puct" for n in (1, 2, 4, 8, 16, 32, 64)),
    "policy", "solver", "random",
)
# The Elo field: a few rungs of every family and the perfect solver (with its book: the same
# moves as without, in a fraction of the time; its compute is the book-less cell's).
CONNECT4_ELO = ("solver", "solver:depth=2", "solver:depth=8", "mcts:sims=256", "mcts:sims=1024",
                "az:sims=1", "az:sims=16", "az:sims=256", "policy")
TICTACTOE_ELO = ("solver", "solver:depth=1", "solver:depth=3", "mcts:sims=16", "mcts:sims=256",
                 "az:sims=1", "az:sims=16", "policy", "random")


class Job(NamedTuple):
    """One agent to measure on every bucket: its name in the report, its spec, the report's part
    (ladder or training) and, for a network, the sha256 of the weights it loads."""

    name: str
    spec: str
    part: str
    weights_sha256: str | None = None


@dataclasses.dataclass(frozen=True)
class StudySettings:
    """Everything `arena study compute` was asked to do."""

    game: str
    out: Path
    seed: int = 0
    per_bucket: int | None = None  # positions per bucket (connect four: default 1000; tic-tac-toe: all)
    games: int = 0  # connect four: games to draw them from (0: 3 per position wanted, at least 60)
    per_game: int = 2  # connect four: at most this many positions per phase from one game
    ladder: tuple[str, ...] = ()
    elo_agents: tuple[str, ...] = ()
    elo_games: int = 10  # per pairing (colour-swapped pairs)
    elo_opening_plies: int = 4
    cells: CellSettings = CellSettings()
    lineage: tuple[str, ...] = ()
    train_iterations: int = 0
    snapshot_every: int = 10
    training_sims: int = 32

    @property
    def game_count(self) -> int:
        return self.games or max(60, 3 * self.bucket_size)

    @property
    def bucket_size(self) -> int:
        return self.per_bucket or DEFAULT_PER_BUCKET

    def set_meta(self, game: Game) -> dict:
        count = self.bucket_size if game.name == "connect4" else self.per_bucket
        return P.set_meta(game, seed=self.seed, count=count, games=self.game_count, per_game=self.per_game)

    def fixed(self, game: Game) -> dict:
        """What the stored results depend on: a rerun in the same folder must match it."""
        meta = self.set_meta(game)
        return {"set": meta, "cells": dataclasses.asdict(self.cells), "training_sims": self.training_sims,
                "snapshot_every": self.snapshot_every}


def default_ladder(game: Game) -> tuple[str, ...]:
    return CONNECT4_LADDER if game.name == "connect4" else TICTACTOE_LADDER


def default_elo(game: Game) -> tuple[str, ...]:
    return CONNECT4_ELO if game.name == "connect4" else TICTACTOE_ELO


def check_settings(settings: StudySettings, game: Game) -> None:
    """Refuses, before any work, what the study cannot do (bad specs fail in agents.make)."""
    import agents as agents_mod

    P.buckets_for(game)
    for spec in dict.fromkeys((*settings.ladder, *settings.elo_agents)):
        family(spec)
        agents_mod.make(spec, game).close()  # bad options and missing models fail here, in one line
    perfect = [s for s in settings.elo_agents if family(s) == "perfect"]
    if perfect and not [s for s in settings.ladder if family(s) == "perfect"]:
        raise P.StudyError(f"the Elo field has {perfect[0]!r} but the ladder has no perfect solver to give "
                           "its compute; add one (e.g. solver:book=false)")
    missing = [s for s in settings.elo_agents if family(s) != "perfect" and s not in settings.ladder]
    if missing:
        raise P.StudyError(f"Elo agent {missing[0]!r} is not on the ladder: its compute would be unknown")


class Study:
    """One run folder: builds what is missing, measures what is not measured, writes the report."""

    def __init__(self, settings: StudySettings, *, status: Callable[[str, int, int], None] | None = None,
                 say: Callable[[str], None] = print) -> None:
        from games import make as make_game

        self.settings = settings
        self.game = make_game(settings.game)
        self.folder = Path(settings.out)
        self.buckets = P.buckets_for(self.game)
        self.status = status or (lambda what, done, total: None)
        self.say = say

    # ---- settings ------------------------------------------------------------------------------
    def open(self) -> None:
        """Creates the folder or checks that it holds this study."""
        path = self.folder / SETTINGS_FILE
        fixed = self.settings.fixed(self.game)
        if path.exists():
            try:
                stored = json.loads(path.read_text())
            except (OSError, ValueError) as err:
                raise P.StudyError(f"{path} is damaged ({str(err)[:60]}); use another --out") from None
            if stored != json.loads(json.dumps(fixed)):
                diff = sorted(k for k in fixed if stored.get(k) != json.loads(json.dumps(fixed[k])))
                raise P.StudyError(f"{self.folder} holds a study with other settings ({', '.join(diff)}); "
                                   "rerun it with the same ones or choose another --out")
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        write_json_atomic(path, fixed)

    # ---- positions -----------------------------------------------------------------------------
    def positions(self) -> list[P.Position]:
        meta = self.settings.set_meta(self.game)
        stored = P.read_set(self.folder / P.SET_FILE, self.game, meta)
        if stored is not None:
            return stored
        candidates = self._candidates()
        done = len(P.read_jsonl(self.folder / P.LABELS_FILE))
        self.say(f"labelling {len(candidates)} positions with the exact solver ({done} done before)")
        labelled = P.label(self.game, candidates, self.folder,
                           progress=lambda n: self.status("labels", n, len(candidates)))
        P.write_set(self.folder / P.SET_FILE, meta, labelled, self.buckets)
        return labelled

    def _candidates(self) -> list[dict]:
        path = self.folder / P.CANDIDATES_FILE
        if path.exists():
            return json.loads(path.read_text())["positions"]
        s = self.settings
        if self.game.name != "connect4":
            candidates = P.enumerated_candidates(self.game, seed=s.seed, count=s.per_bucket)
        else:
            games_path = self.folder / GAMES_FILE
            if games_path.exists():
                games = json.loads(games_path.read_text())["games"]
            else:
                self.say(f"playing {s.game_count} games between {len(P.GENERATORS)} agents after "
                         f"random openings of {min(P.OPENING_PLIES)}-{max(P.OPENING_PLIES)} plies")
                games = P.play_games(self.game, s.game_count, seed=s.seed,
                                     progress=lambda n: self.status("games", n, s.game_count))
                write_json_atomic(games_path, {"generators": list(P.GENERATORS), "games": games})
            candidates = P.draw_candidates(self.game, games, s.bucket_size, per_game=s.per_game, seed=s.seed)
        write_json_atomic(path, {"positions": candidates})
        return candidates

    # ---- cells ---------------------------------------------------------------------------------
    def cells(self) -> list[dict]:
        return P.read_jsonl(self.folder / CELLS_FILE)

    def measure(self, jobs: Sequence[Job], positions: Sequence[P.Position]) -> None:
        """Measures every job on every bucket not measured yet (for a network: not measured with
        these weights)."""
        by_bucket = {b: [p for p in positions if p.bucket == b] for b in self.buckets}
        stored = {(c["name"], c["bucket"]): c.get(MODEL_HASH) for c in self.cells()}  # the last cell counts

        def done(job: Job, bucket: str) -> bool:  # a cell without a hash predates them: it stands
            measured = stored.get((job.name, bucket), "missing")
            return measured is None or measured == job.weights_sha256

        todo = [j for j in jobs if not all(done(j, b) for b in by_bucket)]
        total = len(jobs) * len(by_bucket)
        finished = sum(done(j, b) for j in jobs for b in by_bucket)
        if finished:
            self.say(f"{finished} of {total} cells already measured")
        for job in todo:
            name = job.name
            wanted = {b: ps for b, ps in by_bucket.items() if not done(job, b) and ps}
            for cell in measure_agent(self.game, name, job.spec, wanted, self.settings.cells, part=job.part,
                                      progress=lambda b, n, t, name=name: self.status(f"{name} [{b}]", n, t)):
                if job.weights_sha256 is not None:
                    cell[MODEL_HASH] = job.weights_sha256
                P.append_line(self.folder / CELLS_FILE, cell)
                finished += 1
                self.status("cells", finished, total)
                low, high = cell["interval95"]
                mean = cell["examined"]["mean"]
                self.say(f"cell {finished}/{total}: {name:<28} {cell['bucket']:<8} mistakes "
                         f"{cell['mistakes']}/{cell['positions']} = {100 * cell['rate']:5.1f}% "
                         f"[{100 * low:.1f}, {100 * high:.1f}]  examined/move "
                         f"{'-' if mean is None else f'{mean:,.0f}'}  {cell['seconds_per_move'] or 0:.4f} s/move"
                         + (f"  unfinished {cell['unfinished']}" if cell["unfinished"] else ""))

    # ---- Elo -----------------------------------------------------------------------------------
    def tournament(self) -> dict | None:
        """Plays (or finishes) the Elo tournament; its results.json data."""
        import agents as agents_mod
        from arena.openings import random_openings
        from arena.tournament import TournamentConfig, TournamentRun

        s = self.settings
        if len(s.elo_agents) < 2 or not s.elo_games:
            return None
        pairs = s.elo_games // 2
        openings = random_openings(self.game, s.elo_opening_plies, pairs, seed=s.seed) or [""]
        config = TournamentConfig(game=self.game.spec, agents=tuple(s.elo_agents), games=s.elo_games,
                                  openings=tuple(openings), seed=s.seed,
                                  openings_source=f"random {s.elo_opening_plies}-ply (seed {s.seed}), "
                                                  f"{len(openings)} distinct")
        folder = self.folder / "tournament"
        run = TournamentRun(config, folder, resume=(folder / "config.json").exists(), judge=False)
        if run.finished < run.total:
            self.say(f"Elo tournament: {len(s.elo_agents)} agents, {run.total} games "
                     f"({run.finished} played before), moves not judged (the positions measure mistakes)")
            players = {spec: agents_mod.make(spec, self.game, seed=s.seed) for spec in s.elo_agents}
            try:
                run.play(players, on_record=lambda r: self.status("tournament games", run.finished, run.total))
            finally:
                for agent in players.values():
                    agent.close()
        return run.write_results()

    # ---- training ------------------------------------------------------------------------------
    def trained_models(self) -> list[TrainedModel]:
        s = self.settings
        folder = self.folder / "training"
        models = lineage_models(self.game, list(s.lineage), folder)
        if s.train_iterations:
            self.say(f"training: {s.train_iterations} iterations of `arena train {self.game.name}` defaults, "
                     f"weights saved every {s.snapshot_every}")
            models += fresh_run(self.game, folder, iterations=s.train_iterations, every=s.snapshot_every,
                                seed=s.seed)
        return models

    def training_jobs(self, models: Sequence[TrainedModel]) -> list[Job]:
        sims = self.settings.training_sims
        jobs = []
        for m in models:
            sha = weights_sha256(m.path)
            jobs.append(Job(f"policy@{m.name}", f"policy:checkpoint={m.path}", "training", sha))
            jobs.append(Job(f"az:sims={sims}@{m.name}", f"az:checkpoint={m.path},sims={sims}", "training", sha))
        return jobs

    # ---- everything ----------------------------------------------------------------------------
    def run(self) -> dict:
        from arena.study.report import write_report

        self.open()
        positions = self.positions()
        self.measure([Job(spec, spec, "ladder") for spec in self.settings.ladder], positions)
        elo = self.tournament()
        models = self.trained_models()
        self.measure(self.training_jobs(models), positions)
        return write_report(self, positions, elo, models)
