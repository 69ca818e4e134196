"""growth.cost_per_outcome: ratios of sums by hand, the interval against a brute-force
bootstrap, the course's creator deals against the truth's ranking, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit.errors import ArgumentError, DataError
from coursekit.growth import cost_per_outcome


def _deals():
    return pd.DataFrame({
        "tier": ["head", "head", "waist", "waist", "waist", "tail", "tail", "tail", "tail"],
        "platform": ["douyin", "xhs", "douyin", "xhs", "xhs", "xhs", "xhs", "douyin", "xhs"],
        "fee": [9000, 11000, 2000, 3000, 1000, 300, 500, 400, 200],
        "signups": [40, 60, 30, 20, 10, 10, 0, 20, 5],
        "first_orders": [20, 30, 15, 12, 3, 5, 0, 8, 2]})


def test_a_group_costs_its_fees_over_its_outcomes_not_the_mean_of_deal_ratios():
    out = cost_per_outcome(_deals(), replicates=200)
    assert out.index.tolist() == ["head", "tail", "waist"] and out.index.name == "tier"
    assert out["deals"].tolist() == [2, 4, 3]
    assert out["cost"].tolist() == [20000, 1400, 6000]
    assert out["outcome"].tolist() == [100, 35, 60]
    assert out["cost_per"].tolist() == pytest.approx([200.0, 40.0, 100.0])
    # the mean of the deals' own ratios would be another number (and undefined with a zero)
    firsts = cost_per_outcome(_deals(), outcome="first_orders", replicates=200)
    assert firsts.loc["waist", "cost_per"] == pytest.approx(6000 / 30)


def test_the_interval_is_a_percentile_bootstrap_over_whole_deals():
    d = _deals()
    out = cost_per_outcome(d, replicates=4000, seed=1)
    rng = np.random.default_rng(5)
    tail = d[d["tier"] == "tail"]
    draws = rng.integers(0, len(tail), (4000, len(tail)))
    with np.errstate(divide="ignore"):  # a resample of the zero-sign-up deal alone
        ratios = tail["fee"].to_numpy()[draws].sum(1) / tail["signups"].to_numpy()[draws].sum(1)
    low, high = np.percentile(ratios, [2.5, 97.5])
    assert out.loc["tail", "low"] == pytest.approx(low, rel=0.08)
    assert out.loc["tail", "high"] == pytest.approx(high, rel=0.08)
    assert out.loc["tail", "low"] < 40.0 < out.loc["tail", "high"]
    again = cost_per_outcome(d, replicates=4000, seed=1)
    pd.testing.assert_frame_equal(out, again)
    wider = cost_per_outcome(d, replicates=4000, seed=1, level=0.99)
    assert wider.loc["tail", "low"] <= out.loc["tail", "low"]
    assert wider.loc["tail", "high"] >= out.loc["tail", "high"]


def test_two_columns_group_by_both_and_a_single_deal_has_no_interval():
    out = cost_per_outcome(_deals(), by=["tier", "platform"], replicates=200)
    assert out.index.names == ["tier", "platform"]
    assert out.loc[("head", "douyin"), "cost_per"] == pytest.approx(225.0)
    assert np.isnan(out.loc[("head", "douyin"), "low"])
    assert out.loc[("tail", "xhs"), "cost_per"] == pytest.approx(1000 / 15)


def test_a_group_with_no_outcome_costs_infinitely_much():
    d = _deals().assign(signups=lambda x: np.where(x["tier"] == "tail", 0, x["signups"]))
    out = cost_per_outcome(d, replicates=200)
    assert np.isinf(out.loc["tail", "cost_per"]) and np.isnan(out.loc["tail", "low"])


def test_the_course_deals_rank_the_tiers_as_the_truth_does():
    deals = coursekit.load("creator_deals")
    out = cost_per_outcome(deals, replicates=500)
    truth = coursekit.truth()["growth"]["creator_deals"]["cost_per_signup"]["by_tier"]
    assert out["cost_per"].sort_values().index.tolist() == sorted(truth, key=truth.get)
    assert out.loc["head", "low"] > out.loc["waist", "high"]
    sums = deals.groupby("tier", observed=True)[["fee", "signups"]].sum()
    assert out["cost_per"].to_dict() == pytest.approx((sums["fee"] / sums["signups"]).to_dict())


@pytest.mark.parametrize(("kwargs", "error", "name"), [
    ({"by": "creator_tier"}, DataError, "creator_tier"),
    ({"cost": "price"}, DataError, "price"),
    ({"by": 3}, ArgumentError, "by"),
    ({"outcome": ["signups"]}, ArgumentError, "outcome"),
    ({"level": 1.0}, ArgumentError, "level"),
    ({"replicates": 10}, ArgumentError, "replicates"),
    ({"seed": -1}, ArgumentError, "seed"),
])
def test_bad_arguments_are_named(kwargs, error, name):
    with pytest.raises(error) as err:
        cost_per_outcome(_deals(), **kwargs)
    assert name in str(err.value)


def test_negative_or_missing_values_are_refused_with_rows():
    with pytest.raises(DataError, match="fee"):
        cost_per_outcome(_deals().assign(fee=lambda d: d["fee"].where(d.index != 2, -5)))
    with pytest.raises(DataError, match="signups") as err:
        cost_per_outcome(_deals().assign(signups=lambda d: d["signups"].where(d.index != 4)))
    assert "Example rows" in str(err.value)
    with pytest.raises(DataError):
        cost_per_outcome([1, 2])
