"""Benchmarks of the course company generator, and pandas against DuckDB.

Each world size is generated in its own process with the command line
(``python -m coursekit data generate ... --quiet``) into a temporary folder
under ``benchmarks/_work/`` (git-ignored, removed afterwards). For every size
the script records wall time, the child's peak resident memory, the rows of
``events`` and ``orders`` and the bytes written. On the largest world it then
times the same per-customer summary of the orders (orders, revenue, first and
last order) with pandas and with DuckDB SQL, reading the same Parquet file.

Results go to the "world" section of ``benchmarks/RESULTS.md`` (the course's
company, World 2) or the "world1" section (``--world-version 1``) with the
command that produced them.

Run from the repository root::

    python benchmarks/bench_world.py                 # 100k, 300k and 1M users
    python benchmarks/bench_world.py --quick         # small sizes, a smoke test
    python benchmarks/bench_world.py --sizes 50000 200000
    python benchmarks/bench_world.py --world-version 1   # World 1, its own section
    python benchmarks/bench_world.py --sizes 10000000 --no-duckdb --section world10m
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import HERE, RESULTS, WORK, write_section

ROOT = HERE.parent
DEFAULT_SIZES = [100_000, 300_000, 1_000_000]
QUICK_SIZES = [2_000, 6_000, 20_000]


def _child_peak_kb() -> int:
    """Largest peak RSS (kB on Linux) among the children waited for so far."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def generate_once(users: int, seed: int, out: Path, world: int = 1,
                  shard_users: int | None = None) -> dict:
    """Generate one world in a fresh process and measure it.

    Peak memory is ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` after the child
    ends: the largest peak among the children so far, so it is the peak of
    this run when runs go in increasing size, as :func:`main` does them.
    """
    cmd = [sys.executable, "-m", "coursekit", "data", "generate"]
    cmd += ["--users", str(users), "--seed", str(seed), "--out", str(out), "--quiet",
            "--world-version", str(world)]
    if shard_users is not None:
        cmd += ["--shard-users", str(shard_users)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, encoding="utf-8")
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"generation failed for {users} users:\n{proc.stderr[-2000:]}")
    peak_kb = _child_peak_kb()
    manifest = json.loads((out / "checksums.json").read_text(encoding="utf-8"))
    size = sum(f.stat().st_size for f in out.iterdir() if f.is_file())
    return dict(
        users=users,
        wall_s=wall,
        peak_gb=peak_kb * 1024 / 1e9,
        events=manifest["tables"]["events"]["rows"],
        orders=manifest["tables"]["orders"]["rows"],
        mb=size / 1e6,
    )


def _best_of(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def summary_pandas_vs_duckdb(orders_file: Path, repeat: int = 3) -> dict:
    """Per-customer summary of the orders (orders, revenue, first and last order)
    with pandas (read Parquet, group by) and DuckDB SQL on the same file.

    Both include reading the file; the best of ``repeat`` runs is kept. The two
    results are checked to agree before the times are reported.
    """
    import duckdb
    import numpy as np
    import pandas as pd

    cols = ["user_id", "order_time", "amount"]

    def with_pandas() -> pd.DataFrame:
        o = pd.read_parquet(orders_file, columns=cols)
        return o.groupby("user_id").agg(
            orders=("amount", "size"),
            revenue=("amount", "sum"),
            first_order=("order_time", "min"),
            last_order=("order_time", "max"),
        )

    sql = f"""
        SELECT user_id, count(*) AS orders, sum(amount) AS revenue,
               min(order_time) AS first_order, max(order_time) AS last_order
        FROM read_parquet('{orders_file.as_posix()}')
        GROUP BY user_id ORDER BY user_id
    """

    def with_duckdb() -> pd.DataFrame:
        con = duckdb.connect()
        try:
            return con.sql(sql).df().set_index("user_id")
        finally:
            con.close()

    def duckdb_only() -> None:
        con = duckdb.connect()
        try:
            con.execute(f"CREATE TEMP TABLE summary AS {sql}")
        finally:
            con.close()

    t_pd, res_pd = _best_of(with_pandas, repeat)
    t_db, res_db = _best_of(with_duckdb, repeat)
    t_db_only, _ = _best_of(duckdb_only, repeat)
    assert len(res_pd) == len(res_db)
    assert (res_pd["orders"].to_numpy() == res_db["orders"].to_numpy()).all()
    assert np.allclose(res_pd["revenue"].to_numpy(), res_db["revenue"].to_numpy())
    return dict(
        rows=int(res_pd["orders"].sum()),
        customers=len(res_pd),
        pandas_s=t_pd,
        duckdb_s=t_db,
        duckdb_table_s=t_db_only,
        duckdb_threads=int(duckdb.sql("SELECT current_setting('threads')").fetchone()[0]),
        duckdb_version=duckdb.__version__,
    )


def machine() -> dict:
    """CPU count and the versions that matter for these timings."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    return dict(
        cpus=os.cpu_count(),
        python=platform.python_version(),
        numpy=np.__version__,
        pandas=pd.__version__,
        pyarrow=pa.__version__,
        system=f"{platform.system()} {platform.machine()}",
    )


def write_results(rows: list[dict], cmp: dict | None, command: str, seed: int) -> str:
    """The Markdown of the "world" section of ``RESULTS.md``."""
    m = machine()
    lines = [
        "## Generating the course company",
        "",
        f"Measured {dt.date.today().isoformat()} on {m['cpus']} CPUs ({m['system']}), "
        f"Python {m['python']}, numpy {m['numpy']}, pandas {m['pandas']}, "
        f"pyarrow {m['pyarrow']}.",
        "",
        "Produced by:",
        "",
        "```bash",
        command,
        "```",
        "",
        f"`python -m coursekit data generate --users N --seed {seed} --out DIR --quiet`, "
        "one fresh process per size (wall time includes start-up, writing the Parquet "
        "files and hashing them; peak RSS of that process).",
        "",
        "| users | wall s | s per 100k users | peak RSS GB | events rows | orders rows "
        "| MB on disk |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['users']:,} | {r['wall_s']:.1f} | {r['wall_s'] / r['users'] * 1e5:.2f} "
            f"| {r['peak_gb']:.2f} | {r['events']:,} | {r['orders']:,} | {r['mb']:.0f} |"
        )
    if len(rows) >= 2:
        lo, hi = rows[0], rows[-1]
        per_lo = lo["wall_s"] / lo["users"] * 1e6
        per_hi = hi["wall_s"] / hi["users"] * 1e6
        lines += [
            "",
            f"Linearity: {per_hi:.1f} µs per user at {hi['users']:,} users against "
            f"{per_lo:.1f} µs per user at {lo['users']:,} (ratio {per_hi / per_lo:.2f}; "
            "1.00 is perfectly linear, and fixed start-up costs push small sizes above it). "
            f"Marginal cost between the two: "
            f"{(hi['wall_s'] - lo['wall_s']) / (hi['users'] - lo['users']) * 1e6:.1f} µs "
            "per extra user.",
        ]
    if cmp:
        lines += [
            "",
            "### The same work in pandas and in DuckDB",
            "",
            f"Per-customer summary of the orders of the {rows[-1]['users']:,}-user world "
            f"({cmp['rows']:,} orders, {cmp['customers']:,} customers): number of orders, "
            "revenue, first and last order time, reading the same `orders.parquet` in both "
            "(best of 3, reading included; the two results are checked to agree).",
            "",
            "| engine | seconds |",
            "| --- | ---: |",
            f"| pandas `read_parquet` + `groupby().agg()` | {cmp['pandas_s']:.3f} |",
            f"| DuckDB {cmp['duckdb_version']} SQL `GROUP BY` ({cmp['duckdb_threads']} threads) "
            f"| {cmp['duckdb_s']:.3f} |",
            f"| DuckDB, result kept as a DuckDB table (no pandas frame) "
            f"| {cmp['duckdb_table_s']:.3f} |",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and write ``RESULTS.md``; returns the exit code."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=None, help="numbers of users")
    p.add_argument("--quick", action="store_true", help=f"small sizes {QUICK_SIZES}")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-duckdb", action="store_true", help="skip the pandas/DuckDB comparison")
    p.add_argument("--world-version", type=int, choices=[1, 2], default=2,
                   help="which company (2: the course's, 1: the earlier World 1); each "
                   "writes its own section")
    p.add_argument("--shard-users", type=int, default=None, metavar="N",
                   help="generate in shards of at most N users (memory flat in users)")
    p.add_argument("--section", default=None,
                   help="the RESULTS.md section to write (default: world, or world1)")
    args = p.parse_args(argv)
    sizes = sorted(args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES))
    command = "python benchmarks/bench_world.py" + (
        " " + shlex.join(argv if argv is not None else sys.argv[1:])
        if (argv if argv is not None else sys.argv[1:])
        else ""
    )

    WORK.mkdir(parents=True, exist_ok=True)
    rows, cmp = [], None
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        for users in sizes:
            out = Path(tmp) / f"world_{users}"
            r = generate_once(users, args.seed, out, args.world_version, args.shard_users)
            rows.append(r)
            print(
                f"{users:>10,} users  {r['wall_s']:6.1f} s  {r['peak_gb']:5.2f} GB  "
                f"{r['events']:>12,} events  {r['orders']:>10,} orders  {r['mb']:7.0f} MB",
                flush=True,
            )
            if users != sizes[-1]:
                shutil.rmtree(out)
        if not args.no_duckdb:
            cmp = summary_pandas_vs_duckdb(out / "orders.parquet")
            print(
                f"per-customer summary: pandas {cmp['pandas_s']:.3f} s, "
                f"DuckDB {cmp['duckdb_s']:.3f} s",
                flush=True,
            )
    if not any(WORK.iterdir()):
        WORK.rmdir()
    section = args.section or ("world" if args.world_version == 2 else "world1")
    markdown = write_results(rows, cmp, command, args.seed)
    if args.world_version == 1:  # the same tables, for the earlier company
        markdown = markdown.replace("## Generating the course company",
                                    "## Generating World 1, the course's earlier company",
                                    1).replace("--out DIR --quiet`",
                                               "--out DIR --quiet --world-version 1`", 1)
    if args.section:  # a section of its own, e.g. the largest size alone
        markdown = markdown.replace("## Generating the course company",
                                    f"## Generating the course company at {sizes[-1]:,} users", 1)
    if args.shard_users:
        markdown = markdown.replace("--out DIR --quiet", f"--out DIR --quiet --shard-users "
                                    f"{args.shard_users}", 1).replace(
            "users\n\nMeasured", f"users, in shards of {args.shard_users:,}\n\nMeasured", 1)
    write_section(section, markdown)
    print(f"wrote the '{section}' section of {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
