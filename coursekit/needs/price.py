"""Price: van Westendorp's price sensitivity meter."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import choice, columns, flag
from coursekit.needs._shared import _frame, _integer, _is_number

# --------------------------------------------------------------------------- price


_PSM_CURVES = ["too_cheap", "cheap", "not_cheap", "not_expensive", "expensive", "too_expensive"]


@dataclass(frozen=True)
class PriceSensitivity:
    """Van Westendorp's price sensitivity meter, computed.

    Attributes
    ----------
    curves
        Indexed by ``price`` (the grid): the share of respondents (0-1) for
        whom the price is ``too_cheap``, ``cheap``, ``not_cheap``,
        ``not_expensive``, ``expensive`` and ``too_expensive`` (see
        :func:`price_sensitivity` for the definitions).
    pmc, opp, ipp, pme
        Point of marginal cheapness, optimal price point, indifference price
        point, point of marginal expensiveness (NaN when the curves do not
        cross on the grid).
    respondents
        Respondents used.
    dropped
        Respondents dropped because their four answers were not in order.
    """

    curves: pd.DataFrame
    pmc: float
    opp: float
    ipp: float
    pme: float
    respondents: int
    dropped: int

    @property
    def acceptable_range(self) -> tuple[float, float]:
        """The range of acceptable prices, (PMC, PME)."""
        return (self.pmc, self.pme)


def _crossing(price: np.ndarray, diff: np.ndarray) -> float:
    """First price where a non-increasing difference of two curves reaches 0.

    Between two grid points the curves are joined by straight lines; where the
    difference is exactly 0 over a stretch of the grid, the middle of the stretch.
    """
    at = np.flatnonzero(diff <= 0)
    if len(at) == 0:
        return math.nan
    i = int(at[0])
    if diff[i] == 0:
        j = i
        while j + 1 < len(diff) and diff[j + 1] == 0:
            j += 1
        return float((price[i] + price[j]) / 2)
    if i == 0:
        return math.nan  # already crossed before the grid starts
    p0, p1, d0, d1 = price[i - 1], price[i], diff[i - 1], diff[i]
    return float(p0 + d0 * (p1 - p0) / (d0 - d1))


def _grid(grid: object, answers: np.ndarray) -> np.ndarray:
    if grid is None:
        return np.unique(answers)
    if isinstance(grid, numbers.Integral) and not isinstance(grid, bool | np.bool_):
        n = _integer("grid", grid, low=2)
        return np.linspace(answers.min(), answers.max(), n)
    if isinstance(grid, str | bytes) or not isinstance(grid, Iterable):
        raise ArgumentError("grid must be None, a number of points or a list of prices",
                            name="grid", value=grid, fix="e.g. grid=200 or grid=range(5, 51)")
    values = list(grid)
    if len(values) < 2 or not all(_is_number(v) and v >= 0 for v in values):
        raise ArgumentError("grid must hold two or more prices, finite and not negative",
                            name="grid", value=values)
    return np.unique(np.asarray(values, dtype=float))


def price_sensitivity(
    responses: pd.DataFrame,
    *,
    too_cheap: str = "price_too_cheap",
    cheap: str = "price_cheap",
    expensive: str = "price_expensive",
    too_expensive: str = "price_too_expensive",
    grid: int | Sequence[float] | None = None,
    drop_inconsistent: bool = True,
    range_definition: str = "original",
) -> PriceSensitivity:
    """Van Westendorp's price sensitivity meter (PSM, van Westendorp 1976).

    Each respondent names four prices: so low that they would doubt the
    quality (``too_cheap``), a bargain (``cheap``), getting expensive
    (``expensive``), too expensive to consider (``too_expensive``). At each
    price p of the grid, the curves are the shares of respondents for whom

    - ``too_cheap(p)``: p is too cheap, their too-cheap answer >= p
      (reversed cumulative: falls as p rises);
    - ``cheap(p)``: p is a bargain, their cheap answer >= p (reversed);
    - ``expensive(p)``: p is getting expensive, their answer <= p
      (cumulative: rises with p);
    - ``too_expensive(p)``: their too-expensive answer <= p (cumulative);
    - ``not_cheap = 1 - cheap`` and ``not_expensive = 1 - expensive``.

    The four price points are where curves cross:

    - OPP, optimal price point: ``too_cheap`` = ``too_expensive``;
    - IPP, indifference price point: ``cheap`` = ``expensive``;
    - PMC, point of marginal cheapness: ``too_cheap`` = ``not_cheap`` in van
      Westendorp's original definition (``range_definition="original"``);
      ``too_cheap`` = ``expensive`` in the narrower one many later texts use
      (``"narrower"``);
    - PME, point of marginal expensiveness: ``too_expensive`` =
      ``not_expensive`` (original); ``too_expensive`` = ``cheap``
      (narrower);

    and the range of acceptable prices is [PMC, PME]. The two definitions
    can give quite different ranges (on the course's ``survey_profiles``
    about 55-130 yuan against 70-101): say which one a range uses. The
    curves are step functions of
    the answers; between two grid points they are joined by straight lines
    and a crossing is where the lines meet (the middle of a stretch where
    they coincide). The default grid is every price anybody named, where the
    steps are.

    Parameters
    ----------
    responses
        One row per respondent, the four prices in columns (yuan, not
        negative, no missing answers), e.g. ``coursekit.load("survey_profiles")``.
    too_cheap, cheap, expensive, too_expensive
        The columns of the four answers.
    grid
        None (every price named), a number of evenly spaced prices from the
        lowest to the highest answer, or the prices themselves.
    drop_inconsistent
        Respondents whose answers are out of order (too cheap <= cheap <=
        expensive <= too expensive does not hold) are dropped and counted in
        ``dropped`` (True, the default), or refused with a DataError showing
        them (False).
    range_definition
        ``"original"`` or ``"narrower"``: which curves PMC and PME cross
        (above).

    Returns
    -------
    PriceSensitivity
        ``curves``, ``pmc``, ``opp``, ``ipp``, ``pme``, ``acceptable_range``,
        ``respondents``, ``dropped``.

    Raises
    ------
    DataError
        Missing columns, missing, negative or non-numeric answers; answers
        out of order with ``drop_inconsistent=False``; no respondent left.
    ArgumentError
        A bad ``grid``, ``drop_inconsistent`` or ``range_definition``; the
        same column for two answers.

    Examples
    --------
    Four respondents, and a fifth whose answers are out of order (a bargain
    at 20 but too cheap at 50):

    >>> import pandas as pd
    >>> answers = pd.DataFrame({"price_too_cheap": [5, 10, 15, 25, 50],
    ...                         "price_cheap": [10, 20, 25, 40, 20],
    ...                         "price_expensive": [20, 35, 40, 60, 60],
    ...                         "price_too_expensive": [30, 50, 60, 80, 90]})
    >>> psm = price_sensitivity(answers)
    >>> psm.dropped, psm.respondents
    (1, 4)
    >>> psm.pmc, psm.opp, psm.ipp, psm.pme
    (20.0, 27.5, 30.0, 40.0)
    >>> psm.acceptable_range
    (20.0, 40.0)

    The narrower definition: too cheap and expensive are both 1 in 4 from 20
    to 25 (PMC the middle, 22.5), cheap and too expensive both 1 in 4 from 30
    to 40 (PME 35):

    >>> price_sensitivity(answers, range_definition="narrower").acceptable_range
    (22.5, 35.0)

    At 25 one respondent in four still finds the price too cheap and none
    too expensive; at 30 nobody finds it too cheap and one finds it too
    expensive. The two lines cross half-way, at the OPP of 27.5:

    >>> psm.curves.loc[[25, 30], ["too_cheap", "too_expensive"]]
    ... # doctest: +NORMALIZE_WHITESPACE
           too_cheap  too_expensive
    price
    25.0        0.25           0.00
    30.0        0.00           0.25
    """
    df = _frame(responses, "responses")
    drop = flag("drop_inconsistent", drop_inconsistent)
    choice("range_definition", range_definition, ["original", "narrower"])
    names = [too_cheap, cheap, expensive, too_expensive]
    if len(set(map(str, names))) < 4:
        raise ArgumentError("each answer needs its own column", name="too_cheap",
                            value=names, fix="name the four columns of the four answers")
    for arg, col in zip(("too_cheap", "cheap", "expensive", "too_expensive"), names,
                        strict=True):
        if not isinstance(col, str) or col not in df.columns:
            raise DataError(f"missing column {col!r} (argument {arg}); the table has "
                            f"{list(df.columns)}", table="responses", column=col,
                            fix=f"pass {arg}= the name of your column")
    x = columns(df, "responses", amounts=names)
    tc, ch, ex, te = (x[c].to_numpy() for c in names)
    bad = ~((tc <= ch) & (ch <= ex) & (ex <= te))
    if bad.any() and not drop:
        raise DataError(
            f"{int(bad.sum()):,} respondent(s) answered out of order (too cheap <= cheap <= "
            "expensive <= too expensive does not hold)",
            table="responses", column=names, rows=df.loc[bad, names].head(5),
            fix="drop them (drop_inconsistent=True) or check how the answers were coded",
        )
    keep = ~bad
    n = int(keep.sum())
    if n == 0:
        raise DataError("every respondent answered out of order", table="responses",
                        column=names, rows=df[names].head(5),
                        fix="check that the columns are not swapped")
    tc, ch, ex, te = tc[keep], ch[keep], ex[keep], te[keep]
    price = _grid(grid, np.concatenate([tc, ch, ex, te]))

    def at_least(v: np.ndarray) -> np.ndarray:  # answers >= p, per grid price p
        return n - np.searchsorted(np.sort(v), price, side="left")

    def at_most(v: np.ndarray) -> np.ndarray:  # answers <= p
        return np.searchsorted(np.sort(v), price, side="right")

    counts = {"too_cheap": at_least(tc), "cheap": at_least(ch), "expensive": at_most(ex),
              "too_expensive": at_most(te)}
    counts["not_cheap"] = n - counts["cheap"]
    counts["not_expensive"] = n - counts["expensive"]
    # Every difference below is a falling curve minus a rising one: counts, so exact.
    low, high = (("not_cheap", "not_expensive") if range_definition == "original"
                 else ("expensive", "cheap"))
    points = {
        "pmc": _crossing(price, counts["too_cheap"] - counts[low]),
        "opp": _crossing(price, counts["too_cheap"] - counts["too_expensive"]),
        "ipp": _crossing(price, counts["cheap"] - counts["expensive"]),
        "pme": _crossing(price, counts[high] - counts["too_expensive"]),
    }
    curves = pd.DataFrame({c: counts[c] / n for c in _PSM_CURVES},
                          index=pd.Index(price.astype(float), name="price"))
    return PriceSensitivity(curves=curves, respondents=n, dropped=int(bad.sum()), **points)
