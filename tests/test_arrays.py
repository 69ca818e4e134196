"""Distinct keys by sorting agree with np.unique."""

import numpy as np
import pytest

from coursekit._arrays import codes, distinct, distinct_first, group_order


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


@pytest.mark.parametrize("values", [
    np.array([5, 3, 5, 9, 3]),                        # compact integers: by offset
    np.array([10**12, 3, 10**12, -7]),                # sparse integers: through pandas
    np.array(["b", "a", "b", "c"], dtype=object),
])
@pytest.mark.parametrize("sort", [False, True])
def test_codes_map_back_to_the_ids(values: np.ndarray, sort: bool) -> None:
    found, ids = codes(values, sort=sort)
    assert found.dtype == np.int64
    assert ids.to_numpy()[found].tolist() == values.tolist()  # every row gets its own id back
    assert len(ids) == len(set(values.tolist()))
    if sort:
        assert ids.is_monotonic_increasing


def test_codes_of_ids_that_cannot_be_sorted_keep_first_appearance() -> None:
    found, ids = codes(np.array([2, "a", 2], dtype=object), sort=True)
    assert found.tolist() == [0, 1, 0] and ids.tolist() == [2, "a"]


@pytest.mark.parametrize("n, groups", [(0, 1), (1, 1), (1_000, 7), (5_000, 3_000)])
def test_group_order_is_a_stable_argsort(n: int, groups: int) -> None:
    rng = np.random.default_rng(n)
    codes_ = rng.integers(0, groups, n)
    values = rng.integers(-3, 3, n)  # zeros included: kept, not dropped as sparse zeros
    order, taken = group_order(codes_, groups, values)
    want = np.argsort(codes_, kind="stable")
    assert np.array_equal(order, want)
    assert np.array_equal(taken, values[want])
