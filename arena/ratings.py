"""Match statistics and ratings: pure math on counts (numpy only, no jax), tested on golden values.

Conventions follow the chess-engine testing tools (cutechess-cli, fastchess, fishtest, Ordo):
- logistic Elo of a score s: `-400 log10(1/s - 1)`;
- trinomial (per game) and pentanomial (per colour-swapped pair) intervals: s +- z sigma, mapped
  through the Elo curve and halved;
- normalized Elo: `(s - 0.5) / sigma_game * 800 / ln 10` per game, with sigma of a pair divided
  by sqrt(2) for the pentanomial form, so a game and a pair measure the same quantity;
- LOS: the normal probability that the true score exceeds 0.5;
- SPRT: the generalized SPRT on normalized Elo (Van den Bergh, "Comments on normalized Elo"),
  the log-likelihood ratio of the empirical distribution's MLE under the two hypotheses;
- ratings: Bradley-Terry / logistic Elo fitted jointly over all games by maximum likelihood
  (draws count half, as Ordo does), with intervals from the observed information.

Degenerate inputs never produce inf or nan: a perfect or zero score gives a one-sided bound
(`Estimate.bound` is '>=' or '<='), and an all-draw record is flagged.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

Z95 = 1.959963984540054  # two-sided 95% normal quantile
Z95_ONE_SIDED = 1.6448536269514722
NELO_SCALE = 800.0 / math.log(10.0)  # normalized Elo per unit of t = (score - 0.5) / sigma
PAIR_SCORES = (0.0, 0.25, 0.5, 0.75, 1.0)  # LL, LD, WL+DD, WD, WW


def elo_from_score(score: float) -> float:
    """Logistic Elo difference for an expected score in (0, 1)."""
    return -400.0 * math.log10(1.0 / score - 1.0) + 0.0  # + 0.0: never print -0.0


def score_from_elo(elo: float) -> float:
    """Expected score for a logistic Elo difference."""
    return 1.0 / (1.0 + 10.0 ** (-elo / 400.0))


def normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


@dataclasses.dataclass(frozen=True)
class Estimate:
    """A value with a symmetric 95% half-width, or a one-sided bound when the data allow no more.

    `bound` is '' for a two-sided estimate, '>=' / '<=' when `value` is a 95% one-sided bound
    (a perfect or zero score), and `error` is then 0.
    """

    value: float
    error: float
    bound: str = ""

    def text(self, digits: int = 1) -> str:
        if self.bound:
            return f"{self.bound} {self.value:+.{digits}f}"
        return f"{self.value:+.{digits}f} +- {self.error:.{digits}f}"

    def to_json(self) -> dict:
        return {"value": round(self.value, 4), "error": round(self.error, 4), "bound": self.bound}


@dataclasses.dataclass(frozen=True)
class MatchStats:
    """Everything printed about one pairing, from one player's point of view."""

    games: int
    score: float  # mean points per game, in [0, 1]
    elo: Estimate
    nelo: Estimate
    los: float  # likelihood of superiority, in [0, 1]
    draw_ratio: float
    all_draws: bool

    def to_json(self) -> dict:
        return {"games": self.games, "score": round(self.score, 6), "elo": self.elo.to_json(),
                "nelo": self.nelo.to_json(), "los": round(self.los, 6), "draw_ratio": round(self.draw_ratio, 6),
                "all_draws": self.all_draws}


def _from_distribution(counts: Sequence[float], scores: Sequence[float], games_per_unit: int,
                       draws: float) -> MatchStats:
    """Shared core of the trinomial (units = games) and pentanomial (units = pairs) statistics."""
    counts_a = np.asarray(counts, np.float64)
    scores_a = np.asarray(scores, np.float64)
    n = float(counts_a.sum())
    games = int(round(n * games_per_unit))
    if n <= 0:
        return MatchStats(0, 0.5, Estimate(0.0, 0.0), Estimate(0.0, 0.0), 0.5, 0.0, False)
    score = float((counts_a * scores_a).sum() / n)
    var = float((counts_a * (scores_a - score) ** 2).sum() / n)  # per unit
    sigma = math.sqrt(var / n)  # of the mean score
    draw_ratio = draws / games if games else 0.0
    all_draws = draws == games
    if score >= 1.0 or score <= 0.0:
        # Clopper-Pearson one-sided 95% bound on a score observed n times at the extreme.
        low = 0.05 ** (1.0 / games)
        value = elo_from_score(low)
        elo = Estimate(value, 0.0, ">=") if score >= 1.0 else Estimate(-value, 0.0, "<=")
        los = 1.0 if score >= 1.0 else 0.0
        return MatchStats(games, score, elo, _extreme_nelo(score, games), los, draw_ratio, all_draws)
    if var == 0.0:  # every unit scored exactly `score` (all draws, or all split pairs)
        elo = Estimate(elo_from_score(score) + 0.0, 0.0)
        return MatchStats(games, score, elo, Estimate(0.0, 0.0), 0.5, draw_ratio, all_draws)
    lo = min(max(score - Z95 * sigma, 1e-12), 1 - 1e-12)
    hi = min(max(score + Z95 * sigma, 1e-12), 1 - 1e-12)
    elo = Estimate(elo_from_score(score), (elo_from_score(hi) - elo_from_score(lo)) / 2.0)
    sigma_game = math.sqrt(var * games_per_unit)  # a pair's variance is half a game's
    nelo = Estimate((score - 0.5) / sigma_game * NELO_SCALE, Z95 * sigma / sigma_game * NELO_SCALE)
    los = normal_cdf((score - 0.5) / sigma)
    return MatchStats(games, score, elo, nelo, los, draw_ratio, all_draws)


def _extreme_nelo(score: float, games: int) -> Estimate:
    """Normalized Elo has no finite value for a perfect score (sigma is 0): report the bound
    implied by the one-sided score bound with the largest sigma that bound allows."""
    low = 0.05 ** (1.0 / games)
    sigma = math.sqrt(low * (1 - low))
    value = (low - 0.5) / sigma * NELO_SCALE
    return Estimate(value, 0.0, ">=") if score >= 1.0 else Estimate(-value, 0.0, "<=")


def trinomial(wins: int, losses: int, draws: int) -> MatchStats:
    """Statistics of W/L/D counts treated as independent games (cutechess-cli's figures)."""
    return _from_distribution([losses, draws, wins], [0.0, 0.5, 1.0], 1, float(draws))


def pentanomial(ll: int, ld: int, wl: int, dd: int, wd: int, ww: int) -> MatchStats:
    """Statistics of colour-swapped pairs (fastchess' figures): pair scores 0, 1/4, 1/2, 3/4, 1."""
    draws = float(ld + 2 * dd + wd)
    return _from_distribution([ll, ld, wl + dd, wd, ww], PAIR_SCORES, 2, draws)


def los_from_wins(wins: int, losses: int) -> float:
    """The classic draw-free LOS from wins and losses alone (for reference)."""
    if wins + losses == 0:
        return 0.5
    return normal_cdf((wins - losses) / math.sqrt(2.0 * (wins + losses)))


# ---- SPRT ------------------------------------------------------------------------------------

def sprt_bounds(alpha: float = 0.05, beta: float = 0.05) -> tuple[float, float]:
    """(lower, upper) LLR bounds: accept H0 at or below ln(beta/(1-alpha)), H1 at or above
    ln((1-beta)/alpha)."""
    if not (0 < alpha < 1 and 0 < beta < 1 and alpha + beta < 1):
        raise ValueError("alpha and beta must be in (0, 1) with alpha + beta < 1")
    return math.log(beta / (1.0 - alpha)), math.log((1.0 - beta) / alpha)


def _solve_increasing(f, low: float, high: float, tol: float = 1e-12) -> float:
    """Root of a function increasing on (low, high) that changes sign there (bisection: robust)."""
    for _ in range(200):
        mid = 0.5 * (low + high)
        if f(mid) > 0:
            high = mid
        else:
            low = mid
        if high - low < tol:
            break
    return 0.5 * (low + high)


def _mle_with_t(scores: np.ndarray, probs: np.ndarray, t_star: float, mu_ref: float = 0.5) -> np.ndarray:
    """The distribution closest (in likelihood) to `probs` whose normalized score
    (mu - mu_ref) / sigma equals `t_star` (Van den Bergh, section 4.1: fixed-point iteration)."""
    p = np.full_like(probs, 1.0 / len(probs))
    for _ in range(30):
        mu = float((p * scores).sum())
        sigma = math.sqrt(float((p * (scores - mu) ** 2).sum()))
        phi = scores - mu_ref - 0.5 * t_star * sigma * (1.0 + ((scores - mu) / sigma) ** 2)
        u, v = float(phi.min()), float(phi.max())
        # sum probs * phi / (1 + x phi) is decreasing in x on (-1/v, -1/u)
        eps = 1e-12
        theta = _solve_increasing(lambda x, phi=phi: -float((probs * phi / (1.0 + x * phi)).sum()),
                                  -1.0 / v + eps, -1.0 / u - eps)
        new = probs / (1.0 + theta * phi)
        done = float(np.abs(new - p).max()) < 1e-9
        p = new
        if done:
            break
    return p


def sprt_llr_pentanomial(ll: int, ld: int, wl: int, dd: int, wd: int, ww: int, elo0: float,
                         elo1: float) -> float:
    """Log-likelihood ratio of H1 (normalized Elo = elo1) against H0 (= elo0) for pair counts.

    Empty cells are regularized to 1e-3 (as fastchess does) so the MLE stays inside the simplex.
    """
    counts = np.asarray([ll, ld, wl + dd, wd, ww], np.float64)
    counts = np.where(counts == 0, 1e-3, counts)
    total = float(counts.sum())
    probs = counts / total
    scores = np.asarray(PAIR_SCORES)
    t0 = math.sqrt(2.0) * elo0 / NELO_SCALE  # a pair's sigma is sqrt(2) games' sigma
    t1 = math.sqrt(2.0) * elo1 / NELO_SCALE
    p0 = _mle_with_t(scores, probs, t0)
    p1 = _mle_with_t(scores, probs, t1)
    return float(total * (probs * (np.log(p1) - np.log(p0))).sum())


# ---- joint ratings ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Ratings:
    """Jointly fitted ratings (mean 0), their 95% intervals, and LOS for every ordered pair."""

    names: list[str]
    elo: list[Estimate]
    los: np.ndarray  # [P, P]: probability that row's true rating exceeds column's
    games: list[int]
    score: list[float]  # each agent's mean points per game over all its games
    regularized: bool  # True when virtual draws were added because the MLE does not exist
    all_draws: bool

    def to_json(self) -> dict:
        return {
            "agents": [
                {"name": n, "elo": e.to_json(), "games": g, "score": round(s, 6)}
                for n, e, g, s in zip(self.names, self.elo, self.games, self.score, strict=True)
            ],
            "los": {a: {b: round(float(self.los[i, j]), 6) for j, b in enumerate(self.names) if j != i}
                    for i, a in enumerate(self.names)},
            "regularized": self.regularized,
            "all_draws": self.all_draws,
            "method": "Bradley-Terry maximum likelihood (logistic Elo, draws = half a win), mean 0, "
                      "95% intervals from the observed information"
                      + ("; one virtual draw added per pairing played (a perfect or zero score)"
                         if self.regularized else ""),
        }


def _strongly_connected(points: np.ndarray, played: np.ndarray) -> bool:
    """True when every agent can be reached from every other along 'scored against' edges:
    the condition for the Bradley-Terry MLE to exist (Ford, 1957)."""
    p = len(points)
    edge = (points > 0) & played
    for start in range(p):
        seen = {start}
        frontier = [start]
        while frontier:
            i = frontier.pop()
            for j in np.flatnonzero(edge[i]).tolist():
                if j not in seen:
                    seen.add(j)
                    frontier.append(j)
        if len(seen) < p:
            return False
    return True


def _components_order(points: np.ndarray, played: np.ndarray) -> np.ndarray:
    """[P] +1 for agents that never dropped a point against some part of the field they met,
    -1 for agents that never scored against some part, 0 otherwise (which bound to print)."""
    p = len(points)
    side = np.zeros(p, np.int8)
    for i in range(p):
        met = played[i].copy()
        met[i] = False
        if met.any() and np.all(points[met.nonzero()[0], i] == 0):
            side[i] = 1  # opponents scored nothing against i
        elif met.any() and np.all(points[i, met.nonzero()[0]] == 0):
            side[i] = -1
    return side


def fit_ratings(names: Sequence[str], points: np.ndarray, games: np.ndarray, *,
                iterations: int = 200) -> Ratings:
    """Bradley-Terry ratings from `points[i, j]` (i's points against j, draws = 0.5) and
    `games[i, j]` (games between i and j, symmetric), by Newton's method on the log-likelihood.

    When the MLE does not exist (someone won or lost everything against part of the field), one
    virtual draw per pairing played is added, the fit is flagged `regularized`, and the ratings
    of agents with such perfect / zero records are reported as one-sided bounds.
    """
    names = list(names)
    p = len(names)
    points = np.asarray(points, np.float64).copy()
    games_m = np.asarray(games, np.float64).copy()
    played = games_m > 0
    total_games = games_m.sum(axis=1)
    total_points = points.sum(axis=1)
    agent_score = [float(total_points[i] / total_games[i]) if total_games[i] else 0.5 for i in range(p)]
    draws_only = bool(played.any()) and bool(np.allclose(points[played], games_m[played] / 2.0))
    regularized = p > 1 and not _strongly_connected(points, played)
    side = _components_order(points, played) if regularized else np.zeros(p, np.int8)
    if regularized:
        points = points + 0.5 * played
        games_m = games_m + played
    scale = math.log(10.0) / 400.0
    r = np.zeros(p)
    for _ in range(iterations):
        diff = r[:, None] - r[None, :]
        expect = 1.0 / (1.0 + np.exp(-scale * diff))
        grad = scale * (points - games_m * expect).sum(axis=1)
        w = games_m * expect * (1.0 - expect) * scale * scale
        hess = -np.diag(w.sum(axis=1)) + w  # Hessian of the log-likelihood
        # the mean-zero constraint removes the one flat direction
        a = np.block([[hess, np.ones((p, 1))], [np.ones((1, p)), np.zeros((1, 1))]])
        step = np.linalg.lstsq(a, np.concatenate([-grad, [0.0]]), rcond=None)[0][:p]
        r = r + step
        if float(np.abs(step).max(initial=0.0)) < 1e-10:
            break
    diff = r[:, None] - r[None, :]
    expect = 1.0 / (1.0 + np.exp(-scale * diff))
    w = games_m * expect * (1.0 - expect) * scale * scale
    info = np.diag(w.sum(axis=1)) - w
    centre = np.eye(p) - 1.0 / p
    cov = centre @ np.linalg.pinv(info) @ centre
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    elo: list[Estimate] = []
    for i in range(p):
        if side[i] > 0:
            elo.append(Estimate(float(r[i] - Z95_ONE_SIDED * sd[i]), 0.0, ">="))
        elif side[i] < 0:
            elo.append(Estimate(float(r[i] + Z95_ONE_SIDED * sd[i]), 0.0, "<="))
        else:
            elo.append(Estimate(float(r[i]), float(Z95 * sd[i])))
    los = np.full((p, p), 0.5)
    for i in range(p):
        for j in range(p):
            if i == j:
                continue
            v = cov[i, i] + cov[j, j] - 2 * cov[i, j]
            if v <= 0:
                los[i, j] = 0.5 if r[i] == r[j] else float(r[i] > r[j])
            else:
                los[i, j] = normal_cdf((r[i] - r[j]) / math.sqrt(v))
    return Ratings(names, elo, los, [int(g) for g in np.asarray(games, np.float64).sum(axis=1)],
                   agent_score, regularized, draws_only)


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """95% Wilson score interval of a proportion: sensible at 0 and at 100%, unlike the
    normal approximation, which collapses to a zero-width interval there."""
    if trials <= 0:
        return 0.0, 1.0
    if successes <= 0:  # exact ends: no rounding residue such as 6.9e-18
        return 0.0, z * z / (trials + z * z)
    if successes >= trials:
        return trials / (trials + z * z), 1.0
    p = successes / trials
    denom = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
