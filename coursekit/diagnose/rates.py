"""Runs of days when a rate fell beyond chance: the scan for an incident on a rate.

:func:`~coursekit.diagnose.anomalies` judges each day on its own, which
cannot work for a rate on a few trials a day: 0 orders from 3 carts is no
surprise on one day, while 3 days of it are. Here every run of consecutive
days in the period is judged as one: its successes against the binomial
chance at the segment's usual rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binom

from coursekit.diagnose._shared import _prepare, _window
from coursekit.errors import ArgumentError, DataError

_ALL = "(all)"


def rate_drops(
    table: pd.DataFrame,
    *,
    at: str,
    successes: str,
    trials: str,
    after: object,
    before: object = None,
    by: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """For each segment, the run of days in the ``after`` period whose rate fell
    furthest below its usual rate, and whether that lies beyond chance.

    The *usual rate* of a segment is its successes / trials in the ``before``
    period (default: every row before ``after`` starts). In the ``after``
    period, the successes and trials of each
    calendar day are added up over every run of consecutive days (day *i* to
    day *j*, all pairs); a run's chance is the binomial probability of so few
    successes or fewer,

    .. math:: P(X \\le s) \\quad\\text{with}\\quad X \\sim \\text{Binomial}(n, p_0),

    *n* and *s* the run's trials and successes and :math:`p_0` the usual rate.
    Many runs are looked at, so a run counts as beyond chance only below
    ``alpha`` shared out over all of them (Bonferroni:
    ``cutoff = alpha / runs scanned``); at most one run in ``1 / alpha``
    scans of ordinary data is flagged by chance.

    Written out here (a double loop as cumulative sums, scipy's binomial)
    because the idea, one test per run of days, is what the lesson teaches.

    Parameters
    ----------
    table
        One row per fact, with a time column and two count columns, e.g.
        the ``add_to_cart`` and ``order`` events marked 1/0 (booleans count
        as 0/1).
    at
        Time column; rows count on their calendar day.
    successes, trials
        The rate's numerator and denominator columns (orders and carts).
    after
        The days scanned: a period (``"2025-09"``) or a pair of dates, both
        included.
    before
        The days that give the usual rate, written the same way; None: all
        rows before ``after`` starts.
    by
        A segment column (each value scanned on its own, against its own
        usual rate), or None for the whole table.
    alpha
        Chance of a false alarm allowed for the whole scan (0-1).

    Returns
    -------
    pandas.DataFrame
        One row per segment, the least likely first: ``value`` (the
        segment; ``"(all)"`` without ``by``), ``start`` and ``end`` (first
        and last day of its least likely run), ``trials``, ``successes``,
        ``rate`` (of the run), ``usual``, ``chance``, ``runs`` (runs scanned
        over all segments), ``cutoff`` and ``beyond_chance``
        (``chance < cutoff``).

    Raises
    ------
    DataError
        Bad columns, more successes than trials on a day, a segment without
        trials in ``before``, no rows in ``after``, missing segments.
    ArgumentError
        A bad ``after``, ``before``, ``by`` or ``alpha``.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> days = pd.date_range("2025-08-01", "2025-09-30")
    >>> carts = pd.DataFrame({"time": np.repeat(days, 4), "cart": 1})
    >>> broken = carts["time"].between("2025-09-08", "2025-09-11")
    >>> carts["order"] = np.where(broken, 0, np.arange(len(carts)) % 4 != 0)  # 3 in 4
    >>> found = rate_drops(carts, at="time", successes="order", trials="cart",
    ...                    after="2025-09")
    >>> row = found.iloc[0]
    >>> str(row["start"].date()), str(row["end"].date()), int(row["trials"]), float(row["usual"])
    ('2025-09-08', '2025-09-11', 16, 0.75)
    >>> bool(row["beyond_chance"]), bool(row["chance"] < 1e-9)
    (True, True)
    """
    if by is not None and not isinstance(by, str):
        raise ArgumentError(f"by must be one column name or None, got {by!r}", name="by",
                            fix="e.g. by='platform'")
    for name, col in (("successes", successes), ("trials", trials)):
        if not isinstance(col, str):
            raise ArgumentError(f"{name} must be one column name, got {col!r}", name=name,
                                fix="e.g. successes='orders', trials='carts'")
    if (isinstance(alpha, bool) or not isinstance(alpha, int | float | np.floating)
            or not 0 < alpha < 1):
        raise ArgumentError("alpha must be a number between 0 and 1", name="alpha",
                            value=alpha, fix="e.g. alpha=0.05")
    start, stop, label = _window(after, "after")
    dims = [] if by is None else [by]
    data = _prepare(table, "table", at=at, values=[successes, trials], dims=dims)
    if (data[[successes, trials]] < 0).any().any():
        bad = (data[[successes, trials]] < 0).any(axis=1)
        raise DataError("negative counts", table="table", column=[successes, trials],
                        rows=data.loc[bad, [at, successes, trials]].head(5),
                        fix="count successes and trials as 0 or more per row")
    segment = data[by].astype(object) if by is not None else pd.Series(_ALL, index=data.index)
    if segment.isna().any():
        raise DataError("missing values in the segment column", table="table", column=by,
                        rows=data.loc[segment.isna(), [at, by]].head(5),
                        fix=f"fill them with a label first, e.g. table[{by!r}].fillna('unknown')")
    day = data[at].dt.normalize()
    inside = (data[at] >= start) & (data[at] < stop)
    if before is None:
        old, since = data[at] < start, f"before {start.date()}"
    else:
        b0, b1, since = _window(before, "before")
        old = (data[at] >= b0) & (data[at] < b1)
    if not inside.any():
        raise DataError(f"no rows in the period {label}", table="table", column=at,
                        fix="give a period the table covers")
    past = data[old].groupby(segment[old])[[successes, trials]].sum()
    days = pd.date_range(start, stop - pd.Timedelta(days=1), freq="D")
    daily = data[inside].groupby([segment[inside], day[inside]])[[successes, trials]].sum()
    over = daily[successes] > daily[trials]
    if over.any():
        raise DataError("more successes than trials on a day", table="table",
                        column=[successes, trials], rows=daily[over].head(5),
                        fix="successes must be a subset of trials (orders of carts)")
    segments = list(dict.fromkeys(segment[inside]))
    no_history = [s for s in segments if s not in past.index or past.loc[s, trials] <= 0]
    if no_history:
        raise DataError(f"no trials {since} to give a usual rate",
                        table="table", column=by or trials,
                        rows=pd.DataFrame({"segment": no_history[:5]}),
                        fix="give a before= period with trials of every segment")
    found, n_runs = [], 0
    for s in segments:
        one = daily.loc[s].reindex(days, fill_value=0)
        cum_s = np.concatenate([[0.0], np.cumsum(one[successes].to_numpy(float))])
        cum_n = np.concatenate([[0.0], np.cumsum(one[trials].to_numpy(float))])
        i, j = np.triu_indices(len(days))  # run from day i to day j, both included
        run_s, run_n = cum_s[j + 1] - cum_s[i], cum_n[j + 1] - cum_n[i]
        usual = float(past.loc[s, successes] / past.loc[s, trials])
        chance = np.where(run_n > 0, binom.cdf(run_s, run_n, usual), 1.0)
        n_runs += len(chance)
        k = int(np.argmin(chance))
        found.append(dict(value=s, start=days[i[k]], end=days[j[k]], trials=run_n[k],
                          successes=run_s[k],
                          rate=run_s[k] / run_n[k] if run_n[k] else np.nan,
                          usual=usual, chance=float(chance[k])))
    out = pd.DataFrame(found).sort_values("chance", kind="stable", ignore_index=True)
    for col in ("trials", "successes"):  # counts stay whole numbers when they are
        if np.all(np.mod(out[col], 1) == 0):
            out[col] = out[col].astype(np.int64)
    out["runs"] = n_runs
    out["cutoff"] = alpha / n_runs
    out["beyond_chance"] = out["chance"] < out["cutoff"]
    return out
