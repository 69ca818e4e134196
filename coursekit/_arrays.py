"""Integer keys: distinct keys by sorting, compact codes for ids, rows grouped by code.

numpy 2.3 and later answer ``np.unique(keys)`` (no ``return_*`` option) and
``np.unique(keys, return_index=True)`` with a hash table: on ten million
high-cardinality int64 keys that took about 9 s and 2 s where a sort and a
comparison of neighbours take 0.2 s (measured with numpy 2.4.6; see the
engagement section of ``benchmarks/RESULTS.md``). The keys built in coursekit
(customer code times a width plus a day or a cell) are such keys, so the
modules reduce them here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.errors import DataError


def _starts(sorted_keys: np.ndarray) -> np.ndarray:
    """True where a run of equal keys begins."""
    if len(sorted_keys) == 0:
        return np.zeros(0, dtype=bool)
    return np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1]))


def distinct(keys: np.ndarray) -> np.ndarray:
    """The distinct keys, sorted: the same as ``np.unique(keys)``.

    Examples
    --------
    >>> distinct(np.array([7, 3, 7, 1, 3])).tolist()
    [1, 3, 7]
    """
    ordered = np.sort(keys)
    return ordered[_starts(ordered)]


def distinct_first(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys, sorted, and the position of each one's first occurrence.

    The same as ``np.unique(keys, return_index=True)``.

    Examples
    --------
    >>> values, first = distinct_first(np.array([7, 3, 7, 1, 3]))
    >>> values.tolist(), first.tolist()
    ([1, 3, 7], [3, 1, 0])
    """
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = _starts(ordered)
    return ordered[starts], order[starts]


def codes(values: np.ndarray, *, sort: bool = False) -> tuple[np.ndarray, pd.Index]:
    """Codes 0..n-1 for ids, and the id of each code.

    Integer ids in a compact range (the usual case: customer numbers) are
    coded by offset, with no hashing: several times faster than
    ``pd.factorize`` on 10 million rows, and the ids come out sorted. Other
    ids go through ``pd.factorize``, in order of first appearance, or sorted
    with ``sort=True`` when they can be compared.

    Examples
    --------
    >>> c, ids = codes(np.array([12, 10, 12, 11]))
    >>> c.tolist(), ids.tolist()
    ([2, 0, 2, 1], [10, 11, 12])
    >>> c, ids = codes(np.array(["b", "a", "b"], dtype=object), sort=True)
    >>> c.tolist(), ids.tolist()
    ([1, 0, 1], ['a', 'b'])
    """
    values = np.asarray(values)
    if values.dtype.kind in "iu" and len(values):
        lo, hi = int(values.min()), int(values.max())
        span = hi - lo + 1
        if span <= 2 * len(values) + (1 << 16):
            offset = values - values.dtype.type(lo)
            present = np.zeros(span, dtype=bool)
            present[offset] = True
            remap = np.cumsum(present, dtype=np.int64) - 1
            ids = (np.flatnonzero(present) + lo).astype(values.dtype)
            return remap[offset], pd.Index(ids)
    try:
        found, uniques = pd.factorize(values, sort=sort)
    except TypeError:  # ids of mixed types cannot be sorted
        found, uniques = pd.factorize(values)
    return found.astype(np.int64, copy=False), pd.Index(uniques)


def group_order(groups: np.ndarray, n_groups: int,
                values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows in order of their group code, each group's rows in their own order, and
    ``values`` in that order.

    The same as ``order = np.argsort(groups, kind="stable")`` and ``values[order]``,
    by a counting sort: one pass to count the rows of each group, one to place
    each row (scipy's conversion of a sparse matrix from (row, column, value)
    triplets to compressed rows, with the group as the row and the position as
    the column). On ten million rows in a million random groups that took 0.25
    to 0.4 s where the stable argsort took 1.2 to 1.4 s (measured with numpy
    2.4.6 and scipy 1.17.1, both runs on a machine shared with other work; see
    also the engagement section of ``benchmarks/RESULTS.md``).

    Parameters
    ----------
    groups
        Group codes, whole numbers in ``0 .. n_groups - 1``.
    n_groups
        The number of groups (at least 1 when there are rows).
    values
        One value per row, taken along (numeric).

    Returns
    -------
    order : numpy.ndarray
        The positions of the rows, group by group (integers, int32 when they fit).
    values : numpy.ndarray
        ``values[order]``.

    Examples
    --------
    >>> order, values = group_order(np.array([1, 0, 1, 0]), 2, np.array([10, 11, 12, 13]))
    >>> order.tolist(), values.tolist()
    ([1, 3, 0, 2], [11, 13, 10, 12])
    """
    from scipy import sparse  # here, not at the top: a lesson's first cell stays light

    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.intp), values[:0].copy()
    # Every (group, position) cell holds one row, so nothing is summed; scipy places the
    # rows of a group in the order given (and would sort them by column, the same order,
    # if it did not).
    index = np.int32 if max(n, n_groups) < 2**31 else np.int64  # scipy's index type: 0.05 s less
    cells = (groups.astype(index, copy=False), np.arange(n, dtype=index))
    rows = sparse.csr_matrix((values, cells), shape=(n_groups, n))
    return rows.indices, rows.data


def positions(universe: pd.Index, ids: pd.Index | np.ndarray, *, table: str, other: str,
            customer: str) -> np.ndarray:
    """Position of every id in ``universe``; DataError if some are not there."""
    pos = universe.get_indexer(ids)
    if (pos < 0).any():
        missing = pd.Index(ids)[pos < 0].unique()
        raise DataError(
            f"{len(missing):,} customer(s) of {table} are not in {other}",
            table=other,
            column=customer,
            rows=pd.DataFrame({customer: missing[:5]}),
            fix=f"{other} must cover every customer of {table} (check the id column and its "
            f"type; filter {table} to the customers of {other} if that is what you mean)",
        )
    return pos
