"""needs: IPA, strategy canvas, competitor scoring, personas, perceptual maps, price meter.

Checked against hand sums, known parameters (planted clusters, a noise-free
regression, the course survey's true brand performance) and the layouts
giving the same answer.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import coursekit
from coursekit import needs
from coursekit.errors import ArgumentError, CourseError, DataError
from coursekit.segments import tgi

# --------------------------------------------------------------------------- fixtures


def small_survey() -> pd.DataFrame:
    """Two respondents, three attributes, two brands, in the course survey's layout."""
    return pd.DataFrame({
        "respondent_id": [1, 1, 1, 2, 2, 2],
        "attribute": ["taste", "price", "packaging"] * 2,
        "importance": [30, 50, 20, 40, 40, 20],
        "rating_us": [9, 5, 7, 8, 6, 9],
        "rating_them": [7, 8, 6, 7, 9, 6],
        "rating_other": [6, 7, 9, 6, 6, 9],
    })


def tidy_survey(seed: int = 1, n: int = 200) -> pd.DataFrame:
    """Respondent x brand x attribute rows; overall = 2 x a1 + a2 (a3 does not count)."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(1, n + 1):
        points = rng.integers(0, 50, 3)
        for b in ("us", "them"):
            a = rng.integers(1, 11, 3)
            overall = 2 * a[0] + a[1]
            for j, name in enumerate(("a1", "a2", "a3")):
                rows.append((r, b, name, int(points[j]), int(a[j]), int(overall)))
    return pd.DataFrame(rows, columns=["respondent_id", "brand", "attribute", "importance",
                                       "rating", "overall"])


def course_layout(tidy: pd.DataFrame) -> pd.DataFrame:
    """The tidy survey as the course survey lays it out: a row per respondent x attribute."""
    base = tidy[tidy["brand"] == "us"][["respondent_id", "attribute", "importance"]]
    for b in ("us", "them"):
        part = tidy[tidy["brand"] == b].set_index(["respondent_id", "attribute"])
        base[f"rating_{b}"] = part["rating"].reindex(
            pd.MultiIndex.from_frame(base[["respondent_id", "attribute"]])).to_numpy()
        base[f"overall_{b}"] = part["overall"].reindex(
            pd.MultiIndex.from_frame(base[["respondent_id", "attribute"]])).to_numpy()
    return base.reset_index(drop=True)


def wide_layout(tidy: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent, no id column."""
    out = {}
    for r, g in tidy.groupby("respondent_id"):
        row = {}
        for _, x in g.iterrows():
            row[f"importance_{x['attribute']}"] = x["importance"]
            row[f"rating_{x['brand']}_{x['attribute']}"] = x["rating"]
            row[f"overall_{x['brand']}"] = x["overall"]
        out[r] = row
    return pd.DataFrame.from_dict(out, orient="index").reset_index(drop=True)


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return coursekit.load("survey")


# --------------------------------------------------------------------------- IPA


def test_ipa_by_hand():
    ipa = needs.importance_performance(small_survey(), ours="us")
    # importance: taste (30+40)/2 = 35, price (50+40)/2 = 45, packaging 20; most important first
    assert ipa.index.tolist() == ["price", "taste", "packaging"]
    assert ipa.index.name == "attribute"
    assert ipa["importance"].tolist() == [45.0, 35.0, 20.0]
    # us: price (5+6)/2 = 5.5, taste 8.5, packaging 8.0
    assert ipa["performance"].tolist() == [5.5, 8.5, 8.0]
    assert ipa["performance_them"].tolist() == [8.5, 7.0, 6.0]
    assert ipa["performance_other"].tolist() == [6.5, 6.0, 9.0]
    assert ipa["best_competitor"].tolist() == ["them", "them", "other"]
    assert ipa["gap_to_best"].tolist() == [-3.0, 1.5, -1.0]
    # cuts: importance mean (45+35+20)/3 = 33.33; our performance mean (5.5+8.5+8)/3 = 7.33
    assert ipa["importance_cut"].iloc[0] == pytest.approx(100 / 3)
    assert ipa["performance_cut"].iloc[0] == pytest.approx(22 / 3)
    assert ipa["quadrant"].tolist() == ["concentrate here", "keep up the good work",
                                        "possible overkill"]
    assert "derived_importance" not in ipa.columns


def test_ipa_competitors_cut_and_quadrants():
    ipa = needs.importance_performance(small_survey(), ours="us", competitors=["other"],
                                       cut=(40, 8.0))
    assert "performance_them" not in ipa.columns
    assert ipa["best_competitor"].tolist() == ["other"] * 3
    # importance >= 40 is high (price only); performance >= 8 is high (taste, packaging)
    assert ipa.loc["price", "quadrant"] == "concentrate here"
    assert ipa.loc["taste", "quadrant"] == "possible overkill"
    assert ipa.loc["packaging", "quadrant"] == "possible overkill"
    low = needs.importance_performance(small_survey(), ours="us", cut=(50, 9))
    assert set(low["quadrant"]) == {"low priority"}
    med = needs.importance_performance(small_survey(), ours="us", cut="median")
    assert med["importance_cut"].iloc[0] == 35.0 and med["performance_cut"].iloc[0] == 8.0
    assert med.loc["taste", "quadrant"] == "keep up the good work"  # equal to the cut: high


def test_ipa_skips_missing_ratings():
    s = small_survey().astype({"rating_them": "float64"})
    s.loc[0, "rating_them"] = np.nan  # respondent 1 does not know them: taste from one answer
    ipa = needs.importance_performance(s, ours="us")
    assert ipa.loc["taste", "performance_them"] == 7.0
    s["rating_them"] = np.nan
    ipa = needs.importance_performance(s, ours="us")
    assert ipa["best_competitor"].tolist() == ["other"] * 3


def test_derived_importance_recovers_a_known_regression():
    tidy = tidy_survey()
    ipa = needs.importance_performance(tidy, ours="us", brand="brand", rating="rating",
                                       overall="overall")
    # overall = 2 a1 + a2: standardised beta_j = b_j sd(a_j) / sd(overall), pooled over brands
    sd = tidy.drop_duplicates(["respondent_id", "brand", "attribute"]).pivot_table(
        index=["respondent_id", "brand"], columns="attribute", values="rating").std(ddof=0)
    y = tidy.drop_duplicates(["respondent_id", "brand"])["overall"].std(ddof=0)
    assert ipa.loc["a1", "derived_importance"] == pytest.approx(2 * sd["a1"] / y)
    assert ipa.loc["a2", "derived_importance"] == pytest.approx(sd["a2"] / y)
    assert ipa.loc["a3", "derived_importance"] == pytest.approx(0, abs=1e-9)
    assert ipa["derived_r2"].tolist() == pytest.approx([1.0] * 3)
    by_derived = needs.importance_performance(tidy, ours="us", brand="brand", rating="rating",
                                              overall="overall", quadrant_by="derived")
    assert by_derived.index.tolist() == ["a1", "a2", "a3"]
    only = needs.importance_performance(tidy, ours="us", brand="brand", rating="rating",
                                        importance=None, overall="overall")
    assert "importance" not in only.columns
    assert only["quadrant"].tolist() == by_derived["quadrant"].tolist()


def test_the_three_layouts_give_the_same_answer():
    tidy = tidy_survey(seed=2, n=60)
    kw = dict(ours="us", overall="overall")
    a = needs.importance_performance(tidy, brand="brand", rating="rating", **kw)
    b = needs.importance_performance(course_layout(tidy), rating="rating_{brand}",
                                     **{**kw, "overall": "overall_{brand}"})
    c = needs.importance_performance(wide_layout(tidy), attribute=None, respondent=None,
                                     rating="rating_{brand}_{attribute}",
                                     importance="importance_{attribute}",
                                     **{**kw, "overall": "overall_{brand}"})
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    # hand check of one number: mean importance of a1 over the 60 respondents
    first = tidy.drop_duplicates(["respondent_id", "attribute"])
    assert a.loc["a1", "importance"] == pytest.approx(
        first.loc[first["attribute"] == "a1", "importance"].mean())


def test_ipa_on_the_course_survey(survey):
    truth = coursekit.truth()["survey"]["brand_performance"]
    ipa = needs.importance_performance(survey)
    assert ipa["importance"].sum() == pytest.approx(100)  # 100 points per respondent
    # the ratings are drawn around each brand's true performance (sd 1.1, 600 respondents)
    for attr in ipa.index:
        assert ipa.loc[attr, "performance"] == pytest.approx(truth["qingmu"][attr], abs=0.25)
        assert ipa.loc[attr, "performance_songguo"] == pytest.approx(truth["songguo"][attr],
                                                                     abs=0.25)
    # Qingmu trails Songguo by 1.4 points on price, an attribute of above-average importance
    assert ipa.loc["price", "quadrant"] == "concentrate here"
    assert ipa.loc["price", "best_competitor"] == "songguo"
    assert ipa.loc["health", "quadrant"] == "keep up the good work"
    hi_imp = ipa["importance"] >= ipa["importance_cut"]
    hi_perf = ipa["performance"] >= ipa["performance_cut"]
    assert (ipa.loc[hi_imp & ~hi_perf, "quadrant"] == "concentrate here").all()
    assert (ipa.loc[~hi_imp & hi_perf, "quadrant"] == "possible overkill").all()


ATTRS = ["taste", "health", "price", "packaging", "delivery_speed", "variety", "brand_trust"]


def test_a_column_per_attribute_and_importance_given():
    tidy = tidy_survey(seed=3, n=40)
    per_brand = tidy.pivot_table(index=["respondent_id", "brand"], columns="attribute",
                                 values="rating").reset_index()
    per_brand["overall"] = 2 * per_brand["a1"] + per_brand["a2"]
    importance = {"a1": 10.0, "a2": 30.0, "a3": 20.0}
    got = needs.importance_performance(per_brand, ours="us", brand="brand", attribute=None,
                                       rating=["a1", "a2", "a3"], importance=importance,
                                       overall="overall")
    same = needs.importance_performance(tidy, ours="us", brand="brand", rating="rating",
                                        overall="overall",
                                        importance=pd.Series(importance))
    pd.testing.assert_frame_equal(got, same)
    assert got.index.tolist() == ["a2", "a3", "a1"]  # by the importance given
    assert got["derived_coefficient"].tolist() == pytest.approx([1.0, 0.0, 2.0], abs=1e-9)
    with pytest.raises(ArgumentError, match="no importance for \\['a3'\\]"):
        needs.importance_performance(per_brand, ours="us", brand="brand", attribute=None,
                                     rating=["a1", "a2", "a3"], importance={"a1": 1, "a2": 1})
    with pytest.raises(ArgumentError, match="not negative"):
        needs.importance_performance(per_brand, ours="us", brand="brand", attribute=None,
                                     rating=["a1", "a2", "a3"],
                                     importance={"a1": 1, "a2": -1, "a3": 1})
    with pytest.raises(ArgumentError, match="attribute=None"):
        needs.importance_performance(per_brand.assign(attribute="x"), ours="us",
                                     brand="brand", rating=["a1", "a2", "a3"],
                                     importance=importance)
    with pytest.raises(DataError, match="missing column"):
        needs.importance_performance(per_brand, ours="us", brand="brand", attribute=None,
                                     rating=["a1", "a4"], importance=None, overall="overall")


def test_ipa_on_the_brand_survey_recovers_the_drivers():
    bs = coursekit.load("brand_survey")
    truth = coursekit.truth()["needs"]
    stated = coursekit.load("survey").groupby("attribute", observed=True)["importance"].mean()
    ipa = needs.importance_performance(bs, brand="brand", attribute=None, rating=ATTRS,
                                       importance=stated, overall="overall")
    # overall = persona's driver weights . ratings + noise, the ratings independent of the
    # persona: the pooled slope is the respondents' mean driver weight
    codes = np.array([int(c) for c in truth["survey_profiles"]["persona_codes"]])
    names = truth["survey_profiles"]["persona_names"]
    share = pd.Series(np.bincount(codes, minlength=len(names)) / len(codes), index=names)
    drivers = pd.DataFrame(truth["brand_survey"]["driver_weights"]).T[ATTRS]
    expected = drivers.mul(share, axis=0).sum()
    np.testing.assert_allclose(ipa["derived_coefficient"].reindex(ATTRS), expected, atol=0.03)
    assert ipa["derived_importance"].idxmax() == "taste"
    performance = truth["brand_survey"]["performance"]
    for brand in ("songguo", "youjia", "maplecrest"):
        np.testing.assert_allclose(ipa[f"performance_{brand}"].reindex(ATTRS),
                                   pd.Series(performance[brand])[ATTRS], atol=0.25)
    # five brands now: on price the best is the discount label, Qingmu trails by 2 points
    assert ipa.loc["price", "best_competitor"] == "youjia"
    assert ipa.loc["price", "gap_to_best"] < -2
    assert ipa.loc["price", "quadrant"] == "concentrate here"


def test_competitor_table_of_the_course_reproduces_its_truth():
    comp = coursekit.load("competitors")
    truth = coursekit.truth()["needs"]["competitors"]
    scores = comp.pivot(index="brand", columns="criterion", values="score")
    weights = comp.drop_duplicates("criterion").set_index("criterion")["weight"]
    table = needs.competitor_scores(scores, weights)
    assert table.index.tolist() == truth["ranking_of_table"]
    for brand, total in truth["weighted_total_of_table"].items():
        assert table.loc[brand, "total"] == pytest.approx(total, abs=0.005)
    quality = needs.competitor_scores(scores, truth["quality_weights"])
    assert quality.index.tolist() == truth["ranking_of_table_with_quality_weights"]
    ws = needs.weight_sensitivity(scores, weights)
    # the quality weights give product quality 0.35: past the point where Qingmu takes over
    assert ws.leader == truth["ranking_of_table"][0]
    assert ws.thresholds.loc["product_quality", "taken_by_above"] == "qingmu"
    assert ws.thresholds.loc["product_quality", "highest"] < 0.35 / sum(
        truth["quality_weights"].values()) + 0.1


def test_personas_of_the_survey_profiles():
    prof = coursekit.load("survey_profiles")
    truth = coursekit.truth()["needs"]["survey_profiles"]
    features = prof[truth["cluster_features"]]  # the scenes are booleans: 0 / 1
    p = needs.Personas(k_range=range(2, 7)).fit(features)
    codes = [int(c) for c in truth["persona_codes"]]
    assert p.k_ == len(truth["persona_names"])
    assert 0.6 < needs.adjusted_rand(p.labels_, codes) < 0.95  # found, not perfectly
    gift = p.profile_["z_scene_gift"].idxmax()
    assert p.profile_.loc[gift, "motive_gift"] == p.profile_["motive_gift"].max()
    assert p.profile_["scene_office"].between(0, 1).all()  # shares of yes


@pytest.mark.parametrize(
    ("change", "kwargs", "error", "text"),
    [
        (None, dict(ours="nobody"), ArgumentError, "our brand"),
        (None, dict(ours="us", competitors=["nobody"]), DataError, "nobody"),
        (None, dict(competitors=["them"]), DataError, "qingmu"),
        (None, dict(ours="us", competitors=["us"]), ArgumentError, "no competitor"),
        (None, dict(ours="us", competitors="them"), ArgumentError, "list"),
        (None, dict(ours="us", importance=None), ArgumentError, "no importance"),
        (None, dict(ours="us", cut="mode"), ArgumentError, "cut"),
        (None, dict(ours="us", cut=(1, "x")), ArgumentError, "cut"),
        (None, dict(ours="us", quadrant_by="derived"), ArgumentError, "overall"),
        (None, dict(ours="us", quadrant_by="felt"), ArgumentError, "quadrant_by"),
        (None, dict(ours="us", rating="score_{brand}"), DataError, "no column matches"),
        (None, dict(ours="us", rating="rating_{shop}"), ArgumentError, "template"),
        (None, dict(ours="us", rating="rating_us"), ArgumentError, "needs a brand"),
        (None, dict(ours="us", brand="attribute"), ArgumentError, "both"),
        (None, dict(ours="us", importance="importance_{brand}"), ArgumentError,
         "does not vary"),
        (None, dict(ours="us", attribute="aspect"), DataError, "attribute=None"),
        (None, dict(ours="us", respondent=None), ArgumentError, "one row per respondent"),
        (None, dict(ours="us", scale=(10, 1)), ArgumentError, "scale"),
        (None, dict(ours="us", scale=(1, 5)), DataError, "1-5 scale"),
        (lambda s: s.assign(rating_us=[9, 5, 7, 8, 6, 11]), {"ours": "us"}, DataError,
         "1-10 scale"),
        (lambda s: s.assign(importance=[30, 50, 20, 40, 40, -20]), {"ours": "us"}, DataError,
         "negative"),
        (lambda s: s.assign(importance=[30, 50, 20, 40, 40, None]), {"ours": "us"},
         DataError, "missing"),
        (lambda s: s.assign(rating_us=list("abcdef")), {"ours": "us"}, DataError,
         "expected numbers"),
        (lambda s: s.assign(respondent_id=[1, 1, 1, 2, 2, 1]), {"ours": "us"}, DataError,
         "duplicate keys"),
        (lambda s: s.assign(rating_us=[np.nan, 5, 7, np.nan, 6, 9]), {"ours": "us"},
         DataError, "no rating of 'us'"),
        (lambda s: s.iloc[:0], {"ours": "us"}, DataError, "empty"),
        (lambda s: s.assign(overall_us=[5, 5, 6, 7, 7, 7], overall_them=5),
         {"ours": "us", "overall": "overall_{brand}"}, DataError, "differs"),
        (lambda s: s.assign(overall_us=5, overall_them=5, overall_other=5),
         {"ours": "us", "overall": "overall_{brand}"}, DataError, "no variation"),
        (lambda s: s.assign(overall_us=[5, 5, 5, 6, 6, 6], overall_them=[7, 7, 7, 4, 4, 4]),
         {"ours": "us", "competitors": ["them"], "overall": "overall_{brand}"}, DataError,
         "at least 5"),
    ],
)
def test_ipa_refuses_bad_input(change, kwargs, error, text):
    s = small_survey()
    if change is not None:
        s = change(s)
    with pytest.raises(error, match=text):
        needs.importance_performance(s, **kwargs)


def test_ipa_refuses_what_is_not_a_table():
    with pytest.raises(DataError, match="DataFrame"):
        needs.importance_performance([1, 2, 3])


def test_importance_must_cover_the_rated_attributes():
    tidy = tidy_survey(n=5)
    wide = wide_layout(tidy).drop(columns="importance_a3")
    with pytest.raises(DataError, match="different attributes"):
        needs.importance_performance(wide, ours="us", attribute=None, respondent=None,
                                     rating="rating_{brand}_{attribute}",
                                     importance="importance_{attribute}")


def test_an_overall_score_missing_on_some_of_its_rows_is_refused():
    tidy = tidy_survey(n=20).astype({"overall": "float64"})
    tidy.loc[tidy.index[0], "overall"] = np.nan  # respondent 1, brand us, attribute a1 only
    with pytest.raises(DataError, match="missing on some"):
        needs.importance_performance(tidy, ours="us", brand="brand", rating="rating",
                                     overall="overall")
    every = tidy.copy()
    every.loc[every.index[:3], "overall"] = np.nan  # on all three rows: not answered, fine
    ipa = needs.importance_performance(every, ours="us", brand="brand", rating="rating",
                                       overall="overall")
    assert ipa["derived_r2"].iloc[0] == pytest.approx(1.0)


def test_templates_with_separators_in_brand_names():
    tidy = tidy_survey(n=10).replace({"brand": {"us": "qing_mu", "them": "song_guo"}})
    wide = wide_layout(tidy)
    kw = dict(attribute=None, respondent=None, rating="rating_{brand}_{attribute}",
              importance="importance_{attribute}")
    named = needs.strategy_canvas(wide, brands=["qing_mu", "song_guo"], **kw)
    importance = tidy.drop_duplicates(["respondent_id", "attribute"]).groupby(
        "attribute")["importance"].mean()
    assert named.index.tolist() == importance.sort_values(ascending=False).index.tolist()
    assert named.columns.tolist() == ["qing_mu", "song_guo"]
    expected = tidy[tidy["brand"] == "song_guo"].groupby("attribute")["rating"].mean()
    np.testing.assert_allclose(named["song_guo"], expected.reindex(named.index))
    # without the names the first "_" splits: brand "qing", attribute "mu_a1", which the
    # importance columns do not have, so the mistake cannot pass silently
    with pytest.raises(DataError, match="different attributes"):
        needs.strategy_canvas(wide, **kw)


def test_a_constant_rating_cannot_be_weighed():
    tidy = tidy_survey(n=30).assign(rating=lambda d: np.where(d["attribute"] == "a3", 5,
                                                              d["rating"]))
    with pytest.raises(DataError, match="no variation"):
        needs.importance_performance(tidy, ours="us", brand="brand", rating="rating",
                                     overall="overall")


# --------------------------------------------------------------------------- strategy canvas


def test_strategy_canvas_by_hand():
    c = needs.strategy_canvas(small_survey())
    assert c.index.tolist() == ["price", "taste", "packaging"]  # by importance 45, 35, 20
    assert c.columns.tolist() == ["us", "them", "other"] and c.columns.name == "brand"
    assert c.loc["price"].tolist() == [5.5, 8.5, 6.5]
    assert c.loc["packaging"].tolist() == [8.0, 6.0, 9.0]
    picked = needs.strategy_canvas(small_survey(), brands=["them", "us"], importance=None)
    assert picked.columns.tolist() == ["them", "us"]
    assert picked.index.tolist() == ["taste", "price", "packaging"]  # order of the table


def test_strategy_canvas_on_the_course_survey(survey):
    c = needs.strategy_canvas(survey)
    ipa = needs.importance_performance(survey)
    assert c.columns.tolist() == ["qingmu", "songguo", "guorenjia"]
    assert c.index.tolist() == ipa.index.tolist()
    np.testing.assert_allclose(c["qingmu"], ipa["performance"])
    np.testing.assert_allclose(c["guorenjia"], ipa["performance_guorenjia"])
    direct = survey.groupby("attribute", observed=True)["rating_songguo"].mean()
    np.testing.assert_allclose(c["songguo"], direct.reindex(c.index))


def test_strategy_canvas_refuses_bad_brands():
    with pytest.raises(ArgumentError, match="brands"):
        needs.strategy_canvas(small_survey(), brands="us")
    with pytest.raises(ArgumentError, match="repeats"):
        needs.strategy_canvas(small_survey(), brands=["us", "us"])
    with pytest.raises(DataError, match="nobody"):
        needs.strategy_canvas(small_survey(), brands=["us", "nobody"])


# --------------------------------------------------------------------------- competitor scores

SCORES = pd.DataFrame({"c1": [10.0, 0.0, 5.0], "c2": [0.0, 10.0, 5.0], "c3": [5.0, 5.0, 9.0]},
                      index=pd.Index(["A", "B", "C"], name="brand"))
WEIGHTS = {"c1": 0.5, "c2": 0.3, "c3": 0.2}


def test_competitor_scores_by_hand():
    t = needs.competitor_scores(SCORES, WEIGHTS)
    # A: 5 + 0 + 1 = 6; B: 0 + 3 + 1 = 4; C: 2.5 + 1.5 + 1.8 = 5.8
    assert t.index.tolist() == ["A", "C", "B"]
    assert t["total"].tolist() == pytest.approx([6.0, 5.8, 4.0])
    assert t["rank"].tolist() == [1, 2, 3]
    assert t["gap_to_leader"].tolist() == pytest.approx([0.0, -0.2, -2.0])
    assert t.loc["A", "c1"] == 10.0  # the scores are kept
    scaled = needs.competitor_scores(SCORES, {"c3": 2, "c2": 3, "c1": 5})  # any order, any sum
    assert scaled["total"].tolist() == pytest.approx(t["total"].tolist())
    listed = needs.competitor_scores(SCORES, [5, 3, 2])
    assert listed["total"].tolist() == pytest.approx(t["total"].tolist())
    series = needs.competitor_scores(SCORES, pd.Series(WEIGHTS))
    assert series["total"].tolist() == pytest.approx(t["total"].tolist())


def test_equal_totals_share_a_rank():
    t = needs.competitor_scores(SCORES, {"c1": 1, "c2": 1, "c3": 0})
    # A = B = 5, C = 5 too: all tie
    assert t["rank"].tolist() == [1, 1, 1]
    assert t.index.tolist() == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("weights", "text"),
    [
        ({"c1": 1, "c2": 1}, "no weight for \\['c3'\\]"),
        ({"c1": 1, "c2": 1, "c3": 1, "c4": 1}, "no criterion for \\['c4'\\]"),
        ({"c1": 1, "c2": -1, "c3": 1}, "negative"),
        ({"c1": 0, "c2": 0, "c3": 0}, "all weights are zero"),
        ({"c1": 1, "c2": float("nan"), "c3": 1}, "finite"),
        ({"c1": 1, "c2": "high", "c3": 1}, "finite"),
        ([1, 2], "2 weights for 3 criteria"),
        ("c1", "mapping"),
    ],
)
def test_competitor_scores_refuses_bad_weights(weights, text):
    with pytest.raises(ArgumentError, match=text):
        needs.competitor_scores(SCORES, weights)


def test_competitor_scores_refuses_bad_scores():
    with pytest.raises(DataError, match="missing"):
        needs.competitor_scores(SCORES.assign(c1=[1.0, np.nan, 2.0]), WEIGHTS)
    with pytest.raises(DataError, match="more than once"):
        needs.competitor_scores(SCORES.set_axis(["A", "A", "C"]), WEIGHTS)
    with pytest.raises(DataError, match="expected numbers"):
        needs.competitor_scores(SCORES.assign(c1=["x", "y", "z"]), WEIGHTS)
    with pytest.raises(DataError, match="empty"):
        needs.competitor_scores(SCORES.iloc[:0], WEIGHTS)


# --------------------------------------------------------------------------- weight sensitivity


def test_thresholds_by_hand():
    ws = needs.weight_sensitivity(SCORES, WEIGHTS)
    assert ws.leader == "A"
    t = ws.thresholds
    assert t.index.tolist() == ["c1", "c2", "c3"] and t.index.name == "criterion"
    # c1 at t, c2 and c3 sharing 1 - t as 0.6 : 0.4. A = 2 + 8t, B = 8 - 8t, C = 6.6 - 1.6t:
    # C catches A at 9.6 t = 4.6 (t = 23/48), B only lower (t = 0.375); nobody above.
    assert t.loc["c1", "lowest"] == pytest.approx(23 / 48)
    assert t.loc["c1", "taken_by_below"] == "C"
    assert t.loc["c1", "highest"] == 1.0 and t.loc["c1", "taken_by_above"] is None
    # c2 at t, c1 : c3 = 5 : 2. A = 60/7 (1 - t), C = 5t + 43/7 (1 - t): equal at t = 17/52
    assert t.loc["c2", "highest"] == pytest.approx(17 / 52)
    assert t.loc["c2", "taken_by_above"] == "C"
    assert t.loc["c2", "lowest"] == 0.0 and t.loc["c2", "taken_by_below"] is None
    # c3 at t, c1 : c2 = 5 : 3. A = 6.25 - 1.25t, C = 5 + 4t: equal at t = 5/21
    assert t.loc["c3", "highest"] == pytest.approx(5 / 21)
    assert t["weight"].tolist() == pytest.approx([0.5, 0.3, 0.2])
    assert t["room"].tolist() == pytest.approx([0.5 - 23 / 48, 17 / 52 - 0.3, 5 / 21 - 0.2])


def test_thresholds_agree_with_a_brute_force_scan():
    rng = np.random.default_rng(5)
    scores = pd.DataFrame(rng.uniform(1, 10, (5, 4)), columns=list("wxyz"),
                          index=list("abcde"))
    w = np.array([0.4, 0.3, 0.2, 0.1])
    ws = needs.weight_sensitivity(scores, dict(zip("wxyz", w, strict=True)), draws=10)
    grid = np.linspace(0, 1, 20001)
    for j, c in enumerate("wxyz"):
        others = np.delete(np.arange(4), j)
        mix = np.zeros((len(grid), 4))
        mix[:, j] = grid
        mix[:, others] = np.outer(1 - grid, w[others] / w[others].sum())
        leader = (mix @ scores.to_numpy().T).argmax(axis=1)
        keeps = leader == list(scores.index).index(ws.leader)
        inside = grid[keeps]
        assert ws.thresholds.loc[c, "lowest"] == pytest.approx(inside.min(), abs=1e-4)
        assert ws.thresholds.loc[c, "highest"] == pytest.approx(inside.max(), abs=1e-4)


def test_dirichlet_shares_match_the_beta_distribution():
    # two brands, two criteria: qingmu leads while taste's weight is above 0.5; with
    # spread 0.2 and k = 2 the concentration is 1 / 0.04 - 1 = 24, so taste's weight is
    # Beta(24 x 0.6, 24 x 0.4) and qingmu's share of first places is P(Beta > 0.5)
    scores = pd.DataFrame({"taste": [9, 6], "price": [5, 8]}, index=["qingmu", "songguo"])
    ws = needs.weight_sensitivity(scores, {"taste": 0.6, "price": 0.4}, draws=20000, seed=3)
    assert ws.concentration == pytest.approx(24)
    expected = stats.beta.sf(0.5, 14.4, 9.6)
    se = math.sqrt(expected * (1 - expected) / 20000)
    assert ws.first_place.loc["qingmu", "share_first"] == pytest.approx(expected, abs=4 * se)
    assert ws.first_place["share_first"].sum() == pytest.approx(1)
    # rank 1 when first, 2 otherwise
    assert ws.first_place.loc["songguo", "mean_rank"] == pytest.approx(1 + expected, abs=4 * se)


def test_dominant_brand_and_ties_and_seeds():
    scores = pd.DataFrame({"a": [9, 5, 5], "b": [9, 7, 7]}, index=["top", "twin1", "twin2"])
    ws = needs.weight_sensitivity(scores, {"a": 1, "b": 1}, draws=500)
    assert ws.first_place.loc["top", "share_first"] == 1.0
    assert ws.first_place.loc["top", "mean_rank"] == 1.0
    assert ws.thresholds["taken_by_below"].isna().all()
    assert ws.thresholds["lowest"].tolist() == [0.0, 0.0]
    twins = needs.weight_sensitivity(scores.loc[["twin1", "twin2"]], {"a": 1, "b": 1},
                                     draws=50)
    assert twins.first_place["share_first"].tolist() == [0.5, 0.5]  # a tie shares the draw
    again = needs.weight_sensitivity(SCORES, WEIGHTS, seed=7)
    pd.testing.assert_frame_equal(again.first_place,
                                  needs.weight_sensitivity(SCORES, WEIGHTS, seed=7).first_place)
    zero = needs.weight_sensitivity(SCORES, {"c1": 1, "c2": 0, "c3": 1}, draws=100)
    assert zero.concentration == pytest.approx(1 / 0.04 - 1)  # two positive weights


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        (dict(spread=0), "spread"),
        (dict(spread=-0.1), "spread"),
        (dict(spread=2.0), "too wide"),
        (dict(draws=0), "draws"),
        (dict(draws=2.5), "draws"),
        (dict(seed=-1), "seed"),
        (dict(seed=None), "seed"),
    ],
)
def test_weight_sensitivity_refuses_bad_arguments(kwargs, text):
    with pytest.raises(ArgumentError, match=text):
        needs.weight_sensitivity(SCORES, WEIGHTS, **kwargs)


# --------------------------------------------------------------------------- segment value


def test_segment_value_by_hand():
    seg = pd.DataFrame({"users": [5000, 1000, 3000], "growth": [0.05, 0.40, 0.10],
                        "value": [40.0, 90.0, 60.0]}, index=["family", "office", "student"])
    t = needs.segment_value(seg, size="users")
    # size 1, 0, 0.5; growth 0, 1, 0.05 / 0.35; value 0, 1, 0.4; equal weights
    assert t.index.tolist() == ["office", "student", "family"]
    assert t.loc["student", "growth_score"] == pytest.approx(1 / 7)
    assert t.loc["student", "total"] == pytest.approx((0.5 + 1 / 7 + 0.4) / 3)
    assert t.loc["family", "total"] == pytest.approx(1 / 3)
    assert t.loc["family", "users"] == 5000
    big = needs.segment_value(seg, size="users", weights={"size": 1, "growth": 0, "value": 0})
    assert big.index.tolist() == ["family", "student", "office"]
    flat = needs.segment_value(seg.assign(value=50.0), size="users")
    assert flat["value_score"].tolist() == [0.5, 0.5, 0.5]


def test_segment_value_refuses_bad_input():
    seg = pd.DataFrame({"size": [10, 20], "growth": [0.1, 0.2], "value": [1.0, 2.0]})
    with pytest.raises(DataError, match="negative"):
        needs.segment_value(seg.assign(size=[10, -1]))
    with pytest.raises(DataError, match="missing column 'margin'"):
        needs.segment_value(seg, value="margin")
    with pytest.raises(ArgumentError, match="weights"):
        needs.segment_value(seg, weights={"size": 1, "growth": 1, "margin": 1})
    with pytest.raises(ArgumentError, match="weights"):
        needs.segment_value(seg, weights=[1, 1, 1])


# --------------------------------------------------------------------------- personas


def blobs(seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Three planted groups of 150, 100 and 50 rows on features of very different scales."""
    rng = np.random.default_rng(seed)
    centres = np.array([[2.0, 100.0, 0.1], [8.0, 900.0, 0.5], [5.0, 300.0, 0.9]])
    spread = np.array([0.4, 40.0, 0.03])
    sizes = [150, 100, 50]
    x = np.vstack([c + rng.normal(0, 1, (n, 3)) * spread
                   for c, n in zip(centres, sizes, strict=True)])
    truth = np.repeat([0, 1, 2], sizes)
    order = rng.permutation(len(x))
    f = pd.DataFrame(x[order], columns=["orders", "spend", "coupon_share"],
                     index=pd.Index(np.arange(1000, 1000 + len(x)), name="user_id"))
    return f, truth[order]


def test_personas_recover_planted_groups():
    f, truth = blobs()
    p = needs.Personas(k_range=range(2, 7)).fit(f)
    assert p.k_ == 3
    assert p.silhouette_.idxmax() == 3
    assert p.silhouette_.index.tolist() == [2, 3, 4, 5, 6] and p.silhouette_.index.name == "k"
    assert needs.adjusted_rand(p.labels_, truth) > 0.9
    # persona 1 is the largest planted group (150 rows), then 100, then 50
    assert p.profile_["size"].tolist() == [150, 100, 50]
    assert p.profile_["share"].tolist() == pytest.approx([0.5, 1 / 3, 1 / 6])
    assert p.labels_.name == "persona" and p.labels_.index.equals(f.index)
    for persona, group in zip((1, 2, 3), (0, 1, 2), strict=True):
        members = f[truth == group]
        assert p.profile_.loc[persona, "spend"] == pytest.approx(members["spend"].mean())
        z = (members["spend"].mean() - f["spend"].mean()) / f["spend"].std(ddof=0)
        assert p.profile_.loc[persona, "z_spend"] == pytest.approx(z)
        np.testing.assert_allclose(p.centers_.loc[persona], members.mean(), rtol=1e-6)
    assert p.inertia_.is_monotonic_decreasing
    pd.testing.assert_series_equal(p.predict(f), p.labels_)


def test_personas_are_reproducible_and_numbered_by_size():
    f, _ = blobs(seed=4)
    a = needs.personas(f, k=3)
    b = needs.personas(f, k=3)
    pd.testing.assert_series_equal(a.labels_, b.labels_)
    shuffled = needs.personas(f.sample(frac=1, random_state=1), k=3)
    pd.testing.assert_series_equal(shuffled.labels_.reindex(f.index), a.labels_)
    assert a.silhouette_.index.tolist() == [3]
    assert "Personas(k_=3" in repr(a) and repr(needs.Personas(k=3)) == "Personas(k=3)"


def test_personas_on_the_course_survey_match_the_planted_personas(survey):
    points = survey.pivot(index="respondent_id", columns="attribute", values="importance")
    points.columns = points.columns.astype(str)
    planted = coursekit.truth()["personas"]["personas"]
    attributes = ["taste", "health", "price", "packaging", "delivery_speed", "variety",
                  "brand_trust"]
    weights = pd.DataFrame({k: v["survey"] for k, v in planted.items()}, index=attributes).T
    p = needs.Personas(k=len(weights)).fit(points)
    centres = p.centers_[attributes]
    nearest = [(weights - centres.loc[i]).abs().max(axis=1).idxmin() for i in centres.index]
    assert sorted(nearest) == sorted(weights.index)  # one persona for each planted one
    for i, name in zip(centres.index, nearest, strict=True):
        assert (weights.loc[name] - centres.loc[i]).abs().max() < 5  # points out of 100


@pytest.mark.parametrize(
    ("change", "kwargs", "error", "text"),
    [
        (lambda f: f.assign(city=["a"] * len(f)), {}, DataError, "not numeric"),
        (lambda f: f.assign(vip=pd.array([True, None] * (len(f) // 2), dtype="boolean")), {},
         DataError, "missing"),
        (lambda f: f.assign(orders=np.nan), {}, DataError, "missing"),
        (lambda f: f.assign(spend=1.0), {}, DataError, "constant"),
        (lambda f: f.head(4), dict(k=4), DataError, "cannot be split"),
        (lambda f: f.rename(columns={"orders": "size"}), {}, DataError, "clash"),
        (lambda f: f.set_axis([0, 1, 2], axis=1), {}, DataError, "unique text"),
        (lambda f: f.iloc[:, :0], {}, DataError, "no features"),
        (None, dict(k=1), ArgumentError, "k"),
        (None, dict(k=2.5), ArgumentError, "k"),
        (None, dict(k_range=[]), ArgumentError, "empty"),
        (None, dict(k_range=5), ArgumentError, "k_range"),
        (None, dict(seed=-3), ArgumentError, "seed"),
        (None, dict(n_init=0), ArgumentError, "n_init"),
    ],
)
def test_personas_refuse_bad_input(change, kwargs, error, text):
    f, _ = blobs()
    if change is not None:
        f = change(f)
    with pytest.raises(error, match=text):
        needs.Personas(**kwargs).fit(f)


def test_predict_needs_a_fit_and_the_same_features():
    f, _ = blobs()
    with pytest.raises(CourseError, match="not fitted"):
        needs.Personas().predict(f)
    p = needs.Personas(k=3).fit(f)
    with pytest.raises(DataError, match="missing feature"):
        p.predict(f.drop(columns="spend"))
    assert p.predict(f.iloc[:5][["spend", "coupon_share", "orders"]]).tolist() == \
        p.labels_.iloc[:5].tolist()


def test_adjusted_rand_by_hand():
    assert needs.adjusted_rand([1, 1, 2, 2], ["b", "b", "a", "a"]) == 1.0
    # contingency all ones: index 0, expected 2 x 2 / 6, max 2 -> (0 - 2/3) / (2 - 2/3)
    assert needs.adjusted_rand([1, 1, 2, 2], [1, 2, 1, 2]) == pytest.approx(-0.5)
    a = pd.Series([1, 1, 2, 2], index=[10, 11, 12, 13])
    b = pd.Series(["x", "y", "y", "x"], index=[13, 12, 11, 10])  # same as x, y, y, x reversed
    assert needs.adjusted_rand(a, b) == pytest.approx(-0.5)
    with pytest.raises(DataError, match="3 labels against 4"):
        needs.adjusted_rand([1, 1, 2], [1, 1, 2, 2])
    with pytest.raises(DataError, match="different rows"):
        needs.adjusted_rand(a, b.set_axis([1, 2, 3, 4]))
    with pytest.raises(DataError, match="missing"):
        needs.adjusted_rand([1, None], [1, 2])


def test_persona_tgi_reuses_tgi():
    tags = pd.DataFrame({"gifter": [True, True, False, False, True],
                         "night_owl": [False, True, True, True, False]},
                        index=pd.Index([5, 6, 7, 8, 9], name="user_id"))
    labels = pd.Series([1, 1, 2, 2, 2], index=tags.index, name="persona")
    out = needs.persona_tgi(tags, labels)
    assert out.columns.tolist() == [1, 2] and out.index.name == "tag"
    # gifter: 2 of 2 in persona 1 against 3 of 5 overall -> 1 / 0.6 x 100
    assert out.loc["gifter", 1] == pytest.approx(100 / 0.6)
    assert out.loc["night_owl", 2] == pytest.approx((2 / 3) / (3 / 5) * 100)
    pd.testing.assert_series_equal(out[2], tgi(tags, labels == 2)["tgi"], check_names=False)
    as_array = needs.persona_tgi(tags, labels.to_numpy())
    np.testing.assert_allclose(as_array.to_numpy(), out.to_numpy())
    catalog = pd.DataFrame({"kind": ["attitudinal", "scenario"], "description": ["", ""]},
                           index=["gifter", "night_owl"])
    assert needs.persona_tgi(tags, labels, catalog=catalog)["kind"].tolist() == \
        ["attitudinal", "scenario"]
    with pytest.raises(DataError, match="not in the target"):
        needs.persona_tgi(tags, labels.iloc[:4])
    with pytest.raises(DataError, match="missing"):
        needs.persona_tgi(tags, labels.astype(float).where(labels.index != 9))


# --------------------------------------------------------------------------- perceptual map


def rank_two_ratings() -> pd.DataFrame:
    """Five brands whose four attribute means are linear in two hidden factors."""
    factors = np.array([[0.0, 0.0], [1.0, 0.2], [0.3, 1.0], [-0.8, 0.4], [0.5, -0.9]])
    mix = np.array([[1.0, 0.2], [0.5, -1.0], [-0.3, 0.8], [0.9, 0.9]])
    return pd.DataFrame(7 + factors @ mix.T, columns=["taste", "price", "health", "variety"],
                        index=["a", "b", "c", "d", "e"])


def standardised_distances(r: pd.DataFrame) -> np.ndarray:
    z = ((r - r.mean()) / r.std(ddof=0)).to_numpy()
    return np.sqrt(((z[:, None] - z[None]) ** 2).sum(axis=2))


def distances(xy: pd.DataFrame) -> np.ndarray:
    v = xy.to_numpy()
    return np.sqrt(((v[:, None] - v[None]) ** 2).sum(axis=2))


def test_pca_map_keeps_the_distances_of_two_factor_data():
    r = rank_two_ratings()
    m = needs.perceptual_map(r)
    assert m.method == "pca" and m.stress is None
    np.testing.assert_allclose(distances(m.brands), standardised_distances(r), atol=1e-9)
    assert m.explained.sum() == pytest.approx(1)
    assert m.explained["x"] >= m.explained["y"]
    # loadings are the correlations of each attribute with each axis
    for attr in r.columns:
        for axis in ("x", "y"):
            expected = np.corrcoef(r[attr], m.brands[axis])[0, 1]
            assert m.attributes.loc[attr, axis] == pytest.approx(expected)
    # the sign rule: each axis points to its most correlated attribute
    for axis in ("x", "y"):
        top = m.attributes[axis].abs().idxmax()
        assert m.attributes.loc[top, axis] > 0


def test_maps_do_not_flip_with_the_order_of_rows_or_columns():
    r = rank_two_ratings()
    for method in ("pca", "mds"):
        m = needs.perceptual_map(r, method=method)
        turned = needs.perceptual_map(r.iloc[:, ::-1], method=method)
        pd.testing.assert_frame_equal(turned.brands, m.brands, atol=1e-6)
    pca = needs.perceptual_map(r)
    rows = needs.perceptual_map(r.iloc[::-1])
    pd.testing.assert_frame_equal(rows.brands.loc[pca.brands.index], pca.brands, atol=1e-9)


def test_mds_map():
    r = rank_two_ratings()
    m = needs.perceptual_map(r, method="mds", seed=1)
    assert m.method == "mds" and m.explained is None
    np.testing.assert_allclose(distances(m.brands), standardised_distances(r), atol=1e-3)
    assert m.stress < 1e-4
    assert (m.brands.iloc[0].abs() < 1e-3).all() or (m.brands.iloc[0] > 0).all()
    assert (m.brands.mean().abs() < 1e-9).all()  # centred
    same = needs.perceptual_map(r, method="mds", seed=1)
    pd.testing.assert_frame_equal(same.brands, m.brands)


def test_perceptual_map_of_the_course_brands(survey):
    canvas = needs.strategy_canvas(survey)
    m = needs.perceptual_map(canvas.T)
    assert m.brands.index.tolist() == ["qingmu", "songguo", "guorenjia"]
    assert m.explained.sum() == pytest.approx(1)  # three brands: two axes hold everything
    np.testing.assert_allclose(distances(m.brands), standardised_distances(canvas.T),
                               atol=1e-9)

    def towards(attribute: str) -> str:  # the brand furthest along an attribute's arrow
        return (m.brands @ m.attributes.loc[attribute]).idxmax()

    assert towards("health") == "qingmu"
    assert towards("price") == "songguo"
    assert towards("packaging") == "guorenjia"


@pytest.mark.parametrize(
    ("ratings", "kwargs", "error", "text"),
    [
        (rank_two_ratings().iloc[:2], {}, DataError, "at least 3 brands"),
        (rank_two_ratings().iloc[:, :1], {}, DataError, "2 attributes"),
        (rank_two_ratings().assign(taste=7.0), {}, DataError, "rate every brand the same"),
        (rank_two_ratings().assign(taste=[1, 2, np.nan, 4, 5]), {}, DataError, "missing"),
        (rank_two_ratings().set_axis(list("aabcd")), {}, DataError, "once"),
        (rank_two_ratings(), dict(method="tsne"), ArgumentError, "method"),
        (rank_two_ratings(), dict(seed=1.5), ArgumentError, "seed"),
    ],
)
def test_perceptual_map_refuses_bad_input(ratings, kwargs, error, text):
    with pytest.raises(error, match=text):
        needs.perceptual_map(ratings, **kwargs)


# --------------------------------------------------------------------------- price meter

ANSWERS = pd.DataFrame({"price_too_cheap": [5, 10, 15, 25], "price_cheap": [10, 20, 25, 40],
                        "price_expensive": [20, 35, 40, 60],
                        "price_too_expensive": [30, 50, 60, 80]})


def test_price_meter_by_hand_on_the_answers_grid():
    psm = needs.price_sensitivity(ANSWERS)
    c = psm.curves
    assert c.index.tolist() == [5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 80]
    # too cheap (answer >= p): 4 at 5, 3 at 10, 2 at 15, 1 at 20 and 25, 0 from 30
    assert (c["too_cheap"] * 4).tolist() == [4, 3, 2, 1, 1, 0, 0, 0, 0, 0, 0]
    # too expensive (answer <= p): 0 below 30, 1 at 30-40, 2 at 50, 3 at 60, 4 at 80
    assert (c["too_expensive"] * 4).tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 2, 3, 4]
    assert (c["not_cheap"] + c["cheap"]).eq(1).all()
    assert (c["not_expensive"] + c["expensive"]).eq(1).all()
    # OPP: too cheap - too expensive is 1 at 25 and -1 at 30: half-way, 27.5
    assert psm.opp == 27.5
    # PMC: too cheap (1) = not cheap (1) at 20 exactly
    assert psm.pmc == 20.0
    # IPP: cheap (1) = expensive (1) at 30; PME: not expensive (1) = too expensive (1) at 40
    assert psm.ipp == 30.0
    assert psm.pme == 40.0
    assert psm.acceptable_range == (20.0, 40.0)
    assert (psm.respondents, psm.dropped) == (4, 0)
    assert c.columns.tolist() == ["too_cheap", "cheap", "not_cheap", "not_expensive",
                                  "expensive", "too_expensive"]


def test_price_meter_interpolates_between_grid_points():
    psm = needs.price_sensitivity(ANSWERS, grid=range(0, 101, 10))
    # too cheap 1 at 20, 0 at 30; too expensive 0 at 20, 1 at 30: the lines cross at 25
    assert psm.opp == 25.0
    assert (psm.pmc, psm.ipp, psm.pme) == (20.0, 30.0, 40.0)
    coarse = needs.price_sensitivity(ANSWERS, grid=3)  # 5, 42.5, 80
    # too cheap 4 -> 0 and too expensive 0 -> 1 between 5 and 42.5: 5 + 4/5 x 37.5
    assert coarse.curves.index.tolist() == [5.0, 42.5, 80.0]
    assert coarse.opp == pytest.approx(35.0)


def test_price_meter_takes_the_middle_of_a_tie():
    one = pd.DataFrame({"price_too_cheap": [10], "price_cheap": [20], "price_expensive": [30],
                        "price_too_expensive": [40]})
    psm = needs.price_sensitivity(one)
    # too cheap 1, 0, 0, 0 and too expensive 0, 0, 0, 1: equal (0) from 20 to 30
    assert psm.opp == 25.0
    assert (psm.pmc, psm.ipp, psm.pme) == (20.0, 25.0, 30.0)
    outside = needs.price_sensitivity(one, grid=[100, 200])
    assert math.isnan(outside.opp)  # the curves crossed before the grid starts


def test_inconsistent_answers_are_dropped_or_refused():
    bad = pd.concat([ANSWERS, pd.DataFrame({"price_too_cheap": [50], "price_cheap": [20],
                                            "price_expensive": [60],
                                            "price_too_expensive": [90]})],
                    ignore_index=True)
    psm = needs.price_sensitivity(bad)
    assert (psm.respondents, psm.dropped) == (4, 1)
    assert psm.opp == 27.5
    with pytest.raises(DataError, match="1 respondent"):
        needs.price_sensitivity(bad, drop_inconsistent=False)
    with pytest.raises(DataError, match="every respondent"):
        needs.price_sensitivity(bad.iloc[[4]])


def test_the_narrower_range_by_hand():
    psm = needs.price_sensitivity(ANSWERS, range_definition="narrower")
    # too cheap and expensive: 2 and 0 at 15, both 1 at 20 and 25, 0 and 1 at 30: PMC 22.5
    # cheap and too expensive: 2 and 0 at 25, both 1 from 30 to 40, 0 and 2 at 50: PME 35
    assert psm.acceptable_range == (22.5, 35.0)
    assert (psm.opp, psm.ipp) == (27.5, 30.0)  # the same as the original definition's


def test_price_meter_on_the_course_survey_profiles():
    prof = coursekit.load("survey_profiles")
    vw = coursekit.truth()["needs"]["survey_profiles"]["van_westendorp"]
    psm = needs.price_sensitivity(prof, range_definition="narrower", grid=range(5, 301))
    assert psm.dropped == len(vw["inconsistent_respondents"])
    assert psm.respondents == len(prof) - psm.dropped
    # truth takes the first whole yuan where the falling curve is at or below the rising
    # one; this function joins the grid points by lines, so it lands within that yuan
    truth = vw["points_of_consistent_answers"]
    for ours, theirs in (("pmc", "marginal_cheapness"), ("opp", "optimal_price"),
                         ("ipp", "indifference"), ("pme", "marginal_expensiveness")):
        assert truth[theirs] - 1 <= getattr(psm, ours) <= truth[theirs], ours
    original = needs.price_sensitivity(prof, grid=range(5, 301))
    assert original.pmc < psm.pmc and original.pme > psm.pme  # the original range is wider
    assert (original.opp, original.ipp) == (psm.opp, psm.ipp)
    kept = prof.drop(prof.index[prof["respondent_id"].isin(vw["inconsistent_respondents"])])
    curves = needs.price_sensitivity(kept, drop_inconsistent=False).curves
    assert curves.loc[80, "too_cheap"] == pytest.approx((kept["price_too_cheap"] >= 80).mean())


def test_price_meter_reads_other_column_names():
    renamed = ANSWERS.set_axis(["q1", "q2", "q3", "q4"], axis=1)
    psm = needs.price_sensitivity(renamed, too_cheap="q1", cheap="q2", expensive="q3",
                                  too_expensive="q4")
    assert psm.opp == 27.5


@pytest.mark.parametrize(
    ("answers", "kwargs", "error", "text"),
    [
        (ANSWERS.assign(price_cheap=[10, 20, np.nan, 40]), {}, DataError, "missing"),
        (ANSWERS.assign(price_too_cheap=[-5, 10, 15, 25]), {}, DataError, "negative"),
        (ANSWERS.assign(price_cheap=["10", "20", "x", "40"]), {}, DataError, "numbers"),
        (ANSWERS.drop(columns="price_expensive"), {}, DataError,
         "missing column 'price_expensive'"),
        (ANSWERS, dict(range_definition="wide"), ArgumentError, "range_definition"),
        (ANSWERS, dict(cheap="price_too_cheap"), ArgumentError, "own column"),
        (ANSWERS.iloc[:0], {}, DataError, "empty"),
        (ANSWERS, dict(grid=1), ArgumentError, "grid"),
        (ANSWERS, dict(grid=[5]), ArgumentError, "grid"),
        (ANSWERS, dict(grid=[5, -1]), ArgumentError, "grid"),
        (ANSWERS, dict(grid="fine"), ArgumentError, "grid"),
        (ANSWERS, dict(drop_inconsistent="yes"), ArgumentError, "drop_inconsistent"),
    ],
)
def test_price_meter_refuses_bad_input(answers, kwargs, error, text):
    with pytest.raises(error, match=text):
        needs.price_sensitivity(answers, **kwargs)
