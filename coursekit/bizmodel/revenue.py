"""Revenue streams: where the company's revenue comes from, period by period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit._periods import Axis, ordinals
from coursekit._periods import freq as period_code
from coursekit.bizmodel.units import WHOLE
from coursekit.errors import ArgumentError
from coursekit.inputs import columns

__all__ = ["revenue_streams"]

def revenue_streams(
    orders: pd.DataFrame,
    memberships: pd.DataFrame,
    store_months: pd.DataFrame,
    *,
    per: str | None = None,
    at: str = "order_time",
    amount: str = "amount",
    start_at: str = "start_date",
    price: str = "price",
    month_at: str = "month",
    revenue: str = "revenue",
) -> pd.DataFrame:
    """Revenue by stream (收入来源): online orders, store sales and membership fees.

    .. math:: \\text{total} = \\text{online orders} + \\text{store sales}
              + \\text{membership fees}, \\qquad
              \\text{share}_s = \\text{stream}_s / \\text{total}

    Online orders count what was paid (after coupons) when the order was paid;
    store sales count each store-month's sales in its month; a membership fee
    counts in full when the period starts (cash received, not spread over
    the months it covers).

    Parameters
    ----------
    orders
        One row per online order: ``at`` and ``amount`` (paid).
    memberships
        One row per paid membership period: ``start_at`` and ``price``. May be
        empty (a business without a membership).
    store_months
        One row per store and month: ``month_at`` (the month's first day) and
        ``revenue``. May be empty (no stores).
    per
        ``None`` (default: one row ``"all"`` for the whole span), ``"M"``,
        ``"Q"`` or ``"Y"``. Days and weeks are refused: store sales are
        known by month only.
    at, amount
        Columns of ``orders``.
    start_at, price
        Columns of ``memberships``.
    month_at, revenue
        Columns of ``store_months``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period`` (every period from the first to the last of
        the three tables, empty ones included), or one row ``"all"``:
        ``online_orders``, ``store_sales``, ``membership_fees``, ``total``
        (yuan) and ``online_orders_share``, ``store_sales_share``,
        ``membership_fees_share`` (of the total; NaN in a period without
        revenue).

    Raises
    ------
    DataError
        Missing columns, negative amounts, unreadable dates, no orders.
    ArgumentError
        An unknown ``per``, or ``"D"`` / ``"W"``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_time": pd.to_datetime(["2025-01-03", "2025-02-10"]),
    ...                        "amount": [100.0, 60.0]})
    >>> memberships = pd.DataFrame({"start_date": pd.to_datetime(["2025-01-20"]),
    ...                             "price": [128.0]})
    >>> stores = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01"]),
    ...                        "revenue": [300.0, 412.0]})
    >>> revenue_streams(orders, memberships, stores).T  # doctest: +NORMALIZE_WHITESPACE
    period                    all
    online_orders         160.000
    store_sales           712.000
    membership_fees       128.000
    total                1000.000
    online_orders_share     0.160
    store_sales_share       0.712
    membership_fees_share   0.128
    >>> revenue_streams(orders, memberships, stores, per="M")["total"].tolist()
    [528.0, 472.0]
    """
    o = columns(orders, "orders", times=[at], amounts=[amount])
    m = columns(memberships, "memberships", times=[start_at], amounts=[price], allow_empty=True)
    s = columns(store_months, "store_months", times=[month_at], amounts=[revenue],
                allow_empty=True)
    names = ["online_orders", "store_sales", "membership_fees"]
    parts = [(o[at], o[amount]), (s[month_at], s[revenue]), (m[start_at], m[price])]
    if per is None:
        totals = [float(money.sum()) for _, money in parts]
        out = pd.DataFrame([totals], columns=names, index=pd.Index([WHOLE], name="period"))
    else:
        code = period_code(per, name="per")
        if code in ("D", "W"):
            raise ArgumentError("store sales are known by month only", name="per", value=per,
                                allowed="'M', 'Q', 'Y' or None")
        periods = [ordinals(when, code) for when, _ in parts]
        axis = Axis.spanning(code, *[p for p in periods if len(p)])
        out = pd.DataFrame({name: axis.count(p, money.to_numpy()) if len(p) else
                            np.zeros(axis.n) for name, p, (_, money)
                            in zip(names, periods, parts, strict=True)}, index=axis.index)
    out["total"] = out[names].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        for name in names:
            out[f"{name}_share"] = np.where(out["total"] > 0, out[name] / out["total"], np.nan)
    return out
