"""Run a plan against the simulated company after the data ends, and score it.

:func:`simulate` sends the plan's messages week by week from 2026-01-01 and
follows each one through the chain of :mod:`coursekit.sandbox.response`:
reachable, delivered, opened, clicked, an extra order, the coupon's cost,
unsubscribes and complaints. What it reports is **incremental**: the extra
orders the messages cause and the coupons they cost, against the baseline of
the same seed (the orders that come anyway, :func:`coursekit.sandbox.world.
baseline`), so the plan that does nothing scores exactly 0.

Random draws are laid out per customer, independently of the plan: every
(week, day, medium) cell has its own Generator, seeded by (seed, stream
name, week, day, medium), holding one draw per customer for each step. Two
plans run on one seed therefore meet the same customers' same luck, and the
same plan and seed give the same result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from coursekit.sandbox import response as R
from coursekit.sandbox.plan import Action, Plan, read_plan
from coursekit.sandbox.world import KEY, Prepared, baseline, prepare, rng
from coursekit.world import marketing, personas

__all__ = ["KPI_STEPS", "SimulationResult", "simulate"]

#: The conversion path the sandbox follows, in order.
KPI_STEPS = ["audience", "reachable", "delivered", "opened", "clicked", "ordered",
             "extra_orders"]
_MONEY = ["revenue", "margin", "coupon_cost", "message_cost", "profit", "unsubscribes",
          "complaints", "fatigue_penalty", "profit_after_fatigue"]


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
        One row per segment and a last row ``all``: customers, messages, the
        path's totals and the money (``revenue``, ``margin``,
        ``coupon_cost``, ``message_cost``, ``profit``, ``roi``,
        ``unsubscribes``, ``complaints``, ``fatigue_penalty``,
        ``profit_after_fatigue``).
    profit
        Incremental profit (yuan): margin of the extra orders minus coupon
        and message costs.
    roi
        ``profit / (coupon_cost + message_cost)`` (NaN when nothing was spent).
    revenue, margin, coupon_cost, message_cost, fatigue_penalty, profit_after_fatigue
        Yuan; the penalty is unsubscribes x the subscriber value of their
        medium plus complaints x the complaint cost (:data:`response.PARAMETERS`).
    messages, extra_orders, unsubscribes, complaints
        Counts.
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


def _hour_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per persona and hour: whether it is in the persona's order hours, and the lift."""
    inside = np.zeros((len(personas.NAMES), 24), dtype=bool)
    lift = np.ones((len(personas.NAMES), 24))
    power = R.PARAMETERS["hour_lift_power"]["value"]
    for i, name in enumerate(personas.NAMES):
        h = personas.PERSONAS[name]["hours"]
        hours = [x % 24 for x in range(h["start"], h["end"])]
        inside[i, hours] = True
        lift[i, hours] = h["lift"] ** power
    return inside, lift


#: Per persona (codes into personas.NAMES) and hour: in the persona's order hours, and the
#: lift of a message's effect sent then.
HOUR_INSIDE, HOUR_LIFT = _hour_tables()
#: The uplift by CRM segment code (marketing.SEGMENTS, then no order yet).
UPLIFT_BY_CODE = np.array([marketing.UPLIFT[s] for s in marketing.SEGMENTS] + [
    R.PARAMETERS["uplift_no_order"]["value"]])
#: The coupon sensitivity by persona code.
COUPON_SENSITIVITY = np.array([personas.PERSONAS[p]["coupon"] for p in personas.NAMES])


def _v(name: str) -> float:
    return float(R.PARAMETERS[name]["value"])


class _Cells:
    """The plan-independent draws: per (week, day, medium) cell, one per customer and step."""

    def __init__(self, w: Prepared, seed: int) -> None:
        self.w, self.seed = w, seed
        self._cells: dict[tuple[int, int, int], dict[str, np.ndarray]] = {}
        self._routine: dict[int, np.ndarray] = {}

    def cell(self, week: int, day: int, medium: int) -> dict[str, np.ndarray]:
        key = (week, day, medium)
        if key not in self._cells:
            g = rng(self.seed, "sandbox:message", week, day, medium)
            n = self.w.n
            u = g.random((6, n))
            self._cells[key] = dict(open=u[0], respond=u[1], click=u[2], unsubscribe=u[3],
                                    complaint=u[4], time=u[5],
                                    value=g.gamma(_v("gamma_gamma_p"), 1.0, n))
        return self._cells[key]

    def routine(self, week: int) -> np.ndarray:
        """The brand's routine messages in the week: the end state's last 7 days in week
        1, then Poisson at the end state's rate of the last 28 days."""
        if week not in self._routine:
            if week == 1:
                self._routine[week] = self.w.load7
            else:
                g = rng(self.seed, "sandbox:routine", week)
                self._routine[week] = g.poisson(self.w.load28 / 4.0).astype(float)
        return self._routine[week]


def _crm_segment(w: Prepared, base: dict, who: np.ndarray, t: float) -> np.ndarray:
    """CRM segment codes (into marketing.SEGMENTS, the last code: no order) at time ``t``."""
    lo = np.searchsorted(base["key"], who * KEY)
    hi = np.searchsorted(base["key"], who * KEY + t)
    n_new = hi - lo
    count = w.obs_count[who] + n_new
    last = np.where(n_new > 0, base["t"][np.maximum(hi - 1, 0)], w.obs_last[who])
    first = np.where(w.obs_count[who] > 0, w.obs_first[who],
                     np.where(n_new > 0, base["t"][np.minimum(lo, len(base["t"]) - 1)], np.inf))
    seg = marketing.segment_codes(count, t - last, t - first).astype(np.int64)
    seg[seg < 0] = len(marketing.SEGMENTS)
    return seg


def _coupon_on_baseline(base: dict, redeemed: np.ndarray, who: np.ndarray, t: float,
                        a: Action) -> tuple[np.ndarray, np.ndarray]:
    """The first baseline order of each customer in the coupon's days meeting its threshold,
    not yet used for a coupon: marks it used. Returns (uses, ordered in the window)."""
    lo = np.searchsorted(base["key"], who * KEY + t)
    hi = np.searchsorted(base["key"], who * KEY + t + _v("offer_days"))
    ordered = hi > lo
    used = np.zeros(len(who), dtype=bool)
    if a.coupon > 0:
        for j in range(int((hi - lo).max(initial=0))):
            pos = lo + j
            ok = ~used & (pos < hi)
            cand = pos[ok]
            fits = (base["value"][cand] >= a.threshold) & ~redeemed[cand]
            redeemed[cand[fits]] = True
            used[np.flatnonzero(ok)[fits]] = True
    return used, ordered


def run(w: Prepared, seed: int, team: str, cap: int,
        groups: list[tuple[str, np.ndarray, tuple[Action, ...]]]) -> SimulationResult:
    """Simulate compiled segments: (name, member positions, actions), members disjoint."""
    base = baseline(w, seed)
    cells = _Cells(w, seed)
    sends = sorted((wk, a.day, a.hour, R.MEDIA.index(a.medium), s, i)
                   for s, (_, _, acts) in enumerate(groups) for i, a in enumerate(acts)
                   for wk in a.weeks)
    n = w.n
    unsub = ~w.reach.copy()
    in_week = np.zeros(n, dtype=np.int64)
    contacts = np.zeros(n, dtype=np.int64)
    redeemed = np.zeros(len(base["t"]), dtype=bool)
    rows: dict[tuple[int, int], np.ndarray] = {}
    current = 0
    for wk, day, hour, m, s, i in sends:
        if wk != current:
            in_week[:] = 0
            current = wk
        a = groups[s][2][i]
        who = groups[s][1]
        reachable = who[~unsub[m, who]]
        d = reachable[in_week[reachable] < cap]
        u = cells.cell(wk, day, m)
        t = w.end + 7 * (wk - 1) + (day - 1) + hour / 24
        x = in_week[d] + 1 + cells.routine(wk)[d]
        pers = w.persona[d]
        night = (hour < 7) & ~HOUR_INSIDE[pers, hour]
        opened = u["open"][d] < R.open_probability(a.medium, a.purpose, x, night)
        uplift = (UPLIFT_BY_CODE[_crm_segment(w, base, d, t)] * COUPON_SENSITIVITY[pers]
                  * R.offer_effect(a.coupon, a.threshold) * _v(f"purpose_effect_{a.purpose}")
                  * _v("wearout") ** contacts[d] * HOUR_LIFT[pers, hour])
        p_resp = np.minimum(_v("max_response"), uplift / _v("reference_open"))
        extra = opened & (u["respond"][d] < p_resp)
        clicked = opened & (extra | (u["click"][d] < R.click_probability(a.purpose,
                                                                         w.engagement[d])))
        value = np.where(extra, u["value"][d] / w.spend_rate[d] * w.value_factor, 0.0)
        extra_coupon = extra & (a.coupon > 0) & (value >= a.threshold)
        used, ordered = _coupon_on_baseline(base, redeemed, d[~extra_coupon], t, a)
        left = np.zeros(len(d), dtype=bool)
        left[~extra_coupon] = ordered
        unsubscribed = u["unsubscribe"][d] < R.fatigue_probability("unsubscribe", a.medium,
                                                                   a.purpose, x)
        complained = u["complaint"][d] < R.fatigue_probability("complaint", a.medium,
                                                               a.purpose, x)
        unsub[m, d[unsubscribed]] = True
        in_week[d] += 1
        contacts[d] += 1
        revenue = float(value.sum())
        coupon_cost = a.coupon * float(extra_coupon.sum() + used.sum())
        message_cost = _v(f"message_cost_{a.medium}") * len(d)
        penalty = (_v(f"subscriber_value_{a.medium}") * unsubscribed.sum()
                   + _v("complaint_cost") * complained.sum())
        row = np.array([len(reachable), len(d), opened.sum(), clicked.sum(),
                        (left | extra).sum(), extra.sum(), revenue,
                        revenue * w.margin_rate, coupon_cost, message_cost,
                        revenue * w.margin_rate - coupon_cost - message_cost,
                        unsubscribed.sum(), complained.sum(), penalty,
                        revenue * w.margin_rate - coupon_cost - message_cost - penalty],
                       dtype=float)
        rows[(s, i)] = rows.get((s, i), 0) + row
    return _result(team, seed, groups, rows)


def _result(team: str, seed: int, groups: list, rows: dict) -> SimulationResult:
    cols = KPI_STEPS[1:] + _MONEY
    records = []
    for s, (name, who, acts) in enumerate(groups):
        for i, a in enumerate(acts):
            vals = rows.get((s, i), np.zeros(len(cols)))
            label = f"{i}: {a.medium} {a.purpose} weeks {','.join(map(str, a.weeks))}"
            records.append(dict(segment=name, action=label, audience=len(who),
                                **dict(zip(cols, vals, strict=True))))
    kpis = pd.DataFrame(records, columns=["segment", "action", *KPI_STEPS, *_MONEY])
    kpis = kpis.set_index(["segment", "action"])
    counts = [c for c in KPI_STEPS[1:] + ["unsubscribes", "complaints"]]
    kpis[counts] = kpis[counts].astype(np.int64)
    summary = kpis.drop(columns="audience").groupby(level="segment", sort=False).sum()
    summary.insert(0, "customers", [len(g[1]) for g in groups])
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
             world: str | Path | None = None) -> SimulationResult:
    """Run ``plan`` on the weeks after the data ends and score it.

    Parameters
    ----------
    plan
        A plan: a mapping, YAML text or file, or a :class:`~coursekit.sandbox.plan.Plan`.
    seed
        Seed of the draws (customers' luck and the baseline orders).
    world
        The world's folder; ``None``: the world :func:`coursekit.load` reads.

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
    w = prepare(world)
    return run(w, int(seed), checked.team, checked.frequency_cap, members(w, checked))
