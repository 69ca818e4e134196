"""The learner's answers as plain data, to judge them outside the learner's kernel.

The grader runs a learner's notebook in a Jupyter kernel it does not trust and
judges the answers in its own process. :func:`capture` runs in the kernel: it
encodes the variables of each question with :func:`to_data` and displays them
as one output of type :data:`ANSWERS_MIME`. The grader reads that output back
with :func:`read_answers` (:func:`from_data` for a single value) and judges the
values with the question's own comparison.

The channel is JSON in which every value carries a ``"kind"`` tag, never
pickle: unpickling bytes that come from an untrusted process can run any code,
while reading this data only builds numbers, strings, containers, pandas
objects and a matplotlib figure from an explicit list of kinds and dtype
names, and refuses anything else. This module is written by hand, kept small
and uses nothing that evaluates code (no ``eval``, no pickle, no
``allow_pickle``), so that the one door between the two processes can be read
and checked in full. It depends on nothing of coursekit but
:mod:`coursekit.exercises.core`, since it also runs in the learner's kernel.

Examples
--------
>>> import json
>>> data = to_data(pd.Series([0.5, float("nan")], index=["web", "app"], name="share"))
>>> data["kind"]
'series'
>>> from_data(json.loads(json.dumps(data)))
web    0.5
app    NaN
Name: share, dtype: float64
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import re
import sys
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from coursekit.exercises.core import ____, describe_type

__all__ = [
    "ANSWERS_MIME",
    "MAX_BYTES",
    "MAX_DEPTH",
    "Unsupported",
    "capture",
    "from_data",
    "read_answers",
    "to_data",
]

#: The output type of the cell that records the answers.
ANSWERS_MIME = "application/vnd.coursekit.answers+json"
#: The largest encoded value accepted, in bytes of JSON (approximately).
MAX_BYTES = 5_000_000
#: The deepest nesting of values accepted (a list in a list ... counts one per level).
MAX_DEPTH = 50


@dataclass(frozen=True)
class Unsupported:
    """An answer of a type that cannot be recorded, or could not be read back.

    Parameters
    ----------
    description
        What the answer was, in the words of
        :func:`coursekit.exercises.core.describe_type` (e.g. ``"a function"``).

    Examples
    --------
    >>> Unsupported("a function")
    <unsupported answer: a function>
    """

    description: str

    def __repr__(self) -> str:
        return f"<unsupported answer: {self.description}>"


# --------------------------------------------------------------------------- the allow-lists

_INTS = tuple(f"{u}int{b}" for u in ("", "u") for b in (8, 16, 32, 64))
_NUMBERS = frozenset({"bool", "float16", "float32", "float64", *_INTS})
_UNITS = ("s", "ms", "us", "ns")  # what pandas holds
_NUMPY_UNITS = ("Y", "M", "W", "D", "h", "m", *_UNITS)  # what NumPy also holds
_NUMPY_TIMES = frozenset(f"{k}64[{u}]" for k in ("datetime", "timedelta") for u in _NUMPY_UNITS)
_PANDAS_TIMES = frozenset(f"{k}64[{u}]" for k in ("datetime", "timedelta") for u in _UNITS)
_MASKED = frozenset({"boolean", "Float32", "Float64",
                     *(n.replace("uint", "UInt").replace("int", "Int") for n in _INTS)})


def _string_dtypes() -> dict[str, pd.StringDtype]:
    """pandas' text dtypes: "string[...]" (missing is NA) and "str[...]" (missing is NaN)."""
    out = {}
    for storage in ("python", "pyarrow"):
        for prefix, na in (("string", pd.NA), ("str", np.nan)):
            try:
                out[f"{prefix}[{storage}]"] = pd.StringDtype(storage, na_value=na)
            except (TypeError, ImportError):  # an older pandas, or no pyarrow
                pass
    return out


_STRINGS = _string_dtypes()
#: dtype names of a NumPy array ("U" is text) and of a pandas Series, Index or column
_ARRAY_DTYPES = _NUMBERS | _NUMPY_TIMES | {"object", "U"}
_PANDAS_DTYPES = _NUMBERS | _PANDAS_TIMES | _MASKED | set(_STRINGS) | {
    "object", "category", "period"}

_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
_DAYS = "MON TUE WED THU FRI SAT SUN".split()
_FREQ_BASES = frozenset({
    "D", "B", "C", "h", "bh", "min", "s", "ms", "us", "ns", "M", "ME", "MS", "BME", "BMS",
    "SME", "SMS", "W", *(f"W-{d}" for d in _DAYS),
    *(f"{q}-{m}" for q in ("Q", "QE", "QS", "BQE", "BQS", "Y", "YE", "YS", "BYE", "BYS")
      for m in _MONTHS)})
_FREQ = re.compile(r"(\d{0,4})([A-Za-z-]+)")
_OFFSET = re.compile(r"([+-])(\d\d):(\d\d)")
_NAT = np.iinfo(np.int64).min  # how NaT is stored in 64-bit integers


def _is_freq(name: str) -> bool:
    """True for an allowed frequency ("M", "D", "2h", "Q-DEC", ...)."""
    match = _FREQ.fullmatch(name)
    return bool(match) and match[2] in _FREQ_BASES


def _freq(name: str) -> str:
    """``name`` when it is an allowed frequency, else ValueError."""
    if not _is_freq(name):
        raise ValueError(f"unknown frequency {name!r:.40}")
    return name


def _tz_name(tz: Any) -> str | None:
    """A name :func:`_tz` can rebuild ``tz`` from (None for no time zone)."""
    if tz is None:
        return None
    if isinstance(tz, datetime.timezone):
        offset = tz.utcoffset(None)
        if not offset:
            return "UTC"
        minutes = int(offset.total_seconds() // 60)
        sign = "-" if minutes < 0 else "+"
        return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)  # zoneinfo, pytz
    if isinstance(key, str) and key in _zone_names():
        return key
    raise ValueError(f"the time zone {tz!r} cannot be recorded: use a named zone")


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def _tz(name: object) -> datetime.tzinfo | None:
    if name is None:
        return None
    if not isinstance(name, str):
        raise ValueError(f"a time zone must be a string, not {type(name).__name__}")
    if name == "UTC":
        return datetime.UTC
    match = _OFFSET.fullmatch(name)
    if match:
        minutes = int(match[2]) * 60 + int(match[3])
        return datetime.timezone(datetime.timedelta(minutes=-minutes if match[1] == "-"
                                                     else minutes))
    if name not in _zone_names():
        raise ValueError(f"unknown time zone {name!r}")
    return zoneinfo.ZoneInfo(name)


# --------------------------------------------------------------------------- numbers in JSON

_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _float(x: float) -> float | str:
    """A float for JSON: nan, inf and -inf as the strings "nan", "inf", "-inf"."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    return x if math.isfinite(x) else ("inf" if x > 0 else "-inf")


def _unfloat(x: object) -> float:
    if isinstance(x, str) and x in _SPECIAL:
        return _SPECIAL[x]
    if isinstance(x, int | float) and not isinstance(x, bool):
        return float(x)
    raise ValueError(f"expected a number, got {x!r:.40}")


def _int(x: object) -> int:
    if type(x) is not int:
        raise ValueError(f"expected an integer, got {x!r:.40}")
    return x


def _bool(x: object) -> bool:
    if type(x) is not bool:
        raise ValueError(f"expected true or false, got {x!r:.40}")
    return x


def _str(x: object) -> str:
    if not isinstance(x, str):
        raise ValueError(f"expected a string, got {x!r:.40}")
    return x


def _list(x: object) -> list[Any]:
    if not isinstance(x, list):
        raise ValueError(f"expected a list, got {type(x).__name__}")
    return x


def _maybe(read: Callable[[object], Any]) -> Callable[[object], Any]:
    return lambda x: None if x is None else read(x)


def _fields(data: Mapping[str, Any], *required: str, optional: Iterable[str] = ()) -> None:
    """Refuse a dict without all of ``required`` or with fields of neither list."""
    missing = [k for k in required if k not in data]
    extra = [k for k in data if k not in {"kind", *required, *optional}]
    if missing or extra:
        what = data.get("kind", "an array")
        raise ValueError(f"{what!r} data: missing field(s) {missing}, unknown field(s) {extra}")


# --------------------------------------------------------------------------- encoding


def _figure_of(value: object) -> Any:
    """The matplotlib Figure ``value`` is or belongs to, else None.

    Matplotlib is not imported here: when the kernel has not imported it, no
    value can be a figure.
    """
    figure, axes = sys.modules.get("matplotlib.figure"), sys.modules.get("matplotlib.axes")
    if figure is None:
        return None
    if isinstance(value, figure.Figure):
        return value
    if axes is not None and isinstance(value, axes.Axes):
        fig = value.figure
    else:
        try:
            fig = getattr(value, "figure", None)  # e.g. a seaborn grid
        except Exception:  # noqa: BLE001 - a learner's object may do anything
            return None
    return fig if isinstance(fig, figure.Figure) else None


def _dtype_name(dtype: Any, *, numpy: bool = False) -> str | None:
    """The allow-listed name of ``dtype``, or None when it is not recorded as such."""
    if isinstance(dtype, np.dtype):
        name = "U" if dtype.kind == "U" else dtype.name
    elif isinstance(dtype, pd.StringDtype):
        na = getattr(dtype, "na_value", pd.NA)
        name = f"{'string' if na is pd.NA else 'str'}[{dtype.storage}]"
    elif isinstance(dtype, pd.DatetimeTZDtype):
        name = f"datetime64[{dtype.unit}]"
    elif isinstance(dtype, pd.CategoricalDtype | pd.PeriodDtype):
        name = "category" if isinstance(dtype, pd.CategoricalDtype) else "period"
    elif type(dtype).__module__.startswith("pandas") and str(dtype) in _MASKED:
        name = str(dtype)
    else:
        return None
    return name if name in (_ARRAY_DTYPES if numpy else _PANDAS_DTYPES) else None


def _values(obj: pd.Series | pd.Index) -> Any:
    """The values of a Series or Index: a NumPy array, or the pandas extension array."""
    return obj.to_numpy() if isinstance(obj.dtype, np.dtype) else obj.array


class _Encoder:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.left = max_bytes

    def spend(self, n: int, *, ahead: bool = False) -> None:
        """Count ``n`` bytes of JSON (a low estimate), failing as soon as they are too many;
        ``ahead`` only checks that ``n`` more bytes would fit."""
        if not ahead:
            self.left -= n
        if self.left < (n if ahead else 0):
            raise ValueError(f"the answer is too large to record: over {self.max_bytes:,} "
                             "bytes as JSON")

    def encode(self, value: object, depth: int = 0) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise ValueError(f"the answer is nested deeper than {MAX_DEPTH} levels")
        self.spend(16)
        d = depth + 1
        if value is ____:
            return {"kind": "blank"}
        if value is None:
            return {"kind": "none"}
        if value is pd.NaT:
            return {"kind": "nat"}
        if value is pd.NA:
            return {"kind": "na"}
        # before int: np.timedelta64 is a NumPy integer
        if isinstance(value, np.datetime64 | np.timedelta64):
            unit, count = np.datetime_data(value.dtype)
            if count == 1 and (unit in _NUMPY_UNITS or unit == "generic"):
                number = int(value.view("i8"))
                return {"kind": type(value).__name__, "unit": unit,
                        "value": None if np.isnat(value) else number}
            return {"kind": "unsupported", "description": f"a {value.dtype} value"}
        numpy = {}  # a NumPy scalar keeps its dtype
        if isinstance(value, np.generic) and value.dtype.name in _NUMBERS:
            numpy = {"dtype": value.dtype.name}
        if isinstance(value, bool | np.bool_):
            return {"kind": "bool", "value": bool(value), **numpy}
        if isinstance(value, int | np.integer):
            return {"kind": "int", "value": int(value), **numpy}
        if isinstance(value, float | np.floating):
            return {"kind": "float", "value": _float(value), **numpy}
        if isinstance(value, str):
            self.spend(len(value))
            return {"kind": "str", "value": str(value)}
        if isinstance(value, pd.Timestamp):
            return {"kind": "timestamp", "value": int(value.asm8.view("i8")), "unit": value.unit,
                    "tz": _tz_name(value.tz)}
        if isinstance(value, datetime.datetime):
            return {"kind": "datetime", "value": value.replace(tzinfo=None).isoformat(),
                    "tz": _tz_name(value.tzinfo)}
        if isinstance(value, datetime.date):
            return {"kind": "date", "value": value.isoformat()}
        if isinstance(value, pd.Timedelta):
            return {"kind": "pd_timedelta", "value": int(value.asm8.view("i8")),
                    "unit": value.unit}
        if isinstance(value, datetime.timedelta):
            return {"kind": "timedelta", "value": value // datetime.timedelta(microseconds=1)}
        if isinstance(value, pd.Period):
            return {"kind": "period", "value": int(value.ordinal), "freq": _freq(value.freqstr)}
        if isinstance(value, pd.DataFrame):
            self.spend(2 * value.size, ahead=True)  # fail early for a big table
            return {"kind": "frame", "index": self.encode(value.index, d),
                    "columns": self.encode(value.columns, d),
                    "data": [self.pack(_values(value.iloc[:, i]), d)
                             for i in range(value.shape[1])]}
        if isinstance(value, pd.Series):
            return {"kind": "series", "name": self.encode(value.name, d),
                    "index": self.encode(value.index, d), "data": self.pack(_values(value), d)}
        if isinstance(value, pd.MultiIndex):
            return {"kind": "multi_index",
                    "levels": [self.encode(value.get_level_values(i), d)
                               for i in range(value.nlevels)]}
        if isinstance(value, pd.RangeIndex):
            return {"kind": "range_index", "start": value.start, "stop": value.stop,
                    "step": value.step, "name": self.encode(value.name, d)}
        if isinstance(value, pd.Index):
            freq = None if isinstance(value, pd.PeriodIndex) else getattr(value, "freqstr", None)
            return {"kind": "index", "name": self.encode(value.name, d),
                    "data": self.pack(_values(value), d),
                    "freq": freq if freq and _is_freq(freq) else None}  # else dropped
        if isinstance(value, np.ndarray) and _dtype_name(value.dtype, numpy=True):
            return {"kind": "ndarray", "shape": list(value.shape),
                    "data": self.pack(value.ravel(), d, numpy=True)}
        if isinstance(value, list | tuple | set | frozenset):
            kind = next(k for k in (list, tuple, set, frozenset) if isinstance(value, k))
            self.spend(2 * len(value))
            return {"kind": kind.__name__, "items": [self.encode(x, d) for x in value]}
        if isinstance(value, Mapping):
            self.spend(4 * len(value))
            return {"kind": "dict",
                    "items": [[self.encode(k, d), self.encode(v, d)] for k, v in value.items()]}
        fig = _figure_of(value)
        if fig is not None:
            return self.figure(fig)
        kind = describe_type(value)
        if isinstance(value, np.ndarray | np.generic):
            kind += f" of dtype {value.dtype}"
        return {"kind": "unsupported", "description": kind}

    def pack(self, values: Any, depth: int, *, numpy: bool = False) -> dict[str, Any]:
        """A 1-D array's dtype and values (ndarray or pandas extension array)."""
        if depth > MAX_DEPTH:
            raise ValueError(f"the answer is nested deeper than {MAX_DEPTH} levels")
        name = _dtype_name(values.dtype, numpy=numpy)
        if name is None:  # another pandas dtype: its NumPy equivalent, else its items
            values = np.asarray(values)
            name = _dtype_name(values.dtype)
            if name is None:
                values, name = np.asarray(values, dtype=object), "object"
        self.spend(2 * len(values))
        out: dict[str, Any] = {"dtype": name}
        if name == "category":
            out["categories"] = self.pack(_values(values.categories), depth + 1)
            out["ordered"] = bool(values.ordered)
            out["values"] = values.codes.tolist()
        elif name.startswith(("datetime64", "timedelta64")) or name == "period":
            numbers = values.view("i8") if isinstance(values, np.ndarray) else values.asi8
            out["values"] = [None if x == _NAT else x for x in numbers.tolist()]
            if name == "period":
                out["freq"] = _freq(values.freqstr)
            if isinstance(values.dtype, pd.DatetimeTZDtype):
                out["tz"] = _tz_name(values.dtype.tz)
        elif name == "object":
            out["values"] = [self.encode(x, depth + 1) for x in values]
        elif name == "U" or name in _STRINGS:
            texts = values.tolist() if name == "U" else values.to_numpy(object, na_value=None)
            self.spend(sum(len(t) for t in texts if t is not None))
            out["values"] = list(texts)
        else:  # numbers and booleans, NumPy or nullable
            mask = values.isna() if name in _MASKED else np.zeros(len(values), dtype=bool)
            base = name.lower().replace("boolean", "bool")
            if name in _MASKED:
                values = values.to_numpy(base, na_value=False if base == "bool" else 0)
            numbers = values.tolist()
            if base.startswith("float"):
                numbers = [_float(x) for x in numbers]
            out["values"] = [None if m else x for x, m in zip(numbers, mask.tolist(),
                                                               strict=True)]
        return out

    def figure(self, fig: Any) -> dict[str, Any]:
        """What a check reads from a figure: axes, limits, ticks, labels, bars and lines."""
        from matplotlib.container import BarContainer

        def floats(xs: Iterable[Any]) -> list[float | str]:
            return [_float(x) for x in np.asarray(xs, dtype=float).ravel()]

        def ticks(ax: Any, axis: str) -> dict[str, Any]:
            where = 0 if axis == "x" else 1
            labels = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
            return {"ticks": floats(ax.get_xticks() if axis == "x" else ax.get_yticks()),
                    "labels": [[_float(t.get_position()[where]), t.get_text()] for t in labels]}

        def line(ln: Any) -> dict[str, Any]:
            data = []
            for xs in (ln.get_xdata(orig=False), ln.get_ydata(orig=False)):
                try:
                    data.append(floats(xs))
                except (TypeError, ValueError):
                    data.append([str(x) for x in np.ravel(xs)])
            return {"x": data[0], "y": data[1], "color": floats(_rgba(ln.get_color()))}

        axes = []
        for ax in fig.axes:
            bars = [{"orientation": c.orientation,
                     "patches": [[*floats([p.get_x(), p.get_y(), p.get_width(), p.get_height()]),
                                  floats(p.get_facecolor())] for p in c.patches]}
                    for c in ax.containers if isinstance(c, BarContainer)]
            axes.append({
                "visible": bool(ax.get_visible()), "position": floats(ax.get_position().bounds),
                "xlim": floats(ax.get_xlim()), "ylim": floats(ax.get_ylim()),
                "x": ticks(ax, "x"), "y": ticks(ax, "y"), "title": ax.get_title(),
                "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(), "bars": bars,
                "lines": [line(ln) for ln in ax.lines]})
            self.spend(len(json.dumps(axes[-1])))
        return {"kind": "figure", "size": floats(fig.get_size_inches()), "axes": axes}


def _rgba(color: Any) -> tuple[float, ...]:
    from matplotlib.colors import to_rgba

    return to_rgba(color)


def to_data(value: object, *, max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """Encode an answer as JSON-serialisable data tagged by its ``"kind"``.

    Parameters
    ----------
    value
        A learner's answer: None, a bool, number, string, date or time, a list,
        tuple, set or dict of those, a NumPy array, a pandas Index, Series or
        DataFrame (dtypes, names and index kept), or a matplotlib Figure or
        Axes (a summary of what a check reads). The placeholder ``____`` gives
        kind ``"blank"``; any other type gives kind ``"unsupported"`` with a
        description of it.
    max_bytes
        The largest size of the encoding accepted, in bytes of JSON.

    Returns
    -------
    dict
        Data made of dicts, lists, strings, numbers, booleans and None only;
        nan and infinities are written as the strings "nan", "inf", "-inf".

    Raises
    ------
    ValueError
        When the encoding is larger than ``max_bytes``, nested deeper than
        :data:`MAX_DEPTH`, or holds a time zone or frequency that cannot be
        recorded.

    Examples
    --------
    >>> to_data(float("inf"))
    {'kind': 'float', 'value': 'inf'}
    >>> to_data((1, "a"))["items"]
    [{'kind': 'int', 'value': 1}, {'kind': 'str', 'value': 'a'}]
    >>> to_data(lambda x: x)
    {'kind': 'unsupported', 'description': 'a function'}
    """
    data = _Encoder(max_bytes).encode(value)
    size = len(json.dumps(data, allow_nan=False))
    if size > max_bytes:
        raise ValueError(f"the answer is too large to record: {size:,} bytes as JSON, over "
                         f"the limit of {max_bytes:,}")
    return data


# --------------------------------------------------------------------------- decoding


def _object_array(items: list[Any]) -> np.ndarray:
    """A 1-D object array of ``items`` (even when they are tuples or lists)."""
    out = np.empty(len(items), dtype=object)
    for i, x in enumerate(items):
        out[i] = x
    return out


def _unpack(data: object, depth: int, *, numpy: bool = False) -> Any:
    """The array :meth:`_Encoder.pack` encoded: a NumPy or pandas extension array."""
    if depth > MAX_DEPTH:
        raise ValueError(f"the data is nested deeper than {MAX_DEPTH} levels")
    if not isinstance(data, dict):
        raise ValueError(f"array data must be a dict, not {type(data).__name__}")
    name = _str(data.get("dtype"))
    if name not in (_ARRAY_DTYPES if numpy else _PANDAS_DTYPES):
        raise ValueError(f"unknown dtype {name!r:.60}")
    values = _list(data.get("values"))
    if name == "category":
        _fields(data, "dtype", "values", "categories", "ordered")
        categories = _unpack(data["categories"], depth + 1)
        dtype = pd.CategoricalDtype(pd.Index(categories, dtype=categories.dtype,
                                             tupleize_cols=False), _bool(data["ordered"]))
        return pd.Categorical.from_codes([_int(c) for c in values], dtype=dtype)
    if name.startswith(("datetime64", "timedelta64")) or name == "period":
        _fields(data, "dtype", "values", optional=["tz"] if name.startswith("datetime")
                else ["freq"] if name == "period" else [])
        numbers = np.array([_NAT if x is None else _int(x) for x in values], dtype=np.int64)
        if name == "period":
            return pd.PeriodIndex.from_ordinals(numbers, freq=_freq(_str(data.get("freq")))).array
        array = numbers.view(name)
        tz = _tz(data.get("tz"))
        return array if tz is None else pd.array(array).tz_localize("UTC").tz_convert(tz)
    _fields(data, "dtype", "values")
    if name == "object":
        return _object_array([_decode(x, depth + 1) for x in values])
    if name == "U":
        return np.array([_str(x) for x in values], dtype=np.str_)
    if name in _STRINGS:
        return pd.array([_maybe(_str)(x) for x in values], dtype=_STRINGS[name])
    base = name.lower().replace("boolean", "bool")
    read = _bool if base == "bool" else _unfloat if base.startswith("float") else _int
    if name in _MASKED:
        return pd.array([_maybe(read)(x) for x in values], dtype=name)
    return np.array([read(x) for x in values], dtype=name)


def _index(data: object, depth: int) -> pd.Index:
    index = _decode(data, depth)
    if not isinstance(index, pd.Index):
        raise ValueError(f"expected an index, got {type(index).__name__}")
    return index


def _figure(data: dict[str, Any]) -> Any:
    """A matplotlib Figure (no pyplot, no display) with what :meth:`_Encoder.figure` read."""
    from matplotlib.figure import Figure

    def floats(xs: object, n: int | None = None) -> list[float]:
        out = [_unfloat(x) for x in _list(xs)]
        if n is not None and len(out) != n:
            raise ValueError(f"expected {n} numbers, got {len(out)}")
        return out

    def rgba(xs: object) -> tuple[float, ...]:
        return tuple(floats(xs, 4))

    def set_ticks(ax: Any, axis: str, ticks: object) -> None:
        if not isinstance(ticks, dict):
            raise ValueError("figure data: tick data must be a dict")
        _fields(ticks, "ticks", "labels")
        where = floats(ticks["ticks"])
        texts = {}
        for pair in _list(ticks["labels"]):
            if len(_list(pair)) != 2:
                raise ValueError("figure data: a tick label must be [position, text]")
            texts.setdefault(_unfloat(pair[0]), _str(pair[1]))
        labels = [texts.get(t, "") for t in where]
        (ax.set_xticks if axis == "x" else ax.set_yticks)(where, labels=labels)

    _fields(data, "size", "axes")
    fig = Figure(figsize=floats(data["size"], 2))
    for a in _list(data["axes"]):
        if not isinstance(a, dict):
            raise ValueError("figure data: each axes must be a dict")
        _fields(a, "visible", "position", "xlim", "ylim", "x", "y", "title", "xlabel",
                "ylabel", "bars", "lines")
        ax = fig.add_axes(floats(a["position"], 4))
        for bars in _list(a["bars"]):
            if not isinstance(bars, dict):
                raise ValueError("figure data: bars must be a dict")
            _fields(bars, "orientation", "patches")
            patches = [_list(p) for p in _list(bars["patches"])]
            if any(len(p) != 5 for p in patches):
                raise ValueError("figure data: a bar must be [x, y, width, height, colour]")
            x, y, w, h = ([_unfloat(p[i]) for p in patches] for i in range(4))
            colours = [rgba(p[4]) for p in patches]
            if bars["orientation"] == "vertical":
                ax.bar(x, h, width=w, bottom=y, align="edge", color=colours)
            elif bars["orientation"] == "horizontal":
                ax.barh(y, w, height=h, left=x, align="edge", color=colours)
            else:
                raise ValueError("figure data: a bar orientation is 'vertical' or 'horizontal'")
        for line in _list(a["lines"]):
            if not isinstance(line, dict):
                raise ValueError("figure data: a line must be a dict")
            _fields(line, "x", "y", "color")
            xy = []
            for xs in (line["x"], line["y"]):
                xs = _list(xs)
                xy.append([_str(v) for v in xs] if xs and isinstance(xs[0], str)
                          and xs[0] not in _SPECIAL else floats(xs))
            ax.plot(*xy, color=rgba(line["color"]))
        set_ticks(ax, "x", a["x"])
        set_ticks(ax, "y", a["y"])
        ax.set_xlim(*floats(a["xlim"], 2))
        ax.set_ylim(*floats(a["ylim"], 2))
        ax.set_title(_str(a["title"]))
        ax.set_xlabel(_str(a["xlabel"]))
        ax.set_ylabel(_str(a["ylabel"]))
        ax.set_visible(_bool(a["visible"]))
    return fig


def _decode(data: object, depth: int) -> Any:  # one branch per kind, on purpose
    if depth > MAX_DEPTH:
        raise ValueError(f"the data is nested deeper than {MAX_DEPTH} levels")
    if not isinstance(data, dict):
        raise ValueError(f"answer data must be a dict, not {type(data).__name__}")
    kind = data.get("kind")
    d = depth + 1
    if kind in ("blank", "none", "nat", "na"):
        _fields(data)
        return {"blank": ____, "none": None, "nat": pd.NaT, "na": pd.NA}[kind]
    if kind in ("bool", "int", "float"):
        _fields(data, "value", optional=["dtype"])
        value = {"bool": _bool, "int": _int, "float": _unfloat}[kind](data["value"])
        if "dtype" not in data:
            return value
        dtype = _str(data["dtype"])
        allowed = {"bool": {"bool"}, "int": _INTS, "float": _NUMBERS - {"bool", *_INTS}}[kind]
        if dtype not in allowed:
            raise ValueError(f"unknown dtype {dtype!r:.60} for a {kind}")
        return np.dtype(dtype).type(value)
    if kind == "str":
        _fields(data, "value")
        return _str(data["value"])
    if kind == "unsupported":
        _fields(data, "description")
        return Unsupported(_str(data["description"]))
    if kind == "timestamp":
        _fields(data, "value", "unit", "tz")
        unit = _str(data["unit"])
        if unit not in _UNITS:
            raise ValueError(f"unknown time unit {unit!r:.20}")
        ts = pd.Timestamp(np.datetime64(_int(data["value"]), unit))
        tz = _tz(data["tz"])
        return ts if tz is None else ts.tz_localize("UTC").tz_convert(tz)
    if kind == "datetime":
        _fields(data, "value", "tz")
        value = datetime.datetime.fromisoformat(_str(data["value"]))
        if value.tzinfo is not None:
            raise ValueError("datetime data: the time zone belongs in the 'tz' field")
        return value.replace(tzinfo=_tz(data["tz"]))
    if kind == "date":
        _fields(data, "value")
        return datetime.date.fromisoformat(_str(data["value"]))
    if kind == "pd_timedelta":
        _fields(data, "value", "unit")
        unit = _str(data["unit"])
        if unit not in _UNITS:
            raise ValueError(f"unknown time unit {unit!r:.20}")
        return pd.Timedelta(np.timedelta64(_int(data["value"]), unit))
    if kind == "timedelta":
        _fields(data, "value")
        return datetime.timedelta(microseconds=_int(data["value"]))
    if kind in ("datetime64", "timedelta64"):
        _fields(data, "value", "unit")
        unit = _str(data["unit"])
        if unit not in (*_NUMPY_UNITS, "generic"):
            raise ValueError(f"unknown time unit {unit!r:.20}")
        value = _maybe(_int)(data["value"])
        make = np.datetime64 if kind == "datetime64" else np.timedelta64
        return make("NaT", unit) if value is None else make(value, unit)
    if kind == "period":
        _fields(data, "value", "freq")
        return pd.Period(ordinal=_int(data["value"]), freq=_freq(_str(data["freq"])))
    if kind in ("list", "tuple", "set", "frozenset"):
        _fields(data, "items")
        items = [_decode(x, d) for x in _list(data["items"])]
        try:
            return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[kind](items)
        except TypeError as exc:  # an unhashable item in a set
            raise ValueError(f"{kind} data: {exc}") from None
    if kind == "dict":
        _fields(data, "items")
        pairs = [_list(p) for p in _list(data["items"])]
        if any(len(p) != 2 for p in pairs):
            raise ValueError("dict data: each item must be a [key, value] pair")
        try:
            return {_decode(k, d): _decode(v, d) for k, v in pairs}
        except TypeError as exc:  # an unhashable key
            raise ValueError(f"dict data: {exc}") from None
    if kind == "ndarray":
        _fields(data, "shape", "data")
        shape = tuple(_int(n) for n in _list(data["shape"]))
        values = _unpack(data["data"], d, numpy=True)
        if any(n < 0 for n in shape) or math.prod(shape) != len(values):
            raise ValueError(f"ndarray data: shape {shape} does not hold {len(values)} values")
        return values.reshape(shape)
    if kind == "index":
        _fields(data, "name", "data", "freq")
        values = _unpack(data["data"], d)
        freq = _maybe(_str)(data["freq"])
        index = pd.Index(values, dtype=values.dtype, name=_decode(data["name"], d),
                         tupleize_cols=False)
        if freq is not None:
            if not isinstance(index, pd.DatetimeIndex | pd.TimedeltaIndex):
                raise ValueError("index data: only dates and durations have a frequency")
            index = type(index)(index, freq=_freq(freq))
        return index
    if kind == "range_index":
        _fields(data, "start", "stop", "step", "name")
        return pd.RangeIndex(_int(data["start"]), _int(data["stop"]), _int(data["step"]),
                             name=_decode(data["name"], d))
    if kind == "multi_index":
        _fields(data, "levels")
        levels = [_index(x, d) for x in _list(data["levels"])]
        if not levels:
            raise ValueError("multi_index data: no levels")
        return pd.MultiIndex.from_arrays(levels, names=[lv.name for lv in levels])
    if kind == "series":
        _fields(data, "name", "index", "data")
        index, values = _index(data["index"], d), _unpack(data["data"], d)
        if len(index) != len(values):
            raise ValueError(f"series data: {len(values)} values for {len(index)} labels")
        return pd.Series(values, index=index, dtype=values.dtype, name=_decode(data["name"], d))
    if kind == "frame":
        _fields(data, "index", "columns", "data")
        index, columns = _index(data["index"], d), _index(data["columns"], d)
        arrays = [_unpack(x, d) for x in _list(data["data"])]
        if len(arrays) != len(columns) or any(len(a) != len(index) for a in arrays):
            raise ValueError(f"frame data: the columns do not fit {len(index)} rows x "
                             f"{len(columns)} columns")
        frame = pd.DataFrame({i: pd.Series(a, dtype=a.dtype) for i, a in enumerate(arrays)},
                             index=pd.RangeIndex(len(index)))
        frame.index, frame.columns = index, columns
        return frame
    if kind == "figure":
        return _figure(data)
    raise ValueError(f"unknown kind of answer data {kind!r:.60}")


def from_data(data: object) -> Any:
    """Rebuild the value :func:`to_data` encoded, refusing anything it would not produce.

    Only data is read: kinds and dtype names come from explicit lists, and
    nothing that can run code (eval, pickle, ``allow_pickle``) is used.

    Parameters
    ----------
    data
        The dict :func:`to_data` gave, after a trip through JSON.

    Returns
    -------
    object
        The value; ``____`` itself for kind ``"blank"``; an :class:`Unsupported`
        for kind ``"unsupported"``; a :class:`matplotlib.figure.Figure` rebuilt
        from the summary of a figure.

    Raises
    ------
    ValueError
        When ``data`` is not something :func:`to_data` produces: unknown kind,
        missing or unknown field, field of the wrong type, unknown dtype, time
        zone or frequency, nesting deeper than :data:`MAX_DEPTH`.

    Examples
    --------
    >>> from_data({"kind": "tuple", "items": [{"kind": "float", "value": "nan"}]})
    (nan,)
    >>> from_data({"kind": "code", "value": "import os"})
    Traceback (most recent call last):
    ...
    ValueError: unknown kind of answer data 'code'
    """
    try:
        return _decode(data, 0)
    except ValueError:
        raise
    except (TypeError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        raise ValueError(f"the answer data is malformed ({type(exc).__name__}: {exc})") from None


# --------------------------------------------------------------------------- the two ends


def capture(namespace: Mapping[str, Any], questions: Mapping[str, Iterable[str]]) -> None:
    """Display the questions' variables from ``namespace`` as one output of answers.

    Runs in the learner's kernel and never raises: a variable that is not
    defined is left out; a value that cannot be encoded is recorded as kind
    ``"unsupported"`` with the reason.

    Parameters
    ----------
    namespace
        The notebook's globals.
    questions
        The variable names of each question, by question id.

    Notes
    -----
    In IPython the payload ``{qid: {variable: data}}`` is displayed as
    :data:`ANSWERS_MIME`; elsewhere its JSON is printed.

    Examples
    --------
    >>> capture({"n": 3, "m": ____}, {"q1": ["n"], "q2": ["m", "unset"]})
    {"q1": {"n": {"kind": "int", "value": 3}}, "q2": {"m": {"kind": "blank"}}}
    """
    payload: dict[str, dict[str, Any]] = {}
    for qid, names in questions.items():
        answers = payload.setdefault(str(qid), {})
        for name in names:
            if name not in namespace:
                continue
            try:
                answers[name] = to_data(namespace[name])
            except ValueError as exc:
                answers[name] = {"kind": "unsupported", "description": str(exc)}
            except Exception as exc:  # noqa: BLE001 - recording must never fail the notebook
                answers[name] = {"kind": "unsupported",
                                 "description": f"{type(exc).__name__}: {exc}"}
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        shell = None
    if shell is None:
        print(json.dumps(payload))
        return
    from IPython.display import display

    text = f"answers recorded for grading: {', '.join(payload)}"
    display({ANSWERS_MIME: payload, "text/plain": text}, raw=True)


def read_answers(payload: object) -> dict[str, dict[str, object]]:
    """Decode the answers :func:`capture` displayed, as the grader receives them.

    Parameters
    ----------
    payload
        ``{question id: {variable: data}}``, parsed from JSON.

    Returns
    -------
    dict
        ``{question id: {variable: value}}``; a value that cannot be read back
        becomes an :class:`Unsupported` saying why.

    Raises
    ------
    ValueError
        When the payload is not a dict of dicts keyed by strings.

    Examples
    --------
    >>> read_answers({"q1": {"n": {"kind": "int", "value": 3}, "m": {"kind": "?"}}})
    {'q1': {'n': 3, 'm': <unsupported answer: an answer that could not be read back: \
unknown kind of answer data '?'>}}
    """
    if not isinstance(payload, dict):
        raise ValueError(f"the answers must be a dict by question, not {type(payload).__name__}")
    out: dict[str, dict[str, object]] = {}
    for qid, answers in payload.items():
        if not isinstance(qid, str) or not isinstance(answers, dict):
            raise ValueError(f"the answers of question {qid!r:.40} must be a dict by variable")
        if not all(isinstance(name, str) for name in answers):
            raise ValueError(f"the variable names of question {qid!r:.40} must be strings")
        out[qid] = {}
        for name, data in answers.items():
            try:
                out[qid][name] = from_data(data)
            except ValueError as exc:
                out[qid][name] = Unsupported(f"an answer that could not be read back: {exc}")
    return out
