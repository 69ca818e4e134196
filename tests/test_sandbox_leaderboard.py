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
