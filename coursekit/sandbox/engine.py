"""The sandbox's week-by-week engine: a plan's messages through the world's mechanisms.

:func:`play` sends compiled segments' messages in time order and follows
each one through the chain of :mod:`coursekit.sandbox.response`. What it
keeps per customer while it goes, as the world does:

- the **fatigue count** ``x`` of a message: the plan's messages delivered
  in the trailing ``MESSAGE_FATIGUE["window_days"]`` (7) days, this one
  included, plus the brand's routine messages of the week
  (:mod:`coursekit.sandbox.routine`);
- the **CRM segment** on the day of sending, from the orders before it: the
  baseline orders and the extra orders the plan caused (an extra order
  turns a lapsing customer active, as in the world's campaigns); an extra
  order comes an exponential time of mean ``offer_days / 4`` after the
  message, within the offer's days (the world's campaign rule);
- the **unsubscribes**: a medium the customer left stays silent;
- at the end of each week, the **fatigue the plan added to routine
  messages** (:func:`coursekit.sandbox.routine.added_fatigue`), drawn per
  customer and medium and counted on the plan's last message of the week
  to that customer.

Random draws are laid out per customer, independently of the plan: every
(week, day, medium) cell has its own Generator, seeded by (seed, stream
name, week, day, medium), holding one draw per customer for each step; the
routine messages and their fatigue have one Generator per week. Two plans
run on one seed meet the same customers' same luck.
"""

from __future__ import annotations

import numpy as np

from coursekit.sandbox import response as R
from coursekit.sandbox import routine as RT
from coursekit.sandbox.plan import Action
from coursekit.sandbox.world import KEY, Prepared, rng
from coursekit.world import marketing, personas
from coursekit.world import params as P

__all__ = ["COLUMNS", "COUPON_SENSITIVITY", "HOUR_INSIDE", "HOUR_LIFT", "SEGMENT_CODES",
           "Extras", "crm_segment", "play", "uplift_by_code"]

#: What :func:`play` adds up per action, in order.
COLUMNS = ["reachable", "delivered", "opened", "clicked", "ordered", "extra_orders", "revenue",
           "margin", "coupon_cost", "message_cost", "profit", "unsubscribes", "complaints",
           "routine_unsubscribes", "routine_complaints", "fatigue_penalty",
           "profit_after_fatigue"]
_C = {c: i for i, c in enumerate(COLUMNS)}
_WINDOW = float(P.MESSAGE_FATIGUE["window_days"])


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
#: The CRM segments by code: marketing.SEGMENTS, then ``none`` (no order yet).
SEGMENT_CODES = [*marketing.SEGMENTS, "none"]
#: The coupon sensitivity by persona code.
COUPON_SENSITIVITY = np.array([personas.PERSONAS[p]["coupon"] for p in personas.NAMES])


def uplift_by_code(params: dict[str, float]) -> np.ndarray:
    """The uplift by CRM segment code (:data:`SEGMENT_CODES`) in a parameter set.

    Examples
    --------
    >>> uplift_by_code(R.values()).round(3).tolist()[-1]
    0.01
    """
    return np.array([params[f"uplift_{s}"] for s in SEGMENT_CODES])


class Extras:
    """The extra orders caused so far, per customer: count, first and last time."""

    def __init__(self, n: int) -> None:
        self.count = np.zeros(n, dtype=np.int64)
        self.first = np.full(n, np.inf)
        self.last = np.full(n, -np.inf)
        self._user = np.zeros(0, dtype=np.int64)
        self._t = np.zeros(0)

    def add(self, user: np.ndarray, t: np.ndarray) -> None:
        self._user = np.concatenate([self._user, user])
        self._t = np.concatenate([self._t, t])

    def until(self, t: float) -> Extras:
        """Count the orders placed before ``t``; returns itself."""
        due = self._t < t
        if due.any():
            u, tt = self._user[due], self._t[due]
            np.add.at(self.count, u, 1)
            np.minimum.at(self.first, u, tt)
            np.maximum.at(self.last, u, tt)
            self._user, self._t = self._user[~due], self._t[~due]
        return self


def crm_segment(w: Prepared, base: dict, who: np.ndarray, t: float,
                extras: Extras | None = None) -> np.ndarray:
    """CRM segment of customers at time ``t``, by the world's rule (``marketing.segment_codes``).

    Parameters
    ----------
    w, base
        The prepared world and the seed's baseline orders.
    who
        Positions of the customers.
    t
        Days since START; only orders strictly before it count.
    extras
        The plan's extra orders so far (``None``: the baseline alone).

    Returns
    -------
    numpy.ndarray
        Codes into ``marketing.SEGMENTS``; ``len(marketing.SEGMENTS)`` for no order yet.
    """
    lo = np.searchsorted(base["key"], who * KEY)
    hi = np.searchsorted(base["key"], who * KEY + t)
    n_new = hi - lo
    count = w.obs_count[who] + n_new
    last = np.where(n_new > 0, base["t"][np.maximum(hi - 1, 0)], w.obs_last[who])
    first = np.where(w.obs_count[who] > 0, w.obs_first[who],
                     np.where(n_new > 0, base["t"][np.minimum(lo, len(base["t"]) - 1)], np.inf))
    if extras is not None:
        count = count + extras.count[who]
        last = np.maximum(last, extras.last[who])
        first = np.minimum(first, extras.first[who])
    seg = marketing.segment_codes(count, t - last, t - first).astype(np.int64)
    seg[seg < 0] = len(marketing.SEGMENTS)
    return seg


class _Draws:
    """The plan-independent draws: per (week, day, medium) cell one per customer and step;
    per week the routine messages and the uniforms of their added fatigue."""

    def __init__(self, w: Prepared, seed: int, base: dict) -> None:
        self.w, self.seed, self.base = w, seed, base
        self.share = RT.shares(w.reach, w.ever_reach)
        self._cells: dict[tuple[int, int, int], dict[str, np.ndarray]] = {}
        self._routine: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def cell(self, week: int, day: int, medium: int) -> dict[str, np.ndarray]:
        key = (week, day, medium)
        if key not in self._cells:
            g = rng(self.seed, "sandbox:message", week, day, medium)
            n = self.w.n
            u = g.random((6, n))
            self._cells[key] = dict(open=u[0], respond=u[1], click=u[2], unsubscribe=u[3],
                                    complaint=u[4], time=u[5],
                                    value=g.gamma(self.w.params["gamma_gamma_p"], 1.0, n))
        return self._cells[key]

    def routine(self, week: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The week's routine messages per customer, their CRM segment codes at the week's
        start (baseline orders) and uniforms (2 events x media x customers).

        Week 1 has the end state's messages of the last 7 days; later weeks a
        Poisson count at the world's rate (:func:`coursekit.sandbox.routine.weekly_mean`).
        """
        if week not in self._routine:
            w = self.w
            t0 = w.end + 7 * (week - 1)
            seg = crm_segment(w, self.base, np.arange(w.n), t0)
            g = rng(self.seed, "sandbox:routine", week)
            if week == 1:
                count = w.load7
            else:
                day = int(t0)
                push = float(w.send_mult[day: day + 7].mean()) if day < len(w.send_mult) else 1.0
                count = g.poisson(RT.weekly_mean(seg, w.intensity, self.share, push))
                count = count.astype(float)
            self._routine[week] = (count, seg, g.random((2, len(R.MEDIA), w.n)))
        return self._routine[week]


def _coupon_on_baseline(base: dict, redeemed: np.ndarray, who: np.ndarray, t: float,
                        a: Action, days: float) -> tuple[np.ndarray, np.ndarray]:
    """The first baseline order of each customer in the coupon's days meeting its threshold,
    not yet used for a coupon: marks it used. Returns (uses, ordered in the window)."""
    lo = np.searchsorted(base["key"], who * KEY + t)
    hi = np.searchsorted(base["key"], who * KEY + t + days)
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


class _Run:
    """The state of one plan on one seed while its messages go out."""

    def __init__(self, w: Prepared, seed: int, base: dict, costs: tuple, n_rows: int) -> None:
        self.w, self.base = w, base
        self.draws = _Draws(w, seed, base)
        self.sub_value, self.complaint_cost = (np.asarray(c, dtype=float) for c in costs)
        n = w.n
        self.unsub = ~w.reach.copy()
        self.in_week = np.zeros(n, dtype=np.int64)
        self.contacts = np.zeros(n, dtype=np.int64)
        self.recent = np.zeros(n, dtype=np.int64)  # plan messages in the trailing window
        self.past: list[tuple[float, np.ndarray]] = []
        self.old = 0
        self.extras = Extras(n)
        self.last_row = np.full(n, -1, dtype=np.int64)
        self.redeemed = np.zeros(len(base["t"]), dtype=bool)
        self.acc = np.zeros((n_rows, len(COLUMNS)))
        self.uplift = uplift_by_code(w.params)

    def send(self, row: int, who: np.ndarray, a: Action, wk: int, m: int, cap: int) -> None:
        w, u, prm = self.w, self.draws.cell(wk, a.day, m), self.w.params
        reachable = who[~self.unsub[m, who]]
        d = reachable[self.in_week[reachable] < cap]
        t = w.end + 7 * (wk - 1) + (a.day - 1) + a.hour / 24
        while self.old < len(self.past) and self.past[self.old][0] <= t - _WINDOW:
            self.recent[self.past[self.old][1]] -= 1
            self.old += 1
        x = self.recent[d] + 1 + self.draws.routine(wk)[0][d]
        pers = w.persona[d]
        night = (a.hour < 7) & ~HOUR_INSIDE[pers, a.hour]
        opened = u["open"][d] < R.open_probability(a.medium, a.purpose, x, night, prm)
        seg = crm_segment(w, self.base, d, t, self.extras.until(t))
        uplift = (self.uplift[seg] * COUPON_SENSITIVITY[pers]
                  * R.offer_effect(a.coupon, a.threshold, prm) * prm[f"purpose_effect_{a.purpose}"]
                  * prm["wearout"] ** self.contacts[d] * HOUR_LIFT[pers, a.hour])
        p_resp = np.minimum(prm["max_response"], uplift / prm["reference_open"])
        extra = opened & (u["respond"][d] < p_resp)
        clicked = opened & (extra | (u["click"][d] < R.click_probability(a.purpose,
                                                                         w.engagement[d])))
        value = np.where(extra, u["value"][d] / w.spend_rate[d] * w.value_factor, 0.0)
        days = prm["offer_days"]
        delay = np.minimum(-np.log1p(-u["time"][d]) * days / 4, days - 0.01)
        self.extras.add(d[extra], t + delay[extra])
        extra_coupon = extra & (a.coupon > 0) & (value >= a.threshold)
        used, ordered = _coupon_on_baseline(self.base, self.redeemed, d[~extra_coupon], t, a,
                                            days)
        left = np.zeros(len(d), dtype=bool)
        left[~extra_coupon] = ordered
        unsubscribed = u["unsubscribe"][d] < R.fatigue_probability("unsubscribe", a.medium,
                                                                   a.purpose, x)
        complained = u["complaint"][d] < R.fatigue_probability("complaint", a.medium,
                                                               a.purpose, x)
        self.unsub[m, d[unsubscribed]] = True
        self.in_week[d] += 1
        self.contacts[d] += 1
        self.recent[d] += 1
        self.past.append((t, d))
        self.last_row[d] = row
        revenue = float(value.sum())
        coupon_cost = a.coupon * float(extra_coupon.sum() + used.sum())
        message_cost = prm[f"message_cost_{a.medium}"] * len(d)
        profit = revenue * w.margin_rate - coupon_cost - message_cost
        penalty = (self.sub_value[m] * unsubscribed.sum()
                   + self.complaint_cost[m] * complained.sum())
        self.acc[row] += np.array(
            [len(reachable), len(d), opened.sum(), clicked.sum(), (left | extra).sum(),
             extra.sum(), revenue, revenue * w.margin_rate, coupon_cost, message_cost, profit,
             unsubscribed.sum(), complained.sum(), 0, 0, penalty, profit - penalty], dtype=float)

    def end_week(self, wk: int) -> None:
        """The fatigue the week's plan messages added to the routine messages."""
        who = np.flatnonzero(self.in_week > 0)
        count, seg, uni = self.draws.routine(wk)
        who = who[count[who] > 0]
        if len(who):
            share = self.draws.share[:, who] * ~self.unsub[:, who]
            rows = self.last_row[who]
            for e, event in enumerate(("unsubscribe", "complaint")):
                added = RT.added_fatigue(event, count[who], self.in_week[who], share, seg[who])
                hit = uni[e][:, who] < added  # media x customers
                cost = (self.sub_value if e == 0 else self.complaint_cost) @ hit
                if e == 0:
                    for m in range(len(R.MEDIA)):
                        self.unsub[m, who[hit[m]]] = True
                for col, vals in ((f"{event}s", hit.sum(axis=0)),
                                  (f"routine_{event}s", hit.sum(axis=0)),
                                  ("fatigue_penalty", cost), ("profit_after_fatigue", -cost)):
                    np.add.at(self.acc[:, _C[col]], rows, vals)
        self.in_week[:] = 0
        self.last_row[:] = -1


def play(w: Prepared, seed: int, cap: int, actions: list[tuple[np.ndarray, Action]],
         base: dict, costs: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Send ``actions`` (each: its customers' positions and the action) on ``seed``.

    Parameters
    ----------
    w, seed
        The prepared world and the seed of the draws.
    cap
        At most this many plan messages a customer a week.
    actions
        The plan's actions in a fixed order (the rows of the result).
    base
        The baseline orders of the seed (:func:`coursekit.sandbox.world.baseline`).
    costs
        Yuan per unsubscribe and per complaint, by medium (``response.MEDIA`` order).

    Returns
    -------
    numpy.ndarray
        One row per action, the :data:`COLUMNS` added up over its weeks.
    """
    sends = sorted((wk, a.day, a.hour, R.MEDIA.index(a.medium), row)
                   for row, (_, a) in enumerate(actions) for wk in a.weeks)
    state = _Run(w, seed, base, costs, len(actions))
    current = 0
    for wk, _, _, m, row in sends:
        if wk != current:
            if current:
                state.end_week(current)
            current = wk
        who, a = actions[row]
        state.send(row, who, a, wk, m, cap)
    if current:
        state.end_week(current)
    return state.acc
