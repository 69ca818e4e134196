"""Platform take-rate economics (抽佣率): who keeps what of the GMV a platform's sellers make.

The course's case is community group buying (社区团购) as an *enabling
platform* (赋能平台): the platform supplies goods, the mini-program and the
logistics; neighbourhood group leaders (团长) sell to their communities and
earn a commission (and, while the platform buys growth, a bonus per order)
on what they sell. Out of every yuan of GMV the platform keeps its *take*
(its fee charged to the suppliers), pays the leader's commission and bonus,
the subsidies that cut shoppers' prices and the fulfilment to the pick-up
point; what remains is its margin.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns, flag

__all__ = ["platform_economics", "break_even_take_rate"]


def _amount(value: object, name: str) -> float:
    if (isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value)
            or value < 0):
        raise ArgumentError(f"{name} must be a finite amount >= 0", name=name, value=value,
                            fix="e.g. 1.5 (yuan)")
    return float(value)


def _lines(table: pd.DataFrame, *, take_rate: str, gmv: str, order_count: str,
           commission: str, subsidy: str, bonus: str | None,
           fulfilment: str | None) -> pd.DataFrame:
    """The table's money lines in yuan, one row per row of ``table``."""
    names = {"take_rate": take_rate, "gmv": gmv, "order_count": order_count,
             "commission": commission, "subsidy": subsidy, "bonus": bonus,
             "fulfilment": fulfilment}
    for keyword, column in names.items():
        if column is not None and not isinstance(column, str):
            raise ArgumentError(f"{keyword} must be the name of a column of table",
                                name=keyword, value=column,
                                fix="to try another rate, change the column: "
                                "table.assign(take_rate=0.18)")
    money = [c for c in (gmv, order_count, subsidy, bonus, fulfilment) if c is not None]
    t = columns(table, "table", amounts=money, numbers=[take_rate, commission])
    for column in (take_rate, commission):
        rates = t[column].to_numpy()
        off = (rates < 0) | (rates > 1)
        if off.any():
            raise DataError("rates outside [0, 1]", table="table", column=column,
                            rows=table.loc[off].head(5),
                            fix="give rates as shares of GMV: 0.1 for 10 %")
    value = t[gmv].to_numpy()
    zero = np.zeros(len(t))
    return pd.DataFrame({
        "orders": t[order_count].to_numpy(),
        "gmv": value,
        "take": value * t[take_rate].to_numpy(),
        "commission": value * t[commission].to_numpy(),
        "subsidy": t[subsidy].to_numpy(),
        "leader_bonus": t[bonus].to_numpy() if bonus is not None else zero,
        "fulfilment": t[fulfilment].to_numpy() if fulfilment is not None else zero,
    }, index=table.index)


def platform_economics(
    table: pd.DataFrame,
    *,
    by: str | None = None,
    leader: str = "leader_id",
    gmv: str = "gmv",
    order_count: str = "orders",
    take_rate: str = "take_rate",
    commission: str = "commission_rate",
    subsidy: str = "subsidy",
    bonus: str | None = "leader_bonus",
    fulfilment: str | None = "fulfilment_cost",
    leader_cost_per_order: float = 0.0,
) -> pd.DataFrame:
    """GMV, the platform's take and margin, and the leaders' income, overall or by a column.

    Each row of ``table`` (a leader's week) has its GMV :math:`G_i`, the
    platform's take rate :math:`t_i` and the leader's commission rate
    :math:`c_i` (shares of GMV), and in yuan the subsidy :math:`S_i` (the
    platform's price cut for shoppers), the leader's bonus :math:`B_i` and
    the fulfilment cost :math:`F_i`:

    .. math:: \\text{platform margin} = \\sum_i \\left(t_i G_i - c_i G_i - S_i - B_i
              - F_i\\right), \\qquad
              \\text{leader income} = \\sum_i \\left(c_i G_i + B_i\\right)

    and the leaders' margin is their income less their own cost per order
    (time, bags, space; ``leader_cost_per_order``, 0 unless given). Two
    break-even take rates (the take at which the platform's margin is zero,
    see :func:`break_even_take_rate`): with every cost, and *before
    subsidies* (commission and fulfilment only), the take the business needs
    once it stops paying for growth.

    To try another take rate or commission, change the column:
    ``platform_economics(gb.assign(take_rate=0.18))``.

    Parameters
    ----------
    table
        One row per leader and week (or any rows), e.g. the course's
        ``group_buying`` table: ``leader``, ``gmv``, ``order_count``,
        ``take_rate`` and ``commission`` (shares of GMV, 0-1),
        ``subsidy``, ``bonus`` and ``fulfilment`` (yuan).
    by
        Optional column to split by (``"week"``, ``"city"``, ``leader`` ...);
        one row ``"all"`` without it.
    leader, gmv, order_count, take_rate, commission, subsidy
        Column names.
    bonus, fulfilment
        Column names, or None when the table has no such cost.
    leader_cost_per_order
        The leaders' own cost per order (yuan, >= 0).

    Returns
    -------
    pandas.DataFrame
        One row per value of ``by`` (sorted), or one row ``"all"``:
        ``leaders`` (distinct leaders with orders), ``orders``, ``gmv``,
        ``take``, ``commission``, ``subsidy``, ``leader_bonus``,
        ``fulfilment``, ``platform_margin`` (yuan), ``platform_margin_rate``
        (of GMV), ``leader_income``, ``leader_cost``, ``leader_margin``
        (yuan), ``leader_margin_per_leader`` (yuan per leader with orders),
        ``break_even_take_rate`` and ``break_even_take_rate_before_subsidies``
        (shares of GMV; NaN without GMV).

    Raises
    ------
    DataError
        Missing columns, negative amounts, a rate outside [0, 1].
    ArgumentError
        A column argument that is not a name, a negative or infinite cost
        per order, ``by`` not a column.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"leader_id": [1, 2, 1], "week": [1, 1, 2],
    ...                   "orders": [100, 50, 120], "gmv": [3000.0, 1500.0, 3600.0],
    ...                   "take_rate": 0.25, "commission_rate": [0.10, 0.12, 0.10],
    ...                   "subsidy": [200.0, 100.0, 0.0], "leader_bonus": [50.0, 25.0, 0.0],
    ...                   "fulfilment_cost": [150.0, 75.0, 180.0]})
    >>> out = platform_economics(t)
    >>> out.loc["all", ["gmv", "take", "commission", "subsidy", "leader_bonus",
    ...                 "fulfilment", "platform_margin"]].tolist()
    [8100.0, 2025.0, 840.0, 300.0, 75.0, 405.0, 405.0]
    >>> out.loc["all", ["break_even_take_rate", "break_even_take_rate_before_subsidies"]
    ...         ].round(4).tolist()  # (840 + 300 + 75 + 405) / 8100, (840 + 405) / 8100
    [0.2, 0.1537]
    >>> platform_economics(t, by="week")["platform_margin"].tolist()
    [45.0, 360.0]
    """
    lines = _lines(table, take_rate=take_rate, gmv=gmv, order_count=order_count,
                   commission=commission, subsidy=subsidy, bonus=bonus, fulfilment=fulfilment)
    who = columns(table, "table", ids=[leader])[leader]
    own_cost = _amount(leader_cost_per_order, "leader_cost_per_order")
    if by is not None and (not isinstance(by, str) or by not in table.columns):
        raise ArgumentError("by must be the name of a column of table", name="by", value=by,
                            allowed=f"None or one of {list(table.columns)}")
    sums = list(lines.columns)
    selling = pd.Series(np.where(lines["orders"].to_numpy() > 0, who.to_numpy(), None),
                        index=lines.index, dtype=object)
    if by is None:
        out = lines.sum().to_frame("all").T
        out.insert(0, "leaders", selling.nunique())
    else:
        keys = table[by]
        grouped = lines.groupby(keys, observed=True, sort=True)
        out = grouped[sums].sum()
        out.insert(0, "leaders", selling.groupby(keys, observed=True, sort=True).nunique())
        out.index.name = by
    cost = out["commission"] + out["subsidy"] + out["leader_bonus"] + out["fulfilment"]
    out["platform_margin"] = out["take"] - cost
    gmv_ = out["gmv"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["platform_margin_rate"] = np.where(gmv_ > 0, out["platform_margin"] / gmv_, np.nan)
        out["leader_income"] = out["commission"] + out["leader_bonus"]
        out["leader_cost"] = own_cost * out["orders"]
        out["leader_margin"] = out["leader_income"] - out["leader_cost"]
        out["leader_margin_per_leader"] = np.where(out["leaders"] > 0, out["leader_margin"]
                                                   / out["leaders"], np.nan)
        out["break_even_take_rate"] = np.where(gmv_ > 0, cost / gmv_, np.nan)
        out["break_even_take_rate_before_subsidies"] = np.where(
            gmv_ > 0, (out["commission"] + out["fulfilment"]) / gmv_, np.nan)
    order = ["leaders", "orders", "gmv", "take", "commission", "subsidy", "leader_bonus",
             "fulfilment", "platform_margin", "platform_margin_rate", "leader_income",
             "leader_cost", "leader_margin", "leader_margin_per_leader",
             "break_even_take_rate", "break_even_take_rate_before_subsidies"]
    return out[order].astype(np.float64)


def break_even_take_rate(
    table: pd.DataFrame,
    *,
    subsidies: bool = True,
    gmv: str = "gmv",
    commission: str = "commission_rate",
    subsidy: str = "subsidy",
    bonus: str | None = "leader_bonus",
    fulfilment: str | None = "fulfilment_cost",
) -> float:
    """The take rate at which the platform's margin over the whole table is zero.

    .. math:: t^* = \\frac{\\sum_i c_i G_i + S + B + F}{G}
              = \\bar c + \\frac{S + B}{G} + \\frac{F}{G}

    the GMV-weighted commission rate :math:`\\bar c`, plus subsidies and
    leader bonuses per yuan of GMV, plus fulfilment per yuan of GMV (the
    cost per order over the average order value). Below :math:`t^*` the
    platform loses money on what its leaders sell. With
    ``subsidies=False`` the subsidies and bonuses are left out: the
    structural break-even, the take the business needs once it stops paying
    for growth. By group: the ``break_even_take_rate`` columns of
    :func:`platform_economics`.

    Parameters
    ----------
    table
        As :func:`platform_economics` (no take rate, leader or order column
        needed).
    subsidies
        Count subsidies and leader bonuses as costs (default) or not.
    gmv, commission, subsidy
        Column names.
    bonus, fulfilment
        Column names, or None when the table has no such cost.

    Returns
    -------
    float
        A share of GMV (above 1 when the costs exceed GMV).

    Raises
    ------
    DataError
        As :func:`platform_economics`; a table without GMV.
    ArgumentError
        ``subsidies`` not True or False.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"gmv": [3000.0, 1500.0], "commission_rate": [0.10, 0.12],
    ...                   "subsidy": [200.0, 100.0], "leader_bonus": [50.0, 25.0],
    ...                   "fulfilment_cost": [150.0, 75.0]})
    >>> round(break_even_take_rate(t), 4)  # (300 + 180 + 300 + 75 + 225) / 4500
    0.24
    >>> round(break_even_take_rate(t, subsidies=False), 4)  # (480 + 225) / 4500
    0.1567
    """
    with_subsidies = flag("subsidies", subsidies)
    frame = table.assign(_take=0.0, _orders=0.0) if isinstance(table, pd.DataFrame) else table
    lines = _lines(frame, take_rate="_take", gmv=gmv, order_count="_orders",
                   commission=commission, subsidy=subsidy, bonus=bonus, fulfilment=fulfilment)
    total = float(lines["gmv"].sum())
    if total <= 0:
        raise DataError("no GMV: the take rate has nothing to be a share of", table="table",
                        column=gmv, fix="check the filter that made the table")
    cost = float(lines["commission"].sum() + lines["fulfilment"].sum())
    if with_subsidies:
        cost += float(lines["subsidy"].sum() + lines["leader_bonus"].sum())
    return cost / total
