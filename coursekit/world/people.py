"""Generator steps for people: users with their latent traits, and referrals."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from coursekit.world import params as P
from coursekit.world._util import choice_codes, rng_for, sort_order, with_time_of_day
from coursekit.world.calendar import Calendar

N_STORES = 24
# Labels of the users' categorical attributes; the generator carries integer codes
# (positions in these lists) and turns them into categoricals only when publishing.
LABELS: dict[str, list[str]] = dict(
    channel=list(P.CHANNELS),
    city_tier=list(P.CITY_TIERS),
    region=list(P.REGIONS),
    age_band=list(P.AGE_BANDS),
    gender=list(P.GENDERS),
    device=list(P.DEVICES),
)
AGE_SHIFT = {"18-24": -0.3, "25-30": 0.1, "31-35": 0.2, "36-40": 0.1, "41+": -0.1}


def code_of(attribute: str, label: str) -> int:
    """Integer code of ``label`` in the labels of a user ``attribute`` (see :data:`LABELS`)."""
    return LABELS[attribute].index(label)


def signup_weights(cal: Calendar, prm: P.Params) -> np.ndarray:
    """Relative sign-ups per channel (rows, in ``LABELS["channel"]`` order) and day.

    A linear growth trend times the browsing calendar, with the paid channels'
    pushes before the sales. Deterministic: :func:`users` allocates sign-ups by
    it; times ``n / sum`` it is the expected sign-ups of a world of ``n`` users.
    """
    names = LABELS["channel"]
    share = np.array([P.CHANNELS[c]["share"] for c in names])
    trend = np.linspace(1.0, prm.growth, cal.n_days)
    push = 1.0 + 0.5 * (cal.buy - 1.0)  # paid channels spend more before sales
    cell = share[:, None] * (trend * cal.visit)[None, :]
    paid = np.array([P.CHANNELS[c]["cac"] > 0 and c != "referral" for c in names])
    cell[paid] *= push[None, :]
    return cell


def users(n: int, seed: int, cal: Calendar, prm: P.Params) -> dict[str, np.ndarray]:
    """Sign-ups by channel and day, observable attributes and latent traits.

    Daily sign-ups per channel follow a linear growth trend, the browsing
    calendar, and marketing pushes before festivals; ``n`` users are allocated
    to (channel, day) cells with one multinomial draw, so the total is exact.
    Returns columns as arrays, sorted by sign-up time; categorical attributes
    are integer codes into :data:`LABELS`; latent traits (names starting with
    ``_``) stay out of the published tables.
    """
    rng = rng_for(seed, "users")
    names = LABELS["channel"]
    cell = signup_weights(cal, prm)
    counts = rng.multinomial(n, (cell / cell.sum()).ravel()).reshape(cell.shape)
    ch_idx, day = np.nonzero(counts)
    k = counts[ch_idx, day]
    channel = np.repeat(ch_idx.astype(np.int8), k)
    t = np.repeat(day, k) + rng.random(n)
    t = np.minimum(with_time_of_day(rng, t), cal.n_days - 1e-6)
    # Sign-up times on a grid of 2**-26 day (about 1 ms), so one integer sort is exact.
    grid = np.floor(t * 2.0**26).astype(np.int64)
    order = sort_order(grid, 36)
    channel = channel[order]
    t = grid[order] / 2.0**26
    del grid, order

    cm = {
        key: np.array([P.CHANNELS[c][key] for c in names])[channel] for key in P.CHANNELS["organic"]
    }
    tier = choice_codes(rng, P.CITY_TIERS, n)
    region = choice_codes(rng, P.REGIONS, n)
    age = choice_codes(rng, P.AGE_BANDS, n)
    gender = choice_codes(rng, P.GENDERS, n)
    device = choice_codes(rng, P.DEVICES, n)
    # Lower-tier cities use the mini-program more.
    low_tier = np.isin(tier, [code_of("city_tier", "3"), code_of("city_tier", "4+")])
    swap = low_tier & (rng.random(n) < 0.15)
    device[swap] = code_of("device", "mini_program")
    store = np.where(
        channel == code_of("channel", "offline_store"), rng.integers(1, N_STORES + 1, n), 0
    )

    # Latent traits. Conversion to a first purchase depends on channel, age and gender.
    age_shift = np.array([AGE_SHIFT[a] for a in LABELS["age_band"]])[age]
    logit = (
        np.log(cm["convert"] / (1 - cm["convert"]))
        + age_shift
        + 0.15 * (gender == code_of("gender", "female"))
    )
    converts = rng.random(n) < 1 / (1 + np.exp(-logit))
    lam = rng.gamma(prm.r, 1.0 / prm.alpha, n) * cm["rate"]
    a_i, b_i = prm.a, prm.b / cm["dropout"]
    p_drop = rng.beta(a_i, b_i)
    nu = rng.gamma(prm.q, 1.0 / (prm.gamma * cm["spend"]), n)
    share_prop = rng.gamma(0.5, 2.0, n)  # willingness to share and invite (heavy-tailed)
    browse = rng.gamma(2.0, 0.5, n)  # browsing intensity relative to purchasing
    fav = rng.dirichlet(np.full(8, 0.6), n)  # category affinity
    return dict(
        user_id=np.arange(1, n + 1, dtype=np.int64),
        signup_t=t,
        channel=channel,
        city_tier=tier,
        region=region,
        age_band=age,
        gender=gender,
        device=device,
        store_id=store,
        _converts=converts,
        _lambda=lam,
        _p=p_drop,
        _nu=nu,
        _share=share_prop,
        _browse=browse,
        _fav=fav,
    )


def referrals(
    seed: int, u: dict, orders_first_t: np.ndarray, prm: P.Params
) -> dict[str, np.ndarray]:
    """Invitations from existing customers: the accepted ones bring the
    ``referral`` sign-ups; the rest are invitations nobody answered.

    An inviter must have signed up before the invitation; customers who share
    more and who buy invite more. Inviters are drawn by weighted sampling over
    the users who came earlier, with one ``searchsorted`` on cumulative weights.
    """
    rng = rng_for(seed, "referrals")
    weight = u["_share"] * np.where(np.isfinite(orders_first_t), 1.0, 0.15)
    cumw = np.cumsum(weight)
    signup = u["signup_t"]

    def draw_inviters(invite_t: np.ndarray) -> np.ndarray:
        k = np.searchsorted(signup, invite_t, side="left")  # users who signed up before
        ok = k > 0
        out = np.full(len(invite_t), -1, dtype=np.int64)
        top = cumw[np.maximum(k - 1, 0)]
        pick = np.searchsorted(cumw, rng.random(len(invite_t)) * top, side="right")
        out[ok] = np.minimum(pick[ok], k[ok] - 1)
        return out

    return _invitations(rng, u, prm, draw_inviters)


def referrals_after_good_experience(
    seed: int, u: dict, good_t: np.ndarray, prm: P.Params, w2: P.World2
) -> dict[str, np.ndarray]:
    """World 2's invitations: from customers after a good experience; the
    accepted ones bring the ``referral`` sign-ups, the rest nobody answered.

    A customer can invite once they have had a good experience (``good_t``: their
    first order delivered on time; inf for never), more if they share more.
    An invitation at time t comes, with chance ``invite_fresh``, from a customer
    weighted by ``share * exp(-(t - good_t) / invite_lag)``, so most come soon
    after the good experience; otherwise from any such customer, weighted by
    ``share``. Because the time factor ``exp(-t / invite_lag)`` is common to all
    candidates, both draws are one ``searchsorted`` on cumulative weights over
    the customers sorted by ``good_t``.
    """
    rng = rng_for(seed, "referrals")
    by_good = np.argsort(good_t, kind="stable")
    g = good_t[by_good]
    able = np.isfinite(g)
    by_good, g = by_good[able], g[able]
    share = u["_share"][by_good]
    latest = g[-1] if len(g) else 0.0
    cum_fresh = np.cumsum(share * np.exp((g - latest) / w2.invite_lag))
    cum_any = np.cumsum(share)

    def draw_inviters(invite_t: np.ndarray) -> np.ndarray:
        k = np.searchsorted(g, invite_t, side="left")  # customers with a good experience
        ok = k > 0
        fresh = rng.random(len(invite_t)) < w2.invite_fresh
        out = np.full(len(invite_t), -1, dtype=np.int64)
        top = np.where(fresh, cum_fresh[np.maximum(k - 1, 0)], cum_any[np.maximum(k - 1, 0)])
        u01 = rng.random(len(invite_t)) * top
        pick = np.where(fresh, np.searchsorted(cum_fresh, u01, side="right"),
                        np.searchsorted(cum_any, u01, side="right"))
        out[ok] = by_good[np.minimum(pick[ok], k[ok] - 1)]
        return out

    return _invitations(rng, u, prm, draw_inviters)


def _invitations(rng: np.random.Generator, u: dict, prm: P.Params,
                 draw_inviters: Callable[[np.ndarray], np.ndarray]) -> dict[str, np.ndarray]:
    """Every invitation, the accepted ones (the referral sign-ups) and the rest,
    with inviters from ``draw_inviters`` (invitation times -> user positions, -1
    for nobody yet)."""
    n = len(u["user_id"])
    signup = u["signup_t"]
    invitee = np.flatnonzero(u["channel"] == code_of("channel", "referral"))
    inv_t = signup[invitee] - rng.exponential(1.5, len(invitee))
    inviter = draw_inviters(inv_t)
    # Referral sign-ups with nobody before them (the first days) count as organic.
    orphan = inviter < 0
    u["channel"][invitee[orphan]] = code_of("channel", "organic")
    invitee, inv_t, inviter = invitee[~orphan], inv_t[~orphan], inviter[~orphan]
    n_lost = rng.poisson(len(invitee) * (1 - prm.invite_conversion) / prm.invite_conversion)
    lost_t = rng.uniform(signup[min(50, n - 1)], signup[-1], n_lost)
    lost_inviter = draw_inviters(lost_t)
    keep = lost_inviter >= 0
    lost_t, lost_inviter = lost_t[keep], lost_inviter[keep]
    invite_t = np.concatenate([inv_t, lost_t])
    inviter_all = np.concatenate([inviter, lost_inviter])
    invitee_all = np.concatenate([invitee, np.full(len(lost_t), -1)])
    order = np.argsort(invite_t, kind="stable")
    return dict(
        invite_t=invite_t[order],
        inviter_idx=inviter_all[order],
        invitee_idx=invitee_all[order],
    )
