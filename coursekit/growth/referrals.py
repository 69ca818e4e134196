"""Referrals (老带新, 裂变): referral trees, the K-factor, the viral cycle time, and viral growth.

- :func:`referral_tree`: who brought whom. Every referred user gets their
  inviter, the **root** of their tree (the first user up the chain who was
  not referred) and their **depth** (1: invited by a root); every root gets
  the size and depth of its tree.
- :func:`k_factor`: the viral coefficient, **K = invitations sent per user x
  conversion of an invitation** (the share of invitations that bring a
  sign-up): the new users each user brings. K > 1 grows by itself; K < 1
  still adds users, a geometric series of generations.
- :func:`cycle_time`: the **viral cycle time**, the days from a user's start
  (sign-up, or first order) to the sign-up of the users they invite. With K,
  it sets the speed of viral growth: the same K with half the cycle time
  doubles the generations per year.
- :func:`simulate_viral`: users per cycle from a seed, with K and a finite
  market, as the expected path or a seeded random one.
- :func:`referral_arms`: the arms of a randomised referral-programme test
  side by side: invitations, conversion, K (in sign-ups and in first
  orders), reward cost per customer and per customer added over the
  control, profit, each with a bootstrap interval.

The tables: ``referrals`` (one row per invitation: ``inviter_id``,
``invite_time``, ``invitee_id`` empty when nobody signed up from it) and
``users`` (``user_id``, ``signup_time``); for :func:`referral_arms`,
``referral_experiment`` (one row per participant of the test: ``arm``,
``invitations``, ``signups``, ``first_orders``, ``reward_cost``).

References
----------
.. [1] Skok, D. (2009). Lessons learned: viral marketing. *For Entrepreneurs*
   (the viral coefficient K and the viral cycle time).
.. [2] Abbey, H. (1952). An examination of the Reed-Frost theory of
   epidemics. *Human Biology* 24(3), 201-233 (the chain-binomial model
   behind the random path of :func:`simulate_viral`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit._values import ids as _nullable_ids
from coursekit.errors import ArgumentError, DataError
from coursekit.growth._shared import days_between, end_of_data, lookup, number, whole
from coursekit.inputs import choice, columns, flag, unique_key

__all__ = ["ReferralTrees", "CycleTime", "referral_tree", "k_factor", "cycle_time",
           "simulate_viral", "referral_arms", "STARTS"]

#: Where :func:`cycle_time` starts the clock: the inviter's sign-up or first order.
STARTS = ("signup", "first_order")


@dataclass(frozen=True)
class ReferralTrees:
    """The result of :func:`referral_tree`.

    Attributes
    ----------
    users
        One row per referred user (index: their id, named like the users'
        id column): ``inviter`` (who invited them), ``root`` (the
        non-referred user at the top of their chain), ``depth`` (1: invited
        by the root, 2: by someone the root invited, ...), and the ``by``
        column of the root when asked for.
    roots
        One row per root with at least one referred user below it (index:
        the root's id): ``referred`` (users in the tree below the root),
        ``direct`` (users the root invited itself), ``depth`` (the longest
        chain), and the root's ``by`` column when asked for; largest trees
        first.
    """

    users: pd.DataFrame
    roots: pd.DataFrame


@dataclass(frozen=True)
class CycleTime:
    """The result of :func:`cycle_time`.

    Attributes
    ----------
    start
        ``"signup"`` or ``"first_order"``: where the clock starts.
    median, mean
        Days from the inviter's start to the invitee's sign-up, over the
        completed cycles (invitations that brought a sign-up).
    p25, p75
        The quartiles, in days.
    cycles
        The number of completed cycles measured.
    left_out
        Referred users left out: with ``start="first_order"``, those whose
        inviter had no order before ``asof``.
    durations
        The days of each cycle: a Series indexed by the invitee's id.
    """

    start: str
    median: float
    mean: float
    p25: float
    p75: float
    cycles: int
    left_out: int
    durations: pd.Series


# --------------------------------------------------------------------------- reading


def _accepted(referrals: object, *, inviter: str, invitee: str, at: str,
              with_time: bool = True) -> pd.DataFrame:
    """Every invitation (inviter, time, invitee or missing), checked."""
    times = [at] if with_time else []
    r = columns(referrals, "referrals", ids=[inviter], times=times)
    if invitee not in referrals.columns:  # type: ignore[union-attr]
        raise DataError(f"missing column(s) [{invitee!r}]; the table has "
                        f"{list(referrals.columns)}", table="referrals",  # type: ignore
                        column=invitee, fix="pass invitee= the column of the invited users")
    r[invitee] = _nullable_ids(referrals, invitee, "referrals", nullable=True)  # type: ignore
    return r


def _users(users: object, customer: str, signup_at: str, by: str | None) -> pd.DataFrame:
    ids = [customer] + ([by] if by is not None else [])
    u = columns(users, "users", ids=ids, times=[signup_at])
    unique_key(u, "users", customer)
    return u


def _check_by(by: object, users: object) -> str | None:
    if by is None:
        return None
    if not isinstance(by, str) or not isinstance(users, pd.DataFrame) or by not in users.columns:
        have = list(users.columns) if isinstance(users, pd.DataFrame) else []
        raise ArgumentError("by must be the name of a column of users", name="by", value=by,
                            allowed=f"None or one of {have}")
    return by


def _one_invitation_each(acc: pd.DataFrame, invitee: str) -> None:
    dup = acc[invitee].duplicated(keep=False).to_numpy()
    if dup.any():
        raise DataError("a user signed up from more than one invitation: a user signs up "
                        "once, so one invitation brought them", table="referrals",
                        column=invitee, rows=acc.loc[dup].sort_values(invitee).head(6),
                        fix="keep the invitation that brought the sign-up (the last one "
                        "before it, as attribution usually does) and blank the others")


# --------------------------------------------------------------------------- trees


def referral_tree(
    referrals: pd.DataFrame,
    users: pd.DataFrame,
    *,
    by: str | None = None,
    customer: str = "user_id",
    inviter: str = "inviter_id",
    invitee: str = "invitee_id",
) -> ReferralTrees:
    """Referral trees: each referred user's inviter, root and depth; each root's tree.

    The accepted invitations (those with an invitee) link every referred
    user to their inviter. Following the links up from a user reaches a
    user nobody invited: the **root** of the tree. The **depth** of a user
    is the number of links to the root. Followed level by level for all
    users at once (a vectorised walk up the chains, as long as the longest
    chain).

    Parameters
    ----------
    referrals
        One row per invitation, with ``inviter`` and ``invitee`` (empty
        when nobody signed up from it).
    users
        One row per user, with ``customer``; every inviter and invitee must
        be in it.
    by
        Optional column of ``users`` (e.g. ``"channel"``) to report for each
        root: where the users who start trees come from.
    customer, inviter, invitee
        Column names.

    Returns
    -------
    ReferralTrees
        ``users`` (per referred user) and ``roots`` (per root).

    Raises
    ------
    DataError
        Missing or bad columns, an inviter or invitee not in ``users``, a
        user who invited themselves, a user brought by two invitations, or a
        loop of invitations (A invited B, who invited A).

    Examples
    --------
    User 1 invites 2 and 3; 3 invites 4; 5 invites 6; one invitation is
    not accepted:

    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2, 3, 4, 5, 6],
    ...                       "channel": ["ads", "referral", "referral", "referral",
    ...                                   "organic", "referral"]})
    >>> referrals = pd.DataFrame({"inviter_id": [1, 1, 3, 5, 2],
    ...                           "invitee_id": pd.array([2, 3, 4, 6, None], dtype="Int64")})
    >>> trees = referral_tree(referrals, users, by="channel")
    >>> trees.users  # doctest: +NORMALIZE_WHITESPACE
             inviter  root  depth channel
    user_id
    2              1     1      1     ads
    3              1     1      1     ads
    4              3     1      2     ads
    6              5     5      1 organic
    >>> trees.roots  # doctest: +NORMALIZE_WHITESPACE
             referred  direct  depth  channel
    user_id
    1               3       2      2      ads
    5               1       1      1  organic
    """
    by = _check_by(by, users)
    u = columns(users, "users", ids=[customer] + ([by] if by is not None else []))
    unique_key(u, "users", customer)
    r = _accepted(referrals, inviter=inviter, invitee=invitee, at="", with_time=False)
    acc = r.loc[r[invitee].notna()]
    _one_invitation_each(acc, invitee)
    universe = pd.Index(u[customer].to_numpy())
    child = lookup(universe, acc[invitee].to_numpy(), table="referrals", other="users",
                   customer=customer)
    parent = lookup(universe, acc[inviter].to_numpy(), table="referrals", other="users",
                    customer=customer)
    selfish = child == parent
    if selfish.any():
        raise DataError("users who invited themselves", table="referrals", column=invitee,
                        rows=acc.loc[selfish].head(5), fix="drop these invitations")
    up = np.full(len(universe), -1, dtype=np.int64)
    up[child] = parent
    root, depth = _walk(up, child, acc, invitee)
    ids = universe[child]
    name = customer
    out = pd.DataFrame({"inviter": universe[parent], "root": universe[root], "depth": depth},
                       index=pd.Index(ids, name=name))
    if by is not None:
        out[by] = u[by].to_numpy()[root]
    out = out.sort_index()
    return ReferralTrees(users=out, roots=_roots(out, by, name))


def _walk(up: np.ndarray, child: np.ndarray, acc: pd.DataFrame,
          invitee: str) -> tuple[np.ndarray, np.ndarray]:
    """Root and depth of each referred user, walking all chains up one link at a time."""
    top = up[child].copy()  # the current ancestor: the inviter, to begin with
    depth = np.ones(len(child), dtype=np.int64)
    for _ in range(len(child) + 1):  # as many steps as the longest chain
        going = up[top] >= 0
        if not going.any():
            return top, depth
        top[going] = up[top[going]]
        depth[going] += 1
    raise DataError("a loop of invitations: following who invited whom comes back to the "
                    "same user, so the tree has no root", table="referrals", column=invitee,
                    rows=acc.loc[up[top] >= 0].head(6),
                    fix="a user is invited at most once and after their inviter signed up; "
                    "check these rows")


def _roots(out: pd.DataFrame, by: str | None, name: str) -> pd.DataFrame:
    """One row per root, from the per-user table."""
    grouped = out.groupby("root", sort=True)
    roots = pd.DataFrame({"referred": grouped.size(), "depth": grouped["depth"].max()})
    direct = out.loc[out["depth"] == 1].groupby("root").size()
    roots.insert(1, "direct", direct.reindex(roots.index, fill_value=0).astype(np.int64))
    if by is not None:
        roots[by] = grouped[by].first()
    roots.index.name = name
    return roots.sort_values(["referred", "depth"], ascending=False, kind="stable")


# --------------------------------------------------------------------------- K-factor


def k_factor(
    referrals: pd.DataFrame,
    users: pd.DataFrame,
    *,
    window_days: int = 30,
    accept_days: int = 14,
    by: str | None = None,
    asof: object = None,
    customer: str = "user_id",
    at: str = "invite_time",
    signup_at: str = "signup_time",
    inviter: str = "inviter_id",
    invitee: str = "invitee_id",
) -> pd.DataFrame:
    """The viral coefficient K = invitations sent per user x conversion of an invitation.

    Counted over a stated window, for the users who could have used all of it:

    - **users** (the denominator): everyone who signed up at least
      ``window_days + accept_days`` days before ``asof``, so that their whole
      window, and the time for the invitations sent at its end to be
      answered, lies inside the data; users who signed up later are left
      out, not counted as users who invited nobody;
    - **invitations**: those these users sent in the first ``window_days``
      days after their own sign-up;
    - **accepted**: of those invitations, the ones whose invitee signed up
      within ``accept_days`` days of the invitation.

    .. math:: K = \\underbrace{\\frac{\\text{invitations}}{\\text{users}}}_{
              \\text{invites per user}} \\times
              \\underbrace{\\frac{\\text{accepted}}{\\text{invitations}}}_{
              \\text{acceptance}} = \\frac{\\text{accepted}}{\\text{users}}

    the new users each user brings in their first ``window_days`` days.
    Both factors are reported, since they call for different work: the
    first for reasons to share (tasks, rewards, a moment worth showing), the
    second for what the invited friend sees (the landing page, the gift).

    Parameters
    ----------
    referrals
        One row per invitation: ``inviter``, ``at`` (when it was sent),
        ``invitee`` (the user who signed up from it; empty for none).
    users
        One row per user: ``customer``, ``signup_at`` (and ``by``). Every
        inviter and invitee must be in it; the invitee's sign-up time is
        read from here.
    window_days
        Days after sign-up in which a user's invitations count (a whole
        number >= 1). State it with K: K over 30 days and K over a year are
        different numbers.
    accept_days
        Days after an invitation within which the invitee's sign-up counts
        as its conversion (a whole number >= 0).
    by
        Optional column of ``users`` (e.g. ``"channel"``): one row per group
        of the inviting users.
    asof
        End of the data, exclusive (default: midnight after the last
        sign-up or invitation).
    customer, at, signup_at, inviter, invitee
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row ``"all"`` (with ``by``: one per group): ``users``,
        ``invitations``, ``invites_per_user``, ``accepted``, ``acceptance``,
        ``k_factor``, and ``window_days``.

    Raises
    ------
    DataError
        Bad columns, inviters or invitees missing from ``users``, a user
        brought by two invitations, no user signed up early enough for the
        window.
    ArgumentError
        ``window_days`` or ``accept_days`` not whole numbers in range, ``by``
        not a column of ``users``.

    Examples
    --------
    Users 1 and 2 signed up on 1 March and user 4 on 6 March; user 3 on
    25 March is too late for a 30-day window plus 14 days before 1 May.
    User 1 sends three invitations in March, one of which brings user 4;
    user 2 sends one on day 40, outside the window; user 4 sends none:

    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2, 3, 4], "signup_time": pd.to_datetime(
    ...     ["2025-03-01", "2025-03-01", "2025-03-25", "2025-03-06"])})
    >>> referrals = pd.DataFrame({"inviter_id": [1, 1, 1, 2],
    ...     "invite_time": pd.to_datetime(["2025-03-03", "2025-03-05", "2025-03-20",
    ...                                    "2025-04-10"]),
    ...     "invitee_id": pd.array([None, 4, None, None], dtype="Int64")})
    >>> k = k_factor(referrals, users, asof="2025-05-01")
    >>> k.loc["all", ["users", "invitations", "invites_per_user", "acceptance", "k_factor"]
    ...       ].round(3).tolist()
    [3.0, 3.0, 1.0, 0.333, 0.333]
    """
    window = whole(window_days, "window_days", example="e.g. window_days=30")
    accept = whole(accept_days, "accept_days", low=0, example="e.g. accept_days=14")
    by = _check_by(by, users)
    u = _users(users, customer, signup_at, by)
    r = _accepted(referrals, inviter=inviter, invitee=invitee, at=at)
    end = end_of_data(asof, u[signup_at], r[at])
    universe = pd.Index(u[customer].to_numpy())
    signed = u[signup_at].to_numpy(dtype="datetime64[ns]")
    who = lookup(universe, r[inviter].to_numpy(), table="referrals", other="users",
                 customer=customer)
    has = r[invitee].notna().to_numpy()
    _one_invitation_each(r.loc[has], invitee)
    got = np.full(len(r), -1, dtype=np.int64)
    got[has] = lookup(universe, r.loc[has, invitee].to_numpy(), table="referrals",
                      other="users", customer=customer)
    room = days_between(np.full(len(u), end.to_datetime64()), signed)
    able = room >= window + accept
    if not able.any():
        raise DataError(f"no user signed up {window + accept} days or more before the end of "
                        f"the data ({end:%Y-%m-%d}): nobody could have used the whole window",
                        table="users", column=signup_at,
                        fix="use a shorter window_days or accept_days, or a later asof")
    sent = days_between(r[at].to_numpy(), signed[who])
    counted = able[who] & (sent >= 0) & (sent < window)
    answer = np.full(len(r), np.inf)  # days from invitation to the invitee's sign-up
    answer[has] = days_between(signed[got[has]], r.loc[has, at].to_numpy())
    won = counted & (answer >= 0) & (answer <= accept)  # inside the data: sent + accept < end
    group = u[by].to_numpy() if by is not None else np.zeros(len(u), dtype=np.int64)
    frame = pd.DataFrame({"g": group, "users": able.astype(np.int64),
                          "invitations": np.bincount(who[counted], minlength=len(u)),
                          "accepted": np.bincount(who[won], minlength=len(u))})
    frame = frame.loc[able]
    table = frame.groupby("g", sort=True, observed=True)[["users", "invitations",
                                                          "accepted"]].sum()
    table.index = pd.Index(["all"]) if by is None else table.index.rename(by)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["invites_per_user"] = table["invitations"] / table["users"]
        table["acceptance"] = np.where(table["invitations"] > 0,
                                       table["accepted"] / table["invitations"], np.nan)
    table["k_factor"] = table["accepted"] / table["users"]
    table["window_days"] = window
    return table[["users", "invitations", "invites_per_user", "accepted", "acceptance",
                  "k_factor", "window_days"]]


# --------------------------------------------------------------------------- cycle time


def cycle_time(
    referrals: pd.DataFrame,
    users: pd.DataFrame,
    *,
    start: str = "signup",
    orders: pd.DataFrame | None = None,
    asof: object = None,
    customer: str = "user_id",
    signup_at: str = "signup_time",
    order_at: str = "order_time",
    inviter: str = "inviter_id",
    invitee: str = "invitee_id",
) -> CycleTime:
    """The viral cycle time: days from the inviter's start to the invitee's sign-up.

    For every accepted invitation, the days from the inviter's **sign-up**
    (``start="signup"``, the usual definition: one turn of the loop from
    one sign-up to the next) or from the inviter's **first order**
    (``start="first_order"``: the first experience of the product, which is
    what usually prompts an invitation) to the sign-up of the user it
    brought. The median is the number to quote: the distribution has a
    long right tail (users who invite long after joining), which pulls the
    mean up.

    Only completed cycles are measured, so the most recent weeks, whose
    long cycles have not completed yet, are short of long cycles; compare
    cycle times over the same span of data.

    Parameters
    ----------
    referrals
        One row per invitation, with ``inviter`` and ``invitee`` (empty for
        none).
    users
        ``customer`` and ``signup_at``, one row per user; every inviter and
        invitee must be in it.
    start
        ``"signup"`` or ``"first_order"`` (then ``orders`` is needed).
    orders
        The orders (``customer``, ``order_at``), for ``start="first_order"``.
    asof
        End of the data, exclusive: invitees who signed up at or after it,
        and orders from then on, are left out (default: all).
    customer, signup_at, order_at, inviter, invitee
        Column names.

    Returns
    -------
    CycleTime
        ``median``, ``mean``, ``p25``, ``p75`` (days), ``cycles``,
        ``left_out``, ``start`` and the ``durations`` of the cycles.

    Raises
    ------
    DataError
        Bad columns, ids missing from ``users``, no accepted invitation.
    ArgumentError
        Unknown ``start``, or ``start="first_order"`` without ``orders``.

    Examples
    --------
    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2, 3], "signup_time": pd.to_datetime(
    ...     ["2025-03-01", "2025-03-11", "2025-03-31"])})
    >>> referrals = pd.DataFrame({"inviter_id": [1, 1],
    ...                           "invitee_id": pd.array([2, 3], dtype="Int64")})
    >>> ct = cycle_time(referrals, users)
    >>> ct.median, ct.mean, ct.cycles
    (20.0, 20.0, 2)
    >>> orders = pd.DataFrame({"user_id": [1], "order_time": pd.to_datetime(["2025-03-06"])})
    >>> cycle_time(referrals, users, start="first_order", orders=orders).durations.tolist()
    [5.0, 25.0]
    """
    choice("start", start, STARTS)
    u = _users(users, customer, signup_at, None)
    r = _accepted(referrals, inviter=inviter, invitee=invitee, at="", with_time=False)
    acc = r.loc[r[invitee].notna()]
    _one_invitation_each(acc, invitee)
    universe = pd.Index(u[customer].to_numpy())
    signed = u[signup_at].to_numpy(dtype="datetime64[ns]")
    end = (np.datetime64("NaT") if asof is None
           else end_of_data(asof, u[signup_at]).to_datetime64())
    got = lookup(universe, acc[invitee].to_numpy(), table="referrals", other="users",
                 customer=customer)
    who = lookup(universe, acc[inviter].to_numpy(), table="referrals", other="users",
                 customer=customer)
    inside = np.ones(len(acc), dtype=bool) if asof is None else signed[got] < end
    origin = signed if start == "signup" else _first_orders(orders, universe, end, customer,
                                                            order_at)
    known = inside & ~np.isnat(origin[who])
    if not known.any():
        raise DataError("no accepted invitation to measure (with a known start)",
                        table="referrals", column=invitee,
                        fix="check that some invitations have an invitee")
    days = days_between(signed[got[known]], origin[who[known]])
    series = pd.Series(days, index=pd.Index(universe[got[known]], name=customer),
                       name="cycle_days").sort_index()
    q25, q50, q75 = np.quantile(days, [0.25, 0.5, 0.75])
    return CycleTime(start=start, median=float(q50), mean=float(days.mean()), p25=float(q25),
                     p75=float(q75), cycles=int(known.sum()),
                     left_out=int((inside & ~known).sum()), durations=series)


def _first_orders(orders: object, universe: pd.Index, end: np.datetime64, customer: str,
                  order_at: str) -> np.ndarray:
    if orders is None:
        raise ArgumentError("start='first_order' needs the orders", name="orders",
                            fix="pass orders=coursekit.load('orders')")
    o = columns(orders, "orders", ids=[customer], times=[order_at])
    t = o[order_at].to_numpy(dtype="datetime64[ns]")
    pos = lookup(universe, o[customer].to_numpy(), table="orders", other="users",
                 customer=customer)
    keep = np.ones(len(t), dtype=bool) if np.isnat(end) else t < end
    first = np.full(len(universe), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, pos[keep], t[keep].astype(np.int64))
    out = first.astype("datetime64[ns]")
    out[first == np.iinfo(np.int64).max] = np.datetime64("NaT")
    return out


# --------------------------------------------------------------------------- simulation


def simulate_viral(
    seed_users: float,
    k: float,
    cycle_days: float,
    *,
    market_size: float,
    periods: int,
    stochastic: bool = False,
    seed: int = 0,
) -> pd.DataFrame:
    """Users per viral cycle, from a seed, with a K-factor and a finite market.

    One period is one viral cycle (``cycle_days`` days). The users who
    joined in a cycle invite in the next one; each brings ``k`` new users,
    but only among the people who are not users yet:

    .. math:: n_t = k\\, n_{t-1} \\left(1 - \\frac{N_{t-1}}{M}\\right), \\qquad
              N_t = N_{t-1} + n_t, \\qquad n_0 = N_0 = \\text{seed}

    with :math:`M` the market size. While the market is large
    (:math:`N \\ll M`) the generations form a geometric series,

    .. math:: N_\\infty = \\text{seed}\\,(1 + k + k^2 + \\dots) =
              \\frac{\\text{seed}}{1 - k} \\quad (k < 1),

    so a K below 1 still adds users (K = 0.2 adds a quarter to every user
    bought), it just stops; above 1 each generation is bigger than the last
    until the shrinking pool of non-users, :math:`1 - N/M`, brakes it and
    growth saturates. It stops short of the whole market, as an epidemic
    stops before everyone has caught it: once :math:`k (1 - N/M) < 1` each
    generation is smaller than the one before, and the last ones die out.

    ``stochastic=True`` draws one random path instead of the expected one,
    from the chain-binomial (Reed-Frost) model: each of the
    :math:`M - N_{t-1}` non-users joins in cycle t with chance
    :math:`\\min(1, k\\, n_{t-1} / M)`, so
    :math:`n_t \\sim \\mathrm{Binomial}(M - N_{t-1}, \\min(1, k\\,n_{t-1}/M))`,
    whose mean is the expected path's step; small seeds can die out by
    chance, which the expected path never shows.

    Parameters
    ----------
    seed_users
        Users at the start (cycle 0), > 0.
    k
        New users each user brings over one cycle, >= 0.
    cycle_days
        Days in a cycle, > 0 (e.g. :func:`cycle_time`'s median).
    market_size
        People who could ever be users, >= ``seed_users`` (``inf``: no limit).
    periods
        Cycles to simulate after cycle 0, a whole number >= 1.
    stochastic
        Draw one random path (whole users) instead of the expected path.
    seed
        Seed of the random numbers (only with ``stochastic=True``); the same
        seed gives the same path.

    Returns
    -------
    pandas.DataFrame
        Index ``cycle`` (0 .. ``periods``): ``day`` (cycle x
        ``cycle_days``), ``new_users``, ``users`` (cumulative) and
        ``market_share`` (users / market size; 0 with no limit).

    Raises
    ------
    ArgumentError
        An argument out of its range (a stochastic path needs a finite
        market).

    Examples
    --------
    K = 0.5 in an unlimited market: 1,000 seed users end with 2,000:

    >>> out = simulate_viral(1000, 0.5, 20, market_size=float("inf"), periods=30)
    >>> out["new_users"].head(4).tolist(), round(float(out["users"].iloc[-1]), 3)
    ([1000.0, 500.0, 250.0, 125.0], 2000.0)

    K = 1.5 in a market of 100,000: new users peak in cycle 8, and growth
    stops with 63 % of the market:

    >>> big = simulate_viral(1000, 1.5, 20, market_size=100_000, periods=60)
    >>> int(big["new_users"].idxmax()), round(float(big["market_share"].iloc[-1]), 2)
    (8, 0.63)
    """
    n0 = number(seed_users, "seed_users", example="e.g. seed_users=1000")
    k = number(k, "k", low_open=False, example="the K-factor of k_factor(), e.g. k=0.3")
    cycle = number(cycle_days, "cycle_days", example="e.g. the median of cycle_time()")
    market = number(market_size, "market_size", example="e.g. market_size=1_000_000, or inf")
    if market < n0:
        raise ArgumentError("market_size must be at least seed_users", name="market_size",
                            value=market_size, fix=f"a market of at least {n0:g}")
    steps = whole(periods, "periods", example="e.g. periods=24")
    if flag("stochastic", stochastic) and not np.isfinite(market):
        raise ArgumentError("a random path needs a finite market", name="market_size",
                            value=market_size, fix="give the market's size")
    new = np.zeros(steps + 1)
    total = np.zeros(steps + 1)
    new[0] = total[0] = round(n0) if stochastic else n0
    rng = np.random.default_rng(seed) if stochastic else None
    for t in range(1, steps + 1):  # one step per cycle: each depends on the one before
        left = market - total[t - 1] if np.isfinite(market) else np.inf
        if rng is not None:
            chance = min(1.0, k * new[t - 1] / market)
            new[t] = rng.binomial(int(round(left)), chance)
        else:
            pool = 1.0 - total[t - 1] / market if np.isfinite(market) else 1.0
            new[t] = min(k * new[t - 1] * pool, left)
        total[t] = total[t - 1] + new[t]
    share = total / market if np.isfinite(market) else np.zeros(steps + 1)
    return pd.DataFrame({"day": np.arange(steps + 1) * cycle, "new_users": new,
                         "users": total, "market_share": share},
                        index=pd.RangeIndex(steps + 1, name="cycle"))


# --------------------------------------------------------------------------- programme arms

#: The count columns of ``referral_experiment`` that :func:`referral_arms` reads, and its
#: money column; the column of the arm is the ``arm`` keyword.
_COUNTS = ("invitations", "signups", "first_orders")
_COST = "reward_cost"
_INVITATIONS, _SIGNUPS, _FIRST, _PAID = range(4)  # positions in the arrays of sums
_BLOCK = 500_000  # resampled indices held at once (a block of replicates)


def referral_arms(
    test: pd.DataFrame,
    *,
    arm: str = "arm",
    control: object = "control",
    value_per_customer: float | None = None,
    level: float = 0.95,
    replicates: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Each arm of a randomised referral-programme test: K, customers, cost and profit.

    For each arm, over its participants (one row each, with what they did
    during the programme):

    - ``invitations``: invitations sent per participant;
    - ``conversion``: **sign-ups per invitation**, the conversion of an
      invitation (sum of sign-ups / sum of invitations);
    - ``k_signups``: the K-factor, **K = invitations per participant x
      conversion of an invitation** = sign-ups per participant, as
      :func:`k_factor` counts it [1]_;
    - ``k_first_orders``: the same K counted in customers: invitations per
      participant x first orders per invitation = **first orders per
      participant**;
    - ``reward_cost``: rewards paid per participant;
    - ``cost_per_customer``: reward cost / first orders (what a customer
      brought by the programme cost in rewards, counting those who would
      have come anyway);
    - ``incremental_first_orders``: first orders per participant above the
      control arm's (what the programme added; the control's own sharing
      brings some);
    - ``cost_per_incremental_customer``: (reward cost - the control's) /
      (first orders - the control's), per participant: what each customer
      the programme *added* cost. Undefined (NaN) for the control; infinite
      when the arm paid more and brought no more customers than the control.

    With ``value_per_customer`` (the stated worth of a new customer, e.g.
    their first-year contribution in yuan), also:

    - ``profit``: value x first orders - reward cost, per participant;
    - ``incremental_profit``: its increase over the control arm, that is
      value x incremental first orders - extra reward cost. The arm with
      the highest ``incremental_profit`` is the one to roll out, when its
      interval clears the others'.

    Every measure comes with a percentile bootstrap interval,
    ``<measure>_low`` and ``<measure>_high`` [2]_: the participants are
    resampled with replacement within each arm (a stratified bootstrap: the
    arms keep their sizes, as the randomisation fixed them) and each
    measure is recomputed on every replicate; a ratio is recomputed as a
    ratio of the resampled sums, and an increment from the resampled arm
    and control together. Replicates where a ratio is undefined (0 / 0)
    are left out of its interval. The resampling draws a block of index
    arrays at once, so 2,000 replicates of a few thousand participants take
    a fraction of a second.

    Parameters
    ----------
    test
        One row per participant: ``arm`` and the counts ``invitations``,
        ``signups`` (invitees who signed up) and ``first_orders`` (of them,
        those who ordered), whole and not negative, and ``reward_cost``
        (yuan paid to the participant), as in
        ``coursekit.load("referral_experiment")``.
    arm
        The column naming each participant's arm.
    control
        The label of the control arm (no programme), the baseline of the
        increments.
    value_per_customer
        The worth of a new customer (yuan, >= 0); ``None`` leaves out the
        profit columns.
    level
        Confidence level of the intervals, in (0, 1).
    replicates
        Bootstrap replicates, a whole number >= 100.
    seed
        Seed of the resampling; the same seed gives the same intervals.

    Returns
    -------
    pandas.DataFrame
        One row per arm (index named like ``arm``; the control first, then
        the others in the order of the column's categories, or sorted):
        ``participants``, then each measure above followed by its
        ``_low`` and ``_high``.

    Raises
    ------
    DataError
        Not a table, missing columns, an empty table, participants without
        an arm, non-numeric, missing, negative or fractional counts, more
        first orders than sign-ups, a negative reward cost, no participant
        in the ``control`` arm, or an arm with a single participant.
    ArgumentError
        ``level`` outside (0, 1), ``replicates`` not a whole number >= 100,
        ``seed`` not a whole number >= 0, ``value_per_customer`` negative or
        not a number.

    References
    ----------
    .. [1] Skok, D. (2009). Lessons learned: viral marketing. *For
       Entrepreneurs* (K = invitations per user x conversion of an
       invitation).
    .. [2] Efron, B. and Tibshirani, R. J. (1993). *An Introduction to the
       Bootstrap*. Chapman & Hall, ch. 13 (the percentile interval); Davison,
       A. C. and Hinkley, D. V. (1997). *Bootstrap Methods and their
       Application*, section 3.2 (resampling within strata).

    Examples
    --------
    Four participants without a programme and four offered 10 yuan per
    friend's first order:

    >>> import pandas as pd
    >>> test = pd.DataFrame({
    ...     "arm": ["control"] * 4 + ["cash_10"] * 4,
    ...     "invitations": [1, 0, 2, 1, 3, 1, 4, 0],
    ...     "signups": [0, 0, 1, 0, 1, 0, 2, 0],
    ...     "first_orders": [0, 0, 1, 0, 1, 0, 1, 0],
    ...     "reward_cost": [0, 0, 0, 0, 10, 0, 10, 0]})
    >>> out = referral_arms(test, value_per_customer=80, replicates=500)
    >>> out["participants"].tolist()
    [4, 4]
    >>> estimates = [c for c in out.columns[1:] if not c.endswith(("_low", "_high"))]
    >>> out[estimates].T  # doctest: +NORMALIZE_WHITESPACE
    arm                            control  cash_10
    invitations                       1.00    2.000
    conversion                        0.25    0.375
    k_signups                         0.25    0.750
    k_first_orders                    0.25    0.500
    reward_cost                       0.00    5.000
    cost_per_customer                 0.00   10.000
    incremental_first_orders          0.00    0.250
    cost_per_incremental_customer      NaN   20.000
    profit                           20.00   35.000
    incremental_profit                0.00   15.000
    >>> bool(out["k_signups_low"].le(out["k_signups"]).all()
    ...      and out["k_signups"].le(out["k_signups_high"]).all())
    True
    """
    level = number(level, "level", low=0.0, high=1.0, high_open=True, example="level=0.95")
    replicates = whole(replicates, "replicates", low=100, example="e.g. replicates=2000")
    seed = whole(seed, "seed", low=0, example="e.g. seed=0")
    value = None if value_per_customer is None else number(
        value_per_customer, "value_per_customer", low_open=False,
        example="the worth of a new customer in yuan, e.g. value_per_customer=80")
    values, labels, groups = _participants(test, arm, control)
    rng = np.random.default_rng(seed)
    sizes = np.array([len(g) for g in groups], dtype=float)
    sums = np.stack([values[g].sum(axis=0) for g in groups])            # (arms, 4)
    resampled = np.stack([_resampled_sums(values[g], replicates, rng) for g in groups])
    estimate = _arm_measures(sums / sizes[:, None], value)              # each (arms,)
    spread = _arm_measures(resampled / sizes[:, None, None], value)     # each (arms, B)
    table = pd.DataFrame({"participants": sizes.astype(np.int64)},
                         index=pd.Index(labels, name=arm))
    for name, point in estimate.items():
        low, high = _percentile_interval(spread[name], level)
        table[name], table[f"{name}_low"], table[f"{name}_high"] = point, low, high
    return table


def _participants(test: object, arm: str,
                  control: object) -> tuple[np.ndarray, list[object], list[np.ndarray]]:
    """The checked counts and cost (participants x 4), the arms' labels (control first)
    and each arm's rows."""
    table = "referral_experiment"
    if isinstance(test, pd.DataFrame) and arm in test.columns and test[arm].isna().any():
        raise DataError("participants without an arm", table=table, column=arm,
                        rows=test.loc[test[arm].isna().to_numpy()].head(5),
                        fix="drop them: a participant outside the randomisation belongs to "
                        "no arm")
    t = columns(test, table, ids=[arm], amounts=[_COST], numbers=list(_COUNTS))
    counts = t[list(_COUNTS)].to_numpy()
    negative = (counts < 0).any(axis=1)
    if negative.any():
        raise DataError("negative counts", table=table, column=list(_COUNTS),
                        rows=test.loc[negative, [arm, *_COUNTS]].head(5),
                        fix="counts of invitations, sign-ups and first orders start at 0: "
                        "fix the rows shown")
    fractional = (counts != np.floor(counts)).any(axis=1)
    if fractional.any():
        raise DataError("counts must be whole numbers", table=table, column=list(_COUNTS),
                        rows=test.loc[fractional, [arm, *_COUNTS]].head(5),
                        fix="pass the counts of each participant, not rates or averages")
    too_many = counts[:, 2] > counts[:, 1]
    if too_many.any():
        raise DataError("more first orders than sign-ups: first orders are those of the "
                        "invitees who signed up", table=table, column=["signups", "first_orders"],
                        rows=test.loc[too_many, [arm, *_COUNTS]].head(5),
                        fix="check that the columns are not swapped")
    values = np.column_stack([counts, t[_COST].to_numpy()])
    codes, found = pd.factorize(t[arm], sort=_sortable(t[arm]))
    labels = list(found)
    if control not in labels:
        raise DataError(f"no participant in the control arm {control!r}; the arms are "
                        f"{labels}", table=table, column=arm,
                        fix="pass control= the label of the arm without a programme")
    first = labels.index(control)
    order = [first, *[i for i in range(len(labels)) if i != first]]
    groups = [np.flatnonzero(codes == i) for i in order]
    single = [labels[i] for i, g in zip(order, groups, strict=True) if len(g) < 2]
    if single:
        raise DataError(f"arm(s) {single} have a single participant: one participant gives "
                        "no interval", table=table, column=arm,
                        fix="drop the arm, or merge it with a like one")
    return values, [labels[i] for i in order], groups


def _sortable(labels: pd.Series) -> bool:
    """Categories keep their order; other labels are sorted when they can be."""
    if isinstance(labels.dtype, pd.CategoricalDtype):
        return True
    try:
        np.sort(pd.unique(labels.to_numpy()))
    except TypeError:
        return False
    return True


def _resampled_sums(values: np.ndarray, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """Column sums of ``replicates`` resamples (with replacement) of the rows of
    ``values``: (replicates, columns); the index arrays are drawn a block at a time."""
    n = len(values)
    by_column = np.ascontiguousarray(values.T)  # (columns, n): each column's gather is contiguous
    block = max(1, _BLOCK // n)
    out = np.empty((replicates, values.shape[1]))
    for start in range(0, replicates, block):  # one pass per block of replicates
        stop = min(start + block, replicates)
        rows = rng.integers(0, n, size=(stop - start, n))
        out[start:stop] = np.take(by_column, rows, axis=1).sum(axis=2).T
    return out


def _arm_measures(means: np.ndarray, value: float | None) -> dict[str, np.ndarray]:
    """Each measure from the per-participant means (arms first; the control is arm 0):
    arrays of the means' shape without their last axis."""
    inv, sign, first, paid = (means[..., i] for i in (_INVITATIONS, _SIGNUPS, _FIRST, _PAID))
    extra_first = first - first[:1]
    extra_paid = paid - paid[:1]
    out = {"invitations": inv, "conversion": _ratio(sign, inv), "k_signups": sign,
           "k_first_orders": first, "reward_cost": paid,
           "cost_per_customer": _ratio(paid, first),
           "incremental_first_orders": extra_first,
           "cost_per_incremental_customer": _ratio(extra_paid, extra_first)}
    if value is not None:
        profit = value * first - paid
        out["profit"] = profit
        out["incremental_profit"] = profit - profit[:1]
    return out


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """``top / bottom`` where ``bottom > 0``; infinite where nothing (or less) came for a
    positive ``top``; undefined (NaN) otherwise."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom > 0, top / bottom, np.where(top > 0, np.inf, np.nan))


def _percentile_interval(replicates: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The ``(1 - level) / 2`` and ``(1 + level) / 2`` order statistics of each row's
    defined replicates (NaN left out; infinite values kept, hence no interpolation)."""
    ordered = np.sort(replicates, axis=-1)  # NaN last
    kept = (~np.isnan(replicates)).sum(axis=-1)
    tail = (1.0 - level) / 2.0
    # the k-th smallest with k = ceil(q x kept); the 1e-9 keeps 0.025 x 2000 at 50
    lo = np.clip(np.ceil(tail * kept - 1e-9).astype(np.int64) - 1, 0, None)
    hi = np.clip(np.ceil((1.0 - tail) * kept - 1e-9).astype(np.int64) - 1, 0, None)
    rows = np.arange(len(ordered))
    empty = kept == 0
    low = np.where(empty, np.nan, ordered[rows, lo])
    high = np.where(empty, np.nan, ordered[rows, hi])
    return low, high
