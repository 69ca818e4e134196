"""Spend-response curves, marginal returns and budget allocation (coursekit.growth.response)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit.errors import ArgumentError, DataError
from coursekit.growth import (
    ResponseCurve,
    ResponseFit,
    allocate_budget,
    fit_response,
    marginal_returns,
)

OUTAGE = [("2025-03-10", "2025-03-16")]


def _world(a: float, b: float, *, form: str = "power", days: int = 364, seed: int = 7):
    """Daily spend that moves with a season and noise-free sign-ups drawn from the curve."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2025-01-06", periods=days, freq="D")
    level = 300 * np.exp(0.6 * np.sin(np.arange(days) / 365 * 2 * np.pi * 3))
    spend = level * rng.lognormal(0, 0.05, days)
    curve = ResponseCurve(form, a, b)
    n = rng.poisson(curve(spend))
    users = pd.DataFrame({"channel": "ads", "signup_time": np.repeat(dates, n)
                          + pd.to_timedelta(rng.uniform(0, 86_000, n.sum()), unit="s")})
    return pd.DataFrame({"date": dates, "channel": "ads", "spend": spend}), users


# --------------------------------------------------------------------------- curves


def test_curves_follow_their_formulas():
    power = ResponseCurve("power", a=2.0, b=0.5)
    assert power(400.0) == pytest.approx(40.0)
    assert power.marginal(400.0) == pytest.approx(2 * 0.5 / 20)
    assert power(np.array([0.0, 100.0])).tolist() == pytest.approx([0.0, 20.0])
    expo = ResponseCurve("exponential", a=10.0, b=50.0)
    assert expo(50.0) == pytest.approx(10 * (1 - math.exp(-1)))
    assert expo.marginal(50.0) == pytest.approx(0.2 * math.exp(-1))
    with pytest.raises(ArgumentError):
        ResponseCurve("hill", 1.0, 1.0)
    with pytest.raises(ArgumentError):
        ResponseCurve("power", -1.0, 0.5)


# --------------------------------------------------------------------------- fitting


def test_power_fit_recovers_known_parameters():
    spend, users = _world(0.5, 0.7)
    fit = fit_response(spend, users)
    row = fit.params.loc["ads"]
    assert row["b_low"] < 0.7 < row["b_high"]
    assert row["b"] == pytest.approx(0.7, abs=0.05)
    assert row["a_low"] < 0.5 < row["a_high"]
    assert row["form"] == "power" and row["periods"] == 52 and row["days"] == 364
    assert isinstance(fit, ResponseFit) and fit.curves["ads"].form == "power"
    assert row["elasticity"] == pytest.approx(row["b"])
    # the marginal CAC is the inverse of the curve's slope at the mean daily spend
    s = row["spend_per_day"]
    assert row["marginal_cac"] == pytest.approx(1 / fit.curves["ads"].marginal(s))
    assert row["marginal_cac"] > row["average_cac"]  # diminishing returns


def test_exponential_fit_recovers_known_parameters():
    spend, users = _world(12.0, 250.0, form="exponential")
    fit = fit_response(spend, users, form="exponential")
    row = fit.params.loc["ads"]
    assert row["a_low"] < 12.0 < row["a_high"]
    assert row["b_low"] < 250.0 < row["b_high"]
    assert fit.points["fitted"].to_numpy() == pytest.approx(
        fit.curves["ads"](fit.points["spend"].to_numpy()))


def test_daily_and_weekly_points_add_up():
    spend, users = _world(0.08, 0.7)
    daily = fit_response(spend, users, per="D").points
    weekly = fit_response(spend, users, per="W").points
    assert len(daily) == 364 and len(weekly) == 52
    assert (daily["signups"] * daily["days"]).sum() == len(users)
    assert (weekly["signups"] * weekly["days"]).sum() == len(users)
    assert (weekly["spend"] * weekly["days"]).sum() == pytest.approx(spend["spend"].sum())


def test_excluded_days_are_left_out():
    spend, users = _world(0.08, 0.7)
    fit = fit_response(spend, users, per="D", exclude=[("2025-02-01", "2025-02-07")])
    assert fit.params.loc["ads", "days"] == 364 - 7
    assert not fit.points["period"].astype(str).isin(["2025-02-03"]).any()


def test_elasticities_of_the_course_world_match_the_truth(tables):
    """Weekly fits: every true elasticity lies in its 95 % interval (5 channels)."""
    truth = coursekit.truth()["spend_response"]
    fit = fit_response(tables["channel_spend"], tables["users"], exclude=OUTAGE)
    for channel, row in fit.params.iterrows():
        assert row["b_low"] < truth[channel]["elasticity"] < row["b_high"], channel


def test_bad_input_is_refused():
    spend, users = _world(0.08, 0.7, days=70)
    with pytest.raises(DataError, match="duplicate"):
        fit_response(pd.concat([spend, spend.head(1)]), users)
    with pytest.raises(DataError, match="no spend"):
        fit_response(spend, users, channels=["organic"])
    with pytest.raises(ArgumentError):
        fit_response(spend, users, per="Q")
    with pytest.raises(ArgumentError):
        fit_response(spend, users, level=1.5)
    with pytest.raises(ArgumentError):
        fit_response(spend, users, form="hill")
    with pytest.raises(ArgumentError):
        fit_response(spend, users, exclude=["2025-02-01"])
    with pytest.raises(ArgumentError):
        fit_response(spend, users, exclude=[("2025-02-07", "2025-02-01")])
    with pytest.raises(DataError, match="periods without spend"):
        fit_response(spend.assign(spend=np.where(spend.index < 7, 0.0, spend["spend"])), users)
    with pytest.raises(DataError, match="does not vary"):
        fit_response(spend.assign(spend=100.0), users)
    with pytest.raises(DataError, match="at least 3"):
        fit_response(spend.head(14), users)
    with pytest.raises(DataError, match="missing column"):
        fit_response(spend.drop(columns="spend"), users)


# --------------------------------------------------------------------------- marginals


def test_marginal_returns_by_hand():
    out = marginal_returns({"a": lambda s: 2 * s**0.5, "b": ResponseCurve("power", 4.0, 0.5)},
                           {"a": 100.0, "b": 400.0})
    assert out.loc["a"].tolist() == pytest.approx([100.0, 20.0, 0.1, 10.0, 5.0], rel=1e-6)
    assert out.loc["b"].tolist() == pytest.approx([400.0, 80.0, 0.1, 10.0, 5.0])
    with pytest.raises(ArgumentError):
        marginal_returns({"a": lambda s: s}, {"b": 1.0})
    with pytest.raises(ArgumentError):
        marginal_returns({"a": lambda s: s}, {"a": -1.0})


# --------------------------------------------------------------------------- allocation


def test_equal_elasticities_split_in_closed_form():
    """b1 = b2 = b: s_i is proportional to (a_i b)^(1 / (1 - b))."""
    a, b = np.array([1.0, 2.0, 3.0]), 0.6
    curves = {f"c{i}": ResponseCurve("power", float(ai), b) for i, ai in enumerate(a)}
    split = allocate_budget(curves, 1000.0)
    weights = (a * b) ** (1 / (1 - b))
    assert split.to_numpy() == pytest.approx(1000 * weights / weights.sum(), rel=1e-7)
    assert split.sum() == pytest.approx(1000.0)
    assert split.name == "spend" and split.index.name == "channel"


def test_different_elasticities_by_hand():
    """2 s^0.5 and 4 s^0.75: marginals 1/sqrt(s1) and 3 s2^-0.25 equal 1 at s1 = 1, s2 = 81."""
    split = allocate_budget({"a": lambda s: 2 * s**0.5, "b": lambda s: 4 * s**0.75}, 82.0)
    assert split.tolist() == pytest.approx([1.0, 81.0], rel=1e-6)


def test_corner_solutions_with_exponential_curves():
    """First yuan returns 1 (channel a) and 5 (channel b); b alone until its return falls to 1."""
    curves = {"a": ResponseCurve("exponential", 10.0, 10.0),
              "b": ResponseCurve("exponential", 100.0, 20.0)}
    small = allocate_budget(curves, 20.0)
    assert small.tolist() == pytest.approx([0.0, 20.0], abs=1e-9)
    # 5 exp(-s_b / 20) = exp(-s_a / 10)  =>  s_b = 20 ln 5 + 2 s_a
    big = allocate_budget(curves, 50.0)
    s_a = (50 - 20 * math.log(5)) / 3
    assert big.tolist() == pytest.approx([s_a, 50 - s_a], rel=1e-7)


def test_a_straight_line_takes_what_is_left():
    split = allocate_budget({"a": lambda s: 2 * s**0.5, "flat": lambda s: 0.5 * s}, 100.0)
    assert split.tolist() == pytest.approx([4.0, 96.0], rel=1e-6)


def test_minimum_spend_is_kept():
    curves = {"a": lambda s: 2 * s**0.5, "b": lambda s: 4 * s**0.5}
    split = allocate_budget(curves, 100.0, min_spend={"a": 50.0})
    assert split.tolist() == pytest.approx([50.0, 50.0], rel=1e-7)
    assert allocate_budget(curves, 100.0, min_spend=50.0).tolist() == pytest.approx([50, 50])


def test_the_split_beats_every_other_split():
    rng = np.random.default_rng(3)
    for _ in range(5):
        a, b = rng.uniform(0.5, 3, 2), rng.uniform(0.2, 0.9, 2)
        curves = {"x": ResponseCurve("power", a[0], b[0]), "y": ResponseCurve("power", a[1],
                                                                               b[1])}
        best = allocate_budget(curves, 500.0)
        grid = np.linspace(0, 500, 5001)
        totals = curves["x"](grid) + curves["y"](500 - grid)
        assert curves["x"](best["x"]) + curves["y"](best["y"]) >= totals.max() - 1e-9
        returns = marginal_returns(curves, best)["marginal"]
        assert returns["x"] == pytest.approx(returns["y"], rel=1e-6)


def test_the_course_world_gains_from_reallocation(tables):
    """At the same total spend, the best split brings at least as many sign-ups."""
    fit = fit_response(tables["channel_spend"], tables["users"], exclude=OUTAGE,
                       channels=["douyin_ads", "search_ads", "xiaohongshu"])
    now = fit.params["spend_per_day"]
    best = allocate_budget(fit, float(now.sum()))
    before = marginal_returns(fit, now)["outcome"].sum()
    after = marginal_returns(fit, best)
    assert after["outcome"].sum() > before
    assert after["marginal"].std() < 1e-6 * after["marginal"].mean()


def test_allocation_refuses_what_it_cannot_solve():
    concave = {"a": lambda s: 2 * s**0.5}
    with pytest.raises(ArgumentError, match="convex"):
        allocate_budget({"x": lambda s: s**1.5, **concave}, 100.0)
    with pytest.raises(ArgumentError, match="falls"):
        allocate_budget({"x": lambda s: -s, **concave}, 100.0)
    for budget in (0.0, -5.0, float("nan"), "100"):
        with pytest.raises(ArgumentError):
            allocate_budget(concave, budget)
    with pytest.raises(ArgumentError, match="more than the budget"):
        allocate_budget(concave, 100.0, min_spend=150.0)
    with pytest.raises(ArgumentError):
        allocate_budget(concave, 100.0, min_spend={"zzz": 1.0})
    with pytest.raises(ArgumentError):
        allocate_budget({"a": 3.0}, 100.0)
    with pytest.raises(ArgumentError):
        allocate_budget({}, 100.0)
    with pytest.raises(ArgumentError, match="fails"):
        allocate_budget({"a": lambda s: "x"}, 100.0)
