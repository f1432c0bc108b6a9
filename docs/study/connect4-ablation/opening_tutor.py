"""Can a deeper search teach the release its opening without a replay buffer?

Round nineteen's deeper opening targets were attached to a stored self-play buffer, and stored
buffers die with the machine (three times in this study). This makes all its data from the
release itself, small enough to keep in the repository if it pays:

- `boards OUT`: --games games from the empty board, each move sampled from the release's raw
  policy (temperature 1) or, with probability --random, uniform over the legal moves, so that
  the boards are varied (the study's games mix random, policy, search and solver players).
  OUT/boards.npz keeps the distinct boards up to mirroring, the opening ones (plies 0..--max-ply)
  by frequency and as many later ones; the study's 3,000 positions are removed (held out).
- `label BOARDS LABELS`: the opening boards' policy from a --simulations Gumbel search of the
  release (`deep_targets.label_boards`, resumable; the same code as round nineteen's labels);
  with `--set later`, the later boards' (round twenty-one).
- `train BOARDS LABELS OUT`: the release fine-tuned by `train_fixed` on those boards. Only the
  opening boards' policy targets come from the search; every other target is the release's own
  raw output (its policy on the later boards, its value everywhere), so the fine-tuning moves the
  opening policy and holds the rest where it was. Arms that differ only in LABELS (e.g. 32 and
  256 simulations) draw the same batches from the same seed. `--later-labels LABELS` takes the
  later boards' policy targets from their search too (round twenty-one: is the raw middle game,
  3.1% mistakes against its 32-simulation search's 0.7%, also held back by its targets?).
  The fine-tuned net has the labelling model's own shape (`--model` of `label`; round twenty-four
  tutors the 64x6 GF64x6-10k).

    python docs/study/connect4-ablation/opening_tutor.py boards /work/runs/tutor
    python docs/study/connect4-ablation/opening_tutor.py label /work/runs/tutor /work/runs/tutor/s256 \\
        --simulations 256
    python docs/study/connect4-ablation/opening_tutor.py train /work/runs/tutor /work/runs/tutor/s256 \\
        /work/runs/T-s256 --steps 1200
    python docs/study/connect4-ablation/opening_tutor.py fit /work/runs/tutor /work/runs/tutor/s256 \\
        docs/study/connect4-ablation/models/DC64-16k /work/runs/T-s256/snapshots/it-000004
"""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np
from deep_targets import add_schedule, canonical, label_boards
from study_data import plies

HERE = Path(__file__).resolve().parent
RELEASE = HERE / "models" / "DC64-16k"
STUDY_POSITIONS = HERE.parent / "connect4" / "positions.csv"
BOARDS_FILE = "boards.npz"


def _model(path: str):
    import games
    from agents.checkpoint import load_model

    game = games.make("connect4")
    config, graphdef, params = load_model(path, game)
    return game, config, graphdef, params


def study_keys(game) -> set[tuple[int, int]]:
    """The canonical keys of the study's 3,000 positions, held out of the training boards."""
    import jax

    with STUDY_POSITIONS.open(newline="") as f:
        moves = [row["moves"] for row in csv.DictReader(f)]
    states = game.batch_from_moves(moves)
    obs = np.asarray(jax.vmap(game.observation)(states))
    return {tuple(k) for k in canonical(obs)[0].tolist()}


def boards(args: argparse.Namespace) -> None:
    import jax
    import jax.numpy as jnp

    from agents.files import write_json_atomic
    from agents.network import apply
    from agents.search import mask_logits

    out = Path(args.out)
    if (out / BOARDS_FILE).exists():
        raise SystemExit(f"{out / BOARDS_FILE} exists: boards are made once (labels refer to them)")
    game, _, graphdef, params = _model(args.model)
    cells = game.config.rows * game.config.cols

    @jax.jit
    def play(params, key):
        def move(state, key):
            obs = jax.vmap(game.observation)(state)
            logits, _ = apply(graphdef, params, obs)
            legal = jax.vmap(game.legal_mask)(state)
            pick, explore, uniform = jax.random.split(key, 3)
            policy_move = jax.random.categorical(pick, mask_logits(logits, legal))
            random_move = jax.random.categorical(uniform, mask_logits(jnp.zeros_like(logits), legal))
            action = jnp.where(jax.random.uniform(explore, (len(legal),)) < args.random, random_move, policy_move)
            after = jax.vmap(game.step)(state, action.astype(jnp.int32))
            return after, (obs, state.terminal)

        return jax.lax.scan(move, game.init_batch(args.games), jax.random.split(key, cells))[1]

    obs, over = (np.asarray(a) for a in play(params, jax.random.key(args.seed)))
    obs = obs[~over]  # every board of every game, before its end: [boards, rows, cols, 2]
    keys, mirrored = canonical(obs)
    keys, first, counts = np.unique(keys, axis=0, return_index=True, return_counts=True)
    found = np.where(mirrored[first, None, None, None], obs[first][:, :, ::-1, :], obs[first])
    held = study_keys(game)
    kept = np.array([tuple(k) not in held for k in keys.tolist()])
    stones = plies(found)
    order = np.lexsort((np.random.default_rng(args.seed).permutation(len(keys)), -counts))
    order = order[kept[order]]
    early = order[stones[order] <= args.max_ply]
    late = order[stones[order] > args.max_ply][: len(early)]
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f"{BOARDS_FILE}.tmp.npz"
    np.savez_compressed(tmp, opening=found[early].astype(np.uint8), opening_keys=keys[early],
                        opening_counts=counts[early], later=found[late].astype(np.uint8))
    tmp.replace(out / BOARDS_FILE)
    summary = {"model": args.model, "games": args.games, "random": args.random, "max_ply": args.max_ply,
               "seed": args.seed, "boards": int(len(obs)), "distinct": int(len(keys)),
               "held_out_study_boards": int((~kept).sum()), "opening": int(len(early)), "later": int(len(late))}
    write_json_atomic(out / "boards.json", summary, indent=1)
    print(json.dumps(summary), flush=True)


def later_keys(later: np.ndarray) -> np.ndarray:
    """The later boards' canonical keys (boards.npz keeps only the opening ones')."""
    return canonical(later.astype(np.float32))[0]


def label(args: argparse.Namespace) -> None:
    made = json.loads((Path(args.boards) / "boards.json").read_text())
    with np.load(Path(args.boards) / BOARDS_FILE) as saved:
        if args.set == "opening":
            keys, found = saved["opening_keys"], saved["opening"].astype(np.float32)
        else:
            found = saved["later"].astype(np.float32)
            keys = later_keys(found)
    n = len(keys) if args.limit is None else min(args.limit, len(keys))
    settings = {"boards": made, "model": args.model, "simulations": args.simulations, "seed": args.seed}
    if args.set != "opening":  # the opening labels' settings stay as they were written
        settings["set"] = args.set
    label_boards(Path(args.labels), settings, keys[:n], found[:n])


def train(args: argparse.Namespace) -> None:
    import jax
    import jax.numpy as jnp
    from probe import train_fixed

    from agents.network import apply
    from agents.search import mask_logits

    labelled = json.loads((Path(args.labels) / "settings.json").read_text())
    with np.load(Path(args.labels) / "targets.npz") as saved:
        label_keys, searched = saved["keys"], saved["policy"]
    with np.load(Path(args.boards) / BOARDS_FILE) as saved:
        opening_keys, opening, later = saved["opening_keys"], saved["opening"], saved["later"]
    n = len(label_keys) if args.limit is None else min(args.limit, len(label_keys))
    if not np.array_equal(label_keys[:n], opening_keys[:n]):
        raise SystemExit(f"{args.labels} labels other boards than {args.boards}")
    observation = np.concatenate([opening[:n], later[:n]]).astype(np.float32)
    game, config, graphdef, params = _model(labelled["model"])

    @jax.jit
    def teacher(obs):
        legal = jax.vmap(game.legal_mask)(jax.vmap(game.from_observation)(obs))
        logits, value = apply(graphdef, params, obs)
        return jax.nn.softmax(mask_logits(logits, legal)), value, legal

    parts = [teacher(jnp.asarray(observation[lo:lo + 4096])) for lo in range(0, len(observation), 4096)]
    policy, value, legal = (np.concatenate([np.asarray(p[i]) for p in parts]) for i in range(3))
    policy[:n] = searched[:n]
    later_source = "the release's own"
    if args.later_labels is not None:
        later_settings = json.loads((Path(args.later_labels) / "settings.json").read_text())
        with np.load(Path(args.later_labels) / "targets.npz") as saved:
            keys, later_policy = saved["keys"], saved["policy"]
        if later_settings.get("set") != "later" or not np.array_equal(keys[:n], later_keys(later[:n])):
            raise SystemExit(f"{args.later_labels} does not label the later boards of {args.boards} "
                             f"(made with `label --set later`, at least {n:,} of them)")
        policy[n:] = later_policy[:n]
        later_source = f"{later_settings['simulations']}-simulation targets"
    print(f"{n:,} opening boards with {labelled['simulations']}-simulation targets, {n:,} later boards "
          f"with {later_source}; values the release's own", flush=True)
    entries = {"observation": observation, "policy": policy, "value": value, "legal": legal}
    settings = {"command": "opening_tutor train", "boards": labelled["boards"], "labels": str(Path(args.labels)),
                "simulations": labelled["simulations"], "opening_boards": n,
                "later_labels": None if args.later_labels is None else str(Path(args.later_labels))}
    card = {"training_notes": f"the model in init_from fine-tuned on {n:,} opening boards (plies 0-"
                              f"{labelled['boards']['max_ply']}) of its own sampled games with the policy of "
                              f"its {labelled['simulations']}-simulation Gumbel search as target, and as many "
                              f"later boards with {later_source} as policy target; its own raw value "
                              "everywhere"}
    train_fixed(entries, args.out, settings, channels=config.channels, blocks=config.blocks,
                colour_plane=config.colour_plane, steps=args.steps,
                snapshot_every=args.snapshot_every, learning_rate=args.learning_rate, seed=args.seed,
                init_from=labelled["model"], card=card, describe=f"{labelled['simulations']}-simulation opening targets, ")


def raw_log_policy(model: str, found: np.ndarray) -> np.ndarray:
    """A model's raw log-policy over the legal moves of each of `found` (boards as observations)."""
    import jax

    from agents.network import apply
    from agents.search import mask_logits

    game, _, graphdef, params = _model(model)

    @jax.jit
    def policy(params, obs):
        legal = jax.vmap(game.legal_mask)(jax.vmap(game.from_observation)(obs))
        return jax.nn.log_softmax(mask_logits(apply(graphdef, params, obs)[0], legal))

    return np.concatenate([np.asarray(policy(params, found[lo:lo + 4096])) for lo in range(0, len(found), 4096)])


def fit(args: argparse.Namespace) -> None:
    """How closely each model's raw policy matches a search's targets on the labelled boards:
    the share whose top move is the target's and the mean KL(target || policy). Tells a net that
    cannot fit its targets from targets that do not help."""
    labelled = json.loads((Path(args.labels) / "settings.json").read_text())
    with np.load(Path(args.labels) / "targets.npz") as saved:
        target = saved["policy"]
    with np.load(Path(args.boards) / BOARDS_FILE) as saved:
        found = saved["later" if labelled.get("set") == "later" else "opening"][: len(target)].astype(np.float32)
    inside = target > 0
    for model in args.models:
        logp = raw_log_policy(model, found)
        top = np.mean(logp.argmax(1) == target.argmax(1))
        kl = np.sum(np.where(inside, target * (np.log(np.where(inside, target, 1)) - logp), 0), axis=1).mean()
        print(f"{model}: top move the target's on {top:.1%} of {len(target):,} boards, KL(target||policy) {kl:.3f}",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("boards", help="sample the release's games and keep their distinct boards")
    b.add_argument("out")
    b.add_argument("--model", default=str(RELEASE))
    b.add_argument("--games", type=int, default=4096)
    b.add_argument("--random", type=float, default=0.25, help="chance of a uniform random move")
    b.add_argument("--max-ply", type=int, default=12)
    b.add_argument("--seed", type=int, default=0)
    b.set_defaults(run=boards)
    lab = sub.add_parser("label", help="search the opening boards (resumable)")
    lab.add_argument("boards")
    lab.add_argument("labels")
    lab.add_argument("--model", default=str(RELEASE))
    lab.add_argument("--simulations", type=int, default=256)
    lab.add_argument("--limit", type=int, default=None, help="only the first (most frequent) boards")
    lab.add_argument("--seed", type=int, default=0)
    lab.add_argument("--set", choices=("opening", "later"), default="opening", help="which boards to search")
    lab.set_defaults(run=label)
    t = sub.add_parser("train", help="fine-tune the release on the labelled boards")
    t.add_argument("boards")
    t.add_argument("labels")
    t.add_argument("out")
    t.add_argument("--limit", type=int, default=None, help="only the first labelled boards (arms of one size)")
    t.add_argument("--later-labels", default=None, help="`label --set later` targets for the later boards")
    add_schedule(t, steps=1200, snapshot_every=300)
    t.set_defaults(run=train)
    f = sub.add_parser("fit", help="how closely models' raw policies match labelled targets")
    f.add_argument("boards")
    f.add_argument("labels")
    f.add_argument("models", nargs="+")
    f.set_defaults(run=fit)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
