"""coursekit.segments.rfm on 10 million orders against DuckDB SQL doing the same work.

Measures, on the synthetic order log of ``_common.orders_parquet`` (columns
``customer_id``, ``order_time``, ``amount``; 10 million orders of 1 million
customers by default):

- ``rfm(orders)``: per customer the recency in calendar days (to midnight
  after the last day of the data), the number of orders, the total amount
  (rounded to 6 decimals), the high/low flags against the mean of each, and
  the segment;
- DuckDB SQL computing the same recency, frequency, monetary and the three
  flags, written two ways (the means in a window ``avg() OVER ()``; the means
  in a one-row subquery joined on), the faster of the two reported for each
  source;
- once on data already in memory (the pandas frame; a DuckDB table; DuckDB
  scanning the pandas frame) and once including the read of the same Parquet
  file (``pd.read_parquet`` then ``rfm``; DuckDB's ``read_parquet``).

The two engines' results are checked to agree exactly (recency, frequency,
monetary and the flags, customer by customer) before any time is reported.
Best of ``--repeat`` runs each. Writes the section "rfm" of
``benchmarks/RESULTS.md``.

Run from the repository root::

    python benchmarks/bench_rfm.py
    python benchmarks/bench_rfm.py --orders 1000000 --customers 100000 --no-write   # quick
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

from coursekit.segments import rfm  # noqa: E402

GOAL = 1.5  # rfm() may take at most this many times DuckDB's time

_PER = """
WITH per AS (
    SELECT customer_id, max(order_time) AS last_order, count(*) AS frequency,
           round(sum(amount), 6) AS monetary
    FROM {src}
    GROUP BY customer_id),
r AS (
    SELECT customer_id,
           date_diff('day', CAST(last_order AS DATE),
                     (SELECT CAST(max(last_order) AS DATE) + 1 FROM per)) AS recency_days,
           frequency, monetary
    FROM per)
"""

RFM_SQL = {
    "window means": _PER + """
SELECT customer_id, recency_days, frequency, monetary,
       CAST(recency_days < avg(recency_days) OVER () AS INTEGER) AS r_score,
       CAST(frequency > avg(frequency) OVER () AS INTEGER) AS f_score,
       CAST(monetary > avg(monetary) OVER () AS INTEGER) AS m_score
FROM r
""",
    "joined means": _PER + """
, a AS (SELECT avg(recency_days) AS ar, avg(frequency) AS af, avg(monetary) AS am FROM r)
SELECT customer_id, recency_days, frequency, monetary,
       CAST(recency_days < a.ar AS INTEGER) AS r_score,
       CAST(frequency > a.af AS INTEGER) AS f_score,
       CAST(monetary > a.am AS INTEGER) AS m_score
FROM r CROSS JOIN a
""",
}

_COMPARED = ["recency_days", "frequency", "monetary", "r_score", "f_score", "m_score"]


def check(ours: pd.DataFrame, sql: pd.DataFrame) -> None:
    """Customer by customer, every compared column equal (no tolerance)."""
    sql = sql.sort_values("customer_id")
    assert len(ours) == len(sql), (len(ours), len(sql))
    assert np.array_equal(ours.index.to_numpy(), sql["customer_id"].to_numpy())
    for col in _COMPARED:
        mine, theirs = ours[col].to_numpy(), sql[col].to_numpy()
        same = mine == theirs
        assert same.all(), (col, int((~same).sum()), mine[~same][:3], theirs[~same][:3])


def main(argv: list[str] | None = None) -> int:
    args, command = _common.order_log_arguments('bench_rfm.py', __doc__.split("\n\n")[0], argv)
    path, frame, con, threads = _common.order_log_in_duckdb(args.orders, args.customers)
    parquet = f"read_parquet('{path.as_posix()}')"

    times: dict[str, float] = {}
    chosen: dict[str, str] = {}

    def timed(name: str, fn):
        t, result = _common.best_of(fn, args.repeat)
        times[name] = t
        print(f"{name:<28} {t:7.3f} s", flush=True)
        return result

    def duck(name: str, src: str) -> None:
        """Time every formulation, check each, keep the fastest under ``name``."""
        best = None
        for label, query in RFM_SQL.items():
            t, result = _common.best_of(lambda q=query: con.sql(q.format(src=src)).df(),
                                        args.repeat)
            check(ours, result)
            print(f"  {name} [{label}] {t:7.3f} s", flush=True)
            if best is None or t < best[0]:
                best = (t, label)
        times[name], chosen[name] = best
        print(f"{name:<28} {best[0]:7.3f} s", flush=True)

    timed("read_parquet", lambda: pd.read_parquet(path))
    ours = timed("rfm", lambda: rfm(frame, customer="customer_id"))
    timed("rfm_read", lambda: rfm(pd.read_parquet(path), customer="customer_id"))
    duck("duck_table", "orders")
    duck("duck_frame", "orders_frame")
    duck("duck_parquet", parquet)
    con.close()

    r_mem = times["rfm"] / times["duck_table"]
    r_read = times["rfm_read"] / times["duck_parquet"]
    print(f"rfm / DuckDB: {r_mem:.2f} in memory, {r_read:.2f} including the read "
          f"(goal <= {GOAL})")

    n, c = len(frame), len(ours)
    cut = ours[["recency_days", "frequency", "monetary"]].mean().to_dict()  # the thresholds
    shares = ours["segment_en"].value_counts(normalize=True, sort=False)
    lines = [
        "## RFM: `coursekit.segments.rfm` against DuckDB",
        *_common.produced_by(command),
        f"Synthetic order log of `_common.orders_parquet({n:_}, {args.customers:_})`: {n:,} "
        f"orders of {c:,} customers over two years. `rfm(orders)`: per customer the recency "
        "in calendar days to midnight after the last day of the data, the number of orders, "
        "the total amount (rounded to 6 decimals), the high/low flags against the mean of "
        "each (R high when the recency is below the mean; F and M high when above), and the "
        "segment; against DuckDB SQL computing the same recency, frequency, monetary and "
        "flags. The two results are checked to agree exactly, customer by customer, before "
        f"timing. Best of {args.repeat} runs; DuckDB {duckdb.__version__} on {threads} "
        "threads, coursekit on one. The SQL is written two ways (means in a window; means in "
        "a joined one-row subquery) and the faster is reported for each source: "
        + "; ".join(f"{k.removeprefix('duck_')}: {v}" for k, v in chosen.items())
        + ".",
        "",
        "| work | in memory, s | including the Parquet read, s |",
        "| --- | ---: | ---: |",
        f"| `pd.read_parquet` alone | | {times['read_parquet']:.3f} |",
        f"| `coursekit.segments.rfm` | {times['rfm']:.3f} | {times['rfm_read']:.3f} |",
        f"| DuckDB SQL, same columns (DuckDB table / Parquet file) "
        f"| {times['duck_table']:.3f} | {times['duck_parquet']:.3f} |",
        f"| DuckDB SQL, same, scanning the pandas frame | {times['duck_frame']:.3f} | |",
        f"| **ratio rfm / DuckDB** | **{r_mem:.2f}** | **{r_read:.2f}** |",
        "",
        f"Goal: `rfm()` within {GOAL}x DuckDB's time: "
        + ("met" if max(r_mem, r_read) <= GOAL else "NOT met")
        + f" ({r_mem:.2f}x in memory, {r_read:.2f}x including the read). Means used: "
        f"recency {cut['recency_days']:.2f} days, frequency {cut['frequency']:.2f} orders, "
        f"monetary {cut['monetary']:.2f}; segment shares: "
        + ", ".join(f"{k} {v:.1%}" for k, v in shares.items())
        + ". How: compact integer ids are used as array slots directly (id minus the "
        "smallest id: no hashing, no factorize, no remapping gather), frequency and monetary "
        "by `np.bincount`, the last order by `np.maximum.at` on int64 times, calendar days "
        "only for the 1 million per-customer values, the segment as a categorical built "
        "from codes; no pandas groupby on the 10 million rows. The first version (ids "
        "factorized into codes 0..n-1 through a remapping table) took about twice as long.",
    ]
    if not args.no_write:
        _common.write_section("rfm", "\n".join(lines))
        print(f"wrote the rfm section of {_common.RESULTS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
