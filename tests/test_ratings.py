"""Ratings and match statistics against the golden values of docs/references.md."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from arena import ratings as rt


def test_trinomial_golden_136_96_111():
    stats = rt.trinomial(136, 96, 111)
    assert round(stats.elo.value, 2) == 40.70
    assert round(stats.elo.error, 2) == 30.43
    assert round(stats.nelo.value, 2) == 49.77
    assert round(stats.nelo.error, 2) == 36.77
    assert round(100 * stats.los, 2) == 99.60


def test_trinomial_golden_76_89_123():
    stats = rt.trinomial(76, 89, 123)
    assert round(stats.nelo.value, 2) == -20.76
    assert round(stats.nelo.error, 2) == 40.13
    assert round(100 * stats.los, 2) == 15.53
    assert round(stats.score, 3) == 0.477


def test_pentanomial_golden():
    stats = rt.pentanomial(ll=34, ld=54, wl=31, dd=32, wd=64, ww=75)
    assert round(stats.elo.value, 2) == 55.58
    assert round(stats.elo.error, 2) == 27.65
    assert round(stats.nelo.value, 2) == 57.94
    assert round(stats.nelo.error, 2) == 28.28
    assert round(stats.score, 3) == 0.579
    assert stats.games == 2 * (34 + 54 + 31 + 32 + 64 + 75)


def test_sprt_bounds_golden():
    lower, upper = rt.sprt_bounds(0.05, 0.05)
    assert round(lower, 3) == -2.944 and round(upper, 3) == 2.944
    with pytest.raises(ValueError):
        rt.sprt_bounds(0.6, 0.5)


def test_elo_score_round_trip():
    for elo in (-600.0, -35.5, 0.0, 12.25, 400.0):
        assert rt.elo_from_score(rt.score_from_elo(elo)) == pytest.approx(elo)
    assert rt.elo_from_score(0.5) == 0.0 and str(rt.elo_from_score(0.5)) == "0.0"


def test_perfect_and_zero_scores_give_bounds_not_inf():
    win = rt.trinomial(10, 0, 0)
    loss = rt.trinomial(0, 10, 0)
    for stats in (win, loss):
        for value in (stats.elo.value, stats.nelo.value, stats.los):
            assert math.isfinite(value)
    assert win.elo.bound == ">=" and win.elo.value > 0 and "inf" not in win.elo.text()
    assert loss.elo.bound == "<=" and loss.elo.value == pytest.approx(-win.elo.value)
    # 95% one-sided Clopper-Pearson: the true score exceeds 0.05 ** (1/10) with 95% confidence
    assert rt.score_from_elo(win.elo.value) == pytest.approx(0.05 ** 0.1)
    penta = rt.pentanomial(0, 0, 0, 0, 0, 7)
    assert penta.elo.bound == ">=" and math.isfinite(penta.nelo.value)


def test_all_draws_is_flagged_and_finite():
    stats = rt.trinomial(0, 0, 25)
    assert stats.all_draws and stats.score == 0.5
    assert stats.elo.value == 0.0 and stats.los == 0.5 and math.isfinite(stats.nelo.value)
    assert not rt.trinomial(1, 0, 24).all_draws
    assert rt.trinomial(0, 0, 0).games == 0


def test_llr_sign_and_asymptotic_form():
    # evidence for a stronger agent pushes the LLR up for H1 = +50, down for a weaker one
    strong = rt.sprt_llr_pentanomial(10, 30, 20, 40, 60, 40, 0.0, 50.0)
    weak = rt.sprt_llr_pentanomial(40, 60, 20, 40, 30, 10, 0.0, 50.0)
    assert strong > 0 > weak
    # for small Elo bounds the GSPRT LLR approaches N (t1 - t0)(2 t - t0 - t1) / 2 in pair units
    counts = [34, 54, 31, 32, 64, 75]
    stats = rt.pentanomial(*counts)
    t = math.sqrt(2) * stats.nelo.value / rt.NELO_SCALE
    t0, t1 = 0.0, math.sqrt(2) * 5.0 / rt.NELO_SCALE
    approx = sum(counts) * (t1 - t0) * (2 * t - t0 - t1) / 2
    assert rt.sprt_llr_pentanomial(*counts, 0.0, 5.0) == pytest.approx(approx, rel=0.05)
    # doubling the same evidence doubles the LLR
    doubled = rt.sprt_llr_pentanomial(*(2 * c for c in counts), 0.0, 5.0)
    assert doubled == pytest.approx(2 * rt.sprt_llr_pentanomial(*counts, 0.0, 5.0), rel=1e-6)


def test_joint_fit_of_two_agents_is_the_logistic_elo():
    points = np.array([[0.0, 136 + 55.5], [96 + 55.5, 0.0]])
    games = np.array([[0, 343], [343, 0]])
    fit = rt.fit_ratings(["a", "b"], points, games)
    assert fit.elo[0].value - fit.elo[1].value == pytest.approx(40.70, abs=0.01)
    assert fit.elo[0].value == pytest.approx(-fit.elo[1].value)
    assert not fit.regularized and fit.los[0, 1] > 0.95
    assert fit.los[0, 1] + fit.los[1, 0] == pytest.approx(1.0)


def test_joint_fit_matches_scores_at_the_maximum():
    # at the MLE every agent's expected points equal its actual points (Bradley-Terry)
    points = np.array([[0, 7, 5.5, 9], [3, 0, 6, 8.5], [4.5, 4, 0, 6], [1, 1.5, 4, 0]])
    games = np.full((4, 4), 10) - 10 * np.eye(4)
    fit = rt.fit_ratings(list("abcd"), points, games)
    r = np.array([e.value for e in fit.elo])
    expect = games / (1 + 10 ** (-(r[:, None] - r[None, :]) / 400))
    np.testing.assert_allclose(expect.sum(axis=1), points.sum(axis=1), atol=1e-6)
    assert abs(r.sum()) < 1e-6 and list(np.argsort(-r)) == [0, 1, 2, 3]
    assert all(e.error > 0 and not e.bound for e in fit.elo)


def test_joint_fit_perfect_score_prints_bounds():
    # a beat everybody, d lost everything: the MLE does not exist
    points = np.array([[0, 4, 4, 4], [0, 0, 2, 4], [0, 2, 0, 4], [0, 0, 0, 0]])
    games = np.full((4, 4), 4) - 4 * np.eye(4)
    fit = rt.fit_ratings(list("abcd"), points, games)
    assert fit.regularized
    assert fit.elo[0].bound == ">=" and fit.elo[3].bound == "<="
    assert fit.elo[1].bound == "" and fit.elo[2].bound == ""
    json.dumps(fit.to_json(), allow_nan=False)  # raises on inf or nan
    assert fit.elo[0].value > fit.elo[1].value > fit.elo[3].value


def test_joint_fit_all_draws():
    games = np.full((3, 3), 6) - 6 * np.eye(3)
    fit = rt.fit_ratings(list("abc"), games / 2, games)
    assert fit.all_draws and not fit.regularized
    assert all(abs(e.value) < 1e-9 for e in fit.elo)
    assert np.allclose(fit.los[~np.eye(3, dtype=bool)], 0.5)


def test_wilson_interval():
    low, high = rt.wilson_interval(0, 50)
    assert low == 0.0 and 0.05 < high < 0.08
    low, high = rt.wilson_interval(27, 100)
    assert low < 0.27 < high
    assert rt.wilson_interval(0, 0) == (0.0, 1.0)
