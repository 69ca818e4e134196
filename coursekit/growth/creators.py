"""Creator deals: what a sign-up or a customer costs through each group of deals.

A creator programme (达人 / MCN) pays per deal. Comparing tiers or platforms
by the average of each deal's own cost per sign-up is misleading: a deal
with one sign-up costs its whole fee per sign-up, and deals with none have
no ratio at all. The cost of a *group* of deals is its fees over its
outcomes, a ratio of sums; its uncertainty comes from which deals happened
to be made, so the interval resamples whole deals (a paired bootstrap,
Efron and Tibshirani 1993, ch. 13, percentile method), through
:func:`scipy.stats.bootstrap`.

References
----------
.. [1] Efron, B. and Tibshirani, R. J. (1993). *An Introduction to the
   Bootstrap*. Chapman & Hall (ch. 13, percentile intervals).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from coursekit.errors import ArgumentError, DataError
from coursekit.growth._shared import number, whole
from coursekit.inputs import columns

__all__ = ["cost_per_outcome"]

_OUT = ["deals", "cost", "outcome", "cost_per", "low", "high"]


def _ratio(cost: np.ndarray, outcome: np.ndarray, axis: int = -1) -> np.ndarray:
    return cost.sum(axis=axis) / outcome.sum(axis=axis)


def cost_per_outcome(deals: pd.DataFrame, *, by: str | list[str] = "tier", cost: str = "fee",
                     outcome: str = "signups", level: float = 0.95, replicates: int = 2000,
                     seed: int = 0) -> pd.DataFrame:
    """Cost per outcome of each group of deals (fees over sign-ups), with an interval.

    Parameters
    ----------
    deals
        One row per deal (``creator_deals``): the grouping column(s), the
        cost and the outcome.
    by
        The column(s) to group by (``tier``, ``platform``, or both).
    cost, outcome
        The columns summed: what was paid (``fee``) and what it brought
        (``signups``, ``first_orders``).
    level
        Coverage of the bootstrap interval.
    replicates
        Bootstrap resamples of each group's deals (at least 100).
    seed
        Seed of the resampling.

    Returns
    -------
    pandas.DataFrame
        One row per group (indexed by ``by``, in sorted order): ``deals``,
        ``cost`` and ``outcome`` (sums), ``cost_per`` (their ratio), ``low``
        and ``high`` (the percentile bootstrap interval over deals; missing
        for a group of one deal, infinite at ``high`` when a resample can
        bring no outcome). ``cost_per`` is infinite for a group without
        any outcome.

    Raises
    ------
    DataError
        Missing columns, costs or outcomes that are missing, negative or
        not numbers (with example rows).
    ArgumentError
        ``level`` outside (0, 1), ``replicates`` below 100.

    Examples
    --------
    >>> import pandas as pd
    >>> deals = pd.DataFrame({"tier": ["head", "head", "tail", "tail", "tail"],
    ...                       "fee": [9000, 11000, 300, 500, 400],
    ...                       "signups": [40, 60, 10, 0, 20]})
    >>> out = cost_per_outcome(deals, replicates=200)
    >>> out[["deals", "cost", "outcome", "cost_per"]].reset_index()
       tier  deals   cost  outcome  cost_per
    0  head      2  20000      100     200.0
    1  tail      3   1200       30      40.0
    >>> bool(out.loc["tail", "low"] <= 40.0 <= out.loc["tail", "high"])
    True
    """
    table = "deals"
    keys = [by] if isinstance(by, str) else list(by) if isinstance(by, list | tuple) else None
    if not keys or not all(isinstance(k, str) for k in keys):
        raise ArgumentError("by must name one column or a list of columns", name="by",
                            value=by, fix="by='tier' or by=['tier', 'platform']")
    for name, value in (("cost", cost), ("outcome", outcome)):
        if not isinstance(value, str):
            raise ArgumentError(f"{name} must name a column", name=name, value=value,
                                fix=f"{name}='fee'" if name == "cost" else f"{name}='signups'")
    level = number(level, "level", low=0.0, high=1.0, high_open=True, example="level=0.95")
    replicates = whole(replicates, "replicates", low=100, example="replicates=2000")
    seed = whole(seed, "seed", low=0, example="seed=0")
    data = columns(deals, table, ids=keys, amounts=[cost], numbers=[outcome])
    bad = data[outcome].isna() | (data[outcome] < 0)
    if bad.any():
        raise DataError("outcomes must be counts >= 0 on every deal", table=table,
                        column=outcome, rows=deals[bad.to_numpy()].head(3),
                        fix="drop or correct those deals first")
    fees, counts = data[cost].to_numpy(dtype=float), data[outcome].to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    rows = {}
    for name, idx in data.groupby(keys, observed=True, sort=True).indices.items():
        c, o = fees[idx], counts[idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            point = c.sum() / o.sum() if o.sum() > 0 else np.inf
            low = high = np.nan
            if len(idx) > 1 and o.sum() > 0:
                ci = stats.bootstrap((c, o), _ratio, paired=True, vectorized=True,
                                     n_resamples=replicates, confidence_level=level,
                                     method="percentile", rng=rng).confidence_interval
                low, high = float(ci.low), float(ci.high)
        rows[name] = [len(idx), c.sum(), o.sum(), point, low, high]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=_OUT)
    if len(keys) > 1:
        out.index = pd.MultiIndex.from_tuples(out.index, names=keys)
    else:
        out.index.name = keys[0]
    out["deals"] = out["deals"].astype("int64")
    for col, src in (("cost", cost), ("outcome", outcome)):
        if pd.api.types.is_integer_dtype(deals[src]):
            out[col] = out[col].astype("int64")
    return out
