"""Competitors and segments, weighed: the competitiveness table, how robust its
ranking is to the weights, and the value of segments."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError
from coursekit.needs._shared import _frame, _integer, _is_number, _numeric, _seed

# --------------------------------------------------------------------------- competitor scoring


def _scores(scores: object, table: str = "scores") -> pd.DataFrame:
    df = _frame(scores, table)
    if df.shape[1] == 0:
        raise DataError("no criteria: the table has no columns", table=table,
                        fix="one column per criterion, one row per brand")
    if not df.index.is_unique:
        raise DataError("brands appear more than once", table=table,
                        rows=df[df.index.duplicated(keep=False)].head(5),
                        fix="one row per brand (the index)")
    if not df.columns.is_unique:
        raise DataError("criteria appear more than once", table=table,
                        column=list(df.columns[df.columns.duplicated()]),
                        fix="one column per criterion")
    return pd.DataFrame({c: _numeric(df, c, table, nullable=False) for c in df.columns},
                        index=df.index)


def _weights(weights: object, criteria: pd.Index) -> np.ndarray:
    """Weights in the order of ``criteria``, normalised to sum 1."""
    if isinstance(weights, Mapping | pd.Series):
        w = pd.Series(dict(weights) if isinstance(weights, Mapping) else weights, dtype=object)
        missing = [c for c in criteria if c not in w.index]
        extra = [c for c in w.index if c not in criteria]
        if missing or extra:
            raise ArgumentError(
                f"the weights and the criteria differ: no weight for {missing}, no criterion "
                f"for {extra}", name="weights", allowed=f"one weight for each of {list(criteria)}")
        values = w.reindex(criteria).to_list()
    elif isinstance(weights, Sequence | np.ndarray) and not isinstance(weights, str | bytes):
        values = list(weights)
        if len(values) != len(criteria):
            raise ArgumentError(f"{len(values)} weights for {len(criteria)} criteria",
                                name="weights", value=values,
                                fix=f"one weight per column, in order: {list(criteria)}")
    else:
        raise ArgumentError("weights must be a mapping criterion -> weight (or a list in the "
                            "order of the columns)", name="weights", value=weights,
                            fix="e.g. weights={'price': 0.4, 'taste': 0.6}")
    bad = [v for v in values if not _is_number(v)]
    if bad:
        raise ArgumentError("weights must be finite numbers", name="weights", value=bad[0])
    arr = np.array(values, dtype=float)
    if (arr < 0).any():
        raise ArgumentError("weights must not be negative", name="weights",
                            value=dict(zip(criteria, values, strict=True)),
                            fix="a criterion that counts against a brand: reverse its scores "
                            "(e.g. 10 - price score), keep the weight positive")
    if arr.sum() == 0:
        raise ArgumentError("all weights are zero", name="weights", value=values,
                            fix="give at least one criterion a positive weight")
    return arr / arr.sum()


def competitor_scores(scores: pd.DataFrame, weights: Mapping[str, float] | pd.Series
                      ) -> pd.DataFrame:
    """Weighted competitiveness table (竞争力评分表): weighted total and rank per brand.

    .. math:: \\text{total}_b = \\sum_j w_j\\, s_{bj}, \\qquad
              w_j = \\frac{\\text{weight}_j}{\\sum_k \\text{weight}_k}

    The weights are normalised to sum to 1, so the total stays on the scale of
    the scores (a weighted mean). Put every criterion on one scale, higher
    better, before weighing (scores 1-10, or :func:`segment_value`'s 0-1).

    Parameters
    ----------
    scores
        One row per brand (the index), one column per criterion; numbers.
    weights
        Criterion -> weight (a mapping or a Series; one weight per column,
        no more), or a list in the order of the columns; not negative, not
        all zero.

    Returns
    -------
    pandas.DataFrame
        The scores with ``total`` (the weighted mean), ``rank`` (1 = highest
        total; equal totals share the better rank) and ``gap_to_leader``
        (total minus the leader's, 0 for the leader), sorted by rank (ties
        in the order of ``scores``).

    Raises
    ------
    DataError
        Missing or non-numeric scores, repeated brands or criteria.
    ArgumentError
        Weights missing a criterion or naming an unknown one, negative, all
        zero, not numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"taste": [8, 7, 6], "price": [6, 8, 7], "packaging": [7, 6, 9]},
    ...                       index=pd.Index(["qingmu", "songguo", "guorenjia"], name="brand"))
    >>> t = competitor_scores(scores, {"taste": 5, "price": 3, "packaging": 2})
    >>> t[["total", "rank", "gap_to_leader"]]  # doctest: +NORMALIZE_WHITESPACE
               total  rank  gap_to_leader
    brand
    qingmu       7.2     1            0.0
    songguo      7.1     2           -0.1
    guorenjia    6.9     3           -0.3
    """
    s = _scores(scores)
    w = _weights(weights, s.columns)
    out = s.copy()
    out["total"] = s.to_numpy() @ w
    out["rank"] = out["total"].rank(ascending=False, method="min").astype("int64")
    out["gap_to_leader"] = out["total"] - out["total"].max()
    return out.sort_values("rank", kind="stable")


@dataclass(frozen=True)
class WeightSensitivity:
    """How robust the ranking of :func:`competitor_scores` is to its weights.

    Attributes
    ----------
    leader
        The brand ranked first at the weights given (on a tie, the first in
        the order of ``scores``).
    thresholds
        One row per criterion (index ``criterion``): ``weight`` (normalised),
        ``lowest`` and ``highest`` (the range of that weight, the others
        rescaled to fill the rest, over which ``leader`` stays first),
        ``taken_by_below`` and ``taken_by_above`` (the brand that leads once
        the weight leaves the range; None when it never does), ``room``
        (``min(weight - lowest, highest - weight)``: how far the weight can
        move either way).
    first_place
        One row per brand (index ``brand``): ``share_first`` (share of the
        random weightings in which it ranks first; a tie shares the draw)
        and ``mean_rank``, sorted by ``share_first`` (then ``mean_rank``).
    draws, spread, concentration
        The random weightings: their number, the relative spread asked for
        and the Dirichlet concentration it gives.
    """

    leader: object
    thresholds: pd.DataFrame
    first_place: pd.DataFrame
    draws: int
    spread: float
    concentration: float


def _crossings(s: np.ndarray, w: np.ndarray, lead: int, j: int) -> tuple[float, int, float, int]:
    """Where the leader loses first place as weight j moves down and up.

    Weight j is set to t, the others keep their proportions and share 1 - t
    (equal shares when they are all zero). Each total is then linear in t:
    ``T_b(t) = t s_bj + (1 - t) R_b``, so brand b overtakes the leader where
    ``T_b - T_lead`` changes sign.
    """
    others = np.arange(len(w)) != j
    rest = w[others]
    share = rest / rest.sum() if rest.sum() > 0 else np.full(len(rest), 1 / len(rest))
    r = s[:, others] @ share
    d0 = r - r[lead]
    slope = (s[:, j] - s[lead, j]) - d0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(slope != 0, -d0 / slope, np.nan)
    tol = 1e-12
    up = (slope > 0) & (t >= w[j] - tol) & (t < 1 - tol)
    down = (slope < 0) & (t <= w[j] + tol) & (t > tol)
    hi, hi_by = (float(t[up].min()), int(np.flatnonzero(up)[t[up].argmin()])) if up.any() \
        else (1.0, -1)
    lo, lo_by = (float(t[down].max()), int(np.flatnonzero(down)[t[down].argmax()])) \
        if down.any() else (0.0, -1)
    return lo, lo_by, hi, hi_by


def weight_sensitivity(
    scores: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series,
    *,
    spread: float = 0.2,
    draws: int = 2000,
    seed: int = 0,
) -> WeightSensitivity:
    """How far the weights of a competitiveness table can move before the leader changes.

    Two checks on the ranking of :func:`competitor_scores`:

    - **One weight at a time.** For each criterion j, its weight is set to
      any t in [0, 1] while the other weights keep their proportions and
      share 1 - t. Every brand's total is then a straight line in t,
      ``T_b(t) = t s_bj + (1 - t) R_b`` with ``R_b`` the brand's weighted
      mean on the other criteria, so the weights at which another brand
      overtakes the leader are solved exactly (where two lines cross), not
      searched on a grid. ``lowest`` / ``highest`` bound the range of t over
      which the leader stays first.
    - **All weights at once.** ``draws`` random weightings from a Dirichlet
      distribution centred on the weights, :math:`w^* \\sim
      \\mathrm{Dir}(c\\,w)`; each weight keeps its mean
      :math:`w_j` and has variance :math:`w_j(1 - w_j)/(c + 1)`. The
      concentration :math:`c = (k - 1)/\\text{spread}^2 - 1` (k criteria with
      a positive weight) gives a weight of average size 1/k a standard
      deviation of ``spread`` times itself (0.2: about +-20 %); smaller
      weights move relatively more, larger ones less. A zero weight stays
      zero. The share of draws in which each brand ranks first says how
      safe the lead is.

    Parameters
    ----------
    scores, weights
        As in :func:`competitor_scores`.
    spread
        Relative standard deviation of a weight of average size, above 0; at
        most about ``sqrt(k - 1)``, where the Dirichlet stops being centred.
    draws
        Number of random weightings.
    seed
        Seed of the random generator: the same call gives the same result.

    Returns
    -------
    WeightSensitivity
        ``leader``, ``thresholds`` (per criterion), ``first_place`` (per
        brand) and the settings of the draws.

    Raises
    ------
    DataError, ArgumentError
        As :func:`competitor_scores`; a ``spread``, ``draws`` or ``seed`` out
        of range.

    Examples
    --------
    Qingmu leads on taste, Songguo on price. With taste weighed 0.6, Qingmu
    leads; it keeps the lead while taste's weight stays above 0.5:

    >>> import pandas as pd
    >>> scores = pd.DataFrame({"taste": [9, 6], "price": [5, 8]},
    ...                       index=pd.Index(["qingmu", "songguo"], name="brand"))
    >>> ws = weight_sensitivity(scores, {"taste": 0.6, "price": 0.4})
    >>> ws.leader
    'qingmu'
    >>> ws.thresholds[["weight", "lowest", "highest", "taken_by_below"]]
    ... # doctest: +NORMALIZE_WHITESPACE
               weight  lowest  highest taken_by_below
    criterion
    taste         0.6     0.5      1.0        songguo
    price         0.4     0.0      0.5           None

    With weights drawn around (0.6, 0.4), +-20 % for a weight of average size
    (taste's standard deviation is then sqrt(0.6 x 0.4 / 25) = 0.098), taste
    falls below 0.5 in about one draw in six, and Songguo leads in those:

    >>> ws.first_place["share_first"].round(2).to_dict()
    {'qingmu': 0.83, 'songguo': 0.17}
    """
    s = _scores(scores)
    w = _weights(weights, s.columns)
    if not _is_number(spread) or spread <= 0:
        raise ArgumentError("spread must be a number above 0", name="spread", value=spread,
                            fix="e.g. spread=0.2: weights move by about 20 %")
    n_draws = _integer("draws", draws, low=1)
    rng = np.random.default_rng(_seed(seed))
    values = s.to_numpy()
    totals = values @ w
    lead = int(np.argmax(totals))
    brands = np.array(s.index, dtype=object)
    rows = []
    for j in range(len(w)):
        if len(w) == 1:
            rows.append((w[j], 1.0, 1.0, None, None))
            continue
        lo, lo_by, hi, hi_by = _crossings(values, w, lead, j)
        rows.append((w[j], lo, hi, brands[lo_by] if lo_by >= 0 else None,
                     brands[hi_by] if hi_by >= 0 else None))
    thresholds = pd.DataFrame(rows, columns=["weight", "lowest", "highest", "taken_by_below",
                                             "taken_by_above"],
                              index=pd.Index(s.columns, name="criterion"))
    for col, at in (("taken_by_below", 3), ("taken_by_above", 4)):  # None stays None
        thresholds[col] = pd.Series([r[at] for r in rows], index=thresholds.index,
                                    dtype=object)
    thresholds["room"] = np.minimum(thresholds["weight"] - thresholds["lowest"],
                                    thresholds["highest"] - thresholds["weight"])
    positive = w > 0
    k = int(positive.sum())
    concentration = (k - 1) / spread**2 - 1 if k > 1 else math.inf
    if k > 1 and concentration <= 0:
        raise ArgumentError(f"spread {spread} is too wide for {k} criteria",
                            name="spread", value=spread,
                            allowed=f"below {math.sqrt(k - 1):.3g}")
    sample = np.zeros((n_draws, len(w)))
    if k > 1:
        sample[:, positive] = rng.dirichlet(concentration * w[positive], size=n_draws)
    else:
        sample[:] = w
    drawn = sample @ values.T  # draws x brands
    best = drawn.max(axis=1, keepdims=True)
    top = np.isclose(drawn, best, rtol=0, atol=1e-12 * max(1.0, float(np.abs(values).max())))
    share = (top / top.sum(axis=1, keepdims=True)).mean(axis=0)
    from scipy.stats import rankdata

    ranks = rankdata(-drawn, method="min", axis=1).mean(axis=0)
    first = pd.DataFrame({"share_first": share, "mean_rank": ranks},
                         index=pd.Index(s.index, name="brand"))
    first = first.sort_values(["share_first", "mean_rank"], ascending=[False, True],
                              kind="stable")
    return WeightSensitivity(leader=s.index[lead], thresholds=thresholds, first_place=first,
                             draws=n_draws, spread=float(spread),
                             concentration=float(concentration))


def segment_value(
    segments: pd.DataFrame,
    *,
    size: str = "size",
    growth: str = "growth",
    value: str = "value",
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Score segments by size, growth and value to choose which to serve first.

    Each criterion is rescaled to 0-1 across the segments, 1 for the best
    (min-max: ``(x - min) / (max - min)``; 0.5 for every segment when they
    are all equal, so it does not change the order), then weighed with
    :func:`competitor_scores`. The default weights are equal (1/3 each): a
    transparent start, to be argued over; pass ``weights`` to change them
    and :func:`weight_sensitivity` on the ``*_score`` columns to see whether
    the choice survives other weights. Min-max scores depend on the segments
    compared: add a segment and the others' scores move.

    Parameters
    ----------
    segments
        One row per segment (the index).
    size, growth, value
        Columns: how many users (not negative), how fast the segment grows
        (e.g. year-on-year change; may be negative), what a user is worth
        (e.g. yearly margin per user).
    weights
        ``{"size": ..., "growth": ..., "value": ...}``; default equal.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``segments``: the three criteria, their 0-1 scores
        ``size_score``, ``growth_score``, ``value_score``, ``total`` (the
        weighted mean score), ``rank`` and ``gap_to_leader``, sorted by rank.

    Raises
    ------
    DataError
        Missing or non-numeric columns, negative sizes, repeated segments.
    ArgumentError
        Bad weights (as :func:`competitor_scores`).

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"size": [5000, 1000, 3000], "growth": [0.05, 0.40, 0.10],
    ...                     "value": [40.0, 90.0, 60.0]},
    ...                    index=pd.Index(["family", "office", "student"], name="segment"))
    >>> segment_value(seg)[["total", "rank"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
             total  rank
    segment
    office   0.667     1
    student  0.348     2
    family   0.333     3
    """
    df = _frame(segments, "segments")
    for name, col in (("size", size), ("growth", growth), ("value", value)):
        if not isinstance(col, str) or col not in df.columns:
            raise DataError(f"missing column {col!r} (argument {name}); the table has "
                            f"{list(df.columns)}", table="segments", column=col,
                            fix=f"pass {name}= the name of your column")
    if not df.index.is_unique:
        raise DataError("segments appear more than once", table="segments",
                        rows=df[df.index.duplicated(keep=False)].head(5),
                        fix="one row per segment (the index)")
    raw = pd.DataFrame({"size": _numeric(df, size, "segments", nullable=False, minimum=0),
                        "growth": _numeric(df, growth, "segments", nullable=False),
                        "value": _numeric(df, value, "segments", nullable=False)},
                       index=df.index)
    span = raw.max() - raw.min()
    scaled = (raw - raw.min()) / span.where(span > 0, 1.0)
    scaled.loc[:, span.index[span == 0]] = 0.5
    scaled.columns = [f"{c}_score" for c in scaled.columns]
    if weights is None:
        weights = {"size": 1.0, "growth": 1.0, "value": 1.0}
    if not isinstance(weights, Mapping) or set(weights) != {"size", "growth", "value"}:
        raise ArgumentError("weights must map 'size', 'growth' and 'value' to a weight each",
                            name="weights", value=weights,
                            fix="e.g. weights={'size': 0.5, 'growth': 0.2, 'value': 0.3}")
    ranked = competitor_scores(scaled, {f"{k}_score": v for k, v in weights.items()})
    out = pd.concat([raw.reindex(ranked.index), ranked], axis=1)
    return out.rename(columns={"size": size, "growth": growth, "value": value})
