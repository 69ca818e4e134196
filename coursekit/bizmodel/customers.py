"""Unit economics of one acquired customer: contribution over their first months against CAC."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.bizmodel.orders import ORDER_SIGNS, order_lines
from coursekit.bizmodel.units import UnitEconomics, assemble
from coursekit.errors import ArgumentError
from coursekit.inputs import columns
from coursekit.metrics import COST_LINES, cac

__all__ = ["customer_economics"]

_DAY = np.timedelta64(1, "D")


def customer_economics(
    orders: pd.DataFrame,
    items: pd.DataFrame,
    products: pd.DataFrame,
    costs: pd.DataFrame,
    users: pd.DataFrame,
    spend: pd.DataFrame,
    *,
    horizon_months: int = 12,
    asof: object = None,
    channel: str = "channel",
    customer: str = "user_id",
    at: str = "order_time",
    signup_at: str = "signup_time",
    spend_at: str = "date",
    spend_amount: str = "spend",
    order_key: str = "order_id",
    product: str = "product_id",
    amount: str = "amount",
    gross: str = "gross_amount",
) -> UnitEconomics:
    """Unit economics of one acquired customer, by paid channel: contribution against CAC.

    For each channel of ``spend``, per *signed-up* user (buyer or not):

    - every line of :func:`order_lines` summed over the customer's first
      ``horizon_months`` calendar months (the sign-up month is month 1), as
      cohort LTV curves pooled over the sign-up months
      (:func:`coursekit.cohorts.ltv_curves` with ``start=users`` and
      ``pooled=True``: each month averaged over the cohorts observed that
      long);
    - ``cac``: spend / sign-ups over the days of ``spend``
      (:func:`coursekit.metrics.cac`);
    - ``net``: contribution - CAC (subtotal).

    The payback is the number of months until the cumulative contribution
    per user covers CAC (1 = the sign-up month), looking as far as the data
    goes (not only ``horizon_months``); NaN when not paid back yet.

    Parameters
    ----------
    orders, items, products, costs
        As :func:`order_lines`; ``orders`` also has ``customer`` and ``at``.
    users
        ``customer``, ``signup_at`` and ``channel``, one row per user.
    spend
        The acquisition spend: ``spend_at``, ``channel``, ``spend_amount``
        (e.g. ``channel_spend``); its channels are the columns.
    horizon_months
        Months of orders counted per customer (a whole number >= 1).
    asof
        End of the data, exclusive (default: the end of the orders and
        sign-ups).
    channel, customer, at, signup_at, spend_at, spend_amount
        Column names.
    order_key, product, amount, gross
        Column names, as :func:`order_lines`.

    Returns
    -------
    UnitEconomics
        ``kind="customer"``, one column per channel of ``spend``; lines
        ``price`` ... ``contribution`` (as :func:`order_economics`, summed
        per customer over the horizon), ``cac``, ``net``; ``upfront`` the
        CAC; ``count`` the sign-ups CAC divides by.

    Raises
    ------
    DataError
        As :func:`order_lines` and :func:`coursekit.metrics.cac`; a channel
        of ``spend`` nobody signed up through.
    ArgumentError
        ``horizon_months`` not a whole number >= 1, or longer than the
        months the data observes.

    Examples
    --------
    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2], "channel": ["ads", "ads"],
    ...     "signup_time": pd.to_datetime(["2025-01-05", "2025-01-06"])})
    >>> spend = pd.DataFrame({"date": pd.to_datetime(["2025-01-05", "2025-01-06"]),
    ...                       "channel": "ads", "spend": [30.0, 30.0]})
    >>> orders = pd.DataFrame({"order_id": [1, 2, 3], "user_id": [1, 1, 2],
    ...     "order_time": pd.to_datetime(["2025-01-05", "2025-02-03", "2025-03-01"]),
    ...     "gross_amount": 100.0, "amount": 100.0})
    >>> items = pd.DataFrame({"order_id": [1, 2, 3], "product_id": 7, "quantity": 1})
    >>> products = pd.DataFrame({"product_id": [7], "unit_cost": [50.0]})
    >>> costs = pd.DataFrame({"order_id": [1, 2, 3], "shipping": 10.0, "packaging": 0.0,
    ...     "payment_fee": 0.0, "member_benefit": 0.0, "refund": 0.0})
    >>> ue = customer_economics(orders, items, products, costs, users, spend,
    ...                         horizon_months=3)
    >>> ue.lines.loc[["paid", "contribution", "cac", "net"], "ads"].tolist()
    [150.0, 60.0, 30.0, 30.0]
    >>> float(ue.payback_months["ads"])  # month 1: 40 / 2 users = 20 < 30; month 2: 40
    2.0
    """
    from coursekit.cohorts import ltv_curves

    if (isinstance(horizon_months, bool) or not isinstance(horizon_months, int | np.integer)
            or horizon_months < 1):
        raise ArgumentError("horizon_months must be a whole number >= 1",
                            name="horizon_months", value=horizon_months, fix="e.g. 12")
    acquisition = cac(spend, users, per=None, channel=channel, at=spend_at,
                      amount=spend_amount, signup_at=signup_at)
    lines = order_lines(orders, items, products, costs, order_key=order_key, product=product,
                        amount=amount, gross=gross)
    o = columns(orders, "orders", ids=[customer], times=[at])
    start = columns(users, "users", ids=[customer, channel], times=[signup_at])
    parts = ["price", "discount", "goods", *COST_LINES]
    frame = pd.DataFrame({customer: o[customer].to_numpy(), at: o[at].to_numpy(),
                          **{p: lines[p].to_numpy() for p in parts}})
    curves = {p: ltv_curves(frame, customer=customer, at=at, amount=p, per="M", by=channel,
                            start=start, start_at=signup_at, pooled=True, asof=asof)
              for p in parts}
    paid = curves["price"] - curves["discount"]
    gross_margin = paid - curves["goods"]
    contribution = gross_margin - sum(curves[c] for c in COST_LINES)
    channels = acquisition.index
    have = contribution.reindex(channels)
    k = int(horizon_months) - 1
    observed = have.notna().sum(axis=1)
    if k >= have.shape[1] or have.iloc[:, min(k, have.shape[1] - 1)].isna().any():
        short = observed[observed <= k]
        raise ArgumentError(
            f"the data observes fewer than {horizon_months} months after sign-up for "
            f"channel(s) {short.index.tolist()[:5]}",
            name="horizon_months", value=horizon_months,
            allowed=f"at most {int(short.min()) if len(short) else have.shape[1]}")
    at_horizon = {"price": curves["price"], "discount": curves["discount"], "paid": paid,
                  "goods": curves["goods"], "gross_margin": gross_margin,
                  **{c: curves[c] for c in COST_LINES}, "contribution": contribution}
    values = pd.DataFrame({name: curve.reindex(channels).iloc[:, k]
                           for name, curve in at_horizon.items()})
    values["cac"] = acquisition["cac"].to_numpy()
    values["net"] = values["contribution"] - values["cac"]
    signs = {**ORDER_SIGNS, "cac": -1, "net": 0}
    cum = have.to_numpy()
    covered = np.nan_to_num(cum, nan=-np.inf) >= acquisition["cac"].to_numpy()[:, None]
    payback = pd.Series(np.where(covered.any(axis=1), covered.argmax(axis=1) + 1.0, np.nan),
                        index=channels)
    return assemble("customer", f"per signed-up customer, first {horizon_months} months",
                      values, signs, upfront=acquisition["cac"], payback=payback,
                      count=acquisition["new_users"])
