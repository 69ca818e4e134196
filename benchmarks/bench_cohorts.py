"""coursekit.cohorts on 10 million orders against DuckDB SQL doing the same work.

Measures, on the synthetic order log of ``_common.orders_parquet`` (columns
``customer_id``, ``order_time``, ``amount``; 10 million orders of 1 million
customers by default):

- ``retention(orders)`` (monthly cohorts by first-order month, distinct
  customers per cohort and months since first order) against a DuckDB query
  computing the same counts, once on data already in memory (a pandas frame;
  a DuckDB table) and once including the read of the same Parquet file;
- ``ltv_curves(orders)`` (cumulative revenue per customer of each cohort)
  against its DuckDB equivalent, the same way;
- ``pd.read_parquet`` alone.

Both engines' results are checked to agree (counts exactly, money to 1e-9
relative) before any time is reported. Best of ``--repeat`` runs each. Writes
the section "cohorts" of ``benchmarks/RESULTS.md``.

Run from the repository root::

    python benchmarks/bench_cohorts.py
    python benchmarks/bench_cohorts.py --orders 1000000 --customers 100000   # quick
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

from coursekit.cohorts import ltv_curves, retention  # noqa: E402

GOAL = 1.5  # retention() may take at most this many times DuckDB's time

# Months since 1970-01 (the pandas Period ordinal of a month), per order.
_MONTHS = "(year(order_time) - 1970) * 12 + month(order_time) - 1"

# Two formulations of the same counts; the faster one on each source is reported.
RETENTION_SQL = {
    "integer months": f"""
WITH a AS (SELECT DISTINCT customer_id, {_MONTHS} AS m FROM {{src}}),
f AS (SELECT customer_id, min(m) AS cohort FROM a GROUP BY customer_id)
SELECT f.cohort, a.m - f.cohort AS k, count(*) AS customers
FROM a JOIN f USING (customer_id)
GROUP BY ALL
ORDER BY 1, 2
""",
    "date_trunc + datediff": """
WITH a AS (SELECT DISTINCT customer_id, date_trunc('month', order_time) AS m FROM {src}),
f AS (SELECT customer_id, min(m) AS cohort FROM a GROUP BY customer_id)
SELECT (year(f.cohort) - 1970) * 12 + month(f.cohort) - 1 AS cohort,
       datediff('month', f.cohort, a.m) AS k, count(*) AS customers
FROM a JOIN f USING (customer_id)
GROUP BY f.cohort, k
ORDER BY 1, 2
""",
}

LTV_SQL = f"""
WITH o AS (SELECT customer_id, {_MONTHS} AS m, amount FROM {{src}}),
f AS (SELECT customer_id, min(m) AS cohort FROM o GROUP BY customer_id),
s AS (SELECT cohort, count(*) AS size FROM f GROUP BY cohort),
r AS (SELECT f.cohort, o.m - f.cohort AS k, sum(o.amount) AS revenue
      FROM o JOIN f USING (customer_id) GROUP BY ALL)
SELECT r.cohort, r.k,
       sum(r.revenue) OVER (PARTITION BY r.cohort ORDER BY r.k) / s.size AS ltv
FROM r JOIN s USING (cohort)
ORDER BY 1, 2
"""


def _long(table: pd.DataFrame) -> pd.DataFrame:
    """A cohort table as (cohort ordinal, k, value) rows, without NaN cells."""
    stacked = table.stack().dropna()
    cohort = stacked.index.get_level_values(0)
    return pd.DataFrame({
        "cohort": cohort.asi8 if hasattr(cohort, "asi8") else pd.PeriodIndex(cohort).asi8,
        "k": stacked.index.get_level_values(1).astype(np.int64),
        "value": stacked.to_numpy(),
    })


def check_retention(ours: pd.DataFrame, sql: pd.DataFrame) -> None:
    mine = _long(ours)
    mine = mine[mine["value"] > 0].reset_index(drop=True)
    sql = sql.sort_values(["cohort", "k"]).reset_index(drop=True)
    assert len(mine) == len(sql), (len(mine), len(sql))
    assert (mine["cohort"].to_numpy() == sql["cohort"].to_numpy()).all()
    assert (mine["k"].to_numpy() == sql["k"].to_numpy()).all()
    assert (mine["value"].to_numpy() == sql["customers"].to_numpy()).all()


def check_ltv(ours: pd.DataFrame, sql: pd.DataFrame) -> None:
    """DuckDB has a row only where a cohort had revenue; fill the gaps forward."""
    sql = sql.copy()
    sql["cohort"] = pd.PeriodIndex.from_ordinals(sql["cohort"].to_numpy(), freq="M")
    wide = sql.pivot(index="cohort", columns="k", values="ltv")
    wide = wide.reindex(index=ours.index, columns=ours.columns).ffill(axis=1)
    wide = wide.where(ours.notna())
    np.testing.assert_allclose(wide.to_numpy(), ours.to_numpy(), rtol=1e-9, equal_nan=True)


def main(argv: list[str] | None = None) -> int:
    args, command = _common.order_log_arguments('bench_cohorts.py', __doc__.split("\n\n")[0], argv)
    path, frame, con, threads = _common.order_log_in_duckdb(args.orders, args.customers)
    parquet = f"read_parquet('{path.as_posix()}')"

    def sql(query: str, src: str):
        return lambda: con.sql(query.format(src=src)).df()

    def duck_retention(name: str, src: str) -> None:
        """Time every formulation, check each, keep the fastest under ``name``."""
        best = None
        for label, query in RETENTION_SQL.items():
            t, result = _common.best_of(sql(query, src), args.repeat)
            check_retention(counts, result)
            print(f"  {name} [{label}] {t:7.3f} s", flush=True)
            if best is None or t < best[0]:
                best = (t, label)
        times[name], chosen[name] = best
        print(f"{name:<34} {best[0]:7.3f} s", flush=True)

    times: dict[str, float] = {}
    chosen: dict[str, str] = {}

    def timed(name: str, fn):
        t, result = _common.best_of(fn, args.repeat)
        times[name] = t
        print(f"{name:<34} {t:7.3f} s", flush=True)
        return result

    timed("read_parquet", lambda: pd.read_parquet(path))
    ours = timed("retention", lambda: retention(frame, customer="customer_id"))
    counts = retention(frame, customer="customer_id", counts=True)
    timed("retention_read", lambda: retention(pd.read_parquet(path), customer="customer_id"))
    duck_retention("duck_retention_table", "orders")
    duck_retention("duck_retention_frame", "orders_frame")
    duck_retention("duck_retention_parquet", parquet)
    assert (ours[0] == 1).all()

    ltv = timed("ltv", lambda: ltv_curves(frame, customer="customer_id"))
    timed("ltv_read", lambda: ltv_curves(pd.read_parquet(path), customer="customer_id"))
    check_ltv(ltv, timed("duck_ltv_table", sql(LTV_SQL, "orders")))
    check_ltv(ltv, timed("duck_ltv_parquet", sql(LTV_SQL, parquet)))
    con.close()

    r_mem = times["retention"] / times["duck_retention_table"]
    r_read = times["retention_read"] / times["duck_retention_parquet"]
    l_mem = times["ltv"] / times["duck_ltv_table"]
    l_read = times["ltv_read"] / times["duck_ltv_parquet"]
    print(f"retention / DuckDB: {r_mem:.2f} in memory, {r_read:.2f} including the read "
          f"(goal <= {GOAL})")

    n, c = len(frame), frame["customer_id"].nunique()
    lines = [
        "## Cohorts: `coursekit.cohorts` against DuckDB",
        *_common.produced_by(command),
        f"Synthetic order log of `_common.orders_parquet({n:_}, {c:_})`: {n:,} orders of "
        f"{c:,} customers over two years. Monthly cohorts by first-order month: "
        f"`retention(orders)` (share of each cohort active k months later; "
        f"{ours.shape[0]} cohorts x {ours.shape[1]} months) and `ltv_curves(orders)` "
        "(cumulative revenue per customer), against DuckDB SQL computing the same cells "
        "(distinct customers per cohort and months since first order; cumulative revenue "
        "per cohort customer). The results of both engines are checked to agree (counts "
        f"exactly, money to 1e-9) before timing. Best of {args.repeat} runs; DuckDB "
        f"{duckdb.__version__} on {threads} threads, coursekit on one. DuckDB's retention "
        "query is written two ways (months as integers; `date_trunc` + `datediff`) and the "
        "faster is reported for each source: "
        + "; ".join(f"{k.removeprefix('duck_retention_')}: {v}" for k, v in chosen.items())
        + ".",
        "",
        "| work | in memory, s | including the Parquet read, s |",
        "| --- | ---: | ---: |",
        f"| `pd.read_parquet` alone | | {times['read_parquet']:.3f} |",
        f"| `coursekit.cohorts.retention` | {times['retention']:.3f} "
        f"| {times['retention_read']:.3f} |",
        f"| DuckDB SQL, cohort x months counts (DuckDB table / Parquet file) "
        f"| {times['duck_retention_table']:.3f} | {times['duck_retention_parquet']:.3f} |",
        f"| DuckDB SQL, same, scanning the pandas frame "
        f"| {times['duck_retention_frame']:.3f} | |",
        f"| **ratio retention / DuckDB** | **{r_mem:.2f}** | **{r_read:.2f}** |",
        f"| `coursekit.cohorts.ltv_curves` | {times['ltv']:.3f} | {times['ltv_read']:.3f} |",
        f"| DuckDB SQL, cumulative revenue per cohort customer "
        f"| {times['duck_ltv_table']:.3f} | {times['duck_ltv_parquet']:.3f} |",
        f"| **ratio ltv_curves / DuckDB** | **{l_mem:.2f}** | **{l_read:.2f}** |",
        "",
        f"Goal: `retention()` within {GOAL}x DuckDB's time: "
        + ("met" if max(r_mem, r_read) <= GOAL else "NOT met")
        + f" ({r_mem:.2f}x in memory, {r_read:.2f}x including the read). How: customers "
        "and months become integer codes (ids by offset when they are compact integers, "
        "months from whole days through a lookup table), first months by "
        "`np.minimum.at`, and distinct (customer, month) pairs by a bitmap, counted with "
        "`np.bincount`; no Period objects and no pandas groupby on the 10 million rows.",
    ]
    if not args.no_write:
        _common.write_section("cohorts", "\n".join(lines))
        print(f"wrote the cohorts section of {_common.RESULTS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
