"""Growth models and acquisition (增长模型与拓客拉新): the data work of module 4.

Each of the four growth models has its numbers, and each module here
answers one question about them:

1. **Channels: what does a user from each channel cost and bring?**
   :func:`aarrr` puts the AARRR funnel (acquisition, activation, retention,
   revenue, referral) side by side by channel, with CAC, LTV, LTV/CAC and
   the payback months: the channel economics table. It calls
   :func:`coursekit.metrics.cac`, :func:`coursekit.metrics.payback_periods`,
   :func:`coursekit.cohorts.day_n_retention` and
   :func:`coursekit.cohorts.ltv_curves` for the pieces they already
   define.
2. **Response: where does the next yuan go?** :func:`fit_response` fits a
   saturating spend-response curve per channel (:class:`ResponseCurve`),
   :func:`marginal_returns` reads the marginal CAC off it, and
   :func:`allocate_budget` splits a budget so that every funded channel
   ends at the same marginal return.
3. **Referrals: how much does each user bring, and how fast?**
   :func:`referral_tree` (who brought whom, roots and depths),
   :func:`k_factor` (K = invitations sent per user x conversion of an
   invitation, over a stated window), :func:`cycle_time` (days from the
   inviter's start to the invitee's sign-up) and :func:`simulate_viral`
   (users per cycle with a finite market: why K < 1 still adds users, why
   K > 1 saturates). :func:`referral_arms` reads a randomised test of
   referral programmes: each arm's K (in sign-ups and in first orders),
   reward cost per customer and per customer added over the control, and
   profit, with bootstrap intervals.
4. **Content: which formats, slots, topics and platforms reach more?**
   :func:`content_effects` estimates each level's effect as a ratio to a
   reference level, holding the others; :func:`cost_per_outcome` prices
   creator deals by tier or platform (fees over sign-ups or first orders,
   with an interval over deals).
5. **Operating units: how far apart are the stores, and what is the best
   stores' way worth?** :func:`unit_benchmark` (the spread, the top group
   against the rest on every feature) and :func:`lift_to_benchmark` (the
   gain if the others closed part of their gap).

Every function takes plain tables with the course tables' column names as
defaults, checks them at the door, and returns a DataFrame or a small
frozen result; nothing here draws.
"""

from __future__ import annotations

from coursekit.growth.channels import AARRR_COLUMNS, aarrr
from coursekit.growth.content import MODELS, content_effects
from coursekit.growth.creators import cost_per_outcome
from coursekit.growth.referrals import (
    STARTS,
    CycleTime,
    ReferralTrees,
    cycle_time,
    k_factor,
    referral_arms,
    referral_tree,
    simulate_viral,
)
from coursekit.growth.response import (
    FORMS,
    ResponseCurve,
    ResponseFit,
    allocate_budget,
    fit_response,
    marginal_returns,
)
from coursekit.growth.units import METRICS, Lift, UnitBenchmark, lift_to_benchmark, unit_benchmark

__all__ = [
    "aarrr",
    "AARRR_COLUMNS",
    "fit_response",
    "marginal_returns",
    "allocate_budget",
    "ResponseCurve",
    "ResponseFit",
    "FORMS",
    "referral_tree",
    "k_factor",
    "cycle_time",
    "simulate_viral",
    "referral_arms",
    "ReferralTrees",
    "CycleTime",
    "STARTS",
    "content_effects",
    "MODELS",
    "cost_per_outcome",
    "unit_benchmark",
    "lift_to_benchmark",
    "UnitBenchmark",
    "Lift",
    "METRICS",
]
