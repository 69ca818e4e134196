"""KPI formulas: one definition per metric, the formula in its docstring.

Every function takes plain tables whose column names default to the course
tables' own and returns a DataFrame: the metric and the numbers it is made
of (``revenue``, ``users``, ...) as columns, with one row per calendar period
for ``per="M"`` (``"D"``, ``"W"``, ``"Q"``, ``"Y"``; index ``period``, every
period from the first to the last of the data, empty ones included), or one
row labelled ``"all"`` for the whole span with ``per=None``
(``arpu(orders, users, per=None).loc["all", "arpu"]`` is the number).

Revenue per user
    :func:`arpu` (revenue / users), :func:`arppu` (revenue / paying users).
Orders
    :func:`average_order_value`, :func:`repurchase_rate`,
    :func:`average_purchase_count` (orders / buyers).
Acquisition and value
    :func:`cac` (spend / new users, by channel), :func:`ltv_simple` (the
    textbook ARPU x margin / churn), :func:`payback_periods` (from an LTV
    curve of :func:`coursekit.cohorts.ltv_curves`), :func:`roi` (LTV / CAC).
Margins
    :func:`contribution_margin`: one row per *order* (not per period): the
    amount paid, the cost of its goods, the gross margin, each serving cost
    (:data:`COST_LINES`) and the contribution margin left towards
    acquisition and fixed costs.
Users and engagement (module 6)
    :func:`user_growth_rate` (new users / users before), :func:`dau` (daily
    active users), :func:`mau` (distinct users in a trailing window of days,
    or in a calendar month), :func:`stickiness` (DAU / MAU),
    :func:`active_rate` (active users / signed-up users),
    :func:`first_purchase_conversion` (new users who become buyers).
    *Active* means at least one row in the activity table (e.g. ``events``)
    that day or period. MAU is counted in a trailing window whose length is
    always stated (``window=30`` days by default; some teams use 28, four
    whole weeks): on the first ``window - 1`` days of the data the window is
    not fully observed, and MAU is NaN there rather than an undercount.
The KPI system (指标体系)
    :func:`kpi_table`: every KPI above for every month (or week ...) side by
    side, from the four course tables, with targets beside the actuals when
    given; :data:`KPI_COLUMNS` says what each column is.

A denominator of zero is never turned into a number: a whole-table metric
with nobody to divide by raises :class:`~coursekit.errors.DataError`, and a
period with nobody to divide by shows NaN (0 / 0) or ``inf`` (money spent,
nobody acquired), with the counts beside it.
"""

from __future__ import annotations

from coursekit.metrics.acquisition import cac, ltv_simple, payback_periods, roi
from coursekit.metrics.engagement import (
    active_rate,
    dau,
    first_purchase_conversion,
    mau,
    stickiness,
    user_growth_rate,
)
from coursekit.metrics.kpi import KPI_COLUMNS, kpi_table
from coursekit.metrics.margin import COST_LINES, contribution_margin
from coursekit.metrics.revenue import (
    arppu,
    arpu,
    average_order_value,
    average_purchase_count,
    repurchase_rate,
)

__all__ = [
    "arpu",
    "arppu",
    "average_order_value",
    "repurchase_rate",
    "average_purchase_count",
    "cac",
    "ltv_simple",
    "payback_periods",
    "roi",
    "contribution_margin",
    "COST_LINES",
    "dau",
    "mau",
    "stickiness",
    "user_growth_rate",
    "active_rate",
    "first_purchase_conversion",
    "kpi_table",
    "KPI_COLUMNS",
]
