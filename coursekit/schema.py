"""Column contracts of every course table, and :func:`validate`.

One source for three things: typed loading (:func:`coerce`), validation of
a whole table (:func:`validate`, also run by :func:`coursekit.load`), and
the data dictionary in ``datasets/README.md`` (:func:`data_dictionary`).
The rules of a valid value (an id, a time, an amount) are those of
:mod:`coursekit.inputs`, the check at the door of every analytics function;
a contract applies them per column and adds the dtypes, required columns
and unique keys.

Kinds: ``int`` (no missing values), ``Int`` (integer, may be missing),
``float``, ``category``, ``str``, ``datetime``, ``date``, ``bool``,
``boolean`` (may be missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coursekit._values import ids as _ids
from coursekit._values import missing as _missing
from coursekit._values import numbers as _numbers
from coursekit._values import rows as _rows
from coursekit._values import times as _times
from coursekit.errors import DataError
from coursekit.inputs import unique_key

__all__ = ["Column", "Table", "TABLES", "validate", "coerce", "data_dictionary"]


@dataclass(frozen=True)
class Column:
    """One column: name, kind, unit and meaning; ``min`` is the smallest allowed value."""

    name: str
    kind: str
    meaning: str
    unit: str = ""
    min: float | None = None

    @property
    def nullable(self) -> bool:
        return self.kind in ("Int", "boolean") or self.meaning.endswith("(may be empty)")


@dataclass(frozen=True)
class Table:
    """A table's contract: its columns, its key and a one-line description."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    notes: str = ""
    extra: dict = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


C = Column

#: The course company's loyalty tiers: the minimum spend in the last 12 months
#: (yuan) of each tier above bronze. The one home of this rule: the simulator
#: assigns ``users.member_tier`` with it and :func:`coursekit.segments.assign_tiers`
#: uses it as its default cutoffs.
MEMBER_TIER_CUTOFFS = {"platinum": 1500.0, "gold": 600.0, "silver": 150.0}

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "users",
            "Everyone who signed up, with how they came and who they are.",
            (
                C("user_id", "int", "user key", min=1),
                C("signup_time", "datetime", "time of sign-up (China time)"),
                C(
                    "channel",
                    "category",
                    "acquisition channel as recorded (organic, douyin_ads, "
                    "xiaohongshu, search_ads, referral, offline_store; 'unknown' when "
                    "tracking failed)",
                ),
                C("city_tier", "category", "city tier: 1, 2, 3, 4+"),
                C("region", "category", "region: east, south, north, central, west"),
                C("age_band", "category", "age band"),
                C("gender", "category", "female or male"),
                C("device", "category", "main device: ios, android, mini_program (WeChat)"),
                C("store_id", "Int", "store where an offline sign-up happened (may be empty)"),
                C(
                    "member_tier",
                    "category",
                    "loyalty tier at the end of the data, from the last 12 months' spend: "
                    + ", ".join(f"{t} >= {v:.0f}" for t, v in MEMBER_TIER_CUTOFFS.items())
                    + ", else bronze",
                    "yuan",
                ),
            ),
            key=("user_id",),
        ),
        Table(
            "events",
            "What users did in the app and mini-program, step by step.",
            (
                C("event_id", "int", "event key, in time order", min=1),
                C("user_id", "int", "who", min=1),
                C("session_id", "int", "the visit this event belongs to", min=1),
                C("event_time", "datetime", "when"),
                C(
                    "event_type",
                    "category",
                    "signup, search, view, add_to_cart, order, share, invite",
                ),
                C("platform", "category", "ios, android or mini_program"),
                C("product_id", "Int", "product viewed or added to cart (may be empty)"),
                C("order_id", "Int", "order placed, for order events (may be empty)"),
            ),
            key=("event_id",),
        ),
        Table(
            "orders",
            "Online orders, with delivery and campaign coupons.",
            (
                C("order_id", "int", "order key, in time order", min=1),
                C("user_id", "int", "customer", min=1),
                C("order_time", "datetime", "when the order was paid"),
                C("platform", "category", "app or mini_program"),
                C("device", "category", "ios, android or mini_program"),
                C("warehouse", "category", "shipping warehouse: east, south, north, central"),
                C("items", "int", "number of units in the order", min=1),
                C("gross_amount", "float", "value of the items before discount", "yuan", min=0),
                C("discount", "float", "campaign coupon used", "yuan", min=0),
                C("amount", "float", "amount paid = gross_amount - discount", "yuan", min=0),
                C("campaign_id", "Int", "campaign the order came with: its coupon used "
                  "(discount > 0) or an order the campaign brought (may be empty)"),
                C("promised_days", "int", "delivery promise", "days", min=1),
                C(
                    "delivery_days",
                    "int",
                    "actual days from order to delivery; late when above promised_days",
                    "days",
                    min=0,
                ),
            ),
            key=("order_id",),
        ),
        Table(
            "order_items",
            "The products in each order.",
            (
                C("order_id", "int", "order", min=1),
                C("product_id", "int", "product", min=1),
                C("quantity", "int", "units", min=1),
                C("unit_price", "float", "price per unit", "yuan", min=0),
                C("amount", "float", "quantity x unit_price", "yuan", min=0),
            ),
            key=("order_id", "product_id"),
        ),
        Table(
            "products",
            "The catalogue.",
            (
                C("product_id", "int", "product key", min=1),
                C("name", "str", "product name"),
                C(
                    "category",
                    "category",
                    "nuts, dried_fruit, tea, coffee, pastry, jerky, gift_box, oats",
                ),
                C("category_zh", "category", "category in Chinese"),
                C("price", "float", "list price", "yuan", min=0),
                C("unit_cost", "float", "cost of goods per unit", "yuan", min=0),
                C("launch_date", "date", "first day on sale"),
            ),
            key=("product_id",),
        ),
        Table(
            "channel_spend",
            "Daily cost of each paid acquisition channel.",
            (
                C("date", "date", "day"),
                C("channel", "category", "acquisition channel"),
                C("spend", "float", "money spent that day", "yuan", min=0),
                C("impressions", "int", "ad impressions (0 for non-media channels)", min=0),
                C("clicks", "int", "ad clicks (0 for non-media channels)", min=0),
            ),
            key=("date", "channel"),
        ),
        Table(
            "campaigns",
            "Marketing campaigns run as randomised experiments.",
            (
                C("campaign_id", "int", "campaign key", min=1),
                C("name", "str", "campaign name"),
                C("medium", "category", "sms, app_push or wecom"),
                C("offer", "str", "the coupon offered"),
                C("coupon", "float", "coupon value", "yuan", min=0),
                C("threshold", "float", "minimum order value for the coupon", "yuan", min=0),
                C("start_date", "date", "first day"),
                C("end_date", "date", "last day"),
                C("send_hour", "int", "hour the messages were sent", "hour", min=0),
            ),
            key=("campaign_id",),
        ),
        Table(
            "campaign_assignments",
            "Who was randomised into which group, and what they did.",
            (
                C("campaign_id", "int", "campaign", min=1),
                C("user_id", "int", "customer", min=1),
                C("group", "category", "treatment (got the message) or control (did not)"),
                C(
                    "segment",
                    "category",
                    "CRM segment on the send day: new, loyal, active, lapsing, dormant",
                ),
                C(
                    "sent_time",
                    "datetime",
                    "when the message went out (control: when it would have)",
                ),
                C("opened", "boolean", "opened the message (treatment only; empty for control)"),
                C("converted", "bool", "ordered within the campaign window"),
                C("revenue", "float", "amount paid within the window", "yuan", min=0),
            ),
            key=("campaign_id", "user_id"),
        ),
        Table(
            "messages",
            "The CRM's routine messages (app push, SMS, WeCom) and how each was received; "
            "the randomised campaigns' messages are in campaign_assignments.",
            (
                C("message_id", "int", "message key, in send-time order", min=1),
                C("user_id", "int", "recipient", min=1),
                C("sent_time", "datetime", "when the message went out"),
                C("medium", "category", "app_push, sms or wecom"),
                C("purpose", "category", "promotion, reminder, content or service"),
                C(
                    "opened",
                    "bool",
                    "opened: push tapped, WeCom message read, SMS short link visited",
                ),
                C("clicked", "bool", "went on from it to the store or a coupon (implies opened)"),
                C(
                    "unsubscribed",
                    "bool",
                    "the recipient opted out of this medium on this message; nothing "
                    "more is sent to them on it",
                ),
                C("complained", "bool", "the recipient marked it as spam or complained"),
            ),
            key=("message_id",),
        ),
        Table(
            "referrals",
            "Invitations sent by customers (老带新), accepted or not.",
            (
                C("referral_id", "int", "invitation key", min=1),
                C("inviter_id", "int", "who invited", min=1),
                C("invite_time", "datetime", "when the invitation was sent"),
                C("invitee_id", "Int", "the user who signed up from it (may be empty)"),
                C("signup_time", "datetime", "when the invitee signed up (may be empty)"),
                C("reward", "float", "referral reward paid", "yuan", min=0),
            ),
            key=("referral_id",),
        ),
        Table(
            "tickets",
            "Customer-service tickets.",
            (
                C("ticket_id", "int", "ticket key", min=1),
                C("order_id", "int", "order the ticket is about", min=1),
                C("user_id", "int", "customer", min=1),
                C("created_time", "datetime", "when the customer contacted us"),
                C(
                    "reason",
                    "category",
                    "delivery_late, product_quality, wrong_item, refund_request, other",
                ),
                C("contact", "category", "in_app_chat, phone or wecom"),
                C("first_response_minutes", "float", "time to the first answer", "minutes", min=0),
                C("resolved", "bool", "solved in the first contact"),
                C("satisfaction", "Int", "rating 1-5 given after the ticket (may be empty)"),
            ),
            key=("ticket_id",),
        ),
        Table(
            "memberships",
            "Paid membership periods of Qingmu Plus (青木会员 Plus).",
            (
                C("membership_id", "int", "period key", min=1),
                C("user_id", "int", "member", min=1),
                C("plan", "category", "monthly (15 yuan) or annual (128 yuan)"),
                C("period", "int", "1 for the first period, 2 for the first renewal, ...", min=1),
                C("start_date", "date", "first day of the period"),
                C("end_date", "date", "last day of the period"),
                C("price", "float", "price paid", "yuan", min=0),
            ),
            key=("membership_id",),
        ),
        Table(
            "content_posts",
            "Posts of the brand's content accounts and how they did.",
            (
                C("post_id", "int", "post key", min=1),
                C("platform", "category", "wechat_oa, xiaohongshu, douyin, video_account"),
                C("publish_time", "datetime", "when published"),
                C("format", "category", "article, image_post, short_video, live"),
                C(
                    "topic",
                    "category",
                    "product, recipe, health_tips, promotion, brand_story, user_stories",
                ),
                C("slot", "category", "morning, noon, evening, late_night"),
                C("impressions", "int", "times shown", min=0),
                C("views", "int", "times opened or watched", min=0),
                C("likes", "int", "likes", min=0),
                C("comments", "int", "comments", min=0),
                C("shares", "int", "shares", min=0),
                C("follows", "int", "new followers from the post", min=0),
                C("clicks_to_store", "int", "clicks through to the online store", min=0),
            ),
            key=("post_id",),
        ),
        Table(
            "stores",
            "Offline stores: the operating units.",
            (
                C("store_id", "int", "store key", min=1),
                C("name", "str", "store name"),
                C("city", "category", "city"),
                C("city_tier", "category", "city tier"),
                C("region", "category", "region"),
                C("format", "category", "mall_kiosk, street_shop or flagship"),
                C("open_date", "date", "opening day (before the data starts for older stores)"),
                C("area_sqm", "int", "floor area", "m²", min=1),
                C("staff", "int", "staff on the payroll", min=1),
                C("has_car_park", "bool", "a car park serves the store"),
                C(
                    "manager_tenure_years",
                    "float",
                    "store manager's years in the job",
                    "years",
                    min=0,
                ),
            ),
            key=("store_id",),
        ),
        Table(
            "store_months",
            "Monthly performance of each store.",
            (
                C("store_id", "int", "store", min=1),
                C("month", "date", "first day of the month"),
                C("footfall", "int", "visitors counted at the door", min=0),
                C("car_park_traffic", "int", "cars entering the car park (0 without one)", min=0),
                C("transactions", "int", "till receipts", min=0),
                C("revenue", "float", "sales", "yuan", min=0),
                C(
                    "wecom_members_added",
                    "int",
                    "customers added to the store's WeCom (企业微信)",
                    min=0,
                ),
                C("staff_hours", "float", "hours worked", "hours", min=0),
            ),
            key=("store_id", "month"),
        ),
        Table(
            "survey",
            "Customer survey: importance of attributes and ratings of three brands.",
            (
                C("respondent_id", "int", "respondent", min=1),
                C("user_id", "int", "the respondent's user id; 0 when not a user", min=0),
                C("age_band", "category", "age band"),
                C("city_tier", "category", "city tier"),
                C(
                    "attribute",
                    "category",
                    "taste, health, price, packaging, delivery_speed, variety, brand_trust",
                ),
                C(
                    "importance",
                    "int",
                    "points out of 100 spread over the 7 attributes",
                    "points",
                    min=0,
                ),
                C("rating_qingmu", "int", "rating of Qingmu (青木) on this attribute, 1-10", min=1),
                C("rating_songguo", "int", "rating of competitor Songguo (松果铺), 1-10", min=1),
                C(
                    "rating_guorenjia",
                    "int",
                    "rating of competitor Guorenjia (果仁家), 1-10",
                    min=1,
                ),
            ),
            key=("respondent_id", "attribute"),
        ),
        Table(
            "order_costs",
            "What fulfilling each online order cost the company.",
            (
                C("order_id", "int", "order", min=1),
                C("shipping", "float", "courier cost, by warehouse, city tier and items",
                  "yuan", min=0),
                C("packaging", "float", "box, filling and gift wrap", "yuan", min=0),
                C("payment_fee", "float", "payment processor's fee on the amount paid", "yuan",
                  min=0),
                C("member_benefit", "float", "priority shipping given to Plus members",
                  "yuan", min=0),
                C("returned", "bool", "the order was returned and refunded"),
                C("refund", "float", "amount refunded (the goods are not resold)", "yuan",
                  min=0),
            ),
            key=("order_id",),
        ),
        Table(
            "cost_rates",
            "The company's cost parameters for unit economics, one row per rate (the "
            "values the simulator used).",
            (
                C("item", "category", "what the rate is: rent_per_sqm_month, "
                  "pay_per_staff_hour, store_gross_margin, fit_out, shipping_by_tier, "
                  "shipping_per_extra_unit, shipping_other_region, packaging_base, "
                  "packaging_per_unit, packaging_gift_box, payment_fee_rate, "
                  "member_priority_shipping, return_base, return_if_late, "
                  "return_if_quality_ticket, elasticity, acquisition_cost"),
                C("key", "category", "what the rate depends on: city tier, store format or "
                  "channel; 'all' where it depends on nothing"),
                C("value", "float", "the rate, in its unit", "see unit", min=0),
                C("unit", "category", "unit of the value: yuan, yuan per order, yuan per "
                  "unit, yuan per m² per month, yuan per staff hour, yuan per sign-up, share "
                  "(0-1), times, exponent"),
                C("description", "str", "what the rate covers"),
            ),
            key=("item", "key"),
        ),
        Table(
            "gift_vouchers",
            "Hairy-crab (大闸蟹) gift vouchers (蟹券): cash at the sale, the cost of the crabs "
            "only at redemption, and vouchers never redeemed (breakage).",
            (
                C("voucher_id", "int", "voucher key, in order of sale", min=1),
                C("buyer_id", "int", "the purchase: a company buys a batch of vouchers at once",
                  min=1),
                C("buyer_type", "category", "corporate (gifts for staff and clients) or "
                  "individual"),
                C("season", "int", "crab season (year) the voucher is for", min=2024),
                C("sold_date", "date", "day the voucher was sold and paid"),
                C("face_value", "float", "value printed on the voucher: 388, 588, 888 or 1288",
                  "yuan", min=0),
                C("price_paid", "float", "price paid: face value less a corporate discount by "
                  "batch size", "yuan", min=0),
                C("valid_until", "date", "last day the voucher can be redeemed"),
                C("redeemed_date", "date", "day the crabs were sent; empty when never redeemed "
                  "(may be empty)"),
                C("crab_cost", "float", "cost of the box of crabs sent; 0 when never redeemed",
                  "yuan", min=0),
                C("delivery_cost", "float", "cold-chain delivery of the box; 0 when never "
                  "redeemed", "yuan", min=0),
            ),
            key=("voucher_id",),
        ),
        Table(
            "group_buying",
            "A community group-buying (社区团购) pilot: each neighbourhood leader (团长) and "
            "week, from the week the leader joined.",
            (
                C("leader_id", "int", "leader, in order of joining", min=1),
                C("week", "date", "the week's Monday"),
                C("city", "category", "the leader's city"),
                C("active", "bool", "the leader ran the group that week (False after quitting)"),
                C("orders", "int", "orders of the leader's neighbours", min=0),
                C("gmv", "float", "value of the orders at list price (GMV)", "yuan", min=0),
                C("commission_rate", "float", "the leader's commission on GMV (0-1)", "share",
                  min=0),
                C("take_rate", "float", "the platform's fee on GMV charged to suppliers (0-1)",
                  "share", min=0),
                C("subsidy", "float", "price subsidy paid by the platform (neighbours paid gmv "
                  "- subsidy)", "yuan", min=0),
                C("leader_bonus", "float", "bonus per order paid by the platform to the leader",
                  "yuan", min=0),
                C("fulfilment_cost", "float", "the platform's cost of picking, packing and "
                  "delivering to the pickup point", "yuan", min=0),
            ),
            key=("leader_id", "week"),
        ),
        Table(
            "businesses",
            "Twelve fictional digital businesses and last year's revenue by stream, for "
            "classifying profit models.",
            (
                C("business_id", "int", "business key", min=1),
                C("name", "str", "name"),
                C("name_zh", "str", "name in Chinese"),
                C("description", "str", "what it does"),
                C("users", "float", "active users", "million", min=0),
                C("partners", "int", "merchants, hosts, owners or shops working through it "
                  "(0 for none)", min=0),
                C("gmv", "float", "value traded between others through it (GMV); empty when "
                  "nothing is (may be empty)", "million yuan", min=0),
                C("slot_fees", "float", "slot fees (坑位费): paid up front for a place in front "
                  "of the users", "million yuan", min=0),
                C("tolls", "float", "tolls (过路费): commissions on each transaction",
                  "million yuan", min=0),
                C("advertising", "float", "advertising", "million yuan", min=0),
                C("subscriptions", "float", "users' paid subscriptions and memberships",
                  "million yuan", min=0),
                C("product_sales", "float", "sales of its own products", "million yuan", min=0),
                C("services", "float", "fees from the businesses and people working through it "
                  "for tools, supplies, finance and training", "million yuan", min=0),
                C("member_rewards", "float", "value given back to members as tokens that share "
                  "in the income (not a revenue stream)", "million yuan", min=0),
            ),
            key=("business_id",),
        ),
        Table(
            "market_adoption",
            "New adopters of five product categories by month, 2016-2025, from each "
            "one's launch: life cycles and a second generation (第二曲线).",
            (
                C("category", "category", "product category: daily_nuts (每日坚果), "
                  "meal_replacement_shake (代餐奶昔), freeze_dried_coffee (冻干咖啡), "
                  "personalised_snack_box (个性化零食盒), nut_gift (坚果礼品)"),
                C("generation", "int", "product generation: 1; nut_gift has a generation 2 "
                  "(a gift card sent in a chat) from 2021 that replaces generation 1 (a boxed "
                  "gift)", min=1),
                C("month", "date", "first day of the month"),
                C("new_adopters", "int", "people who adopted the category that month with this "
                  "generation (their first time in the category)", "people", min=0),
                C("upgraders", "int", "users of the previous generation who moved to this one "
                  "that month (0 for generation 1)", "people", min=0),
            ),
            key=("category", "generation", "month"),
        ),
        Table(
            "brand_survey",
            "The survey's respondents rate five brands on the seven attributes and give "
            "each an overall score (the ratings of qingmu, songguo and guorenjia are the "
            "survey's).",
            (
                C("respondent_id", "int", "respondent, as in survey", min=1),
                C("brand", "category", "qingmu (青木, the company), songguo (松果铺), guorenjia "
                  "(果仁家), youjia (优价, a discount platform's own label), maplecrest (枫岭, a "
                  "premium import brand)"),
                C("taste", "int", "rating of the brand's taste, 1-10", min=1),
                C("health", "int", "rating on health, 1-10", min=1),
                C("price", "int", "rating on price (value for money), 1-10", min=1),
                C("packaging", "int", "rating on packaging, 1-10", min=1),
                C("delivery_speed", "int", "rating on delivery speed, 1-10", min=1),
                C("variety", "int", "rating on variety, 1-10", min=1),
                C("brand_trust", "int", "rating on trust in the brand, 1-10", min=1),
                C("overall", "int", "overall satisfaction with the brand, 1-10", min=1),
            ),
            key=("respondent_id", "brand"),
        ),
        Table(
            "survey_profiles",
            "The survey's respondents: usage scenarios, motivations, timing, frequency, "
            "spend and a Van Westendorp price block for a 500 g mixed-nut box.",
            (
                C("respondent_id", "int", "respondent, as in survey", min=1),
                C("scene_office", "bool", "eats snacks at work"),
                C("scene_gift", "bool", "buys snacks as gifts"),
                C("scene_fitness", "bool", "eats snacks around exercise"),
                C("scene_family", "bool", "buys snacks for the family at home"),
                C("scene_late_night", "bool", "eats snacks late at night"),
                C("motive_health", "int", "how much health drives their snack buying, 1-7",
                  min=1),
                C("motive_taste", "int", "how much taste drives it, 1-7", min=1),
                C("motive_convenience", "int", "how much convenience drives it, 1-7", min=1),
                C("motive_price", "int", "how much a low price drives it, 1-7", min=1),
                C("motive_gift", "int", "how much giving and sharing drive it, 1-7", min=1),
                C("snack_time", "category", "when they snack most: morning, afternoon, "
                  "evening, late_night"),
                C("purchases_per_month", "int", "snack purchases in a usual month, any shop",
                  "purchases", min=0),
                C("monthly_snack_spend", "float", "what they spend on snacks in a usual month",
                  "yuan", min=0),
                C("price_too_cheap", "float", "price so low they would doubt the quality",
                  "yuan", min=0),
                C("price_cheap", "float", "price at which it is a bargain", "yuan", min=0),
                C("price_expensive", "float", "price at which it gets expensive but is still "
                  "worth considering", "yuan", min=0),
                C("price_too_expensive", "float", "price so high they would not buy it",
                  "yuan", min=0),
            ),
            key=("respondent_id",),
        ),
        Table(
            "competitors",
            "A weighted competitiveness table: an analyst panel's scores of five direct "
            "and two indirect competitors on seven criteria, with default weights.",
            (
                C("brand", "category", "qingmu (the company), songguo, guorenjia, youjia, "
                  "maplecrest (direct), xianguo (鲜果到家, fresh fruit delivery) and chayin "
                  "(茶饮, a tea-drink chain) (indirect)"),
                C("brand_type", "category", "direct or indirect competitor"),
                C("criterion", "category", "product_quality, price_value, brand_awareness, "
                  "channel_coverage, delivery_service, product_innovation, digital_operations"),
                C("weight", "float", "default weight of the criterion (the weights of a brand "
                  "add up to 1)", "share", min=0),
                C("score", "float", "the panel's mean score, 1-10", min=1),
            ),
            key=("brand", "criterion"),
        ),
        Table(
            "raw_app_accounts",
            "Raw export of the app's accounts, as the app's database gives them, not "
            "cleaned: one row per account (a person may have two).",
            (
                C("account_id", "str", "account key, text (A10000123)"),
                C("phone", "str", "the phone the app verified at sign-up: 11 digits as text"),
                C("nickname", "str", "nickname chosen by the user, or the app's default 用户 "
                  "and the phone's last four digits; staff test accounts say 测试 or test"),
                C("created_at", "datetime", "when the account was made (China time)"),
                C("city", "str", "city as typed: 北京, 北京市, Beijing, ' beijing ', full-width "
                  "letters (may be empty)"),
                C("device", "str", "phone model"),
            ),
            key=("account_id",),
        ),
        Table(
            "raw_miniprogram_users",
            "Raw export of the WeChat mini-program's users, not cleaned: one row per WeChat "
            "account that opened it (a person may use two).",
            (
                C("openid", "str", "the user's id in this mini-program, text"),
                C("unionid", "str", "the user's id across the company's WeChat apps (the same "
                  "in WeCom); only on records made or refreshed after the mini-program was "
                  "bound to the company's WeChat open platform account (may be empty)"),
                C("nickname", "str", "WeChat nickname, mostly WeChat's default 微信用户"),
                C("phone", "str", "phone the user let the mini-program read: 13812345678, "
                  "+8613812345678 or +86 138 1234 5678 (may be empty)"),
                C("first_seen", "str", "first visit, UTC as text with a Z: "
                  "2025-10-03T06:22:05Z"),
            ),
            key=("openid",),
        ),
        Table(
            "raw_pos_members",
            "Raw export of the stores' member cards, as typed at the till, not cleaned: one "
            "row per card (a person may hold two).",
            (
                C("member_no", "str", "card number, text"),
                C("name", "str", "the member's name as typed (sometimes with a stray space)"),
                C("phone", "str", "phone as typed: 13812345678, 138-1234-5678, 138 1234 5678, "
                  "+86 13812345678, a trailing space or full-width digits; sometimes one "
                  "digit off"),
                C("store_id", "int", "store that issued the card (the stores table's)", min=1),
                C("joined_on", "date", "day the card was issued"),
                C("city", "str", "the store's city, spelt in several ways (may be empty)"),
            ),
            key=("member_no",),
        ),
        Table(
            "raw_wecom_contacts",
            "Raw export of the advisers' WeCom (企业微信) contacts, not cleaned: one row per "
            "adviser and contact (a contact added by two advisers has two rows).",
            (
                C("external_userid", "str", "the contact's id in the company's WeCom, text"),
                C("unionid", "str", "the contact's WeChat unionid, the same as in the "
                  "mini-program (may be empty)"),
                C("remark", "str", "the adviser's note: a name, 王女士, a phone, a name and a "
                  "phone, or the store and a name (may be empty)"),
                C("adviser", "str", "who added the contact: a store's staff (青木·上海01-店员2) "
                  "or an online adviser (青木顾问03)"),
                C("added_at", "datetime", "when the adviser added the contact (China time)"),
            ),
            key=("external_userid", "adviser"),
        ),
        Table(
            "raw_orders",
            "Raw export of one quarter's orders (2025-10-01 to 2025-12-31, China time) from "
            "the order system, as delivered and not cleaned: rows delivered twice, test "
            "orders, cancelled and refunded orders, text as written. Its paid, non-test "
            "orders, one per order_no, are the quarter's rows of orders.",
            (
                C("order_no", "str", "order number, text; an order can come two or three "
                  "times"),
                C("source", "category", "system that took the order: app, mini_program, pos "
                  "(keyed in at a store's till)"),
                C("buyer_ref", "str", "the buyer's key in that system: account_id (app), "
                  "openid (mini_program) or member_no (pos)"),
                C("amount", "str", "amount as text: 128.00, 128, ¥128.00, 1,280.00, "
                  "full-width digits, stray spaces", "yuan"),
                C("status", "str", "paid, cancelled, refunded or test, in mixed case and "
                  "languages (已支付, 已取消, 已退款, 测试)"),
                C("created_at", "str", "when the order was placed, as text: app rows China time "
                  "2025-10-03 14:22:05, mini_program rows UTC 2025-10-03T06:22:05Z, pos rows "
                  "China time 2025/10/03 14:22:05"),
                C("city", "str", "delivery city, spelt in several ways (may be empty)"),
                C("exported_at", "datetime", "when the nightly export wrote the row (China "
                  "time); later for a row exported again"),
            ),
        ),
        Table(
            "raw_links",
            "Latent: the truth behind the raw exports, one row per raw record (its person, "
            "its clean order, what is wrong with it); for checking a cleaning or a "
            "stitching of the raw tables, not an input of one.",
            (
                C("table", "category", "the record's raw table: raw_app_accounts, "
                  "raw_miniprogram_users, raw_pos_members, raw_wecom_contacts, raw_orders"),
                C("key", "str", "the record's key there: account_id, openid, member_no, "
                  "external_userid or order_no"),
                C("copy", "int", "which row with that key, in the table's row order: 1; 2 or 3 "
                  "for an order row delivered again or a contact's second adviser", min=1),
                C("user_id", "Int", "the person (users.user_id); empty for a staff test "
                  "record"),
                C("order_id", "Int", "the clean order (orders.order_id) of a paid order row, on "
                  "its copies too; empty otherwise"),
                C("bad_reason", "category", "why a cleaning drops the row: duplicate, test, "
                  "cancelled, refunded, staff_test_account (may be empty)"),
                C("note", "category", "what else was planted: second_account, "
                  "second_wechat_account, second_store_membership, second_adviser, "
                  "exact_copy, reexported (may be empty)"),
                C("phone_kind", "category", "which phone the record holds: the person's "
                  "main or second, family (a relative's, another customer's main phone) or "
                  "store (the store's own, typed at the till); empty when it holds none "
                  "(may be empty)"),
                C("phone_typo", "bool", "the record's phone is one digit off the person's"),
            ),
            key=("table", "key", "copy"),
        ),
        Table(
            "referral_experiment",
            "A randomised test of a referral programme (老带新, 裂变) on the company's "
            "customers from 2025-06-01: every customer who had ordered before then (at most "
            "6,000, drawn at random) was assigned to a control arm or one of six programmes; "
            "what each did in the programme's 30 days. The invitees are not in users.",
            (
                C("user_id", "int", "the participant (users.user_id)", min=1),
                C("arm", "category", "the arm: control (no programme), cash_5, cash_10, "
                  "cash_20 (a red packet of 5, 10 or 20 yuan per friend's first order, link), "
                  "points_10 (1,000 points, worth 10 yuan in the points mall, per friend's "
                  "first order, link), poster_10 (10 yuan, shareable poster), lottery_10 (a "
                  "draw per invitation sent, winning a 10 yuan red packet, link)"),
                C("reward_type", "category", "none, cash (a red packet, 红包) or points"),
                C("reward_yuan", "float", "the reward: the red packet, or the points' face "
                  "value (0 for control)", "yuan", min=0),
                C("share_format", "category", "how invitations are shared: link (sent to a "
                  "friend in a chat) or poster (posted to Moments or a group, with a QR code)"),
                C("mechanic", "category", "task (the reward for each invited friend whose first "
                  "order arrives), lottery (a draw for each invitation sent) or none"),
                C("orders_before", "int", "the participant's orders before the test", "orders",
                  min=1),
                C("spend_before", "float", "what they paid for those orders", "yuan", min=0),
                C("days_since_last_order", "int", "days from their last order to the test's "
                  "start", "days", min=0),
                C("invitations", "int", "invitations sent in the programme's 30 days: links "
                  "sent or posters shared", min=0),
                C("views", "int", "people who saw an invitation: a link opened, a poster seen",
                  min=0),
                C("signups", "int", "invitees who signed up within 14 days of an invitation",
                  min=0),
                C("first_orders", "int", "of them, those who placed a first order within 30 days "
                  "of signing up", min=0),
                C("invitee_revenue", "float", "amount paid on those first orders", "yuan", min=0),
                C("reward_cost", "float", "rewards paid to the participant: red packets, or "
                  "points at their cost to the company (40% of face value)", "yuan", min=0),
            ),
            key=("user_id",),
        ),
        Table(
            "creator_deals",
            "The creator programme (达人合作, MCN) in 2024-2025: one row per paid deal with a "
            "creator, what the content reached and what was attributed to it.",
            (
                C("deal_id", "int", "deal key, in order of publish_time", min=1),
                C("creator_id", "int", "the creator (a creator can have several deals)", min=1),
                C("tier", "category", "head (头部, KOL), waist (腰部) or tail (尾部, KOC)"),
                C("platform", "category", "douyin, xiaohongshu, bilibili or video_account"),
                C("format", "category", "short_video, image_post or live"),
                C("followers", "int", "the creator's followers", "people", min=1),
                C("publish_time", "datetime", "when the content went live"),
                C("fee", "float", "fee paid to the creator or their MCN agency", "yuan", min=0),
                C("views", "int", "views of the content", min=0),
                C("engagements", "int", "likes, comments, saves and shares", min=0),
                C("clicks", "int", "clicks on the deal's link to the store", min=0),
                C("signups", "int", "sign-ups attributed to the deal (its link or code) within 14 "
                  "days; attribution misses some", min=0),
                C("first_orders", "int", "of them, those who placed a first order within 30 days",
                  min=0),
                C("revenue", "float", "amount paid on those first orders", "yuan", min=0),
            ),
            key=("deal_id",),
        ),
        Table(
            "cdnow",
            "Real purchases of the CDNOW music retailer, 1997-98 (all 23,570 customers).",
            (
                C("customer_id", "int", "customer", min=1),
                C("order_date", "date", "day of purchase"),
                C("cds", "int", "number of CDs bought", min=0),
                C("amount", "float", "dollar value", "USD", min=0),
            ),
        ),
        Table(
            "cdnow_sample",
            "The 1/10 CDNOW sample (2,357 customers) of the CLV literature.",
            (
                C("customer_id", "int", "customer (1..2357)", min=1),
                C("order_date", "date", "day of purchase"),
                C("cds", "int", "number of CDs bought", min=0),
                C("amount", "float", "dollar value", "USD", min=0),
            ),
        ),
    ]
}
del C

#: Tables World 1 (the earlier company, ``world=1``) does not have: its worlds lack
#: ``order_costs``, the business cases of module 1, the tables of module 2, the raw
#: exports and the tables of module 4.
WORLD2_TABLES = frozenset({"order_costs", "cost_rates", "gift_vouchers", "group_buying",
                           "businesses", "market_adoption", "brand_survey", "survey_profiles",
                           "competitors", "raw_app_accounts", "raw_miniprogram_users",
                           "raw_pos_members", "raw_wecom_contacts", "raw_orders", "raw_links",
                           "referral_experiment", "creator_deals"})


MONEY = ("yuan", "USD")


def _is_time_dtype(dtype: object) -> bool:
    """datetime64 of any unit, with or without a zone, or a pyarrow timestamp."""
    return pd.api.types.is_datetime64_any_dtype(dtype)


def validate(
    df: object, table: str | Table, *, columns: list[str] | None = None, check_key: bool = False
) -> None:
    """Check that ``df`` honours a table's contract; raise :class:`DataError` if not.

    The values of each column are checked by the rules of
    :mod:`coursekit.inputs` for its kind (numbers: finite and at least the
    column's ``min``; times: naive; labels: not a mix of numbers and text;
    missing values only where the column may be empty); the contract adds
    what only it knows: the required columns, the dtype of each kind (whole
    numbers for ``int``, datetimes for ``datetime`` and ``date``, booleans
    for ``bool``) and, with ``check_key``, that the key identifies rows
    (:func:`coursekit.inputs.unique_key`).

    Parameters
    ----------
    df
        The data to check.
    table
        Table name in :data:`TABLES` (or a :class:`Table`).
    columns
        Only these columns are required and checked (default: all).
    check_key
        Also check that the key columns identify rows uniquely.

    Raises
    ------
    DataError
        Naming the table, the column and a few offending rows.

    Examples
    --------
    >>> import pandas as pd
    >>> validate(pd.DataFrame({"product_id": [1], "price": [9.9]}), "products",
    ...          columns=["product_id", "price"])
    >>> try:
    ...     validate(pd.DataFrame({"price": [-1.0]}), "products", columns=["price"])
    ... except DataError as err:
    ...     print(err.column, "|", err.reason)
    price | negative amounts
    >>> try:
    ...     validate(pd.DataFrame({"product_id": [1, 1]}), "products", columns=["product_id"],
    ...              check_key=True)
    ... except DataError as err:
    ...     print(err.reason.split(":")[0])
    duplicate keys
    """
    spec = TABLES[table] if isinstance(table, str) else table
    name = spec.name
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}", table=name)
    wanted = columns if columns is not None else spec.names
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        raise DataError(
            f"missing column(s) {missing}; the table has {list(df.columns)}",
            table=name,
            column=missing,
            fix="rename your columns, or pass the column names as keywords",
        )
    if len(df) == 0:
        raise DataError("the table is empty", table=name, fix="check the filter that made it")
    for cname in wanted:
        _check_column(df, spec.column(cname), name)
    if check_key and spec.key and all(k in df.columns for k in spec.key):
        unique_key(df, name, list(spec.key))


def _check_column(df: pd.DataFrame, col: Column, table: str) -> None:
    """One column against its contract: the value rules of its kind, then its dtype."""
    s = df[col.name]
    if col.kind in ("int", "Int", "float"):
        _numbers(df, col.name, table, money=col.unit in MONEY, minimum=col.min,
                 nullable=col.nullable)
        if col.kind != "float":
            _whole_numbers(df, col, table)
    elif col.kind in ("datetime", "date"):
        if not _is_time_dtype(s.dtype):
            raise DataError(
                f"expected dates, found {s.dtype} values",
                table=table,
                column=col.name,
                rows=df[[col.name]].head(3),
                fix="parse with pd.to_datetime(col, format=...)",
            )
        _times(df, col.name, table, nullable=col.nullable)
    elif col.kind in ("bool", "boolean"):
        if not col.nullable:
            _missing(df, col.name, table, "values", "drop or fill the rows, or fix the source")
        if not pd.api.types.is_bool_dtype(s.dtype):
            raise DataError(
                f"expected True/False, found {s.dtype} values",
                table=table,
                column=col.name,
                rows=df[[col.name]].head(3),
                fix="map the values to True/False, e.g. col.map({'yes': True, 'no': False}); "
                "beware that astype(bool) turns every missing value and every text into True",
            )
    else:  # labels: category, str
        if not col.nullable:
            _missing(df, col.name, table, "values", "drop or fill the rows, or fix the source")
        _ids(df, col.name, table, nullable=True)


def _whole_numbers(df: pd.DataFrame, col: Column, table: str, *, strict: bool = True) -> None:
    """The values of an ``int``/``Int`` column are whole numbers (numbers already
    checked); ``strict``: its dtype is an integer one, too."""
    s = df[col.name]
    if pd.api.types.is_integer_dtype(s.dtype):
        return
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    fractions = np.isfinite(values) & (values != np.round(values))
    if not strict and not fractions.any():
        return
    target = "Int64" if col.nullable else "int64"
    raise DataError(
        "expected whole numbers, found fractions" if fractions.any()
        else f"expected whole numbers ({target}), found {s.dtype} values",
        table=table,
        column=col.name,
        rows=_rows(df, fractions if fractions.any() else s.notna(), [col.name]),
        fix=f"fix the values shown, then df[{col.name!r}] = df[{col.name!r}].astype({target!r})"
        if fractions.any()
        else f"df[{col.name!r}] = df[{col.name!r}].astype({target!r})",
    )


def coerce(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Give a raw table (as read from CSV or Parquet) the dtypes of its contract.

    Conversions never guess: a value that cannot be converted (text in a
    number column, a missing value in an ``int`` or ``bool`` column, a
    fraction in an ``int`` column, an ambiguous date) raises
    :class:`DataError` naming the column, where ``astype`` would raise a
    pandas error or silently change it (``astype(bool)`` makes a missing value
    True, ``astype("int64")`` drops fractions). Extra columns are dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"customer_id": [1], "order_date": ["1997-01-01"], "cds": [1],
    ...                     "amount": [11.77]})
    >>> coerce(raw, "cdnow").dtypes.astype(str).tolist()
    ['int64', 'datetime64[s]', 'int64', 'float64']
    >>> try:
    ...     coerce(raw.assign(cds=[1.5]), "cdnow")
    ... except DataError as err:
    ...     print(err.column, "|", err.reason)
    cds | expected whole numbers, found fractions
    """
    spec = TABLES[table]
    present = set(df.columns)
    missing = [c for c in spec.names if c not in present]
    if missing:
        raise DataError(
            f"missing column(s) {missing}; the table has {list(df.columns)}",
            table=table,
            column=missing,
            fix=f"the columns of {table} are {spec.names}",
        )
    out = {}
    for col in spec.columns:
        try:
            out[col.name] = _coerce_column(df, col, table)
        except DataError:
            raise
        except (TypeError, ValueError, OverflowError) as err:
            raise DataError(
                f"cannot be read as {col.kind}: {str(err).splitlines()[0] if str(err) else err!r}",
                table=table,
                column=col.name,
                rows=df[[col.name]].head(3),
                fix="fix the values of this column at the source",
            ) from err
    return pd.DataFrame(out)


def _coerce_column(df: pd.DataFrame, col: Column, table: str) -> pd.Series:
    s = df[col.name]
    kind, dtype = col.kind, s.dtype
    if kind in ("int", "Int"):
        target = "int64" if kind == "int" else "Int64"
        if not pd.api.types.is_integer_dtype(dtype) or (kind == "int" and s.hasnans):
            # text, booleans, missing and infinite values; then fractions
            _numbers(df, col.name, table, nullable=kind == "Int")
            _whole_numbers(df, col, table, strict=False)
        return s.astype(target)
    if kind == "float":
        if not (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)):
            _numbers(df, col.name, table, nullable=True)
        return s.astype("float64")
    if kind == "category":
        if isinstance(dtype, pd.CategoricalDtype):
            return s
        return s.astype("string").astype("category")
    if kind == "str":
        return s.astype("string")
    if kind in ("datetime", "date"):
        if pd.api.types.is_datetime64_dtype(dtype):  # numpy, naive: no parsing needed
            t = s
        else:
            t = _times(df, col.name, table, nullable=True)
        if kind == "date":
            t = t.dt.normalize()
        return t.astype("datetime64[s]")
    # bool, boolean: only True/False (and missing values where allowed) are read
    if dtype == np.dtype(bool):
        return s if kind == "bool" else s.astype("boolean")
    if not pd.api.types.is_bool_dtype(dtype):
        present = s.notna()
        bad = present & ~s.isin([True, False])
        if bad.any():
            raise DataError(
                f"expected True/False, found {dtype} values",
                table=table,
                column=col.name,
                rows=_rows(df, bad, [col.name]),
                fix="map the values to True/False at the source",
            )
    if kind == "bool":
        _missing(df, col.name, table, "values", "fill them from the source")
        return s.astype(bool)
    return s.astype("boolean")


def data_dictionary(names: list[str] | None = None) -> str:
    """The data dictionary as Markdown (used for ``datasets/README.md``)."""
    parts = []
    for name in names or list(TABLES):
        t = TABLES[name]
        parts.append(
            f"### `{name}`\n\n{t.description}"
            + (f" Key: {', '.join(f'`{k}`' for k in t.key)}." if t.key else "")
            + "\n"
        )
        parts.append("| column | type | unit | meaning |\n| --- | --- | --- | --- |")
        parts += [f"| `{c.name}` | {c.kind} | {c.unit} | {c.meaning} |" for c in t.columns]
        parts.append("")
    return "\n".join(parts)
