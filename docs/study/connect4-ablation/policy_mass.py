"""How sure and how right is each network's raw policy, per phase of the study's positions?

For every model and bucket: the raw policy's mistakes (its top move loses value), the mean
probability of its top move, the mean probability it puts on moves that keep the best outcome,
and the top move's probability where it is a mistake. Separates a flat policy (good moves share
the mass; the argmax is fragile) from a wrong one (mass on bad moves).

    python docs/study/connect4-ablation/policy_mass.py STUDY_DIR MODEL_FOLDER[+MODEL_FOLDER...][,MODEL...]... [--mirror]

A MODEL written as `A+B+...` is the uniform average of those models' weights (`soup.py`; all
of one shape, e.g. snapshots of one lineage); one written as `A,B,...` is their ensemble, the
mean of their log-probabilities (any shapes; a member may itself be a soup).

`--mirror` also counts the mistakes of the policy averaged with its mirror image (log-probabilities
of the board and of its left-right mirror, flipped back): the usual test-time symmetry trick, which
helps only where a net's policy for a board and for its mirror disagree.
"""
import sys
from pathlib import Path

import numpy as np
from soup import average
from study_data import study_positions

from agents.checkpoint import CheckpointError
from agents.network import apply


def model_name(path: str) -> str:
    return path.split("/")[-3] + "/" + Path(path).name if "it-" in path else Path(path).name


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


args = [a for a in sys.argv[1:] if a != "--mirror"]
mirror = len(args) < len(sys.argv) - 1
game, positions, obs = study_positions(args[0])
legal = np.array([[s is not None for s in p.scores] for p in positions])
outcome = np.array([[np.sign(s) if s is not None else -9 for s in p.scores] for p in positions])
best = outcome.max(axis=1)
keeps = outcome == best[:, None]
buckets = np.array([p.bucket for p in positions])


def member_log_policies(model: str) -> tuple[np.ndarray, np.ndarray]:
    """One member's log-probabilities over the legal moves (a soup where `model` is `A+B+...`),
    read from each board and from its mirror image (its columns flipped back)."""
    try:
        _, graphdef, params = average(model.split("+"), game)  # one model is its own soup
    except CheckpointError as err:
        sys.exit(f"policy_mass.py: {err}")
    plain = np.asarray(apply(graphdef, params, obs)[0])
    flipped = np.asarray(apply(graphdef, params, obs[:, :, ::-1, :])[0])[:, ::-1] if mirror else plain
    return tuple(log_softmax(np.where(legal, x, -1e9)) for x in (plain, flipped))


def log_policies(model: str) -> tuple[np.ndarray, np.ndarray]:
    """The policy of `model` on the boards and on their mirrors; an ensemble where `model` is
    `A,B,...`: the members' mean log-probability, renormalized (members may differ in shape)."""
    members = [member_log_policies(m) for m in model.split(",")]
    return tuple(log_softmax(sum(pair[i] for pair in members) / len(members)) for i in (0, 1))


for model in args[1:]:
    logp, mirrored_logp = log_policies(model)
    prob = np.exp(logp)
    mistake = ~keeps[np.arange(len(prob)), prob.argmax(axis=1)]
    if mirror:  # the mirrored board's policy, its columns flipped back, averaged in log space
        mirror_mistake = ~keeps[np.arange(len(prob)), (logp + mirrored_logp).argmax(axis=1)]
    name = ",".join("+".join(model_name(path) for path in member.split("+")) for member in model.split(","))
    for b in ("opening", "middle", "end"):
        m = buckets == b
        print(f"{name} {b:7s}: {mistake[m].sum():3d} mistakes | top move's probability {prob[m].max(axis=1).mean():.2f} "
              f"(where a mistake {prob[m & mistake].max(axis=1).mean():.2f}) | mass on outcome-keeping moves "
              f"{(prob[m] * keeps[m]).sum(axis=1).mean():.2f} | outcome-keeping moves per position {keeps[m].sum(axis=1).mean():.2f}"
              + (f" | averaged with its mirror: {mirror_mistake[m].sum():3d} mistakes" if mirror else ""))
