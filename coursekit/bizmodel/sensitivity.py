"""What-if sensitivity (敏感性分析): which input moves the result most, one at a time."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from numbers import Real

import pandas as pd

from coursekit.errors import ArgumentError

__all__ = ["sensitivity"]

_COLUMNS = ["input_low", "input_base", "input_high", "low", "high", "swing", "base_value"]


def _number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _evaluate(model: Callable[..., object], inputs: dict[str, float], what: str,
              name: str) -> float:
    """``model(**inputs)`` as a float, or an ArgumentError saying which evaluation failed."""
    try:
        value = model(**inputs)
    except TypeError as err:  # a keyword the model does not take, or one it misses
        raise ArgumentError(
            f"model(**inputs) failed {what}: {err}",
            name=name,
            fix="the model must take every input of base as a keyword, e.g. "
            "def profit(*, units, price, cost, fixed): ...",
        ) from None
    except ArithmeticError as err:  # a division by zero, an overflow
        raise ArgumentError(
            f"the model failed {what}: {type(err).__name__}: {err}",
            name=name,
            fix="narrow the range to values where the model is defined",
        ) from None
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        value = value.item()  # a numpy scalar
    if not _number(value):
        raise ArgumentError(
            f"the model returned {value!r} {what}: it must return one finite number",
            name=name,
            fix="check the model at these inputs (a division by zero? a Series instead of "
            "a number?), or narrow the range",
        )
    return float(value)


def sensitivity(
    model: Callable[..., float],
    base: Mapping[str, float],
    ranges: Mapping[str, tuple[float, float]],
) -> pd.DataFrame:
    """One-at-a-time sensitivity: the model's result with each input at its low and high end.

    For each input :math:`x_i` of ``ranges``, every other input stays at its
    base value and

    .. math:: \\text{low}_i = f(x_i = \\ell_i), \\quad \\text{high}_i = f(x_i = h_i),
              \\quad \\text{swing}_i = |\\text{high}_i - \\text{low}_i|

    The rows are sorted by swing, largest first: the top rows are the inputs
    the result depends on most, the ones to pin down (or to manage) first.
    :func:`coursekit.plots.tornado` draws the table as a tornado chart
    (龙卷风图). One at a time means interactions are not shown: two inputs at
    their bad ends together can do more than their two bars suggest.

    Parameters
    ----------
    model
        A function of keyword inputs returning one number, e.g.
        ``lambda units, price, cost, fixed: units * (price - cost) - fixed``.
    base
        Input name -> base value; the model is called with all of them.
    ranges
        Input name -> ``(low, high)``: the values to try for that input (each
        a key of ``base``). Inputs of ``base`` without a range stay fixed.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``input``, sorted by ``swing`` (largest first; ties keep
        the order of ``ranges``): ``input_low``, ``input_base``,
        ``input_high`` (the input's values), ``low`` and ``high`` (the
        model's value with the input at its low and high end), ``swing``
        (``|high - low|``) and ``base_value`` (the model at ``base``, the
        same on every row).

    Raises
    ------
    ArgumentError
        ``model`` not callable; the model failing or not returning one
        finite number at the base values (named ``base``) or at an end of a
        range (named ``ranges['<input>']``); ``base`` or ``ranges`` not a
        mapping of numbers; a range's input missing from ``base``; a range
        that is not two numbers; no ranges at all.

    Examples
    --------
    >>> def profit(units, price, cost, fixed):
    ...     return units * (price - cost) - fixed
    >>> base = {"units": 1000, "price": 50, "cost": 30, "fixed": 12000}
    >>> t = sensitivity(profit, base, {"price": (45, 55), "units": (800, 1200),
    ...                                "fixed": (10000, 14000)})
    >>> t[["low", "high", "swing"]]  # doctest: +NORMALIZE_WHITESPACE
              low     high    swing
    input
    price  3000.0  13000.0  10000.0
    units  4000.0  12000.0   8000.0
    fixed 10000.0   6000.0   4000.0
    >>> float(t["base_value"].iloc[0])
    8000.0
    """
    if not callable(model):
        raise ArgumentError("model must be a function of keyword inputs returning a number",
                            name="model", value=model,
                            fix="e.g. model=lambda units, price: units * price")
    for name, arg in (("base", base), ("ranges", ranges)):
        if not isinstance(arg, Mapping):
            raise ArgumentError(f"{name} must be a mapping of input name -> value",
                                name=name, value=arg,
                                fix="e.g. base={'price': 50, 'units': 1000}, "
                                "ranges={'price': (45, 55)}")
    point: dict[str, float] = {}
    for key, value in base.items():
        if not isinstance(key, str):
            raise ArgumentError(f"input names must be text, got {key!r}", name="base",
                                fix="name each input as the model's keyword")
        if not _number(value):
            raise ArgumentError(f"the base value of {key!r} is not a finite number",
                                name="base", value=value,
                                fix=f"give {key!r} a number, e.g. base[{key!r}] = 50")
        point[key] = float(value)  # type: ignore[arg-type]
    if not ranges:
        raise ArgumentError("no ranges: nothing to vary", name="ranges", value=ranges,
                            fix="give at least one input a (low, high) pair")
    ends: dict[str, tuple[float, float]] = {}
    for key, pair in ranges.items():
        if key not in point:
            raise ArgumentError(f"input {key!r} has a range but no base value", name="ranges",
                                value=key, allowed=f"inputs of base: {list(point)}",
                                fix=f"add {key!r} to base, or check its spelling")
        if (isinstance(pair, str | bytes) or not hasattr(pair, "__len__") or len(pair) != 2
                or not all(_number(v) for v in pair)):
            raise ArgumentError(f"the range of {key!r} must be two finite numbers (low, high)",
                                name="ranges", value=pair, fix=f"e.g. ranges[{key!r}] = (40, 60)")
        ends[key] = (float(pair[0]), float(pair[1]))
    base_value = _evaluate(model, point, "at the base values", "base")
    rows = []
    for key, (lo, hi) in ends.items():
        where = f"ranges[{key!r}]"
        at_lo = _evaluate(model, {**point, key: lo}, f"with {key}={lo:g}", where)
        at_hi = _evaluate(model, {**point, key: hi}, f"with {key}={hi:g}", where)
        rows.append([lo, point[key], hi, at_lo, at_hi, abs(at_hi - at_lo), base_value])
    out = pd.DataFrame(rows, columns=_COLUMNS, index=pd.Index(list(ends), name="input"))
    return out.sort_values("swing", ascending=False, kind="stable")
