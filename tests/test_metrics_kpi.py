"""Module 6 KPIs: DAU, MAU, stickiness, growth, active rate, conversion, ROI, the KPI table.

Expected values are worked out by hand in the comments (or by brute force
over the days, for the trailing-window MAU), never by calling the function
under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import named

from coursekit import metrics as m
from coursekit.cohorts import day_n_retention
from coursekit.errors import ArgumentError, CourseError, DataError

NAN = np.nan
INF = np.inf


def close(actual, expected) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float),
                               rtol=1e-12, equal_nan=True)


def ts(*values: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), format="ISO8601"))


def events() -> pd.DataFrame:
    """u1: 1 Mar (twice), 2 Mar; u2: 1 Mar, 4 Mar; u3: 2 Apr. 33 days, 1 Mar .. 2 Apr."""
    return pd.DataFrame({
        "user_id": [1, 1, 1, 2, 2, 3],
        "event_time": ts("2025-03-01 09:00", "2025-03-01 20:00", "2025-03-02 10:00",
                         "2025-03-01 11:00", "2025-03-04 12:00", "2025-04-02 08:00"),
    })


def day(text: str) -> pd.Period:
    return pd.Period(text, "D")


# --------------------------------------------------------------------------- DAU


def test_dau_daily_counts_each_user_once_a_day():
    out = m.dau(events())
    assert out.index.name == "period" and len(out) == 33  # every day, empty ones included
    assert out.index[0] == day("2025-03-01") and out.index[-1] == day("2025-04-02")
    assert out.loc[day("2025-03-01"), "dau"] == 2  # u1 twice, u2: two users
    assert out.loc[day("2025-03-02"), "dau"] == 1
    assert out.loc[day("2025-03-03"), "dau"] == 0
    assert out.loc[day("2025-03-04"), "dau"] == 1
    assert out["dau"].sum() == 5
    assert (out["days"] == 1).all()


def test_dau_by_month_is_the_mean_over_the_days_covered():
    out = m.dau(events(), per="M")
    # March: 31 days, 2 + 1 + 1 user-days; April: 1-2 April covered, 1 user-day
    close(out["days"], [31, 2])
    close(out["user_days"], [4, 1])
    close(out["dau"], [4 / 31, 0.5])
    whole = m.dau(events(), per=None).loc["all"]
    assert whole["days"] == 33 and whole["dau"] == pytest.approx(5 / 33)


# --------------------------------------------------------------------------- MAU


def test_mau_window_edge():
    # u1 active on day 1 only; u2 on day 31. With a 30-day window u1 is still
    # in the MAU of day 30 (days 1-30) and gone on day 31 (days 2-31).
    e = pd.DataFrame({"user_id": [1, 2], "event_time": ts("2025-03-01", "2025-03-31")})
    out = m.mau(e, window_days=30)
    assert len(out) == 31
    assert out["mau"].iloc[:29].isna().all()  # days 1-29: window not fully observed
    assert out.loc[day("2025-03-30"), "mau"] == 1  # u1
    assert out.loc[day("2025-03-31"), "mau"] == 1  # u2 only: u1 dropped out
    close(out["window_days"], np.minimum(np.arange(1, 32), 30))
    longer = m.mau(e, window_days=31)
    assert longer["mau"].iloc[:30].isna().all() and longer["mau"].iloc[30] == 2


def test_mau_small_window_by_hand():
    # u1 on days 1, 2, 6; u2 on day 3; window 3
    e = pd.DataFrame({"user_id": [1, 1, 1, 2],
                      "event_time": ts("2025-03-01", "2025-03-02", "2025-03-06", "2025-03-03")})
    out = m.mau(e, window_days=3)
    # day 3: days 1-3 {u1, u2}; day 4: days 2-4 {u1, u2}; day 5: days 3-5 {u2}; day 6: {u1}
    close(out["mau"], [NAN, NAN, 2, 2, 1, 1])
    close(m.mau(e, window_days=1)["mau"], [1, 1, 1, 0, 0, 1])  # window 1 is DAU


def test_mau_calendar_months():
    out = m.mau(events(), per="M")
    assert list(out.columns) == ["days", "mau"]
    close(out["mau"], [2, 1])  # March {u1, u2}; April {u3}
    close(out["days"], [31, 2])


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("window", [1, 7, 28])
def test_mau_matches_brute_force(seed, window):
    rng = np.random.default_rng(seed)
    n = 300
    e = pd.DataFrame({"user_id": rng.integers(0, 25, n),
                      "event_time": pd.Timestamp("2025-01-01")
                      + pd.to_timedelta(rng.integers(0, 90 * 24, n), unit="h")})
    out = m.mau(e, window_days=window)
    d = e.assign(d=e["event_time"].dt.normalize())
    first = d["d"].min()
    for i, (period, value) in enumerate(out["mau"].items()):
        today = period.to_timestamp()
        inside = (d["d"] > today - pd.Timedelta(days=window)) & (d["d"] <= today)
        expected = d.loc[inside, "user_id"].nunique()
        if today - pd.Timedelta(days=window - 1) < first:
            assert np.isnan(value), i
        else:
            assert value == expected, i


def test_dau_never_above_mau():
    rng = np.random.default_rng(5)
    e = pd.DataFrame({"user_id": rng.integers(0, 40, 500),
                      "event_time": pd.Timestamp("2025-01-01")
                      + pd.to_timedelta(rng.integers(0, 60 * 24, 500), unit="h")})
    s = m.stickiness(e, window_days=14)
    ok = s["mau"].notna()
    assert (s.loc[ok, "dau"] <= s.loc[ok, "mau"]).all()
    assert ((s["stickiness"].dropna() >= 0) & (s["stickiness"].dropna() <= 1)).all()


# --------------------------------------------------------------------------- stickiness


def sticky_events() -> pd.DataFrame:
    """u1 every day 30 Mar - 2 Apr; u2 on 30 and 31 March."""
    return pd.DataFrame({
        "user_id": [1, 1, 1, 1, 2, 2],
        "event_time": ts("2025-03-30", "2025-03-31", "2025-04-01", "2025-04-02",
                         "2025-03-30", "2025-03-31"),
    })


def test_stickiness_daily():
    out = m.stickiness(sticky_events(), window_days=2)
    # DAU 2, 2, 1, 1; 2-day MAU -, 2, 2, 1
    close(out["dau"], [2, 2, 1, 1])
    close(out["mau"], [NAN, 2, 2, 1])
    close(out["stickiness"], [NAN, 1, 0.5, 1])


def test_stickiness_by_month_is_the_mean_of_daily_ratios():
    out = m.stickiness(sticky_events(), window_days=2, per="M")
    # March: only 31 March has a full window (ratio 1); April: 0.5 and 1
    close(out["days"], [1, 2])
    close(out["stickiness"], [1, 0.75])
    close(out["dau"], [2, 1])
    close(out["mau"], [2, 1.5])
    whole = m.stickiness(sticky_events(), window_days=2, per=None).loc["all"]
    assert whole["stickiness"] == pytest.approx(2.5 / 3)
    assert whole["dau"] == pytest.approx(4 / 3) and whole["mau"] == pytest.approx(5 / 3)


def test_stickiness_skips_days_with_nobody_in_the_window():
    e = pd.DataFrame({"user_id": [1, 1], "event_time": ts("2025-03-01", "2025-03-03")})
    out = m.stickiness(e, window_days=1)
    close(out["stickiness"], [1, NAN, 1])  # 2 March: 0 / 0
    whole = m.stickiness(e, window_days=1, per=None).loc["all"]
    assert whole["days"] == 2 and whole["stickiness"] == 1


# --------------------------------------------------------------------------- growth, active rate


def test_user_growth_rate():
    users = pd.DataFrame({"user_id": [1, 2, 3, 4, 5, 6],
                          "signup_time": ts("2025-01-03", "2025-01-20", "2025-03-01",
                                            "2025-03-09", "2025-03-31", "2025-04-30")})
    out = m.user_growth_rate(users)
    # new 2, 0, 3, 1; users before 0, 2, 2, 5
    close(out["new_users"], [2, 0, 3, 1])
    close(out["previous_users"], [0, 2, 2, 5])
    close(out["growth_rate"], [INF, 0, 1.5, 0.2])


def active_users() -> pd.DataFrame:
    return pd.DataFrame({"user_id": [1, 2, 3, 4],
                         "signup_time": ts("2025-01-05", "2025-01-10", "2025-01-30",
                                           "2025-02-14")})


def active_events() -> pd.DataFrame:
    return pd.DataFrame({"user_id": [1, 2, 2, 4, 1],
                         "event_time": ts("2025-01-05", "2025-01-11", "2025-02-02", "2025-02-14",
                                          "2025-03-03")})


def test_active_rate():
    out = m.active_rate(active_events(), active_users())
    # Jan {1, 2} of 3 signed up; Feb {2, 4} of 4; Mar {1} of 4
    close(out["active_users"], [2, 2, 1])
    close(out["users"], [3, 4, 4])
    close(out["active_rate"], [2 / 3, 0.5, 0.25])
    whole = m.active_rate(active_events(), active_users(), per=None).loc["all"]
    assert whole["active_users"] == 3 and whole["active_rate"] == pytest.approx(0.75)


def test_active_rate_numerator_is_calendar_mau():
    out = m.active_rate(events(), pd.DataFrame({"user_id": [1, 2, 3],
                                                "signup_time": ts("2025-02-01", "2025-02-01",
                                                                  "2025-02-01")}))
    close(out["active_users"], m.mau(events(), per="M")["mau"])


# --------------------------------------------------------------------------- conversion


def conv_users() -> pd.DataFrame:
    return pd.DataFrame({"user_id": [1, 2, 3, 4, 5],
                         "signup_time": ts("2025-01-02 10:00", "2025-01-10", "2025-01-20",
                                           "2025-02-05 09:00", "2025-03-01")})


def conv_orders() -> pd.DataFrame:
    """u1 buys on day 2 and again on 31 March; u2 on day 40; u4 on day 0; u3, u5 never."""
    return pd.DataFrame({"user_id": [1, 2, 4, 1],
                         "order_time": ts("2025-01-04", "2025-02-19", "2025-02-05 21:00",
                                          "2025-03-31")})


def test_conversion_cohort_ever():
    out = m.first_purchase_conversion(conv_users(), conv_orders())
    # Jan {1, 2, 3}: 1, 2 bought; Feb {4}: bought; Mar {5}: not (yet)
    close(out["new_users"], [3, 1, 1])
    close(out["eligible"], [3, 1, 1])
    close(out["converted"], [2, 1, 0])
    close(out["conversion"], [2 / 3, 1, 0])
    whole = m.first_purchase_conversion(conv_users(), conv_orders(), per=None).loc["all"]
    assert whole["conversion"] == pytest.approx(3 / 5)


def test_conversion_within_days():
    u, o = conv_users(), conv_orders()
    close(m.first_purchase_conversion(u, o, window_days=7)["conversion"], [1 / 3, 1, 0])
    close(m.first_purchase_conversion(u, o, window_days=0)["conversion"], [0, 1, 0])  # same day
    # day 40 counts with within=40 (inclusive) and not with 39; the data ends on 31 March,
    # so u5 (1 March + 40 days) is not observed: March has nobody eligible -> NaN
    out = m.first_purchase_conversion(u, o, window_days=40)
    close(out["eligible"], [3, 1, 0])
    close(out["conversion"], [2 / 3, 1, NAN])
    close(m.first_purchase_conversion(u, o, window_days=39)["conversion"], [1 / 3, 1, NAN])
    whole = m.first_purchase_conversion(u, o, window_days=40, per=None).loc["all"]
    assert whole["eligible"] == 4 and whole["conversion"] == pytest.approx(3 / 4)


def test_conversion_period_basis():
    out = m.first_purchase_conversion(conv_users(), conv_orders(), basis="period")
    # first orders: u1 in Jan, u2 and u4 in Feb; sign-ups 3, 1, 1
    close(out["first_buyers"], [1, 2, 0])
    close(out["conversion"], [1 / 3, 2, 0])  # can exceed 1: not the same people
    assert "eligible" not in out.columns


# --------------------------------------------------------------------------- purchases, ROI


def test_average_purchase_count():
    o = pd.DataFrame({"user_id": [1, 1, 2, 1],
                      "order_time": ts("2025-01-05", "2025-01-20", "2025-01-21", "2025-03-02")})
    out = m.average_purchase_count(o)
    close(out["orders"], [3, 0, 1])
    close(out["buyers"], [2, 0, 1])
    close(out["average_purchase_count"], [1.5, NAN, 1])
    assert m.average_purchase_count(o, per=None).loc["all", "average_purchase_count"] == 2.0


def test_arppu_is_purchases_per_buyer_times_aov():
    o = pd.DataFrame({"user_id": [1, 1, 2, 1],
                      "order_time": ts("2025-01-05", "2025-01-20", "2025-01-21", "2025-03-02"),
                      "amount": [10.0, 30.0, 20.0, 5.0]})
    apc = m.average_purchase_count(o)["average_purchase_count"]
    aov = m.average_order_value(o)["aov"]
    close(apc * aov, m.arppu(o)["arppu"])


def test_roi():
    assert m.roi(240.0, 80.0) == 3.0
    close(m.roi(np.array([30.0, 0.0]), 15.0), [2, 0])
    out = m.roi(pd.Series({"ads": 120.0, "search": 90.0}), pd.Series({"search": 30.0,
                                                                      "ads": 60.0}))
    assert list(out.index) == ["ads", "search"]
    close(out, [2, 3])


# --------------------------------------------------------------------------- the KPI table


def kpi_world() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    users = pd.DataFrame({"user_id": [1, 2, 3],
                          "signup_time": ts("2025-01-02", "2025-01-03", "2025-02-01"),
                          "channel": ["ads", "organic", "ads"]})
    orders = pd.DataFrame({"user_id": [1, 1, 3],
                           "order_time": ts("2025-01-02", "2025-02-03", "2025-02-01"),
                           "amount": [40.0, 20.0, 30.0]})
    events = pd.DataFrame({"user_id": [1, 2, 1, 3, 3],
                           "event_time": ts("2025-01-02", "2025-01-03", "2025-02-03",
                                            "2025-02-01", "2025-02-02")})
    spend = pd.DataFrame({"date": ts("2025-01-01", "2025-02-01"), "channel": ["ads", "ads"],
                          "spend": [50.0, 90.0]})
    return users, orders, events, spend


def test_kpi_table_by_hand():
    t = m.kpi_table(*kpi_world(), window_days=2)
    assert [str(p) for p in t.index] == ["2025-01", "2025-02"]
    assert list(t.columns) == list(m.KPI_COLUMNS)
    close(t["new_users"], [2, 1])
    close(t["users"], [2, 3])
    close(t["user_growth_rate"], [INF, 0.5])
    close(t["mau"], [2, 2])
    close(t["active_rate"], [1, 2 / 3])
    # events cover 2 Jan - 3 Feb: January 30 days with 2 user-days, February 3 days, 3
    close(t["dau"], [2 / 30, 1])
    # 2-day MAU: 3 Jan {1, 2} DAU 1 -> 0.5; 4 Jan {2} DAU 0 -> 0; 5-31 Jan nobody (skipped);
    # 1 Feb {3} -> 1; 2 Feb {3} -> 1; 3 Feb {3, 1} DAU 1 -> 0.5
    close(t["stickiness"], [0.25, 2.5 / 3])
    # within 7 days: u1 (same day) yes, u2 no; u3's 7 days end after the data (3 Feb)
    close(t["first_purchase_conversion"], [0.5, NAN])
    close(t["buyers"], [1, 2])
    close(t["orders"], [1, 2])
    close(t["revenue"], [40, 50])
    close(t["arpu"], [20, 50 / 3])
    close(t["arppu"], [40, 25])
    close(t["average_purchase_count"], [1, 1])
    close(t["spend"], [50, 90])
    close(t["paid_new_users"], [1, 1])  # ads sign-ups: u1 in January, u3 in February
    close(t["cac"], [50, 90])
    close(t["day1_retention"], [0, 1])  # u3 back on 2 Feb; u1, u2 not next day
    close(t["day7_retention"], [0, NAN])  # u3's day 7 is after the data


def test_kpi_table_options():
    world = kpi_world()
    t = m.kpi_table(*world, conversion_days=None, retention_days=[1])
    close(t["first_purchase_conversion"], [0.5, 1])
    assert "day7_retention" not in t.columns and "day1_retention" in t.columns
    t = m.kpi_table(*world, basis="period", conversion_days=None)
    close(t["first_purchase_conversion"], [0.5, 1])  # first buyers u1 (Jan), u3 (Feb)
    renamed = [df.rename(columns={"user_id": "user_id"}) for df in world[:3]]
    t2 = m.kpi_table(*renamed, world[3])
    close(t2["mau"], [2, 2])


def test_kpi_table_targets():
    world = kpi_world()
    t = m.kpi_table(*world, targets={"mau": 2, "cac": 60.0})
    cols = list(t.columns)
    assert cols[cols.index("mau") + 1] == "mau_target"
    assert cols[cols.index("cac") + 1] == "cac_target"
    close(t["mau_target"], [2, 2])
    goals = pd.DataFrame({"arpu": [15.0], "active_rate": [0.8]}, index=["2025-02"])
    t = m.kpi_table(*world, targets=goals)
    close(t["arpu_target"], [NAN, 15])
    close(t["active_rate_target"], [NAN, 0.8])
    t = m.kpi_table(*world, targets=pd.Series({"revenue": 45.0}))
    close(t["revenue_target"], [45, 45])
    periods = goals.set_axis(pd.PeriodIndex(["2025-02"], freq="M"))
    close(m.kpi_table(*world, targets=periods)["arpu_target"], [NAN, 15])


# --------------------------------------------------------------------------- course data


@pytest.fixture(scope="module")
def course(tables):
    return tables["users"], tables["orders"], tables["events"], tables["channel_spend"]


def test_course_kpi_table(course):
    u, o, e, sp = course
    t = m.kpi_table(u, o, e, sp)
    assert len(t) == 24 and str(t.index[0]) == "2024-01" and str(t.index[-1]) == "2025-12"
    for col in ["active_rate", "stickiness", "first_purchase_conversion", "day1_retention",
                "day7_retention"]:
        values = t[col].dropna()
        assert len(values) >= 23 and ((values >= 0) & (values <= 1)).all(), col
    assert (t["dau"] <= t["mau"]).all()
    assert t["users"].is_monotonic_increasing and t["users"].iloc[-1] == len(u)
    assert t["revenue"].sum() == pytest.approx(o["amount"].sum())
    assert (t["average_purchase_count"] >= 1).all()
    assert (t["arpu"] < t["arppu"]).all()  # revenue / all users < revenue / buyers
    assert (t["day7_retention"] < t["day1_retention"]).all()
    # one definition per KPI: the table agrees with the single-KPI functions
    close(t["arpu"], m.arpu(o, u)["arpu"])
    close(t["arppu"], m.arppu(o)["arppu"])
    close(t["active_rate"], m.active_rate(e, u)["active_rate"])
    close(t["mau"], m.mau(e, per="M")["mau"])
    close(t["stickiness"], m.stickiness(e, per="M")["stickiness"])
    close(t["user_growth_rate"], m.user_growth_rate(u)["growth_rate"])
    close(t["first_purchase_conversion"], m.first_purchase_conversion(
        u, o, window_days=7)["conversion"])
    by_channel = m.cac(sp, u, per="M")
    close(t["spend"], by_channel["spend"].groupby(level=0).sum())
    jan = u[u["signup_time"] < "2024-02-01"]
    ret = day_n_retention(e[e["user_id"].isin(jan["user_id"])], start=jan,
                          days=[1], asof=e["event_time"].max())
    assert t["day1_retention"].iloc[0] == pytest.approx(ret["rate"].iloc[0])


def test_course_trailing_mau_spot_check(course):
    _, _, e, _ = course
    out = m.mau(e)
    d = e[["user_id"]].assign(d=e["event_time"].dt.normalize())
    for when in ["2024-01-30", "2025-03-16", "2025-12-31"]:
        today = pd.Timestamp(when)
        inside = (d["d"] > today - pd.Timedelta(days=30)) & (d["d"] <= today)
        assert out.loc[pd.Period(when, "D"), "mau"] == d.loc[inside, "user_id"].nunique()
    assert out["mau"].iloc[:29].isna().all() and out["mau"].iloc[29:].notna().all()


# --------------------------------------------------------------------------- bad input

ACTIVITY = {
    "dau": lambda e, **kw: m.dau(e, **kw),
    "mau": lambda e, **kw: m.mau(e, **kw),
    "mau_month": lambda e, **kw: m.mau(e, per="M", **kw),
    "stickiness": lambda e, **kw: m.stickiness(e, **kw),
    "active_rate": lambda e, **kw: m.active_rate(e, pd.DataFrame(
        {"user_id": [1, 2, 3], "signup_time": ts("2025-01-01", "2025-01-01",
                                                     "2025-01-01")}), **kw),
}


@pytest.mark.parametrize("call", list(ACTIVITY))
def test_activity_missing_column(call):
    with pytest.raises(DataError) as info:
        ACTIVITY[call](events().drop(columns="event_time"))
    assert info.value.column == ["event_time"] and info.value.table == "activity"


@pytest.mark.parametrize("call", list(ACTIVITY))
def test_activity_missing_dates(call):
    e = events().assign(event_time=events()["event_time"].where(events().index != 2))
    with pytest.raises(DataError) as info:
        ACTIVITY[call](e)
    assert info.value.column == "event_time" and "missing dates" in info.value.reason


@pytest.mark.parametrize("call", list(ACTIVITY))
def test_activity_unparseable_dates(call):
    e = events().assign(event_time=["2025-03-01", "yesterday", "2025-03-02", "2025-03-01",
                                    "2025-03-04", "2025-04-02"])
    with pytest.raises(DataError) as info:
        ACTIVITY[call](e)
    assert info.value.column == "event_time" and "parsed" in info.value.reason


@pytest.mark.parametrize("call", list(ACTIVITY))
def test_activity_empty(call):
    with pytest.raises(DataError) as info:
        ACTIVITY[call](events().iloc[:0])
    assert "empty" in info.value.reason


@pytest.mark.parametrize("call", ["dau", "stickiness", "active_rate"])
def test_activity_unknown_period(call):
    with pytest.raises(ArgumentError) as info:
        ACTIVITY[call](events(), per="month")
    assert info.value.name == "per"


@pytest.mark.parametrize("window", [0, -7, 2.5, True, "30", None])
@pytest.mark.parametrize("call", ["mau", "stickiness", "kpi_table"])
def test_window_not_a_positive_whole_number(call, window):
    with pytest.raises(ArgumentError) as info:
        if call == "kpi_table":
            m.kpi_table(*kpi_world(), window_days=window)
        else:
            ACTIVITY[call](events(), window_days=window)
    assert info.value.name == "window_days"


@pytest.mark.parametrize("call", [
    lambda: m.mau(events(), per=None),
    lambda: m.user_growth_rate(active_users(), per=None),
    lambda: m.kpi_table(*kpi_world(), per=None),
])
def test_period_needed(call):
    with pytest.raises(ArgumentError) as info:
        call()
    assert info.value.name == "per"


def test_stickiness_whole_table_shorter_than_window():
    with pytest.raises(DataError) as info:
        m.stickiness(events(), window_days=60, per=None)
    assert "window" in info.value.reason


def test_users_table_problems():
    with pytest.raises(CourseError) as info:
        m.user_growth_rate(active_users().drop(columns="signup_time"))
    assert info.value.table == "users" and named(info.value) == ["signup_time"]
    with pytest.raises(CourseError) as info:
        m.user_growth_rate(active_users().iloc[:0])
    assert info.value.table == "users" and "empty" in info.value.reason
    with pytest.raises(CourseError) as info:
        m.user_growth_rate(pd.concat([active_users(), active_users().iloc[:1]]))
    assert "duplicate" in info.value.reason and named(info.value) == "user_id"
    with pytest.raises(CourseError) as info:
        m.user_growth_rate(active_users().assign(
            signup_time=active_users()["signup_time"].where(active_users().index != 0)))
    assert "missing dates" in info.value.reason
    with pytest.raises(CourseError) as info:
        m.user_growth_rate(active_users(), per="fortnight")
    assert named(info.value) == "per"


def test_active_rate_problems():
    with pytest.raises(DataError) as info:
        m.active_rate(active_events(), active_users().iloc[1:])  # u1 not in users
    assert info.value.table == "users" and info.value.rows["user_id"].tolist() == [1]
    early = active_events().assign(event_time=ts("2024-12-30", "2025-01-11", "2025-02-02",
                                                 "2025-02-14", "2025-03-03"))
    with pytest.raises(DataError) as info:
        m.active_rate(early, active_users())  # u1 active in December, signed up in January
    assert info.value.column == "event_time" and "before" in info.value.reason


def test_conversion_problems():
    u, o = conv_users(), conv_orders()
    with pytest.raises(CourseError) as info:
        m.first_purchase_conversion(u, o.drop(columns="user_id"))
    assert info.value.table == "orders" and named(info.value) == ["user_id"]
    with pytest.raises(CourseError) as info:
        m.first_purchase_conversion(u, o.iloc[:0])
    assert info.value.table == "orders" and "empty" in info.value.reason
    with pytest.raises(CourseError) as info:
        m.first_purchase_conversion(u, o.assign(order_time=o["order_time"].where(o.index != 1)))
    assert "missing dates" in info.value.reason
    with pytest.raises(CourseError) as info:
        m.first_purchase_conversion(u.iloc[:-2], o)  # u4 orders, not in users
    assert info.value.table == "users" and info.value.rows["user_id"].tolist() == [4]
    with pytest.raises(CourseError) as info:
        m.first_purchase_conversion(u, o.assign(order_time=ts("2025-01-01", "2025-02-19",
                                                              "2025-02-05", "2025-03-31")))
    assert named(info.value) == "order_time" and "before" in info.value.reason
    for within in [-1, 2.5, True]:
        with pytest.raises(CourseError) as info:
            m.first_purchase_conversion(u, o, window_days=within)
        assert named(info.value) == "window_days"
    with pytest.raises(CourseError) as info:
        m.first_purchase_conversion(u, o, window_days=7, basis="period")
    assert named(info.value) == "window_days"
    with pytest.raises(CourseError) as info:
        m.first_purchase_conversion(u, o, basis="monthly")
    assert named(info.value) == "basis"
    with pytest.raises(CourseError) as info:
        m.first_purchase_conversion(u, o, window_days=400, per=None)  # nobody observed that long
    assert "divide" in info.value.reason


def test_average_purchase_count_problems():
    o = conv_orders()
    with pytest.raises(DataError) as info:
        m.average_purchase_count(o.drop(columns="order_time"))
    assert info.value.column == ["order_time"]
    with pytest.raises(DataError) as info:
        m.average_purchase_count(o.iloc[:0])
    assert "empty" in info.value.reason
    with pytest.raises(DataError) as info:
        m.average_purchase_count(o.assign(user_id=[1, None, 4, 1]))
    assert info.value.column == "user_id" and "missing ids" in info.value.reason


@pytest.mark.parametrize(("ltv", "cac", "column"), [
    (240.0, 0.0, "cac"),
    (240.0, -5.0, "cac"),
    (240.0, INF, "cac"),
    (240.0, NAN, "cac"),
    (np.array([240.0, 100.0]), np.array([80.0, 0.0]), "cac"),
    (-1.0, 80.0, "ltv"),
    ("lots", 80.0, "ltv"),
    (pd.Series({"ads": 1.0}), pd.Series({"search": 1.0}), "cac"),
    (np.array([1.0, 2.0]), np.array([1.0, 2.0, 3.0]), "cac"),
])
def test_roi_bad_input(ltv, cac, column):
    with pytest.raises(ArgumentError) as info:
        m.roi(ltv, cac)
    assert info.value.name == column


@pytest.mark.parametrize(("change", "table", "column"), [
    (lambda w: (w[0].drop(columns="channel"), *w[1:]), "users", ["channel"]),
    (lambda w: (w[0], w[1].drop(columns="amount"), *w[2:]), "orders", ["amount"]),
    (lambda w: (*w[:2], w[2].drop(columns="event_time"), w[3]), "events", ["event_time"]),
    (lambda w: (*w[:3], w[3].drop(columns="spend")), "spend", ["spend"]),
    (lambda w: (w[0].iloc[:0], *w[1:]), "users", None),
    (lambda w: (w[0], w[1].iloc[:0], *w[2:]), "orders", None),
    (lambda w: (*w[:2], w[2].iloc[:0], w[3]), "events", None),
    (lambda w: (w[0], w[1].assign(amount=[40.0, -20.0, 30.0]), *w[2:]), "orders", "amount"),
    (lambda w: (*w[:3], w[3].assign(spend=[50.0, -1.0])), "spend", "spend"),
    (lambda w: (w[0].iloc[:2], *w[1:]), "users", "user_id"),  # u3 missing
    (lambda w: (pd.concat([w[0], w[0].iloc[:1]]), *w[1:]), "users", "user_id"),
    (lambda w: (*w[:2], w[2].assign(event_time=ts("2024-12-31", "2025-01-03", "2025-02-03",
                                                  "2025-02-01", "2025-02-02")), w[3]),
     "events", "event_time"),
    (lambda w: (w[0], w[1].assign(order_time=[pd.NaT, *w[1]["order_time"][1:]]), *w[2:]),
     "orders", "order_time"),
])
def test_kpi_table_bad_tables(change, table, column):
    with pytest.raises(DataError) as info:
        m.kpi_table(*change(kpi_world()))
    assert info.value.table == table and info.value.column == column


@pytest.mark.parametrize(("kwargs", "column"), [
    (dict(retention_days=[0]), "retention_days"),
    (dict(retention_days=[1, 1]), "retention_days"),
    (dict(conversion_days=-1), "conversion_days"),
    (dict(basis="period"), "conversion_days"),  # conversion_days=7 by default: cohort only
    (dict(basis="weekly", conversion_days=None), "basis"),
    (dict(per="fortnight"), "per"),
])
def test_kpi_table_bad_arguments(kwargs, column):
    with pytest.raises(ArgumentError) as info:
        m.kpi_table(*kpi_world(), **kwargs)
    assert info.value.name == column


@pytest.mark.parametrize("targets", [
    {"monthly_active": 5000},
    {"mau": "a lot"},
    {"mau": NAN},
    pd.DataFrame({"nps": [1.0]}, index=["2025-01"]),
    pd.DataFrame({"mau": [1.0]}, index=["2026-01"]),
    pd.DataFrame({"mau": [1.0]}, index=["not a month"]),
    pd.DataFrame({"mau": [1.0, 2.0]}, index=["2025-01", "2025-01"]),
    pd.DataFrame({"mau": [1.0]}, index=pd.PeriodIndex(["2025-01-06"], freq="W-SUN")),
    pd.DataFrame({"mau": ["high"]}, index=["2025-01"]),
    [("mau", 5000)],
])
def test_kpi_table_bad_targets(targets):
    with pytest.raises(DataError) as info:
        m.kpi_table(*kpi_world(), targets=targets)
    assert info.value.table == "targets"
