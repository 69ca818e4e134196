"""Basket analysis: which items sell together (购物篮分析 / 关联分析).

A *basket* is one order (or one visit, one cart): the set of items bought
together. Counting how often two items share a basket tells the warehouse
which items to store next to each other (batch picking: one walk collects
the whole order) and the shop which items to show together (shelf placement,
"bought together" bundles).

For an ordered pair of items, antecedent :math:`A` and consequent :math:`B`,
over :math:`N` baskets:

- **support** :math:`s(A, B) = P(A \\cap B) = n_{AB} / N`, the share of baskets
  holding both (symmetric);
- **confidence** :math:`c(A \\to B) = P(B \\mid A) = n_{AB} / n_A`, the share of
  the baskets with :math:`A` that also hold :math:`B` (*not* symmetric: most
  baskets with batteries hold a torch, few baskets with a torch hold batteries);
- **lift** :math:`l(A, B) = c(A \\to B) / P(B) = N\\, n_{AB} / (n_A n_B)`, how
  many times more often the two meet than if they were bought independently
  (symmetric; 1 = independent, > 1 together, < 1 apart);
- **leverage** :math:`P(A \\cap B) - P(A) P(B)`, the same comparison as a
  difference in share of baskets (symmetric).

Confidence alone misleads: an item in most baskets gets a high confidence
from everything. Lift corrects for it, and support says whether the pair is
frequent enough to matter. An item counts once per basket however many lines
or units of it the basket holds.

The formulas are a few lines, written here in the open rather than taken from
an association-rules package (such as mlxtend): they read like their
definitions, and pairs are all a placement decision needs (full Apriori
searches itemsets of any size, which a pick path or a shelf cannot use).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from coursekit._arrays import distinct
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns

__all__ = ["pairs"]

_COLUMNS = ["antecedent", "consequent", "count", "antecedent_support", "consequent_support",
            "support", "confidence", "lift"]


def _check_threshold(min_support: object, min_count: object) -> tuple[float | None, int]:
    if min_support is not None:
        ok = isinstance(min_support, numbers.Real) and not isinstance(min_support, bool)
        if not ok or not (0.0 < float(min_support) <= 1.0):  # type: ignore[arg-type]
            raise ArgumentError(
                f"min_support={min_support!r} is outside (0, 1]",
                name="min_support",
                fix="give a share of baskets, e.g. min_support=0.005 for 0.5 % (or None for "
                "no limit)",
            )
    ok = isinstance(min_count, numbers.Integral) and not isinstance(min_count, bool)
    if not ok or int(min_count) < 1:  # type: ignore[arg-type]
        raise ArgumentError(
            f"min_count={min_count!r} must be a whole number >= 1",
            name="min_count",
            fix="give the fewest baskets a pair must share, e.g. min_count=20",
        )
    return (None if min_support is None else float(min_support)), int(min_count)  # type: ignore


def pairs(
    items: pd.DataFrame,
    *,
    basket: str = "order_id",
    item: str = "product_id",
    min_support: float | None = None,
    min_count: int = 1,
    leverage: bool = False,
) -> pd.DataFrame:
    """Support, confidence and lift of every pair of items bought together.

    With :math:`N` baskets, :math:`n_A` baskets holding item :math:`A` and
    :math:`n_{AB}` holding both :math:`A` and :math:`B`:

    .. math::

        \\mathrm{support}(A, B) = \\frac{n_{AB}}{N}, \\quad
        \\mathrm{confidence}(A \\to B) = \\frac{n_{AB}}{n_A}, \\quad
        \\mathrm{lift}(A, B) = \\frac{\\mathrm{confidence}(A \\to B)}{n_B / N}
                             = \\frac{N\\, n_{AB}}{n_A\\, n_B}

    and, with ``leverage=True``, :math:`n_{AB}/N - (n_A/N)(n_B/N)`.

    Every basket of ``items`` counts in :math:`N`, single-item baskets
    included (they are part of "how often is B bought"). Each item counts
    once per basket, whatever its number of lines or units. The counts come
    from one sparse matrix product: with :math:`X` the basket x item matrix
    of 0/1, :math:`X^\\top X` holds :math:`n_{AB}` off the diagonal and
    :math:`n_A` on it.

    The few lines of formulas are written here rather than imported from an
    association-rules package: they read like their definitions, and pairs
    are what a placement decision needs.

    Parameters
    ----------
    items
        One row per order line (e.g. ``order_items``): a basket id and an item
        id. To work on categories instead of products, merge the category in
        first and pass ``item="category"``.
    basket, item
        Column names of the basket id and the item id.
    min_support
        Keep pairs with support >= this share of baskets, in (0, 1]; None (the
        default) keeps every pair that meets ``min_count``.
    min_count
        Keep pairs bought together in at least this many baskets (default 1:
        every pair seen at least once). Lift on a handful of baskets is noise:
        raise it to a few dozen for decisions.
    leverage
        Add a ``leverage`` column.

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair (both A -> B and B -> A), columns
        ``antecedent``, ``consequent``, ``count`` (:math:`n_{AB}`),
        ``antecedent_support`` (:math:`n_A/N`), ``consequent_support``
        (:math:`n_B/N`), ``support``, ``confidence``, ``lift`` [,
        ``leverage``]; sorted by lift, count and confidence, from the highest. The
        number of baskets :math:`N` is in ``.attrs["baskets"]``. No rows when
        no pair meets the thresholds.

    Raises
    ------
    DataError
        A missing column, missing ids, no rows, no basket with two different
        items (is ``basket`` really the basket id?), ``min_support`` outside
        (0, 1] or ``min_count`` below 1.

    Examples
    --------
    Four orders; bread is in three, butter in two, both together in two:

    >>> import pandas as pd
    >>> items = pd.DataFrame({"order_id": [1, 1, 2, 2, 3, 4],
    ...     "product_id": ["bread", "butter", "bread", "butter", "bread", "jam"]})
    >>> out = pairs(items)
    >>> out[["antecedent", "consequent", "count", "support", "confidence", "lift"]]
      antecedent consequent  count  support  confidence      lift
    0     butter      bread      2      0.5    1.000000  1.333333
    1      bread     butter      2      0.5    0.666667  1.333333
    >>> out.attrs["baskets"]
    4

    Confidence is 2/2 one way and 2/3 the other; lift is 4 x 2 / (3 x 2)
    both ways.
    """
    threshold, least = _check_threshold(min_support, min_count)
    cols = columns(items, "items", ids=[basket, item])
    b_code, baskets = pd.factorize(cols[basket].to_numpy())
    i_code, labels = pd.factorize(cols[item], sort=True)
    n_baskets, n_items = len(baskets), len(labels)
    # one entry per (basket, item): duplicate lines of an item in a basket count once
    key = distinct(b_code.astype(np.int64) * n_items + i_code)
    rows, cols_ = key // n_items, key % n_items
    from scipy import sparse  # here, not at the top: a lesson's first cell stays light

    incidence = sparse.csr_matrix(
        (np.ones(len(key), dtype=np.int64), (rows, cols_)), shape=(n_baskets, n_items)
    )
    together = (incidence.T @ incidence).tocoo()
    n_item = np.bincount(cols_, minlength=n_items)  # baskets holding each item
    off = together.row != together.col
    a, b, n_ab = together.row[off], together.col[off], together.data[off]
    if len(n_ab) == 0:
        raise DataError(
            "no basket holds two different items, so there are no pairs to count",
            table="items",
            column=basket,
            rows=items[[basket, item]].head(5),
            fix=f"check that {basket!r} identifies a basket (an order), not a line, and that "
            f"{item!r} is the item",
        )
    support = n_ab / n_baskets
    keep = n_ab >= least
    if threshold is not None:
        keep &= support >= threshold - 1e-12
    a, b, n_ab, support = a[keep], b[keep], n_ab[keep], support[keep]
    p_a, p_b = n_item[a] / n_baskets, n_item[b] / n_baskets
    confidence = n_ab / n_item[a]
    # N n_AB / (n_A n_B) = confidence / P(B), with integer products so that lift(A, B) and
    # lift(B, A) are the same float
    lift = (n_baskets * n_ab) / (n_item[a] * n_item[b])
    order = np.lexsort((b, a, -confidence, -n_ab, -lift))
    out = pd.DataFrame({
        "antecedent": labels.take(a[order]),
        "consequent": labels.take(b[order]),
        "count": n_ab[order].astype(np.int64),
        "antecedent_support": p_a[order],
        "consequent_support": p_b[order],
        "support": support[order],
        "confidence": confidence[order],
        "lift": lift[order],
    })
    if leverage:
        out["leverage"] = (support - p_a * p_b)[order]
    out.attrs["baskets"] = int(n_baskets)
    return out
