"""Needs: what users value, how we compare, who they are, where we stand, what they pay.

The analytics of mining user needs and defining the value proposition
(用户需求挖掘与价值主张), in the order a study uses them:

1. **Value points against competitors.** :func:`importance_performance`
   (IPA, importance x performance per attribute, with the gap to the best
   competitor and the quadrant) and :func:`strategy_canvas` (the value-point
   map, 用户价值点位图: mean rating per brand per attribute, ordered by
   importance, ready for a line chart).
2. **Competitors and segments, weighed.** :func:`competitor_scores` (the
   weighted competitiveness table), :func:`weight_sensitivity` (how robust
   its ranking is to the weights) and :func:`segment_value` (which segment
   to serve first, by size, growth and value).
3. **Personas (用户画像).** :class:`Personas` (k-means on standardised
   features, k chosen by the silhouette), :func:`personas` (the same in one
   call), :func:`adjusted_rand` (agreement with known groups) and
   :func:`persona_tgi` (TGI of tags per persona).
4. **Positioning.** :func:`perceptual_map`: brands on a 2-D map from their
   mean ratings (PCA or MDS).
5. **Price.** :func:`price_sensitivity`: van Westendorp's price sensitivity
   meter.

Survey layouts
--------------
The survey functions read one table in any of four layouts, described by
the keywords ``rating``, ``importance`` and ``overall`` (column names, or
name templates with ``{brand}`` / ``{attribute}`` in them) together with
``attribute``, ``brand`` and ``respondent`` (columns holding the attribute,
the brand and the respondent id):

- **the course survey** (the default): one row per respondent x attribute,
  the attribute in column ``attribute``, the importance in ``importance``
  and one rating column per brand, ``rating_<brand>``
  (``rating="rating_{brand}"``);
- **a row per brand** (the course's ``brand_survey``): one row per
  respondent x brand, a column per attribute and one for the overall
  score: pass ``brand="brand"``, ``attribute=None``, ``rating=`` the list
  of attribute columns, ``overall="overall"``, and ``importance=None`` or
  the importance per attribute from elsewhere (a Series, e.g. the mean
  points of ``survey``);
- **tidy**: one row per respondent x brand x attribute: pass
  ``brand="brand"`` and ``rating="rating"``;
- **wide**: one row per respondent, a column per brand and attribute: pass
  ``attribute=None``, ``rating="rating_{brand}_{attribute}"``,
  ``importance="importance_{attribute}"`` (and ``respondent=None`` when the
  table has no id column: each row is then one respondent).

A per-brand overall score (satisfaction, preference, likelihood to buy) is
read the same way: ``overall="satisfaction_{brand}"`` in the course and wide
layouts (repeated on a respondent's attribute rows in the course layout),
``overall="satisfaction"`` in the tidy one. A value repeated on several rows
must be the same on each. Ratings may be missing (a respondent who does not
know a brand); importance may not.

A template takes every column of its form: ``rating_{brand}`` would also
read a column ``rating_overall`` as a brand called ``overall``. Name the
brands (``brands=`` or ``competitors=``) to read only theirs; that also
settles a template such as ``rating_{brand}_{attribute}`` when brand names
hold the separator themselves (``song_guo``).

References
----------
.. [1] Martilla, J. A. and James, J. C. (1977). Importance-performance
   analysis. *Journal of Marketing* 41(1), 77-79.
.. [2] Kim, W. C. and Mauborgne, R. (2005). *Blue Ocean Strategy*. Harvard
   Business School Press (the strategy canvas).
.. [3] van Westendorp, P. H. (1976). NSS-Price Sensitivity Meter (PSM): a new
   approach to study consumer perception of prices. *Proceedings of the 29th
   ESOMAR Congress*, Venice, 139-167.
.. [4] Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the
   interpretation and validation of cluster analysis. *Journal of
   Computational and Applied Mathematics* 20, 53-65.
.. [5] Hubert, L. and Arabie, P. (1985). Comparing partitions. *Journal of
   Classification* 2, 193-218 (the adjusted Rand index).
"""

from __future__ import annotations

import inspect
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit._values import numbers as _number_column
from coursekit.errors import ArgumentError, CourseError, DataError
from coursekit.inputs import choice, columns, flag, on_scale, unique_key

__all__ = [
    "QUADRANTS",
    "importance_performance",
    "strategy_canvas",
    "competitor_scores",
    "weight_sensitivity",
    "WeightSensitivity",
    "segment_value",
    "Personas",
    "personas",
    "adjusted_rand",
    "persona_tgi",
    "perceptual_map",
    "PerceptualMap",
    "price_sensitivity",
    "PriceSensitivity",
]

#: The four quadrants of importance-performance analysis (Martilla & James 1977), as
#: (importance, performance): high-low, high-high, low-low, low-high.
QUADRANTS = ("concentrate here", "keep up the good work", "low priority", "possible overkill")

_FIELDS = ("brand", "attribute")


# --------------------------------------------------------------------------- small checks


def _is_number(value: object) -> bool:
    return (isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
            and math.isfinite(float(value)))


def _integer(name: str, value: object, *, low: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool | np.bool_) \
            or int(value) < low:
        raise ArgumentError(f"must be a whole number of at least {low}", name=name, value=value,
                            allowed=f"an int >= {low}")
    return int(value)


def _seed(seed: object) -> int:
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool | np.bool_) or seed < 0:
        raise ArgumentError("the seed must be a whole number >= 0", name="seed", value=seed,
                            fix="e.g. seed=0; the same seed gives the same result")
    return int(seed)


def _frame(df: object, table: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}", table=table,
                        fix="pass a table, e.g. coursekit.load('survey')")
    if len(df) == 0:
        raise DataError("the table is empty", table=table, fix="check the filter that made it")
    return df


def _numeric(df: pd.DataFrame, name: object, table: str, *, nullable: bool,
             minimum: float | None = None) -> np.ndarray:
    """A numeric column as float64 (NaN where missing, when ``nullable``), checked."""
    return _number_column(df, name, table, minimum=minimum, nullable=nullable).to_numpy()


def _scale(scale: object) -> tuple[float, float]:
    if (isinstance(scale, str | bytes) or not isinstance(scale, Sequence) or len(scale) != 2
            or not all(_is_number(v) for v in scale) or not scale[0] < scale[1]):
        raise ArgumentError("scale must be two numbers (lowest, highest rating)", name="scale",
                            value=scale, fix="e.g. scale=(1, 10) or scale=(1, 5)")
    return float(scale[0]), float(scale[1])


# --------------------------------------------------------------------------- survey layouts


@dataclass(frozen=True)
class _Layout:
    """Where the survey keeps the respondent, the attribute and the brand of each row."""

    table: str
    respondent: str | None
    attribute: str | None
    brand: str | None
    brands: tuple | None  # keep only these brands (in this order), or all


def _layout(df: pd.DataFrame, table: str, respondent: object, attribute: object,
            brand: object, brands: Sequence | None) -> _Layout:
    for name, value in (("respondent", respondent), ("attribute", attribute), ("brand", brand)):
        if value is not None and not isinstance(value, str):
            raise ArgumentError("must be a column name or None", name=name, value=value)
        if value is not None and value not in df.columns:
            hint = {
                "attribute": "for a table with one row per respondent pass attribute=None and "
                "name the columns with {attribute}, e.g. rating='rating_{brand}_{attribute}'",
                "brand": "for brands in column names leave brand=None and use "
                "rating='rating_{brand}'",
                "respondent": "for a table with one row per respondent and no id column pass "
                "respondent=None",
            }[name]
            raise DataError(f"missing column {value!r} (argument {name}); the table has "
                            f"{list(df.columns)}", table=table, column=value, fix=hint)
    if respondent is None and (attribute is not None or brand is not None):
        raise ArgumentError(
            "respondent=None means one row per respondent, but the table has a row per "
            f"{'attribute' if attribute is not None else 'brand'}",
            name="respondent",
            fix="name the respondent id column, e.g. respondent='respondent_id'",
        )
    keys = [c for c in (respondent, attribute, brand) if c is not None]
    if keys:
        columns(df, table, ids=keys)
        unique_key(df, table, keys)
    if brands is not None:
        if isinstance(brands, str) or not isinstance(brands, Iterable):
            raise ArgumentError("brands must be a list of brand names", name="brands",
                                value=brands, fix="e.g. brands=['qingmu', 'songguo']")
        brands = tuple(brands)
        if not brands or len(set(brands)) != len(brands):
            raise ArgumentError("brands must be a non-empty list without repeats",
                                name="brands", value=list(brands))
    return _Layout(table, respondent, attribute, brand, brands)


def _listed(spec: object) -> bool:
    """A list of columns, one per attribute (named by the column)."""
    return isinstance(spec, Sequence | pd.Index) and not isinstance(spec, str | bytes)


def _fields(spec: object, name: str) -> set[str]:
    """The placeholders of a column-name template (``{attribute}`` for a list of
    columns), checked."""
    if _listed(spec):
        names = list(spec)
        if not names or len(set(names)) != len(names):
            raise ArgumentError("a list of columns must be non-empty, without repeats",
                                name=name, value=names,
                                fix="e.g. rating=['taste', 'health', 'price']")
        return {"attribute"}
    if not isinstance(spec, str) or not spec:
        raise ArgumentError("must be a column name, a template such as 'rating_{brand}' or "
                            "a list of columns, one per attribute", name=name, value=spec)
    found = re.findall(r"\{([^{}]*)\}", spec)
    unknown = [f for f in found if f not in _FIELDS]
    if unknown or len(found) != len(set(found)):
        raise ArgumentError(
            "a template may hold {brand} and {attribute}, each once",
            name=name,
            value=spec,
            fix="e.g. 'rating_{brand}' or 'rating_{brand}_{attribute}'",
        )
    return set(found)


def _pattern(spec: str, brands: tuple | None) -> re.Pattern:
    brand = "|".join(re.escape(str(b)) for b in sorted(brands, key=lambda b: -len(str(b)))) \
        if brands else ".+?"
    parts = re.split(r"(\{brand\}|\{attribute\})", spec)
    regex = "".join(f"(?P<brand>{brand})" if p == "{brand}" else "(?P<attribute>.+?)"
                    if p == "{attribute}" else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$")


def _gather(df: pd.DataFrame, lay: _Layout, spec: object, *, name: str, needs: set[str],
            nullable: bool, minimum: float | None = None,
            scale: tuple[float, float] | None = None) -> pd.DataFrame:
    """One quantity of the survey as a long table: respondent, the ``needs`` dims, value.

    The dims come from the template's placeholders (a list of columns names the
    attribute by the column) or from the long columns; a long
    column the quantity does not depend on (the attribute of an overall score) repeats
    the value, which must then be the same on every row.
    """
    fields = _fields(spec, name)
    for dim in sorted(needs):
        column = getattr(lay, dim)
        if dim in fields and column is not None:
            source = "the list of columns" if _listed(spec) else "the template"
            raise ArgumentError(
                f"the {dim} comes both from {source} and from column {column!r}",
                name=name, value=spec,
                fix=f"pass {dim}=None" if _listed(spec)
                else f"drop {{{dim}}} from the template, or pass {dim}=None",
            )
        if dim not in fields and column is None:
            raise ArgumentError(
                f"{name} needs {'an' if dim == 'attribute' else 'a'} {dim} for each value: "
                f"put {{{dim}}} in the column names or name the column holding it ({dim}=...)",
                name=name, value=spec,
            )
    extra = fields - needs
    if extra:
        raise ArgumentError(f"{name} does not vary by {sorted(extra)[0]}", name=name,
                            value=spec, fix=f"a template such as {spec!r} without "
                            f"{{{sorted(extra)[0]}}}")
    if _listed(spec):
        missing = [c for c in spec if c not in df.columns]
        if missing:
            raise DataError(f"missing column(s) {missing} (argument {name}); the table has "
                            f"{list(df.columns)}", table=lay.table, column=missing,
                            fix=f"list the {name} columns of your table")
        matches = [(c, {"attribute": c}) for c in spec]
        spec = ", ".join(map(str, spec))  # for the messages below
    elif fields:
        pattern = _pattern(spec, lay.brands if "brand" in fields else None)
        matches = [(c, m.groupdict()) for c in df.columns if isinstance(c, str)
                   for m in [pattern.match(c)] if m]
        if not matches:
            which = f" for brand(s) {list(lay.brands)}" if lay.brands and "brand" in fields \
                else ""
            raise DataError(f"no column matches {spec!r}{which}; the table has "
                            f"{list(df.columns)}",
                            table=lay.table, column=spec,
                            fix=f"name the {name} columns as the template says, or pass "
                            f"{name}= another template")
    else:
        if spec not in df.columns:
            raise DataError(f"missing column {spec!r} (argument {name}); the table has "
                            f"{list(df.columns)}", table=lay.table, column=spec,
                            fix=f"pass {name}= the name of your column, or a template such "
                            f"as '{spec}_{{brand}}'")
        matches = [(spec, {})]
    n = len(df)
    resp = (df[lay.respondent].to_numpy(dtype=object) if lay.respondent is not None
            else np.arange(n))
    long_dims = {d: df[getattr(lay, d)].to_numpy(dtype=object) for d in _FIELDS
                 if getattr(lay, d) is not None}
    parts: dict[str, list[np.ndarray]] = {"respondent": [], "value": [],
                                         **{d: [] for d in _FIELDS}}
    for column, found in matches:
        values = _numeric(df, column, lay.table, nullable=nullable, minimum=minimum)
        if scale is not None:
            on_scale(df, lay.table, column, values, low=scale[0], high=scale[1])
        parts["respondent"].append(resp)
        parts["value"].append(values)
        for d in _FIELDS:
            parts[d].append(long_dims[d] if d in long_dims
                            else np.full(n, found.get(d), dtype=object))
    out = pd.DataFrame({k: np.concatenate(v) for k, v in parts.items()})
    if lay.brands is not None and "brand" in needs:
        out = out[out["brand"].isin(lay.brands)]
        missing = [b for b in lay.brands if b not in set(out["brand"])]
        if missing:
            raise DataError(f"no {name} of brand(s) {missing} in the table", table=lay.table,
                            column=spec, fix="check the brand names against the columns")
    keys = ["respondent", *[d for d in _FIELDS if d in needs]]
    repeated = [d for d in long_dims if d not in needs]
    if repeated:
        out = _collapse(out, keys, repeated, lay.table, spec)
    return out[[*keys, "value"]].reset_index(drop=True)


def _collapse(out: pd.DataFrame, keys: list[str], repeated: list[str], table: str,
              spec: str) -> pd.DataFrame:
    """One value per key where a long dim repeats it; refuses values that differ."""
    g = out.groupby(keys, sort=False, observed=True)["value"]
    low, high, count, size = g.min(), g.max(), g.count(), g.size()
    differ = ((low != high) & low.notna()) | ((count > 0) & (count < size))
    if differ.any():
        shown = differ[differ].index[:5]
        raise DataError(
            f"the {spec!r} value repeats on every {repeated[0]} row of a respondent, but "
            "differs between those rows (or is missing on some)",
            table=table, column=spec,
            rows=pd.DataFrame({"key": list(shown), "lowest": low[shown].to_numpy(),
                               "highest": high[shown].to_numpy(),
                               "missing": (size - count)[shown].to_numpy()}),
            fix="keep one value per respondent (and brand), the same on each of its rows",
        )
    return low.rename("value").reset_index()


def _brand_order(ratings: pd.DataFrame, lay: _Layout) -> list:
    return list(lay.brands) if lay.brands is not None else list(pd.unique(ratings["brand"]))


def _means(ratings: pd.DataFrame, brands: list, attributes: list) -> pd.DataFrame:
    """Mean rating, attribute x brand, missing ratings skipped."""
    table = ratings.pivot_table(index="attribute", columns="brand", values="value",
                                aggfunc="mean", observed=True, dropna=False)
    return table.reindex(index=attributes, columns=brands)


def _given(importance: pd.Series | Mapping, attributes: list) -> pd.Series:
    """Importance given per attribute (e.g. from another survey), checked."""
    given = pd.Series(dict(importance) if isinstance(importance, Mapping) else importance,
                      dtype=object)
    missing = [a for a in attributes if a not in given.index]
    extra = [a for a in given.index if a not in attributes]
    if missing or extra or not given.index.is_unique:
        raise ArgumentError(
            f"the importance given and the rated attributes differ: no importance for "
            f"{missing}, not rated {extra}", name="importance",
            allowed=f"one number for each of {attributes}")
    values = given.reindex(attributes)
    bad = [v for v in values if not _is_number(v) or v < 0]
    if bad:
        raise ArgumentError("importance must be finite numbers, not negative",
                            name="importance", value=bad[0])
    return values.astype(float)


def _importance(df: pd.DataFrame, lay: _Layout, importance: object,
                attributes: list) -> pd.Series:
    """Stated importance per attribute: given, or the mean over respondents."""
    if isinstance(importance, pd.Series | Mapping):
        return _given(importance, attributes)
    imp = _gather(df, lay, importance, name="importance", needs={"attribute"},
                  nullable=False, minimum=0)
    return _stated(imp, attributes, lay.table, importance)


def _stated(importance: pd.DataFrame, attributes: list, table: str, spec: object
            ) -> pd.Series:
    mean = importance.groupby("attribute", sort=False)["value"].mean()
    missing = [a for a in attributes if a not in mean.index]
    extra = [a for a in mean.index if a not in attributes]
    if missing or extra:
        raise DataError(
            f"importance and ratings cover different attributes: without importance "
            f"{missing}, without ratings {extra}",
            table=table, column=spec,
            fix="give every rated attribute an importance (and drop attributes nobody rates)",
        )
    return mean.reindex(attributes)


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


# --------------------------------------------------------------------------- personas


def _features(features: object, table: str = "features") -> pd.DataFrame:
    df = _frame(features, table)
    if df.shape[1] == 0:
        raise DataError("no features: the table has no columns", table=table,
                        fix="one numeric column per feature")
    odd = [c for c in df.columns if not isinstance(c, str)]
    if odd or not df.columns.is_unique:
        raise DataError("feature names must be unique text", table=table, column=odd or None,
                        fix="df.columns = [str(c) for c in df.columns]")
    flags = [c for c in df.columns if pd.api.types.is_bool_dtype(df[c].dtype)]
    text = [c for c in df.columns if c not in flags
            and not pd.api.types.is_numeric_dtype(df[c].dtype)]
    if text:
        raise DataError(f"features must be numbers; not numeric: {text}", table=table,
                        column=text,
                        fix="encode categories first, e.g. pd.get_dummies(df, dtype=float), "
                        "or select the numeric columns")
    if flags:  # yes / no answers count as 1 / 0 (a missing one stays missing)
        df = df.astype({c: "float64" for c in flags})
    return columns(df, table, numbers=list(df.columns))


class Personas:
    """Personas (用户画像) by k-means on standardised features.

    Each feature is z-scored (mean 0, standard deviation 1 over the rows),
    so that a feature in yuan does not outweigh one in shares (yes / no
    features, such as a usage scene ticked or not, count as 1 / 0); then
    :class:`sklearn.cluster.KMeans` (k-means++ starts, ``n_init`` runs,
    ``random_state=seed``) groups the rows. When ``k`` is None it is chosen
    by the mean silhouette (Rousseeuw 1987): for each k in ``k_range`` the
    silhouette of the k-means grouping is computed, and the k with the
    highest wins (the smaller k on a tie). The silhouette is computed on all
    rows, or on a random sample of ``sample`` rows (seeded) when there are
    more, since it costs time in the square of the rows.

    Personas are numbered 1, 2, ... by size, largest first (equal sizes by
    their centres, in the order of the features), so the same data and seed
    always give the same numbers.

    Parameters
    ----------
    k
        Number of personas; None to choose it by the silhouette.
    k_range
        The values of k tried when ``k`` is None, each from 2 to rows - 1.
    seed
        Seed of k-means and of the silhouette's sample.
    n_init
        k-means runs from different starts; the best (lowest inertia) is kept.
    sample
        Most rows the silhouette is computed on.

    Attributes
    ----------
    k_ : int
        Number of personas.
    labels_ : pandas.Series
        Persona (1..k) of each row, indexed like the features, named
        ``persona``.
    silhouette_ : pandas.Series
        Mean silhouette by k (index ``k``): every k tried, or only ``k``.
    inertia_ : pandas.Series
        k-means inertia (within-persona sum of squares, standardised units)
        by k, for an elbow plot.
    profile_ : pandas.DataFrame
        One row per persona (index ``persona``): ``size``, ``share``, the
        mean of each feature in its own units, and ``z_<feature>``: that
        mean's distance from the overall mean in overall standard deviations
        (+1: one standard deviation above everybody's mean).
    centers_ : pandas.DataFrame
        The k-means centres, persona x feature, in the features' own units.
    features_ : list of str
        The feature names, in order.

    Examples
    --------
    Two kinds of customers, far apart:

    >>> import pandas as pd
    >>> f = pd.DataFrame({"orders": [1, 2, 1, 2, 9, 10, 11],
    ...                   "spend": [50, 60, 55, 45, 900, 1000, 950]})
    >>> p = Personas(k_range=range(2, 4)).fit(f)
    >>> p.k_, p.labels_.tolist()
    (2, [1, 1, 1, 1, 2, 2, 2])
    >>> p.profile_[["size", "share", "orders", "spend"]].round(2)
    ... # doctest: +NORMALIZE_WHITESPACE
             size  share  orders  spend
    persona
    1           4   0.57     1.5   52.5
    2           3   0.43    10.0  950.0
    >>> p.silhouette_.round(3).to_dict()
    {2: 0.913, 3: 0.629}
    """

    def __init__(self, k: int | None = None, *, k_range: Iterable[int] = range(2, 9),
                 seed: int = 0, n_init: int = 10, sample: int = 5000) -> None:
        self.k = k
        self.k_range = k_range
        self.seed = seed
        self.n_init = n_init
        self.sample = sample
        self.labels_: pd.Series | None = None

    def __repr__(self) -> str:
        if self.labels_ is None:
            return "Personas()" if self.k is None else f"Personas(k={self.k})"
        return f"Personas(k_={self.k_}, silhouette={self.silhouette_[self.k_]:.3f})"

    def _ks(self, n: int) -> list[int]:
        if self.k is not None:
            ks = [_integer("k", self.k, low=2)]
        else:
            if isinstance(self.k_range, str) or not isinstance(self.k_range, Iterable):
                raise ArgumentError("k_range must be whole numbers", name="k_range",
                                    value=self.k_range, fix="e.g. k_range=range(2, 9)")
            ks = sorted({_integer("k_range", k, low=2) for k in self.k_range})
            if not ks:
                raise ArgumentError("k_range is empty", name="k_range", value=self.k_range,
                                    fix="e.g. k_range=range(2, 9)")
        if ks[-1] > n - 1:
            raise DataError(f"{n} rows cannot be split into {ks[-1]} personas (the silhouette "
                            "needs at most rows - 1)", table="features",
                            fix=f"use k of at most {n - 1}, or more rows")
        return ks

    def fit(self, features: pd.DataFrame) -> Personas:
        """Standardise the features, choose k (or take it) and group the rows.

        Parameters
        ----------
        features
            One row per user (or respondent), numeric columns only, no
            missing values.

        Returns
        -------
        Personas
            This object, fitted.

        Raises
        ------
        DataError
            Not a table, non-numeric or missing values, a constant feature,
            fewer rows than k + 1.
        ArgumentError
            A bad ``k``, ``k_range``, ``seed``, ``n_init`` or ``sample``.
        """
        from sklearn.cluster import KMeans

        x = _features(features)
        seed = _seed(self.seed)
        n_init = _integer("n_init", self.n_init, low=1)
        sample = _integer("sample", self.sample, low=10)
        clash = [c for c in x.columns if c in ("size", "share")
                 or (c.startswith("z_") and c[2:] in x.columns)]
        if clash:
            raise DataError(f"feature names {clash} clash with the profile's own columns",
                            table="features", column=clash, fix="rename those features")
        values = x.to_numpy()
        mean, sd = values.mean(axis=0), values.std(axis=0)
        flat = [c for c, v in zip(x.columns, sd, strict=True) if v == 0]
        if flat:
            raise DataError(f"constant feature(s) {flat}: they cannot separate anybody",
                            table="features", column=flat, fix="drop them")
        z = (values - mean) / sd
        ks = self._ks(len(z))
        rng = np.random.default_rng(seed)
        pick = (np.sort(rng.choice(len(z), sample, replace=False)) if len(z) > sample
                else np.arange(len(z)))
        fits, sil, inertia = {}, {}, {}
        with _one_thread(len(z)):
            for k in ks:
                model = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(z)
                fits[k] = model
                sil[k] = _silhouette(z[pick], model.labels_[pick])
                inertia[k] = float(model.inertia_)
        scores = pd.Series(sil, name="silhouette", dtype=float).rename_axis("k")
        if scores.isna().all():
            raise DataError("no k gives two or more personas on these rows", table="features",
                            fix="check the features: are most rows identical?")
        best = int(scores.idxmax())  # the first (smallest) k on a tie
        model = fits[best]
        order = _persona_order(model.labels_, model.cluster_centers_)
        labels = order[model.labels_] + 1
        self.k_ = best
        self.features_ = list(x.columns)
        self.silhouette_ = scores
        self.inertia_ = pd.Series(inertia, name="inertia", dtype=float).rename_axis("k")
        self.labels_ = pd.Series(labels, index=x.index, name="persona")
        self._mean, self._sd, self._model, self._order = mean, sd, model, order
        centres = np.empty_like(model.cluster_centers_)
        centres[order] = model.cluster_centers_
        self.centers_ = pd.DataFrame(centres * sd + mean, columns=self.features_,
                                     index=pd.RangeIndex(1, best + 1, name="persona"))
        self.profile_ = _profile(x, labels, best, mean, sd)
        return self

    def predict(self, features: pd.DataFrame) -> pd.Series:
        """The persona of new rows: the nearest centre, in standardised units.

        Parameters
        ----------
        features
            The same feature columns as the fit (any order, extra columns
            ignored).

        Returns
        -------
        pandas.Series
            Persona (1..k) per row, named ``persona``.

        Raises
        ------
        CourseError
            Called before :meth:`fit`.
        DataError
            A feature of the fit is missing, or values are not numbers.
        """
        if self.labels_ is None:
            raise CourseError("these Personas are not fitted yet: call Personas().fit(features)")
        df = _frame(features, "features")
        missing = [c for c in self.features_ if c not in df.columns]
        if missing:
            raise DataError(f"missing feature(s) {missing}", table="features", column=missing,
                            fix="build the new rows with the same features as the fit")
        x = _features(df[self.features_])
        z = (x.to_numpy() - self._mean) / self._sd
        with _one_thread(len(z)):
            nearest = self._model.predict(z)
        return pd.Series(self._order[nearest] + 1, index=x.index, name="persona")


def _one_thread(rows: int) -> AbstractContextManager:
    """k-means on one thread for tables of up to 20,000 rows.

    scikit-learn's k-means splits the rows into chunks of 256 for its OpenMP
    threads; on a small table the threads mostly wait for each other, and on a
    busy 2-core machine that waiting dominates (measured: 300 rows, k = 2..6,
    0.1 s on one thread against 1 to 10 s on two). ``threadpoolctl`` comes with
    scikit-learn; without it nothing changes.
    """
    if rows > 20_000:
        return nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - installed with scikit-learn
        return nullcontext()
    return threadpool_limits(limits=1, user_api="openmp")


def _silhouette(z: np.ndarray, labels: np.ndarray) -> float:
    from sklearn.metrics import silhouette_score

    found = len(np.unique(labels))
    if found < 2 or found > len(labels) - 1:
        return math.nan
    return float(silhouette_score(z, labels))


def _persona_order(labels: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """New 0-based number of each k-means cluster: largest first, ties by the centres."""
    size = np.bincount(labels, minlength=len(centres))
    keys = [centres[:, j] for j in range(centres.shape[1] - 1, -1, -1)]
    ranked = np.lexsort([*keys, -size])
    order = np.empty(len(centres), dtype=np.int64)
    order[ranked] = np.arange(len(centres))
    return order


def _profile(x: pd.DataFrame, labels: np.ndarray, k: int, mean: np.ndarray,
             sd: np.ndarray) -> pd.DataFrame:
    size = np.bincount(labels, minlength=k + 1)[1:]
    means = x.groupby(labels, sort=True).mean().reindex(range(1, k + 1))
    z = (means.to_numpy() - mean) / sd
    out = pd.DataFrame({"size": size, "share": size / len(labels)},
                       index=pd.RangeIndex(1, k + 1, name="persona"))
    out[list(x.columns)] = means.to_numpy()
    out[[f"z_{c}" for c in x.columns]] = z
    return out


def personas(features: pd.DataFrame, *, k: int | None = None,
             k_range: Iterable[int] = range(2, 9), seed: int = 0) -> Personas:
    """Personas by k-means in one call: ``Personas(k, k_range=..., seed=...).fit(features)``.

    See :class:`Personas` for the method and the fitted attributes.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"orders": [1, 2, 1, 9, 10, 11], "spend": [50, 60, 55, 900, 1000, 950]})
    >>> personas(f, k=2).labels_.tolist()
    [1, 1, 1, 2, 2, 2]
    """
    return Personas(k, k_range=k_range, seed=seed).fit(features)


def adjusted_rand(labels: pd.Series | Sequence, planted: pd.Series | Sequence) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985) between two groupings of the same rows.

    1 when the two groupings agree (whatever the numbers they give the
    groups), about 0 for a grouping no better than chance (it can go below
    0). Use it to check personas against groups known beforehand: planted in
    simulated data, or a segmentation the business already uses. Computed by
    :func:`sklearn.metrics.adjusted_rand_score`.

    Parameters
    ----------
    labels, planted
        One group per row: two Series on the same index (matched by index),
        or two sequences of the same length (matched by position).

    Returns
    -------
    float

    Raises
    ------
    DataError
        Different lengths or indexes, missing labels, no rows.

    Examples
    --------
    >>> adjusted_rand([1, 1, 2, 2], ["b", "b", "a", "a"])
    1.0
    >>> round(adjusted_rand([1, 1, 2, 2], [1, 2, 1, 2]), 3)
    -0.5
    """
    from sklearn.metrics import adjusted_rand_score

    if isinstance(labels, pd.Series) and isinstance(planted, pd.Series):
        if not labels.index.is_unique or set(labels.index) != set(planted.index) \
                or len(labels) != len(planted):
            raise DataError("the two Series hold different rows", table="labels",
                            fix="index both by the same ids, e.g. planted.reindex(labels.index)")
        planted = planted.reindex(labels.index)
    a = pd.Series(np.asarray(labels, dtype=object)) if not isinstance(labels, pd.Series) \
        else labels
    b = pd.Series(np.asarray(planted, dtype=object)) if not isinstance(planted, pd.Series) \
        else planted
    if len(a) != len(b) or len(a) == 0:
        raise DataError(f"{len(a)} labels against {len(b)} planted groups", table="labels",
                        fix="give one label per row in both, in the same order")
    if a.isna().any() or b.isna().any():
        raise DataError("missing labels", table="labels", fix="every row needs a group")
    return float(adjusted_rand_score(b.astype(str).to_numpy(), a.astype(str).to_numpy()))


def persona_tgi(tag_frame: pd.DataFrame, labels: pd.Series | np.ndarray, *,
                catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """TGI of every tag for every persona: which traits over-represent each one.

    For each persona p, :func:`coursekit.segments.tgi` with the target group
    "persona p": the share of p's users with the tag over the share of all
    users with it, x 100 (100: as common as among everybody). A persona's
    high-TGI tags are the words of its portrait; read them beside the
    counts (``tgi`` itself gives them) since a small persona makes noisy
    TGIs.

    Parameters
    ----------
    tag_frame
        The result of :meth:`coursekit.segments.TagEngine.apply` (users x
        tags, booleans).
    labels
        The persona of each user: a Series indexed like ``tag_frame`` (e.g.
        ``Personas.labels_``) or an array in its row order.
    catalog
        :meth:`coursekit.segments.TagEngine.catalog`, to add each tag's
        ``kind``.

    Returns
    -------
    pandas.DataFrame
        Tags x personas (index ``tag``, columns ``persona`` in sorted order),
        TGI values; with ``catalog`` a first column ``kind``.

    Raises
    ------
    DataError
        As :func:`coursekit.segments.tgi`: labels missing users, missing
        labels, a bad tag table.

    Examples
    --------
    >>> import pandas as pd
    >>> tags = pd.DataFrame({"gifter": [True, True, False, False],
    ...                      "night_owl": [False, True, True, True]})
    >>> persona_tgi(tags, pd.Series([1, 1, 2, 2])).round(1)  # doctest: +NORMALIZE_WHITESPACE
    persona        1      2
    tag
    gifter     200.0    0.0
    night_owl   66.7  133.3
    """
    from coursekit.segments.tags import tgi

    if isinstance(labels, pd.Series):
        if labels.isna().any():
            raise DataError("missing persona labels", table="labels",
                            fix="give every user a persona")
        groups = sorted(pd.unique(labels))
        targets = {g: labels == g for g in groups}
    else:
        arr = np.asarray(labels)
        if arr.ndim != 1 or pd.isna(arr).any():
            raise DataError("labels must be one persona per user, no missing values",
                            table="labels", fix="pass Personas.labels_")
        groups = sorted(pd.unique(arr))
        targets = {g: arr == g for g in groups}
    out = pd.DataFrame({g: tgi(tag_frame, t)["tgi"] for g, t in targets.items()})
    out.columns = pd.Index(groups, name="persona")
    if catalog is not None:
        kinds = tgi(tag_frame, next(iter(targets.values())), catalog=catalog)["kind"]
        out.insert(0, "kind", kinds)
    return out


# --------------------------------------------------------------------------- positioning


@dataclass(frozen=True)
class PerceptualMap:
    """Brands placed on a 2-D perceptual map (定位图).

    Attributes
    ----------
    brands
        One row per brand (index ``brand``), coordinates ``x`` and ``y``.
    attributes
        One row per attribute (index ``attribute``): ``x`` and ``y`` are the
        correlations of the attribute with each axis across the brands
        (-1..1; for PCA these are the loadings, the arrows of a biplot).
    explained
        Share of the attributes' variance each axis explains (index ``x``,
        ``y``); None for MDS.
    stress
        MDS only: the stress of the configuration (0 = distances kept
        exactly); None for PCA.
    method
        ``"pca"`` or ``"mds"``.
    """

    brands: pd.DataFrame
    attributes: pd.DataFrame
    explained: pd.Series | None
    stress: float | None
    method: str


def _mean_ratings(ratings: object) -> pd.DataFrame:
    df = _frame(ratings, "ratings")
    if len(df) < 3 or df.shape[1] < 2:
        raise DataError(f"{len(df)} brands x {df.shape[1]} attributes: a 2-D map needs at "
                        "least 3 brands (rows) and 2 attributes (columns)", table="ratings",
                        fix="brands as rows: strategy_canvas(survey).T")
    if not df.index.is_unique or not df.columns.is_unique:
        raise DataError("brands (rows) and attributes (columns) must each appear once",
                        table="ratings", fix="one row per brand, one column per attribute")
    x = pd.DataFrame({c: _numeric(df, c, "ratings", nullable=False) for c in df.columns},
                     index=df.index)
    flat = [c for c in x.columns if x[c].std(ddof=0) == 0]
    if flat:
        raise DataError(f"attribute(s) {flat} rate every brand the same: they cannot place "
                        "a brand", table="ratings", column=flat, fix="drop those columns")
    return x


def _mds(d: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    """Metric MDS of a distance matrix, for the scikit-learn releases before and after
    the renaming of ``metric`` / ``dissimilarity`` (1.8)."""
    from sklearn.manifold import MDS

    params = inspect.signature(MDS).parameters
    if "metric_mds" in params:
        kwargs = dict(metric_mds=True, metric="precomputed", n_init=4, init="random")
    else:
        kwargs = dict(metric=True, dissimilarity="precomputed", n_init=4)
    model = MDS(n_components=2, random_state=seed, max_iter=3000, eps=1e-9, **kwargs)
    coords = model.fit_transform(d)
    return coords, float(model.stress_)


def _orient(coords: np.ndarray) -> np.ndarray:
    """Centre a configuration and turn it onto its principal axes (largest spread on x)."""
    c = coords - coords.mean(axis=0)
    _, _, vt = np.linalg.svd(c, full_matrices=False)
    return c @ vt.T


def _correlations(z: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """Correlation of each column of ``z`` with each axis (0 for an axis without spread)."""
    zc = z - z.mean(axis=0)
    cc = coords - coords.mean(axis=0)
    num = zc.T @ cc
    den = np.outer(np.sqrt((zc**2).sum(axis=0)), np.sqrt((cc**2).sum(axis=0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, 0.0)


def perceptual_map(ratings: pd.DataFrame, *, method: str = "pca",
                   seed: int = 0) -> PerceptualMap:
    """Place brands on a 2-D map from their mean ratings on the attributes.

    Each attribute is first z-scored across the brands (mean 0, population
    standard deviation 1), so an attribute where brands differ by a tenth
    counts as much as one where they differ by two points.

    - ``"pca"``: principal component analysis
      (:class:`sklearn.decomposition.PCA`); the brands' coordinates are their
      scores on the first two components, ``explained`` the share of the
      variance each carries. Attribute loadings (their correlation with each
      axis) are the arrows of a biplot: a brand lies towards the attributes
      it is rated high on.
    - ``"mds"``: metric multidimensional scaling of the Euclidean distances
      between the brands (:class:`sklearn.manifold.MDS`, ``random_state =
      seed``); the configuration is then centred and turned onto its
      principal axes. The attributes' correlations with the axes are fitted
      afterwards (property fitting).

    Axes have no natural sign (PCA and MDS solutions can be mirrored), so the
    sign is fixed here: for PCA each axis points towards the attribute most
    correlated with it (its largest absolute loading is positive), for MDS
    the first brand lies on the positive side of each axis (the next brand
    when it sits on the axis). Results therefore do not flip between runs
    or library versions. With 3 brands two axes always explain everything:
    read the map, not the share.

    Parameters
    ----------
    ratings
        Brands x attributes (rows x columns) of mean ratings, e.g.
        ``strategy_canvas(survey).T``; at least 3 brands and 2 attributes,
        no missing values.
    method
        ``"pca"`` or ``"mds"``.
    seed
        Seed of MDS's random starts (PCA needs none).

    Returns
    -------
    PerceptualMap
        ``brands`` (x, y), ``attributes`` (x, y correlations), ``explained``
        (PCA), ``stress`` (MDS) and ``method``.

    Raises
    ------
    DataError
        Too few brands or attributes, missing values, an attribute on which
        every brand is rated the same.
    ArgumentError
        An unknown method, a bad seed.

    Examples
    --------
    >>> import pandas as pd
    >>> means = pd.DataFrame({"taste": [7.8, 7.4, 7.0], "price": [6.4, 7.8, 7.0],
    ...                       "packaging": [7.0, 6.6, 8.3]},
    ...                      index=["qingmu", "songguo", "guorenjia"])
    >>> m = perceptual_map(means)
    >>> m.brands.round(2)  # doctest: +NORMALIZE_WHITESPACE
                  x     y
    brand
    qingmu     1.35 -1.09
    songguo    0.44  1.54
    guorenjia -1.79 -0.44
    >>> m.explained.round(3).to_dict()
    {'x': 0.582, 'y': 0.418}
    >>> m.attributes.round(2)  # doctest: +NORMALIZE_WHITESPACE
                  x     y
    attribute
    taste      0.97 -0.24
    price     -0.20  0.98
    packaging -0.87 -0.49

    Qingmu sits towards taste, Songguo towards price, Guorenjia away from
    both (towards packaging).
    """
    choice("method", method, ["pca", "mds"])
    seed = _seed(seed)
    x = _mean_ratings(ratings)
    z = ((x - x.mean()) / x.std(ddof=0)).to_numpy()
    explained = stress = None
    if method == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=2, svd_solver="full").fit(z)
        coords = pca.transform(z)
        load = _correlations(z, coords)
        pivot = np.abs(load).argmax(axis=0)
        sign = np.sign(load[pivot, [0, 1]])
        sign[sign == 0] = 1
        explained = pd.Series(pca.explained_variance_ratio_, index=["x", "y"],
                              name="explained")
    else:
        d = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2))
        coords, stress = _mds(d, seed)
        coords = _orient(coords)
        sign = np.ones(2)
        for axis in (0, 1):
            col = coords[:, axis]
            lead = np.flatnonzero(np.abs(col) > 1e-9 * max(1.0, np.abs(col).max()))
            if len(lead) and col[lead[0]] < 0:
                sign[axis] = -1
    coords = coords * sign
    brands = pd.DataFrame(coords, columns=["x", "y"],
                          index=pd.Index(x.index, name="brand", dtype=object))
    attributes = pd.DataFrame(_correlations(z, coords), columns=["x", "y"],
                              index=pd.Index(x.columns, name="attribute", dtype=object))
    return PerceptualMap(brands=brands, attributes=attributes, explained=explained,
                         stress=stress, method=method)


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
