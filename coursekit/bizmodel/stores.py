"""Unit economics of one store-month, and the months its fit-out takes to pay back."""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real

import numpy as np
import pandas as pd

from coursekit.bizmodel.units import WHOLE, UnitEconomics, assemble, check_by, group_means
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns, unique_key

__all__ = ["store_lines", "store_economics"]

# line -> sign, as for orders
_STORE_SIGNS = {"revenue": 1, "goods": -1, "gross_margin": 0, "rent": -1, "staff_pay": -1,
                "contribution": 0}


def _rates(cost_rates: object) -> dict[str, object]:
    """The store cost parameters as plain dicts keyed by text (tiers "1", formats ...)."""
    if isinstance(cost_rates, pd.DataFrame):
        need = ["item", "key", "value"]
        if not set(need) <= set(cost_rates.columns):
            raise ArgumentError("a cost_rates table needs the columns item, key, value",
                                name="cost_rates", value=list(cost_rates.columns),
                                fix="pass coursekit.load('cost_rates'): one row per rate, "
                                "e.g. item='rent_per_sqm_month', key='1', value=420.0 "
                                "(key 'all' for a single number)")
        table: dict[str, object] = {}
        for item, key, value in cost_rates[need].itertuples(index=False):
            if key is None or (not isinstance(key, str) and pd.isna(key)) or key in ("", "all"):
                table[str(item)] = value
            else:
                table.setdefault(str(item), {})[str(key)] = value  # type: ignore[union-attr]
        cost_rates = table
    if not isinstance(cost_rates, Mapping):
        raise ArgumentError("cost_rates must be a mapping or the cost_rates table",
                            name="cost_rates", value=cost_rates,
                            fix="e.g. {'rent_per_sqm_month': {'1': 420.0, ...}, "
                            "'pay_per_staff_hour': {...}, 'store_gross_margin': 0.55, "
                            "'fit_out': {'mall_kiosk': 150000.0, ...}}")
    out: dict[str, object] = {}
    for name in ("rent_per_sqm_month", "pay_per_staff_hour", "fit_out"):
        table = cost_rates.get(name)
        if not isinstance(table, Mapping) or not table:
            raise ArgumentError(f"cost_rates has no table {name!r}", name="cost_rates",
                                value=sorted(map(str, cost_rates)),
                                fix=f"give {name} as a mapping, e.g. by city tier or format")
        bad = {k: v for k, v in table.items()
               if isinstance(v, bool) or not isinstance(v, Real) or not 0 <= v < math.inf}
        if bad:
            raise ArgumentError(f"cost_rates[{name!r}] holds values that are not amounts >= 0",
                                name="cost_rates", value=bad)
        out[name] = {str(k): float(v) for k, v in table.items()}
    margin = cost_rates.get("store_gross_margin")
    if isinstance(margin, bool) or not isinstance(margin, Real) or not 0 <= margin <= 1:
        raise ArgumentError("cost_rates['store_gross_margin'] must be a share in [0, 1]",
                            name="cost_rates", value=margin, fix="e.g. 0.55 for 55 %")
    out["store_gross_margin"] = float(margin)
    return out


def _lookup(values: pd.Series, rates: Mapping[str, float], table: str, column: str,
            name: str, frame: pd.DataFrame) -> np.ndarray:
    keys = values.astype(str).to_numpy()
    found = pd.Series(rates).reindex(keys).to_numpy(dtype=np.float64)
    missing = np.isnan(found)
    if missing.any():
        raise DataError(f"no {name} rate for {sorted(set(keys[missing]))[:5]}", table=table,
                        column=column, rows=frame.loc[missing].head(5),
                        fix=f"add them to cost_rates[{name!r}] (known: {sorted(rates)})")
    return found


def store_lines(
    store_months: pd.DataFrame,
    stores: pd.DataFrame,
    cost_rates: Mapping[str, object] | pd.DataFrame,
    *,
    store: str = "store_id",
    amount: str = "revenue",
    hours: str = "staff_hours",
    tier: str = "city_tier",
    area: str = "area_sqm",
    store_format: str = "format",
) -> pd.DataFrame:
    """Every line of every store-month, from sales to the store's contribution.

    .. math:: \\text{contribution} = \\text{revenue} \\times m
              - \\text{area} \\times \\text{rent}_{\\text{tier}}
              - \\text{staff hours} \\times \\text{pay}_{\\text{tier}}

    with :math:`m` the stores' gross margin (``goods`` is the revenue's cost
    of goods, :math:`(1 - m) \\times` revenue).

    Parameters
    ----------
    store_months
        One row per store and month: ``store``, ``amount`` (sales) and
        ``hours`` (staff hours worked).
    stores
        One row per store: ``store``, ``tier`` (city tier), ``area`` (m²)
        and ``store_format``.
    cost_rates
        The company's store cost parameters: a mapping with
        ``rent_per_sqm_month`` (yuan per m² a month, by city tier),
        ``pay_per_staff_hour`` (yuan, by city tier), ``store_gross_margin``
        (a share) and ``fit_out`` (yuan, by format), other keys ignored; or,
        as the lessons pass it, the course's ``cost_rates`` table (columns
        ``item``, ``key``, ``value``; ``key`` ``"all"`` for the gross margin;
        other items are ignored).
        Tiers are matched as text (``1`` and ``"1"`` are the same tier).
    store, amount, hours, tier, area, store_format
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row per row of ``store_months`` (same index): ``store``,
        ``revenue``, ``goods``, ``gross_margin``, ``rent``, ``staff_pay``,
        ``contribution`` (yuan a month) and ``fit_out`` (the store's one-off
        fit-out, yuan).

    Raises
    ------
    DataError
        Bad columns; a store-month of a store missing from ``stores``; a
        tier or format without a rate.
    ArgumentError
        ``cost_rates`` missing a rate or holding one that is not a number.

    Examples
    --------
    >>> import pandas as pd
    >>> months = pd.DataFrame({"store_id": [1, 1], "revenue": [60000.0, 50000.0],
    ...                        "staff_hours": [600.0, 500.0]})
    >>> stores = pd.DataFrame({"store_id": [1], "city_tier": ["1"], "area_sqm": [40],
    ...                        "format": ["mall_kiosk"]})
    >>> rates = {"rent_per_sqm_month": {"1": 400.0}, "pay_per_staff_hour": {"1": 30.0},
    ...          "store_gross_margin": 0.5, "fit_out": {"mall_kiosk": 150000.0}}
    >>> store_lines(months, stores, rates)[["gross_margin", "rent", "staff_pay",
    ...                                     "contribution"]].to_numpy().tolist()
    [[30000.0, 16000.0, 18000.0, -4000.0], [25000.0, 16000.0, 15000.0, -6000.0]]
    """
    rates = _rates(cost_rates)
    sm = columns(store_months, "store_months", ids=[store], amounts=[amount, hours])
    st = columns(stores, "stores", ids=[store, tier, store_format], amounts=[area])
    unique_key(st, "stores", store)
    known = st.set_index(store)
    unknown = ~sm[store].isin(known.index)
    if unknown.any():
        raise DataError("store-months of stores missing from stores", table="stores",
                        column=store, rows=store_months.loc[unknown].head(5),
                        fix="pass the stores table of the same world")
    rent = _lookup(known[tier], rates["rent_per_sqm_month"], "stores", tier,  # type: ignore
                   "rent_per_sqm_month", stores) * known[area].to_numpy()
    pay = _lookup(known[tier], rates["pay_per_staff_hour"], "stores", tier,  # type: ignore
                  "pay_per_staff_hour", stores)
    fit_out = _lookup(known[store_format], rates["fit_out"], "stores",  # type: ignore
                      store_format, "fit_out", stores)
    pos = known.index.get_indexer(pd.Index(sm[store].to_numpy()))
    revenue = sm[amount].to_numpy()
    margin = rates["store_gross_margin"]
    out = pd.DataFrame({store: sm[store].to_numpy(), "revenue": revenue,
                        "goods": revenue * (1.0 - margin),  # type: ignore[operator]
                        "gross_margin": revenue * margin,  # type: ignore[operator]
                        "rent": rent[pos], "staff_pay": sm[hours].to_numpy() * pay[pos]},
                       index=store_months.index)
    out["contribution"] = out["gross_margin"] - out["rent"] - out["staff_pay"]
    out["fit_out"] = fit_out[pos]
    return out


def store_economics(
    store_months: pd.DataFrame,
    stores: pd.DataFrame,
    cost_rates: Mapping[str, object] | pd.DataFrame,
    *,
    by: str | None = None,
    store: str = "store_id",
    amount: str = "revenue",
    hours: str = "staff_hours",
    tier: str = "city_tier",
    area: str = "area_sqm",
    store_format: str = "format",
) -> UnitEconomics:
    """Unit economics of one store-month, and the months the fit-out takes to pay back.

    Each line of :func:`store_lines` averaged over the store-months; the
    upfront cost is the average fit-out of the stores, and

    .. math:: \\text{payback months} = \\frac{\\text{fit-out}}
              {\\text{contribution per store-month}}

    (``inf`` when the contribution is not positive: the store never pays
    its fit-out back).

    Parameters
    ----------
    store_months, stores, cost_rates
        As :func:`store_lines`.
    by
        Optional column of ``stores`` (``"store_id"``, ``"format"``,
        ``"city_tier"`` ...): one column of lines per value.
    store, amount, hours, tier, area, store_format
        Column names, as :func:`store_lines`.

    Returns
    -------
    UnitEconomics
        ``kind="store"``; lines ``revenue``, ``goods``, ``gross_margin``,
        ``rent``, ``staff_pay``, ``contribution`` (yuan per store-month);
        ``upfront`` the fit-out; ``count`` the store-months.

    Raises
    ------
    DataError, ArgumentError
        As :func:`store_lines`; ``by`` not a column of ``stores``.

    Examples
    --------
    >>> import pandas as pd
    >>> months = pd.DataFrame({"store_id": [1, 1], "revenue": [80000.0, 100000.0],
    ...                        "staff_hours": [600.0, 600.0]})
    >>> stores = pd.DataFrame({"store_id": [1], "city_tier": [1], "area_sqm": [40],
    ...                        "format": ["mall_kiosk"]})
    >>> rates = {"rent_per_sqm_month": {1: 400.0}, "pay_per_staff_hour": {1: 30.0},
    ...          "store_gross_margin": 0.5, "fit_out": {"mall_kiosk": 150000.0}}
    >>> ue = store_economics(months, stores, rates)
    >>> ue.lines["all"].tolist()
    [90000.0, 45000.0, 45000.0, 16000.0, 18000.0, 11000.0]
    >>> round(float(ue.payback_months["all"]), 1)  # 150,000 / 11,000
    13.6
    """
    check_by(by, stores, "stores")
    lines = store_lines(store_months, stores, cost_rates, store=store, amount=amount,
                        hours=hours, tier=tier, area=area, store_format=store_format)
    if by is not None and by != store:
        lines[by] = lines[store].map(stores.set_index(store)[by]).to_numpy()
    means, count = group_means(lines, list(_STORE_SIGNS), by)
    per_store = lines.drop_duplicates(store)
    if by is None:
        upfront = pd.Series({WHOLE: float(per_store["fit_out"].mean())})
    else:
        upfront = per_store.groupby(by, observed=True)["fit_out"].mean()
    contribution = means["contribution"]
    with np.errstate(divide="ignore"):
        payback = pd.Series(np.where(contribution.to_numpy() > 0,
                                     upfront.reindex(means.index).to_numpy()
                                     / contribution.to_numpy(), np.inf), index=means.index)
    return assemble("store", "per store-month", means, _STORE_SIGNS, upfront=upfront,
                      payback=payback, count=count)
