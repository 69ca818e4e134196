"""Run a plan against the simulated company after the data ends, and score it.

:func:`simulate` sends the plan's messages week by week from 2026-01-01 and
follows each one through the chain of :mod:`coursekit.sandbox.response`:
reachable, delivered, opened, clicked, an extra order, the coupon's cost,
unsubscribes and complaints (the engine: :mod:`coursekit.sandbox.engine`).
What it reports is **incremental**: the extra orders the messages cause and
the coupons they cost, against the baseline of the same seed (the orders
that come anyway, :func:`coursekit.sandbox.world.baseline`), so the plan
that does nothing scores exactly 0. The fatigue penalty prices unsubscribes
and complaints at values derived from the world
(:func:`coursekit.sandbox.costs.fatigue_costs`).

Random draws are laid out per customer, independently of the plan (see the
engine), so two plans run on one seed meet the same customers' same luck,
and the same plan and seed give the same result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from coursekit.sandbox.engine import COLUMNS, play
from coursekit.sandbox.plan import Action, Plan, read_plan
from coursekit.sandbox.world import Prepared, baseline, prepare

__all__ = ["KPI_STEPS", "SimulationResult", "simulate"]

#: The conversion path the sandbox follows, in order.
KPI_STEPS = ["audience", "reachable", "delivered", "opened", "clicked", "ordered",
             "extra_orders"]
#: The money and fatigue columns after the path (``engine.COLUMNS``).
_MONEY = COLUMNS[len(KPI_STEPS) - 1:]


@dataclass(frozen=True)
class SimulationResult:
    """The outcome of one plan on one seed.

    Attributes
    ----------
    team, seed
        Whose plan and which draws.
    kpis
        One row per segment and action (index ``segment``, ``action``): the
        conversion path :data:`KPI_STEPS` (``audience`` is the segment's
        size; ``ordered`` counts delivered customers who ordered within the
        offer's days, extra or not) and the money of that action.
    summary
        One row per segment and a last row ``all``: ``customers`` (the
        segment's size) and ``reachable`` (of them, those a medium of the
        segment's actions reaches when the plan starts), both counts of
        customers; then counts of messages along the path, added up over the
        actions (``messages`` delivered, ``opened``, ``clicked``, ``ordered``:
        followed by an order in the offer's days, ``extra_orders``) and the
        money (``revenue``, ``margin``, ``coupon_cost``, ``message_cost``, ``profit``, ``roi``,
        ``unsubscribes``, ``complaints``, of which ``routine_unsubscribes``
        and ``routine_complaints`` on the brand's routine messages (the load
        the plan added to them: counted on the plan's last message of the
        week to the customer), ``fatigue_penalty``, ``profit_after_fatigue``).
    profit
        Incremental profit (yuan): margin of the extra orders minus coupon
        and message costs.
    roi
        ``profit / (coupon_cost + message_cost)`` (NaN when nothing was spent).
    revenue, margin, coupon_cost, message_cost, fatigue_penalty, profit_after_fatigue
        Yuan; the penalty is unsubscribes x the subscriber value of their
        medium plus complaints x the complaint cost of their medium, both
        derived from the world (:func:`coursekit.sandbox.costs.fatigue_costs`).
    messages, extra_orders, unsubscribes, complaints
        Counts (unsubscribes and complaints include those on routine messages).
    """

    team: str
    seed: int
    kpis: pd.DataFrame
    summary: pd.DataFrame
    profit: float
    roi: float
    revenue: float
    margin: float
    coupon_cost: float
    message_cost: float
    fatigue_penalty: float
    profit_after_fatigue: float
    messages: int
    extra_orders: int
    unsubscribes: int
    complaints: int


def run(w: Prepared, seed: int, team: str, cap: int,
        groups: list[tuple[str, np.ndarray, tuple[Action, ...]]],
        costs: tuple[np.ndarray, np.ndarray] | None = None) -> SimulationResult:
    """Simulate compiled segments: (name, member positions, actions), members disjoint.

    ``costs``: yuan per unsubscribe and per complaint by medium; ``None``: the
    values derived from the world (:func:`coursekit.sandbox.costs.penalties`).
    """
    if costs is None:
        from coursekit.sandbox.costs import penalties

        costs = penalties(w)
    actions = [(who, a) for _, who, acts in groups for a in acts]
    acc = play(w, seed, cap, actions, baseline(w, seed), costs)
    from coursekit.sandbox.response import MEDIA

    reachable = [int(w.reach[sorted({MEDIA.index(a.medium) for a in acts})][:, who]
                     .any(axis=0).sum()) if acts else 0 for _, who, acts in groups]
    return _result(team, seed, groups, acc, reachable)


def _result(team: str, seed: int, groups: list, acc: np.ndarray,
            reachable: list[int]) -> SimulationResult:
    cols = KPI_STEPS[1:] + _MONEY
    records = []
    row = 0
    for name, who, acts in groups:
        for i, a in enumerate(acts):
            vals = acc[row]
            row += 1
            label = f"{i}: {a.medium} {a.purpose} weeks {','.join(map(str, a.weeks))}"
            records.append(dict(segment=name, action=label, audience=len(who),
                                **dict(zip(cols, vals, strict=True))))
    kpis = pd.DataFrame(records, columns=["segment", "action", *KPI_STEPS, *_MONEY])
    kpis = kpis.set_index(["segment", "action"])
    counts = [c for c in KPI_STEPS[1:] + _MONEY if "unsubscribes" in c or "complaints" in c]
    kpis[counts] = kpis[counts].astype(np.int64)
    summary = kpis.drop(columns="audience").groupby(level="segment", sort=False).sum()
    summary.insert(0, "customers", [len(g[1]) for g in groups])
    summary["reachable"] = reachable
    total = pd.DataFrame([summary.sum()], index=["all"]) if len(summary) else \
        pd.DataFrame(0.0, index=["all"], columns=summary.columns)
    summary = pd.concat([summary, total]) if len(summary) else total
    summary = summary.rename(columns={"delivered": "messages"})
    spend = summary["coupon_cost"] + summary["message_cost"]
    summary["roi"] = np.where(spend > 0, summary["profit"] / spend.where(spend > 0, 1), np.nan)
    summary.index.name = "segment"
    all_ = summary.loc["all"]
    return SimulationResult(
        team=team, seed=seed, kpis=kpis, summary=summary,
        profit=float(all_["profit"]), roi=float(all_["roi"]), revenue=float(all_["revenue"]),
        margin=float(all_["margin"]), coupon_cost=float(all_["coupon_cost"]),
        message_cost=float(all_["message_cost"]),
        fatigue_penalty=float(all_["fatigue_penalty"]),
        profit_after_fatigue=float(all_["profit_after_fatigue"]),
        messages=int(all_["messages"]), extra_orders=int(all_["extra_orders"]),
        unsubscribes=int(all_["unsubscribes"]), complaints=int(all_["complaints"]))


def members(w: Prepared, plan: Plan) -> list[tuple[str, np.ndarray, tuple[Action, ...]]]:
    """Each segment's customers (positions in ``users``): the first segment whose rules a
    customer meets takes them."""
    from coursekit.sandbox.audience import select

    taken = np.zeros(w.n, dtype=bool)
    out = []
    for seg in plan.segments:
        mine = select(w.features, seg.rules).to_numpy() & ~taken
        taken |= mine
        out.append((seg.name, np.flatnonzero(mine), seg.actions))
    return out


def simulate(plan: Plan | dict | str | Path, *, seed: int = 0,
             world: str | Path | None = None, industry: object = None) -> SimulationResult:
    """Run ``plan`` on the weeks after the data ends and score it.

    Parameters
    ----------
    plan
        A plan: a mapping, YAML text or file, or a :class:`~coursekit.sandbox.plan.Plan`.
    seed
        Seed of the draws (customers' luck and the baseline orders).
    world
        The world's folder; ``None``: the world :func:`coursekit.load` reads.
    industry
        An industry preset's name (:data:`coursekit.sandbox.presets.INDUSTRIES`):
        the same customers with that industry's order values, buying rate,
        margin and responses; ``None``: the course company.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> import tempfile
    >>> from coursekit.world import write_world
    >>> tmp = tempfile.mkdtemp()
    >>> _ = write_world(tmp, users=600, seed=3)
    >>> plan = {"team": "demo", "horizon_weeks": 2, "frequency_cap": 1, "segments": [
    ...     {"name": "lapsing", "rules": {"crm_segment": ["lapsing"]},
    ...      "actions": [{"week": 1, "medium": "sms", "purpose": "promotion",
    ...                   "offer": "20 off 99"}]}]}
    >>> result = simulate(plan, seed=1, world=tmp)
    >>> result.kpis.columns[:4].tolist()
    ['audience', 'reachable', 'delivered', 'opened']
    >>> result.profit == simulate(plan, seed=1, world=tmp).profit
    True
    >>> simulate({**plan, "segments": []}, world=tmp).profit
    0.0
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        from coursekit.errors import ArgumentError

        raise ArgumentError("seed must be a whole number of 0 or more", name="seed",
                            value=seed, allowed="0, 1, 2, ...")
    checked = read_plan(plan)
    w = prepare(world, industry)
    return run(w, int(seed), checked.team, checked.frequency_cap, members(w, checked))
