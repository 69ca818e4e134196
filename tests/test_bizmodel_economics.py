"""bizmodel revenue streams and unit economics: hand-computed cases, every line adds up."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit import bizmodel, metrics
from coursekit.bizmodel import UnitEconomics
from coursekit.errors import ArgumentError, DataError


def adds_up(ue: UnitEconomics) -> None:
    """Every subtotal (sign 0) is the signed sum of the lines above it, in every group."""
    values = ue.lines.drop(columns="sign")
    signs = ue.lines["sign"]
    assert set(signs) <= {-1, 0, 1} and signs.iloc[0] == 1 and signs.iloc[-1] == 0
    running = pd.Series(0.0, index=values.columns)
    for line, sign in signs.items():
        if sign == 0:
            np.testing.assert_allclose(values.loc[line], running, rtol=1e-9, atol=1e-9,
                                       err_msg=f"{ue.kind}: subtotal {line}")
        else:
            running = running + sign * values.loc[line]
    pd.testing.assert_series_equal(ue.contribution, values.loc["contribution"],
                                   check_names=False, check_index_type=False)
    for field in (ue.contribution, ue.upfront, ue.payback_months, ue.count):
        assert field.index.tolist() == values.columns.tolist()


# ---------------------------------------------------------------- small tables


def small() -> dict[str, pd.DataFrame]:
    return dict(
        orders=pd.DataFrame({
            "order_id": [1, 2, 3], "user_id": [1, 1, 2],
            "order_time": pd.to_datetime(["2025-01-05", "2025-02-03", "2025-02-20"]),
            "gross_amount": [110.0, 60.0, 30.0], "amount": [100.0, 60.0, 30.0],
            "platform": ["app", "mini", "app"]}),
        items=pd.DataFrame({"order_id": [1, 1, 2, 3], "product_id": [7, 8, 7, 8],
                            "quantity": [2, 1, 1, 1]}),
        products=pd.DataFrame({"product_id": [7, 8], "unit_cost": [20.0, 15.0]}),
        costs=pd.DataFrame({"order_id": [3, 1, 2], "shipping": [6.0, 8.0, 8.0],
                            "packaging": [1.0, 2.0, 1.0], "payment_fee": [0.18, 0.6, 0.36],
                            "member_benefit": [3.0, 0.0, 0.0], "refund": [0.0, 0.0, 60.0]}),
    )


def test_order_lines_by_hand():
    t = small()
    lines = bizmodel.order_lines(**t)
    assert lines.index.tolist() == [1, 2, 3]
    assert lines.loc[1].tolist() == pytest.approx(
        [110.0, 10.0, 100.0, 55.0, 45.0, 8.0, 2.0, 0.6, 0.0, 0.0, 34.4])
    assert lines.loc[2, "contribution"] == pytest.approx(60 - 20 - 8 - 1 - 0.36 - 60)
    bad = t["orders"].assign(gross_amount=[90.0, 60.0, 30.0])
    with pytest.raises(DataError) as err:
        bizmodel.order_lines(bad, t["items"], t["products"], t["costs"])
    assert err.value.column == ["gross_amount", "amount"]


def test_one_order_every_line_by_hand():
    t = small()
    ue = bizmodel.order_economics(**t)
    assert ue.kind == "order" and ue.label == "per order"
    col = ue.lines["all"]
    assert col["price"] == pytest.approx(200 / 3)
    assert col["discount"] == pytest.approx(10 / 3)
    assert col["goods"] == pytest.approx((55 + 20 + 15) / 3)
    assert col["member_benefit"] == pytest.approx(1.0)
    contribution = (34.4 + (60 - 20 - 9.36 - 60) + (30 - 15 - 6 - 1 - 0.18 - 3)) / 3
    assert ue.contribution["all"] == pytest.approx(contribution)
    # the same number as the metric it reuses
    m = metrics.contribution_margin(t["orders"], t["items"], t["products"], t["costs"])
    assert ue.contribution["all"] == pytest.approx(m["contribution"].mean())
    assert ue.count["all"] == 3 and np.isnan(ue.payback_months["all"])
    assert ue.shares.loc["price", "all"] == 1.0
    adds_up(ue)


def test_orders_by_a_column():
    t = small()
    ue = bizmodel.order_economics(**t, by="platform")
    assert ue.lines.columns.tolist() == ["sign", "app", "mini"]
    assert ue.count.tolist() == [2, 1]
    assert ue.contribution["mini"] == pytest.approx(60 - 20 - 9.36 - 60)
    adds_up(ue)
    with pytest.raises(ArgumentError) as err:
        bizmodel.order_economics(**t, by="channel")
    assert err.value.name == "by"


# ---------------------------------------------------------------- revenue streams


def test_revenue_streams_by_hand():
    orders = pd.DataFrame({"order_time": pd.to_datetime(["2025-01-03", "2025-03-10"]),
                           "amount": [100.0, 60.0]})
    members = pd.DataFrame({"start_date": pd.to_datetime(["2025-01-20"]), "price": [128.0]})
    shops = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01"]),
                          "revenue": [300.0, 412.0]})
    whole = bizmodel.revenue_streams(orders, members, shops)
    assert whole.index.tolist() == ["all"]
    assert whole.loc["all", ["online_orders", "store_sales", "membership_fees", "total"]
                     ].tolist() == [160.0, 712.0, 128.0, 1000.0]
    monthly = bizmodel.revenue_streams(orders, members, shops, per="M")
    assert [str(p) for p in monthly.index] == ["2025-01", "2025-02", "2025-03"]
    assert monthly["total"].tolist() == [528.0, 412.0, 60.0]
    assert monthly.loc[monthly.index[1], "store_sales_share"] == 1.0
    shares = monthly.filter(like="_share").sum(axis=1)
    np.testing.assert_allclose(shares, 1.0)
    no_members = bizmodel.revenue_streams(orders, members.iloc[:0], shops, per="Q")
    assert no_members["membership_fees"].tolist() == [0.0]
    with pytest.raises(ArgumentError) as err:
        bizmodel.revenue_streams(orders, members, shops, per="W")
    assert err.value.name == "per"
    with pytest.raises(DataError):
        bizmodel.revenue_streams(orders.assign(amount=[100.0, -5.0]), members, shops)


def test_revenue_streams_of_the_course_company(tables):
    o, m, s = tables["orders"], tables["memberships"], tables["store_months"]
    whole = bizmodel.revenue_streams(o, m, s)
    assert whole.loc["all", "online_orders"] == pytest.approx(o["amount"].sum())
    assert whole.loc["all", "store_sales"] == pytest.approx(s["revenue"].sum())
    assert whole.loc["all", "membership_fees"] == pytest.approx(m["price"].sum())
    monthly = bizmodel.revenue_streams(o, m, s, per="M")
    assert len(monthly) == 24
    np.testing.assert_allclose(monthly[["online_orders", "store_sales", "membership_fees",
                                        "total"]].sum(), whole.iloc[0, :4])


# ---------------------------------------------------------------- members


def member_tables() -> dict[str, pd.DataFrame]:
    t = small()
    t["orders"] = pd.DataFrame({
        "order_id": [1, 2, 3, 4], "user_id": [1, 1, 1, 2],
        "order_time": pd.to_datetime(["2024-06-01 10:00", "2025-03-01 09:00",
                                      "2025-03-31 23:00", "2025-05-01 12:00"]),
        "amount": [100.0, 100.0, 100.0, 100.0]})
    t["items"] = pd.DataFrame({"order_id": [1, 2, 3, 4], "product_id": 7, "quantity": 1})
    t["products"] = pd.DataFrame({"product_id": [7], "unit_cost": [50.0]})
    t["costs"] = pd.DataFrame({"order_id": [1, 2, 3, 4], "shipping": 10.0, "packaging": 0.0,
                               "payment_fee": 0.0, "member_benefit": [0.0, 3.0, 3.0, 0.0],
                               "refund": 0.0})
    # user 1: a 30-day monthly period (15 yuan) then, after a gap, an annual one starting
    # later; the data ends 2025-06-01, inside the annual period
    t["memberships"] = pd.DataFrame({
        "user_id": [1, 1], "start_date": pd.to_datetime(["2025-03-01", "2025-05-01"]),
        "end_date": pd.to_datetime(["2025-03-30", "2026-04-30"]), "price": [15.0, 128.0]})
    t["users"] = pd.DataFrame({"user_id": [1, 2, 3],
                               "signup_time": pd.to_datetime(["2024-06-01", "2024-06-01",
                                                              "2025-01-01"])})
    return t


def test_one_member_year_by_hand():
    t = member_tables()
    asof = "2025-06-01"
    ue = bizmodel.member_economics(**t, asof=asof)
    member_days = 30 + 31  # March, and May (the annual period observed to asof)
    years = member_days / 365
    assert ue.count["all"] == pytest.approx(years)
    # fee: 143 yuan bought 30 + 365 days
    assert ue.lines.loc["fee", "all"] == pytest.approx(143 / (395 / 365))
    # order 2 (1 March) is a member order; order 3 on 31 March is after the monthly period
    assert ue.lines.loc["member_benefit", "all"] == pytest.approx(3.0 / years)
    assert ue.lines.loc["member_orders", "all"] == pytest.approx(40.0 / years)
    # baseline "own": user 1's orders outside membership (orders 1 and 3, 40 + 37 yuan; order
    # 3 carries a benefit cost of 3 but is counted before it), over 365 days from sign-up to
    # asof minus the member days
    own = (40 + 40) / ((365 - member_days) / 365)
    assert ue.lines.loc["baseline_orders", "all"] == pytest.approx(own)
    adds_up(ue)
    # non-members: users 2 and 3 (365 + 151 days), one order of 40
    others = bizmodel.member_economics(**t, asof=asof, basis="non_members")
    assert others.lines.loc["baseline_orders", "all"] == pytest.approx(40 / (516 / 365))
    adds_up(others)
    fee = bizmodel.member_economics(**t, asof=asof, basis="fee")
    assert fee.lines.index.tolist() == ["fee", "member_benefit", "contribution"]
    assert fee.contribution["all"] == pytest.approx(ue.lines.loc["programme_margin", "all"])
    adds_up(fee)


def test_member_input_is_checked():
    t = member_tables()
    with pytest.raises(ArgumentError) as err:
        bizmodel.member_economics(**t, basis="members")
    assert err.value.name == "basis"
    overlapping = t["memberships"].assign(start_date=pd.to_datetime(["2025-03-01",
                                                                     "2025-03-15"]))
    with pytest.raises(DataError, match="overlap"):
        bizmodel.member_economics(**{**t, "memberships": overlapping})
    with pytest.raises(DataError) as err:
        bizmodel.member_economics(**{**t, "users": t["users"].iloc[1:]})
    assert err.value.table == "users"


def test_the_course_members(tables):
    ue = bizmodel.member_economics(tables["memberships"], tables["orders"],
                                   tables["order_items"], tables["products"],
                                   tables["order_costs"], tables["users"])
    adds_up(ue)
    fee = ue.lines.loc["fee", "all"]
    assert 128.0 < fee < 15.0 * 365 / 30  # between the annual and the monthly plan's price
    # member orders are exactly the orders that carry the member benefit
    benefit = tables["order_costs"]["member_benefit"].sum() / ue.count["all"]
    assert ue.lines.loc["member_benefit", "all"] == pytest.approx(benefit)
    # members are heavy buyers: their orders while members bring more than other customers'
    assert ue.lines.loc["member_orders", "all"] > ue.lines.loc["baseline_orders", "all"]


# ---------------------------------------------------------------- stores

RATES = {"rent_per_sqm_month": {"1": 400.0, "2": 250.0},
         "pay_per_staff_hour": {"1": 30.0, "2": 25.0},
         "store_gross_margin": 0.5, "fit_out": {"kiosk": 150000.0, "shop": 300000.0}}


def store_tables() -> dict[str, pd.DataFrame]:
    months = pd.DataFrame({"store_id": [1, 1, 2, 2], "revenue": [80000.0, 100000.0,
                                                                60000.0, 60000.0],
                           "staff_hours": [600.0, 600.0, 800.0, 800.0]})
    stores = pd.DataFrame({"store_id": [1, 2], "city_tier": pd.Categorical(["1", "2"]),
                           "area_sqm": [40, 100], "format": ["kiosk", "shop"]})
    return {"store_months": months, "stores": stores}


def test_one_store_month_by_hand():
    t = store_tables()
    lines = bizmodel.store_lines(**t, cost_rates=RATES)
    # store 1: rent 40 x 400 = 16,000, pay 600 x 30 = 18,000; store 2: 25,000 and 20,000
    assert lines["contribution"].tolist() == [6000.0, 16000.0, -15000.0, -15000.0]
    ue = bizmodel.store_economics(**t, cost_rates=RATES, by="store_id")
    assert ue.contribution.tolist() == [11000.0, -15000.0]
    assert ue.payback_months[1] == pytest.approx(150000 / 11000)
    assert ue.payback_months[2] == np.inf  # never pays back
    assert ue.upfront.tolist() == [150000.0, 300000.0]
    adds_up(ue)
    whole = bizmodel.store_economics(**t, cost_rates=RATES)
    assert whole.contribution["all"] == pytest.approx(-2000.0)
    assert whole.upfront["all"] == 225000.0 and whole.count["all"] == 4
    adds_up(whole)


def test_cost_rates_as_a_table_or_a_mapping():
    t = store_tables()
    rows = [("store_gross_margin", "all", 0.5), ("payment_fee_rate", "all", 0.006)]
    for name in ("rent_per_sqm_month", "pay_per_staff_hour", "fit_out"):
        rows += [(name, k, v) for k, v in RATES[name].items()]
    table = pd.DataFrame(rows, columns=["item", "key", "value"]).astype(
        {"item": "category", "key": "category"})
    a = bizmodel.store_economics(**t, cost_rates=table)
    b = bizmodel.store_economics(**t, cost_rates={**RATES, "ignored": 1})
    pd.testing.assert_frame_equal(a.lines, b.lines)
    int_keys = {**RATES, "rent_per_sqm_month": {1: 400.0, 2: 250.0},
                "pay_per_staff_hour": {1: 30.0, 2: 25.0}}
    pd.testing.assert_frame_equal(bizmodel.store_economics(**t, cost_rates=int_keys).lines,
                                  b.lines)


@pytest.mark.parametrize("rates", [
    {k: v for k, v in RATES.items() if k != "fit_out"},
    {**RATES, "store_gross_margin": 55},
    {**RATES, "rent_per_sqm_month": {"1": -400.0, "2": 250.0}},
    [("rent", 1.0)],
])
def test_bad_cost_rates(rates):
    with pytest.raises(ArgumentError) as err:
        bizmodel.store_economics(**store_tables(), cost_rates=rates)
    assert err.value.name == "cost_rates"


def test_a_tier_without_a_rate_and_an_unknown_store():
    t = store_tables()
    with pytest.raises(DataError) as err:
        bizmodel.store_lines(**t, cost_rates={**RATES, "pay_per_staff_hour": {"1": 30.0}})
    assert err.value.column == "city_tier"
    months = t["store_months"].assign(store_id=[1, 1, 2, 3])
    with pytest.raises(DataError) as err:
        bizmodel.store_lines(months, t["stores"], RATES)
    assert err.value.table == "stores"


def test_the_course_stores(tables):
    rates = coursekit.truth()["world2"]
    sm, st = tables["store_months"], tables["stores"]
    ue = bizmodel.store_economics(sm, st, rates, by="store_id")
    adds_up(ue)
    if "cost_rates" in set(coursekit.datasets()["name"]):  # the same rates as a table
        table = bizmodel.store_economics(sm, st, tables["cost_rates"], by="store_id")
        pd.testing.assert_frame_equal(table.lines, ue.lines)
    assert len(ue.contribution) == len(st)
    joined = sm.merge(st, on="store_id")
    tier = joined["city_tier"].astype(str)
    rent = joined["area_sqm"] * tier.map(rates["rent_per_sqm_month"])
    pay = joined["staff_hours"] * tier.map(rates["pay_per_staff_hour"])
    by_hand = joined["revenue"] * rates["store_gross_margin"] - rent - pay
    whole = bizmodel.store_economics(sm, st, rates)
    assert whole.contribution["all"] == pytest.approx(by_hand.mean())
    fit_out = st["format"].astype(str).map(rates["fit_out"]).mean()
    assert whole.payback_months["all"] == pytest.approx(fit_out / by_hand.mean())


# ---------------------------------------------------------------- customers


def customer_tables() -> dict[str, pd.DataFrame]:
    t = small()
    t["users"] = pd.DataFrame({
        "user_id": [1, 2, 3, 4], "channel": ["ads", "ads", "ads", "creators"],
        "signup_time": pd.to_datetime(["2025-01-05", "2025-01-06", "2025-02-01",
                                       "2025-01-10"])})
    t["spend"] = pd.DataFrame({"date": pd.to_datetime(["2025-01-05", "2025-02-01",
                                                       "2025-01-10"]),
                               "channel": ["ads", "ads", "creators"],
                               "spend": [60.0, 30.0, 500.0]})
    t["orders"] = t["orders"].assign(user_id=[1, 1, 3])
    return t


def test_one_customer_by_hand():
    t = customer_tables()
    ue = bizmodel.customer_economics(**t, horizon_months=2)
    assert ue.lines.columns.tolist() == ["sign", "ads", "creators"]
    # ads: CAC 90 / 3 sign-ups = 30. Month 0 (sign-up month): January cohort (users 1, 2)
    # has order 1 (34.4), February cohort (user 3) has order 3 (30 - 15 - 10.18 = 4.82):
    # (34.4 + 4.82) / 3 per user. Month 1: only the January cohort is observed (order 2,
    # -29.36, over 2 users)
    month0 = (34.4 + 4.82) / 3
    month1 = -29.36 / 2
    assert ue.lines.loc["contribution", "ads"] == pytest.approx(month0 + month1)
    assert ue.lines.loc["cac", "ads"] == pytest.approx(30.0)
    assert ue.lines.loc["net", "ads"] == pytest.approx(month0 + month1 - 30.0)
    assert ue.upfront["ads"] == pytest.approx(30.0) and ue.count["ads"] == 3
    assert np.isnan(ue.payback_months["ads"])  # 13.07 never reaches 30
    assert ue.lines.loc["contribution", "creators"] == 0.0  # signed up, never bought
    adds_up(ue)
    cheap = {**t, "spend": t["spend"].assign(spend=[20.0, 10.0, 500.0])}  # CAC 10
    assert bizmodel.customer_economics(**cheap, horizon_months=1).payback_months["ads"] == 1.0
    with pytest.raises(ArgumentError) as err:
        bizmodel.customer_economics(**t, horizon_months=4)
    assert err.value.name == "horizon_months"
    with pytest.raises(ArgumentError):
        bizmodel.customer_economics(**t, horizon_months=0)


def test_the_course_customers(tables):
    ue = bizmodel.customer_economics(tables["orders"], tables["order_items"],
                                     tables["products"], tables["order_costs"],
                                     tables["users"], tables["channel_spend"])
    adds_up(ue)
    acquisition = metrics.cac(tables["channel_spend"], tables["users"])
    pd.testing.assert_series_equal(ue.lines.loc["cac"].drop("sign").astype(float),
                                   acquisition["cac"], check_names=False)
    # a referred or store customer brings more and costs less than a feed-ad one
    net = ue.lines.loc["net"]
    assert net["referral"] > net["douyin_ads"] and net["offline_store"] > net["douyin_ads"]
    assert ue.payback_months["referral"] <= ue.payback_months["douyin_ads"]


# ---------------------------------------------------------------- dispatch and speed


def test_unit_economics_dispatches():
    t = small()
    a = bizmodel.unit_economics("order", **{k: t[k] for k in ("orders", "items", "products",
                                                              "costs")})
    pd.testing.assert_frame_equal(a.lines, bizmodel.order_economics(**t).lines)
    s = store_tables()
    b = bizmodel.unit_economics("store", cost_rates=RATES, by="store_id", **s)
    assert b.contribution.tolist() == [11000.0, -15000.0]
    with pytest.raises(ArgumentError) as err:
        bizmodel.unit_economics("rider")
    assert err.value.name == "kind"
    with pytest.raises(ArgumentError) as err:
        bizmodel.unit_economics("store", **s)
    assert err.value.name == "cost_rates"
    with pytest.raises(ArgumentError) as err:
        bizmodel.unit_economics("customer", by="channel", **customer_tables())
    assert err.value.name == "by"


def test_every_unit_of_the_course_company_is_fast_and_adds_up(tables):
    given = dict(orders=tables["orders"], items=tables["order_items"],
                 products=tables["products"], costs=tables["order_costs"],
                 memberships=tables["memberships"], users=tables["users"],
                 stores=tables["stores"], store_months=tables["store_months"],
                 spend=tables["channel_spend"], cost_rates=coursekit.truth()["world2"])
    for kind in bizmodel.KINDS:
        start = time.perf_counter()
        ue = bizmodel.unit_economics(kind, **given)
        assert time.perf_counter() - start < 1.0, kind
        assert ue.kind == kind
        adds_up(ue)
