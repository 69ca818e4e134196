"""coursekit.governance.identity: transitive stitching across sources, what each rule
adds, pairwise precision and recall by hand and by brute force, bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from coursekit.errors import ArgumentError, DataError
from coursekit.governance import match_quality, normalise_phone, stitch


def three_sources() -> pd.DataFrame:
    """Seven records of three true people (user 1, 2, 3) in four touchpoints.

    user 1: app A1 (phone P1) -- pos M1 (phone P1, unionid U1) -- wecom W1 (unionid U1)
            -- mini O1 (unionid U1, no phone): one person only through both rules;
    user 2: app A2 (phone P2) and pos M2 (phone P2 written another way, full-width);
    user 3: mini O2 (no phone, no unionid): alone.
    """
    return pd.DataFrame({
        "source": ["app", "pos", "wecom", "mini_program", "app", "pos", "mini_program"],
        "key": ["A1", "M1", "W1", "O1", "A2", "M2", "O2"],
        "phone": ["13812345678", "138-1234-5678", None, None, "13900001111",
                  "１３９００００１１１１", None],
        "unionid": [None, "U1", " U1", "U1", None, "", None],
        "user_id": [1, 1, 1, 1, 2, 2, 3],
    })


def records() -> pd.DataFrame:
    r = three_sources()
    return r.assign(phone=normalise_phone(r["phone"]).values)


def test_transitive_merge_across_sources():
    out = stitch(records(), ["phone", "unionid"])
    # person ids in order of each person's first record
    assert out.people["person_id"].tolist() == [1, 1, 1, 1, 2, 2, 3]
    assert out.people[["source", "key"]].equals(records()[["source", "key"]])
    assert out.people.index.equals(records().index)


def test_each_rule_reports_what_it_added():
    out = stitch(records(), ["phone", "unionid"])
    rules = out.rules.set_index("rule")
    # phone: A1-M1 and A2-M2 linked: 7 records -> 5 people
    assert rules.loc["phone"].tolist() == [4, 2, 4, 2, 5, 2]
    # unionid (U1 on M1, W1, O1; " U1" trimmed; "" is missing): W1 and O1 join A1+M1
    assert rules.loc["unionid"].tolist() == [3, 1, 3, 2, 3, 4]


def test_rule_order_changes_the_summary_not_the_people():
    a = stitch(records(), ["phone", "unionid"])
    b = stitch(records(), ["unionid", "phone"])
    assert a.people["person_id"].tolist() == b.people["person_id"].tolist()
    assert b.rules["merges"].tolist() == [2, 2]  # unionid: M1, W1, O1 -> 1; phone: 2 merges
    assert a.rules["people"].iloc[-1] == b.rules["people"].iloc[-1] == 3


def test_missing_and_blank_values_link_nothing():
    r = pd.DataFrame({"source": "app", "key": ["a", "b", "c", "d"],
                      "phone": [None, None, "", "  "]})
    out = stitch(r, "phone")
    assert out.people["person_id"].tolist() == [1, 2, 3, 4]
    assert out.rules.loc[0, "records_with_value"] == 0
    assert out.rules.loc[0, "merges"] == 0


def test_unnormalised_phones_do_not_match():
    """stitch compares after NFKC only: full-width digits match, dashes do not."""
    out = stitch(three_sources(), ["phone"])
    assert out.people["person_id"].tolist() == [1, 2, 3, 4, 5, 5, 6]


def test_a_shared_value_chains_people_and_shows_in_largest():
    """A placeholder phone typed into three people's records joins them all."""
    r = pd.DataFrame({"source": "pos", "key": list("abcdef"),
                      "phone": ["13800000000", "13800000000", "13800000000", "13911112222",
                                "13911112222", "13733334444"]})
    out = stitch(r, "phone")
    assert out.rules.loc[0, "largest"] == 3
    assert out.rules.loc[0, "shared_values"] == 2
    assert out.people["person_id"].tolist() == [1, 1, 1, 2, 2, 3]


def test_numbers_as_identifiers():
    r = pd.DataFrame({"source": "pos", "key": [1, 2, 3], "phone": [13812345678, 13812345678,
                                                                   np.nan]})
    assert stitch(r, "phone").people["person_id"].tolist() == [1, 1, 2]


def test_stitch_bad_input():
    r = records()
    with pytest.raises(DataError):
        stitch(r, ["email"])
    with pytest.raises(DataError):
        stitch(r.drop(columns="source"), ["phone"])
    with pytest.raises(DataError):  # (source, key) repeated
        stitch(pd.concat([r, r.iloc[:1]]), ["phone"])
    with pytest.raises(DataError):
        stitch(r.assign(key=[None, "M1", "W1", "O1", "A2", "M2", "O2"]), ["phone"])
    with pytest.raises(DataError):
        stitch(r.iloc[:0], ["phone"])
    with pytest.raises(DataError):
        stitch(r.assign(phone=[True] * 7), ["phone"])
    for bad in ([], ["phone", "phone"], [1], None):
        with pytest.raises(ArgumentError):
            stitch(r, bad)


# --------------------------------------------------------------------------- quality


def pairs_by_enumeration(assigned: list, truth: list) -> tuple[int, int, int]:
    """Every pair of records listed: merged, truly together, both."""
    merged = together = both = 0
    for i, j in itertools.combinations(range(len(assigned)), 2):
        a, t = assigned[i] == assigned[j], truth[i] == truth[j]
        merged += a
        together += t
        both += a and t
    return merged, together, both


def frames(assigned: list, truth: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    keys = [f"r{i}" for i in range(len(assigned))]
    return (pd.DataFrame({"source": "s", "key": keys, "person_id": assigned}),
            pd.DataFrame({"source": "s", "key": keys, "user_id": truth}))


def test_precision_and_recall_by_hand():
    """Truth: {a b c d} {e f} {g}; assigned: {a b} {c d e} {f g}.

    pairs merged: ab, cd, ce, de, fg = 5; true pairs: C(4,2) + C(2,2) = 7;
    correct: ab, cd = 2 -> precision 2/5, recall 2/7, F1 = 2 (0.4)(2/7) / (0.4 + 2/7) = 1/3.
    """
    assigned, truth = frames([1, 1, 2, 2, 2, 3, 3], [10, 10, 10, 10, 20, 20, 30])
    q = match_quality(assigned, truth)
    assert (q.pairs_merged, q.pairs_true, q.pairs_correct) == (5, 7, 2)
    assert q.precision == pytest.approx(0.4)
    assert q.recall == pytest.approx(2 / 7)
    assert q.f1 == pytest.approx(1 / 3)
    assert (q.people_found, q.people_true, q.records, q.records_unknown) == (3, 3, 7, 0)


def test_stitching_scored_against_its_truth():
    r = records()
    out = stitch(r, ["phone", "unionid"])
    truth = r[["source", "key", "user_id"]]
    q = match_quality(out.people, truth)
    assert (q.precision, q.recall, q.f1) == (1.0, 1.0, 1.0)
    only_phone = match_quality(stitch(r, ["phone"]).people, truth)
    # user 1's 4 records give 6 true pairs, user 2's 2 give 1: 7; phone finds A1-M1, A2-M2
    assert only_phone.pairs_true == 7 and only_phone.pairs_correct == 2
    assert only_phone.precision == 1.0 and only_phone.recall == pytest.approx(2 / 7)


def test_a_phone_typo_costs_recall():
    r = records()
    r.loc[1, "phone"] = "13812345679"  # one digit off on the member card
    q = match_quality(stitch(r, ["phone", "unionid"]).people, r[["source", "key", "user_id"]])
    # M1 still joins W1 and O1 by unionid, but not A1: user 1 in two people {A1} {M1 W1 O1}
    assert (q.pairs_merged, q.pairs_true, q.pairs_correct) == (4, 7, 4)
    assert q.precision == 1.0 and q.recall == pytest.approx(4 / 7)
    assert q.people_found == 4 and q.people_true == 3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_contingency_counts_equal_enumeration(seed):
    rng = np.random.default_rng(seed)
    assigned = rng.integers(0, 8, 40).tolist()
    truth = rng.integers(0, 6, 40).tolist()
    q = match_quality(*frames(assigned, truth))
    assert (q.pairs_merged, q.pairs_true, q.pairs_correct) == pairs_by_enumeration(
        assigned, truth)


def test_extremes():
    truth = [1, 1, 2, 2, 2]
    singletons = match_quality(*frames([1, 2, 3, 4, 5], truth))
    assert np.isnan(singletons.precision) and singletons.recall == 0.0
    assert np.isnan(singletons.f1)
    everyone = match_quality(*frames([1] * 5, truth))
    assert everyone.recall == 1.0 and everyone.precision == pytest.approx(4 / 10)
    nobody_together = match_quality(*frames([1, 1, 2, 3, 4], [1, 2, 3, 4, 5]))
    assert nobody_together.precision == 0.0 and np.isnan(nobody_together.recall)


def test_unknown_true_people_are_left_out_and_counted():
    assigned, truth = frames([1, 1, 2, 2], [10, 10, None, 20])
    truth["user_id"] = truth["user_id"].astype("Int64")
    q = match_quality(assigned, truth)
    assert q.records == 3 and q.records_unknown == 1
    assert (q.pairs_merged, q.pairs_true, q.pairs_correct) == (1, 1, 1)


def test_truth_may_hold_more_records_and_other_names():
    assigned, truth = frames([1, 1], [10, 10])
    extra = pd.concat([truth, pd.DataFrame({"source": ["t"], "key": ["x"], "user_id": [99]})])
    assert match_quality(assigned, extra).precision == 1.0
    renamed = truth.rename(columns={"user_id": "person", "source": "table"})
    q = match_quality(assigned.rename(columns={"source": "table", "person_id": "pid"}), renamed,
                      source="table", person="pid", customer="person")
    assert q.pairs_correct == 1


def test_truth_may_list_a_record_twice_with_one_person():
    assigned, truth = frames([1, 1, 2], [10, 10, 20])
    copies = pd.concat([truth, truth.iloc[[0]]], ignore_index=True)
    assert match_quality(assigned, copies).pairs_correct == 1
    conflict = pd.concat([truth, truth.iloc[[0]].assign(user_id=20)], ignore_index=True)
    with pytest.raises(DataError):
        match_quality(assigned, conflict)


def test_quality_bad_input():
    assigned, truth = frames([1, 1, 2], [10, 10, 20])
    with pytest.raises(DataError):  # a record the truth does not know
        match_quality(assigned, truth.iloc[:2])
    with pytest.raises(DataError):
        match_quality(assigned, truth.assign(key=[1, 2, 3]))  # keys of another type
    with pytest.raises(DataError):
        match_quality(assigned, truth.assign(user_id=None))
    with pytest.raises(DataError):
        match_quality(assigned.drop(columns="person_id"), truth)
    with pytest.raises(DataError):
        match_quality(pd.concat([assigned, assigned.iloc[:1]]), truth)
    with pytest.raises(DataError):
        match_quality(assigned.assign(person_id=[1, None, 2]), truth)
