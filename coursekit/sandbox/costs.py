"""What fatigue costs: the value of a reachable customer per medium, derived from the world.

An unsubscribe costs what the medium would have earned from that customer:
the **subscriber value** of a medium is the incremental profit per reachable
customer that the company's usual campaign cadence earns through that medium
in a year. It is measured inside the sandbox, on the world itself:

1. every campaign the world ran (``coursekit.world.marketing.CAMPAIGNS``:
   medium, offer, send hour) is sent as a reference plan to the customers it
   was sent to (everyone with an order: the world's campaigns wrote to every
   customer in a CRM segment), in the first week after the data, and its
   incremental profit is the mean over :data:`SEEDS`;
2. per medium, the profits of its campaigns are added up, divided by the
   customers the medium reaches when the data ends, and by the years of
   data the campaigns were spread over (``params.START`` to ``params.END``):
   yuan per reachable customer and year. A negative value (a cadence that
   loses money) counts as 0.

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

__all__ = ["SEEDS", "derived", "fatigue_costs", "penalties"]

#: Seeds of the reference campaigns (their mean profit is the measure).
SEEDS = (0, 1, 2, 3, 4)
_DERIVED: dict[int, tuple[object, pd.DataFrame]] = {}


def _years() -> float:
    """Years of data the world's campaigns were spread over."""
    return ((P.END - P.START).days + 1) / 365.25


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
    handling = (R.PARAMETERS["complaint_minutes"]["value"] / 60.0
                * R.PARAMETERS["staff_pay"]["value"])
    rows = []
    for m, medium in enumerate(R.MEDIA):
        reachable = int(w.reach[m].sum())
        per_year = profit[medium] / max(reachable, 1) / _years()
        value = max(per_year, 0.0)
        rows.append(dict(medium=medium,
                         campaigns_per_year=R.PARAMETERS[f"campaigns_per_year_{medium}"]["value"],
                         campaign_profit=profit[medium], reachable=reachable,
                         profit_per_reachable_year=per_year, subscriber_value=value,
                         complaint_handling=handling, complaint_cost=value + handling))
    return pd.DataFrame(rows).set_index("medium")


def derived(w) -> pd.DataFrame:
    """:func:`fatigue_costs` of a prepared world (cached with it)."""
    hit = _DERIVED.get(id(w))
    if hit is not None and hit[0] is w:
        return hit[1]
    table = _derive(w)
    _DERIVED.clear()  # one world at a time, like the prepared world itself
    _DERIVED[id(w)] = (w, table)
    return table


def penalties(w) -> tuple[np.ndarray, np.ndarray]:
    """Yuan per unsubscribe and per complaint, by medium (in ``response.MEDIA`` order)."""
    table = derived(w)
    return (table["subscriber_value"].to_numpy(dtype=float),
            table["complaint_cost"].to_numpy(dtype=float))


def fatigue_costs(world: str | Path | None = None) -> pd.DataFrame:
    """The fatigue penalty's values on ``world``, per medium, with their derivation.

    Parameters
    ----------
    world
        The world's folder; ``None``: the world :func:`coursekit.load` reads.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``medium``: ``campaigns_per_year`` (the world's),
        ``campaign_profit`` (the sandbox's incremental profit of the world's
        campaigns on that medium, added up), ``reachable`` (customers the
        medium reaches), ``profit_per_reachable_year``, ``subscriber_value``
        (yuan per unsubscribe: the same, at least 0), ``complaint_handling``
        and ``complaint_cost`` (yuan per complaint).
    """
    from coursekit.sandbox.world import prepare

    return derived(prepare(world)).copy()
