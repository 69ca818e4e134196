"""Anomalies: days far from their own recent past (or from the other groups), and
the episodes they form."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from coursekit._periods import ordinals as _ordinals
from coursekit.diagnose._shared import _codes, _dims, _prepare
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import choice as _check_flags

__all__ = ["anomalies", "episodes"]


def _ft(x: np.ndarray) -> np.ndarray:
    """Freeman-Tukey transform: Poisson counts get a standard deviation of about 1."""
    with np.errstate(invalid="ignore"):
        return np.sqrt(x) + np.sqrt(x + 1.0)


def _trailing(a: np.ndarray, window: int) -> np.ndarray:
    """(n, k, window) array: for day t, the values of days t - window .. t - 1."""
    pad = np.full((window + a.shape[0], a.shape[1]), np.nan)
    pad[window:] = a
    return sliding_window_view(pad, window, axis=0)[: a.shape[0]]


def _scores(s: np.ndarray, c: np.ndarray, *, how: str, counts: bool, baseline: str,
            window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Actual, expected and robust score of every day (rows) and segment (columns)."""
    least = max(window // 2, 1)
    tf = _ft if counts else (lambda v: v)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows at the start
        x = s / np.where(c > 0, c, np.nan) if how == "mean" else s
        if baseline == "own":
            past = _trailing(x, window)
            expected = np.nanmedian(past, axis=2)
            resid = tf(past) - tf(expected)[..., None]
        elif how == "sum":
            rest = x.sum(axis=1, keepdims=True) - x
            ratio = np.where(rest > 0, x / rest, np.nan)
            past = _trailing(ratio, window)
            usual = np.nanmedian(past, axis=2)
            expected = usual * rest
            resid = tf(_trailing(x, window)) - tf(usual[..., None] * _trailing(rest, window))
        else:
            rest_n = c.sum(axis=1, keepdims=True) - c
            rest_mean = (s.sum(axis=1, keepdims=True) - s) / np.where(rest_n > 0, rest_n, np.nan)
            past = _trailing(x - rest_mean, window)
            offset = np.nanmedian(past, axis=2)
            expected = rest_mean + offset
            resid = past - offset[..., None]
        enough = (~np.isnan(past)).sum(axis=2) >= least
        mad = 1.4826 * np.nanmedian(np.abs(resid), axis=2)
        scale = np.where(mad > 0, mad, 1.2533 * np.nanmean(np.abs(resid), axis=2))
        if counts:
            scale = np.fmax(scale, 1.0)
        dev = tf(x) - tf(expected)
        score = np.where(scale > 0, dev / scale, np.where(dev == 0, 0.0, np.sign(dev) * np.inf))
    score[~enough | np.isnan(x) | np.isnan(expected)] = np.nan
    return x, expected, score


def anomalies(
    table: pd.DataFrame,
    *,
    at: str,
    value: str | None = None,
    by: str | Sequence[str] | None = None,
    how: str = "sum",
    window_days: int = 28,
    threshold: float = 3.0,
    extend: float = 1.5,
    gap: int = 1,
    direction: str = "both",
    baseline: str = "own",
    flagged_only: bool = True,
) -> pd.DataFrame:
    """Days that stand out from the weeks before them, grouped into episodes.

    The table is turned into a daily series (per value of each ``by``
    dimension): the number of rows (``value=None``), the total of ``value``
    (``how="sum"``) or its mean over the day's rows (``how="mean"``). Each day
    :math:`t` is compared with the ``window_days`` days before it (not with itself,
    so an incident does not hide in its own baseline):

    .. math:: \\hat x_t = \\operatorname{median}(x_{t-w}, \\dots, x_{t-1}), \\qquad
              z_t = \\frac{x_t - \\hat x_t}{1.4826\\,\\operatorname{MAD}}

    a *robust z-score*: the median and the median absolute deviation (MAD,
    Leys et al. 2013) of the trailing window barely move when a few of its
    days are themselves unusual (a festival, a past incident), where a mean
    and a standard deviation would. (When the MAD is 0, 1.2533 x the mean
    absolute deviation is used.) Counts are compared on the Freeman-Tukey
    scale :math:`\\sqrt{x} + \\sqrt{x + 1}`, where Poisson noise has a standard
    deviation of about 1 (used as the smallest scale): a quiet segment (7
    sign-ups a day) and a busy one are judged alike, and 0 where 7 were
    expected is unusual while 0 where 0.5 were is not. A day needs at least
    ``window // 2`` days of history with data to be scored.

    ``baseline="rest"`` compares each segment with the *other* values of its
    dimension on the same day instead: expected = the segment's usual
    (median) ratio to the rest x the rest today (sums), or the rest's mean
    today + the segment's usual offset (means). Swings common to all
    segments (festivals, weekends) cancel out; what is specific to one
    segment stays. (The other segments then show a small mirror image of a
    big segment's incident.)

    A day is flagged when :math:`|z| \\ge` ``threshold``; its neighbours join
    its *episode* while they stay at :math:`|z| \\ge` ``extend`` in the same
    direction, and episodes of one segment separated by at most ``gap`` quiet
    days are merged. Episodes are numbered by the size of their summed score,
    :math:`|\\sum z|`, 1 being the most unusual.

    Festivals (618, double 11) are real peaks and score high with
    ``baseline="own"``: look for drops with ``direction="down"``, or use
    ``baseline="rest"``.

    Parameters
    ----------
    table
        One row per fact (sign-up, order, event).
    at
        Time column; rows are counted on their calendar day.
    value
        Column to add up or average (booleans count as 0/1, so the mean of a
        flag is a rate); None counts rows.
    by
        A dimension column, a list of them (each scored on its own), or None
        for the whole table.
    how
        ``"sum"`` or ``"mean"``.
    window_days
        Days of history in the baseline (>= 7; 28 = four of each weekday).
    threshold, extend
        Score that flags a day, and the lower score that extends its episode
        (0 < extend <= threshold).
    gap
        Quiet days allowed inside one episode.
    direction
        ``"both"``, ``"up"`` or ``"down"``.
    baseline
        ``"own"`` (the segment's own past) or ``"rest"`` (the other segments).
    flagged_only
        False returns every scored day (to plot a series with its baseline).

    Returns
    -------
    pandas.DataFrame
        Columns ``dimension``, ``value`` (the dimension's value; ``"(all)"``
        without ``by``), ``date``, ``actual``, ``expected``, ``deviation``
        (actual - expected), ``score`` (z), ``direction`` (``"up"`` /
        ``"down"``), ``episode`` (1 = the most unusual; missing for days not
        flagged), ordered by episode and date. See :func:`episodes`.

    Raises
    ------
    DataError
        Bad columns, a dimension with missing values, ``how="mean"`` without
        ``value``, ``baseline="rest"`` without ``by`` or with negative values,
        a bad ``window_days``, ``threshold``, ``extend`` or ``gap``, or fewer days
        of data than a baseline needs.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> days = pd.date_range("2025-01-01", periods=60)
    >>> per_day = np.where((days >= "2025-02-10") & (days <= "2025-02-12"), 2, 20)
    >>> signups = pd.DataFrame({"signup_time": np.repeat(days, per_day)})
    >>> flags = anomalies(signups, at="signup_time")
    >>> flags[["date", "actual", "expected", "direction", "episode"]]
            date  actual  expected direction  episode
    0 2025-02-10     2.0      20.0      down        1
    1 2025-02-11     2.0      20.0      down        1
    2 2025-02-12     2.0      20.0      down        1
    """
    _check_flags("how", how, ("sum", "mean"))
    _check_flags("direction", direction, ("both", "up", "down"))
    _check_flags("baseline", baseline, ("own", "rest"))
    if how == "mean" and value is None:
        raise ArgumentError("how='mean' needs the column to average",
                            name="value", fix="e.g. value='delivery_days'")
    if value is not None and not isinstance(value, str):
        raise ArgumentError(f"value must be one column name, got {value!r}",
                            name="value", fix="e.g. value='amount'")
    if (isinstance(window_days, bool) or not isinstance(window_days, int | np.integer)
            or window_days < 7):
        raise ArgumentError("give a whole number of days, at least 7", name="window_days",
                            value=window_days, fix="e.g. window_days=28")
    if isinstance(gap, bool) or not isinstance(gap, int | np.integer) or gap < 0:
        raise ArgumentError(f"gap={gap!r}: give a whole number of days >= 0",
                            name="gap", fix="e.g. gap=1")
    try:
        threshold, extend = float(threshold), float(extend)
    except (TypeError, ValueError):
        raise ArgumentError("threshold and extend must be numbers",
                            name=["threshold", "extend"], fix="e.g. threshold=3, extend=1.5") \
            from None
    if not (np.isfinite(threshold) and 0 < extend <= threshold):
        raise ArgumentError(f"need 0 < extend <= threshold, got extend={extend}, "
                            f"threshold={threshold}",
                            name=["threshold", "extend"], fix="e.g. threshold=3, extend=1.5")
    dims = _dims(by, required=baseline == "rest")
    data = _prepare(table, "table", at=at, values=[value] if value else [], dims=dims,
                    money=baseline == "rest" and how == "sum" and value is not None)
    day = _ordinals(data[at], "D")
    first = int(day.min())
    n = int(day.max()) - first + 1
    if n <= max(window_days // 2, 1):
        raise DataError(f"{n} day(s) of data: the baseline needs at least "
                        f"{max(window_days // 2, 1) + 1}", table="table", column=at,
                        fix="use a longer stretch of data, or a shorter window")
    weights = data[value].to_numpy() if value else None
    actual, expected, score, dim_of, val_of = [], [], [], [], []
    for dim in dims or [None]:
        if dim is None:
            codes, uniques = np.zeros(len(data), dtype=np.int64), pd.Index(["(all)"])
        else:
            codes, uniques = _codes(data, dim, "table")
        k = len(uniques)
        if n * k * window_days > 20_000_000:
            raise DataError(
                f"{k:,} values of {dim!r} over {n:,} days is too many daily series to score",
                table="table",
                column=dim,
                fix="use a dimension with fewer values (channel, device, category), or "
                "keep the top values and group the others as 'other'",
            )
        cell = (day - first) * k + codes
        c = np.bincount(cell, minlength=n * k).reshape(n, k).astype(np.float64)
        s = c if weights is None else np.bincount(cell, weights=weights,
                                                  minlength=n * k).reshape(n, k)
        x, e, z = _scores(s, c, how=how, counts=value is None, baseline=baseline,
                          window=window_days)
        actual.append(x)
        expected.append(e)
        score.append(z)
        dim_of += ["(all)" if dim is None else dim] * k
        val_of += list(uniques)
    x, e, z = np.hstack(actual), np.hstack(expected), np.hstack(score)
    n_col = x.shape[1]
    # episodes, column by column (column-major so each segment's days are contiguous)
    zc = z.T.ravel()
    col_of = np.repeat(np.arange(n_col), n)
    day_of = np.tile(np.arange(n), n_col)
    picks: list[np.ndarray] = []
    signs: list[np.ndarray] = []
    for sign in {"both": (1.0, -1.0), "up": (1.0,), "down": (-1.0,)}[direction]:
        signed = np.nan_to_num(zc * sign, nan=-np.inf)
        weak = signed >= extend
        strong = signed >= threshold
        start = weak.copy()
        start[1:] &= ~weak[:-1] | (day_of[1:] == 0)
        run = np.cumsum(start) - 1
        hit = np.bincount(run[weak], weights=strong[weak], minlength=int(start.sum())) > 0
        keep = np.flatnonzero(weak)[hit[run[weak]]]
        picks.append(keep)
        signs.append(np.full(len(keep), sign))
    cells = np.concatenate(picks)
    sign_of = np.concatenate(signs)
    order = np.lexsort((day_of[cells], sign_of, col_of[cells]))
    cells, sign_of = cells[order], sign_of[order]
    new = np.ones(len(cells), dtype=bool)
    new[1:] = ((col_of[cells][1:] != col_of[cells][:-1]) | (sign_of[1:] != sign_of[:-1])
               | (day_of[cells][1:] - day_of[cells][:-1] > gap + 1))
    episode_of = np.cumsum(new) - 1
    total = np.bincount(episode_of, weights=zc[cells], minlength=int(new.sum()))
    rank = np.empty(len(total), dtype=np.int64)
    rank[np.argsort(-np.abs(total), kind="stable")] = np.arange(1, len(total) + 1)
    episode = np.zeros(len(zc), dtype=np.int64)
    episode[cells] = rank[episode_of]
    if flagged_only:
        rows = cells[np.lexsort((day_of[cells], episode[cells]))]
    else:
        rows = np.flatnonzero(~np.isnan(zc))
        rows = rows[np.lexsort((day_of[rows], col_of[rows]))]
    xr, er = x.T.ravel()[rows], e.T.ravel()[rows]
    dates = (np.asarray(first + day_of[rows], dtype="datetime64[D]")
             .astype("datetime64[ns]"))
    out = pd.DataFrame({
        "dimension": np.asarray(dim_of, dtype=object)[col_of[rows]],
        "value": np.asarray(val_of, dtype=object)[col_of[rows]],
        "date": dates,
        "actual": xr,
        "expected": er,
        "deviation": xr - er,
        "score": zc[rows],
        "direction": np.where(zc[rows] >= 0, "up", "down"),
        "episode": pd.array(np.where(episode[rows] > 0, episode[rows], 0), dtype="Int64"),
    })
    out.loc[episode[rows] == 0, "episode"] = pd.NA
    return out


def episodes(flags: pd.DataFrame) -> pd.DataFrame:
    """One row per episode of :func:`anomalies`: where, when, how big.

    Parameters
    ----------
    flags
        The table of :func:`anomalies`.

    Returns
    -------
    pandas.DataFrame
        Index ``episode`` (1 = the most unusual); columns ``dimension``,
        ``value``, ``direction``, ``start``, ``end`` (first and last flagged
        day), ``days`` (calendar days from start to end), ``flagged_days``,
        ``deviation`` (summed over the flagged days: missing sign-ups, or for
        means the sum of the daily gaps), ``deviation_per_day`` and ``score``
        (summed z). Empty when nothing was flagged.

    Raises
    ------
    DataError
        Not a table of :func:`anomalies`.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> days = pd.date_range("2025-01-01", periods=60)
    >>> per_day = np.where((days >= "2025-02-10") & (days <= "2025-02-12"), 2, 20)
    >>> signups = pd.DataFrame({"signup_time": np.repeat(days, per_day)})
    >>> runs = episodes(anomalies(signups, at="signup_time"))
    >>> runs[["start", "end", "deviation"]]  # doctest: +NORMALIZE_WHITESPACE
                 start        end  deviation
    episode
    1       2025-02-10 2025-02-12      -54.0
    """
    need = ["dimension", "value", "date", "deviation", "score", "direction", "episode"]
    if not isinstance(flags, pd.DataFrame) or any(c not in flags.columns for c in need):
        raise DataError("expected the table returned by anomalies()", table="flags",
                        column=[c for c in need if not isinstance(flags, pd.DataFrame)
                                or c not in flags.columns],
                        fix="pass flags = anomalies(table, at=...)")
    f = flags[flags["episode"].notna().to_numpy()]
    grouped = f.groupby(f["episode"].astype(np.int64).rename("episode"), sort=True)
    out = grouped.agg(dimension=("dimension", "first"), value=("value", "first"),
                      direction=("direction", "first"), start=("date", "min"),
                      end=("date", "max"), flagged_days=("date", "size"),
                      deviation=("deviation", "sum"), score=("score", "sum"))
    out.insert(5, "days", (out["end"] - out["start"]).dt.days + 1)
    out.insert(8, "deviation_per_day", out["deviation"] / out["flagged_days"])
    return out
