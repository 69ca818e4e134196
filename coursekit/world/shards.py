"""A big world written shard by shard, so that memory stays flat in the number of users.

Generated at once, a world holds every table in memory while it is written:
10 million users peak at about 12.6 GB. :func:`write_shards` splits the users
into shards of at most ``shard_users`` (near-equal sizes) and generates and
writes one shard at a time, appending each table's rows to its file, so the
peak is that of one shard whatever the world's size.

Each shard is a world of its own customers, the way a region of the company
is: its customers draw from the shard's own seed (shard 0 uses the world seed
itself, later shards seeds spawned from it), its stores are the stores of that
region, its channel spend is what that region's sign-ups cost. It shares with
the other shards what the company has once: the product catalogue, the
content posts (both drawn from the world seed), the campaigns, the
business cases of module 1 (:mod:`coursekit.world.cases`), module 2's
adoption curves and competitors (:mod:`coursekit.world.needs_cases`) and module
4's creator deals (:mod:`coursekit.world.growth_cases`); each shard runs the
referral-programme test on its own customers. Ids
continue from shard to shard (users, orders, sessions, events, messages,
referrals, tickets, memberships, stores, survey respondents, with their brand
ratings and profiles), so the files join as one world, and the daily channel
spend of the shards is added up.

What a sharded world does not have, and a world generated at once does:
referrals between customers of different shards; rows in time order across
the whole file (each shard's rows are in time order, and ids ascend through
the file); a truth whose every figure covers the whole world (counts, curves
and store qualities are combined, the rest are the first shard's, which
``truth["shards"]`` says). A world no bigger than one shard is the world
generated at once, byte for byte.
"""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from coursekit.errors import DataError
from coursekit.world.blocks import BlockTable

#: Id columns of each table and the id space they count in.
ID_SPACES: dict[str, dict[str, str]] = {
    "users": {"user_id": "user", "store_id": "store"},
    "events": {"event_id": "event", "user_id": "user", "session_id": "session",
               "order_id": "order"},
    "orders": {"order_id": "order", "user_id": "user"},
    "order_items": {"order_id": "order"},
    "order_costs": {"order_id": "order"},
    "campaign_assignments": {"user_id": "user"},
    "messages": {"message_id": "message", "user_id": "user"},
    "referrals": {"referral_id": "referral", "inviter_id": "user", "invitee_id": "user"},
    "tickets": {"ticket_id": "ticket", "order_id": "order", "user_id": "user"},
    "memberships": {"membership_id": "membership", "user_id": "user"},
    "stores": {"store_id": "store"},
    "store_months": {"store_id": "store"},
    "survey": {"respondent_id": "respondent", "user_id": "user"},
    "brand_survey": {"respondent_id": "respondent"},
    "survey_profiles": {"respondent_id": "respondent"},
    "raw_pos_members": {"store_id": "store"},
    "raw_links": {"user_id": "user", "order_id": "order"},
    "referral_experiment": {"user_id": "user"},
    "state": {"user_id": "user"},
}
#: The table and column that number each id space (1, 2, ... within a shard).
OWNERS = {
    "user": ("users", "user_id"), "store": ("stores", "store_id"),
    "event": ("events", "event_id"), "session": ("events", "session_id"),
    "order": ("orders", "order_id"), "message": ("messages", "message_id"),
    "referral": ("referrals", "referral_id"), "ticket": ("tickets", "ticket_id"),
    "membership": ("memberships", "membership_id"),
    "respondent": ("survey", "respondent_id"),
}
#: Where an id of 0 means "none" rather than an id (a respondent who is not a user).
NONE_IS_ZERO = {("survey", "user_id")}
#: Tables the company has once: the same in every shard, written from the first.
COMPANY = ("products", "campaigns", "content_posts", "cost_rates", "gift_vouchers",
           "group_buying", "businesses", "market_adoption", "competitors", "creator_deals")
#: Tables whose rows are the same days in every shard, with amounts that add up.
SUMMED = {"channel_spend": (("date", "channel"), ("spend", "impressions", "clicks"))}


def shard_sizes(users: int, shard_users: int) -> list[int]:
    """Users of each shard: as few shards as hold ``users`` at most ``shard_users``
    each, sizes differing by at most one.

    Examples
    --------
    >>> shard_sizes(2_500, 1_000)
    [834, 833, 833]
    >>> shard_sizes(800, 1_000)
    [800]
    """
    n = -(-users // shard_users)
    return [users // n + (i < users % n) for i in range(n)]


def shard_seed(seed: int, shard: int) -> int:
    """The seed of a shard's customers: the world seed for shard 0, and for the
    others a seed spawned from the world seed and the shard's number.

    Examples
    --------
    >>> shard_seed(2024, 0)
    2024
    >>> shard_seed(2024, 1) == shard_seed(2024, 1) != shard_seed(2024, 2)
    True
    """
    if shard == 0:
        return seed
    return int(np.random.SeedSequence([seed, shard]).generate_state(1)[0])


def shifted(frame: pd.DataFrame, table: str, offsets: dict[str, int]) -> pd.DataFrame:
    """The rows of one shard with their ids moved past the earlier shards' ids.

    ``offsets`` maps an id space (``"user"``, ``"order"``, ...) to the number
    of ids the earlier shards used. Missing ids stay missing, and an id of 0
    that means "none" stays 0.
    """
    moves = {c: offsets.get(space, 0) for c, space in ID_SPACES.get(table, {}).items()
             if c in frame.columns and offsets.get(space, 0)}
    if not moves:
        return frame
    frame = frame.copy(deep=False)
    for column, by in moves.items():
        values = frame[column]
        if (table, column) in NONE_IS_ZERO:
            frame[column] = values.where(values == 0, values + by)
        else:
            frame[column] = values + by
    if table == "stores":  # a store's name ends with its number
        frame["name"] = pd.array(
            [f"青木·{c}{i:02d}" for c, i in zip(frame["city"], frame["store_id"], strict=True)],
            dtype=frame["name"].dtype)
    return frame


class _Files:
    """One Parquet file per table, appended a row group at a time across shards."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writers: dict[str, object] = {}
        self.rows: dict[str, int] = {}

    def append(self, name: str, frame: pd.DataFrame, *, options: dict | None = None) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from coursekit.data.io import ROW_GROUP_ROWS

        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        writer = self.writers.get(name)
        if writer is None:
            # The encodings are chosen on the first rows written (the first shard's).
            writer = pq.ParquetWriter(self.folder / f"{name}.parquet", arrow.schema,
                                      **(options or {}))
            self.writers[name] = writer
        elif not arrow.schema.equals(writer.schema, check_metadata=False):
            arrow = arrow.cast(writer.schema)  # e.g. a category no row of this shard has
        writer.write_table(arrow, row_group_size=ROW_GROUP_ROWS)
        self.rows[name] = self.rows.get(name, 0) + len(frame)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()
        self.writers.clear()


def _chunks(table: pd.DataFrame | BlockTable) -> Iterator[pd.DataFrame]:
    """A table a row group at a time (a DataFrame is written whole)."""
    from coursekit.data.io import ROW_GROUP_ROWS

    if isinstance(table, BlockTable):
        yield from table.blocks(ROW_GROUP_ROWS)
    else:
        yield table


def write_shards(out: Path, users: int, seed: int, shard_users: int, *, world: int = 2,
                 progress: bool = False) -> tuple[dict[str, int], dict, int]:
    """Generate the world shard by shard into ``out``: every table's Parquet file and
    the end state (``state.parquet``).

    Returns the rows of every table, the combined truth and the rows of the state
    (the caller writes ``truth.json`` and the manifest).
    """
    from coursekit.data.io import parquet_options
    from coursekit.world import STATE
    from coursekit.world.contract import typed

    assert STATE == "state.parquet", "the end state is written as the table 'state'"
    from coursekit.world.generate import generate

    sizes = shard_sizes(users, shard_users)
    if min(sizes) < 500:
        raise DataError(f"a shard of {min(sizes)} users is too small to be a world",
                        table="world", fix="use shards of at least 500 users")
    files = _Files(out)
    offsets: dict[str, int] = {}
    truths: list[dict] = []
    company: dict[str, pd.DataFrame] = {}
    summed: dict[str, pd.DataFrame] = {}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(sizes), desc=f"world {users:,} users in {len(sizes)} shards",
                   unit="shard")
    try:
        for k, n in enumerate(sizes):
            tables, truth, state = generate(n, shard_seed(seed, k), world=world, blocks=True,
                                            company_seed=seed)
            tables["state"] = state
            del state
            used: dict[str, int] = {}
            size = {name: table.size for name, table in tables.items()}
            order = sorted(tables, key=lambda t: (-size[t], t))  # biggest first
            for name in order:
                table = tables.pop(name)
                if name in COMPANY:
                    if k == 0:
                        company[name] = table
                    elif not table.equals(company[name]):
                        raise AssertionError(f"{name} differs between shards")
                    continue
                if name in SUMMED:
                    summed[name] = _add(summed.get(name), table, *SUMMED[name])
                    continue
                for chunk in _chunks(table):
                    chunk = shifted(typed(chunk, name) if name != "state" else chunk,
                                    name, offsets)
                    options = None
                    if name != "state" and name not in files.writers:
                        options = parquet_options(chunk)
                    files.append(name, chunk, options=options)  # "state": state.parquet
                    for space, (owner, column) in OWNERS.items():
                        if owner == name and len(chunk):
                            used[space] = max(used.get(space, 0), int(chunk[column].max()))
                    del chunk
                del table
            for space, top in used.items():  # the next shard's ids start after these
                offsets[space] = top
            truths.append(truth)
            del truth
            gc.collect()
            if bar is not None:
                bar.update(1)
        for name, frame in [*company.items(), *summed.items()]:
            files.append(name, typed(frame, name), options=parquet_options(frame))
    finally:
        files.close()
        if bar is not None:
            bar.close()
    rows = dict(files.rows)
    n_state = rows.pop("state")
    return rows, combined_truth(truths, sizes, seed), n_state


def _add(total: pd.DataFrame | None, frame: pd.DataFrame, keys: tuple[str, ...],
         amounts: tuple[str, ...]) -> pd.DataFrame:
    """``frame``'s amounts added to ``total``'s, row by row (the same keys in order)."""
    if total is None:
        return frame.copy()
    if not total[list(keys)].equals(frame[list(keys)]):
        raise AssertionError("the shards' rows differ: " + ", ".join(keys))
    out = total.copy()
    for c in amounts:
        out[c] = total[c] + frame[c]
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].round(2)
    return out


def combined_truth(truths: list[dict], sizes: list[int], seed: int) -> dict:
    """The truth of a sharded world: the first shard's, with what adds up over the
    shards added up (users, sign-ups by channel, stores and their quality, coupon
    counts, persona sizes, the spend-response curves' reference day) and a
    ``shards`` section saying so."""
    t = copy.deepcopy(truths[0])
    t["users"] = int(sum(sizes))

    def total(get) -> int | float:
        return sum(get(x) for x in truths)

    t["true_signups_by_channel"] = {
        ch: int(total(lambda x, ch=ch: x["true_signups_by_channel"].get(ch, 0)))
        for ch in sorted({c for x in truths for c in x["true_signups_by_channel"]})}
    quality, first = {}, 0
    for x in truths:
        for i, q in x["store_quality"].items():
            quality[int(i) + first] = q
        first += len(x["store_quality"])
    t["store_quality"] = quality
    if "stores" in t:
        t["stores"]["count"] = int(total(lambda x: x["stores"]["count"]))
    for name, c in t.get("coupons", {}).items():
        if isinstance(c, dict):
            for key in c:
                c[key] = round(total(lambda x, n=name, k=key: x["coupons"][n][k]), 2)
    for name, p in t.get("personas", {}).get("personas", {}).items():
        p["users"] = int(total(lambda x, n=name: x["personas"]["personas"][n]["users"]))
    for name, curve in t.get("spend_response", {}).items():
        if isinstance(curve, dict):
            for key in ("reference_spend_per_day", "reference_signups_per_day"):
                curve[key] = round(total(lambda x, n=name, k=key: x["spend_response"][n][k]),
                                   4)
    t["shards"] = dict(
        users=list(sizes),
        seeds=[shard_seed(seed, k) for k in range(len(sizes))],
        note="generated shard by shard (coursekit.world.shards): each shard a region "
        "with its own customers, stores and spend, sharing products, content and "
        "campaigns; users, sign-ups by channel, stores, store_quality (ids continued), "
        "coupon counts, persona sizes and the spend curves' reference day (the sum of "
        "the shards': the curve of the whole world when spend is split over the shards "
        "in proportion) cover the whole world; every other figure is the first shard's",
    )
    return t
