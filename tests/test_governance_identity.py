"""coursekit.governance.identity: transitive stitching across sources, what each rule
adds, pairwise precision and recall by hand and by brute force, bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit.errors import ArgumentError, DataError
from coursekit.governance import (
    identity_records,
    match_quality,
    normalise_phone,
    rule_scores,
    shared_identifiers,
    stitch,
)


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


# --------------------------------------------------------------------------- identity_records


def four_exports() -> dict[str, pd.DataFrame]:
    """The four raw identity exports in miniature, with hand-known answers."""
    return {
        "raw_app_accounts": pd.DataFrame({
            "account_id": ["A1", "A2", "T1"],
            "phone": ["13812345678", "１３９００００１１１１", "13700000000"]}),
        "raw_miniprogram_users": pd.DataFrame({
            "openid": ["O1", "O2"], "unionid": [" U1 ", ""],
            "phone": ["+86 138 1234 5678", None]}),
        "raw_pos_members": pd.DataFrame({
            "member_no": ["M1", "M2"], "name": [" 王 然 ", "李伟"],
            "phone": ["138-1234-5678", "1381234567"], "store_id": [7, 8]}),
        "raw_wecom_contacts": pd.DataFrame({
            "external_userid": ["W1", "W1", "W2", "W3"],
            "unionid": ["U1", "U1", None, "U3"],
            "remark": ["张女士", "张三 +86 150-1234-5678", "13900001111", None]}),
    }


def test_identity_records_by_hand():
    rec = identity_records(four_exports())
    assert rec["source"].tolist() == ["raw_app_accounts"] * 3 + ["raw_miniprogram_users"] * 2 \
        + ["raw_pos_members"] * 2 + ["raw_wecom_contacts"] * 3
    assert rec["key"].tolist() == ["A1", "A2", "T1", "O1", "O2", "M1", "M2", "W1", "W2", "W3"]
    na = None
    got = rec[["phone", "unionid", "remark_phone", "phone_or_remark", "name"]].astype(object)
    got = got.where(got.notna(), None).values.tolist()
    assert got == [
        ["13812345678", na, na, "13812345678", na],
        ["13900001111", na, na, "13900001111", na],
        ["13700000000", na, na, "13700000000", na],
        ["13812345678", "U1", na, "13812345678", na],
        [na, na, na, na, na],                                   # blank unionid: missing
        ["13812345678", na, na, "13812345678", "王 然"],          # trimmed, spaces collapsed
        [na, na, na, na, "李伟"],                                 # ten digits: invalid
        [na, "U1", "15012345678", "15012345678", "张女士"],        # second adviser's phone kept
        [na, na, "13900001111", "13900001111", na],             # a remark of a phone only
        [na, "U3", na, na, na],
    ]
    assert rec.loc[rec["key"] == "M2", "phone_as_written"].item() == "1381234567"
    assert rec["store_id"].tolist()[5:7] == [7, 8]
    assert rec["store_id"].isna().sum() == 8
    assert list(rec.columns) == ["source", "key", "phone_as_written", "phone", "unionid",
                                 "remark_phone", "phone_or_remark", "name", "store_id"]


def test_identity_records_options():
    ex = four_exports()
    off = identity_records(ex, remark_phones=False)
    assert off["remark_phone"].isna().all()
    assert off["phone_or_remark"].fillna("-").tolist() == off["phone"].fillna("-").tolist()
    # a name is still read from the remark, without the phone
    assert off.loc[off["key"] == "W1", "name"].item() == "张女士"
    assert identity_records(ex, exclude=["T1", "W3"])["key"].tolist() == [
        "A1", "A2", "O1", "O2", "M1", "M2", "W1", "W2"]
    by_source = identity_records(ex, exclude={"raw_app_accounts": ["T1"],
                                              "raw_pos_members": ["A1"]})  # no such card
    assert len(by_source) == 9 and "T1" not in set(by_source["key"])
    pairs = pd.DataFrame({"source": ["raw_pos_members", "raw_app_accounts"], "key": ["M2", "M2"]})
    assert "M2" not in set(identity_records(ex, exclude=pairs)["key"])
    # another export, keyed by its own column; and a default overridden
    crm = pd.DataFrame({"customer_no": [1, 2], "phone": [13812345678, None]})
    out = identity_records({"crm": crm, "raw_app_accounts": ex["raw_app_accounts"].rename(
        columns={"account_id": "uid"})}, keys={"crm": "customer_no", "raw_app_accounts": "uid"})
    assert out["key"].tolist() == [1, 2, "A1", "A2", "T1"]
    assert out["phone"].tolist()[0] == "13812345678"


def test_identity_records_bad_input():
    ex = four_exports()
    with pytest.raises(ArgumentError, match="exports"):
        identity_records([ex["raw_app_accounts"]])
    with pytest.raises(ArgumentError, match="exports"):
        identity_records({})
    with pytest.raises(ArgumentError, match="no key column"):
        identity_records({"crm": ex["raw_app_accounts"]})
    with pytest.raises(ArgumentError, match="not given"):
        identity_records(ex, keys={"crm": "id"})
    with pytest.raises(ArgumentError, match="exclude"):
        identity_records(ex, exclude="T1")
    with pytest.raises(ArgumentError, match="remark_phones"):
        identity_records(ex, remark_phones="no")
    with pytest.raises(DataError, match="raw_app_accounts") as err:
        identity_records({"raw_app_accounts": ex["raw_app_accounts"].drop(columns="account_id")})
    assert err.value.table == "raw_app_accounts"
    gap = ex["raw_pos_members"].assign(member_no=["M1", None])
    with pytest.raises(DataError, match="missing ids") as err:
        identity_records({"raw_pos_members": gap})
    assert err.value.table == "raw_pos_members" and len(err.value.rows) == 1
    flags = ex["raw_app_accounts"].assign(phone=[True, False, True])
    with pytest.raises(DataError, match="True/False") as err:
        identity_records({"raw_app_accounts": flags})
    assert err.value.table == "raw_app_accounts"
    with pytest.raises(DataError):
        identity_records({"raw_app_accounts": "not a table"})
    with pytest.raises(DataError, match="exclude"):
        identity_records(ex, exclude=pd.DataFrame({"key": ["T1"]}))


def test_identity_records_on_the_course_data(tables):
    names = ["raw_app_accounts", "raw_miniprogram_users", "raw_pos_members",
             "raw_wecom_contacts"]
    keys = ["account_id", "openid", "member_no", "external_userid"]
    exports = {name: tables[name] for name in names}
    rec = identity_records(exports)
    for name, key in zip(names, keys, strict=True):
        mine = rec.loc[rec["source"] == name, "key"]
        assert len(mine) == exports[name][key].nunique(), name
        assert set(mine) == set(exports[name][key])
    raw = coursekit.truth()["raw"]
    staff = raw["staff_test_keys"]
    kept = identity_records(exports, exclude=staff)
    assert len(kept) == raw["stitching"]["records"]
    assert kept["source"].value_counts().to_dict() == raw["stitching"]["records_per_table"]
    # the same stitching the truth reports, on the phones read here
    people = stitch(kept, ["phone", "unionid"]).rules["people"].tolist()
    assert people == [raw["stitching"]["normalised_phone"]["clusters"],
                      raw["stitching"]["normalised_phone_and_unionid"]["clusters"]]
    # remark phones as a plain reading of the remarks finds them
    wecom = tables["raw_wecom_contacts"]
    typed = wecom["remark"].str.replace(r"\s", "", regex=True).str.extract(
        r"(1[3-9][0-9]{9})", expand=False).dropna()
    found = kept.loc[kept["source"] == "raw_wecom_contacts"].set_index("key")["remark_phone"]
    first = wecom.loc[typed.index, "external_userid"]
    assert found.loc[first].notna().all()
    assert kept.loc[kept["source"] != "raw_wecom_contacts", "remark_phone"].isna().all()


# --------------------------------------------------------------------------- shared_identifiers


def test_shared_identifiers_by_hand():
    records = pd.DataFrame({
        "phone": ["P1", "P1", "P1", "P1", "P2", "P2", "P3", "P3", " P4", "P4", None, None],
        "name": ["王芳", "李 伟", "李伟", None, "刘洋", "陈静", "周杰", "周 杰", "A", "b",
                 "x", "y"],
        "store_id": [7, 7, 9, 7, 2, 3, 4, 4, 5, 5, 1, 1]})
    out = shared_identifiers(records)
    # P1: 4 records, names 王芳 and 李伟 (李 伟 is 李伟; the unnamed record counts among records)
    # P2: 2 records, 2 names, stores 2 and 3 (tie: smallest); P3: one name; P4 trimmed, 2 names
    assert out.columns.tolist() == ["phone", "records", "names", "stores", "top_store"]
    assert out.values.tolist() == [["P1", 4, 2, 2, 7], ["P2", 2, 2, 2, 2], ["P4", 2, 2, 1, 5]]
    three = shared_identifiers(records, min_names=3)
    assert three.empty and three.columns.tolist() == out.columns.tolist()
    plain = shared_identifiers(records.rename(columns={"phone": "tel", "name": "holder"}),
                               "tel", name="holder", store=None)
    assert plain.columns.tolist() == ["tel", "records", "names"]
    assert plain["tel"].tolist() == ["P1", "P2", "P4"]


def test_shared_identifiers_bad_input():
    records = pd.DataFrame({"phone": ["P1", "P1"], "name": ["a", "b"], "store_id": [1, 1]})
    with pytest.raises(DataError, match="missing column"):
        shared_identifiers(records.drop(columns="store_id"))
    with pytest.raises(ArgumentError, match="min_names"):
        shared_identifiers(records, min_names=1)
    with pytest.raises(ArgumentError, match="identifier"):
        shared_identifiers(records, identifier=["phone", "name"][:0])
    with pytest.raises(DataError, match="True/False"):
        shared_identifiers(records.assign(name=[True, False]))
    with pytest.raises(DataError):
        shared_identifiers(records["phone"])


# --------------------------------------------------------------------------- rule_scores


def test_rule_scores_by_hand():
    records = three_sources()
    records["phone"] = normalise_phone(records["phone"]).values
    truth = records[["source", "key", "user_id"]]
    out = rule_scores(records.drop(columns="user_id"), ["phone", "unionid"], truth)
    # by phone: {A1, M1}, {A2, M2}, W1, O1, O2 -> 5 people, 2 pairs merged, both right;
    # true pairs: C(4,2) + C(2,2) = 7. With unionid: {A1, M1, W1, O1} too: 7 pairs, all right.
    assert out.columns.tolist() == ["rule", "people", "precision", "recall", "f1",
                                    "pairs_merged", "pairs_correct"]
    assert out["rule"].tolist() == ["phone", "unionid"]
    assert out["people"].tolist() == [5, 3]
    assert out["pairs_merged"].tolist() == [2, 7]
    assert out["pairs_correct"].tolist() == [2, 7]
    assert out["precision"].tolist() == [1.0, 1.0]
    assert out["recall"].tolist() == pytest.approx([2 / 7, 1.0])
    assert out["f1"].tolist() == pytest.approx([2 * (2 / 7) / (1 + 2 / 7), 1.0])
    # a wrong merge: B's phone typed on a record of person 3
    wrong = records.assign(phone=records["phone"].where(records["key"] != "O2", "13900001111"))
    bad = rule_scores(wrong, "phone", truth)
    # {A1, M1}: 1 pair, right; {A2, M2, O2}: 3 pairs, 1 right
    assert bad[["people", "pairs_merged", "pairs_correct"]].values.tolist() == [[4, 4, 2]]
    assert bad["precision"].item() == 0.5


def test_rule_scores_bad_input():
    records = three_sources()
    truth = records[["source", "key", "user_id"]]
    with pytest.raises(ArgumentError, match="rules"):
        rule_scores(records, [], truth)
    with pytest.raises(DataError, match="missing column"):
        rule_scores(records, ["email"], truth)
    with pytest.raises(DataError, match="not in truth"):
        rule_scores(records, ["phone"], truth.iloc[:3])
    with pytest.raises(DataError, match="missing column"):
        rule_scores(records, ["phone"], truth.rename(columns={"user_id": "person"}))
