"""Personas (用户画像): k-means on standardised features with k chosen by the
silhouette, their profiles, agreement with known groups, TGI of tags per persona."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, CourseError, DataError
from coursekit.inputs import columns
from coursekit.needs._shared import _frame, _integer, _seed

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
