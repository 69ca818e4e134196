"""Decomposing a change: multiplicative (LMDI), additive and mix effects."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from coursekit.diagnose._shared import _as_series, _logmean, _mix_rate, _share
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import choice as _check_flags
from coursekit.inputs import columns

__all__ = ["decompose"]


def decompose(
    before: Mapping[str, float] | pd.Series | pd.DataFrame,
    after: Mapping[str, float] | pd.Series | pd.DataFrame,
    *,
    kind: str = "multiplicative",
    numerator: str | None = None,
    denominator: str | None = None,
) -> pd.DataFrame:
    """Split the change of a whole between two periods into exact contributions.

    ``kind="multiplicative"``: :math:`Y = \\prod_i x_i` (GMV = visitors x
    conversion x AOV). Log-mean Divisia index, LMDI-I (Ang 2005):

    .. math:: C_i = L(Y^1, Y^0)\\,\\ln\\frac{x_i^1}{x_i^0}, \\qquad
              L(a, b) = \\frac{a - b}{\\ln a - \\ln b}, \\quad L(a, a) = a

    Since :math:`\\sum_i \\ln(x_i^1 / x_i^0) = \\ln(Y^1 / Y^0)`, the
    contributions add up to :math:`Y^1 - Y^0` exactly, with no residual and no
    dependence on the order of the factors (unlike replacing one factor at a
    time, 连环替代法). Logarithms need every value positive.

    ``kind="additive"``: :math:`Y = \\sum_i x_i`; each part contributes its
    change :math:`C_i = x_i^1 - x_i^0`.

    ``kind="mix"``: a ratio across segments, e.g. conversion = orders /
    visitors over channels, :math:`R = \\sum_s w_s r_s` with weight
    :math:`w_s` the segment's share of the denominator and :math:`r_s` its own
    ratio. The change splits into a *mix* effect (weights moved) and a *rate*
    effect (the segments' ratios moved), with midpoints
    :math:`\\bar a = (a^0 + a^1) / 2` (Kitagawa 1955):

    .. math:: \\mathrm{mix}_s = (w_s^1 - w_s^0)(\\bar r_s - \\bar R), \\qquad
              \\mathrm{rate}_s = \\bar w_s (r_s^1 - r_s^0)

    and :math:`\\sum_s (\\mathrm{mix}_s + \\mathrm{rate}_s) = R^1 - R^0`
    exactly. Subtracting the overall :math:`\\bar R` changes no total (the
    weights' changes add up to zero) but makes a segment that gains share with
    a below-average ratio pull the whole *down*, as it does. A segment present
    in one period only keeps its ratio, so all its change is mix.

    Parameters
    ----------
    before, after
        Multiplicative and additive: the factors (parts) in each period, a
        dict or a Series (e.g. a row of :meth:`MetricTree.compute`), same
        names in both. Mix: a table per period, one row per segment, with the
        ``numerator`` and ``denominator`` columns.
    kind
        ``"multiplicative"``, ``"additive"`` or ``"mix"``.
    numerator, denominator
        For ``kind="mix"``: column names (e.g. ``"orders"``, ``"visitors"``).

    Returns
    -------
    pandas.DataFrame
        Multiplicative and additive: index ``factor``; columns ``before``,
        ``after``, ``change``, ``contribution``, ``share`` (of the change of
        the whole; NaN when it did not move). Mix: index ``segment``; columns
        ``weight_before``, ``weight_after``, ``rate_before``, ``rate_after``
        (NaN for a segment absent that period), ``mix``, ``rate``,
        ``contribution`` (mix + rate), ``share``.

    Raises
    ------
    DataError
        Different factors in the two periods; missing or non-finite values;
        multiplicative with a zero or negative factor (LMDI takes
        logarithms); mix without the columns, with a negative denominator, a
        numerator over a zero denominator, or a period whose denominators add
        up to zero.

    Examples
    --------
    >>> feb = {"visitors": 1000, "conversion": 0.05, "aov": 80.0}
    >>> mar = {"visitors": 1100, "conversion": 0.05, "aov": 76.0}
    >>> out = decompose(feb, mar)
    >>> out["contribution"].round(2)
    factor
    visitors      389.76
    conversion      0.00
    aov          -209.76
    Name: contribution, dtype: float64
    >>> float(out["contribution"].sum().round(6))  # 4180 - 4000
    180.0
    >>> import pandas as pd
    >>> b = pd.DataFrame({"orders": [50, 10], "visitors": [500, 500]},
    ...                  index=pd.Index(["app", "mini"], name="segment"))
    >>> a = pd.DataFrame({"orders": [40, 20], "visitors": [400, 1000]}, index=b.index)
    >>> out = decompose(b, a, kind="mix", numerator="orders", denominator="visitors")
    >>> out[["mix", "rate", "contribution"]].round(4)  # doctest: +NORMALIZE_WHITESPACE
                mix  rate  contribution
    segment
    app     -0.0104   0.0       -0.0104
    mini    -0.0067   0.0       -0.0067

    Conversion fell from 6 % to 4.3 % with no segment converting worse: the
    traffic moved to the mini-program, which converts less (pure mix).
    """
    _check_flags("kind", kind, ("multiplicative", "additive", "mix"))
    if kind == "mix":
        return _decompose_mix(before, after, numerator, denominator)
    x0, x1 = _as_series(before, "before"), _as_series(after, "after")
    if set(x0.index) != set(x1.index):
        only0 = [str(i) for i in x0.index if i not in x1.index]
        only1 = [str(i) for i in x1.index if i not in x0.index]
        raise DataError(
            f"the two periods have different factors: only before {only0}, only after {only1}",
            table="before/after",
            fix="give the same factors (names) in both periods",
        )
    x1 = x1.reindex(x0.index)
    change = (x1 - x0).to_numpy()
    if kind == "additive":
        contribution = change
        total = float(x1.sum() - x0.sum())
    else:
        bad = (x0 <= 0) | (x1 <= 0)
        if bad.any():
            raise DataError(
                "LMDI needs positive values: the logarithm of zero or of a negative number "
                "is undefined",
                table="before/after",
                column=[str(i) for i in x0.index[bad.to_numpy()]],
                rows=pd.DataFrame({"before": x0, "after": x1})[bad.to_numpy()],
                fix="compare periods where every factor is positive, or use "
                "kind='additive' for a sum",
            )
        y0, y1 = float(np.prod(x0.to_numpy())), float(np.prod(x1.to_numpy()))
        contribution = _logmean(y1, y0) * np.log(x1.to_numpy() / x0.to_numpy())
        total = y1 - y0
    return pd.DataFrame(
        {"before": x0.to_numpy(), "after": x1.to_numpy(), "change": change,
         "contribution": contribution, "share": _share(contribution, total)},
        index=pd.Index(x0.index, name="factor"),
    )


def _decompose_mix(before: object, after: object, numerator: str | None,
                   denominator: str | None) -> pd.DataFrame:
    if numerator is None or denominator is None:
        raise ArgumentError("kind='mix' needs the numerator and denominator columns",
                            name=["numerator", "denominator"],
                            fix="e.g. numerator='orders', denominator='visitors'")
    frames = []
    for name, obj in (("before", before), ("after", after)):
        if not isinstance(obj, pd.DataFrame):
            raise DataError(f"kind='mix' takes a table per period, got {type(obj).__name__}",
                            table=name, fix="one row per segment, with the numerator and "
                            "denominator columns")
        if not obj.index.is_unique:
            raise DataError("a segment appears twice", table=name,
                            rows=obj[obj.index.duplicated(keep=False)].head(5),
                            fix="one row per segment (group by the segment first)")
        checked = columns(obj, name, amounts=[denominator], numbers=[numerator])
        frames.append(checked)
    segments = frames[0].index.union(frames[1].index, sort=False)
    b = frames[0].reindex(segments, fill_value=0.0)
    a = frames[1].reindex(segments, fill_value=0.0)
    for name, f in (("before", b), ("after", a)):
        if f[denominator].sum() <= 0:
            raise DataError("the denominators add up to zero", table=name,
                            column=denominator, fix="check the period's data")
        bad = (f[denominator] == 0) & (f[numerator] != 0)
        if bad.any():
            raise DataError("a numerator over a zero denominator", table=name,
                            column=[numerator, denominator], rows=f[bad.to_numpy()].head(5),
                            fix="every segment with a numerator needs a positive denominator")
    parts = _mix_rate(b[numerator].to_numpy(), b[denominator].to_numpy(),
                      a[numerator].to_numpy(), a[denominator].to_numpy())
    contribution = parts["mix"] + parts["rate"]
    total = float(parts["total1"] - parts["total0"])
    name = frames[0].index.name or frames[1].index.name or "segment"
    return pd.DataFrame(
        {"weight_before": parts["w0"], "weight_after": parts["w1"],
         "rate_before": parts["r0"], "rate_after": parts["r1"], "mix": parts["mix"],
         "rate": parts["rate"], "contribution": contribution,
         "share": _share(contribution, total)},
        index=pd.Index(segments, name=name),
    )
