"""Basket analysis: a hand-computed example, symmetry, duplicates, bad input, course data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit.basket import pairs
from coursekit.errors import ArgumentError, DataError


def five_baskets() -> pd.DataFrame:
    """1: A B C; 2: A B; 3: A C; 4: B; 5: A B D.

    N = 5; n_A = 4, n_B = 4, n_C = 2, n_D = 1;
    n_AB = 3 (1, 2, 5), n_AC = 2 (1, 3), n_BC = 1 (1), n_AD = n_BD = 1 (5), n_CD = 0.
    """
    lines = [(1, "A"), (1, "B"), (1, "C"), (2, "A"), (2, "B"), (3, "A"), (3, "C"), (4, "B"),
             (5, "A"), (5, "B"), (5, "D")]
    return pd.DataFrame(lines, columns=["order_id", "product_id"])


def row(out: pd.DataFrame, a: str, b: str) -> pd.Series:
    hit = out[(out["antecedent"] == a) & (out["consequent"] == b)]
    assert len(hit) == 1, (a, b)
    return hit.iloc[0]


# Worked out by hand from the baskets above:
#   pair     support  confidence a->b   confidence b->a   lift = confidence / P(consequent)
#   A, B     3/5      3/4               3/4               (3/4) / (4/5) = 0.9375
#   A, C     2/5      2/4               2/2               (2/4) / (2/5) = 1.25
#   B, C     1/5      1/4               1/2               (1/4) / (2/5) = 0.625
#   A, D     1/5      1/4               1/1               (1/4) / (1/5) = 1.25
#   B, D     1/5      1/4               1/1               1.25
EXPECTED = {
    ("A", "B"): (3, 0.6, 0.75, 0.9375), ("B", "A"): (3, 0.6, 0.75, 0.9375),
    ("A", "C"): (2, 0.4, 0.5, 1.25), ("C", "A"): (2, 0.4, 1.0, 1.25),
    ("B", "C"): (1, 0.2, 0.25, 0.625), ("C", "B"): (1, 0.2, 0.5, 0.625),
    ("A", "D"): (1, 0.2, 0.25, 1.25), ("D", "A"): (1, 0.2, 1.0, 1.25),
    ("B", "D"): (1, 0.2, 0.25, 1.25), ("D", "B"): (1, 0.2, 1.0, 1.25),
}


def test_hand_computed_five_baskets():
    out = pairs(five_baskets(), leverage=True)
    np.testing.assert_allclose(out["count"] / out["support"], 5)  # N = 5 baskets
    assert len(out) == len(EXPECTED)  # C and D never meet: no row
    for (a, b), (count, support, confidence, lift) in EXPECTED.items():
        r = row(out, a, b)
        assert r["count"] == count
        assert r["support"] == pytest.approx(support)
        assert r["confidence"] == pytest.approx(confidence)
        assert r["lift"] == pytest.approx(lift)
    r = row(out, "A", "C")
    assert r["antecedent_support"] == pytest.approx(0.8)
    assert r["consequent_support"] == pytest.approx(0.4)
    assert r["leverage"] == pytest.approx(0.4 - 0.8 * 0.4)  # 0.08
    assert row(out, "A", "B")["leverage"] == pytest.approx(0.6 - 0.8 * 0.8)  # -0.04
    assert list(out.columns) == ["antecedent", "consequent", "count", "antecedent_support",
                                 "consequent_support", "support", "confidence", "lift",
                                 "leverage"]
    assert "leverage" not in pairs(five_baskets()).columns


def test_sorted_by_lift_then_count():
    out = pairs(five_baskets())
    assert out["lift"].is_monotonic_decreasing
    # among lift 1.25, the pair bought together twice (A, C) comes first
    assert set(out.iloc[:2][["antecedent", "consequent"]].itertuples(index=False)) == {
        ("C", "A"), ("A", "C")}


def test_thresholds():
    both = pairs(five_baskets(), min_support=0.4)
    assert {(a, b) for a, b in both[["antecedent", "consequent"]].itertuples(index=False)} == {
        ("A", "B"), ("B", "A"), ("A", "C"), ("C", "A")}
    assert pairs(five_baskets(), min_count=2).equals(both)
    assert len(pairs(five_baskets(), min_support=0.6)) == 2
    empty = pairs(five_baskets(), min_count=4)
    assert len(empty) == 0 and "lift" in empty.columns


def test_duplicate_lines_count_once():
    base = five_baskets()
    dup = pd.concat([base, base.iloc[[0, 0, 3]], pd.DataFrame({"order_id": [4],
                                                               "product_id": ["B"]})])
    out, ref = pairs(dup), pairs(base)
    pd.testing.assert_frame_equal(out.reset_index(drop=True), ref.reset_index(drop=True))
    # a basket of one item bought on two lines is still a one-item basket: no pair
    solo = pd.DataFrame({"order_id": [1, 1, 2, 2], "product_id": ["x", "x", "x", "y"]})
    out = pairs(solo)
    assert len(out) == 2 and (out["count"] == 1).all()
    assert row(out, "y", "x")["confidence"] == 1.0 and row(out, "x", "y")["confidence"] == 0.5


def random_items(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 400
    return pd.DataFrame({"basket": rng.integers(0, 120, n), "sku": rng.integers(0, 12, n)})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_symmetry_and_brute_force(seed):
    items = random_items(seed)
    out = pairs(items, order_key="basket", product="sku", leverage=True)
    keyed = out.set_index(["antecedent", "consequent"])
    swapped = out.set_index(["consequent", "antecedent"]).reindex(keyed.index)
    for col in ["count", "support", "lift", "leverage"]:
        np.testing.assert_array_equal(keyed[col].to_numpy(), swapped[col].to_numpy())
    # confidence(A->B) * P(A) = support = confidence(B->A) * P(B)
    np.testing.assert_allclose(keyed["confidence"] * keyed["antecedent_support"],
                               keyed["support"])
    np.testing.assert_allclose(swapped["confidence"] * swapped["antecedent_support"],
                               keyed["support"])
    # brute force with Python sets on a few pairs
    sets = items.groupby("basket")["sku"].agg(set)
    n = len(sets)
    for (a, b), r in keyed.head(5).iterrows():
        n_a = sum(a in s for s in sets)
        n_b = sum(b in s for s in sets)
        n_ab = sum(a in s and b in s for s in sets)
        assert r["count"] == n_ab
        assert r["confidence"] == pytest.approx(n_ab / n_a)
        assert r["lift"] == pytest.approx(n * n_ab / (n_a * n_b))
    np.testing.assert_allclose(out["count"] / out["support"], n)


def test_categories_from_products():
    items = pd.DataFrame({"order_id": [1, 1, 1, 2, 2, 3], "product_id": [1, 2, 3, 1, 3, 2]})
    products = pd.DataFrame({"product_id": [1, 2, 3],
                             "category": pd.Categorical(["nuts", "nuts", "tea"])})
    out = pairs(items.merge(products, on="product_id"), product="category")
    # baskets as categories: {nuts, tea}, {nuts, tea}, {nuts}
    assert len(out) == 2
    assert row(out, "tea", "nuts")["confidence"] == 1.0
    assert row(out, "nuts", "tea")["support"] == pytest.approx(2 / 3)
    assert row(out, "nuts", "tea")["lift"] == pytest.approx(1.0)


# --------------------------------------------------------------------------- bad input


def test_missing_column():
    with pytest.raises(DataError) as err:
        pairs(five_baskets().rename(columns={"product_id": "sku"}))
    assert err.value.column == ["product_id"] and err.value.table == "items"


def test_missing_ids():
    items = five_baskets().astype({"order_id": "float64"})
    items.loc[2, "order_id"] = np.nan
    with pytest.raises(DataError, match="missing ids") as err:
        pairs(items)
    assert err.value.column == "order_id"


def test_empty():
    with pytest.raises(DataError, match="empty"):
        pairs(five_baskets().iloc[:0])


@pytest.mark.parametrize("bad", [0, 0.0, -0.1, 1.5, "0.1", True, float("nan")])
def test_min_support_outside_unit_interval(bad):
    with pytest.raises(ArgumentError, match="min_support") as err:
        pairs(five_baskets(), min_support=bad)
    assert err.value.name == "min_support"


def test_min_support_one_is_allowed():
    assert len(pairs(five_baskets(), min_support=1)) == 0


@pytest.mark.parametrize("bad", [0, -3, 2.5])
def test_min_count_below_one(bad):
    with pytest.raises(ArgumentError, match="min_count"):
        pairs(five_baskets(), min_count=bad)


def test_no_basket_with_two_items():
    lines = five_baskets().assign(order_id=range(11))  # one line per "basket"
    with pytest.raises(DataError, match="no basket holds two different items") as err:
        pairs(lines)
    assert err.value.column == "order_id"


def test_not_a_dataframe():
    with pytest.raises(DataError):
        pairs([(1, "A"), (1, "B")])  # type: ignore[arg-type]


# --------------------------------------------------------------------------- course data


def test_course_data_categories_that_sell_together():
    items = coursekit.load("order_items")
    products = coursekit.load("products")
    by_product = pairs(items, min_count=30)
    np.testing.assert_allclose(by_product["count"] / by_product["support"],
                               items["order_id"].nunique())
    assert (by_product["count"] >= 30).all()
    by_category = pairs(items.merge(products[["product_id", "category"]], on="product_id"),
                        product="category")
    top = {frozenset(p) for p in
           by_category.head(6)[["antecedent", "consequent"]].itertuples(index=False)}
    # the three category pairs the shop should shelve (and pick) together
    assert top == {frozenset({"oats", "dried_fruit"}), frozenset({"pastry", "tea"}),
                   frozenset({"jerky", "nuts"})}
    # each bought together clearly more often than chance (lift 1.4-2.6 on World 2)
    assert (by_category.head(6)["lift"] > 1.3).all()
    assert (by_category["support"] <= 1).all() and (by_category["lift"] > 0).all()


# --------------------------------------------------------------------------- order and counting


def test_order_is_lift_count_confidence_then_ids_among_many_ties():
    rng = np.random.default_rng(3)
    items = pd.DataFrame({"order_id": rng.integers(0, 400, 1200),
                          "product_id": rng.integers(0, 40, 1200)})
    out = pairs(items)
    assert out.duplicated(["lift", "count", "confidence"]).sum() > len(out) // 4  # ties
    again = out.sort_values(["lift", "count", "confidence", "antecedent", "consequent"],
                            ascending=[False, False, False, True, True], kind="stable")
    pd.testing.assert_frame_equal(out, again.reset_index(drop=True), check_exact=True)


@pytest.mark.parametrize("seed", [0, 1])
def test_sparse_product_and_listed_pairs_agree(seed, monkeypatch):
    """Small catalogues count each basket's pairs into a dense table, large ones take the
    sparse product X^T X: the same frame, bit for bit."""
    rng = np.random.default_rng(seed)
    items = pd.DataFrame({"order_id": rng.integers(0, 300, 600),
                          "product_id": rng.integers(0, 80, 600) * 7})
    listed = pairs(items, leverage=True)
    monkeypatch.setattr("coursekit.basket._DENSE_CELLS", 0)  # 80 x 80 cells > the entries
    pd.testing.assert_frame_equal(pairs(items, leverage=True), listed, check_exact=True)
