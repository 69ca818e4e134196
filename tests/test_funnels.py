"""Funnels: AIPL rules and boundaries, counts and flows on the course data,
ordered funnels against a brute-force reference, paths, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import named

import coursekit
from coursekit import funnels as fu
from coursekit.errors import CourseError


def log(rows, columns=("user_id", "event_time", "event_type")) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns)).assign(
        event_time=lambda d: pd.to_datetime(d["event_time"]))


ASOF = "2025-07-01"


# --------------------------------------------------------------------------- AIPL rules


@pytest.mark.parametrize(
    ("kinds", "stage"),
    [
        (["signup"], "awareness"),
        (["view", "view", "view"], "awareness"),
        (["view", "search"], "interest"),
        (["add_to_cart"], "interest"),
        (["share"], "interest"),
        (["invite"], "interest"),
        (["order"], "purchase"),               # an order without any engagement event
        (["view", "add_to_cart", "order"], "purchase"),
        (["order", "view", "order"], "loyalty"),
    ],
)
def test_highest_stage_reached(kinds, stage):
    rows = [(1, f"2025-06-{day + 1:02d}", k) for day, k in enumerate(kinds)]
    got = fu.aipl(log(rows), asof=ASOF)
    assert got.loc[1, "stage"] == stage
    assert got["stage"].cat.ordered and list(got["stage"].cat.categories) == fu.STAGES


def test_counts_behind_the_stage_and_the_loyalty_threshold():
    rows = [(1, "2025-01-01", "view"), (1, "2025-01-02", "search"), (1, "2025-02-01", "order"),
            (1, "2025-03-01", "order")]
    got = fu.aipl(log(rows), asof=ASOF)
    assert got.loc[1, ["events", "engagements", "orders"]].tolist() == [4, 1, 2]
    assert fu.aipl(log(rows), asof=ASOF, loyal_orders=3).loc[1, "stage"] == "purchase"
    assert fu.aipl(log(rows), asof=ASOF, interest_events=["share"]).loc[1, "engagements"] == 0


def test_asof_excludes_its_own_moment_and_later_events():
    rows = [(1, "2025-01-01", "view"), (1, "2025-07-01", "order"), (2, "2025-08-01", "view")]
    got = fu.aipl(log(rows), asof=ASOF)
    assert list(got.index) == [1] and got.loc[1, "stage"] == "awareness"
    assert fu.aipl(log(rows)).loc[1, "stage"] == "purchase"  # default: the day after the data


def test_window_days_counts_only_recent_behaviour():
    rows = [(1, "2025-01-01", "order"), (1, "2025-06-20", "order"), (2, "2025-02-01", "search"),
            (2, "2025-06-25", "view")]
    got = fu.aipl(log(rows), asof=ASOF, window_days=30)
    assert got["stage"].tolist() == ["purchase", "awareness"]
    assert got.loc[1, "orders"] == 1
    assert fu.aipl(log(rows), asof=ASOF, window_days=200)["stage"].tolist() == [
        "loyalty", "interest"]
    assert list(fu.aipl(log(rows), asof=ASOF, window_days=8).index) == [2]


def test_orders_table_replaces_order_events():
    events = log([(1, "2025-01-01", "view"), (1, "2025-01-02", "order"), (2, "2025-01-05", "view")])
    orders = pd.DataFrame({"user_id": [2, 2, 3],
                           "order_time": pd.to_datetime(["2025-02-01", "2025-03-01",
                                                         "2025-03-02"])})
    got = fu.aipl(events, asof=ASOF, orders=orders)
    # customer 1's order event is not in the orders table: awareness only
    assert got["stage"].to_dict() == {1: "awareness", 2: "loyalty", 3: "purchase"}


# --------------------------------------------------------------------------- counts and flows


def test_counts_and_flows_add_up_on_a_small_log():
    rows = [(1, "2025-01-01", "view"), (2, "2025-01-05", "search"), (2, "2025-02-01", "order"),
            (3, "2025-03-01", "order"), (3, "2025-03-02", "order")]
    counts = fu.aipl_counts(log(rows), ["2025-01-10", "2025-04-01"])
    assert counts.loc[:, "total"].tolist() == [2, 3]
    flows = fu.aipl_flows(log(rows), "2025-01-10", "2025-04-01")
    assert flows.to_numpy().sum() == 3
    assert flows.sum(axis=0).iloc[1:].tolist() == counts.iloc[1, :4].tolist()
    assert flows.sum(axis=1).iloc[1:].tolist() == counts.iloc[0, :4].tolist()
    assert flows.loc["interest", "purchase"] == 1 and flows.loc["none", "loyalty"] == 1
    single = fu.aipl_counts(log(rows), "2025-04-01")
    assert single.index.tolist() == [pd.Timestamp("2025-04-01")]


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return coursekit.load("events")


def test_course_counts_conserve_users(events):
    days = pd.date_range("2024-04-01", "2026-01-01", freq="QS")
    counts = fu.aipl_counts(events, days)
    seen = [events.loc[events["event_time"] < d, "user_id"].nunique() for d in days]
    assert counts["total"].tolist() == seen
    assert counts[fu.STAGES].sum(axis=1).tolist() == seen
    assert counts["total"].iloc[-1] == events["user_id"].nunique() == 20_000
    assert (counts[fu.STAGES].iloc[-1] > 1000).all()  # every stage well filled
    # cumulative: loyalty and purchase-or-better never shrink
    assert counts["loyalty"].is_monotonic_increasing
    assert counts[["purchase", "loyalty"]].sum(axis=1).is_monotonic_increasing
    # buyers = users with an order event
    buyers = events.loc[events["event_type"] == "order", "user_id"].nunique()
    assert counts[["purchase", "loyalty"]].iloc[-1].sum() == buyers


def test_course_stages_never_go_down_when_cumulative(events):
    a = fu.aipl(events, asof="2025-01-01")
    b = fu.aipl(events, asof="2025-07-01")
    assert set(a.index) <= set(b.index)
    both = b.loc[a.index, "stage"].cat.codes.to_numpy()
    assert (both >= a["stage"].cat.codes.to_numpy()).all()
    flows = fu.aipl_flows(events, "2025-01-01", "2025-07-01")
    cells = flows.to_numpy()
    assert (np.tril(cells, -1) == 0).all() and cells[:, 0].sum() == 0
    assert cells.sum() == len(b)
    assert flows.sum(axis=1).iloc[1:].tolist() == a["stage"].value_counts(sort=False).tolist()


def test_course_stages_can_fall_back_with_a_window(events):
    flows = fu.aipl_flows(events, "2025-01-01", "2025-07-01", window_days=90)
    assert np.tril(flows.to_numpy(), -1).sum() > 0  # lapsed buyers drop back
    assert flows["none"].sum() > 0


def test_course_orders_table_agrees_with_order_events(events):
    orders = coursekit.load("orders")
    a = fu.aipl(events, asof="2025-06-01")
    b = fu.aipl(events, asof="2025-06-01", orders=orders)
    assert a["stage"].equals(b["stage"])


# --------------------------------------------------------------------------- funnel


def brute_force(ev: pd.DataFrame, steps: list[str], session: bool,
                window_days: float | None) -> list[int]:
    """Deepest step per user, trying every start with the earliest next step."""
    reach = {}
    key = ["user_id", "session_id"] if session else ["user_id"]
    limit = None if window_days is None else pd.Timedelta(days=window_days)
    for k, g in ev.sort_values("event_time", kind="stable").groupby(key):
        user = k[0]
        times = list(g["event_time"])
        kinds = list(g["event_type"])
        best = 0
        for i, kind in enumerate(kinds):
            if kind != steps[0]:
                continue
            level, t, last = 1, times[i], i
            for step in steps[1:]:
                nxt = [j for j in range(len(kinds)) if kinds[j] == step and times[j] >= t
                       and j != last and (limit is None or times[j] - times[i] <= limit)]
                if not nxt:
                    break
                j = min(nxt, key=lambda j: times[j])
                level, t, last = level + 1, times[j], j
            best = max(best, level)
        reach[user] = max(reach.get(user, 0), best)
    return [sum(v >= s for v in reach.values()) for s in range(1, len(steps) + 1)]


def test_funnel_respects_order_sessions_and_windows():
    ev = pd.DataFrame({
        "user_id": [1, 1, 1, 2, 2, 3, 3, 4, 4, 4],
        "session_id": [1, 1, 1, 2, 3, 4, 4, 5, 5, 5],
        "event_time": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:05",
                                      "2025-01-01 10:09", "2025-01-01 11:00",
                                      "2025-01-03 09:00", "2025-01-02 09:00",
                                      "2025-01-02 09:05", "2025-01-04 08:00",
                                      "2025-01-04 08:00", "2025-01-04 08:00"]),
        "event_type": ["view", "add_to_cart", "order", "view", "add_to_cart",
                       "add_to_cart", "view",                     # wrong order: stops at view
                       "view", "add_to_cart", "order"],           # same second: counts
    })
    got = fu.funnel(ev)
    assert got["users"].tolist() == [4, 2, 2]
    assert got["step_conversion"].tolist() == [1.0, 0.5, 1.0]
    assert got["overall_conversion"].tolist() == [1.0, 0.5, 0.5]
    assert fu.funnel(ev, session=None)["users"].tolist() == [4, 3, 2]
    assert fu.funnel(ev, session=None, window_days=1)["users"].tolist() == [4, 2, 2]
    assert fu.funnel(ev, session=None, window_days=3)["users"].tolist() == [4, 3, 2]
    # reversed steps: customer 3, and customer 4 whose events share one second (ties count)
    assert fu.funnel(ev, steps=["add_to_cart", "view"], session=None)["users"].tolist() == [4, 2]


def test_funnel_keeps_the_latest_start_inside_a_window():
    # an early view too far back, a later view close enough: the later one starts the chain
    ev = log([(1, "2025-01-01", "view"), (1, "2025-01-20", "view"),
              (1, "2025-01-22", "add_to_cart"), (1, "2025-01-23", "order")])
    assert fu.funnel(ev, session=None, window_days=5)["users"].tolist() == [1, 1, 1]
    assert fu.funnel(ev, session=None, window_days=1)["users"].tolist() == [1, 0, 0]


@pytest.mark.parametrize(("session", "window_days"),
                         [(True, None), (False, None), (False, 2 / 24), (False, 1), (True, 2 / 24)])
def test_funnel_matches_a_brute_force_reference(session, window_days):
    rng = np.random.default_rng(11)
    n = 600
    ev = pd.DataFrame({
        "user_id": rng.integers(1, 60, n),
        "event_time": pd.Timestamp("2025-01-01") + pd.to_timedelta(
            rng.integers(0, 3 * 24 * 60, n), unit="min"),
        "event_type": rng.choice(["view", "search", "add_to_cart", "order"], n,
                                 p=[0.5, 0.2, 0.2, 0.1]),
    })
    ev["session_id"] = ev["user_id"] * 10 + ev["event_time"].dt.day
    steps = ["view", "add_to_cart", "order"]
    got = fu.funnel(ev, steps, session="session_id" if session else None,
                    window_days=window_days)["users"].tolist()
    assert got == brute_force(ev, steps, session, window_days)
    assert got == sorted(got, reverse=True)


def test_course_funnel_and_windows(events):
    fun = fu.funnel(events)
    assert fun.index.tolist() == ["view", "add_to_cart", "order"]
    assert fun["users"].iloc[-1] == events.loc[events["event_type"] == "order",
                                               "user_id"].nunique()
    wide = fu.funnel(events, session=None)
    assert (wide["users"] >= fun["users"]).all()


# --------------------------------------------------------------------------- paths


def test_paths_of_new_and_returning_customers(events):
    # Each invitation is logged as a session of its own (an invite event only): not a
    # shopping visit, left out as lesson 5a does.
    kinds = events.groupby("session_id")["event_type"].agg(lambda e: set(e) == {"invite"})
    events = events[~events["session_id"].isin(kinds.index[kinds])]
    res = fu.new_vs_returning_paths(events, top=5)
    s = res.summary
    assert s.index.tolist() == ["new", "returning"]
    assert s["sessions"].sum() == events["session_id"].nunique()
    buyers = events.loc[events["event_type"] == "order", "user_id"].nunique()
    assert s.loc["returning", "customers"] <= buyers
    assert s.loc["new", "with_signup"] > 0 and s.loc["returning", "with_signup"] == 0
    assert s.loc["returning", "conversion"] > s.loc["new", "conversion"]
    assert len(res.paths) == 10 and (res.paths["share"] <= 1).all()
    assert res.paths.groupby("customer_type")["sessions"].apply(
        lambda x: x.is_monotonic_decreasing).all()


def test_paths_collapse_repeats_and_cut_long_sessions():
    ev = pd.DataFrame({
        "user_id": [1] * 7,
        "session_id": [1] * 7,
        "event_time": pd.date_range("2025-01-01", periods=7, freq="min"),
        "event_type": ["view", "view", "search", "view", "add_to_cart", "view", "order"],
    })
    res = fu.new_vs_returning_paths(ev, max_steps=3)
    assert res.paths["path"].tolist() == ["view > search > view > ..."]
    full = fu.new_vs_returning_paths(ev, max_steps=12)
    assert full.paths["path"].tolist() == ["view > search > view > add_to_cart > view > order"]


# --------------------------------------------------------------------------- bad input


def good() -> pd.DataFrame:
    return pd.DataFrame({
        "user_id": [1, 1, 2],
        "session_id": [1, 1, 2],
        "event_time": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:05", "2025-01-02 09:00"]),
        "event_type": ["view", "add_to_cart", "view"],
    })


@pytest.mark.parametrize(
    ("call", "column"),
    [
        (lambda e: fu.aipl(e.drop(columns="event_type")), ["event_type"]),
        (lambda e: fu.aipl(e, customer="customer_id"), ["customer_id"]),
        (lambda e: fu.aipl(e.iloc[:0]), None),
        (lambda e: fu.aipl(e.assign(event_time=["2025-01-01", "soon", "2025-01-02"])),
         "event_time"),
        (lambda e: fu.aipl(e.assign(event_time=pd.Series(
            ["2025-01-01T10:00+08:00", "2025-01-01T10:00+00:00", "2025-01-02"], dtype=object))),
         "event_time"),
        (lambda e: fu.aipl(e.assign(event_time=e["event_time"].dt.tz_localize("UTC"))),
         "event_time"),
        (lambda e: fu.aipl(e.assign(event_time=[pd.NaT, pd.NaT, pd.NaT])), "event_time"),
        (lambda e: fu.aipl(e.assign(user_id=[1, None, 2])), "user_id"),
        (lambda e: fu.aipl(e, asof="2024-12-01"), "asof"),
        (lambda e: fu.aipl(e, asof="next week"), "asof"),
        (lambda e: fu.aipl(e, loyal_orders=1), "loyal_orders"),
        (lambda e: fu.aipl(e, window_days=-3), "window_days"),
        (lambda e: fu.aipl(e, orders=e[["user_id"]]), ["order_time"]),
        (lambda e: fu.aipl_counts(e, []), "dates"),
        (lambda e: fu.aipl_counts(e, ["2024-06-01"]), "dates"),
        (lambda e: fu.aipl_counts(e, ["2025-06-01"], asof="2025-06-01"), "asof"),
        (lambda e: fu.aipl_counts(e, ["2025-06-01"], cutomer="x"), ["cutomer"]),
        (lambda e: fu.aipl_flows(e, "2025-03-01", "2025-02-01"), "date_b"),
        (lambda e: fu.aipl_flows(e, "2024-03-01", "2025-02-01"), "date_a"),
        (lambda e: fu.funnel(e, ["view", "add_to_cat"]), "event_type"),
        (lambda e: fu.funnel(e, ["view", "view"]), "steps"),
        (lambda e: fu.funnel(e, []), "steps"),
        (lambda e: fu.funnel(e, window_days="a while"), "window_days"),
        (lambda e: fu.funnel(e, window_days=0), "window_days"),
        (lambda e: fu.funnel(e.drop(columns="session_id")), ["session_id"]),
        (lambda e: fu.funnel(e.drop(columns="event_time"), session=None), ["event_time"]),
        (lambda e: fu.new_vs_returning_paths(e.assign(session_id=1)), "session_id"),
        (lambda e: fu.new_vs_returning_paths(e, max_steps=0), "max_steps"),
        (lambda e: fu.new_vs_returning_paths(e, top=0), "top"),
        (lambda e: fu.new_vs_returning_paths(e.drop(columns="session_id")), ["session_id"]),
    ],
)
def test_bad_input_names_the_column(call, column):
    with pytest.raises(CourseError) as info:
        call(good())
    assert named(info.value) == column
