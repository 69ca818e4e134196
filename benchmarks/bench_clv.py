"""BG/NBD and Gamma-Gamma at scale: the customer-base summary, in coursekit and in DuckDB,
and the two fits on a million customers.

Three measurements, written to the ``clv`` section of ``RESULTS.md``:

1. ``coursekit.clv.summary`` on the synthetic log of ``_common.orders_log``
   (10 million orders, 1 million customers; calibration to 2025-06-30, hold-out
   to 2025-12-31, time in days), from the frame in memory and from the Parquet
   file, against DuckDB SQL computing the same columns from the same Parquet
   file; the two results are checked to agree.
2. ``BetaGeo().fit`` and ``GammaGamma().fit`` on 1 million customers drawn
   from the BG/NBD and Gamma-Gamma processes themselves (seeded numpy
   Generator, the course company's true parameters, continuous times so that
   no two rows are alike), with the recovered parameters beside the truth.
3. The same two fits on the summary of step 1 (whole days, so many identical
   rows); that log is not a BG/NBD process (nobody drops out), so only its
   timing is of interest.

Run from the repository root::

    python benchmarks/bench_clv.py            # the full sizes (about a minute)
    python benchmarks/bench_clv.py --quick    # 100k orders, 10k customers: a smoke test
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import _common
import numpy as np
import pandas as pd

from coursekit import clv

CAL, OBS = "2025-06-30", "2025-12-31"  # last days of calibration and hold-out, included
ASOF, HOLDOUT_END = "2025-07-01", "2026-01-01"  # the same periods as coursekit's exclusive ends
TRUTH_BG = dict(r=0.8, alpha=30.0, a=0.75, b=3.0)  # days, as in datasets/truth.json
TRUTH_GG = dict(p=6.0, q=4.0, v=45.0)


def duckdb_summary(path) -> pd.DataFrame:
    """The columns of ``clv.summary`` in DuckDB SQL, from the Parquet file."""
    import duckdb

    sql = f"""
        WITH days AS (
            SELECT customer_id, CAST(order_time AS DATE) AS day, sum(amount) AS value
            FROM read_parquet('{path.as_posix()}')
            WHERE CAST(order_time AS DATE) <= DATE '{OBS}'
            GROUP BY ALL
        ), per AS (
            SELECT customer_id,
                   min(day) AS first_day,
                   count(*) FILTER (WHERE day <= DATE '{CAL}') AS n_cal,
                   max(day) FILTER (WHERE day <= DATE '{CAL}') AS last_day,
                   sum(value) FILTER (WHERE day <= DATE '{CAL}') AS cal_value,
                   arg_min(value, day) AS first_value,
                   count(*) FILTER (WHERE day > DATE '{CAL}') AS frequency_holdout
            FROM days
            GROUP BY customer_id
        )
        SELECT customer_id,
               n_cal - 1 AS frequency,
               CAST(last_day - first_day AS DOUBLE) AS recency,
               CAST(DATE '{CAL}' - first_day AS DOUBLE) AS "T",
               CASE WHEN n_cal > 1 THEN (cal_value - first_value) / (n_cal - 1) ELSE 0 END
                   AS monetary_value,
               frequency_holdout,
               CAST(DATE '{OBS}' - DATE '{CAL}' AS DOUBLE) AS duration_holdout
        FROM per
        WHERE first_day <= DATE '{CAL}'
        ORDER BY customer_id
    """
    con = duckdb.connect()
    try:
        return con.sql(sql).df().set_index("customer_id")
    finally:
        con.close()


def check_agree(ours: pd.DataFrame, sql: pd.DataFrame) -> None:
    """Same customers, same counts and times; money equal to rounding."""
    assert ours.index.equals(pd.Index(sql.index)), "different customers"
    for col in ("frequency", "frequency_holdout"):
        assert (ours[col].to_numpy() == sql[col].to_numpy()).all(), col
    for col in ("recency", "T", "duration_holdout"):
        assert np.array_equal(ours[col].to_numpy(), sql[col].to_numpy()), col
    assert np.allclose(ours["monetary_value"].to_numpy(), sql["monetary_value"].to_numpy(),
                       rtol=1e-9, atol=1e-6), "monetary_value"


def simulate(n: int, seed: int) -> pd.DataFrame:
    """frequency, recency, T, monetary_value of ``n`` customers from BG/NBD + Gamma-Gamma.

    First purchases uniform over two years (T in days); while alive a Poisson
    process of rate lambda ~ Gamma(r, alpha); dropout after the K-th repeat
    purchase, K ~ Geometric(p), p ~ Beta(a, b). With N(T) = m purchases of the
    always-alive process, x = min(m, K) and t_x = T * Beta(x, m - x + 1) (the
    x-th of m uniform times). Mean repeat value: Gamma(p x, nu x), nu ~ Gamma(q, v).
    """
    rng = np.random.default_rng(seed)
    T = rng.uniform(0.0, 730.0, n)
    lam = rng.gamma(TRUTH_BG["r"], 1 / TRUTH_BG["alpha"], n)
    drop = rng.beta(TRUTH_BG["a"], TRUTH_BG["b"], n)
    m = rng.poisson(lam * T)
    x = np.minimum(m, rng.geometric(drop))
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), m - x + 1), 0.0)
    nu = rng.gamma(TRUTH_GG["q"], 1 / TRUTH_GG["v"], n)
    x1 = np.maximum(x, 1)
    value = np.where(x > 0, rng.gamma(TRUTH_GG["p"] * x1, 1 / (nu * x1)), 0.0)
    return pd.DataFrame({"frequency": x, "recency": tx, "T": T, "monetary_value": value})


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="100k orders, 10k customers")
    p.add_argument("--repeat", type=int, default=3, help="best of this many runs (summaries)")
    p.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    args = p.parse_args(argv)
    n_orders, n_customers = (100_000, 10_000) if args.quick else (10_000_000, 1_000_000)
    command = _common.command_line("bench_clv.py", argv)

    t_log, (path, frame) = timed(lambda: _common.orders_parquet(n_orders, n_customers))
    print(f"order log: {len(frame):,} orders, {frame['customer_id'].nunique():,} customers "
          f"({t_log:.1f} s to make)", flush=True)
    kw = dict(customer="customer_id", asof=ASOF, holdout_end=HOLDOUT_END, per="D")

    t_sum, ours = _common.best_of(lambda: clv.summary(frame, **kw), args.repeat)
    t_sum_pq, _ = _common.best_of(lambda: clv.summary(pd.read_parquet(path), **kw), args.repeat)
    t_sql, sql = _common.best_of(lambda: duckdb_summary(path), args.repeat)
    check_agree(ours, sql)
    print(f"summary of {len(ours):,} customers: coursekit {t_sum:.2f} s (frame), "
          f"{t_sum_pq:.2f} s (Parquet); DuckDB {t_sql:.2f} s; results agree", flush=True)

    sim = simulate(n_customers, seed=1)
    t_bg, bg = timed(lambda: clv.BetaGeo().fit(sim))
    t_gg, gg = timed(lambda: clv.GammaGamma().fit(sim))
    print(f"simulated {len(sim):,}: BG/NBD fit {t_bg:.2f} s {bg}; "
          f"Gamma-Gamma fit {t_gg:.2f} s {gg}", flush=True)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t_bg_log, bg_log = timed(lambda: clv.BetaGeo().fit(ours))
        t_gg_log, gg_log = timed(lambda: clv.GammaGamma().fit(ours))
    notes = sorted({str(w.message).split(";")[0] for w in caught})
    print(f"order-log summary: BG/NBD fit {t_bg_log:.2f} s {bg_log}; Gamma-Gamma fit "
          f"{t_gg_log:.2f} s {gg_log}" + (f"; warnings: {notes}" if notes else ""), flush=True)

    n_distinct = len(ours[["frequency", "recency", "T"]].drop_duplicates())
    rows = [
        ("`clv.summary` on the order log in memory (pandas/numpy)", t_sum),
        ("`clv.summary` including `pd.read_parquet`", t_sum_pq),
        ("DuckDB SQL, same columns from the Parquet file, to a pandas frame", t_sql),
        (f"`BetaGeo().fit`, {len(sim):,} simulated customers (all rows distinct)", t_bg),
        (f"`GammaGamma().fit`, the {int((sim['frequency'] > 0).sum()):,} simulated repeat "
         "customers", t_gg),
        (f"`BetaGeo().fit`, the order log's {len(ours):,} customers "
         f"({n_distinct:,} distinct rows)", t_bg_log),
        (f"`GammaGamma().fit`, the order log's {int((ours['frequency'] > 0).sum()):,} repeat "
         "customers", t_gg_log),
    ]
    truth = {**TRUTH_BG, **TRUTH_GG}
    fitted = {**bg.params_, **gg.params_}
    lines = [
        "## CLV: customer-base summary and BG/NBD / Gamma-Gamma fits",
        *_common.produced_by(command),
        f"Order log: `_common.orders_log({n_orders:_}, {n_customers:_})` "
        f"({len(frame):,} orders); summary with calibration to {CAL} and hold-out to {OBS}, "
        f"time in days ({len(ours):,} customers with a first purchase by {CAL}). Summaries: "
        f"best of {args.repeat}; the coursekit and DuckDB summaries are checked to agree "
        "(counts and days exactly, money to 1e-9). Fits: one run each, on summaries "
        "already in memory.",
        "",
        "| step | seconds |",
        "| --- | ---: |",
        *[f"| {name} | {sec:.2f} |" for name, sec in rows],
        "",
        f"Recovery on the {len(sim):,} simulated customers (seeded numpy Generator, the "
        "course company's true parameters, days):",
        "",
        "| parameter | truth | fitted |",
        "| --- | ---: | ---: |",
        *[f"| {k} | {truth[k]:g} | {fitted[k]:.4f} |" for k in truth],
    ]
    lines += [
        "",
        "The order log is not a BG/NBD process (nobody drops out, order values are "
        "independent of the customer), so the fits on its summary are timings only: "
        f"{bg_log!r}, {gg_log!r}"
        + (f"; they warned: {'; '.join(notes)}." if notes else "."),
    ]
    markdown = "\n".join(lines)
    if args.no_write:
        print(markdown)
    else:
        _common.write_section("clv", markdown)
        print(f"wrote the clv section of {_common.RESULTS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
