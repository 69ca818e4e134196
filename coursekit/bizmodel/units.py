"""The result of every unit-economics function: :class:`UnitEconomics`, and how it is assembled."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError

__all__ = ["UnitEconomics", "WHOLE", "assemble", "check_by", "group_means"]

#: Index label of the one column (or row) describing every unit together.
WHOLE = "all"


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
    >>> from coursekit.bizmodel import order_economics
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


def assemble(kind: str, label: str, values: pd.DataFrame, signs: Mapping[str, int], *,
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


def group_means(frame: pd.DataFrame, cols: list[str], by: str | None) -> tuple[pd.DataFrame,
                                                                             pd.Series]:
    """Mean of ``cols`` per value of ``by`` (one row ``"all"`` without it), and the counts."""
    if by is None:
        means = frame[cols].mean().to_frame(WHOLE).T
        return means.rename_axis("group"), pd.Series({WHOLE: len(frame)})
    grouped = frame.groupby(by, observed=True, sort=True)[cols]
    return grouped.mean(), grouped.size()


def check_by(by: object, table: pd.DataFrame, name: str) -> None:
    if by is None:
        return
    if not isinstance(by, str) or by not in table.columns:
        raise ArgumentError(f"by must be the name of a column of {name}", name="by", value=by,
                            allowed=f"None or one of {list(table.columns)}")
