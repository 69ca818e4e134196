"""AARRR by channel: the channel economics table (coursekit.growth.channels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit.bizmodel import customer_economics
from coursekit.errors import ArgumentError, DataError
from coursekit.growth import AARRR_COLUMNS, aarrr, k_factor
from coursekit.metrics import cac


@pytest.fixture
def small():
    """Four ads users and two organic ones; the data ends on 1 July 2025."""
    users = pd.DataFrame({
        "user_id": [1, 2, 3, 4, 5, 6],
        "signup_time": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-02",
                                       "2025-06-20", "2025-01-01", "2025-01-02"]),
        "channel": ["ads"] * 4 + ["organic"] * 2,
        "city_tier": ["1", "2", "1", "2", "1", "2"]})
    orders = pd.DataFrame({
        "user_id": [1, 1, 2, 5, 4],
        "order_time": pd.to_datetime(["2025-01-03", "2025-02-10", "2025-03-20", "2025-01-05",
                                      "2025-06-21"]),
        "amount": [80.0, 60.0, 50.0, 40.0, 30.0]})
    events = pd.DataFrame({"user_id": [1, 1, 5, 2], "event_type": "invite",
                           "event_time": pd.to_datetime(["2025-01-04", "2025-01-09",
                                                         "2025-01-06", "2025-03-01"])})
    spend = pd.DataFrame({"date": pd.to_datetime(["2025-01-01", "2025-01-02"]),
                          "channel": "ads", "spend": [100.0, 50.0]})
    return users, orders, events, spend


def test_table_by_hand(small):
    users, orders, events, spend = small
    t = aarrr(users, orders, events, spend, horizon_months=3, asof="2025-07-01")
    assert list(t.columns) == list(AARRR_COLUMNS) and t.index.name == "channel"
    ads = t.loc["ads"]
    assert ads["signups"] == 4
    assert ads["cac"] == pytest.approx(150 / 3)  # sign-ups on the spend table's two days
    # user 4 signed up 11 days before the end: not in the 30-day activation base
    assert ads[["activation_base", "activation_rate"]].tolist() == [3, pytest.approx(1 / 3)]
    # buyers 1 (again on day 38) and 2 (first order 20 March, day 90 observed); 4 too recent
    assert ads[["retention_base", "repeat_rate"]].tolist() == [2, 0.5]
    # referral base: users 1-3 (4 is too recent); user 1 invites twice in 30 days, 2 on day 59
    assert ads[["referral_base", "invites_per_user"]].tolist() == [3, pytest.approx(2 / 3)]
    assert np.isnan(ads["invite_acceptance"]) and np.isnan(ads["k_factor"])
    # revenue per signed-up user, each month over the cohorts observed that long: the
    # sign-up month 110 / 4 users (the June cohort too), then 60 / 3 and 50 / 3 (January's)
    assert ads["revenue_per_user"] == pytest.approx(110 / 4 + 60 / 3 + 50 / 3)
    assert ads["ltv"] == pytest.approx(ads["revenue_per_user"])
    assert ads["ltv_cac"] == pytest.approx(ads["ltv"] / 50)
    assert ads["payback_months"] == 3.0  # 27.5, then 47.5, then 64.2 >= 50
    organic = t.loc["organic"]
    assert np.isnan(organic["cac"]) and np.isnan(organic["spend"])
    assert organic["revenue_per_user"] == pytest.approx(20.0)


def test_margin_scales_value_and_delays_payback(small):
    users, orders, events, spend = small
    full = aarrr(users, orders, events, spend, horizon_months=3, asof="2025-07-01")
    half = aarrr(users, orders, events, spend, horizon_months=3, asof="2025-07-01",
                 margin=pd.Series({"ads": 0.5, "organic": 1.0}))
    assert half.loc["ads", "ltv"] == pytest.approx(full.loc["ads", "ltv"] / 2)
    assert half.loc["organic", "ltv"] == pytest.approx(full.loc["organic", "ltv"])
    assert np.isnan(half.loc["ads", "payback_months"])  # 32.1 < 50: not paid back yet


def test_referrals_give_acceptance_and_k(small):
    users, orders, events, spend = small
    sent = ["2025-01-01 12:00", "2025-01-09 00:00", "2025-01-01 12:00", "2025-03-01 00:00"]
    referrals = pd.DataFrame({"inviter_id": [1, 1, 5, 2],
                              "invite_time": pd.to_datetime(sent),
                              "invitee_id": pd.array([3, None, 6, None], dtype="Int64")})
    t = aarrr(users, orders, events, spend, referrals=referrals, horizon_months=3,
              asof="2025-07-01")
    assert t.loc["ads", "invite_acceptance"] == pytest.approx(0.5)
    assert t.loc["ads", "k_factor"] == pytest.approx(2 / 3 * 0.5)
    assert t.loc["organic", "k_factor"] == pytest.approx(1 / 2 * 1.0)


def test_other_groups_have_no_cac(small):
    users, orders, events, spend = small
    t = aarrr(users, orders, events, spend, by="city_tier", horizon_months=3,
              asof="2025-07-01")
    assert t.index.tolist() == ["1", "2"] and t["cac"].isna().all()
    assert t["signups"].sum() == 6


def test_the_course_world_table(tables):
    users, orders = tables["users"], tables["orders"]
    t = aarrr(users, orders, tables["events"], tables["channel_spend"],
              referrals=tables["referrals"])
    truth = coursekit.truth()["channels"]
    # 30-day activation against the world's chance of ever buying (about 3 standard errors)
    for channel, row in t.drop(index="unknown").iterrows():
        assert row["activation_rate"] == pytest.approx(truth[channel]["convert"], abs=0.03)
    # the pieces are the library's own: CAC of metrics.cac, K of growth.k_factor
    paid = cac(tables["channel_spend"], users)
    assert t.loc[paid.index.astype(str), "cac"].to_numpy() == pytest.approx(paid["cac"])
    k = k_factor(tables["referrals"], users, by="channel")
    assert t["k_factor"].to_numpy() == pytest.approx(k["k_factor"].to_numpy())
    assert t["signups"].sum() == len(users)


def test_an_earlier_asof_sees_only_the_past(tables):
    """Invitees, orders and events after asof are ignored, not refused."""
    users = tables["users"]
    t = aarrr(users, tables["orders"], tables["events"], tables["channel_spend"],
              referrals=tables["referrals"], asof="2025-07-01", horizon_months=6)
    assert t["signups"].sum() == (users["signup_time"] < "2025-07-01").sum()
    k = k_factor(tables["referrals"], users, by="channel", asof="2025-07-01")
    assert t["invite_acceptance"].to_numpy() == pytest.approx(k["acceptance"].to_numpy())


def test_ltv_agrees_with_customer_economics(tables):
    """Revenue per signed-up user over 12 months is customer_economics' paid line."""
    t = aarrr(tables["users"], tables["orders"], tables["events"], tables["channel_spend"])
    ue = customer_economics(tables["orders"], tables["order_items"], tables["products"],
                            tables["order_costs"], tables["users"], tables["channel_spend"])
    paid = ue.lines.loc["paid"].drop("sign")
    assert t.loc[paid.index, "ltv"].to_numpy() == pytest.approx(paid.to_numpy().astype(float))
    share = ue.lines.loc["contribution"].drop("sign") / paid
    profit = aarrr(tables["users"], tables["orders"], tables["events"], tables["channel_spend"],
                   margin=share.astype(float).reindex(t.index).fillna(1.0))
    assert profit.loc[paid.index, "ltv"].to_numpy() == pytest.approx(
        ue.contribution.to_numpy().astype(float))


def test_bad_input_is_refused(small):
    users, orders, events, spend = small
    args = (users, orders, events, spend)
    with pytest.raises(ArgumentError):
        aarrr(*args, by="nope")
    for name in ("activation_days", "retention_days", "window_days", "horizon_months"):
        with pytest.raises(ArgumentError):
            aarrr(*args, **{name: 0})
    with pytest.raises(ArgumentError, match="horizon"):
        aarrr(*args, horizon_months=24, asof="2025-07-01")
    for margin in (1.5, 0.0, "half", pd.Series({"ads": 0.5})):
        with pytest.raises(ArgumentError):
            aarrr(*args, margin=margin, horizon_months=3)
    with pytest.raises(DataError, match="not in users"):
        aarrr(users, pd.concat([orders, orders.head(1).assign(user_id=99)]), events, spend,
              horizon_months=3)
    with pytest.raises(DataError, match="not in users"):
        aarrr(users, orders, events.assign(user_id=99), spend, horizon_months=3)
    with pytest.raises(DataError, match="duplicate"):
        aarrr(pd.concat([users, users.head(1)]), orders, events, spend, horizon_months=3)
    with pytest.raises(DataError, match="no new users"):
        aarrr(users, orders, events, spend.assign(channel="tv"), horizon_months=3)
    with pytest.raises(DataError, match="negative"):
        aarrr(users, orders.assign(amount=-1.0), events, spend, horizon_months=3)
