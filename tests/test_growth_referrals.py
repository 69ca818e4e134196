"""Referral trees, K-factor, viral cycle time and viral growth (coursekit.growth.referrals)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit.errors import ArgumentError, DataError
from coursekit.growth import CycleTime, cycle_time, k_factor, referral_tree, simulate_viral


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
