"""Checked exercises: ``q1.check()``, ``q1.hint()``, ``q1.solution()``.

An exercise notebook binds one :class:`Exercise` per question to its own
namespace::

    from coursekit.exercises import m00
    q1, q2, q3 = m00.EXERCISES.bind(globals())

    top_channel = ____  # your code here
    q1.check()          # Not attempted: ...

A question is a small subclass of :class:`Exercise` that says which variables
the learner sets, computes the expected value from the course data, and may
list plausible wrong answers with a hint aimed at each. The comparison helpers
(:func:`diff_value` and friends) say *what* is off (type, length, columns,
too high or too low) without giving the answer away.
"""

from __future__ import annotations

import datetime
import functools
import html
import math
import numbers
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

__all__ = [
    "SIGNIFICANT_FIGURES",
    "BesideTruth",
    "Recorded",
    "____",
    "Exercise",
    "ExerciseSet",
    "Result",
    "as_day",
    "describe_type",
    "diff_day",
    "diff_frame",
    "diff_number",
    "diff_series",
    "diff_set",
    "diff_text",
    "diff_value",
    "find_course_root",
    "hide_count",
    "recorded",
    "same",
    "specific_first",
]

Status = Literal["correct", "incorrect", "not_attempted"]

_LABELS: dict[str, str] = {
    "correct": "Correct",
    "incorrect": "Incorrect",
    "not_attempted": "Not attempted",
}
_COLOURS: dict[str, str] = {
    "correct": "#1a7f37",
    "incorrect": "#cf222e",
    "not_attempted": "#0969da",
}


# --------------------------------------------------------------------------
# The placeholder
# --------------------------------------------------------------------------


class _Blank:
    """The placeholder learners replace with their own code.

    Attribute access, calls and indexing on it give the placeholder back, so a
    cell that builds on an unfinished answer still runs (and shows ``____``)
    instead of failing with a confusing error.
    """

    _instance: ClassVar[_Blank | None] = None

    def __new__(cls) -> _Blank:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"

    def __getattr__(self, name: str) -> _Blank:
        if name.startswith("_"):
            raise AttributeError(name)
        return self

    def __call__(self, *args: object, **kwargs: object) -> _Blank:
        return self

    def __getitem__(self, key: object) -> _Blank:
        return self

    def __reduce__(self) -> str:
        return "____"


____ = _Blank()


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """The outcome of checking one question.

    Parameters
    ----------
    status
        ``"correct"``, ``"incorrect"`` or ``"not_attempted"``.
    message
        One or two sentences for the learner.

    Examples
    --------
    >>> r = Result("incorrect", "`arpu` is too high.")
    >>> r.text
    'Incorrect: `arpu` is too high.'
    >>> r.is_correct
    False
    """

    status: Status
    message: str

    def __post_init__(self) -> None:
        if self.status not in _LABELS:
            raise ValueError(f"status must be one of {sorted(_LABELS)}, not {self.status!r}")

    @property
    def is_correct(self) -> bool:
        """True when the answer is correct."""
        return self.status == "correct"

    @property
    def text(self) -> str:
        """Plain text shown in the notebook: ``"<Label>: <message>"``."""
        return f"{_LABELS[self.status]}: {self.message}"

    def html(self) -> str:
        """A small coloured HTML version of :attr:`text`.

        Examples
        --------
        >>> "#1a7f37" in Result("correct", "well done").html()
        True
        """
        colour = _COLOURS[self.status]
        return (
            f'<div style="border-left: 4px solid {colour}; padding: 0.2em 0.6em">'
            f'<span style="color: {colour}; font-weight: bold">{_LABELS[self.status]}:</span> '
            f"{html.escape(self.message)}</div>"
        )


def _show(plain: str, **bundle: str) -> None:
    """Display ``plain`` (and richer versions) in the notebook, or print it."""
    try:
        from IPython.core.interactiveshell import InteractiveShell
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        print(plain)
        return
    if not InteractiveShell.initialized():
        print(plain)
        return
    from IPython.display import display

    display({"text/plain": plain, **bundle}, raw=True)


# --------------------------------------------------------------------------
# Comparison helpers: None when equal, else a sentence saying what is off
# --------------------------------------------------------------------------


def hide_count(result: Result | None) -> Result | None:
    """``result`` with the number of missed items taken out of its message.

    For a set answer whose size would give the answer away: "misses 2 expected
    items" tells the learner how many items the right answer has.

    Examples
    --------
    >>> hide_count(Result("incorrect", "`tiers` misses 2 expected items.")).message
    '`tiers` misses some expected items.'
    >>> hide_count(None) is None
    True
    """
    if result is None or result.status != "incorrect":
        return result
    return Result(result.status, re.sub(r"misses \d+ expected items?",
                                        "misses some expected items", result.message))


def describe_type(obj: object) -> str:
    """Name the kind of ``obj`` in words a learner knows.

    Examples
    --------
    >>> describe_type(3.5), describe_type("web"), describe_type(pd.Series([1]))
    ('a number', 'a string', 'a pandas Series')
    """
    if obj is None:
        return "None"
    if obj is ____:
        return "the placeholder ____"
    if isinstance(obj, bool | np.bool_):
        return "True or False"
    if isinstance(obj, numbers.Number):
        return "a number"
    if isinstance(obj, str):
        return "a string"
    if isinstance(obj, pd.DataFrame):
        return "a pandas DataFrame"
    if isinstance(obj, pd.Series):
        return "a pandas Series"
    if isinstance(obj, pd.Index):
        return "a pandas Index"
    if isinstance(obj, np.ndarray):
        return "a NumPy array"
    if isinstance(obj, set | frozenset):
        return "a set"
    if isinstance(obj, list):
        return "a list"
    if isinstance(obj, tuple):
        return "a tuple"
    if isinstance(obj, Mapping):
        return "a dict"
    return f"a {type(obj).__name__}"


def _wrong_type(name: str, expected: str, answer: object) -> str:
    return f"{name} should be {expected}, but it is {describe_type(answer)}."


def _is_number(x: object) -> bool:
    real = isinstance(x, numbers.Real | Decimal)
    return real and not isinstance(x, bool | np.bool_)


#: A measured number (a float) is right when it agrees with the expected value
#: to this many significant figures, the precision a learner reads off a table.
SIGNIFICANT_FIGURES = 3


def _half_unit(expected: float) -> float:
    """Half a unit in the last significant figure kept (0.0005 for 0.1234)."""
    if expected == 0 or not math.isfinite(expected):
        return 0.0
    return 0.5 * 10 ** (math.floor(math.log10(abs(expected))) - (SIGNIFICANT_FIGURES - 1))


def _close(a: float, e: float, *, rtol: float, atol: float, measured: bool) -> bool:
    """Equal within the tolerance, or, for a measured value, to the significant figures."""
    if math.isclose(a, e, rel_tol=rtol, abs_tol=atol):
        return True
    return measured and abs(a - e) <= _half_unit(e) * (1 + 1e-9)


def _is_measured(x: object) -> bool:
    """A float (not an integer count): read to :data:`SIGNIFICANT_FIGURES`."""
    return isinstance(x, float | np.floating | Decimal)


def _single(answer: object) -> object:
    """The value inside a one-item Series, Index, array, list or 1x1 DataFrame, else itself.

    A Series of one row whose value is not a string gives its index label when
    ``label`` answers are due; here the value is taken (see :func:`_single_label`).
    """
    if isinstance(answer, pd.DataFrame) and answer.shape == (1, 1):
        return answer.iloc[0, 0]
    boxed = isinstance(answer, pd.Series | pd.Index | np.ndarray | list | tuple)
    if boxed and np.size(answer) == 1:
        return answer.iloc[0] if isinstance(answer, pd.Series) else list(np.ravel(answer))[0]
    return answer


def _single_label(answer: object) -> object:
    """A one-row Series read as a name: its value when text, else its index label."""
    if isinstance(answer, pd.Series) and len(answer) == 1 and not isinstance(answer.iloc[0], str):
        return answer.index[0]
    return _single(answer)


def as_day(value: object) -> pd.Timestamp | None:
    """Read an answer that names a day: a string, a date, a Timestamp or a day Period.

    Returns
    -------
    pandas.Timestamp or None
        The day at midnight, or None when the value cannot be read as one day.

    Examples
    --------
    >>> import datetime
    >>> as_day(datetime.date(2025, 3, 1)) == as_day("2025-03-01") == as_day(pd.Timestamp("2025-03-01 10:00"))
    True
    >>> as_day("soon") is None
    True
    """  # noqa: E501
    value = _single(value)
    if isinstance(value, pd.Period):
        value = value.start_time
    if isinstance(value, bool | np.bool_) or _is_number(value):
        return None
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if ts is pd.NaT or ts.tzinfo is not None:
        return None
    return ts.normalize()


def diff_day(answer: object, expected: object, *, name: str = "the answer") -> str | None:
    """Compare a day, read from any of the types a learner would naturally give.

    Examples
    --------
    >>> import datetime
    >>> diff_day(datetime.date(2025, 11, 11), pd.Timestamp("2025-11-11")) is None
    True
    >>> diff_day("2025-11-12", pd.Timestamp("2025-11-11"), name="`peak_day`")
    '`peak_day` is a later day than the right one.'
    """
    want = as_day(expected)
    got = as_day(answer)
    if got is None:
        return (f"{name} should be a day, such as '2025-01-31' or a date, but it is "
                f"{describe_type(answer)}.")
    if got == want:
        return None
    return f"{name} is {'a later' if got > want else 'an earlier'} day than the right one."


def diff_number(
    answer: object,
    expected: float,
    *,
    name: str = "the answer",
    rtol: float = 1e-4,
    atol: float = 1e-9,
) -> str | None:
    """Compare a number within a relative tolerance, or to three significant figures.

    A float expected value is a measurement: an answer that agrees with it to
    :data:`SIGNIFICANT_FIGURES` significant figures (what a learner reads off a
    table pandas prints) is right. An integer expected value (a count) must match
    within ``rtol``. A one-row Series or a 1x1 table is read as its value. Shares
    are fractions everywhere in the course: a percentage gets a message saying so.

    Parameters
    ----------
    answer
        What the learner gave.
    expected
        The right number.
    name
        How to call the answer in the message, e.g. ``"`arpu`"``.
    rtol, atol
        Relative and absolute tolerance (as in :func:`math.isclose`).

    Returns
    -------
    str or None
        None when equal, else a sentence saying what is off (never the answer).

    Examples
    --------
    >>> diff_number(0.25, 0.25) is None
    True
    >>> diff_number(0.123, 0.12345) is None, diff_number(0.12, 0.12345) is None
    (True, False)
    >>> diff_number(25.0, 0.25, name="`share`")
    '`share` is 100 times too large: give a share as a fraction (0.25), not a percentage (25).'
    >>> diff_number("12", 12.0, name="`orders`")
    '`orders` should be a number, but it is a string.'
    """
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer.item()
    answer = _single(answer)  # a one-row Series or 1x1 table is read as its value
    if not _is_number(answer):
        return _wrong_type(name, "a number", answer)
    a, e = float(answer), float(expected)  # type: ignore[arg-type]
    if math.isnan(e) or math.isnan(a):
        return None if math.isnan(a) and math.isnan(e) else f"{name} is NaN where a number is due."
    measured = _is_measured(expected)
    if _close(a, e, rtol=rtol, atol=atol, measured=measured):
        return None
    if e != 0 and _close(a, e * 100, rtol=max(rtol, 1e-3), atol=atol, measured=measured):
        return (
            f"{name} is 100 times too large: give a share as a fraction (0.25), "
            "not a percentage (25)."
        )
    if e != 0 and _close(a * 100, e, rtol=max(rtol, 1e-3), atol=atol, measured=measured):
        return f"{name} is 100 times too small: give it as a percentage (25), not a fraction."
    if e != 0 and _close(a, -e, rtol=rtol, atol=atol, measured=measured):
        return f"{name} has the wrong sign."
    return f"{name} is too {'high' if a > e else 'low'}."


def diff_text(answer: object, expected: str, *, name: str = "the answer") -> str | None:
    """Compare strings ignoring case and surrounding spaces.

    A one-item list or Index is read as its item, and a one-row Series as its
    value when it is text, else as its index label (``s.nlargest(1)`` names a
    channel by its label).

    Examples
    --------
    >>> diff_text(" Organic ", "organic") is None
    True
    >>> diff_text("paid", "organic", name="`top_channel`")
    '`top_channel` is not the expected one.'
    """
    answer = _single_label(answer)  # e.g. the one-row Series of .nlargest(1)
    if not isinstance(answer, str):
        return _wrong_type(name, "a string", answer)
    if answer.strip().casefold() == expected.strip().casefold():
        return None
    return f"{name} is not the expected one."


def _as_collection(answer: object) -> list[Any] | None:
    if isinstance(answer, str | bytes | Mapping | pd.DataFrame):
        return None
    if isinstance(answer, np.ndarray) and answer.ndim != 1:
        return None
    if isinstance(answer, Iterable):
        return list(answer)
    return None


def diff_set(answer: object, expected: Iterable[Any], *, name: str = "the answer") -> str | None:
    """Compare collections as sets (order and repeats ignored).

    A list, tuple, set, pandas Series or Index is accepted as the answer.

    Examples
    --------
    >>> diff_set(["b", "a", "a"], {"a", "b"}) is None
    True
    >>> diff_set(["a"], {"a", "b"}, name="`tiers`")
    '`tiers` misses 1 expected item.'
    """
    items = _as_collection(answer)
    if items is None:
        return _wrong_type(name, "a collection (a list or set)", answer)
    try:
        got = set(items)
    except TypeError:
        return f"{name} holds unhashable items (lists or dicts); give plain values."
    want = set(expected)
    missing, extra = len(want - got), len(got - want)
    if not missing and not extra:
        return None
    parts = []
    if missing:
        parts.append(f"misses {missing} expected item{'s' if missing > 1 else ''}")
    if extra:
        parts.append(f"has {extra} item{'s' if extra > 1 else ''} that should not be there")
    return f"{name} {' and '.join(parts)}."


def _is_na(x: object) -> bool:
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _scalar_equal(a: object, e: object) -> bool:
    if _is_na(a) and _is_na(e):
        return True
    try:
        return bool(a == e)
    except (TypeError, ValueError):
        return False


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)


def _count_mismatches(a: pd.Series, e: pd.Series, rtol: float, atol: float) -> int:
    """How many positions differ between two aligned Series of equal length."""
    av, ev = a.to_numpy(), e.to_numpy()
    if _numeric(a) and _numeric(e):
        af = a.to_numpy(dtype=float, na_value=np.nan)
        ef = e.to_numpy(dtype=float, na_value=np.nan)
        ok = np.isclose(af, ef, rtol=rtol, atol=atol, equal_nan=True)
        if pd.api.types.is_float_dtype(e.dtype):  # measured values: three significant figures
            with np.errstate(divide="ignore", invalid="ignore"):
                mag = np.floor(np.log10(np.abs(ef)))
                unit = 10.0 ** (mag - (SIGNIFICANT_FIGURES - 1))
                half = np.where(np.isfinite(mag), 0.5 * unit, 0)
                ok |= np.abs(af - ef) <= half * (1 + 1e-9)
        return int((~ok).sum())
    return sum(not _scalar_equal(x, y) for x, y in zip(av, ev, strict=True))


def _numeric_but_not(e: pd.Series, a: pd.Series) -> bool:
    """True when ``e`` holds numbers and ``a`` does not."""
    return _numeric(e) and not _numeric(a)


def _sort_rows(frame: pd.DataFrame) -> pd.DataFrame:
    cols = list(frame.columns)
    try:
        return frame.sort_values(cols, kind="mergesort").reset_index(drop=True)
    except TypeError:
        keys = frame.astype(str)
        order = keys.sort_values(cols, kind="mergesort").index
        return frame.loc[order].reset_index(drop=True)


def _index_problem(answer: pd.Series | pd.DataFrame, expected: pd.Series | pd.DataFrame,
                   name: str) -> str | None:
    """Spot a key kept as a column where an index is due, or the reverse."""
    exp_names = [n for n in expected.index.names if n is not None]
    if isinstance(answer, pd.DataFrame):
        as_columns = [n for n in exp_names if n in answer.columns and n not in answer.index.names]
        if as_columns:
            keys = ", ".join(f"`{n}`" for n in as_columns)
            return f"{name} has {keys} as a column; expected it as the index (set_index)."
    if isinstance(expected, pd.DataFrame):
        in_index = [n for n in answer.index.names if n is not None and n in expected.columns]
        if in_index:
            keys = ", ".join(f"`{n}`" for n in in_index)
            return f"{name} has {keys} as the index; expected it as a column (reset_index)."
    return None


def diff_series(
    answer: object,
    expected: pd.Series,
    *,
    name: str = "the answer",
    rtol: float = 1e-4,
    atol: float = 1e-9,
    ignore_order: bool = False,
    ignore_index: bool = False,
) -> str | None:
    """Compare a pandas Series: length, index labels, then values.

    Parameters
    ----------
    answer, expected
        The learner's Series and the right one. The Series name is ignored.
    name
        How to call the answer in the message.
    rtol, atol
        Tolerance for numeric values.
    ignore_order
        Accept the rows in any order (sorted by index, or by value when
        ``ignore_index`` is also set).
    ignore_index
        Compare the values only, not the index labels.

    Examples
    --------
    >>> e = pd.Series([3, 1], index=["web", "app"])
    >>> diff_series(e.sort_index(), e, ignore_order=True) is None
    True
    >>> diff_series(pd.Series([3, 2], index=["web", "app"]), e, name="`orders`")
    '`orders`: values differ in 1 of 2 rows.'
    """
    if not isinstance(answer, pd.Series):
        if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
            return (
                f"{name} should be a pandas Series, but it is a DataFrame with one column: "
                "select the column."
            )
        return _wrong_type(name, "a pandas Series", answer)
    if len(answer) != len(expected):
        return f"{name} has {len(answer)} rows; expected {len(expected)}."
    a, e = answer, expected
    if ignore_index:
        a, e = a.reset_index(drop=True), e.reset_index(drop=True)
        if ignore_order:
            a = _sort_rows(a.to_frame("v"))["v"]
            e = _sort_rows(e.to_frame("v"))["v"]
    else:
        if ignore_order:
            try:
                a, e = a.sort_index(kind="mergesort"), e.sort_index(kind="mergesort")
            except TypeError:
                return f"{name} has index labels that cannot be sorted against the expected ones."
        if not a.index.equals(e.index):
            if not ignore_order and a.index.sort_values().equals(e.index.sort_values()):
                return f"{name} has the right labels in the wrong order (check the sorting)."
            return f"{name} has different index labels than expected."
    if _numeric_but_not(e, a):
        return f"{name} should hold numbers, but its values are of type {a.dtype}."
    bad = _count_mismatches(a, e, rtol, atol)
    if bad:
        return f"{name}: values differ in {bad} of {len(e)} rows."
    return None


def diff_frame(
    answer: object,
    expected: pd.DataFrame,
    *,
    name: str = "the answer",
    rtol: float = 1e-4,
    atol: float = 1e-9,
    ignore_order: bool = False,
    ignore_index: bool = False,
) -> str | None:
    """Compare a pandas DataFrame: columns, rows, index labels, then values.

    Column order is ignored; extra or missing columns are named.

    Parameters
    ----------
    answer, expected
        The learner's table and the right one.
    name
        How to call the answer in the message.
    rtol, atol
        Tolerance for numeric columns.
    ignore_order
        Accept the rows in any order.
    ignore_index
        Compare the columns only, not the index labels.

    Examples
    --------
    >>> e = pd.DataFrame({"channel": ["app", "web"], "users": [5, 7]})
    >>> diff_frame(e[["users", "channel"]], e) is None
    True
    >>> diff_frame(e[["channel"]], e, name="`table`")
    '`table` misses column(s) `users`.'
    """
    if not isinstance(answer, pd.DataFrame):
        if isinstance(answer, pd.Series):
            return (
                f"{name} should be a pandas DataFrame, but it is a Series "
                "(use .to_frame() or .reset_index())."
            )
        return _wrong_type(name, "a pandas DataFrame", answer)
    if not ignore_index:
        problem = _index_problem(answer, expected, name)
        if problem:
            return problem
    missing = [c for c in expected.columns if c not in answer.columns]
    if missing:
        return f"{name} misses column(s) {', '.join(f'`{c}`' for c in missing)}."
    extra = [c for c in answer.columns if c not in expected.columns]
    if extra:
        return f"{name} has unexpected column(s) {', '.join(f'`{c}`' for c in extra)}."
    if len(answer) != len(expected):
        return f"{name} has {len(answer)} rows; expected {len(expected)}."
    if answer.columns.has_duplicates:
        return f"{name} has duplicated column names."
    a, e = answer[list(expected.columns)], expected
    if ignore_index:
        a, e = a.reset_index(drop=True), e.reset_index(drop=True)
        if ignore_order:
            a, e = _sort_rows(a), _sort_rows(e)
    else:
        if ignore_order:
            try:
                a, e = a.sort_index(kind="mergesort"), e.sort_index(kind="mergesort")
            except TypeError:
                return f"{name} has index labels that cannot be sorted against the expected ones."
        if not a.index.equals(e.index):
            if not ignore_order and a.index.sort_values().equals(e.index.sort_values()):
                return f"{name} has the right rows in the wrong order (check the sorting)."
            return f"{name} has different row labels (index) than expected."
    for col in e.columns:
        if _numeric_but_not(e[col], a[col]):
            return f"{name}: column `{col}` should hold numbers, but it is of type {a[col].dtype}."
        bad = _count_mismatches(a[col], e[col], rtol, atol)
        if bad:
            return f"{name}: column `{col}` differs in {bad} of {len(e)} rows."
    return None


def diff_value(answer: object, expected: object, *, name: str = "the answer",
               **options: Any) -> str | None:
    """Compare any answer with the expected value, choosing the helper by its type.

    Numbers use :func:`diff_number`, strings :func:`diff_text`, sets
    :func:`diff_set`, Series :func:`diff_series`, DataFrames
    :func:`diff_frame`; lists, tuples and dicts are compared item by item;
    anything else with ``==``. Never raises: an answer of the wrong type gets a
    sentence naming the type expected.

    Parameters
    ----------
    answer, expected
        What the learner gave and the right value.
    name
        How to call the answer in the message.
    **options
        ``rtol``, ``atol``, ``ignore_order``, ``ignore_index``, passed on where
        they apply.

    Examples
    --------
    >>> diff_value([1, 2], [1, 2]) is None
    True
    >>> diff_value({"a": 1}, {"a": 1, "b": 2}, name="`counts`")
    '`counts` misses key(s) `b`.'
    >>> diff_value(pd.DataFrame(), 3.0, name="`arpu`")
    '`arpu` should be a number, but it is a pandas DataFrame.'
    """
    tol = {k: options[k] for k in ("rtol", "atol") if k in options}
    table = {k: options[k] for k in ("ignore_order", "ignore_index") if k in options}
    try:
        if isinstance(expected, pd.DataFrame):
            return diff_frame(answer, expected, name=name, **tol, **table)
        if isinstance(expected, pd.Series):
            return diff_series(answer, expected, name=name, **tol, **table)
        if isinstance(expected, bool | np.bool_):
            if not isinstance(answer, bool | np.bool_):
                return _wrong_type(name, "True or False", answer)
            return None if bool(answer) == bool(expected) else f"{name} is not right."
        if isinstance(expected, pd.Timestamp | datetime.date | np.datetime64):
            return diff_day(answer, expected, name=name)
        if _is_number(expected):
            return diff_number(answer, expected, name=name, **tol)  # type: ignore[arg-type]
        if isinstance(expected, str):
            return diff_text(answer, expected, name=name)
        if isinstance(expected, set | frozenset):
            return diff_set(answer, expected, name=name)
        if isinstance(expected, Mapping):
            return _diff_mapping(answer, expected, name, options)
        if isinstance(expected, list | tuple | np.ndarray | pd.Index):
            return _diff_sequence(answer, expected, name, options)
        if _scalar_equal(answer, expected) and type(answer) is type(expected):
            return None
        if type(answer) is not type(expected):
            return _wrong_type(name, describe_type(expected), answer)
        return f"{name} is not right."
    except Exception as exc:  # noqa: BLE001 - a learner's answer must never crash a check
        return (
            f"{name} could not be compared ({type(exc).__name__}); "
            f"it should be {describe_type(expected)}."
        )


def _diff_sequence(answer: object, expected: Sequence[Any] | np.ndarray | pd.Index, name: str,
                   options: dict[str, Any]) -> str | None:
    items = _as_collection(answer)
    if items is None:
        return _wrong_type(name, describe_type(expected), answer)
    want = list(expected)
    if len(items) != len(want):
        return f"{name} has {len(items)} items; expected {len(want)}."
    for i, (a, e) in enumerate(zip(items, want, strict=True)):
        problem = diff_value(a, e, name=f"item {i} of {name}", **options)
        if problem:
            return problem
    return None


def _diff_mapping(answer: object, expected: Mapping[Any, Any], name: str,
                  options: dict[str, Any]) -> str | None:
    if not isinstance(answer, Mapping):
        return _wrong_type(name, "a dict", answer)
    missing = [k for k in expected if k not in answer]
    if missing:
        return f"{name} misses key(s) {', '.join(f'`{k}`' for k in missing)}."
    extra = [k for k in answer if k not in expected]
    if extra:
        return f"{name} has unexpected key(s) {', '.join(f'`{k}`' for k in extra)}."
    for key, want in expected.items():
        problem = diff_value(answer[key], want, name=f"{name}[{key!r}]", **options)
        if problem:
            return problem
    return None


def same(answer: object, expected: object, **options: Any) -> bool:
    """True when :func:`diff_value` finds nothing off.

    Examples
    --------
    >>> same(0.1 + 0.2, 0.3), same("Web", "web"), same([1, 2], 1)
    (True, True, False)
    """
    return diff_value(answer, expected, **options) is None


# --------------------------------------------------------------------------
# Exercises
# --------------------------------------------------------------------------


def _cached_per_instance(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    key = fn.__qualname__

    @functools.wraps(fn)
    def wrapper(self: Any) -> Any:
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = fn(self)
        return cache[key]

    wrapper._per_instance_cache = True  # type: ignore[attr-defined]
    return wrapper


def find_course_root() -> Path | None:
    """The course folder holding ``solutions/``, or None when there is none.

    The environment variable ``COURSEKIT_ROOT`` wins when set; otherwise the
    folder above the ``coursekit`` package is used when it has ``solutions/``
    (a clone of the course repository).

    Examples
    --------
    >>> root = find_course_root()
    >>> root is None or (root / "solutions").is_dir() or "COURSEKIT_ROOT" in os.environ
    True
    """
    env = os.environ.get("COURSEKIT_ROOT")
    if env:
        return Path(env).expanduser()
    root = Path(__file__).resolve().parents[2]
    return root if (root / "solutions").is_dir() else None


class Exercise:
    """One checked question of an exercise notebook.

    Subclasses set the class attributes and implement :meth:`_expected`; they
    may override :meth:`compare` and :meth:`mistakes`. :meth:`_expected` and
    :meth:`mistakes` are computed once per instance (the base class caches
    them), so they may load data freely. The right value is deliberately not
    public: a learner's ``q1`` offers ``check()``, ``hint()`` and
    ``solution()``, and the grader runs notebooks with stand-ins
    (:func:`recorded`) that cannot compute it at all.

    Attributes
    ----------
    qid
        Question id, ``"q1"``; matches ``# BEGIN SOLUTION q1`` in the solutions.
    title
        A few words naming the question.
    variables
        Names the learner sets in the notebook.
    hints
        Hint levels, increasingly specific, never the answer itself.
    rtol, atol, ignore_order, ignore_index
        Options of the default comparison (see :func:`diff_value`).
    correct_message
        Said when the answer is right (e.g. what the number means).

    Parameters
    ----------
    namespace
        Where the learner's variables live (a notebook's ``globals()``).
    notebook
        Stem of the solutions notebook, used by :meth:`solution`.

    Examples
    --------
    >>> class Q1(Exercise):
    ...     qid, title, variables = "q1", "Average order value", ("aov",)
    ...     hints = ("Revenue divided by what?", "Divide by the number of orders.")
    ...     def _expected(self):
    ...         return 120.0 / 4
    ...     def mistakes(self):
    ...         return [(120.0 / 3, "You divided by customers; AOV divides by orders.")]
    >>> ns = {"aov": ____}
    >>> q1 = Q1(ns)
    >>> q1.evaluate().status
    'not_attempted'
    >>> ns["aov"] = 40.0
    >>> q1.evaluate().text
    'Incorrect: You divided by customers; AOV divides by orders.'
    >>> ns["aov"] = 30.0
    >>> q1.evaluate().status
    'correct'
    """

    qid: ClassVar[str] = ""
    title: ClassVar[str] = ""
    variables: ClassVar[tuple[str, ...]] = ()
    hints: ClassVar[tuple[str, ...]] = ()
    correct_message: ClassVar[str] = ""
    rtol: ClassVar[float] = 1e-4
    atol: ClassVar[float] = 1e-9
    ignore_order: ClassVar[bool] = False
    ignore_index: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for attr in ("_expected", "mistakes"):
            fn = cls.__dict__.get(attr)
            if callable(fn) and not getattr(fn, "_per_instance_cache", False):
                setattr(cls, attr, _cached_per_instance(fn))

    def __init__(self, namespace: Mapping[str, Any] | None = None, *,
                 notebook: str | None = None) -> None:
        self.namespace: Mapping[str, Any] = {} if namespace is None else namespace
        self.notebook = notebook
        self._hint_level = 0
        #: The outcome the learner last saw from :meth:`check` (None before the first check).
        self.last_result: Result | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.qid}: {self.title}>"

    # -- to implement in subclasses ---------------------------------------

    def _expected(self) -> Any:
        """The right value, computed from the data (a dict by variable name
        when there are several variables). Not for learners' code: the grader
        flags a notebook that calls it."""
        raise NotImplementedError(f"{type(self).__name__} must implement _expected()")

    def mistakes(self) -> list[tuple[object, str]]:
        """Plausible wrong answers, each with the hint aimed at that mistake.

        With several variables, each wrong answer is a dict of some of them.
        """
        return []

    def compare(self, **answers: Any) -> Result | None:
        """Judge the answers; None means correct.

        The default compares each variable with :meth:`_expected` using
        :func:`diff_value` and the class's tolerance options, and reports a
        known mistake with its hint before any generic message.
        """
        expected = self._expected()
        if len(self.variables) == 1:
            expected = {self.variables[0]: expected}
        if not isinstance(expected, Mapping):
            raise TypeError(f"{type(self).__name__}._expected() must return a dict by variable")
        problems = {
            var: diff_value(answers[var], expected[var], name=f"`{var}`", **self.options)
            for var in self.variables
        }
        if not any(problems.values()):
            return None
        for wrong, hint in self.mistakes():
            if self._matches_mistake(answers, wrong):
                return self.incorrect(hint)
        first = next(p for p in problems.values() if p)
        return self.incorrect(first)

    # -- helpers for subclasses -------------------------------------------

    def distinct_mistakes(self, pairs: Iterable[tuple[object, str]], *,
                          accepted: Iterable[object] = ()) -> list[tuple[object, str]]:
        """The plausible mistakes that are really wrong on the world in use, each once.

        Expected values are computed from the data, so on another world a
        plausible mistake can land on the right answer (or on an ``accepted``
        other reading of the question), or on the same value as an earlier
        mistake. Those are dropped, so that every hint listed is the one its
        answer gets. A mistake given as ``None`` (or a dict holding ``None``)
        is one that cannot be made on this world, and is dropped too.

        Parameters
        ----------
        pairs
            ``(wrong answer, hint)``; with several variables the wrong answer is
            a dict of some of them, the others taking their right values.
        accepted
            Other answers judged correct (same shape as a wrong answer).

        Examples
        --------
        >>> class Q(Exercise):
        ...     qid, variables = "q1", ("n",)
        ...     def _expected(self):
        ...         return 3
        >>> Q().distinct_mistakes([(3, "same as right"), (4, "one too many"), (4, "again")])
        [(4, 'one too many')]
        """
        def whole(answer: object) -> dict[str, object] | None:
            part = {self.variables[0]: answer} if len(self.variables) == 1 else answer
            if not isinstance(part, Mapping) or any(v is None for v in part.values()):
                return None
            return {**right, **part}

        right = self._expected()
        right = {self.variables[0]: right} if len(self.variables) == 1 else dict(right)
        seen = [right, *(a for a in map(whole, accepted) if a is not None)]
        kept: list[tuple[object, str]] = []
        for wrong, hint in pairs:
            answer = whole(wrong)
            if answer is None or any(
                    all(same(answer[v], s[v], **self.options) for v in self.variables)
                    for s in seen):
                continue
            seen.append(answer)
            kept.append((wrong, hint))
        return kept

    @property
    def options(self) -> dict[str, Any]:
        """The comparison options of this question, for :func:`diff_value`."""
        return {
            "rtol": self.rtol,
            "atol": self.atol,
            "ignore_order": self.ignore_order,
            "ignore_index": self.ignore_index,
        }

    def incorrect(self, message: str) -> Result:
        """An "incorrect" result with ``message``."""
        return Result("incorrect", message)

    def _matches_mistake(self, answers: Mapping[str, Any], wrong: object) -> bool:
        if len(self.variables) == 1:
            return same(answers[self.variables[0]], wrong, **self.options)
        if not isinstance(wrong, Mapping):
            return False
        return all(same(answers.get(k), v, **self.options) for k, v in wrong.items())

    # -- what the learner calls -------------------------------------------

    def evaluate(self, **answers: Any) -> Result:
        """Judge the learner's variables (or ``answers``, when given).

        Returns
        -------
        Result
            Not attempted while a variable is missing or still ``____``;
            otherwise correct or incorrect. Never raises because of an answer.

        Examples
        --------
        >>> class Q(Exercise):
        ...     qid, variables = "q1", ("n",)
        ...     def _expected(self):
        ...         return 3
        >>> Q({}).evaluate().status, Q().evaluate(n=3).status, Q().evaluate(n="3").status
        ('not_attempted', 'correct', 'incorrect')
        """
        values = {**{v: self.namespace.get(v, _MISSING) for v in self.variables}, **answers}
        unset = [v for v in self.variables if values.get(v, _MISSING) is _MISSING]
        blank = [v for v in self.variables if values.get(v) is ____]
        if unset:
            names = ", ".join(f"`{v}`" for v in unset)
            return Result(
                "not_attempted",
                f"{names} not defined yet: write your answer in the cell above and run it, "
                f"then {self.qid}.check().",
            )
        if blank:
            names = ", ".join(f"`{v}`" for v in blank)
            return Result(
                "not_attempted",
                f"replace ____ in {names} with your code, run the cell, then {self.qid}.check().",
            )
        if type(self)._expected is not Exercise._expected:
            self._expected()  # data problems surface here, not as a learner's mistake
        try:
            result = self.compare(**values)
        except Exception as exc:  # noqa: BLE001 - a learner's answer must never crash a check
            return self.incorrect(
                f"your answer could not be checked ({type(exc).__name__}: {exc}). "
                f"{self._expected_types()}"
            )
        if result is None:
            names = ", ".join(f"`{v}`" for v in self.variables)
            return Result("correct", self.correct_message or f"{names} matches the data.")
        return result

    def _expected_types(self) -> str:
        try:
            exp = self._expected()
        except Exception:  # noqa: BLE001
            return ""
        if len(self.variables) == 1:
            exp = {self.variables[0]: exp}
        if not isinstance(exp, Mapping):
            return ""
        return " ".join(
            f"`{v}` should be {describe_type(exp[v])}." for v in self.variables if v in exp
        )

    def check(self) -> None:
        """Show whether the answer is correct, incorrect or not attempted.

        In a notebook the outcome is displayed (plain text starting with
        "Correct:", "Incorrect:" or "Not attempted:", plus coloured HTML);
        elsewhere it is printed.

        Examples
        --------
        >>> class Q(Exercise):
        ...     qid, variables = "q1", ("n",)
        ...     def _expected(self):
        ...         return 3
        >>> Q({"n": ____}).check()
        Not attempted: replace ____ in `n` with your code, run the cell, then q1.check().
        >>> Q({"n": 4}).check()
        Incorrect: `n` is too high.
        """
        result = self.evaluate()
        self.last_result = result
        _show(result.text, **{"text/html": result.html()})

    def hint(self, level: int | None = None) -> None:
        """Show the next hint (or hint number ``level``, counting from 1).

        Each call without ``level`` shows one level more, staying on the last.

        Examples
        --------
        >>> class Q(Exercise):
        ...     qid, variables = "q1", ("n",)
        ...     hints = ("Count rows, not users.", "len() of the table.")
        >>> q = Q()
        >>> q.hint(); q.hint(); q.hint()
        Hint 1 of 2: Count rows, not users.
        Hint 2 of 2: len() of the table.
        Hint 2 of 2: len() of the table.
        >>> q.hint(1)
        Hint 1 of 2: Count rows, not users.
        """
        n = len(self.hints)
        if n == 0:
            _show(f"Hint: no hint for {self.qid}; {self.qid}.solution() shows the answer code.")
            return
        wanted = self._hint_level + 1 if level is None else int(level)
        self._hint_level = min(max(wanted, 1), n)
        text = f"Hint {self._hint_level} of {n}: {self.hints[self._hint_level - 1]}"
        head, _, body = text.partition(": ")
        _show(text, **{"text/html": f"<b>{html.escape(head)}:</b> {html.escape(body)}"})

    def solution(self) -> None:
        """Show the reference code for this question, from the solutions notebook.

        The code is the region between ``# BEGIN SOLUTION <qid>`` and
        ``# END SOLUTION`` in ``solutions/<notebook>.ipynb`` under
        :func:`find_course_root`, shown as a Markdown code block.

        Examples
        --------
        >>> class Q(Exercise):
        ...     qid, variables = "q1", ("n",)
        >>> Q(notebook="00_demo_exercises").solution()  # doctest: +ELLIPSIS
        Solution: ...00_demo_exercises.ipynb...
        """
        code, where = self._solution_code()
        if code is None:
            _show(f"Solution: {where}")
            return
        plain = f"Solution ({self.qid}):\n{code}"
        markdown = f"**Solution ({self.qid})**\n\n```python\n{code}\n```"
        _show(plain, **{"text/markdown": markdown})

    def _solution_code(self) -> tuple[str | None, str]:
        if self.notebook is None:
            return None, (
                f"{self.qid} is not tied to a notebook; bind it with its ExerciseSet "
                "to find its solution."
            )
        root = find_course_root()
        if root is None:
            return None, (
                f"open solutions/{self.notebook}.ipynb on the course website; "
                "this copy of coursekit has no solutions/ folder."
            )
        path = root / "solutions" / f"{self.notebook}.ipynb"
        if not path.is_file():
            return None, f"solutions/{path.name} was not found under {root.name or root}."
        from coursekit.build.exercises import read_notebook, solution_regions

        regions = solution_regions(read_notebook(path), name=path.name)
        if self.qid not in regions:
            return None, f"no solution for {self.qid} is marked in solutions/{path.name}."
        return regions[self.qid], ""


_MISSING = object()


def _canonical_stem(stem: str) -> str:
    stem = stem.removesuffix(".ipynb")
    return stem if stem.endswith("_exercises") else f"{stem}_exercises"


class ExerciseSet:
    """The questions of one exercise notebook.

    Parameters
    ----------
    notebook_stem
        The solutions notebook's name without ``.ipynb``, e.g.
        ``"00_orientation_exercises"`` (``"00_orientation"`` means the same).
    exercises
        The question classes, in notebook order.

    Examples
    --------
    >>> class Q1(Exercise):
    ...     qid, variables = "q1", ("n",)
    ...     def _expected(self):
    ...         return 3
    >>> EXERCISES = ExerciseSet("00_demo", [Q1])
    >>> ns = {}
    >>> (q1,) = EXERCISES.bind(ns)
    >>> EXERCISES.notebook, q1.qid, ns["____"]
    ('00_demo_exercises', 'q1', ____)
    """

    def __init__(self, notebook_stem: str, exercises: Sequence[type[Exercise]]) -> None:
        self.notebook = _canonical_stem(notebook_stem)
        self.exercises: tuple[type[Exercise], ...] = tuple(exercises)
        seen: set[str] = set()
        for cls in self.exercises:
            if not (isinstance(cls, type) and issubclass(cls, Exercise)):
                raise TypeError(f"{cls!r} is not an Exercise subclass")
            if not cls.qid or not cls.variables:
                raise ValueError(f"{cls.__name__} needs a qid and at least one variable")
            if cls.qid in seen:
                raise ValueError(f"question id {cls.qid!r} appears twice in {self.notebook}")
            seen.add(cls.qid)

    @property
    def qids(self) -> tuple[str, ...]:
        """The question ids, in order."""
        return tuple(cls.qid for cls in self.exercises)

    def __iter__(self) -> Iterator[type[Exercise]]:
        return iter(self.exercises)

    def __len__(self) -> int:
        return len(self.exercises)

    def __repr__(self) -> str:
        return f"ExerciseSet({self.notebook!r}, {list(self.qids)})"

    def bind(self, namespace: MutableMapping[str, Any]) -> tuple[Exercise, ...]:
        """Bind every question to a notebook's namespace, in order.

        Also defines ``____`` in the namespace when it is not there yet, so the
        stubs of the exercise notebook run.

        Examples
        --------
        >>> class Q1(Exercise):
        ...     qid, variables = "q1", ("n",)
        ...     def _expected(self):
        ...         return 2
        >>> class Q2(Q1):
        ...     qid = "q2"
        >>> ns = {"n": 2}
        >>> q1, q2 = ExerciseSet("00_demo", [Q1, Q2]).bind(ns)
        >>> q1.evaluate().status, q2.qid
        ('correct', 'q2')
        """
        namespace.setdefault("____", ____)
        return tuple(cls(namespace, notebook=self.notebook) for cls in self.exercises)

    def outcomes(self, namespace: Mapping[str, Any]) -> list[tuple[type[Exercise], Result, bool]]:
        """Every question's outcome in a notebook's namespace, in order.

        A question that was checked gives the outcome its last ``check()``
        showed; one bound but never checked is judged now; one never bound
        (its name reassigned, or the bind cell changed) is not attempted.

        Returns
        -------
        list of (question class, Result, checked)

        Examples
        --------
        >>> class Q1(Exercise):
        ...     qid, variables = "q1", ("n",)
        ...     def _expected(self):
        ...         return 3
        >>> ns = {"n": 3}
        >>> (ns["q1"],) = ExerciseSet("00_demo", [Q1]).bind(ns)
        >>> [(cls.qid, r.status, checked) for cls, r, checked in
        ...  ExerciseSet("00_demo", [Q1]).outcomes(ns)]
        [('q1', 'correct', False)]
        """
        bound: dict[str, Exercise] = {}
        for value in list(namespace.values()):
            if isinstance(value, Exercise) and value.notebook == self.notebook:
                bound.setdefault(value.qid, value)
        out = []
        for cls in self.exercises:
            q = bound.get(cls.qid)
            if q is None:
                result = Result(
                    "not_attempted",
                    f"{cls.qid} is not bound: run the first cells, with "
                    "EXERCISES.bind(globals()), unchanged.",
                )
                out.append((cls, result, False))
            elif q.last_result is not None:
                out.append((cls, q.last_result, True))
            else:
                out.append((cls, q.evaluate(), False))
        return out

    def progress(self, namespace: Mapping[str, Any]) -> None:
        """Show where the learner stands on every question of the notebook.

        Examples
        --------
        >>> class Q1(Exercise):
        ...     qid, title, variables = "q1", "Orders", ("n",)
        ...     def _expected(self):
        ...         return 3
        >>> class Q2(Q1):
        ...     qid, title, variables = "q2", "Users", ("m",)
        >>> ns = {"n": 3}
        >>> ns["q1"], ns["q2"] = ExerciseSet("00_demo", [Q1, Q2]).bind(ns)
        >>> ExerciseSet("00_demo", [Q1, Q2]).progress(ns)
        Progress: 1 of 2 correct, 0 incorrect, 1 not attempted.
          q1  Correct        Orders
          q2  Not attempted  Users
        """
        rows = self.outcomes(namespace)
        count = {s: sum(r.status == s for _, r, _ in rows) for s in _LABELS}
        head = (
            f"Progress: {count['correct']} of {len(rows)} correct, {count['incorrect']} "
            f"incorrect, {count['not_attempted']} not attempted."
        )
        width = max(len(cls.qid) for cls, _, _ in rows) if rows else 2
        label = max(len(v) for v in _LABELS.values())
        lines = [
            f"  {cls.qid:<{width}}  {_LABELS[r.status]:<{label}}  {cls.title}".rstrip()
            for cls, r, _ in rows
        ]
        cells = "".join(
            f"<tr><td>{html.escape(cls.qid)}</td>"
            f'<td style="color: {_COLOURS[r.status]}; font-weight: bold">'
            f"{_LABELS[r.status]}</td><td>{html.escape(cls.title)}</td></tr>"
            for cls, r, _ in rows
        )
        _show("\n".join([head, *lines]),
              **{"text/html": f"<p><b>{html.escape(head)}</b></p><table>{cells}</table>"})


class BesideTruth(Exercise):
    """A question whose correct answer is shown beside the simulated company's truth.

    A subclass writes :meth:`beside_truth`; its sentence is added to a correct
    answer's message only (a wrong answer never sees the truth), and left out in
    a world whose ``truth.json`` lacks what it reads.

    Examples
    --------
    >>> class Q(BesideTruth):
    ...     qid, title, variables = "q1", "Two", ("x",)
    ...     def _expected(self):
    ...         return 2
    ...     def beside_truth(self, answers):
    ...         return "The company's books say 2 too."
    >>> q = Q({})
    >>> q.evaluate(x=2).message.endswith("The company's books say 2 too.")
    True
    >>> "books" in q.evaluate(x=3).message
    False
    """

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        """One or two sentences setting the (correct) answers beside ``truth.json``."""
        return ""

    def evaluate(self, **answers: Any) -> Result:
        result = super().evaluate(**answers)
        if not result.is_correct:
            return result
        values = {v: answers.get(v, self.namespace.get(v)) for v in self.variables}
        try:
            extra = self.beside_truth(values)
        except (KeyError, TypeError, ValueError, IndexError):  # a world without that truth
            extra = ""
        return Result("correct", f"{result.message} {extra}".strip())


def specific_first(pairs: Iterable[tuple[object, str]]) -> list[tuple[object, str]]:
    """Mistakes naming more variables first, otherwise in the order given.

    A check reports the first listed mistake that matches, so a mistake on one
    variable must not hide one on several.

    Examples
    --------
    >>> specific_first([({"a": 1}, "one"), (5, "plain"), ({"a": 1, "b": 2}, "two")])
    [({'a': 1, 'b': 2}, 'two'), ({'a': 1}, 'one'), (5, 'plain')]
    """
    return sorted(pairs, key=lambda pair: -len(pair[0]) if isinstance(pair[0], Mapping) else 0)


class Recorded(Exercise):
    """A question as the grader's copy of the course has it: its name and
    variables, not its answer.

    While a notebook is graded, ``check()`` only says that the answer is
    recorded: the grader takes the variables out of the kernel and judges them
    in its own process, so nothing in the kernel can compute the right value
    or serve as an oracle. Made by :func:`recorded`.

    Examples
    --------
    >>> Q = recorded("q1", "Orders", ("n",))
    >>> Q({"n": 3}).check()
    Recorded: `n` is judged by the grader after the run.
    """

    def evaluate(self, **answers: Any) -> Result:
        """Always "not attempted": the judgement is the grader's."""
        names = ", ".join(f"`{v}`" for v in self.variables)
        return Result("not_attempted", f"{names} is judged by the grader after the run.")

    def check(self) -> None:
        """Say that the answer is recorded for the grader."""
        names = ", ".join(f"`{v}`" for v in self.variables)
        _show(f"Recorded: {names} is judged by the grader after the run.")

    def solution(self) -> None:
        """No solutions while grading."""
        _show(f"Solution: not available while {self.qid} is being graded.")


def recorded(qid: str, title: str, variables: Sequence[str],
             hints: Sequence[str] = ()) -> type[Exercise]:
    """A :class:`Recorded` question class with this id, title, variables and hints.

    Examples
    --------
    >>> Q = recorded("q2", "Users", ("m", "k"))
    >>> Q.qid, Q.variables, Q().evaluate(m=1, k=2).status
    ('q2', ('m', 'k'), 'not_attempted')
    """
    attrs = {"qid": qid, "title": title, "variables": tuple(variables), "hints": tuple(hints)}
    return type(f"Recorded_{qid}", (Recorded,), attrs)
