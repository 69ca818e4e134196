"""Referral trees, K-factor, viral cycle time, viral growth and programme arms
(coursekit.growth.referrals)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit.errors import ArgumentError, DataError
from coursekit.growth import (
    CycleTime,
    cycle_time,
    k_factor,
    referral_arms,
    referral_tree,
    simulate_viral,
)


def _ids(values):
    return pd.array(values, dtype="Int64")


@pytest.fixture
def small():
    """1 -> 2 -> 4 -> 7 (a chain of three), 1 -> 3, 5 -> 6; user 8 joined on their own."""
    users = pd.DataFrame({
        "user_id": [1, 2, 3, 4, 5, 6, 7, 8],
        "signup_time": pd.to_datetime(["2025-01-01", "2025-01-05", "2025-01-11", "2025-01-20",
                                       "2025-01-02", "2025-01-04", "2025-02-01", "2025-03-01"]),
        "channel": ["ads", "referral", "referral", "referral", "organic", "referral",
                    "referral", "ads"]})
    referrals = pd.DataFrame({
        "inviter_id": [1, 1, 2, 4, 5, 1, 8],
        "invite_time": pd.to_datetime(["2025-01-04", "2025-01-10", "2025-01-19", "2025-01-31",
                                       "2025-01-03", "2025-01-15", "2025-03-02"]),
        "invitee_id": _ids([2, 3, 4, 7, 6, None, None])})
    return users, referrals


# --------------------------------------------------------------------------- trees


def test_tree_by_hand(small):
    users, referrals = small
    trees = referral_tree(referrals, users, by="channel")
    assert trees.users["inviter"].to_dict() == {2: 1, 3: 1, 4: 2, 6: 5, 7: 4}
    assert trees.users["root"].to_dict() == {2: 1, 3: 1, 4: 1, 6: 5, 7: 1}
    assert trees.users["depth"].to_dict() == {2: 1, 3: 1, 4: 2, 6: 1, 7: 3}
    assert trees.roots.index.tolist() == [1, 5]
    assert trees.roots.loc[1, ["referred", "direct", "depth"]].tolist() == [4, 2, 3]
    assert trees.roots.loc[5, ["referred", "direct", "depth"]].tolist() == [1, 1, 1]
    assert trees.roots["channel"].tolist() == ["ads", "organic"]


def test_trees_of_the_course_world_are_consistent(tables):
    refs, users = tables["referrals"], tables["users"]
    trees = referral_tree(refs, users)
    t = trees.users
    assert len(t) == refs["invitee_id"].notna().sum()
    # a user is one link below their inviter, and shares the inviter's root
    inviter_is_referred = t["inviter"].isin(t.index)
    up = t.loc[t.loc[inviter_is_referred, "inviter"]]
    assert (t.loc[inviter_is_referred, "depth"].to_numpy() == up["depth"].to_numpy() + 1).all()
    assert (t.loc[inviter_is_referred, "root"].to_numpy() == up["root"].to_numpy()).all()
    assert (t.loc[~inviter_is_referred, "depth"] == 1).all()
    assert not t["root"].isin(t.index).any()  # roots were not referred
    assert trees.roots["referred"].sum() == len(t)


def test_trees_refuse_broken_chains(small):
    users, referrals = small
    loop = pd.DataFrame({"inviter_id": [1, 2], "invitee_id": _ids([2, 1])})
    with pytest.raises(DataError, match="loop"):
        referral_tree(loop, users)
    with pytest.raises(DataError, match="themselves"):
        referral_tree(pd.DataFrame({"inviter_id": [3], "invitee_id": _ids([3])}), users)
    twice = pd.DataFrame({"inviter_id": [1, 5], "invitee_id": _ids([2, 2])})
    with pytest.raises(DataError, match="more than one invitation"):
        referral_tree(twice, users)
    with pytest.raises(DataError, match="not in users"):
        referral_tree(pd.DataFrame({"inviter_id": [99], "invitee_id": _ids([2])}), users)
    with pytest.raises(DataError, match="missing column"):
        referral_tree(referrals.drop(columns="invitee_id"), users)
    with pytest.raises(ArgumentError):
        referral_tree(referrals, users, by="nope")


# --------------------------------------------------------------------------- K-factor


def test_k_factor_by_hand(small):
    """asof 1 April, window 30 + 14 days: users who signed up by 16 February count (1-7).

    In their first 30 days: user 1 sends 3 (2 accepted), 2 sends 1 (accepted), 4 sends 1
    (accepted), 5 sends 1 (accepted); user 8 signed up too late to count."""
    users, referrals = small
    k = k_factor(referrals, users, asof="2025-04-01")
    row = k.loc["all"]
    assert row[["users", "invitations", "accepted"]].tolist() == [7, 6, 5]
    assert row["invites_per_user"] == pytest.approx(6 / 7)
    assert row["acceptance"] == pytest.approx(5 / 6)
    assert row["k_factor"] == pytest.approx(row["invites_per_user"] * row["acceptance"])
    by = k_factor(referrals, users, asof="2025-04-01", by="channel")
    assert by.loc["ads", ["users", "invitations", "accepted"]].tolist() == [1, 3, 2]
    assert by.loc["referral", ["users", "invitations", "accepted"]].tolist() == [5, 2, 2]
    assert by["users"].sum() == 7


def test_k_factor_windows(small):
    users, referrals = small
    # 7 + 1 days: all 8 users count; in their first 7 days user 1 invites on day 3 (not on
    # days 9 and 14), 5 on day 1, 8 on day 1 (2 and 4 only later); 1's and 5's are accepted
    # the next day
    k = k_factor(referrals, users, window_days=7, accept_days=1, asof="2025-04-01")
    assert k.loc["all", ["users", "invitations", "accepted"]].tolist() == [8, 3, 2]
    # an invitee who signs up later than accept_days after the invitation is no conversion
    late = referrals.assign(invite_time=referrals["invite_time"] - pd.Timedelta(days=5))
    strict = k_factor(late, users, accept_days=3, asof="2025-04-01").loc["all"]
    assert strict["accepted"] == 0
    with pytest.raises(DataError, match="nobody could have used"):
        k_factor(referrals, users, window_days=365, asof="2025-04-01")
    for bad in (0, 2.5, True, "30"):
        with pytest.raises(ArgumentError):
            k_factor(referrals, users, window_days=bad)
    with pytest.raises(ArgumentError):
        k_factor(referrals, users, accept_days=-1)


def test_conversion_of_an_invitation_matches_the_truth(tables):
    """The world converts 14 % of invitations. On the ~9,000 invitations of the 30-day
    window the binomial standard error is sqrt(0.14 x 0.86 / 9,000) = 0.0037: allow 3."""
    truth = coursekit.truth()["referrals"]["invite_conversion"]
    row = k_factor(tables["referrals"], tables["users"], window_days=30).loc["all"]
    se = math.sqrt(truth * (1 - truth) / row["invitations"])
    assert abs(row["acceptance"] - truth) < 3 * se
    assert row["k_factor"] == pytest.approx(row["invites_per_user"] * row["acceptance"])
    assert row["k_factor"] < 1  # referral is no engine by itself here


# --------------------------------------------------------------------------- cycle time


def test_cycle_time_by_hand(small):
    users, referrals = small
    ct = cycle_time(referrals, users)
    assert isinstance(ct, CycleTime)
    # 2: 4 days after 1; 3: 10 after 1; 4: 15 after 2; 6: 2 after 5; 7: 12 after 4
    assert ct.durations.to_dict() == {2: 4.0, 3: 10.0, 4: 15.0, 6: 2.0, 7: 12.0}
    assert (ct.median, ct.mean, ct.cycles, ct.left_out) == (10.0, 8.6, 5, 0)
    orders = pd.DataFrame({"user_id": [1, 2, 2], "order_time": pd.to_datetime(
        ["2025-01-03", "2025-01-07", "2025-01-06"])})
    first = cycle_time(referrals, users, start="first_order", orders=orders)
    assert first.durations.to_dict() == {2: 2.0, 3: 8.0, 4: 14.0}
    assert first.left_out == 2  # users 4 and 5 never ordered
    assert cycle_time(referrals, users, asof="2025-01-15").cycles == 3
    with pytest.raises(ArgumentError):
        cycle_time(referrals, users, start="first_order")
    with pytest.raises(ArgumentError):
        cycle_time(referrals, users, start="invite")


def test_cycle_time_fits_the_worlds_invitation_lag(tables):
    """The truth: a share f = fresh_share of invitations come an exponential
    invite_lag_days (mean L) after the inviter's first good experience, the rest at any
    time later; the invitee then signs up about 1.5 days on.

    Whatever the rest do, the median of the mixture lies where the fresh part's
    distribution F is between (0.5 - (1 - f)) / f and 0.5 / f, i.e. 2/7 and 5/7 for
    f = 0.7: from L ln(7/5) = 7.1 days to L ln(7/2) = 26.3 days for L = 21, plus up to a
    week between the first order and the invitee's sign-up (delivery, the invitee's lag).
    """
    truth = coursekit.truth()["referrals"]
    lag, f = truth["invite_lag_days"], truth["fresh_share"]
    ct = cycle_time(tables["referrals"], tables["users"], start="first_order",
                    orders=tables["orders"])
    low = -lag * math.log(1 - (0.5 - (1 - f)) / f)
    high = -lag * math.log(1 - 0.5 / f) + 7
    assert low < ct.median < high
    assert ct.mean > 2 * ct.median  # the invitations long after the first order
    assert ct.cycles == tables["referrals"]["invitee_id"].notna().sum()


# --------------------------------------------------------------------------- simulation


def test_k_below_one_is_a_geometric_sum():
    out = simulate_viral(1000, 0.4, 15, market_size=float("inf"), periods=40)
    assert out["users"].iloc[-1] == pytest.approx(1000 / (1 - 0.4))
    assert out["new_users"].tolist()[:3] == pytest.approx([1000, 400, 160])
    assert out["day"].tolist()[:3] == [0.0, 15.0, 30.0]
    capped = simulate_viral(1000, 0.4, 15, market_size=5000, periods=40)
    assert capped["users"].iloc[-1] < 1000 / (1 - 0.4)  # the market takes some invitations


def test_k_above_one_saturates():
    out = simulate_viral(100, 2.0, 10, market_size=10_000, periods=80)
    new = out["new_users"]
    peak = int(new.idxmax())
    assert 0 < peak < 80 and new.iloc[-1] < 1e-6 * new.max()
    assert (out["users"] <= 10_000).all()
    assert 0.5 < out["market_share"].iloc[-1] < 1
    # the end: users stop where 2 (1 - share) no longer replaces a generation
    assert out["users"].is_monotonic_increasing


def test_random_paths_average_to_the_expected_one():
    expected = simulate_viral(200, 1.5, 10, market_size=20_000, periods=12)
    runs = [simulate_viral(200, 1.5, 10, market_size=20_000, periods=12, stochastic=True,
                           seed=s)["users"].to_numpy() for s in range(200)]
    assert np.mean(runs, axis=0)[5] == pytest.approx(expected["users"].iloc[5], rel=0.03)
    one = simulate_viral(200, 1.5, 10, market_size=20_000, periods=12, stochastic=True, seed=4)
    again = simulate_viral(200, 1.5, 10, market_size=20_000, periods=12, stochastic=True,
                           seed=4)
    pd.testing.assert_frame_equal(one, again)
    assert (one["new_users"] == one["new_users"].round()).all()


@pytest.mark.parametrize("kwargs", [
    {"seed_users": 0}, {"k": -0.1}, {"cycle_days": 0}, {"market_size": 10},
    {"periods": 0}, {"periods": 2.5}, {"stochastic": "yes"},
    {"stochastic": True, "market_size": float("inf")},
])
def test_simulation_refuses_bad_arguments(kwargs):
    args = {"seed_users": 100, "k": 0.5, "cycle_days": 10, "market_size": 1000, "periods": 5}
    args.update(kwargs)
    with pytest.raises(ArgumentError):
        simulate_viral(args.pop("seed_users"), args.pop("k"), args.pop("cycle_days"), **args)


# --------------------------------------------------------------------------- programme arms

MEASURES = ["invitations", "conversion", "k_signups", "k_first_orders", "reward_cost",
            "cost_per_customer", "incremental_first_orders", "cost_per_incremental_customer"]


@pytest.fixture
def arms_test():
    """A control ("none", 5 participants), a task arm (4) and a lottery arm (4)."""
    return pd.DataFrame({
        "variant": ["none"] * 5 + ["task"] * 4 + ["draw"] * 4,
        "invitations": [0, 1, 2, 0, 1, 2, 3, 0, 3, 5, 1, 2, 0],
        "signups": [0, 1, 0, 0, 1, 1, 2, 0, 0, 0, 1, 0, 0],
        "first_orders": [0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0],
        "reward_cost": [0, 0, 0, 0, 0, 6, 6, 0, 0, 4, 0, 2, 0]})


def _random_arms(n: int, seed: int) -> pd.DataFrame:
    """Two arms of n participants: Poisson invitations, binomial sign-ups and first orders,
    a cost of 3 yuan per invitation won with chance 0.3 (not tied to the first orders)."""
    rng = np.random.default_rng(seed)
    arm = np.repeat(["control", "prize"], n)
    inv = rng.poisson(np.where(arm == "control", 0.5, 2.0))
    signups = rng.binomial(inv, 0.3)
    first = rng.binomial(signups, 0.6)
    cost = np.where(arm == "control", 0.0, 3.0 * rng.binomial(inv, 0.3))
    return pd.DataFrame({"arm": arm, "invitations": inv, "signups": signups,
                         "first_orders": first, "reward_cost": cost})


def test_referral_arms_by_hand(arms_test):
    """none: 4 invitations, 2 sign-ups, 1 first order over 5; task: 8, 3, 2 and 12 yuan over 4;
    draw: 8, 1, 0 and 6 yuan over 4. Value 50 yuan a customer."""
    out = referral_arms(arms_test, arm="variant", control="none", value_per_customer=50,
                        replicates=200)
    assert out.index.name == "variant"
    assert out.index.tolist() == ["none", "draw", "task"]  # the control first, then sorted
    assert out["participants"].tolist() == [5, 4, 4]
    task, draw, none = out.loc["task"], out.loc["draw"], out.loc["none"]
    assert none[["invitations", "conversion", "k_signups", "k_first_orders", "reward_cost",
                 "cost_per_customer", "incremental_first_orders", "profit",
                 "incremental_profit"]].tolist() == pytest.approx(
        [0.8, 0.5, 0.4, 0.2, 0.0, 0.0, 0.0, 10.0, 0.0])
    assert math.isnan(none["cost_per_incremental_customer"])
    assert task[MEASURES + ["profit", "incremental_profit"]].tolist() == pytest.approx(
        [2.0, 3 / 8, 0.75, 0.5, 3.0, 6.0, 0.3, 3.0 / 0.3, 50 * 0.5 - 3.0, 22.0 - 10.0])
    # the K is invitations per participant x conversion of an invitation
    assert task["k_signups"] == pytest.approx(task["invitations"] * task["conversion"])
    # the lottery paid 1.5 yuan per participant and brought no customer: fewer than control
    assert draw[["invitations", "conversion", "k_signups", "k_first_orders", "reward_cost",
                 "incremental_first_orders", "profit", "incremental_profit"]].tolist() == \
        pytest.approx([2.0, 1 / 8, 0.25, 0.0, 1.5, -0.2, -1.5, -11.5])
    assert draw["cost_per_customer"] == np.inf
    assert draw["cost_per_incremental_customer"] == np.inf
    # the control against itself: no spread
    assert none[["incremental_first_orders_low", "incremental_first_orders_high"]].tolist() == [
        0.0, 0.0]
    assert none[["cost_per_incremental_customer_low",
                 "cost_per_incremental_customer_high"]].isna().all()
    # a control that pays too (2 yuan once): the increments are net of its cost
    paid = arms_test.assign(reward_cost=[0, 2, 0, 0, 0] + arms_test["reward_cost"].tolist()[5:])
    net = referral_arms(paid, arm="variant", control="none", value_per_customer=50,
                        replicates=200).loc["task"]
    assert net["cost_per_incremental_customer"] == pytest.approx((3.0 - 0.4) / 0.3)
    assert net["incremental_profit"] == pytest.approx((25 - 3.0) - (10 - 0.4))


def test_referral_arms_columns(arms_test):
    out = referral_arms(arms_test, arm="variant", control="none", replicates=100)
    expected = ["participants"] + [f"{m}{s}" for m in MEASURES for s in ("", "_low", "_high")]
    assert out.columns.tolist() == expected  # no profit without a value per customer
    with_value = referral_arms(arms_test, arm="variant", control="none", replicates=100,
                               value_per_customer=0)
    assert with_value.columns.tolist()[-6:] == ["profit", "profit_low", "profit_high",
                                                "incremental_profit", "incremental_profit_low",
                                                "incremental_profit_high"]
    # a value of 0: the profit is minus the reward cost
    assert with_value["profit"].tolist() == pytest.approx([0.0, -1.5, -3.0])


def test_referral_arms_intervals_hold_the_estimate_and_narrow():
    small = referral_arms(_random_arms(200, 1), value_per_customer=40)
    big = referral_arms(_random_arms(3200, 1), value_per_customer=40)
    for out in (small, big):
        for m in MEASURES + ["profit", "incremental_profit"]:
            lo, est, hi = (out.loc["prize", f"{m}{s}"] for s in ("_low", "", "_high"))
            assert lo <= est <= hi, m
            assert lo < hi, m
    for m in MEASURES + ["profit", "incremental_profit"]:
        width = {name: out.loc["prize", f"{m}_high"] - out.loc["prize", f"{m}_low"]
                 for name, out in (("small", small), ("big", big))}
        # 16 times the participants: a quarter of the width, give or take the noise
        assert 0.15 < width["big"] / width["small"] < 0.4, m


def test_referral_arms_interval_of_a_mean_matches_the_normal_one():
    """For a mean over 3,200 participants the percentile interval is close to
    mean +- 1.96 sd / sqrt(n); resampling across the arms would widen it."""
    test = _random_arms(3200, 2)
    out = referral_arms(test, level=0.95, replicates=4000)
    inv = test.loc[test["arm"] == "prize", "invitations"]
    half = 1.959964 * inv.std(ddof=1) / math.sqrt(len(inv))
    got = (out.loc["prize", "invitations_high"] - out.loc["prize", "invitations_low"]) / 2
    assert got == pytest.approx(half, rel=0.1)
    narrow = referral_arms(test, level=0.5, replicates=4000)
    got50 = (narrow.loc["prize", "invitations_high"] - narrow.loc["prize", "invitations_low"]) / 2
    assert got50 == pytest.approx(0.674490 * half / 1.959964, rel=0.1)


def test_referral_arms_are_deterministic(arms_test):
    one = referral_arms(arms_test, arm="variant", control="none", replicates=300, seed=7)
    again = referral_arms(arms_test, arm="variant", control="none", replicates=300, seed=7)
    pd.testing.assert_frame_equal(one, again)
    other = referral_arms(arms_test, arm="variant", control="none", replicates=300, seed=8)
    pd.testing.assert_frame_equal(one[MEASURES], other[MEASURES])  # estimates: no chance
    assert not one.equals(other)


def test_referral_arms_of_the_course_test_match_the_truth(tables):
    """Each arm's K (sign-ups and first orders per participant) against the truth's
    expected values: with 95 % intervals over 7 arms, at most one arm per measure may miss
    its interval (this world's cash_20 brought about 2 standard errors more first orders
    than expected, by chance), and none by more than 3 standard errors (the half-width of
    the interval / 1.96)."""
    truth = pd.DataFrame(coursekit.truth()["growth"]["referral_experiment"]["by_arm"]).T
    out = referral_arms(tables["referral_experiment"], value_per_customer=80)
    assert out.index[0] == "control" and set(out.index) == set(truth.index)
    assert out["participants"].sum() == len(tables["referral_experiment"])
    for mine, theirs in (("k_signups", "k_factor"), ("k_first_orders", "first_orders"),
                         ("invitations", "invitations"), ("conversion", "conversion")):
        expected = truth[theirs].astype(float).reindex(out.index)
        inside = (out[f"{mine}_low"] <= expected) & (expected <= out[f"{mine}_high"])
        assert inside.sum() >= len(out) - 1, (mine, out.index[~inside].tolist())
        se = (out[f"{mine}_high"] - out[f"{mine}_low"]) / (2 * 1.96)
        assert ((out[mine] - expected).abs() < 3 * se).all(), mine
    # a task pays the reward per first order: cost per customer is the reward exactly
    # (points at 40 % of their face value)
    task = ["cash_5", "cash_10", "cash_20", "poster_10", "points_10"]
    assert out.loc[task, "cost_per_customer"].tolist() == pytest.approx(
        [5.0, 10.0, 20.0, 10.0, 4.0])
    # the lottery loses money for certain; every task arm adds customers for certain
    assert out.loc["lottery_10", "incremental_profit_high"] < 0
    assert (out.loc[task, "incremental_first_orders_low"] > 0).all()


def test_referral_arms_refuse_bad_tables(arms_test):
    ok = {"arm": "variant", "control": "none", "replicates": 100}
    with pytest.raises(DataError, match="missing column"):
        referral_arms(arms_test.drop(columns="signups"), **ok)
    with pytest.raises(DataError, match="missing column"):
        referral_arms(arms_test, replicates=100)  # no column "arm"
    with pytest.raises(DataError, match="control arm"):
        referral_arms(arms_test, arm="variant", replicates=100)  # no arm "control"
    with pytest.raises(DataError, match="negative counts"):
        referral_arms(arms_test.assign(invitations=arms_test["invitations"] - 1), **ok)
    with pytest.raises(DataError, match="negative amounts"):
        referral_arms(arms_test.assign(reward_cost=-arms_test["reward_cost"]), **ok)
    with pytest.raises(DataError, match="expected numbers"):
        referral_arms(arms_test.assign(signups=arms_test["signups"].astype(str)), **ok)
    with pytest.raises(DataError, match="whole numbers"):
        referral_arms(arms_test.assign(signups=arms_test["signups"] + 0.5), **ok)
    with pytest.raises(DataError, match="more first orders than sign-ups"):
        referral_arms(arms_test.assign(first_orders=arms_test["signups"] + 1), **ok)
    with pytest.raises(DataError, match="missing values"):
        referral_arms(arms_test.assign(signups=arms_test["signups"].where(
            arms_test.index != 2)), **ok)
    with pytest.raises(DataError, match="without an arm"):
        referral_arms(arms_test.assign(variant=arms_test["variant"].where(
            arms_test.index != 0)), **ok)
    with pytest.raises(DataError, match="single participant"):
        referral_arms(arms_test.iloc[:-3], **ok)
    with pytest.raises(DataError, match="empty"):
        referral_arms(arms_test.iloc[:0], **ok)
    with pytest.raises(DataError):
        referral_arms(arms_test.to_dict(), **ok)


@pytest.mark.parametrize("kwargs", [
    {"level": 0}, {"level": 1}, {"level": 1.5}, {"level": "0.95"}, {"level": True},
    {"replicates": 0}, {"replicates": 50}, {"replicates": 2500.5}, {"replicates": True},
    {"seed": -1}, {"seed": 1.5}, {"value_per_customer": -1}, {"value_per_customer": "80"},
    {"value_per_customer": float("nan")},
])
def test_referral_arms_refuse_bad_arguments(arms_test, kwargs):
    with pytest.raises(ArgumentError):
        referral_arms(arms_test, arm="variant", control="none", **kwargs)
