"""bizmodel platform economics: take, commission, subsidy, margins and the break-even take rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit.bizmodel import break_even_take_rate, platform_economics
from coursekit.errors import ArgumentError, DataError


def weeks() -> pd.DataFrame:
    """Two leaders, two weeks; leader 2 sold nothing in week 2."""
    return pd.DataFrame({"leader_id": [1, 2, 1, 2], "week": [1, 1, 2, 2],
                         "orders": [100, 50, 120, 0], "gmv": [3000.0, 1500.0, 3600.0, 0.0],
                         "take_rate": 0.25, "commission_rate": [0.10, 0.12, 0.10, 0.12],
                         "subsidy": [200.0, 100.0, 0.0, 0.0],
                         "leader_bonus": [50.0, 25.0, 0.0, 0.0],
                         "fulfilment_cost": [150.0, 75.0, 180.0, 0.0]})


def test_overall_by_hand():
    out = platform_economics(weeks(), leader_cost_per_order=0.5)
    row = out.loc["all"]
    assert row["leaders"] == 2 and row["orders"] == 270 and row["gmv"] == 8100.0
    assert row["take"] == pytest.approx(2025.0)
    assert row["commission"] == pytest.approx(300 + 180 + 360)
    assert row["subsidy"] == 300.0 and row["leader_bonus"] == 75.0
    assert row["fulfilment"] == pytest.approx(405.0)
    assert row["platform_margin"] == pytest.approx(2025 - 840 - 300 - 75 - 405)
    assert row["platform_margin_rate"] == pytest.approx(405 / 8100)
    assert row["leader_income"] == pytest.approx(840 + 75)
    assert row["leader_margin"] == pytest.approx(915 - 0.5 * 270)
    assert row["leader_margin_per_leader"] == pytest.approx((915 - 135) / 2)
    assert row["break_even_take_rate"] == pytest.approx((840 + 300 + 75 + 405) / 8100)
    assert row["break_even_take_rate_before_subsidies"] == pytest.approx((840 + 405) / 8100)


def test_by_week_and_by_leader():
    by_week = platform_economics(weeks(), by="week")
    assert by_week.index.tolist() == [1, 2] and by_week.index.name == "week"
    # week 1: 1125 - 480 - 300 - 75 - 225; week 2: 900 - 360 - 0 - 0 - 180
    assert by_week["platform_margin"].tolist() == pytest.approx([45.0, 360.0])
    assert by_week["leaders"].tolist() == [2.0, 1.0]  # leader 2 sold nothing in week 2
    by_leader = platform_economics(weeks(), by="leader_id")
    assert by_leader["leader_income"].tolist() == pytest.approx([660.0 + 50, 180.0 + 25])
    sums = ["orders", "gmv", "take", "commission", "subsidy", "leader_bonus", "fulfilment",
            "platform_margin"]
    np.testing.assert_allclose(by_week[sums].sum(), platform_economics(weeks()).iloc[0][sums])
    # a what-if: another take rate is another column
    cheaper = platform_economics(weeks().assign(take_rate=0.20))
    assert cheaper.loc["all", "platform_margin"] == pytest.approx(405 - 0.05 * 8100)


def test_the_break_even_take_rate_zeroes_the_margin():
    t = weeks()
    star = break_even_take_rate(t)
    # the GMV-weighted commission, plus subsidies and bonuses and fulfilment per yuan
    assert star == pytest.approx(840 / 8100 + (300 + 75) / 8100 + 405 / 8100)
    at_star = platform_economics(t.assign(take_rate=star))
    assert at_star.loc["all", "platform_margin"] == pytest.approx(0.0, abs=1e-9)
    assert platform_economics(t.assign(take_rate=star + 0.01)).loc[
        "all", "platform_margin"] == pytest.approx(81.0)  # 1 % of GMV
    structural = break_even_take_rate(t, subsidies=False)
    assert structural == pytest.approx((840 + 405) / 8100)
    no_costs = break_even_take_rate(t, bonus=None, fulfilment=None)
    assert no_costs == pytest.approx((840 + 300) / 8100)
    lone = platform_economics(t.iloc[[3]])
    assert np.isnan(lone.loc["all", "break_even_take_rate"])
    assert np.isnan(lone.loc["all", "leader_margin_per_leader"])  # nobody sold
    with pytest.raises(DataError):
        break_even_take_rate(t.iloc[[3]])
    with pytest.raises(ArgumentError) as err:
        break_even_take_rate(t, subsidies="no")
    assert err.value.name == "subsidies"


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"take_rate": 0.2}, "take_rate"),  # a column name, not a number
    ({"leader_cost_per_order": -1.0}, "leader_cost_per_order"),
    ({"leader_cost_per_order": float("inf")}, "leader_cost_per_order"),
    ({"by": "month"}, "by"),
])
def test_bad_arguments(kwargs, name):
    with pytest.raises(ArgumentError) as err:
        platform_economics(weeks(), **kwargs)
    assert err.value.name == name


def test_bad_tables():
    with pytest.raises(DataError) as err:
        platform_economics(weeks().assign(commission_rate=10.0))
    assert err.value.column == "commission_rate"
    with pytest.raises(DataError) as err:
        platform_economics(weeks().assign(take_rate=-0.1))
    assert err.value.column == "take_rate"
    with pytest.raises(DataError) as err:
        platform_economics(weeks().drop(columns="subsidy"))
    assert err.value.column == ["subsidy"]
    renamed = weeks().rename(columns={"gmv": "sales", "orders": "n"})
    out = platform_economics(renamed, gmv="sales", order_count="n", bonus=None)
    assert out.loc["all", "gmv"] == 8100.0 and out.loc["all", "leader_bonus"] == 0.0


def test_the_course_pilot_if_present(tables):
    if "group_buying" not in set(coursekit.datasets()["name"]):
        pytest.skip("no group_buying table in this world")
    gb = tables["group_buying"]
    out = platform_economics(gb)
    margin = (gb["gmv"] * (gb["take_rate"] - gb["commission_rate"]) - gb["subsidy"]
              - gb["leader_bonus"] - gb["fulfilment_cost"]).sum()
    assert out.loc["all", "platform_margin"] == pytest.approx(margin)
    assert out.loc["all", "break_even_take_rate"] == pytest.approx(break_even_take_rate(gb))
    weekly = platform_economics(gb, by="week")
    assert weekly["gmv"].sum() == pytest.approx(gb["gmv"].sum())
