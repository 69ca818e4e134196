"""A world written in shards: one world whose files join, the first shard unchanged.

The memory it saves is measured in ``benchmarks/`` (RESULTS.md, world10m_shards);
these tests hold what it writes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import coursekit as ck
from coursekit.data import verify
from coursekit.errors import DataError
from coursekit.schema import validate
from coursekit.world import generate_world, read_state, write_world
from coursekit.world.generate import generate
from coursekit.world.shards import COMPANY, ID_SPACES, shard_seed, shard_sizes, shifted

SEED = 11
SIZES = [500, 500, 500]


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sharded")
    write_world(out, users=sum(SIZES), seed=SEED, shard_users=600)
    return out


@pytest.fixture(scope="module")
def tables(sharded: Path) -> dict[str, pd.DataFrame]:
    man = json.loads((sharded / "checksums.json").read_text(encoding="utf-8"))
    return {name: ck.load(name, world=sharded) for name in man["tables"]}


def test_sizes_cover_the_users_in_near_equal_shards():
    assert shard_sizes(1_500, 600) == SIZES
    assert shard_sizes(10_000_000, 1_000_000) == [1_000_000] * 10
    sizes = shard_sizes(2_345_678, 1_000_000)
    assert sum(sizes) == 2_345_678 and max(sizes) - min(sizes) <= 1 and max(sizes) <= 1_000_000


def test_a_world_no_bigger_than_a_shard_is_the_world_generated_at_once(tmp_path: Path):
    whole = write_world(tmp_path / "whole", users=600, seed=SEED)
    one = write_world(tmp_path / "one", users=600, seed=SEED, shard_users=600)
    assert one == whole  # the same files, byte for byte (their SHA-256)


def test_the_sharded_world_verifies_and_every_table_keeps_its_contract(sharded, tables):
    assert verify(sharded) == []
    man = json.loads((sharded / "checksums.json").read_text(encoding="utf-8"))
    assert man["shards"] == SIZES and man["users"] == sum(SIZES)
    for name, frame in tables.items():
        validate(frame, name)  # raises on a broken contract (keys unique among them)
        assert man["tables"][name]["rows"] == len(frame)


def test_ids_are_unique_and_every_reference_resolves(tables):
    users, orders, stores = tables["users"], tables["orders"], tables["stores"]
    assert users["user_id"].tolist() == list(range(1, sum(SIZES) + 1))
    user_ids, order_ids = set(users["user_id"]), set(orders["order_id"])
    for name, cols in ID_SPACES.items():
        if name == "state":
            continue
        frame = tables[name]
        for column, space in cols.items():
            values = frame[column].dropna()
            if name == "survey":
                values = values[values > 0]
            if space == "user":
                assert set(values) <= user_ids, (name, column)
            elif space == "order":
                assert set(values) <= order_ids, (name, column)
            elif space == "store":
                assert set(values) <= set(stores["store_id"]), (name, column)
    assert tables["order_costs"]["order_id"].tolist() == orders["order_id"].tolist()
    assert stores["name"].is_unique
    # every shard's users, orders and stores are present: ids of the later shards too
    assert users.groupby(np.repeat(range(len(SIZES)), SIZES))["store_id"].count().gt(0).all()


def test_the_first_shard_is_the_world_of_its_size(tables):
    first, _ = generate_world(SIZES[0], SEED)
    n = SIZES[0]
    pd.testing.assert_frame_equal(tables["users"].iloc[:n].reset_index(drop=True),
                                  ck.schema.coerce(first["users"], "users"))
    mine = tables["orders"][tables["orders"]["user_id"] <= n].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, ck.schema.coerce(first["orders"], "orders"))


@pytest.fixture(scope="module")
def shards() -> list[tuple[dict, dict, pd.DataFrame]]:
    """Each shard generated on its own (ids from 1)."""
    return [generate(n, shard_seed(SEED, k), company_seed=SEED) for k, n in enumerate(SIZES)]


def test_a_later_shard_is_its_own_world_with_ids_moved_on(tables, shards):
    first, second = shards[0][0], shards[1][0]
    offsets = dict(user=SIZES[0], order=len(first["orders"]), store=len(first["stores"]),
                   referral=len(first["referrals"]), ticket=len(first["tickets"]))
    for name, space in [("users", "user"), ("orders", "order"), ("stores", "store"),
                        ("referrals", "referral"), ("tickets", "ticket")]:
        expected = ck.schema.coerce(shifted(second[name], name, offsets), name)
        got = tables[name]
        key = f"{space}_id"
        rows = got[(got[key] > offsets[space])
                   & (got[key] <= offsets[space] + len(expected))].reset_index(drop=True)
        pd.testing.assert_frame_equal(rows, expected, check_categorical=False, obj=name)


def test_company_tables_are_shared_and_spend_adds_up(tables, shards):
    for name in COMPANY:
        for shard, _, _ in shards:
            pd.testing.assert_frame_equal(  # the loader's categories are of dtype str
                tables[name], ck.schema.coerce(shard[name], name), check_dtype=False,
                check_categorical=False, obj=name)
    spend = sum(s["channel_spend"]["spend"] for s, _, _ in shards)
    np.testing.assert_allclose(tables["channel_spend"]["spend"], spend, atol=0.011)
    clicks = sum(s["channel_spend"]["clicks"] for s, _, _ in shards)
    assert tables["channel_spend"]["clicks"].tolist() == clicks.tolist()


def test_truth_adds_up_what_adds_up(sharded, tables, shards):
    truth = ck.truth(world=sharded)
    assert truth["users"] == sum(SIZES)
    assert sum(truth["true_signups_by_channel"].values()) == sum(SIZES)
    assert truth["stores"]["count"] == len(tables["stores"]) == len(truth["store_quality"])
    assert sorted(map(int, truth["store_quality"])) == tables["stores"]["store_id"].tolist()
    persona_users = sum(p["users"] for p in truth["personas"]["personas"].values())
    assert persona_users == sum(SIZES)
    state = read_state(sharded)
    assert state["user_id"].tolist() == tables["users"]["user_id"].tolist()
    assert truth["shards"]["users"] == SIZES and truth["shards"]["seeds"][0] == SEED
    for name, c in truth["coupons"].items():
        if isinstance(c, dict):
            assert c["redeemed"] == sum(t["coupons"][name]["redeemed"] for _, t, _ in shards)
    # what does not add up is the first shard's
    assert truth["bgnbd"] == shards[0][1]["bgnbd"]
    assert truth["seed"] == SEED


@pytest.mark.parametrize("kwargs, says", [
    (dict(shard_users=499), "at least 500"),
    (dict(shard_users=600, fmt="csv"), "Parquet only"),
])
def test_bad_shard_requests_are_refused(tmp_path: Path, kwargs, says):
    with pytest.raises(DataError, match=says):
        write_world(tmp_path, users=1_500, seed=SEED, **kwargs)
