"""bizmodel.Canvas: nine blocks; revenue streams and cost structure filled from the data."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import coursekit
from coursekit import bizmodel
from coursekit.bizmodel import BLOCKS, Canvas, canvas_amounts
from coursekit.errors import ArgumentError

NAMES = ("orders", "order_items", "products", "order_costs", "memberships", "store_months",
         "stores", "channel_spend", "referrals")


def test_nine_blocks_as_tuples_of_text():
    c = Canvas(value_propositions=["健康零食 healthy snacks"], channels=("App",))
    assert [f.name for f in dataclasses.fields(c)] == list(BLOCKS)
    assert len(BLOCKS) == 9
    assert c.value_propositions == ("健康零食 healthy snacks",) and c.key_partners == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.channels = ("x",)  # type: ignore[misc]
    replaced = dataclasses.replace(c, key_partners=["快递 couriers"])
    assert replaced.key_partners == ("快递 couriers",) and replaced.channels == ("App",)


@pytest.mark.parametrize("value", ["健康零食", [1, 2], 5])
def test_a_block_must_be_a_list_of_texts(value):
    with pytest.raises(ArgumentError) as err:
        Canvas(value_propositions=value)
    assert err.value.name == "value_propositions"


def test_with_blocks_refuses_unknown_names():
    with pytest.raises(ArgumentError) as err:
        Canvas().with_blocks(partners=["x"])
    assert err.value.name == "partners"


@pytest.fixture(scope="module")
def amounts(tables):
    return canvas_amounts(*(tables[n] for n in NAMES), coursekit.truth()["world2"])


def test_the_amounts_are_the_tables_sums(tables, amounts):
    rates = coursekit.truth()["world2"]
    orders, costs, sm = tables["orders"], tables["order_costs"], tables["store_months"]
    revenue = amounts.loc["revenue_streams", "amount"]
    assert revenue["online_orders"] == pytest.approx(orders["amount"].sum())
    assert revenue["store_sales"] == pytest.approx(sm["revenue"].sum())
    assert revenue["membership_fees"] == pytest.approx(tables["memberships"]["price"].sum())
    cost = amounts.loc["cost_structure", "amount"]
    items = tables["order_items"].merge(tables["products"], on="product_id")
    goods = (items["quantity"] * items["unit_cost"]).sum()
    store_goods = sm["revenue"].sum() * (1 - rates["store_gross_margin"])
    assert cost["goods"] == pytest.approx(goods + store_goods)
    assert cost["fulfilment"] == pytest.approx(costs["shipping"].sum() + costs["packaging"].sum())
    assert cost["payment_fees"] == pytest.approx(costs["payment_fee"].sum())
    assert cost["member_benefit"] == pytest.approx(costs["member_benefit"].sum())
    assert cost["refunds"] == pytest.approx(costs["refund"].sum())
    assert cost["coupons"] == pytest.approx(orders["discount"].sum())
    assert cost["referral_rewards"] == pytest.approx(tables["referrals"]["reward"].sum())
    spend = tables["channel_spend"]
    assert cost["paid_acquisition"] == pytest.approx(
        spend.loc[spend["channel"] != "referral", "spend"].sum())
    joined = sm.merge(tables["stores"], on="store_id")
    tier = joined["city_tier"].astype(str)
    assert cost["store_rent"] == pytest.approx(
        (joined["area_sqm"] * tier.map(rates["rent_per_sqm_month"])).sum())
    assert cost["store_staff"] == pytest.approx(
        (joined["staff_hours"] * tier.map(rates["pay_per_staff_hour"])).sum())
    for block in ("revenue_streams", "cost_structure"):
        part = amounts.loc[block]
        assert part["share"].sum() == pytest.approx(1.0)
        assert part["amount"].is_monotonic_decreasing


def test_every_referral_channel_counted_once_or_both(tables, amounts):
    both = canvas_amounts(*(tables[n] for n in NAMES), coursekit.truth()["world2"],
                          referral_channel=None)
    assert both.loc[("cost_structure", "paid_acquisition"), "amount"] == pytest.approx(
        tables["channel_spend"]["spend"].sum())
    assert both.loc[("cost_structure", "paid_acquisition"), "amount"] > amounts.loc[
        ("cost_structure", "paid_acquisition"), "amount"]


def test_from_data_writes_amounts_and_shares(tables, amounts):
    c = Canvas.from_data(*(tables[n] for n in NAMES), coursekit.truth()["world2"],
                         blocks={"value_propositions": ["健康零食 healthy snacks"]})
    assert len(c.revenue_streams) == 3 and len(c.cost_structure) == 10
    assert c.value_propositions == ("健康零食 healthy snacks",) and c.channels == ()
    first = amounts.loc["revenue_streams"].iloc[0]
    assert c.revenue_streams[0].startswith(f"{first['label']} ¥{first['amount'] / 1e4:,.0f}万")
    assert all(s.endswith("%)") for s in c.revenue_streams + c.cost_structure)
    with pytest.raises(ArgumentError) as err:
        Canvas.from_data(*(tables[n] for n in NAMES), coursekit.truth()["world2"],
                         blocks={"revenue_streams": ["x"]})
    assert err.value.name == "blocks"


def test_a_tiny_company_by_hand():
    orders = pd.DataFrame({"order_id": [1], "order_time": pd.to_datetime(["2025-01-03"]),
                           "gross_amount": [110.0], "amount": [100.0]})
    items = pd.DataFrame({"order_id": [1], "product_id": [7], "quantity": [2]})
    products = pd.DataFrame({"product_id": [7], "unit_cost": [20.0]})
    costs = pd.DataFrame({"order_id": [1], "shipping": [8.0], "packaging": [2.0],
                          "payment_fee": [0.6], "member_benefit": [0.0], "refund": [0.0]})
    members = pd.DataFrame({"start_date": pd.to_datetime(["2025-01-05"]), "price": [100.0]})
    months = pd.DataFrame({"store_id": [1], "month": pd.to_datetime(["2025-01-01"]),
                           "revenue": [800.0], "staff_hours": [10.0]})
    stores = pd.DataFrame({"store_id": [1], "city_tier": ["1"], "area_sqm": [1],
                           "format": ["kiosk"]})
    rates = {"rent_per_sqm_month": {"1": 100.0}, "pay_per_staff_hour": {"1": 20.0},
             "store_gross_margin": 0.5, "fit_out": {"kiosk": 1000.0}}
    spend = pd.DataFrame({"channel": ["ads", "referral"], "spend": [50.0, 20.0]})
    referrals = pd.DataFrame({"reward": [20.0]})
    t = canvas_amounts(orders, items, products, costs, members, months, stores, spend,
                       referrals, rates)
    cost = t.loc["cost_structure", "amount"]
    assert cost.to_dict() == pytest.approx({
        "goods": 440.0, "store_staff": 200.0, "store_rent": 100.0, "paid_acquisition": 50.0,
        "referral_rewards": 20.0, "fulfilment": 10.0, "coupons": 10.0, "payment_fees": 0.6,
        "member_benefit": 0.0, "refunds": 0.0})
    assert t.loc[("revenue_streams", "store_sales"), "share"] == pytest.approx(0.8)
    c = bizmodel.Canvas.from_data(orders, items, products, costs, members, months, stores,
                                  spend, referrals, rates)
    assert c.revenue_streams[0] == "门店销售 store sales ¥800 (80%)"  # under 1万: in yuan
    assert c.cost_structure[-1] == "退款 refunds ¥0 (<0.1%)"
