"""Standard reports: hand-computed tables, every bad input, the dashboard, course data."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from coursekit import plots
from coursekit import reports as r
from coursekit.errors import ArgumentError, DataError

NAN = np.nan


def frame_equal(out: pd.DataFrame, expected: dict[str, list], index: list[str], freq: str):
    want = pd.DataFrame(expected, index=pd.PeriodIndex(index, freq=freq, name="period"))
    pd.testing.assert_frame_equal(out, want, check_dtype=False)


# --------------------------------------------------------------------------- service


def tickets() -> pd.DataFrame:
    """January: 4 tickets (10, 30, 40, 50 min); February: none; March: 1 ticket (60 min)."""
    return pd.DataFrame({
        "created_time": pd.to_datetime(["2025-01-02 09:00", "2025-01-10 12:00",
                                        "2025-01-20 08:00", "2025-01-31 23:00",
                                        "2025-03-05 10:00"]),
        "first_response_minutes": [10.0, 30.0, 40.0, 50.0, 60.0],
        "resolved": [True, False, True, True, False],
        "satisfaction": pd.array([5, pd.NA, 2, pd.NA, 1], dtype="Int64"),
        "reason": ["delivery_late"] * 5,
    })


def test_service_response_hand_computed():
    out = r.service_response(tickets())
    # January, sorted minutes 10, 30, 40, 50: median (30 + 40) / 2 = 35;
    # p90: h = (4 - 1) * 0.9 = 2.7 -> 40 + 0.7 * (50 - 40) = 47;
    # within 30 min (<= 30): 10 and 30 -> 2 of 4; resolved 3 of 4; rated 5 and 2 -> 3.5
    frame_equal(out, {
        "tickets": [4, 0, 1],
        "median_response_minutes": [35.0, NAN, 60.0],
        "p90_response_minutes": [47.0, NAN, 60.0],
        "within_target": [2, 0, 0],
        "within_target_share": [0.5, NAN, 0.0],
        "resolved": [3, 0, 0],
        "resolution_rate": [0.75, NAN, 0.0],
        "rated": [2, 0, 1],
        "satisfaction_mean": [3.5, NAN, 1.0],
    }, ["2025-01", "2025-02", "2025-03"], "M")


def test_service_response_target_and_weeks():
    out = r.service_response(tickets(), per="W", target_minutes=45, start="2025-01-01",
                             end="2025-01-12")
    # weeks of 2024-12-30 (10 min) and 2025-01-06 (30 min); both within 45
    assert list(out.index.start_time.strftime("%m-%d")) == ["12-30", "01-06"]
    assert out["tickets"].tolist() == [1, 1]
    assert out["within_target_share"].tolist() == [1.0, 1.0]


def test_service_quantiles_match_numpy():
    rng = np.random.default_rng(3)
    n = 300
    t = pd.DataFrame({
        "created_time": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 120, n),
                                                                     unit="D"),
        "first_response_minutes": rng.exponential(15, n).round(1),
        "resolved": rng.random(n) < 0.8,
        "satisfaction": rng.integers(1, 6, n),
    })
    out = r.service_response(t)
    month = t["created_time"].dt.to_period("M")
    for p, part in t.groupby(month)["first_response_minutes"]:
        assert out.loc[p, "median_response_minutes"] == pytest.approx(np.median(part))
        assert out.loc[p, "p90_response_minutes"] == pytest.approx(np.quantile(part, 0.9))


# --------------------------------------------------------------------------- shipping


def orders_shipping() -> pd.DataFrame:
    return pd.DataFrame({
        "order_time": pd.to_datetime(["2025-07-07 10:00", "2025-07-09 11:00",
                                      "2025-07-13 22:00", "2025-07-14 08:00",
                                      "2025-07-20 23:00", "2025-07-22 09:00"]),
        "warehouse": ["east", "east", "north", "east", "north", "south"],
        "promised_days": [2, 2, 2, 2, 3, 2],
        "delivery_days": [2, 3, 1, 5, 3, 2],
    })


def test_shipping_speed_hand_computed():
    out = r.shipping_speed(orders_shipping(), per="W")
    # week of 07-07: 2 (on time), 3 (late), 1 (on time) -> mean 2, 2 of 3 on time
    # week of 07-14: 5 (late), 3 <= 3 (on time) -> mean 4, 1 of 2
    # week of 07-21: 2 (on time)
    frame_equal(out, {
        "orders": [3, 2, 1],
        "mean_delivery_days": [2.0, 4.0, 2.0],
        "on_time": [2, 1, 1],
        "on_time_share": [2 / 3, 0.5, 1.0],
    }, ["2025-07-07", "2025-07-14", "2025-07-21"], "W-SUN")


def test_shipping_speed_by_warehouse():
    out = r.shipping_speed(orders_shipping(), per="W", by="warehouse")
    assert out.index.names == ["period", "warehouse"]
    assert len(out) == 3 * 3  # every warehouse in every week
    week = pd.Period("2025-07-14", freq="W-SUN")
    assert out.loc[(week, "east")].tolist() == [1, 5.0, 0, 0.0]
    assert out.loc[(week, "north")].tolist() == [1, 3.0, 1, 1.0]
    first = pd.Period("2025-07-07", freq="W-SUN")
    assert out.loc[(first, "east")].tolist() == [2, 2.5, 1, 0.5]
    south = out.loc[(first, "south")]
    assert south["orders"] == 0 and np.isnan(south["on_time_share"])
    # the split adds up to the total
    total = r.shipping_speed(orders_shipping(), per="W")
    assert (out["orders"].groupby(level=0).sum() == total["orders"]).all()


# --------------------------------------------------------------------------- customers


def users() -> pd.DataFrame:
    return pd.DataFrame({
        "user_id": [1, 2, 3, 4],
        "signup_time": pd.to_datetime(["2025-01-01", "2025-01-15", "2025-02-10",
                                       "2025-03-02"]),
        "member_tier": ["gold", "bronze", "bronze", "gold"],
    })


def orders_customers() -> pd.DataFrame:
    return pd.DataFrame({
        "user_id": [1, 2, 1, 2, 3, 3, 4, 1],
        "order_time": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-02-02", "2025-02-03",
                                      "2025-02-10", "2025-02-25", "2025-03-02",
                                      "2025-03-09"]),
        "amount": [100.0, 20.0, 80.0, 30.0, 50.0, 10.0, 40.0, 60.0],
    })


def test_customer_structure_hand_computed():
    out = r.customer_structure(users(), orders_customers())
    # Jan: 1 and 2 new (120); Feb: 1 and 2 back (110), 3 new with two orders (60);
    # Mar: 4 new (40), 1 back (60)
    frame_equal(out, {
        "buyers": [2, 3, 2],
        "new_buyers": [2, 1, 1],
        "returning_buyers": [0, 2, 1],
        "returning_buyer_share": [0.0, 2 / 3, 0.5],
        "revenue": [120.0, 170.0, 100.0],
        "returning_revenue": [0.0, 110.0, 60.0],
        "returning_revenue_share": [0.0, 110 / 170, 0.6],
    }, ["2025-01", "2025-02", "2025-03"], "M")


def test_customer_structure_by_tier():
    out = r.customer_structure(users(), orders_customers(), by="member_tier")
    assert out.index.names == ["period", "member_tier"]
    mar = pd.Period("2025-03", freq="M")
    # gold in March: 4 new (40) and 1 back (60)
    assert out.loc[(mar, "gold"), ["buyers", "new_buyers", "returning_buyers"]].tolist() == [
        2, 1, 1]
    assert out.loc[(mar, "gold"), "returning_revenue_share"] == pytest.approx(0.6)
    # bronze in March: nobody bought
    assert out.loc[(mar, "bronze"), "buyers"] == 0
    assert np.isnan(out.loc[(mar, "bronze"), "returning_revenue_share"])
    feb = pd.Period("2025-02", freq="M")
    assert out.loc[(feb, "bronze"), ["buyers", "new_buyers", "revenue",
                                     "returning_revenue"]].tolist() == [2, 1, 90.0, 30.0]
    total = r.customer_structure(users(), orders_customers())
    assert (out["buyers"].groupby(level=0).sum() == total["buyers"]).all()


def test_customer_structure_first_order_before_start():
    out = r.customer_structure(users(), orders_customers(), start="2025-02-01")
    # 1 and 2 first bought in January: still returning in February
    assert list(out.index.astype(str)) == ["2025-02", "2025-03"]
    assert out["returning_buyers"].tolist() == [2, 1]


# --------------------------------------------------------------------------- activity


def events() -> pd.DataFrame:
    return pd.DataFrame({
        "user_id": [1, 1, 1, 2, 1, 3, 3, 2],
        "event_time": pd.to_datetime(["2025-01-01 09:00", "2025-01-01 20:00",
                                      "2025-01-02 10:00", "2025-01-15 10:00",
                                      "2025-02-01 10:00", "2025-02-10 10:00",
                                      "2025-02-11 10:00", "2025-03-03 10:00"]),
    })


def test_customer_activity_hand_computed():
    out = r.customer_activity(events(), users())
    # Jan: users 1, 2 active; DAU 1 (1 Jan, twice the same user), 1, 1 over 31 days
    # Feb: 1, 3 active of 3 signed up; DAU 1, 1, 1 over 28 days
    # Mar: 2 active of 4 (user 4 signed up, never active); data ends 3 March: 3 days
    frame_equal(out, {
        "active_users": [2, 2, 1],
        "new_users": [2, 1, 1],
        "registered_users": [2, 3, 4],
        "active_share": [1.0, 2 / 3, 0.25],
        "dau_mean": [3 / 31, 3 / 28, 1 / 3],
        "days": [31, 28, 3],
    }, ["2025-01", "2025-02", "2025-03"], "M")


def test_customer_activity_daily_and_range():
    out = r.customer_activity(events(), users(), per="D", start="2025-01-01",
                              end="2025-01-02")
    assert out["active_users"].tolist() == [1, 1]
    assert out["dau_mean"].tolist() == [1.0, 1.0]
    assert out["registered_users"].tolist() == [1, 1]


# --------------------------------------------------------------------------- bad input


def test_missing_columns():
    with pytest.raises(DataError) as err:
        r.service_response(tickets().drop(columns="resolved"))
    assert err.value.column == ["resolved"]
    with pytest.raises(DataError) as err:
        r.shipping_speed(orders_shipping().drop(columns="promised_days"))
    assert err.value.column == ["promised_days"] and err.value.table == "orders"
    with pytest.raises(DataError) as err:
        r.customer_structure(users(), orders_customers().drop(columns="amount"))
    assert err.value.column == ["amount"]
    with pytest.raises(DataError) as err:
        r.customer_activity(events(), users().drop(columns="signup_time"))
    assert err.value.table == "users"
    with pytest.raises(DataError) as err:
        r.shipping_speed(orders_shipping(), by="region")
    assert err.value.column == ["region"]


def test_missing_dates():
    t = tickets()
    t.loc[1, "created_time"] = pd.NaT
    with pytest.raises(DataError, match="missing dates") as err:
        r.service_response(t)
    assert err.value.column == "created_time"
    o = orders_shipping().astype({"order_time": str})
    o.loc[2, "order_time"] = "soon"
    with pytest.raises(DataError, match="cannot be parsed"):
        r.shipping_speed(o)
    e = events()
    e.loc[0, "event_time"] = pd.NaT
    with pytest.raises(DataError, match="missing dates"):
        r.customer_activity(e, users())


def test_empty_tables():
    with pytest.raises(DataError, match="empty"):
        r.service_response(tickets().iloc[:0])
    with pytest.raises(DataError, match="empty"):
        r.shipping_speed(orders_shipping().iloc[:0])
    with pytest.raises(DataError, match="empty"):
        r.customer_structure(users(), orders_customers().iloc[:0])
    with pytest.raises(DataError, match="empty"):
        r.customer_activity(events().iloc[:0], users())


def test_start_after_end():
    with pytest.raises(ArgumentError, match="after end") as err:
        r.service_response(tickets(), start="2025-03-01", end="2025-01-01")
    assert err.value.name == ["start", "end"]
    with pytest.raises(ArgumentError, match="after end"):
        r.customer_activity(events(), users(), start="2025-03-01", end="2025-02-28")


def test_no_data_between_start_and_end():
    with pytest.raises(DataError, match="no rows between") as err:
        r.service_response(tickets(), start="2025-02-01", end="2025-02-28")
    assert err.value.table == "tickets"
    with pytest.raises(DataError, match="no rows between"):
        r.shipping_speed(orders_shipping(), start="2026-01-01")
    with pytest.raises(DataError, match="no rows between"):
        r.customer_structure(users(), orders_customers(), end="2024-12-31")


def test_bad_start_date():
    with pytest.raises(ArgumentError) as err:
        r.shipping_speed(orders_shipping(), start="next Monday")
    assert err.value.name == "start"


def test_negative_minutes():
    t = tickets()
    t.loc[2, "first_response_minutes"] = -4.0
    with pytest.raises(DataError, match="negative minutes") as err:
        r.service_response(t)
    assert err.value.column == "first_response_minutes"
    assert -4.0 in err.value.rows["first_response_minutes"].tolist()


def test_missing_minutes():
    t = tickets()
    t.loc[2, "first_response_minutes"] = NAN
    with pytest.raises(DataError, match="missing values"):
        r.service_response(t)


def test_negative_delivery_days():
    o = orders_shipping()
    o.loc[0, "delivery_days"] = -1
    with pytest.raises(DataError, match="negative delivery days"):
        r.shipping_speed(o)


def test_missing_delivery_days():
    o = orders_shipping().astype({"delivery_days": "float64"})
    o.loc[0, "delivery_days"] = NAN
    with pytest.raises(DataError, match="missing values") as err:
        r.shipping_speed(o)
    assert err.value.column == "delivery_days"


def test_missing_warehouse():
    o = orders_shipping()
    o.loc[0, "warehouse"] = None
    with pytest.raises(DataError, match="missing ids"):
        r.shipping_speed(o, by="warehouse")


def test_resolved_not_boolean():
    t = tickets().astype({"resolved": object})
    t.loc[0, "resolved"] = None
    with pytest.raises(DataError, match="True/False"):
        r.service_response(t)
    with pytest.raises(DataError, match="True/False"):
        r.service_response(tickets().assign(resolved=[1, 0, 2, 1, 0]))


def test_satisfaction_not_numbers():
    with pytest.raises(DataError, match="expected numbers"):
        r.service_response(tickets().assign(satisfaction=["good"] * 5))


@pytest.mark.parametrize("bad", [0, -5, "30", float("inf")])
def test_bad_target(bad):
    with pytest.raises(ArgumentError, match="target_minutes"):
        r.service_response(tickets(), target_minutes=bad)


def test_unknown_period():
    with pytest.raises(ArgumentError, match="unknown period"):
        r.shipping_speed(orders_shipping(), per="fortnight")


def test_negative_amounts():
    o = orders_customers()
    o.loc[0, "amount"] = -10.0
    with pytest.raises(DataError, match="negative amounts"):
        r.customer_structure(users(), o)


def test_customers_missing_from_users():
    with pytest.raises(DataError, match="not in users") as err:
        r.customer_structure(users().iloc[:3], orders_customers())
    assert err.value.rows[err.value.column].tolist() == [4]
    e = pd.concat([events(), pd.DataFrame({"user_id": [9],
                                           "event_time": [pd.Timestamp("2025-01-03")]})])
    with pytest.raises(DataError, match="not in users"):
        r.customer_activity(e, users())


def test_duplicate_users():
    u = pd.concat([users(), users().iloc[[0]]])
    with pytest.raises(DataError, match="duplicate user ids"):
        r.customer_structure(u, orders_customers())
    with pytest.raises(DataError, match="duplicate user ids"):
        r.customer_activity(events(), u)


def test_event_before_signup():
    e = pd.concat([events(), pd.DataFrame({"user_id": [3],
                                           "event_time": [pd.Timestamp("2025-01-20")]})])
    with pytest.raises(DataError, match="before their user signed up"):
        r.customer_activity(e, users())


def test_draw_needs_a_dashboard():
    with pytest.raises(DataError, match="reports.dashboard"):
        plots.dashboard(r.service_response(tickets()))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- dashboard


def test_dashboard_small_tables():
    t = tickets().assign(created_time=pd.to_datetime(["2025-01-03"] * 5))
    o = orders_customers().assign(warehouse="east", promised_days=2, delivery_days=2)
    out = r.dashboard(t, o, users(), events(), per="M")
    for table in (out.service, out.customers, out.activity):
        assert list(table.index.astype(str)) == ["2025-01", "2025-02", "2025-03"]
    assert out.service["tickets"].tolist() == [5, 0, 0]
    assert out.per == "M" and out.target_minutes == 30.0
    with pytest.raises(ArgumentError, match="after end"):
        r.dashboard(t, o, users(), events(), start="2025-03-01", end="2025-01-01")


def test_draw_dashboard_figure(course):
    plots.set_style()
    report = r.dashboard(course["tickets"], course["orders"], course["users"],
                         course["events"], per="W", start="2025-05-01", end="2025-09-30")
    fig = plots.dashboard(report, title="运营周报 Weekly dashboard")
    try:
        assert len(fig.axes) == 4
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            FigureCanvasAgg(fig).draw()
        glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message)]
        assert glyphs == []
        titles = [ax.get_title(loc="left") for ax in fig.axes]
        assert all(titles)
        assert "east" in titles[1] and "2025-07-14" in titles[1]
        assert fig.get_suptitle() == "运营周报 Weekly dashboard"
    finally:
        plt.close(fig)


def test_course_data_east_warehouse_delay(course):
    report = r.dashboard(course["tickets"], course["orders"], course["users"],
                         course["events"], per="W")
    share = report.shipping["on_time_share"].unstack()
    days = report.shipping["mean_delivery_days"].unstack()
    week = pd.Period("2025-07-14", freq="W-SUN")
    around = [week + k for k in (-3, -2, -1, 1, 2, 3)]
    # the planted delay: east, 14-20 July 2025, +3 days
    assert share.loc[week, "east"] < 0.5 * share.loc[around, "east"].min()
    assert share.loc[week, "east"] < share.loc[week].drop("east").min()
    assert days.loc[week, "east"] > days.loc[around, "east"].max() + 2
    # the other warehouses kept their usual speed that week
    assert (days.loc[week].drop("east") < days.loc[week, "east"] - 2).all()
    # all four tables cover the same weeks
    idx = report.service.index
    assert report.customers.index.equals(idx) and report.activity.index.equals(idx)
    assert report.shipping.index.get_level_values(0).unique().equals(idx)
    # the course's shop keeps more than half its buyers coming back in 2025
    cs = report.customers.loc["2025-03-03":"2025-12-21"]
    assert (cs["returning_buyer_share"] > 0.5).all()


def test_draw_dashboard_without_warehouse_split():
    t = tickets().assign(created_time=pd.to_datetime(["2025-01-03"] * 5))
    o = orders_customers().assign(warehouse="east", promised_days=2,
                                  delivery_days=[1, 2, 3, 4, 2, 2, 2, 2])
    full = r.dashboard(t, o, users(), events(), per="M")
    report = r.Dashboard(service=full.service, shipping=r.shipping_speed(o, per="M"),
                         customers=full.customers, activity=full.activity, per="M",
                         target_minutes=30.0)
    fig = plots.dashboard(report)
    try:
        assert len(fig.axes) == 4
        # January: delivery 1, 2 on time (<= 2), February 3, 4 late, 2, 2 on time -> 50 %
        assert fig.axes[1].get_title(loc="left") == (
            "准时率 Shipping: on-time share fell to 50%\nin 2025-02")
    finally:
        plt.close(fig)
