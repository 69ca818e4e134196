"""coursekit.governance.privacy: HMAC tokens against an independent computation, masks,
k-anonymity by hand, generalisation, the access policy, bad input."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest

from coursekit.errors import ArgumentError, DataError
from coursekit.governance import (
    AccessPolicy,
    generalise_age,
    generalise_time,
    k_anonymity,
    mask_phone,
    mask_text,
    pseudonymise,
    suppress,
)

SECRET = "a long secret kept apart from the data"


def token(value: str, secret: str = SECRET, length: int = 16) -> str:
    """The token computed here, independently of coursekit."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()[:length]


# --------------------------------------------------------------------------- pseudonyms


def test_token_is_the_keyed_hash():
    values = pd.Series(["13812345678", "13900001111", "13812345678", None, "张三"],
                       index=[5, 6, 7, 8, 9], name="phone")
    out = pseudonymise(values, SECRET)
    assert out.tolist()[:3] == [token("13812345678"), token("13900001111"),
                                token("13812345678")]
    assert out.iloc[3] is pd.NA
    assert out.iloc[4] == token("张三")  # UTF-8 text
    assert out.index.tolist() == [5, 6, 7, 8, 9] and out.name == "phone"
    assert out.iloc[0] != hashlib.sha256(b"13812345678").hexdigest()[:16]  # not a plain hash


def test_token_depends_on_the_secret_and_length():
    a = pseudonymise(["13812345678"], SECRET).iloc[0]
    b = pseudonymise(["13812345678"], "another secret").iloc[0]
    assert a != b
    assert pseudonymise(["13812345678"], SECRET, length=64).iloc[0] == token(
        "13812345678", length=64)
    assert pseudonymise(["x"], SECRET.encode()).iloc[0] == token("x")  # bytes secret
    assert pseudonymise([13812345678], SECRET).iloc[0] == a  # a phone read as a number


@pytest.mark.parametrize(("secret", "length"), [("", 16), (None, 16), (123, 16),
                                                (SECRET, 7), (SECRET, 65), (SECRET, 16.0)])
def test_token_bad_arguments(secret, length):
    with pytest.raises(ArgumentError):
        pseudonymise(["1"], secret, length=length)


def test_token_refuses_cells_that_are_no_identifier():
    with pytest.raises(DataError):
        pseudonymise(pd.Series([True]), SECRET)


# --------------------------------------------------------------------------- masks


@pytest.mark.parametrize(("raw", "expected"), [
    ("13812345678", "138****5678"), ("138-1234-5678", "138****5678"),
    ("+86 138 1234 5678", "138****5678"), ("１３８１２３４５６７８", "138****5678"),
    ("12345", None), ("", None), (None, None),
])
def test_mask_phone(raw, expected):
    got = mask_phone(pd.Series([raw], dtype=object)).iloc[0]
    assert (got is pd.NA) if expected is None else got == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("张三", "张*"), ("欧阳娜娜", "欧***"), (" 王 ", "*"), ("Li Lei", "L*****"),
    ("139 0000 1111", "139****1111"), ("王女士 13900001111", "王" + "*" * 14),
    ("  ", None), (None, None),
])
def test_mask_text(raw, expected):
    got = mask_text(pd.Series([raw], dtype=object)).iloc[0]
    assert (got is pd.NA) if expected is None else got == expected


# --------------------------------------------------------------------------- k-anonymity


def people() -> pd.DataFrame:
    """Classes by (age_band, city): (18-24, 北京) x3, (25-30, 北京) x2, (25-30, 上海) x4,
    (41+, 上海) x1, (41+, missing city) x2: 12 rows, 5 classes."""
    rows = ([("18-24", "北京")] * 3 + [("25-30", "北京")] * 2 + [("25-30", "上海")] * 4
            + [("41+", "上海")] + [("41+", None)] * 2)
    return pd.DataFrame(rows, columns=["age_band", "city"]).assign(spend=np.arange(12.0))


def test_k_anonymity_by_hand():
    r = k_anonymity(people(), ["age_band", "city"], k_target=3)
    assert (r.k, r.classes, r.rows, r.k_target) == (1, 5, 12, 3)
    assert r.rows_below == 1 + 2 + 2  # classes of 1, 2 and 2 rows
    assert r.share_below == pytest.approx(5 / 12)
    small = r.small_classes
    assert small["size"].tolist() == [1, 2, 2]
    assert list(small.columns) == ["age_band", "city", "size"]
    assert small.iloc[0][["age_band", "city"]].tolist() == ["41+", "上海"]
    assert pd.isna(small.set_index("size").loc[2, "city"]).any()  # missing is a value


def test_k_anonymity_of_coarser_identifiers():
    r = k_anonymity(people(), "age_band", k_target=3)
    assert (r.k, r.classes, r.rows_below) == (3, 3, 0)
    assert r.small_classes.empty
    assert k_anonymity(people(), ["age_band"], k_target=4).rows_below == 3 + 3


def test_k_anonymity_bad_input():
    with pytest.raises(DataError):
        k_anonymity(people(), ["gender"])
    with pytest.raises(DataError):
        k_anonymity(people().iloc[:0], ["age_band"])
    for bad in (1, 0, 2.5, True):
        with pytest.raises(ArgumentError):
            k_anonymity(people(), ["age_band"], k_target=bad)
    with pytest.raises(ArgumentError):
        k_anonymity(people(), [])


# --------------------------------------------------------------------------- generalise


def test_age_bands_are_the_courses():
    ages = pd.Series([0, 17.9, 18, 24, 24.99, 25, 30, 31, 35, 36, 40, 41, 99, None])
    out = generalise_age(ages)
    assert out.astype(object).where(out.notna(), None).tolist() == [
        "<18", "<18", "18-24", "18-24", "18-24", "25-30", "25-30", "31-35", "31-35", "36-40",
        "36-40", "41+", "41+", None]
    assert list(out.cat.categories) == ["<18", "18-24", "25-30", "31-35", "36-40", "41+"]
    assert out.cat.ordered
    assert generalise_age(["20", "70"], edges=(0, 65)).tolist() == ["0-64", "65+"]


def test_age_bad_input():
    for edges in ((25, 18), (), (18.5, 30), (-1, 10), "18"):
        with pytest.raises(ArgumentError):
            generalise_age([20], edges=edges)
    for values in ([-1], ["twenty"], [np.inf], [True]):
        with pytest.raises(DataError):
            generalise_age(values)


def test_time_to_periods():
    t = ["2025-10-03 14:22:05", "2025-12-31 23:59:59", None]
    assert generalise_time(t).tolist()[:2] == [pd.Timestamp("2025-10-01"),
                                               pd.Timestamp("2025-12-01")]
    assert generalise_time(t).isna().iloc[2]
    assert generalise_time(t, per="Q").iloc[1] == pd.Timestamp("2025-10-01")
    assert generalise_time(t, per="Y").iloc[0] == pd.Timestamp("2025-01-01")
    assert generalise_time(t, per="W").iloc[0] == pd.Timestamp("2025-09-29")  # a Monday
    assert generalise_time(t, per="D").iloc[0] == pd.Timestamp("2025-10-03")
    with pytest.raises(ArgumentError):
        generalise_time(t, per="month")
    with pytest.raises(DataError):
        generalise_time(["03/10/2025"])


# --------------------------------------------------------------------------- access


def members() -> pd.DataFrame:
    return pd.DataFrame({"member_no": ["M1", "M2"], "name": ["张三", "欧阳娜娜"],
                         "phone": ["13812345678", "+86 139 0000 1111"],
                         "city": ["北京", "上海"], "spend": [120.0, 80.0]})


def policy() -> AccessPolicy:
    return AccessPolicy({
        "store_staff": {"columns": ["member_no", "name", "phone"], "mask": ["name", "phone"]},
        "analyst": {"columns": ["member_no", "city", "spend"], "pseudonymise": ["member_no"]},
        "finance": {"columns": ["spend"]},
    })


def test_policy_shows_each_role_its_view():
    staff = policy().apply(members(), "store_staff")
    assert list(staff.columns) == ["member_no", "name", "phone"]
    assert staff["name"].tolist() == ["张*", "欧***"]
    assert staff["phone"].tolist() == ["138****5678", "139****1111"]
    analyst = policy().apply(members(), "analyst", secret=SECRET)
    assert list(analyst.columns) == ["member_no", "city", "spend"]
    assert analyst["member_no"].tolist() == [token("M1"), token("M2")]
    assert analyst["spend"].tolist() == [120.0, 80.0]
    assert list(policy().apply(members(), "finance").columns) == ["spend"]
    assert members()["name"].tolist() == ["张三", "欧阳娜娜"]  # the input is left alone


def test_policy_table():
    table = policy().describe()
    assert table.index.tolist() == ["member_no", "name", "phone", "city", "spend"]
    assert table.columns.tolist() == ["store_staff", "analyst", "finance"]
    assert table.loc["member_no"].tolist() == ["show", "pseudonymise", "hidden"]
    assert table.loc["phone"].tolist() == ["mask", "hidden", "hidden"]
    assert table.loc["spend"].tolist() == ["hidden", "show", "show"]
    assert policy().roles == ("store_staff", "analyst", "finance")


def test_policy_refuses():
    with pytest.raises(ArgumentError) as err:
        policy().apply(members(), "intern")
    assert err.value.name == "role"
    with pytest.raises(ArgumentError) as err:
        policy().apply(members(), "analyst")
    assert err.value.name == "secret"
    with pytest.raises(DataError):
        policy().apply(members().drop(columns="city"), "analyst", secret=SECRET)
    bad_specs = [
        {},
        {"x": ["member_no"]},
        {"x": {"mask": ["name"]}},
        {"x": {"columns": ["name"], "mask": ["phone"]}},
        {"x": {"columns": ["name"], "mask": ["name"], "pseudonymise": ["name"]}},
        {"x": {"columns": ["name"], "hide": ["name"]}},
        {"": {"columns": ["name"]}},
        {"x": {"columns": ["name", "name"]}},
    ]
    for spec in bad_specs:
        with pytest.raises(ArgumentError):
            AccessPolicy(spec)


# --------------------------------------------------------------------------- suppression


def test_suppress_by_hand():
    extract = pd.DataFrame({
        "age": ["18-30", "18-30", "18-30", "31-40", "31-40", "41+", None, None, "18-30"],
        "gender": ["f", "f", "f", "m", "m", "f", "m", "m", "m"],
        "spend": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0]},
        index=list("abcdefghi"))
    # classes: (18-30, f) 3 rows; (31-40, m) 2; (41+, f) 1; (missing, m) 2; (18-30, m) 1
    out = suppress(extract, ["age", "gender"], k_target=2)
    assert out.kept.index.tolist() == list("abcdegh")
    assert out.dropped.index.tolist() == ["f", "i"]
    assert out.share_dropped == pytest.approx(2 / 9)
    assert out.k == 2
    assert out.kept.columns.tolist() == extract.columns.tolist()
    three = suppress(extract, ["age", "gender"], k_target=3)
    assert three.kept.index.tolist() == list("abc") and three.k == 3
    assert three.share_dropped == pytest.approx(6 / 9)
    assert k_anonymity(three.kept, ["age", "gender"], k_target=3).rows_below == 0
    nothing = suppress(extract, "gender", k_target=10)
    assert nothing.kept.empty and len(nothing.dropped) == 9
    assert nothing.k == 0 and nothing.share_dropped == 1.0
    everything = suppress(extract, "gender", k_target=4)   # f 4 rows, m 5 rows
    assert everything.dropped.empty and everything.k == 4 and everything.share_dropped == 0.0
    # the input is left as it was
    assert len(extract) == 9


def test_suppress_categorical_quasi_identifiers():
    bands = pd.Categorical(["a", "a", "b"], categories=["a", "b", "c"])
    out = suppress(pd.DataFrame({"band": bands}), "band", k_target=2)
    assert out.kept.index.tolist() == [0, 1] and out.k == 2


def test_suppress_bad_input():
    df = pd.DataFrame({"age": ["18-30", "31-40"], "city": ["a", "b"]})
    with pytest.raises(DataError, match="missing column"):
        suppress(df, ["age", "zip"])
    with pytest.raises(ArgumentError, match="k_target"):
        suppress(df, "age", k_target=1)
    with pytest.raises(ArgumentError, match="k_target"):
        suppress(df, "age", k_target=2.5)
    with pytest.raises(ArgumentError, match="quasi_identifiers"):
        suppress(df, ["age", "age"])
    with pytest.raises(DataError):
        suppress(df.iloc[:0], "age")
    with pytest.raises(DataError):
        suppress([1, 2], "age")
    with pytest.raises(DataError, match="grouped"):
        suppress(pd.DataFrame({"age": [[1], [2]]}), "age")
