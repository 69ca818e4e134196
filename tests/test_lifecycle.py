"""Lifecycle stages: the rules, their order, the boundaries, and bad input."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import named

import coursekit
from coursekit import lifecycle as lc
from coursekit.errors import CourseError, DataError


def log(rows):
    return pd.DataFrame(rows, columns=["user_id", "order_time"]).assign(
        order_time=lambda d: pd.to_datetime(d["order_time"]))


ASOF = "2025-07-01"


@pytest.mark.parametrize(
    ("times", "stage"),
    [
        (["2025-06-20"], "new"),                       # tenure 11 days
        (["2025-06-01"], "growing"),                   # tenure 30 days: no longer new
        (["2025-05-02"] * 1 + ["2025-06-01"], "growing"),
        (["2025-03-01", "2025-04-01", "2025-05-01", "2025-06-01"], "mature"),
        (["2025-04-02"], "dormant"),                   # recency 90
        (["2025-04-03"], "growing"),                   # recency 89
        (["2025-01-02"], "churned"),                   # recency 180
        (["2024-01-01"] * 3 + ["2025-01-03"], "dormant"),  # recency 179: mature habits lapse
    ],
)
def test_rules_and_boundaries(times, stage):
    got = lc.stages(log([(1, t) for t in times]), asof=ASOF)
    assert got.loc[1, "stage"] == stage


def test_later_orders_are_ignored_and_counts_add_up():
    orders = log([(1, "2025-01-01"), (1, "2025-08-01"), (2, "2025-09-01")])
    got = lc.stages(orders, asof=ASOF)
    assert list(got.index) == [1] and got.loc[1, "orders"] == 1
    days = pd.date_range("2025-02-01", "2025-10-01", freq="MS")
    counts = lc.stage_counts(orders, days)
    buyers = [orders.loc[orders["order_time"] < d, "user_id"].nunique() for d in days]
    assert counts.sum(axis=1).tolist() == buyers


def test_default_asof_is_the_day_after_the_data():
    got = lc.stages(log([(1, "2025-01-01 10:00"), (2, "2025-03-01 23:00")]))
    assert got["recency_days"].tolist() == [59, 0]


def test_course_data_has_every_stage_and_stages_follow_the_world():
    orders = coursekit.load("orders")
    got = lc.stages(orders, asof="2026-01-01")
    assert set(got["stage"]) == set(lc.STAGES)
    assert len(got) == orders["user_id"].nunique()
    assert set(lc.ACTIONS) == set(lc.STAGES)


def test_suggested_thresholds_come_from_gaps():
    orders = log([(1, "2025-01-01"), (1, "2025-01-11"), (2, "2025-01-01"), (2, "2025-03-02")])
    assert lc.suggest_thresholds(orders, quantiles=(0.5, 1.0)) == {
        "dormant_days": 35, "churned_days": 60}
    with pytest.raises(DataError, match="two orders"):
        lc.suggest_thresholds(log([(1, "2025-01-01"), (2, "2025-01-02")]))


@pytest.mark.parametrize(
    ("call", "column"),
    [
        (lambda o: lc.stages(o, asof="2024-01-01"), "asof"),
        (lambda o: lc.stages(o, asof="someday"), "asof"),
        (lambda o: lc.stages(o, dormant_days=200), ["new_days", "dormant_days", "churned_days",
                                                     "mature_orders"]),
        (lambda o: lc.stages(o.rename(columns={"order_time": "t"})), ["order_time"]),
        (lambda o: lc.stages(o.assign(order_time=[pd.NaT, pd.NaT])), "order_time"),
        (lambda o: lc.stages(o.iloc[:0]), None),
        (lambda o: lc.stages(o, customer="customer_id"), ["customer_id"]),
    ],
)
def test_bad_input_names_the_column(call, column):
    with pytest.raises(CourseError) as info:
        call(log([(1, "2025-01-01"), (2, "2025-02-01")]))
    assert named(info.value) == column
