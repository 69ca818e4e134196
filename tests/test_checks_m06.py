"""Module 6 checks, three ways: the answer passes, a stub is not attempted, plausible
wrong answers fail with the hint aimed at them. Right answers are computed here in
plain pandas (or read from truth.json for the incidents' dimension and days), not
through the checks; the figures of the chart repair are drawn here with matplotlib."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from helpers import wrong

import coursekit
from coursekit import metrics
from coursekit.data import truth
from coursekit.exercises import ____, m06

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402  (after the backend)

MONTH = pd.Period(m06.MONTH, "M")


@pytest.fixture(scope="module")
def d():
    return {t: coursekit.load(t) for t in ("users", "events", "orders", "order_items",
                                           "products", "store_months", "stores",
                                           "channel_spend")}


@pytest.fixture(scope="module")
def incidents():
    return {i["name"]: i for i in truth()["incidents"]}



def days(incident):
    """The incident's days, first and last included, as a boolean test on times."""
    first = pd.Timestamp(incident["start"])
    stop = pd.Timestamp(incident["end"]) + pd.Timedelta(days=1)
    return lambda t: (t >= first) & (t < stop)


def test_every_question_is_not_attempted_as_handed_out():
    for q in m06.EXERCISES.bind({}):
        assert q.evaluate().status == "not_attempted"
        assert q.evaluate(**{v: ____ for v in q.variables}).status == "not_attempted"


def test_no_hint_or_message_hands_over_a_day_count():
    for q in m06.EXERCISES.bind({}):
        for _, hint in q.mistakes():
            assert "days away" not in hint, (q.qid, hint)


# --------------------------------------------------------------------------- KPIs


def test_q1_user_growth_rate(d):
    q = m06.UserGrowthRate()
    month = d["users"]["signup_time"].dt.to_period("M")
    new, before = int((month == MONTH).sum()), int((month < MONTH).sum())
    assert q.evaluate(growth_rate=new / before).is_correct
    wrong(q, "*this* month", growth_rate=new / (before + new))
    previous = int((month == MONTH - 1).sum())
    wrong(q, "*new* sign-ups", growth_rate=new / previous - 1)
    wrong(q, "100 times too large", growth_rate=100 * new / before)


def test_q2_active_rate(d):
    q = m06.ActiveRate()
    ev, users = d["events"], d["users"]
    mau = ev.loc[ev["event_time"].dt.to_period("M") == MONTH, "user_id"].nunique()
    signed = int((users["signup_time"].dt.to_period("M") <= MONTH).sum())
    assert q.evaluate(active_rate=mau / signed).is_correct
    o = d["orders"]
    buyers = o.loc[o["order_time"].dt.to_period("M") == MONTH, "user_id"].nunique()
    wrong(q, "buyers", active_rate=buyers / signed)
    wrong(q, "every user", active_rate=mau / len(users))


def test_q3_stickiness(d):
    q = m06.Stickiness()
    ev = d["events"][["user_id", "event_time"]]
    days_ = pd.date_range(MONTH.start_time, MONTH.end_time.normalize(), freq="D")
    day = ev["event_time"].dt.normalize()
    ratios = []
    for t in days_:  # the definition written out, one day at a time
        dau = ev.loc[day == t, "user_id"].nunique()
        mau = ev.loc[(day > t - pd.Timedelta(days=30)) & (day <= t), "user_id"].nunique()
        ratios.append(dau / mau)
    assert q.evaluate(stickiness=float(np.mean(ratios))).is_correct
    inside = ev[ev["event_time"].dt.to_period("M") == MONTH]
    mean_dau = inside.groupby(inside["event_time"].dt.normalize())["user_id"].nunique().mean()
    wrong(q, "calendar month", stickiness=mean_dau / inside["user_id"].nunique())
    wrong(q, "one day", stickiness=ratios[-1])


def test_q4_missed_targets(d):
    q = m06.MissedTargets()
    users, spend = d["users"], d["channel_spend"]
    kpis = metrics.kpi_table(users, d["orders"], d["events"], spend).loc[MONTH]
    # paid CAC written out: the month's spend / the month's sign-ups of the paid channels
    signed = users[users["signup_time"].dt.to_period("M") == MONTH]
    month_spend = spend.loc[spend["date"].dt.to_period("M") == MONTH, "spend"].sum()
    paid_cac = month_spend / signed["channel"].isin(spend["channel"].unique()).sum()
    assert paid_cac == pytest.approx(kpis["cac"])
    lower = {"cac"}
    missed = {k for k, target in m06.TARGETS.items()
              if (kpis[k] > target if k in lower else kpis[k] < target)}
    assert q.evaluate(missed=missed).is_correct
    assert q.evaluate(missed=sorted(missed)).is_correct
    assert q.evaluate(missed=pd.Index(sorted(missed))).is_correct
    naive = {k for k, target in m06.TARGETS.items() if kpis[k] < target}
    assert naive != missed  # the data makes the direction matter
    wrong(q, "better *lower*", missed=naive)
    wrong(q, "met their target", missed=set(m06.TARGETS) - missed)
    # names as the keys of m06.TARGETS, in any case, with a space for "_"
    assert q.evaluate(missed={k.replace("_", " ").upper() for k in missed}).is_correct
    wrong(q, "'CAC per user', which is not a KPI name in m06.TARGETS",
          missed=[*missed, "CAC per user"])
    r = q.evaluate(missed=set())                # no count of the KPIs missed
    assert r.status == "incorrect" and "misses some expected items" in r.message, r.text


def test_q4_blended_cac_is_not_the_question_s_cac(d):
    q = m06.MissedTargets()
    users, spend = d["users"], d["channel_spend"]
    kpis = metrics.kpi_table(users, d["orders"], d["events"], spend).loc[MONTH].copy()
    signed = users["signup_time"].dt.to_period("M") == MONTH
    kpis["cac"] = spend.loc[spend["date"].dt.to_period("M") == MONTH, "spend"].sum() / signed.sum()
    blended = {k for k, target in m06.TARGETS.items()
               if (kpis[k] > target if k == "cac" else kpis[k] < target)}
    if q.evaluate(missed=blended).status == "incorrect":
        wrong(q, "paid", missed=blended)


def test_q5_orders_per_visitor_contribution(d):
    q = m06.OrdersPerVisitorContribution()
    ev, o = d["events"], d["orders"]
    rows = {}
    for label in (m06.GMV_BEFORE, m06.GMV_AFTER):
        p = pd.Period(label, "M")
        visitors = ev.loc[ev["event_time"].dt.to_period("M") == p, "user_id"].nunique()
        mine = o[o["order_time"].dt.to_period("M") == p]
        rows[label] = (visitors, len(mine) / visitors, mine["amount"].sum() / len(mine),
                       mine["amount"].sum())
    (v0, c0, a0, g0), (v1, c1, a1, g1) = rows[m06.GMV_BEFORE], rows[m06.GMV_AFTER]
    weight = (g1 - g0) / (np.log(g1) - np.log(g0))
    parts = [weight * np.log(x1 / x0) for x0, x1 in ((v0, v1), (c0, c1), (a0, a1))]
    assert sum(parts) == pytest.approx(g1 - g0)
    assert q.evaluate(orders_per_visitor_effect=parts[1]).is_correct
    assert q.evaluate(orders_per_visitor_effect=round(parts[1])).is_correct  # whole yuan
    wrong(q, "log-mean weights", orders_per_visitor_effect=(c1 - c0) * v0 * a0)
    wrong(q, "share of the change", orders_per_visitor_effect=parts[1] / (g1 - g0))
    wrong(q, "orders per visitor itself", orders_per_visitor_effect=c1 - c0)
    wrong(q, "after minus before", orders_per_visitor_effect=-parts[1])


# --------------------------------------------------------------------------- incidents


def test_q6_repaired_cac(d, incidents):
    q = m06.RepairedCac()
    inc = incidents["tracking_outage"]
    users, spend = d["users"], d["channel_spend"]
    march = pd.Period(inc["start"], "M")
    signed = users.loc[users["signup_time"].dt.to_period("M") == march, "channel"]
    paid = spend[spend["date"].dt.to_period("M") == march]
    own = paid.loc[paid["channel"] == inc["value"], "spend"].sum()
    repaired = own / ((signed == inc["value"]).sum() + (signed == "unknown").sum())
    recorded = own / (signed == inc["value"]).sum()
    assert repaired < recorded
    assert q.evaluate(lost_channel=inc["value"], repaired_cac=repaired).is_correct
    assert q.evaluate(lost_channel=pd.Series([inc["value"]]),
                      repaired_cac=round(repaired, 2)).is_correct
    wrong(q, "recorded", lost_channel="unknown", repaired_cac=repaired)
    wrong(q, "as recorded", lost_channel=inc["value"], repaired_cac=recorded)
    everyone = paid["spend"].sum() / signed.isin(spend["channel"].unique()).sum()
    wrong(q, "all channels together", lost_channel=inc["value"], repaired_cac=everyone)


def test_q7_apology_customers(d, incidents):
    q = m06.ApologyList()
    inc = incidents["warehouse_delay"]
    o = d["orders"]
    on = days(inc)(o["order_time"])
    late = o["delivery_days"] > o["promised_days"]
    here = o["warehouse"] == inc["value"]
    customers = o.loc[on & late & here, "user_id"].nunique()
    assert q.evaluate(slow_warehouse="East ", apology_customers=customers).is_correct
    assert q.evaluate(slow_warehouse=inc["value"],
                      apology_customers=np.int64(customers)).is_correct
    parcels = int((on & late & here).sum())
    assert parcels > customers  # some customers had two late parcels
    wrong(q, "counts parcels", slow_warehouse=inc["value"], apology_customers=parcels)
    wrong(q, "every warehouse", slow_warehouse=inc["value"],
          apology_customers=o.loc[on & late, "user_id"].nunique())
    year = o["order_time"].dt.year == pd.Timestamp(inc["start"]).year
    wrong(q, "whole year", slow_warehouse=inc["value"],
          apology_customers=o.loc[late & here & year, "user_id"].nunique())
    r = q.evaluate(slow_warehouse="north", apology_customers=customers)
    assert r.status == "incorrect" and "slow_warehouse" in r.message


def test_q8_cart_to_order_rate_during_the_bug(d, incidents):
    q = m06.PaymentBug()
    inc = incidents["payment_bug"]
    ev = d["events"]
    mine = ev[days(inc)(ev["event_time"]) & (ev["platform"] == inc["value"])]
    rate = (mine["event_type"] == "order").mean() / (mine["event_type"] == "add_to_cart").mean()
    assert q.evaluate(broken_device="android", bug_rate=rate).is_correct
    # the orders table counts the same orders as the order events
    o = d["orders"]
    orders_on = (days(inc)(o["order_time"]) & (o["device"] == inc["value"])).sum()
    carts = (mine["event_type"] == "add_to_cart").sum()
    assert q.evaluate(broken_device="android", bug_rate=orders_on / carts).is_correct
    wrong(q, "mini-program", broken_device="mini_program", bug_rate=rate)
    wrong(q, "add-to-cart events per order", broken_device="android", bug_rate=1 / rate)
    start = pd.Timestamp(inc["start"])
    before = ev[(ev["event_time"] >= start - pd.Timedelta(days=28)) & (ev["event_time"] < start)
                & (ev["platform"] == inc["value"])]
    normal = (before["event_type"] == "order").sum() / (before["event_type"] == "add_to_cart").sum()
    assert normal > rate
    wrong(q, "normal rate", broken_device="android", bug_rate=normal)
    everyone = ev[days(inc)(ev["event_time"])]
    wrong(q, "every platform", broken_device="android",
          bug_rate=(everyone["event_type"] == "order").sum()
          / (everyone["event_type"] == "add_to_cart").sum())
    wrong(q, "100 times too large", broken_device="android", bug_rate=100 * rate)


# --------------------------------------------------------------------------- charts


def _shares(d, year=m06.CHART_YEAR):
    lines = d["order_items"].merge(d["products"][["product_id", "category"]]).merge(
        d["orders"][["order_id", "order_time"]])
    if year is not None:
        lines = lines[lines["order_time"].dt.year == year]
    revenue = lines.groupby("category", observed=True)["amount"].sum()
    return revenue / revenue.sum()


def test_q9_choose_the_chart(d):
    q = m06.ChooseChart()
    shares = sorted(_shares(d))
    gap = min(b - a for a, b in zip(shares, shares[1:], strict=False))
    assert q.evaluate(chart="ordered bar", closest_gap=gap).is_correct
    assert q.evaluate(chart="Ordered bar chart", closest_gap=gap).is_correct
    assert q.evaluate(chart="sorted_bar", closest_gap=gap).is_correct
    wrong(q, "compare angles", chart="pie", closest_gap=gap)
    wrong(q, "over time", chart="stacked area", closest_gap=gap)
    wrong(q, "one of", chart="treemap", closest_gap=gap)
    every = sorted(_shares(d, year=None))
    wrong(q, f"placed in {m06.CHART_YEAR}", chart="ordered bar",
          closest_gap=min(b - a for a, b in zip(every, every[1:], strict=False)))
    wrong(q, "largest difference", chart="ordered bar",
          closest_gap=max(b - a for a, b in zip(shares, shares[1:], strict=False)))
    wrong(q, "100 times too large", chart="ordered bar", closest_gap=100 * gap)
    for name in ("ordered bars", "sorted columns", "Column chart", "bar charts", "Bars"):
        assert q.evaluate(chart=name, closest_gap=gap).is_correct, name
    wrong(q, "compare angles", chart="pies", closest_gap=gap)
    wrong(q, "over time", chart="stacked areas", closest_gap=gap)
    descending = sorted(shares, reverse=True)
    for steps in (pd.Series(descending).diff().min(), pd.Series(descending).diff().max(),
                  -gap / 3):
        wrong(q, "sort ascending", chart="ordered bar", closest_gap=steps)


def _aov(d, year=m06.REPAIR_YEAR):
    o = d["orders"]
    if year is not None:
        o = o[o["order_time"].dt.year == year]
    s = o.groupby("warehouse", observed=True)["amount"].mean()
    return s.set_axis(s.index.astype(str))


def _bars(values, *, horizontal=False, colours="C0", labels=None):
    fig = Figure()
    ax = fig.subplots()
    draw = ax.barh if horizontal else ax.bar
    draw(list(labels if labels is not None else values.index), values.to_numpy(), color=colours)
    return fig, ax


def test_q10_repair_the_chart(d):
    q = m06.RepairChart()
    aov = _aov(d)
    fig, _ = _bars(aov.sort_values(), horizontal=True)
    assert q.evaluate(fixed=fig).is_correct
    fig, ax = _bars(aov.sort_values(ascending=False))
    assert q.evaluate(fixed=ax).is_correct  # the Axes is read as its figure
    top = aov.idxmax()
    fig, _ = _bars(aov.sort_values(), colours=["C1" if k == top else "C0"
                                               for k in aov.sort_values().index])
    assert q.evaluate(fixed=fig).is_correct  # one highlight is allowed
    # the faults, one at a time
    fig, ax = _bars(aov.sort_values())
    ax.twinx().plot(list(aov.index), np.arange(len(aov)))
    wrong(q, "second y-axis", fixed=fig)
    fig, ax = _bars(aov.sort_values())
    ax.set_ylim(aov.min() * 0.98, None)
    wrong(q, "does not start at 0", fixed=fig)
    wrong(q, "not sorted", fixed=_bars(aov)[0] if not aov.is_monotonic_increasing
          else _bars(aov.iloc[[1, 0, 2, 3]])[0])
    wrong(q, "colour of its own", fixed=_bars(aov.sort_values(),
                                               colours=[f"C{i}" for i in range(len(aov))])[0])
    wrong(q, "names stayed", fixed=_bars(aov.sort_values(), labels=list(aov.index))[0])
    wrong(q, "keep the data", fixed=_bars(_aov(d, year=None).sort_values())[0])
    wrong(q, "tick label", fixed=_bars(aov.sort_values(), labels=list(range(len(aov))))[0])
    wrong(q, "matplotlib Figure", fixed=aov)


def test_q11_budget_decision(d):
    q = m06.BudgetDecision()
    users, orders, spend = d["users"], d["orders"], d["channel_spend"]
    lines = d["order_items"].merge(d["products"][["product_id", "unit_cost"]])
    cost = (lines["quantity"] * lines["unit_cost"]).groupby(lines["order_id"]).sum()
    cohort = users[users["signup_time"].dt.year == m06.COHORT_YEAR].astype({"channel": str})
    o = orders.merge(cohort[["user_id", "channel", "signup_time"]])
    o = o[o["order_time"] < o["signup_time"] + pd.Timedelta(days=m06.HORIZON_DAYS)]
    margin = (o["amount"] - o["order_id"].map(cost)).groupby(o["channel"]).sum()
    revenue = o.groupby("channel")["amount"].sum()
    year = spend[spend["date"].dt.year == m06.COHORT_YEAR].astype({"channel": str})
    paid = year.groupby("channel")["spend"].sum()
    per_yuan = (margin / paid).dropna()
    cut = per_yuan.idxmin()
    assert q.evaluate(test_channel=cut, margin_per_yuan=per_yuan[cut]).is_correct
    three_figures = float(f"{per_yuan[cut]:.3g}")  # as read off a printed table
    assert q.evaluate(test_channel=per_yuan.nsmallest(1),
                      margin_per_yuan=three_figures).is_correct
    cac = paid / cohort["channel"].value_counts()
    assert cac.idxmax() != cut  # the dearest sign-up is not the worst buy
    wrong(q, "dearest sign-ups", test_channel=cac.idxmax(), margin_per_yuan=per_yuan[cut])
    wrong(q, "*most* margin", test_channel=per_yuan.idxmax(), margin_per_yuan=per_yuan[cut])
    wrong(q, "revenue per yuan", test_channel=cut, margin_per_yuan=revenue[cut] / paid[cut])
    if margin.idxmin() != cut:
        wrong(q, "in total", test_channel=margin.idxmin(), margin_per_yuan=per_yuan[cut])


# --------------------------------------------------------------------------- cases


def test_q12_basket_lift(d):
    q = m06.BasketLift()
    lines = d["order_items"].merge(d["products"][["product_id", "category"]]).merge(
        d["orders"][["order_id", "order_time"]])
    year = lines[lines["order_time"].dt.year == m06.BASKET_YEAR]
    has = year.groupby(["order_id", "category"], observed=True).size().unstack(fill_value=0) > 0
    a, b = has[m06.PAIR[0]], has[m06.PAIR[1]]
    lift = (a & b).mean() / (a.mean() * b.mean())
    assert q.evaluate(pair_lift=lift).is_correct
    wrong(q, "confidence", pair_lift=(a & b).sum() / a.sum())
    wrong(q, "support", pair_lift=(a & b).mean())
    n = len(has)
    per_line = [(year["category"] == c).sum() / n for c in m06.PAIR]
    wrong(q, "once per order", pair_lift=(a & b).mean() / (per_line[0] * per_line[1]))
    every = lines.groupby(["order_id", "category"], observed=True).size().unstack(
        fill_value=0) > 0
    ea, eb = every[m06.PAIR[0]], every[m06.PAIR[1]]
    all_orders = (ea & eb).mean() / (ea.mean() * eb.mean())
    if q.evaluate(pair_lift=all_orders).status == "incorrect":
        wrong(q, f"placed in {m06.BASKET_YEAR}", pair_lift=all_orders)


def test_q13_car_park(d):
    q = m06.CarParkCorrelation()
    m = d["store_months"].merge(d["stores"][["store_id", "format", "has_car_park"]])
    shops = m[m["format"] == m06.STORE_FORMAT]
    park = shops[shops["has_car_park"]]
    r = np.corrcoef(park["car_park_traffic"], park["revenue"])[0, 1]
    assert q.evaluate(car_park_corr=r).is_correct
    wrong(q, "without a car park", car_park_corr=np.corrcoef(shops["car_park_traffic"],
                                                             shops["revenue"])[0, 1])
    every = m[m["has_car_park"]]
    wrong(q, "every format", car_park_corr=np.corrcoef(every["car_park_traffic"],
                                                       every["revenue"])[0, 1])
    wrong(q, "footfall", car_park_corr=np.corrcoef(park["footfall"], park["revenue"])[0, 1])
