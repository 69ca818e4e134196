"""The course data: where it lives, its catalog, checksums, and typed loading.

Examples
--------
>>> import coursekit
>>> users = coursekit.load("users")
>>> users["signup_time"].dtype
dtype('<M8[s]')
>>> "orders" in set(coursekit.datasets()["name"])
True
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from coursekit.errors import DataError
from coursekit.schema import TABLES, coerce

__all__ = ["catalog", "load", "verify", "use_world", "default_dir", "world_dir", "truth"]

CDNOW = {
    "cdnow": ("cdnow/CDNOW_master.txt", ["customer_id", "date", "cds", "amount"]),
    "cdnow_sample": (
        "cdnow/CDNOW_sample.txt",
        ["original_id", "customer_id", "date", "cds", "amount"],
    ),
}
_current: Path | None = None
_verified: set[Path] = set()


def default_dir() -> Path:
    """Folder of the committed default data: ``$COURSEKIT_DATA`` or ``datasets/`` of the course."""
    env = os.environ.get("COURSEKIT_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "datasets"


def use_world(path: str | os.PathLike | None) -> None:
    """Make ``path`` the folder :func:`load` reads by default (``None``: the default data)."""
    global _current
    if path is None:
        _current = None
        return
    p = Path(path)
    if not (p / "checksums.json").is_file():
        raise DataError(
            f"{p} holds no generated world (no checksums.json)",
            table="world",
            fix="generate one: coursekit data generate --users N --seed S --out DIR",
        )
    _current = p


def world_dir(world: str | os.PathLike | None = None) -> Path:
    """The folder a call reads: ``world`` if given, else the one set by :func:`use_world`,
    else the default data."""
    if world is not None:
        return Path(world)
    return _current if _current is not None else default_dir()


def _manifest(folder: Path) -> dict:
    path = folder / "checksums.json"
    if not path.is_file():
        raise DataError(
            f"no data found in {folder} (checksums.json is missing)",
            table="datasets",
            fix="run `make data` in the course folder, or `git checkout datasets/`",
        )
    return json.loads(path.read_text(encoding="utf-8"))


def verify(world: str | os.PathLike | None = None) -> list[str]:
    """Check every file of a world (and the CDNOW files) against its checksum.

    Returns the list of problems, empty when all is well.
    """
    from coursekit.world import sha256

    folder = world_dir(world)
    problems = []
    try:
        man = _manifest(folder)
    except DataError as err:
        return [str(err)]
    entries = list(man["tables"].values()) + [man["truth"]]
    cd = folder / "cdnow" / "checksums.json"
    if cd.is_file():
        entries += [
            dict(file=f"cdnow/{k}", sha256=v)
            for k, v in json.loads(cd.read_text(encoding="utf-8")).items()
        ]
    for e in entries:
        path = folder / e["file"]
        if not path.is_file():
            problems.append(f"{e['file']} is missing from {folder}")
        elif sha256(path) != e["sha256"]:
            problems.append(f"{e['file']} does not match its checksum (changed or damaged)")
    return problems


def _ensure_verified(folder: Path) -> None:
    if folder in _verified:
        return
    problems = verify(folder)
    if problems:
        raise DataError(
            "; ".join(problems),
            table="datasets",
            fix="restore the committed files with `git checkout datasets/` or "
            "regenerate them with `make data`",
        )
    _verified.add(folder)


def catalog(*, world: str | os.PathLike | None = None) -> pd.DataFrame:
    """Every table with its row count, file and one-line description."""
    folder = world_dir(world)
    man = _manifest(folder)
    rows = [
        dict(name=n, rows=e["rows"], file=e["file"], description=TABLES[n].description)
        for n, e in man["tables"].items()
    ]
    for n in CDNOW:
        f = default_dir() / CDNOW[n][0]
        if f.is_file():
            with open(f, encoding="utf-8") as fh:
                count = sum(1 for line in fh if line.strip() and line.split()[0].isdigit())
            rows.append(
                dict(name=n, rows=count, file=CDNOW[n][0], description=TABLES[n].description)
            )
    return pd.DataFrame(rows)


def _load_cdnow(folder: Path, name: str) -> pd.DataFrame:
    rel, cols = CDNOW[name]
    raw = pd.read_csv(
        folder / rel, sep=r"\s+", header=None, names=cols, dtype=str, comment=None, encoding="utf-8"
    )
    raw = raw[raw["customer_id"].str.isdigit()]
    df = pd.DataFrame(
        dict(
            customer_id=raw["customer_id"].astype("int64"),
            order_date=pd.to_datetime(raw["date"], format="%Y%m%d"),
            cds=raw["cds"].astype("int64"),
            amount=raw["amount"].astype("float64"),
        )
    )
    return coerce(df.reset_index(drop=True), name)


def load(name: str, *, world: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load one table as a typed DataFrame.

    Parameters
    ----------
    name
        A table name from :func:`catalog` (``"users"``, ``"orders"``, ``"cdnow"`` ...).
    world
        Folder of a generated world; default: the world set by
        :func:`coursekit.use_world`, else the committed default data.

    Returns
    -------
    pandas.DataFrame
        Dates parsed, labels as categories, integer ids; columns as documented
        in ``datasets/README.md``.

    Raises
    ------
    DataError
        For an unknown name (the message lists the valid ones), or a missing
        or damaged file (the message says how to restore it).
    """
    folder = world_dir(world)
    valid = sorted(n for n in TABLES)
    if name not in TABLES:
        raise DataError(
            f"no table called {name!r}; valid names: {', '.join(valid)}",
            table="datasets",
            fix="check the spelling, or run `coursekit datasets`",
        )
    if name in CDNOW:
        # Real data, the same whichever world is in use: it stays with the course.
        _ensure_verified(default_dir())
        return _load_cdnow(default_dir(), name)
    _ensure_verified(folder)
    from coursekit.data.io import read_raw

    entry = _manifest(folder)["tables"].get(name)
    if entry is None:
        raise DataError(
            f"this world has no table {name!r}",
            table="datasets",
            fix="regenerate the world with the current coursekit",
        )
    return coerce(read_raw(folder / entry["file"]), name)


def truth(*, world: str | os.PathLike | None = None) -> dict:
    """The parameters and effects that generated a world (its ``truth.json``)."""
    folder = world_dir(world)
    _ensure_verified(folder)
    return json.loads((folder / "truth.json").read_text(encoding="utf-8"))
