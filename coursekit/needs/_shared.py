"""Shared checks and survey-layout readers of :mod:`coursekit.needs` (private to it)."""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit._values import numbers as _number_column
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns, frame, on_scale, unique_key, whole_number

_FIELDS = ("brand", "attribute")


# --------------------------------------------------------------------------- small checks


def _is_number(value: object) -> bool:
    return (isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
            and math.isfinite(float(value)))


def _integer(name: str, value: object, *, low: int) -> int:
    return whole_number(value, name, low=low)


def _seed(seed: object) -> int:
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool | np.bool_) or seed < 0:
        raise ArgumentError("the seed must be a whole number >= 0", name="seed", value=seed,
                            fix="e.g. seed=0; the same seed gives the same result")
    return int(seed)


def _frame(df: object, table: str) -> pd.DataFrame:
    return frame(df, table, fix="pass a table, e.g. coursekit.load('survey')")


def _numeric(df: pd.DataFrame, name: object, table: str, *, nullable: bool,
             minimum: float | None = None) -> np.ndarray:
    """A numeric column as float64 (NaN where missing, when ``nullable``), checked."""
    return _number_column(df, name, table, minimum=minimum, nullable=nullable).to_numpy()


def _scale(scale: object) -> tuple[float, float]:
    if (isinstance(scale, str | bytes) or not isinstance(scale, Sequence) or len(scale) != 2
            or not all(_is_number(v) for v in scale) or not scale[0] < scale[1]):
        raise ArgumentError("scale must be two numbers (lowest, highest rating)", name="scale",
                            value=scale, fix="e.g. scale=(1, 10) or scale=(1, 5)")
    return float(scale[0]), float(scale[1])


# --------------------------------------------------------------------------- survey layouts


@dataclass(frozen=True)
class _Layout:
    """Where the survey keeps the respondent, the attribute and the brand of each row."""

    table: str
    respondent: str | None
    attribute: str | None
    brand: str | None
    brands: tuple | None  # keep only these brands (in this order), or all


def _layout(df: pd.DataFrame, table: str, respondent: object, attribute: object,
            brand: object, brands: Sequence | None) -> _Layout:
    for name, value in (("respondent", respondent), ("attribute", attribute), ("brand", brand)):
        if value is not None and not isinstance(value, str):
            raise ArgumentError("must be a column name or None", name=name, value=value)
        if value is not None and value not in df.columns:
            hint = {
                "attribute": "for a table with one row per respondent pass attribute=None and "
                "name the columns with {attribute}, e.g. rating='rating_{brand}_{attribute}'",
                "brand": "for brands in column names leave brand=None and use "
                "rating='rating_{brand}'",
                "respondent": "for a table with one row per respondent and no id column pass "
                "respondent=None",
            }[name]
            raise DataError(f"missing column {value!r} (argument {name}); the table has "
                            f"{list(df.columns)}", table=table, column=value, fix=hint)
    if respondent is None and (attribute is not None or brand is not None):
        raise ArgumentError(
            "respondent=None means one row per respondent, but the table has a row per "
            f"{'attribute' if attribute is not None else 'brand'}",
            name="respondent",
            fix="name the respondent id column, e.g. respondent='respondent_id'",
        )
    keys = [c for c in (respondent, attribute, brand) if c is not None]
    if keys:
        columns(df, table, ids=keys)
        unique_key(df, table, keys)
    if brands is not None:
        if isinstance(brands, str) or not isinstance(brands, Iterable):
            raise ArgumentError("brands must be a list of brand names", name="brands",
                                value=brands, fix="e.g. brands=['qingmu', 'songguo']")
        brands = tuple(brands)
        if not brands or len(set(brands)) != len(brands):
            raise ArgumentError("brands must be a non-empty list without repeats",
                                name="brands", value=list(brands))
    return _Layout(table, respondent, attribute, brand, brands)


def _listed(spec: object) -> bool:
    """A list of columns, one per attribute (named by the column)."""
    return isinstance(spec, Sequence | pd.Index) and not isinstance(spec, str | bytes)


def _fields(spec: object, name: str) -> set[str]:
    """The placeholders of a column-name template (``{attribute}`` for a list of
    columns), checked."""
    if _listed(spec):
        names = list(spec)
        if not names or len(set(names)) != len(names):
            raise ArgumentError("a list of columns must be non-empty, without repeats",
                                name=name, value=names,
                                fix="e.g. rating=['taste', 'health', 'price']")
        return {"attribute"}
    if not isinstance(spec, str) or not spec:
        raise ArgumentError("must be a column name, a template such as 'rating_{brand}' or "
                            "a list of columns, one per attribute", name=name, value=spec)
    found = re.findall(r"\{([^{}]*)\}", spec)
    unknown = [f for f in found if f not in _FIELDS]
    if unknown or len(found) != len(set(found)):
        raise ArgumentError(
            "a template may hold {brand} and {attribute}, each once",
            name=name,
            value=spec,
            fix="e.g. 'rating_{brand}' or 'rating_{brand}_{attribute}'",
        )
    return set(found)


def _pattern(spec: str, brands: tuple | None) -> re.Pattern:
    brand = "|".join(re.escape(str(b)) for b in sorted(brands, key=lambda b: -len(str(b)))) \
        if brands else ".+?"
    parts = re.split(r"(\{brand\}|\{attribute\})", spec)
    regex = "".join(f"(?P<brand>{brand})" if p == "{brand}" else "(?P<attribute>.+?)"
                    if p == "{attribute}" else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$")


def _gather(df: pd.DataFrame, lay: _Layout, spec: object, *, name: str, needs: set[str],
            nullable: bool, minimum: float | None = None,
            scale: tuple[float, float] | None = None) -> pd.DataFrame:
    """One quantity of the survey as a long table: respondent, the ``needs`` dims, value.

    The dims come from the template's placeholders (a list of columns names the
    attribute by the column) or from the long columns; a long
    column the quantity does not depend on (the attribute of an overall score) repeats
    the value, which must then be the same on every row.
    """
    fields = _fields(spec, name)
    for dim in sorted(needs):
        column = getattr(lay, dim)
        if dim in fields and column is not None:
            source = "the list of columns" if _listed(spec) else "the template"
            raise ArgumentError(
                f"the {dim} comes both from {source} and from column {column!r}",
                name=name, value=spec,
                fix=f"pass {dim}=None" if _listed(spec)
                else f"drop {{{dim}}} from the template, or pass {dim}=None",
            )
        if dim not in fields and column is None:
            raise ArgumentError(
                f"{name} needs {'an' if dim == 'attribute' else 'a'} {dim} for each value: "
                f"put {{{dim}}} in the column names or name the column holding it ({dim}=...)",
                name=name, value=spec,
            )
    extra = fields - needs
    if extra:
        raise ArgumentError(f"{name} does not vary by {sorted(extra)[0]}", name=name,
                            value=spec, fix=f"a template such as {spec!r} without "
                            f"{{{sorted(extra)[0]}}}")
    if _listed(spec):
        missing = [c for c in spec if c not in df.columns]
        if missing:
            raise DataError(f"missing column(s) {missing} (argument {name}); the table has "
                            f"{list(df.columns)}", table=lay.table, column=missing,
                            fix=f"list the {name} columns of your table")
        matches = [(c, {"attribute": c}) for c in spec]
        spec = ", ".join(map(str, spec))  # for the messages below
    elif fields:
        pattern = _pattern(spec, lay.brands if "brand" in fields else None)
        matches = [(c, m.groupdict()) for c in df.columns if isinstance(c, str)
                   for m in [pattern.match(c)] if m]
        if not matches:
            which = f" for brand(s) {list(lay.brands)}" if lay.brands and "brand" in fields \
                else ""
            raise DataError(f"no column matches {spec!r}{which}; the table has "
                            f"{list(df.columns)}",
                            table=lay.table, column=spec,
                            fix=f"name the {name} columns as the template says, or pass "
                            f"{name}= another template")
    else:
        if spec not in df.columns:
            raise DataError(f"missing column {spec!r} (argument {name}); the table has "
                            f"{list(df.columns)}", table=lay.table, column=spec,
                            fix=f"pass {name}= the name of your column, or a template such "
                            f"as '{spec}_{{brand}}'")
        matches = [(spec, {})]
    n = len(df)
    resp = (df[lay.respondent].to_numpy(dtype=object) if lay.respondent is not None
            else np.arange(n))
    long_dims = {d: df[getattr(lay, d)].to_numpy(dtype=object) for d in _FIELDS
                 if getattr(lay, d) is not None}
    parts: dict[str, list[np.ndarray]] = {"respondent": [], "value": [],
                                         **{d: [] for d in _FIELDS}}
    for column, found in matches:
        values = _numeric(df, column, lay.table, nullable=nullable, minimum=minimum)
        if scale is not None:
            on_scale(df, lay.table, column, values, low=scale[0], high=scale[1])
        parts["respondent"].append(resp)
        parts["value"].append(values)
        for d in _FIELDS:
            parts[d].append(long_dims[d] if d in long_dims
                            else np.full(n, found.get(d), dtype=object))
    out = pd.DataFrame({k: np.concatenate(v) for k, v in parts.items()})
    if lay.brands is not None and "brand" in needs:
        out = out[out["brand"].isin(lay.brands)]
        missing = [b for b in lay.brands if b not in set(out["brand"])]
        if missing:
            raise DataError(f"no {name} of brand(s) {missing} in the table", table=lay.table,
                            column=spec, fix="check the brand names against the columns")
    keys = ["respondent", *[d for d in _FIELDS if d in needs]]
    repeated = [d for d in long_dims if d not in needs]
    if repeated:
        out = _collapse(out, keys, repeated, lay.table, spec)
    return out[[*keys, "value"]].reset_index(drop=True)


def _collapse(out: pd.DataFrame, keys: list[str], repeated: list[str], table: str,
              spec: str) -> pd.DataFrame:
    """One value per key where a long dim repeats it; refuses values that differ."""
    g = out.groupby(keys, sort=False, observed=True)["value"]
    low, high, count, size = g.min(), g.max(), g.count(), g.size()
    differ = ((low != high) & low.notna()) | ((count > 0) & (count < size))
    if differ.any():
        shown = differ[differ].index[:5]
        raise DataError(
            f"the {spec!r} value repeats on every {repeated[0]} row of a respondent, but "
            "differs between those rows (or is missing on some)",
            table=table, column=spec,
            rows=pd.DataFrame({"key": list(shown), "lowest": low[shown].to_numpy(),
                               "highest": high[shown].to_numpy(),
                               "missing": (size - count)[shown].to_numpy()}),
            fix="keep one value per respondent (and brand), the same on each of its rows",
        )
    return low.rename("value").reset_index()


def _brand_order(ratings: pd.DataFrame, lay: _Layout) -> list:
    return list(lay.brands) if lay.brands is not None else list(pd.unique(ratings["brand"]))


def _means(ratings: pd.DataFrame, brands: list, attributes: list) -> pd.DataFrame:
    """Mean rating, attribute x brand, missing ratings skipped."""
    table = ratings.pivot_table(index="attribute", columns="brand", values="value",
                                aggfunc="mean", observed=True, dropna=False)
    return table.reindex(index=attributes, columns=brands)


def _given(importance: pd.Series | Mapping, attributes: list) -> pd.Series:
    """Importance given per attribute (e.g. from another survey), checked."""
    given = pd.Series(dict(importance) if isinstance(importance, Mapping) else importance,
                      dtype=object)
    missing = [a for a in attributes if a not in given.index]
    extra = [a for a in given.index if a not in attributes]
    if missing or extra or not given.index.is_unique:
        raise ArgumentError(
            f"the importance given and the rated attributes differ: no importance for "
            f"{missing}, not rated {extra}", name="importance",
            allowed=f"one number for each of {attributes}")
    values = given.reindex(attributes)
    bad = [v for v in values if not _is_number(v) or v < 0]
    if bad:
        raise ArgumentError("importance must be finite numbers, not negative",
                            name="importance", value=bad[0])
    return values.astype(float)


def _importance(df: pd.DataFrame, lay: _Layout, importance: object,
                attributes: list) -> pd.Series:
    """Stated importance per attribute: given, or the mean over respondents."""
    if isinstance(importance, pd.Series | Mapping):
        return _given(importance, attributes)
    imp = _gather(df, lay, importance, name="importance", needs={"attribute"},
                  nullable=False, minimum=0)
    return _stated(imp, attributes, lay.table, importance)


def _stated(importance: pd.DataFrame, attributes: list, table: str, spec: object
            ) -> pd.Series:
    mean = importance.groupby("attribute", sort=False)["value"].mean()
    missing = [a for a in attributes if a not in mean.index]
    extra = [a for a in mean.index if a not in attributes]
    if missing or extra:
        raise DataError(
            f"importance and ratings cover different attributes: without importance "
            f"{missing}, without ratings {extra}",
            table=table, column=spec,
            fix="give every rated attribute an importance (and drop attributes nobody rates)",
        )
    return mean.reindex(attributes)
