"""Gap to target: actual against target, with the direction of good stated per metric."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from coursekit.diagnose._shared import _as_series
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import choice as _check_flags

__all__ = ["gap_to_target"]


def gap_to_target(
    actual: Mapping[str, float] | pd.Series,
    target: Mapping[str, float] | pd.Series,
    *,
    better: str | Mapping[str, str] = "higher",
) -> pd.DataFrame:
    """Actual figures against their targets (目标差距, 达成率).

    .. math:: \\text{gap} = \\text{actual} - \\text{target}, \\qquad
              \\text{gap \\%} = \\frac{\\text{gap}}{|\\text{target}|}, \\qquad
              \\text{attainment} = \\frac{\\text{actual}}{\\text{target}}
              \\;\\text{or, where lower is better,}\\; \\frac{\\text{target}}{\\text{actual}}

    A target is met when actual >= target for a metric where higher is better
    (GMV, conversion) and actual <= target where lower is better (CAC,
    delivery days, refund rate). Attainment reads the same way for both: 100%
    or more is met, so a CAC of 95 against a target of 90 attains 94.7%, not
    105.6%, and the figure never says "above target" for a miss.

    Parameters
    ----------
    actual, target
        Metric -> number (dicts or Series), the same metrics in both.
    better
        ``"higher"`` or ``"lower"`` for every metric, or a dict giving it per
        metric (metrics not in it: ``"higher"``).

    Returns
    -------
    pandas.DataFrame
        Index ``metric`` (the order of ``target``); columns ``target``,
        ``actual``, ``gap``, ``gap_pct`` and ``attainment`` (NaN when the
        target is 0), ``better``, ``met``.

    Raises
    ------
    DataError
        Metrics in one table and not the other; missing or non-finite values;
        ``better`` not "higher" / "lower" or naming unknown metrics.

    Examples
    --------
    >>> out = gap_to_target({"gmv": 1.08e6, "cac": 95.0}, {"gmv": 1.2e6, "cac": 90.0},
    ...                     better={"cac": "lower"})
    >>> out[["gap", "gap_pct", "attainment", "met"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
                 gap  gap_pct  attainment    met
    metric
    gmv    -120000.0   -0.100       0.900  False
    cac          5.0    0.056       0.947  False
    """
    a, t = _as_series(actual, "actual"), _as_series(target, "target")
    only_a = [str(i) for i in a.index if i not in t.index]
    only_t = [str(i) for i in t.index if i not in a.index]
    if only_a or only_t:
        raise DataError(
            f"the metrics do not match: no target for {only_a}, no actual for {only_t}",
            table="actual/target",
            fix="give a target for every metric and an actual for every target "
            "(same names)",
        )
    if isinstance(better, str):
        _check_flags("better", better, ("higher", "lower"))
        direction = pd.Series(better, index=t.index)
    elif isinstance(better, Mapping):
        unknown = [str(k) for k in better if k not in t.index]
        if unknown:
            raise ArgumentError(f"better names metrics that have no target: {unknown}",
                                name="better",
                                fix=f"the metrics are {[str(i) for i in t.index]}")
        for v in better.values():
            _check_flags("better", v, ("higher", "lower"))
        direction = pd.Series({m: better.get(m, "higher") for m in t.index})
    else:
        raise ArgumentError(f"better must be 'higher', 'lower' or a dict, got {better!r}",
                            name="better",
                            fix="e.g. better={'cac': 'lower'}")
    a = a.reindex(t.index)
    gap = a - t
    base = t.abs().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(base > 0, gap.to_numpy() / np.where(base > 0, base, 1.0), np.nan)
        attain = np.where(base > 0, a.to_numpy() / np.where(base > 0, t.to_numpy(), 1.0),
                          np.nan)
    lower = (direction == "lower").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        attain = np.where(lower, 1.0 / attain, attain)  # target / actual: 100% or more is met
    met = np.where(lower, a.to_numpy() <= t.to_numpy(), a.to_numpy() >= t.to_numpy())
    return pd.DataFrame(
        {"target": t.to_numpy(), "actual": a.to_numpy(), "gap": gap.to_numpy(),
         "gap_pct": pct, "attainment": attain, "better": direction.to_numpy(),
         "met": met.astype(bool)},
        index=pd.Index(t.index, name="metric"),
    )
