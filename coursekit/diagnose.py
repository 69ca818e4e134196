"""Look at the difference, find the reason (看差异、找原因).

When a number moves (GMV down 8 % this month, deliveries slower this week),
an operator answers four questions in turn, and this module has one tool for
each:

1. **Which part of the formula moved?** A *metric tree* (指标树 / 指标拆解)
   writes the number as a product or a sum of parts: GMV = visitors x
   conversion x order value, visitors = app + mini-program visitors.
   :class:`MetricTree` holds such a tree, computes every node for every period
   and checks that the parts really make the whole; :func:`gmv_tree` builds the
   course company's GMV tree from its events and orders.
2. **How much of the change does each part explain?** :func:`decompose` splits
   the change of the whole between two periods into exact contributions: for a
   product, the log-mean Divisia index (LMDI); for a sum, each part's change;
   for a ratio across segments (conversion over channels), a *mix* effect
   (the segments' weights moved) and a *rate* effect (their own rates moved).
   :meth:`MetricTree.explain` does it for every node of a tree at once.
3. **Where does it come from?** :func:`drill_down` ranks the values of one or
   several dimensions (channel, device, warehouse ...) by their contribution
   to the change, so the top row says where to look.
4. **Since when?** :func:`anomalies` compares each day with a robust baseline
   of the weeks before it and flags unusual days; :func:`episodes` groups them
   into incidents with a start and an end.

:func:`gap_to_target` compares actual figures with their targets (目标差距).

Every contribution here is *exact*: the contributions add up to the change of
the whole, to rounding, so a table can always be checked by its sum.

References
----------
- Ang, B. W. (2005). The LMDI approach to decomposition analysis: a practical
  guide. *Energy Policy* 33(7), 867-871.
- Kitagawa, E. M. (1955). Components of a difference between two rates.
  *Journal of the American Statistical Association* 50(272), 1168-1194.
- Leys, C. et al. (2013). Detecting outliers: do not use standard deviation
  around the mean, use absolute deviation around the median. *Journal of
  Experimental Social Psychology* 49(4), 764-766.
- Freeman, M. F. and Tukey, J. W. (1950). Transformations related to the
  angular and the square root. *Annals of Mathematical Statistics* 21(4),
  607-611.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from coursekit._arrays import codes as _factorize
from coursekit._periods import freq as _freq
from coursekit._periods import labels as _labels
from coursekit._periods import ordinals as _ordinals
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import choice as _check_flags
from coursekit.inputs import columns, timestamp

__all__ = [
    "MetricTree",
    "gmv_tree",
    "decompose",
    "drill_down",
    "anomalies",
    "episodes",
    "gap_to_target",
]

_OPS = {"*": "product", "x": "product", "×": "product", "product": "product",
        "+": "sum", "sum": "sum"}
_SYMBOL = {"product": "*", "sum": "+"}
_DRAWN = {"product": "×", "sum": "+"}


# --------------------------------------------------------------------------- small helpers


def _logmean(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """Logarithmic mean L(a, b) = (a - b) / (ln a - ln b), L(a, a) = a; a, b > 0."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        # log1p keeps the digits when a and b are close
        out = (a - b) / np.log1p((a - b) / b)
    return np.where(a == b, a, out)


def _as_series(obj: object, name: str) -> pd.Series:
    """A Mapping or Series of numbers, checked: finite, no missing values."""
    if isinstance(obj, pd.Series):
        s = obj
    elif isinstance(obj, Mapping):
        s = pd.Series(dict(obj), dtype=object)
    else:
        raise DataError(
            f"expected a Series or a dict of numbers, got {type(obj).__name__}",
            table=name,
            fix="pass e.g. {'visitors': 1200, 'conversion': 0.05} or a row of a table "
            "(table.loc['2025-03'])",
        )
    if len(s) == 0:
        raise DataError("no values", table=name, fix="pass at least one factor")
    if not s.index.is_unique:
        raise DataError("the same name appears twice", table=name,
                        rows=s[s.index.duplicated(keep=False)].to_frame("value"),
                        fix="give each factor once")
    frame = pd.DataFrame({"value": s.to_numpy()}, index=s.index)
    if frame["value"].dtype == object:
        converted = pd.to_numeric(frame["value"], errors="coerce")
        bad = (converted.isna() & frame["value"].notna()) | frame["value"].map(
            lambda v: isinstance(v, bool | np.bool_))  # True is no number of visitors
        if bad.any():
            raise DataError("values that are not numbers", table=name,
                            rows=frame[bad.to_numpy()], fix="pass numbers")
        frame["value"] = converted
    checked = columns(frame, name, numbers=["value"])
    return pd.Series(checked["value"].to_numpy(), index=s.index, dtype=np.float64)


def _dims(by: str | Sequence[str] | None, *, required: bool) -> list[str]:
    if by is None:
        if required:
            raise ArgumentError("no dimension given", name="by",
                            fix="pass by='channel' or by=['channel', 'device']")
        return []
    dims = [by] if isinstance(by, str) else list(by)
    if not dims or not all(isinstance(d, str) for d in dims):
        raise ArgumentError(f"by must be a column name or a list of them, got {by!r}",
                            name="by", fix="e.g. by=['channel', 'device']")
    if len(set(dims)) < len(dims):
        raise ArgumentError(f"a dimension appears twice in {dims}",
                        name="by", fix="name each dimension once")
    return dims


def _codes(df: pd.DataFrame, col: str, table: str) -> tuple[np.ndarray, pd.Index]:
    """Codes 0..k-1 for the values of a dimension column (observed values only)."""
    s = df[col]
    if s.isna().any():
        raise DataError(
            "missing values in a dimension",
            table=table,
            column=col,
            rows=df.loc[s.isna().to_numpy(), [col]].head(5),
            fix=f"fill them with a label first, e.g. table[{col!r}].fillna('unknown') "
            "(for a categorical column add the category first)",
        )
    try:
        codes, uniques = pd.factorize(s, sort=True)
    except TypeError:  # values of mixed types cannot be sorted
        codes, uniques = pd.factorize(s)
    return codes.astype(np.int64), pd.Index(np.asarray(uniques, dtype=object))


def _prepare(table: object, name: str, *, at: str, values: Sequence[str],
             dims: Sequence[str], money: bool = False) -> pd.DataFrame:
    """Validate the time column, the value columns (bools become 0/1) and the dimensions."""
    if isinstance(table, pd.DataFrame):
        boolean = [v for v in values if v in table.columns
                   and pd.api.types.is_bool_dtype(table[v].dtype)]
        if boolean:
            table = table.assign(**{v: table[v].astype(np.float64) for v in boolean})
    checked = columns(table, name, ids=[], times=[at],
                      amounts=list(values) if money else [],
                      numbers=[] if money else list(values))
    missing = [d for d in dims if d not in table.columns]  # type: ignore[union-attr]
    if missing:
        raise DataError(
            f"missing column(s) {missing}; the table has {list(table.columns)}",  # type: ignore
            table=name,
            column=missing,
            fix="pass the names of your dimension columns in by=",
        )
    for d in dims:
        if d in checked.columns:
            raise ArgumentError(f"{d!r} is both a dimension and the time or value column",
                                name=d, fix="use another column in by=")
        checked[d] = table[d]  # type: ignore[index]
    return checked


_DAY_FIRST = re.compile(r"\s*\d{1,2}([-/. ])\d{1,2}\1\d{2,4}\b.*")  # 03/02/2025


def _window(spec: object, name: str) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """A period argument as (start, end exclusive, label).

    ``pd.Period`` or a string read as one (``"2025-03"``, ``"2025Q1"``), or a
    pair ``(start, end)`` of dates, both days included.
    """
    if isinstance(spec, str):
        if _DAY_FIRST.fullmatch(spec):  # pd.Period would read 03/02/2025 as 2 March
            timestamp(spec, name)  # raises: is it day first or month first?
        try:
            spec = pd.Period(spec)
        except (TypeError, ValueError):
            raise ArgumentError(
                f"cannot read {spec!r} as a period",
                name=name,
                fix="give a pandas Period ('2025-03'), or a pair of dates "
                "('2025-03-10', '2025-03-16'), both days included",
            ) from None
    if isinstance(spec, pd.Period):
        return spec.start_time, (spec + 1).start_time, str(spec)
    if isinstance(spec, tuple | list) and len(spec) == 2:
        start = timestamp(spec[0], name)
        end = timestamp(spec[1], name)
        if end < start:
            raise ArgumentError(f"the period ends ({end}) before it starts ({start})", name=name,
                            fix="give (start, end) with start <= end")
        stop = end + pd.Timedelta(days=1) if end == end.normalize() else end + pd.Timedelta(1)
        label = f"{start.date()}..{end.date()}" if end == end.normalize() else f"{start}..{end}"
        return start, stop, label
    raise ArgumentError(
        f"cannot read {spec!r} as a period",
        name=name,
        fix="give a pandas Period ('2025-03'), or a pair of dates ('2025-03-10', "
        "'2025-03-16'), both days included",
    )


def _row(table: pd.DataFrame, label: object, name: str) -> int:
    """Position of the row labelled ``label`` in ``table``."""
    try:
        pos = table.index.get_loc(label)
    except (KeyError, TypeError, ValueError):
        pos = None
    if not isinstance(pos, int | np.integer):
        raise DataError(
            f"{name}={label!r} is not one row of the table; its rows are "
            f"{[str(i) for i in table.index[:6]]}{' ...' if len(table) > 6 else ''}",
            table="table",
            column=name,
            fix="pass a label of the table's index (a period such as '2025-03')",
        )
    return int(pos)


# --------------------------------------------------------------------------- metric tree


def _parse(text: str) -> dict[str, tuple[str, list[str]]]:
    spec: dict[str, tuple[str, list[str]]] = {}
    for line in text.strip().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.count("=") != 1:
            raise DataError(f"cannot read {line!r}", table="tree",
                            fix="write one node a line: 'gmv = visitors * conversion * aov'")
        left, right = (part.strip() for part in line.split("="))
        ops = set(re.findall(r"[*×+]", right))
        if len(ops) != 1:
            raise DataError(
                f"{line!r}: a node is either a product (*) or a sum (+) of its parts",
                table="tree",
                fix="split a mixed formula into two nodes: 'a = b * c' and 'c = d + e'",
            )
        op = ops.pop()
        spec[left] = (op, [p.strip() for p in right.split(op)])
    return spec


class MetricTree:
    """A metric tree (指标树): each parent is the product or the sum of its children.

    .. math:: \\mathrm{GMV} = \\text{visitors} \\times \\text{conversion} \\times
              \\text{AOV}, \\qquad \\text{visitors} = \\sum_{p} \\text{visitors}_p

    The tree only holds the formulas; :meth:`compute` fills in the numbers for
    every period, :meth:`explain` says how much each node contributed to the
    change of the root between two periods, :func:`coursekit.plots.metric_tree` draws it.

    Parameters
    ----------
    spec
        ``{parent: (op, [children])}`` with ``op`` ``"*"`` (product) or ``"+"``
        (sum), or the same as text, one node a line:
        ``"gmv = visitors * conversion * aov"``. The nodes must form one tree:
        one root, every other node the child of exactly one parent, at least
        two children per parent.
    labels
        Display names for the drawing (``{"gmv": "GMV 成交额"}``).
    formats
        Format strings for the drawing (``{"conversion": "{:.1%}"}``).

    Attributes
    ----------
    root : str
    nodes : tuple of str
        Every node, parents before their children (depth first).
    leaves : tuple of str
        The nodes without children, in the same order.

    Raises
    ------
    DataError
        An unknown operator, a parent with fewer than two children, a node with
        two parents, a cycle, or several roots.

    Examples
    --------
    >>> tree = MetricTree("gmv = visitors * conversion * aov")
    >>> tree.leaves
    ('visitors', 'conversion', 'aov')
    >>> import pandas as pd
    >>> leaves = pd.DataFrame({"visitors": [1000, 1100], "conversion": [0.05, 0.05],
    ...                        "aov": [80.0, 76.0]}, index=["Feb", "Mar"])
    >>> table = tree.compute(leaves)
    >>> table["gmv"].round(2).tolist()
    [4000.0, 4180.0]
    >>> tree.explain(table, before="Feb", after="Mar")["contribution"].round(1)
    node
    gmv           180.0
    visitors      389.8
    conversion      0.0
    aov          -209.8
    Name: contribution, dtype: float64
    """

    def __init__(
        self,
        spec: Mapping[str, tuple[str, Sequence[str]]] | str,
        *,
        labels: Mapping[str, str] | None = None,
        formats: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(spec, str):
            spec = _parse(spec)
        if not isinstance(spec, Mapping) or not spec:
            raise DataError("a metric tree needs at least one parent node", table="tree",
                            fix="e.g. MetricTree({'gmv': ('*', ['visitors', 'conversion', "
                            "'aov'])})")
        kinds: dict[str, str] = {}
        children: dict[str, tuple[str, ...]] = {}
        parent: dict[str, str] = {}
        for node, entry in spec.items():
            if not isinstance(node, str) or not node:
                raise DataError(f"node names must be text, got {node!r}", table="tree",
                                fix="e.g. MetricTree('gmv = visitors * conversion * aov')")
            try:
                op, kids = entry
                kids = tuple(kids)
            except (TypeError, ValueError):
                raise DataError(f"{node}: expected (op, [children]), got {entry!r}",
                                table="tree", column=node,
                                fix="e.g. ('*', ['visitors', 'conversion', 'aov'])") from None
            if op not in _OPS:
                raise DataError(f"{node}: unknown operator {op!r}", table="tree", column=node,
                                fix="use '*' for a product or '+' for a sum")
            if len(kids) < 2 or not all(isinstance(k, str) and k for k in kids):
                raise DataError(f"{node}: a parent needs at least two named children, got "
                                f"{list(kids)}", table="tree", column=node,
                                fix="write each parent as a product or sum of two or more "
                                "names, e.g. 'gmv = visitors * conversion * aov'")
            if len(set(kids)) < len(kids) or node in kids:
                raise DataError(f"{node}: a child appears twice, or the node is its own child",
                                table="tree", column=node, fix="name each part once")
            for kid in kids:
                if kid in parent:
                    raise DataError(
                        f"{kid!r} is a child of both {parent[kid]!r} and {node!r}",
                        table="tree", column=kid,
                        fix="a tree gives each node one parent; use two names "
                        "(e.g. 'visitors_total' and 'visitors')",
                    )
                parent[kid] = node
            kinds[node] = _OPS[op]
            children[node] = kids
        roots = [n for n in kinds if n not in parent]
        if len(roots) != 1:
            raise DataError(
                f"a tree has one root; found {roots or 'none (a cycle)'}",
                table="tree",
                fix="make every node but the top one a child of another node",
            )
        order: list[str] = []
        level: dict[str, int] = {roots[0]: 0}
        stack = [roots[0]]
        while stack:
            node = stack.pop()
            order.append(node)
            for kid in reversed(children.get(node, ())):
                level[kid] = level[node] + 1
                stack.append(kid)
        everything = set(kinds) | set(parent)
        if len(order) != len(everything):
            raise DataError(f"nodes in a cycle: {sorted(everything - set(order))}",
                            table="tree", fix="a node cannot be its own ancestor")
        fields = {
            "_kind": {n: kinds.get(n, "leaf") for n in order},
            "_children": {n: children.get(n, ()) for n in order},
            "_parent": parent,
            "_level": level,
            "root": roots[0],
            "nodes": tuple(order),
            "leaves": tuple(n for n in order if n not in kinds),
            "labels": MappingProxyType(dict(labels or {})),
            "formats": MappingProxyType(dict(formats or {})),
        }
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    root: str
    nodes: tuple[str, ...]
    leaves: tuple[str, ...]
    labels: Mapping[str, str]
    formats: Mapping[str, str]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a MetricTree cannot be changed; build a new one")

    def kind(self, node: str) -> str:
        """``"product"``, ``"sum"`` or ``"leaf"``."""
        return self._kind[node]

    def children(self, node: str) -> tuple[str, ...]:
        """The children of ``node`` (empty for a leaf)."""
        return self._children[node]

    def parent(self, node: str) -> str | None:
        """The parent of ``node`` (None for the root)."""
        return self._parent.get(node)

    @property
    def formulas(self) -> list[str]:
        """The tree as text, one parent a line."""
        return [f"{n} = " + f" {_SYMBOL[self._kind[n]]} ".join(self._children[n])
                for n in self.nodes if self._kind[n] != "leaf"]

    def __repr__(self) -> str:
        return "MetricTree(" + "; ".join(self.formulas) + ")"

    # ----------------------------------------------------------------- numbers

    def compute(self, values: pd.DataFrame | Mapping[str, object], *,
                rtol: float = 1e-6) -> pd.DataFrame:
        """Every node of the tree for every period.

        Parents are computed from their children, bottom up
        (:math:`y = \\prod_i x_i` or :math:`y = \\sum_i x_i`). A parent you give
        as well is checked against its children: it must agree within ``rtol``
        (relative), and the table keeps your value.

        Parameters
        ----------
        values
            One row per period (the index is kept), one column per node, at
            least every leaf; or a dict ``{node: number or Series}``. Columns
            that are not nodes are ignored.
        rtol
            Relative tolerance of the check.

        Returns
        -------
        pandas.DataFrame
            Same rows, one column per node (``nodes`` order).

        Raises
        ------
        DataError
            A leaf missing, a value not a finite number, or a parent given that
            does not equal the product (sum) of its children: the node and the
            periods are named.

        Examples
        --------
        >>> tree = MetricTree("visitors = app + mini")
        >>> tree.compute({"app": 700, "mini": 300})
           visitors    app   mini
        0    1000.0  700.0  300.0
        >>> try:
        ...     tree.compute({"app": 700, "mini": 300, "visitors": 1200})
        ... except DataError as err:
        ...     print(err.reason)
        visitors is not the sum of app + mini in 1 period(s): ['0']
        """
        if isinstance(values, Mapping) and not isinstance(values, pd.DataFrame):
            scalars = all(np.ndim(v) == 0 for v in values.values())
            frame = pd.DataFrame([dict(values)]) if scalars else pd.DataFrame(dict(values))
        elif isinstance(values, pd.DataFrame):
            frame = values
        else:
            raise DataError(f"expected a table or a dict of node values, got "
                            f"{type(values).__name__}", table="values",
                            fix="one row per period, one column per leaf of the tree")
        missing = [n for n in self.leaves if n not in frame.columns]
        if missing:
            raise DataError(f"missing leaves {missing}; the values have {list(frame.columns)}",
                            table="values", column=missing,
                            fix=f"give every leaf of the tree: {list(self.leaves)}")
        given = [n for n in self.nodes if n in frame.columns]
        checked = columns(frame, "values", numbers=given)
        out: dict[str, np.ndarray] = {}
        for node in reversed(self.nodes):  # children before parents
            if self._kind[node] == "leaf":
                out[node] = checked[node].to_numpy()
                continue
            parts = np.vstack([out[c] for c in self._children[node]])
            made = parts.prod(axis=0) if self._kind[node] == "product" else parts.sum(axis=0)
            if node in checked.columns:
                have = checked[node].to_numpy()
                bad = ~np.isclose(have, made, rtol=rtol, atol=0.0)
                if bad.any():
                    rows = pd.DataFrame({node: have, "from children": made,
                                         **{c: out[c] for c in self._children[node]}},
                                        index=frame.index)[bad]
                    sym = f" {_SYMBOL[self._kind[node]]} "
                    raise DataError(
                        f"{node} is not the {self._kind[node]} of "
                        f"{sym.join(self._children[node])} in {int(bad.sum())} period(s): "
                        f"{[str(i) for i in frame.index[bad][:5]]}",
                        table="values",
                        column=node,
                        rows=rows.head(5),
                        fix="check the definitions (e.g. conversion = orders / visitors, "
                        "AOV = GMV / orders, so that the product is GMV exactly) or "
                        "leave the parent out and let the tree compute it",
                    )
                out[node] = have
            else:
                out[node] = made
        return pd.DataFrame({n: out[n] for n in self.nodes}, index=frame.index)

    def explain(self, table: pd.DataFrame, *, before: object, after: object) -> pd.DataFrame:
        """Contribution of every node to the change of the root between two periods.

        At a product node :math:`y = \\prod_i x_i` the change is split with the
        log-mean Divisia index (LMDI-I, Ang 2005),

        .. math:: C_i = L(y^1, y^0) \\ln\\frac{x_i^1}{x_i^0}, \\qquad
                  L(a, b) = \\frac{a - b}{\\ln a - \\ln b},\\ L(a, a) = a,

        and at a sum node each child contributes its own change, scaled to the
        root's units: a node's contribution is split among its children, so
        the children of every node add up to the node's contribution and the
        leaves add up to the root's change :math:`y^1 - y^0`.

        Parameters
        ----------
        table
            A table of :meth:`compute` (one row per period).
        before, after
            Row labels of the two periods (``"2025-02"``, a ``pd.Period``, ...).

        Returns
        -------
        pandas.DataFrame
            Index ``node`` (tree order); columns ``parent``, ``kind``,
            ``level``, ``before``, ``after``, ``change`` (in the node's own
            unit), ``contribution`` (to the root's change, in the root's unit)
            and ``share`` (of the root's change; NaN when the root did not move).

        Raises
        ------
        DataError
            A period not in the table; a table whose parents do not match
            their children; a zero or negative value at or under a product
            node (LMDI takes logarithms).

        Examples
        --------
        >>> tree = MetricTree({"gmv": ("*", ["visitors", "aov"]),
        ...                    "visitors": ("+", ["app", "mini"])})
        >>> table = tree.compute(pd.DataFrame({"app": [600, 600], "mini": [400, 600],
        ...                                    "aov": [50.0, 50.0]}, index=["Feb", "Mar"]))
        >>> out = tree.explain(table, before="Feb", after="Mar")
        >>> out[["change", "contribution"]]  # doctest: +NORMALIZE_WHITESPACE
                   change  contribution
        node
        gmv       10000.0       10000.0
        visitors    200.0       10000.0
        app           0.0           0.0
        mini        200.0       10000.0
        aov           0.0           0.0
        """
        if not isinstance(table, pd.DataFrame):
            raise DataError(f"expected the table of MetricTree.compute, got "
                            f"{type(table).__name__}", table="table",
                            fix="pass tree.compute(values)")
        i0, i1 = _row(table, before, "before"), _row(table, after, "after")
        two = self.compute(table.iloc[[i0, i1]])
        v0, v1 = two.iloc[0], two.iloc[1]
        logged = {c for n in self.nodes if self._kind[n] == "product"
                  for c in (n, *self._children[n])}
        bad = [n for n in self.nodes if n in logged and (v0[n] <= 0 or v1[n] <= 0)]
        if bad:
            raise DataError(
                f"LMDI needs positive values at and under a product node: {bad} are zero "
                "or negative in one of the periods (the logarithm of 0 is undefined)",
                table="table",
                column=bad,
                rows=two[bad],
                fix="compare periods where every factor is positive (e.g. longer periods), "
                "or decompose the sum parts with kind='additive'",
            )
        weight: dict[str, float] = {self.root: 1.0}  # root units per unit of the node
        contribution: dict[str, float] = {self.root: float(v1[self.root] - v0[self.root])}
        for node in self.nodes:
            kids = self._children[node]
            if not kids:
                continue
            if self._kind[node] == "product":
                scale = weight[node] * float(_logmean(v1[node], v0[node]))
                for kid in kids:
                    contribution[kid] = scale * float(np.log(v1[kid] / v0[kid]))
                    weight[kid] = scale / float(_logmean(v1[kid], v0[kid]))
            else:
                for kid in kids:
                    contribution[kid] = weight[node] * float(v1[kid] - v0[kid])
                    weight[kid] = weight[node]
        total = contribution[self.root]
        contrib = np.array([contribution[n] for n in self.nodes])
        with np.errstate(divide="ignore", invalid="ignore"):
            share = contrib / total if total != 0 else np.full(len(contrib), np.nan)
        return pd.DataFrame(
            {
                "parent": [self._parent.get(n) for n in self.nodes],
                "kind": [self._kind[n] for n in self.nodes],
                "level": [self._level[n] for n in self.nodes],
                "before": v0.to_numpy(dtype=np.float64),
                "after": v1.to_numpy(dtype=np.float64),
                "change": (v1 - v0).to_numpy(dtype=np.float64),
                "contribution": contrib,
                "share": share,
            },
            index=pd.Index(self.nodes, name="node"),
        )

    # ----------------------------------------------------------------- picture

    def _text(self, node: str, value: float | None, old: float | None) -> str:
        text = self.labels.get(node, node)
        if value is None:
            return text
        fmt = self.formats.get(node)
        if fmt is None:
            size = abs(value)
            fmt = ("{:,.0f}" if size >= 1000 or float(value).is_integer() else "{:,.1f}"
                   if size >= 10 else "{:.2f}" if size >= 1 else "{:.3g}")
        text += "\n" + fmt.format(value)
        if old is not None:
            if old > 0:
                text += f"\n{value / old - 1:+.1%}"
            else:
                text += "\n" + fmt.format(value - old)
        return text

    def layout(self, table: pd.DataFrame | None = None, *, after: object = None,
               before: object = None) -> pd.DataFrame:
        """Where each box of the tree's picture goes and what it says.

        The computing half of :func:`coursekit.plots.metric_tree`, which draws it.

        Parameters
        ----------
        table
            A table of :meth:`compute`; without it the boxes hold the names only.
        after
            Row label of the period shown (default: the last row).
        before
            Row label of the comparison period: each box adds the relative
            change since then.

        Returns
        -------
        pandas.DataFrame
            One row per node (index ``node``, root first): ``x`` (leaves at
            0, 1, 2 ..., a parent above the middle of its children), ``level``
            (0 at the root), ``parent``, ``joins`` (the sign between this
            node's children: ``"×"`` or ``"+"``, empty for a leaf), ``text``
            (label, value, change) and ``direction`` (+1 up, -1 down, 0 same
            or no comparison).

        Examples
        --------
        >>> tree = MetricTree("gmv = visitors * aov", labels={"gmv": "GMV 成交额"})
        >>> table = tree.compute({"visitors": [100, 120], "aov": [50.0, 45.0]})
        >>> boxes = tree.layout(table, before=0, after=1)
        >>> gmv = boxes.loc["gmv"]
        >>> float(gmv["x"]), gmv["text"], int(gmv["direction"])
        (0.5, 'GMV 成交额\\n5,400\\n+8.0%', 1)
        """
        new = None
        old = None
        if table is not None:
            if not isinstance(table, pd.DataFrame) or len(table) == 0:
                raise DataError("expected a non-empty table of MetricTree.compute",
                                table="table", fix="pass tree.compute(values)")
            missing = [n for n in self.nodes if n not in table.columns]
            if missing:
                raise DataError(f"the table has no column for {missing}", table="table",
                                column=missing, fix="draw the table of this tree's compute()")
            i1 = len(table) - 1 if after is None else _row(table, after, "after")
            new = table.iloc[i1]
            if before is not None:
                old = table.iloc[_row(table, before, "before")]
        x: dict[str, float] = {leaf: float(i) for i, leaf in enumerate(self.leaves)}
        for node in reversed(self.nodes):
            if node not in x:
                x[node] = float(np.mean([x[c] for c in self._children[node]]))
        rows = []
        for node in self.nodes:
            value = None if new is None else float(new[node])
            prev = None if old is None else float(old[node])
            direction = 0 if value is None or prev is None else int(np.sign(value - prev))
            rows.append({"x": x[node], "level": self._level[node],
                         "parent": self._parent.get(node),
                         "joins": _DRAWN[self._kind[node]] if self._children[node] else "",
                         "text": self._text(node, value, prev), "direction": direction})
        return pd.DataFrame(rows, index=pd.Index(self.nodes, name="node"))

def gmv_tree(
    events: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    per: str | Mapping[str, object] = "M",
    split: str | None = None,
    customer: str = "user_id",
    event_at: str = "event_time",
    order_at: str = "order_time",
    amount: str = "amount",
) -> tuple[MetricTree, pd.DataFrame]:
    """The course company's GMV tree, with its values per period.

    .. math:: \\mathrm{GMV} = \\underbrace{V}_{\\text{visitors}} \\times
              \\underbrace{\\frac{O}{V}}_{\\text{conversion}} \\times
              \\underbrace{\\frac{\\mathrm{GMV}}{O}}_{\\text{AOV}}

    - visitors :math:`V` (访客数): distinct customers with at least one event
      in the period;
    - conversion (转化率): orders :math:`O` per visitor (not buyers per
      visitor, so that the product is GMV exactly; a visitor who orders twice
      counts twice, and it may exceed 1);
    - AOV (客单价): GMV per order;
    - GMV (成交额): the sum of the orders' amounts.

    With ``split``, visitors are also the sum of visitors by that column of
    ``events`` (e.g. ``"platform"``); a visitor seen on several values in one
    period is counted once, on the value of their first event in it, so the
    parts add up to the distinct visitors exactly.

    Parameters
    ----------
    events
        One row per event (``customer`` and ``event_at`` columns).
    orders
        One row per order (``order_at`` and ``amount`` columns).
    per
        ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``: every calendar period from
        the first to the last event or order; or named periods
        ``{"before": ("2025-03-01", "2025-03-09"), "after": ...}`` (pairs of
        dates, both included, or ``pd.Period``).
    split
        A column of ``events`` to split visitors by, or None.
    customer, event_at, order_at, amount
        Column names.

    Returns
    -------
    tree : MetricTree
    table : pandas.DataFrame
        One row per period (index ``period``), one column per node.

    Raises
    ------
    DataError
        Bad columns; a period without visitors or without orders (the ratios
        would be 0 / 0): use longer periods.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({"user_id": [1, 2, 3, 1, 4],
    ...     "event_time": pd.to_datetime(["2025-01-02", "2025-01-05", "2025-01-09",
    ...                                   "2025-02-01", "2025-02-03"]),
    ...     "platform": ["ios", "android", "ios", "ios", "android"]})
    >>> orders = pd.DataFrame({"order_time": pd.to_datetime(["2025-01-05", "2025-02-01"]),
    ...                        "amount": [60.0, 90.0]})
    >>> tree, table = gmv_tree(events, orders, split="platform")
    >>> tree
    MetricTree(gmv = visitors * conversion * aov; visitors = visitors_android + visitors_ios)
    >>> table  # doctest: +NORMALIZE_WHITESPACE
              gmv  visitors  visitors_android  visitors_ios  conversion   aov
    period
    2025-01  60.0       3.0               1.0           2.0    0.333333  60.0
    2025-02  90.0       2.0               1.0           1.0    0.500000  90.0
    """
    ev = _prepare(events, "events", at=event_at, values=[], dims=[customer]
                  + ([split] if split else []))
    if ev[customer].isna().any():
        raise DataError("missing customer ids", table="events", column=customer,
                        rows=events.loc[ev[customer].isna().to_numpy(), [customer]].head(5),
                        fix="drop the events without a customer")
    od = columns(orders, "orders", times=[order_at], amounts=[amount])
    cust, _ = _factorize(ev[customer].to_numpy())
    # (row, period) pairs: one per row for calendar periods, one per window a row is in
    if isinstance(per, str):
        freq = _freq(per, name="per")
        e_ord, o_ord = _ordinals(ev[event_at], freq), _ordinals(od[order_at], freq)
        lo = min(int(e_ord.min()), int(o_ord.min()))
        n_per = max(int(e_ord.max()), int(o_ord.max())) - lo + 1
        e_row, e_pos = np.arange(len(ev)), e_ord - lo
        o_row, o_pos = np.arange(len(od)), o_ord - lo
        index = _labels(np.arange(lo, lo + n_per), freq, "period")
    elif isinstance(per, Mapping) and per:
        bounds = [_window(spec, f"per[{label!r}]") for label, spec in per.items()]
        e_t = ev[event_at].to_numpy()
        o_t = od[order_at].to_numpy()
        e_hits = [np.flatnonzero((e_t >= a.to_datetime64()) & (e_t < b.to_datetime64()))
                  for a, b, _ in bounds]
        o_hits = [np.flatnonzero((o_t >= a.to_datetime64()) & (o_t < b.to_datetime64()))
                  for a, b, _ in bounds]
        n_per = len(bounds)
        e_row = np.concatenate(e_hits)
        e_pos = np.repeat(np.arange(n_per), [len(h) for h in e_hits])
        o_row = np.concatenate(o_hits)
        o_pos = np.repeat(np.arange(n_per), [len(h) for h in o_hits])
        index = pd.Index([str(k) for k in per], name="period")
    else:
        raise ArgumentError(f"per must be a period code or a dict of named periods, got {per!r}",
                            name="per",
                        fix="per='M', or per={'before': ('2025-03-01', '2025-03-09'), "
                        "'after': ('2025-03-10', '2025-03-16')}")
    key = cust[e_row] * n_per + e_pos
    times = ev[event_at].to_numpy()[e_row]
    order = np.lexsort((times, key))  # by (customer, period), earliest event first
    key_sorted = key[order]
    first = np.ones(len(key_sorted), dtype=bool)
    first[1:] = key_sorted[1:] != key_sorted[:-1]
    pos_first = e_pos[order][first]
    visitors = np.bincount(pos_first, minlength=n_per).astype(np.float64)
    n_orders = np.bincount(o_pos, minlength=n_per).astype(np.float64)
    gmv = np.bincount(o_pos, weights=od[amount].to_numpy()[o_row], minlength=n_per)
    empty = (visitors == 0) | (n_orders == 0)
    if empty.any():
        raise DataError(
            f"{int(empty.sum())} period(s) without visitors or without orders: "
            f"{[str(i) for i in index[empty][:5]]}; conversion or AOV would be 0 / 0",
            table="events/orders",
            rows=pd.DataFrame({"visitors": visitors, "orders": n_orders},
                              index=index)[empty].head(5),
            fix="use longer periods (per='W' or 'M'), or periods inside the data",
        )
    values = {"gmv": gmv, "visitors": visitors, "conversion": n_orders / visitors,
              "aov": gmv / n_orders}
    spec: dict[str, tuple[str, list[str]]] = {"gmv": ("*", ["visitors", "conversion", "aov"])}
    labels = {"gmv": "GMV 成交额", "visitors": "访客数 visitors",
              "conversion": "转化率 orders/visitor", "aov": "客单价 AOV"}
    if split:
        codes, uniques = _codes(ev, split, "events")
        g = codes[e_row][order][first]
        counts = np.bincount(pos_first * len(uniques) + g,
                             minlength=n_per * len(uniques)).reshape(n_per, len(uniques))
        names = [f"visitors_{u}" for u in uniques]
        if len(set(names)) < len(names) or set(names) & set(values):
            raise DataError(f"the values of {split!r} do not make distinct node names: "
                            f"{names}", table="events", column=split,
                            fix="split by a column whose values differ once written as names")
        for j, (name, u) in enumerate(zip(names, uniques, strict=True)):
            values[name] = counts[:, j].astype(np.float64)
            labels[name] = f"{u} 访客"
        spec["visitors"] = ("+", names)
    tree = MetricTree(spec, labels=labels, formats={"conversion": "{:.2%}"})
    return tree, tree.compute(pd.DataFrame(values, index=index))


# --------------------------------------------------------------------------- decomposition


def _mix_rate(num0: np.ndarray, den0: np.ndarray, num1: np.ndarray,
              den1: np.ndarray) -> dict[str, np.ndarray]:
    """Kitagawa's symmetric split of R = sum_s w_s r_s (w = den share, r = num / den)."""
    w0, w1 = den0 / den0.sum(), den1 / den1.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        r0, r1 = num0 / den0, num1 / den1
    # a segment absent in one period keeps its rate: all of its change is mix
    r0_used = np.where(den0 > 0, r0, np.where(den1 > 0, r1, 0.0))
    r1_used = np.where(den1 > 0, r1, r0_used)
    big0, big1 = num0.sum() / den0.sum(), num1.sum() / den1.sum()
    mix = (w1 - w0) * ((r0_used + r1_used) / 2 - (big0 + big1) / 2)
    rate = (w0 + w1) / 2 * (r1_used - r0_used)
    return {"w0": w0, "w1": w1, "r0": np.where(den0 > 0, r0, np.nan),
            "r1": np.where(den1 > 0, r1, np.nan), "mix": mix, "rate": rate,
            "total0": np.float64(big0), "total1": np.float64(big1)}


def _share(contribution: np.ndarray, total: float) -> np.ndarray:
    if total == 0:
        return np.full(len(contribution), np.nan)
    return contribution / total


def decompose(
    before: Mapping[str, float] | pd.Series | pd.DataFrame,
    after: Mapping[str, float] | pd.Series | pd.DataFrame,
    *,
    kind: str = "multiplicative",
    numerator: str | None = None,
    denominator: str | None = None,
) -> pd.DataFrame:
    """Split the change of a whole between two periods into exact contributions.

    ``kind="multiplicative"``: :math:`Y = \\prod_i x_i` (GMV = visitors x
    conversion x AOV). Log-mean Divisia index, LMDI-I (Ang 2005):

    .. math:: C_i = L(Y^1, Y^0)\\,\\ln\\frac{x_i^1}{x_i^0}, \\qquad
              L(a, b) = \\frac{a - b}{\\ln a - \\ln b}, \\quad L(a, a) = a

    Since :math:`\\sum_i \\ln(x_i^1 / x_i^0) = \\ln(Y^1 / Y^0)`, the
    contributions add up to :math:`Y^1 - Y^0` exactly, with no residual and no
    dependence on the order of the factors (unlike replacing one factor at a
    time, 连环替代法). Logarithms need every value positive.

    ``kind="additive"``: :math:`Y = \\sum_i x_i`; each part contributes its
    change :math:`C_i = x_i^1 - x_i^0`.

    ``kind="mix"``: a ratio across segments, e.g. conversion = orders /
    visitors over channels, :math:`R = \\sum_s w_s r_s` with weight
    :math:`w_s` the segment's share of the denominator and :math:`r_s` its own
    ratio. The change splits into a *mix* effect (weights moved) and a *rate*
    effect (the segments' ratios moved), with midpoints
    :math:`\\bar a = (a^0 + a^1) / 2` (Kitagawa 1955):

    .. math:: \\mathrm{mix}_s = (w_s^1 - w_s^0)(\\bar r_s - \\bar R), \\qquad
              \\mathrm{rate}_s = \\bar w_s (r_s^1 - r_s^0)

    and :math:`\\sum_s (\\mathrm{mix}_s + \\mathrm{rate}_s) = R^1 - R^0`
    exactly. Subtracting the overall :math:`\\bar R` changes no total (the
    weights' changes add up to zero) but makes a segment that gains share with
    a below-average ratio pull the whole *down*, as it does. A segment present
    in one period only keeps its ratio, so all its change is mix.

    Parameters
    ----------
    before, after
        Multiplicative and additive: the factors (parts) in each period, a
        dict or a Series (e.g. a row of :meth:`MetricTree.compute`), same
        names in both. Mix: a table per period, one row per segment, with the
        ``numerator`` and ``denominator`` columns.
    kind
        ``"multiplicative"``, ``"additive"`` or ``"mix"``.
    numerator, denominator
        For ``kind="mix"``: column names (e.g. ``"orders"``, ``"visitors"``).

    Returns
    -------
    pandas.DataFrame
        Multiplicative and additive: index ``factor``; columns ``before``,
        ``after``, ``change``, ``contribution``, ``share`` (of the change of
        the whole; NaN when it did not move). Mix: index ``segment``; columns
        ``weight_before``, ``weight_after``, ``rate_before``, ``rate_after``
        (NaN for a segment absent that period), ``mix``, ``rate``,
        ``contribution`` (mix + rate), ``share``.

    Raises
    ------
    DataError
        Different factors in the two periods; missing or non-finite values;
        multiplicative with a zero or negative factor (LMDI takes
        logarithms); mix without the columns, with a negative denominator, a
        numerator over a zero denominator, or a period whose denominators add
        up to zero.

    Examples
    --------
    >>> feb = {"visitors": 1000, "conversion": 0.05, "aov": 80.0}
    >>> mar = {"visitors": 1100, "conversion": 0.05, "aov": 76.0}
    >>> out = decompose(feb, mar)
    >>> out["contribution"].round(2)
    factor
    visitors      389.76
    conversion      0.00
    aov          -209.76
    Name: contribution, dtype: float64
    >>> float(out["contribution"].sum().round(6))  # 4180 - 4000
    180.0
    >>> import pandas as pd
    >>> b = pd.DataFrame({"orders": [50, 10], "visitors": [500, 500]},
    ...                  index=pd.Index(["app", "mini"], name="segment"))
    >>> a = pd.DataFrame({"orders": [40, 20], "visitors": [400, 1000]}, index=b.index)
    >>> out = decompose(b, a, kind="mix", numerator="orders", denominator="visitors")
    >>> out[["mix", "rate", "contribution"]].round(4)  # doctest: +NORMALIZE_WHITESPACE
                mix  rate  contribution
    segment
    app     -0.0104   0.0       -0.0104
    mini    -0.0067   0.0       -0.0067

    Conversion fell from 6 % to 4.3 % with no segment converting worse: the
    traffic moved to the mini-program, which converts less (pure mix).
    """
    _check_flags("kind", kind, ("multiplicative", "additive", "mix"))
    if kind == "mix":
        return _decompose_mix(before, after, numerator, denominator)
    x0, x1 = _as_series(before, "before"), _as_series(after, "after")
    if set(x0.index) != set(x1.index):
        only0 = [str(i) for i in x0.index if i not in x1.index]
        only1 = [str(i) for i in x1.index if i not in x0.index]
        raise DataError(
            f"the two periods have different factors: only before {only0}, only after {only1}",
            table="before/after",
            fix="give the same factors (names) in both periods",
        )
    x1 = x1.reindex(x0.index)
    change = (x1 - x0).to_numpy()
    if kind == "additive":
        contribution = change
        total = float(x1.sum() - x0.sum())
    else:
        bad = (x0 <= 0) | (x1 <= 0)
        if bad.any():
            raise DataError(
                "LMDI needs positive values: the logarithm of zero or of a negative number "
                "is undefined",
                table="before/after",
                column=[str(i) for i in x0.index[bad.to_numpy()]],
                rows=pd.DataFrame({"before": x0, "after": x1})[bad.to_numpy()],
                fix="compare periods where every factor is positive, or use "
                "kind='additive' for a sum",
            )
        y0, y1 = float(np.prod(x0.to_numpy())), float(np.prod(x1.to_numpy()))
        contribution = _logmean(y1, y0) * np.log(x1.to_numpy() / x0.to_numpy())
        total = y1 - y0
    return pd.DataFrame(
        {"before": x0.to_numpy(), "after": x1.to_numpy(), "change": change,
         "contribution": contribution, "share": _share(contribution, total)},
        index=pd.Index(x0.index, name="factor"),
    )


def _decompose_mix(before: object, after: object, numerator: str | None,
                   denominator: str | None) -> pd.DataFrame:
    if numerator is None or denominator is None:
        raise ArgumentError("kind='mix' needs the numerator and denominator columns",
                            name=["numerator", "denominator"],
                        fix="e.g. numerator='orders', denominator='visitors'")
    frames = []
    for name, obj in (("before", before), ("after", after)):
        if not isinstance(obj, pd.DataFrame):
            raise DataError(f"kind='mix' takes a table per period, got {type(obj).__name__}",
                            table=name, fix="one row per segment, with the numerator and "
                            "denominator columns")
        if not obj.index.is_unique:
            raise DataError("a segment appears twice", table=name,
                            rows=obj[obj.index.duplicated(keep=False)].head(5),
                            fix="one row per segment (group by the segment first)")
        checked = columns(obj, name, amounts=[denominator], numbers=[numerator])
        frames.append(checked)
    segments = frames[0].index.union(frames[1].index, sort=False)
    b = frames[0].reindex(segments, fill_value=0.0)
    a = frames[1].reindex(segments, fill_value=0.0)
    for name, f in (("before", b), ("after", a)):
        if f[denominator].sum() <= 0:
            raise DataError("the denominators add up to zero", table=name,
                            column=denominator, fix="check the period's data")
        bad = (f[denominator] == 0) & (f[numerator] != 0)
        if bad.any():
            raise DataError("a numerator over a zero denominator", table=name,
                            column=[numerator, denominator], rows=f[bad.to_numpy()].head(5),
                            fix="every segment with a numerator needs a positive denominator")
    parts = _mix_rate(b[numerator].to_numpy(), b[denominator].to_numpy(),
                      a[numerator].to_numpy(), a[denominator].to_numpy())
    contribution = parts["mix"] + parts["rate"]
    total = float(parts["total1"] - parts["total0"])
    name = frames[0].index.name or frames[1].index.name or "segment"
    return pd.DataFrame(
        {"weight_before": parts["w0"], "weight_after": parts["w1"],
         "rate_before": parts["r0"], "rate_after": parts["r1"], "mix": parts["mix"],
         "rate": parts["rate"], "contribution": contribution,
         "share": _share(contribution, total)},
        index=pd.Index(segments, name=name),
    )


# --------------------------------------------------------------------------- drill-down


def drill_down(
    table: pd.DataFrame,
    *,
    by: str | Sequence[str],
    at: str,
    before: object,
    after: object,
    value: str | tuple[str, str] | None = None,
    how: str = "sum",
) -> pd.DataFrame:
    """Rank the values of one or more dimensions by their contribution to a change.

    Between the ``before`` and ``after`` periods, the metric of the whole
    table moved by :math:`\\Delta`; each value of a dimension (a channel, a
    device ...) gets a contribution, and the contributions of one dimension
    add up to :math:`\\Delta` exactly:

    - ``how="sum"``: the metric is a total (of ``value``, or the number of
      rows when ``value`` is None); contribution = the segment's own change,
      :math:`C_s = Y_s^1 - Y_s^0`.
    - ``how="mean"``: the metric is the mean of ``value`` over rows (delivery
      days per order); ``how="ratio"``: the ratio of two column totals,
      ``value=(numerator, denominator)``. Both are weighted averages of the
      segments' own means (ratios), so a segment can move the whole by
      changing its own rate or its weight: contribution = mix + rate (see
      :func:`decompose`, ``kind="mix"``), both columns shown.

    With several dimensions, each is decomposed on its own (each adds up to
    :math:`\\Delta`) and the rows of all are ranked together by
    :math:`|C|`: the top row is the single segment that explains most.

    Parameters
    ----------
    table
        One row per fact (order, event, sign-up).
    by
        A dimension column, or a list of them.
    at
        Time column that places each row in a period.
    before, after
        The periods: ``pd.Period`` or a string read as one (``"2025-02"``),
        or a pair of dates ``("2025-03-10", "2025-03-16")``, both days
        included. Sums compare totals: use periods of the same length.
    value
        Column to add up or average; None with ``how="sum"`` counts rows;
        a pair (numerator, denominator) with ``how="ratio"``.
    how
        ``"sum"``, ``"mean"`` or ``"ratio"``.

    Returns
    -------
    pandas.DataFrame
        One row per dimension value, ranked by :math:`|C|`; columns
        ``dimension``, ``value`` (the dimension's value), ``before``,
        ``after``, ``change`` (the segment's own total, mean or ratio), for
        means and ratios ``weight_before``, ``weight_after``, ``mix``,
        ``rate``, then ``contribution`` and ``share`` (of :math:`\\Delta`).

    Raises
    ------
    DataError
        Bad columns, a dimension with missing values, a period that cannot
        be read or holds no rows, ``value`` not matching ``how``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "order_time": pd.to_datetime(["2025-02-03", "2025-02-04", "2025-02-05",
    ...                                   "2025-03-03", "2025-03-04", "2025-03-05"]),
    ...     "channel": ["ads", "ads", "organic", "ads", "organic", "organic"],
    ...     "amount": [100.0, 100.0, 50.0, 40.0, 50.0, 60.0]})
    >>> drill_down(orders, value="amount", by="channel", at="order_time",
    ...            before="2025-02", after="2025-03")[["value", "change", "share"]]
         value  change  share
    0      ads  -160.0    1.6
    1  organic    60.0   -0.6
    """
    _check_flags("how", how, ("sum", "mean", "ratio"))
    dims = _dims(by, required=True)
    if how == "ratio":
        if not (isinstance(value, tuple | list) and len(value) == 2
                and all(isinstance(v, str) for v in value)):
            raise ArgumentError("how='ratio' needs value=(numerator, denominator)", name="value",
                            fix="e.g. value=('orders', 'visitors')")
        vals = list(value)
    elif how == "mean":
        if not isinstance(value, str):
            raise ArgumentError("how='mean' needs the column to average",
                            name="value", fix="e.g. value='delivery_days'")
        vals = [value]
    else:
        if value is not None and not isinstance(value, str):
            raise ArgumentError(f"how='sum' takes one column or None, got {value!r}", name="value",
                            fix="value='amount', or None to count rows")
        vals = [] if value is None else [value]
    data = _prepare(table, "table", at=at, values=vals, dims=dims)
    t = data[at].to_numpy()
    masks = []
    for name, spec in (("before", before), ("after", after)):
        lo, hi, label = _window(spec, name)
        m = (t >= lo.to_datetime64()) & (t < hi.to_datetime64())
        if not m.any():
            raise DataError(f"no rows in the {name} period {label}", table="table",
                            column=at, fix=f"the data runs from {pd.Timestamp(t.min())} to "
                            f"{pd.Timestamp(t.max())}")
        masks.append(m)
    if how == "ratio":
        num, den = data[vals[0]].to_numpy(), data[vals[1]].to_numpy()
        if (den < 0).any():
            raise DataError("negative denominators", table="table", column=vals[1],
                            rows=table.loc[den < 0, [vals[1]]].head(5),
                            fix="a denominator counts something (visitors, carts): >= 0")
    elif how == "mean":
        num, den = data[vals[0]].to_numpy(), np.ones(len(data))
    else:
        num = data[vals[0]].to_numpy() if vals else np.ones(len(data))
        den = None
    pieces = []
    for dim in dims:
        codes, uniques = _codes(data, dim, "table")
        k = len(uniques)
        sums = [np.bincount(codes[m], weights=num[m], minlength=k) for m in masks]
        if den is None:
            contribution = sums[1] - sums[0]
            piece = pd.DataFrame({"before": sums[0], "after": sums[1],
                                  "change": contribution, "contribution": contribution})
            total = float(num[masks[1]].sum() - num[masks[0]].sum())
            seen = (np.bincount(codes[masks[0]], minlength=k)
                    + np.bincount(codes[masks[1]], minlength=k)) > 0
            piece = piece[seen]
        else:
            dens = [np.bincount(codes[m], weights=den[m], minlength=k) for m in masks]
            for d, m, name in zip(dens, masks, ("before", "after"), strict=True):
                if d.sum() <= 0:
                    raise DataError(f"the denominator adds up to zero in the {name} period",
                                    table="table", column=vals[-1], fix="check the period")
                bad = (d == 0) & (np.bincount(codes[m], weights=np.abs(num[m]),
                                              minlength=k) > 0)
                if bad.any():
                    raise DataError(
                        f"a numerator over a zero denominator in the {name} period",
                        table="table", column=vals, rows=pd.DataFrame(
                            {dim: uniques[bad]}).head(5),
                        fix="every segment with a numerator needs a positive denominator")
            parts = _mix_rate(sums[0], dens[0], sums[1], dens[1])
            contribution = parts["mix"] + parts["rate"]
            piece = pd.DataFrame({"before": parts["r0"], "after": parts["r1"],
                                  "change": parts["r1"] - parts["r0"],
                                  "weight_before": parts["w0"], "weight_after": parts["w1"],
                                  "mix": parts["mix"], "rate": parts["rate"],
                                  "contribution": contribution})
            total = float(parts["total1"] - parts["total0"])
            seen = (dens[0] > 0) | (dens[1] > 0)
            piece = piece[seen]
        piece["share"] = _share(piece["contribution"].to_numpy(), total)
        piece.insert(0, "value", uniques[piece.index.to_numpy()])
        piece.insert(0, "dimension", dim)
        pieces.append(piece)
    out = pd.concat(pieces, ignore_index=True)
    order = np.argsort(-out["contribution"].abs().to_numpy(), kind="stable")
    return out.iloc[order].reset_index(drop=True)


# --------------------------------------------------------------------------- anomalies


def _ft(x: np.ndarray) -> np.ndarray:
    """Freeman-Tukey transform: Poisson counts get a standard deviation of about 1."""
    with np.errstate(invalid="ignore"):
        return np.sqrt(x) + np.sqrt(x + 1.0)


def _trailing(a: np.ndarray, window: int) -> np.ndarray:
    """(n, k, window) array: for day t, the values of days t - window .. t - 1."""
    pad = np.full((window + a.shape[0], a.shape[1]), np.nan)
    pad[window:] = a
    return sliding_window_view(pad, window, axis=0)[: a.shape[0]]


def _scores(s: np.ndarray, c: np.ndarray, *, how: str, counts: bool, baseline: str,
            window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Actual, expected and robust score of every day (rows) and segment (columns)."""
    least = max(window // 2, 1)
    tf = _ft if counts else (lambda v: v)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows at the start
        x = s / np.where(c > 0, c, np.nan) if how == "mean" else s
        if baseline == "own":
            past = _trailing(x, window)
            expected = np.nanmedian(past, axis=2)
            resid = tf(past) - tf(expected)[..., None]
        elif how == "sum":
            rest = x.sum(axis=1, keepdims=True) - x
            ratio = np.where(rest > 0, x / rest, np.nan)
            past = _trailing(ratio, window)
            usual = np.nanmedian(past, axis=2)
            expected = usual * rest
            resid = tf(_trailing(x, window)) - tf(usual[..., None] * _trailing(rest, window))
        else:
            rest_n = c.sum(axis=1, keepdims=True) - c
            rest_mean = (s.sum(axis=1, keepdims=True) - s) / np.where(rest_n > 0, rest_n, np.nan)
            past = _trailing(x - rest_mean, window)
            offset = np.nanmedian(past, axis=2)
            expected = rest_mean + offset
            resid = past - offset[..., None]
        enough = (~np.isnan(past)).sum(axis=2) >= least
        mad = 1.4826 * np.nanmedian(np.abs(resid), axis=2)
        scale = np.where(mad > 0, mad, 1.2533 * np.nanmean(np.abs(resid), axis=2))
        if counts:
            scale = np.fmax(scale, 1.0)
        dev = tf(x) - tf(expected)
        score = np.where(scale > 0, dev / scale, np.where(dev == 0, 0.0, np.sign(dev) * np.inf))
    score[~enough | np.isnan(x) | np.isnan(expected)] = np.nan
    return x, expected, score


def anomalies(
    table: pd.DataFrame,
    *,
    at: str,
    value: str | None = None,
    by: str | Sequence[str] | None = None,
    how: str = "sum",
    window_days: int = 28,
    threshold: float = 3.0,
    extend: float = 1.5,
    gap: int = 1,
    direction: str = "both",
    baseline: str = "own",
    flagged_only: bool = True,
) -> pd.DataFrame:
    """Days that stand out from the weeks before them, grouped into episodes.

    The table is turned into a daily series (per value of each ``by``
    dimension): the number of rows (``value=None``), the total of ``value``
    (``how="sum"``) or its mean over the day's rows (``how="mean"``). Each day
    :math:`t` is compared with the ``window_days`` days before it (not with itself,
    so an incident does not hide in its own baseline):

    .. math:: \\hat x_t = \\operatorname{median}(x_{t-w}, \\dots, x_{t-1}), \\qquad
              z_t = \\frac{x_t - \\hat x_t}{1.4826\\,\\operatorname{MAD}}

    a *robust z-score*: the median and the median absolute deviation (MAD,
    Leys et al. 2013) of the trailing window barely move when a few of its
    days are themselves unusual (a festival, a past incident), where a mean
    and a standard deviation would. (When the MAD is 0, 1.2533 x the mean
    absolute deviation is used.) Counts are compared on the Freeman-Tukey
    scale :math:`\\sqrt{x} + \\sqrt{x + 1}`, where Poisson noise has a standard
    deviation of about 1 (used as the smallest scale): a quiet segment (7
    sign-ups a day) and a busy one are judged alike, and 0 where 7 were
    expected is unusual while 0 where 0.5 were is not. A day needs at least
    ``window // 2`` days of history with data to be scored.

    ``baseline="rest"`` compares each segment with the *other* values of its
    dimension on the same day instead: expected = the segment's usual
    (median) ratio to the rest x the rest today (sums), or the rest's mean
    today + the segment's usual offset (means). Swings common to all
    segments (festivals, weekends) cancel out; what is specific to one
    segment stays. (The other segments then show a small mirror image of a
    big segment's incident.)

    A day is flagged when :math:`|z| \\ge` ``threshold``; its neighbours join
    its *episode* while they stay at :math:`|z| \\ge` ``extend`` in the same
    direction, and episodes of one segment separated by at most ``gap`` quiet
    days are merged. Episodes are numbered by the size of their summed score,
    :math:`|\\sum z|`, 1 being the most unusual.

    Festivals (618, double 11) are real peaks and score high with
    ``baseline="own"``: look for drops with ``direction="down"``, or use
    ``baseline="rest"``.

    Parameters
    ----------
    table
        One row per fact (sign-up, order, event).
    at
        Time column; rows are counted on their calendar day.
    value
        Column to add up or average (booleans count as 0/1, so the mean of a
        flag is a rate); None counts rows.
    by
        A dimension column, a list of them (each scored on its own), or None
        for the whole table.
    how
        ``"sum"`` or ``"mean"``.
    window_days
        Days of history in the baseline (>= 7; 28 = four of each weekday).
    threshold, extend
        Score that flags a day, and the lower score that extends its episode
        (0 < extend <= threshold).
    gap
        Quiet days allowed inside one episode.
    direction
        ``"both"``, ``"up"`` or ``"down"``.
    baseline
        ``"own"`` (the segment's own past) or ``"rest"`` (the other segments).
    flagged_only
        False returns every scored day (to plot a series with its baseline).

    Returns
    -------
    pandas.DataFrame
        Columns ``dimension``, ``value`` (the dimension's value; ``"(all)"``
        without ``by``), ``date``, ``actual``, ``expected``, ``deviation``
        (actual - expected), ``score`` (z), ``direction`` (``"up"`` /
        ``"down"``), ``episode`` (1 = the most unusual; missing for days not
        flagged), ordered by episode and date. See :func:`episodes`.

    Raises
    ------
    DataError
        Bad columns, a dimension with missing values, ``how="mean"`` without
        ``value``, ``baseline="rest"`` without ``by`` or with negative values,
        a bad ``window_days``, ``threshold``, ``extend`` or ``gap``, or fewer days
        of data than a baseline needs.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> days = pd.date_range("2025-01-01", periods=60)
    >>> per_day = np.where((days >= "2025-02-10") & (days <= "2025-02-12"), 2, 20)
    >>> signups = pd.DataFrame({"signup_time": np.repeat(days, per_day)})
    >>> flags = anomalies(signups, at="signup_time")
    >>> flags[["date", "actual", "expected", "direction", "episode"]]
            date  actual  expected direction  episode
    0 2025-02-10     2.0      20.0      down        1
    1 2025-02-11     2.0      20.0      down        1
    2 2025-02-12     2.0      20.0      down        1
    """
    _check_flags("how", how, ("sum", "mean"))
    _check_flags("direction", direction, ("both", "up", "down"))
    _check_flags("baseline", baseline, ("own", "rest"))
    if how == "mean" and value is None:
        raise ArgumentError("how='mean' needs the column to average",
                        name="value", fix="e.g. value='delivery_days'")
    if value is not None and not isinstance(value, str):
        raise ArgumentError(f"value must be one column name, got {value!r}",
                        name="value", fix="e.g. value='amount'")
    if (isinstance(window_days, bool) or not isinstance(window_days, int | np.integer)
            or window_days < 7):
        raise ArgumentError("give a whole number of days, at least 7", name="window_days",
                            value=window_days, fix="e.g. window_days=28")
    if isinstance(gap, bool) or not isinstance(gap, int | np.integer) or gap < 0:
        raise ArgumentError(f"gap={gap!r}: give a whole number of days >= 0",
                        name="gap", fix="e.g. gap=1")
    try:
        threshold, extend = float(threshold), float(extend)
    except (TypeError, ValueError):
        raise ArgumentError("threshold and extend must be numbers",
                        name=["threshold", "extend"], fix="e.g. threshold=3, extend=1.5") \
            from None
    if not (np.isfinite(threshold) and 0 < extend <= threshold):
        raise ArgumentError(f"need 0 < extend <= threshold, got extend={extend}, "
                        f"threshold={threshold}",
                        name=["threshold", "extend"], fix="e.g. threshold=3, extend=1.5")
    dims = _dims(by, required=baseline == "rest")
    data = _prepare(table, "table", at=at, values=[value] if value else [], dims=dims,
                    money=baseline == "rest" and how == "sum" and value is not None)
    day = _ordinals(data[at], "D")
    first = int(day.min())
    n = int(day.max()) - first + 1
    if n <= max(window_days // 2, 1):
        raise DataError(f"{n} day(s) of data: the baseline needs at least "
                        f"{max(window_days // 2, 1) + 1}", table="table", column=at,
                        fix="use a longer stretch of data, or a shorter window")
    weights = data[value].to_numpy() if value else None
    actual, expected, score, dim_of, val_of = [], [], [], [], []
    for dim in dims or [None]:
        if dim is None:
            codes, uniques = np.zeros(len(data), dtype=np.int64), pd.Index(["(all)"])
        else:
            codes, uniques = _codes(data, dim, "table")
        k = len(uniques)
        if n * k * window_days > 20_000_000:
            raise DataError(
                f"{k:,} values of {dim!r} over {n:,} days is too many daily series to score",
                table="table",
                column=dim,
                fix="use a dimension with fewer values (channel, device, category), or "
                "keep the top values and group the others as 'other'",
            )
        cell = (day - first) * k + codes
        c = np.bincount(cell, minlength=n * k).reshape(n, k).astype(np.float64)
        s = c if weights is None else np.bincount(cell, weights=weights,
                                                  minlength=n * k).reshape(n, k)
        x, e, z = _scores(s, c, how=how, counts=value is None, baseline=baseline,
                          window=window_days)
        actual.append(x)
        expected.append(e)
        score.append(z)
        dim_of += ["(all)" if dim is None else dim] * k
        val_of += list(uniques)
    x, e, z = np.hstack(actual), np.hstack(expected), np.hstack(score)
    n_col = x.shape[1]
    # episodes, column by column (column-major so each segment's days are contiguous)
    zc = z.T.ravel()
    col_of = np.repeat(np.arange(n_col), n)
    day_of = np.tile(np.arange(n), n_col)
    picks: list[np.ndarray] = []
    signs: list[np.ndarray] = []
    for sign in {"both": (1.0, -1.0), "up": (1.0,), "down": (-1.0,)}[direction]:
        signed = np.nan_to_num(zc * sign, nan=-np.inf)
        weak = signed >= extend
        strong = signed >= threshold
        start = weak.copy()
        start[1:] &= ~weak[:-1] | (day_of[1:] == 0)
        run = np.cumsum(start) - 1
        hit = np.bincount(run[weak], weights=strong[weak], minlength=int(start.sum())) > 0
        keep = np.flatnonzero(weak)[hit[run[weak]]]
        picks.append(keep)
        signs.append(np.full(len(keep), sign))
    cells = np.concatenate(picks)
    sign_of = np.concatenate(signs)
    order = np.lexsort((day_of[cells], sign_of, col_of[cells]))
    cells, sign_of = cells[order], sign_of[order]
    new = np.ones(len(cells), dtype=bool)
    new[1:] = ((col_of[cells][1:] != col_of[cells][:-1]) | (sign_of[1:] != sign_of[:-1])
               | (day_of[cells][1:] - day_of[cells][:-1] > gap + 1))
    episode_of = np.cumsum(new) - 1
    total = np.bincount(episode_of, weights=zc[cells], minlength=int(new.sum()))
    rank = np.empty(len(total), dtype=np.int64)
    rank[np.argsort(-np.abs(total), kind="stable")] = np.arange(1, len(total) + 1)
    episode = np.zeros(len(zc), dtype=np.int64)
    episode[cells] = rank[episode_of]
    if flagged_only:
        rows = cells[np.lexsort((day_of[cells], episode[cells]))]
    else:
        rows = np.flatnonzero(~np.isnan(zc))
        rows = rows[np.lexsort((day_of[rows], col_of[rows]))]
    xr, er = x.T.ravel()[rows], e.T.ravel()[rows]
    dates = (np.asarray(first + day_of[rows], dtype="datetime64[D]")
             .astype("datetime64[ns]"))
    out = pd.DataFrame({
        "dimension": np.asarray(dim_of, dtype=object)[col_of[rows]],
        "value": np.asarray(val_of, dtype=object)[col_of[rows]],
        "date": dates,
        "actual": xr,
        "expected": er,
        "deviation": xr - er,
        "score": zc[rows],
        "direction": np.where(zc[rows] >= 0, "up", "down"),
        "episode": pd.array(np.where(episode[rows] > 0, episode[rows], 0), dtype="Int64"),
    })
    out.loc[episode[rows] == 0, "episode"] = pd.NA
    return out


def episodes(flags: pd.DataFrame) -> pd.DataFrame:
    """One row per episode of :func:`anomalies`: where, when, how big.

    Parameters
    ----------
    flags
        The table of :func:`anomalies`.

    Returns
    -------
    pandas.DataFrame
        Index ``episode`` (1 = the most unusual); columns ``dimension``,
        ``value``, ``direction``, ``start``, ``end`` (first and last flagged
        day), ``days`` (calendar days from start to end), ``flagged_days``,
        ``deviation`` (summed over the flagged days: missing sign-ups, or for
        means the sum of the daily gaps), ``deviation_per_day`` and ``score``
        (summed z). Empty when nothing was flagged.

    Raises
    ------
    DataError
        Not a table of :func:`anomalies`.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> days = pd.date_range("2025-01-01", periods=60)
    >>> per_day = np.where((days >= "2025-02-10") & (days <= "2025-02-12"), 2, 20)
    >>> signups = pd.DataFrame({"signup_time": np.repeat(days, per_day)})
    >>> runs = episodes(anomalies(signups, at="signup_time"))
    >>> runs[["start", "end", "deviation"]]  # doctest: +NORMALIZE_WHITESPACE
                 start        end  deviation
    episode
    1       2025-02-10 2025-02-12      -54.0
    """
    need = ["dimension", "value", "date", "deviation", "score", "direction", "episode"]
    if not isinstance(flags, pd.DataFrame) or any(c not in flags.columns for c in need):
        raise DataError("expected the table returned by anomalies()", table="flags",
                        column=[c for c in need if not isinstance(flags, pd.DataFrame)
                                or c not in flags.columns],
                        fix="pass flags = anomalies(table, at=...)")
    f = flags[flags["episode"].notna().to_numpy()]
    grouped = f.groupby(f["episode"].astype(np.int64).rename("episode"), sort=True)
    out = grouped.agg(dimension=("dimension", "first"), value=("value", "first"),
                      direction=("direction", "first"), start=("date", "min"),
                      end=("date", "max"), flagged_days=("date", "size"),
                      deviation=("deviation", "sum"), score=("score", "sum"))
    out.insert(5, "days", (out["end"] - out["start"]).dt.days + 1)
    out.insert(8, "deviation_per_day", out["deviation"] / out["flagged_days"])
    return out


# --------------------------------------------------------------------------- targets


def gap_to_target(
    actual: Mapping[str, float] | pd.Series,
    target: Mapping[str, float] | pd.Series,
    *,
    better: str | Mapping[str, str] = "higher",
) -> pd.DataFrame:
    """Actual figures against their targets (目标差距, 达成率).

    .. math:: \\text{gap} = \\text{actual} - \\text{target}, \\qquad
              \\text{gap \\%} = \\frac{\\text{gap}}{|\\text{target}|}, \\qquad
              \\text{attainment} = \\frac{\\text{actual}}{\\text{target}}

    A target is met when actual >= target for a metric where higher is better
    (GMV, conversion) and actual <= target where lower is better (CAC,
    delivery days, refund rate).

    Parameters
    ----------
    actual, target
        Metric -> number (dicts or Series), the same metrics in both.
    better
        ``"higher"`` or ``"lower"`` for every metric, or a dict giving it per
        metric (metrics not in it: ``"higher"``).

    Returns
    -------
    pandas.DataFrame
        Index ``metric`` (the order of ``target``); columns ``target``,
        ``actual``, ``gap``, ``gap_pct`` and ``attainment`` (NaN when the
        target is 0), ``better``, ``met``.

    Raises
    ------
    DataError
        Metrics in one table and not the other; missing or non-finite values;
        ``better`` not "higher" / "lower" or naming unknown metrics.

    Examples
    --------
    >>> out = gap_to_target({"gmv": 1.08e6, "cac": 95.0}, {"gmv": 1.2e6, "cac": 90.0},
    ...                     better={"cac": "lower"})
    >>> out[["gap", "gap_pct", "met"]]  # doctest: +NORMALIZE_WHITESPACE
                 gap   gap_pct    met
    metric
    gmv    -120000.0 -0.100000  False
    cac          5.0  0.055556  False
    """
    a, t = _as_series(actual, "actual"), _as_series(target, "target")
    only_a = [str(i) for i in a.index if i not in t.index]
    only_t = [str(i) for i in t.index if i not in a.index]
    if only_a or only_t:
        raise DataError(
            f"the metrics do not match: no target for {only_a}, no actual for {only_t}",
            table="actual/target",
            fix="give a target for every metric and an actual for every target "
            "(same names)",
        )
    if isinstance(better, str):
        _check_flags("better", better, ("higher", "lower"))
        direction = pd.Series(better, index=t.index)
    elif isinstance(better, Mapping):
        unknown = [str(k) for k in better if k not in t.index]
        if unknown:
            raise ArgumentError(f"better names metrics that have no target: {unknown}",
                                name="better",
                            fix=f"the metrics are {[str(i) for i in t.index]}")
        for v in better.values():
            _check_flags("better", v, ("higher", "lower"))
        direction = pd.Series({m: better.get(m, "higher") for m in t.index})
    else:
        raise ArgumentError(f"better must be 'higher', 'lower' or a dict, got {better!r}",
                            name="better",
                        fix="e.g. better={'cac': 'lower'}")
    a = a.reindex(t.index)
    gap = a - t
    base = t.abs().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(base > 0, gap.to_numpy() / np.where(base > 0, base, 1.0), np.nan)
        attain = np.where(base > 0, a.to_numpy() / np.where(base > 0, t.to_numpy(), 1.0),
                          np.nan)
    lower = (direction == "lower").to_numpy()
    met = np.where(lower, a.to_numpy() <= t.to_numpy(), a.to_numpy() >= t.to_numpy())
    return pd.DataFrame(
        {"target": t.to_numpy(), "actual": a.to_numpy(), "gap": gap.to_numpy(),
         "gap_pct": pct, "attainment": attain, "better": direction.to_numpy(),
         "met": met.astype(bool)},
        index=pd.Index(t.index, name="metric"),
    )
