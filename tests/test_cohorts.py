"""Cohort tables: hand-computed examples, properties, classic mistakes, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import named

from coursekit.cohorts import cohort_sizes, day_n_retention, ltv_curves, retention
from coursekit.errors import ArgumentError, CourseError, DataError

NAN = np.nan


def tiny() -> pd.DataFrame:
    """Four customers over January to March 2025.

    c1: Jan 5 (100), Feb 10 (50), Mar 15 (30)      -> cohort Jan, active k = 0, 1, 2
    c2: Jan 20 (80)                                -> cohort Jan, active k = 0
    c3: Feb 3 (60), Mar 1 (40)                     -> cohort Feb, active k = 0, 1
    c4: Jan 31 23:59 (10), Feb 1 00:01 (20)        -> cohort Jan, active k = 0, 1
    (two minutes apart, but in two calendar months)
    """
    return pd.DataFrame({
        "user_id": [1, 2, 1, 3, 3, 1, 4, 4],
        "order_time": pd.to_datetime([
            "2025-01-05 10:00", "2025-01-20 12:00", "2025-02-10 09:00", "2025-02-03 18:00",
            "2025-03-01 08:00", "2025-03-15 20:00", "2025-01-31 23:59", "2025-02-01 00:01",
        ]),
        "amount": [100.0, 80.0, 50.0, 60.0, 40.0, 30.0, 10.0, 20.0],
    })


def cells(table: pd.DataFrame) -> list[list[float]]:
    return table.to_numpy().tolist()


def assert_cells(table: pd.DataFrame, expected: list[list[float]]) -> None:
    np.testing.assert_allclose(table.to_numpy(dtype=float), np.array(expected, dtype=float),
                               rtol=1e-12, equal_nan=True)


# --------------------------------------------------------------------------- hand-computed


def test_retention_shares_by_first_order_month():
    t = retention(tiny())
    # Jan cohort {c1, c2, c4}: all in Jan, c1 and c4 in Feb, c1 in Mar.
    # Feb cohort {c3}: Feb and Mar; its month 2 (April) is after the data: NaN.
    assert_cells(t, [[1.0, 2 / 3, 1 / 3], [1.0, 1.0, NAN]])
    assert [str(p) for p in t.index] == ["2025-01", "2025-02"]
    assert t.index.name == "cohort" and t.columns.name == "periods_since_first"
    assert list(t.columns) == [0, 1, 2]
    assert cohort_sizes(tiny()).to_dict() == {pd.Period("2025-01", "M"): 3,
                                              pd.Period("2025-02", "M"): 1}
    assert cohort_sizes(tiny()).index.equals(t.index)


def test_retention_counts():
    assert_cells(retention(tiny(), counts=True), [[3, 2, 1], [1, 1, NAN]])


def test_revenue_kinds():
    o = tiny()
    # Jan cohort: Jan 100 + 80 + 10 = 190, Feb 50 + 20 = 70, Mar 30; Feb cohort: 60, 40.
    assert_cells(retention(o, value="amount"), [[190, 70, 30], [60, 40, NAN]])
    assert_cells(retention(o, value="amount", kind="revenue_share"),
                 [[1, 70 / 190, 30 / 190], [1, 40 / 60, NAN]])
    assert_cells(retention(o, value="amount", kind="revenue_per_customer"),
                 [[190 / 3, 70 / 3, 30 / 3], [60, 40, NAN]])


def test_ltv_curves_hand_computed():
    o = tiny()
    assert_cells(ltv_curves(o), [[190 / 3, 260 / 3, 290 / 3], [60, 100, NAN]])
    # pooled: k=0 (190 + 60) / 4; k=1 adds (70 + 40) / 4; k=2 adds 30 / 3 (Jan cohort only)
    pooled = ltv_curves(o, pooled=True)
    assert_cells(pooled, [[62.5, 90.0, 100.0]])
    assert list(pooled.index) == ["all"] and cohort_sizes(o).sum() == 4


def test_weekly_periods_run_monday_to_sunday():
    o = pd.DataFrame({
        "user_id": [1, 1, 2, 2],
        # Sunday 2 March, Monday 3 March: consecutive weeks; customer 2: Monday and Sunday
        # of the same week, then nothing.
        "order_time": pd.to_datetime(["2025-03-02 22:00", "2025-03-03 07:00",
                                      "2025-03-03 09:00", "2025-03-09 21:00"]),
    })
    t = retention(o, per="W", counts=True)
    assert [str(p) for p in t.index] == ["2025-02-24/2025-03-02", "2025-03-03/2025-03-09"]
    assert_cells(t, [[1, 1], [1, NAN]])


@pytest.mark.parametrize(("period", "labels"), [
    ("D", ["2025-01-05", "2025-01-20", "2025-01-31", "2025-02-03"]),
    ("q", ["2025Q1"]),
    ("Y", ["2025"]),
])
def test_other_periods(period, labels):
    t = retention(tiny(), per=period)
    assert [str(p) for p in t.index] == labels
    assert (t[0] == 1).all()


def test_classic_mistake_cohort_by_order_month_differs():
    o = tiny()
    month = o["order_time"].dt.to_period("M")
    # The mistake: "cohort" = the month of each order, so a customer sits in every month
    # they bought in. Share of February's buyers {c1, c3, c4} who buy in March: c1, c3.
    buyers = o.groupby(month)["user_id"].agg(set)
    wrong_feb_month1 = len(buyers[pd.Period("2025-02", "M")] & buyers[pd.Period("2025-03", "M")]) \
        / len(buyers[pd.Period("2025-02", "M")])
    assert wrong_feb_month1 == pytest.approx(2 / 3)
    right = retention(o)
    assert right.loc[pd.Period("2025-02", "M"), 1] == 1.0  # the Feb cohort is c3 alone
    assert cohort_sizes(o)[pd.Period("2025-02", "M")] == 1
    assert len(buyers[pd.Period("2025-02", "M")]) == 3


def test_nan_only_after_the_end_of_the_data():
    t = retention(tiny(), counts=True)
    end = pd.Period("2025-03", "M")
    for cohort, row in t.iterrows():
        for k, v in row.items():
            assert np.isnan(v) == (cohort + k > end)


def test_zero_is_observed_and_nobody_active():
    o = pd.DataFrame({"user_id": [1, 2, 2],
                      "order_time": pd.to_datetime(["2025-01-03", "2025-01-04", "2025-03-04"])})
    assert_cells(retention(o), [[1.0, 0.0, 0.5]])


def test_asof_truncates_and_sets_the_end():
    t = retention(tiny(), asof="2025-02-10")
    # asof is exclusive: c1's order at 09:00 on 10 February is left out, c4's on
    # 1 February counts; February is the last period; March is left out.
    assert_cells(t, [[1.0, 1 / 3], [1.0, NAN]])
    assert_cells(retention(tiny(), asof="2025-02-10 09:30"), [[1.0, 2 / 3], [1.0, NAN]])
    with pytest.raises(ArgumentError) as info:
        retention(tiny(), asof="2024-12-31")
    assert info.value.name == "asof"


def test_start_gives_sign_up_cohorts_including_non_buyers():
    users = pd.DataFrame({
        "user_id": [1, 2, 3, 4, 5],
        "signup_time": pd.to_datetime(["2024-12-20", "2025-01-02", "2025-01-15",
                                       "2025-01-31", "2025-02-11"]),
    })
    t = retention(tiny(), start=users, counts=True)
    # Dec cohort {c1}: Dec -, Jan c1, Feb c1, Mar c1.  Jan cohort {c2, c3, c4}: Jan c2 c4,
    # Feb c3 c4, Mar c3.  Feb cohort {c5}: no orders at all.
    assert [str(p) for p in t.index] == ["2024-12", "2025-01", "2025-02"]
    assert t.columns.name == "periods_since_start"
    assert_cells(t, [[0, 1, 1, 1], [2, 2, 1, NAN], [0, 0, NAN, NAN]])
    assert cohort_sizes(tiny(), start=users).sum() == 5
    # as a Series indexed by customer id: the same
    series = users.set_index("user_id")["signup_time"]
    pd.testing.assert_frame_equal(retention(tiny(), start=series, counts=True), t)
    # asof in January: c5 (February sign-up) cannot be observed yet and is left out
    early = retention(tiny(), start=users, counts=True, asof="2025-02-01")
    assert_cells(early, [[0, 1], [2, NAN]])
    assert cohort_sizes(tiny(), start=users, asof="2025-02-01").sum() == 4


def test_start_ignores_activity_before_the_start():
    users = pd.DataFrame({"user_id": [1, 2, 3, 4],
                          "signup_time": pd.to_datetime(["2025-02-01"] * 4)})
    t = retention(tiny(), start=users, counts=True)
    # January orders are before everyone's start: Feb {c1, c3, c4}, Mar {c1, c3}
    assert_cells(t, [[3, 2]])


def test_by_splits_the_cohorts():
    o = tiny()
    o["channel"] = o["user_id"].map({1: "ads", 2: "organic", 3: "ads", 4: "organic"})
    t = retention(o, by="channel", counts=True)
    assert list(t.index.names) == ["channel", "cohort"]
    assert [(g, str(c)) for g, c in t.index] == [
        ("ads", "2025-01"), ("ads", "2025-02"), ("organic", "2025-01")]
    assert_cells(t, [[1, 1, 1], [1, 1, NAN], [2, 1, 0]])
    whole = retention(o, counts=True)
    pd.testing.assert_frame_equal(
        t.groupby(level="cohort").sum(min_count=1), whole, check_names=False)


def test_by_keeps_category_order_and_drops_unused():
    o = tiny()
    o["segment"] = pd.Categorical(o["user_id"].map({1: "b", 2: "a", 3: "b", 4: "a"}),
                                  categories=["b", "z", "a"])
    t = ltv_curves(o, by="segment", pooled=True)
    assert list(t.index) == ["b", "a"] and t.index.name == "segment"


# --------------------------------------------------------------------------- properties


def random_orders(seed: int, n: int = 600, customers: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-11-01T00:00:00")
    seconds = rng.integers(0, 200 * 86_400, n).astype("timedelta64[s]")
    return pd.DataFrame({
        "user_id": rng.integers(1, customers + 1, n) * 7 + 1000,  # sparse, non-zero ids
        "order_time": start + seconds,
        "amount": np.round(rng.gamma(2.0, 40.0, n), 2),
    })


def reference_counts(o: pd.DataFrame, period: str) -> pd.DataFrame:
    """Distinct customers per (cohort, periods since first) with pandas Periods."""
    p = o["order_time"].dt.to_period(period)
    ordinal = pd.Series(p.array.asi8, index=o.index)
    first = ordinal.groupby(o["user_id"]).transform("min")
    frame = pd.DataFrame({"c": o["user_id"], "cohort": first, "k": ordinal - first})
    return frame.groupby(["cohort", "k"])["c"].nunique().unstack(fill_value=0)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("period", ["D", "W", "M", "Q"])
def test_matches_a_plain_pandas_reference(seed, period):
    o = random_orders(seed)
    ours = retention(o, per=period, counts=True)
    ref = reference_counts(o, period)
    freq = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q-DEC"}[period]
    assert list(ours.index) == list(pd.PeriodIndex.from_ordinals(ref.index, freq=freq))
    for k in ref.columns:
        np.testing.assert_array_equal(ours[k].fillna(0).to_numpy(), ref[k].to_numpy())


@pytest.mark.parametrize("seed", [3, 4])
def test_properties(seed):
    o = random_orders(seed)
    shares = retention(o)
    counts = retention(o, counts=True)
    sizes = cohort_sizes(o)
    assert sizes.sum() == o["user_id"].nunique()
    assert (shares[0] == 1.0).all()
    np.testing.assert_array_equal(counts[0].to_numpy(), sizes.to_numpy())
    assert ((counts.le(counts[0], axis=0)) | counts.isna()).all().all()
    revenue = retention(o, value="amount")
    assert revenue.sum().sum() == pytest.approx(o["amount"].sum())
    ltv = ltv_curves(o)
    last = ltv.ffill(axis=1).iloc[:, -1]
    assert (last * sizes).sum() == pytest.approx(o["amount"].sum())
    assert (ltv.diff(axis=1).iloc[:, 1:].fillna(0) >= -1e-9).all().all()
    pooled = ltv_curves(o, pooled=True)
    assert (pooled.diff(axis=1).iloc[:, 1:].dropna(axis=1) >= -1e-9).all().all()
    # pooled step 0 = revenue of period 0 per customer, over all cohorts
    assert pooled.iloc[0, 0] == pytest.approx(revenue[0].sum() / sizes.sum())


@pytest.mark.parametrize("seed", [5, 6])
def test_shuffling_rows_changes_nothing(seed):
    o = random_orders(seed)
    shuffled = o.sample(frac=1.0, random_state=seed).set_axis(np.arange(len(o))[::-1] * 3)
    for fn in (lambda d: retention(d), lambda d: retention(d, value="amount", per="W"),
               lambda d: ltv_curves(d, pooled=True),
               lambda d: day_n_retention(d, at="order_time", days=(1, 7, 30), basis="within")):
        a, b = fn(o), fn(shuffled)
        pd.testing.assert_frame_equal(a, b)
        assert a.attrs == b.attrs


def test_string_ids_and_string_times_work():
    o = tiny()
    o = o.assign(user_id="c" + o["user_id"].astype(str),
                 order_time=o["order_time"].dt.strftime("%Y-%m-%d %H:%M"))
    assert_cells(retention(o), [[1.0, 2 / 3, 1 / 3], [1.0, 1.0, NAN]])


# --------------------------------------------------------------------------- day N


def signups_and_events() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Users 1-3 sign up on 1 March, user 4 on 7 March; data ends 8 March.

    user 1: back on 2 March (day 1) and 8 March (day 7)
    user 2: signs up at 23:50, back at 00:10 on 2 March (day 1, twenty minutes later)
    user 3: never back; user 4: back on 8 March (day 1); user 5: signs up, no events at all
    """
    users = pd.DataFrame({
        "user_id": [1, 2, 3, 4, 5],
        "signup_time": pd.to_datetime(["2025-03-01 09:00", "2025-03-01 23:50",
                                       "2025-03-01 12:00", "2025-03-07 08:00",
                                       "2025-03-03 10:00"]),
    })
    events = pd.DataFrame({
        "user_id": [1, 1, 1, 2, 2, 3, 4, 4],
        "event_time": pd.to_datetime([
            "2025-03-01 09:00", "2025-03-02 08:00", "2025-03-08 10:00", "2025-03-01 23:50",
            "2025-03-02 00:10", "2025-03-01 12:00", "2025-03-07 08:00", "2025-03-08 09:00",
        ]),
    })
    return users, events


def test_day_n_exact_hand_computed():
    users, events = signups_and_events()
    out = day_n_retention(events, start=users, days=(1, 2, 7))
    # day 1: all five observed (5's day 1 is 4 March); back: 1, 2, 4 -> 3 / 5
    # day 2: users 1, 2, 3, 5 observed (4's day 2 is 9 March); back on day 2: nobody
    # day 7: users 1, 2, 3 observed; back on 8 March: user 1 -> 1 / 3
    assert out["users"].tolist() == [5, 4, 3]
    assert out["retained"].tolist() == [3, 0, 1]
    np.testing.assert_allclose(out["rate"], [3 / 5, 0.0, 1 / 3])
    assert out.index.name == "day"


def test_day_n_within_and_without_start():
    users, events = signups_and_events()
    within = day_n_retention(events, start=users, days=(7,),
                             basis="within")
    assert within["retained"].tolist() == [2] and within["users"].tolist() == [3]
    # without start, day 0 is the first event; user 5 has none and is not counted
    own = day_n_retention(events, days=(1,))
    assert own["users"].tolist() == [4] and own["retained"].tolist() == [3]


def test_day_n_nobody_observed_is_nan_not_zero():
    users, events = signups_and_events()
    out = day_n_retention(events, start=users, days=(30,))
    assert out["users"].tolist() == [0] and np.isnan(out["rate"].iloc[0])


def test_day_n_by_group():
    users, events = signups_and_events()
    users = users.assign(channel=["a", "b", "a", "b", "a"])
    out = day_n_retention(events, start=users, days=(1,), by="channel")
    assert out.index.names == ["channel", "day"]
    assert out["users"].tolist() == [3, 2] and out["retained"].tolist() == [1, 2]


# --------------------------------------------------------------------------- course data


@pytest.fixture(scope="module")
def course(tables):
    return tables["orders"], tables["events"], tables["users"]


def test_course_day_1_7_30_retention_decays(course):
    _, events, users = course
    out = day_n_retention(events, start=users)
    r1, r7, r30 = out["rate"].tolist()
    assert r1 > r7 > r30 > 0
    assert out["users"].is_monotonic_decreasing


def test_course_monthly_retention(course):
    orders, _, users = course
    t = retention(orders)
    assert (t[0] == 1.0).all()
    assert cohort_sizes(orders).sum() == orders["user_id"].nunique()
    assert np.isnan(t.iloc[-1, 1]) and not np.isnan(t.iloc[0, -1])
    events = course[1]
    weekly = retention(events, at="event_time", per="W")
    assert (weekly[0] == 1.0).all() and (weekly[1].dropna() < 1.0).all()
    assert np.isnan(weekly[1].iloc[-1])  # the last week has no week 1 yet
    by_signup = retention(orders, start=users)
    assert cohort_sizes(orders, start=users).sum() == len(users)
    assert (by_signup[0] < 1).all()  # not every new user buys in their sign-up month


# --------------------------------------------------------------------------- bad input

CALLS = {
    "retention": lambda d, **kw: retention(d, **kw),
    "revenue": lambda d, **kw: retention(d, value="amount", **kw),
    "ltv_curves": lambda d, **kw: ltv_curves(d, **kw),
    "day_n": lambda d, **kw: day_n_retention(d, at="order_time", **kw),
}


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize(("change", "column", "reason"), [
    (lambda o: o.drop(columns="user_id"), ["user_id"], "missing column"),
    (lambda o: o.drop(columns="order_time"), ["order_time"], "missing column"),
    (lambda o: o.assign(order_time=o["order_time"].where(o.index != 2)), "order_time",
     "missing dates"),
    (lambda o: o.assign(order_time=o["order_time"].astype(str).where(o.index != 1, "soon")),
     "order_time", "cannot be parsed"),
    (lambda o: o.assign(user_id=o["user_id"].where(o.index != 0)), "user_id",
     "missing ids"),
])
def test_bad_columns_are_named(call, change, column, reason):
    with pytest.raises(DataError) as info:
        CALLS[call](change(tiny()))
    assert info.value.column == column and reason in info.value.reason


@pytest.mark.parametrize("call", ["revenue", "ltv_curves"])
def test_negative_and_missing_amounts(call):
    o = tiny()
    with pytest.raises(DataError) as info:
        CALLS[call](o.assign(amount=o["amount"].where(o.index != 3, -5.0)))
    assert info.value.column == "amount" and "negative" in info.value.reason
    with pytest.raises(DataError) as info:
        CALLS[call](o.drop(columns="amount"))
    assert info.value.column == ["amount"]


@pytest.mark.parametrize("call", list(CALLS))
def test_empty_input(call):
    with pytest.raises(DataError) as info:
        CALLS[call](tiny().iloc[:0])
    assert "empty" in info.value.reason and info.value.table in ("activity", "orders", "events")


@pytest.mark.parametrize("period", ["month", "MS", "H", 3, None])
def test_unknown_period(period):
    for fn in (retention, ltv_curves):
        with pytest.raises(ArgumentError) as info:
            fn(tiny(), per=period)
        assert info.value.name == "per"


@pytest.mark.parametrize(("kwargs", "column"), [
    (dict(kind="buyers"), "kind"),
    (dict(kind="revenue"), "value"),
    (dict(value="amount", counts=True), "counts"),
    (dict(value="price"), ["price"]),
])
def test_bad_retention_arguments(kwargs, column):
    with pytest.raises(CourseError) as info:
        retention(tiny(), **kwargs)
    assert named(info.value) == column


@pytest.mark.parametrize(("kwargs", "column"), [
    (dict(days=(0, 7)), "days"),
    (dict(days=(1.5,)), "days"),
    (dict(days=()), "days"),
    (dict(basis="rolling"), "basis"),
])
def test_bad_day_n_arguments(kwargs, column):
    with pytest.raises(ArgumentError) as info:
        day_n_retention(tiny(), at="order_time", **kwargs)
    assert info.value.name == column


def test_bad_start_and_by():
    o = tiny()
    short = pd.DataFrame({"user_id": [1, 2, 3],
                          "signup_time": pd.to_datetime(["2025-01-01"] * 3)})
    with pytest.raises(DataError) as info:
        retention(o, start=short)
    assert info.value.table == "start" and info.value.column == "user_id"
    assert "not in start" in info.value.reason and 4 in info.value.rows["user_id"].tolist()
    twice = pd.concat([short, short.assign(user_id=4), short.iloc[:1]])
    with pytest.raises(DataError) as info:
        retention(o, start=twice)
    assert info.value.column == "user_id" and "duplicate" in info.value.reason
    with pytest.raises(DataError) as info:
        retention(o, start=short.assign(signup_time=[pd.NaT] * 3))
    assert info.value.column == "signup_time"
    with pytest.raises(DataError) as info:
        retention(o, start=short.rename(columns={"signup_time": "joined"}))
    assert info.value.column == ["signup_time"]
    with pytest.raises(DataError) as info:
        ltv_curves(o, by="channel")
    assert info.value.table == "orders" and info.value.column == "channel"
    varying = o.assign(channel=["a", "b"] * (len(o) // 2) + ["a"] * (len(o) % 2))
    with pytest.raises(DataError) as info:
        ltv_curves(varying, by="channel")
    assert info.value.column == "channel" and "more than one value" in info.value.reason
    gaps = o.assign(channel=o["user_id"].map({1: "a", 2: "b", 4: "a"}))
    with pytest.raises(DataError) as info:
        ltv_curves(gaps, by="channel")
    assert info.value.column == "channel" and 3 in info.value.rows["user_id"].tolist()
    with pytest.raises(DataError) as info:  # from start=users when the column is there
        retention(o, start=short.assign(user_id=[1, 2, 3]).pipe(
            lambda s: pd.concat([s, s.iloc[:1].assign(user_id=4)])).assign(
            channel=["a", "b", None, "a"]), by="channel")
    assert info.value.table == "start" and info.value.column == "channel"
    with pytest.raises(ArgumentError) as info:
        ltv_curves(o, by={1: "a"})
    assert info.value.name == "by"


def test_time_zone_aware_times_are_refused():
    o = tiny()
    o["order_time"] = o["order_time"].dt.tz_localize("Asia/Shanghai")
    with pytest.raises(DataError) as info:
        retention(o)
    assert info.value.column == "order_time"
