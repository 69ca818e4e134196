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

    Returns ``count`` (events per session, so session-level columns expand
    with one ``np.repeat``); per event ``t`` (days), ``etype`` (codes into
    :data:`EVENT_TYPES`) and ``product_id`` (0 when none); and for the order
    events, their positions ``order_at`` and the orders placed ``order_pos``.
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
    starts = np.cumsum(count) - count
    n_ev = int(count.sum())
    # Lay events out by position: views fill the session, and each other type
    # sits at its offset (the types before it in the session) where present.
    etype = np.full(n_ev, EVENT_TYPES.index("view"), dtype=np.int8)
    offset = starts.copy()
    at = {}
    for code, n_k in enumerate(n_type):  # loop over the 7 event types
        if code != EVENT_TYPES.index("view"):
            has = np.flatnonzero(n_k)
            at[code] = (has, offset[has])
            etype[offset[has]] = code
        offset += n_k
    del offset, n_type
    # Seconds between steps: exponential gaps, cumulated within each session.
    csum = rng.standard_exponential(n_ev)
    csum *= 45.0 / 86400
    csum[starts] = 0.0
    np.cumsum(csum, out=csum)
    t = np.repeat(sess["t"] - csum[starts], count)
    t += csum
    del csum
    # Products: views and carts show a product of the session's category, popular
    # ones more often (rank ~ geometric); the cart and order steps of an order
    # session point at the order's first item.
    browsed = np.flatnonzero((etype == 2) | (etype == 3))
    pid = np.zeros(n_ev, dtype=np.int16)
    rank = rng.standard_exponential(len(browsed), dtype=np.float32)
    rank = np.minimum(np.floor(rank / -np.log(0.7)), 9).astype(np.int16)
    pid[browsed] = np.repeat(sess["category"].astype(np.int16) * 10 + 1, count)[browsed] + rank
    del rank, browsed
    cart_s, cart_at = at[EVENT_TYPES.index("add_to_cart")]
    of_order = sess["order_pos"][cart_s] >= 0
    pid[cart_at[of_order]] = item_first[sess["order_pos"][cart_s[of_order]]]
    order_s, order_at = at[EVENT_TYPES.index("order")]
    assert pid.max() <= n_products
    return dict(
        count=count,
        t=t,
        etype=etype,
        product_id=pid,
        order_at=order_at,
        order_pos=sess["order_pos"][order_s],
    )
