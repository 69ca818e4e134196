"""The world goes on after the data: the calendar into 2026 and the simulator's end state."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from coursekit.errors import DataError
from coursekit.world import STATE, read_state, write_world
from coursekit.world import params as P
from coursekit.world.calendar import build_calendar, festival_days


def test_the_calendar_continues_the_datas_own_day_for_day() -> None:
    data, longer = build_calendar(), build_calendar(P.SIM_END)
    n = data.n_days
    assert longer.days[-1].date() == P.SIM_END and longer.days[n - 1].date() == P.END
    for name in ("buy", "visit", "gift"):
        assert np.array_equal(getattr(longer, name)[:n], getattr(data, name))
    assert data.buy.mean() == pytest.approx(1.0)
    spring = P.SPRING_FESTIVAL[2026]
    i = (pd.Timestamp(spring) - pd.Timestamp(P.START)).days
    assert longer.gift[i - 1] > 1 and longer.buy[i + 1] < longer.buy[i - 1]  # gifts, then pause
    assert festival_days(P.SIM_END)["double_11"][-1].year == 2026
    with pytest.raises(ValueError, match="between"):
        build_calendar(P.START)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("world")
    write_world(out, users=2_000, seed=11)
    return out


def test_the_end_state_agrees_with_the_tables(world) -> None:
    state = read_state(world).set_index("user_id")
    users = pd.read_parquet(world / "users.parquet")
    orders = pd.read_parquet(world / "orders.parquet")
    assert list(state.index) == list(users["user_id"])
    counted = orders.groupby("user_id").size().reindex(state.index, fill_value=0)
    assert (state["orders"] == counted).all()
    days = (pd.Timestamp(P.END) - pd.Timestamp(P.START)).days + 1
    bought = state["orders"] > 0
    assert set(state.loc[bought, "status"]) <= {"alive", "dropped"}
    # without an order: not yet a customer, or one whose orders all failed at checkout
    lost = ~bought & (state["first_purchase_day"] < days)
    assert set(state.loc[~bought & ~lost, "status"]) <= {"prospect", "never"}
    assert set(state.loc[lost, "status"]) <= {"alive", "dropped"}
    assert lost.mean() < 0.01
    assert state["dropout_day"].notna().eq(state["status"].eq("dropped")).all()
    last = orders.groupby("user_id")["order_time"].max()
    since = (last - pd.Timestamp(P.START)).dt.total_seconds() / 86_400
    assert np.allclose(state.loc[since.index, "last_order_day"], since, atol=1e-3)
    assert (state.loc[state["status"] == "prospect", "first_purchase_day"] >= days - 1e-3).all()
    assert (state["messages_last_7d"] <= state["messages_last_28d"]).all()
    assert state.loc[state["unsubscribed_sms"], "reach_sms"].eq(False).all()


def test_the_end_state_is_checked_against_its_manifest(world, tmp_path) -> None:
    assert json.loads((world / "checksums.json").read_text(encoding="utf-8"))["state"]["file"] \
        == STATE
    copy = tmp_path / "w"
    copy.mkdir()
    for f in world.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    (copy / STATE).write_bytes((copy / STATE).read_bytes()[:-10])
    with pytest.raises(DataError, match="does not match its checksum"):
        read_state(copy)
    (copy / "checksums.json").write_text("{}", encoding="utf-8")
    with pytest.raises(DataError, match="no simulator end state"):
        read_state(copy)
