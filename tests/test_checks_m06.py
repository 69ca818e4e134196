"""Module 6 checks, three ways: the answer passes, a stub is not attempted, plausible
wrong answers fail with the hint aimed at them. Right answers are computed here in
plain pandas (or read from truth.json for the incidents), not through the checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit import metrics
from coursekit.data import truth
from coursekit.exercises import ____, m06

MONTH = pd.Period(m06.MONTH, "M")


@pytest.fixture(scope="module")
def d():
    return {t: coursekit.load(t) for t in ("users", "events", "orders", "order_items",
                                           "products", "store_months", "stores")}


@pytest.fixture(scope="module")
def incidents():
    return {i["name"]: i for i in truth()["incidents"]}


def wrong(question, hint_words, **answer):
    r = question.evaluate(**answer)
    assert r.status == "incorrect", r.text
    assert hint_words in r.message, r.message


def test_every_question_is_not_attempted_as_handed_out():
    for q in m06.EXERCISES.bind({}):
        assert q.evaluate().status == "not_attempted"
        assert q.evaluate(**{v: ____ for v in q.variables}).status == "not_attempted"


# --------------------------------------------------------------------------- KPIs


def test_q1_user_growth_rate(d):
    q = m06.UserGrowthRate()
    month = d["users"]["signup_time"].dt.to_period("M")
    new, before = int((month == MONTH).sum()), int((month < MONTH).sum())
    assert q.evaluate(growth_rate=new / before).is_correct
    wrong(q, "*this* month", growth_rate=new / (before + new))
    previous = int((month == MONTH - 1).sum())
    wrong(q, "*new* sign-ups", growth_rate=new / previous - 1)


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
    days = pd.date_range(MONTH.start_time, MONTH.end_time.normalize(), freq="D")
    day = ev["event_time"].dt.normalize()
    ratios = []
    for t in days:  # the definition written out, one day at a time
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
    kpis = metrics.kpi_table(d["users"], d["orders"], d["events"],
                             coursekit.load("channel_spend")).loc[MONTH]
    lower = {"cac"}
    missed = {k for k, target in m06.TARGETS.items()
              if (kpis[k] > target if k in lower else kpis[k] < target)}
    assert q.evaluate(missed=missed).is_correct
    assert q.evaluate(missed=sorted(missed)).is_correct
    naive = {k for k, target in m06.TARGETS.items() if kpis[k] < target}
    assert naive != missed  # the data makes the direction matter
    wrong(q, "better *lower*", missed=naive)
    wrong(q, "met their target", missed=set(m06.TARGETS) - missed)


def test_q5_conversion_contribution(d):
    q = m06.ConversionContribution()
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
    assert q.evaluate(conversion_effect=parts[1]).is_correct
    wrong(q, "log-mean weights", conversion_effect=(c1 - c0) * v0 * a0)
    wrong(q, "share of the change", conversion_effect=parts[1] / (g1 - g0))
    wrong(q, "change in conversion itself", conversion_effect=c1 - c0)


# --------------------------------------------------------------------------- incidents


def test_q6_tracking_outage(incidents):
    q = m06.TrackingOutage()
    inc = incidents["tracking_outage"]
    right = dict(lost_channel=inc["value"], outage_start=inc["start"], outage_end=inc["end"])
    assert q.evaluate(**right).is_correct
    # a day of slack either side, dates in any readable form
    assert q.evaluate(**{**right, "outage_start": pd.Timestamp(inc["start"]) - pd.Timedelta(
        days=1), "outage_end": pd.Period(inc["end"], "D")}).is_correct
    wrong(q, "recorded", **{**right, "lost_channel": "unknown"})
    wrong(q, "A week too early", **{**right, "outage_start": "2025-03-03",
                                    "outage_end": "2025-03-09"})
    wrong(q, "days away", **{**right, "outage_end": "2025-03-25"})
    wrong(q, "should be a date", **{**right, "outage_start": "the second week of March"})


def test_q6_festival_peak_is_not_the_outage(d, incidents):
    q = m06.TrackingOutage()
    peak = d["users"].groupby(d["users"]["signup_time"].dt.normalize()).size().idxmax()
    wrong(q, "busiest sign-up day", lost_channel="douyin_ads", outage_start=peak,
          outage_end=peak)


def test_q7_warehouse_delay(d, incidents):
    q = m06.WarehouseDelay()
    inc = incidents["warehouse_delay"]
    assert q.evaluate(slow_warehouse="East ", delay_start=inc["start"],
                      delay_end=inc["end"]).is_correct
    wrong(q, "where the incident happened", slow_warehouse="north", delay_start=inc["start"],
          delay_end=inc["end"])
    # the week with the most late parcels outside the incident: all warehouses were slow
    o = d["orders"]
    day = o["order_time"].dt.normalize()
    outside = o[(day < inc["start"]) | (day > inc["end"])]
    late = (outside["delivery_days"] > outside["promised_days"]).groupby(
        outside["order_time"].dt.to_period("W")).mean()
    rush = late.idxmax()
    wrong(q, "festival rush", slow_warehouse="east", delay_start=rush.start_time,
          delay_end=rush.end_time)


def test_q8_payment_bug(d, incidents):
    q = m06.PaymentBug()
    inc = incidents["payment_bug"]
    assert q.evaluate(broken_device="android", bug_start=pd.Timestamp(inc["start"]).date(),
                      bug_end=inc["end"]).is_correct
    wrong(q, "mini-program", broken_device="mini_program", bug_start=inc["start"],
          bug_end=inc["end"])
    # the five quietest days of the year for all devices together: a holiday
    o = d["orders"]
    daily = o.groupby(o["order_time"].dt.normalize()).size()
    roll = daily["2025"].rolling(5).sum()
    roll = roll[(roll.index < "2025-09-01") | (roll.index > "2025-09-30")]
    end = roll.idxmin()
    wrong(q, "holiday", broken_device="android", bug_start=end - pd.Timedelta(days=4),
          bug_end=end)


# --------------------------------------------------------------------------- cases


def test_q9_basket_lift(d):
    q = m06.BasketLift()
    items = d["order_items"].merge(d["products"][["product_id", "category"]])
    has = items.groupby(["order_id", "category"]).size().unstack(fill_value=0) > 0
    a, b = has[m06.PAIR[0]], has[m06.PAIR[1]]
    lift = (a & b).mean() / (a.mean() * b.mean())
    assert q.evaluate(pair_lift=lift).is_correct
    wrong(q, "confidence", pair_lift=(a & b).sum() / a.sum())
    wrong(q, "support", pair_lift=(a & b).mean())
    n = len(has)
    lines = [(items["category"] == c).sum() / n for c in m06.PAIR]
    wrong(q, "once per order", pair_lift=(a & b).mean() / (lines[0] * lines[1]))


def test_q10_car_park(d):
    q = m06.CarParkCorrelation()
    m = d["store_months"].merge(d["stores"][["store_id", "has_car_park"]])
    park = m[m["has_car_park"]]
    r = np.corrcoef(park["car_park_traffic"], park["revenue"])[0, 1]
    assert q.evaluate(car_park_corr=r).is_correct
    wrong(q, "without a car park", car_park_corr=np.corrcoef(m["car_park_traffic"],
                                                             m["revenue"])[0, 1])
    wrong(q, "Spearman", car_park_corr=park["car_park_traffic"].rank().corr(
        park["revenue"].rank()))
    wrong(q, "footfall", car_park_corr=np.corrcoef(park["footfall"], park["revenue"])[0, 1])
