"""Module 0 checks, three ways: the solution passes, a stub is not attempted,
plausible wrong answers fail with the hint aimed at them. The wrong answers
are written here independently of the checks' own list of mistakes."""

from __future__ import annotations

import pytest

import coursekit
from coursekit.exercises import ____, m00


@pytest.fixture(scope="module")
def data():
    return coursekit.load("users"), coursekit.load("orders")


def _daily(orders, year=None):
    if year is not None:
        orders = orders[orders["order_time"].dt.year == year]
    return orders.groupby(orders["order_time"].dt.normalize()).size()


def test_q1_signups_by_channel(data):
    users, orders = data
    q1 = m00.SignupsByChannel()
    assert q1.evaluate(signups=____).status == "not_attempted"
    assert q1.evaluate(signups=users["channel"].value_counts()).status == "correct"
    # The order of channels does not matter.
    counts = users.groupby("channel", observed=True).size()
    assert q1.evaluate(signups=counts.sort_index()).status == "correct"
    shares = users["channel"].value_counts(normalize=True)
    r = q1.evaluate(signups=shares)
    assert r.status == "incorrect" and "shares" in r.message
    per_order = orders.merge(users, on="user_id")["channel"].value_counts()
    r = q1.evaluate(signups=per_order)
    assert r.status == "incorrect" and "orders per channel" in r.message
    r = q1.evaluate(signups=5)
    assert r.status == "incorrect"


def test_q2_peak_day(data):
    _, orders = data
    q2 = m00.PeakDay()
    assert q2.evaluate(peak_day=____, peak_ratio=____).status == "not_attempted"
    daily = _daily(orders, 2025)
    good = dict(peak_day=daily.idxmax(), peak_ratio=daily.max() / daily.median())
    assert q2.evaluate(**good).status == "correct"
    r = q2.evaluate(peak_day=daily.idxmax(), peak_ratio=daily.max() / daily.mean())
    assert r.status == "incorrect" and "median" in r.message
    both = _daily(orders)
    r = q2.evaluate(peak_day=both.idxmax(), peak_ratio=both.max() / both.median())
    assert r.status == "incorrect" and "2025" in r.message
    r = q2.evaluate(peak_day="11-11", peak_ratio=good["peak_ratio"])
    assert r.status == "incorrect"


def test_q3_buyer_share(data):
    users, orders = data
    q3 = m00.BuyerShare()
    assert q3.evaluate(buyer_share=____).status == "not_attempted"
    assert q3.evaluate(buyer_share=orders["user_id"].nunique() / len(users)).status == "correct"
    r = q3.evaluate(buyer_share=len(orders) / len(users))
    assert r.status == "incorrect" and "one buyer" in r.message
    r = q3.evaluate(buyer_share=users["user_id"].isin(orders["user_id"]).mean() * 100)
    assert r.status == "incorrect"


def test_checks_follow_the_world_in_use(tmp_path):
    """On another world the expected values change with the data."""
    from coursekit.world import write_world

    write_world(tmp_path, users=1500, seed=11)
    users = coursekit.load("users", world=tmp_path)
    orders = coursekit.load("orders", world=tmp_path)
    coursekit.use_world(tmp_path)
    try:
        q3 = m00.BuyerShare()
        assert q3.evaluate(buyer_share=orders["user_id"].nunique() / len(users)).is_correct
    finally:
        coursekit.use_world(None)
