"""Module 3 checks, three ways: the answer passes, a stub is not attempted, plausible
wrong answers fail with the hint aimed at them. Right and wrong answers are computed
here in plain pandas, independently of the checks' own code where the question
teaches the computation."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import wrong

import coursekit
from coursekit import clv, cohorts, lifecycle
from coursekit.exercises import ____, m03


@pytest.fixture(scope="module")
def d():
    users, orders = coursekit.load("users"), coursekit.load("orders")
    return dict(users=users, orders=orders, o25=orders[orders["order_time"].dt.year == 2025],
                events=coursekit.load("events"), spend=coursekit.load("channel_spend"))


def judge(question, **answer):
    return question.evaluate(**answer)



def test_every_question_is_not_attempted_as_handed_out():
    for q in m03.EXERCISES.bind({}):
        assert q.evaluate().status == "not_attempted"
        variables = {v: ____ for v in q.variables}
        assert q.evaluate(**variables).status == "not_attempted"


def test_q1_arpu(d):
    q = m03.Arpu()
    assert judge(q, arpu_2025=d["o25"]["amount"].sum() / len(d["users"])).is_correct
    wrong(q, "ARPPU", arpu_2025=d["o25"]["amount"].sum() / d["o25"]["user_id"].nunique())
    wrong(q, "average order value", arpu_2025=d["o25"]["amount"].mean())
    wrong(q, "2025", arpu_2025=d["orders"]["amount"].sum() / len(d["users"]))


def test_q2_arppu(d):
    q = m03.Arppu()
    assert judge(q, arppu_2025=d["o25"]["amount"].sum() / d["o25"]["user_id"].nunique()).is_correct
    wrong(q, "all users", arppu_2025=d["o25"]["amount"].sum() / len(d["users"]))
    wrong(q, "orders", arppu_2025=d["o25"]["amount"].sum() / len(d["o25"]))


def test_q3_arpu_by_channel(d):
    q = m03.ArpuByChannel()
    x = d["o25"].merge(d["users"][["user_id", "channel"]], on="user_id")
    revenue = x.groupby("channel", observed=True)["amount"].sum()
    right = revenue / d["users"]["channel"].value_counts()
    assert judge(q, arpu_by_channel=right.sort_values()).is_correct
    assert judge(q, arpu_by_channel=right.rename("whatever")).is_correct
    wrong(q, "buyers", arpu_by_channel=revenue / x.groupby("channel", observed=True)[
        "user_id"].nunique())
    wrong(q, "shares", arpu_by_channel=revenue / revenue.sum())
    assert judge(q, arpu_by_channel=3.0).status == "incorrect"


def test_q4_cohort_month_one(d):
    q = m03.CohortMonthOne()
    o = d["orders"]
    month = o["order_time"].dt.to_period("M")
    first = month.groupby(o["user_id"]).transform("min")
    jan, feb = pd.Period("2025-01", "M"), pd.Period("2025-02", "M")
    cohort = set(o.loc[first == jan, "user_id"])
    back = set(o.loc[month == feb, "user_id"])
    assert judge(q, jan_month1=len(cohort & back) / len(cohort)).is_correct
    in_jan = set(o.loc[month == jan, "user_id"])
    wrong(q, "first order was in January", jan_month1=len(in_jan & back) / len(in_jan))
    wrong(q, "share", jan_month1=len(cohort & back))


def test_q5_day_seven(d):
    q = m03.DaySeven()
    signup = d["users"].set_index("user_id")["signup_time"].dt.normalize()
    ev = d["events"]
    day = (ev["event_time"].dt.normalize() - ev["user_id"].map(signup)).dt.days
    last = ev["event_time"].max().normalize()
    eligible = signup[signup + pd.Timedelta(days=7) <= last]
    exact = eligible.index.isin(ev.loc[day == 7, "user_id"].unique())
    assert judge(q, day7=exact.mean()).is_correct
    within = eligible.index.isin(ev.loc[day.between(1, 7), "user_id"].unique())
    wrong(q, "any day from 1 to 7", day7=within.mean())
    wrong(q, "could not have come back", day7=exact.sum() / len(signup))


def test_q6_cac_by_channel(d):
    q = m03.CacByChannel()
    cost = d["spend"].groupby("channel", observed=True)["spend"].sum()
    right = cost / d["users"]["channel"].value_counts()
    assert judge(q, cac_by_channel=right).is_correct  # NaN for channels without spend is fine
    assert judge(q, cac_by_channel=right.dropna()).is_correct
    buyers = d["users"][d["users"]["user_id"].isin(d["orders"]["user_id"])]
    wrong(q, "users who bought", cac_by_channel=cost / buyers["channel"].value_counts())
    clicks = d["spend"].groupby("channel", observed=True)["clicks"].sum()
    wrong(q, "cost per click", cac_by_channel=cost / clicks)


def test_q7_simple_ltv(d):
    q = m03.SimpleLtv()
    month = d["o25"]["order_time"].dt.to_period("M")
    g = d["o25"].groupby(month)
    monthly = (g["amount"].sum() / g["user_id"].nunique()).mean()
    assert judge(q, ltv=monthly * 0.5 / 0.1).is_correct
    wrong(q, "margin", ltv=monthly / 0.1)
    wrong(q, "not by retention", ltv=monthly * 0.5 / 0.9)
    yearly = d["o25"]["amount"].sum() / d["o25"]["user_id"].nunique()
    wrong(q, "per year", ltv=yearly * 0.5 / 0.1)
    wrong(q, "that month's buyers", ltv=yearly / 12 * 0.5 / 0.1)


def test_q8_weakest_channel_is_a_decision_backed_by_a_number(d):
    q = m03.WeakestChannel()
    users, orders = d["users"], d["orders"]
    curves = cohorts.ltv_curves(orders, start=users, by="channel", pooled=True)
    cost = d["spend"].groupby("channel", observed=True)["spend"].sum()
    cac = cost / users["channel"].value_counts().reindex(cost.index)
    ratio = curves.loc[cac.index, 6] * 0.5 / cac
    weakest = str(ratio.idxmin())
    assert judge(q, weakest=weakest, weakest_ratio=ratio.min()).is_correct
    assert judge(q, weakest=weakest.upper(), weakest_ratio=round(ratio.min(), 2 - int(
        f"{ratio.min():e}".split("e")[1]))).is_correct          # three significant figures
    wrong(q, "pays back the most", weakest=str(ratio.idxmax()), weakest_ratio=ratio.max())
    wrong(q, "gross profit", weakest=weakest, weakest_ratio=ratio.min() * 2)
    with_channel = orders.merge(users[["user_id", "channel"]], on="user_id")
    per_buyer = cohorts.ltv_curves(with_channel, by="channel", pooled=True)
    wrong(q, "per buyer", weakest=weakest,
          weakest_ratio=per_buyer.loc[weakest, 6] * 0.5 / cac[weakest])
    wrong(q, "column 6", weakest=weakest, weakest_ratio=curves.loc[weakest, 5] * 0.5 / cac[weakest])


def test_q8_accepts_cumulative_revenue_of_the_cohorts_observed_six_months(d):
    """The other reading of "pooled over cohorts": the cohorts with six months of data,
    their revenue of months 0 to 6 summed, over their users (plain pandas)."""
    q = m03.WeakestChannel()
    users, orders = d["users"], d["orders"]
    signup = users.set_index("user_id")["signup_time"].dt.to_period("M")
    o = orders.assign(cohort=orders["user_id"].map(signup),
                      month=orders["order_time"].dt.to_period("M"))
    o["age"] = (o["month"] - o["cohort"]).apply(lambda x: x.n)
    last = orders["order_time"].max().to_period("M")
    u = users.assign(cohort=signup.to_numpy())
    observed = u[(last - u["cohort"]).apply(lambda x: x.n) >= 6]
    o = o[o["user_id"].isin(observed["user_id"]) & (o["age"] <= 6)]
    o = o.merge(users[["user_id", "channel"]], on="user_id")
    ltv = (o.groupby("channel", observed=True)["amount"].sum()
           / observed.groupby("channel", observed=True).size())
    cost = d["spend"].groupby("channel", observed=True)["spend"].sum()
    cac = cost / users["channel"].value_counts().reindex(cost.index)
    ratio = (ltv.reindex(cac.index) * 0.5 / cac).rename(index=str)
    curves = cohorts.ltv_curves(orders, start=users, by="channel", pooled=True)
    pooled = curves.loc[cac.index, 6] * 0.5 / cac
    assert abs(ratio.min() / pooled.min() - 1) > 5e-4    # the two readings differ ...
    assert judge(q, weakest=str(ratio.idxmin()), weakest_ratio=float(ratio.min())).is_correct
    assert judge(q, weakest=str(pooled.idxmin()), weakest_ratio=float(pooled.min())).is_correct


def test_q9_cdnow_bgnbd():
    q = m03.CdnowBgnbd()
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # Fader et al. 2005
    assert judge(q, params=published).is_correct
    assert judge(q, params=pd.Series(published)).is_correct
    cdnow = coursekit.load("cdnow_sample")
    days = clv.summary(cdnow, customer="customer_id", at="order_date", amount=None,
                       asof="1997-10-01",
                       per="D")
    wrong(q, "weeks", params=clv.BetaGeo().fit(days).params_)
    day_early = clv.summary(cdnow, customer="customer_id", at="order_date", amount=None,
                            asof="1997-09-30", per="W")
    wrong(q, "`asof` is excluded", params=clv.BetaGeo().fit(day_early).params_)
    weeks = clv.summary(cdnow, customer="customer_id", at="order_date", amount=None,
                        asof="1997-10-01", per="W")
    assert judge(q, params=clv.BetaGeo().fit(weeks)).is_correct       # the fitted model itself
    assert judge(q, params=clv.BetaGeo()).status == "incorrect"        # not fitted
    wrong(q, "r, alpha, a and b", params=[0.243, 4.414, 0.793, 2.426])
    wrong(q, "no b", params={"r": 0.243, "alpha": 4.414, "a": 0.793})
    off = dict(published, alpha=4.414 * 1.05)
    assert judge(q, params=off).status == "incorrect"


def test_q10_dormant(d):
    q = m03.DormantCount()
    o = d["orders"]
    asof = pd.Timestamp("2026-01-01")
    last = o[o["order_time"] < asof].groupby("user_id")["order_time"].max()
    recency = (asof - last).dt.days
    assert judge(q, dormant=int(recency.between(90, 179).sum())).is_correct
    calendar = (asof - last.dt.normalize()).dt.days          # calendar days: not the rule
    assert int(calendar.between(90, 179).sum()) != int(recency.between(90, 179).sum())
    wrong(q, "full days elapsed", dormant=int(calendar.between(90, 179).sum()))
    wrong(q, "before 180", dormant=int(recency.between(90, 180).sum()))
    wrong(q, "churned customers too", dormant=int((recency >= 90).sum()))
    stages = lifecycle.stages(o, asof=asof)
    wrong(q, "churned", dormant=int((stages["stage"] == "churned").sum()))
