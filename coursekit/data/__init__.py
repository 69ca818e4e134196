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
import stat
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from coursekit.errors import DataError
from coursekit.schema import TABLES, coerce, validate

__all__ = ["catalog", "load", "verify", "use_world", "default_dir", "world_dir", "truth"]

CDNOW = {
    "cdnow": ("cdnow/CDNOW_master.txt", ["customer_id", "date", "cds", "amount"]),
    "cdnow_sample": (
        "cdnow/CDNOW_sample.txt",
        ["original_id", "customer_id", "date", "cds", "amount"],
    ),
}
_current: Path | None = None
# Files hashed so far: absolute path -> (size, st_mtime_ns, sha256). A file whose
# size or modification time changes is hashed again on the next load.
_hashes: dict[str, tuple[int, int, str]] = {}
# Files whose content passed its table's contract: (table, path, size, st_mtime_ns).
_valid: set[tuple[str, str, int, int]] = set()


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


def _restore_fix(folder: Path, man: dict | None = None) -> str:
    """What to do about a damaged world: restore the course data, or regenerate."""
    try:
        default = folder.resolve() == default_dir().resolve()
    except OSError:
        default = False
    if default:
        return ("restore the committed files with `git checkout datasets/` or regenerate "
                "them with `make data`")
    size = f"--users {man['users']} --seed {man['seed']}" if (
        isinstance(man, dict) and "users" in man and "seed" in man) else "--users N --seed S"
    return (f"restore the files from a copy, or regenerate this world: "
            f"coursekit data generate {size} --out {folder}")


def _manifest(folder: Path) -> dict:
    """The world's ``checksums.json``, checked: JSON, with a file and a SHA-256 for
    every table and for ``truth.json``."""
    path = folder / "checksums.json"
    if not path.is_file():
        raise DataError(
            f"no data found in {folder} (checksums.json is missing)",
            table="datasets",
            fix="run `make data` in the course folder, or `git checkout datasets/`",
        )
    try:
        man = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataError(
            f"checksums.json of {folder} is damaged (not valid JSON: {err})",
            table="datasets",
            fix=_restore_fix(folder),
        ) from err
    problems = []
    tables = man.get("tables") if isinstance(man, dict) else None
    if not isinstance(tables, dict):
        problems.append("it has no 'tables' section")
        tables = {}
    truth = man.get("truth") if isinstance(man, dict) else None
    for name, entry in [*tables.items(), ("truth.json", truth)]:
        if not (isinstance(entry, dict) and isinstance(entry.get("file"), str)
                and isinstance(entry.get("sha256"), str)):
            problems.append(f"the entry of {name} has no file name or no sha256")
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        problems.append(f"it lists tables this coursekit does not know (made by a newer one?): "
                        f"{', '.join(unknown)}")
    if problems:
        raise DataError(
            f"checksums.json of {folder} is damaged: " + "; ".join(problems),
            table="datasets",
            fix=_restore_fix(folder, man if isinstance(man, dict) else None),
        )
    return man


def _cdnow_entries(folder: Path) -> list[dict]:
    """The CDNOW files and their checksums (``cdnow/checksums.json``), if the folder has them."""
    path = folder / "cdnow" / "checksums.json"
    if not path.is_file():
        return []
    try:
        listed = json.loads(path.read_text(encoding="utf-8"))
        entries = [dict(file=f"cdnow/{k}", sha256=v) for k, v in listed.items()]
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError) as err:
        raise DataError(
            f"cdnow/checksums.json of {folder} is damaged ({err})",
            table="datasets",
            fix=_restore_fix(folder),
        ) from err
    if not all(isinstance(e["sha256"], str) for e in entries):
        raise DataError(f"cdnow/checksums.json of {folder} is damaged (a checksum is not text)",
                        table="datasets", fix=_restore_fix(folder))
    return entries


def _entries(folder: Path, man: dict) -> list[dict]:
    return [*man["tables"].values(), man["truth"], *_cdnow_entries(folder)]


def _sha256(path: str, st: os.stat_result, *, fresh: bool = False) -> str:
    """The file's SHA-256; hashed again only when its size or modification time
    changed since it was last hashed (or ``fresh``)."""
    cached = _hashes.get(path)
    if not fresh and cached is not None and cached[:2] == (st.st_size, st.st_mtime_ns):
        return cached[2]
    from coursekit.data import io  # looked up at call time: tests count the hashes

    digest = io.sha256(Path(path))
    _hashes[path] = (st.st_size, st.st_mtime_ns, digest)
    return digest


def _problems(folder: Path, entries: list[dict], *, fresh: bool = False) -> list[str]:
    problems = []
    base = os.path.abspath(folder)
    for e in entries:
        path = os.path.join(base, e["file"])
        try:
            st = os.stat(path)
        except OSError:
            st = None
        if st is None or not stat.S_ISREG(st.st_mode):
            problems.append(f"{e['file']} is missing from {folder}")
        elif _sha256(path, st, fresh=fresh) != e["sha256"]:
            problems.append(f"{e['file']} does not match its checksum (changed or damaged)")
    return problems


def verify(world: str | os.PathLike | None = None) -> list[str]:
    """Check every file of a world (and the CDNOW files) against its checksum.

    Every file is hashed again, whatever :func:`load` has seen before.

    Returns
    -------
    list of str
        The problems (a damaged manifest, a missing file, a file that does
        not match its checksum), empty when all is well.

    Examples
    --------
    >>> verify()
    []
    """
    folder = world_dir(world)
    try:
        return _problems(folder, _entries(folder, _manifest(folder)), fresh=True)
    except DataError as err:
        return [str(err)]


def _ensure_verified(folder: Path, entries: list[dict], man: dict | None = None) -> None:
    """Raise if a file is missing or does not match its checksum. A file is hashed
    again only when its size or modification time changed (cache keyed on path,
    size and ``st_mtime_ns``), so repeated loads stay fast."""
    problems = _problems(folder, entries)
    if problems:
        raise DataError("; ".join(problems), table="datasets", fix=_restore_fix(folder, man))


def catalog(*, world: str | os.PathLike | None = None) -> pd.DataFrame:
    """Every table with its row count, file and one-line description."""
    folder = world_dir(world)
    man = _manifest(folder)
    rows = [
        dict(name=n, rows=e.get("rows"), file=e["file"], description=TABLES[n].description)
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
    raw = raw[raw["customer_id"].str.isdigit().fillna(False).astype(bool)]
    return pd.DataFrame(
        dict(
            customer_id=raw["customer_id"].astype("int64"),
            order_date=pd.to_datetime(raw["date"], format="%Y%m%d"),
            cds=raw["cds"].astype("int64"),
            amount=raw["amount"].astype("float64"),
        )
    ).reset_index(drop=True)


def _typed(name: str, path: Path, read: Callable[[], pd.DataFrame], *, rows: object,
           fix: Callable[[], str]) -> pd.DataFrame:
    """Read a verified file, give it its contract's dtypes and check it against the
    contract. The check runs once per state of the file (path, size, mtime):
    the same bytes give the same table."""
    st = path.stat()
    key = (name, os.path.abspath(path), st.st_size, st.st_mtime_ns)
    label = path.name if path.parent.name != "cdnow" else f"cdnow/{path.name}"
    try:
        raw = read()
    except DataError:
        raise
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as err:
        raise DataError(
            f"cannot read {label}: {str(err).splitlines()[0] if str(err) else type(err).__name__}",
            table=name,
            fix=fix(),
        ) from err
    if isinstance(rows, int) and len(raw) != rows:
        raise DataError(
            f"{label} has {len(raw):,} rows where checksums.json says {rows:,}",
            table=name,
            fix=fix(),
        )
    try:
        df = coerce(raw, name)
        if key not in _valid and len(df):
            validate(df, name, check_key=True)
    except DataError as err:
        raise DataError(
            f"{label} breaks the contract of {name}: {err.reason}",
            table=name,
            column=err.column,
            rows=err.rows,
            fix=fix(),
        ) from err
    _valid.add(key)
    return df


def load(name: str, *, world: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load one table as a typed DataFrame, checked.

    Every file of the world is checked against its SHA-256 in
    ``checksums.json`` the first time it is used and again whenever its size
    or modification time changes; the table is checked against its contract
    (:func:`coursekit.schema.validate`: columns, dtypes, keys, missing values,
    ranges) once per state of its file.

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
        For an unknown name (the message lists the valid ones), a missing,
        changed or unreadable file, a damaged ``checksums.json``, or a table
        that breaks its contract (naming the table and the column); the
        message says how to restore the data.

    Examples
    --------
    >>> orders = load("orders")
    >>> orders["order_id"].is_unique, str(orders["order_time"].dtype)
    (True, 'datetime64[s]')
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
        home = default_dir()
        rel = CDNOW[name][0]
        entries = [e for e in _cdnow_entries(home) if e["file"] == rel]
        if not entries:
            raise DataError(
                f"cdnow/checksums.json is missing from {home}, or does not list {rel}",
                table="datasets",
                fix=_restore_fix(home),
            )
        _ensure_verified(home, entries)
        return _typed(name, home / rel, lambda: _load_cdnow(home, name), rows=None,
                      fix=lambda: _restore_fix(home))
    man = _manifest(folder)
    entry = man["tables"].get(name)
    if entry is None:
        raise DataError(
            f"checksums.json of {folder} has no entry for table {name!r} (the manifest is "
            "damaged, or the world was made by an older coursekit)",
            table="datasets",
            fix=_restore_fix(folder, man),
        )
    _ensure_verified(folder, _entries(folder, man), man)
    from coursekit.data.io import read_raw

    path = folder / entry["file"]
    return _typed(name, path, lambda: read_raw(path, table=name), rows=entry.get("rows"),
                  fix=lambda: _restore_fix(folder, man))


def truth(*, world: str | os.PathLike | None = None) -> dict:
    """The parameters and effects that generated a world (its ``truth.json``)."""
    folder = world_dir(world)
    man = _manifest(folder)
    _ensure_verified(folder, _entries(folder, man), man)
    path = folder / man["truth"]["file"]
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataError(f"{path.name} is not valid JSON ({err})", table="datasets",
                        fix=_restore_fix(folder, man)) from err
