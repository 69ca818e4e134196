"""Generator step for behaviour in the app: sessions and their events.

Sessions come from a few superposed Poisson processes per user: a novelty
burst right after sign-up, a steady rate while the customer is alive, a
fading tail after dropout (activity falls before the orders stop being
expected), plus one session per order, per failed checkout and per
invitation sent.
"""

from __future__ import annotations

import numpy as np

from coursekit.world import params as P
from coursekit.world._util import rng_for, seconds, sort_order, with_time_of_day
from coursekit.world.blocks import block_sessions
from coursekit.world.calendar import Calendar

EVENT_TYPES = ["signup", "search", "view", "add_to_cart", "order", "share", "invite"]


# Mean extra views of a session by kind (sign-up, browse, order, failed checkout,
# invitation), and whether a view is certain (browse, order and failed sessions).
_VIEW_MEAN = np.array([1.0, 1.2, 1.5, 1.0, 0.0])
_VIEW_BASE = np.array([0, 1, 1, 1, 0], dtype=np.int8)


def _bursts(rng, owner, start, scale: float, mean_count):
    """Sessions after ``start`` with exponentially decaying rate (count ~ Poisson)."""
    k = rng.poisson(mean_count)
    who = np.repeat(owner, k)
    t = rng.standard_exponential(len(who))
    t *= scale
    t += np.repeat(start, k)
    return who, t


def sessions(
    seed: int, u: dict, o: dict, invites: dict, failed: dict, cal: Calendar, prm: P.Params
) -> dict[str, np.ndarray]:
    """All sessions with their parts, in time order (sign-up sessions first on ties).

    The events are expanded from them by :func:`events`. Returns arrays:
    ``user_idx``, ``t`` (days), ``kind`` (0 sign-up, 1 browse, 2 order,
    3 failed checkout, 4 invitation), ``order_pos`` (-1 unless an order) and
    ``category`` (the product category the session browses).
    """
    rng = rng_for(seed, "sessions")
    n = len(u["user_id"])
    end = float(cal.n_days)
    ids = np.arange(n, dtype=np.int32)
    signup = u["signup_t"]
    browse = u["_browse"]
    parts = []

    def add(who, t, kind, order_pos=None):
        keep = t < end
        k = int(keep.sum())
        parts.append(
            dict(
                user_idx=who[keep].astype(np.int32),
                t=t[keep],
                kind=np.full(k, kind, dtype=np.int8),
                order_pos=(
                    np.full(k, -1, dtype=np.int32)
                    if order_pos is None
                    else order_pos[keep].astype(np.int32)
                ),
            )
        )

    add(ids, signup, 0)  # the sign-up session
    who, t = _bursts(rng, ids, signup + 0.02, prm.novelty_days, prm.novelty_sessions * browse)
    add(who, t, 1)
    # While alive: buyers from their first order to dropout (or the end of data).
    # The global time sort below orders them, so the uniforms need no sorting here.
    buyer = np.isfinite(o["first_t"])
    b = np.flatnonzero(buyer)
    t0 = o["first_t"][b]
    t1 = np.minimum(o["alive_end"][b], end - 1e-9)
    rate = prm.sessions_per_order * u["_lambda"][b] * browse[b]
    w0, w1 = cal.warp(t0, "visit"), cal.warp(t1, "visit")
    k = rng.poisson(rate * np.maximum(w1 - w0, 0.0))
    owner = np.repeat(b, k)
    w = rng.random(len(owner))
    w *= np.repeat(w1 - w0, k)
    w += np.repeat(w0, k)
    add(owner, with_time_of_day(rng, cal.unwarp(w, "visit")), 1)
    del w, owner
    # After dropout: a fading tail of visits.
    d = b[np.isfinite(o["alive_end"][b])]
    who, t = _bursts(
        rng,
        d,
        o["alive_end"][d] + 0.5,
        prm.fade_days,
        prm.sessions_per_order * u["_lambda"][d] * browse[d] * prm.fade_days,
    )
    add(who, with_time_of_day(rng, t), 1)
    # Customers who never buy: occasional visits for a while.
    nb = np.flatnonzero(~buyer)
    stay = rng.exponential(60.0, len(nb))
    k = rng.poisson(prm.nonbuyer_rate * browse[nb] * stay)
    owner = np.repeat(nb, k)
    t = np.repeat(signup[nb], k) + rng.random(len(owner)) * np.repeat(stay, k)
    add(owner, with_time_of_day(rng, t), 1)
    # One session per order (starting a few minutes before it), failed checkout, invitation.
    n_o = len(o["t"])
    add(o["user_idx"], o["t"] - rng.uniform(2, 15, n_o) / 1440, 2, np.arange(n_o))
    add(failed["user_idx"], failed["t"], 3)
    ok = invites["inviter_idx"] >= 0
    add(invites["inviter_idx"][ok], invites["invite_t"][ok], 4)

    s = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    parts.clear()
    s["t"] = np.maximum(s["t"], signup[s["user_idx"]])  # nothing before sign-up
    # A session browses one category drawn from the user's tastes (inverse CDF: one
    # comparison per category). The parts list sessions user by user, so these
    # lookups run almost in order (cheap), unlike after the time sort.
    cum = np.cumsum(u["_fav"], axis=1).T.astype(np.float32)
    q = rng.random(len(s["t"]), dtype=np.float32)
    cat = np.zeros(len(q), dtype=np.int8)
    for j in range(cum.shape[0] - 1):  # loop over the 8 categories, not over sessions
        cat += q > cum[j][s["user_idx"]]
    s["category"] = cat
    del cum, q, cat
    # Time order to the second, then by kind: one packed integer sort.
    key = seconds(s["t"]) << 3
    key |= s["kind"]
    order = sort_order(key, 30)
    del key
    return {k: v[order] for k, v in s.items()}


def events(
    seed: int, sess: dict, u: dict, o: dict, item_first: np.ndarray, n_products: int
) -> dict[str, np.ndarray]:
    """Expand sessions into events, in this order within a session:
    [signup] [search] views [add_to_cart] [order] [share] [invite].

    Returns ``bounds`` (session ``k`` holds events ``bounds[k]`` to
    ``bounds[k + 1] - 1``); per event ``sec`` (time in whole seconds since
    START, :func:`~coursekit.world._util.seconds`, ``int32`` when it fits),
    ``etype`` (codes into :data:`EVENT_TYPES`) and ``product_id`` (0 when
    none); and for the order events, their positions ``order_at`` (ascending)
    and the orders placed ``order_pos``.
    """
    rng = rng_for(seed, "events")
    kind = sess["kind"]
    user = sess["user_idx"]
    m = len(kind)
    share_p = np.minimum(0.25, 0.02 * u["_share"][user])
    # Events of each type per session (all 0 or 1 except views).
    n_type = [
        (kind == 0).astype(np.int8),
        ((kind <= 2) & (rng.random(m) < np.where(kind == 2, 0.4, 0.3))).astype(np.int8),
        (_VIEW_BASE[kind] + rng.poisson(_VIEW_MEAN[kind]).clip(max=100)).astype(np.int8),
        ((kind == 2) | (kind == 3) | ((kind == 1) & (rng.random(m) < 0.12))).astype(np.int8),
        (kind == 2).astype(np.int8),
        ((kind == 1) & (rng.random(m) < share_p)).astype(np.int8),
        (kind == 4).astype(np.int8),
    ]
    del share_p
    count = np.sum(n_type, axis=0, dtype=np.int64)
    bounds = np.concatenate([[0], np.cumsum(count)])
    starts = bounds[:-1]
    n_ev = int(bounds[-1])
    # Lay events out by position: views fill the session, and each other type
    # sits at its offset (the types before it in the session) where present.
    view, cart, order = (EVENT_TYPES.index(k) for k in ("view", "add_to_cart", "order"))
    etype = np.full(n_ev, view, dtype=np.int8)
    offset = starts.copy()
    at = {}
    for code, n_k in enumerate(n_type):  # loop over the 7 event types
        if code != view:
            has = np.flatnonzero(n_k)
            if code in (cart, order):
                at[code] = (has, offset[has])
            etype[offset[has]] = code
            del has
        offset += n_k
    del offset, n_type
    sec = _event_seconds(rng, sess["t"], bounds)
    # Products: views and carts show a product of the session's category, popular
    # ones more often (rank ~ geometric); the cart and order steps of an order
    # session point at the order's first item.
    browsed = (etype == 2) | (etype == 3)
    pid = np.zeros(n_ev, dtype=np.int16)
    rank = _popularity_rank(
        rng.standard_exponential(int(np.count_nonzero(browsed)), dtype=np.float32))
    pid[browsed] = np.repeat(sess["category"].astype(np.int16) * 10 + 1, count)[browsed] + rank
    del rank, browsed, count
    cart_s, cart_at = at[cart]
    of_order = sess["order_pos"][cart_s] >= 0
    pid[cart_at[of_order]] = item_first[sess["order_pos"][cart_s[of_order]]]
    order_s, order_at = at[order]
    assert pid.max() <= n_products
    return dict(
        bounds=bounds,
        sec=sec,
        etype=etype,
        product_id=pid,
        order_at=order_at,
        order_pos=sess["order_pos"][order_s],
    )


def _popularity_rank(draw: np.ndarray, block: int = 1 << 20) -> np.ndarray:
    """Rank 0-9 of a product in its category's popularity (geometric, ratio 0.7, capped)
    from standard exponential draws, worked out a block at a time (float64 steps)."""
    rank = np.empty(len(draw), dtype=np.int16)
    for lo in range(0, len(draw), block):
        rank[lo : lo + block] = np.minimum(np.floor(draw[lo : lo + block] / -np.log(0.7)), 9)
    return rank


def _event_seconds(rng: np.random.Generator, session_t: np.ndarray, bounds: np.ndarray,
                   block: int = 1 << 20) -> np.ndarray:
    """Time of every event, in whole seconds since START: the session's time plus
    exponential gaps (45 s on average) cumulated within the session.

    The gaps cumulate as one running sum over the whole log, less its value at
    the session's start; the log is worked through a block of events at a time
    (the same draws and the same sums, without log-sized float arrays).
    """
    n_ev = int(bounds[-1])
    starts = bounds[:-1]
    sec = np.empty(n_ev, dtype=np.int32)
    base = np.empty(len(session_t))  # the session's time less the running sum at its start
    running = 0.0
    for lo in range(0, n_ev, block):
        hi = min(lo + block, n_ev)
        csum = rng.standard_exponential(hi - lo)
        csum *= 45.0 / 86400
        first, last = np.searchsorted(starts, [lo, hi])  # the sessions that start here
        begin = starts[first:last] - lo
        csum[begin] = 0.0
        csum[0] += running
        np.cumsum(csum, out=csum)
        running = csum[-1]
        base[first:last] = session_t[first:last] - csum[begin]
        csum += base[block_sessions(bounds, lo, hi)]
        part = seconds(csum)
        if sec.dtype == np.int32 and not (
                part.min() >= np.iinfo(np.int32).min and part.max() <= np.iinfo(np.int32).max):
            sec = sec.astype(np.int64)
        sec[lo:hi] = part
    return sec
