"""Distinct integer keys by sorting.

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
