"""The rules of a valid value, written once: ids, times, numbers and money.

Private: :func:`coursekit.inputs.columns` (the door check of every analytics
function) and :func:`coursekit.schema.validate` (the column contracts of the
course tables) both apply these rules, so a value is valid or not in the same
way wherever it is checked. Every problem is a
:class:`~coursekit.errors.DataError` naming the table, the column and a few
offending rows, with what to do about it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from coursekit.errors import DataError


def rows(df: pd.DataFrame, mask: np.ndarray | pd.Series, cols: Sequence[str]) -> pd.DataFrame:
    return df.loc[np.asarray(mask, dtype=bool), list(dict.fromkeys(cols))].head(5)


def context(df: pd.DataFrame, name: object) -> list:
    """The column and a few others, to show offending rows in their context."""
    return [name, *[c for c in df.columns[:5] if c != name][:4]]


def missing(df: pd.DataFrame, name: str, table: str, what: str, fix: str,
             values: pd.Series | None = None) -> None:
    missing = (df[name] if values is None else values).isna()
    if missing.any():
        raise DataError(
            f"missing {what}",
            table=table,
            column=name,
            rows=rows(df, missing, context(df, name)),
            fix=fix,
        )


# ---------------------------------------------------------------- ids


def ids(df: pd.DataFrame, name: str, table: str, *, nullable: bool = False) -> pd.Series:
    """The rules of an id column: no missing values (unless ``nullable``), and not a
    mix of numbers and text. Returns the column unchanged."""
    s = df[name]
    if not nullable:
        missing(df, name, table, "ids",
                 "drop the rows without an id (guest orders), or fill them from the source")
    values = s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype) else s
    mixed = pd.api.types.is_object_dtype(values.dtype) and pd.api.types.infer_dtype(
        values, skipna=True) in ("mixed-integer", "mixed")  # e.g. 1 and "1"
    if mixed:
        uniq = pd.unique(values.dropna().to_numpy(dtype=object))
        numbers = [v for v in uniq if _is_number(v)]
        texts = [v for v in uniq if isinstance(v, str)]
        if numbers and texts:
            same = sorted({str(v) for v in numbers} & set(texts))
            example = (f"{same[0]} and {same[0]!r}" if same
                       else f"{numbers[0]!r} and {texts[0]!r}")
            obj = s.astype(object)
            kind = obj.map(lambda v: type(v).__name__).to_numpy()
            num = obj.map(_is_number).to_numpy(dtype=bool)
            txt = obj.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
            show = np.zeros(len(s), dtype=bool)
            show[np.flatnonzero(num)[:3]] = True
            show[np.flatnonzero(txt)[:3]] = True
            raise DataError(
                f"ids mixing numbers and text: {example} would count as two different "
                f"ids (rows with a number: {int(num.sum()):,}, with text: {int(txt.sum()):,})",
                table=table,
                column=name,
                rows=df.loc[show, [name]].assign(**{"(type)": kind[show]}),
                fix=f"make them one type: df[{name!r}] = df[{name!r}].astype(str), or "
                f".astype(int) when every id is a whole number",
            )
    return s


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))


# ---------------------------------------------------------------- times

# Year-first dates, the only text read without a format: 2025-03-02,
# 2025-03-02 10:00[:00[.123]], 2025/03/02, 2025.03.02, year-month 2025-03;
# an optional offset (Z, +08:00) is caught to be refused.
_YEAR_FIRST = re.compile(
    r"(\d{4})([-/.])(\d{1,2})(?:\2(\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
# Day/month first (03/02/2025, 3.2.25, 03-02-2025 10:00): which one is the day?
_DAY_MONTH = re.compile(
    r"\d{1,2}([-/. ])\d{1,2}\1(\d{4}|\d{2})(?:[ T,]+\d{1,2}:\d{2}(:\d{2})?(?:\.\d+)?"
    r"(?:\s*[AaPp]\.?[Mm]\.?)?)?"
)
_FAMILY = {"-": "YYYY-MM-DD", "/": "YYYY/MM/DD", ".": "YYYY.MM.DD", "": "YYYYMMDD"}


def read_date(text: str) -> tuple[str, tuple[int, ...] | None]:
    """How a date string is written, and its parts when it can be read safely.

    The kind is a format family of :data:`_FAMILY` (parts: year, month, day,
    hour, minute, second, nanosecond), ``"zone"`` (an offset), ``"ambiguous"``
    (day/month first) or ``"unknown"``.
    """
    text = text.strip()
    m = _YEAR_FIRST.fullmatch(text)
    if m:
        year, sep, month, day, hour, minute, second, frac, zone = m.groups()
        if zone:
            return "zone", None
        if day is None and sep != "-":
            return "unknown", None
        ns = int((frac or "").ljust(9, "0")) if frac else 0
        return sep, (int(year), int(month), int(day or 1), int(hour or 0), int(minute or 0),
                     int(second or 0), ns)
    m = _COMPACT.fullmatch(text)
    if m:
        return "", (int(m[1]), int(m[2]), int(m[3]), 0, 0, 0, 0)
    if _DAY_MONTH.fullmatch(text):
        return "ambiguous", None
    return "unknown", None


def _day_month_formats(text: str) -> str:
    """The two ``format=`` strings a day/month-first example could mean."""
    m = _DAY_MONTH.fullmatch(text.strip())
    sep, year = (m[1], m[2]) if m else ("/", "2025")
    y = "%Y" if len(year) == 4 else "%y"
    clock = ""
    if m and re.search(r"\d:\d\d", text):
        clock = " %H:%M:%S" if m[3] else " %H:%M"
        if re.search(r"[AaPp]\.?[Mm]", text):
            clock = clock.replace("%H", "%I") + " %p"
    return (f'format="%d{sep}%m{sep}{y}{clock}" (day first) or '
            f'format="%m{sep}%d{sep}{y}{clock}" (month first)')


_ZONE_FIX = (
    "convert every time to China time without a zone: pd.to_datetime(col, utc=True)"
    ".dt.tz_convert('Asia/Shanghai').dt.tz_localize(None)"
)


def times(df: pd.DataFrame, name: str, table: str, *, nullable: bool = False) -> pd.Series:
    """The rules of a time column; returns it as naive ``datetime64[ns]`` (missing
    values stay ``NaT`` when ``nullable``)."""
    s = df[name]
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(s.cat.categories.dtype)
    dtype = s.dtype
    arrow = isinstance(dtype, pd.ArrowDtype) and pd.api.types.is_datetime64_any_dtype(dtype)
    zone = dtype.tz if isinstance(dtype, pd.DatetimeTZDtype) else (
        dtype.pyarrow_dtype.tz if arrow else None)
    if zone is not None:
        raise DataError(
            f"time-zone-aware times ({zone}); the course uses naive China time",
            table=table,
            column=name,
            rows=df[[name]].head(3),
            fix=_ZONE_FIX.replace("pd.to_datetime(col, utc=True)", "col"),
        )
    if not nullable:
        missing(df, name, table, "dates",
                 "drop the rows without a date, or fill them from the source", values=s)
    if arrow or pd.api.types.is_datetime64_dtype(dtype):
        try:
            return s.astype("datetime64[ns]").rename(name)
        except (OverflowError, ValueError) as err:
            raise _out_of_range(df, name, table, s) from err
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        return _parse_times(df, name, table, s)
    raise DataError(
        f"expected dates, found {dtype} values",
        table=table,
        column=name,
        rows=df[[name]].head(3),
        fix="parse with pd.to_datetime(col, format=...)",
    )


def _out_of_range(df: pd.DataFrame, name: str, table: str, s: pd.Series) -> DataError:
    years = pd.Series(s).dt.year
    bad = ((years < 1678) | (years > 2261)).fillna(False).to_numpy(dtype=bool)
    return DataError(
        "dates outside the years 1678-2261 that pandas can hold in nanoseconds",
        table=table,
        column=name,
        rows=rows(df, bad if bad.any() else np.ones(len(df), bool), [name]),
        fix="fix or drop the rows shown (often a placeholder such as 1900-01-01 or 9999-12-31)",
    )


def _parse_times(df: pd.DataFrame, name: str, table: str, s: pd.Series) -> pd.Series:
    """Text (and date objects) to ``datetime64[ns]``, refusing anything that could be
    misread. Each distinct value is looked at once."""
    present = s.notna().to_numpy(dtype=bool)
    pos = np.flatnonzero(present)
    codes, uniq = pd.factorize(s.to_numpy(dtype=object)[pos])
    kinds = np.empty(len(uniq), dtype=object)
    parts: list[tuple[int, ...]] = []
    where: list[int] = []
    for i, v in enumerate(uniq):
        if isinstance(v, str):
            kinds[i], p = read_date(v)
            if p is not None:
                parts.append(p)
                where.append(i)
        elif isinstance(v, (dt.date, np.datetime64)):
            kinds[i] = "aware" if getattr(v, "tzinfo", None) is not None else "object"
        else:
            kinds[i] = "other"

    def rows_of(*which: str, per: int = 5) -> pd.DataFrame:
        mask = np.zeros(len(s), dtype=bool)
        for k in which:
            hit = pos[np.isin(codes, np.flatnonzero(kinds == k))]
            mask[hit[:per]] = True
        return df.loc[mask, [name]]

    found = set(kinds)
    if "aware" in found:
        zones = sorted({str(v.tzinfo) for v, k in zip(uniq, kinds, strict=True) if k == "aware"})
        if len(zones) > 1:
            detail = f"mixed: {', '.join(zones)}"
        elif found & {"object", *_FAMILY}:
            detail = f"mixed: {zones[0]} and times without a zone"
        else:
            detail = zones[0]
        raise DataError(f"times with time zones ({detail})", table=table, column=name,
                        rows=rows_of("aware"), fix=_ZONE_FIX)
    if "zone" in found:
        raise DataError("times with time-zone offsets; the course uses naive China time",
                        table=table, column=name, rows=rows_of("zone"),
                        fix=_ZONE_FIX)
    if "other" in found:
        first = next(v for v, k in zip(uniq, kinds, strict=True) if k == "other")
        raise DataError(
            f"expected dates, found {type(first).__name__} values",
            table=table, column=name, rows=rows_of("other"),
            fix="parse with pd.to_datetime(col, format=...)",
        )
    if "ambiguous" in found:
        example = next(v for v, k in zip(uniq, kinds, strict=True) if k == "ambiguous")
        raise DataError(
            f"dates written day/month first, which cannot be read safely: is {example.strip()!r}"
            " day first or month first? (03/02/2025 is 3 February in Europe, 2 March in the US)",
            table=table, column=name, rows=rows_of("ambiguous"),
            fix=f"say which it is: pd.to_datetime(df[{name!r}], {_day_month_formats(example)})",
        )
    if "unknown" in found:
        raise DataError(
            "dates that cannot be parsed (coursekit reads text dates written year first, "
            "such as 2025-03-02 or 2025-03-02 10:00:00)",
            table=table, column=name, rows=rows_of("unknown"),
            fix="fix the values shown, or parse the column yourself with "
            "pd.to_datetime(col, format=...)",
        )
    families = [f for f in _FAMILY if f in found]
    if len(families) > 1:
        raise DataError(
            "dates written in more than one format ("
            + ", ".join(_FAMILY[f] for f in families) + "), as when two exports are stacked",
            table=table, column=name, rows=rows_of(*families, per=2),
            fix="parse each part with its own pd.to_datetime(part, format=...) and put them "
            "together, or rewrite the dates one way, e.g. YYYY-MM-DD",
        )
    stamps = np.full(len(uniq), np.datetime64("NaT"), dtype="datetime64[ns]")
    if parts:
        p = np.array(parts, dtype=np.int64)
        ok = (p[:, 0] >= 1678) & (p[:, 0] <= 2261)
        fields = p[:, :6].copy()
        fields[~ok, 0] = 2000  # out of range of datetime64[ns]: NaT below
        built = pd.to_datetime(
            pd.DataFrame(fields, columns=["year", "month", "day", "hour", "minute", "second"]),
            errors="coerce",
        ).astype("datetime64[ns]") + pd.to_timedelta(p[:, 6], unit="ns")
        stamps[np.array(where)] = np.where(ok, built.to_numpy(), np.datetime64("NaT"))
    objects = np.flatnonzero(kinds == "object")
    if len(objects):
        try:
            stamps[objects] = pd.to_datetime(pd.Series(uniq[objects], dtype=object)).astype(
                "datetime64[ns]").to_numpy()
        except (OverflowError, TypeError, ValueError) as err:
            raise DataError("dates that cannot be parsed", table=table, column=name,
                            rows=rows_of("object"),
                            fix="fix or drop the rows shown") from err
    bad = np.isnat(stamps)
    if bad.any():
        mask = np.zeros(len(s), dtype=bool)
        mask[pos[bad[codes]]] = True
        raise DataError(
            "dates that cannot be parsed (no such day, or outside the years 1678-2261)",
            table=table, column=name, rows=rows(df, mask, [name]),
            fix="fix the values shown, or parse the column yourself with "
            "pd.to_datetime(col, format=...)",
        )
    out = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[pos] = stamps[codes]
    return pd.Series(out, index=s.index, name=name, copy=False)


# ---------------------------------------------------------------- numbers


def numbers(
    df: pd.DataFrame,
    name: str,
    table: str,
    *,
    money: bool = False,
    minimum: float | None = None,
    nullable: bool = False,
) -> pd.Series:
    """The rules of a numeric column; returns it as ``float64`` (missing values as
    NaN when ``nullable``). Money is never negative; ``minimum`` sets another floor."""
    s = df[name]
    dtype = s.dtype
    if minimum is None and money:
        minimum = 0
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    if (not numeric and pd.api.types.is_object_dtype(dtype)
            and pd.api.types.infer_dtype(s, skipna=True)
            in ("integer", "floating", "mixed-integer-float")):
        s, numeric = pd.to_numeric(s), True  # Python numbers in an object column
    if not numeric:
        converted = pd.to_numeric(s, errors="coerce") if not pd.api.types.is_bool_dtype(
            dtype) else pd.Series(np.nan, index=s.index)
        bad = converted.isna() & s.notna()
        raise DataError(
            f"expected numbers, found {dtype} values",
            table=table,
            column=name,
            rows=rows(df, bad if bad.any() else s.notna(), [name]),
            fix="convert with pd.to_numeric(col) after cleaning the text (currency signs, "
            "thousands separators)" if not pd.api.types.is_bool_dtype(dtype)
            else "if True/False stand for 1/0, convert with col.astype(int)",
        )
    plain = isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu"  # no NaN, no inf
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    nan = np.zeros(0, dtype=bool) if plain else np.isnan(values)
    if not nullable and nan.any():
        raise DataError(
            "missing values",
            table=table,
            column=name,
            rows=rows(df, nan, context(df, name)),
            fix="drop or fill the rows, or fix the source",
        )
    inf = nan if plain else np.isinf(values)
    if inf.any():
        raise DataError(
            "infinite values",
            table=table,
            column=name,
            rows=rows(df, inf, [name]),
            fix="replace or drop them (often a division by zero upstream)",
        )
    if minimum is not None:
        low = values < minimum
        if low.any():
            raise DataError(
                ("negative amounts" if money else "negative values") if minimum == 0
                else f"values below {minimum:g}",
                table=table,
                column=name,
                rows=rows(df, low, context(df, name)),
                fix="net refunds against their orders first (one row per order, amount after "
                "refunds) and drop orders refunded in full" if money
                else f"values must be at least {minimum:g}: fix or drop the rows shown",
            )
    return pd.Series(values, index=s.index, name=name, copy=False)
