"""Determinism, the committed default data, and the generator's bookkeeping."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit.data import default_dir
from coursekit.errors import DataError
from coursekit.world import DEFAULT_SEED, DEFAULT_USERS, generate_world, write_world
from coursekit.world import params as P


def _sums(folder):
    man = json.loads((folder / "checksums.json").read_text(encoding="utf-8"))
    return {k: v["sha256"] for k, v in man["tables"].items()} | {"truth": man["truth"]["sha256"]}


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    a = write_world(tmp_path / "a", users=1500, seed=7)
    b = write_world(tmp_path / "b", users=1500, seed=7)
    c = write_world(tmp_path / "c", users=1500, seed=8)
    assert a == b and a != c
    assert _sums(tmp_path / "a") == _sums(tmp_path / "b")
    assert _sums(tmp_path / "a")["orders"] != _sums(tmp_path / "c")["orders"]


def test_cli_generate_is_deterministic(tmp_path):
    for name in ("x", "y"):
        cmd = [
            sys.executable,
            "-m",
            "coursekit",
            "data",
            "generate",
            "--users",
            "800",
            "--seed",
            "3",
            "--out",
            str(tmp_path / name),
            "--format",
            "csv",
            "--quiet",
        ]
        subprocess.run(cmd, check=True)
    assert _sums(tmp_path / "x") == _sums(tmp_path / "y")
    assert (tmp_path / "x" / "orders.csv").read_bytes() == (
        tmp_path / "y" / "orders.csv"
    ).read_bytes()


def test_committed_default_world_is_what_the_generator_makes(tmp_path):
    man = json.loads((default_dir() / "checksums.json").read_text(encoding="utf-8"))
    assert (man["users"], man["seed"]) == (DEFAULT_USERS, DEFAULT_SEED)
    write_world(tmp_path, users=DEFAULT_USERS, seed=DEFAULT_SEED)
    for name in man["tables"]:
        fresh = coursekit.load(name, world=tmp_path)
        committed = coursekit.load(name)
        pd.testing.assert_frame_equal(fresh, committed, check_categorical=False)
    fresh_truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert fresh_truth == coursekit.data.truth()


def test_truth_holds_the_parameters_used():
    tr = coursekit.data.truth()
    prm = P.Params()
    assert tr["bgnbd"] == tr["bgnbd"] | dict(r=prm.r, alpha=prm.alpha, a=prm.a, b=prm.b)
    assert {i["name"] for i in tr["incidents"]} == {
        "tracking_outage",
        "warehouse_delay",
        "payment_bug",
    }
    assert set(tr["campaign_uplift_by_segment"]) == {"new", "loyal", "active", "lapsing", "dormant"}


def test_tables_honour_their_schema_and_keys():
    from coursekit.schema import TABLES, validate

    for name in coursekit.datasets()["name"]:
        validate(coursekit.load(name), TABLES[name], check_key=bool(TABLES[name].key))


def test_ids_and_references_are_consistent():
    users, orders = coursekit.load("users"), coursekit.load("orders")
    items, events = coursekit.load("order_items"), coursekit.load("events")
    assert orders["user_id"].isin(users["user_id"]).all()
    assert items["order_id"].isin(orders["order_id"]).all()
    gross = items.groupby("order_id")["amount"].sum().reindex(orders["order_id"]).to_numpy()
    assert abs(gross - orders["gross_amount"].to_numpy()).max() < 0.02
    assert (orders["amount"] - (orders["gross_amount"] - orders["discount"])).abs().max() < 0.01
    su = orders["user_id"].map(users.set_index("user_id")["signup_time"])
    assert (orders["order_time"] >= su).all()
    placed = events.loc[events["event_type"] == "order", "order_id"]
    assert set(placed.astype(int)) == set(orders["order_id"])
    assert events["event_time"].is_monotonic_increasing or events["event_id"].is_unique


def test_bad_size_is_refused():
    with pytest.raises(DataError, match="at least 500"):
        generate_world(users=10, seed=1)


def test_message_delivery_equals_sending_one_by_one():
    """The vectorised fatigue solver gives what sending the messages in time order
    gives: an unsubscribe stops its (user, medium) stream, and every decision
    uses the messages actually delivered in the trailing window."""
    from coursekit.world.messaging import deliver

    rng = np.random.default_rng(11)
    window = 21  # time runs in slots: three a day, one per medium
    prob = np.minimum(0.03 * np.arange(64), 1.0)  # the chance of stopping at count x
    for _ in range(30):
        n_users = 40
        k = rng.integers(0, 60, n_users)
        user = np.repeat(np.arange(n_users), k)
        t = rng.integers(0, 90, len(user))
        key = np.unique(user * 1000 + t)  # at most one message per user and slot
        user, t = key // 1000, key % 1000
        stream = user * 3 + t % 3
        win = np.searchsorted(key, key - window, side="right")
        draw = rng.random(len(user))
        kept, stops = deliver(user, stream, win, np.zeros(len(user), dtype=np.int64), prob, draw)

        sent, stopped, expected_stops = [], set(), []
        for i in range(len(user)):  # the plain loop, message by message
            if stream[i] in stopped:
                continue
            sent.append(i)
            x = sum(1 for j in sent if user[j] == user[i] and t[j] > t[i] - window)
            if draw[i] < prob[x]:
                stopped.add(stream[i])
                expected_stops.append(i)
        assert np.flatnonzero(kept).tolist() == sent
        assert sorted(stops.tolist()) == expected_stops
