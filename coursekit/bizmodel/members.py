"""Unit economics of one member-year of the paid membership."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.bizmodel.units import WHOLE, UnitEconomics, assemble
from coursekit.errors import DataError
from coursekit.inputs import choice, columns, timestamp, unique_key
from coursekit.metrics import contribution_margin

__all__ = ["member_economics"]

_YEAR_DAYS = 365.0
_DAY = np.timedelta64(1, "D")


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
    return assemble("member", "per member-year", frame, signs,
                      count=pd.Series({WHOLE: member_years}))
