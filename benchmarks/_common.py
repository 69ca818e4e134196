"""Shared pieces of the benchmarks: a large synthetic order log, timing, and
writing one section of RESULTS.md without touching the others.

Each benchmark script owns one section of ``RESULTS.md``, delimited by
``<!-- BEGIN name -->`` and ``<!-- END name -->``; re-running a script
replaces its section only.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
RESULTS = HERE / "RESULTS.md"


def orders_log(n_orders: int = 10_000_000, n_customers: int = 1_000_000,
               seed: int = 1) -> pd.DataFrame:
    """A synthetic order log: ``customer_id``, ``order_time``, ``amount``.

    Customers' order counts are heavy-tailed (every customer has at least one
    order), times spread over two years, amounts log-normal in yuan. Made with
    a seeded numpy Generator, so the same arguments give the same frame.
    """
    rng = np.random.default_rng(seed)
    weight = rng.gamma(0.6, 1.0, n_customers)
    extra = rng.multinomial(n_orders - n_customers, weight / weight.sum())
    customer = np.repeat(np.arange(1, n_customers + 1, dtype=np.int64), extra + 1)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    seconds = rng.integers(0, 730 * 86_400, n_orders)
    order_time = start + seconds.astype("timedelta64[s]")
    amount = np.round(rng.lognormal(4.5, 0.7, n_orders), 1)
    order = np.argsort(order_time, kind="stable")
    return pd.DataFrame({
        "customer_id": customer[order],
        "order_time": order_time[order],
        "amount": amount[order],
    })


def orders_parquet(n_orders: int, n_customers: int, seed: int = 1) -> tuple[Path, pd.DataFrame]:
    """The log of :func:`orders_log`, also written to ``_work/`` as Parquet for DuckDB."""
    frame = orders_log(n_orders, n_customers, seed)
    WORK.mkdir(exist_ok=True)
    path = WORK / f"orders_{n_orders}_{n_customers}_{seed}.parquet"
    if not path.exists():
        frame.to_parquet(path, index=False, row_group_size=1_000_000)
    return path, frame


def best_of(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """Smallest wall time of ``repeat`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def machine() -> str:
    """One line describing where and with what the figures were measured."""
    import duckdb
    import pyarrow

    return (
        f"Measured {dt.date.today():%Y-%m-%d} on {os.cpu_count()} CPUs "
        f"({platform.system()} {platform.machine()}), Python {platform.python_version()}, "
        f"numpy {np.__version__}, pandas {pd.__version__}, pyarrow {pyarrow.__version__}, "
        f"DuckDB {duckdb.__version__}."
    )


def produced_by(command: str) -> list[str]:
    """The lines under a section's title: the machine, then the command that wrote it."""
    return ["", machine(), "", "Produced by:", "", "```bash", command, "```", ""]


def write_section(name: str, markdown: str) -> None:
    """Replace (or append) the section ``name`` of RESULTS.md with ``markdown``."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    block = f"{begin}\n{markdown.strip()}\n{end}"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def command_line(script: str, argv: list[str] | None) -> str:
    """The command that ran ``script``, as RESULTS.md records it (``argv`` None: this process's)."""
    import shlex
    import sys

    argv = sys.argv[1:] if argv is None else argv
    return f"python benchmarks/{script}" + (" " + shlex.join(argv) if argv else "")


def order_log_arguments(script: str, description: str, argv: list[str] | None):
    """The arguments every order-log benchmark takes, and the command that ran it."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    return parser.parse_args(argv), command_line(script, argv)


def order_log_in_duckdb(n_orders: int, n_customers: int):
    """The synthetic log as a pandas frame, a Parquet file and a DuckDB table ``orders``
    (the frame also registered as ``orders_frame``); returns path, frame, connection, threads."""
    import duckdb

    t0 = time.perf_counter()
    path, frame = orders_parquet(n_orders, n_customers)
    print(f"data: {len(frame):,} orders, {frame['customer_id'].nunique():,} customers "
          f"({time.perf_counter() - t0:.1f} s to make)", flush=True)
    con = duckdb.connect()
    con.execute(f"CREATE TABLE orders AS SELECT * FROM read_parquet('{path.as_posix()}')")
    con.register("orders_frame", frame)
    threads = int(con.sql("SELECT current_setting('threads')").fetchone()[0])
    return path, frame, con, threads
