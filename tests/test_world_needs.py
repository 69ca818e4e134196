"""Module 2's tables: valid, separate from the company, and what the lessons find
(life-cycle stages, derived against stated importance, personas, price range)
is in the data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import holds_its_contract, survives_csv
from scipy.optimize import curve_fit
from scipy.stats import spearmanr
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

import coursekit
from coursekit.schema import TABLES, WORLD2_TABLES, coerce, data_dictionary, validate
from coursekit.world import needs_cases, write_world
from coursekit.world import survey as sv
from coursekit.world.generate import generate
from coursekit.world.needs_cases import (
    CLUSTER_FEATURES,
    NEEDS_TABLES,
    adoption_tables,
    adoption_truth,
    respondent_tables,
    respondent_truth,
)
from coursekit.world.shards import COMPANY, ID_SPACES

SEEDS = (2024, 7)
ATTRS = sv.ATTRIBUTES
PRICES = ["price_too_cheap", "price_cheap", "price_expensive", "price_too_expensive"]


@pytest.fixture(scope="module", params=SEEDS)
def world(request):
    """A small world of each seed: its tables and truth."""
    tables, truth, state = generate(1_000, request.param)
    return tables, truth, state


def _codes(truth: dict) -> np.ndarray:
    return np.array([int(c) for c in truth["needs"]["survey_profiles"]["persona_codes"]])


# ---------------------------------------------------------------- generation


def test_same_seed_same_tables_other_seed_other_draws():
    a, b, c = adoption_tables(5), adoption_tables(5), adoption_tables(6)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
        assert not a[name].equals(c[name]), name
    assert adoption_truth(5) == adoption_truth(5)


def test_own_streams_leave_the_company_untouched():
    folder = Path(needs_cases.__file__).parent
    pattern = r'rng_for\(\s*\w+,\s*"([^"]+)"'
    used = {m for f in folder.glob("*.py") if f.name != "needs_cases.py"
            for m in re.findall(pattern, f.read_text(encoding="utf-8"))}
    assert {"survey", "personas", "gift_vouchers"} <= used  # the scan finds the others
    mine = set(re.findall(pattern, Path(needs_cases.__file__).read_text(encoding="utf-8")))
    assert mine == set(NEEDS_TABLES)
    assert not mine & used


def test_the_other_tables_are_byte_identical_with_or_without_them(tmp_path, monkeypatch):
    with_needs = write_world(tmp_path / "with", users=600, seed=3)
    monkeypatch.setattr(needs_cases, "needs_data", lambda *a, **k: ({}, {}))
    without = write_world(tmp_path / "without", users=600, seed=3)
    assert set(with_needs["tables"]) - set(without["tables"]) == set(NEEDS_TABLES)
    for name, entry in without["tables"].items():
        assert with_needs["tables"][name] == entry, name
    assert with_needs["state"] == without["state"]


def test_the_survey_is_unchanged_by_asking_for_its_personas(world):
    tables, truth, state = world
    survey = tables["survey"]
    # the personas the survey used: a respondent who is a user answers as the user
    codes = _codes(truth)
    users = survey.groupby("respondent_id")["user_id"].first().to_numpy()
    is_user = users > 0
    persona = state.set_index("user_id")["persona"].astype(str)
    names = np.array(truth["needs"]["survey_profiles"]["persona_names"])
    assert (names[codes[is_user]] == persona.loc[users[is_user]].to_numpy()).all()
    assert is_user.mean() > 0.6 and (~is_user).sum() > 100


def test_sizes_follow_the_launches_and_the_respondents(world):
    tables, truth, _ = world
    n = tables["survey"]["respondent_id"].nunique()
    assert n == 600
    assert len(tables["brand_survey"]) == 5 * n and len(tables["survey_profiles"]) == n
    assert len(tables["competitors"]) == 7 * 7
    months = {"daily_nuts": 120, "meal_replacement_shake": 108, "freeze_dried_coffee": 72,
              "personalised_snack_box": 42}
    size = tables["market_adoption"].groupby(["category", "generation"], observed=True).size()
    assert {k: size[k, 1] for k in months} == months
    assert (size["nut_gift", 1], size["nut_gift", 2]) == (120, 60)


# ---------------------------------------------------------------- contracts


def test_contracts_hold_with_their_dtypes_and_keys(world):
    tables, _, _ = world
    for name in NEEDS_TABLES:
        holds_its_contract(tables[name], name)
        assert name in WORLD2_TABLES and name in TABLES


def test_csv_round_trip_gives_the_same_tables(tmp_path):
    tables, _, _ = generate(600, 4)
    for name in NEEDS_TABLES:
        survives_csv(tables[name], name, tmp_path)


def test_data_dictionary_renders_them():
    text = data_dictionary(list(NEEDS_TABLES))
    for name in NEEDS_TABLES:
        assert f"### `{name}`" in text
    assert "| `new_adopters` | int | people |" in text
    assert "| `price_too_cheap` | float | yuan |" in text


def test_the_committed_world_has_them_with_their_truth():
    for name in NEEDS_TABLES:
        validate(coursekit.load(name), name, check_key=True)
    committed = coursekit.truth()["needs"]
    expected = json.loads(json.dumps(adoption_truth(2024), default=str))
    assert committed["market_adoption"] == expected["market_adoption"]
    assert committed["competitors"] == expected["competitors"]
    assert set(committed) == set(NEEDS_TABLES)


def test_truth_is_json_and_has_its_keys(world):
    _, truth, _ = world
    tr = truth["needs"]
    assert json.loads(json.dumps(tr)) == tr
    assert set(tr) == set(NEEDS_TABLES)
    assert {"stage_rule", "stages_end", "categories", "bass", "norton_bass"} <= set(
        tr["market_adoption"])
    assert {"performance", "stated_weights", "driver_weights"} <= set(tr["brand_survey"])
    prof = tr["survey_profiles"]
    assert {"persona_codes", "persona_names", "persona_counts", "van_westendorp",
            "cluster_features"} <= set(prof)
    assert len(prof["persona_codes"]) == 600
    assert sum(prof["persona_counts"].values()) == 600
    assert {"default_weights", "true_scores", "ranking_of_table"} <= set(tr["competitors"])


# ---------------------------------------------------------------- market adoption


def _bass(t, p, q):
    """Bass's share adopted by t, written out here from the formula."""
    t = np.maximum(t, 0.0)
    return (1 - np.exp(-(p + q) * t)) / (1 + q / p * np.exp(-(p + q) * t))


def _expected(truth: dict, category: str) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Expected new adopters and upgraders of each generation, month by month from
    2016-01, from the truth's parameters (Bass; Norton-Bass for two generations)."""
    c = truth["categories"][category]
    p, q = c["p_per_year"] / 12, c["q_per_year"] / 12
    i = np.arange(120.0)
    gens = c["generations"]
    start = {int(g): (pd.Timestamp(v["launch"]).year - 2016) * 12
             + pd.Timestamp(v["launch"]).month - 1 for g, v in gens.items()}
    m1 = gens["1"]["m"]
    f1, f1p = _bass(i - start[1] + 1, p, q), _bass(i - start[1], p, q)
    if len(gens) == 1:
        return {1: (m1 * (f1 - f1p), np.zeros(120))}
    m2 = gens["2"]["m"]
    f2, f2p = _bass(i - start[2] + 1, p, q), _bass(i - start[2], p, q)
    return {1: (m1 * (f1 - f1p) * (1 - f2p), np.zeros(120)),
            2: (m2 * (f2 - f2p) + m1 * f2p * (f1 - f1p), m1 * f1 * (f2 - f2p))}


def _series(df: pd.DataFrame, category: str, generation: int) -> pd.DataFrame:
    rows = df[(df["category"] == category) & (df["generation"] == generation)]
    full = pd.date_range("2016-01-01", periods=120, freq="MS")
    return rows.set_index("month")[["new_adopters", "upgraders"]].reindex(full, fill_value=0)


def test_adoption_is_the_bass_curve_with_noise(world):
    tables, truth, _ = world
    tr = truth["needs"]["market_adoption"]
    df = tables["market_adoption"]
    for category in tr["categories"]:
        for g, (new, up) in _expected(tr, category).items():
            got = _series(df, category, g)
            # totals within a few per cent: the noise is small against the signal
            assert got["new_adopters"].sum() == pytest.approx(new.sum(), rel=0.03)
            assert got["upgraders"].sum() == pytest.approx(up.sum(), rel=0.03, abs=1)
            big = new > 2_000
            assert big.sum() >= 10
            ratio = got["new_adopters"].to_numpy()[big] / new[big]
            assert 0.06 < ratio.std() < 0.11, (category, g)  # the planted 8%
            assert np.corrcoef(got["new_adopters"], new)[0, 1] > 0.97


@pytest.mark.parametrize("category", ["daily_nuts", "meal_replacement_shake"])
def test_bass_parameters_are_recoverable_past_the_peak(category):
    df = adoption_tables(2024)["market_adoption"]
    c = adoption_truth(2024)["market_adoption"]["categories"][category]
    y = df.loc[df["category"] == category, "new_adopters"].to_numpy(dtype=float)
    t = np.arange(1, len(y) + 1, dtype=float)

    def monthly(t, p, q, m):
        return m * 1e6 * (_bass(t, p, q) - _bass(t - 1, p, q))

    (p, q, m), _ = curve_fit(monthly, t, y, p0=(0.002, 0.05, 1.0),
                             bounds=([1e-5, 1e-4, 0.01], [0.1, 1.0, 100.0]))
    assert p == pytest.approx(c["p_per_month"], rel=0.25)
    assert q == pytest.approx(c["q_per_month"], rel=0.1)
    assert m * 1e6 == pytest.approx(c["generations"]["1"]["m"], rel=0.1)


def test_stages_follow_the_stated_rule():
    tr = adoption_truth(2024)["market_adoption"]
    assert tr["stages_end"] == {
        "daily_nuts": "maturity", "meal_replacement_shake": "decline",
        "freeze_dried_coffee": "growth", "personalised_snack_box": "introduction",
        "nut_gift:1": "decline", "nut_gift:2": "growth"}
    for name, c in tr["categories"].items():
        p, q = c["p_per_month"], c["q_per_month"]
        peak = np.log(q / p) / (p + q)  # months after launch
        for g, v in c["generations"].items():
            launch = pd.Timestamp(v["launch"])
            age = (2025 - launch.year) * 12 + 12 - launch.month + 1
            share = _bass(np.array([age]), p, q)[0]
            assert v["share_adopted_at_end"] == pytest.approx(share, abs=1e-4)
            stage = ("decline" if share >= 0.84 else "maturity" if age >= peak
                     else "growth" if share >= 0.16 else "introduction")
            key = name if len(c["generations"]) == 1 else f"{name}:{g}"
            assert tr["stages_end"][key] == stage == v["stage_at_end"]
    early = tr["categories"]["personalised_snack_box"]["generations"]["1"]
    assert 0.05 < early["share_adopted_at_end"] < 0.16
    growing = tr["categories"]["freeze_dried_coffee"]["generations"]["1"]
    assert 0.2 < growing["share_adopted_at_end"] < 0.4


def test_the_data_shows_the_stages(world):
    tables, _, _ = world
    df = tables["market_adoption"]
    for category, g, past_peak in [("daily_nuts", 1, True), ("meal_replacement_shake", 1, True),
                                   ("freeze_dried_coffee", 1, False),
                                   ("personalised_snack_box", 1, False),
                                   ("nut_gift", 2, False)]:
        y = _series(df, category, g)["new_adopters"].rolling(6).mean()
        last, before = y.iloc[-1], y.iloc[-13]
        assert (last < before) == past_peak, category
        assert (y.idxmax() < pd.Timestamp("2025-06-01")) == past_peak, category


def test_the_second_generation_takes_over(world):
    tables, truth, _ = world
    df = tables["market_adoption"]
    one, two = _series(df, "nut_gift", 1), _series(df, "nut_gift", 2)
    assert (one["upgraders"] == 0).all() and (df.loc[df["generation"] == 1, "upgraders"] == 0).all()
    assert (two.loc[:"2020-12-01"] == 0).all().all() and two.loc["2021-01-01":].sum().gt(0).all()
    users1 = (one["new_adopters"] - two["upgraders"]).cumsum()
    users2 = (two["new_adopters"] + two["upgraders"]).cumsum()
    sc = truth["needs"]["market_adoption"]["categories"]["nut_gift"]["second_curve"]
    peak = pd.Timestamp(sc["generation_1_users_peak_month"])
    assert abs((users1.idxmax() - peak).days) < 250
    assert users1.iloc[-1] < 0.95 * users1.max()  # generation 1's users fall
    assert users2.iloc[-1] > users2.iloc[-25] * 1.3  # generation 2 still grows
    assert users1.iloc[-1] == pytest.approx(sc["generation_1_users_at_end"], rel=0.03)


# ---------------------------------------------------------------- brand survey


def test_the_surveys_brands_keep_their_ratings(world):
    tables, _, _ = world
    survey = tables["survey"].astype({"attribute": str})
    bs = tables["brand_survey"]
    for brand in sv.BRANDS:
        mine = (bs[bs["brand"] == brand].melt("respondent_id", ATTRS, "attribute", "rating")
                .set_index(["respondent_id", "attribute"])["rating"])
        theirs = survey.set_index(["respondent_id", "attribute"])[f"rating_{brand}"]
        assert (mine.sort_index() == theirs.sort_index()).all(), brand


def test_brand_means_are_the_true_performances(world):
    tables, truth, _ = world
    means = tables["brand_survey"].groupby("brand", observed=True)[ATTRS].mean()
    perf = pd.DataFrame(truth["needs"]["brand_survey"]["performance"]).T[ATTRS]
    assert (means.loc[perf.index] - perf).abs().max().max() < 0.3
    # the discount label leads on price, the premium import brand on taste and trust
    assert means["price"].idxmax() == "youjia"
    assert means["brand_trust"].idxmax() == "maplecrest" and means["price"].idxmin() == "maplecrest"


def _derived(bs: pd.DataFrame, rows: np.ndarray) -> pd.Series:
    """Regression of overall on the seven ratings (with an intercept), as shares."""
    x = bs.loc[rows, ATTRS].to_numpy(dtype=float)
    x = np.column_stack([np.ones(len(x)), x])
    beta = np.linalg.lstsq(x, bs.loc[rows, "overall"].to_numpy(dtype=float), rcond=None)[0][1:]
    return pd.Series(beta / beta.sum(), index=ATTRS)


def test_derived_importance_recovers_each_personas_weights(world):
    tables, truth, _ = world
    tr = truth["needs"]["brand_survey"]
    names = truth["needs"]["survey_profiles"]["persona_names"]
    persona = np.repeat(_codes(truth), 5)
    bs = tables["brand_survey"]
    for k, name in enumerate(names):
        derived = _derived(bs, persona == k)
        true = pd.Series(tr["driver_weights"][name])[ATTRS]
        assert (derived - true).abs().max() < 0.07, name
        assert set(derived.nlargest(2).index) == set(true.nlargest(2).index), name
        assert spearmanr(derived, true)[0] > 0.7, name


def test_stated_and_derived_importance_differ_as_planted(world):
    tables, truth, _ = world
    stated = tables["survey"].groupby("attribute", observed=True)["importance"].mean() / 100
    derived = _derived(tables["brand_survey"], np.ones(len(tables["brand_survey"]), bool))
    # taste and brand trust matter more than people say, health and price less
    assert derived["taste"] > stated["taste"] + 0.05
    assert derived["brand_trust"] > stated["brand_trust"]
    assert derived["health"] < stated["health"] - 0.02
    assert derived["price"] < stated["price"] - 0.02
    assert derived.idxmax() == "taste"
    # health-minded office workers state health first, but taste drives their score
    tr = truth["needs"]["brand_survey"]
    office = pd.Series(tr["stated_weights"]["health_office"])
    assert office.idxmax() == "health" and pd.Series(tr["driver_weights"]["health_office"]
                                                     ).idxmax() == "taste"


# ---------------------------------------------------------------- survey profiles


def test_kmeans_finds_the_personas_but_not_perfectly(world):
    tables, truth, _ = world
    prof = tables["survey_profiles"]
    assert truth["needs"]["survey_profiles"]["cluster_features"] == list(CLUSTER_FEATURES)
    x = StandardScaler().fit_transform(prof[list(CLUSTER_FEATURES)].astype(float))
    ari = {k: adjusted_rand_score(_codes(truth),
                                  KMeans(k, n_init=10, random_state=0).fit_predict(x))
           for k in (2, 3, 4, 5, 6)}
    assert 0.6 < ari[4] < 0.92
    assert max(ari, key=ari.get) == 4


def test_profiles_differ_by_persona_as_planted(world):
    tables, truth, _ = world
    prof = tables["survey_profiles"].assign(
        persona=np.array(truth["needs"]["survey_profiles"]["persona_names"])[_codes(truth)])
    by = prof.groupby("persona")
    assert by["scene_gift"].mean().idxmax() == "gift_giver"
    assert by["scene_late_night"].mean().idxmax() == "student_snacker"
    assert by["scene_family"].mean().idxmax() == "family_stocker"
    assert by["motive_health"].mean().idxmax() == "health_office"
    assert by["motive_price"].mean().idxmax() == "student_snacker"
    assert by["purchases_per_month"].mean().idxmin() == "gift_giver"
    assert by["monthly_snack_spend"].median().idxmin() == "student_snacker"
    # value hunters (students) name the lowest prices, gift givers the highest
    assert by["price_cheap"].median().idxmin() == "student_snacker"
    assert by["price_expensive"].median().idxmax() == "gift_giver"


def test_price_answers_are_ordered_but_for_the_planted_few(world):
    tables, truth, _ = world
    prof = tables["survey_profiles"]
    vw = truth["needs"]["survey_profiles"]["van_westendorp"]
    ordered = (np.diff(prof[PRICES].to_numpy(), axis=1) > 0).all(axis=1)
    bad = prof.loc[~ordered, "respondent_id"].tolist()
    assert bad == vw["inconsistent_respondents"]
    assert len(bad) == round(0.025 * len(prof))
    assert (prof[PRICES] % 5 == 0).all().all() and (prof[PRICES] >= 5).all().all()
    # one swap of two neighbouring answers: the other pairs stay ordered
    wrong = (np.diff(prof.loc[~ordered, PRICES].to_numpy(), axis=1) < 0).sum(axis=1)
    assert (wrong == 1).all()
    pts = vw["points_of_consistent_answers"]
    assert (pts["marginal_cheapness"] < pts["optimal_price"] <= pts["indifference"]
            < pts["marginal_expensiveness"])
    assert 55 <= pts["marginal_cheapness"] and pts["marginal_expensiveness"] <= 120


def test_van_westendorp_points_by_hand():
    # four ordered answers and one out of order (dropped: it would move every curve)
    prof = pd.DataFrame({"price_too_cheap": [6.0, 9, 12, 14, 30],
                         "price_cheap": [10.0, 12, 15, 18, 5],
                         "price_expensive": [13.0, 15, 18, 22, 40],
                         "price_too_expensive": [18.0, 22, 26, 30, 50]})
    pts = needs_cases._vw_points(prof)
    # too cheap (share >= x): 1/2 at 10-12, 1/4 at 13-14, 0 from 15
    # expensive (share <= x): 0 below 13, 1/4 at 13-14, 1/2 at 15-17
    assert pts["marginal_cheapness"] == 13
    # too expensive (share <= x): 0 below 18, 1/4 at 18-21
    assert pts["optimal_price"] == 15
    # cheap (share >= x): 3/4 at 11-12, 1/2 at 13-15, 1/4 at 16-18, 0 from 19
    assert pts["indifference"] == 15
    assert pts["marginal_expensiveness"] == 18


def test_respondent_tables_follow_the_personas_given():
    persona = np.repeat(np.arange(4), 150)
    survey = pd.DataFrame({"respondent_id": np.repeat(np.arange(1, 601), 7),
                           "attribute": np.tile(ATTRS, 600),
                           **{f"rating_{b}": 6 for b in sv.BRANDS}})
    t = respondent_tables(9, survey, persona)
    tr = respondent_truth(9, persona)
    assert tr["survey_profiles"]["persona_codes"] == "0" * 150 + "1" * 150 + "2" * 150 + "3" * 150
    assert (t["brand_survey"].loc[t["brand_survey"]["brand"] == "qingmu", ATTRS] == 6).all().all()
    prof = t["survey_profiles"]
    assert prof.loc[150:299, "motive_health"].mean() > prof.loc[450:, "motive_health"].mean() > \
        prof.loc[300:449, "motive_health"].mean()


# ---------------------------------------------------------------- competitors


def test_competitor_scores_and_weights(world):
    tables, truth, _ = world
    comp = tables["competitors"]
    tr = truth["needs"]["competitors"]
    assert comp.groupby("brand", observed=True)["weight"].sum().round(9).eq(1).all()
    true = pd.DataFrame(tr["true_scores"]).T
    got = comp.pivot(index="brand", columns="criterion", values="score")
    got.index, got.columns = got.index.astype(str), got.columns.astype(str)
    assert (got.loc[true.index, true.columns] - true).abs().max().max() < 1.6
    total = (comp["weight"] * comp["score"]).groupby(comp["brand"].astype(str)).sum()
    assert list(total.sort_values(ascending=False, kind="stable").index) == tr["ranking_of_table"]
    assert set(comp.loc[comp["brand_type"] == "indirect", "brand"]) == {"xianguo", "chayin"}


# ---------------------------------------------------------------- shards


def test_a_sharded_world_has_them_once_or_per_respondent(tmp_path):
    assert {"market_adoption", "competitors"} <= set(COMPANY)
    assert ID_SPACES["brand_survey"] == ID_SPACES["survey_profiles"] == {
        "respondent_id": "respondent"}
    write_world(tmp_path, users=1_000, seed=5, shard_users=500)
    load = {n: coursekit.load(n, world=tmp_path)
            for n in ("survey", "brand_survey", "survey_profiles", "market_adoption")}
    ids = load["survey"]["respondent_id"].drop_duplicates().tolist()
    assert ids == list(range(1, 1_201))
    assert load["survey_profiles"]["respondent_id"].tolist() == ids
    assert load["brand_survey"]["respondent_id"].drop_duplicates().tolist() == ids
    pd.testing.assert_frame_equal(
        load["market_adoption"], coerce(adoption_tables(5)["market_adoption"], "market_adoption"),
        check_categorical=False)
