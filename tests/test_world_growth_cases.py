"""Module 4's tables: valid, separate from the company, and what the lessons find (the
referral test's arms against the truth, the creators' costs by tier and platform) is in
the data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import holds_its_contract, survives_csv
from scipy import stats

import coursekit
from coursekit.data import default_dir
from coursekit.growth import content_effects
from coursekit.schema import TABLES, WORLD2_TABLES, coerce, data_dictionary, validate
from coursekit.world import generate_world, growth_cases, read_state, write_world
from coursekit.world.generate import generate
from coursekit.world.growth_cases import (
    ARMS,
    GROWTH_TABLES,
    MAX_PARTICIPANTS,
    START,
    arm_expectations,
    creator_deals,
    creator_truth,
    referral_experiment,
)
from coursekit.world.shards import COMPANY, ID_SPACES

OUTCOMES = ["invitations", "views", "signups", "first_orders", "reward_cost"]
TRAITS = ["orders_before", "spend_before", "days_since_last_order"]
Z = 4.0  # standard errors allowed between an estimate and its truth


@pytest.fixture(scope="module", params=["default", "seed7"])
def world(request) -> dict:
    """The committed default world (as loaded) and a 3,000-user world of seed 7."""
    if request.param == "default":
        names = ["users", "orders", *GROWTH_TABLES]
        return dict(tables={n: coursekit.load(n) for n in names}, truth=coursekit.truth(),
                    state=read_state(default_dir()), seed=2024)
    tables, truth, state = generate(3_000, 7)
    return dict(tables=tables, truth=truth, state=state, seed=7)


def _arms(test: pd.DataFrame) -> pd.DataFrame:
    """Per arm: participants, the sums of the outcomes and the ratios a lesson computes."""
    g = test.groupby("arm", observed=True)
    out = g[OUTCOMES].sum()
    out["n"] = g.size()
    out["k"] = out["signups"] / out["n"]
    out["conversion"] = out["signups"] / out["invitations"]
    return out


def _mean_se(test: pd.DataFrame, column: str) -> pd.DataFrame:
    g = test.groupby("arm", observed=True)[column]
    return pd.DataFrame({"mean": g.mean(), "se": g.std() / np.sqrt(g.size())})


def _ratio_se(num: pd.Series, den: pd.Series) -> tuple[float, float]:
    """Sum(num) / sum(den) over rows and its delta-method standard error."""
    n = len(num)
    r = num.sum() / den.sum()
    resid = num - r * den
    return float(r), float(np.sqrt((resid ** 2).sum() * n / (n - 1)) / den.sum())


# ---------------------------------------------------------------- generation


def test_same_inputs_same_tables_other_seed_other_draws(world):
    t, state = world["tables"], world["state"]
    a = referral_experiment(world["seed"], t["orders"], state)
    b = referral_experiment(world["seed"], t["orders"], state)
    c = referral_experiment(world["seed"] + 1, t["orders"], state)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(coerce(a, "referral_experiment"),
                                  coerce(t["referral_experiment"], "referral_experiment"),
                                  check_categorical=False)
    assert not a["arm"].equals(c["arm"])
    pd.testing.assert_frame_equal(creator_deals(5), creator_deals(5))
    assert not creator_deals(5).equals(creator_deals(6))
    assert creator_truth(5) == creator_truth(5)


def test_own_streams_leave_the_company_untouched():
    folder = Path(growth_cases.__file__).parent
    pattern = r'rng_for\(\s*\w+,\s*"([^"]+)"'
    used = {m for f in folder.glob("*.py") if f.name != "growth_cases.py"
            for m in re.findall(pattern, f.read_text(encoding="utf-8"))}
    assert {"survey", "referrals", "raw_orders"} <= used  # the scan finds the others
    mine = set(re.findall(pattern, Path(growth_cases.__file__).read_text(encoding="utf-8")))
    assert mine == set(GROWTH_TABLES)
    assert not mine & used


def test_the_other_tables_are_byte_identical_with_or_without_them(tmp_path, monkeypatch):
    with_growth = write_world(tmp_path / "with", users=800, seed=3)
    monkeypatch.setattr(growth_cases, "growth_data", lambda *a, **k: ({}, {}))
    without = write_world(tmp_path / "without", users=800, seed=3)
    assert set(with_growth["tables"]) - set(without["tables"]) == set(GROWTH_TABLES)
    for name, entry in without["tables"].items():
        assert with_growth["tables"][name] == entry, name
    assert with_growth["state"] == without["state"]


def test_the_committed_tables_are_what_the_generator_made_before(tmp_path, monkeypatch):
    """The default world's other files, as committed, are the generator's without
    module 4's tables: adding them changed no byte of the others."""
    committed = json.loads((default_dir() / "checksums.json").read_text(encoding="utf-8"))
    monkeypatch.setattr(growth_cases, "growth_data", lambda *a, **k: ({}, {}))
    fresh = write_world(tmp_path, users=committed["users"], seed=committed["seed"])
    assert set(committed["tables"]) == set(fresh["tables"]) | set(GROWTH_TABLES)
    for name, entry in fresh["tables"].items():
        assert committed["tables"][name]["sha256"] == entry["sha256"], name
    assert committed["state"]["sha256"] == fresh["state"]["sha256"]


def test_world_one_has_none_of_them():
    tables, truth = generate_world(600, 2, world=1)
    assert not set(GROWTH_TABLES) & set(tables) and "growth" not in truth
    assert set(GROWTH_TABLES) <= WORLD2_TABLES


# ---------------------------------------------------------------- contracts


def test_contracts_hold_with_their_dtypes_and_keys(world):
    for name in GROWTH_TABLES:
        df = world["tables"][name]
        validate(df, name, check_key=True)
        assert name in TABLES
        if world["seed"] == 7:  # as generated (the loaded ones went through coerce)
            holds_its_contract(df, name)


def test_csv_round_trip_gives_the_same_tables(tmp_path):
    tables, _, _ = generate(600, 4)
    for name in GROWTH_TABLES:
        survives_csv(tables[name], name, tmp_path)


def test_data_dictionary_renders_them():
    text = data_dictionary(list(GROWTH_TABLES))
    for name in GROWTH_TABLES:
        assert f"### `{name}`" in text
    assert "| `reward_cost` | float | yuan |" in text
    assert "| `fee` | float | yuan |" in text


def test_the_committed_world_has_them_with_their_truth():
    for name in GROWTH_TABLES:
        validate(coursekit.load(name), name, check_key=True)
    committed = coursekit.truth()["growth"]
    assert set(committed) == set(GROWTH_TABLES)
    assert committed["creator_deals"] == json.loads(json.dumps(creator_truth(2024)))


def test_truth_is_json_and_has_its_keys(world):
    tr = world["truth"]["growth"]
    assert json.loads(json.dumps(tr)) == tr
    ex = tr["referral_experiment"]
    assert {"design", "model", "by_arm", "decision"} <= set(ex)
    assert set(ex["by_arm"]) == set(ARMS)
    assert {"roll_out", "highest_k_factor", "marginal_cost_per_extra_customer"} <= set(
        ex["decision"])
    cr = tr["creator_deals"]
    assert {"tiers", "platforms", "formats", "noise", "model_cost_per_signup",
            "cost_per_signup", "cost_per_attributed_signup", "attribution"} <= set(cr)


# ---------------------------------------------------------------- who takes part


def test_participants_are_the_customers_who_had_ordered(world):
    t = world["tables"]
    test, users, orders = t["referral_experiment"], t["users"], t["orders"]
    before = orders[orders["order_time"] < pd.Timestamp(START)]
    eligible = before["user_id"].nunique()
    design = world["truth"]["growth"]["referral_experiment"]["design"]
    assert design["eligible_users"] == eligible
    assert len(test) == min(eligible, MAX_PARTICIPANTS) == design["participants"]
    assert test["user_id"].is_unique and test["user_id"].is_monotonic_increasing
    assert set(test["user_id"]) <= set(before["user_id"])
    assert len(users) == world["truth"]["users"]  # the invitees are not added to users
    # the traits are the participant's orders before the start, counted by hand
    g = before.groupby("user_id")
    hand = pd.DataFrame({"orders_before": g.size(), "spend_before": g["amount"].sum(),
                         "last": g["order_time"].max()}).loc[test["user_id"]]
    assert (hand["orders_before"].to_numpy() == test["orders_before"].to_numpy()).all()
    np.testing.assert_allclose(hand["spend_before"], test["spend_before"], atol=0.006)
    days = (pd.Timestamp(START) - hand["last"]).dt.days.to_numpy()
    assert (days == test["days_since_last_order"].to_numpy()).all()


def test_the_arms_and_their_design_columns(world):
    test = world["tables"]["referral_experiment"]
    sizes = test["arm"].astype(str).value_counts()
    assert set(sizes.index) == set(ARMS) and sizes.max() - sizes.min() <= 1
    for arm, spec in ARMS.items():
        rows = test[test["arm"] == arm]
        for column in ("reward_type", "share_format", "mechanic"):
            assert (rows[column].astype(str) == spec[column]).all(), (arm, column)
        assert (rows["reward_yuan"] == spec["reward_yuan"]).all()
    control = test[test["arm"] == "control"]
    assert (control["reward_cost"] == 0).all()


def test_randomisation_balances_the_traits(world):
    test = world["tables"]["referral_experiment"]
    share = world["state"].set_index("user_id")["share"].loc[test["user_id"]].to_numpy()
    traits = test[TRAITS].assign(share=share)
    groups = [traits[test["arm"].to_numpy() == a] for a in ARMS]
    for column in traits.columns:  # the arms differ only by chance
        assert stats.kruskal(*[g[column] for g in groups]).pvalue > 0.001, column
    # and the arms are spread over the ids, not blocks of them
    first = test["arm"].iloc[: len(test) // 7].astype(str).value_counts()
    assert first.size == len(ARMS)


# ---------------------------------------------------------------- the planted effects


def test_the_truths_numbers_follow_from_the_stated_model():
    e = arm_expectations()
    p = growth_cases.PROGRAMME
    inv10 = (p["control_invitations"] + p["reward_gain"] * (1 - np.exp(-10 / p["reward_scale"])))
    assert e.loc["cash_10", "invitations"] == pytest.approx(inv10)
    assert e.loc["cash_10", "invitations"] == pytest.approx(0.3 + 2.2 * (1 - np.exp(-2.5)))
    assert e.loc["poster_10", "invitations"] == pytest.approx(0.75 * inv10)
    assert e.loc["lottery_10", "invitations"] == pytest.approx(1.6 * inv10)
    assert e.loc["points_10", "invitations"] == pytest.approx(e.loc["cash_5", "invitations"])
    assert e.loc["cash_10", "conversion"] == pytest.approx(0.65 * 0.16)
    assert e.loc["poster_10", "conversion"] == pytest.approx(5 * 0.03)
    assert e.loc["lottery_10", "conversion"] == pytest.approx(0.65 * 0.16 * 0.55)
    np.testing.assert_allclose(e["k_factor"], e["invitations"] * e["conversion"])
    orders = e["k_factor"] * e["first_order_share"]
    np.testing.assert_allclose(e["first_orders"], orders)
    assert e.loc["lottery_10", "reward_cost"] == pytest.approx(1.6 * inv10 * 0.2 * 10)
    assert e.loc["points_10", "cost_per_customer"] == pytest.approx(4.0)
    profit = 80 * (orders - orders["control"]) - e["reward_cost"]
    np.testing.assert_allclose(e["profit"], profit)
    # diminishing returns: 5 -> 10 yuan adds more than 10 -> 20
    gain = e["invitations"]
    assert gain["cash_10"] - gain["cash_5"] > 2 * (gain["cash_20"] - gain["cash_10"]) > 0


def test_the_decision_is_the_truths_own(world):
    ex = world["truth"]["growth"]["referral_experiment"]
    by = pd.DataFrame(ex["by_arm"]).T
    assert ex["decision"]["roll_out"] == by["profit"].astype(float).idxmax() == "cash_10"
    assert ex["decision"]["highest_k_factor"] == "poster_10"
    assert ex["decision"]["lowest_cost_per_customer"] == "points_10"
    steps = ex["decision"]["marginal_cost_per_extra_customer"]
    value = ex["model"]["params"]["value_per_customer"]
    assert steps["cash_5->cash_10"] < value < steps["cash_10->cash_20"]
    assert by.loc["lottery_10", "profit"] < 0 < by.loc["cash_5", "profit"]


@pytest.mark.parametrize("column,truth", [("invitations", "invitations"),
                                          ("signups", "k_factor"),
                                          ("first_orders", "first_orders"),
                                          ("reward_cost", "reward_cost")])
def test_arm_means_are_the_truth_within_noise(world, column, truth):
    test = world["tables"]["referral_experiment"]
    by = pd.DataFrame(world["truth"]["growth"]["referral_experiment"]["by_arm"]).T
    got = _mean_se(test, column)
    for arm in ARMS:
        se = max(got.loc[arm, "se"], 0.005)  # an arm with no event has se 0
        assert abs(got.loc[arm, "mean"] - by.loc[arm, truth]) < Z * se, (arm, column)


def test_k_per_arm_is_invitations_times_conversion_and_the_truths(world):
    test = world["tables"]["referral_experiment"]
    by = pd.DataFrame(world["truth"]["growth"]["referral_experiment"]["by_arm"]).T
    arms = _arms(test)
    k = arms["invitations"] / arms["n"] * arms["conversion"]
    np.testing.assert_allclose(k, arms["k"])
    for arm in ARMS:
        rows = test[test["arm"] == arm]
        conv, se = _ratio_se(rows["signups"], rows["invitations"])
        assert abs(conv - by.loc[arm, "conversion"]) < Z * max(se, 0.01), arm
    # every programme beats no programme on K, clearly
    ks = _mean_se(test, "signups")
    control = ks.loc["control"]
    for arm in ARMS:
        if arm != "control":
            diff_se = np.hypot(ks.loc[arm, "se"], control["se"])
            assert ks.loc[arm, "mean"] - control["mean"] > 2 * diff_se, arm


def test_posters_reach_more_and_convert_less_lotteries_bring_the_worst(world):
    arms = _arms(world["tables"]["referral_experiment"])
    per_inv = arms["views"] / arms["invitations"]
    per_view = arms["signups"] / arms["views"]
    assert per_inv["poster_10"] > 4 * per_inv["cash_10"]
    assert per_view["poster_10"] < 0.4 * per_view["cash_10"]
    assert arms.loc["lottery_10", "invitations"] == arms["invitations"].max()
    share = arms["first_orders"] / arms["signups"]
    assert share["lottery_10"] < share["cash_10"]
    assert per_view["lottery_10"] < per_view["cash_10"]


def test_cost_per_acquired_customer(world):
    test = world["tables"]["referral_experiment"]
    by = pd.DataFrame(world["truth"]["growth"]["referral_experiment"]["by_arm"]).T
    arms = _arms(test)
    cost = arms["reward_cost"] / arms["first_orders"]
    # a task pays its reward per friend's first order (points at 40% of face value)
    for arm in ("cash_5", "cash_10", "cash_20", "poster_10"):
        assert cost[arm] == pytest.approx(ARMS[arm]["reward_yuan"])
    assert cost["points_10"] == pytest.approx(4.0)
    rows = test[test["arm"] == "lottery_10"]
    lottery, se = _ratio_se(rows["reward_cost"], rows["first_orders"])
    assert abs(lottery - by.loc["lottery_10", "cost_per_customer"]) < Z * se
    assert lottery > 4 * cost["cash_20"]


def test_loyal_recent_and_sociable_customers_invite_more(world):
    """A Poisson regression of invitations on the traits (arm effects held) recovers
    the planted exponents."""
    import statsmodels.api as sm

    test = world["tables"]["referral_experiment"]
    p = growth_cases.PROGRAMME
    share = world["state"].set_index("user_id")["share"].loc[test["user_id"]].to_numpy()
    recency = np.log(p["trait_recency_floor"] + (1 - p["trait_recency_floor"]) * np.exp(
        -test["days_since_last_order"].to_numpy() / p["trait_recency_days"]))
    x = pd.get_dummies(test["arm"].astype(str), dtype=float)
    x["log_share"] = np.log(np.maximum(share, 1e-6))
    x["log_orders"] = np.log(test["orders_before"].to_numpy())
    x["recency"] = recency
    fit = sm.GLM(test["invitations"].to_numpy(), x, family=sm.families.Poisson()).fit(
        cov_type="HC0")
    for name, planted in (("log_share", 0.5), ("log_orders", 0.4), ("recency", 1.0)):
        assert abs(fit.params[name] - planted) < Z * fit.bse[name], name
    # as a lesson sees it: customers with 3+ orders invite more than one-time buyers
    programme = test[test["mechanic"] != "none"]
    loyal = programme["orders_before"] >= 3
    assert programme.loc[loyal, "invitations"].mean() > 1.2 * programme.loc[
        ~loyal, "invitations"].mean()


# ---------------------------------------------------------------- creator deals


@pytest.fixture(scope="module", params=[2024, 7])
def deals(request) -> tuple[pd.DataFrame, dict]:
    return creator_deals(request.param), creator_truth(request.param)


def test_deals_are_consistent_and_in_time_order(deals):
    df, tr = deals
    assert len(df) == tr["deals"] == 420
    assert df["deal_id"].tolist() == list(range(1, 421))
    assert df["publish_time"].is_monotonic_increasing
    assert df["publish_time"].min() >= pd.Timestamp("2024-01-01")
    assert df["publish_time"].max() < pd.Timestamp("2026-01-01")
    assert (df["first_orders"] <= df["signups"]).all() and (df["signups"] <= df["clicks"]).all()
    assert (df["clicks"] <= df["views"]).all()
    assert ((df["revenue"] > 0) == (df["first_orders"] > 0)).all()
    # a creator keeps one tier, platform and follower count
    per = df.groupby("creator_id")[["tier", "platform", "followers"]].nunique()
    assert (per == 1).all().all() and df["creator_id"].nunique() < len(df)
    # more deals in 2025 than in 2024: the programme grows
    year = df["publish_time"].dt.year.value_counts()
    assert year[2025] > year[2024]


def test_views_are_heavy_tailed_and_head_creators_reach_most(deals):
    df, _ = deals
    views = np.sort(df["views"].to_numpy())[::-1]
    assert views[:21].sum() > 0.4 * views.sum()  # the top 5% of deals hold 40%+ of views
    # within a tier the views per follower vary far more than a Poisson count would
    ratio = np.log(df["views"] / df["followers"])
    assert ratio.groupby(df["tier"], observed=True).std().min() > 0.8
    effects = content_effects(df, outcome="views", factors=["tier", "platform", "format"])
    tiers = effects.loc["tier", "effect"]
    assert tiers["head"] > tiers["waist"] > tiers["tail"]


def test_head_creators_cost_more_per_view(deals):
    df, tr = deals
    g = df.groupby("tier", observed=True)
    cpm = g["fee"].sum() / g["views"].sum() * 1000
    assert cpm["head"] > 1.8 * cpm["waist"] and cpm["waist"] > cpm["tail"]
    for tier, truth in tr["fee_per_1000_views"].items():
        assert cpm[tier] == pytest.approx(truth, rel=0.5), tier


def test_cost_per_signup_by_tier_is_the_truth_within_noise(deals):
    df, tr = deals
    truth = tr["cost_per_attributed_signup"]["by_tier"]
    for tier in truth:
        rows = df[df["tier"] == tier]
        est, se = _ratio_se(rows["fee"], rows["signups"])
        assert abs(est - truth[tier]) < Z * se, tier
    assert truth["head"] > 3 * truth["waist"] > 3 * truth["tail"] > 0
    # the true cost per sign-up is the attributed one times the attribution share
    share = tr["attribution"]["mean_share"]
    for tier, value in tr["cost_per_signup"]["by_tier"].items():
        assert value == pytest.approx(truth[tier] * share, rel=1e-3)
    assert abs(tr["attribution"]["realised_share"] - share) < 0.05


def test_xiaohongshu_waist_and_tail_bring_signups_cheapest(deals):
    df, tr = deals
    cells = tr["cost_per_signup"]["by_tier_platform"]
    assert tr["cheapest_tier_platform"][0] in ("waist", "tail")
    assert tr["cheapest_tier_platform"][1] == "xiaohongshu"
    for tier in ("waist", "tail"):
        assert min(cells[tier], key=cells[tier].get) == "xiaohongshu", tier
    # the data shows it too, among the cells with enough deals
    g = df.groupby(["tier", "platform"], observed=True)
    big = g.size() >= 20
    cost = (g["fee"].sum() / g["signups"].sum())[big]
    assert cost.idxmin()[1] == "xiaohongshu" and cost.idxmin()[0] in ("waist", "tail")


def test_the_models_cost_per_signup_by_hand():
    tr = creator_truth(2024)
    t, p, f = tr["tiers"]["tail"], tr["platforms"]["xiaohongshu"], tr["formats"]["image_post"]
    fee_per_view = t["cpm"] / 1000 * p["price"] * f["price"]
    signup_per_view = p["ctr"] * f["ctr"] * t["ctr"] * t["signup_per_click"]
    by_hand = fee_per_view / signup_per_view
    assert tr["model_cost_per_signup"]["tail"]["xiaohongshu"]["image_post"] == pytest.approx(
        by_hand, abs=0.01)
    assert by_hand == pytest.approx(0.032 * 1.1 * 0.9 / (0.015 * 1.15 * 1.1 * 0.09))


# ---------------------------------------------------------------- shards


def test_a_sharded_world_has_them_once_or_per_customer(tmp_path):
    assert "creator_deals" in COMPANY and ID_SPACES["referral_experiment"] == {"user_id": "user"}
    write_world(tmp_path, users=1_000, seed=5, shard_users=500)
    users = coursekit.load("users", world=tmp_path)
    test = coursekit.load("referral_experiment", world=tmp_path)
    validate(test, "referral_experiment", check_key=True)
    assert set(test["user_id"]) <= set(users["user_id"])
    assert test["user_id"].max() > 500  # the second shard's customers take part too
    pd.testing.assert_frame_equal(coursekit.load("creator_deals", world=tmp_path),
                                  coerce(creator_deals(5), "creator_deals"),
                                  check_categorical=False)
