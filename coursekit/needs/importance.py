"""Value points against competitors: importance x performance (IPA) and the
strategy canvas (用户价值点位图)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import choice
from coursekit.needs._shared import (
    _brand_order,
    _frame,
    _gather,
    _importance,
    _is_number,
    _layout,
    _means,
    _scale,
)

#: The four quadrants of importance-performance analysis (Martilla & James 1977), as
#: (importance, performance): high-low, high-high, low-low, low-high.
QUADRANTS = ("concentrate here", "keep up the good work", "low priority", "possible overkill")


def _standardised_coefficients(x: np.ndarray, y: np.ndarray
                               ) -> tuple[np.ndarray, np.ndarray, float]:
    """OLS of z(y) on z(x): the standardised (beta) coefficients, the same slopes in
    the variables' own units (beta x sd(y) / sd(x)) and R squared."""
    from sklearn.linear_model import LinearRegression

    sx, sy = x.std(axis=0), y.std()
    zx = (x - x.mean(axis=0)) / sx
    zy = (y - y.mean()) / sy
    model = LinearRegression().fit(zx, zy)
    return model.coef_, model.coef_ * sy / sx, float(model.score(zx, zy))


def _derived(ratings: pd.DataFrame, overall: pd.DataFrame, brands: list, attributes: list,
             table: str, spec: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Derived importance: standardised coefficients of overall ~ attribute ratings,
    one row per respondent x brand, pooled over the brands."""
    wide = (ratings[ratings["brand"].isin(brands)]
            .set_index(["respondent", "brand", "attribute"])["value"]
            .unstack("attribute").reindex(columns=attributes))
    y = overall.set_index(["respondent", "brand"])["value"]
    data = wide.join(y.rename("__overall__"), how="inner").dropna()
    p = len(attributes)
    if len(data) < p + 2:
        raise DataError(
            f"{len(data)} respondent x brand rows have the overall score and every rating; "
            f"the regression on {p} attributes needs at least {p + 2}",
            table=table, column=spec,
            fix="collect more complete answers, or leave overall=None (stated importance only)",
        )
    x = data[attributes].to_numpy(dtype=float)
    yv = data["__overall__"].to_numpy(dtype=float)
    flat = [a for a, s in zip(attributes, x.std(axis=0), strict=True) if s == 0]
    if flat or yv.std() == 0:
        raise DataError(
            f"no variation in {flat or [spec]}: a regression cannot weigh what does not vary",
            table=table, column=flat or spec,
            fix="drop attributes everybody rates the same, or leave overall=None",
        )
    return _standardised_coefficients(x, yv)


def _cuts(cut: object, importance: pd.Series, performance: pd.Series) -> tuple[float, float]:
    if isinstance(cut, str):
        choice("cut", cut, ["mean", "median"])
        how = np.mean if cut == "mean" else np.median
        return float(how(importance.to_numpy())), float(how(performance.to_numpy()))
    if (isinstance(cut, Sequence) and not isinstance(cut, bytes) and len(cut) == 2
            and all(_is_number(v) for v in cut)):
        return float(cut[0]), float(cut[1])
    raise ArgumentError("cut must be 'mean', 'median' or two numbers (importance, performance)",
                        name="cut", value=cut, fix="e.g. cut='mean' or cut=(14.3, 5.5)")


def _quadrants(importance: pd.Series, performance: pd.Series, icut: float,
               pcut: float) -> np.ndarray:
    hi, hp = importance.to_numpy() >= icut, performance.to_numpy() >= pcut
    return np.select([hi & ~hp, hi & hp, ~hi & ~hp], list(QUADRANTS[:3]), QUADRANTS[3])


def importance_performance(
    survey: pd.DataFrame,
    *,
    ours: object = "qingmu",
    competitors: Sequence | None = None,
    rating: str | Sequence[str] = "rating_{brand}",
    importance: str | Sequence[str] | pd.Series | Mapping | None = "importance",
    overall: str | None = None,
    attribute: str | None = "attribute",
    brand: str | None = None,
    respondent: str | None = "respondent_id",
    scale: tuple[float, float] = (1, 10),
    quadrant_by: str | None = None,
    cut: str | tuple[float, float] = "mean",
) -> pd.DataFrame:
    """Importance-performance analysis (IPA) of one brand against its competitors.

    For every attribute:

    - **stated importance**: the mean over respondents of the importance they
      gave it (constant-sum points, or an importance rating);
    - **derived importance** (when ``overall`` is given): how much the
      attribute's rating moves the overall score. One row per respondent x
      brand (ours and the competitors pooled), rows with any missing value
      dropped; every variable z-scored (mean 0, population standard
      deviation 1); an ordinary least-squares fit of the overall score on the
      attribute ratings (:class:`sklearn.linear_model.LinearRegression`). The
      coefficients are the standardised (beta) coefficients: the change in
      the overall score, in standard deviations, for one standard deviation
      more on the attribute, the others held fixed. Correlated attributes
      share their effect, so a small or negative beta beside a high stated
      importance is a reason to look closer, not a verdict.
      ``derived_coefficient`` is the same slope in the scores' own units
      (overall points per rating point), ``derived_r2`` the fit's R squared;
    - **performance**: the mean rating of our brand, and of each competitor;
      the best competitor on the attribute and our gap to it;
    - **quadrant** (Martilla & James 1977), importance against performance,
      each cut at ``cut``: high importance and low performance is
      ``"concentrate here"``, high and high ``"keep up the good work"``, low
      and low ``"low priority"``, low importance and high performance
      ``"possible overkill"``. A value equal to its cut counts as high.

    Parameters
    ----------
    survey
        The survey, in one of the layouts of the module docstring.
    ours
        Our brand, as it appears in the rating columns (``qingmu`` in the
        course survey).
    competitors
        The brands to compare with; default: every other brand rated.
    rating, importance, overall
        Column names or templates of the attribute ratings, the stated
        importance (None: derived importance only) and the overall score per
        brand (None: no derived importance). ``rating`` (and ``importance``)
        may also list columns named by the attributes, for a table with one
        row per respondent x brand and a column per attribute
        (``brand="brand", attribute=None, rating=["taste", "health", ...]``).
        ``importance`` may also be given as numbers per attribute (a Series
        or a mapping), e.g. the mean importance of another survey.
    attribute, brand, respondent
        The columns holding the attribute, the brand and the respondent id
        (None when the template or the row says it; see the module docstring).
    scale
        The rating scale, lowest and highest; ratings outside it are refused.
    quadrant_by
        ``"stated"`` or ``"derived"``: which importance places the quadrants;
        default stated when ``importance`` is given, else derived.
    cut
        Where high starts: ``"mean"`` (the default: the mean over the
        attributes of the importance, and of our performance), ``"median"``,
        or two numbers ``(importance, performance)``, e.g. a scale midpoint.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``attribute``, most important first (by the importance
        that places the quadrants): ``importance`` (stated; when given),
        ``derived_importance``, ``derived_coefficient`` and ``derived_r2``
        (the last the same on every row; when ``overall`` is given),
        ``performance`` (our mean rating),
        ``performance_<competitor>`` for each competitor,
        ``best_competitor``, ``best_competitor_performance``,
        ``gap_to_best`` (ours minus the best competitor's: negative where we
        trail), ``quadrant``, and the cuts used, ``importance_cut`` and
        ``performance_cut`` (the same on every row).

    Raises
    ------
    DataError
        Missing columns or brands, ratings off the scale, negative or missing
        importance, a respondent listed twice for one attribute, an
        attribute without any rating of ours, importance and ratings on
        different attributes, too few complete rows for the regression.
    ArgumentError
        No importance at all (both ``importance`` and ``overall`` None), an
        unknown ``ours``, no competitor, a bad ``cut``, ``quadrant_by`` or
        template.

    Examples
    --------
    Two respondents spread 100 points over three attributes and rate two
    brands: price matters most (mean 45 points) and we trail there.

    >>> import pandas as pd
    >>> survey = pd.DataFrame({
    ...     "respondent_id": [1, 1, 1, 2, 2, 2],
    ...     "attribute": ["taste", "price", "packaging"] * 2,
    ...     "importance": [30, 50, 20, 40, 40, 20],
    ...     "rating_us": [9, 5, 7, 8, 6, 9],
    ...     "rating_them": [7, 8, 6, 7, 9, 6]})
    >>> ipa = importance_performance(survey, ours="us")
    >>> ipa[["importance", "performance", "gap_to_best", "quadrant"]]
    ... # doctest: +NORMALIZE_WHITESPACE
               importance  performance  gap_to_best               quadrant
    attribute
    price            45.0          5.5         -3.0       concentrate here
    taste            35.0          8.5          1.5  keep up the good work
    packaging        20.0          8.0          2.0      possible overkill
    >>> float(ipa["importance_cut"].iloc[0]), float(ipa["performance_cut"].iloc[0])
    (33.333333333333336, 7.333333333333333)
    """
    df = _frame(survey, "survey")
    if importance is None and overall is None:
        raise ArgumentError("no importance: give the stated importance, the overall score, "
                            "or both", name="importance",
                            fix="e.g. importance='importance' or overall='satisfaction_{brand}'")
    if competitors is not None and (isinstance(competitors, str)
                                    or not isinstance(competitors, Iterable)):
        raise ArgumentError("competitors must be a list of brand names", name="competitors",
                            value=competitors, fix="e.g. competitors=['songguo']")
    wanted = None if competitors is None else [ours, *[c for c in competitors if c != ours]]
    lay = _layout(df, "survey", respondent, attribute, brand, wanted)
    s = _scale(scale)
    ratings = _gather(df, lay, rating, name="rating", needs={"brand", "attribute"},
                      nullable=True, scale=s)
    brands = _brand_order(ratings, lay)
    if ours not in brands:
        raise ArgumentError("our brand is not among the brands rated", name="ours", value=ours,
                            allowed=f"one of {brands}")
    rivals = [b for b in brands if b != ours]
    if not rivals:
        raise ArgumentError("no competitor to compare with", name="competitors",
                            value=competitors, fix="rate at least one other brand")
    attributes = list(pd.unique(ratings["attribute"]))
    perf = _means(ratings, [ours, *rivals], attributes)
    unrated = perf.index[perf[ours].isna()].tolist()
    if unrated:
        raise DataError(f"no rating of {ours!r} on attribute(s) {unrated}", table="survey",
                        column=rating, fix="drop the attribute or collect ratings of it")
    out = pd.DataFrame(index=pd.Index(attributes, name="attribute", dtype=object))
    if importance is not None:
        out["importance"] = _importance(df, lay, importance, attributes).to_numpy()
    if overall is not None:
        ov = _gather(df, lay, overall, name="overall", needs={"brand"}, nullable=True)
        beta, slope, r2 = _derived(ratings, ov, [ours, *rivals], attributes, "survey",
                                   overall)
        out["derived_importance"] = beta
        out["derived_coefficient"] = slope
        out["derived_r2"] = r2
    if quadrant_by is None:
        quadrant_by = "stated" if importance is not None else "derived"
    choice("quadrant_by", quadrant_by, ["stated", "derived"])
    axis = "importance" if quadrant_by == "stated" else "derived_importance"
    if axis not in out.columns:
        raise ArgumentError(f"quadrant_by={quadrant_by!r} needs the "
                            f"{'importance' if axis == 'importance' else 'overall'} argument",
                            name="quadrant_by", value=quadrant_by)
    out["performance"] = perf[ours].to_numpy()
    for b in rivals:
        out[f"performance_{b}"] = perf[b].to_numpy()
    theirs = perf[rivals]
    best = theirs.fillna(-np.inf).to_numpy().argmax(axis=1)
    out["best_competitor"] = np.array(rivals, dtype=object)[best]
    out["best_competitor_performance"] = theirs.max(axis=1, skipna=True).to_numpy()
    out.loc[theirs.isna().all(axis=1).to_numpy(), "best_competitor"] = None
    out["gap_to_best"] = out["performance"] - out["best_competitor_performance"]
    icut, pcut = _cuts(cut, out[axis], out["performance"])
    out["quadrant"] = _quadrants(out[axis], out["performance"], icut, pcut)
    out["importance_cut"] = icut
    out["performance_cut"] = pcut
    return out.sort_values(axis, ascending=False, kind="stable")


def strategy_canvas(
    survey: pd.DataFrame,
    *,
    brands: Sequence | None = None,
    rating: str | Sequence[str] = "rating_{brand}",
    importance: str | Sequence[str] | pd.Series | Mapping | None = "importance",
    attribute: str | None = "attribute",
    brand: str | None = None,
    respondent: str | None = "respondent_id",
    scale: tuple[float, float] = (1, 10),
) -> pd.DataFrame:
    """The value-point map (用户价值点位图, a strategy canvas): mean rating per brand
    per attribute, attributes ordered by importance.

    Drawn as one line per brand across the attributes (Kim & Mauborgne 2005),
    it shows where the brands' value curves diverge: the attributes where we
    stand apart, and those where everybody offers the same. The most
    important attributes come first, by the mean stated importance; with
    ``importance=None`` the attributes keep the order in which they first
    appear. The chart itself is drawn by :mod:`coursekit.plots`.

    Parameters
    ----------
    survey
        The survey, in one of the layouts of the module docstring.
    brands
        The brands to show, in this order; default every brand rated, in the
        order of the table.
    rating, importance, attribute, brand, respondent, scale
        As in :func:`importance_performance`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``attribute`` (most important first), one column per brand
        (the columns' name is ``brand``): the mean rating, missing ratings
        skipped. ``table.plot(marker="o")`` draws the canvas; ``table.T`` is
        the brand x attribute table :func:`perceptual_map` reads.

    Raises
    ------
    DataError
        As :func:`importance_performance`.
    ArgumentError
        A bad template or ``brands``.

    Examples
    --------
    >>> import pandas as pd
    >>> survey = pd.DataFrame({
    ...     "respondent_id": [1, 1, 1, 2, 2, 2],
    ...     "attribute": ["taste", "price", "packaging"] * 2,
    ...     "importance": [30, 50, 20, 40, 40, 20],
    ...     "rating_us": [9, 5, 7, 8, 6, 9],
    ...     "rating_them": [7, 8, 6, 7, 9, 6]})
    >>> strategy_canvas(survey)  # doctest: +NORMALIZE_WHITESPACE
    brand       us  them
    attribute
    price      5.5   8.5
    taste      8.5   7.0
    packaging  8.0   6.0
    """
    df = _frame(survey, "survey")
    lay = _layout(df, "survey", respondent, attribute, brand, brands)
    ratings = _gather(df, lay, rating, name="rating", needs={"brand", "attribute"},
                      nullable=True, scale=_scale(scale))
    shown = _brand_order(ratings, lay)
    attributes = list(pd.unique(ratings["attribute"]))
    if importance is not None:
        weight = _importance(df, lay, importance, attributes)
        attributes = list(weight.sort_values(ascending=False, kind="stable").index)
    out = _means(ratings, shown, attributes)
    out.index = pd.Index(attributes, name="attribute", dtype=object)
    out.columns = pd.Index(shown, name="brand", dtype=object)
    return out
