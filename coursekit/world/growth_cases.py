"""The data of module 4, beside the company: a referral-programme test and creator deals.

Module 4 (growth models and acquisition) designs social fission (裂变: tasks,
points, lotteries, red packets, shareable posters) and buys reach from
creators (达人, MCN). Two tables hold its data:

``referral_experiment``
    A randomised test of a referral programme (老带新) run on the company's
    own customers: every user who had ordered before :data:`START` (at most
    :data:`MAX_PARTICIPANTS` of them, drawn at random) was assigned, with
    equal chances, to one of the seven arms of :data:`ARMS`: a control arm
    with no programme, and six programmes crossing the reward (a red packet
    of 5, 10 or 20 yuan, or points worth 10 yuan), how it is shared (a link
    sent to a friend, or a poster posted to Moments or a group) and the
    mechanic (a task: the reward for each invited friend whose first order
    arrives; a lottery: a draw for each invitation sent). One row per
    participant: their traits before the test (orders, spend, days since
    the last order) and what they did in the programme's 30 days:
    invitations sent, views of them, sign-ups, first orders and the reward
    paid. The invitees are not added to ``users``: the table stands alone.
``creator_deals``
    The company's creator programme (达人合作) over 2024-2025: one row per
    paid deal with a head (头部), waist (腰部) or tail (尾部) creator on
    Douyin, Xiaohongshu, Bilibili or the WeChat Video Account: the fee, the
    views, engagements and clicks of the content, and the sign-ups, first
    orders and revenue attributed to it (through the deal's link and code,
    which miss part of what the content brought).

What is planted (:data:`PROGRAMME`, :data:`TIERS`, :data:`PLATFORMS`,
:data:`FORMATS`), in short: bigger rewards bring more invitations with
diminishing returns; posters reach more people per share but convert fewer
of them, and the strangers they bring order less; lotteries bring the most
invitations and the worst invitees, and pay for activity rather than
results; loyal, recent and sociable customers invite more. Creators' views
are heavy-tailed; head creators cost far more per view and per sign-up;
waist and tail creators on Xiaohongshu bring sign-ups cheapest.

``referral_experiment`` follows the customers (drawn from the seed of the
customers, like the survey); ``creator_deals`` is the company's once (drawn
from the company seed, like :mod:`coursekit.world.cases`). In a world made
at once the two seeds are the same. Each table draws from its own random
stream (:func:`coursekit.world._util.rng_for` with the table's name), so
the other tables are untouched by them; the size of ``creator_deals`` does
not depend on the number of users.

References: Skok, D. (2009), "Lessons learned: viral marketing" (the
K-factor: invitations per user x conversion of an invitation); Kohavi, R.,
Tang, D. and Xu, Y. (2020), *Trustworthy Online Controlled Experiments*
(randomised tests with several arms).

Examples
--------
>>> deals = creator_deals(2024)
>>> len(deals), sorted(deals["tier"].unique())
(420, ['head', 'tail', 'waist'])
>>> expectations = arm_expectations()
>>> expectations["k_factor"].round(3).to_dict()  # doctest: +NORMALIZE_WHITESPACE
{'control': 0.031, 'cash_5': 0.194, 'cash_10': 0.241, 'cash_20': 0.258,
 'points_10': 0.194, 'poster_10': 0.261, 'lottery_10': 0.212}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.world._util import rng_for

__all__ = ["ARMS", "FORMATS", "GROWTH_TABLES", "MAX_PARTICIPANTS", "PLATFORMS", "PROGRAMME",
           "START", "TIERS", "arm_expectations", "creator_deals", "creator_truth",
           "growth_data", "referral_experiment"]

#: The names of module 4's tables, in the order of the data dictionary.
GROWTH_TABLES = ("referral_experiment", "creator_deals")

# ---------------------------------------------------------------- referral experiment

#: First day of the referral programme test; customers who ordered before it take part.
START = "2025-06-01"
#: Participants at most (drawn at random when more customers had ordered before START).
MAX_PARTICIPANTS = 6_000

#: The arms: reward type (none, cash red packet, points), the reward in yuan (the red
#: packet, or the points' face value: 1,000 points = 10 yuan), how it is shared, and the
#: mechanic (task: the reward for each invited friend whose first order arrives;
#: lottery: a draw for each invitation sent, won with chance ``lottery_win``).
ARMS: dict[str, dict] = {
    "control": dict(reward_type="none", reward_yuan=0.0, share_format="link",
                    mechanic="none", text="no programme: the app's ordinary share link"),
    "cash_5": dict(reward_type="cash", reward_yuan=5.0, share_format="link",
                   mechanic="task", text="5 yuan red packet per friend's first order, link"),
    "cash_10": dict(reward_type="cash", reward_yuan=10.0, share_format="link",
                    mechanic="task", text="10 yuan red packet per friend's first order, link"),
    "cash_20": dict(reward_type="cash", reward_yuan=20.0, share_format="link",
                    mechanic="task", text="20 yuan red packet per friend's first order, link"),
    "points_10": dict(reward_type="points", reward_yuan=10.0, share_format="link",
                      mechanic="task", text="1,000 points (10 yuan in the points mall) per "
                      "friend's first order, link"),
    "poster_10": dict(reward_type="cash", reward_yuan=10.0, share_format="poster",
                      mechanic="task", text="10 yuan red packet per friend's first order, "
                      "shareable poster"),
    "lottery_10": dict(reward_type="cash", reward_yuan=10.0, share_format="link",
                       mechanic="lottery", text="a lottery draw per invitation sent, winning a "
                       "10 yuan red packet, link"),
}

#: The programme's model (JSON-serialisable; kept in the truth).
PROGRAMME: dict = {
    "programme_days": 30,
    "signup_days": 14,
    "first_order_days": 30,
    # invitations per participant of average traits: control + gain (1 - exp(-R / scale))
    # for a felt reward of R yuan (diminishing returns)
    "control_invitations": 0.30,
    "reward_gain": 2.2,
    "reward_scale": 4.0,
    # a point's yuan of face value is felt as this much cash, and costs the company this
    # share of its face value (some points are never used, the rest buy goods at cost)
    "points_felt": 0.5,
    "points_cost": 0.4,
    "poster_invitations": 0.75,
    "lottery_invitations": 1.6,
    "lottery_win": 0.2,
    # views of an invitation: a link is opened with chance link_open; a poster is seen
    # by poster_views people on average (Poisson)
    "link_open": 0.65,
    "poster_views": 5.0,
    "signup_per_view": {"link": 0.16, "poster": 0.03},
    "lottery_signup": 0.55,
    "first_order_share": 0.55,
    "poster_first_order": 0.85,
    "lottery_first_order": 0.6,
    "first_order_value": 90.0,
    "first_order_value_shape": 4.0,
    # who invites: share ** a x orders ** b x (floor + (1 - floor) exp(-days / recency_days))
    "trait_share": 0.5,
    "trait_orders": 0.4,
    "trait_recency_floor": 0.4,
    "trait_recency_days": 120.0,
    "dispersion_shape": 0.7,
    "value_per_customer": 80.0,
}


#: The steps between arms whose marginal cost per extra customer the truth states.
_STEPS = (("cash_5", "cash_10"), ("cash_10", "cash_20"), ("points_10", "cash_10"),
          ("control", "cash_5"))


def _felt_reward(arm: dict) -> float:
    p = PROGRAMME
    felt = p["points_felt"] if arm["reward_type"] == "points" else 1.0
    return arm["reward_yuan"] * felt


def arm_expectations() -> pd.DataFrame:
    """Each arm's true expected outcomes per participant, from :data:`PROGRAMME`.

    Expected values per participant over the whole sample: the participants'
    trait multiplier is scaled to average 1 over the sample, so an arm's
    expected invitations per participant are its rate for average traits.

    Returns
    -------
    pandas.DataFrame
        One row per arm (index ``arm``, in :data:`ARMS` order): ``invitations``
        (per participant), ``views_per_invitation``, ``signup_per_view``,
        ``conversion`` (sign-ups per invitation), ``k_factor`` (invitations x
        conversion: sign-ups per participant), ``first_order_share`` (of the
        sign-ups), ``first_orders`` (per participant), ``reward_cost`` (yuan per
        participant), ``cost_per_customer`` (reward cost per first order),
        ``incremental_first_orders`` (over the control arm),
        ``cost_per_incremental_customer`` and ``profit`` (per participant: the
        value of the incremental customers at ``value_per_customer`` less the
        reward cost).

    Examples
    --------
    >>> e = arm_expectations()
    >>> round(float(e.loc["cash_10", "invitations"]), 4)
    2.3194
    >>> float(e.loc["cash_10", "cost_per_customer"])
    10.0
    """
    p = PROGRAMME
    rows = []
    for name, arm in ARMS.items():
        programme = arm["mechanic"] != "none"
        inv = p["control_invitations"] + (p["reward_gain"] * (
            1 - np.exp(-_felt_reward(arm) / p["reward_scale"])) if programme else 0.0)
        poster = arm["share_format"] == "poster"
        lottery = arm["mechanic"] == "lottery"
        inv *= (p["poster_invitations"] if poster else 1.0) * (
            p["lottery_invitations"] if lottery else 1.0)
        views = p["poster_views"] if poster else p["link_open"]
        per_view = p["signup_per_view"][arm["share_format"]] * (
            p["lottery_signup"] if lottery else 1.0)
        first = p["first_order_share"] * (p["poster_first_order"] if poster else 1.0) * (
            p["lottery_first_order"] if lottery else 1.0)
        k = inv * views * per_view
        orders = k * first
        if lottery:
            cost = inv * p["lottery_win"] * arm["reward_yuan"]
        elif arm["reward_type"] == "points":
            cost = orders * arm["reward_yuan"] * p["points_cost"]
        else:
            cost = orders * arm["reward_yuan"]
        rows.append(dict(arm=name, invitations=inv, views_per_invitation=views,
                         signup_per_view=per_view, conversion=views * per_view, k_factor=k,
                         first_order_share=first, first_orders=orders, reward_cost=cost))
    out = pd.DataFrame(rows).set_index("arm")
    out["cost_per_customer"] = out["reward_cost"] / out["first_orders"]
    out["incremental_first_orders"] = out["first_orders"] - out.loc["control", "first_orders"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cost_per_incremental_customer"] = np.where(
            out["incremental_first_orders"] > 0,
            out["reward_cost"] / out["incremental_first_orders"], np.nan)
    out["profit"] = p["value_per_customer"] * out["incremental_first_orders"] - out[
        "reward_cost"]
    return out


def _eligible(orders: pd.DataFrame) -> pd.DataFrame:
    """Each customer who ordered before START: orders, spend and days since the last."""
    start = pd.Timestamp(START)
    before = orders.loc[orders["order_time"] < start, ["user_id", "order_time", "amount"]]
    g = before.groupby("user_id", sort=True)
    out = pd.DataFrame({"orders_before": g.size().astype(np.int64),
                        "spend_before": g["amount"].sum().round(2),
                        "last": g["order_time"].max()})
    days = (start - out["last"]).dt.total_seconds().to_numpy() / 86_400
    out["days_since_last_order"] = np.floor(days).astype(np.int64)
    return out.drop(columns="last").rename_axis("user_id").reset_index()


def _traits(frame: pd.DataFrame, share: np.ndarray) -> np.ndarray:
    """Each participant's multiplier of invitations, scaled to average 1."""
    p = PROGRAMME
    recency = p["trait_recency_floor"] + (1 - p["trait_recency_floor"]) * np.exp(
        -frame["days_since_last_order"].to_numpy() / p["trait_recency_days"])
    raw = (np.maximum(share, 1e-6) ** p["trait_share"]
           * frame["orders_before"].to_numpy() ** p["trait_orders"] * recency)
    return raw / raw.mean() if len(raw) else raw


def _referral_rows(seed: int, orders: pd.DataFrame,
                   state: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    rng = rng_for(seed, "referral_experiment")
    p = PROGRAMME
    eligible = _eligible(orders)
    n_eligible = len(eligible)
    n = min(n_eligible, MAX_PARTICIPANTS)
    take = np.sort(rng.choice(n_eligible, n, replace=False)) if n < n_eligible \
        else np.arange(n_eligible)
    part = eligible.iloc[take].reset_index(drop=True)
    names = list(ARMS)
    arm = rng.permutation(np.resize(np.arange(len(names)), n))  # equal sizes (+-1)
    share = state.set_index("user_id")["share"].reindex(part["user_id"]).to_numpy(float)
    tau = _traits(part, share)
    e = arm_expectations()
    mech = np.array([ARMS[a]["mechanic"] for a in names])[arm]
    poster = np.array([ARMS[a]["share_format"] == "poster" for a in names])[arm]
    gamma = rng.gamma(p["dispersion_shape"], 1 / p["dispersion_shape"], n)
    inv = rng.poisson(e["invitations"].to_numpy()[arm] * tau * gamma)
    views = np.where(poster, rng.poisson(p["poster_views"] * inv),
                     rng.binomial(inv, p["link_open"]))
    signups = rng.binomial(views, e["signup_per_view"].to_numpy()[arm])
    first = rng.binomial(signups, e["first_order_share"].to_numpy()[arm])
    shape = p["first_order_value_shape"]
    value = np.where(first > 0, rng.gamma(np.maximum(first, 1) * shape,
                                          p["first_order_value"] / shape), 0.0)
    reward = np.array([ARMS[a]["reward_yuan"] for a in names])[arm]
    points = np.array([ARMS[a]["reward_type"] == "points" for a in names])[arm]
    wins = rng.binomial(inv, p["lottery_win"])
    cost = np.where(mech == "lottery", wins * reward,
                    first * reward * np.where(points, p["points_cost"], 1.0))
    cost = np.where(mech == "none", 0.0, cost)

    def cat(values: list[str], codes: np.ndarray) -> pd.Categorical:
        return pd.Categorical(np.asarray(values)[codes], categories=sorted(set(values)))

    frame = pd.DataFrame(dict(
        user_id=part["user_id"].to_numpy(dtype=np.int64),
        arm=cat(names, arm),
        reward_type=cat([ARMS[a]["reward_type"] for a in names], arm),
        reward_yuan=reward.astype(float),
        share_format=cat([ARMS[a]["share_format"] for a in names], arm),
        mechanic=cat([ARMS[a]["mechanic"] for a in names], arm),
        orders_before=part["orders_before"].to_numpy(dtype=np.int64),
        spend_before=part["spend_before"].to_numpy(dtype=float),
        days_since_last_order=part["days_since_last_order"].to_numpy(dtype=np.int64),
        invitations=inv.astype(np.int64),
        views=views.astype(np.int64),
        signups=signups.astype(np.int64),
        first_orders=first.astype(np.int64),
        invitee_revenue=np.round(value, 2),
        reward_cost=np.round(cost.astype(float), 2),
    ))
    return frame, n_eligible


def referral_experiment(seed: int, orders: pd.DataFrame, state: pd.DataFrame) -> pd.DataFrame:
    """The referral-programme test: one row per participant (see the module's text).

    Parameters
    ----------
    seed
        The seed of the customers; the table draws from its own stream.
    orders
        The world's ``orders`` (who had ordered before :data:`START`, and
        their orders, spend and recency then).
    state
        The end state (``user_id`` and ``share``, each customer's latent
        willingness to share).

    Returns
    -------
    pandas.DataFrame
        One row per participant, in order of ``user_id``, with the dtypes of
        its contract in :mod:`coursekit.schema`.

    Examples
    --------
    >>> from coursekit.world.generate import generate
    >>> tables, _, state = generate(600, 5)
    >>> test = referral_experiment(5, tables["orders"], state)
    >>> test.equals(tables["referral_experiment"])
    True
    >>> int(test.groupby("arm", observed=True).size().max() - test.groupby(
    ...     "arm", observed=True).size().min())
    1
    """
    return _referral_rows(seed, orders, state)[0]


def _experiment_truth(n_eligible: int, frame: pd.DataFrame) -> dict:
    e = arm_expectations()
    cols = ["invitations", "views_per_invitation", "signup_per_view", "conversion",
            "k_factor", "first_order_share", "first_orders", "reward_cost",
            "cost_per_customer", "incremental_first_orders", "cost_per_incremental_customer",
            "profit"]
    by_arm = {a: {c: (None if not np.isfinite(e.loc[a, c]) else round(float(e.loc[a, c]), 6))
                  for c in cols} for a in e.index}
    best = e["profit"].idxmax()
    sizes = frame.groupby("arm", observed=True).size()
    return dict(
        design=dict(
            start=START, programme_days=PROGRAMME["programme_days"],
            signup_days=PROGRAMME["signup_days"],
            first_order_days=PROGRAMME["first_order_days"],
            eligible="users with an order before start", eligible_users=int(n_eligible),
            max_participants=MAX_PARTICIPANTS, participants=int(len(frame)),
            participants_by_arm={str(k): int(v) for k, v in sizes.items()},
            assignment="the participants (all eligible users, or max_participants of them "
            "drawn at random) are randomised to the arms with equal sizes (a random "
            "permutation of the arms repeated): arm sizes differ by at most one",
            arms={a: dict(v) for a, v in ARMS.items()},
        ),
        model=dict(
            params=dict(PROGRAMME),
            invitations="Poisson(rate x traits x Gamma(dispersion_shape, mean 1)), rate = "
            "(control_invitations + reward_gain (1 - exp(-felt reward / reward_scale)) for "
            "a programme) x poster_invitations for a poster x lottery_invitations for a "
            "lottery; felt reward = reward_yuan (cash) or reward_yuan x points_felt (points)",
            traits="share ** trait_share x orders_before ** trait_orders x "
            "(trait_recency_floor + (1 - trait_recency_floor) exp(-days_since_last_order / "
            "trait_recency_days)), scaled to average 1 over the participants; share is the "
            "customer's latent willingness to share (state.parquet's share)",
            views="link: Binomial(invitations, link_open); poster: Poisson(poster_views x "
            "invitations)",
            signups="Binomial(views, signup_per_view[format] x lottery_signup for a lottery)",
            first_orders="Binomial(signups, first_order_share x poster_first_order for a "
            "poster x lottery_first_order for a lottery), within first_order_days of the "
            "sign-up",
            invitee_revenue="the first orders' amounts: Gamma(first_orders x "
            "first_order_value_shape, mean first_order_value per order)",
            reward_cost="task: reward_yuan per first order (points: x points_cost, their "
            "cost to the company); lottery: reward_yuan x Binomial(invitations, "
            "lottery_win); control: 0",
        ),
        by_arm=by_arm,
        by_arm_note="expected values per participant over the whole sample (the traits "
        "average 1): invitations, views_per_invitation, signup_per_view, conversion (sign-"
        "ups per invitation), k_factor = invitations x conversion (sign-ups per "
        "participant), first_order_share (of sign-ups), first_orders (per participant), "
        "reward_cost (yuan per participant), cost_per_customer = reward_cost / "
        "first_orders, incremental_first_orders (over control), "
        "cost_per_incremental_customer, profit = value_per_customer x "
        "incremental_first_orders - reward_cost",
        decision=dict(
            roll_out=str(best),
            highest_k_factor=str(e["k_factor"].idxmax()),
            most_first_orders=str(e["first_orders"].idxmax()),
            lowest_cost_per_customer=str(e.loc[e.index != "control",
                                               "cost_per_customer"].idxmin()),
            rule="the arm with the highest profit per participant: value_per_customer "
            "(a stated assumption: a new customer's first-year contribution) x incremental "
            "first orders - reward cost",
            marginal_cost_per_extra_customer={
                f"{a}->{b}": round(float((e.loc[b, "reward_cost"] - e.loc[a, "reward_cost"])
                                         / (e.loc[b, "first_orders"] - e.loc[a, "first_orders"])),
                                   2)
                for a, b in _STEPS},
            marginal_note="extra reward cost / extra first orders per participant of the "
            "second arm over the first: a step is worth taking while it is below "
            "value_per_customer",
            note="the poster has the highest K but its invitees order less, so it brings "
            "fewer customers than the link at the same cost per customer; the lottery pays "
            "for invitations, not customers, and its invitees order least; points bring as "
            "many customers as a 5 yuan red packet for less; 20 yuan brings few customers "
            "more than 10 yuan, each extra one dearer than it is worth; the differences "
            "between the task arms are small against the noise of a test this size, the "
            "lottery's loss and the gap to the control are not",
        ),
    )


# ---------------------------------------------------------------- creator deals

#: Deals of the creator programme over 2024-2025.
N_DEALS = 420
_PERIOD = ("2024-01-01", "2025-12-31")
#: Creator tiers: creators in the pool, share of deals, followers (median, lognormal
#: sigma), fee per 1,000 expected views (yuan), click-through multiplier, sign-ups per
#: click, first orders per sign-up, engagements per view.
TIERS: dict[str, dict] = {
    "head": dict(name_zh="头部", creators=25, deal_share=0.08, followers=3_000_000,
                 followers_sigma=0.5, cpm=110.0, ctr=0.8, signup_per_click=0.06,
                 first_order_share=0.45, engagement=0.025),
    "waist": dict(name_zh="腰部", creators=90, deal_share=0.36, followers=300_000,
                  followers_sigma=0.6, cpm=45.0, ctr=1.0, signup_per_click=0.08,
                  first_order_share=0.5, engagement=0.04),
    "tail": dict(name_zh="尾部", creators=160, deal_share=0.56, followers=30_000,
                 followers_sigma=0.7, cpm=32.0, ctr=1.1, signup_per_click=0.09,
                 first_order_share=0.55, engagement=0.06),
}
#: Platforms: views per follower, click-through rate per view, price multiplier of the
#: fee, engagement multiplier, and the share of each tier's creators on it.
PLATFORMS: dict[str, dict] = {
    "douyin": dict(reach=0.35, ctr=0.008, price=1.0, engagement=1.0,
                   creators=dict(head=0.45, waist=0.35, tail=0.30)),
    "xiaohongshu": dict(reach=0.20, ctr=0.015, price=1.1, engagement=1.3,
                        creators=dict(head=0.25, waist=0.35, tail=0.45)),
    "bilibili": dict(reach=0.25, ctr=0.007, price=0.9, engagement=1.5,
                     creators=dict(head=0.15, waist=0.12, tail=0.08)),
    "video_account": dict(reach=0.15, ctr=0.010, price=0.9, engagement=0.8,
                          creators=dict(head=0.15, waist=0.18, tail=0.17)),
}
#: Content formats: views, click-through and fee multipliers, and each platform's mix.
FORMATS: dict[str, dict] = {
    "short_video": dict(views=1.0, ctr=1.0, price=1.0,
                        mix=dict(douyin=0.65, xiaohongshu=0.35, bilibili=0.85,
                                 video_account=0.55)),
    "image_post": dict(views=0.6, ctr=1.15, price=0.9,
                       mix=dict(douyin=0.05, xiaohongshu=0.60, bilibili=0.0,
                                video_account=0.05)),
    "live": dict(views=0.35, ctr=2.2, price=1.6,
                 mix=dict(douyin=0.30, xiaohongshu=0.05, bilibili=0.15, video_account=0.40)),
}
#: Noise and attribution (JSON-serialisable; kept in the truth).
CREATOR_NOISE: dict = {
    "views_sigma": 0.9, "fee_sigma": 0.2, "creator_sigma": 0.35, "clicks_sigma": 0.25,
    "engagement_sigma": 0.3, "attribution": dict(a=14.0, b=6.0),
    "first_order_value": 90.0, "first_order_value_shape": 4.0, "growth": 0.8,
}


def _mean_one(rng: np.random.Generator, sigma: float, size: int) -> np.ndarray:
    """Lognormal multipliers with mean 1."""
    return rng.lognormal(-sigma ** 2 / 2, sigma, size)


def _creators(rng: np.random.Generator) -> dict:
    """The pool of creators: tier, platform, followers and audience fit (mean 1)."""
    tiers, platforms = list(TIERS), list(PLATFORMS)
    tier = np.repeat(np.arange(len(tiers)), [TIERS[t]["creators"] for t in tiers])
    n = len(tier)
    probs = np.array([[PLATFORMS[p]["creators"][t] for p in platforms] for t in tiers])
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    platform = (rng.random(n)[:, None] > cum[tier]).sum(axis=1)
    median = np.array([TIERS[t]["followers"] for t in tiers], dtype=float)[tier]
    sigma = np.array([TIERS[t]["followers_sigma"] for t in tiers])[tier]
    followers = np.round(median * np.exp(sigma * rng.standard_normal(n)), -2).astype(np.int64)
    fit = _mean_one(rng, CREATOR_NOISE["creator_sigma"], n)
    order = rng.permutation(n)  # creator ids in random order
    return dict(tier=tier[order], platform=platform[order], followers=followers[order],
                fit=fit[order])


def _deal_times(rng: np.random.Generator, n: int) -> np.ndarray:
    """Publish times: density rising linearly over the period (by ``growth``), 10-23 h."""
    a = CREATOR_NOISE["growth"]
    u = rng.random(n)
    x = (-1 + np.sqrt(1 + 2 * a * u * (1 + a / 2))) / a
    lo, hi = (np.datetime64(d, "s") for d in _PERIOD)
    days = int((hi - lo) / np.timedelta64(1, "D")) + 1
    day = np.minimum(np.floor(x * days), days - 1).astype(np.int64)
    sec = day * 86_400 + rng.integers(10 * 3600, 23 * 3600, n)
    return np.sort(lo + sec.astype("timedelta64[s]"))


def _creator_design(seed: int) -> dict:
    """Every deal's design and its expected fee and outcomes (before the noise of the
    outcomes), and the draws."""
    rng = rng_for(seed, "creator_deals")
    tiers, platforms, formats = list(TIERS), list(PLATFORMS), list(FORMATS)
    pool = _creators(rng)
    share = np.array([TIERS[t]["deal_share"] for t in tiers])
    deal_tier = rng.choice(len(tiers), N_DEALS, p=share / share.sum())
    creator = np.empty(N_DEALS, dtype=np.int64)
    for k in range(len(tiers)):  # a creator of the deal's tier, at random
        mine = np.flatnonzero(pool["tier"] == k)
        rows = deal_tier == k
        creator[rows] = rng.choice(mine, int(rows.sum()))
    platform = pool["platform"][creator]
    mix = np.array([[FORMATS[f]["mix"][p] for f in formats] for p in platforms])
    cum = np.cumsum(mix / mix.sum(axis=1, keepdims=True), axis=1)
    fmt = (rng.random(N_DEALS)[:, None] > cum[platform]).sum(axis=1)
    times = _deal_times(rng, N_DEALS)

    def arr(spec: dict, key: str) -> np.ndarray:
        return np.array([v[key] for v in spec.values()], dtype=float)

    t, p, f = deal_tier, platform, fmt
    followers = pool["followers"][creator]
    exp_views = followers * arr(PLATFORMS, "reach")[p] * arr(FORMATS, "views")[f]
    exp_fee = (arr(TIERS, "cpm")[t] / 1000 * arr(PLATFORMS, "price")[p]
               * arr(FORMATS, "price")[f] * exp_views)
    click_rate = (arr(PLATFORMS, "ctr")[p] * arr(FORMATS, "ctr")[f] * arr(TIERS, "ctr")[t]
                  * pool["fit"][creator])
    exp_signups = exp_views * click_rate * arr(TIERS, "signup_per_click")[t]
    return dict(rng=rng, tier=t, platform=p, format=f, creator=creator, followers=followers,
                times=times, exp_views=exp_views, exp_fee=exp_fee, click_rate=click_rate,
                exp_signups=exp_signups)


def _creator_rows(seed: int) -> tuple[pd.DataFrame, dict]:
    d = _creator_design(seed)
    rng, t, p, f = d["rng"], d["tier"], d["platform"], d["format"]
    noise = CREATOR_NOISE
    n = N_DEALS

    def arr(spec: dict, key: str) -> np.ndarray:
        return np.array([v[key] for v in spec.values()], dtype=float)

    fee = np.maximum(np.round(d["exp_fee"] * _mean_one(rng, noise["fee_sigma"], n), -1), 10.0)
    views = rng.poisson(d["exp_views"] * _mean_one(rng, noise["views_sigma"], n))
    engagements = rng.poisson(views * arr(TIERS, "engagement")[t]
                              * arr(PLATFORMS, "engagement")[p]
                              * _mean_one(rng, noise["engagement_sigma"], n))
    clicks = rng.poisson(views * d["click_rate"] * _mean_one(rng, noise["clicks_sigma"], n))
    signups = rng.binomial(clicks, arr(TIERS, "signup_per_click")[t])
    first = rng.binomial(signups, arr(TIERS, "first_order_share")[t])
    capture = rng.beta(noise["attribution"]["a"], noise["attribution"]["b"], n)
    tracked = rng.binomial(signups, capture)
    tracked_first = rng.hypergeometric(first, signups - first, tracked)
    shape = noise["first_order_value_shape"]
    revenue = np.where(tracked_first > 0, rng.gamma(np.maximum(tracked_first, 1) * shape,
                                                    noise["first_order_value"] / shape), 0.0)

    def cat(spec: dict, codes: np.ndarray) -> pd.Categorical:
        names = list(spec)
        return pd.Categorical(np.asarray(names)[codes], categories=sorted(names))

    frame = pd.DataFrame(dict(
        deal_id=np.arange(1, n + 1, dtype=np.int64),
        creator_id=(d["creator"] + 1).astype(np.int64),
        tier=cat(TIERS, t),
        platform=cat(PLATFORMS, p),
        format=cat(FORMATS, f),
        followers=d["followers"].astype(np.int64),
        publish_time=d["times"].astype("datetime64[s]"),
        fee=fee.astype(float),
        views=views.astype(np.int64),
        engagements=engagements.astype(np.int64),
        clicks=clicks.astype(np.int64),
        signups=tracked.astype(np.int64),
        first_orders=tracked_first.astype(np.int64),
        revenue=np.round(revenue, 2),
    ))
    latent = dict(signups=signups, first_orders=first, capture=capture)
    return frame, dict(design=d, latent=latent)


def creator_deals(seed: int) -> pd.DataFrame:
    """The creator programme's deals (see the module's text): company-once.

    Parameters
    ----------
    seed
        The company seed; the table draws from its own stream.

    Returns
    -------
    pandas.DataFrame
        :data:`N_DEALS` rows, one per deal in order of ``publish_time``, with
        the dtypes of the contract in :mod:`coursekit.schema`.

    Examples
    --------
    >>> deals = creator_deals(7)
    >>> deals["deal_id"].is_monotonic_increasing, deals["publish_time"].is_monotonic_increasing
    (True, True)
    >>> bool((deals["first_orders"] <= deals["signups"]).all())
    True
    """
    return _creator_rows(seed)[0]


def _ratio(num: np.ndarray, den: np.ndarray, groups: list[np.ndarray],
           labels: list[list[str]]) -> dict:
    """Sum of ``num`` / sum of ``den`` within each group (nested by the label lists)."""
    key = pd.MultiIndex.from_arrays([np.asarray(lab)[g] for g, lab in zip(groups, labels,
                                                                             strict=True)])
    s = pd.DataFrame({"num": num, "den": den}, index=key).groupby(level=list(range(len(
        groups)))).sum()
    out: dict = {}
    for idx, row in s.iterrows():
        idx = idx if isinstance(idx, tuple) else (idx,)
        leaf = out
        for part in idx[:-1]:
            leaf = leaf.setdefault(str(part), {})
        leaf[str(idx[-1])] = round(float(row["num"] / row["den"]), 4)
    return out


def _model_cost_per_signup() -> dict:
    """Expected fee per expected sign-up for a creator of average fit, by tier, platform
    and format (the parameters' own, whatever the deals)."""
    out: dict = {}
    for t, tv in TIERS.items():
        for p, pv in PLATFORMS.items():
            for f, fv in FORMATS.items():
                fee_per_view = tv["cpm"] / 1000 * pv["price"] * fv["price"]
                signup_per_view = pv["ctr"] * fv["ctr"] * tv["ctr"] * tv["signup_per_click"]
                out.setdefault(t, {}).setdefault(p, {})[f] = round(
                    fee_per_view / signup_per_view, 2)
    return out


def creator_truth(seed: int) -> dict:
    """What produced :func:`creator_deals`: parameters, costs per view and per sign-up.

    Parameters
    ----------
    seed
        The company seed, as for :func:`creator_deals`.

    Returns
    -------
    dict
        JSON-serialisable: the parameters (``tiers``, ``platforms``, ``formats``,
        ``noise``), the model's cost per sign-up by tier, platform and format, and,
        over these deals, the true cost per sign-up (expected fees / expected true
        sign-ups) by tier, by platform and by tier and platform, the expected cost
        per attributed sign-up, the fee per 1,000 views, the realised
        attribution and the cheapest cell.

    Examples
    --------
    >>> tr = creator_truth(2024)
    >>> tr["cheapest_tier_platform"]
    ['tail', 'xiaohongshu']
    >>> tr["cost_per_signup"]["by_tier"]["head"] > 3 * tr["cost_per_signup"]["by_tier"]["tail"]
    True
    """
    frame, extra = _creator_rows(seed)
    d, lat = extra["design"], extra["latent"]
    tiers, platforms = list(TIERS), list(PLATFORMS)
    capture = CREATOR_NOISE["attribution"]["a"] / sum(CREATOR_NOISE["attribution"].values())
    fee, sig = d["exp_fee"], d["exp_signups"]
    cells = _ratio(fee, sig, [d["tier"], d["platform"]], [tiers, platforms])
    best = min(((t, p) for t in cells for p in cells[t]), key=lambda k: cells[k[0]][k[1]])
    deals = {t: {p: int(((d["tier"] == i) & (d["platform"] == j)).sum())
                 for j, p in enumerate(platforms)} for i, t in enumerate(tiers)}
    return dict(
        deals=N_DEALS, period=dict(first=_PERIOD[0], last=_PERIOD[1]),
        tiers=TIERS, platforms=PLATFORMS, formats=FORMATS, noise=CREATOR_NOISE,
        model=dict(
            creators="a pool of creators per tier (creators), each on one platform (the "
            "tier's platform shares), with followers ~ lognormal(log median, "
            "followers_sigma) and an audience fit ~ lognormal with mean 1 (creator_sigma); "
            "each deal picks a tier by deal_share, a creator of it at random, a format by "
            "the platform's mix",
            expected_views="followers x reach[platform] x views[format]",
            fee="cpm[tier] / 1000 x price[platform] x price[format] x expected views x "
            "lognormal mean 1 (fee_sigma), rounded to 10 yuan (at least 10): creators "
            "quote on their usual reach",
            views="Poisson(expected views x lognormal mean 1 (views_sigma)): heavy-tailed",
            engagements="Poisson(views x engagement[tier] x engagement[platform] x "
            "lognormal mean 1 (engagement_sigma))",
            clicks="Poisson(views x ctr[platform] x ctr[format] x ctr[tier] x fit x "
            "lognormal mean 1 (clicks_sigma))",
            true_signups="Binomial(clicks, signup_per_click[tier]); true first orders "
            "Binomial(true sign-ups, first_order_share[tier])",
            attribution="each deal's link and code capture a share ~ Beta(a, b) (mean "
            f"{capture:.2f}) of its true sign-ups: signups ~ Binomial(true sign-ups, "
            "share), first_orders are the tracked sign-ups' first orders (hypergeometric); "
            "nothing is attributed that the deal did not bring",
            revenue="the attributed first orders' amounts: Gamma(first_orders x "
            "first_order_value_shape, mean first_order_value per order)",
        ),
        model_cost_per_signup=_model_cost_per_signup(),
        model_note="expected fee / expected true sign-ups of one deal with a creator of "
        "average fit, by tier, platform and format: cpm x price[platform] x price[format] "
        "/ 1000 / (ctr[platform] x ctr[format] x ctr[tier] x signup_per_click[tier])",
        cost_per_signup=dict(
            by_tier=_ratio(fee, sig, [d["tier"]], [tiers]),
            by_platform=_ratio(fee, sig, [d["platform"]], [platforms]),
            by_tier_platform=cells,
            note="over these deals: the sum of the expected fees / the sum of the expected "
            "true sign-ups (the creators' fit included); the table's sign-ups are the "
            "attributed ones, so fee / attributed sign-ups estimates these divided by the "
            "attribution share",
        ),
        cost_per_attributed_signup=dict(
            by_tier=_ratio(fee, sig * capture, [d["tier"]], [tiers]),
            by_tier_platform=_ratio(fee, sig * capture, [d["tier"], d["platform"]],
                                    [tiers, platforms]),
            note="the same with the expected attributed sign-ups (x the mean attribution "
            "share): what fee / the table's sign-ups estimates",
        ),
        fee_per_1000_views=_ratio(fee * 1000, d["exp_views"], [d["tier"]], [tiers]),
        attribution=dict(
            mean_share=round(capture, 4),
            realised_share=round(float(frame["signups"].sum() / lat["signups"].sum()), 4),
            true_signups=int(lat["signups"].sum()),
            true_first_orders=int(lat["first_orders"].sum()),
        ),
        deals_by_tier_platform=deals,
        cheapest_tier_platform=list(best),
        note="head creators buy reach (the most views per deal) at two to three times the "
        "cost per view and several times the cost per sign-up of waist and tail creators; "
        "sign-ups are cheapest from tail and waist creators on Xiaohongshu (high intent, "
        "image posts), but each tail deal brings few: volume needs many deals",
    )


# ---------------------------------------------------------------- public


def growth_data(seed: int, company_seed: int, tables: dict[str, pd.DataFrame],
                state: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], dict]:
    """Module 4's tables and their truth, as the generator adds them to a world.

    Parameters
    ----------
    seed
        The seed of the customers (:func:`referral_experiment`).
    company_seed
        The company seed (:func:`creator_deals`).
    tables
        The world's tables: ``orders`` is read.
    state
        The end state (each customer's latent ``share``).

    Returns
    -------
    tuple of (dict of DataFrame, dict)
        The tables by name (:data:`GROWTH_TABLES`) and the truth by table.

    Examples
    --------
    >>> from coursekit.world.generate import generate
    >>> tables, truth, _ = generate(600, 5)  # calls growth_data
    >>> sorted(truth["growth"]) == sorted(GROWTH_TABLES)
    True
    >>> truth["growth"]["referral_experiment"]["decision"]["roll_out"]
    'cash_10'
    """
    experiment, n_eligible = _referral_rows(seed, tables["orders"], state)
    out = dict(referral_experiment=experiment, creator_deals=creator_deals(company_seed))
    truth = dict(referral_experiment=_experiment_truth(n_eligible, experiment),
                 creator_deals=creator_truth(company_seed))
    return out, truth
