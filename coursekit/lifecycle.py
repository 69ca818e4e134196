"""Customer lifecycle stages: new, growing, mature, dormant, churned.

A customer's stage on a given day (``asof``) follows from three facts of
their order history up to that day: when they first bought (tenure), how
many orders they have placed, and how long ago the last one was (recency).
The rules, applied in this order, are

=========  ===================================================================
stage      rule
=========  ===================================================================
churned    no order for ``churned_days`` or more
dormant    no order for ``dormant_days`` or more (but fewer than churned_days)
new        first order less than ``new_days`` ago
mature     ``mature_orders`` orders or more
growing    everyone else: bought again or recently, not yet a habit
=========  ===================================================================

The default thresholds (30 / 90 / 180 days, 4 orders) suit a snack brand
whose customers reorder every few weeks; :func:`suggest_thresholds` derives
dormant and churned thresholds from the customers' own purchase gaps, and
the lesson shows where the fourth order stands out. Written here rather than
taken from a library because the rules *are* the lesson: an operations team
writes its own, and should see every line.

Examples
--------
>>> import pandas as pd
>>> orders = pd.DataFrame({
...     "user_id": [1, 1, 2, 3, 3, 3, 3],
...     "order_time": pd.to_datetime(["2025-01-05", "2025-06-20", "2025-06-25", "2025-02-01",
...                                   "2025-03-01", "2025-04-01", "2025-06-01"]),
...     "amount": [30.0, 40.0, 25.0, 20.0, 20.0, 20.0, 20.0]})
>>> stages(orders, asof="2025-06-30")["stage"].tolist()
['growing', 'new', 'mature']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns, timestamp

__all__ = ["STAGES", "ACTIONS", "stages", "stage_counts", "suggest_thresholds"]

#: The stages in lifecycle order (the order of the categorical ``stage`` column).
STAGES = ["new", "growing", "mature", "dormant", "churned"]

#: What operations does with each stage: the playbook the lesson discusses.
ACTIONS = {
    "new": "onboard: a welcome pack, and a second-order coupon in the first weeks "
           "tested on a random half",
    "growing": "build the habit: reminders timed to the purchase cycle, category cross-sell",
    "mature": "keep and enrich: membership, rights (权益), referral invitations",
    "dormant": "win back by the usual-gap rule (lesson 5c), a held-out part measuring it; "
               "silent 150-179 days: only in a controlled test",
    "churned": "low-cost reactivation only, no coupon; learn why they left",
}


def stages(
    orders: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "order_time",
    asof: object = None,
    new_days: int = 30,
    mature_orders: int = 4,
    dormant_days: int = 90,
    churned_days: int = 180,
) -> pd.DataFrame:
    """The lifecycle stage of every customer on the day ``asof``.

    Parameters
    ----------
    orders
        One row per order.
    customer, at
        Names of the customer-id and order-time columns.
    asof
        The day the stages describe (orders after it are ignored); default:
        the day after the last order in the data.
    new_days, mature_orders, dormant_days, churned_days
        Thresholds of the rules in the module docstring.

    Returns
    -------
    pandas.DataFrame
        One row per customer who had ordered by ``asof`` (index: customer id)
        with ``first_order``, ``last_order``, ``orders``, ``tenure_days``,
        ``recency_days`` and ``stage`` (categorical, in :data:`STAGES` order).

    Raises
    ------
    DataError
        Bad input (see :func:`coursekit.inputs.columns`), thresholds out of
        order, or ``asof`` before the first order.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"user_id": [7, 7], "order_time": pd.to_datetime(
    ...     ["2025-01-01", "2025-01-20"])})
    >>> row = stages(orders, asof="2025-09-01").loc[7]
    >>> int(row["orders"]), int(row["recency_days"]), row["stage"]
    (2, 224, 'churned')
    """
    if not (0 < new_days and 0 < dormant_days < churned_days and mature_orders >= 2):
        raise ArgumentError(
            "thresholds out of order: need 0 < new_days, 0 < dormant_days < churned_days "
            f"and mature_orders >= 2 (got {new_days}, {dormant_days}, {churned_days}, "
            f"{mature_orders})",
            name=["new_days", "dormant_days", "churned_days", "mature_orders"],
        )
    data = columns(orders, "orders", ids=[customer], times=[at])
    if asof is None:
        when = data[at].max().normalize() + pd.Timedelta(days=1)
    else:
        when = timestamp(asof, "asof", table="orders")
    if when <= data[at].min():
        raise ArgumentError(
            f"asof {when:%Y-%m-%d} is not after the first order ({data[at].min():%Y-%m-%d})",
            name="asof",
            fix="choose a day inside the data",
        )
    data = data[data[at] < when]
    per = data.groupby(customer, sort=True)[at].agg(["min", "max", "size"])
    per.columns = ["first_order", "last_order", "orders"]
    tenure = (when - per["first_order"]).dt.days
    recency = (when - per["last_order"]).dt.days
    stage = np.select(
        [recency >= churned_days, recency >= dormant_days, tenure < new_days,
         per["orders"] >= mature_orders],
        ["churned", "dormant", "new", "mature"],
        default="growing",
    )
    per["tenure_days"] = tenure.astype("int64")
    per["recency_days"] = recency.astype("int64")
    per["stage"] = pd.Categorical(stage, categories=STAGES, ordered=True)
    per.index.name = customer
    return per


def stage_counts(
    orders: pd.DataFrame,
    dates: list[object] | pd.DatetimeIndex,
    **kwargs: object,
) -> pd.DataFrame:
    """Number of customers in each stage on each of ``dates`` (rows: dates).

    Parameters
    ----------
    orders
        One row per order.
    dates
        The days to describe, e.g. ``pd.date_range("2024-03-01", "2025-12-01", freq="MS")``.
    **kwargs
        Passed to :func:`stages` (column names and thresholds).

    Returns
    -------
    pandas.DataFrame
        One row per date, one column per stage.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"user_id": [1, 2], "order_time": pd.to_datetime(
    ...     ["2025-01-01", "2025-03-01"])})
    >>> counts = stage_counts(orders, ["2025-02-01", "2025-09-01"])
    >>> counts[["growing", "churned"]].to_numpy().tolist()
    [[1, 0], [0, 2]]
    """
    if isinstance(dates, str) or not hasattr(dates, "__iter__") or len(dates) == 0:
        raise ArgumentError("dates must be a list of days", name="dates", value=dates,
                            fix="e.g. dates=['2025-01-01', '2025-07-01'] or a pd.date_range")
    rows = {}
    for day in dates:
        when = timestamp(day, "dates")
        rows[when] = stages(orders, asof=when, **kwargs)["stage"].value_counts().reindex(STAGES)
    return pd.DataFrame(rows).T.rename_axis("date").fillna(0).astype("int64")


def suggest_thresholds(
    orders: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "order_time",
    quantiles: tuple[float, float] = (0.8, 0.95),
) -> dict[str, int]:
    """Dormant and churned thresholds from the customers' own gaps between orders.

    A gap longer than 80% of all observed gaps between one order and the
    next is unusual (dormant); one longer than 95% of them rarely ends in
    another order (churned). Gaps are counted in whole days between
    consecutive orders of the same customer.

    Returns
    -------
    dict
        ``{"dormant_days": ..., "churned_days": ...}``, ready for :func:`stages`.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"user_id": [1] * 5, "order_time": pd.to_datetime(
    ...     ["2025-01-01", "2025-01-11", "2025-01-31", "2025-03-02", "2025-05-01"])})
    >>> suggest_thresholds(orders, quantiles=(0.5, 1.0))
    {'dormant_days': 25, 'churned_days': 60}
    """
    lo, hi = quantiles
    if not 0 < lo < hi <= 1:
        raise ArgumentError(f"quantiles must satisfy 0 < low < high <= 1, got {quantiles}",
                            name="quantiles")
    data = columns(orders, "orders", ids=[customer], times=[at]).sort_values([customer, at])
    gap = data[at].diff().dt.days
    gap = gap[data[customer].eq(data[customer].shift())]
    if gap.empty:
        raise DataError("no customer has two orders, so there are no gaps to learn from",
                        table="orders", column=customer,
                        fix="use a longer stretch of orders (or all customers, not a sample)")
    dormant = int(np.ceil(gap.quantile(lo)))
    churned = max(int(np.ceil(gap.quantile(hi))), dormant + 1)
    return {"dormant_days": dormant, "churned_days": churned}
