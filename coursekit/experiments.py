"""A/B tests of campaigns: lift with a confidence interval, uplift by segment,
whom to target, and how many users a test needs.

A campaign run as a randomised experiment splits its audience by a fair coin
into a *treatment* group (gets the message) and a *control* group (does not).
Because the coin decides, the two groups differ only by chance and by the
message, so the difference in their conversion rates estimates what the
message *caused*:

.. math::

    \\hat u = \\hat p_T - \\hat p_C, \\qquad
    \\hat p_g = \\frac{x_g}{n_g}

(:math:`x_g` converters among :math:`n_g` users of group :math:`g`). The
functions here turn one assignments table (one row per user and campaign,
like ``coursekit.load("campaign_assignments")``) into decisions:

- :func:`lift`: conversion in each group, the absolute uplift with a
  confidence interval, the relative lift, a p-value, and optionally the
  uplift in revenue per user (Welch interval);
- :func:`uplift_by_segment`: the same, one row per segment, because a
  campaign that pays on average may be wasted on its best customers (they
  would have bought anyway) and pay handsomely on lapsing ones;
- :func:`targeting`: incremental profit per contact by segment and the
  segments worth contacting;
- :func:`sample_size`: users per group to detect a given uplift;
- :func:`compare_with_truth`: estimates beside the simulated company's true
  effects (``truth.json``).

Statistics are written out (numpy, with the formula in each docstring) so
that a whole table of segments is computed at once; the tests check every
number against statsmodels and scipy.

Examples
--------
>>> import pandas as pd
>>> ab = pd.DataFrame({"group": ["treatment"] * 200 + ["control"] * 200,
...                    "converted": [1] * 30 + [0] * 170 + [1] * 20 + [0] * 180})
>>> res = lift(ab)
>>> round(res.uplift, 3), round(res.uplift_low, 4), round(res.uplift_high, 4)
(0.05, -0.0146, 0.1146)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from numbers import Real

import numpy as np
import pandas as pd

# scipy.special is imported inside the functions that use it: 0.3 s less in the
# first cell of every lesson that imports this module
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns

__all__ = [
    "METHODS",
    "Lift",
    "Targeting",
    "lift",
    "uplift_by_segment",
    "targeting",
    "sample_size",
    "sample_size_mean",
    "compare_with_truth",
]

#: Interval methods for the uplift in conversion (see :func:`lift`).
METHODS = ("wald", "agresti-caffo")

_COUNTS = ["n_treatment", "n_control", "conversions_treatment", "conversions_control"]
_RATES = ["conversion_treatment", "conversion_control", "uplift", "uplift_low", "uplift_high",
          "relative_lift", "p_value"]
_VALUES = ["value_per_user_treatment", "value_per_user_control", "value_uplift",
           "value_uplift_low", "value_uplift_high", "value_p_value"]


@dataclass(frozen=True)
class Lift:
    """The result of :func:`lift`: one campaign (or one segment) in numbers.

    Attributes
    ----------
    n_treatment, n_control
        Users in each group.
    conversions_treatment, conversions_control
        Users who converted in each group.
    conversion_treatment, conversion_control
        Conversion rates :math:`\\hat p_T`, :math:`\\hat p_C`.
    uplift, uplift_low, uplift_high
        :math:`\\hat p_T - \\hat p_C` and its confidence interval.
    relative_lift
        :math:`\\hat p_T / \\hat p_C - 1` (NaN when nobody in control converted).
    p_value
        Two-sided p-value of "no uplift", from the same statistic as the
        interval (so ``p_value < 1 - confidence`` exactly when the interval
        excludes 0).
    value_per_user_treatment, value_per_user_control, value_uplift,
    value_uplift_low, value_uplift_high, value_p_value
        With ``value=``: mean value (revenue) per user in each group, the
        difference, its Welch interval and p-value; otherwise None.
    confidence, method
        The confidence level and interval method used.
    """

    n_treatment: int
    n_control: int
    conversions_treatment: int
    conversions_control: int
    conversion_treatment: float
    conversion_control: float
    uplift: float
    uplift_low: float
    uplift_high: float
    relative_lift: float
    p_value: float
    confidence: float
    method: str
    value_per_user_treatment: float | None = None
    value_per_user_control: float | None = None
    value_uplift: float | None = None
    value_uplift_low: float | None = None
    value_uplift_high: float | None = None
    value_p_value: float | None = None

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row DataFrame (columns as in :func:`uplift_by_segment`)."""
        row = {k: v for k, v in asdict(self).items() if v is not None}
        row.pop("confidence")
        row.pop("method")
        return pd.DataFrame([row])


@dataclass(frozen=True)
class Targeting:
    """The result of :func:`targeting`.

    Attributes
    ----------
    table
        One row per segment: ``contacts``, ``revenue_per_contact`` (incremental),
        ``margin_per_contact``, ``cost_per_contact``, ``profit_per_contact`` with
        ``profit_low`` / ``profit_high`` (from the uplift's interval), ``roi``,
        ``profit`` (per contact x contacts) and ``target`` (profit per contact > 0).
    segments
        The segments to contact, best profit per contact first.
    contacts, cost, profit, roi
        Totals of the targeted segments: contacts, campaign cost, incremental
        profit, and ``profit / cost``.
    profit_all
        The incremental profit of contacting every segment, for comparison.
    """

    table: pd.DataFrame
    segments: tuple
    contacts: int
    cost: float
    profit: float
    roi: float
    profit_all: float


# --------------------------------------------------------------------------- checks


def _check_confidence(confidence: object) -> float:
    if not isinstance(confidence, Real) or not 0 < float(confidence) < 1:
        raise ArgumentError(
            f"confidence must be a number between 0 and 1, got {confidence!r}",
            name="confidence",
            fix="use e.g. confidence=0.95 for a 95% interval",
        )
    return float(confidence)


def _check_method(method: object) -> str:
    if method not in METHODS:
        raise ArgumentError(
            f"unknown interval method {method!r}; choose one of {list(METHODS)}",
            name="method",
        )
    return str(method)


def _binary(df: pd.DataFrame, name: str, table: str) -> np.ndarray:
    """The outcome column as 0/1 integers, or a DataError."""
    s = df[name]
    if s.isna().any():
        raise DataError(
            "missing outcomes",
            table=table,
            column=name,
            rows=df.loc[s.isna().to_numpy()].head(5),
            fix="every user in the test needs an outcome: fill 0 / False for users "
            "who did not convert, or drop the rows",
        )
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy(dtype="int64")
    if pd.api.types.is_numeric_dtype(s.dtype):
        values = s.to_numpy(dtype="float64")
        bad = ~np.isin(values, (0.0, 1.0))
        if not bad.any():
            return values.astype("int64")
        rows = df.loc[bad].head(5)
    else:
        rows = df[[name]].head(5)
    raise DataError(
        f"the outcome must be binary (True/False or 1/0); found {s.dtype} values such as "
        f"{sorted(map(str, pd.unique(s)))[:5]}",
        table=table,
        column=name,
        rows=rows,
        fix="make a 0/1 outcome first, e.g. converted = revenue > 0; for an amount use value=",
    )


def _require(df: object, table: str, wanted: list[str]) -> None:
    """A DataFrame holding every wanted column (the rest is left to :func:`columns`)."""
    if not isinstance(df, pd.DataFrame):
        columns(df, table)  # raises the house message for a non-table
    missing = [c for c in dict.fromkeys(wanted) if c not in df.columns]
    if missing:
        raise DataError(
            f"missing column(s) {missing}; the table has {list(df.columns)}",
            table=table,
            column=missing,
            fix="pass the names of your columns as keywords, e.g. outcome='ordered'",
        )


def _labelled(df: pd.DataFrame, name: str, table: str, what: str) -> None:
    bad = df[name].isna().to_numpy()
    if bad.any():
        raise DataError(
            f"missing {what}",
            table=table,
            column=name,
            rows=df.loc[bad].head(5),
            fix="fill them (e.g. 'unknown') or drop the rows",
        )


def _groups(df: pd.DataFrame, group: str, treatment: object, control: object,
            table: str) -> np.ndarray:
    """True for treatment rows, False for control rows; a DataError otherwise."""
    _labelled(df, group, table, "group labels")
    labels = df[group]
    is_t = (labels == treatment).to_numpy(dtype=bool)
    is_c = (labels == control).to_numpy(dtype=bool)
    other = ~(is_t | is_c)
    found = sorted(map(str, pd.unique(labels)))
    if other.any():
        raise DataError(
            f"group labels other than {treatment!r} and {control!r}: "
            f"{sorted(map(str, pd.unique(labels[other])))[:5]}",
            table=table,
            column=group,
            rows=df.loc[other].head(5),
            fix="keep only the two arms being compared, or name them with "
            "treatment=... and control=...",
        )
    for label, present in ((treatment, is_t), (control, is_c)):
        if not present.any():
            raise DataError(
                f"no {label!r} rows: only one group present (found {found}); "
                "an uplift needs both a treatment and a control group",
                table=table,
                column=group,
                fix="check the filter that made the table, or the labels passed as "
                "treatment= and control=",
            )
    return is_t


# --------------------------------------------------------------------------- statistics


def _proportions(c: pd.DataFrame, confidence: float, method: str) -> pd.DataFrame:
    """Rates, uplift, interval and p-value from the four counts (vectorised)."""
    from scipy.special import ndtr, ndtri
    nt = c["n_treatment"].to_numpy(dtype="float64")
    nc = c["n_control"].to_numpy(dtype="float64")
    xt = c["conversions_treatment"].to_numpy(dtype="float64")
    xc = c["conversions_control"].to_numpy(dtype="float64")
    pt, pc = xt / nt, xc / nc
    diff = pt - pc
    if method == "agresti-caffo":  # one success and one failure added to each group
        at, ac, mt, mc = (xt + 1) / (nt + 2), (xc + 1) / (nc + 2), nt + 2, nc + 2
    else:
        at, ac, mt, mc = pt, pc, nt, nc
    centre = at - ac
    se = np.sqrt(at * (1 - at) / mt + ac * (1 - ac) / mc)
    z = ndtri(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.where(se > 0, centre / se, np.nan)
        rel = np.where(pc > 0, pt / pc - 1, np.nan)
    half = np.where(se > 0, z * se, np.nan)
    out = c[_COUNTS].copy()
    out["conversion_treatment"] = pt
    out["conversion_control"] = pc
    out["uplift"] = diff
    out["uplift_low"] = centre - half
    out["uplift_high"] = centre + half
    out["relative_lift"] = rel
    out["p_value"] = 2 * ndtr(-np.abs(stat))
    return out


def _welch(c: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Difference of means with the Welch interval and p-value (vectorised)."""
    from scipy.special import stdtr, stdtrit
    nt = c["n_treatment"].to_numpy(dtype="float64")
    nc = c["n_control"].to_numpy(dtype="float64")
    mt, mc = c["_mean_t"].to_numpy(), c["_mean_c"].to_numpy()
    vt, vc = c["_var_t"].to_numpy() / nt, c["_var_c"].to_numpy() / nc
    se = np.sqrt(vt + vc)
    ok = (nt >= 2) & (nc >= 2) & (se > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(ok, (vt + vc) ** 2 / (vt**2 / (nt - 1) + vc**2 / (nc - 1)), np.nan)
        stat = np.where(ok, (mt - mc) / se, np.nan)
    half = stdtrit(df, 0.5 + confidence / 2) * se
    return pd.DataFrame(
        {
            "value_per_user_treatment": mt,
            "value_per_user_control": mc,
            "value_uplift": mt - mc,
            "value_uplift_low": mt - mc - half,
            "value_uplift_high": mt - mc + half,
            "value_p_value": 2 * stdtr(df, -np.abs(stat)),
        },
        index=c.index,
    )


def _table(
    assignments: pd.DataFrame,
    *,
    keys: list[str],
    group: str,
    outcome: str,
    treatment: object,
    control: object,
    value: str | None,
    confidence: float,
    method: str,
    table: str = "assignments",
) -> pd.DataFrame:
    confidence = _check_confidence(confidence)
    method = _check_method(method)
    _require(assignments, table, [*keys, group, outcome, *([value] if value else [])])
    # a value may be negative: a margin or a profit per user (refunds, costs)
    data = columns(assignments, table, numbers=[value] if value else [])
    for k in keys:
        _labelled(assignments, k, table, "segment labels")
    y = _binary(assignments, outcome, table)
    is_t = _groups(assignments, group, treatment, control, table)
    frame = pd.DataFrame({"_t": is_t, "_y": y}, index=data.index)
    for k in keys or ["_all"]:
        frame[k] = assignments[k] if keys else 0
    if value:
        frame["_v"] = data[value]
    by = [*(keys or ["_all"]), "_t"]
    g = frame.groupby(by, observed=True, sort=True)
    agg = pd.DataFrame({"n": g.size(), "x": g["_y"].sum()})
    if value:
        agg["mean"] = g["_v"].mean()
        agg["var"] = g["_v"].var(ddof=1)
    wide = agg.unstack("_t")
    lacking = wide[("n", True)].isna() | wide[("n", False)].isna()
    if lacking.any():
        raise DataError(
            f"some segments have only one group, so no uplift can be measured in them: "
            f"{[str(i) for i in wide.index[lacking.to_numpy()][:5]]}",
            table=table,
            column=keys,
            rows=wide.loc[lacking, "n"].head(5),
            fix="merge small segments, or drop those rows",
        )
    counts = pd.DataFrame(
        {
            "n_treatment": wide[("n", True)].astype("int64"),
            "n_control": wide[("n", False)].astype("int64"),
            "conversions_treatment": wide[("x", True)].astype("int64"),
            "conversions_control": wide[("x", False)].astype("int64"),
        },
        index=wide.index,
    )
    out = _proportions(counts, confidence, method)
    if value:
        counts["_mean_t"], counts["_mean_c"] = wide[("mean", True)], wide[("mean", False)]
        counts["_var_t"], counts["_var_c"] = wide[("var", True)], wide[("var", False)]
        out = out.join(_welch(counts, confidence))
    return out


# --------------------------------------------------------------------------- public API


def lift(
    assignments: pd.DataFrame,
    *,
    group: str = "group",
    outcome: str = "converted",
    treatment: object = "treatment",
    control: object = "control",
    value: str | None = None,
    confidence: float = 0.95,
    method: str = "wald",
) -> Lift:
    """Conversion uplift of a randomised campaign, with a confidence interval.

    Parameters
    ----------
    assignments
        One row per user in the test, with the group and the outcome.
    group
        Column holding each user's arm.
    outcome
        Binary outcome column (True/False or 1/0), e.g. ordered within the
        campaign window.
    treatment, control
        The labels of the two arms in ``group``. Any other label is refused.
    value
        Optional value column (e.g. ``"revenue"``, or a margin per user, which
        may be negative): adds the uplift in mean value per user with a Welch
        interval.
    confidence
        Level of the intervals (0.95: 95%).
    method
        ``"wald"`` (default) or ``"agresti-caffo"`` for the conversion interval.

    Returns
    -------
    Lift
        Frozen dataclass; ``.to_frame()`` gives a one-row DataFrame.

    Raises
    ------
    DataError
        A missing column, an empty table, missing ids or outcomes, a
        non-binary outcome, a group label other than the two arms, only one
        arm present, a missing, infinite or non-numeric value, or a confidence outside
        (0, 1).

    Notes
    -----
    With :math:`\\hat p_g = x_g / n_g` and :math:`z = \\Phi^{-1}(1 - \\alpha/2)`
    (:math:`\\alpha = 1 -` confidence), the **Wald** interval for the
    difference of two independent proportions is

    .. math::

        \\hat p_T - \\hat p_C \\pm z\\,\\sqrt{\\frac{\\hat p_T(1-\\hat p_T)}{n_T}
        + \\frac{\\hat p_C(1-\\hat p_C)}{n_C}},

    the normal approximation taught in every statistics course; it equals
    statsmodels' ``confint_proportions_2indep(..., method="wald")``. The
    p-value is :math:`2\\,(1-\\Phi(|\\hat u| / \\mathrm{se}))` with the same
    (unpooled) standard error, as ``test_proportions_2indep(...,
    method="wald")``; so the interval excludes 0 exactly when p < alpha. (The
    classic pooled z-test, ``proportions_ztest``, gives nearly the same
    p-value on samples of this size.) When both groups have no conversions
    (or all converted) the standard error is 0 and interval and p-value are
    NaN: use ``method="agresti-caffo"``, which adds one conversion and one
    non-conversion to each group before computing the same interval and
    statistic (Agresti and Caffo 2000), better for small groups and rates
    near 0. The reported ``uplift`` is always the plain difference.

    The value uplift is :math:`\\bar v_T - \\bar v_C` with the Welch interval
    :math:`\\pm t_{\\nu, 1-\\alpha/2}\\sqrt{s_T^2/n_T + s_C^2/n_C}` and
    Welch-Satterthwaite degrees of freedom :math:`\\nu`, as
    ``scipy.stats.ttest_ind(..., equal_var=False)``. Revenue per user is
    mostly zeros with a long tail; the interval rests on the central limit
    theorem and needs groups of hundreds.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between
    independent proportions. *Statistics in Medicine* 17, 873-890.
    Agresti, A. and Caffo, B. (2000). Simple and effective confidence
    intervals for proportions and differences of proportions result from
    adding two successes and two failures. *The American Statistician* 54,
    280-288.
    Welch, B. L. (1947). The generalization of "Student's" problem when
    several different population variances are involved. *Biometrika* 34, 28-35.
    Kohavi, R., Tang, D. and Xu, Y. (2020). *Trustworthy Online Controlled
    Experiments*. Cambridge University Press.

    Examples
    --------
    >>> import pandas as pd
    >>> ab = pd.DataFrame({
    ...     "group": ["treatment"] * 4 + ["control"] * 4,
    ...     "converted": [True, True, False, False, True, False, False, False],
    ...     "revenue": [50.0, 30.0, 0.0, 0.0, 40.0, 0.0, 0.0, 0.0]})
    >>> res = lift(ab, value="revenue")
    >>> res.conversion_treatment, res.conversion_control, res.uplift, res.relative_lift
    (0.5, 0.25, 0.25, 1.0)
    >>> res.value_uplift
    10.0
    """
    out = _table(assignments, keys=[], group=group, outcome=outcome, treatment=treatment,
                 control=control, value=value, confidence=confidence, method=method)
    row = out.iloc[0]
    fields = {k: int(row[k]) for k in _COUNTS}
    fields.update({k: float(row[k]) for k in _RATES})
    if value:
        fields.update({k: float(row[k]) for k in _VALUES})
    return Lift(confidence=float(confidence), method=method, **fields)


def uplift_by_segment(
    assignments: pd.DataFrame,
    *,
    segment: str | Sequence[str] = "segment",
    group: str = "group",
    outcome: str = "converted",
    treatment: object = "treatment",
    control: object = "control",
    value: str | None = None,
    confidence: float = 0.95,
    method: str = "wald",
) -> pd.DataFrame:
    """:func:`lift` in every segment at once: where does the campaign work?

    Parameters
    ----------
    assignments
        One row per user in the test.
    segment
        The segment column, or several (e.g. ``["campaign_id", "segment"]``
        for one row per campaign and segment).
    group, outcome, treatment, control, value, confidence, method
        As in :func:`lift`.

    Returns
    -------
    pandas.DataFrame
        One row per segment (index: the segment column(s), in category order
        for a categorical column, else sorted; unused categories left out),
        with ``n_treatment``, ``n_control``, ``conversions_treatment``,
        ``conversions_control``, ``conversion_treatment``,
        ``conversion_control``, ``uplift``, ``uplift_low``, ``uplift_high``,
        ``relative_lift``, ``p_value`` and, with ``value=``,
        ``value_per_user_treatment``, ``value_per_user_control``,
        ``value_uplift``, ``value_uplift_low``, ``value_uplift_high``,
        ``value_p_value``.

    Raises
    ------
    DataError
        As :func:`lift`, plus a missing segment label, or a segment in which
        only one group appears.

    Notes
    -----
    Each row is a separate test; with five segments, one of them may look
    significant at the 5% level by chance about a fifth of the time. Read
    the intervals, not the stars, and confirm a surprising segment on the
    next campaign. Pooling several campaigns in one row is fair (each was
    randomised) but estimates their average effect, weighted by their sizes.

    Examples
    --------
    >>> import pandas as pd
    >>> ab = pd.DataFrame({
    ...     "segment": ["loyal"] * 4 + ["lapsing"] * 4,
    ...     "group": ["treatment", "treatment", "control", "control"] * 2,
    ...     "converted": [1, 1, 1, 1, 1, 0, 0, 0]})
    >>> table = uplift_by_segment(ab)
    >>> table.index.tolist(), table["uplift"].tolist()
    (['lapsing', 'loyal'], [0.5, 0.0])
    >>> table[["n_treatment", "conversions_treatment", "conversion_control"]].to_numpy().tolist()
    [[2.0, 1.0, 0.0], [2.0, 2.0, 1.0]]
    """
    keys = [segment] if isinstance(segment, str) else list(segment)
    if not keys:
        raise ArgumentError("no segment column given", name="segment")
    return _table(assignments, keys=keys, group=group, outcome=outcome, treatment=treatment,
                  control=control, value=value, confidence=confidence, method=method)


def targeting(
    uplift_table: pd.DataFrame,
    *,
    cost_per_contact: float,
    margin: float,
    value_per_conversion: float | None = None,
) -> Targeting:
    """Incremental profit per contact by segment, and the segments worth contacting.

    Parameters
    ----------
    uplift_table
        The output of :func:`uplift_by_segment` (with ``value="revenue"``
        unless ``value_per_conversion`` is given).
    cost_per_contact
        Cost of reaching one user (message fee, plus the expected coupon cost
        when using ``value_per_conversion``), in yuan.
    margin
        Share of an extra yuan of revenue kept after the cost of goods, in (0, 1].
    value_per_conversion
        Revenue of one incremental conversion (e.g. the average order value).
        Default: use the measured uplift in revenue per user instead.

    Returns
    -------
    Targeting
        The per-segment table, the segments to contact, and the totals.

    Raises
    ------
    DataError
        A table without the needed columns (or empty), a negative cost, a
        margin outside (0, 1], or a value per conversion that is not positive.

    Notes
    -----
    For every segment, per user contacted,

    .. math::

        \\text{revenue} = \\begin{cases}
            \\hat u \\times \\text{value per conversion} & \\text{if given} \\\\
            \\bar v_T - \\bar v_C & \\text{otherwise}
        \\end{cases}, \\quad
        \\text{profit} = \\text{margin} \\times \\text{revenue} - \\text{cost per contact},

    and a segment is targeted when its profit per contact is positive (its
    incremental margin exceeds the cost of reaching it): contacting only
    those segments maximises the total profit. ``roi`` is profit / cost.
    ``profit_low`` and ``profit_high`` apply the same formula to the ends of
    the uplift's interval: a segment whose ``profit_low`` is negative is a
    bet, not a certainty. ``contacts`` is the segment's size in the test
    (treatment plus control), the audience of a full roll-out.

    The measured revenue uplift is revenue *paid*, after coupons, so the
    coupons handed to customers who would have bought anyway already lower
    it; with ``value_per_conversion`` put that expected coupon cost into
    ``cost_per_contact`` yourself.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"n_treatment": [500, 500], "n_control": [500, 500],
    ...                       "uplift": [0.10, 0.00], "uplift_low": [0.06, -0.04],
    ...                       "uplift_high": [0.14, 0.04]},
    ...                      index=pd.Index(["lapsing", "loyal"], name="segment"))
    >>> plan = targeting(table, cost_per_contact=1.0, margin=0.4, value_per_conversion=100)
    >>> plan.segments, plan.profit, plan.profit_all
    (('lapsing',), 3000.0, 2000.0)
    >>> plan.table["profit_per_contact"].round(2).tolist()
    [3.0, -1.0]
    """
    for name, val, ok, rule in (
        ("cost_per_contact", cost_per_contact, lambda v: v >= 0, "zero or more"),
        ("margin", margin, lambda v: 0 < v <= 1, "in (0, 1], e.g. 0.35 for a 35% margin"),
    ):
        if not isinstance(val, Real) or not np.isfinite(val) or not ok(val):
            raise ArgumentError(f"{name} must be {rule}, got {val!r}",
                                name=name)
    if value_per_conversion is not None and (
        not isinstance(value_per_conversion, Real)
        or not np.isfinite(value_per_conversion) or value_per_conversion <= 0
    ):
        raise ArgumentError(f"value_per_conversion must be a positive amount, got "
                            f"{value_per_conversion!r}",
                            name="value_per_conversion")
    if value_per_conversion is None:
        if isinstance(uplift_table, pd.DataFrame) and "value_uplift" not in uplift_table:
            raise DataError(
                "no value_uplift column, so the revenue of an extra conversion is unknown",
                table="uplift_table",
                column="value_uplift",
                fix="make the table with uplift_by_segment(..., value='revenue'), or pass "
                "value_per_conversion=",
            )
        cols = ["value_uplift", "value_uplift_low", "value_uplift_high"]
        scale = 1.0
    else:
        cols = ["uplift", "uplift_low", "uplift_high"]
        scale = float(value_per_conversion)
    data = columns(uplift_table, "uplift_table", numbers=["n_treatment", "n_control", *cols])
    contacts = (data["n_treatment"] + data["n_control"]).astype("int64")
    revenue = data[cols[0]] * scale
    out = pd.DataFrame(
        {
            "contacts": contacts,
            "revenue_per_contact": revenue,
            "margin_per_contact": margin * revenue,
            "cost_per_contact": float(cost_per_contact),
            "profit_per_contact": margin * revenue - cost_per_contact,
            "profit_low": margin * data[cols[1]] * scale - cost_per_contact,
            "profit_high": margin * data[cols[2]] * scale - cost_per_contact,
        },
        index=uplift_table.index,
    )
    per = out["profit_per_contact"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["roi"] = per / cost_per_contact if cost_per_contact else np.sign(per) * np.inf
    out["profit"] = out["profit_per_contact"] * contacts
    out["target"] = out["profit_per_contact"] > 0
    chosen = out[out["target"]].sort_values("profit_per_contact", ascending=False)
    n = int(chosen["contacts"].sum())
    cost = float(n * cost_per_contact)
    profit = float(chosen["profit"].sum())
    return Targeting(
        table=out,
        segments=tuple(chosen.index),
        contacts=n,
        cost=cost,
        profit=profit,
        roi=profit / cost if cost > 0 else (np.inf if profit > 0 else np.nan),
        profit_all=float(out["profit"].sum()),
    )


def sample_size(
    baseline: float,
    mde: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
) -> int:
    """Users needed in the treatment group to detect an uplift of ``mde``.

    Parameters
    ----------
    baseline
        Conversion rate expected without the campaign (the control group), in (0, 1).
    mde
        Minimum detectable effect: the smallest *absolute* uplift worth
        finding (0.01 = one percentage point); ``baseline + mde`` must stay in (0, 1).
    alpha
        Two-sided significance level.
    power
        Chance of detecting an uplift of exactly ``mde``.
    ratio
        Control size / treatment size (1: equal groups; 0.25: a 20% hold-out).

    Returns
    -------
    int
        Users in the treatment group, rounded up; the control group needs
        ``ceil(ratio * n)``. With ``ratio=1`` this is the size of each group.

    Raises
    ------
    DataError
        An argument outside its range.

    Notes
    -----
    The effect is measured on Cohen's arcsine scale,
    :math:`h = 2\\arcsin\\sqrt{p_0 + \\text{mde}} - 2\\arcsin\\sqrt{p_0}`,
    where the variance of a proportion no longer depends on the rate, and

    .. math::

        n_T = \\left(\\frac{z_{1-\\alpha/2} + z_{\\text{power}}}{h}\\right)^2
        \\left(1 + \\frac{1}{\\text{ratio}}\\right),

    computed by statsmodels' ``NormalIndPower().solve_power`` with
    ``proportion_effectsize`` (Cohen 1988, ch. 6). Small baselines need large
    tests: halving the mde roughly quadruples the sample.

    References
    ----------
    Cohen, J. (1988). *Statistical Power Analysis for the Behavioral
    Sciences*, 2nd ed., chapter 6. Lawrence Erlbaum.

    Examples
    --------
    >>> sample_size(0.10, 0.02)
    3835
    >>> sample_size(0.10, 0.01) > 3.5 * sample_size(0.10, 0.02)
    True
    """
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    checks = (
        ("baseline", baseline, 0, 1),
        ("alpha", alpha, 0, 1),
        ("power", power, 0, 1),
        ("ratio", ratio, 0, np.inf),
    )
    for name, val, lo, hi in checks:
        if not isinstance(val, Real) or not lo < val < hi:
            raise ArgumentError(f"{name} must be between {lo} and {hi} (exclusive), got {val!r}",
                                name=name)
    if not isinstance(mde, Real) or mde == 0 or not 0 < baseline + mde < 1:
        raise ArgumentError(
            f"mde must be a non-zero absolute uplift with 0 < baseline + mde < 1, got {mde!r}",
            name="mde",
            fix="give percentage points as a fraction: 0.01 for one point",
        )
    h = proportion_effectsize(baseline + mde, baseline)
    n = NormalIndPower().solve_power(effect_size=abs(h), alpha=alpha, power=power, ratio=ratio,
                                     alternative="two-sided")
    return int(np.ceil(n - 1e-9))


def sample_size_mean(
    sd: float,
    mde: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
) -> int:
    """Participants needed in the treatment group to detect a difference in a mean.

    The companion of :func:`sample_size` for an outcome measured in money or
    counts per participant (profit, orders) rather than a conversion.

    Parameters
    ----------
    sd
        Standard deviation of the outcome per participant (> 0), e.g. pooled
        over the arms of an earlier test.
    mde
        Minimum detectable effect: the smallest difference in means worth
        finding, in the outcome's unit (non-zero).
    alpha
        Two-sided significance level.
    power
        Chance of detecting a difference of exactly ``mde``.
    ratio
        Control size / treatment size (1: equal groups).

    Returns
    -------
    int
        Participants in the treatment group, rounded up; the control group
        needs ``ceil(ratio * n)``.

    Raises
    ------
    ArgumentError
        An argument outside its range.

    Notes
    -----
    With the standardised effect :math:`d = \\text{mde} / \\text{sd}`,

    .. math::

        n_T = \\left(\\frac{z_{1-\\alpha/2} + z_{\\text{power}}}{d}\\right)^2
        \\left(1 + \\frac{1}{\\text{ratio}}\\right),

    (Cohen 1988, ch. 2), written out with scipy's normal quantiles: the
    formula is the lesson, and it spares the import of statsmodels (the
    same number as its ``NormalIndPower().solve_power``). Halving the mde
    quadruples the sample.

    Examples
    --------
    >>> sample_size_mean(20.0, 5.0)
    252
    >>> sample_size_mean(20.0, 2.5) > 3.9 * sample_size_mean(20.0, 5.0)
    True
    """
    from scipy.stats import norm

    checks = (
        ("sd", sd, 0, np.inf),
        ("alpha", alpha, 0, 1),
        ("power", power, 0, 1),
        ("ratio", ratio, 0, np.inf),
    )
    for name, val, lo, hi in checks:
        if isinstance(val, bool) or not isinstance(val, Real) or not lo < val < hi:
            raise ArgumentError(f"{name} must be between {lo} and {hi} (exclusive), got {val!r}",
                                name=name)
    if isinstance(mde, bool) or not isinstance(mde, Real) or mde == 0 or not np.isfinite(mde):
        raise ArgumentError(f"mde must be a non-zero finite difference, got {mde!r}", name="mde",
                            fix="give the difference in the outcome's unit, e.g. mde=5.0 yuan")
    z = norm.ppf(1 - alpha / 2) + norm.ppf(power)
    n = (z * sd / abs(mde)) ** 2 * (1 + 1 / ratio)
    return int(np.ceil(n - 1e-9))

def compare_with_truth(
    uplift_table: pd.DataFrame,
    truth: Mapping,
    *,
    segment: str = "segment",
    campaign: str | None = None,
) -> pd.DataFrame:
    """Estimated uplift by segment beside the simulated company's true effect.

    Parameters
    ----------
    uplift_table
        The output of :func:`uplift_by_segment`, segments in the index (or in
        the index level named ``segment``).
    truth
        ``coursekit.data.truth()`` (the whole dict), or a mapping of segment
        to true uplift. From the whole dict the uplift is
        ``campaign_uplift.expected_by_segment`` (each segment's base uplift
        times its customers' mean coupon sensitivity, from their personas)
        where the world has it, else ``campaign_uplift_by_segment``.
    segment
        Name of the index level holding the segments, when there are several.
    campaign
        A campaign name from ``truth["campaigns"]`` whose ``scale`` (its
        strength relative to a full campaign) multiplies the truth; default:
        full strength (1.0), right for the campaigns whose scale is 1.

    Returns
    -------
    pandas.DataFrame
        The table's index, with ``estimate``, ``low``, ``high`` (the uplift in
        conversion and its interval), ``truth`` (the true rise in the chance
        of a campaign-caused extra order), ``expected`` (the rise in
        *conversion* that truth implies, see Notes) and ``inside`` (expected
        within the interval).

    Raises
    ------
    DataError
        A table without the uplift columns, a segment the truth does not
        know, or an unknown campaign.

    Notes
    -----
    In the simulated world, a treated user of segment :math:`s` places an
    extra order with probability :math:`u_s \\times` scale, independently of
    whether they would have ordered anyway. Conversion (any order in the
    window) then rises from :math:`p_C` to
    :math:`p_C + u_s\\,\\text{scale}\\,(1 - p_C)`, so the uplift the test can
    see is ``expected`` :math:`= u_s\\,\\text{scale}\\,(1 - p_C)`, a little
    below the truth in segments that buy often anyway; it uses the measured
    control rate for :math:`p_C`. With 95% intervals, about one segment in
    twenty misses by chance.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"uplift": [0.11, 0.01], "uplift_low": [0.07, -0.04],
    ...                       "uplift_high": [0.15, 0.06],
    ...                       "conversion_control": [0.10, 0.40]},
    ...                      index=pd.Index(["lapsing", "loyal"], name="segment"))
    >>> out = compare_with_truth(table, {"lapsing": 0.12, "loyal": 0.0})
    >>> out["expected"].round(3).tolist(), out["inside"].tolist()
    ([0.108, 0.0], [True, True])
    """
    if not isinstance(truth, Mapping):
        raise DataError(f"truth must be a dict, got {type(truth).__name__}", table="truth",
                        fix="pass coursekit.data.truth()")
    effects = truth.get("campaign_uplift", {}).get("expected_by_segment") or truth.get(
        "campaign_uplift_by_segment", truth)
    scale = 1.0
    if campaign is not None:
        known = truth.get("campaigns", {})
        if campaign not in known:
            raise DataError(f"no campaign {campaign!r} in the truth; known: {sorted(known)}",
                            table="truth", column="campaigns",
                            fix="pass the campaign's name, as in the campaigns table")
        scale = float(known[campaign]["scale"])
    data = columns(uplift_table, "uplift_table",
                   numbers=["uplift", "uplift_low", "uplift_high", "conversion_control"])
    idx = uplift_table.index
    labels = idx.get_level_values(segment) if segment in (idx.names or []) else (
        idx if idx.nlevels == 1 else None)
    if labels is None:
        raise DataError(f"no index level named {segment!r}; the levels are {list(idx.names)}",
                        table="uplift_table", column=segment,
                        fix="pass segment= the level that holds the segments")
    labels = pd.Index(labels).astype(str)
    unknown = sorted(set(labels) - set(map(str, effects)))
    if unknown:
        raise DataError(
            f"segments the truth does not know: {unknown[:5]}; it knows {sorted(effects)}",
            table="uplift_table",
            column=segment,
            fix="compare segments made with the same CRM rules as the world",
        )
    lookup = {str(k): v for k, v in effects.items()}
    true = pd.to_numeric(pd.Series([lookup[s] for s in labels], dtype=object),
                         errors="coerce").to_numpy(dtype="float64") * scale
    if not np.isfinite(true).all():
        raise DataError(
            "truth values that are not numbers",
            table="truth",
            column=sorted({s for s, v in zip(labels, true, strict=True) if not np.isfinite(v)}),
            fix="pass coursekit.data.truth() unchanged",
        )
    out = pd.DataFrame(
        {
            "estimate": data["uplift"].to_numpy(),
            "low": data["uplift_low"].to_numpy(),
            "high": data["uplift_high"].to_numpy(),
            "truth": true,
            "expected": true * (1 - data["conversion_control"].to_numpy()),
        },
        index=idx,
    )
    out["inside"] = (out["low"] <= out["expected"]) & (out["expected"] <= out["high"])
    return out
