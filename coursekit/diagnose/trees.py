"""Metric trees: a metric as products and sums of its drivers, computed, explained by
LMDI and laid out for drawing; the course company's GMV tree."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd

from coursekit._arrays import codes as _factorize
from coursekit._periods import freq as _freq
from coursekit._periods import labels as _labels
from coursekit._periods import ordinals as _ordinals
from coursekit.diagnose._shared import _codes, _logmean, _prepare, _window
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns

__all__ = ["MetricTree", "gmv_tree"]


_OPS = {"*": "product", "x": "product", "×": "product", "product": "product",
        "+": "sum", "sum": "sum"}


_SYMBOL = {"product": "*", "sum": "+"}


_DRAWN = {"product": "×", "sum": "+"}


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
              \\underbrace{\\frac{O}{V}}_{\\text{orders per visitor}} \\times
              \\underbrace{\\frac{\\mathrm{GMV}}{O}}_{\\text{AOV}}

    - visitors :math:`V` (访客数): distinct customers with at least one event
      in the period;
    - orders per visitor (访客人均订单数): orders :math:`O` per visitor (not
      buyers per visitor, so that the product is GMV exactly; a visitor who
      orders twice counts twice, and it may exceed 1). Outlines often call
      this factor "conversion"; it is not a conversion rate (a share of
      people), hence its name here.
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
    >>> tree.leaves
    ('visitors_android', 'visitors_ios', 'orders_per_visitor', 'aov')
    >>> table[["gmv", "visitors", "orders_per_visitor", "aov"]]  # doctest: +NORMALIZE_WHITESPACE
              gmv  visitors  orders_per_visitor   aov
    period
    2025-01  60.0       3.0            0.333333  60.0
    2025-02  90.0       2.0            0.500000  90.0
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
            f"{[str(i) for i in index[empty][:5]]}; orders per visitor or AOV would be 0 / 0",
            table="events/orders",
            rows=pd.DataFrame({"visitors": visitors, "orders": n_orders},
                              index=index)[empty].head(5),
            fix="use longer periods (per='W' or 'M'), or periods inside the data",
        )
    values = {"gmv": gmv, "visitors": visitors, "orders_per_visitor": n_orders / visitors,
              "aov": gmv / n_orders}
    spec: dict[str, tuple[str, list[str]]] = {
        "gmv": ("*", ["visitors", "orders_per_visitor", "aov"])}
    labels = {"gmv": "GMV 成交额", "visitors": "访客数 visitors",
              "orders_per_visitor": "访客人均订单数 orders/visitor", "aov": "客单价 AOV"}
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
    tree = MetricTree(spec, labels=labels, formats={"orders_per_visitor": "{:.3f}"})
    return tree, tree.compute(pd.DataFrame(values, index=index))
