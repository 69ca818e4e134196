"""Checks for module 2, user needs and the value proposition
(``solutions/02_user_needs_exercises.ipynb``).

Expected values come from the data of the world in use through
:mod:`coursekit.diffusion`, :mod:`coursekit.needs`, :mod:`coursekit.segments`
and pandas. Every question asks about something lessons 2a and 2b do not
print: the category they leave out (freeze-dried coffee), the drivers of one
group of respondents, the value points of a competitor, a gift edition's price
and what it should invest in, clusterings without the scenes, the TGI of a group
defined by a rule, personas weighed for a stated strategy, the competitors
under other weights. Where the simulated company knows the answer
(``truth.json``), a correct answer is shown beside it: the curve's own p, q, m
and peak, the planted personas, the analysts' true scores.

The plausible wrong answers are the module's classic mistakes, computed from
the same data: a curve fitted to cumulative adopters, the busiest month so far
taken for the peak, a share of a group taken for its TGI, stated importance
taken for derived, our own brand's quadrant for a rival's, the table's default
weights kept, a range of acceptable prices read from everyone ...

Examples
--------
>>> from coursekit.exercises import m02
>>> questions = m02.EXERCISES.bind({})
>>> len(questions), questions[0].evaluate().status
(10, 'not_attempted')
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

import coursekit
from coursekit import diffusion, needs, segments
from coursekit.exercises.core import (
    BesideTruth,
    Exercise,
    ExerciseSet,
    Result,
    as_day,
    hide_count,
    specific_first,
)

#: Our brand (青木), as in the surveys.
OURS = "qingmu"
#: The category of the adoption questions (the lessons fit the others).
CATEGORY = "freeze_dried_coffee"
#: The seven attributes rated in ``survey`` and ``brand_survey``.
ATTRIBUTES = ("taste", "health", "price", "packaging", "delivery_speed", "variety",
              "brand_trust")
#: The usage scenes of ``survey_profiles``.
SCENES = ("scene_office", "scene_gift", "scene_fitness", "scene_family", "scene_late_night")
#: The features the personas are clustered on (standardised by ``needs.personas``).
CLUSTER_FEATURES = (*SCENES, "motive_health", "motive_taste", "motive_convenience",
                    "motive_price", "motive_gift", "purchases_per_month",
                    "monthly_snack_spend")
#: Number of personas and the seed of k-means in the persona questions.
K, SEED = 4, 0
#: The scene of the derived-importance question.
DRIVER_SCENE = "scene_fitness"
#: The competitor whose value points are asked for.
RIVAL = "songguo"
#: The scene of the gift edition's questions (what to invest in, what price).
GIFT_SCENE = "scene_gift"
#: The TGI question's group: respondents with at least this motive score.
TGI_MOTIVE, TGI_MIN = "motive_health", 6
#: The persona question: the city tier of the first shops (``survey.city_tier``) and the
#: weights of lesson 2b (growth cannot be measured from one survey: no weight).
SEGMENT_TIER = "4+"
SEGMENT_WEIGHTS = {"size": 1.0, "growth": 0.0, "value": 1.0}
#: The alternative weights of the competitiveness table (product quality weighs more).
QUALITY_WEIGHTS = {"product_quality": 0.35, "price_value": 0.15, "brand_awareness": 0.10,
                   "channel_coverage": 0.10, "delivery_service": 0.10,
                   "product_innovation": 0.15, "digital_operations": 0.05}


# --------------------------------------------------------------------------- shared helpers




def _needs_truth() -> dict[str, Any]:
    return coursekit.truth()["needs"]


def _number(x: object) -> float:
    """A learner's number (possibly a one-item Series) as a float."""
    if isinstance(x, pd.Series | pd.Index | np.ndarray | list | tuple):
        x = list(np.ravel(x))[0]
    return float(x)  # type: ignore[arg-type]


def _adopters() -> pd.Series:
    """New adopters per month of :data:`CATEGORY`, indexed by month."""
    ma = coursekit.load("market_adoption")
    rows = ma[(ma["category"].astype(str) == CATEGORY) & (ma["generation"] == 1)]
    return rows.set_index("month")["new_adopters"].sort_index()


def _bass(y: pd.Series, *, bootstrap: int = 0) -> diffusion.Bass:
    with warnings.catch_warnings():  # a mistaken fit (cumulative counts) may not settle
        warnings.simplefilter("ignore", RuntimeWarning)
        return diffusion.Bass(bootstrap=bootstrap, seed=0).fit(y)


def _profiles() -> pd.DataFrame:
    return coursekit.load("survey_profiles")


def _ids(scene: str) -> pd.Series:
    """The respondents who tick a scene."""
    sp = _profiles()
    return sp.loc[sp[scene], "respondent_id"]


def _brand_ipa(brand_survey: pd.DataFrame) -> pd.DataFrame:
    """Derived importance (and performance) on ``brand_survey``, our brand first."""
    return needs.importance_performance(
        brand_survey, ours=OURS, brand="brand", attribute=None, rating=list(ATTRIBUTES),
        overall="overall", importance=None)


def _text_set(answer: object) -> object:
    """A collection of names as a set of stripped strings; one name as a set of one."""
    if isinstance(answer, str):
        return {answer.strip()}
    if isinstance(answer, pd.Series | pd.Index | np.ndarray | list | tuple | set | frozenset):
        return {str(a).strip() for a in answer}
    return answer


def _month_start(answer: object) -> object:
    """Any answer naming a day (or a month) as the first day of its month."""
    day = as_day(answer)
    return answer if day is None else day.to_period("M").start_time


def _planted() -> pd.Series:
    """The planted persona of each respondent (truth), indexed like ``survey_profiles``."""
    tr = _needs_truth()["survey_profiles"]
    names = np.array(tr["persona_names"], dtype=object)
    codes = np.array([int(c) for c in tr["persona_codes"]])
    return pd.Series(names[codes], index=_profiles().index, name="planted")


def _personas(features: Iterable[str], k: int | None = None) -> needs.Personas:
    return needs.personas(_profiles()[list(features)], k=k, seed=SEED)


# --------------------------------------------------------------------------- lesson 2a


class CoffeeCurve(BesideTruth):
    """Bass's p, q and m for freeze-dried coffee, shown beside the simulated market's."""

    qid = "q1"
    title = "Freeze-dried coffee's adoption curve"
    variables = ("coffee_p", "coffee_q", "coffee_m")
    hints = (
        "Take the freeze-dried coffee rows of `market_adoption` and fit the Bass model to "
        "its *new* adopters per month (indexed by month). p and q come per month, the "
        "period of the data; m counts adopters.",
        "`coffee` holds them (`adoption[adoption['category'] == m02.CATEGORY]"
        ".set_index('month')['new_adopters']`); `bass = diffusion.Bass().fit(coffee)`; then "
        "`bass.params_['p']`, `['q']` and `['m']`.",
    )
    correct_message = ("q against p says how much of the category's spread is word of "
                       "mouth rather than advertising, and m is the market it is heading for.")

    def _expected(self) -> dict[str, float]:
        p = _bass(_adopters()).params_
        return {"coffee_p": p["p"], "coffee_q": p["q"], "coffee_m": p["m"]}

    def mistakes(self) -> list[tuple[object, str]]:
        right = self._expected()
        cumulative = _bass(_adopters().cumsum()).params_
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            logistic = diffusion.Logistic(bootstrap=0).fit(_adopters()).params_
        return self.distinct_mistakes(specific_first([
            ({"coffee_p": cumulative["p"], "coffee_q": cumulative["q"],
              "coffee_m": cumulative["m"]},
             "That fits the curve to the running total of adopters; Bass.fit takes the new "
             "adopters of each month."),
            ({"coffee_m": cumulative["m"]},
             "That m comes from a fit to the running total of adopters; fit the new adopters "
             "of each month."),
            ({"coffee_p": right["coffee_p"] * 12, "coffee_q": right["coffee_q"] * 12},
             "p and q are per period of the data, a month here: keep them as the fit gives "
             "them, not per year."),
            ({"coffee_m": right["coffee_m"] / 1e6},
             "m counts adopters (people), not millions of them."),
            ({"coffee_m": logistic["m"]},
             "That is the logistic curve's m; the question asks for the Bass model's."),
        ]))

    @functools.cached_property
    def _interval(self) -> tuple[float, float]:
        """The 95% bootstrap interval of m (200 replicates, seed 0)."""
        low, high = _bass(_adopters(), bootstrap=200).intervals_.loc["m", ["low", "high"]]
        return float(low), float(high)

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        cat = _needs_truth()["market_adoption"]["categories"][CATEGORY]
        m_true = float(cat["generations"]["1"]["m"])
        low, high = self._interval
        holds = "holds it" if low <= m_true <= high else "misses it"
        return (f"Beside the simulated market's own curve: p {_number(answers['coffee_p']):.3g} "
                f"against {cat['p_per_month']:.3g}, q {_number(answers['coffee_q']):.3g} against "
                f"{cat['q_per_month']:.3g}, m {_number(answers['coffee_m']):,.0f} against "
                f"{m_true:,.0f}; the fit's 95% interval for m, {low:,.0f} to {high:,.0f}, "
                f"{holds}.")


def _stage_hints() -> dict[str, str]:
    """A hint for each stage, true whenever that stage is the wrong answer (the rule of
    ``diffusion.stage``, read at the data's last month)."""
    return {
        "introduction": "Introduction ends at take-off or once 16% of the market potential "
                        "have adopted, whichever comes first; the fitted curve is past that "
                        "by the data's last month.",
        "decline": "Decline needs 84% of the market potential adopted (only the laggards "
                   "left); the fitted curve has fewer by the data's last month.",
    }


class CoffeeStage(BesideTruth):
    """The stage of freeze-dried coffee at the end of the data and the month its new
    adopters peak, shown beside the simulated market's."""

    qid = "q2"
    title = "Where freeze-dried coffee stands"
    variables = ("coffee_stage", "coffee_peak")
    hints = (
        "Read both off the curve fitted in q1, not off the data: the stage by lesson 2a's "
        "rule at the data's last month, and the month in which the *fitted* new adopters "
        "are highest, which may lie after the data ends.",
        "`bass.stage_` (or `diffusion.stage(bass)`) and `bass.peak_.when`.",
    )
    correct_message = ("the stage says what the category needs now; the peak month says how "
                       "long the growth lasts.")

    @functools.cached_property
    def _fit(self) -> diffusion.Bass:
        return _bass(_adopters())

    def _expected(self) -> dict[str, object]:
        model = self._fit
        peak = _month_start(model.peak_.when)
        return {"coffee_stage": str(model.stage_), "coffee_peak": peak}

    def compare(self, **answers: Any) -> Result | None:
        stage = answers["coffee_stage"]
        if isinstance(stage, str) and stage.strip().casefold() not in diffusion.STAGES:
            return self.incorrect(f"`coffee_stage` is {stage!r}, which is not a stage: use one "
                                  f"of {', '.join(diffusion.STAGES)}.")
        return super().compare(coffee_stage=stage,
                               coffee_peak=_month_start(answers["coffee_peak"]))

    def mistakes(self) -> list[tuple[object, str]]:
        model = self._fit
        right = self._expected()
        peak = pd.Period(right["coffee_peak"], "M")
        past_peak = model.n_periods_ >= model.peak_.t
        hints = _stage_hints()
        hints["growth"] = (
            "Growth lasts until new adopters peak; the fitted peak comes before the data's "
            "last month." if past_peak else
            "Growth starts at take-off or at 16% adopted, whichever comes first; the fitted "
            "curve has reached neither by the data's last month.")
        share = float(diffusion.stages(model)["share"].iloc[-1])
        hints["maturity"] = (
            "Once 84% of the market potential have adopted only the laggards are left: the "
            "rule says decline." if share >= 0.84 else
            "Maturity starts when new adopters peak, and the fitted peak (`peak_`) comes "
            "after the data's last month.")
        observed = _month_start(_adopters().idxmax())
        cumulative = _month_start(_bass(_adopters().cumsum()).peak_.when)
        off_by_one = ("One month off: the launch month is month 1 (from t = 0 to t = 1), so "
                      "the peak at t* lies in month ceil(t*) after launch; `peak_.when` "
                      "gives it.")
        return self.distinct_mistakes(specific_first([
            ({"coffee_peak": observed},
             "That is the busiest month in the data so far; the question asks when the "
             "*fitted* curve peaks (`peak_`), which can lie after the data ends."),
            ({"coffee_peak": cumulative},
             "That peak comes from a curve fitted to the running total of adopters; fit the "
             "new adopters of each month."),
            ({"coffee_peak": (peak + 1).start_time}, off_by_one),
            ({"coffee_peak": (peak - 1).start_time}, off_by_one),
            *(({"coffee_stage": s}, hints[s]) for s in diffusion.STAGES),
        ]))

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        gen = _needs_truth()["market_adoption"]["categories"][CATEGORY]["generations"]["1"]
        share = float(diffusion.stages(self._fit)["share"].iloc[-1])
        return (f"The simulated market's own curve peaks in "
                f"{str(gen['peak_month_of_bass_curve'])[:7]} and is in "
                f"{gen['stage_at_end']} at the end of the data, "
                f"{gen['share_adopted_at_end']:.0%} of its potential adopted (your fit: "
                f"{share:.0%}).")


def _derived_rise(column: str = "derived_importance", *, against: str = "everyone"
                  ) -> pd.Series:
    """Derived importance among DRIVER_SCENE respondents minus among ``against``."""
    bs = coursekit.load("brand_survey")
    mine = bs["respondent_id"].isin(_ids(DRIVER_SCENE))
    base = bs if against == "everyone" else bs[~mine]
    return _brand_ipa(bs[mine])[column] - _brand_ipa(base)[column]


class FitnessDrivers(Exercise):
    """The attribute whose derived importance rises most among fitness-scene respondents."""

    qid = "q3"
    title = "What drives the fitness crowd?"
    variables = ("rising_attribute", "rise")
    hints = (
        "Derived importance is read from `brand_survey`: how much each attribute's rating "
        "moves the overall score (a standardised coefficient). Compute it twice, for the "
        f"respondents who tick `{DRIVER_SCENE}` (in `survey_profiles`) and for everyone, and "
        "take the difference attribute by attribute.",
        "`derived(rows)` gives the derived importance of rows of `brand_survey`. `ids = "
        "profiles.loc[profiles[m02.DRIVER_SCENE], 'respondent_id']`; `difference = derived("
        "brand_survey[brand_survey['respondent_id'].isin(ids)]) - derived(brand_survey)`; "
        "its `idxmax()` and `max()`.",
    )
    correct_message = ("the attribute that matters more to this group than to everybody: "
                       "what a message or a product aimed at them should lead with.")

    def _expected(self) -> dict[str, object]:
        rise = _derived_rise()
        return {"rising_attribute": str(rise.idxmax()), "rise": float(rise.max())}

    def mistakes(self) -> list[tuple[object, str]]:
        bs = coursekit.load("brand_survey")
        mine = _brand_ipa(bs[bs["respondent_id"].isin(_ids(DRIVER_SCENE))])
        top = mine["derived_importance"].idxmax()
        rest = _derived_rise(against="rest")
        coef = _derived_rise("derived_coefficient")
        survey = coursekit.load("survey")
        points = survey.groupby(survey["attribute"].astype(str), observed=True)["importance"]
        theirs = survey[survey["respondent_id"].isin(_ids(DRIVER_SCENE))]
        stated = (theirs.groupby(theirs["attribute"].astype(str), observed=True)["importance"]
                  .mean() - points.mean())
        return self.distinct_mistakes(specific_first([
            ({"rising_attribute": str(top)},
             "That attribute matters most to this group, as it does to everybody; the question "
             "asks which one matters *more* to them than to everybody."),
            ({"rising_attribute": str(rest.idxmax()), "rise": float(rest.max())},
             "That compares with the respondents who do not tick the scene; compare with "
             "everybody."),
            ({"rise": float(rest.max())},
             "That compares with the respondents who do not tick the scene; compare with "
             "everybody."),
            ({"rising_attribute": str(stated.idxmax()), "rise": float(stated.max())},
             "That is stated importance (points out of 100 in `survey`); the question asks for "
             "derived importance, read from the overall scores of `brand_survey`."),
            ({"rise": float(stated.max())},
             "That is stated importance (points out of 100 in `survey`); the question asks for "
             "derived importance, read from the overall scores of `brand_survey`."),
            ({"rising_attribute": str(coef.idxmax()), "rise": float(coef.max())},
             "That uses `derived_coefficient` (overall points per rating point); compare the "
             "standardised `derived_importance`."),
            ({"rise": float(coef.max())},
             "That uses `derived_coefficient` (overall points per rating point); compare the "
             "standardised `derived_importance`."),
        ]))


def _survey_ipa(*, ours: str = OURS, rows: pd.Series | None = None, cut: str = "mean"
                ) -> pd.DataFrame:
    """IPA with stated importance on ``survey`` (only the respondents ``rows``, if given)."""
    survey = coursekit.load("survey")
    if rows is not None:
        survey = survey[survey["respondent_id"].isin(rows)]
    return needs.importance_performance(survey, ours=ours, cut=cut)


def _quadrant(ipa: pd.DataFrame, name: str) -> set[str]:
    return {str(a) for a in ipa.index[ipa["quadrant"] == name]}


class RivalFocus(Exercise):
    """Songguo's 'concentrate here' attributes: where the rival will invest."""

    qid = "q4"
    title = "Where will Songguo invest?"
    variables = ("songguo_focus",)
    hints = (
        "Run the importance x performance analysis of lesson 2a on `survey` (stated "
        "importance, cuts at the means) with Songguo as the brand under study: its "
        "'concentrate here' attributes are important to customers and below Songguo's own "
        "average rating.",
        "`ipa = needs.importance_performance(survey, ours=m02.RIVAL)`; "
        "`set(ipa.index[ipa['quadrant'] == 'concentrate here'])`.",
    )
    correct_message = ("a rival's weak spots on what customers value are where it will "
                       "spend next: if one of them is our lead, our lead is under threat.")

    def _expected(self) -> set[str]:
        return _quadrant(_survey_ipa(ours=RIVAL), "concentrate here")

    def compare(self, **answers: Any) -> Result | None:
        return hide_count(super().compare(songguo_focus=_text_set(answers["songguo_focus"])))

    def mistakes(self) -> list[tuple[object, str]]:
        rival = _survey_ipa(ours=RIVAL)
        trailing = {str(a) for a in rival.index[rival["gap_to_best"] < 0]}
        bs = coursekit.load("brand_survey")
        derived = needs.importance_performance(
            bs, ours=RIVAL, brand="brand", attribute=None, rating=list(ATTRIBUTES),
            overall="overall", importance=None)
        return self.distinct_mistakes(specific_first([
            (_quadrant(_survey_ipa(), "concentrate here"),
             "Those are Qingmu's: pass `ours=m02.RIVAL` to study Songguo."),
            (_quadrant(rival, "keep up the good work"),
             "Those are Songguo's strengths ('keep up the good work'); 'concentrate here' is "
             "high importance with *low* performance."),
            (_quadrant(rival, "low priority"),
             "Those matter little to customers ('low priority'); 'concentrate here' is *high* "
             "importance with low performance."),
            (trailing,
             "Those are all the attributes where Songguo trails the best competitor; the "
             "quadrant also needs high importance, and it cuts performance at Songguo's own "
             "average rating."),
            (_quadrant(_survey_ipa(ours=RIVAL, cut="median"), "concentrate here"),
             "That cuts at the medians; lesson 2a's quadrants cut at the means."),
            (_quadrant(derived, "concentrate here") or None,  # an empty set says nothing
             "That uses derived importance on `brand_survey`; the question asks for the "
             "stated importance of `survey`."),
        ]))


def _gift_ipa() -> pd.DataFrame:
    return _survey_ipa(rows=_ids(GIFT_SCENE))


def _invest(ipa: pd.DataFrame, *, by: str = "importance") -> tuple[str, float]:
    """The 'concentrate here' attribute first by ``by`` (largest importance, or most
    negative gap), and our gap to the best competitor on it."""
    focus = ipa[ipa["quadrant"] == "concentrate here"]
    if focus.empty:
        raise ValueError("no attribute is in 'concentrate here'")
    top = focus[by].idxmin() if by == "gap_to_best" else focus[by].idxmax()
    return str(top), float(ipa.loc[top, "gap_to_best"])


class GiftInvest(Exercise):
    """Decision: the attribute the gift edition invests in, and the gap it must close."""

    qid = "q5"
    title = "What the gift edition invests in (a decision)"
    variables = ("gift_invest", "gift_gap")
    hints = (
        "Importance x performance for Qingmu on `survey`, stated importance, but only the "
        f"respondents who tick `{GIFT_SCENE}`. The rule: invest in the most important "
        "attribute of the 'concentrate here' quadrant; the gap is Qingmu's rating minus the "
        "best competitor's on it (negative: Qingmu trails).",
        "`ids = profiles.loc[profiles[m02.GIFT_SCENE], 'respondent_id']`; `ipa = "
        "needs.importance_performance(survey[survey['respondent_id'].isin(ids)])`; the first "
        "row with `quadrant == 'concentrate here'` (rows come most important first): its "
        "name and `gap_to_best`.",
    )
    correct_message = ("what the gift edition should get better at first, and how far it has "
                       "to go to match the best rival there.")

    def _expected(self) -> dict[str, object]:
        top, gap = _invest(_gift_ipa())
        return {"gift_invest": top, "gift_gap": gap}

    def mistakes(self) -> list[tuple[object, str]]:
        ipa = _gift_ipa()
        top, gap = _invest(ipa)
        everyone = _invest(_survey_ipa())
        widest = _invest(ipa, by="gap_to_best")
        rivals = [c.removeprefix("performance_") for c in ipa.columns
                  if c.startswith("performance_") and c != "performance_cut"]
        best = str(ipa.loc[top, "best_competitor"])
        to_each = {b: float(ipa.loc[top, "performance"] - ipa.loc[top, f"performance_{b}"])
                   for b in rivals if b != best}
        return self.distinct_mistakes(specific_first([
            ({"gift_invest": everyone[0], "gift_gap": everyone[1]},
             "That is the answer for all respondents; the gift edition is for those who tick "
             "`scene_gift`."),
            ({"gift_invest": everyone[0]},
             "That is the answer for all respondents; the gift edition is for those who tick "
             "`scene_gift`."),
            ({"gift_invest": widest[0], "gift_gap": widest[1]},
             "The rule picks the most *important* attribute of 'concentrate here', not the "
             "one with the widest gap."),
            ({"gift_gap": -gap},
             "The gap is Qingmu's rating minus the best competitor's: negative where Qingmu "
             "trails."),
            *(({"gift_gap": v},
               f"That is the gap to {b}; the gap is to the best competitor on the "
               "attribute.")
              for b, v in to_each.items()),
        ]))


# --------------------------------------------------------------------------- lesson 2b


def _without_scenes() -> list[str]:
    return [f for f in CLUSTER_FEATURES if f not in SCENES]


class ScenesInPersonas(BesideTruth):
    """k by silhouette without the scenes, and how much the scenes change the personas."""

    qid = "q6"
    title = "Personas without the scenes"
    variables = ("k_without_scenes", "ari_scenes")
    hints = (
        "Cluster twice on `survey_profiles` with `needs.personas` (seed 0): the features of "
        "`m02.CLUSTER_FEATURES` without the five scenes, once letting the silhouette choose "
        "k (2 to 8, the default), then with k = 4 both with and without the scenes. The "
        "adjusted Rand index compares the two groupings with k = 4.",
        "`without = [f for f in m02.CLUSTER_FEATURES if f not in m02.SCENES]`; "
        "`needs.personas(profiles[without]).k_`; `a = needs.personas(profiles[list("
        "m02.CLUSTER_FEATURES)], k=4)`, `b = needs.personas(profiles[without], k=4)`; "
        "`needs.adjusted_rand(a.labels_, b.labels_)`.",
    )
    correct_message = ("the lower the index, the more the usage scenes decide who the "
                       "personas are: a survey that skips them finds other groups.")

    def _fits(self) -> dict[str, needs.Personas]:
        cache = self.__dict__.setdefault("_fits_cache", {})
        if not cache:
            cache["choose"] = _personas(_without_scenes())
            cache["with"] = _personas(CLUSTER_FEATURES, K)
            cache["without"] = _personas(_without_scenes(), K)
        return cache

    def _expected(self) -> dict[str, object]:
        f = self._fits()
        return {"k_without_scenes": int(f["choose"].k_),
                "ari_scenes": needs.adjusted_rand(f["with"].labels_, f["without"].labels_)}

    def mistakes(self) -> list[tuple[object, str]]:
        f = self._fits()
        choose = f["choose"]
        full = _personas(CLUSTER_FEATURES)
        out: list[tuple[object, str]] = [
            ({"k_without_scenes": int(full.k_)},
             "That k comes from every feature; the question leaves the five scenes out."),
            ({"ari_scenes": needs.adjusted_rand(f["without"].labels_, _planted())},
             "That compares with the planted personas; the question compares the two "
             "clusterings (with and without the scenes) with each other."),
        ]
        if choose.k_ != K:
            out.append(({"ari_scenes": needs.adjusted_rand(f["with"].labels_, choose.labels_)},
                        f"That uses the silhouette's k without the scenes; compare two "
                        f"clusterings with k = {K}."))
        return self.distinct_mistakes(out)

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        f, planted = self._fits(), _planted()
        return (f"Against the planted personas (the simulated truth) the adjusted Rand index "
                f"is {needs.adjusted_rand(f['with'].labels_, planted):.2f} with the scenes "
                f"and {needs.adjusted_rand(f['without'].labels_, planted):.2f} without.")


def _tgi(group: pd.Series | np.ndarray) -> pd.DataFrame:
    sp = _profiles()
    return segments.tgi(sp[list(SCENES)], group)


class HealthSceneTgi(Exercise):
    """Decision: the scene to feature for health-motivated respondents, by TGI."""

    qid = "q7"
    title = "Which scene for health-minded customers? (a decision)"
    variables = ("top_scene", "top_tgi")
    hints = (
        f"The group: respondents whose `{TGI_MOTIVE}` is {TGI_MIN} or more. TGI of a scene = "
        "the group's share ticking it / everybody's share ticking it x 100. The scene to "
        "feature is the one with the highest TGI, not the most common one.",
        "`group = profiles[m02.TGI_MOTIVE] >= m02.TGI_MIN`; `t = segments.tgi(profiles[list("
        "m02.SCENES)], group)`; `t['tgi'].idxmax()` and `t['tgi'].max()`.",
    )
    correct_message = ("the scene that sets this group apart: the one to show in a campaign "
                       "aimed at them.")

    def _expected(self) -> dict[str, object]:
        sp = _profiles()
        t = _tgi(sp[TGI_MOTIVE] >= TGI_MIN)["tgi"]
        return {"top_scene": str(t.idxmax()), "top_tgi": float(t.max())}

    def compare(self, **answers: Any) -> Result | None:
        scene = answers["top_scene"]
        if isinstance(scene, str) and f"scene_{scene.strip()}" in SCENES:
            scene = f"scene_{scene.strip()}"  # 'fitness' names scene_fitness
        return super().compare(top_scene=scene, top_tgi=answers["top_tgi"])

    def mistakes(self) -> list[tuple[object, str]]:
        sp = _profiles()
        group = sp[TGI_MOTIVE] >= TGI_MIN
        t = _tgi(group)
        common = str(t["target_share"].idxmax())
        rest = sp.loc[group, list(SCENES)].mean() / sp.loc[~group, list(SCENES)].mean() * 100
        strict = _tgi(sp[TGI_MOTIVE] > TGI_MIN)["tgi"]
        right = self._expected()
        return self.distinct_mistakes(specific_first([
            ({"top_scene": common, "top_tgi": float(t.loc[common, "target_share"])},
             "That is the scene most common in the group, and its share; it is common among "
             "everybody too. TGI compares the group's share with everybody's."),
            ({"top_scene": common},
             "That scene is the most common in the group, but it is common among everybody "
             "too: pick the highest TGI."),
            ({"top_tgi": right["top_tgi"] / 100},
             "TGI is the ratio of the two shares x 100 (100: as common as among everybody)."),
            ({"top_scene": str(rest.idxmax()), "top_tgi": float(rest.max())},
             "That compares the group with the respondents outside it; TGI compares it with "
             "everybody, the group included."),
            ({"top_tgi": float(rest.max())},
             "That compares the group with the respondents outside it; TGI compares it with "
             "everybody, the group included."),
            ({"top_scene": str(strict.idxmax()), "top_tgi": float(strict.max())},
             f"That group leaves out the respondents who answered exactly {TGI_MIN}: the rule "
             f"is {TGI_MIN} *or more*."),
        ]))


def _tier_of() -> pd.Series:
    """The city tier of each respondent of ``survey_profiles`` (text), from ``survey``."""
    survey = coursekit.load("survey")
    tier = survey.drop_duplicates("respondent_id").set_index("respondent_id")["city_tier"]
    return _profiles()["respondent_id"].map(tier.astype(str))


def _segment_table(labels: pd.Series, *, tier: str | None = SEGMENT_TIER) -> pd.DataFrame:
    """Size, growth (0: not measured) and yearly value of each persona among the
    respondents of ``tier`` (None: all respondents)."""
    sp = _profiles()
    keep = _tier_of() == tier if tier is not None else pd.Series(True, index=sp.index)
    rows, persona = sp[keep], labels[keep].to_numpy()
    table = pd.DataFrame({
        "size": rows.groupby(persona).size(),
        "growth": 0.0,
        "value": 12 * rows.groupby(persona)["monthly_snack_spend"].mean(),
    }).rename_axis("persona")
    return table


def _first(ranked: pd.DataFrame) -> dict[str, object]:
    return {"first_persona": int(ranked.index[0]), "first_total": float(ranked["total"].iloc[0])}


class FirstPersona(BesideTruth):
    """Decision: the persona to serve first in the smallest cities."""

    qid = "q8"
    title = "Which persona first in the smallest cities? (a decision)"
    variables = ("first_persona", "first_total")
    hints = (
        f"Lesson 2b's personas (`needs.personas` on `m02.CLUSTER_FEATURES`, k = {K}, seed "
        f"{SEED}, fitted on everybody), scored on the respondents of city tier "
        f"'{SEGMENT_TIER}' only: size = the persona's respondents there, value = their "
        "yearly snack spend (12 x the mean `monthly_snack_spend`), growth with no weight. "
        "Then `needs.segment_value` with `m02.SEGMENT_WEIGHTS`.",
        "`mine = tier == m02.SEGMENT_TIER`; `table = profiles[mine].groupby(persona[mine])"
        ".agg(size=('respondent_id', 'size'), value=('monthly_snack_spend', 'mean'))`; "
        "`table['value'] *= 12`; `table['growth'] = 0`; `needs.segment_value(table, "
        "weights=m02.SEGMENT_WEIGHTS)`: its first row (the index) and its `total`.",
    )
    correct_message = ("the persona the smallest cities' shops are built around: in another "
                       "market, another persona can come first.")

    def _labels(self) -> pd.Series:
        cache = self.__dict__.setdefault("_labels_cache", {})
        if "labels" not in cache:
            cache["labels"] = _personas(CLUSTER_FEATURES, K).labels_
        return cache["labels"]

    def _expected(self) -> dict[str, object]:
        return _first(needs.segment_value(_segment_table(self._labels()),
                                          weights=SEGMENT_WEIGHTS))

    def mistakes(self) -> list[tuple[object, str]]:
        labels = self._labels()
        table = _segment_table(labels)
        everyone = _first(needs.segment_value(_segment_table(labels, tier=None),
                                              weights=SEGMENT_WEIGHTS))
        top_tier = min(str(t) for t in _tier_of().dropna().unique())
        first_tier = _first(needs.segment_value(_segment_table(labels, tier=top_tier),
                                                weights=SEGMENT_WEIGHTS))
        total_spend = table.assign(value=table["value"] * table["size"])
        return self.distinct_mistakes(specific_first([
            (everyone,
             "That is the choice over all respondents; the shops open in the smallest "
             f"cities: size and value among the respondents of tier '{SEGMENT_TIER}'."),
            ({"first_persona": everyone["first_persona"]},
             "That persona comes first over all respondents; score the personas on the "
             f"respondents of tier '{SEGMENT_TIER}'."),
            (first_tier,
             f"That is city tier '{top_tier}'; the shops open in tier '{SEGMENT_TIER}'."),
            (_first(needs.segment_value(table)),
             "Those are equal weights (segment_value's default), which give growth a third; "
             "growth cannot be measured from one survey and gets no weight "
             "(`m02.SEGMENT_WEIGHTS`)."),
            (_first(needs.segment_value(total_spend, weights=SEGMENT_WEIGHTS)),
             "Value is what one respondent spends (the mean), not the persona's total: size "
             "is already a criterion of its own."),
            ({"first_persona": int(table["value"].idxmax())},
             "That persona spends the most there, but the strategy weighs size as much as "
             "value."),
            ({"first_persona": int(table["size"].idxmax())},
             "That persona is the largest there, but the strategy weighs value as much as "
             "size."),
        ]))

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        labels, planted = self._labels(), _planted()
        n = int(round(_number(answers["first_persona"])))
        mine = planted[labels == n]
        name = str(mine.value_counts().idxmax())
        return (f"In the simulated truth persona {n} is mostly the planted {name} "
                f"({int((mine == name).sum())} of its {len(mine)} respondents).")


def _psm(rows: pd.DataFrame, **options: Any) -> needs.PriceSensitivity:
    return needs.price_sensitivity(rows, **options)


class GiftPrice(Exercise):
    """The range of acceptable prices and the optimal price point of gift-scene respondents."""

    qid = "q9"
    title = "A price for the gift edition"
    variables = ("gift_range", "gift_opp")
    hints = (
        "Van Westendorp on the respondents who tick `scene_gift` only (`survey_profiles`), "
        "with `needs.price_sensitivity`'s defaults: inconsistent answers dropped, van "
        "Westendorp's original definition of the range. The range runs from PMC to PME; the "
        "optimal price point is where 'too cheap' meets 'too expensive'.",
        "`psm = needs.price_sensitivity(profiles[profiles[m02.GIFT_SCENE]])`; "
        "`psm.acceptable_range` and `psm.opp`.",
    )

    @functools.cached_property
    def _points(self) -> dict[str, needs.PriceSensitivity]:
        sp = _profiles()
        gift = sp[sp[GIFT_SCENE]]
        return {"gift": _psm(gift), "all": _psm(sp), "others": _psm(sp[~sp[GIFT_SCENE]]),
                "narrower": _psm(gift, range_definition="narrower")}

    @property
    def correct_message(self) -> str:  # type: ignore[override]
        p = self._points
        return (f"a gift edition priced near its OPP asks {p['gift'].opp - p['all'].opp:+.0f} "
                f"yuan against the OPP of everybody ({p['all'].opp:.0f}): what the gift "
                "scene is worth in price.")

    def _expected(self) -> dict[str, object]:
        g = self._points["gift"]
        return {"gift_range": (g.pmc, g.pme), "gift_opp": g.opp}

    def compare(self, **answers: Any) -> Result | None:
        rng = answers["gift_range"]
        if isinstance(rng, tuple | list | np.ndarray) and len(rng) == 2:
            try:
                rng = tuple(sorted(float(x) for x in rng))  # (high, low) reads the same
            except (TypeError, ValueError):
                pass
        return super().compare(gift_range=rng, gift_opp=answers["gift_opp"])

    def mistakes(self) -> list[tuple[object, str]]:
        p = self._points
        g = p["gift"]
        return self.distinct_mistakes(specific_first([
            ({"gift_range": (p["all"].pmc, p["all"].pme), "gift_opp": p["all"].opp},
             "That is everybody's answer; the gift edition's price comes from the respondents "
             "who tick `scene_gift`."),
            ({"gift_opp": p["all"].opp},
             "That is everybody's OPP; use the respondents who tick `scene_gift`."),
            ({"gift_range": (p["others"].pmc, p["others"].pme), "gift_opp": p["others"].opp},
             "Those are the respondents who do *not* tick `scene_gift`."),
            ({"gift_range": (p["narrower"].pmc, p["narrower"].pme)},
             "That is the narrower definition of the range; the question asks for van "
             "Westendorp's original one (the default)."),
            ({"gift_opp": g.ipp},
             "That is the indifference price point (cheap = expensive); the OPP is where "
             "'too cheap' meets 'too expensive'."),
            ({"gift_range": (g.opp, g.ipp)},
             "OPP and IPP lie inside the range; the range runs from PMC to PME."),
        ]))


def _competitor_scores() -> pd.DataFrame:
    c = coursekit.load("competitors").astype({"brand": str, "criterion": str})
    return c.pivot(index="brand", columns="criterion", values="score")


def _default_weights() -> dict[str, float]:
    c = coursekit.load("competitors").astype({"criterion": str})
    return c.drop_duplicates("criterion").set_index("criterion")["weight"].to_dict()


def _lead(totals: pd.DataFrame) -> dict[str, object]:
    return {"quality_leader": str(totals.index[0]),
            "quality_lead": float(totals["total"].iloc[0] - totals["total"].iloc[1])}


class QualityWeights(BesideTruth):
    """The leader of the competitiveness table under the quality weights, and how safe."""

    qid = "q10"
    title = "The competitors when quality weighs more"
    variables = ("quality_leader", "quality_lead", "leader_share_first")
    hints = (
        "Pivot `competitors` to one row per brand and one column per criterion (the "
        "scores), then weigh it with `m02.QUALITY_WEIGHTS` instead of the table's `weight` "
        "column. The lead is the leader's total minus the runner-up's. For how safe it is, "
        "draw weights around the quality weights (`needs.weight_sensitivity`, its defaults).",
        "`scores` is the pivot; `t = needs.competitor_scores(scores, m02.QUALITY_WEIGHTS)`; "
        "`t.index[0]`, "
        "`t.total.iloc[0] - t.total.iloc[1]`; `needs.weight_sensitivity(scores, "
        "m02.QUALITY_WEIGHTS).first_place.loc[leader, 'share_first']`.",
    )
    correct_message = ("the ranking depends on what is weighed; the share of random "
                       "weightings it survives says how much to trust it.")

    def _expected(self) -> dict[str, object]:
        scores = _competitor_scores()
        out = _lead(needs.competitor_scores(scores, QUALITY_WEIGHTS))
        first = needs.weight_sensitivity(scores, QUALITY_WEIGHTS).first_place
        out["leader_share_first"] = float(first.loc[out["quality_leader"], "share_first"])
        return out

    def mistakes(self) -> list[tuple[object, str]]:
        scores = _competitor_scores()
        quality = needs.competitor_scores(scores, QUALITY_WEIGHTS)
        default = needs.competitor_scores(scores, _default_weights())
        plain = needs.competitor_scores(scores, {c: 1.0 for c in scores.columns})
        first = needs.weight_sensitivity(scores, QUALITY_WEIGHTS).first_place
        runner_up = str(quality.index[1])
        at_default = needs.weight_sensitivity(scores, _default_weights()).first_place
        leader = str(quality.index[0])
        return self.distinct_mistakes(specific_first([
            (_lead(default),
             "Those are the table's default weights; the question weighs with "
             "`m02.QUALITY_WEIGHTS`."),
            (_lead(plain),
             "That is every criterion weighed the same; weigh with `m02.QUALITY_WEIGHTS`."),
            ({"quality_leader": _lead(default)["quality_leader"]},
             "That brand leads with the table's default weights; weigh with "
             "`m02.QUALITY_WEIGHTS`."),
            ({"quality_lead": float(quality["total"].iloc[0] - quality["total"].iloc[-1])},
             "That is the lead over the last brand; the lead is over the runner-up."),
            ({"leader_share_first": float(first.loc[runner_up, "share_first"])},
             "That is the runner-up's share of first places; the question asks for the "
             "leader's."),
            ({"leader_share_first": float(at_default.loc[leader, "share_first"])
              if leader in at_default.index else None},
             "That draws weights around the table's default weights; draw them around "
             "`m02.QUALITY_WEIGHTS`."),
        ]))

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        true = pd.DataFrame(_needs_truth()["competitors"]["true_scores"]).T
        totals = needs.competitor_scores(true[list(QUALITY_WEIGHTS)], QUALITY_WEIGHTS)
        lead = float(totals["total"].iloc[0] - totals["total"].iloc[1])
        return (f"On the analysts' true scores (the simulated truth, without the panel's "
                f"noise) {totals.index[0]} would lead by {lead:.2f}.")


EXERCISES = ExerciseSet(
    "02_user_needs_exercises",
    [CoffeeCurve, CoffeeStage, FitnessDrivers, RivalFocus, GiftInvest,
     ScenesInPersonas, HealthSceneTgi, FirstPersona, GiftPrice, QualityWeights],
)

__all__ = ["ATTRIBUTES", "CATEGORY", "CLUSTER_FEATURES", "DRIVER_SCENE", "EXERCISES",
           "GIFT_SCENE", "K", "OURS", "QUALITY_WEIGHTS", "RIVAL", "SCENES", "SEED",
           "SEGMENT_TIER", "SEGMENT_WEIGHTS", "TGI_MIN", "TGI_MOTIVE"]

