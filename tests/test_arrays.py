"""Distinct keys by sorting agree with np.unique."""

import numpy as np
import pytest

from coursekit._arrays import distinct, distinct_first


@pytest.mark.parametrize("n, high", [(0, 5), (1, 5), (1_000, 10), (5_000, 10**12)])
def test_same_as_np_unique(n: int, high: int) -> None:
    keys = np.random.default_rng(n).integers(0, high, n)
    assert np.array_equal(distinct(keys), np.unique(keys))
    values, first = distinct_first(keys)
    want_values, want_first = np.unique(keys, return_index=True)
    assert np.array_equal(values, want_values)
    assert np.array_equal(first, want_first)  # the first occurrence, not any occurrence


def test_negative_keys_and_dtype_kept() -> None:
    keys = np.array([-3, 2, -3, 0], dtype=np.int64)
    assert distinct(keys).tolist() == [-3, 0, 2]
    assert distinct(keys).dtype == np.int64
