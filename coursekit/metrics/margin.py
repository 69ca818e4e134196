"""What an order leaves the company: gross margin and contribution margin, line by line."""

from __future__ import annotations

import pandas as pd

from coursekit.errors import DataError
from coursekit.inputs import columns

__all__ = ["contribution_margin", "COST_LINES"]

#: The serving costs of one order in the ``order_costs`` table, besides its goods.
COST_LINES = ("shipping", "packaging", "payment_fee", "member_benefit", "refund")


def contribution_margin(
    orders: pd.DataFrame,
    items: pd.DataFrame,
    products: pd.DataFrame,
    costs: pd.DataFrame,
    *,
    order_key: str = "order_id",
    product: str = "product_id",
    amount: str = "amount",
) -> pd.DataFrame:
    """Each order's gross margin and contribution margin (边际贡献), every line shown.

    .. math:: \\text{gross margin} = \\text{amount} - \\text{goods}, \\qquad
              \\text{contribution} = \\text{gross margin} - \\text{shipping}
              - \\text{packaging} - \\text{payment fee} - \\text{member benefit}
              - \\text{refund}

    with goods = the sum of ``quantity x unit_cost`` over the order's items.
    The gross margin pays for the goods only; the contribution also pays for
    serving the order, and is what is left towards acquisition and fixed
    costs: the margin to weigh a campaign or a channel against. A returned
    order's refund is a cost here (the goods are not resold), so its
    contribution is negative.

    Written as plain merges and sums because the course reads each line of it.

    Parameters
    ----------
    orders
        One row per order, with ``order_key`` and ``amount`` (paid).
    items
        Order lines: ``order_key``, ``product`` and ``quantity``.
    products
        ``product`` and ``unit_cost``.
    costs
        The ``order_costs`` table: ``order_key`` and the columns of
        :data:`COST_LINES`, one row for every order.
    order_key, product, amount
        Column names.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``order_key`` in the order of ``orders``: ``amount``,
        ``goods``, ``gross_margin``, the cost lines and ``contribution``
        (yuan). Sum a column and divide by the summed ``amount`` for a rate.

    Raises
    ------
    DataError
        Missing columns, negative amounts or costs, an order twice, an order
        without a cost row, an item of a product without a unit cost.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": [1, 2], "amount": [100.0, 60.0]})
    >>> items = pd.DataFrame({"order_id": [1, 1, 2], "product_id": [7, 8, 7],
    ...                       "quantity": [2, 1, 1]})
    >>> products = pd.DataFrame({"product_id": [7, 8], "unit_cost": [20.0, 15.0]})
    >>> costs = pd.DataFrame({"order_id": [1, 2], "shipping": [8.0, 8.0],
    ...                       "packaging": [2.0, 1.0], "payment_fee": [0.6, 0.36],
    ...                       "member_benefit": [0.0, 0.0], "refund": [0.0, 60.0]})
    >>> m = contribution_margin(orders, items, products, costs)
    >>> m[["goods", "gross_margin", "contribution"]].round(2).to_numpy().tolist()
    [[55.0, 45.0, 34.4], [20.0, 40.0, -29.36]]
    >>> round(float(m["contribution"].sum() / m["amount"].sum()), 3)  # the contribution rate
    0.031
    """
    paid = columns(orders, "orders", ids=[order_key], amounts=[amount])
    lines = columns(items, "items", ids=[order_key, product], numbers=["quantity"])
    unit = columns(products, "products", ids=[product], amounts=["unit_cost"])
    serving = columns(costs, "costs", ids=[order_key], amounts=list(COST_LINES))
    for name, table, key in (("orders", paid, order_key), ("costs", serving, order_key),
                             ("products", unit, product)):
        twice = table[key].duplicated(keep=False)
        if twice.any():
            raise DataError(f"the same {key} appears twice", table=name, column=key,
                            rows=table[twice].head(5), fix=f"give one row per {key}")
    cost_of = unit.set_index(product)["unit_cost"]
    unknown = ~lines[product].isin(cost_of.index)
    if unknown.any():
        raise DataError("items of products without a unit cost", table="items", column=product,
                        rows=lines[unknown].head(5),
                        fix="give every product its unit_cost in products")
    goods = (lines["quantity"] * lines[product].map(cost_of)).groupby(lines[order_key]).sum()
    served = serving.set_index(order_key)
    missing = ~paid[order_key].isin(served.index)
    if missing.any():
        raise DataError("orders without a row of serving costs", table="costs",
                        column=order_key, rows=paid[missing].head(5),
                        fix="pass the order_costs table of the same world")
    out = paid.set_index(order_key)[[amount]].rename(columns={amount: "amount"})
    out["goods"] = goods.reindex(out.index, fill_value=0.0)
    out["gross_margin"] = out["amount"] - out["goods"]
    out = out.join(served[list(COST_LINES)])
    out["contribution"] = out["gross_margin"] - out[list(COST_LINES)].sum(axis=1)
    return out
