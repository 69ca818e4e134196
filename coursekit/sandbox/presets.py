"""Industry presets: the same customers, another business's economics and responses.

The capstone lets a team plan for another industry than the course company
(a snack brand selling online and in stores). The customers stay the world's
(their segments, personas, reach and luck), so plans for two industries
meet the same people; what a preset changes is what a customer is worth and
how they answer a message:

- ``order_value``: order values times this (a course costs more than a bag
  of nuts);
- ``purchase_rate``: the rate at which customers buy, times this (how often
  the need comes back);
- ``margin_rate``: the contribution margin rate of an order's value
  (``None``: the world's own, derived from its orders);
- ``uplift``: every CRM segment's campaign uplift times this (how often one
  message tips a purchase: rarely for a considered one);
- ``parameters``: values of :data:`coursekit.sandbox.response.PARAMETERS`
  replaced (a medium's open rate and cost, the effect of an offer without a
  coupon, the coupon's depth scale, the days an offer runs, the effect of
  each purpose).

Every number of a preset is a **stated assumption of the sandbox**, chosen
to make each industry's known contrast with a snack brand visible (a
learning adviser on WeCom, a high-value and rare purchase; a replenished
health product; a frequent, cheap local visit), each with its reason in
:attr:`Industry.reasons`. They are not measured on any real company: a team
that knows its industry better may disagree with them, which is part of the
exercise.

Examples
--------
>>> sorted(INDUSTRIES)
['course_company', 'education', 'health_food', 'local_services']
>>> INDUSTRIES["education"].parameters["message_cost_wecom"]
2.0
>>> float(industries().loc["local_services", "order_value"])
0.5
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from coursekit.errors import ArgumentError

__all__ = ["INDUSTRIES", "Industry", "industries", "industry"]


@dataclass(frozen=True)
class Industry:
    """One industry's preset: what changes from the course company, and why."""

    name: str
    label: str
    business: str
    order_value: float = 1.0
    purchase_rate: float = 1.0
    margin_rate: float | None = None
    uplift: float = 1.0
    parameters: Mapping[str, float] = field(default_factory=dict)
    reasons: Mapping[str, str] = field(default_factory=dict)


INDUSTRIES: dict[str, Industry] = {
    "course_company": Industry(
        name="course_company", label="休闲零食 (the course company)",
        business="a healthy-snack brand selling online and in its own stores"),
    "education": Industry(
        name="education", label="在线教育",
        business="an online exam-preparation school selling courses of a few weeks",
        order_value=12.0, purchase_rate=0.2, margin_rate=0.55, uplift=0.2,
        parameters={"open_rate_wecom": 0.55, "message_cost_wecom": 2.0,
                    "no_coupon_effect": 0.8, "depth_scale": 0.30, "offer_days": 14.0,
                    "purpose_effect_content": 0.6},
        reasons={
            "order_value": "a course costs about 1,800 yuan against an order of about 150",
            "purchase_rate": "a learner buys one or two courses a year, not a bag a month",
            "uplift": "a course is a considered purchase: one message tips far fewer "
                      "learners than it tips snack buyers",
            "margin_rate": "recorded lessons and teachers' pay leave more of a sale than "
                           "goods and couriers do",
            "open_rate_wecom": "a learning adviser (学习顾问) the learner talks to answers "
                               "for the brand on WeCom",
            "message_cost_wecom": "an adviser's message is a conversation: about four "
                                  "minutes at 30 yuan an hour",
            "no_coupon_effect": "a free trial lesson or a study plan moves a learner "
                                "nearly as much as a discount",
            "depth_scale": "price matters less than fit: deeper discounts add less",
            "offer_days": "a learner takes two weeks to decide",
            "purpose_effect_content": "content (a free lesson, a mock exam) sells courses",
        }),
    "health_food": Industry(
        name="health_food", label="健康食品",
        business="a protein and meal-replacement brand bought again when a tin runs out",
        order_value=2.0, purchase_rate=0.8, margin_rate=0.45, uplift=0.7,
        parameters={"open_rate_wecom": 0.45, "message_cost_wecom": 0.8,
                    "purpose_effect_reminder": 0.6, "no_coupon_effect": 0.5},
        reasons={
            "order_value": "a month's tin or box costs about 300 yuan",
            "purchase_rate": "bought when it runs out: a little less often than snacks",
            "uplift": "a bigger basket than a bag of snacks: a message tips it a little less "
                      "often",
            "margin_rate": "a branded supplement keeps more of its price than snacks do",
            "open_rate_wecom": "a nutrition adviser on WeCom is read more than a snack "
                               "shop's",
            "message_cost_wecom": "advice on diet takes longer to write than a promotion",
            "purpose_effect_reminder": "a reminder that the tin is about to run out brings "
                                       "the next order",
            "no_coupon_effect": "advice and reminders sell without a discount",
        }),
    "local_services": Industry(
        name="local_services", label="本地生活服务",
        business="a chain of hair salons and car washes in its customers' neighbourhoods",
        order_value=0.5, purchase_rate=2.0, margin_rate=0.30,
        parameters={"open_rate_wecom": 0.5, "message_cost_wecom": 0.3,
                    "no_coupon_effect": 0.25, "depth_scale": 0.25, "offer_days": 14.0},
        reasons={
            "order_value": "a visit costs about 75 yuan",
            "purchase_rate": "customers come back about twice as often as they buy snacks",
            "margin_rate": "staff time and rent leave less of a visit's price",
            "open_rate_wecom": "the customer knows the stylist who writes on WeCom",
            "message_cost_wecom": "the store's staff write in quiet hours",
            "no_coupon_effect": "a visit needs a reason: a message without an offer does "
                                "little",
            "depth_scale": "deeper offers (a free add-on) keep working",
            "offer_days": "a visit is planned a week or two ahead",
        }),
}


def industry(name: str | Industry | None) -> Industry:
    """The preset called ``name`` (``None``: the course company's, which changes nothing).

    Examples
    --------
    >>> industry(None).name
    'course_company'
    """
    if name is None:
        return INDUSTRIES["course_company"]
    if isinstance(name, Industry):
        return name
    if name not in INDUSTRIES:
        raise ArgumentError("no such industry preset", name="industry", value=name,
                            allowed=", ".join(INDUSTRIES))
    return INDUSTRIES[name]


def industries() -> pd.DataFrame:
    """The presets as a table, one row each: what they change, with the default beside.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``industry``: ``label``, ``business``, ``order_value``,
        ``purchase_rate``, ``uplift``, ``margin_rate`` (``NaN``: the world's) and one
        column per parameter some preset changes (``NaN``: unchanged).
    """
    names = sorted({k for ind in INDUSTRIES.values() for k in ind.parameters})
    rows = []
    for ind in INDUSTRIES.values():
        row = dict(industry=ind.name, label=ind.label, business=ind.business,
                   order_value=ind.order_value, purchase_rate=ind.purchase_rate,
                   uplift=ind.uplift,
                   margin_rate=float("nan") if ind.margin_rate is None else ind.margin_rate)
        row.update({k: ind.parameters.get(k, float("nan")) for k in names})
        rows.append(row)
    return pd.DataFrame(rows).set_index("industry")
