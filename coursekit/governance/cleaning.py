"""Cleaning: what is wrong with a raw table, and the normalisers that fix it.

Raw exports of a channel (an app's accounts, a till system's members, an
order export) are not the course's clean tables: the same phone is written
five ways, amounts arrive as ``"¥1,234.50"``, an order is delivered twice,
times mix China time and UTC. This module gives

- :func:`cleaning_report`: a table of findings, one row per problem
  (column, check, how many rows, a few examples), derived from the column
  contracts of :mod:`coursekit.schema` when the table has one;
- normalisers, one per kind of value, each returning the cleaned values
  *and* a report of what it did (:class:`Normalised`): :func:`normalise_phone`,
  :func:`normalise_text`, :func:`normalise_city`, :func:`normalise_status`,
  :func:`parse_amount`, :func:`parse_time`;
- :func:`deduplicate`: one row per key, with the dropped repeats listed
  beside the row kept in their place (:class:`Deduplicated`).

A normaliser never drops a row and never guesses: a value it cannot read
becomes missing and is counted in its report, so the learner decides what
to do with it. Full-width characters (``１３８``, ``Ｂｅｉｊｉｎｇ``, ``￥``)
are turned into their ordinary forms by Unicode normalisation NFKC
(compatibility composition, Unicode Standard Annex #15), the standard way
to fold the full-width forms Chinese input methods type.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit._values import read_date
from coursekit.errors import ArgumentError, DataError
from coursekit.governance._shared import (
    as_text,
    column_names,
    frame,
    mask,
    outcome_report,
    present,
    series,
)
from coursekit.inputs import choice
from coursekit.schema import TABLES, Column, Table

__all__ = [
    "CHECKS",
    "CITIES",
    "Deduplicated",
    "Normalised",
    "cleaning_report",
    "contract_labels",
    "deduplicate",
    "normalise_city",
    "normalise_phone",
    "normalise_status",
    "normalise_text",
    "parse_amount",
    "parse_time",
]

#: Every check of :func:`cleaning_report`, with what it finds.
CHECKS: dict[str, str] = {
    "absent": "a column of the contract is not in the table",
    "missing": "missing values (or blank text) in a column that may not be empty",
    "mixed_types": "numbers and text in one column (1 and '1' would count as two values)",
    "stored_as_text": "numbers or dates written as text: readable, not converted yet",
    "unparseable": "values that cannot be read as the column's kind",
    "time_zone": "times with a zone or offset, where the course uses naive China time",
    "not_whole": "fractions in a whole-number column",
    "out_of_range": "numbers below the contract's minimum, or infinite",
    "invalid_category": "labels outside the column's list of labels",
    "untrimmed": "text with spaces at either end, or repeated spaces inside",
    "full_width": "text with full-width digits, letters or spaces (ＡＢＣ１２３), which NFKC folds",
    "duplicate_row": "a row identical in every column to an earlier row",
    "duplicate_key": "a row repeating an earlier row's key",
}

_REPORT = ["table", "column", "check", "count", "share", "examples", "rows", "rule"]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Normalised:
    """What a normaliser returns: the cleaned values and what it did to them.

    Attributes
    ----------
    values
        The cleaned column, on the input's index (a Series; ``<NA>`` or
        ``NaN``/``NaT`` where a value was missing or could not be read).
    report
        One row per ``outcome`` (which outcomes exist is said by each
        normaliser), with its ``count`` of input values, their ``share`` of
        all values and up to three ``examples`` of the input values.
    """

    values: pd.Series
    report: pd.DataFrame

    def count(self, outcome: str) -> int:
        """The number of values with this outcome (0 when the normaliser has it but it
        did not occur).

        Examples
        --------
        >>> normalise_phone(["13812345678", "12345"]).count("invalid")
        1
        """
        hit = self.report.loc[self.report["outcome"] == outcome, "count"]
        if hit.empty:
            raise ArgumentError("no such outcome", name="outcome", value=outcome,
                                allowed=", ".join(map(repr, self.report["outcome"])))
        return int(hit.iloc[0])


@dataclass(frozen=True)
class Deduplicated:
    """What :func:`deduplicate` returns.

    Attributes
    ----------
    kept
        One row per key, in the input's order, index kept.
    dropped
        The repeats, in the input's order, index kept, with two more columns:
        ``kept_row`` (the index label of the row kept in its place) and
        ``identical`` (True when the dropped row equals the kept row in every
        column: the same record delivered twice, not a later version of it).
    repeated_keys
        How many keys had more than one row.
    """

    kept: pd.DataFrame
    dropped: pd.DataFrame
    repeated_keys: int


# --------------------------------------------------------------------------- text


_SPACES = re.compile(r"\s+")


def _nfkc(text: pd.Series) -> pd.Series:
    """NFKC, spaces collapsed and trimmed (``string`` dtype)."""
    return text.str.normalize("NFKC").str.replace(_SPACES, " ", regex=True).str.strip()


def normalise_text(values: object) -> Normalised:
    """Make text comparable: NFKC, trimmed, spaces collapsed, lower case.

    Steps, in order: Unicode normalisation NFKC (full-width ``Ｂｅｉｊｉｎｇ`` and
    ``１２３`` become ``Beijing`` and ``123``; the ideographic space becomes a
    space), every run of white space becomes one space, spaces at both ends go,
    letters that have a case are lower-cased (Latin in practice; Chinese has no
    case). Text left blank becomes missing.

    Parameters
    ----------
    values
        A column of text (a Series, list or 1-D array); whole numbers are read
        as their digits.

    Returns
    -------
    Normalised
        ``values``: ``string`` dtype. ``report`` outcomes: ``unchanged``,
        ``changed``, ``blank`` (text with nothing but spaces, now missing),
        ``missing``.

    Raises
    ------
    DataError
        Cells that are neither text nor numbers (booleans, dates).

    Examples
    --------
    >>> out = normalise_text([" Hello   World ", "ＡＢＣ　１２", "ok", "  ", None])
    >>> out.values.tolist()
    ['hello world', 'abc 12', 'ok', <NA>, <NA>]
    >>> out.report[["outcome", "count"]].values.tolist()
    [['unchanged', 1], ['changed', 2], ['blank', 1], ['missing', 1]]
    """
    s = series(values)
    text = as_text(s, "text")
    clean = _nfkc(text).str.lower()
    blank = mask(text.notna() & (clean == ""))
    clean = clean.mask(blank)
    missing = mask(text.isna())
    same = mask(clean == text)
    out = pd.Series(clean, index=s.index, name=s.name)
    return Normalised(out, outcome_report(
        {"unchanged": same, "changed": ~same & ~blank & ~missing, "blank": blank,
         "missing": missing}, s))


# --------------------------------------------------------------------------- phones

_PHONE = r"1[3-9][0-9]{9}"
_SEPARATORS = r"[\s\-\u2010-\u2015\u2212().·/]"


def _phones(s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """The canonical phones (``<NA>`` where invalid or missing), the valid mask and
    the mask of values given (not missing, not blank)."""
    text = as_text(s, "phone numbers")
    compact = text.str.normalize("NFKC").str.replace(_SEPARATORS, "", regex=True)
    compact = compact.str.replace(r"^(?:\+|00)?86(?=1[0-9]{10}$)", "", regex=True)
    valid = mask(compact.str.fullmatch(_PHONE))
    given = mask(text.notna() & (compact != ""))
    return compact.where(valid), valid, given


def normalise_phone(values: object) -> Normalised:
    """Chinese mobile numbers in one form: 11 ASCII digits, ``13812345678``.

    Each value is put through NFKC (full-width ``１３８…`` becomes ``138…``);
    spaces, dashes, dots, slashes and brackets are removed; the country code
    ``+86``, ``0086`` or ``86`` in front of 11 digits is dropped. What is left
    must be a mainland mobile number: 11 digits starting with 1 and then 3-9
    (the number plan of MIIT, 中华人民共和国工业和信息化部, for mobile
    services). Anything else (a landline, a digit missing, letters) becomes
    missing and is counted as ``invalid``: exact matching on phones needs one
    spelling per phone, and a wrong phone is worse than none.

    A typo that still gives 11 valid digits cannot be seen here: it is a valid,
    different phone (identity stitching will miss it).

    Parameters
    ----------
    values
        A column of phone numbers (text; whole numbers are read as digits).

    Returns
    -------
    Normalised
        ``values``: ``string`` dtype, ``<NA>`` where missing or invalid.
        ``report`` outcomes: ``unchanged`` (already canonical), ``reformatted``,
        ``invalid`` (now missing), ``missing``.

    Raises
    ------
    DataError
        Cells that are neither text nor numbers.

    Examples
    --------
    >>> out = normalise_phone(["138-1234-5678", "+86 139 0000 1111", "１３７００００２２２２",
    ...                        "0086 15012345678", "13812345678", "12345", None])
    >>> out.values.tolist()
    ['13812345678', '13900001111', '13700002222', '15012345678', '13812345678', <NA>, <NA>]
    >>> out.report[["outcome", "count"]].values.tolist()
    [['unchanged', 1], ['reformatted', 4], ['invalid', 1], ['missing', 1]]
    """
    s = series(values)
    phones, valid, given = _phones(s)
    same = mask(phones == as_text(s, "phone numbers"))
    out = pd.Series(phones, index=s.index, name=s.name)
    return Normalised(out, outcome_report(
        {"unchanged": same, "reformatted": valid & ~same, "invalid": given & ~valid,
         "missing": ~given}, s))


# --------------------------------------------------------------------------- cities

#: The built-in cities of :func:`normalise_city`: canonical name (as the course
#: tables write it) -> pinyin. The cities of the course company's users and stores
#: (by region and city tier), the group-buying pilot's, and a few other large cities.
CITIES: dict[str, str] = {
    # east
    "上海": "shanghai", "杭州": "hangzhou", "南京": "nanjing", "苏州": "suzhou",
    "宁波": "ningbo", "无锡": "wuxi", "温州": "wenzhou", "金华": "jinhua", "湖州": "huzhou",
    "盐城": "yancheng", "合肥": "hefei",
    # south
    "广州": "guangzhou", "深圳": "shenzhen", "东莞": "dongguan", "佛山": "foshan",
    "厦门": "xiamen", "珠海": "zhuhai", "泉州": "quanzhou", "湛江": "zhanjiang",
    "汕头": "shantou", "福州": "fuzhou",
    # north
    "北京": "beijing", "天津": "tianjin", "青岛": "qingdao", "济南": "jinan",
    "石家庄": "shijiazhuang", "烟台": "yantai", "保定": "baoding", "邯郸": "handan",
    "沈阳": "shenyang", "大连": "dalian",
    # central
    "武汉": "wuhan", "长沙": "changsha", "郑州": "zhengzhou", "洛阳": "luoyang",
    "宜昌": "yichang", "岳阳": "yueyang", "南阳": "nanyang", "南昌": "nanchang",
    # west
    "成都": "chengdu", "重庆": "chongqing", "西安": "xian", "昆明": "kunming",
    "贵阳": "guiyang", "绵阳": "mianyang", "宝鸡": "baoji",
}


def _city_key(text: pd.Series) -> pd.Series:
    """The matching key of a city spelling: NFKC, lower case, without spaces,
    apostrophes, dashes and dots, and without a trailing 市 or 'city'."""
    key = _nfkc(text).str.lower().str.replace(r"[\s'’\-_.·]", "", regex=True)
    return key.str.replace(r"(?<=.)(?:市|city)$", "", regex=True)


def _alias_table(aliases: object) -> dict[str, str]:
    table: dict[str, str] = {}
    for name, pinyin in CITIES.items():
        table[name] = name
        table[pinyin] = name
    if aliases is None:
        return table
    if not isinstance(aliases, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
            for k, v in aliases.items()):
        raise ArgumentError("aliases must map spellings to city names, both text",
                            name="aliases", value=aliases,
                            fix="e.g. aliases={'Lijiang': '丽江'}")
    spellings = pd.Series(list(aliases) + list(aliases.values()), dtype="string")
    keys = _city_key(spellings).tolist()
    given = dict(zip(keys[: len(aliases)], aliases.values(), strict=True))
    for key, canonical in zip(keys[len(aliases):], aliases.values(), strict=True):
        given.setdefault(key, canonical)  # a new canonical name matches itself
    table.update(given)
    return table


def normalise_city(values: object, *, aliases: Mapping[str, str] | None = None) -> Normalised:
    """One name per city: 北京 / 北京市 / Beijing / " beijing " / ＢＥＩＪＩＮＧ -> 北京.

    A spelling is matched by a key: NFKC (full-width letters folded), lower
    case, without spaces, apostrophes, dashes and dots, without a trailing
    市 or "city" (``"Xi'an"``, ``"xi an"`` and ``"西安市"`` all match 西安). The
    built-in table :data:`CITIES` knows each city by its Chinese name and its
    pinyin; ``aliases`` adds spellings (or overrides them). Pinyin is not
    unique in general (苏州 and 宿州 are both Suzhou): the table maps each
    pinyin to the city the course means, and an alias can say otherwise.

    Unknown spellings are kept (trimmed, NFKC), not guessed, and counted as
    ``unknown``: their examples in the report are the most frequent ones, to
    add to ``aliases``.

    Parameters
    ----------
    values
        A column of city names.
    aliases
        More spellings: ``{spelling: canonical name}``; a canonical name given
        here also matches itself (and with 市).

    Returns
    -------
    Normalised
        ``values``: ``string`` dtype. ``report`` outcomes: ``canonical``
        (already the canonical name), ``alias`` (another spelling, now
        canonical), ``unknown`` (kept as written, trimmed), ``missing``
        (including blank text).

    Examples
    --------
    >>> out = normalise_city(["北京", "北京市", " beijing ", "ＢＥＩＪＩＮＧ", "Xi'an", "丽江市",
    ...                       None])
    >>> out.values.tolist()
    ['北京', '北京', '北京', '北京', '西安', '丽江市', <NA>]
    >>> out.report[["outcome", "count"]].values.tolist()
    [['canonical', 1], ['alias', 4], ['unknown', 1], ['missing', 1]]
    >>> normalise_city(["丽江市", "Lijiang"], aliases={"lijiang": "丽江"}).values.tolist()
    ['丽江', '丽江']
    """
    table = _alias_table(aliases)
    s = series(values)
    text = as_text(s, "city names")
    trimmed = _nfkc(text)
    key = _city_key(text)
    canonical = key.map(table).astype("string")
    missing = mask(text.isna() | (trimmed == ""))
    known = mask(canonical.notna()) & ~missing
    same = known & mask(canonical == text)
    out = canonical.where(known, trimmed.mask(missing))
    out = pd.Series(out, index=s.index, name=s.name)
    return Normalised(out, outcome_report(
        {"canonical": same, "alias": known & ~same, "unknown": ~known & ~missing,
         "missing": missing}, s, frequent=["unknown"]))


# --------------------------------------------------------------------------- statuses

# The built-in spellings of :func:`normalise_status`, each as its matching key (NFKC,
# trimmed, lower case) -> the status.
_STATUSES: dict[str, str] = {
    "paid": "paid", "已支付": "paid",
    "cancelled": "cancelled", "canceled": "cancelled", "已取消": "cancelled",
    "refunded": "refunded", "已退款": "refunded",
    "test": "test", "测试": "test",
}


def _status_table(mapping: object) -> dict[str, str]:
    table = dict(_STATUSES)
    if mapping is None:
        return table
    if not isinstance(mapping, Mapping) or not mapping or not all(
            isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
            for k, v in mapping.items()):
        raise ArgumentError("mapping must map spellings to statuses, both non-empty text",
                            name="mapping", value=mapping,
                            fix="e.g. mapping={'待支付': 'pending', 'closed': 'cancelled'}")
    spellings = pd.Series(list(mapping), dtype="string")
    keys = _nfkc(spellings).str.lower().tolist()
    statuses = [v.strip() for v in mapping.values()]
    for status in statuses:  # a new status matches its own name
        table.setdefault(_nfkc(pd.Series([status], dtype="string")).str.lower()[0], status)
    table.update(zip(keys, statuses, strict=True))
    return table


def normalise_status(values: object, mapping: Mapping[str, str] | None = None) -> Normalised:
    """Order statuses in one spelling: ``paid``, ``cancelled``, ``refunded``, ``test``.

    An order export spells a status many ways: ``paid``, ``PAID``, ``Paid``,
    ``" paid "``, ``已支付``; ``cancelled``, ``canceled`` (American),
    ``CANCELLED``, ``已取消``; ``refunded``, ``REFUNDED``, ``已退款``; ``test``,
    ``TEST``, ``测试``. A spelling is matched after NFKC, trimming, collapsing
    spaces and lower-casing; ``mapping`` adds spellings (or says otherwise for
    a built-in one), and may name statuses of its own (``{"待支付": "pending"}``).

    A spelling the table does not know becomes missing, not guessed, and is
    counted as ``unknown``, with its most frequent spellings as the report's
    examples: add them to ``mapping``. Filtering on the raw text instead
    (``status == "paid"``) silently loses ``PAID`` and ``已支付``.

    Parameters
    ----------
    values
        A column of status text.
    mapping
        More spellings: ``{spelling: status}``.

    Returns
    -------
    Normalised
        ``values``: ``string`` dtype. ``report`` outcomes: ``canonical``
        (already the status, exactly as written), ``alias`` (another spelling,
        now the status), ``unknown`` (now missing), ``missing`` (including
        blank text).

    Raises
    ------
    DataError
        Cells that are neither text nor numbers.
    ArgumentError
        A ``mapping`` that is not spellings to statuses.

    Examples
    --------
    >>> out = normalise_status(["paid", " PAID ", "已支付", "canceled", "已退款", "ＴＥＳＴ",
    ...                         "待支付", None])
    >>> out.values.tolist()
    ['paid', 'paid', 'paid', 'cancelled', 'refunded', 'test', <NA>, <NA>]
    >>> out.report[["outcome", "count"]].values.tolist()
    [['canonical', 1], ['alias', 5], ['unknown', 1], ['missing', 1]]
    >>> out.report.set_index("outcome").loc["unknown", "examples"]  # to add to mapping
    ['待支付']
    >>> normalise_status(["待支付", "paid"], {"待支付": "pending"}).values.tolist()
    ['pending', 'paid']
    """
    table = _status_table(mapping)
    s = series(values)
    text = as_text(s, "statuses")
    key = _nfkc(text).str.lower()
    status = key.map(table).astype("string")
    missing = mask(text.isna() | (key == ""))
    known = mask(status.notna()) & ~missing
    same = known & mask(status == text)
    out = pd.Series(status.where(known), index=s.index, name=s.name, dtype="string")
    return Normalised(out, outcome_report(
        {"canonical": same, "alias": known & ~same, "unknown": ~known & ~missing,
         "missing": missing}, s, frequent=["unknown"]))


# --------------------------------------------------------------------------- amounts

_CURRENCY = re.compile(r"^(?:¥|rmb|cny)\s*|\s*(?:元|rmb|cny)$", re.IGNORECASE)
_AMOUNT = r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"


def parse_amount(values: object) -> Normalised:
    """Money written as text -> yuan as ``float64``: ``"¥1,234.50"`` -> 1234.5.

    Text is put through NFKC (full-width digits, ``￥`` and ``，`` folded), trimmed;
    a currency sign or code in front (``¥``, ``RMB``, ``CNY``) or behind
    (``元``, ``RMB``, ``CNY``) is dropped; what is left must be a number with an
    optional sign, thousands separators only between groups of three digits
    (``1,234,567``) and a decimal point. Anything else (``"1,23"``: a decimal
    comma or a typo?; ``"about 50"``) becomes NaN, counted as ``unparseable``.
    Numbers pass through; signs are kept (a refund may be negative).

    Parameters
    ----------
    values
        A column of amounts: numbers, text or a mix.

    Returns
    -------
    Normalised
        ``values``: ``float64``. ``report`` outcomes: ``number`` (already a
        number), ``text`` (a plain number written as text), ``cleaned`` (text
        read after removing currency signs, separators or full-width forms),
        ``unparseable`` (now NaN), ``missing``.

    Raises
    ------
    DataError
        Booleans or other values that are neither numbers nor text.

    Examples
    --------
    >>> out = parse_amount(["¥1,234.50", "１２.５", "88", 19.9, "12元", "1,23", None])
    >>> out.values.tolist()
    [1234.5, 12.5, 88.0, 19.9, 12.0, nan, nan]
    >>> out.report[["outcome", "count"]].values.tolist()
    [['number', 1], ['text', 1], ['cleaned', 3], ['unparseable', 1], ['missing', 1]]
    """
    s = series(values)
    obj = s.astype(object) if not pd.api.types.is_numeric_dtype(s.dtype) or \
        pd.api.types.is_bool_dtype(s.dtype) else s
    is_number = np.zeros(len(s), dtype=bool)
    if pd.api.types.is_bool_dtype(s.dtype):
        as_text(s, "amounts")  # raises
    if pd.api.types.is_numeric_dtype(obj.dtype):
        is_number = mask(obj.notna())
        number = obj.to_numpy(dtype="float64", na_value=np.nan)
    else:
        kinds = obj.map(lambda v: isinstance(v, int | float | np.number)
                        and not isinstance(v, bool | np.bool_)).to_numpy(dtype=bool)
        is_number = kinds & mask(obj.notna())
        number = np.full(len(s), np.nan)
        number[is_number] = obj[is_number].astype("float64").to_numpy()
    text = as_text(obj.where(~is_number, None) if not is_number.all() else
                   pd.Series(pd.NA, index=s.index, dtype="string"), "amounts")
    trimmed = text.str.strip()
    plain = mask(trimmed.str.fullmatch(r"[+-]?[0-9]+(?:\.[0-9]+)?")) & ~is_number
    cleaned = _nfkc(text).str.replace(_CURRENCY, "", regex=True).str.strip()
    readable = mask(cleaned.str.fullmatch(_AMOUNT)) & ~is_number
    parsed = pd.to_numeric(cleaned.where(readable).str.replace(",", "", regex=False),
                           errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    out = np.where(is_number, number, np.where(readable, parsed, np.nan))
    given = is_number | mask(text.notna() & (trimmed != ""))
    return Normalised(pd.Series(out, index=s.index, name=s.name), outcome_report(
        {"number": is_number, "text": plain, "cleaned": readable & ~plain,
         "unparseable": given & ~is_number & ~readable, "missing": ~given}, s))


# --------------------------------------------------------------------------- times

_ZONED = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"


def _zone(name: str, value: object, *, allow_none: bool) -> str | None:
    if value is None and allow_none:
        return None
    if isinstance(value, str):
        try:
            zoneinfo.ZoneInfo(value)
            return value
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    raise ArgumentError("not a time zone name", name=name, value=value,
                        allowed="an IANA zone name such as 'Asia/Shanghai' or 'UTC'"
                        + (", or None" if allow_none else ""))


def _time_text(s: pd.Series) -> pd.Series:
    """Text and datetime objects as trimmed text (NFKC); other cells refused."""
    if pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype):
        return _nfkc(s.astype("string"))
    codes, uniq = pd.factorize(s.astype(object).to_numpy(dtype=object))
    text = np.empty(len(uniq), dtype=object)
    bad = np.zeros(len(uniq), dtype=bool)
    for i, v in enumerate(uniq):
        if isinstance(v, str):
            text[i] = v
        elif isinstance(v, dt.datetime | dt.date | np.datetime64):
            text[i] = pd.Timestamp(v).isoformat()
        else:
            bad[i] = True
    if bad.any():
        rows = (codes >= 0) & bad[np.maximum(codes, 0)]
        raise DataError("expected times (text or datetimes), found "
                        + ", ".join(sorted({type(v).__name__ for v in uniq[bad]})) + " values",
                        column=str(s.name) if s.name is not None else "values",
                        rows=s[rows].head(5).to_frame(),
                        fix="numbers are no times: convert them (pd.to_datetime(col, unit=...)) "
                        "or drop the rows shown")
    out = np.where(codes >= 0, text[np.maximum(codes, 0)] if len(uniq) else None, None)
    return _nfkc(pd.Series(out, index=s.index, dtype="string"))


def _year_first(text: pd.Series) -> pd.Series:
    """Year-first dates with ``/`` or ``.`` (``2025/10/3 14:22:05``) rewritten as ISO 8601
    (``2025-10-03 14:22:05``); other text unchanged."""
    parts = text.str.extract(r"^([0-9]{4})[/.]([0-9]{1,2})[/.]([0-9]{1,2})(.*)$")
    hit = mask(parts[0].notna())
    if not hit.any():
        return text
    iso = parts[0] + "-" + parts[1].str.zfill(2) + "-" + parts[2].str.zfill(2) + parts[3]
    return text.where(~hit, iso)


def _in_range(t: pd.Series) -> pd.Series:
    """NaT outside the years datetime64[ns] can hold."""
    years = t.dt.year
    return t.where((years >= 1678) & (years <= 2261)).astype("datetime64[ns]")


def parse_time(values: object, *, source_tz: str | None = None,
               to: str = "Asia/Shanghai") -> Normalised:
    """Mixed local and UTC times -> naive times of one zone (China time by default).

    The rule, value by value:

    - a time **with a zone** (``"2025-10-03T06:22:05Z"``, ``"...+08:00"``, a
      zone-aware Timestamp) is converted to ``to`` and its zone dropped;
    - a time **without a zone** (``"2025-10-03 14:22:05"``) is taken to be
      ``source_tz`` time when ``source_tz`` is given, and converted; with
      ``source_tz=None`` (the default) it is taken to be ``to`` time already and
      kept as it is. So an app export in China time and a mini-program export in
      UTC stacked in one column come out in China time; a column of *naive UTC*
      times needs ``source_tz="UTC"`` (nothing in the text can tell).

    Text must be written year first: ISO 8601 (``2025-10-03``, ``2025-10-03
    14:22:05``, ``2025-10-03T14:22:05.123+08:00``), or with ``/`` or ``.`` between
    year, month and day (``2025/10/03 14:22:05``, as tills write it). Other text
    (``03/10/2025``: 3 October or 10 March?) becomes NaT, counted as
    ``unparseable``, as do clock times that do not exist in ``source_tz`` (a
    daylight-saving gap) or are ambiguous in it.

    Parameters
    ----------
    values
        A column of times: text, datetimes (naive or zone-aware) or a mix.
    source_tz
        The zone of the values without one; None: they are ``to`` time already.
    to
        The zone of the result (an IANA name); the course uses ``"Asia/Shanghai"``.

    Returns
    -------
    Normalised
        ``values``: naive ``datetime64[ns]``. ``report`` outcomes: ``local``
        (no zone, kept as ``to`` time), ``converted`` (a zone, or ``source_tz``,
        converted to ``to``), ``unparseable`` (now NaT), ``missing``.

    Examples
    --------
    >>> out = parse_time(["2025-10-03 14:22:05", "2025-10-03T06:22:05Z",
    ...                   "2025-10-03T14:22:05+08:00", "2025/10/03 14:22:05", "03/10/2025",
    ...                   None])
    >>> out.values.dt.strftime("%Y-%m-%d %H:%M:%S").tolist()
    ['2025-10-03 14:22:05', '2025-10-03 14:22:05', '2025-10-03 14:22:05', \
'2025-10-03 14:22:05', nan, nan]
    >>> out.report[["outcome", "count"]].values.tolist()
    [['local', 2], ['converted', 2], ['unparseable', 1], ['missing', 1]]
    >>> str(parse_time(["2025-10-03 06:22:05"], source_tz="UTC").values[0])
    '2025-10-03 14:22:05'
    """
    source_tz = _zone("source_tz", source_tz, allow_none=True)
    to = _zone("to", to, allow_none=False)
    s = series(values)
    dtype = s.dtype
    n = len(s)
    out = pd.Series(pd.NaT, index=s.index, name=s.name, dtype="datetime64[ns]")
    if isinstance(dtype, pd.DatetimeTZDtype):
        zoned = mask(s.notna())
        naive = np.zeros(n, dtype=bool)
        out[zoned] = _in_range(s[zoned].dt.tz_convert(to).dt.tz_localize(None))
    elif pd.api.types.is_datetime64_dtype(dtype):
        naive = mask(s.notna())
        zoned = np.zeros(n, dtype=bool)
        out[naive] = _in_range(s[naive].astype("datetime64[ns]"))
    else:
        text = _year_first(_time_text(s))
        given = mask(text.notna() & (text != ""))
        zoned = given & mask(text.str.contains(_ZONED, regex=True))
        naive = given & ~zoned
        if zoned.any():
            read = pd.to_datetime(text[zoned], format="ISO8601", utc=True, errors="coerce")
            out[zoned] = _in_range(read.dt.tz_convert(to).dt.tz_localize(None))
        if naive.any():
            out[naive] = _in_range(pd.to_datetime(text[naive].astype(object),
                                                  format="ISO8601", errors="coerce"))
    if source_tz is not None and naive.any():
        local = out[naive].dt.tz_localize(source_tz, ambiguous="NaT", nonexistent="NaT")
        out[naive] = local.dt.tz_convert(to).dt.tz_localize(None)
    read_ok = mask(out.notna())
    given = zoned | naive
    moved = zoned | (naive if source_tz is not None else np.zeros(n, dtype=bool))
    return Normalised(out, outcome_report(
        {"local": naive & read_ok & ~moved, "converted": moved & read_ok,
         "unparseable": given & ~read_ok, "missing": ~given}, s))


# --------------------------------------------------------------------------- duplicates


def deduplicate(df: pd.DataFrame, key: str | Sequence[str], *, keep: str = "first",
                order_by: str | Sequence[str] | None = None) -> Deduplicated:
    """Keep one row per key; list the repeats dropped and the row kept for each.

    Within each key, rows are put in ``order_by`` order (ascending, ties in the
    table's order; without ``order_by``, the table's order) and the ``first``
    or ``last`` one is kept. To keep the latest export of an order:
    ``deduplicate(raw, "order_no", keep="last", order_by="exported_at")``, with
    ``exported_at`` parsed first (:func:`parse_time`): text sorts as text.

    Parameters
    ----------
    df
        The table; its index must identify rows (the report refers to them).
    key
        The column, or columns, that should identify a row.
    keep
        ``"first"`` or ``"last"`` in ``order_by`` order.
    order_by
        Column(s) to order the rows of a key by; no missing values.

    Returns
    -------
    Deduplicated
        ``kept``, ``dropped`` (with ``kept_row`` and ``identical``) and
        ``repeated_keys``.

    Raises
    ------
    DataError
        A missing column, missing key or ``order_by`` values, an index with repeats.
    ArgumentError
        A bad ``keep`` or column list.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"order_no": ["A1", "A1", "B2", "A1"],
    ...                     "amount": [10.0, 10.0, 5.0, 12.0],
    ...                     "exported_at": pd.to_datetime(["2025-10-01", "2025-10-01",
    ...                                                    "2025-10-01", "2025-10-02"])})
    >>> out = deduplicate(raw, "order_no", keep="last", order_by="exported_at")
    >>> out.kept.index.tolist(), out.repeated_keys
    ([2, 3], 1)
    >>> out.dropped[["order_no", "kept_row", "identical"]]
      order_no  kept_row  identical
    0       A1         3      False
    1       A1         3      False
    """
    table = "table"
    frame(df, table, allow_empty=True)
    keys = column_names(key, "key")
    choice("keep", keep, ["first", "last"])
    by = [] if order_by is None else column_names(order_by, "order_by")
    present(df, table, keys, "key")
    present(df, table, by, "order_by")
    if not df.index.is_unique:
        repeated = df.index[df.index.duplicated()].unique()[:3].tolist()
        raise DataError(f"the index repeats labels (e.g. {repeated}); the report refers to rows "
                        "by their index label", table=table,
                        fix="df = df.reset_index(drop=True)")
    for cols, what in ((keys, "key"), (by, "order_by")):
        for c in cols:
            gone = mask(df[c].isna())
            if gone.any():
                raise DataError(f"missing values in the {what} column", table=table, column=c,
                                rows=df.loc[gone].head(5),
                                fix="drop or fill those rows first: rows without a key "
                                "cannot be matched" if what == "key"
                                else "fill them, or order by another column")
    ordered = df[list(dict.fromkeys(keys + by))].reset_index(drop=True)  # by position
    if by:
        try:
            ordered = ordered.sort_values(by, kind="stable")
        except TypeError as err:
            raise DataError(f"the order_by column(s) {by} mix types that cannot be sorted",
                            table=table, column=by, rows=df[by].head(5),
                            fix="convert them to one type (parse times with parse_time)") \
                from err
    repeat = ordered.duplicated(subset=keys, keep=keep).to_numpy()
    group = ordered.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    where = ordered.index.to_numpy()
    kept_at = np.zeros(group.max() + 1 if len(group) else 0, dtype=np.int64)
    kept_at[group[~repeat]] = where[~repeat]
    is_dropped = np.zeros(len(df), dtype=bool)
    is_dropped[where[repeat]] = True
    partner = np.zeros(len(df), dtype=np.int64)  # the kept row of each dropped row
    partner[where[repeat]] = kept_at[group[repeat]]
    partner = partner[is_dropped]
    try:
        hashes = pd.util.hash_pandas_object(df, index=False).to_numpy()
    except TypeError as err:
        raise DataError("cells that cannot be compared (lists or dicts)", table=table,
                        fix="turn such cells into text first") from err
    dropped = df.loc[is_dropped].copy()
    dropped["kept_row"] = df.index[partner]
    dropped["identical"] = hashes[is_dropped] == hashes[partner]
    repeated_keys = int(len(np.unique(group[repeat])))
    return Deduplicated(df.loc[~is_dropped].copy(), dropped, repeated_keys)


# --------------------------------------------------------------------------- report

_TOKEN = r"[a-z0-9][a-z0-9_+]*"
_LIST = re.compile(rf"(?:[a-z ]+:\s*)?({_TOKEN}(?:\s*,\s*{_TOKEN})*(?:,?\s+or\s+{_TOKEN})?)")


def contract_labels(column: Column) -> tuple[str, ...] | None:
    """The labels a ``category`` column of a contract allows, read from its meaning
    when the meaning is a plain list of labels (``"ios, android or mini_program"``,
    ``"region: east, south, north"``); None when it is not (prose, a label with a
    space or a bracket): then no label check is made.

    Examples
    --------
    >>> from coursekit.schema import TABLES
    >>> contract_labels(TABLES["orders"].column("platform"))
    ('app', 'mini_program')
    >>> contract_labels(TABLES["users"].column("age_band")) is None
    True
    """
    if column.kind != "category":
        return None
    meaning = column.meaning.strip().removesuffix("(may be empty)").strip()
    m = _LIST.fullmatch(meaning)
    if not m:
        return None
    labels = tuple(re.split(r"\s*,\s*|,?\s+or\s+", m[1]))
    return labels if len(labels) >= 2 else None


def _contract(table: str, contract: object) -> Table | None:
    if contract is None:
        return TABLES.get(table)
    if isinstance(contract, Table):
        return contract
    if isinstance(contract, str):
        if contract not in TABLES:
            raise ArgumentError("no contract of that name", name="contract", value=contract,
                                allowed=", ".join(sorted(TABLES)))
        return TABLES[contract]
    raise ArgumentError("must be a table name, a coursekit.schema.Table or None",
                        name="contract", value=contract)


def _categories(categories: object) -> dict[str, frozenset]:
    if categories is None:
        return {}
    if not isinstance(categories, Mapping) or not all(
            isinstance(k, str) and isinstance(v, Iterable) and not isinstance(v, str)
            for k, v in categories.items()):
        raise ArgumentError("categories must map column names to lists of labels",
                            name="categories", value=categories,
                            fix="e.g. categories={'status': ['paid', 'cancelled']}")
    return {k: frozenset(map(str, v)) for k, v in categories.items()}


def _text_cells(s: pd.Series) -> pd.Series:
    """The cells holding text, as ``string`` (``<NA>`` for every other cell)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        if not (pd.api.types.is_string_dtype(cats.dtype)
                or pd.api.types.infer_dtype(cats) == "string"):
            return pd.Series(pd.NA, index=s.index, dtype="string")
        return s.astype(object).astype("string")
    if pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype):
        return s.astype("string")
    if not pd.api.types.is_object_dtype(s.dtype):
        return pd.Series(pd.NA, index=s.index, dtype="string")
    codes, uniq = pd.factorize(s.to_numpy(dtype=object))
    is_str = np.array([isinstance(v, str) for v in uniq], dtype=bool)
    keep = (codes >= 0) & is_str[np.maximum(codes, 0)] if len(uniq) else np.zeros(len(s), bool)
    out = np.where(keep, s.to_numpy(dtype=object), None)
    return pd.Series(out, index=s.index, dtype="string")


def _numbers_in_object(s: pd.Series) -> np.ndarray:
    """Cells of an object column holding numbers (not booleans)."""
    if not pd.api.types.is_object_dtype(s.dtype):
        return np.zeros(len(s), dtype=bool)
    codes, uniq = pd.factorize(s.to_numpy(dtype=object))
    num = np.array([isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)
                    for v in uniq], dtype=bool)
    return (codes >= 0) & num[np.maximum(codes, 0)] if len(uniq) else np.zeros(len(s), bool)


Finding = tuple[str, str, np.ndarray, pd.Series, str]

# Full-width ASCII forms (！ to ～, U+FF01-FF5E), full-width signs (￥, U+FFE0-FFE6) and
# the ideographic space (U+3000): what a Chinese input method types in full-width mode;
# NFKC folds them.
_FULL_WIDTH = "[\uff01-\uff5e\uffe0-\uffe6\u3000]"


def _text_checks(name: str, text: pd.Series) -> list[Finding]:
    has = mask(text.notna())
    untrimmed = has & mask(text.str.contains(r"^\s|\s$|\s{2,}", regex=True))
    wide = has & mask(text.str.contains(_FULL_WIDTH, regex=True))
    return [(name, "untrimmed", untrimmed, text, "no spaces at the ends, none repeated"),
            (name, "full_width", wide, text,
             "no full-width forms (ＡＢＣ１２３, ￥, ideographic space)")]


def _label_checks(name: str, s: pd.Series, text: pd.Series,
                  allowed: frozenset | None) -> list[Finding]:
    out: list[Finding] = []
    nums = _numbers_in_object(s)
    if nums.any() and mask(text.notna()).any():
        out.append((name, "mixed_types", nums, s, "all text or all numbers"))
    if allowed is not None:
        labels = s.astype(object).map(lambda v: v if isinstance(v, str) else str(v))
        bad = mask(s.notna()) & ~mask(labels.isin(allowed)) & ~mask(text.str.strip() == "")
        out.append((name, "invalid_category", bad, s,
                    "one of: " + ", ".join(sorted(allowed))))
    return out


def _number_checks(name: str, s: pd.Series, col: Column, text: pd.Series,
                   blank: np.ndarray) -> list[Finding]:
    out: list[Finding] = []
    if pd.api.types.is_bool_dtype(s.dtype):
        return [(name, "unparseable", mask(s.notna()), s, f"{col.kind}: numbers")]
    if pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        values = s.to_numpy(dtype="float64", na_value=np.nan)
    else:
        parsed = pd.to_numeric(text.str.strip().astype(object), errors="coerce")
        values = parsed.to_numpy(dtype="float64", na_value=np.nan)
        nums = _numbers_in_object(s)
        if nums.any():
            values[nums] = s[nums].astype("float64").to_numpy()
        has_text = mask(text.notna()) & ~blank
        readable = has_text & ~np.isnan(values)
        other = mask(s.notna()) & ~mask(text.notna()) & ~nums  # booleans, dates, lists
        out.append((name, "stored_as_text", readable, s, f"{col.kind}: a number dtype"))
        out.append((name, "unparseable", (has_text & np.isnan(values)) | other, s,
                    f"{col.kind}: numbers"))
    finite = np.isfinite(values)
    low = finite & (values < col.min) if col.min is not None else np.zeros(len(s), bool)
    rule = "finite" + (f", at least {col.min:g}" if col.min is not None else "")
    out.append((name, "out_of_range", np.isinf(values) | low, s, rule))
    if col.kind in ("int", "Int"):
        out.append((name, "not_whole", finite & (values != np.round(values)), s,
                    "whole numbers"))
    return out


def _time_checks(name: str, s: pd.Series, col: Column) -> list[Finding]:
    dtype = s.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or (
            isinstance(dtype, pd.ArrowDtype) and getattr(dtype.pyarrow_dtype, "tz", None)):
        return [(name, "time_zone", mask(s.notna()), s, "naive China time")]
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return []
    obj = s.astype(object)
    codes, uniq = pd.factorize(obj.to_numpy(dtype=object))
    kind = np.empty(len(uniq), dtype=object)
    for i, v in enumerate(uniq):
        if isinstance(v, str):
            if not v.strip():
                kind[i] = "blank"
                continue
            family, parts = read_date(v)
            if family == "zone":
                kind[i] = "zone"
            elif parts is None:
                kind[i] = "bad"
            else:
                try:
                    dt.datetime(*parts[:6])
                    kind[i] = "text"
                except ValueError:
                    kind[i] = "bad"
        elif isinstance(v, dt.datetime | pd.Timestamp):
            kind[i] = "zone" if v.tzinfo is not None else "ok"
        elif isinstance(v, dt.date | np.datetime64):
            kind[i] = "ok"
        else:
            kind[i] = "bad"
    per_row = np.where(codes >= 0, kind[np.maximum(codes, 0)] if len(uniq) else None, None)
    return [(name, "stored_as_text", per_row == "text", s, f"{col.kind}: a datetime dtype"),
            (name, "unparseable", per_row == "bad", s, "year-first dates, e.g. 2025-10-03"),
            (name, "time_zone", per_row == "zone", s, "naive China time")]


def _column_findings(df: pd.DataFrame, name: str, col: Column | None,
                     allowed: frozenset | None) -> list[Finding]:
    s = df[name]
    text = _text_cells(s)
    blank = mask(text.str.strip() == "")
    out: list[Finding] = []
    if col is None or not col.nullable:
        out.append((name, "missing", mask(s.isna()) | blank, s,
                    "no missing values (blank text counts as missing)" if col is not None
                    else "counted: no contract says whether the column may be empty"))
    if col is not None and allowed is None:
        labels = contract_labels(col)
        allowed = frozenset(labels) if labels else None
    kind = col.kind if col is not None else None
    if kind in ("int", "Int", "float"):
        out += _number_checks(name, s, col, text, blank)
    elif kind in ("datetime", "date"):
        out += _time_checks(name, s, col)
    elif kind in ("bool", "boolean"):
        if not pd.api.types.is_bool_dtype(s.dtype):
            bad = mask(s.notna()) & ~blank & ~mask(s.astype(object).isin([True, False]))
            out.append((name, "unparseable", bad, s, "True or False"))
    else:
        out += _label_checks(name, s, text, allowed)
    return out + _text_checks(name, text)


def _duplicate_findings(df: pd.DataFrame, keys: list[str]) -> list[Finding]:
    out: list[Finding] = []
    try:
        same = df.duplicated(keep="first").to_numpy()
    except TypeError:  # unhashable cells (lists): no row comparison
        same = np.zeros(len(df), dtype=bool)
    if same.any():
        group = df.groupby(list(df.columns), sort=False, dropna=False).ngroup().to_numpy()
        firsts = pd.Series(group).drop_duplicates()  # each group's first position
        lead = np.empty(len(firsts), dtype=np.int64)
        lead[firsts.to_numpy()] = firsts.index.to_numpy()
        earlier = pd.Series([f"same as row {label!r}" for label in df.index[lead[group]]],
                            index=df.index)
        out.append(("(row)", "duplicate_row", same, earlier, "each row once"))
    if keys and all(k in df.columns for k in keys):
        complete = mask(df[keys].notna().all(axis=1))
        sub = df.loc[complete, keys]
        repeat = np.zeros(len(df), dtype=bool)
        repeat[complete] = sub.duplicated(keep="first").to_numpy()
        shown = df[keys[0]] if len(keys) == 1 else pd.Series(
            list(df[keys].itertuples(index=False, name=None)), index=df.index)
        label = keys[0] if len(keys) == 1 else "(" + ", ".join(keys) + ")"
        out.append((label, "duplicate_key", repeat, shown, f"unique key {label}"))
    return out


def cleaning_report(df: pd.DataFrame, table: str, *, contract: Table | str | None = None,
                    key: str | Sequence[str] | None = None,
                    categories: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """What is wrong with a table: one row per finding, with counts and examples.

    The checks come from the table's column contract (:mod:`coursekit.schema`)
    when it has one: the contract of ``table`` in :data:`coursekit.schema.TABLES`,
    or the one passed as ``contract``. Per column of the contract, by its kind:

    - every column: ``absent``; ``missing`` (missing values or blank text) unless
      the column may be empty; for text cells ``untrimmed`` and ``full_width``;
    - numbers (``int``, ``Int``, ``float``): ``stored_as_text`` (readable text),
      ``unparseable``, ``out_of_range`` (below the contract's ``min``, or
      infinite), ``not_whole`` (fractions in whole-number columns);
    - times (``datetime``, ``date``): ``stored_as_text``, ``unparseable``
      (what :func:`coursekit.load` would refuse: day/month-first dates, no
      such day), ``time_zone``;
    - flags (``bool``, ``boolean``): ``unparseable`` (anything but True/False);
    - labels (``category``, ``str``): ``mixed_types``, and ``invalid_category``
      when the labels are known: from ``categories``, or from a contract whose
      meaning of the column is a plain list (:func:`contract_labels`).

    Without a contract the report is generic: per column ``missing``,
    ``mixed_types``, ``untrimmed``, ``full_width`` (and ``invalid_category``
    for the columns of ``categories``); so are columns a contract does not
    name. Either way the table gets
    ``duplicate_row`` (identical to an earlier row) and ``duplicate_key`` (the
    contract's key, or ``key``). :data:`CHECKS` describes every check.

    Unlike :func:`coursekit.schema.validate`, which stops at the first
    problem, the report counts them all: it is the to-do list of cleaning.

    Parameters
    ----------
    df
        The table, as read (text, numbers, whatever the export holds).
    table
        Its name: in the report, and to find its contract.
    contract
        A :class:`coursekit.schema.Table`, the name of one in ``TABLES`` (to check
        a raw table against the clean table it should become, with the same
        column names), or None: the contract of ``table`` if there is one.
    key
        The column(s) that should identify a row; default: the contract's key.
    categories
        Allowed labels per column, ``{column: [label, ...]}``; they replace the
        contract's labels for those columns.

    Returns
    -------
    pandas.DataFrame
        One row per finding with a count above 0: ``table``, ``column``
        (``"(row)"`` for whole-row duplicates), ``check``, ``count`` (rows),
        ``share`` (of all rows), ``examples`` (up to three distinct offending
        values; for ``duplicate_row`` the earlier row it repeats), ``rows``
        (index labels of the rows of those examples) and ``rule`` (what a
        valid value is). Empty (same columns) when nothing is wrong.

    Raises
    ------
    DataError
        ``df`` is not a table, or has no rows.
    ArgumentError
        An unknown contract, or a bad ``key`` or ``categories``.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"order_id": [1, 2, 2, 3], "amount": ["12.5", "¥8", "-3", None],
    ...                     "platform": ["app", "App ", "mini_program", "app"]})
    >>> report = cleaning_report(raw, "orders")
    >>> report.loc[report["check"] != "absent", ["column", "check", "count", "examples", "rows"]]
          column             check  count    examples    rows
    2   platform  invalid_category      1      [App ]     [1]
    3   platform         untrimmed      1      [App ]     [1]
    9     amount           missing      1       [nan]     [3]
    10    amount    stored_as_text      2  [12.5, -3]  [0, 2]
    11    amount       unparseable      1        [¥8]     [1]
    12    amount      out_of_range      1        [-3]     [2]
    16  order_id     duplicate_key      1         [2]     [2]
    >>> report.loc[report["check"] == "absent", "column"].tolist()[:3]
    ['user_id', 'order_time', 'device']
    >>> cleaning_report(raw, "orders_export", key="order_id")["check"].tolist()
    ['missing', 'untrimmed', 'duplicate_key']
    """
    if not isinstance(table, str) or not table:
        raise ArgumentError("table must be the table's name", name="table", value=table,
                            fix="e.g. cleaning_report(df, 'raw_orders')")
    frame(df, table)
    spec = _contract(table, contract)
    keys = column_names(key, "key") if key is not None else list(spec.key) if spec else []
    if key is not None:
        present(df, table, keys, "key")
    cats = _categories(categories)
    found: list[Finding] = []
    n = len(df)
    if spec is not None:
        for col in spec.columns:
            if col.name not in df.columns:
                found.append((col.name, "absent", np.ones(n, bool),
                              pd.Series([None] * n, index=df.index, dtype=object),
                              f"{col.kind} column: {col.meaning}"))
            else:
                found += _column_findings(df, col.name, col, cats.get(col.name))
    names = set(spec.names) if spec is not None else set()
    for name in df.columns:
        if name not in names:  # beyond the contract: the generic checks
            found += _column_findings(df, name, None, cats.get(name))
    found += _duplicate_findings(df, keys)
    rows = []
    for column, check, hit, shown, rule in found:
        count = int(hit.sum())
        if not count:
            continue
        picked = shown[hit]
        if check == "absent":
            first, values = [], []
        else:
            try:
                lead = picked[~picked.astype(object).duplicated()].head(3)
            except TypeError:
                lead = picked.head(3)
            first, values = lead.index.tolist(), lead.tolist()
        rows.append((table, column, check, count, count / n, values, first, rule))
    out = pd.DataFrame(rows, columns=_REPORT)
    out["count"] = out["count"].astype("int64")
    out["share"] = out["share"].astype("float64")
    return out
