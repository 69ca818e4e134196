"""Content performance: what a post's format, slot, topic and platform do to its reach.

One post's reach is the product of many things (the account's audience,
the format, the hour, the topic, luck), so effects are multiplicative and
best read as ratios: "a short video reaches 1.6 times what an image post
reaches, other things equal". :func:`content_effects` estimates these
ratios together, by regression, so that each is net of the others: a raw
average by format would credit short videos with Douyin's bigger audience
when short videos are mostly posted there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError
from coursekit.growth._shared import number
from coursekit.inputs import choice, columns, flag

__all__ = ["MODELS", "content_effects"]

#: The regressions :func:`content_effects` can fit.
MODELS = ("log_ols", "poisson")

_FACTORS = ("format", "slot", "topic", "platform")


def content_effects(
    content_posts: pd.DataFrame,
    *,
    outcome: str = "impressions",
    factors: Sequence[str] = _FACTORS,
    model: str = "log_ols",
    reference: Mapping[str, object] | None = None,
    trend: bool = True,
    level: float = 0.95,
    at: str = "publish_time",
) -> pd.DataFrame:
    """Relative effect of each level of each factor on a post's outcome, other factors held.

    The model is multiplicative: for post :math:`i` with level
    :math:`j(f, i)` of each factor :math:`f`,

    .. math:: E[y_i] \\propto \\exp\\Big(\\sum_f \\beta_{f, j(f,i)} + \\gamma\\, t_i\\Big)

    with :math:`\\beta = 0` for each factor's reference level and :math:`t_i`
    the years since the first post (the accounts grow; ``trend=False``
    leaves it out). The **relative effect** of a level,
    :math:`e^{\\beta}`, is its outcome as a multiple of the reference
    level's, the other factors being equal: 1.6 means 60 % more.

    - ``model="log_ols"`` (the default): ordinary least squares of
      :math:`\\log y_i` on the factors' dummies (statsmodels ``OLS``), the
      usual model for reach, whose noise is multiplicative; intervals are
      t intervals. Needs every outcome above 0.
    - ``model="poisson"``: a Poisson regression with a log link
      (statsmodels ``GLM``), for counts that can be 0 (follows, clicks);
      intervals are Wald intervals with the variance scaled by the Pearson
      dispersion (quasi-Poisson), as counts of engagement vary far more
      than a Poisson's.

    Parameters
    ----------
    content_posts
        One row per post, with the ``outcome`` and ``factors`` columns (and
        ``at`` with ``trend=True``).
    outcome
        The count to explain: ``"impressions"``, ``"views"``, ``"likes"``,
        ``"shares"``, ``"follows"``, ``"clicks_to_store"`` ...
    factors
        Categorical columns whose levels get an effect each.
    model
        ``"log_ols"`` or ``"poisson"``.
    reference
        The reference level of some factors (``{"format": "image_post"}``);
        a factor not named here is compared with its most common level.
    trend
        Hold a log-linear time trend in the model (``at``).
    level
        Confidence level of the intervals, in (0, 1).
    at
        Publish time column, for the trend.

    Returns
    -------
    pandas.DataFrame
        One row per factor and level (index ``factor``, ``level``), the
        reference levels included: ``reference`` (the factor's reference
        level), ``posts`` (with that level), ``coef`` (:math:`\\beta`, on the
        log scale; 0 for the reference), ``se``, ``effect``
        (:math:`e^{\\beta}`), ``effect_low``, ``effect_high`` (the interval
        of the effect; NaN for the reference) and ``p_value`` (of
        :math:`\\beta = 0`).

    Raises
    ------
    DataError
        Missing columns, negative or non-numeric outcomes, an outcome of 0
        with ``model="log_ols"``, a factor with one level, or factors that
        cannot be told apart (a level that always comes with one level of
        another factor).
    ArgumentError
        Unknown ``model``, a reference level the factor does not have,
        ``level`` outside (0, 1).

    Examples
    --------
    Posts whose reach is exactly 1,000 x 2 for videos x 1.5 in the evening:

    >>> import pandas as pd
    >>> posts = pd.DataFrame({"format": ["image", "video"] * 4,
    ...                       "slot": ["noon"] * 4 + ["evening"] * 4})
    >>> posts["impressions"] = (1000 * posts["format"].map({"image": 1, "video": 2})
    ...                         * posts["slot"].map({"noon": 1, "evening": 1.5}))
    >>> out = content_effects(posts, factors=["format", "slot"], trend=False,
    ...                       reference={"format": "image", "slot": "noon"})
    >>> out["effect"].round(3).tolist()
    [1.0, 2.0, 1.5, 1.0]
    >>> out.index.tolist()
    [('format', 'image'), ('format', 'video'), ('slot', 'evening'), ('slot', 'noon')]
    """
    choice("model", model, MODELS)
    level = number(level, "level", low=0.0, high=1.0, high_open=True, example="level=0.95")
    trend = flag("trend", trend)
    names = _factor_names(factors)
    posts = columns(content_posts, "content_posts", ids=names, numbers=[outcome],
                    times=[at] if trend else [])
    y = posts[outcome].to_numpy()
    _outcomes(posts, outcome, y, model)
    refs = _references(posts, names, reference)
    x, labels = _design(posts, names, refs, at if trend else None)
    est, se, p, dof = _fit(x, y, model, posts, names)
    return _table(posts, names, refs, labels, est, se, p, dof, level)


def _factor_names(factors: object) -> list[str]:
    names = [factors] if isinstance(factors, str) else list(factors)  # type: ignore[arg-type]
    if not names or len(set(names)) != len(names) or not all(isinstance(n, str) for n in names):
        raise ArgumentError("factors must name at least one column, without repeats",
                            name="factors", value=factors,
                            fix="e.g. factors=['format', 'slot', 'topic', 'platform']")
    return names


def _outcomes(posts: pd.DataFrame, outcome: str, y: np.ndarray, model: str) -> None:
    bad = y < 0
    if bad.any():
        raise DataError("negative outcomes: a count of views or clicks is 0 or more",
                        table="content_posts", column=outcome, rows=posts.loc[bad].head(5),
                        fix="fix the rows shown at the source")
    if model == "log_ols" and (y == 0).any():
        raise DataError(f"{int((y == 0).sum()):,} posts with {outcome} = 0: the logarithm of "
                        "0 has no value", table="content_posts", column=outcome,
                        rows=posts.loc[y == 0].head(5),
                        fix="use model='poisson' for a count that can be 0 (dropping the "
                        "zeros would flatter the levels that often get none)")


def _references(posts: pd.DataFrame, names: list[str],
                reference: object) -> dict[str, object]:
    given = {} if reference is None else reference
    if not isinstance(given, Mapping):
        raise ArgumentError("reference must map factors to a level", name="reference",
                            value=reference, fix="e.g. reference={'format': 'image_post'}")
    unknown = [f for f in given if f not in names]
    if unknown:
        raise ArgumentError(f"reference names factor(s) {unknown} not in factors",
                            name="reference", fix=f"the factors are {names}")
    refs = {}
    for name in names:
        counts = posts[name].astype(object).value_counts(sort=False)
        counts = counts[counts > 0]
        if len(counts) < 2:
            raise DataError(f"factor {name!r} has one level only: there is nothing to compare",
                            table="content_posts", column=name,
                            fix="leave it out of factors")
        if name in given:
            if given[name] not in counts.index:
                raise ArgumentError(f"{given[name]!r} is not a level of {name!r}",
                                    name="reference", value=given[name],
                                    allowed=f"one of {sorted(map(str, counts.index))}")
            refs[name] = given[name]
        else:  # the most common level; ties go to the first in sorted order
            top = counts[counts == counts.max()].index
            refs[name] = sorted(top, key=str)[0]
    return refs


def _levels(posts: pd.DataFrame, name: str) -> list[object]:
    values = posts[name].astype(object)
    return sorted(pd.unique(values.to_numpy()).tolist(), key=str)


def _design(posts: pd.DataFrame, names: list[str], refs: dict[str, object],
            at: str | None) -> tuple[np.ndarray, list[tuple[str, object]]]:
    """Intercept, one dummy per non-reference level, and the trend in years."""
    cols = [np.ones(len(posts))]
    labels: list[tuple[str, object]] = []
    for name in names:
        values = posts[name].astype(object).to_numpy()
        for lev in _levels(posts, name):
            if lev != refs[name]:
                cols.append((values == lev).astype(np.float64))
                labels.append((name, lev))
    if at is not None:
        t = posts[at].to_numpy(dtype="datetime64[ns]")
        cols.append((t - t.min()) / np.timedelta64(1, "D") / 365.25)
    return np.column_stack(cols), labels


def _fit(x: np.ndarray, y: np.ndarray, model: str, posts: pd.DataFrame,
         names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise DataError("the factors cannot be told apart: some level always comes with one "
                        "level of another factor (or a level has no posts)",
                        table="content_posts", column=names,
                        rows=pd.crosstab(posts[names[0]].astype(object),
                                         posts[names[-1]].astype(object)).head(6)
                        if len(names) > 1 else None,
                        fix="drop one of the entangled factors, or merge the rare levels")
    if model == "log_ols":
        from statsmodels.regression.linear_model import OLS

        res = OLS(np.log(y), x).fit()
        return (np.asarray(res.params), np.asarray(res.bse), np.asarray(res.pvalues),
                float(res.df_resid))
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    res = GLM(y, x, family=families.Poisson()).fit(scale="X2")
    return np.asarray(res.params), np.asarray(res.bse), np.asarray(res.pvalues), np.inf


def _table(posts: pd.DataFrame, names: list[str], refs: dict[str, object],
           labels: list[tuple[str, object]], est: np.ndarray, se: np.ndarray, p: np.ndarray,
           dof: float, level: float) -> pd.DataFrame:
    from scipy import stats

    q = float(stats.t.ppf(0.5 + level / 2, dof) if np.isfinite(dof)
              else stats.norm.ppf(0.5 + level / 2))
    where = {lab: i + 1 for i, lab in enumerate(labels)}  # column 0 is the intercept
    rows = []
    for name in names:
        counts = posts[name].astype(object).value_counts()
        for lev in _levels(posts, name):
            i = where.get((name, lev))
            b, s, pv = (0.0, np.nan, np.nan) if i is None else (est[i], se[i], p[i])
            rows.append({"factor": name, "level": lev, "reference": refs[name],
                         "posts": int(counts.get(lev, 0)), "coef": b, "se": s,
                         "effect": np.exp(b), "effect_low": np.exp(b - q * s),
                         "effect_high": np.exp(b + q * s), "p_value": pv})
    return pd.DataFrame(rows).set_index(["factor", "level"])
