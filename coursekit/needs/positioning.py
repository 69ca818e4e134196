"""Positioning: brands on a 2-D perceptual map (定位图) from their mean ratings
(PCA or MDS)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit.errors import DataError
from coursekit.inputs import choice
from coursekit.needs._shared import _frame, _numeric, _seed

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
