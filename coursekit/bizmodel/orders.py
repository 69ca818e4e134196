"""Unit economics of one online order: every line from the price to the contribution."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.bizmodel.units import UnitEconomics, assemble, check_by, group_means
from coursekit.errors import DataError
from coursekit.inputs import columns
from coursekit.metrics import COST_LINES, contribution_margin

__all__ = ["ORDER_SIGNS", "order_lines", "order_economics"]

# line -> sign: +1 adds, -1 subtracts, 0 a subtotal (the signed sum of the lines above it)
ORDER_SIGNS = {"price": 1, "discount": -1, "paid": 0, "goods": -1, "gross_margin": 0,
                **dict.fromkeys(COST_LINES, -1), "contribution": 0}


def order_lines(
    orders: pd.DataFrame,
    items: pd.DataFrame,
    products: pd.DataFrame,
    costs: pd.DataFrame,
    *,
    order_key: str = "order_id",
    product: str = "product_id",
    amount: str = "amount",
    gross: str = "gross_amount",
) -> pd.DataFrame:
    """Every line of every order, from the price before discount to the contribution.

    :func:`coursekit.metrics.contribution_margin` with the price and the
    discount in front: ``price`` (``gross``, the items' value before
    coupons), ``discount = price - paid``, ``paid`` (``amount``), then the
    lines of the contribution margin (``goods``, ``gross_margin``, the cost
    lines of :data:`coursekit.metrics.COST_LINES`, ``contribution``).

    Parameters
    ----------
    orders, items, products, costs
        As :func:`coursekit.metrics.contribution_margin`; ``orders`` also
        has ``gross``.
    order_key, product, amount
        Column names, as there.
    gross
        The price before discount, a column of ``orders``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``order_key`` in the order of ``orders``: ``price``,
        ``discount``, ``paid``, ``goods``, ``gross_margin``, the cost lines,
        ``contribution`` (yuan).

    Raises
    ------
    DataError
        As :func:`coursekit.metrics.contribution_margin`; an order paying
        more than its price.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": [1], "gross_amount": [110.0], "amount": [100.0]})
    >>> items = pd.DataFrame({"order_id": [1], "product_id": [7], "quantity": [2]})
    >>> products = pd.DataFrame({"product_id": [7], "unit_cost": [20.0]})
    >>> costs = pd.DataFrame({"order_id": [1], "shipping": [8.0], "packaging": [2.0],
    ...                       "payment_fee": [0.6], "member_benefit": [0.0], "refund": [0.0]})
    >>> order_lines(orders, items, products, costs).iloc[0].tolist()
    [110.0, 10.0, 100.0, 40.0, 60.0, 8.0, 2.0, 0.6, 0.0, 0.0, 49.4]
    """
    price = columns(orders, "orders", amounts=[gross, amount])
    margin = contribution_margin(orders, items, products, costs, order_key=order_key,
                                 product=product, amount=amount)
    discount = price[gross].to_numpy() - price[amount].to_numpy()
    above = discount < -1e-6
    if above.any():
        raise DataError(
            f"orders paying more than their price ({gross} < {amount})",
            table="orders", column=[gross, amount],
            rows=orders.loc[above, [order_key, gross, amount]].head(5),
            fix=f"{gross} is the price before coupons and {amount} what was paid after them",
        )
    out = margin.rename(columns={"amount": "paid"})
    out.insert(0, "discount", np.maximum(discount, 0.0))
    out.insert(0, "price", price[gross].to_numpy())
    return out


def order_economics(
    orders: pd.DataFrame,
    items: pd.DataFrame,
    products: pd.DataFrame,
    costs: pd.DataFrame,
    *,
    by: str | None = None,
    order_key: str = "order_id",
    product: str = "product_id",
    amount: str = "amount",
    gross: str = "gross_amount",
) -> UnitEconomics:
    """Unit economics of one online order: the average of every line of :func:`order_lines`.

    .. math:: \\text{contribution} = \\text{price} - \\text{discount}
              - \\text{goods} - \\text{shipping} - \\text{packaging}
              - \\text{payment fee} - \\text{member benefit} - \\text{refund}

    averaged over the orders, so ``contribution`` is the mean of
    :func:`coursekit.metrics.contribution_margin`'s ``contribution``.

    Parameters
    ----------
    orders, items, products, costs
        As :func:`order_lines`.
    by
        Optional column of ``orders`` (``"platform"``, ``"warehouse"`` ...):
        one column of lines per value.
    order_key, product, amount, gross
        Column names, as :func:`order_lines`.

    Returns
    -------
    UnitEconomics
        ``kind="order"``; lines ``price``, ``discount``, ``paid``,
        ``goods``, ``gross_margin``, ``shipping``, ``packaging``,
        ``payment_fee``, ``member_benefit``, ``refund``, ``contribution``
        (yuan per order); no upfront cost or payback.

    Raises
    ------
    DataError
        As :func:`order_lines`.
    ArgumentError
        ``by`` not a column of ``orders``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": [1, 2], "gross_amount": [110.0, 60.0],
    ...                        "amount": [100.0, 60.0], "platform": ["app", "mini"]})
    >>> items = pd.DataFrame({"order_id": [1, 2], "product_id": [7, 7], "quantity": [2, 1]})
    >>> products = pd.DataFrame({"product_id": [7], "unit_cost": [20.0]})
    >>> costs = pd.DataFrame({"order_id": [1, 2], "shipping": [8.0, 6.0],
    ...                       "packaging": [2.0, 2.0], "payment_fee": [0.6, 0.4],
    ...                       "member_benefit": [0.0, 0.0], "refund": [0.0, 0.0]})
    >>> order_economics(orders, items, products, costs).lines  # doctest: +NORMALIZE_WHITESPACE
                    sign   all
    line
    price              1  85.0
    discount          -1   5.0
    paid               0  80.0
    goods             -1  30.0
    gross_margin       0  50.0
    shipping          -1   7.0
    packaging         -1   2.0
    payment_fee       -1   0.5
    member_benefit    -1   0.0
    refund            -1   0.0
    contribution       0  40.5
    >>> order_economics(orders, items, products, costs, by="platform").contribution.tolist()
    [49.4, 31.6]
    """
    check_by(by, orders, "orders")
    lines = order_lines(orders, items, products, costs, order_key=order_key, product=product,
                        amount=amount, gross=gross)
    if by is not None:
        lines[by] = orders[by].to_numpy()
    means, count = group_means(lines, list(ORDER_SIGNS), by)
    return assemble("order", "per order", means, ORDER_SIGNS, count=count)
