"""KPI formulas: hand-computed examples, denominators, and every bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import named

from coursekit import metrics as m
from coursekit.cohorts import ltv_curves
from coursekit.errors import ArgumentError, CourseError, DataError

NAN = np.nan


def orders() -> pd.DataFrame:
    """c1: 5 Jan 30, 1 Feb 20 and 10 (same day); c2: 10 Feb 50; c3: 3 Mar 0 (free order)."""
    return pd.DataFrame({
        "user_id": [1, 1, 1, 2, 3],
        "order_time": pd.to_datetime(["2025-01-05 10:00", "2025-02-01 09:00",
                                      "2025-02-01 15:00", "2025-02-10 12:00",
                                      "2025-03-03 08:00"]),
        "amount": [30.0, 20.0, 10.0, 50.0, 0.0],
    })


def users() -> pd.DataFrame:
    return pd.DataFrame({
        "user_id": [1, 2, 3, 4, 5],
        "signup_time": pd.to_datetime(["2025-01-01", "2025-01-20", "2025-02-01",
                                       "2025-02-15", "2025-03-31"]),
        "channel": ["ads", "ads", "creators", "ads", "organic"],
    })


def events() -> pd.DataFrame:
    return pd.DataFrame({
        "user_id": [4, 5, 1],
        "event_time": pd.to_datetime(["2025-02-20", "2025-03-31", "2025-03-02"]),
    })


def close(actual, expected) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float),
                               rtol=1e-12, equal_nan=True)


# --------------------------------------------------------------------------- revenue per user


def test_arpu_signed_up_by_end_of_month():
    out = m.arpu(orders(), users())
    # Jan: 30 / {c1, c2}; Feb: 80 / {c1..c4}; Mar: 0 / all five
    assert [str(p) for p in out.index] == ["2025-01", "2025-02", "2025-03"]
    close(out["revenue"], [30, 80, 0])
    close(out["users"], [2, 4, 5])
    close(out["arpu"], [15, 20, 0])
    whole = m.arpu(orders(), users(), per=None).loc["all"]
    assert whole["arpu"] == pytest.approx(110 / 5) and whole["users"] == 5


def test_arpu_with_a_number_of_users():
    assert m.arpu(orders(), 10, per=None).loc["all", "arpu"] == pytest.approx(11.0)
    close(m.arpu(orders(), 10)["arpu"], [3, 8, 0])


def test_arpu_active_counts_buyers_as_active():
    out = m.arpu(orders(), denominator="active", activity=events())
    # Jan: {c1}; Feb: c1, c2 (orders) + c4 (event); Mar: c3 (free order), c5, c1 (events)
    close(out["users"], [1, 3, 3])
    close(out["arpu"], [30, 80 / 3, 0])
    active = m.arpu(orders(), denominator="active", activity=events(), per=None)
    assert active.loc["all", "users"] == 5


def test_arppu_divides_by_paying_users_only():
    out = m.arppu(orders())
    # March's only order is free: no paying user, NaN (not 0, not inf)
    close(out["paying_users"], [1, 2, 0])
    close(out["arppu"], [30, 40, NAN])
    assert m.arppu(orders(), per=None).loc["all", "arppu"] == pytest.approx(110 / 2)


def test_arpu_is_not_arppu():
    # the classic mistake: revenue / buyers called "ARPU"
    arpu = m.arpu(orders(), users(), per=None).loc["all", "arpu"]
    assert arpu != m.arppu(orders(), per=None).loc["all", "arppu"]


def test_average_order_value():
    close(m.average_order_value(orders())["aov"], [30, 80 / 3, 0])
    gap = orders().iloc[[0, 3]]  # January and February... then nothing in between
    gap = pd.concat([gap, gap.assign(order_time=pd.Timestamp("2025-04-02"))])
    close(m.average_order_value(gap)["orders"], [1, 1, 0, 2])
    close(m.average_order_value(gap)["aov"], [30, 50, NAN, 40])
    assert m.average_order_value(orders(), per=None).loc["all", "aov"] == pytest.approx(22.0)


def test_repurchase_rate_orders_and_days():
    out = m.repurchase_rate(orders())
    close(out["buyers"], [1, 2, 1])
    close(out["repeat_buyers"], [0, 1, 0])  # c1's two orders on 1 Feb
    close(m.repurchase_rate(orders(), by_day=True)["repeat_buyers"], [0, 0, 0])
    whole = m.repurchase_rate(orders(), per=None).loc["all"]
    assert whole["repurchase_rate"] == pytest.approx(1 / 3)
    assert m.repurchase_rate(orders(), per=None, by_day=True).loc["all", "repeat_buyers"] == 1


# --------------------------------------------------------------------------- CAC, LTV, payback


def spend() -> pd.DataFrame:
    """Spend from 5 January to 20 February."""
    return pd.DataFrame({
        "date": pd.to_datetime(["2025-01-10", "2025-02-10", "2025-02-20", "2025-01-05",
                                "2025-02-01"]),
        "channel": ["ads", "ads", "creators", "creators", "search"],
        "spend": [100.0, 60.0, 40.0, 0.0, 30.0],
    })


def test_cac_by_channel_within_the_spend_window():
    out = m.cac(spend().iloc[:4], users())
    # c1 (ads) signed up on 1 Jan, before the spend table starts: not counted.
    # ads: 160 / {c2, c4}; creators: 40 / {c3}; organic: no row
    assert list(out.index) == ["ads", "creators"]
    close(out["new_users"], [2, 1])
    close(out["cac"], [80, 40])
    # search: 30 spent, nobody signed up: no CAC (it used to be inf), an error naming it
    with pytest.raises(DataError) as info:
        m.cac(spend(), users())
    assert info.value.column == "channel" and "['search']" in info.value.reason


def test_cac_by_month():
    out = m.cac(spend(), users(), per="M")
    assert out.index.names == ["period", "channel"]
    jan, feb = pd.Period("2025-01", "M"), pd.Period("2025-02", "M")
    close(out.loc[jan, "cac"], [100, NAN, NAN])  # creators: 0 spent / 0 users
    close(out.loc[feb, "cac"], [60, 40, np.inf])
    assert out["spend"].sum() == pytest.approx(spend()["spend"].sum())


def test_cac_from_counts():
    counts = pd.Series({"ads": 4, "creators": 2, "search": 3})
    close(m.cac(spend(), counts)["cac"], [40, 20, 10])


def test_ltv_simple():
    assert m.ltv_simple(40.0, 0.3, 0.1) == pytest.approx(120.0)
    close(m.ltv_simple(np.array([40.0, 10.0]), 0.5, np.array([0.5, 1.0])), [40, 5])
    s = m.ltv_simple(pd.Series([40.0, 20.0], index=["a", "b"]), 0.3, 0.2)
    assert list(s.index) == ["a", "b"] and s["b"] == pytest.approx(30.0)


def test_payback_periods():
    curve = pd.Series([30.0, 55.0, 70.0, 80.0])
    assert m.payback_periods(curve, 60.0) == 3.0  # covered at k = 2: three periods
    assert m.payback_periods(curve, 30.0) == 1.0
    assert m.payback_periods(curve, 0.0) == 1.0
    assert np.isnan(m.payback_periods(curve, 60.0, margin=0.5))
    curves = pd.DataFrame([[30.0, 55.0, 70.0], [10.0, 20.0, NAN], [50.0, NAN, NAN]],
                          index=["a", "b", "c"])
    out = m.payback_periods(curves, pd.Series({"c": 40.0, "a": 50.0, "b": 25.0}))
    assert out.name == "payback_periods"
    close(out, [2, NAN, 1])  # b: not paid back within its observed periods
    close(m.payback_periods(curves, np.inf), [NAN, NAN, NAN])


def test_payback_from_ltv_curves():
    o = orders().assign(user_id=[1, 1, 1, 2, 2])
    curve = ltv_curves(o, pooled=True).loc["all"]
    # revenue by period since first order: Jan cohort {c1} 30, 30, 0; Feb cohort {c2} 50, 0.
    # pooled: (30 + 50) / 2 = 40, then + (30 + 0) / 2 = 55, then + 0 / 1 = 55
    close(curve, [40, 55, 55])
    assert m.payback_periods(curve, 45.0) == 2.0
    assert m.payback_periods(curve, 40.0) == 1.0
    assert np.isnan(m.payback_periods(curve, 56.0))


# --------------------------------------------------------------------------- course data


@pytest.fixture(scope="module")
def course(tables):
    return tables["orders"], tables["users"], tables["events"], tables["channel_spend"]


def test_course_denominators_order(course):
    o, u, e, _ = course
    signed = m.arpu(o, u)
    active = m.arpu(o, denominator="active", activity=e)
    paying = m.arppu(o)
    assert (signed["arpu"] <= active["arpu"] + 1e-9).all()
    assert (active["arpu"] <= paying["arppu"] + 1e-9).all()
    assert signed["users"].is_monotonic_increasing
    assert signed["revenue"].sum() == pytest.approx(o["amount"].sum())


def test_course_cac(course):
    _, u, _, sp = course
    out = m.cac(sp, u)
    assert "organic" not in out.index and out["spend"].sum() == pytest.approx(sp["spend"].sum())
    assert (out["cac"] > 0).all() and np.isfinite(out["cac"]).all()


# --------------------------------------------------------------------------- bad input

PERIODIC = {
    "arpu": lambda d, **kw: m.arpu(d, 10, **kw),
    "arppu": lambda d, **kw: m.arppu(d, **kw),
    "aov": lambda d, **kw: m.average_order_value(d, **kw),
    "repurchase": lambda d, **kw: m.repurchase_rate(d, **kw),
}


@pytest.mark.parametrize("call", list(PERIODIC))
@pytest.mark.parametrize(("change", "column", "reason"), [
    (lambda o: o.drop(columns="order_time"), ["order_time"], "missing column"),
    (lambda o: o.assign(order_time=o["order_time"].where(o.index != 1)), "order_time",
     "missing dates"),
])
def test_bad_order_columns(call, change, column, reason):
    with pytest.raises(DataError) as info:
        PERIODIC[call](change(orders()))
    assert info.value.column == column and reason in info.value.reason


@pytest.mark.parametrize("call", ["arpu", "arppu", "aov"])
def test_negative_amounts(call):
    with pytest.raises(DataError) as info:
        PERIODIC[call](orders().assign(amount=[30.0, -20.0, 10.0, 50.0, 0.0]))
    assert info.value.column == "amount" and "negative" in info.value.reason


@pytest.mark.parametrize("call", list(PERIODIC))
def test_empty_orders(call):
    with pytest.raises(DataError) as info:
        PERIODIC[call](orders().iloc[:0])
    assert info.value.table == "orders" and "empty" in info.value.reason


@pytest.mark.parametrize("call", list(PERIODIC))
def test_unknown_period(call):
    with pytest.raises(ArgumentError) as info:
        PERIODIC[call](orders(), per="month")
    assert info.value.name == "per"


@pytest.mark.parametrize(("users_arg", "kwargs", "column"), [
    (0, {}, "users"),
    (-3, {}, "users"),
    (None, {}, "users"),
    ("20000", {}, "users"),
    (10, dict(denominator="buyers"), "denominator"),
    (None, dict(denominator="active"), "activity"),
])
def test_arpu_bad_denominators(users_arg, kwargs, column):
    with pytest.raises(ArgumentError) as info:
        m.arpu(orders(), users_arg, **kwargs)
    assert info.value.name == column


def test_arpu_users_table_problems():
    with pytest.raises(DataError) as info:
        m.arpu(orders(), users().iloc[1:])  # c1 missing
    assert info.value.table == "users" and info.value.column == "user_id"
    assert info.value.rows["user_id"].tolist() == [1]
    late = users().assign(signup_time=pd.to_datetime(["2025-02-01", "2025-01-20", "2025-02-01",
                                                      "2025-02-15", "2025-03-31"]))
    with pytest.raises(DataError) as info:
        m.arpu(orders(), late)  # c1's January order, signed up in February
    assert info.value.column == "order_time" and "before" in info.value.reason
    with pytest.raises(DataError) as info:
        m.arpu(orders(), pd.concat([users(), users().iloc[:1]]))
    assert info.value.column == "user_id" and "duplicate" in info.value.reason
    with pytest.raises(DataError) as info:
        m.arpu(orders(), users().drop(columns="signup_time"))
    assert info.value.column == ["signup_time"]


def test_arppu_without_paying_users():
    with pytest.raises(DataError) as info:
        m.arppu(orders().assign(amount=0.0), per=None)
    assert "paying users" in info.value.reason


def test_cac_bad_input():
    with pytest.raises(CourseError) as info:
        m.cac(spend().assign(spend=[100.0, -60.0, 40.0, 0.0, 30.0]), users())
    assert named(info.value) == "spend" and "negative" in info.value.reason
    with pytest.raises(CourseError) as info:
        m.cac(spend().drop(columns="channel"), users())
    assert named(info.value) == ["channel"]
    with pytest.raises(CourseError) as info:
        m.cac(spend(), users().drop(columns="signup_time"))
    assert info.value.table == "new_users" and named(info.value) == ["signup_time"]
    with pytest.raises(CourseError) as info:
        m.cac(spend(), pd.Series({"ads": 3}), per="M")
    assert info.value.table == "new_users"
    with pytest.raises(CourseError) as info:
        m.cac(spend(), pd.Series({"ads": -3}))
    assert named(info.value) == "new_users"
    with pytest.raises(CourseError) as info:
        m.cac(spend(), [1, 2])
    assert info.value.table == "new_users"
    with pytest.raises(CourseError) as info:
        m.cac(spend(), users(), per="fortnight")
    assert named(info.value) == "per"


@pytest.mark.parametrize(("args", "column"), [
    ((40.0, 0.3, 0.0), "churn_rate"),
    ((40.0, 0.3, 1.5), "churn_rate"),
    ((40.0, 0.3, NAN), "churn_rate"),
    ((40.0, 0.3, np.array([0.1, 0.0])), "churn_rate"),
    ((40.0, 35, 0.1), "margin"),
    ((40.0, -0.1, 0.1), "margin"),
    ((-1.0, 0.3, 0.1), "arpu"),
    (("forty", 0.3, 0.1), "arpu"),
])
def test_ltv_simple_bad_input(args, column):
    with pytest.raises(ArgumentError) as info:
        m.ltv_simple(*args)
    assert info.value.name == column


def test_payback_bad_input():
    curve = pd.Series([30.0, 55.0])
    with pytest.raises(CourseError) as info:
        m.payback_periods(curve, -5.0)
    assert named(info.value) == "cac"
    with pytest.raises(CourseError) as info:
        m.payback_periods(curve, NAN)
    assert named(info.value) == "cac"
    with pytest.raises(CourseError) as info:
        m.payback_periods(curve, 10.0, margin=40)
    assert named(info.value) == "margin"
    with pytest.raises(CourseError) as info:
        m.payback_periods(pd.Series([30.0, 55.0], index=[1, 2]), 10.0)
    assert info.value.table == "curve"
    frame = pd.DataFrame([[1.0, 2.0]], index=["a"])
    with pytest.raises(CourseError) as info:
        m.payback_periods(frame, pd.Series({"b": 1.0}))
    assert info.value.table == "cac"
    with pytest.raises(CourseError) as info:
        m.payback_periods([1.0, 2.0], 1.0)
    assert info.value.table == "curve"
