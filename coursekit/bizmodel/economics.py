"""Revenue streams and unit economics (单位经济模型): what one unit of the business leaves.

:func:`revenue_streams` splits revenue by where it comes from. The unit
economics functions show the contribution of *one unit*, every line from the
price down, as a :class:`UnitEconomics`:

- :func:`order_economics`: one online order (price, discount, product cost,
  fulfilment, payment fee, member benefit, refund), the averages of
  :func:`coursekit.metrics.contribution_margin`;
- :func:`member_economics`: one member-year of the paid membership;
- :func:`store_economics`: one store-month, and the months the fit-out takes
  to pay back;
- :func:`customer_economics`: one acquired customer of a paid channel, over
  their first months, against the acquisition cost (CAC), with the payback;
- :func:`unit_economics` dispatches to them by name.

Store rents, pay rates, the stores' gross margin and fit-out costs are
company parameters, passed as ``cost_rates`` (see :func:`store_lines`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from coursekit._periods import Axis, ordinals
from coursekit._periods import freq as period_code
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import choice, columns, timestamp, unique_key
from coursekit.metrics import COST_LINES, cac, contribution_margin

__all__ = [
    "UnitEconomics",
    "revenue_streams",
    "order_lines",
    "store_lines",
    "order_economics",
    "member_economics",
    "store_economics",
    "customer_economics",
    "unit_economics",
    "KINDS",
]

#: The units :func:`unit_economics` knows.
KINDS = ("order", "member", "store", "customer")
#: Index label of the one column (or row) describing every unit together.
WHOLE = "all"
_YEAR_DAYS = 365.0
_DAY = np.timedelta64(1, "D")

# line -> sign: +1 adds, -1 subtracts, 0 a subtotal (the signed sum of the lines above it)
_ORDER_SIGNS = {"price": 1, "discount": -1, "paid": 0, "goods": -1, "gross_margin": 0,
                **dict.fromkeys(COST_LINES, -1), "contribution": 0}
_STORE_SIGNS = {"revenue": 1, "goods": -1, "gross_margin": 0, "rent": -1, "staff_pay": -1,
                "contribution": 0}


@dataclass(frozen=True)
class UnitEconomics:
    """The contribution of one unit (an order, a member-year, a store-month, a customer).

    Attributes
    ----------
    kind
        ``"order"``, ``"member"``, ``"store"`` or ``"customer"``.
    label
        What one unit is, in words (``"per order"``, ``"per member-year"``,
        ``"per store-month"``, ``"per signed-up customer, first 12 months"``).
    lines
        Indexed by ``line``, top to bottom. Column ``sign``: +1 a line that
        adds, -1 one that is taken off, 0 a subtotal (the sum of
        ``sign x value`` of every line above it that is not a subtotal), so
        every subtotal can be checked by hand. Then one column of yuan per
        unit for each group: ``"all"`` for every unit together, or one per
        value of ``by`` (one per channel for customers).
    contribution
        The ``contribution`` line, per group (a Series indexed like the
        columns of ``lines``).
    upfront
        The one-off cost the contribution has to pay back, per group: a
        store's fit-out, a customer's acquisition cost; NaN when there is
        none (orders, members).
    payback_months
        Months until ``upfront`` is paid back, per group: for a store
        ``upfront / contribution`` (``inf`` when the contribution is not
        positive); for a customer the number of months since sign-up until
        the cumulative contribution covers CAC (as
        :func:`coursekit.metrics.payback_periods` counts: 1 = the sign-up
        month already pays it back), NaN when not paid back within the
        months observed; NaN for orders and members.
    count
        The units each group's averages are made of (orders, member-years,
        store-months, signed-up customers), per group.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": [1, 2], "gross_amount": [110.0, 60.0],
    ...                        "amount": [100.0, 60.0]})
    >>> items = pd.DataFrame({"order_id": [1, 2], "product_id": [7, 7], "quantity": [2, 1]})
    >>> products = pd.DataFrame({"product_id": [7], "unit_cost": [20.0]})
    >>> costs = pd.DataFrame({"order_id": [1, 2], "shipping": [8.0, 6.0],
    ...                       "packaging": [2.0, 2.0], "payment_fee": [0.6, 0.4],
    ...                       "member_benefit": [0.0, 0.0], "refund": [0.0, 0.0]})
    >>> ue = order_economics(orders, items, products, costs)
    >>> float(ue.contribution["all"]), round(float(ue.shares.loc["contribution", "all"]), 3)
    (40.5, 0.476)
    """

    kind: str
    label: str
    lines: pd.DataFrame
    contribution: pd.Series
    upfront: pd.Series
    payback_months: pd.Series
    count: pd.Series

    @property
    def shares(self) -> pd.DataFrame:
        """Every line as a share of the first line (the price, fee or revenue), per group."""
        values = self.lines.drop(columns="sign")
        return values / values.iloc[0]


def _economics(kind: str, label: str, values: pd.DataFrame, signs: Mapping[str, int], *,
               upfront: pd.Series | None = None, payback: pd.Series | None = None,
               count: pd.Series) -> UnitEconomics:
    """Assemble the result: ``values`` has one row per group and one column per line."""
    values = values[list(signs)]
    lines = values.T
    lines.index.name = "line"
    lines.columns.name = None
    lines.insert(0, "sign", pd.Series(signs, dtype=np.int64))
    groups = pd.Index(values.index, name=values.index.name)
    nan = pd.Series(np.nan, index=groups)
    return UnitEconomics(
        kind=kind,
        label=label,
        lines=lines,
        contribution=values["contribution"].rename("contribution"),
        upfront=(nan if upfront is None else upfront.reindex(groups)).rename("upfront"),
        payback_months=(nan if payback is None else payback.reindex(groups)).rename(
            "payback_months"),
        count=count.reindex(groups).rename("count"),
    )


def _group_means(frame: pd.DataFrame, cols: list[str], by: str | None) -> tuple[pd.DataFrame,
                                                                             pd.Series]:
    """Mean of ``cols`` per value of ``by`` (one row ``"all"`` without it), and the counts."""
    if by is None:
        means = frame[cols].mean().to_frame(WHOLE).T
        return means.rename_axis("group"), pd.Series({WHOLE: len(frame)})
    grouped = frame.groupby(by, observed=True, sort=True)[cols]
    return grouped.mean(), grouped.size()


def _by_column(by: object, table: pd.DataFrame, name: str) -> None:
    if by is None:
        return
    if not isinstance(by, str) or by not in table.columns:
        raise ArgumentError(f"by must be the name of a column of {name}", name="by", value=by,
                            allowed=f"None or one of {list(table.columns)}")


# ------------------------------------------------------------------ revenue streams


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


# ------------------------------------------------------------------ orders


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
    _by_column(by, orders, "orders")
    lines = order_lines(orders, items, products, costs, order_key=order_key, product=product,
                        amount=amount, gross=gross)
    if by is not None:
        lines[by] = orders[by].to_numpy()
    means, count = _group_means(lines, list(_ORDER_SIGNS), by)
    return _economics("order", "per order", means, _ORDER_SIGNS, count=count)


# ------------------------------------------------------------------ members


def member_economics(
    memberships: pd.DataFrame,
    orders: pd.DataFrame,
    items: pd.DataFrame,
    products: pd.DataFrame,
    costs: pd.DataFrame,
    users: pd.DataFrame,
    *,
    basis: str = "own",
    asof: object = None,
    customer: str = "user_id",
    start_at: str = "start_date",
    end_at: str = "end_date",
    price: str = "price",
    at: str = "order_time",
    signup_at: str = "signup_time",
    order_key: str = "order_id",
    product: str = "product_id",
    amount: str = "amount",
) -> UnitEconomics:
    """Unit economics of one member-year of the paid membership (付费会员).

    Per member-year (the days customers were members, observed before
    ``asof``, over 365):

    .. math:: \\text{contribution} = \\text{fee} - \\text{benefit}
              + \\text{member orders} - \\text{baseline orders}

    - ``fee``: the membership prices over the length of the periods they
      bought (a monthly plan at 15 yuan for 30 days is 182.5 yuan a year);
    - ``member_benefit``: the benefit's cost (e.g. priority shipping) on the
      orders placed while a member, the ``member_benefit`` cost line;
    - ``programme_margin`` (subtotal): what the programme itself makes;
    - ``member_orders``: the contribution of the orders placed while a
      member, before the benefit (the benefit is the line above);
    - ``baseline_orders``: what the same time would bring without the
      membership, by ``basis``:

      - ``"own"``: the members' own orders while *not* members, per year
        from their sign-up to ``asof`` outside their membership periods;
      - ``"non_members"``: the orders of users who never joined, per year
        from their sign-up to ``asof``;
      - ``"fee"``: no order lines; the contribution is the programme margin
        (the membership is assumed to change no orders).

    The difference between member and baseline orders is an association, not
    the membership's effect: customers join when they buy most (a selection
    effect), so both baselines credit the membership with orders that would
    have come anyway. An experiment measures the effect itself.

    Parameters
    ----------
    memberships
        One row per paid period: ``customer``, ``start_at``, ``end_at`` (the
        period's last day) and ``price``. A customer's periods must not
        overlap.
    orders, items, products, costs
        As :func:`coursekit.metrics.contribution_margin`; ``orders`` also
        has ``customer`` and ``at``.
    users
        ``customer`` and ``signup_at``: every member and every buyer.
    basis
        ``"own"`` (default), ``"non_members"`` or ``"fee"``.
    asof
        End of the observation, exclusive (default: the midnight after the
        last order's day); later orders, periods and sign-ups are left out.
    customer, start_at, end_at, price, at, signup_at, order_key, product, amount
        Column names.

    Returns
    -------
    UnitEconomics
        ``kind="member"``, one column ``"all"``; lines ``fee``,
        ``member_benefit``, ``programme_margin``, ``member_orders``,
        ``baseline_orders``, ``contribution`` (yuan per member-year; with
        ``basis="fee"``: ``fee``, ``member_benefit``, ``contribution``);
        ``count`` is the member-years observed.

    Raises
    ------
    DataError
        Bad columns, overlapping periods, a member or buyer missing from
        ``users``, no member-days before ``asof``.
    ArgumentError
        An unknown ``basis``, an unreadable ``asof``.

    Examples
    --------
    >>> import pandas as pd
    >>> memberships = pd.DataFrame({"user_id": [1], "start_date": pd.to_datetime(["2025-01-01"]),
    ...                             "end_date": pd.to_datetime(["2025-12-31"]),
    ...                             "price": [128.0]})
    >>> users = pd.DataFrame({"user_id": [1, 2],  # two years before the end, 2026-01-01
    ...                       "signup_time": pd.to_datetime(["2024-01-02", "2024-01-02"])})
    >>> orders = pd.DataFrame({"order_id": [1, 2, 3], "user_id": [1, 1, 2],
    ...     "order_time": pd.to_datetime(["2024-06-01", "2025-03-01", "2025-12-31"]),
    ...     "amount": [100.0, 100.0, 100.0]})
    >>> items = pd.DataFrame({"order_id": [1, 2, 3], "product_id": 7, "quantity": 1})
    >>> products = pd.DataFrame({"product_id": [7], "unit_cost": [50.0]})
    >>> costs = pd.DataFrame({"order_id": [1, 2, 3], "shipping": 10.0, "packaging": 0.0,
    ...     "payment_fee": 0.0, "member_benefit": [0.0, 3.0, 0.0], "refund": 0.0})
    >>> ue = member_economics(memberships, orders, items, products, costs, users)
    >>> ue.lines["all"].round(2).tolist()
    [128.0, 3.0, 125.0, 40.0, 40.0, 125.0]
    >>> member_economics(memberships, orders, items, products, costs, users,
    ...                  basis="non_members").lines["all"].round(2).tolist()
    [128.0, 3.0, 125.0, 40.0, 20.0, 145.0]
    """
    choice("basis", basis, ("own", "non_members", "fee"))
    ms = columns(memberships, "memberships", ids=[customer], times=[start_at, end_at],
                 amounts=[price])
    o = columns(orders, "orders", ids=[order_key, customer], times=[at])
    u = columns(users, "users", ids=[customer], times=[signup_at])
    unique_key(u, "users", customer)
    margin = contribution_margin(orders, items, products, costs, order_key=order_key,
                                 product=product, amount=amount)
    when = o[at].to_numpy()
    end = (timestamp(asof, "asof").to_datetime64() if asof is not None
           else when.max().astype("datetime64[D]") + _DAY).astype("datetime64[ns]")

    start = ms[start_at].to_numpy().astype("datetime64[D]").astype("datetime64[ns]")
    stop = (ms[end_at].to_numpy().astype("datetime64[D]") + _DAY).astype("datetime64[ns]")
    short = stop <= start
    if short.any():
        raise DataError("membership periods ending before they start", table="memberships",
                        column=[start_at, end_at], rows=memberships.loc[short].head(5),
                        fix=f"{end_at} is the period's last day, on or after {start_at}")
    keep = start < end
    ids = pd.Index(u[customer].to_numpy())
    member_code = ids.get_indexer(pd.Index(ms[customer].to_numpy()))
    order_code = ids.get_indexer(pd.Index(o[customer].to_numpy()))
    for table, frame, code, rows in (("memberships", memberships, member_code, keep),
                                     ("orders", orders, order_code, when < end)):
        unknown = (code < 0) & rows
        if unknown.any():
            raise DataError(f"{table} of customers missing from users", table="users",
                            column=customer, rows=frame.loc[unknown, [customer]].head(5),
                            fix="pass the users table of the same world")
    member_code, start, stop, price_paid = (member_code[keep], start[keep], stop[keep],
                                            ms[price].to_numpy()[keep])
    if len(start) == 0:
        raise DataError("no membership period starts before asof: no member-years to divide by",
                        table="memberships", column=start_at,
                        fix="pass the memberships of the same span, or a later asof")
    sort = np.lexsort((start, member_code))
    member_code, start, stop, price_paid = (member_code[sort], start[sort], stop[sort],
                                            price_paid[sort])
    same = member_code[1:] == member_code[:-1]
    overlap = same & (start[1:] < stop[:-1])
    if overlap.any():
        k = np.flatnonzero(overlap)[:3]
        who = ids[member_code[k]]
        raise DataError("a customer's membership periods overlap: their days would count twice",
                        table="memberships", column=[start_at, end_at],
                        rows=memberships[memberships[customer].isin(who)].head(6),
                        fix="merge or trim the overlapping periods")
    bought_days = (stop - start) / _DAY
    seen_days = (np.minimum(stop, end) - start) / _DAY
    member_years = float(seen_days.sum()) / _YEAR_DAYS
    fee = float(price_paid.sum()) / (float(bought_days.sum()) / _YEAR_DAYS)

    inside = when < end
    o_code = order_code[inside]
    o_day = when[inside].astype("datetime64[D]").astype(np.int64)
    contribution = margin["contribution"].to_numpy()[inside]
    benefit = margin["member_benefit"].to_numpy()[inside]
    # each order's period: the customer's last period starting on or before its day,
    # found by one searchsorted on (customer, day) keys; periods are sorted that way
    first_day = start.astype("datetime64[D]").astype(np.int64)
    last_day = stop.astype("datetime64[D]").astype(np.int64)  # exclusive
    lo = min(int(first_day.min()), int(o_day.min()) if len(o_day) else 0)
    span = max(int(last_day.max()), int(o_day.max()) if len(o_day) else 0) - lo + 1
    found = np.searchsorted(member_code * span + (first_day - lo),
                            o_code * span + (o_day - lo), side="right") - 1
    period = np.where(found >= 0, found, 0)
    as_member = ((found >= 0) & (member_code[period] == o_code)
                 & (o_day < last_day[period]))
    member_orders = float((contribution + benefit)[as_member].sum()) / member_years
    benefit_cost = float(benefit[as_member].sum()) / member_years

    values = {"fee": fee, "member_benefit": benefit_cost}
    signs = {"fee": 1, "member_benefit": -1}
    if basis != "fee":
        signup = u[signup_at].to_numpy().astype("datetime64[ns]")
        years = np.maximum((end - signup) / _DAY, 0.0) / _YEAR_DAYS
        is_member = np.zeros(len(ids), dtype=bool)
        is_member[member_code] = True
        if basis == "own":
            who = is_member[o_code] & ~as_member
            exposure = float(years[is_member].sum()) - member_years
        else:
            who = ~is_member[o_code]
            exposure = float(years[~is_member].sum())
        if exposure <= 0:
            raise DataError(f"no customer-time to measure the baseline ({basis!r}) on",
                            table="users", column=signup_at,
                            fix="use basis='fee', or another basis")
        baseline = float((contribution + benefit)[who].sum()) / exposure
        values.update(programme_margin=fee - benefit_cost, member_orders=member_orders,
                      baseline_orders=baseline)
        signs.update(programme_margin=0, member_orders=1, baseline_orders=-1)
    values["contribution"] = sum(values[k] * s for k, s in signs.items())
    signs["contribution"] = 0
    frame = pd.DataFrame(values, index=pd.Index([WHOLE], name="group"))
    return _economics("member", "per member-year", frame, signs,
                      count=pd.Series({WHOLE: member_years}))


# ------------------------------------------------------------------ stores


def _rates(cost_rates: object) -> dict[str, object]:
    """The store cost parameters as plain dicts keyed by text (tiers "1", formats ...)."""
    if isinstance(cost_rates, pd.DataFrame):
        need = ["item", "key", "value"]
        if not set(need) <= set(cost_rates.columns):
            raise ArgumentError("a cost_rates table needs the columns item, key, value",
                                name="cost_rates", value=list(cost_rates.columns),
                                fix="pass coursekit.load('cost_rates'): one row per rate, "
                                "e.g. item='rent_per_sqm_month', key='1', value=420.0 "
                                "(key 'all' for a single number)")
        table: dict[str, object] = {}
        for item, key, value in cost_rates[need].itertuples(index=False):
            if key is None or (not isinstance(key, str) and pd.isna(key)) or key in ("", "all"):
                table[str(item)] = value
            else:
                table.setdefault(str(item), {})[str(key)] = value  # type: ignore[union-attr]
        cost_rates = table
    if not isinstance(cost_rates, Mapping):
        raise ArgumentError("cost_rates must be a mapping or the cost_rates table",
                            name="cost_rates", value=cost_rates,
                            fix="e.g. {'rent_per_sqm_month': {'1': 420.0, ...}, "
                            "'pay_per_staff_hour': {...}, 'store_gross_margin': 0.55, "
                            "'fit_out': {'mall_kiosk': 150000.0, ...}}")
    out: dict[str, object] = {}
    for name in ("rent_per_sqm_month", "pay_per_staff_hour", "fit_out"):
        table = cost_rates.get(name)
        if not isinstance(table, Mapping) or not table:
            raise ArgumentError(f"cost_rates has no table {name!r}", name="cost_rates",
                                value=sorted(map(str, cost_rates)),
                                fix=f"give {name} as a mapping, e.g. by city tier or format")
        bad = {k: v for k, v in table.items()
               if isinstance(v, bool) or not isinstance(v, Real) or not 0 <= v < math.inf}
        if bad:
            raise ArgumentError(f"cost_rates[{name!r}] holds values that are not amounts >= 0",
                                name="cost_rates", value=bad)
        out[name] = {str(k): float(v) for k, v in table.items()}
    margin = cost_rates.get("store_gross_margin")
    if isinstance(margin, bool) or not isinstance(margin, Real) or not 0 <= margin <= 1:
        raise ArgumentError("cost_rates['store_gross_margin'] must be a share in [0, 1]",
                            name="cost_rates", value=margin, fix="e.g. 0.55 for 55 %")
    out["store_gross_margin"] = float(margin)
    return out


def _lookup(values: pd.Series, rates: Mapping[str, float], table: str, column: str,
            name: str, frame: pd.DataFrame) -> np.ndarray:
    keys = values.astype(str).to_numpy()
    found = pd.Series(rates).reindex(keys).to_numpy(dtype=np.float64)
    missing = np.isnan(found)
    if missing.any():
        raise DataError(f"no {name} rate for {sorted(set(keys[missing]))[:5]}", table=table,
                        column=column, rows=frame.loc[missing].head(5),
                        fix=f"add them to cost_rates[{name!r}] (known: {sorted(rates)})")
    return found


def store_lines(
    store_months: pd.DataFrame,
    stores: pd.DataFrame,
    cost_rates: Mapping[str, object] | pd.DataFrame,
    *,
    store: str = "store_id",
    amount: str = "revenue",
    hours: str = "staff_hours",
    tier: str = "city_tier",
    area: str = "area_sqm",
    store_format: str = "format",
) -> pd.DataFrame:
    """Every line of every store-month, from sales to the store's contribution.

    .. math:: \\text{contribution} = \\text{revenue} \\times m
              - \\text{area} \\times \\text{rent}_{\\text{tier}}
              - \\text{staff hours} \\times \\text{pay}_{\\text{tier}}

    with :math:`m` the stores' gross margin (``goods`` is the revenue's cost
    of goods, :math:`(1 - m) \\times` revenue).

    Parameters
    ----------
    store_months
        One row per store and month: ``store``, ``amount`` (sales) and
        ``hours`` (staff hours worked).
    stores
        One row per store: ``store``, ``tier`` (city tier), ``area`` (m²)
        and ``store_format``.
    cost_rates
        The company's store cost parameters: a mapping with
        ``rent_per_sqm_month`` (yuan per m² a month, by city tier),
        ``pay_per_staff_hour`` (yuan, by city tier), ``store_gross_margin``
        (a share) and ``fit_out`` (yuan, by format), e.g. the course world's
        ``coursekit.truth()["world2"]`` (other keys are ignored); or the
        course's ``cost_rates`` table (columns ``item``, ``key``, ``value``;
        ``key`` ``"all"`` for the gross margin; other items are ignored).
        Tiers are matched as text (``1`` and ``"1"`` are the same tier).
    store, amount, hours, tier, area, store_format
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row per row of ``store_months`` (same index): ``store``,
        ``revenue``, ``goods``, ``gross_margin``, ``rent``, ``staff_pay``,
        ``contribution`` (yuan a month) and ``fit_out`` (the store's one-off
        fit-out, yuan).

    Raises
    ------
    DataError
        Bad columns; a store-month of a store missing from ``stores``; a
        tier or format without a rate.
    ArgumentError
        ``cost_rates`` missing a rate or holding one that is not a number.

    Examples
    --------
    >>> import pandas as pd
    >>> months = pd.DataFrame({"store_id": [1, 1], "revenue": [60000.0, 50000.0],
    ...                        "staff_hours": [600.0, 500.0]})
    >>> stores = pd.DataFrame({"store_id": [1], "city_tier": ["1"], "area_sqm": [40],
    ...                        "format": ["mall_kiosk"]})
    >>> rates = {"rent_per_sqm_month": {"1": 400.0}, "pay_per_staff_hour": {"1": 30.0},
    ...          "store_gross_margin": 0.5, "fit_out": {"mall_kiosk": 150000.0}}
    >>> store_lines(months, stores, rates)[["gross_margin", "rent", "staff_pay",
    ...                                     "contribution"]].to_numpy().tolist()
    [[30000.0, 16000.0, 18000.0, -4000.0], [25000.0, 16000.0, 15000.0, -6000.0]]
    """
    rates = _rates(cost_rates)
    sm = columns(store_months, "store_months", ids=[store], amounts=[amount, hours])
    st = columns(stores, "stores", ids=[store, tier, store_format], amounts=[area])
    unique_key(st, "stores", store)
    known = st.set_index(store)
    unknown = ~sm[store].isin(known.index)
    if unknown.any():
        raise DataError("store-months of stores missing from stores", table="stores",
                        column=store, rows=store_months.loc[unknown].head(5),
                        fix="pass the stores table of the same world")
    rent = _lookup(known[tier], rates["rent_per_sqm_month"], "stores", tier,  # type: ignore
                   "rent_per_sqm_month", stores) * known[area].to_numpy()
    pay = _lookup(known[tier], rates["pay_per_staff_hour"], "stores", tier,  # type: ignore
                  "pay_per_staff_hour", stores)
    fit_out = _lookup(known[store_format], rates["fit_out"], "stores",  # type: ignore
                      store_format, "fit_out", stores)
    pos = known.index.get_indexer(pd.Index(sm[store].to_numpy()))
    revenue = sm[amount].to_numpy()
    margin = rates["store_gross_margin"]
    out = pd.DataFrame({store: sm[store].to_numpy(), "revenue": revenue,
                        "goods": revenue * (1.0 - margin),  # type: ignore[operator]
                        "gross_margin": revenue * margin,  # type: ignore[operator]
                        "rent": rent[pos], "staff_pay": sm[hours].to_numpy() * pay[pos]},
                       index=store_months.index)
    out["contribution"] = out["gross_margin"] - out["rent"] - out["staff_pay"]
    out["fit_out"] = fit_out[pos]
    return out


def store_economics(
    store_months: pd.DataFrame,
    stores: pd.DataFrame,
    cost_rates: Mapping[str, object] | pd.DataFrame,
    *,
    by: str | None = None,
    store: str = "store_id",
    amount: str = "revenue",
    hours: str = "staff_hours",
    tier: str = "city_tier",
    area: str = "area_sqm",
    store_format: str = "format",
) -> UnitEconomics:
    """Unit economics of one store-month, and the months the fit-out takes to pay back.

    Each line of :func:`store_lines` averaged over the store-months; the
    upfront cost is the average fit-out of the stores, and

    .. math:: \\text{payback months} = \\frac{\\text{fit-out}}
              {\\text{contribution per store-month}}

    (``inf`` when the contribution is not positive: the store never pays
    its fit-out back).

    Parameters
    ----------
    store_months, stores, cost_rates
        As :func:`store_lines`.
    by
        Optional column of ``stores`` (``"store_id"``, ``"format"``,
        ``"city_tier"`` ...): one column of lines per value.
    store, amount, hours, tier, area, store_format
        Column names, as :func:`store_lines`.

    Returns
    -------
    UnitEconomics
        ``kind="store"``; lines ``revenue``, ``goods``, ``gross_margin``,
        ``rent``, ``staff_pay``, ``contribution`` (yuan per store-month);
        ``upfront`` the fit-out; ``count`` the store-months.

    Raises
    ------
    DataError, ArgumentError
        As :func:`store_lines`; ``by`` not a column of ``stores``.

    Examples
    --------
    >>> import pandas as pd
    >>> months = pd.DataFrame({"store_id": [1, 1], "revenue": [80000.0, 100000.0],
    ...                        "staff_hours": [600.0, 600.0]})
    >>> stores = pd.DataFrame({"store_id": [1], "city_tier": [1], "area_sqm": [40],
    ...                        "format": ["mall_kiosk"]})
    >>> rates = {"rent_per_sqm_month": {1: 400.0}, "pay_per_staff_hour": {1: 30.0},
    ...          "store_gross_margin": 0.5, "fit_out": {"mall_kiosk": 150000.0}}
    >>> ue = store_economics(months, stores, rates)
    >>> ue.lines["all"].tolist()
    [90000.0, 45000.0, 45000.0, 16000.0, 18000.0, 11000.0]
    >>> round(float(ue.payback_months["all"]), 1)  # 150,000 / 11,000
    13.6
    """
    _by_column(by, stores, "stores")
    lines = store_lines(store_months, stores, cost_rates, store=store, amount=amount,
                        hours=hours, tier=tier, area=area, store_format=store_format)
    if by is not None and by != store:
        lines[by] = lines[store].map(stores.set_index(store)[by]).to_numpy()
    means, count = _group_means(lines, list(_STORE_SIGNS), by)
    per_store = lines.drop_duplicates(store)
    if by is None:
        upfront = pd.Series({WHOLE: float(per_store["fit_out"].mean())})
    else:
        upfront = per_store.groupby(by, observed=True)["fit_out"].mean()
    contribution = means["contribution"]
    with np.errstate(divide="ignore"):
        payback = pd.Series(np.where(contribution.to_numpy() > 0,
                                     upfront.reindex(means.index).to_numpy()
                                     / contribution.to_numpy(), np.inf), index=means.index)
    return _economics("store", "per store-month", means, _STORE_SIGNS, upfront=upfront,
                      payback=payback, count=count)


# ------------------------------------------------------------------ customers


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
    signs = {**_ORDER_SIGNS, "cac": -1, "net": 0}
    cum = have.to_numpy()
    covered = np.nan_to_num(cum, nan=-np.inf) >= acquisition["cac"].to_numpy()[:, None]
    payback = pd.Series(np.where(covered.any(axis=1), covered.argmax(axis=1) + 1.0, np.nan),
                        index=channels)
    return _economics("customer", f"per signed-up customer, first {horizon_months} months",
                      values, signs, upfront=acquisition["cac"], payback=payback,
                      count=acquisition["new_users"])


# ------------------------------------------------------------------ dispatch


def unit_economics(
    kind: str,
    *,
    orders: pd.DataFrame | None = None,
    items: pd.DataFrame | None = None,
    products: pd.DataFrame | None = None,
    costs: pd.DataFrame | None = None,
    memberships: pd.DataFrame | None = None,
    users: pd.DataFrame | None = None,
    stores: pd.DataFrame | None = None,
    store_months: pd.DataFrame | None = None,
    spend: pd.DataFrame | None = None,
    cost_rates: Mapping[str, object] | pd.DataFrame | None = None,
    by: str | None = None,
) -> UnitEconomics:
    """Unit economics of one order, member, store or acquired customer, every line shown.

    Calls :func:`order_economics`, :func:`member_economics`,
    :func:`store_economics` or :func:`customer_economics` with the tables it
    needs and the course tables' column names (call those directly for other
    column names or options):

    ========== ==========================================================
    kind       tables
    ========== ==========================================================
    order      orders, items, products, costs
    member     memberships, orders, items, products, costs, users
    store      store_months, stores, cost_rates
    customer   orders, items, products, costs, users, spend
    ========== ==========================================================

    Parameters
    ----------
    kind
        ``"order"``, ``"member"``, ``"store"`` or ``"customer"``.
    orders, items, products, costs, memberships, users, stores, store_months, spend
        The course tables (``items`` is ``order_items``, ``costs``
        ``order_costs``, ``spend`` ``channel_spend``).
    cost_rates
        The store cost parameters (see :func:`store_lines`).
    by
        Split orders or stores by a column (``kind="order"`` or ``"store"``
        only; customers are always split by channel).

    Returns
    -------
    UnitEconomics

    Raises
    ------
    ArgumentError
        An unknown ``kind``, a table it needs missing, ``by`` for members or
        customers.

    Examples
    --------
    >>> import pandas as pd
    >>> months = pd.DataFrame({"store_id": [1], "revenue": [90000.0], "staff_hours": [600.0]})
    >>> stores = pd.DataFrame({"store_id": [1], "city_tier": ["2"], "area_sqm": [40],
    ...                        "format": ["mall_kiosk"]})
    >>> rates = {"rent_per_sqm_month": {"2": 250.0}, "pay_per_staff_hour": {"2": 25.0},
    ...          "store_gross_margin": 0.5, "fit_out": {"mall_kiosk": 150000.0}}
    >>> ue = unit_economics("store", store_months=months, stores=stores, cost_rates=rates)
    >>> float(ue.contribution["all"]), float(ue.payback_months["all"])
    (20000.0, 7.5)
    """
    choice("kind", kind, KINDS)
    given = {"orders": orders, "items": items, "products": products, "costs": costs,
             "memberships": memberships, "users": users, "stores": stores,
             "store_months": store_months, "spend": spend, "cost_rates": cost_rates}
    need = {"order": ["orders", "items", "products", "costs"],
            "member": ["memberships", "orders", "items", "products", "costs", "users"],
            "store": ["store_months", "stores", "cost_rates"],
            "customer": ["orders", "items", "products", "costs", "users", "spend"]}[kind]
    missing = [n for n in need if given[n] is None]
    if missing:
        raise ArgumentError(f"kind={kind!r} needs the table(s) {missing}", name=missing[0],
                            fix=f"pass {', '.join(f'{n}=...' for n in missing)}")
    if by is not None and kind in ("member", "customer"):
        raise ArgumentError(f"by is not used for kind={kind!r}", name="by", value=by,
                            allowed="None (customers are split by channel)")
    if kind == "order":
        return order_economics(orders, items, products, costs, by=by)  # type: ignore[arg-type]
    if kind == "member":
        return member_economics(memberships, orders, items, products, costs,  # type: ignore
                                users)
    if kind == "store":
        return store_economics(store_months, stores, cost_rates, by=by)  # type: ignore
    return customer_economics(orders, items, products, costs, users, spend)  # type: ignore
