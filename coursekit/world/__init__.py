"""The simulated company, Qingmu (青木): a deterministic, vectorised generator.

Examples
--------
>>> from coursekit.world import generate_world
>>> tables, truth = generate_world(users=2000, seed=1)
>>> len(tables["users"]), "orders" in tables
(2000, True)
>>> truth["bgnbd"]["r"]
0.8
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from coursekit.data.io import sha256
from coursekit.errors import DataError

DEFAULT_USERS = 20_000
DEFAULT_SEED = 2024
MANIFEST = "checksums.json"
TRUTH = "truth.json"
#: The simulator's end state, beside the tables: for simulating forward, not for analysis.
STATE = "state.parquet"

__all__ = ["DEFAULT_SEED", "DEFAULT_USERS", "STATE", "generate_world", "read_state",
           "sha256", "write_world"]


def generate_world(
    users: int = DEFAULT_USERS, seed: int = DEFAULT_SEED, *, progress: bool = False,
    with_state: bool = False, world: int = 2,
) -> tuple[dict[str, pd.DataFrame], dict] | tuple[dict[str, pd.DataFrame], dict, pd.DataFrame]:
    """Generate every table of the company in memory.

    Parameters
    ----------
    users
        Number of users who sign up over the two years (at least 500).
    seed
        Seed of the random streams; the same seed and size give the same world.
    progress
        Show a progress bar (tqdm) over the generator steps.
    with_state
        Also return the simulator's end state (see :func:`read_state`).
    world
        2 (the default), the company the course uses: one-time buyers and an
        early dropout, diminishing returns on spend, personas, order costs
        (:class:`coursekit.world.params.World2`); or 1, the simpler company the
        course used before, kept to compare with.

    Returns
    -------
    tables, truth[, state]
        The tables by name, and the parameters and effects that produced them;
        with ``with_state``, the end state too.
    """
    tables, truth, state = _generate(users, seed, progress=progress, world=world)
    return (tables, truth, state) if with_state else (tables, truth)


def _generate(users: int, seed: int, *, progress: bool, world: int, blocks: bool = False
              ) -> tuple[dict, dict, pd.DataFrame]:
    """:func:`generate_world` with the end state; with ``blocks`` the biggest tables
    stay :class:`coursekit.world.blocks.BlockTable` (for :func:`write_world`)."""
    if world not in (1, 2):
        raise DataError(f"world must be 1 or 2, got {world!r}", table="world",
                        fix="pass world=2 (the course's company) or world=1 (the earlier one)")
    if not isinstance(users, int) or users < 500:
        raise DataError(
            f"users must be an integer of at least 500, got {users!r}",
            table="world",
            fix="pass --users 500 or more",
        )
    from coursekit.world.generate import STEPS, generate

    if not progress:
        return generate(users, seed, world=world, blocks=blocks)
    from tqdm.auto import tqdm

    bar = tqdm(total=len(STEPS), desc=f"world {users:,} users", unit="step")

    def tick(step: str) -> None:
        bar.set_postfix_str(step)
        bar.update(1)

    try:
        return generate(users, seed, tick, world=world, blocks=blocks)
    finally:
        bar.close()


def write_world(
    out: Path,
    users: int = DEFAULT_USERS,
    seed: int = DEFAULT_SEED,
    *,
    fmt: str = "parquet",
    progress: bool = False,
    world: int = 2,
    shard_users: int | None = None,
) -> dict:
    """Generate a world and write it to ``out``: one file per table, ``truth.json``,
    the end state (``state.parquet``) and ``checksums.json`` (SHA-256 and row count of
    every file). Returns the manifest.

    With ``shard_users`` a world of more users is generated and written in shards of
    at most that many users, one at a time, so that memory stays that of one shard
    (Parquet only; what a sharded world differs in: :mod:`coursekit.world.shards`).
    A world no bigger than a shard is the same as without it.
    """
    from coursekit.data.io import write_table
    from coursekit.world.blocks import BlockTable, write_blocks
    from coursekit.world.contract import has_contract_dtypes, typed

    if fmt not in ("parquet", "csv"):
        raise DataError(f"unknown format {fmt!r}", table="world", fix="use csv or parquet")
    if shard_users is not None:
        if not isinstance(shard_users, int) or shard_users < 500:
            raise DataError(f"shard_users must be an integer of at least 500, got "
                            f"{shard_users!r}", table="world", fix="pass 500 or more")
        if users > shard_users:
            return _write_sharded(Path(out), users, seed, fmt=fmt, progress=progress,
                                  world=world, shard_users=shard_users)
    # The event and message logs stay compact and are written a row group at a time.
    tables, truth, state = _generate(users, seed, progress=progress, world=world, blocks=True)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    state.to_parquet(out / STATE, index=False)
    n_state = len(state)
    del state

    def write(name: str) -> dict:
        table = tables[name]
        if (isinstance(table, BlockTable) and fmt == "parquet"
                and has_contract_dtypes(table.build(0, 0), name)):
            path = write_blocks(table, out, name)  # a row group at a time
        else:  # coercing a block could depend on the rest (categories): whole
            frame = table.frame() if isinstance(table, BlockTable) else table
            path = write_table(typed(frame, name), out, name, fmt)
        return dict(file=path.name, rows=len(table), sha256=sha256(path))

    # Two writers at a time, biggest tables first (the Parquet encoder and the
    # hashing release the GIL); every file is written whole by one thread, so
    # the bytes do not depend on the scheduling. The block tables are built and
    # written in this thread, whose heap holds the memory the generation freed
    # (a second thread would take fresh memory for its blocks); the frames, built
    # already, go to the other writer.
    names = sorted(tables, key=lambda n: (-tables[n].size, n))
    frames = [n for n in names if not isinstance(tables[n], BlockTable)]
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.map(write, frames)
        written = {name: write(name) for name in names if name not in frames}
        written.update(zip(frames, pending, strict=True))
    files = {name: written[name] for name in sorted(tables)}
    return _finish(out, users, seed, fmt, world, files, truth, n_state)


def _write_sharded(out: Path, users: int, seed: int, *, fmt: str, progress: bool, world: int,
                   shard_users: int) -> dict:
    """:func:`write_world` shard by shard (:func:`coursekit.world.shards.write_shards`)."""
    from coursekit.world.shards import write_shards

    if fmt != "parquet":
        raise DataError("a world in shards is written as Parquet only", table="world",
                        fix="use --format parquet, or no shards")
    if not isinstance(users, int) or users < 500:
        raise DataError(f"users must be an integer of at least 500, got {users!r}",
                        table="world", fix="pass --users 500 or more")
    out.mkdir(parents=True, exist_ok=True)
    rows, truth, n_state = write_shards(out, users, seed, shard_users, world=world,
                                        progress=progress)
    files = {name: dict(file=f"{name}.parquet", rows=n, sha256=sha256(out / f"{name}.parquet"))
             for name, n in sorted(rows.items())}
    return _finish(out, users, seed, fmt, world, files, truth, n_state,
                   shards=truth["shards"]["users"])


def _finish(out: Path, users: int, seed: int, fmt: str, world: int, files: dict, truth: dict,
            n_state: int, *, shards: list[int] | None = None) -> dict:
    """Write ``truth.json`` and the manifest (``checksums.json``) beside the tables."""
    (out / TRUTH).write_text(
        json.dumps(truth, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n",
        encoding="utf-8",
    )
    manifest = dict(
        users=users,
        seed=seed,
        format=fmt,
        tables=files,
        truth=dict(file=TRUTH, sha256=sha256(out / TRUTH)),
        state=dict(file=STATE, rows=n_state, sha256=sha256(out / STATE)),
    )
    if world != 1:
        manifest["world"] = world
    if shards is not None:
        manifest["shards"] = shards
    (out / MANIFEST).write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest


#: What each column of the end state means (days count from the data's first day).
STATE_COLUMNS = {
    "user_id": "the user",
    "status": "prospect (signed up, will buy, has not yet), alive (a customer still "
              "buying), dropped (a customer who has stopped), never (will not buy); a "
              "customer whose only orders failed at checkout is alive or dropped with 0 "
              "orders",
    "first_purchase_day": "day of the first order, past or scheduled after the data ends",
    "dropout_day": "day the customer stopped buying of their own accord (dropped only; "
                   "orders a campaign brought may still follow)",
    "orders": "orders placed up to the end of the data",
    "last_order_day": "day of the last order",
    "purchase_rate": "orders per day while alive (lambda of the BG/NBD-type process)",
    "dropout_p": "chance of stopping after each repeat order (p)",
    "spend_rate": "rate nu of the Gamma order value (larger: smaller orders)",
    "browse": "browsing intensity (multiplier of sessions)",
    "share": "propensity to invite friends",
    "taste_<category>": "weight of each category in the customer's baskets",
    "reach_<medium>": "the medium reaches the user at the end (reachable, not unsubscribed)",
    "unsubscribed_<medium>": "the user unsubscribed from the medium",
    "message_intensity": "how much more (or less) than average the CRM writes to the user",
    "messages_last_7d": "messages received in the last 7 days of the data",
    "messages_last_28d": "messages received in the last 28 days of the data",
}


def read_state(folder: str | Path) -> pd.DataFrame:
    """The simulator's end state of the world in ``folder``, checked against its manifest.

    One row per user when the data ends: whether they still buy, their latent
    rates, reach and recent message load (:data:`STATE_COLUMNS`). It is what
    simulating forward starts from (the capstone's sandbox). It is not for
    analysis: it holds what the company cannot see.

    Raises
    ------
    DataError
        When the world has no end state (made by an older coursekit) or the
        file does not match its checksum.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = write_world(Path(tmp), users=600, seed=3)
    ...     state = read_state(tmp)
    >>> len(state), state["status"].isin(["prospect", "alive", "dropped", "never"]).all()
    (600, np.True_)
    """
    folder = Path(folder)
    try:
        man = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        entry = man["state"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise DataError(
            f"{folder} has no simulator end state ({type(err).__name__})",
            table="state",
            fix="regenerate the world with this coursekit: coursekit data generate ...",
        ) from err
    path = folder / entry["file"]
    if not path.is_file() or sha256(path) != entry["sha256"]:
        raise DataError(f"{path.name} of {folder} is missing or does not match its checksum",
                        table="state", fix="regenerate the world")
    return pd.read_parquet(path)
