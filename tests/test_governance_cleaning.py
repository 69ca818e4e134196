"""coursekit.governance.cleaning: normalisers table-driven, deduplication and the
cleaning report on hand-built raw frames with planted problems, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit.errors import ArgumentError, DataError
from coursekit.governance import (
    CHECKS,
    CITIES,
    cleaning_report,
    contract_labels,
    deduplicate,
    normalise_city,
    normalise_phone,
    normalise_status,
    normalise_text,
    parse_amount,
    parse_time,
)
from coursekit.schema import TABLES, Column, Table

# --------------------------------------------------------------------------- phones

PHONES = [
    ("13812345678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 13812345678", "13812345678"),
    ("13812345678 ", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),  # full-width digits
    ("138 1234 5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("0086-138-1234-5678", "13812345678"),
    ("8613812345678", "13812345678"),
    ("+86 (138) 1234-5678", "13812345678"),
    ("＋８６　１３８－１２３４－５６７８", "13812345678"),  # full-width plus, space, dash
    ("199.0000.1111", "19900001111"),
    ("12812345678", None),  # second digit 2: no mobile number
    ("1381234567", None),  # 10 digits
    ("138123456789", None),  # 12 digits
    ("010-12345678", None),  # a landline
    ("+1 138 1234 5678", None),  # another country code
    ("1381234567a", None),
    ("١٣٨١٢٣٤٥٦٧٨", None),  # Arabic-Indic digits: not folded by NFKC, not ASCII
    ("", None),
    ("   ", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), PHONES)
def test_phone_formats(raw, expected):
    got = normalise_phone(pd.Series([raw], dtype=object)).values.iloc[0]
    if expected is None:
        assert got is pd.NA
    else:
        assert got == expected


def test_phone_report_counts_each_outcome():
    raw = pd.Series(["13812345678", "138-1234-5678", "１３８１２３４５６７８", "12345", None,
                     "13900001111"], index=[10, 11, 12, 13, 14, 15], name="phone")
    out = normalise_phone(raw)
    assert out.values.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert out.values.name == "phone"
    counts = dict(zip(out.report["outcome"], out.report["count"], strict=True))
    assert counts == {"unchanged": 2, "reformatted": 2, "invalid": 1, "missing": 1}
    assert out.report["share"].sum() == pytest.approx(1.0)
    assert out.report.set_index("outcome").loc["invalid", "examples"] == ["12345"]
    assert out.count("invalid") == 1
    with pytest.raises(ArgumentError):
        out.count("nonsense")


def test_phone_numbers_read_as_numbers():
    out = normalise_phone(pd.Series([13812345678, 13900001111]))
    assert out.values.tolist() == ["13812345678", "13900001111"]
    floats = normalise_phone(pd.Series([13812345678.0, np.nan]))
    assert floats.values.iloc[0] == "13812345678" and floats.values.iloc[1] is pd.NA


@pytest.mark.parametrize("values", [pd.Series([True, False]), [True, "13812345678"],
                                    [pd.Timestamp("2025-01-01")]])
def test_phone_refuses_cells_that_are_no_phone(values):
    with pytest.raises(DataError):
        normalise_phone(values)


@pytest.mark.parametrize("values", [pd.DataFrame({"phone": ["1"]}), "13812345678", 5,
                                    np.zeros((2, 2))])
def test_normalisers_want_one_column(values):
    with pytest.raises(ArgumentError):
        normalise_phone(values)


# --------------------------------------------------------------------------- text, cities


@pytest.mark.parametrize(("raw", "expected"), [
    ("  Hello  World ", "hello world"),
    ("ＡＢＣ", "abc"),
    ("测试\u3000订单", "测试 订单"),
    ("TEST", "test"),
    ("\t\n", None),
    ("已支付", "已支付"),
])
def test_text(raw, expected):
    got = normalise_text([raw]).values.iloc[0]
    assert (got is pd.NA) if expected is None else got == expected


CITY_SPELLINGS = [
    ("北京", "北京"), ("北京市", "北京"), ("Beijing", "北京"), (" beijing ", "北京"),
    ("ＢＥＩＪＩＮＧ", "北京"), ("BEIJING CITY", "北京"), ("上海市 ", "上海"),
    ("Xi'an", "西安"), ("xi an", "西安"), ("shen-zhen", "深圳"), ("Changsha", "长沙"),
]


@pytest.mark.parametrize(("raw", "expected"), CITY_SPELLINGS)
def test_city_spellings(raw, expected):
    assert normalise_city([raw]).values.iloc[0] == expected


def test_city_report_and_unknowns():
    raw = ["北京", "北京市", "香格里拉", " 香格里拉 ", "香格里拉", "Atlantis", None, "  "]
    out = normalise_city(raw)
    assert out.values.tolist() == ["北京", "北京", "香格里拉", "香格里拉", "香格里拉", "Atlantis",
                                   pd.NA, pd.NA]
    report = out.report.set_index("outcome")
    assert report["count"].to_dict() == {"canonical": 1, "alias": 1, "unknown": 4,
                                         "missing": 2}
    assert report.loc["unknown", "examples"][0] == "香格里拉"  # the most frequent first


def test_city_aliases_add_and_override():
    out = normalise_city(["Lijiang", "丽江市", "suzhou", "Suzhou"],
                         aliases={"lijiang": "丽江", "Suzhou": "宿州"})
    assert out.values.tolist() == ["丽江", "丽江", "宿州", "宿州"]
    for bad in (["北京"], {"bj": 1}, {"": "北京"}):
        with pytest.raises(ArgumentError):
            normalise_city(["北京"], aliases=bad)


def test_group_buying_cities_are_canonical(tables):
    cities = tables["group_buying"]["city"]
    assert normalise_city(cities).count("canonical") == len(cities)


def test_every_store_city_is_canonical(tables):
    stores = tables["stores"]
    out = normalise_city(stores["city"])
    assert out.count("canonical") == len(stores)
    pinyin = normalise_city(pd.Series([CITIES[c] for c in stores["city"]]))
    assert pinyin.values.tolist() == stores["city"].astype(str).tolist()


def test_city_table_has_one_city_per_spelling():
    spellings = list(CITIES) + list(CITIES.values())
    assert len(set(spellings)) == len(spellings)


# --------------------------------------------------------------------------- amounts

AMOUNTS = [
    ("¥1,234.50", 1234.5), ("￥１，２３４．５０", 1234.5), ("12.5", 12.5), ("88", 88.0),
    ("RMB 99", 99.0), ("99元", 99.0), ("99 元", 99.0), ("CNY12", 12.0), ("-12.5", -12.5),
    ("1,234,567.8", 1234567.8), (" 0.01 ", 0.01),
    ("1,23", None), ("12,34.5", None), ("about 50", None), ("1.2.3", None), ("¥", None),
    ("$5", None),
]


@pytest.mark.parametrize(("raw", "expected"), AMOUNTS)
def test_amounts(raw, expected):
    got = parse_amount([raw]).values.iloc[0]
    if expected is None:
        assert np.isnan(got)
    else:
        assert got == pytest.approx(expected)


def test_amount_report_and_mixed_input():
    out = parse_amount(pd.Series([19.9, "20", "¥1,000", "oops", None], dtype=object))
    np.testing.assert_allclose(out.values.to_numpy(), [19.9, 20.0, 1000.0, np.nan, np.nan])
    assert out.values.dtype == np.float64
    counts = out.report.set_index("outcome")["count"].to_dict()
    assert counts == {"number": 1, "text": 1, "cleaned": 1, "unparseable": 1, "missing": 1}
    numbers = parse_amount(pd.Series([1.5, np.nan]))
    assert numbers.count("number") == 1 and numbers.count("missing") == 1
    with pytest.raises(DataError):
        parse_amount(pd.Series([True, False]))


# --------------------------------------------------------------------------- times


def stamp(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def test_time_rule_for_naive_and_zoned_values():
    raw = ["2025-10-03 14:22:05",  # app: China time, no zone: kept
           "2025-10-03T06:22:05Z",  # mini-program: UTC
           "2025-10-03T06:22:05+00:00",
           "2025-10-03T14:22:05+08:00",
           "2025-12-31T20:00:00Z",  # UTC evening of 31 December is 1 January in China
           "2025-10-03",
           "2025/10/3 9:05:00",  # a till's year-first slashes
           "03/10/2025",  # day or month first: refused
           "not a time", None]
    out = parse_time(raw)
    expected = [stamp("2025-10-03 14:22:05")] * 4 + [stamp("2026-01-01 04:00:00"),
                                                      stamp("2025-10-03"),
                                                      stamp("2025-10-03 09:05:00")]
    assert out.values.iloc[:7].tolist() == expected
    assert out.values.iloc[7:].isna().all()
    assert str(out.values.dtype) == "datetime64[ns]"
    counts = out.report.set_index("outcome")["count"].to_dict()
    assert counts == {"local": 3, "converted": 4, "unparseable": 2, "missing": 1}


def test_time_source_zone_and_datetime_input():
    naive_utc = parse_time(["2025-10-03 06:22:05"], source_tz="UTC")
    assert naive_utc.values.iloc[0] == stamp("2025-10-03 14:22:05")
    assert naive_utc.count("converted") == 1
    aware = pd.Series(pd.to_datetime(["2025-10-03 06:22:05"]).tz_localize("UTC"))
    assert parse_time(aware).values.iloc[0] == stamp("2025-10-03 14:22:05")
    naive = pd.Series(pd.to_datetime(["2025-10-03 06:22:05"]))
    assert parse_time(naive).values.iloc[0] == stamp("2025-10-03 06:22:05")
    to_utc = parse_time(["2025-10-03 14:22:05"], to="UTC", source_tz="Asia/Shanghai")
    assert to_utc.values.iloc[0] == stamp("2025-10-03 06:22:05")
    gap = parse_time(["2025-03-30 02:30:00"], source_tz="Europe/Berlin")  # clocks skip it
    assert gap.count("unparseable") == 1


@pytest.mark.parametrize(("kwargs", "name"), [({"to": "China"}, "to"),
                                              ({"source_tz": "Mars/Base"}, "source_tz"),
                                              ({"to": None}, "to")])
def test_time_refuses_unknown_zones(kwargs, name):
    with pytest.raises(ArgumentError) as err:
        parse_time(["2025-10-03"], **kwargs)
    assert err.value.name == name


def test_time_refuses_numbers():
    with pytest.raises(DataError):
        parse_time(pd.Series([20251003, "2025-10-03"], dtype=object))


# --------------------------------------------------------------------------- duplicates


def exports() -> pd.DataFrame:
    """Order A1 delivered three times (rows 0 and 1 identical, row 3 a later export with
    another amount), B2 once, C3 twice identical (rows 4 and 5)."""
    return pd.DataFrame({
        "order_no": ["A1", "A1", "B2", "A1", "C3", "C3"],
        "amount": [10.0, 10.0, 5.0, 12.0, 7.0, 7.0],
        "exported_at": pd.to_datetime(["2025-10-01", "2025-10-01", "2025-10-01",
                                       "2025-10-02", "2025-10-01", "2025-10-01"]),
    }, index=[100, 101, 102, 103, 104, 105])


def test_deduplicate_keeps_first_by_default():
    out = deduplicate(exports(), "order_no")
    assert out.kept.index.tolist() == [100, 102, 104]
    assert out.dropped.index.tolist() == [101, 103, 105]
    assert out.dropped["kept_row"].tolist() == [100, 100, 104]
    assert out.dropped["identical"].tolist() == [True, False, True]
    assert out.repeated_keys == 2


def test_deduplicate_keeps_the_latest_export():
    out = deduplicate(exports(), "order_no", keep="last", order_by="exported_at")
    assert out.kept.index.tolist() == [102, 103, 105]  # the table's order
    assert out.kept.loc[103, "amount"] == 12.0
    assert out.dropped["kept_row"].tolist() == [103, 103, 105]
    assert out.dropped["identical"].tolist() == [False, False, True]
    assert len(out.kept) + len(out.dropped) == len(exports())


def test_deduplicate_composite_key_and_nothing_to_drop():
    df = pd.DataFrame({"source": ["app", "pos", "app"], "key": ["1", "1", "2"]})
    out = deduplicate(df, ["source", "key"])
    assert len(out.kept) == 3 and out.dropped.empty and out.repeated_keys == 0
    assert list(out.dropped.columns) == ["source", "key", "kept_row", "identical"]


def test_deduplicate_bad_input():
    df = exports()
    with pytest.raises(ArgumentError):
        deduplicate(df, "order_no", keep="newest")
    with pytest.raises(ArgumentError):
        deduplicate(df, 3)
    with pytest.raises(DataError):
        deduplicate(df, "order_id")
    with pytest.raises(DataError):
        deduplicate(df.assign(order_no=["A1", None, "B2", "A1", "C3", "C3"]), "order_no")
    with pytest.raises(DataError):
        deduplicate(df.set_axis([1, 1, 2, 3, 4, 5]), "order_no")
    with pytest.raises(DataError):
        deduplicate(df, "order_no", order_by="missing_column")
    with pytest.raises(DataError):
        deduplicate("not a table", "order_no")


# --------------------------------------------------------------------------- report


def findings(report: pd.DataFrame) -> dict[tuple[str, str], int]:
    return {(c, k): n for c, k, n in zip(report["column"], report["check"], report["count"],
                                         strict=True)}


def raw_orders_like() -> pd.DataFrame:
    """Columns of the clean orders contract, written as a raw export might write them."""
    return pd.DataFrame({
        "order_id": [1, 2, 3, 3, 5, 6],
        "user_id": [7, 8, None, 9, 10, 11],
        "order_time": ["2025-10-03 14:22:05", "2025-10-03T06:22:05Z", "03/10/2025",
                       "2025-10-04 09:00:00", "2025-10-05 10:00:00", "2025-10-06 11:00:00"],
        "platform": ["app", "mini_program", "App", " app", "ａｐｐ", "app"],
        "items": [1, 2, 2.5, 1, 0, 3],
        "amount": ["12.5", "¥8", "-3", "", "7", "9"],
    }, index=list("abcdef"))


def test_report_from_the_contract_by_hand():
    spec = TABLES["orders"]
    report = cleaning_report(raw_orders_like(), "raw_orders", contract="orders")
    got = findings(report)
    absent = {c.name for c in spec.columns} - set(raw_orders_like().columns)
    assert {c for (c, k) in got if k == "absent"} == absent
    assert all(got[(c, "absent")] == 6 for c in absent)
    assert got[("user_id", "missing")] == 1
    assert got[("order_time", "stored_as_text")] == 4  # year-first text, readable
    assert got[("order_time", "time_zone")] == 1
    assert got[("order_time", "unparseable")] == 1
    assert got[("platform", "invalid_category")] == 3  # App, " app", full-width
    assert got[("platform", "untrimmed")] == 1
    assert got[("platform", "full_width")] == 1
    assert got[("items", "not_whole")] == 1
    assert got[("items", "out_of_range")] == 1  # 0 items, min 1
    assert got[("amount", "missing")] == 1  # blank text
    assert got[("amount", "stored_as_text")] == 4
    assert got[("amount", "unparseable")] == 1
    assert got[("amount", "out_of_range")] == 1
    assert got[("order_id", "duplicate_key")] == 1
    present_findings = {k: v for k, v in got.items() if k[1] != "absent"}
    assert len(present_findings) == 14  # nothing else was found
    row = report.set_index(["column", "check"]).loc[("amount", "unparseable")]
    assert row["examples"] == ["¥8"] and row["rows"] == ["b"]
    assert row["share"] == pytest.approx(1 / 6)
    assert row["table"] == "raw_orders"
    assert set(report["check"]) <= set(CHECKS)


def test_report_examples_are_distinct_and_rows_name_them():
    df = pd.DataFrame({"x": [" a", " a", "b ", "c ", "d "]})
    row = cleaning_report(df, "t").set_index("check").loc["untrimmed"]
    assert row["count"] == 5
    assert row["examples"] == [" a", "b ", "c "]
    assert row["rows"] == [0, 2, 3]


def test_generic_report_without_a_contract():
    df = pd.DataFrame({"order_no": ["A1", "A1", "B2", "C3"], "amount": [1.0, 1.0, None, 2.0],
                       "buyer_ref": ["x", "x", 5, "y"]})
    report = cleaning_report(df, "export_without_contract", key="order_no")
    assert findings(report) == {("amount", "missing"): 1, ("buyer_ref", "mixed_types"): 1,
                                ("(row)", "duplicate_row"): 1, ("order_no", "duplicate_key"): 1}
    dup = report.set_index("check").loc["duplicate_row"]
    assert dup["examples"] == ["same as row 0"] and dup["rows"] == [1]


def test_report_labels_and_composite_keys():
    df = pd.DataFrame({"status": ["paid", "已支付", "PAID", None], "a": [1, 1, 2, 2],
                       "b": ["x", "x", "y", "z"]})
    report = cleaning_report(df, "raw", key=["a", "b"],
                             categories={"status": ["paid", "cancelled"]})
    got = findings(report)
    assert got[("status", "invalid_category")] == 2
    assert got[("(a, b)", "duplicate_key")] == 1
    row = report.set_index("check").loc["duplicate_key"]
    assert row["examples"] == [(1, "x")]


def test_report_with_a_contract_of_ones_own():
    contract = Table("raw_pos_members", "till members",
                     (Column("member_no", "str", "member key"),
                      Column("joined_on", "date", "day the member joined"),
                      Column("points", "int", "points", min=0),
                      Column("tier", "category", "gold, silver or bronze"),
                      Column("vip", "bool", "a VIP member")),
                     key=("member_no",))
    df = pd.DataFrame({"member_no": ["M1", "M2", "M2"],
                       "joined_on": pd.to_datetime(["2025-01-01", None, "2025-02-01"]),
                       "points": [5, -1, 3], "tier": ["gold", "platinum", "bronze"],
                       "vip": [True, "yes", False]})
    got = findings(cleaning_report(df, "raw_pos_members", contract=contract))
    assert got == {("joined_on", "missing"): 1, ("points", "out_of_range"): 1,
                   ("tier", "invalid_category"): 1, ("vip", "unparseable"): 1,
                   ("member_no", "duplicate_key"): 1}


def test_columns_beyond_the_contract_get_the_generic_checks():
    df = pd.DataFrame({"order_id": [1, 2], "note": [" x", None]})
    got = findings(cleaning_report(df, "t", contract=Table(
        "t", "", (Column("order_id", "int", "key", min=1),), key=("order_id",))))
    assert got == {("note", "missing"): 1, ("note", "untrimmed"): 1}


def test_report_on_zone_aware_times():
    df = pd.DataFrame({"event_time": pd.to_datetime(["2025-10-03 06:00"]).tz_localize("UTC")})
    got = findings(cleaning_report(df, "t", contract=Table(
        "t", "", (Column("event_time", "datetime", "when"),))))
    assert got == {("event_time", "time_zone"): 1}


@pytest.mark.parametrize("name", ["orders", "users", "tickets", "content_posts", "stores",
                                  "products"])
def test_clean_course_tables_have_no_findings(tables, name):
    """The checks derived from the contracts (labels read from the meanings included)
    find nothing in the tables that honour them."""
    report = cleaning_report(tables[name], name)
    assert report.empty, report


def test_contract_labels_read_plain_lists_only():
    assert contract_labels(TABLES["orders"].column("platform")) == ("app", "mini_program")
    assert contract_labels(TABLES["users"].column("city_tier")) == ("1", "2", "3", "4+")
    assert contract_labels(TABLES["users"].column("region")) == (
        "east", "south", "north", "central", "west")
    assert contract_labels(TABLES["memberships"].column("plan")) is None  # prose
    assert contract_labels(TABLES["stores"].column("city")) is None  # one word
    assert contract_labels(TABLES["orders"].column("amount")) is None  # not a label


def test_report_bad_input():
    df = raw_orders_like()
    with pytest.raises(DataError):
        cleaning_report(df.iloc[:0], "raw_orders")
    with pytest.raises(DataError):
        cleaning_report([1, 2], "raw_orders")
    with pytest.raises(ArgumentError):
        cleaning_report(df, "raw_orders", contract="no_such_table")
    with pytest.raises(ArgumentError):
        cleaning_report(df, "raw_orders", contract=3)
    with pytest.raises(ArgumentError):
        cleaning_report(df, "")
    with pytest.raises(ArgumentError):
        cleaning_report(df, "raw_orders", categories={"platform": "app"})
    with pytest.raises(DataError):
        cleaning_report(df, "raw_orders", key="order_no")


# --------------------------------------------------------------------------- statuses


@pytest.mark.parametrize(("spelling", "status", "outcome"), [
    ("paid", "paid", "canonical"), ("PAID", "paid", "alias"), ("Paid", "paid", "alias"),
    (" paid ", "paid", "alias"), ("已支付", "paid", "alias"), ("ＰＡＩＤ", "paid", "alias"),
    ("cancelled", "cancelled", "canonical"), ("canceled", "cancelled", "alias"),
    ("CANCELLED", "cancelled", "alias"), ("已取消", "cancelled", "alias"),
    ("refunded", "refunded", "canonical"), ("REFUNDED", "refunded", "alias"),
    ("已退款", "refunded", "alias"), (" 已退款\u3000", "refunded", "alias"),
    ("test", "test", "canonical"), ("TEST", "test", "alias"), ("测试", "test", "alias"),
])
def test_status_spellings(spelling, status, outcome):
    out = normalise_status([spelling])
    assert out.values.tolist() == [status]
    assert out.count(outcome) == 1


def test_status_unknown_missing_and_report():
    values = ["paid", "shipped", "待支付", "待支付", "  ", None, "PAID", "cancel"]
    out = normalise_status(pd.Series(values, index=list("abcdefgh"), name="status"))
    assert out.values.index.tolist() == list("abcdefgh") and out.values.name == "status"
    assert out.values.fillna("-").tolist() == ["paid", "-", "-", "-", "-", "-", "paid", "-"]
    report = out.report.set_index("outcome")
    assert report["count"].to_dict() == {"canonical": 1, "alias": 1, "unknown": 4, "missing": 2}
    assert report.loc["unknown", "examples"][0] == "待支付"      # the most frequent first
    assert report["share"].sum() == pytest.approx(1.0)


def test_status_mapping_adds_and_overrides():
    out = normalise_status(["待支付", "PENDING", "closed", "已取消", "paid"],
                           mapping={"待支付": "pending", "Closed": "cancelled",
                                    "已取消": "void"})
    assert out.values.tolist() == ["pending", "pending", "cancelled", "void", "paid"]
    assert out.count("alias") == 4 and out.count("canonical") == 1
    assert normalise_status(["待支付"]).count("unknown") == 1   # the built-in table unchanged


def test_status_bad_input():
    with pytest.raises(ArgumentError, match="mapping"):
        normalise_status(["paid"], mapping={"待支付": ""})
    with pytest.raises(ArgumentError, match="mapping"):
        normalise_status(["paid"], mapping=[("待支付", "pending")])
    with pytest.raises(ArgumentError, match="mapping"):
        normalise_status(["paid"], mapping={"  ": "pending"})
    with pytest.raises(DataError, match="True/False"):
        normalise_status(pd.Series([True, False]))
    with pytest.raises(ArgumentError):
        normalise_status(pd.DataFrame({"status": ["paid"]}))


def test_every_status_of_the_order_export_maps(tables):
    raw = tables["raw_orders"]["status"]
    out = normalise_status(raw)
    assert out.count("unknown") == 0 and out.count("missing") == 0
    assert set(out.values.unique()) == {"paid", "cancelled", "refunded", "test"}
    # against the spellings the export is made with
    truth = coursekit.truth()["raw"]["params"]["raw_orders"]["status_spellings"]
    for status, spellings in truth.items():
        for spelling in spellings:
            written = raw == spelling
            if written.any():
                assert (out.values[written] == status).all(), spelling
    assert out.count("canonical") == int(raw.isin(["paid", "cancelled", "refunded",
                                                   "test"]).sum())
