"""The model store: where released models live, and their files (`model.json`, `weights.npz`,
an optional `card.json`).

Every part of the suite that asks "is there a released model for this game, and where?" asks
this module: `az`/`policy` without `checkpoint=`, the window's and the tournament's default
line-up, `arena export`'s target, the benches and the study. The store is `checkpoints/` in the
project, or `$KINROW_CHECKPOINTS` when set; each board has its own folder in it
(`release_folder`): `connect4` and `tictactoe` for the standard boards, the board spelled out
for a variant (`connect4_rows4_cols5_k3`), so a variant's model never overwrites, or is
loaded in place of, the standard board's.

    checkpoints/connect4/
        model.json    format version, game spec, network config, sha256 of weights.npz
        weights.npz   the parameter tree flattened by path ("['trunk'][0]['conv1']['kernel']")
        card.json     optional: how it was trained and how well it plays

No pickle anywhere: weights are plain arrays read with `allow_pickle=False`, the rest is JSON.
Saving writes a fresh temporary directory next to the target and swaps it in, so a crash or
a full disk never leaves a half-written model where a good one was. Loading checks, in order,
the path, the metadata, the game, the hash, then every array's name and shape, and fails with
one `CheckpointError` line saying which.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from agents.files import write_folder_atomic
from agents.network import NetworkConfig, abstract_network
from games import Game, SpecError, SuiteError

FORMAT = "kinrow-model"
FORMAT_VERSION = 1
MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"
CARD_FILE = "card.json"
CHECKPOINTS_ENV = "KINROW_CHECKPOINTS"


class CheckpointError(SuiteError):
    """A model file that is missing, damaged, or made for another game or board."""


PROJECT_CHECKPOINTS = Path(__file__).resolve().parent.parent / "checkpoints"


def checkpoints_dir() -> Path:
    """The store: `$KINROW_CHECKPOINTS`, else the project's `checkpoints/` folder."""
    if os.environ.get(CHECKPOINTS_ENV):
        return Path(os.environ[CHECKPOINTS_ENV]).expanduser()
    return PROJECT_CHECKPOINTS


def release_name(game: Game) -> str:
    """The store's folder name for `game`: its name on the standard board (`connect4`), the
    board spelled out for a variant (`connect4_rows5_cols6_k4`), so no two boards share one."""
    if game.is_standard:
        return game.name
    c = game.config
    return f"{game.name}_rows{c.rows}_cols{c.cols}_k{c.k}"


def release_folder(game: Game, root: str | os.PathLike[str] | None = None) -> Path:
    """Where `game`'s released model lives, or goes (`arena export`'s default target).

    `root` is the store (default `checkpoints_dir()`); the folder need not exist yet.
    """
    return (checkpoints_dir() if root is None else Path(root)) / release_name(game)


def released_model(game: Game, root: str | os.PathLike[str] | None = None) -> Path | None:
    """The folder of `game`'s released model, or None when the store has none for that board.

    A folder counts when it holds a `model.json`: a damaged model still counts (loading it
    then says what is wrong), so a default never silently swaps a broken model for another agent.
    """
    folder = release_folder(game, root)
    return folder if (folder / MODEL_FILE).is_file() else None


def default_checkpoint(game: Game) -> Path:
    """The model `az` and `policy` load when no `checkpoint=` is given: the released one."""
    found = released_model(game)
    if found is None:
        raise CheckpointError(f"no released model for {game.spec}: {release_folder(game) / MODEL_FILE} does not "
                              "exist; pass checkpoint=PATH, or release one there with `arena export RUN_DIR`")
    return found


def _flatten(params: nnx.State) -> dict[str, np.ndarray]:
    leaves, _ = jax.tree_util.tree_flatten_with_path(params)
    return {jax.tree_util.keystr(path): np.asarray(leaf) for path, leaf in leaves}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_model(directory: str | os.PathLike[str], game: Game, config: NetworkConfig, params: nnx.State,
               card: dict[str, Any] | None = None) -> Path:
    """Writes a model folder atomically and returns its path.

    The new files are written and hashed in a temporary sibling folder; only then is an old
    model at `directory` moved aside, the new one renamed into place, and the old one removed.
    If anything fails before the swap, the existing model is untouched.
    """
    target = Path(directory)
    if config.game != game.spec:
        raise CheckpointError(f"network config is for {config.game}, not {game.spec}")
    if target.exists() and not target.is_dir():
        raise CheckpointError(f"cannot save a model to {target}: it is a file, not a folder")

    def fill(staging: Path) -> None:
        arrays = _flatten(params)
        bad = next((name for name, a in arrays.items() if not np.isfinite(a).all()), None)
        if bad is not None:
            raise CheckpointError(f"cannot save a model whose weights are not finite ({bad} holds NaN or inf)")
        with open(staging / WEIGHTS_FILE, "wb") as handle:
            np.savez(handle, **arrays)
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "game": game.spec,
            "network": config.to_dict(),
            "weights": WEIGHTS_FILE,
            "weights_sha256": _sha256(staging / WEIGHTS_FILE),
            "num_params": int(sum(a.size for a in arrays.values())),
        }
        (staging / MODEL_FILE).write_text(json.dumps(meta, indent=2) + "\n")
        if card is not None:
            (staging / CARD_FILE).write_text(json.dumps(card, indent=2, default=str) + "\n")

    return write_folder_atomic(target, fill)


def read_metadata(path: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]]:
    """(model folder, parsed model.json), or a CheckpointError naming what is wrong."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"checkpoint {path} does not exist")
    folder = path.parent if path.is_file() else path
    meta_path = folder / MODEL_FILE
    if not meta_path.is_file():
        raise CheckpointError(f"{path} is not a model folder (no {MODEL_FILE} in {folder})")
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{meta_path} is not valid JSON ({err})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{meta_path} is not a {FORMAT} file")
    if meta.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"{meta_path} has format version {meta.get('format_version')!r}; "
                              f"this version reads {FORMAT_VERSION}")
    return folder, meta


def load_model(path: str | os.PathLike[str], game: Game) -> tuple[NetworkConfig, nnx.GraphDef, nnx.State]:
    """(config, graphdef, params) of the model at `path` (its folder or its model.json).

    Refuses, with one line, a missing path, a folder without a model, a model for another game
    or board size, weights whose hash does not match, a truncated or foreign weights file, and
    arrays whose names or shapes differ from what the config builds.
    """
    folder, meta = read_metadata(path)
    if meta.get("game") != game.spec:
        raise CheckpointError(f"checkpoint {folder} was trained for {meta.get('game')}, not {game.spec}")
    try:
        config = NetworkConfig.from_dict(meta["network"])
    except (KeyError, TypeError, AttributeError, SpecError) as err:
        raise CheckpointError(f"{folder / MODEL_FILE} has a bad network config ({err})") from None
    if config.game != game.spec:
        raise CheckpointError(f"checkpoint {folder} was trained for {config.game}, not {game.spec}")
    board = (game.config.rows, game.config.cols, game.num_actions)
    if (config.rows, config.cols, config.num_actions) != board:
        raise CheckpointError(f"{folder / MODEL_FILE}: its network is for a {config.rows}x{config.cols} board with "
                              f"{config.num_actions} actions, but {game.spec} has {board[0]}x{board[1]} and {board[2]}")
    weights = folder / str(meta.get("weights", WEIGHTS_FILE))
    if not weights.is_file():
        raise CheckpointError(f"checkpoint {folder} has no weights file {weights.name}")
    if _sha256(weights) != meta.get("weights_sha256"):
        raise CheckpointError(f"{weights} does not match the sha256 in {MODEL_FILE} "
                              "(corrupted or replaced)")
    try:
        with np.load(weights, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
        raise CheckpointError(f"{weights} cannot be read ({type(err).__name__}: {err})") from None
    graphdef, abstract = abstract_network(config)
    leaves, treedef = jax.tree_util.tree_flatten_with_path(abstract)
    expected = {jax.tree_util.keystr(p) for p, _ in leaves}
    if set(arrays) != expected:
        missing = sorted(expected - set(arrays))
        extra = sorted(set(arrays) - expected)
        raise CheckpointError(f"{weights} does not fit the network config "
                              f"(missing {missing[:3]}, unexpected {extra[:3]})")
    values = []
    for path_key, spec in leaves:
        name = jax.tree_util.keystr(path_key)
        array = arrays[name]
        if array.shape != spec.shape:
            raise CheckpointError(f"{weights}: {name} has shape {array.shape}, expected {spec.shape}")
        if not np.issubdtype(array.dtype, np.floating) or not np.isfinite(array).all():
            # NaN weights load and "play" (every move equally bad); refuse them like damage.
            raise CheckpointError(f"{weights}: {name} holds non-finite or non-float values (NaN, inf); "
                                  "the model is damaged or came from a diverged run")
        values.append(jnp.asarray(array, dtype=spec.dtype))
    params = jax.tree_util.tree_unflatten(treedef, values)
    return config, graphdef, params


def weights_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 of a model's weights as its model.json records it: what identifies the network a
    folder holds now (a folder such as `checkpoints/connect4` holds different models over time),
    read without hashing the weights again; `load_model` checks the record against the file."""
    folder, meta = read_metadata(path)
    sha = meta.get("weights_sha256")
    if not isinstance(sha, str):
        raise CheckpointError(f"{folder / MODEL_FILE} records no weights_sha256")
    return sha


def load_card(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The model card of a model folder, or None when it has none."""
    folder, _ = read_metadata(path)
    card = folder / CARD_FILE
    if not card.is_file():
        return None
    try:
        return json.loads(card.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{card} is not valid JSON ({err})") from None
