"""The answers channel: values through JSON and back, strictly, and the course's own answers."""

from __future__ import annotations

import datetime
import json
import zoneinfo

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from coursekit.exercises.core import ____, diff_value
from coursekit.grade import exercise_sets
from coursekit.grade.answers import (
    ANSWERS_MIME,
    MAX_BYTES,
    MAX_DEPTH,
    Unsupported,
    capture,
    from_data,
    read_answers,
    to_data,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def rt(value: object, **kwargs: object) -> object:
    """``value`` encoded, through real JSON text, and decoded."""
    text = json.dumps(to_data(value, **kwargs), allow_nan=False)
    return from_data(json.loads(text))


# --------------------------------------------------------------------------- scalars and containers

SCALARS = {
    "none": None,
    "true": True,
    "np_bool": np.bool_(False),
    "int": 3,
    "big_int": 2**70,
    "np_int8": np.int8(-3),
    "np_uint64": np.uint64(2**64 - 1),
    "float": 0.1 + 0.2,
    "np_float32": np.float32(0.1),
    "np_float64": np.float64(-2.5e-300),
    "nan": float("nan"),
    "inf": float("inf"),
    "-inf": -float("inf"),
    "np_nan": np.float64("nan"),
    "str": "web",
    "empty_str": "",
    "unicode": "淘宝 ✓",
    "date": datetime.date(2025, 11, 11),
    "datetime": datetime.datetime(2025, 3, 1, 10, 30, 15, 123456),
    "datetime_tz": datetime.datetime(2025, 3, 1, 10, 30, tzinfo=SHANGHAI),
    "datetime_offset": datetime.datetime(
        2025, 3, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))),
    "timestamp": pd.Timestamp("2025-03-01 10:30"),
    "timestamp_ns": pd.Timestamp("2025-03-01 10:30:00.123456789"),
    "timestamp_tz": pd.Timestamp("2025-03-01 10:30", tz="Asia/Shanghai"),
    "timestamp_utc": pd.Timestamp("2025-03-01", tz="UTC"),
    "np_datetime64_day": np.datetime64("2025-03-01"),
    "np_datetime64_ns": np.datetime64("2025-03-01T10:30:00.000000001"),
    "np_datetime64_nat": np.datetime64("NaT"),
    "pd_timedelta": pd.Timedelta(days=1, hours=3),
    "timedelta": datetime.timedelta(days=2, microseconds=7),
    "np_timedelta64": np.timedelta64(90, "m"),
    "nat": pd.NaT,
    "na": pd.NA,
    "period": pd.Period("2025-06", "M"),
}


def assert_judged_same(back: object, value: object) -> None:
    """The round trip is judged right: ``diff_value`` finds nothing off, or, for the few
    values core's ``diff_value`` cannot judge equal even to themselves (NaT, tz-aware days,
    timedelta64), exactly what it finds for the value itself."""
    assert diff_value(back, value) == diff_value(value, value)


def same_scalar(a: object, b: object) -> bool:
    if isinstance(b, float | np.floating) and np.isnan(b):
        return isinstance(a, float | np.floating) and bool(np.isnan(a))
    if isinstance(b, np.datetime64 | np.timedelta64) and np.isnat(b):
        return isinstance(a, type(b)) and bool(np.isnat(a)) and a.dtype == b.dtype
    if b is pd.NaT or b is pd.NA or b is None:
        return a is b
    return bool(a == b) and getattr(a, "dtype", None) == getattr(b, "dtype", None)


@pytest.mark.parametrize("value", SCALARS.values(), ids=SCALARS.keys())
def test_scalars_round_trip(value: object) -> None:
    back = rt(value)
    assert type(back) is type(value)
    assert same_scalar(back, value)
    if isinstance(value, datetime.datetime | pd.Timestamp):
        assert back.tzinfo == value.tzinfo
    if isinstance(value, pd.Timestamp | pd.Timedelta):
        assert back.unit == value.unit
    assert_judged_same(back, value)


def test_special_floats_are_tagged_strings_in_json() -> None:
    text = json.dumps(to_data([float("nan"), float("inf"), -float("inf")]), allow_nan=False)
    assert '"nan"' in text and '"inf"' in text and '"-inf"' in text


CONTAINERS = {
    "list": [1, "a", None, 2.5],
    "tuple": (1, "a"),
    "set": {"web", "app"},
    "frozenset": frozenset({1, 2}),
    "empty_list": [],
    "nested": [(1, [2, {"a": (3,)}]), {4, 5}, frozenset({"x"})],
    "dict": {"b": 1, "a": [1, 2], 3: "three", ("x", 1): {"deep": (None,)}},
    "dict_of_frames": {"t": pd.DataFrame({"a": [1, 2]}), "s": pd.Series([1.5])},
}


@pytest.mark.parametrize("value", CONTAINERS.values(), ids=CONTAINERS.keys())
def test_containers_round_trip(value: object) -> None:
    back = rt(value)
    assert type(back) is type(value)
    assert diff_value(back, value) is None
    if isinstance(value, dict):
        assert list(back) == list(value)  # keys and their order kept


def test_tuple_list_and_set_stay_distinct() -> None:
    back = rt({"t": (1, 2), "l": [1, 2], "s": {1, 2}, "f": frozenset({1}), "in": [(1,), [1]]})
    assert back == {"t": (1, 2), "l": [1, 2], "s": {1, 2}, "f": frozenset({1}), "in": [(1,), [1]]}
    assert [type(back[k]) for k in "tlsf"] == [tuple, list, set, frozenset]
    assert [type(x) for x in back["in"]] == [tuple, list]


def test_nan_and_infinities_inside_containers() -> None:
    back = rt({"x": [float("nan"), float("inf"), -float("inf")]})
    assert np.isnan(back["x"][0]) and back["x"][1:] == [float("inf"), -float("inf")]


# --------------------------------------------------------------------------- NumPy arrays

ARRAYS = {
    "int": np.array([1, -2, 3]),
    "uint8": np.array([1, 255], dtype=np.uint8),
    "float_2d": np.array([[1.5, np.nan], [np.inf, -np.inf]]),
    "float32": np.array([0.1, 0.2], dtype=np.float32),
    "bool": np.array([True, False]),
    "str": np.array(["web", "app"]),
    "object": np.array(["web", 1, None, (1, 2)], dtype=object),
    "datetime64": np.array(["2025-01-01", "NaT"], dtype="datetime64[ns]"),
    "datetime64_day": np.arange("2025-01", "2025-02", dtype="datetime64[D]"),
    "timedelta64": np.array([1, 2], dtype="timedelta64[s]"),
    "empty": np.array([], dtype=float),
    "0d": np.array(3.5),
}


@pytest.mark.parametrize("value", ARRAYS.values(), ids=ARRAYS.keys())
def test_arrays_round_trip(value: np.ndarray) -> None:
    back = rt(value)
    assert isinstance(back, np.ndarray)
    assert back.dtype == value.dtype and back.shape == value.shape
    np.testing.assert_array_equal(back, value)
    if value.ndim == 1:
        assert_judged_same(back, value)


def test_unsupported_array_dtype() -> None:
    data = to_data(np.array([1 + 2j]))
    assert data["kind"] == "unsupported" and "complex128" in data["description"]


# --------------------------------------------------------------------------- pandas

INDEXES = {
    "str": pd.Index(["web", "app"], name="channel"),
    "object": pd.Index(["web", 1, (1, 2)], dtype=object, name="mixed"),
    "int": pd.Index([3, 1, 2], name=0),
    "float": pd.Index([1.5, np.nan]),
    "bool": pd.Index([True, False]),
    "range": pd.RangeIndex(2, 20, 3, name="r"),
    "categorical": pd.CategoricalIndex(["b", "a", "b"], categories=["b", "a", "c"],
                                       ordered=True, name="tier"),
    "datetime": pd.DatetimeIndex(["2025-01-01", None, "2025-01-03"], name="day"),
    "datetime_freq": pd.date_range("2025-01-01", periods=5, freq="D", name="day"),
    "datetime_tz": pd.date_range("2025-03-30", periods=4, freq="h", tz="Europe/Paris"),
    "datetime_s": pd.DatetimeIndex(np.array(["2025-01-01"], dtype="datetime64[s]")),
    "timedelta": pd.to_timedelta(["1D", "2h", None]),
    "period": pd.period_range("2025-01", periods=3, freq="M", name="month"),
    "period_quarter": pd.period_range("2025Q1", periods=2, freq="Q"),
    "multi": pd.MultiIndex.from_tuples([("web", 2024), ("app", 2025)], names=["ch", "year"]),
    "tuple_name": pd.Index([1, 2], name=("a", 1)),
}


@pytest.mark.parametrize("value", INDEXES.values(), ids=INDEXES.keys())
def test_indexes_round_trip(value: pd.Index) -> None:
    back = rt(value)
    pd.testing.assert_index_equal(back, value, exact=True)
    assert type(back) is type(value)
    assert back.names == value.names
    assert getattr(back, "freq", None) == getattr(value, "freq", None)
    assert_judged_same(back, value)


SERIES = {
    "int": pd.Series([3, 1], index=["web", "app"], name="orders"),
    "float_nan": pd.Series([0.5, np.nan, np.inf], name=("multi", "name")),
    "bool": pd.Series([True, False]),
    "int8": pd.Series([1, -1], dtype="int8"),
    "uint32": pd.Series([1, 2], dtype="uint32"),
    "float32": pd.Series([0.1, 0.2], dtype="float32"),
    "str": pd.Series(["a", None, "c"]),
    "string_python": pd.Series(["a", None], dtype="string[python]"),
    "string": pd.Series(["a", None], dtype="string"),
    "object_mixed": pd.Series(["a", 1, 2.5, None, pd.Timestamp("2025-01-01"), (1, 2)],
                              dtype=object),
    "object_dates": pd.Series([datetime.date(2025, 1, 1), datetime.date(2025, 1, 2)]),
    "category_ordered": pd.Series(pd.Categorical(["lo", "hi", None, "lo"],
                                                 categories=["lo", "mid", "hi"], ordered=True)),
    "category_ints": pd.Series([3, 1, 3], dtype="category"),
    "datetime_ns": pd.Series(pd.to_datetime(["2025-01-01 10:00:00.000000001", None])),
    "datetime_us": pd.Series(pd.to_datetime(["2025-01-01", "2025-02-01"]).as_unit("us")),
    "datetime_ms": pd.Series(pd.to_datetime(["2025-01-01"]).as_unit("ms")),
    "datetime_s": pd.Series(pd.to_datetime(["2025-01-01"]).as_unit("s")),
    "datetime_tz": pd.Series(pd.to_datetime(["2025-01-01", None]).tz_localize("Asia/Shanghai")),
    "datetime_utc": pd.Series(pd.to_datetime(["2025-01-01"]).tz_localize("UTC")),
    "timedelta": pd.Series(pd.to_timedelta(["1D", None])),
    "Int64": pd.Series([1, None], dtype="Int64"),
    "UInt8": pd.Series([1, None], dtype="UInt8"),
    "Float64": pd.Series([1.5, None], dtype="Float64"),
    "boolean": pd.Series([True, None], dtype="boolean"),
    "period": pd.Series(pd.period_range("2025-01", periods=2, freq="M")),
    "period_index": pd.Series([1.0, 2.0], index=pd.period_range("2025-01", periods=2, freq="M",
                                                                 name="month")),
    "multi_index": pd.Series([1, 2], index=pd.MultiIndex.from_tuples(
        [("web", pd.Timestamp("2025-01-01")), ("app", pd.Timestamp("2025-01-02"))],
        names=["channel", "day"])),
    "categorical_index": pd.Series([7, 5], index=pd.CategoricalIndex(
        ["web", "app"], categories=["app", "web", "mini"], name="channel"), name="count"),
    "empty": pd.Series([], dtype=float),
}


@pytest.mark.parametrize("value", SERIES.values(), ids=SERIES.keys())
def test_series_round_trip(value: pd.Series) -> None:
    back = rt(value)
    pd.testing.assert_series_equal(back, value, check_exact=True)
    assert back.dtype == value.dtype and back.name == value.name
    assert diff_value(back, value) is None


def test_categorical_keeps_categories_order_and_ordered() -> None:
    value = SERIES["category_ordered"]
    back = rt(value)
    assert list(back.cat.categories) == ["lo", "mid", "hi"] and back.cat.ordered
    assert back.cat.categories.dtype == value.cat.categories.dtype
    assert back.isna().tolist() == [False, False, True, False]


def test_tz_aware_values_keep_their_zone_and_instant() -> None:
    value = SERIES["datetime_tz"]
    back = rt(value)
    assert str(back.dt.tz) == "Asia/Shanghai"
    assert back.iloc[0] == value.iloc[0] and back.iloc[0].hour == 0


def test_nullable_dtypes_keep_na() -> None:
    back = rt(pd.DataFrame({"i": pd.array([1, None], dtype="Int64"),
                            "b": pd.array([None, False], dtype="boolean")}))
    assert back["i"].iloc[1] is pd.NA and back["b"].iloc[0] is pd.NA


FRAMES = {
    "simple": pd.DataFrame({"channel": ["web", "app"], "users": [5, 7]}),
    "dtypes": pd.DataFrame({
        "i8": pd.array([1, 2], dtype="int8"), "u": np.array([1, 2], dtype=np.uint64),
        "f32": np.array([0.5, np.nan], dtype=np.float32), "f": [np.inf, -0.0],
        "b": [True, False], "o": pd.Series(["x", 1], dtype=object),
        "s": pd.array(["x", None], dtype="string[python]"), "str": ["x", None],
        "cat": pd.Categorical(["b", "a"], categories=["b", "a"], ordered=True),
        "t": pd.to_datetime(["2025-01-01", None]), "tz": pd.to_datetime(
            ["2025-01-01", "2025-06-01"]).tz_localize("Europe/Paris"),
        "td": pd.to_timedelta(["1h", None]), "I": pd.array([1, None], dtype="Int64"),
        "F": pd.array([None, 2.5], dtype="Float64"),
        "B": pd.array([True, None], dtype="boolean"),
        "p": pd.period_range("2025-01", periods=2, freq="M")}),
    "index_named": pd.DataFrame({"v": [1.0, 2.0]},
                                index=pd.Index(["web", "app"], name="channel")),
    "multi_rows": pd.DataFrame({"v": [1, 2, 3]}, index=pd.MultiIndex.from_tuples(
        [("web", 1), ("web", 2), ("app", 1)], names=["channel", "month"])),
    "multi_columns": pd.DataFrame(
        [[1, 2.5], [3, 4.5]],
        columns=pd.MultiIndex.from_tuples([("orders", "n"), ("orders", "mean")],
                                          names=["metric", "stat"]),
        index=pd.date_range("2025-01-01", periods=2, freq="D", name="day")),
    "pivot": pd.DataFrame({"m": ["2025-01", "2025-01", "2025-02"], "c": ["web", "app", "web"],
                           "x": [1.0, 2.0, 3.0]}).pivot_table(index="m", columns="c",
                                                              values="x"),
    "named_columns": pd.DataFrame([[1]], columns=pd.Index(["a"], name="cols")),
    "int_columns": pd.DataFrame([[1, 2]], columns=[10, 20]),
    "duplicate_columns": pd.DataFrame([[1, 2]], columns=["a", "a"]),
    "duplicate_rows": pd.DataFrame({"a": [1, 2]}, index=["x", "x"]),
    "period_rows": pd.DataFrame({"growth_rate": [0.1, 0.2]},
                                index=pd.period_range("2025-05", periods=2, freq="M",
                                                      name="month")),
    "empty": pd.DataFrame(),
    "no_columns": pd.DataFrame(index=[1, 2]),
    "no_rows": pd.DataFrame({"a": pd.Series([], dtype="int64")}),
}


@pytest.mark.parametrize("value", FRAMES.values(), ids=FRAMES.keys())
def test_frames_round_trip(value: pd.DataFrame) -> None:
    back = rt(value)
    pd.testing.assert_frame_equal(back, value, check_exact=True)
    pd.testing.assert_index_equal(back.columns, value.columns, exact=True)
    pd.testing.assert_index_equal(back.index, value.index, exact=True)
    assert back.dtypes.tolist() == value.dtypes.tolist()
    if not value.columns.has_duplicates:
        assert diff_value(back, value) is None


# --------------------------------------------------------------------------- figures


def test_figure_round_trip_keeps_what_a_check_reads() -> None:
    fig = Figure(figsize=(5, 3))
    ax = fig.subplots()
    ax.bar(["a", "b", "c"], [3.0, 5.0, 2.0], color=["C0", "C1", "C0"], bottom=[0, 1, 0])
    ax.set_ylim(0.5, 7)
    ax.set_title("T")
    ax.set_xlabel("x label")
    ax.set_ylabel("y label")
    twin = ax.twinx()
    twin.plot(["a", "b", "c"], [1, 2, 3], color="grey")
    hidden = fig.add_axes((0.1, 0.1, 0.2, 0.2))
    hidden.barh([1.0, 2.0], [4.0, 6.0], left=[0.5, 0.0])
    hidden.set_visible(False)

    back = rt(ax)  # an Axes means its figure
    assert isinstance(back, Figure)
    assert tuple(back.get_size_inches()) == (5, 3)
    assert [a.get_visible() for a in back.axes] == [True, True, False]
    for a, b in zip(fig.axes, back.axes, strict=True):
        assert a.get_xlim() == b.get_xlim() and a.get_ylim() == b.get_ylim()
        assert list(a.get_xticks()) == list(b.get_xticks())
        assert list(a.get_yticks()) == list(b.get_yticks())
        assert [t.get_text() for t in a.get_xticklabels()] == [
            t.get_text() for t in b.get_xticklabels()]
        assert (a.get_title(), a.get_xlabel(), a.get_ylabel()) == (
            b.get_title(), b.get_xlabel(), b.get_ylabel())
        bars_a = [c for c in a.containers if isinstance(c, BarContainer)]
        bars_b = [c for c in b.containers if isinstance(c, BarContainer)]
        assert [c.orientation for c in bars_a] == [c.orientation for c in bars_b]
        for ca, cb in zip(bars_a, bars_b, strict=True):
            for p, q in zip(ca.patches, cb.patches, strict=True):
                assert (p.get_x(), p.get_y(), p.get_width(), p.get_height()) == pytest.approx(
                    (q.get_x(), q.get_y(), q.get_width(), q.get_height()), abs=1e-12)
                assert tuple(p.get_facecolor()) == tuple(q.get_facecolor())
        assert len(a.lines) == len(b.lines)
        for la, lb in zip(a.lines, b.lines, strict=True):
            assert list(lb.get_xdata()) == [0.0, 1.0, 2.0]
            assert list(la.get_ydata(orig=False)) == list(lb.get_ydata())
            assert la.get_color() == "grey" and lb.get_color() == pytest.approx(
                (0.5019607843137255, 0.5019607843137255, 0.5019607843137255, 1.0))


def test_object_with_a_figure_attribute_is_its_figure() -> None:
    class Grid:  # like a seaborn FacetGrid
        def __init__(self) -> None:
            self.figure = Figure()
            self.figure.subplots().plot([1, 2], [3, 4])

    back = rt(Grid())
    assert isinstance(back, Figure) and list(back.axes[0].lines[0].get_ydata()) == [3.0, 4.0]


# --------------------------------------------------------------------------- the course's answers


def _course_questions() -> list[tuple[str, type]]:
    return [(nb, cls) for nb, es in exercise_sets().items() for cls in es]


@pytest.mark.parametrize("notebook, cls", _course_questions(),
                         ids=lambda x: x if isinstance(x, str) else x.qid)
def test_course_answers_keep_their_verdict(notebook: str, cls: type) -> None:
    q = cls()
    right = (getattr(q, "_expected", None) or q.expected)()
    one = len(cls.variables) == 1
    answers = {cls.variables[0]: rt(right)} if one else rt(right)
    assert q.evaluate(**answers).status == "correct"
    whole = {cls.variables[0]: right} if one else dict(right)
    for wrong, _hint in q.mistakes():
        before = q.evaluate(**({cls.variables[0]: wrong} if one else {**whole, **wrong}))
        back = rt(wrong)
        after = q.evaluate(**({cls.variables[0]: back} if one else {**whole, **back}))
        assert before.status == after.status == "incorrect"
        assert after.message == before.message


def test_a_learners_horizontal_bar_chart_stays_correct() -> None:
    from coursekit.exercises import m06

    aov = m06._aov().sort_values()
    fig = Figure()
    ax = fig.subplots()
    ax.barh(list(aov.index), aov.to_numpy(), color="tab:blue")
    ax.set_xlabel("average order value")
    q = m06.RepairChart()
    assert q.evaluate(fixed=ax).status == "correct"
    back = rt(ax)
    assert back.axes[0].containers[0].orientation == "horizontal"
    assert q.evaluate(fixed=back).status == "correct"


# --------------------------------------------------------------------------- strictness


def test_blank_is_the_very_placeholder() -> None:
    assert to_data(____) == {"kind": "blank"}
    assert rt(____) is ____
    assert rt([____])[0] is ____


@pytest.mark.parametrize("value", [object(), lambda x: x, print, np.array([b"x"]), 1 + 2j,
                                   ValueError("boom"), type],
                         ids=["object", "lambda", "builtin", "bytes_array", "complex",
                              "exception", "type"])
def test_unknown_types_are_unsupported(value: object) -> None:
    data = to_data(value)
    assert data["kind"] == "unsupported" and isinstance(data["description"], str)
    back = rt(value)
    assert isinstance(back, Unsupported) and back.description == data["description"]
    assert data["description"] in repr(back)


def test_open_file_is_unsupported(tmp_path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("x", encoding="utf-8")
    with path.open(encoding="utf-8") as handle:
        back = rt({"f": handle})
    assert isinstance(back["f"], Unsupported)


def test_unsupported_repr_says_what_it_was() -> None:
    assert repr(Unsupported("a function")) == "<unsupported answer: a function>"


@pytest.mark.parametrize("data", [
    {"kind": "pickle", "value": "gASV"},
    {"kind": "series", "name": {"kind": "none"}, "index": {"kind": "range_index", "start": 0,
     "stop": 1, "step": 1, "name": {"kind": "none"}},
     "data": {"dtype": "object; import os", "values": [1]}},
    {"kind": "ndarray", "shape": [1], "data": {"dtype": "O", "values": [1]}},
    {"kind": "ndarray", "shape": [1], "data": {"dtype": "category", "values": [1]}},
    {"kind": "int", "value": 1, "dtype": "float64"},
    {"kind": "int", "value": "1"},
    {"kind": "int", "value": True},
    {"kind": "float", "value": "1e3"},
    {"kind": "str", "value": 3},
    {"kind": "str", "value": "x", "extra": 1},
    {"kind": "str"},
    {"kind": "timestamp", "value": 0, "unit": "ns", "tz": "../../etc/passwd"},
    {"kind": "timestamp", "value": 0, "unit": "fortnight", "tz": None},
    {"kind": "period", "value": 1, "freq": "__import__('os')"},
    {"kind": "set", "items": [{"kind": "list", "items": []}]},
    {"kind": "dict", "items": [[{"kind": "int", "value": 1}]]},
    {"kind": "ndarray", "shape": [3], "data": {"dtype": "int64", "values": [1]}},
    {"kind": "ndarray", "shape": [1], "data": {"dtype": "int8", "values": [1000]}},
    {"kind": "figure", "size": [1, 1], "axes": "all"},
    "not a dict",
    None,
    [{"kind": "none"}],
])
def test_from_data_rejects_what_to_data_does_not_produce(data: object) -> None:
    with pytest.raises(ValueError):
        from_data(data)


def test_from_data_names_the_bad_dtype() -> None:
    bad = {"kind": "index", "name": {"kind": "none"}, "freq": None,
           "data": {"dtype": "object; import os", "values": []}}
    with pytest.raises(ValueError, match="unknown dtype 'object; import os'"):
        from_data(bad)


def test_from_data_rejects_deep_nesting() -> None:
    data: dict = {"kind": "none"}
    for _ in range(MAX_DEPTH + 5):
        data = {"kind": "list", "items": [data]}
    with pytest.raises(ValueError, match="deeper"):
        from_data(data)


def test_to_data_rejects_deep_nesting() -> None:
    value: list = []
    for _ in range(MAX_DEPTH + 5):
        value = [value]
    with pytest.raises(ValueError, match="deeper"):
        to_data(value)
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="deeper"):
        to_data(loop)


def test_to_data_rejects_values_over_max_bytes() -> None:
    assert MAX_BYTES == 5_000_000
    with pytest.raises(ValueError, match="too large"):
        to_data(pd.DataFrame({"a": range(1000), "b": range(1000)}), max_bytes=1000)
    with pytest.raises(ValueError, match="too large"):
        to_data("x" * 2000, max_bytes=1000)
    with pytest.raises(ValueError, match="too large"):
        to_data([1.23456789] * 100, max_bytes=1000)
    assert to_data(list(range(10)), max_bytes=1000)["kind"] == "list"


# --------------------------------------------------------------------------- capture and read


def test_capture_prints_the_payload_outside_ipython(capsys) -> None:
    frame = pd.DataFrame({"v": [1.5, np.nan]}, index=pd.Index(["a", "b"], name="k"))
    namespace = {"n": 3, "table": frame, "later": ____, "fig": Figure(), "f": lambda: 1}
    capture(namespace, {"q1": ["n", "table"], "q2": ["later", "missing"], "q3": ["f"]})
    payload = json.loads(capsys.readouterr().out)
    assert list(payload) == ["q1", "q2", "q3"]
    assert payload["q1"]["n"] == {"kind": "int", "value": 3}
    assert list(payload["q2"]) == ["later"]  # a variable not defined is left out
    back = read_answers(payload)
    assert back["q1"]["n"] == 3
    pd.testing.assert_frame_equal(back["q1"]["table"], frame)
    assert back["q2"] == {"later": ____}
    assert isinstance(back["q3"]["f"], Unsupported)


def test_capture_never_raises(capsys) -> None:
    class Broken:
        @property
        def figure(self) -> object:
            raise RuntimeError("no")

    class BadDict(dict):
        def items(self):  # noqa: ANN202
            raise RuntimeError("cannot list")

    big = pd.DataFrame(np.zeros((2000, 2000)))
    capture({"big": big, "broken": Broken(), "bad": BadDict(a=1), "tz": pd.Timestamp(
        "2025-01-01", tz=datetime.timezone(datetime.timedelta(hours=8), "CST"))},
        {"q1": ["big", "broken", "bad", "tz"]})
    payload = json.loads(capsys.readouterr().out)["q1"]
    assert payload["big"]["kind"] == "unsupported" and "too large" in payload["big"]["description"]
    assert payload["broken"]["kind"] == "unsupported"
    assert payload["bad"] == {"kind": "unsupported", "description": "RuntimeError: cannot list"}
    assert read_answers({"q1": payload})["q1"]["tz"] == pd.Timestamp("2025-01-01", tz="+08:00")


def test_capture_displays_the_mime_type_in_ipython(monkeypatch) -> None:
    shown = []
    monkeypatch.setattr("IPython.get_ipython", lambda: object())
    monkeypatch.setattr("IPython.display.display", lambda obj, raw: shown.append((obj, raw)))
    capture({"x": 1.5, "y": "a"}, {"q1": ["x"], "q2": ["y"]})
    (bundle, raw), = shown
    assert raw is True
    assert bundle["text/plain"] == "answers recorded for grading: q1, q2"
    assert read_answers(bundle[ANSWERS_MIME]) == {"q1": {"x": 1.5}, "q2": {"y": "a"}}


def test_read_answers_checks_the_shape() -> None:
    for bad in ([], {"q1": []}, {1: {}}, {"q1": {2: {"kind": "none"}}}):
        with pytest.raises(ValueError):
            read_answers(bad)
    back = read_answers({"q1": {"x": {"kind": "eval", "value": "1"}, "y": "text"}})
    assert isinstance(back["q1"]["x"], Unsupported)
    assert back["q1"]["x"].description.startswith("an answer that could not be read back: ")
    assert isinstance(back["q1"]["y"], Unsupported)
