"""Every parameter of the simulated company, in one place.

The generator reads these values and nothing else, and ``truth.json`` is
written from them, so the truth beside the data is exactly what produced it.
Times are in days unless a name says otherwise; money is in yuan (CNY).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

COMPANY = "Qingmu (青木)"

START = dt.date(2024, 1, 1)
END = dt.date(2025, 12, 31)  # inclusive: two full years
# The calendar goes on after the data ends, for simulating forward from the end state
# (the capstone's sandbox): festival dates and multipliers through this day.
SIM_END = dt.date(2026, 12, 31)

# Acquisition channels: share of sign-ups, cost per sign-up (CAC, yuan), and
# the quality of the users they bring (multipliers on the latent traits).
CHANNELS: dict[str, dict[str, float]] = {
    #                 share   cac    convert  rate   dropout  spend
    "organic":        dict(share=0.24, cac=0.0, convert=0.50, rate=1.00, dropout=1.00, spend=1.00),
    "douyin_ads":     dict(share=0.26, cac=42.0, convert=0.38, rate=0.75, dropout=1.45, spend=0.85),
    "xiaohongshu":    dict(share=0.12, cac=58.0, convert=0.55, rate=1.10, dropout=0.85, spend=1.20),
    "search_ads":     dict(share=0.13, cac=33.0, convert=0.52, rate=0.95, dropout=1.00, spend=1.00),
    "referral":       dict(share=0.13, cac=20.0, convert=0.62, rate=1.15, dropout=0.75, spend=1.05),
    "offline_store":  dict(share=0.12, cac=8.0,  convert=0.58, rate=0.90, dropout=0.80, spend=1.10),
}  # fmt: skip

CITY_TIERS = {"1": 0.28, "2": 0.32, "3": 0.25, "4+": 0.15}
REGIONS = {"east": 0.34, "south": 0.22, "north": 0.20, "central": 0.14, "west": 0.10}
AGE_BANDS = {"18-24": 0.22, "25-30": 0.31, "31-35": 0.21, "36-40": 0.14, "41+": 0.12}
GENDERS = {"female": 0.63, "male": 0.37}
DEVICES = {"ios": 0.38, "android": 0.42, "mini_program": 0.20}


@dataclass(frozen=True)
class Params:
    """Behavioural parameters of the simulated company (documented in truth.json)."""

    # Sign-up growth: the daily sign-up rate rises linearly by this factor over two years.
    growth: float = 2.2
    # First purchase: share on the sign-up day among converters, mean delay otherwise.
    first_purchase_same_day: float = 0.5
    first_purchase_delay_mean: float = 10.0
    # BG/NBD repeat purchasing while alive (time unit: days): lambda ~ Gamma(r, alpha)
    # (shape r, rate alpha), dropout after each repeat purchase p ~ Beta(a, b).
    r: float = 0.80
    alpha: float = 30.0
    a: float = 0.75
    b: float = 3.0
    # Gamma-Gamma order value: value ~ Gamma(p, nu), nu ~ Gamma(q, gamma) (shape, rate).
    p: float = 6.0
    q: float = 4.0
    gamma: float = 45.0
    # Observable churn drivers: extra dropout chance after an order that was delivered
    # late, and after an order with a service complaint.
    dropout_if_late: float = 0.12
    dropout_if_complaint: float = 0.25
    # Delivery: base chance an order is late; extra lateness around the big festivals.
    late_base: float = 0.06
    late_festival: float = 0.30
    # Complaints: chance of a service ticket per order, and extra when late.
    ticket_base: float = 0.02
    ticket_if_late: float = 0.30
    # Browsing sessions: a novelty burst after sign-up, then a steady rate while the
    # customer is alive, then a fading tail after dropout.
    novelty_sessions: float = 1.6
    novelty_days: float = 4.0
    sessions_per_order: float = 3.0
    nonbuyer_rate: float = 0.02
    fade_days: float = 12.0
    # Referral invitations: chance an invitation brings a sign-up.
    invite_conversion: float = 0.14
    # Paid membership (Qingmu Plus): monthly and annual plans.
    member_join_base: float = 0.05
    member_join_per_order: float = 0.035
    member_renew_monthly: float = 0.78
    member_renew_annual: float = 0.55
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The parameters as a plain dict for truth.json."""
        return asdict(self)


@dataclass(frozen=True)
class World2:
    """What World 2 changes in the company's behaviour.

    World 2 is the course's company: the generator's default and the
    committed data. World 1 (``world=1``), the simpler company the course
    used before, is kept on request to compare with.
    """

    # Early dropout: besides p, a customer stops right after their k-th order
    # (k = 1 for the first) with chance early_dropout * early_fade ** (k - 1): many
    # buy once and never again, and each further order makes staying likelier (the
    # loyalty threshold of the first few orders).
    early_dropout: float = 0.45
    early_fade: float = 0.4
    # Elasticity of sign-ups to spend per paid channel: on a day a channel is expected
    # to bring n sign-ups it costs cac * n_ref * (n / n_ref) ** (1 / elasticity), n_ref
    # being its average day; below 1, each extra sign-up costs more (diminishing
    # returns). Referral rewards and store sign-up costs are paid per sign-up (1).
    elasticity: dict = field(default_factory=lambda: {
        "douyin_ads": 0.65, "xiaohongshu": 0.55, "search_ads": 0.80, "referral": 1.0,
        "offline_store": 1.0})
    # Referrals: customers invite after a good experience (their first order delivered
    # on time); most invitations come soon after it (an exponential lag of mean
    # invite_lag days), the rest (1 - invite_fresh) at any later time.
    invite_lag: float = 21.0
    invite_fresh: float = 0.7
    # Stores: as many as the world's size calls for (stores_per_20k users, at least
    # min_stores, every format at least once); a store sign-up picks an open store with weight
    # exp(store_signup_quality * quality), so better-run stores bring more app users,
    # and each month's WeCom adds include them. What a store costs, for its profit
    # and payback: rent per square metre and month and pay per staff hour by city
    # tier, the gross margin of store sales, and the fit-out by format (yuan).
    stores_per_20k: float = 24.0
    min_stores: int = 12
    store_signup_quality: float = 1.5
    store_gross_margin: float = 0.55
    rent_per_sqm_month: dict = field(default_factory=lambda: {"1": 420.0, "2": 260.0,
                                                               "3": 170.0})
    pay_per_staff_hour: dict = field(default_factory=lambda: {"1": 34.0, "2": 27.0,
                                                              "3": 22.0})
    fit_out: dict = field(default_factory=lambda: {"mall_kiosk": 150_000.0,
                                                   "street_shop": 320_000.0,
                                                   "flagship": 900_000.0})

    # What an online order costs beyond its products: the courier (by the customer's
    # city tier, plus per extra unit, more when the warehouse serves another region),
    # packaging (more for gift boxes), the payment processor's fee (0.6% is the usual
    # merchant rate of WeChat Pay and Alipay), priority shipping for Plus members, and
    # returns (full refund; food is not resold), likelier after a late delivery or a
    # quality complaint.
    shipping_by_tier: dict = field(default_factory=lambda: {"1": 6.0, "2": 7.0, "3": 8.0,
                                                             "4+": 10.0})
    shipping_per_extra_unit: float = 0.8
    shipping_other_region: float = 1.3
    packaging_base: float = 1.5
    packaging_per_unit: float = 0.4
    packaging_gift_box: float = 4.0
    payment_fee_rate: float = 0.006
    member_priority_shipping: float = 3.0
    return_base: float = 0.015
    return_if_late: float = 0.08
    return_if_quality_ticket: float = 0.45

    # The payment bug breaks checkout for this share of android orders (World 1: half):
    # at half, a 3,000-user world's few android orders a day hide the episode's days.
    payment_bug_failure_rate: float = 0.9

    def n_stores(self, users: int) -> int:
        """How many stores a world of ``users`` users has."""
        return max(self.min_stores, round(self.stores_per_20k * users / 20_000))

    def to_dict(self) -> dict:
        """The parameters as a plain dict for truth.json."""
        return asdict(self)


# Festivals: (name, month, day, peak multiplier, days of run-up before the peak).
FESTIVALS = [
    ("womens_day", 3, 8, 1.9, 3),
    ("618", 6, 18, 3.0, 7),
    ("double_11", 11, 11, 4.5, 10),
    ("double_12", 12, 12, 1.8, 2),
]
# Lunar festivals (gift-box season before, a quiet holiday after).
# (public lunar calendar dates: Spring Festival 2026 is 17 February, Mid-Autumn 2026
# is 25 September)
SPRING_FESTIVAL = {2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29),
                   2026: dt.date(2026, 2, 17)}
MID_AUTUMN = {2024: dt.date(2024, 9, 17), 2025: dt.date(2025, 10, 6),
              2026: dt.date(2026, 9, 25)}
# Monday..Sunday multipliers of the buying rate: evenings and weekends sell more.
WEEKDAY = [0.92, 0.94, 0.96, 1.00, 1.06, 1.10, 1.02]

# Planted operational incidents, found in module 6.
INCIDENTS = [
    dict(
        name="tracking_outage",
        start="2025-03-10",
        end="2025-03-16",
        dimension="channel",
        value="douyin_ads",
        effect="sign-ups from douyin_ads were recorded as channel 'unknown' while spend went on",
    ),
    dict(
        name="warehouse_delay",
        start="2025-07-14",
        end="2025-07-20",
        dimension="warehouse",
        value="east",
        effect="orders shipped from the east warehouse arrived 3 days late",
        extra_days=3,
    ),
    dict(
        name="payment_bug",
        start="2025-09-08",
        end="2025-09-12",
        dimension="platform",
        value="android",
        effect="checkout failed for half of android app orders (add to cart without order)",
        failure_rate=0.5,
    ),
]

# Outbound CRM messages (app push, SMS, WeCom). Who can be reached on which
# medium, how often the CRM writes to each segment, when it writes, and how
# readers tire of it.
MESSAGE_MEDIA: dict[str, dict[str, float]] = {
    # weight: share of a user's messages among the media that reach them;
    # open: log-odds of opening when it is the only message of the week, for a
    # user of average browsing who has not bought yet (see MESSAGING);
    # unsubscribe / complaint: shifts of the fatigue log-odds for this medium.
    "app_push": dict(weight=0.45, open=-2.3, unsubscribe=0.3, complaint=-0.6),
    "sms":      dict(weight=0.30, open=-1.3, unsubscribe=0.0, complaint=0.6),
    "wecom":    dict(weight=0.55, open=-0.6, unsubscribe=-0.4, complaint=-0.2),
}  # fmt: skip
# Reach: app push needs the app and notifications allowed (chance by device);
# SMS needs marketing consent; WeCom needs the user to add the brand's adviser:
# most store sign-ups do at sign-up, some customers at their first order (a card
# in the parcel), a few others at sign-up.
MESSAGE_REACH = dict(
    app_push=dict(ios=0.55, android=0.75, mini_program=0.0),
    sms=0.80,
    wecom=dict(store_signup=0.85, at_first_order=0.20, other=0.03),
)
# Messages per week over all media by the user's CRM segment on the day of
# sending (from the orders placed before that day): 'welcome' in the first
# `welcome_days` after sign-up and 'prospect' later while no order is seen, then
# the segments of the campaigns (new, loyal, active, lapsing, dormant).
MESSAGE_RATES: dict[str, float] = {
    "welcome": 1.0,
    "prospect": 0.03,
    "new": 0.8,
    "loyal": 1.6,
    "active": 0.45,
    "lapsing": 0.25,
    "dormant": 0.03,
}
# Purpose mix by segment (promotion, reminder, content, service); promotion
# weighs more in the festival run-up, by the day's send multiplier.
MESSAGE_PURPOSES = ["promotion", "reminder", "content", "service"]
MESSAGE_PURPOSE_MIX: dict[str, tuple[float, float, float, float]] = {
    "welcome":  (0.25, 0.15, 0.35, 0.25),
    "prospect": (0.50, 0.20, 0.30, 0.00),
    "new":      (0.35, 0.25, 0.20, 0.20),
    "loyal":    (0.40, 0.20, 0.20, 0.20),
    "active":   (0.45, 0.25, 0.20, 0.10),
    "lapsing":  (0.60, 0.20, 0.15, 0.05),
    "dormant":  (0.65, 0.10, 0.25, 0.00),
}  # fmt: skip
MESSAGING = dict(
    # Days after sign-up in the 'welcome' segment.
    welcome_days=14.0,
    # Per-user send intensity: lognormal with mean 1 (some lists get written to
    # far more than others).
    intensity_sigma=1.0,
    # Festival run-up: the send rate rises linearly to 1 + push x (peak - 1) on
    # the festival day, starting `lead_days` before the buying run-up does.
    festival_push=0.45,
    festival_lead_days=4,
    # Clicks: log-odds of clicking through once opened, by purpose.
    click=dict(promotion=-1.1, reminder=-0.85, content=-1.5, service=-0.6),
    # Opens: shift of the open log-odds by purpose.
    open_purpose=dict(promotion=-0.1, reminder=0.1, content=-0.2, service=0.4),
    # Engagement, added to the open log-odds and half of it to the click
    # log-odds: 0.5 x log(browsing intensity), plus these shifts while the
    # customer still buys (latent: before their dropout) and after dropout.
    engagement_alive=0.4,
    engagement_dropped=-0.4,
)
# Fatigue. x = messages the user received from the brand (all media) in the
# 7 days up to and including this one. The chance that this message makes the
# user unsubscribe from its medium, or complain (mark it as spam), is
# logistic(intercept + slope * x + medium shift + purpose shift); the open
# log-odds change by `open_slope` (negative) per message above one.
MESSAGE_FATIGUE = dict(
    window_days=7,
    unsubscribe=dict(intercept=-6.2, slope=0.38),
    complaint=dict(intercept=-7.6, slope=0.42),
    purpose_shift=dict(promotion=0.2, reminder=0.0, content=-0.2, service=-1.0),
    open_slope=-0.12,
)

# How the company's customers answer a message after the data ends (the capstone's
# sandbox, coursekit.sandbox.response). The world's history fixes most of it (uplift by
# segment, open rates, fatigue); these are the numbers it does not fix, stated as
# assumptions: what a message costs, how a coupon's depth, a purpose and repeated
# contacts change its effect, how long an offer runs, how future profit is discounted.
RESPONSE = dict(
    message_cost_sms=0.05,       # yuan per SMS delivered (bulk SMS price)
    message_cost_app_push=0.0,   # free to send
    message_cost_wecom=0.5,      # about a minute of an adviser's time at 30 yuan an hour
    complaint_minutes=15.0,      # a service agent's time per complaint
    discount_rate=0.10,          # a year, when an unsubscribe's lost future is priced
    uplift_none=0.01,            # uplift of a user with no order yet
    max_response=0.9,            # highest chance that an opener orders
    depth_scale=0.15,            # coupon depth at which its effect reaches 63% of its ceiling
    no_coupon_effect=0.35,       # a message without a coupon, relative to the usual coupon
    offer_days=7.0,              # days an offer runs and an extra order can follow
    wearout=0.7,                 # each earlier contact of a plan multiplies the effect by this
    purpose_effect_promotion=1.0,
    purpose_effect_reminder=0.6,
    purpose_effect_content=0.3,
    purpose_effect_service=0.2,
)
