"""The simulated company, Qingmu (青木): a deterministic, vectorised generator.

Examples
--------
>>> from coursekit.world import generate_world
>>> tables, truth = generate_world(users=2000, seed=1)
>>> sorted(tables)[:3]
['campaign_assignments', 'campaigns', 'channel_spend']
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

__all__ = ["DEFAULT_SEED", "DEFAULT_USERS", "generate_world", "write_world", "sha256"]


def generate_world(
    users: int = DEFAULT_USERS, seed: int = DEFAULT_SEED, *, progress: bool = False
) -> tuple[dict[str, pd.DataFrame], dict]:
    """Generate every table of the company in memory.

    Parameters
    ----------
    users
        Number of users who sign up over the two years (at least 500).
    seed
        Seed of the random streams; the same seed and size give the same world.
    progress
        Show a progress bar (tqdm) over the generator steps.

    Returns
    -------
    tables, truth
        The tables by name, and the parameters and effects that produced them.
    """
    if not isinstance(users, int) or users < 500:
        raise DataError(
            f"users must be an integer of at least 500, got {users!r}",
            table="world",
            fix="pass --users 500 or more",
        )
    from coursekit.world.generate import STEPS, generate

    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(STEPS), desc=f"world {users:,} users", unit="step")

        def tick(step: str) -> None:
            bar.set_postfix_str(step)
            bar.update(1)

        try:
            return generate(users, seed, tick)
        finally:
            bar.close()
    return generate(users, seed)


def _typed(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """The table with the dtypes of its contract (:func:`coursekit.schema.coerce`).

    The generator already builds most tables with those dtypes; they are
    passed through unchanged (coercing would only copy them), which is checked
    by coercing an empty slice and comparing the dtypes.
    """
    from coursekit.schema import coerce

    empty = coerce(df.iloc[:0], name)
    if list(df.columns) == list(empty.columns) and all(
        df[c].dtype == empty[c].dtype for c in empty.columns
    ):
        return df
    return coerce(df, name)


def write_world(
    out: Path,
    users: int = DEFAULT_USERS,
    seed: int = DEFAULT_SEED,
    *,
    fmt: str = "parquet",
    progress: bool = False,
) -> dict:
    """Generate a world and write it to ``out``: one file per table, ``truth.json``
    and ``checksums.json`` (SHA-256 and row count of every file). Returns the manifest."""
    from coursekit.data.io import write_table

    if fmt not in ("parquet", "csv"):
        raise DataError(f"unknown format {fmt!r}", table="world", fix="use csv or parquet")
    tables, truth = generate_world(users, seed, progress=progress)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    def write(name: str) -> dict:
        path = write_table(_typed(tables[name], name), out, name, fmt)
        return dict(file=path.name, rows=len(tables[name]), sha256=sha256(path))

    # Two writers at a time, biggest tables first (the Parquet encoder and the
    # hashing release the GIL); every file is written whole by one thread, so
    # the bytes do not depend on the scheduling.
    names = sorted(tables, key=lambda n: (-tables[n].size, n))
    with ThreadPoolExecutor(max_workers=2) as pool:
        written = dict(zip(names, pool.map(write, names), strict=True))
    files = {name: written[name] for name in sorted(tables)}
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
    )
    (out / MANIFEST).write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest
