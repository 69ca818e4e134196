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

from coursekit._arrays import codes, group_order
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns

__all__ = ["pairs"]

_COLUMNS = ["antecedent", "consequent", "count", "antecedent_support", "consequent_support",
            "support", "confidence", "lift"]

_CHUNK = 1 << 23  # pair keys held at a time while counting (64 MB)
_DENSE_CELLS = 1 << 22  # a dense table of pair counts this large is always fine (32 MB)


def _together(incidence, n_items: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ordered pair of different items sharing a basket: the two item codes and
    the number of baskets holding both.

    ``incidence`` is the 0/1 basket x item matrix in compressed rows (scipy), each
    basket's items sorted. When a dense items x items table of counts is no larger
    than the matrix (or than 4 million cells), the pairs of each basket are
    listed, baskets of the same size at a time (their items as the rows of a
    small table, the pairs as two column selections), and counted with
    ``np.bincount``: measured 5 to 7 times faster than the sparse product on the
    benchmark's 10 million lines. Otherwise the counts come from the sparse
    product :math:`X^\\top X`, whose diagonal is dropped.
    """
    if n_items * n_items > max(_DENSE_CELLS, incidence.nnz):
        together = (incidence.T @ incidence).tocoo()
        off = together.row != together.col
        return together.row[off], together.col[off], together.data[off]
    cells = n_items * n_items
    counts = np.zeros(cells, dtype=np.int64)
    indptr, items = incidence.indptr, incidence.indices.astype(np.int64)
    size = np.diff(indptr)
    per_size = np.bincount(size)
    _, starts = group_order(size, len(per_size), indptr[:-1])  # baskets by size
    ends = np.cumsum(per_size)
    held: list[np.ndarray] = []  # pair keys not counted yet, at most about _CHUNK
    n_held = 0
    for s in np.flatnonzero(per_size[2:]) + 2:  # sizes that occur, from 2 items
        first_item, second_item = np.triu_indices(s, 1)
        step = max(1, _CHUNK // len(first_item))  # baskets at a time
        for lo in range(ends[s] - per_size[s], ends[s], step):
            rows = items[starts[lo:min(lo + step, ends[s]), None] + np.arange(s)]
            held.append((rows[:, first_item] * n_items + rows[:, second_item]).ravel())
            n_held += held[-1].size
            if n_held >= _CHUNK:
                counts += np.bincount(np.concatenate(held), minlength=cells)
                held, n_held = [], 0
    if held:
        counts += np.bincount(np.concatenate(held), minlength=cells)
    counts = counts.reshape(n_items, n_items)
    counts = counts + counts.T  # each pair was counted once, in one of its two orders
    a, b = np.nonzero(counts)
    return a, b, counts[a, b]


def _ranked(a: np.ndarray, b: np.ndarray, n_ab: np.ndarray, n_item: np.ndarray,
            n_baskets: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs (item codes ``a``, ``b``, count ``n_ab``) in the order of the result:
    lift, count and confidence from the highest, then ``a`` and ``b`` (codes in the
    order of the labels).

    Ties of lift are ordered by one integer key: the count from the highest, then
    the confidence ``n_ab / n_a`` from the highest, which for the same count is
    the antecedent's number of baskets from the fewest (divisions of the same
    count by different whole numbers below 2**52 give different floats), then
    ``a`` and ``b``. Its values are sorted (no argsort: the key gives the pair
    back), then one stable argsort on lift finishes. Five-key ``np.lexsort``
    when the key does not fit in 63 bits.
    """
    n_items = len(n_item)
    w = max(n_items - 1, 1).bit_length()
    top = int(n_ab.max()) if len(n_ab) else 0
    if not len(n_ab) or top.bit_length() + 2 * w > 63:
        confidence = n_ab / n_item[a]
        lift = (n_baskets * n_ab) / (n_item[a] * n_item[b])
        order = np.lexsort((b, a, -confidence, -n_ab, -lift))
        return a[order], b[order], n_ab[order]
    by_baskets = np.argsort(n_item, kind="stable")  # items by baskets, then code
    place = np.empty(n_items, dtype=np.int64)
    place[by_baskets] = np.arange(n_items)
    mask = (1 << w) - 1
    key = np.sort(((top - n_ab.astype(np.int64)) << 2 * w) | (place[a] << w) | b)
    a, b, n_ab = by_baskets[(key >> w) & mask], key & mask, top - (key >> 2 * w)
    order = np.argsort(-((n_baskets * n_ab) / (n_item[a] * n_item[b])), kind="stable")
    return a[order], b[order], n_ab[order]


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
    order_key: str = "order_id",
    product: str = "product_id",
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
    once per basket, whatever its number of lines or units. The counts are
    those of the matrix product :math:`X^\\top X`, with :math:`X` the basket x
    item matrix of 0/1: :math:`n_{AB}` off the diagonal, :math:`n_A` on it.
    With up to a few thousand items they are counted from the pairs of each
    basket, listed, into a dense items x items table (several times faster);
    larger catalogues take the sparse product.

    The few lines of formulas are written here rather than imported from an
    association-rules package: they read like their definitions, and pairs
    are what a placement decision needs.

    Parameters
    ----------
    items
        One row per order line (e.g. ``order_items``): a basket id and an item
        id. To work on categories instead of products, merge the category in
        first and pass ``product="category"``.
    order_key, product
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
        ``leverage``]; sorted by lift, count and confidence, from the highest
        (:math:`N` is ``count / support``, the number of distinct baskets of
        ``items``). No rows when no pair meets the thresholds.

    Raises
    ------
    DataError
        A missing column, missing ids, no rows, no basket with two different
        items (is ``order_key`` really the basket id?), ``min_support`` outside
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

    Confidence is 2/2 one way and 2/3 the other; lift is 4 x 2 / (3 x 2)
    both ways.
    """
    threshold, least = _check_threshold(min_support, min_count)
    cols = columns(items, "items", ids=[order_key, product])
    # basket codes in any order (only the counts matter): compact integer ids by offset
    b_code, baskets = codes(cols[order_key].to_numpy())
    i_code, labels = pd.factorize(cols[product], sort=True)
    n_baskets, n_items = len(baskets), len(labels)
    from scipy import sparse  # here, not at the top: a lesson's first cell stays light

    # the 0/1 basket x item matrix: scipy sums the duplicate lines of an item in a basket
    # into one entry (and sorts each basket's items), which then counts once
    incidence = sparse.csr_matrix(
        (np.ones(len(b_code), dtype=np.int64), (b_code, i_code)), shape=(n_baskets, n_items)
    )
    incidence.data[:] = 1
    n_item = np.bincount(incidence.indices, minlength=n_items)  # baskets holding each item
    a, b, n_ab = _together(incidence, n_items)
    if len(n_ab) == 0:
        raise DataError(
            "no basket holds two different items, so there are no pairs to count",
            table="items",
            column=order_key,
            rows=items[[order_key, product]].head(5),
            fix=f"check that {order_key!r} identifies a basket (an order), not a line, and that "
            f"{product!r} is the item",
        )
    support = n_ab / n_baskets
    keep = n_ab >= least
    if threshold is not None:
        keep &= support >= threshold - 1e-12
    a, b, n_ab = _ranked(a[keep], b[keep], n_ab[keep], n_item, n_baskets)
    support = n_ab / n_baskets
    p_a, p_b = n_item[a] / n_baskets, n_item[b] / n_baskets
    confidence = n_ab / n_item[a]
    # N n_AB / (n_A n_B) = confidence / P(B), with integer products so that lift(A, B) and
    # lift(B, A) are the same float (the same expression as in _ranked)
    lift = (n_baskets * n_ab) / (n_item[a] * n_item[b])
    out = pd.DataFrame({
        "antecedent": labels.take(a),
        "consequent": labels.take(b),
        "count": n_ab.astype(np.int64),
        "antecedent_support": p_a,
        "consequent_support": p_b,
        "support": support,
        "confidence": confidence,
        "lift": lift,
    })
    if leverage:
        out["leverage"] = support - p_a * p_b
    return out
