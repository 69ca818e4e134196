"""The leaderboard: teams over replicate seeds beside do nothing, message everyone, oracle."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from coursekit.errors import ArgumentError, DataError
from coursekit.sandbox import examples, leaderboard, read_plan
from coursekit.world import write_world

REFERENCES = {"do nothing", "message everyone", "oracle"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sandbox_board")
    write_world(folder, users=2000, seed=3)
    return folder


@pytest.fixture(scope="module")
def board(world):
    return leaderboard(examples(), seed=0, replicates=4, world=world)


def test_one_row_per_team_and_reference(board):
    teams = {read_plan(p).team for p in examples()}
    assert set(board.index) == teams | REFERENCES
    assert board.index.name == "team"
    assert {"profit", "profit_low", "profit_high", "roi", "unsubscribes",
            "profit_after_fatigue"} <= set(board.columns)
    assert (board.loc[list(REFERENCES), "kind"] == "reference").all()
    assert board["profit_after_fatigue"].is_monotonic_decreasing


def test_do_nothing_is_zero_and_intervals_hold_the_mean(board):
    assert board.loc["do nothing", ["profit", "messages"]].tolist() == [0.0, 0.0]
    rest = board.drop(index="do nothing")
    assert ((rest["profit_low"] <= rest["profit"]) & (rest["profit"] <= rest["profit_high"])).all()


def test_profit_after_fatigue_has_its_own_t_interval(world):
    from scipy import stats

    from coursekit.sandbox import simulate

    plan = next(p for p in examples() if p.stem == "team_winback")
    row = leaderboard([plan], seed=5, replicates=3, world=world).loc[read_plan(plan).team]
    after = np.array([simulate(plan, seed=s, world=world).profit_after_fatigue
                      for s in (5, 6, 7)])
    half = stats.t.ppf(0.975, 2) * after.std(ddof=1) / np.sqrt(3)
    assert row["profit_after_fatigue"] == pytest.approx(after.mean())
    assert row["profit_after_fatigue_low"] == pytest.approx(after.mean() - half)
    assert row["profit_after_fatigue_high"] == pytest.approx(after.mean() + half)


def test_the_oracle_is_not_beaten_by_the_examples(board):
    teams = board[board["kind"] == "team"]
    assert (teams["profit"] <= board.loc["oracle", "profit"]).all()
    assert board.loc["oracle", "messages"] <= teams["messages"].max()


def test_a_team_plan_beats_message_everyone(board):
    assert board.loc["Team Winback", "profit"] > board.loc["message everyone", "profit"]
    assert board.loc["Coupon Blast to Loyal", "profit"] < 0


def test_a_folder_of_plans_and_bad_arguments(world, tmp_path):
    for path in examples()[:2]:
        shutil.copy(path, tmp_path / path.name)
    board = leaderboard(tmp_path, replicates=2, world=world)
    assert len(board) == 2 + len(REFERENCES)
    with pytest.raises(DataError, match="two plans are called"):
        leaderboard([examples()[0], examples()[0]], replicates=1, world=world)
    with pytest.raises(ArgumentError):
        leaderboard([], replicates=0, world=world)


def test_a_negative_seed_is_refused_before_any_work():
    with pytest.raises(ArgumentError, match="seed"):
        leaderboard([], seed=-1, world="no such world")


def test_a_world_1_world_is_refused_with_what_to_do(tmp_path):
    write_world(tmp_path, users=600, seed=3, world=1)
    with pytest.raises(DataError, match="World 1") as err:
        leaderboard([], replicates=1, world=tmp_path)
    assert "World 2" in str(err.value)


def test_each_rows_lead_is_the_paired_difference_to_the_row_below(world):
    """The lead and its interval come from the seed-by-seed differences, not the two means'
    intervals."""
    from scipy import stats

    from coursekit.sandbox import simulate

    plans = {p.stem: p for p in examples()}
    board = leaderboard([plans["team_winback"], plans["message_everyone_sms"]], seed=2,
                        replicates=3, world=world)
    assert np.isnan(board["lead"].iloc[-1]) and (board["lead"].iloc[:-1] >= 0).all()
    first, second = board.index[0], board.index[1]
    runs = {}
    for path in plans.values():
        team = read_plan(path).team
        if team in (first, second):
            runs[team] = np.array([simulate(path, seed=s, world=world).profit_after_fatigue
                                   for s in (2, 3, 4)])
    if len(runs) == 2:  # two team plans at the top: check their paired interval by hand
        gap = runs[first] - runs[second]
        half = stats.t.ppf(0.975, 2) * gap.std(ddof=1) / np.sqrt(3)
        assert board.loc[first, "lead"] == pytest.approx(gap.mean())
        assert board.loc[first, "lead_low"] == pytest.approx(gap.mean() - half)
    rest = board.iloc[:-1]
    assert ((rest["lead_low"] <= rest["lead"]) & (rest["lead"] <= rest["lead_high"])).all()


def test_compare_pairs_two_plans_seed_by_seed(world):
    from scipy import stats

    from coursekit.sandbox import compare, simulate

    plans = {p.stem: p for p in examples()}
    a, b = plans["team_winback"], plans["message_everyone_sms"]
    table = compare(a, b, seed=1, replicates=3, world=world)
    ta, tb = read_plan(a).team, read_plan(b).team
    assert table.columns.tolist() == [ta, tb, "difference", "low", "high"]
    pa = np.array([simulate(a, seed=s, world=world).profit for s in (1, 2, 3)])
    pb = np.array([simulate(b, seed=s, world=world).profit for s in (1, 2, 3)])
    half = stats.t.ppf(0.975, 2) * (pa - pb).std(ddof=1) / np.sqrt(3)
    assert table.loc["profit", ta] == pytest.approx(pa.mean())
    assert table.loc["profit", "difference"] == pytest.approx((pa - pb).mean())
    assert table.loc["profit", "high"] == pytest.approx((pa - pb).mean() + half)
    # the paired interval is narrower than the difference of two unpaired intervals would be
    unpaired = stats.t.ppf(0.975, 2) * np.sqrt(pa.var(ddof=1) / 3 + pb.var(ddof=1) / 3)
    assert half < unpaired
    with pytest.raises(DataError, match="both plans are called"):
        compare(a, a, replicates=2, world=world)
    with pytest.raises(ArgumentError, match="replicates"):
        compare(a, b, replicates=0, world=world)


def test_an_industry_preset_changes_the_economics_not_the_customers(world):
    from coursekit.sandbox import INDUSTRIES, industries, simulate
    from coursekit.sandbox.world import prepare

    plan = next(p for p in examples() if p.stem == "team_winback")
    base = simulate(plan, seed=0, world=world)
    assert simulate(plan, seed=0, world=world, industry="course_company").profit == base.profit
    w0 = prepare(world)
    for name, ind in INDUSTRIES.items():
        if name == "course_company":
            continue
        w = prepare(world, name)
        assert w.rate == pytest.approx(w0.rate * ind.purchase_rate)
        assert w.value_factor == pytest.approx(w0.value_factor * ind.order_value)
        assert w.margin_rate == ind.margin_rate
        assert w.params["uplift_lapsing"] == pytest.approx(w0.params["uplift_lapsing"]
                                                           * ind.uplift)
        for key, value in ind.parameters.items():
            assert w.params[key] == value
        run = simulate(plan, seed=0, world=world, industry=name)
        # the same customers are in the plan's segments and reachable the same way
        assert run.summary["customers"].tolist() == base.summary["customers"].tolist()
        assert run.summary["reachable"].tolist() == base.summary["reachable"].tolist()
        assert run.profit != base.profit
    table = industries()
    assert list(table.index) == list(INDUSTRIES)
    assert table.loc["education", "message_cost_wecom"] == 2.0
    assert np.isnan(table.loc["course_company", "margin_rate"])
    with pytest.raises(ArgumentError, match="industry"):
        simulate(plan, world=world, industry="fintech")


def test_a_preset_where_orders_are_worth_little_turns_the_blast_into_a_loser(world):
    """Local services: a visit is worth half an order and its margin is lower, so the weekly
    SMS blast earns less per message than in the course company."""
    from coursekit.sandbox import simulate

    blast = next(p for p in examples() if p.stem == "message_everyone_sms")
    here = simulate(blast, seed=0, world=world)
    local = simulate(blast, seed=0, world=world, industry="local_services")
    assert local.profit / local.messages < here.profit / here.messages


def test_a_custom_preset_is_prepared_by_what_it_changes_not_by_its_name(world):
    """A preset copied from another with one number changed, under the same name, is its own
    economics (the cache must not hand back the original's)."""
    import dataclasses

    from coursekit.sandbox import INDUSTRIES
    from coursekit.sandbox.world import prepare

    base = prepare(world)
    same_name = dataclasses.replace(INDUSTRIES["course_company"], purchase_rate=2.0)
    assert prepare(world, same_name).rate == pytest.approx(base.rate * 2.0)
    assert prepare(world, INDUSTRIES["course_company"]) is base
    local = dataclasses.replace(INDUSTRIES["local_services"], order_value=1.0)
    assert prepare(world, local).value_factor == pytest.approx(base.value_factor)
    assert prepare(world, "local_services").value_factor == pytest.approx(base.value_factor * 0.5)
