"""Tournaments: a pairing schedule, resumable state on disk, results and ratings.

Every pairing plays colour-swapped pairs: both games of a pair start from the same opening,
once with each agent first. Games run in waves (see `arena.match`), and the output folder
holds everything needed to stop at any moment and continue with nothing lost or replayed:

    config.json    the settings and the resolved openings (written once)
    games.jsonl    one record per finished game, judged, appended and fsync'ed as it ends
    state.json     the running wave after its last completed step (written atomically)
    results.json   W/D/L, per-colour counts, pentanomial pairs, scores, ratings, accuracy (atomically)

Every game of a game the exact solver handles is judged when it ends, from its move list, by
the one judge (`agents.solver.Judge`, weak solves, at most JUDGE_BUDGET_S per position): each
record carries its per-seat counts of judged moves and mistakes (moves that throw away the
game-theoretic value: a win to a draw or a loss, a draw to a loss) and its first mistake, and
results.json turns them into each agent's accuracy.

Results depend only on the set of finished games, never on timing, so a run interrupted
half-way and resumed writes the same results.json as an uninterrupted one (accuracy included,
as long as the judge settles every position within its budget, as it does for tic-tac-toe,
connect four with the opening book and small variants). A damaged games.jsonl is refused
before anything is played, naming the line.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from agents.files import write_json_atomic
from agents.solver import Judge, JudgeUnavailable
from arena import ratings as rt
from arena.match import GameJob, GameRecord, WaveSnapshot, play_wave
from arena.openings import to_actions
from games import Game, SuiteError
from games import make as make_game

FORMATS = ("round-robin", "gauntlet")
CONFIG_FILE, GAMES_FILE, STATE_FILE, RESULTS_FILE = "config.json", "games.jsonl", "state.json", "results.json"
STATE_VERSION = 1
JUDGE_BUDGET_S = 0.5  # seconds of exact search per position before a move counts as unjudged
ACCURACY_MEANING = ("accuracy: the share of an agent's judged moves that keep the game-theoretic value "
                    "(a win stays a win, a draw a draw, by the exact solver); mistakes: moves that threw it "
                    "away / moves judged")


class TournamentError(SuiteError):
    """Bad tournament settings, or an output folder that cannot be used or resumed."""


@dataclasses.dataclass(frozen=True)
class TournamentConfig:
    """Everything that determines a tournament's games (timing and output aside)."""

    game: str  # canonical game spec
    agents: tuple[str, ...]  # agent specs, also their names
    games: int  # games per pairing (even: colour-swapped pairs)
    format: str = "round-robin"
    openings: tuple[str, ...] = ("",)  # pair q of every pairing starts from openings[q % len]
    openings_source: str = "empty board"
    seed: int = 0
    concurrency: int = 64  # games per wave

    def __post_init__(self) -> None:
        if len(self.agents) < 2:
            raise TournamentError("a tournament needs at least two agents")
        duplicates = [a for a, n in Counter(self.agents).items() if n > 1]
        if duplicates:
            raise TournamentError(f"agent {duplicates[0]!r} is listed twice; give each agent once")
        if self.format not in FORMATS:
            raise TournamentError(f"unknown format {self.format!r}; valid formats: {', '.join(FORMATS)}")
        if self.games < 2 or self.games % 2:
            raise TournamentError(f"--games {self.games}: expected an even number >= 2 (colour-swapped pairs)")
        if self.concurrency < 2:
            raise TournamentError("--concurrency must be at least 2")
        if not self.openings:
            raise TournamentError("no openings to play from")

    @property
    def pairs(self) -> int:
        return self.games // 2

    def pairings(self) -> list[tuple[str, str]]:
        if self.format == "gauntlet":
            return [(self.agents[0], other) for other in self.agents[1:]]
        return list(itertools.combinations(self.agents, 2))

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["agents"] = list(self.agents)
        data["openings"] = list(self.openings)
        return data

    @staticmethod
    def from_json(data: Mapping) -> TournamentConfig:
        fields = {f.name for f in dataclasses.fields(TournamentConfig)}
        missing = fields - set(data)
        if missing:
            raise ValueError(f"missing {sorted(missing)}")
        values = {k: data[k] for k in fields}
        for key in ("game", "format", "openings_source"):
            if not isinstance(values[key], str):
                raise ValueError(f"{key} {values[key]!r} is not a string")
        for key in ("games", "seed", "concurrency"):
            if not isinstance(values[key], int) or isinstance(values[key], bool):
                raise ValueError(f"{key} {values[key]!r} is not an integer")
        for key in ("agents", "openings"):
            if not (isinstance(values[key], list) and all(isinstance(v, str) for v in values[key])):
                raise ValueError(f"{key} is not a list of strings")
            values[key] = tuple(values[key])
        return TournamentConfig(**values)


def schedule(config: TournamentConfig) -> list[GameJob]:
    """All games in playing order: pair by pair, every pairing progressing together, so a
    stopped tournament has comparable numbers of games for everybody."""
    game = make_game(config.game)
    jobs = []
    pairings = config.pairings()
    for q in range(config.pairs):
        opening = to_actions(game, config.openings[q % len(config.openings)])
        for p, (a, b) in enumerate(pairings):
            pair = q * len(pairings) + p
            jobs.append(GameJob(2 * pair, (a, b), opening, pair))
            jobs.append(GameJob(2 * pair + 1, (b, a), opening, pair))
    return jobs


def waves(config: TournamentConfig) -> list[list[GameJob]]:
    jobs = schedule(config)
    size = config.concurrency - config.concurrency % 2  # keep pairs in one wave
    return [jobs[i:i + size] for i in range(0, len(jobs), size)]


# ---- files -----------------------------------------------------------------------------------

def _corrupt(folder: Path, what: str) -> TournamentError:
    return TournamentError(f"cannot resume from {folder}: {what}; nothing was changed (fix the file or use a new --out)")


def load_config(folder: Path) -> TournamentConfig:
    path = folder / CONFIG_FILE
    if not folder.is_dir():
        raise TournamentError(f"cannot resume: {folder} is not a folder")
    if not path.is_file():
        raise TournamentError(f"cannot resume: {folder} holds no tournament ({CONFIG_FILE} is missing)")
    try:
        return TournamentConfig.from_json(json.loads(path.read_text()))
    except TournamentError as err:
        raise _corrupt(folder, f"{CONFIG_FILE}: {err}") from None
    except OSError as err:
        raise _corrupt(folder, f"cannot read {CONFIG_FILE}: {err.strerror}") from None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as err:
        raise _corrupt(folder, f"{CONFIG_FILE} is corrupt ({type(err).__name__}: {str(err)[:80]})") from None


def load_records(folder: Path, jobs: Mapping[int, GameJob], game: Game) -> dict[int, GameRecord]:
    """The finished games, each checked field by field and against the schedule.

    Any damage (bytes that are not text, a line that is not a record, a field of the wrong
    type or out of range, a game the schedule does not hold) is refused here, before anything
    is played, with the line named.
    """
    path = folder / GAMES_FILE
    records: dict[int, GameRecord] = {}
    if not path.exists():
        return records
    try:
        data = path.read_bytes()
    except OSError as err:
        raise _corrupt(folder, f"cannot read {GAMES_FILE}: {err.strerror}") from None
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            record = GameRecord.from_json(json.loads(raw.decode("utf-8")))
            _check_against_schedule(record, jobs, game)
        except UnicodeDecodeError:
            raise _corrupt(folder, f"{GAMES_FILE} line {number} is corrupt (not UTF-8 text)") from None
        except (ValueError, TypeError, AttributeError, KeyError, RecursionError, SuiteError) as err:
            raise _corrupt(folder, f"{GAMES_FILE} line {number} is corrupt ({str(err)[:80]})") from None
        records.setdefault(record.index, record)
    return records


def _check_against_schedule(record: GameRecord, jobs: Mapping[int, GameJob], game: Game) -> None:
    """A stored game must be the scheduled one: its index, seats, pair and opening."""
    job = jobs.get(record.index)
    if job is None:
        raise ValueError(f"game {record.index} is not in the schedule of {len(jobs)} games")
    if tuple(record.players) != job.players or record.pair != job.pair:
        raise ValueError(f"game {record.index} is scheduled as {' vs '.join(job.players)} (pair {job.pair})")
    actions = to_actions(game, record.moves)
    if tuple(actions[:len(job.opening)]) != job.opening or record.opening != game.moves_to_str(job.opening):
        raise ValueError(f"game {record.index} does not start from its opening")
    if record.plies != len(actions):
        raise ValueError(f"plies {record.plies} but {len(actions)} moves")


def load_snapshot(folder: Path, game: Game, schedule_waves: Sequence[Sequence[GameJob]]) -> WaveSnapshot | None:
    """The running wave, checked against the schedule (its games, their openings, legal moves)."""
    path = folder / STATE_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unknown version {data.get('version')!r}")
        if not data.get("snapshot"):
            return None
        snapshot = WaveSnapshot.from_json(data["snapshot"], game)
        if not 0 <= snapshot.wave < len(schedule_waves) or snapshot.step < 0:
            raise ValueError(f"wave {snapshot.wave} step {snapshot.step} is not in the schedule")
        jobs = {job.index: job for job in schedule_waves[snapshot.wave]}
        for index, (actions, _) in snapshot.running.items():
            if index not in jobs or tuple(actions[:len(jobs[index].opening)]) != jobs[index].opening:
                raise ValueError(f"game {index} is not a game of wave {snapshot.wave} from its opening")
            game.from_moves(actions)  # raises on an illegal move
        return snapshot
    except OSError as err:
        raise _corrupt(folder, f"cannot read {STATE_FILE}: {err.strerror}") from None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, SuiteError) as err:
        raise _corrupt(folder, f"{STATE_FILE} is corrupt ({str(err)[:80]})") from None


class TournamentRun:
    """A tournament bound to its output folder: start it, or resume it, and play it out."""

    def __init__(self, config: TournamentConfig, folder: Path | str, *, resume: bool = False,
                 judge: bool = True) -> None:
        """`judge=False` skips judging (records then carry no accuracy), e.g. for speed."""
        self.config = config
        self.folder = Path(folder)
        self.game = make_game(config.game)
        self.waves = waves(config)
        self.total = sum(len(w) for w in self.waves)
        self._judge: Judge | None = None
        self.judge_note = "" if judge else "moves not judged (judging turned off)"
        if resume:
            stored = load_config(self.folder)
            if stored != config:
                raise TournamentError(f"{self.folder} was started with different settings; resume it with "
                                      f"`--resume {self.folder}` alone or choose another --out")
            jobs = {job.index: job for wave in self.waves for job in wave}
            self.records = load_records(self.folder, jobs, self.game)
            self.snapshot = load_snapshot(self.folder, self.game, self.waves)
        else:
            if (self.folder / CONFIG_FILE).exists():
                raise TournamentError(f"{self.folder} already holds a tournament; continue it with "
                                      f"--resume {self.folder} or choose another --out")
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise TournamentError(f"cannot create output folder {self.folder}: {err.strerror}") from None
            write_json_atomic(self.folder / CONFIG_FILE, config.to_json())
            self.records = {}
            self.snapshot = None

    @classmethod
    def resume(cls, folder: Path | str, *, judge: bool = True) -> TournamentRun:
        return cls(load_config(Path(folder)), folder, resume=True, judge=judge)

    @property
    def judge(self) -> Judge | None:
        """The run's judge, made at first use (None when turned off or the game has no bounded solver).

        `judge_note` then says what it does, or why there is none.
        """
        if self._judge is None and not self.judge_note:
            try:
                self._judge = Judge(self.game, budget_s=JUDGE_BUDGET_S)
                self.judge_note = (f"every move judged against perfect play (exact solver, up to "
                                   f"{JUDGE_BUDGET_S:g} s per position)")
            except JudgeUnavailable as err:
                self.judge_note = f"moves not judged: {err}"
        return self._judge

    def judged(self, record: GameRecord) -> GameRecord:
        """`record` with the judge's verdict on every agent move (unchanged without a judge)."""
        judge = self.judge
        if judge is None:
            return record
        verdict = judge.judge_game(to_actions(self.game, record.moves),
                                   opening_plies=len(to_actions(self.game, record.opening)), forfeit=record.forfeit)
        first = None
        if verdict.first_mistake is not None:
            first = verdict.first_mistake.to_json(self.game)
            first["agent"] = record.players[first["player"]]
        counts = {"moves": list(verdict.judged), "mistakes": list(verdict.mistakes),
                  "unjudged": list(verdict.unjudged)}
        return dataclasses.replace(record, judged=counts, first_mistake=first)

    @property
    def finished(self) -> int:
        return len(self.records)

    def _append(self, record: GameRecord) -> bool:
        """Stores a finished game durably; False when it was already stored (a replayed step)."""
        if record.index in self.records:
            return False
        with open(self.folder / GAMES_FILE, "a") as handle:
            handle.write(json.dumps(record.to_json(), sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.records[record.index] = record
        return True

    def _save_state(self, snapshot: WaveSnapshot | None) -> None:
        write_json_atomic(self.folder / STATE_FILE, {
            "version": STATE_VERSION,
            "snapshot": snapshot.to_json(self.game) if snapshot is not None else None,
        })

    def play(self, agents: Mapping[str, object], *, on_record: Callable[[GameRecord], None] | None = None,
             stop: Callable[[], bool] | None = None) -> bool:
        """Plays every unplayed game; returns True when the schedule is complete.

        `stop` is asked after each wave (an SPRT decision, say); KeyboardInterrupt may arrive at
        any time: the files on disk are always consistent.
        """
        for number, jobs in enumerate(self.waves):
            if all(job.index in self.records for job in jobs):
                continue
            snapshot = self.snapshot if self.snapshot is not None and self.snapshot.wave == number else None
            # Without a snapshot the whole wave starts again (games already stored are not stored
            # twice): the batches then match the uninterrupted run's, so results do too.

            def on_finish(record: GameRecord) -> None:
                if record.index in self.records:  # a replayed step: stored (and judged) already
                    return
                record = self.judged(record)  # from the move list, once the game is over
                if self._append(record) and on_record is not None:
                    on_record(record)

            def on_step(snap: WaveSnapshot) -> None:
                self.snapshot = snap
                self._save_state(snap)

            play_wave(self.game, agents, jobs, seed=self.config.seed, wave=number, snapshot=snapshot,
                      on_finish=on_finish, on_step=on_step)
            self.snapshot = None
            self._save_state(None)
            self.write_results()
            if stop is not None and stop() and number + 1 < len(self.waves):
                return False
        self.write_results()
        return self.finished == self.total

    def results(self) -> dict:
        return compute_results(self.config, self.records.values(), total=self.total)

    def write_results(self) -> dict:
        data = self.results()
        write_json_atomic(self.folder / RESULTS_FILE, data)
        return data


# ---- results ---------------------------------------------------------------------------------

PENTA_KEYS = ("LL", "LD", "WL", "DD", "WD", "WW")


def pair_counts(records: Sequence[GameRecord], name: str) -> dict[str, int]:
    """Pentanomial counts of complete pairs from `name`'s point of view."""
    by_pair: dict[int, list[GameRecord]] = {}
    for record in records:
        by_pair.setdefault(record.pair, []).append(record)
    counts = dict.fromkeys(PENTA_KEYS, 0)
    for games in by_pair.values():
        if len(games) != 2:
            continue
        points = sorted(g.points(name) for g in games)
        key = {(0, 0): "LL", (0, 0.5): "LD", (0, 1): "WL", (0.5, 0.5): "DD", (0.5, 1): "WD", (1, 1): "WW"}[
            (points[0], points[1])]
        counts[key] += 1
    return counts


def _wdl(records: Sequence[GameRecord], name: str) -> dict[str, int]:
    out = {"w": 0, "d": 0, "l": 0}
    for r in records:
        out[{1.0: "w", 0.5: "d", 0.0: "l"}[r.points(name)]] += 1
    return out


def accuracy(names: Sequence[str], records: Sequence[GameRecord]) -> dict:
    """Per agent: judged moves, mistakes, accuracy (1 - mistakes / judged) and unjudged moves."""
    per = {n: {"moves_judged": 0, "mistakes": 0, "moves_unjudged": 0} for n in names}
    judged_games = 0
    for r in records:
        if r.judged is None:
            continue
        judged_games += 1
        for seat, name in enumerate(r.players):
            per[name]["moves_judged"] += r.judged["moves"][seat]
            per[name]["mistakes"] += r.judged["mistakes"][seat]
            per[name]["moves_unjudged"] += r.judged["unjudged"][seat]
    for entry in per.values():
        n = entry["moves_judged"]
        entry["accuracy"] = round(1 - entry["mistakes"] / n, 6) if n else None
    return {"meaning": ACCURACY_MEANING, "budget_s_per_position": JUDGE_BUDGET_S,
            "games_judged": judged_games, "games_not_judged": len(records) - judged_games, "agents": per}


def compute_results(config: TournamentConfig, records: Sequence[GameRecord] | object, *, total: int) -> dict:
    """results.json: a pure function of the settings and the finished games (no timings)."""
    records = sorted(records, key=lambda r: r.index)
    names = list(config.agents)
    index = {n: i for i, n in enumerate(names)}
    points = np.zeros((len(names), len(names)))
    games = np.zeros((len(names), len(names)))
    pairings = []
    for a, b in config.pairings():
        mine = [r for r in records if set(r.players) == {a, b}]
        wdl = _wdl(mine, a)
        penta = pair_counts(mine, a)
        tri = rt.trinomial(wdl["w"], wdl["l"], wdl["d"])
        pen = rt.pentanomial(*(penta[k] for k in PENTA_KEYS))
        pairings.append({
            "a": a, "b": b, "games": len(mine), "a_wins": wdl["w"], "draws": wdl["d"], "b_wins": wdl["l"],
            "a_as_first": _wdl([r for r in mine if r.players[0] == a], a),
            "a_as_second": _wdl([r for r in mine if r.players[1] == a], a),
            "pentanomial": penta, "a_score": round(tri.score, 6) if mine else None,
            "trinomial_stats": tri.to_json(), "pentanomial_stats": pen.to_json(),
        })
        i, j = index[a], index[b]
        points[i, j] += sum(r.points(a) for r in mine)
        points[j, i] += sum(r.points(b) for r in mine)
        games[i, j] += len(mine)
        games[j, i] += len(mine)
    fitted = rt.fit_ratings(names, points, games)
    reasons = Counter(r.reason for r in records)
    seats = Counter(r.result for r in records)
    return {
        "game": config.game,
        "agents": names,
        "format": config.format,
        "seed": config.seed,
        "openings": {"source": config.openings_source, "count": len(config.openings)},
        "games_total": total,
        "games_played": len(records),
        "complete": len(records) == total,
        "all_draws": bool(records) and all(r.winner is None for r in records),
        "results_by_seat": {"first_wins": seats["1-0"], "draws": seats["1/2-1/2"], "second_wins": seats["0-1"]},
        "reasons": dict(sorted(reasons.items())),
        "pairings": pairings,
        "ratings": fitted.to_json() if records else None,
        "accuracy": accuracy(names, records),
    }


def accuracy_note(results: Mapping) -> str:
    """What the accuracy column means, and how much of it is missing."""
    acc = results.get("accuracy")
    if not acc or not acc["games_judged"]:
        return "accuracy: not measured (no game was judged by the exact solver)"
    text = ACCURACY_MEANING
    unjudged = sum(a["moves_unjudged"] for a in acc["agents"].values())
    if unjudged:
        text += f"; {unjudged} moves unjudged (beyond {acc['budget_s_per_position']:g} s of search per position)"
    if acc["games_not_judged"]:
        text += f"; {acc['games_not_judged']} games recorded without judgement"
    return text


def format_table(results: Mapping) -> str:
    """The final table: ratings, then one line per pairing, then what is degenerate about it."""
    lines = []
    played, total = results["games_played"], results["games_total"]
    lines.append(f"{results['game']}  {results['format']}  {played}/{total} games  "
                 f"openings: {results['openings']['source']}")
    rating = results.get("ratings")
    judged = (results.get("accuracy") or {}).get("agents", {})
    if rating:
        width = max(len(a["name"]) for a in rating["agents"])
        lines.append(f"{'rank':>4}  {'agent':<{width}}  {'Elo (95%)':>16}  {'games':>5}  {'score':>6}  "
                     f"{'accuracy':>8}  {'mistakes':>11}")
        order = sorted(rating["agents"], key=lambda a: -a["elo"]["value"])
        for rank, agent in enumerate(order, 1):
            e = rt.Estimate(agent["elo"]["value"], agent["elo"]["error"], agent["elo"]["bound"])
            acc = judged.get(agent["name"], {})
            share = "-" if acc.get("accuracy") is None else f"{100 * acc['accuracy']:.1f}%"
            count = "-" if not acc.get("moves_judged") else f"{acc['mistakes']}/{acc['moves_judged']}"
            lines.append(f"{rank:>4}  {agent['name']:<{width}}  {e.text():>16}  {agent['games']:>5}  "
                         f"{100 * agent['score']:>5.1f}%  {share:>8}  {count:>11}")
        if rating["regularized"]:
            lines.append("note: someone won or lost every game against part of the field; '>=' / '<=' are "
                         "95% one-sided bounds (one virtual draw per pairing keeps the fit finite)")
        lines.append(accuracy_note(results))
    lines.append("")
    lines.append("pairing results (W-D-L for the first-named agent; pairs LL LD WL DD WD WW):")
    for p in results["pairings"]:
        if not p["games"]:
            lines.append(f"  {p['a']} vs {p['b']}: no games yet")
            continue
        tri = p["trinomial_stats"]
        e = rt.Estimate(tri["elo"]["value"], tri["elo"]["error"], tri["elo"]["bound"])
        penta = " ".join(str(p["pentanomial"][k]) for k in PENTA_KEYS)
        los = f"LOS {100 * tri['los']:.1f}%"
        lines.append(f"  {p['a']} vs {p['b']}: {p['a_wins']}-{p['draws']}-{p['b_wins']} "
                     f"score {100 * p['a_score']:.1f}%  Elo {e.text()}  {los}  pairs {penta}")
    if results["all_draws"]:
        lines.append(f"all {played} games were draws: the agents cannot be told apart here "
                     "(expected with good play in tic-tac-toe)")
    seats = results["results_by_seat"]
    lines.append(f"by seat: first player won {seats['first_wins']}, drew {seats['draws']}, "
                 f"second player won {seats['second_wins']}; endings: "
                 + ", ".join(f"{k} {v}" for k, v in results["reasons"].items()))
    return "\n".join(lines)
