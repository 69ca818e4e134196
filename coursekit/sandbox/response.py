"""How a customer answers a message of the sandbox: the parameters and the formulas.

Every number the sandbox uses is in :data:`PARAMETERS`, with where it comes
from: most are the simulated company's own (``coursekit.world``), a few are
the sandbox's stated assumptions (marked ``sandbox``; their values live in
``coursekit.world.params.RESPONSE`` and a world's ``truth.json`` keeps them
under ``sandbox``). The few that depend on
a world's data (the margin rate, the fatigue penalty's values: see
:mod:`coursekit.sandbox.costs`) are derived from it. :func:`parameters`
returns them all as a table a lesson can print, and they are meant to be
kept in the world's truth too.

The chain of one message to one customer, in order:

1. **reachable**: the medium reaches the customer at the end of the data and
   they have not unsubscribed from it (the end state's ``reach_<medium>``);
2. **delivered**: not silenced by an unsubscribe earlier in the plan, and
   within the plan's frequency cap;
3. **opened** with chance ``logistic(logit(open_rate[medium]) +
   open_purpose[purpose] + open_slope * (x - 1))``, ``x`` being the brand's
   messages to the customer in the 7 days up to this one, this one included
   (the plan's, in the trailing ``window_days``, and the week's routine
   messages: :mod:`coursekit.sandbox.routine`), as the world counts them;
   times ``night_open`` when sent at night outside the persona's hours;
4. **an extra order**, among those who open, with chance ``min(max_response,
   uplift / reference_open)``: ``uplift`` is the world's campaign uplift of
   the customer's CRM segment on the day of sending, times the persona's
   coupon sensitivity, the offer's effect (:func:`offer_effect`), the
   purpose's effect, the wear-out of earlier contacts (``wearout ** k``) and
   the send-hour lift; the world states its uplift per treated customer at the
   open rates of its campaigns, so dividing by ``reference_open`` gives the
   chance per opener;
5. **clicked**: every responder, and other openers with chance
   ``logistic(click[purpose] + 0.5 * engagement)``;
6. **fatigue**: each delivered message makes the reader unsubscribe from its
   medium, or complain, with the world's logistic chances in ``x``
   (``params.MESSAGE_FATIGUE``); the plan's messages also raise ``x`` of the
   routine messages around them (:func:`coursekit.sandbox.routine.added_fatigue`).
   An unsubscribe costs the subscriber value of its medium, a complaint its
   complaint cost (:func:`coursekit.sandbox.costs.fatigue_costs`).

Examples
--------
>>> entry = PARAMETERS["uplift_lapsing"]
>>> entry["value"], entry["source"]
(0.12, 'world: marketing.UPLIFT')
>>> round(float(offer_effect(20.0, 99.0)), 3), round(float(offer_effect(0.0, 0.0)), 3)
(1.0, 0.35)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from coursekit.world import marketing, personas
from coursekit.world import params as P

__all__ = ["MEDIA", "PARAMETERS", "PURPOSES", "click_probability", "fatigue_probability",
           "offer_effect", "open_probability", "parameters", "values"]

#: The media a plan can use (the world's message media).
MEDIA = list(P.MESSAGE_MEDIA)
#: The purposes of a message (the world's message purposes).
PURPOSES = list(P.MESSAGE_PURPOSES)
_FAT = P.MESSAGE_FATIGUE
_A = P.RESPONSE  # the sandbox's stated assumptions, kept with the world's parameters


def _assumed(name: str, meaning: str) -> dict:
    """An entry of the sandbox's stated assumptions (``params.RESPONSE``)."""
    return dict(value=_A[name], source="sandbox", meaning=meaning)


def _entries() -> dict[str, dict]:
    world_uplift = {f"uplift_{s}": dict(value=marketing.UPLIFT[s], source="world: marketing.UPLIFT",
                                        meaning=f"campaign uplift of the chance to order, CRM "
                                        f"segment {s}") for s in marketing.SEGMENTS}
    coupon = {f"coupon_sensitivity_{p}": dict(
        value=personas.PERSONAS[p]["coupon"], source="world: personas.PERSONAS coupon",
        meaning=f"multiplier of the uplift for persona {p}") for p in personas.NAMES}
    opens = {f"open_rate_{m}": dict(value=marketing.OPEN_RATE[m],
                                    source="world: marketing.OPEN_RATE",
                                    meaning=f"chance to open a message on {m}") for m in MEDIA}
    cost = {
        "message_cost_sms": _assumed("message_cost_sms",
                                     "yuan per SMS delivered (bulk SMS price)"),
        "message_cost_app_push": _assumed("message_cost_app_push",
                                          "yuan per app push (free to send)"),
        "message_cost_wecom": _assumed("message_cost_wecom", "yuan per WeCom message: about a "
                                       "minute of an adviser's time at 30 yuan an hour")}
    per_year = {m: sum(c["medium"] == m for c in marketing.CAMPAIGNS)
                / (((P.END - P.START).days + 1) / 365.25) for m in MEDIA}
    subscriber = {
        **{f"campaigns_per_year_{m}": dict(
            value=round(per_year[m], 4), source="world: marketing.CAMPAIGNS",
            meaning=f"the company's campaigns on {m} per year of data (the usual cadence "
            "that makes a reachable customer worth keeping)") for m in MEDIA},
        "discount_rate": _assumed("discount_rate", "yearly rate at which "
                              "a customer's future profit is discounted when an unsubscribe "
                              "is priced (a common planning rate for a consumer business)"),
        "complaint_minutes": _assumed("complaint_minutes", "minutes of a "
                                  "service agent's time to handle one complaint (a spam "
                                  "report passed on by the carrier or the platform)"),
        "staff_pay": dict(value=P.World2().pay_per_staff_hour["1"],
                          source="world: World2.pay_per_staff_hour tier 1",
                          meaning="yuan per staff hour (the service team sits in a tier-1 "
                          "city)"),
    }
    other = {
        "uplift_none": _assumed("uplift_none", "campaign uplift of the "
                            "chance to order, CRM segment none (no order yet: the world's "
                            "campaigns wrote to buyers only)"),
        "reference_open": dict(value=marketing.OPEN_RATE["sms"],
                               source="world: marketing.OPEN_RATE sms",
                               meaning="open rate at which the uplift is stated (the world's "
                               "win-back campaigns wrote by SMS)"),
        "max_response": _assumed("max_response", "highest chance that an opener orders"),
        "reference_depth": dict(value=20.0 / 99.0, source="world: marketing.CAMPAIGNS",
                                meaning="depth of the world's usual coupon (20 off 99): "
                                "the offer effect is 1 there"),
        "depth_scale": _assumed("depth_scale", "depth at which the "
                            "coupon's effect has reached 63% of its ceiling"),
        "no_coupon_effect": _assumed("no_coupon_effect", "effect of a message "
                                 "without a coupon, relative to the usual coupon"),
        "offer_days": _assumed("offer_days", "days a coupon can be used "
                           "and an extra order can follow a message"),
        "wearout": _assumed("wearout", "each earlier contact of the plan "
                        "to the same customer multiplies a message's effect by this"),
        "hour_lift_power": dict(value=0.5, source="world: personas.PERSONAS hours",
                                meaning="a message sent in the persona's order hours has its "
                                "effect times hours.lift ** this"),
        "night_open": dict(value=0.05, source="world: marketing.CAMPAIGNS midnight blast",
                           meaning="open rate multiplier at night (0-6 h) outside the "
                           "persona's hours (0.22 -> 0.011; the world's 2 a.m. SMS opened 1%)"),
        "open_slope": dict(value=_FAT["open_slope"], source="world: MESSAGE_FATIGUE",
                           meaning="open log-odds per message above one in the 7 days"),
        "unsubscribe_intercept": dict(value=_FAT["unsubscribe"]["intercept"],
                                      source="world: MESSAGE_FATIGUE", meaning="log-odds"),
        "unsubscribe_slope": dict(value=_FAT["unsubscribe"]["slope"],
                                  source="world: MESSAGE_FATIGUE",
                                  meaning="log-odds per message received in the 7 days"),
        "complaint_intercept": dict(value=_FAT["complaint"]["intercept"],
                                    source="world: MESSAGE_FATIGUE", meaning="log-odds"),
        "complaint_slope": dict(value=_FAT["complaint"]["slope"],
                                source="world: MESSAGE_FATIGUE",
                                meaning="log-odds per message received in the 7 days"),
        "dropout_driver": dict(
            value=round(1 - (1 - P.Params.dropout_if_late * P.Params.late_base)
                        * (1 - P.Params.dropout_if_complaint
                           * (P.Params.ticket_base + P.Params.ticket_if_late * P.Params.late_base)),
                        4),
            source="world: Params late and complaint dropout",
            meaning="mean extra dropout chance after an order (late delivery, complaint)"),
        "early_dropout": dict(value=P.World2.early_dropout, source="world: World2",
                              meaning="dropout right after the k-th order: this x fade^(k-1)"),
        "early_fade": dict(value=P.World2.early_fade, source="world: World2",
                           meaning="fade of the early dropout per order"),
        "gamma_gamma_p": dict(value=P.Params.p, source="world: Params.p",
                              meaning="shape of a customer's order value (Gamma(p, nu))"),
    }
    purpose = {f"purpose_effect_{p}": dict(value=_A[f"purpose_effect_{p}"], source="sandbox",
                                           meaning=f"effect of a {p} message on ordering")
               for p in PURPOSES}
    return {**world_uplift, **coupon, **opens, **purpose, **cost, **subscriber, **other}


#: Every parameter of the sandbox that does not depend on the world's data, by name:
#: ``value``, ``source`` (``world: ...`` for the simulated company's own, ``sandbox`` for a
#: stated assumption) and ``meaning``. The fatigue penalty's values are derived from
#: each world (:func:`parameters`, :mod:`coursekit.sandbox.costs`).
PARAMETERS: dict[str, dict] = _entries()


def parameters(world: str | Path | None = None, industry: object = None) -> pd.DataFrame:
    """The sandbox's parameters on ``world`` as a table, one row each.

    The rows of :data:`PARAMETERS` (with an industry preset's values where it
    replaces them: source ``preset: <industry>``), then the values derived
    from the world (source ``derived: ...``): the contribution margin rate,
    the retention of buyers, the lifetime multiple, and per medium the
    subscriber value (yuan lost per unsubscribe) and the complaint cost
    (:func:`coursekit.sandbox.costs.fatigue_costs`).

    Parameters
    ----------
    world
        The world's folder; ``None``: the world :func:`coursekit.load` reads.
    industry
        An industry preset (:mod:`coursekit.sandbox.presets`); ``None``: the
        course company.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``name``: ``value``, ``source`` and ``meaning``.

    Examples
    --------
    >>> import tempfile
    >>> from coursekit.world import write_world
    >>> tmp = tempfile.mkdtemp()
    >>> _ = write_world(tmp, users=600, seed=3)
    >>> table = parameters(world=tmp)
    >>> float(table.loc["message_cost_sms", "value"])
    0.05
    >>> print(table.loc["subscriber_value_sms", "source"])
    derived: the world's campaigns on sms, simulated, over a customer's lifetime
    >>> print(parameters(world=tmp, industry="education").loc["offer_days", "source"])
    preset: education
    """
    from coursekit.sandbox.costs import SEEDS, fatigue_costs
    from coursekit.sandbox.presets import industry as preset
    from coursekit.sandbox.world import prepare

    ind = preset(industry)
    w = prepare(world, ind)
    costs = fatigue_costs(world, ind)
    rows = {name: dict(entry) for name, entry in PARAMETERS.items()}
    for name, value in w.params.items():
        if value != _DEFAULT[name]:
            why = ind.reasons.get(name, ind.reasons.get("uplift" if name.startswith("uplift_")
                                                        else name, ""))
            rows[name].update(value=value, source=f"preset: {ind.name}",
                              meaning=f"{rows[name]['meaning']}; {why}")
    margin = "derived: metrics.contribution_margin, last year"
    rows["margin_rate"] = dict(value=round(w.margin_rate, 4),
                               source=margin if ind.margin_rate is None
                               else f"preset: {ind.name}",
                               meaning="contribution / amount of an order: the profit of an "
                               "extra order's value")
    first = costs.iloc[0]
    rows["retention"] = dict(value=round(float(first["retention"]), 4),
                             source="derived: the world's orders",
                             meaning="share of the year-before-last's buyers who bought in "
                             "the last year of data")
    rows["lifetime_multiple"] = dict(value=round(float(first["lifetime_multiple"]), 4),
                                     source="derived: (1 + discount_rate) / (1 + "
                                     "discount_rate - retention)",
                                     meaning="years of value a reachable customer is worth: "
                                     "this year in full, each later year retention / (1 + "
                                     "discount_rate) of the year before (1 + q + q^2 + ... = "
                                     "1 / (1 - q))")
    for medium, row in costs.iterrows():
        rows[f"subscriber_value_{medium}"] = dict(
            value=round(float(row["subscriber_value"]), 4),
            source=f"derived: the world's campaigns on {medium}, simulated, over a "
            "customer's lifetime",
            meaning=f"yuan lost per {medium} unsubscribe: the incremental profit per "
            f"reachable customer that the world's campaigns on {medium} earn in a year "
            f"(their profit in the sandbox, mean of seeds {SEEDS[0]}-{SEEDS[-1]}, "
            f"/ {int(row['reachable'])} reachable customers / the years of data; at least "
            "0) times the lifetime multiple")
        rows[f"complaint_cost_{medium}"] = dict(
            value=round(float(row["complaint_cost"]), 4),
            source="derived: subscriber value + complaint_minutes x staff_pay",
            meaning=f"yuan per complaint on {medium}: the reader is lost to the medium "
            "(a spam report files the brand's messages away; sandbox assumption) and "
            "the complaint takes a service agent's time")
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "name"
    return out


def values(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """Every parameter's value by name, with ``overrides`` (an industry preset's) applied.

    Examples
    --------
    >>> values()["wearout"], values({"wearout": 0.5})["wearout"]
    (0.7, 0.5)
    """
    out = {name: float(entry["value"]) for name, entry in PARAMETERS.items()}
    for name, value in (overrides or {}).items():
        if name not in out:
            from coursekit.errors import ArgumentError

            raise ArgumentError("not a parameter of the sandbox", name="overrides",
                                value=name, allowed="the names of sandbox.PARAMETERS")
        out[name] = float(value)
    return out


_DEFAULT = values()


def _v(name: str, params: Mapping[str, float] | None = None) -> float:
    return float((_DEFAULT if params is None else params)[name])


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def offer_effect(coupon: float | np.ndarray, threshold: float | np.ndarray,
                 params: Mapping[str, float] | None = None) -> np.ndarray:
    """Effect of an offer on the response, relative to the world's usual 20 off 99.

    A coupon of depth ``d = coupon / threshold`` has the effect ``(1 - exp(-d /
    s)) / (1 - exp(-d0 / s))``, ``d0`` the usual coupon's depth and ``s`` the
    ``depth_scale``: deeper coupons lift the response, with diminishing
    returns. No coupon (``coupon`` 0) has ``no_coupon_effect``. ``params``:
    the values to use (:func:`values`; ``None``: the defaults).

    Examples
    --------
    >>> [round(float(offer_effect(c, 99.0)), 2) for c in (10.0, 20.0, 40.0, 60.0)]
    [0.66, 1.0, 1.26, 1.33]
    """
    coupon = np.asarray(coupon, dtype=float)
    depth = np.where(coupon > 0, coupon / np.where(threshold > 0, threshold, 1.0), 0.0)
    s = _v("depth_scale", params)
    ref = 1 - np.exp(-_v("reference_depth", params) / s)
    return np.where(coupon > 0, (1 - np.exp(-depth / s)) / ref, _v("no_coupon_effect", params))


def open_probability(medium: str, purpose: str, x: np.ndarray, night: np.ndarray,
                     params: Mapping[str, float] | None = None) -> np.ndarray:
    """Chance to open: the medium's open rate, shifted by purpose and the week's load ``x``
    (``params``: the values to use, :func:`values`; ``None``: the defaults).

    Examples
    --------
    >>> open_probability("sms", "promotion", np.array([1, 5]), np.array([False, False])).round(3)
    array([0.203, 0.136])
    """
    z = (_logit(_v(f"open_rate_{medium}", params)) + P.MESSAGING["open_purpose"][purpose]
         + _v("open_slope", params) * (np.asarray(x, dtype=float) - 1))
    return _logistic(z) * np.where(night, _v("night_open", params), 1.0)


def click_probability(purpose: str, engagement: np.ndarray) -> np.ndarray:
    """Chance that an opener who does not order clicks through (the world's messaging).

    Examples
    --------
    >>> click_probability("promotion", np.array([0.0])).round(3)
    array([0.25])
    """
    return _logistic(P.MESSAGING["click"][purpose] + 0.5 * np.asarray(engagement, dtype=float))


def fatigue_probability(event: str, medium: str, purpose: str, x: np.ndarray) -> np.ndarray:
    """Chance that a message makes its reader unsubscribe (``event="unsubscribe"``) or
    complain (``"complaint"``): the world's logistic in the message count ``x`` of the
    7 days up to the message, itself included.

    Examples
    --------
    >>> fatigue_probability("unsubscribe", "sms", "promotion", np.array([1, 10])).round(4)
    array([0.0036, 0.0998])
    """
    z = (_FAT[event]["intercept"] + _FAT[event]["slope"] * np.asarray(x, dtype=float)
         + P.MESSAGE_MEDIA[medium][event] + _FAT["purpose_shift"][purpose])
    return _logistic(z)
