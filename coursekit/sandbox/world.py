"""The simulated company when the data ends, prepared once per world folder for the sandbox.

What the sandbox reads of a world: the end state (``state.parquet``, latent:
who still buys, their rates, reach and recent message load), the features
the company can see (:mod:`coursekit.sandbox.audience`), the contribution
margin rate of the last year of orders and the calendar after the data. It
also lays out the **baseline**: the orders each customer places in 2026 when
the plan does nothing, drawn once per seed from the end state (the world's
own purchase process), and shared by every plan run on that seed.
"""

from __future__ import annotations

import dataclasses
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from coursekit.world import params as P
from coursekit.world import personas

__all__ = ["Prepared", "baseline", "prepare", "rng", "send_multiplier"]

#: Spacing of the (user, time) sort key of orders: above any day number of the calendar.
KEY = 4096.0
_CACHE: dict[tuple[str, str], Prepared] = {}
_VARIANTS: dict[tuple, Prepared] = {}
_BASELINE: dict[tuple[int, int], tuple[Prepared, dict[str, np.ndarray]]] = {}


def rng(seed: int, stream: str, *cell: int) -> np.random.Generator:
    """The Generator of one stream of draws, seeded by (seed, stream name, cell numbers)."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(stream.encode()),
                                                         *cell]))


@dataclass(frozen=True, eq=False)
class Prepared:
    """A world ready for the sandbox: per-user arrays in the order of ``users``."""

    folder: str
    features: pd.DataFrame
    status: np.ndarray        # 0 prospect, 1 alive, 2 dropped, 3 never
    rate: np.ndarray          # purchase rate per day while alive
    dropout: np.ndarray       # p
    spend_rate: np.ndarray    # nu
    engagement: np.ndarray    # 0.5 log(browse) +- the world's alive shift
    persona: np.ndarray       # codes into personas.NAMES
    reach: np.ndarray         # (media, users) bool: reachable when the data ends
    ever_reach: np.ndarray    # (media, users) bool: reachable, or unsubscribed since
    intensity: np.ndarray     # the CRM's send intensity of the user (mean 1)
    load7: np.ndarray
    load28: np.ndarray
    first_due: np.ndarray     # day of a prospect's first order
    state_orders: np.ndarray
    obs_count: np.ndarray     # orders the company saw
    obs_first: np.ndarray
    obs_last: np.ndarray
    end: float                # the day the data ends (days since START)
    sim_end: float            # the calendar's last day + 1
    cum_buy: np.ndarray       # cumulative buying multiplier from START
    send_mult: np.ndarray     # the CRM's daily send multiplier (festival run-ups), from START
    margin_rate: float        # contribution / amount over the last year
    value_factor: float       # orders' gross amount / the Gamma-Gamma target value
    params: dict = dataclasses.field(default_factory=dict)  # response.values(), preset's
    industry: str = "course_company"

    @property
    def n(self) -> int:
        return len(self.status)

    def warp(self, t: np.ndarray) -> np.ndarray:
        return np.interp(t, np.arange(len(self.cum_buy), dtype=float), self.cum_buy)

    def unwarp(self, s: np.ndarray) -> np.ndarray:
        return np.interp(s, self.cum_buy, np.arange(len(self.cum_buy), dtype=float))


def _margin_rate(folder: str, orders: pd.DataFrame) -> float:
    from coursekit import load
    from coursekit.metrics import contribution_margin

    year = orders[orders["order_time"] >= pd.Timestamp(P.END) - pd.Timedelta(days=364)]
    m = contribution_margin(year, load("order_items", world=folder),
                            load("products", world=folder), load("order_costs", world=folder))
    return float(m["contribution"].sum() / m["amount"].sum())


def prepare(world: str | Path | None = None, industry: object = None) -> Prepared:
    """Load and prepare a world once; later calls with the same folder reuse it.

    Parameters
    ----------
    world
        A folder written by :func:`coursekit.world.write_world`; ``None``: the
        world :func:`coursekit.load` reads by default.
    industry
        An industry preset's name (:mod:`coursekit.sandbox.presets`); ``None``:
        the course company's own economics.
    """
    from coursekit.sandbox.presets import industry as preset

    ind = preset(industry)
    base = _prepare(world)
    key = (id(base), ind.order_value, ind.purchase_rate, ind.margin_rate, ind.uplift,
           tuple(sorted(ind.parameters.items())))
    if key[1:] == (1.0, 1.0, None, 1.0, ()):  # changes nothing: the course company itself
        return base
    if key not in _VARIANTS:  # keyed by what the preset changes, not by its name
        from coursekit.sandbox.response import values

        params = values(ind.parameters)
        for name in params:
            if name.startswith("uplift_") and name not in ind.parameters:
                params[name] *= ind.uplift
        _VARIANTS[key] = dataclasses.replace(
            base, rate=base.rate * ind.purchase_rate,
            value_factor=base.value_factor * ind.order_value,
            margin_rate=base.margin_rate if ind.margin_rate is None else ind.margin_rate,
            params=params, industry=ind.name)
    return _VARIANTS[key]


def _prepare(world: str | Path | None) -> Prepared:
    """The course company's preparation of ``world`` (cached: one world at a time)."""
    from coursekit import load
    from coursekit.data import world_dir
    from coursekit.sandbox.audience import read_features
    from coursekit.sandbox.response import MEDIA, values
    from coursekit.world import read_state
    from coursekit.world.calendar import build_calendar

    folder = world_dir(world).resolve()
    key = (str(folder), _state_checksum(folder))
    if key in _CACHE:
        return _CACHE[key]
    state = read_state(folder)
    if "persona" not in state.columns:
        from coursekit.errors import DataError

        raise DataError(f"{folder.name} is a World 1 world: the sandbox runs World 2's company "
                        "(its personas, order costs and early dropout)", table="state",
                        column="persona",
                        fix="generate a World 2 world: coursekit data generate --out DIR")
    users = load("users", world=str(folder))
    orders = load("orders", world=str(folder))
    state = state.set_index("user_id").reindex(users["user_id"].to_numpy())
    feats = read_features(folder)
    status = state["status"].cat.codes.to_numpy().astype(np.int8)
    cats = list(state["status"].cat.categories)
    status = np.array([["prospect", "alive", "dropped", "never"].index(c) for c in cats],
                      dtype=np.int8)[status]
    buying = status <= 1
    eng = 0.5 * np.log(state["browse"].to_numpy(dtype=float)) + np.where(
        buying, P.MESSAGING["engagement_alive"], P.MESSAGING["engagement_dropped"])
    cal = build_calendar(P.SIM_END)
    end = float((pd.Timestamp(P.END) - pd.Timestamp(P.START)).days + 1)
    nu = state["spend_rate"].to_numpy(dtype=float)
    pos = pd.Index(users["user_id"]).get_indexer(orders["user_id"])
    target = float((P.Params.p / nu[pos]).sum())
    persona = pd.Categorical(state["persona"], categories=personas.NAMES).codes.astype(np.int8)
    prepared = Prepared(
        folder=str(folder), features=feats, status=status,
        rate=state["purchase_rate"].to_numpy(dtype=float),
        dropout=state["dropout_p"].to_numpy(dtype=float), spend_rate=nu, engagement=eng,
        persona=persona,
        reach=np.vstack([state[f"reach_{m}"].to_numpy(dtype=bool) for m in MEDIA]),
        ever_reach=np.vstack([state[f"reach_{m}"].to_numpy(dtype=bool)
                              | state[f"unsubscribed_{m}"].to_numpy(dtype=bool)
                              for m in MEDIA]),
        intensity=state["message_intensity"].to_numpy(dtype=float),
        load7=state["messages_last_7d"].to_numpy(dtype=float),
        load28=state["messages_last_28d"].to_numpy(dtype=float),
        first_due=state["first_purchase_day"].to_numpy(dtype=float),
        state_orders=state["orders"].to_numpy(dtype=np.int64),
        obs_count=feats["orders"].to_numpy(dtype=np.int64),
        obs_first=_first_day(users, orders, pos, first=True),
        obs_last=_first_day(users, orders, pos, first=False),
        end=end, sim_end=float(cal.n_days), cum_buy=cal.cumulative("buy"),
        send_mult=send_multiplier(cal.n_days),
        margin_rate=_margin_rate(str(folder), orders),
        value_factor=float(orders["gross_amount"].sum()) / target if target > 0 else 1.0,
        params=values(),
    )
    _CACHE.clear()  # one world at a time: a class works on one world
    _VARIANTS.clear()
    _BASELINE.clear()
    _CACHE[key] = prepared
    return prepared


def send_multiplier(n_days: int) -> np.ndarray:
    """The CRM's daily send multiplier over ``n_days`` from START: the world's rule
    (``coursekit.world.messaging.send_multiplier``) carried on to the calendar's last year.

    Over the ``festival_lead_days`` plus the buying run-up of each festival of
    ``params.FESTIVALS`` the rate rises linearly to ``1 + festival_push x (peak
    - 1)`` on the festival day; 1 elsewhere.

    Examples
    --------
    >>> mult = send_multiplier(1096)
    >>> day = (pd.Timestamp("2026-11-11") - pd.Timestamp(P.START)).days
    >>> float(mult[day]), float(mult[day - 30])
    (2.575, 1.0)
    """
    mult = np.ones(n_days)
    push, lead = P.MESSAGING["festival_push"], int(P.MESSAGING["festival_lead_days"])
    last = (P.START + pd.Timedelta(days=n_days - 1)).year
    for year in range(P.START.year, last + 1):
        for _, month, day, peak, runup in P.FESTIVALS:
            i = (pd.Timestamp(year, month, day) - pd.Timestamp(P.START)).days
            n = runup + lead
            lo, hi = max(0, i - n), min(i + 1, n_days)
            if hi <= lo:
                continue
            ramp = np.linspace(1.0, 1.0 + push * (peak - 1.0), n + 1)[lo - (i - n): hi - (i - n)]
            mult[lo:hi] = np.maximum(mult[lo:hi], ramp)
    return mult


def _state_checksum(folder: Path) -> str:
    """The end state's checksum in the world's manifest ('' when there is none)."""
    import json

    try:
        return str(json.loads((folder / "checksums.json").read_text(encoding="utf-8"))
                   ["state"]["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def _first_day(users: pd.DataFrame, orders: pd.DataFrame, pos: np.ndarray, *,
               first: bool) -> np.ndarray:
    day = ((orders["order_time"] - pd.Timestamp(P.START)) / pd.Timedelta(days=1)).to_numpy()
    out = np.full(len(users), np.inf if first else -np.inf)
    (np.minimum if first else np.maximum).at(out, pos, day)
    return out


def baseline(w: Prepared, seed: int) -> dict[str, np.ndarray]:
    """The orders of 2026 without the plan: ``user``, ``t`` (day), ``value`` and ``key``.

    Alive customers go on buying at their rate times the calendar's buying
    multiplier and stop after each order with the world's chances (``p``
    after a repeat order, the mean late-delivery and complaint driver, World
    2's early dropout fading with each order); prospects place their first
    order on the day it is due, then buy the same way. Values are Gamma-Gamma
    draws (``Gamma(p, nu)``) scaled by the world's basket rounding. Sorted by
    user, then time; ``key = user * KEY + t``.
    """
    cache = (id(w), seed)
    hit = _BASELINE.get(cache)
    if hit is not None and hit[0] is w:
        return hit[1]
    g = rng(seed, "sandbox:baseline")
    alive = np.flatnonzero(w.status == 1)
    due = np.flatnonzero((w.status == 0) & (w.first_due >= w.end) & (w.first_due < w.sim_end))
    who = np.concatenate([alive, due])
    start = np.concatenate([np.full(len(alive), w.end), w.first_due[due]])
    w0, w1 = w.warp(start), w.warp(np.full(len(who), w.sim_end - 1e-6))
    m = g.poisson(w.rate[who] * (w1 - w0))
    group = np.repeat(np.arange(len(who)), m)
    pos = np.sort(group + g.random(len(group)))  # sorted uniforms within each customer
    rep_t = w.unwarp(w0[group] + (pos - group) * (w1 - w0)[group])
    # Orders laid out per customer: a prospect's first order, then the repeats.
    first = np.zeros(len(who), dtype=np.int64)
    first[len(alive):] = 1
    counts = m + first
    user = np.repeat(who, counts)
    t = np.empty(len(user))
    is_first = np.zeros(len(user), dtype=bool)
    starts = np.cumsum(counts) - counts
    is_first[starts[len(alive):]] = True
    t[is_first] = w.first_due[due]
    t[~is_first] = rep_t
    k = np.arange(len(user)) - np.repeat(starts, counts) + np.repeat(
        np.where(first == 1, 0, w.state_orders[who]), counts)
    prm = w.params
    base = np.where(is_first, 0.0, w.dropout[user])
    p_die = 1 - (1 - base) * (1 - prm["dropout_driver"]) * (
        1 - prm["early_dropout"] * prm["early_fade"] ** k)
    die = g.random(len(user)) < p_die
    csum = np.concatenate([[0], np.cumsum(die)])  # dropouts before each position
    keep = csum[:-1] == np.repeat(csum[starts], counts)  # none strictly before, same customer
    value = g.gamma(prm["gamma_gamma_p"], 1.0, len(user)) / w.spend_rate[user] * w.value_factor
    user, t, value = user[keep], t[keep], value[keep]
    order = np.lexsort((t, user))
    out = dict(user=user[order], t=t[order], value=value[order])
    out["key"] = out["user"] * KEY + out["t"]
    _BASELINE[cache] = (w, out)
    return out
