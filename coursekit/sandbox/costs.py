"""What fatigue costs: the value of a reachable customer per medium, derived from the world.

An unsubscribe costs what the medium would have earned from that customer
over the rest of the relationship: the **subscriber value** of a medium. It
is measured inside the sandbox, on the world itself:

1. every campaign the world ran (``coursekit.world.marketing.CAMPAIGNS``:
   medium, offer, send hour) is sent as a reference plan to the customers it
   was sent to (everyone with an order: the world's campaigns wrote to every
   customer in a CRM segment), in the first week after the data, and its
   incremental profit is the mean over :data:`SEEDS`;
2. per medium, the profits of its campaigns are added up, divided by the
   customers the medium reaches when the data ends, and by the years of
   data the campaigns were spread over (``params.START`` to ``params.END``):
   the **value per year** of a reachable customer, in yuan (a negative value,
   a cadence that loses money, counts as 0);
3. that yearly value lasts as long as the relationship: the customer is
   still a customer a year later with the world's **retention** ``r`` (the
   share of the year-before-last's buyers who bought again in the last year
   of data) and a yuan next year is worth ``1 / (1 + d)`` today, ``d`` the
   sandbox's stated ``discount_rate`` (10% a year). The subscriber value is
   the value per year times the **lifetime multiple** ``(1 + d) / (1 + d -
   r)``: this year's value in full, each later year ``q = r / (1 + d)`` of
   the year before, ``1 + q + q^2 + ... = 1 / (1 - q)`` (the retention model
   of customer value: Gupta and Lehmann, 2003, "Customers as assets",
   *Journal of Interactive Marketing* 17(1)).

Two simplifications, stated: the campaigns' profit is spread over every
reachable customer, though the world's campaigns wrote only to customers
who had ordered (a buyer's reach is worth more than the average, a
never-buyer's less); and an industry preset keeps the world's retention.

Why a lifetime and not one year: an unsubscribe is for good (the world
never brings a customer back to a medium they left), so a year's value
undercounts it; why not more: most of the value of a customer who stopped
buying is gone within a year or two, and the discount rate weighs the rest
down. The leaderboard's ``profit_after_fatigue`` is the plan's profit minus
these values for the unsubscribes and complaints it caused.

A **complaint** (the reader marks the message as spam) costs, by the
sandbox's stated assumptions, the subscriber value of its medium (a spam
report makes the phone or WeChat file the brand's later messages away: the
reader is as lost as one who unsubscribes) plus the time of handling it
(``complaint_minutes`` of a service agent at the world's pay per staff hour
in a tier-1 city).

The derivation runs once per world and is cached with it.

Examples
--------
>>> import tempfile
>>> from coursekit.world import write_world
>>> tmp = tempfile.mkdtemp()
>>> _ = write_world(tmp, users=600, seed=3)
>>> table = fatigue_costs(world=tmp)
>>> table.index.tolist()
['app_push', 'sms', 'wecom']
>>> bool((table["complaint_cost"] > table["subscriber_value"]).all())
True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coursekit.world import marketing
from coursekit.world import params as P

__all__ = ["SEEDS", "derived", "fatigue_costs", "penalties", "retention"]

#: Seeds of the reference campaigns (their mean profit is the measure).
SEEDS = (0, 1, 2, 3, 4)
_DERIVED: dict[int, tuple[object, pd.DataFrame]] = {}


def _years() -> float:
    """Years of data the world's campaigns were spread over."""
    return ((P.END - P.START).days + 1) / 365.25


def retention(orders: pd.DataFrame, *, customer: str = "user_id",
              at: str = "order_time") -> float:
    """Yearly retention of buyers: the share of the year-before-last's buyers who bought in
    the last year of ``orders`` (calendar years counted back from the day after the last
    order: 2024 and 2025 in the course's data).

    Examples
    --------
    >>> orders = pd.DataFrame({"user_id": [1, 1, 2, 3, 3],
    ...     "order_time": pd.to_datetime(["2024-03-01", "2025-02-01", "2024-06-01",
    ...                                   "2024-09-01", "2025-12-31"])})
    >>> round(retention(orders), 3)
    0.667
    """
    end = orders[at].max().normalize() + pd.Timedelta(days=1)
    last = orders[at] >= end - pd.DateOffset(years=1)
    before = (orders[at] >= end - pd.DateOffset(years=2)) & ~last
    earlier = pd.Index(orders.loc[before, customer].unique())
    if len(earlier) == 0:
        return 0.0
    return float(earlier.isin(orders.loc[last, customer].unique()).mean())


def _derive(w) -> pd.DataFrame:
    from coursekit.sandbox import response as R
    from coursekit.sandbox.plan import Action
    from coursekit.sandbox.simulate import run

    buyers = np.flatnonzero(w.features["crm_segment"].to_numpy() != "none")
    zero = np.zeros(len(R.MEDIA))
    profit = dict.fromkeys(R.MEDIA, 0.0)
    seen: dict[tuple, float] = {}
    for c in marketing.CAMPAIGNS:
        act = Action((1,), c["medium"], "promotion", float(c["coupon"]), float(c["threshold"]),
                     1, int(c["send_hour"]))
        key = (act.medium, act.coupon, act.threshold, act.hour)
        if key not in seen:
            seen[key] = float(np.mean([run(w, s, "reference", 1, [("buyers", buyers, (act,))],
                                           costs=(zero, zero)).profit for s in SEEDS]))
        profit[c["medium"]] += seen[key]
    prm = w.params
    handling = prm["complaint_minutes"] / 60.0 * prm["staff_pay"]
    from coursekit import load

    r = retention(load("orders", world=w.folder))
    d = prm["discount_rate"]
    multiple = (1 + d) / (1 + d - r)
    rows = []
    for m, medium in enumerate(R.MEDIA):
        reachable = int(w.reach[m].sum())
        per_year = profit[medium] / max(reachable, 1) / _years()
        value = max(per_year, 0.0) * multiple
        rows.append(dict(medium=medium, campaigns_per_year=prm[f"campaigns_per_year_{medium}"],
                         campaign_profit=profit[medium], reachable=reachable,
                         profit_per_reachable_year=per_year, retention=r, discount_rate=d,
                         lifetime_multiple=multiple, subscriber_value=value,
                         complaint_handling=handling, complaint_cost=value + handling))
    return pd.DataFrame(rows).set_index("medium")


def derived(w) -> pd.DataFrame:
    """:func:`fatigue_costs` of a prepared world (cached with it)."""
    hit = _DERIVED.get(id(w))
    if hit is not None and hit[0] is w:
        return hit[1]
    table = _derive(w)
    if len(_DERIVED) >= 8:  # a world and its industry presets
        _DERIVED.clear()
    _DERIVED[id(w)] = (w, table)
    return table


def penalties(w) -> tuple[np.ndarray, np.ndarray]:
    """Yuan per unsubscribe and per complaint, by medium (in ``response.MEDIA`` order)."""
    table = derived(w)
    return (table["subscriber_value"].to_numpy(dtype=float),
            table["complaint_cost"].to_numpy(dtype=float))


def fatigue_costs(world: str | Path | None = None, industry: object = None) -> pd.DataFrame:
    """The fatigue penalty's values on ``world``, per medium, with their derivation.

    Parameters
    ----------
    world
        The world's folder; ``None``: the world :func:`coursekit.load` reads.
    industry
        An industry preset (:mod:`coursekit.sandbox.presets`); ``None``: the
        course company.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``medium``: ``campaigns_per_year`` (the world's),
        ``campaign_profit`` (the sandbox's incremental profit of the world's
        campaigns on that medium, added up), ``reachable`` (customers the
        medium reaches), ``profit_per_reachable_year``, ``retention`` and
        ``discount_rate`` and the ``lifetime_multiple`` they make,
        ``subscriber_value`` (yuan per unsubscribe: the value per year, at
        least 0, times the multiple), ``complaint_handling`` and
        ``complaint_cost`` (yuan per complaint).
    """
    from coursekit.sandbox.world import prepare

    return derived(prepare(world, industry)).copy()
