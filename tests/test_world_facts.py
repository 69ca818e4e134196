"""The stylised facts of real businesses, asserted on the committed default data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit.data import truth


@pytest.fixture(scope="module")
def t():
    names = ["users", "orders", "events", "campaign_assignments", "channel_spend", "tickets"]
    return {n: coursekit.load(n) for n in names}


def test_revenue_is_concentrated(t):
    rev = t["orders"].groupby("user_id")["amount"].sum().sort_values(ascending=False)
    top = rev.iloc[: int(np.ceil(0.2 * len(rev)))].sum() / rev.sum()
    assert top >= 0.55


def _activity_retention(users, events, day):
    su = users.set_index("user_id")["signup_time"].dt.normalize()
    end = events["event_time"].max().normalize()
    eligible = su[su <= end - pd.Timedelta(days=day)]
    active_day = (events["event_time"].dt.normalize() - events["user_id"].map(su)).dt.days
    back = events.loc[active_day == day, "user_id"].unique()
    return np.isin(eligible.index, back).mean()


def test_retention_decays_in_believable_ranges(t):
    d1, d7, d30 = (_activity_retention(t["users"], t["events"], d) for d in (1, 7, 30))
    assert d1 > d7 > d30
    assert 0.20 <= d1 <= 0.50
    assert 0.07 <= d7 <= 0.25
    assert 0.02 <= d30 <= 0.12


def test_weekly_rhythm_and_festival_peaks(t):
    daily = t["orders"].groupby(t["orders"]["order_time"].dt.normalize()).size()
    by_dow = daily.groupby(daily.index.day_of_week).mean()
    assert by_dow[5] > 1.05 * by_dow[0]  # Saturday beats Monday
    for year in (2024, 2025):
        around = daily[f"{year}-01-01" : f"{year}-12-31"].median()
        assert daily[pd.Timestamp(f"{year}-11-11")] >= 3.0 * around
        assert daily[pd.Timestamp(f"{year}-06-18")] >= 1.8 * around
        march = daily[f"{year}-03-01" : f"{year}-03-31"].median()
        assert daily[pd.Timestamp(f"{year}-03-08")] >= 1.3 * march


def test_channels_differ_in_cost_and_later_value(t):
    users, orders, spend = t["users"], t["orders"], t["channel_spend"]
    signups = users["channel"].value_counts()
    cac = spend.groupby("channel", observed=True)["spend"].sum() / signups.reindex(
        spend["channel"].unique()
    )
    assert cac["xiaohongshu"] > 1.5 * cac["referral"]
    first_year = orders.merge(users[["user_id", "signup_time"]], on="user_id")
    first_year = first_year[
        first_year["order_time"] < first_year["signup_time"] + pd.Timedelta(days=365)
    ]
    value = first_year.groupby("user_id")["amount"].sum()
    per_user = (
        users.assign(v=users["user_id"].map(value).fillna(0.0))
        .groupby("channel", observed=True)["v"]
        .mean()
    )
    assert per_user["referral"] > 1.3 * per_user["douyin_ads"]
    assert per_user["xiaohongshu"] > 1.3 * per_user["douyin_ads"]


def _diff_ci(df):
    g = df.groupby("group", observed=True)["converted"].agg(["mean", "size"])
    d = g.loc["treatment", "mean"] - g.loc["control", "mean"]
    se = np.sqrt((g["mean"] * (1 - g["mean"]) / g["size"]).sum())
    return d - 1.96 * se, d, d + 1.96 * se


def test_campaign_uplift_differs_by_segment(t):
    ca = t["campaign_assignments"]
    ca = ca[ca["campaign_id"] != 4]  # the campaign nobody answered
    lo, d, hi = _diff_ci(ca[ca["segment"] == "lapsing"])
    assert lo > 0.04  # clearly worth it
    lo, d, hi = _diff_ci(ca[ca["segment"] == "loyal"])
    assert lo < 0 < hi and abs(d) < 0.04  # would have bought anyway
    lo, d, hi = _diff_ci(t["campaign_assignments"].query("campaign_id == 4"))
    assert abs(d) < 0.03


def test_churn_follows_late_delivery_and_complaints(t):
    orders = t["orders"].sort_values(["user_id", "order_time"])
    first = orders.groupby("user_id").head(1).set_index("user_id")
    n = orders.groupby("user_id").size()
    again = (n.reindex(first.index) > 1).astype(float)
    late = first["delivery_days"] > first["promised_days"]
    assert again[late].mean() < again[~late].mean() - 0.05
    complained = first.index.isin(
        t["tickets"]["order_id"].map(orders.set_index("order_id")["user_id"]).dropna()
    )
    first_ticket = first["order_id"].isin(t["tickets"]["order_id"])
    assert again[first_ticket].mean() < again[~first_ticket].mean() - 0.05
    assert complained.sum() > 0


def test_purchases_follow_a_bgnbd_type_process(t):
    """Heterogeneous rates (over-dispersed counts) and dropout (at equal frequency,
    customers whose last order is long ago buy less afterwards)."""
    o = t["orders"]
    cut = pd.Timestamp("2025-01-01")
    cal, hold = o[o["order_time"] < cut], o[o["order_time"] >= cut]
    f = cal.groupby("user_id").size() - 1
    assert f.var() > 2 * f.mean()
    last = cal.groupby("user_id")["order_time"].max()
    future = hold.groupby("user_id").size().reindex(f.index, fill_value=0)
    df = pd.DataFrame({"f": f, "rec": (cut - last).dt.days, "future": future})
    mid = df[(df["f"] >= 2) & (df["f"] <= 4)]
    recent = mid[mid["rec"] <= 60]["future"].mean()
    stale = mid[mid["rec"] > 180]["future"].mean()
    assert recent > 2 * stale
    # More past orders, more future orders.
    assert df[df["f"] >= 3]["future"].mean() > df[df["f"] == 0]["future"].mean()


def test_planted_incidents_are_in_the_data(t):
    inc = {i["name"]: i for i in truth()["incidents"]}
    users, orders, events = t["users"], t["orders"], t["events"]
    out = inc["tracking_outage"]
    unknown = users[users["channel"] == "unknown"]["signup_time"].dt.normalize()
    assert len(unknown) > 0
    assert unknown.min() >= pd.Timestamp(out["start"]) and unknown.max() <= pd.Timestamp(out["end"])
    w = inc["warehouse_delay"]
    in_w = orders["order_time"].between(w["start"], pd.Timestamp(w["end"]) + pd.Timedelta(days=1))
    late = orders["delivery_days"] > orders["promised_days"]
    east = orders["warehouse"] == w["value"]
    assert late[in_w & east].mean() > 0.8 and late[in_w & ~east].mean() < 0.3
    b = inc["payment_bug"]
    android = events["platform"] == "android"
    when = events["event_time"].between(b["start"], pd.Timestamp(b["end"]) + pd.Timedelta(days=1))
    before = events["event_time"].between(
        pd.Timestamp(b["start"]) - pd.Timedelta(days=28), pd.Timestamp(b["start"])
    )

    def ratio(mask):
        c = events.loc[mask, "event_type"].value_counts()
        return c["order"] / c["add_to_cart"]

    assert ratio(android & when) < 0.75 * ratio(android & before)


@pytest.fixture(scope="module")
def msgs():
    """The messages with ``recent``: messages the user received in the 7 days up to
    and including each one (all media), counted from the data alone."""
    m = coursekit.load("messages")
    order = np.lexsort((m["sent_time"].to_numpy(), m["user_id"].to_numpy()))
    sec = m["sent_time"].to_numpy().astype("datetime64[s]").astype(np.int64)[order]
    key = m["user_id"].to_numpy()[order] * 2**32 + (sec - sec.min())
    first = np.searchsorted(key, key - 7 * 86_400, side="right")
    recent = np.empty(len(m), dtype=np.int64)
    recent[order] = np.arange(len(m)) - first + 1
    return m.assign(recent=recent)


def test_message_fatigue_rises_with_frequency(msgs):
    bins = pd.cut(msgs["recent"], [0, 1, 3, 6, np.inf], labels=["1", "2-3", "4-6", "7+"])
    by = msgs.assign(bad=msgs["unsubscribed"] | msgs["complained"]).groupby(bins, observed=True)
    assert (by.size() >= 1_000).all()
    bad, opened = by["bad"].mean(), by["opened"].mean()
    assert (np.diff(bad.to_numpy()) > 0).all()  # more messages, more opt-outs and complaints
    assert bad["7+"] > 4 * bad["1"]
    assert (np.diff(opened.to_numpy()) < 0).all()  # and fewer opens per message
    assert opened["7+"] < opened["1"] - 0.03
    fatigue = truth()["message_fatigue"]
    assert fatigue["window_days"] == 7
    assert fatigue["unsubscribe"]["slope"] > 0 and fatigue["complaint"]["slope"] > 0


def test_nothing_is_sent_after_an_unsubscribe(msgs):
    stream = msgs.groupby(["user_id", "medium"], observed=True)
    last = stream["sent_time"].transform("max")
    out = msgs["unsubscribed"]
    assert out.sum() > 0
    assert (msgs.loc[out, "sent_time"] == last[out]).all()
    assert stream["unsubscribed"].sum().max() == 1


def test_messages_follow_the_crm_policy(msgs):
    users = coursekit.load("users").set_index("user_id")
    assert (msgs["sent_time"] >= msgs["user_id"].map(users["signup_time"])).all()
    assert msgs["clicked"].le(msgs["opened"]).all()
    assert set(msgs["medium"].cat.categories) == {"app_push", "sms", "wecom"}
    # Some users are written to far more often than others.
    per_user = msgs.groupby("user_id").size()
    assert per_user.quantile(0.9) > 4 * per_user.median()
    # The CRM writes more in the run-up to Double 11 than in an ordinary week.
    daily = msgs.groupby(msgs["sent_time"].dt.normalize()).size()
    for year in (2024, 2025):
        runup = daily[f"{year}-11-04" : f"{year}-11-11"].mean()
        before = daily[f"{year}-10-01" : f"{year}-10-21"].mean()
        assert runup > 1.4 * before
