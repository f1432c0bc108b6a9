"""Bad input, one class of failure per test: refused in one line, exit status 2, files untouched.

The classes: numbers (non-ASCII digits, inf/nan, out of range) in positions, specs, flags and
config files; output paths that are folders or files; damaged files (config, metrics, model,
positions); boards or sweeps too big to finish; and resume, which must never lie.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import agents
import games
from agents.alphazero.config import LIMITS, TrainConfig, check_option, default_config, read_config_file
from agents.alphazero.loop import train
from agents.alphazero.metrics import MetricsLog
from agents.alphazero.trainer import Trainer, TrainingError
from agents.checkpoint import CheckpointError, load_model, save_model
from agents.network import default_config as network_default
from agents.network import init_network
from agents.solver import Solver
from agents.solver.limits import exact_refusal, score_bound
from arena.cli import main
from games import IllegalMoveError, SpecError, SuiteError
from games.spec import to_float, to_int

GAME = "connect4:rows=4,cols=5,k=3"
TINY = ["--num-envs", "16", "--rollout-steps", "8", "--num-simulations", "8", "--channels", "8", "--blocks", "1",
        "--batch-size", "32", "--updates-per-iteration", "2", "--buffer-size", "512", "--eval-every", "0",
        "--max-considered-actions", "4", "--checkpoint-every", "2", "--quiet"]
NON_ASCII_DIGITS = st.characters(categories=("Nd",)).filter(lambda c: not c.isascii())


def tiny(**overrides) -> TrainConfig:
    base = dict(iterations=4, num_envs=16, rollout_steps=8, num_simulations=8, channels=8, blocks=1,
                batch_size=32, updates_per_iteration=2, buffer_size=512, eval_every=0, checkpoint_every=2,
                max_considered_actions=4)
    base.update(overrides)
    return default_config(GAME, **base)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes: 'files untouched' is this, equal before and after."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(capsys, argv: list[str]) -> str:
    """Runs `arena argv`, asserts the one-line refusal with exit status 2, returns the line."""
    with pytest.raises(SystemExit) as code:
        status = main(argv)
        raise SystemExit(status)
    err = capsys.readouterr().err
    assert code.value.code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"arena {argv[0]}: error: "), err
    return lines[0]


# ---- numbers: ASCII, finite, inside a stated range -------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12), st.integers(-5, 5), st.integers(5, 50))
def test_numbers_are_ascii_finite_and_in_range(text, low, high):
    """Whatever a person types, a number comes back in range or a SpecError names the range."""
    for parse, integer in ((to_int, True), (to_float, False)):
        try:
            value = parse(text, minimum=low, maximum=high)
        except SpecError as err:
            assert str(low) in str(err) and str(high) in str(err)
            continue
        assert text.isascii() and low <= value <= high and math.isfinite(value)
        assert isinstance(value, int) if integer else isinstance(value, float)


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "1e999", "1_000", "٣", "３", "0x10", "", "1.5.2"])
def test_inf_nan_underscores_and_foreign_digits_are_not_numbers(text):
    with pytest.raises(SpecError, match="expected a finite number"):
        to_float(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from("1234567"), NON_ASCII_DIGITS), min_size=1, max_size=8))
def test_positions_with_non_ascii_digits_are_refused(chars):
    """'٤٤٥٣' is not 4453: str.isdigit accepts it, the notation must not."""
    game = games.make("connect4")
    text = "".join(chars)
    if text.isascii():
        return
    first = next(i for i, c in enumerate(text) if not c.isascii())
    with pytest.raises(IllegalMoveError) as err:
        game.from_moves(text)
    assert err.value.index <= first + 1  # the first non-ASCII move at the latest
    assert "\n" not in str(err.value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_malformed_positions_raise_only_one_line_errors(text):
    game = games.make("tictactoe")
    try:
        state = game.from_moves(text)
    except IllegalMoveError as err:
        assert "\n" not in str(err)
        return
    assert all(tok.isascii() and tok.isdigit() for tok in game.tokenize(text))
    assert int(state.ply) == len(game.tokenize(text))


OPTION_VALUES = st.one_of(st.text(max_size=8), st.sampled_from(["inf", "nan", "-1", "0", "1e9", "٣", "2", "0.5"]))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["solver:time=", "solver:depth=", "mcts:noise=", "mcts:temperature=", "mcts:c=",
                        "mcts:sims=", "mcts:rollouts=", "tictactoe:rows=", "connect4:k="]), OPTION_VALUES)
def test_spec_options_are_refused_in_one_line_or_valid(prefix, value):
    """Specs parse every option with the same number rules; nothing but SpecError escapes."""
    from agents.registry import REGISTRY

    spec = prefix + value
    game = games.make("tictactoe")
    try:
        if prefix.startswith(("tictactoe", "connect4")):
            made = games.make(spec)
            assert made.config.num_cells <= 127
        elif prefix.startswith("solver"):
            agent = agents.make(spec, game)
            assert agent.time_s is None or 0 < agent.time_s <= 86_400
        else:
            info, given = agents.read_spec(spec)
            settings_ = REGISTRY["mcts"].settings(info.values(given))
            assert 0 <= settings_.dirichlet_fraction <= 1 and math.isfinite(settings_.temperature)
    except SpecError as err:  # one line that names what was refused: the option, the spec or the game
        message = str(err)
        assert "\n" not in message and any(word in message for word in ("option", "spec", prefix.split(":")[0]))


# ---- config values: typed, finite, bounded; a partial file overrides only its own keys --------------
JSON_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=True),
                        st.text(max_size=6), st.lists(st.integers(), max_size=2))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(f for f in TrainConfig.__dataclass_fields__ if f != "game")), JSON_VALUES)
def test_config_values_are_checked_by_type_and_range(name, value):
    try:
        checked = check_option(name, value)
    except SpecError as err:
        assert f"option {name}" in str(err) and "\n" not in str(err)
        return
    if name in LIMITS:
        low, high, positive = LIMITS[name]
        assert not isinstance(checked, bool) and math.isfinite(checked)
        assert (low is None or checked >= low) and (high is None or checked <= high) and (not positive or checked > 0)
        if TrainConfig.__dataclass_fields__[name].type == "int":
            assert isinstance(checked, int)


def test_a_partial_config_file_overrides_only_its_own_keys(tmp_path, capsys):
    from arena.cli import build_parser
    from arena.commands.train import build_config

    path = tmp_path / "partial.json"
    path.write_text(json.dumps({"iterations": 3, "learning_rate": 5e-4}))
    args = build_parser().parse_args(["train", "connect4", "--config", str(path), "--seed", "7"])
    config = build_config(args)
    expected = default_config("connect4", iterations=3, learning_rate=5e-4, seed=7)
    assert config == expected
    assert config.channels == default_config("connect4").channels  # the game's default, not the dataclass's
    assert read_config_file(path) == {"iterations": 3, "learning_rate": 5e-4}


# ---- one line and exit status 2 at the command line; existing files untouched ------------------------
def _bad_files(folder: Path) -> None:
    (folder / "afile").write_text("not a folder")
    (folder / "shots").mkdir()
    (folder / "types.json").write_text(json.dumps({"num_envs": "many"}))
    (folder / "binary.json").write_bytes(bytes(range(256)))
    run = folder / "damaged-run"
    run.mkdir()
    (run / "metrics.jsonl").write_bytes(b'{"iteration": 1, "wall_seconds": 1.0}\n\x00\xffjunk\n'
                                        b'{"iteration": 2, "wall_seconds": 2.0}\n')
    (folder / "labels.txt").write_text("4453 -2\n4455 30\n")
    (folder / "digits.txt").write_text("4453 -٢\n")


CLI_CASES = {
    "argparse flag out of range": (["train", "tictactoe", "--channels", "1000000000"], "--channels"),
    "argparse flag, games": (["train", "tictactoe", "--num-envs", "1000000000"], "65536"),
    "NaN learning rate": (["train", "tictactoe", "--learning-rate", "nan"], "finite number > 0"),
    "negative learning rate": (["train", "tictactoe", "--learning-rate", "-1"], "> 0"),
    "solve time inf": (["solve", "tictactoe", "--time", "inf", "5"], "--time"),
    "solve bad position": (["solve", "connect4", "4453x"], "move 5"),
    "solve foreign digits": (["solve", "connect4", "٤٤٥٣"], "move 1"),
    "solve board too big": (["solve", "tictactoe:rows=5,cols=5,k=4", "1"], "--time"),
    "solver agent time inf": (["eval", "solver:time=inf", "--game", "tictactoe"], "finite"),
    "vs-solver sweep bound": (["eval", "random", "--game", "tictactoe", "--vs-solver", "--plies", "50"], "0 to 4"),
    "train out is a file": (["train", "tictactoe", "--out", "{tmp}/afile"], "is a file"),
    "train out under a file": (["train", "tictactoe", "--out", "{tmp}/afile/run"], "is a file"),
    "export to a file": (["export", "{tmp}/damaged-run", "--to", "{tmp}/afile"], "is a file"),
    "screenshot to a folder": (["play", "--screenshot", "{tmp}/shots"], "is a folder"),
    "size in fullwidth digits": (["play", "--size", "９６０x640", "--screenshot", "{tmp}/x.png"], "--size"),
    "config of wrong types": (["train", "--config", "{tmp}/types.json"], "num_envs"),
    "config not text": (["train", "--config", "{tmp}/binary.json"], "not a text"),
    "damaged metrics": (["plot", "{tmp}/damaged-run"], "metrics.jsonl:2"),
    "label out of range": (["eval", "random", "--positions", "{tmp}/labels.txt"], "labels.txt:2"),
    "label in foreign digits": (["eval", "random", "--positions", "{tmp}/digits.txt"], "digits.txt:1"),
    "resume without checkpoint": (["train", "tictactoe", "--out", "{tmp}/damaged-run", "--resume"], "no training checkpoint"),
}


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_bad_input_is_one_line_exit_2_and_changes_no_file(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _bad_files(tmp_path)
    before = snapshot(tmp_path)
    argv, needle = CLI_CASES[case]
    line = refused(capsys, [a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert needle in line and "Traceback" not in line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["play", "train", "tournament", "match", "eval", "solve", "bench", "plot",
                                     "export"])
def test_every_help_text_renders(command, capsys):
    """`arena train --help` once crashed on a '%' in a field doc: every command's help must render."""
    with pytest.raises(SystemExit) as code:
        main([command, "--help"])
    assert code.value.code == 0 and "usage: arena" in capsys.readouterr().out


# ---- damaged or absurd model files ----------------------------------------------------------------
@pytest.fixture
def model(tmp_path):
    game = games.make("tictactoe")
    config = network_default(game, kind="mlp", channels=8, blocks=1)
    _, params = init_network(config)
    return game, save_model(tmp_path / "model", game, config, params)


def _rewrite(folder: Path, *, network: dict | None = None, weights: dict | None = None) -> None:
    meta = json.loads((folder / "model.json").read_text())
    if weights is not None:
        with open(folder / "weights.npz", "wb") as handle:
            np.savez(handle, **weights)
        meta["weights_sha256"] = hashlib.sha256((folder / "weights.npz").read_bytes()).hexdigest()
    if network is not None:
        meta["network"].update(network)
    (folder / "model.json").write_text(json.dumps(meta))


@pytest.mark.parametrize("damage, message", [
    ("nan", "non-finite"), ("inf", "non-finite"), ("billion blocks", "network blocks"),
    ("string channels", "network channels"), ("wrong board", "board"),
])
def test_absurd_or_non_finite_model_files_are_refused(model, damage, message):
    game, folder = model
    with np.load(folder / "weights.npz") as data:
        arrays = {k: data[k] for k in data.files}
    if damage in ("nan", "inf"):
        arrays = {k: np.full_like(v, np.nan if damage == "nan" else np.inf) for k, v in arrays.items()}
        _rewrite(folder, weights=arrays)
    else:
        _rewrite(folder, network={"billion blocks": {"blocks": 10**9}, "string channels": {"channels": "8"},
                                  "wrong board": {"rows": 4}}[damage])
    with pytest.raises(CheckpointError, match=message):
        load_model(folder, game)


def test_a_model_with_non_finite_weights_is_never_saved(tmp_path):
    game = games.make("tictactoe")
    config = network_default(game, kind="mlp", channels=8, blocks=1)
    _, params = init_network(config)
    import jax

    bad = jax.tree.map(lambda x: x * np.nan, params)
    with pytest.raises(CheckpointError, match="not finite"):
        save_model(tmp_path / "m", game, config, bad)
    assert not (tmp_path / "m").exists()


# ---- nothing hangs: boards the exact solver cannot finish, scores it cannot produce ---------------
@pytest.mark.parametrize("spec, refused_", [
    ("tictactoe", False), ("connect4", False), ("connect4:rows=8,cols=7,k=4", False),
    ("tictactoe:rows=3,cols=4,k=3", False), ("tictactoe:rows=5,cols=5,k=4", True),
    ("connect4:rows=8,cols=8,k=4", True),
])
def test_boards_too_big_for_the_exact_solver_need_a_budget(spec, refused_):
    game = games.make(spec)
    assert (exact_refusal(game) is not None) == refused_
    if refused_:
        with pytest.raises(SpecError, match="too big for the exact solver"):
            agents.make("solver", game)
        assert agents.make("solver:time=1", game).time_s == 1.0  # a bounded budget is fine
        with pytest.raises(SpecError, match="--eval-every 0"):
            default_config(spec, eval_every=5)
        default_config(spec, eval_every=0)


def test_score_bound_holds_on_every_tictactoe_position_and_on_pons_positions():
    """The label range is tight enough to catch typos and never refuses a true score."""
    from agents.alphazero.evaluation import _all_positions
    from agents.solver import load_pons_set

    ttt = games.make("tictactoe")
    solver = Solver(ttt)
    for moves in _all_positions(ttt):
        assert abs(solver.solve(moves).score) <= score_bound(ttt, len(moves))
    c4 = games.make("connect4")
    for name in ("end-easy", "middle-easy"):
        for moves, score in load_pons_set(name):
            assert abs(score) <= score_bound(c4, len(moves))
    assert score_bound(c4, 4) == 19  # '4455' scores 18


def test_play_falls_back_to_mcts_on_a_variant_without_a_released_model():
    from agents.checkpoint import PROJECT_CHECKPOINTS, released_model
    from arena.window import analysis

    assert released_model(games.make("connect4"), PROJECT_CHECKPOINTS) is not None  # the standard board has one
    assert analysis.default_opponent(games.make("connect4:rows=5,cols=6,k=4"), root=PROJECT_CHECKPOINTS) == "mcts"


# ---- resume never lies -------------------------------------------------------------------------------
def _iterations(run: Path) -> list[int]:
    return [json.loads(line)["iteration"] for line in (run / "metrics.jsonl").read_text().splitlines()]


def test_resume_falls_back_past_a_damaged_checkpoint_and_never_repeats_metrics(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", GAME, "--out", str(run), "--iterations", "4", *TINY]) == 0
    assert _iterations(run) == [1, 2, 3, 4]
    for path in (run / "checkpoints" / "4").rglob("*"):
        if path.is_file() and path.stat().st_size:
            path.write_bytes(b"garbage")
    config_before = (run / "config.json").read_bytes()
    # A resume that is refused (another network size) leaves config.json as it was.
    refused(capsys, ["train", GAME, "--out", str(run), "--iterations", "6", *TINY, "--channels", "16", "--resume"])
    assert (run / "config.json").read_bytes() == config_before
    assert main(["train", GAME, "--out", str(run), "--iterations", "6", *TINY, "--resume"]) == 0
    err = capsys.readouterr().err
    assert "resuming from checkpoint 2" in err and "checkpoint 4 is moved" in err
    assert _iterations(run) == [1, 2, 3, 4, 5, 6]  # 3 and 4 redone once, not appended twice
    assert sorted(int(p.name) for p in (run / "checkpoints").iterdir() if p.name.isdigit())[-1] == 6
    assert (run / "checkpoints-damaged" / "4").is_dir()
    assert json.loads((run / "config.json").read_text())["iterations"] == 6


def test_interrupted_before_the_first_iteration_saves_nothing_and_says_so(tmp_path, capsys, monkeypatch):
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.jsonl").write_text('{"iteration": 1, "wall_seconds": 1.0}\n')  # an earlier start, no checkpoint

    def interrupt(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(Trainer, "run_iteration", interrupt)
    summary = train(tiny(), run)
    out = capsys.readouterr().out
    assert not summary["completed"] and "nothing was saved" in out and "saved iteration 0" not in out
    assert not (run / "checkpoints").exists() or not any((run / "checkpoints").iterdir())
    assert (run / "metrics.jsonl").read_text() == ""  # the stale rows of the earlier start are gone
    with pytest.raises(TrainingError, match="no training checkpoint"):
        Trainer(tiny(), run, resume=True)


def test_a_truncated_eval_cache_is_relabelled_on_resume(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KINROW_CACHE_DIR", str(tmp_path / "cache" / "jax"))
    run = tmp_path / "run"
    config = tiny(iterations=2, eval_every=2, eval_positions=10, eval_simulations=4)
    train(config, run, verbose=False)
    cache = run / "eval_positions.npz"
    cache.write_bytes(cache.read_bytes()[:100])
    for shared in (tmp_path / "cache").rglob("*.npz"):
        shared.write_bytes(b"PK\x03\x04 truncated")
    summary = train(dataclass_replace(config, iterations=4), run, resume=True, verbose=False)
    assert summary["completed"] and "damaged" in capsys.readouterr().err
    assert "mistakes_mcts_random" in summary and _iterations(run) == [1, 2, 3, 4]


def dataclass_replace(config: TrainConfig, **changes) -> TrainConfig:
    import dataclasses

    return dataclasses.replace(config, **changes)


def test_metrics_reading_skips_a_torn_last_line_but_names_other_damage(tmp_path):
    log = MetricsLog(tmp_path / "metrics.jsonl")
    log.path.write_text('{"iteration": 1, "wall_seconds": 0.5}\n{"iteration": 2, "wall')
    assert [r["iteration"] for r in log.read(strict=True)] == [1]
    log.path.write_text('{"iteration": 1, "wall_seconds": 0.5}\n{"iteration": "x", "wall_seconds": 1}\n')
    with pytest.raises(SuiteError, match=re.escape("metrics.jsonl:2")):
        log.read(strict=True)
    assert log.truncate_after(1) == 1 and [r["iteration"] for r in log.read(strict=True)] == [1]


def test_a_cards_training_command_parses_back_to_its_config():
    """`training_command` is written on every card to reproduce the run: switches must come out
    as the command line takes them (--no-augment, --colour-plane), not as '--augment False'."""
    import shlex

    from agents.alphazero.export import training_command
    from arena.cli import build_parser
    from arena.commands.train import build_config

    config = default_config("connect4", colour_plane=True, augment=False, seed=7, learning_rate=3e-4)
    command = training_command(config)
    assert "--colour-plane" in command and "--no-augment" in command
    args = build_parser().parse_args(shlex.split(command)[1:])
    assert build_config(args) == config


def test_a_run_from_a_model_takes_its_shape_unless_told_otherwise(tmp_path):
    """`arena train connect4 --init-from checkpoints/connect4` continues the release as it is
    (its model.json's shape: 64x6 with the colour plane since 2026-12-04), where the game's
    default 32x3 would only be refused; a shape option still wins (more --blocks grows the net),
    and a missing model is left to the trainer's own one-line refusal."""
    from arena.cli import build_parser
    from arena.commands.train import build_config

    def config(*flags):
        return build_config(build_parser().parse_args(["train", "connect4", *flags]))

    root = Path(__file__).resolve().parents[1]
    release = json.loads((root / "checkpoints" / "connect4" / "model.json").read_text())["network"]
    taken = config("--init-from", str(root / "checkpoints" / "connect4"))
    assert (taken.channels, taken.blocks, taken.colour_plane) == (release["channels"], release["blocks"],
                                                                  release.get("colour_plane", False))
    more = release["blocks"] + 2
    deeper = config("--init-from", str(root / "checkpoints" / "connect4"), "--blocks", str(more))
    assert (deeper.channels, deeper.blocks) == (release["channels"], more)
    assert config("--init-from", str(tmp_path / "missing")).channels == default_config("connect4").channels
