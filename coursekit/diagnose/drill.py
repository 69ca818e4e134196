"""Drill-down: which values of a dimension moved a metric between two periods."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from coursekit.diagnose._shared import _codes, _dims, _mix_rate, _prepare, _share, _window
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import choice as _check_flags

__all__ = ["drill_down"]


def drill_down(
    table: pd.DataFrame,
    *,
    by: str | Sequence[str],
    at: str,
    before: object,
    after: object,
    value: str | tuple[str, str] | None = None,
    how: str = "sum",
) -> pd.DataFrame:
    """Rank the values of one or more dimensions by their contribution to a change.

    Between the ``before`` and ``after`` periods, the metric of the whole
    table moved by :math:`\\Delta`; each value of a dimension (a channel, a
    device ...) gets a contribution, and the contributions of one dimension
    add up to :math:`\\Delta` exactly:

    - ``how="sum"``: the metric is a total (of ``value``, or the number of
      rows when ``value`` is None); contribution = the segment's own change,
      :math:`C_s = Y_s^1 - Y_s^0`.
    - ``how="mean"``: the metric is the mean of ``value`` over rows (delivery
      days per order); ``how="ratio"``: the ratio of two column totals,
      ``value=(numerator, denominator)``. Both are weighted averages of the
      segments' own means (ratios), so a segment can move the whole by
      changing its own rate or its weight: contribution = mix + rate (see
      :func:`decompose`, ``kind="mix"``), both columns shown.

    With several dimensions, each is decomposed on its own (each adds up to
    :math:`\\Delta`) and the rows of all are ranked together by
    :math:`|C|`: the top row is the single segment that explains most.

    Parameters
    ----------
    table
        One row per fact (order, event, sign-up).
    by
        A dimension column, or a list of them.
    at
        Time column that places each row in a period.
    before, after
        The periods: ``pd.Period`` or a string read as one (``"2025-02"``),
        or a pair of dates ``("2025-03-10", "2025-03-16")``, both days
        included. Sums compare totals: use periods of the same length.
    value
        Column to add up or average; None with ``how="sum"`` counts rows;
        a pair (numerator, denominator) with ``how="ratio"``.
    how
        ``"sum"``, ``"mean"`` or ``"ratio"``.

    Returns
    -------
    pandas.DataFrame
        One row per dimension value, ranked by :math:`|C|`; columns
        ``dimension``, ``value`` (the dimension's value), ``before``,
        ``after``, ``change`` (the segment's own total, mean or ratio), for
        means and ratios ``weight_before``, ``weight_after``, ``mix``,
        ``rate``, then ``contribution`` and ``share`` (of :math:`\\Delta`).

    Raises
    ------
    DataError
        Bad columns, a dimension with missing values, a period that cannot
        be read or holds no rows, ``value`` not matching ``how``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "order_time": pd.to_datetime(["2025-02-03", "2025-02-04", "2025-02-05",
    ...                                   "2025-03-03", "2025-03-04", "2025-03-05"]),
    ...     "channel": ["ads", "ads", "organic", "ads", "organic", "organic"],
    ...     "amount": [100.0, 100.0, 50.0, 40.0, 50.0, 60.0]})
    >>> drill_down(orders, value="amount", by="channel", at="order_time",
    ...            before="2025-02", after="2025-03")[["value", "change", "share"]]
         value  change  share
    0      ads  -160.0    1.6
    1  organic    60.0   -0.6
    """
    _check_flags("how", how, ("sum", "mean", "ratio"))
    dims = _dims(by, required=True)
    if how == "ratio":
        if not (isinstance(value, tuple | list) and len(value) == 2
                and all(isinstance(v, str) for v in value)):
            raise ArgumentError("how='ratio' needs value=(numerator, denominator)", name="value",
                                fix="e.g. value=('orders', 'visitors')")
        vals = list(value)
    elif how == "mean":
        if not isinstance(value, str):
            raise ArgumentError("how='mean' needs the column to average",
                                name="value", fix="e.g. value='delivery_days'")
        vals = [value]
    else:
        if value is not None and not isinstance(value, str):
            raise ArgumentError(f"how='sum' takes one column or None, got {value!r}", name="value",
                                fix="value='amount', or None to count rows")
        vals = [] if value is None else [value]
    data = _prepare(table, "table", at=at, values=vals, dims=dims)
    t = data[at].to_numpy()
    masks = []
    for name, spec in (("before", before), ("after", after)):
        lo, hi, label = _window(spec, name)
        m = (t >= lo.to_datetime64()) & (t < hi.to_datetime64())
        if not m.any():
            raise DataError(f"no rows in the {name} period {label}", table="table",
                            column=at, fix=f"the data runs from {pd.Timestamp(t.min())} to "
                            f"{pd.Timestamp(t.max())}")
        masks.append(m)
    if how == "ratio":
        num, den = data[vals[0]].to_numpy(), data[vals[1]].to_numpy()
        if (den < 0).any():
            raise DataError("negative denominators", table="table", column=vals[1],
                            rows=table.loc[den < 0, [vals[1]]].head(5),
                            fix="a denominator counts something (visitors, carts): >= 0")
    elif how == "mean":
        num, den = data[vals[0]].to_numpy(), np.ones(len(data))
    else:
        num = data[vals[0]].to_numpy() if vals else np.ones(len(data))
        den = None
    pieces = []
    for dim in dims:
        codes, uniques = _codes(data, dim, "table")
        k = len(uniques)
        sums = [np.bincount(codes[m], weights=num[m], minlength=k) for m in masks]
        if den is None:
            contribution = sums[1] - sums[0]
            piece = pd.DataFrame({"before": sums[0], "after": sums[1],
                                  "change": contribution, "contribution": contribution})
            total = float(num[masks[1]].sum() - num[masks[0]].sum())
            seen = (np.bincount(codes[masks[0]], minlength=k)
                    + np.bincount(codes[masks[1]], minlength=k)) > 0
            piece = piece[seen]
        else:
            dens = [np.bincount(codes[m], weights=den[m], minlength=k) for m in masks]
            for d, m, name in zip(dens, masks, ("before", "after"), strict=True):
                if d.sum() <= 0:
                    raise DataError(f"the denominator adds up to zero in the {name} period",
                                    table="table", column=vals[-1], fix="check the period")
                bad = (d == 0) & (np.bincount(codes[m], weights=np.abs(num[m]),
                                              minlength=k) > 0)
                if bad.any():
                    raise DataError(
                        f"a numerator over a zero denominator in the {name} period",
                        table="table", column=vals, rows=pd.DataFrame(
                            {dim: uniques[bad]}).head(5),
                        fix="every segment with a numerator needs a positive denominator")
            parts = _mix_rate(sums[0], dens[0], sums[1], dens[1])
            contribution = parts["mix"] + parts["rate"]
            piece = pd.DataFrame({"before": parts["r0"], "after": parts["r1"],
                                  "change": parts["r1"] - parts["r0"],
                                  "weight_before": parts["w0"], "weight_after": parts["w1"],
                                  "mix": parts["mix"], "rate": parts["rate"],
                                  "contribution": contribution})
            total = float(parts["total1"] - parts["total0"])
            seen = (dens[0] > 0) | (dens[1] > 0)
            piece = piece[seen]
        piece["share"] = _share(piece["contribution"].to_numpy(), total)
        piece.insert(0, "value", uniques[piece.index.to_numpy()])
        piece.insert(0, "dimension", dim)
        pieces.append(piece)
    out = pd.concat(pieces, ignore_index=True)
    order = np.argsort(-out["contribution"].abs().to_numpy(), kind="stable")
    return out.iloc[order].reset_index(drop=True)
