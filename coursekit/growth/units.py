"""Operating units (stores, grid managers): the spread of their performance, what the best
do differently, and what replicating the benchmark would bring.

The operating-unit growth model replicates a standard unit; its data work
asks three questions:

1. **How far apart are the units?** :func:`unit_benchmark` ranks the units
   on one metric and gives its spread (quantiles, the top group against
   the rest). A wide spread among similar units is the opportunity.
2. **What do the top units do differently?** The same result compares
   the top group with the rest on every other feature at hand (format,
   size, staff, the manager's tenure, the other metrics), largest
   standardised difference first. That is a description, not a cause:
   a feature that goes with the top group is a lead to test (train a
   manager, change a practice in some units and compare), not a proof.
3. **What is closing the gap worth?** :func:`lift_to_benchmark` adds up the
   gain if every unit below the benchmark closed a share of its gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError
from coursekit.growth._shared import number
from coursekit.inputs import columns, unique_key

__all__ = ["METRICS", "UnitBenchmark", "Lift", "unit_benchmark", "lift_to_benchmark"]

#: The metrics :func:`unit_benchmark` knows: name -> (numerator, denominator, meaning).
#: A denominator of ``None`` means per month; ``area_sqm`` comes from the stores table.
METRICS: dict[str, tuple[str, str | None, str]] = {
    "revenue": ("revenue", None, "revenue per month (yuan)"),
    "transactions": ("transactions", None, "transactions per month"),
    "footfall": ("footfall", None, "visitors per month"),
    "conversion": ("transactions", "footfall", "transactions / footfall"),
    "ticket": ("revenue", "transactions", "revenue / transactions (yuan)"),
    "revenue_per_staff_hour": ("revenue", "staff_hours", "revenue / staff hours (yuan)"),
    "wecom_per_transaction": ("wecom_members_added", "transactions",
                              "WeCom members added / transactions"),
    "revenue_per_sqm": ("revenue", "area_sqm", "revenue per month / floor area (yuan per m2)"),
}
_STORE_SKIP = ("name", "city", "open_date")


@dataclass(frozen=True)
class UnitBenchmark:
    """The result of :func:`unit_benchmark`.

    Attributes
    ----------
    metric
        The metric ranked (a key of :data:`METRICS` or a column of the
        monthly table).
    benchmark
        The benchmark: the metric of the weakest unit of the top group (the
        level a unit has to reach to be among the best).
    units
        One row per unit (index: the unit id), best first: ``value`` (the
        metric), ``rank`` (1 = best), ``top`` (in the top group),
        ``months``, ``outcome`` (the metric's numerator per month) and
        ``volume`` (its denominator per month; 1 for a per-month metric),
        then every other metric of :data:`METRICS` the data allows, and the
        units' own features.
    spread
        One row per statistic (index ``statistic``), column ``value``:
        ``units``, ``min``, ``p10``, ``p25``, ``median``, ``p75``, ``p90``,
        ``max``, ``mean``, ``top_mean``, ``rest_mean``, ``top_vs_rest``
        (top_mean / rest_mean) and ``p90_vs_p10``.
    differences
        What the top group does differently: one row per feature (a number,
        or a level of a category as the share of units with it), index
        ``feature``: ``top``, ``rest`` (means), ``difference`` (top - rest)
        and ``std_difference`` (the difference over the standard deviation
        of all units: comparable across features), largest first.
    """

    metric: str
    benchmark: float
    units: pd.DataFrame
    spread: pd.DataFrame
    differences: pd.DataFrame


@dataclass(frozen=True)
class Lift:
    """The result of :func:`lift_to_benchmark`.

    Attributes
    ----------
    share
        The share of its gap each unit below the benchmark closes.
    benchmark
        The benchmark level of the metric.
    units
        One row per unit: ``value``, ``gap`` (benchmark - value, 0 for units
        at or above it), ``new_value``, ``volume``, ``outcome``,
        ``new_outcome`` and ``gain`` (per month).
    current
        The units' total outcome per month now.
    gain
        The added outcome per month.
    lift
        gain / current.
    """

    share: float
    benchmark: float
    units: pd.DataFrame
    current: float
    gain: float
    lift: float


def unit_benchmark(
    store_months: pd.DataFrame,
    stores: pd.DataFrame,
    *,
    metric: str = "conversion",
    top: float = 0.2,
    store: str = "store_id",
    at: str = "month",
) -> UnitBenchmark:
    """Rank the operating units on a metric: its spread, and what the top units do differently.

    Each unit's metric is a ratio of sums over its months (numerator and
    denominator of :data:`METRICS`): conversion = all its transactions / all
    its footfall, not the mean of its monthly rates; a per-month metric
    (revenue) is the total over the number of months. Any other numeric
    column of ``store_months`` may be named too (per month). Higher is
    better. The **top group** is the best ``top`` share of the units
    (rounded up, at least one); the **benchmark** is the metric of the
    weakest unit in it.

    Compare like with like: units opened part-way through the data miss
    some seasons, and formats differ in size, so a per-month metric of a
    flagship and of a kiosk measures the format, not the team. A ratio
    (conversion, ticket, WeCom adds per transaction) is the fairer
    yardstick; filter ``store_months`` to the same months (or one format)
    before ranking on a per-month total.

    Parameters
    ----------
    store_months
        One row per unit and month (``store``, ``at`` and the metric's
        columns), e.g. ``store_months``.
    stores
        One row per unit (``store``), with its features (format, size,
        staff, car park, manager's tenure ...): every numeric, boolean and
        category column is compared (except names, cities and dates; the
        opening date becomes ``years_open`` at the end of the data).
    metric
        A key of :data:`METRICS` (default ``"conversion"``) or a numeric
        column of ``store_months``.
    top
        The share of units in the top group, in (0, 1).
    store, at
        Column names: the unit id (in both tables) and the month.

    Returns
    -------
    UnitBenchmark
        ``metric``, ``benchmark``, ``units``, ``spread``, ``differences``.

    Raises
    ------
    DataError
        Missing or bad columns, a unit-month listed twice, a unit of
        ``store_months`` not in ``stores``, fewer than 3 units, a
        denominator of 0.
    ArgumentError
        An unknown ``metric``, ``top`` outside (0, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> months = pd.DataFrame({"store_id": [1, 1, 2, 2, 3, 3, 4, 4],
    ...     "month": pd.to_datetime(["2025-01-01", "2025-02-01"] * 4),
    ...     "footfall": [1000] * 8,
    ...     "transactions": [300, 340, 200, 220, 180, 200, 150, 170]})
    >>> stores = pd.DataFrame({"store_id": [1, 2, 3, 4], "staff": [4, 3, 3, 2]})
    >>> bench = unit_benchmark(months, stores, top=0.25)
    >>> bench.units["value"].tolist(), bench.benchmark
    ([0.32, 0.21, 0.19, 0.16], 0.32)
    >>> bench.differences.loc["staff", ["top", "rest", "difference"]].round(3).tolist()
    [4.0, 2.667, 1.333]
    """
    share = number(top, "top", low=0.0, high=1.0, high_open=True, example="top=0.2")
    num, den = _metric(metric, store_months)
    need = [c for c in dict.fromkeys([num, den] if den else [num]) if c != "area_sqm"]
    months = columns(store_months, "store_months", ids=[store], times=[at], numbers=need)
    unique_key(months.assign(**{at: months[at].dt.to_period("M")}), "store_months",
               [store, at])
    units = _units_table(stores, store)
    _covered(months, units, store)
    table = _per_unit(store_months, months, units, store, at, num, den)
    if len(table) < 3:
        raise DataError(f"{len(table)} unit(s): a benchmark needs at least 3 to compare",
                        table="store_months", column=store, fix="add units")
    n_top = max(1, min(len(table) - 1, ceil(share * len(table) - 1e-9)))
    table = table.sort_values("value", ascending=False, kind="stable")
    table.insert(1, "rank", np.arange(1, len(table) + 1))
    table.insert(2, "top", table["rank"] <= n_top)
    table = _with_context(table, store_months, months, units, store, at, metric)
    benchmark = float(table.loc[table["top"], "value"].min())
    return UnitBenchmark(metric=str(metric), benchmark=benchmark, units=table,
                         spread=_spread(table), differences=_differences(table))


def _metric(metric: object, store_months: object) -> tuple[str, str | None]:
    if isinstance(metric, str) and metric in METRICS:
        num, den, _ = METRICS[metric]
        return num, den
    cols = list(store_months.columns) if isinstance(store_months, pd.DataFrame) else []
    if isinstance(metric, str) and metric in cols:
        return metric, None
    raise ArgumentError("unknown metric", name="metric", value=metric,
                        allowed=f"one of {list(METRICS)} or a numeric column of store_months")


def _units_table(stores: object, store: str) -> pd.DataFrame:
    u = columns(stores, "stores", ids=[store])
    unique_key(stores, "stores", store)  # type: ignore[arg-type]
    out = stores.drop(columns=store).set_index(u[store].to_numpy())  # type: ignore[union-attr]
    return out.rename_axis(store)


def _covered(months: pd.DataFrame, units: pd.DataFrame, store: str) -> None:
    missing = pd.Index(months[store].unique()).difference(units.index)
    if len(missing):
        raise DataError(f"{len(missing)} unit(s) of store_months are not in stores",
                        table="stores", column=store,
                        rows=pd.DataFrame({store: missing[:5]}),
                        fix="stores must list every unit of store_months")


def _sums(store_months: pd.DataFrame, months: pd.DataFrame, units: pd.DataFrame,
          store: str, col: str | None) -> pd.Series:
    """Per unit: the total of ``col`` over its months (the months for None; floor area x
    months for ``area_sqm``)."""
    ids = months[store]
    if col is None:
        return ids.value_counts(sort=False).astype(np.float64)
    if col == "area_sqm":
        area = columns(units, "stores", numbers=["area_sqm"])["area_sqm"]
        count = ids.value_counts(sort=False)
        return count * area.reindex(count.index).to_numpy()
    values = months[col] if col in months else columns(
        store_months, "store_months", numbers=[col])[col]
    return values.groupby(ids.to_numpy()).sum()


def _per_unit(store_months: pd.DataFrame, months: pd.DataFrame, units: pd.DataFrame,
              store: str, at: str, num: str, den: str | None) -> pd.DataFrame:
    count = _sums(store_months, months, units, store, None)
    top = _sums(store_months, months, units, store, num).reindex(count.index)
    bottom = _sums(store_months, months, units, store, den).reindex(count.index)
    if (bottom <= 0).any():
        zero = bottom[bottom <= 0]
        raise DataError(f"units whose {den} adds up to 0: the metric has no value",
                        table="store_months", column=den,
                        rows=pd.DataFrame({store: zero.index[:5], den: zero.to_numpy()[:5]}),
                        fix="leave those units out, or choose another metric")
    out = pd.DataFrame({"value": (top / bottom).to_numpy(), "months": count.to_numpy(),
                        "outcome": (top / count).to_numpy(),
                        "volume": (bottom / count).to_numpy() if den else 1.0},
                       index=pd.Index(count.index, name=store))
    return out


def _with_context(table: pd.DataFrame, store_months: pd.DataFrame, months: pd.DataFrame,
                  units: pd.DataFrame, store: str, at: str, metric: object) -> pd.DataFrame:
    """The other metrics the data allows, then the units' own features."""
    extra = {}
    for name, (num, den, _) in METRICS.items():
        have = all(c in store_months.columns or c == "area_sqm" and "area_sqm" in units
                   for c in (num, den) if c is not None)
        if name == metric or not have:
            continue
        try:
            part = _per_unit(store_months, months, units, store, at, num, den)
        except DataError:
            continue
        extra[name] = part["value"].reindex(table.index)
    features = _features(units, months[at].max()).reindex(table.index)
    return pd.concat([table, pd.DataFrame(extra, index=table.index), features], axis=1)


def _features(units: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    out = {}
    for col in units.columns:
        s = units[col]
        if col in _STORE_SKIP and col != "open_date":
            continue
        if col == "open_date" and pd.api.types.is_datetime64_any_dtype(s):
            out["years_open"] = (end - s).dt.days / 365.25
        elif pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            out[col] = s.astype(np.float64)
        elif isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(s) \
                or pd.api.types.is_string_dtype(s):
            if s.nunique() <= 10:
                out[col] = s.astype(object)
    return pd.DataFrame(out, index=units.index)


def _spread(table: pd.DataFrame) -> pd.DataFrame:
    v = table["value"].to_numpy()
    q = np.quantile(v, [0.1, 0.25, 0.5, 0.75, 0.9])
    top_mean = float(v[table["top"].to_numpy()].mean())
    rest_mean = float(v[~table["top"].to_numpy()].mean())
    stats = {"units": float(len(v)), "min": v.min(), "p10": q[0], "p25": q[1], "median": q[2],
             "p75": q[3], "p90": q[4], "max": v.max(), "mean": v.mean(),
             "top_mean": top_mean, "rest_mean": rest_mean,
             "top_vs_rest": top_mean / rest_mean if rest_mean else np.nan,
             "p90_vs_p10": q[4] / q[0] if q[0] else np.nan}
    return pd.DataFrame({"value": pd.Series(stats, dtype=np.float64)}).rename_axis("statistic")


def _differences(table: pd.DataFrame) -> pd.DataFrame:
    is_top = table["top"].to_numpy()
    skip = {"value", "rank", "top", "outcome", "volume", "months"}
    rows = []
    for col in table.columns:
        if col in skip:
            continue
        s = table[col]
        if pd.api.types.is_numeric_dtype(s):
            rows.append(_compare(col, s.to_numpy(dtype=np.float64), is_top))
        else:
            for lev in sorted(pd.unique(s.dropna().to_numpy()).tolist(), key=str):
                rows.append(_compare(f"{col}={lev}", (s == lev).to_numpy(np.float64), is_top))
    out = pd.DataFrame(rows).set_index("feature")
    order = out["std_difference"].abs().sort_values(ascending=False, kind="stable").index
    return out.loc[order]


def _compare(name: str, x: np.ndarray, is_top: np.ndarray) -> dict:
    ok = ~np.isnan(x)
    a, b = x[ok & is_top], x[ok & ~is_top]
    top_mean = a.mean() if len(a) else np.nan
    rest_mean = b.mean() if len(b) else np.nan
    sd = x[ok].std(ddof=1) if ok.sum() > 1 else np.nan
    diff = top_mean - rest_mean
    return {"feature": name, "top": top_mean, "rest": rest_mean, "difference": diff,
            "std_difference": diff / sd if sd and sd > 0 else 0.0}


def lift_to_benchmark(table: UnitBenchmark | pd.DataFrame, *, share: float = 0.5) -> Lift:
    """The gain if every unit below the benchmark closed ``share`` of its gap.

    The rule: a unit whose metric :math:`v` is below the benchmark
    :math:`b` moves to :math:`v + \\text{share} \\times (b - v)`; units at or
    above it stay. The gain is counted in the metric's numerator, per month,
    with each unit's volume (the denominator) held: a store that converts
    more of the same footfall sells
    :math:`\\Delta v \\times \\text{footfall}` more transactions,

    .. math:: \\text{gain} = \\sum_{u:\\, v_u < b}
              \\text{share}\\,(b - v_u)\\,\\text{volume}_u

    (for a per-month metric the volume is 1 and the gain is in its own
    unit). ``share=1`` is every unit reaching the benchmark, an upper bound
    rarely met; half the gap is a common planning assumption.

    Parameters
    ----------
    table
        A :class:`UnitBenchmark`, or its ``units`` table (columns ``value``,
        ``top``, ``volume``; the benchmark is then the smallest ``value``
        with ``top``).
    share
        The share of its gap each unit closes, in (0, 1].

    Returns
    -------
    Lift
        ``units`` (per unit), ``current``, ``gain``, ``lift``, ``benchmark``
        and ``share``.

    Raises
    ------
    DataError
        A table without the columns, or without a top unit.
    ArgumentError
        ``share`` outside (0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> units = pd.DataFrame({"value": [0.32, 0.21, 0.19, 0.16],
    ...                       "top": [True, False, False, False],
    ...                       "volume": [1000.0, 1000.0, 1000.0, 2000.0]})
    >>> lift = lift_to_benchmark(units, share=0.5)
    >>> lift.units["gain"].round(1).tolist()  # half of 0.11, 0.13, 0.16 of the footfall
    [0.0, 55.0, 65.0, 160.0]
    >>> round(lift.gain, 1), round(lift.lift, 3)  # of 1,040 a month now
    (280.0, 0.269)
    """
    share = number(share, "share", low=0.0, high=1.0, example="share=0.5")
    if isinstance(table, UnitBenchmark):
        units, benchmark = table.units, table.benchmark
    else:
        units = columns(table, "units", numbers=["value", "volume"])
        if "top" not in table.columns:  # type: ignore[union-attr]
            raise DataError("missing column ['top']", table="units", column="top",
                            fix="pass unit_benchmark(...) or its .units table")
        units = units.assign(top=table["top"].to_numpy(dtype=bool))  # type: ignore[index]
        if not units["top"].any():
            raise DataError("no unit is marked top: the benchmark is undefined",
                            table="units", column="top", fix="mark the top group")
        benchmark = float(units.loc[units["top"], "value"].min())
    value = units["value"].to_numpy(dtype=np.float64)
    volume = units["volume"].to_numpy(dtype=np.float64)
    gap = np.clip(benchmark - value, 0.0, None)
    new = value + share * gap
    out = pd.DataFrame({"value": value, "gap": gap, "new_value": new, "volume": volume,
                        "outcome": value * volume, "new_outcome": new * volume,
                        "gain": share * gap * volume}, index=units.index)
    current = float(out["outcome"].sum())
    gain = float(out["gain"].sum())
    return Lift(share=share, benchmark=benchmark, units=out, current=current, gain=gain,
                lift=gain / current if current else np.nan)
