"""metrics.contribution_margin: each order's gross and contribution margin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit import metrics
from coursekit.errors import DataError


@pytest.fixture(scope="module")
def course():
    return {name: coursekit.load(name)
            for name in ("orders", "order_items", "products", "order_costs")}


def small() -> dict[str, pd.DataFrame]:
    return dict(
        orders=pd.DataFrame({"order_id": [1, 2, 3], "amount": [100.0, 60.0, 30.0]}),
        items=pd.DataFrame({"order_id": [1, 1, 2, 3], "product_id": [7, 8, 7, 8],
                            "quantity": [2, 1, 1, 1]}),
        products=pd.DataFrame({"product_id": [7, 8], "unit_cost": [20.0, 15.0]}),
        costs=pd.DataFrame({"order_id": [3, 1, 2], "shipping": [6.0, 8.0, 8.0],
                            "packaging": [1.0, 2.0, 1.0], "payment_fee": [0.18, 0.6, 0.36],
                            "member_benefit": [3.0, 0.0, 0.0], "refund": [0.0, 0.0, 60.0]}),
    )


def test_every_line_by_hand():
    t = small()
    m = metrics.contribution_margin(t["orders"], t["items"], t["products"], t["costs"])
    assert m.index.tolist() == [1, 2, 3]  # the orders' order, whatever the costs' order
    assert m["goods"].tolist() == [55.0, 20.0, 15.0]
    assert m["gross_margin"].tolist() == [45.0, 40.0, 15.0]
    assert m.loc[3, "contribution"] == pytest.approx(15.0 - 6.0 - 1.0 - 0.18 - 3.0)
    assert m.loc[2, "contribution"] == pytest.approx(40.0 - 8.0 - 1.0 - 0.36 - 60.0)  # refunded
    assert list(m.columns) == ["amount", "goods", "gross_margin", *metrics.COST_LINES,
                               "contribution"]


def test_the_course_company_keeps_less_than_its_gross_margin(course):
    m = metrics.contribution_margin(course["orders"], course["order_items"],
                                    course["products"], course["order_costs"])
    assert len(m) == len(course["orders"]) and m.index.is_unique
    gross = m["gross_margin"].sum() / m["amount"].sum()
    contribution = m["contribution"].sum() / m["amount"].sum()
    # serving an order costs about a tenth of revenue: contribution well below gross
    assert 0.25 < contribution < gross - 0.05 < 0.6, (gross, contribution)
    assert (m.loc[m["refund"] > 0, "contribution"] < 0).mean() > 0.9  # a return loses money
    # the truth's definition, summed by hand
    items = course["order_items"].merge(course["products"], on="product_id")
    goods = (items["quantity"] * items["unit_cost"]).groupby(items["order_id"]).sum()
    costs = course["order_costs"].set_index("order_id")[list(metrics.COST_LINES)].sum(axis=1)
    orders = course["orders"].set_index("order_id")
    by_hand = orders["amount"] - goods.reindex(orders.index) - costs.reindex(orders.index)
    np.testing.assert_allclose(m["contribution"].to_numpy(), by_hand.to_numpy())
    assert "refund" in coursekit.truth()["order_costs"]["contribution"]


@pytest.mark.parametrize(
    ("replace", "change", "table", "column"),
    [
        ("costs", lambda d: d.iloc[1:], "costs", "order_id"),           # an order not served
        ("orders", lambda d: pd.concat([d, d.iloc[:1]]), "orders", "order_id"),
        ("products", lambda d: d.iloc[:1], "items", "product_id"),      # no unit cost
        ("costs", lambda d: d.assign(refund=-1.0), "costs", "refund"),
        ("costs", lambda d: d.drop(columns="packaging"), "costs", ["packaging"]),
        ("orders", lambda d: d.assign(amount="a lot"), "orders", "amount"),
    ],
)
def test_bad_input_names_table_and_column(replace, change, table, column):
    t = small()
    t[replace] = change(t[replace])
    with pytest.raises(DataError) as err:
        metrics.contribution_margin(t["orders"], t["items"], t["products"], t["costs"])
    assert err.value.table == table and err.value.column == column, err.value
